"""Word lists the demo organization is made of: names, teams, PR titles, dependencies.

Kept apart so the generators read as logic, not as data. Everything here is fictional.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "aaron", "abigail", "adam", "adaeze", "aditi", "ahmed", "aiko", "alex", "alice", "amara",
    "amir", "ana", "andrea", "andrei", "anika", "arjun", "ava", "ben", "bianca", "bruno",
    "camila", "carlos", "chen", "chloe", "chris", "dana", "daniel", "david", "diego", "dmitri",
    "elena", "eli", "emma", "eric", "esther", "ethan", "fatima", "felix", "fernando", "fiona",
    "gabriel", "grace", "hana", "hannah", "hassan", "ines", "isaac", "ivan", "jack", "jade",
    "james", "jana", "javier", "jin", "joao", "jonas", "jordan", "jose", "julia", "kai",
    "karim", "kate", "kenji", "kofi", "lars", "laura", "lea", "leo", "liam", "lina",
    "lucas", "lucia", "maya", "mateo", "mei", "mia", "miguel", "mohamed", "nadia", "nina",
    "noah", "olga", "omar", "oscar", "paula", "pedro", "priya", "rafael", "rahul", "rosa",
    "ryan", "sara", "sofia", "tariq", "thomas", "tomas", "valentina", "victor", "yara", "zoe",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "abe", "adams", "ahmed", "alvarez", "andersen", "bauer", "becker", "bianchi", "brown", "campbell",
    "castro", "chen", "cohen", "costa", "cruz", "das", "diaz", "dubois", "edwards", "eriksson",
    "evans", "fischer", "flores", "fontaine", "garcia", "gomez", "gupta", "hall", "hansen", "harris",
    "hernandez", "hoffmann", "hughes", "ibrahim", "ito", "jensen", "johnson", "jones", "kaur", "khan",
    "kim", "klein", "kowalski", "kumar", "larsen", "lee", "lopez", "martin", "meyer", "miller",
    "mendes", "moreau", "morales", "murphy", "nakamura", "nguyen", "nielsen", "novak", "okafor", "olsen",
    "ortiz", "park", "patel", "perez", "petrov", "popescu", "rao", "reyes", "richter", "rossi",
    "russo", "sanchez", "santos", "sato", "schmidt", "schneider", "shah", "silva", "singh", "smith",
    "sousa", "suzuki", "tanaka", "taylor", "thomas", "torres", "vargas", "volkov", "wagner", "walker",
    "wang", "weber", "white", "williams", "wilson", "wong", "wu", "yamamoto", "yilmaz", "zhang",
)  # fmt: skip

# A team is "<domain>" while there are few teams, "<domain>-<focus>" when there are many.
TEAM_DOMAINS: tuple[str, ...] = (
    "payments", "search", "platform", "identity", "billing", "checkout", "growth", "data-infra",
    "ml-platform", "mobile", "web", "observability", "notifications", "messaging", "catalog",
    "pricing", "fraud", "risk", "ledger", "onboarding", "accounts", "storage", "compute",
    "networking", "security", "developer-tools", "ci", "release", "analytics", "experiments",
    "recommendations", "ads", "marketplace", "logistics", "fulfillment", "inventory", "support-tools",
    "integrations", "api", "sdk", "design-system", "localization", "compliance", "privacy",
    "reliability", "edge", "streaming", "maps",
)  # fmt: skip

TEAM_FOCUSES: tuple[str, ...] = (
    "core", "api", "backend", "frontend", "infra", "mobile", "data", "ml", "ops", "tools",
    "growth", "quality", "services", "pipeline", "experience", "enablement", "scale", "foundations",
    "insights", "automation", "gateway", "runtime", "workflows", "clients", "sync", "ingest",
    "serving", "admin", "internal", "partners",
)  # fmt: skip

SHARED_REPOS: tuple[str, ...] = ("monorepo", "infra", "web-app", "mobile-app", "docs", "terraform")

PR_VERBS: tuple[str, ...] = (
    "Add", "Fix", "Refactor", "Remove", "Update", "Improve", "Handle", "Support", "Migrate",
    "Speed up", "Clean up", "Document", "Test", "Simplify", "Rename", "Validate",
)  # fmt: skip

PR_OBJECTS: tuple[str, ...] = (
    "retry logic for webhook delivery", "flaky checkout test", "rate limiter config", "currency rounding",
    "feature flag for new onboarding", "search index rebuild", "pagination in list endpoint",
    "null handling in invoice export", "metrics for queue latency", "timeout in payment client",
    "dark mode toggle", "deprecated auth middleware", "batch size for nightly job", "error messages in form",
    "cache invalidation on update", "database migration for orders", "logging in sync worker",
    "typing in API models", "empty state on dashboard", "CSV import edge cases", "tracing spans",
    "permissions check for admins", "duplicate events in stream", "mobile deep links", "date parsing in reports",
    "health check endpoint", "connection pool settings", "unit tests for pricing", "README setup steps",
    "memory leak in image resizer", "slow query on accounts page", "i18n strings", "alert thresholds",
    "SDK client retries", "build cache in CI", "release notes script", "Terraform module for buckets",
    "GraphQL schema for catalog", "idempotency keys", "audit log entries",
)  # fmt: skip

DEPENDENCIES: tuple[str, ...] = (
    "axios", "react", "lodash", "typescript", "eslint", "webpack", "jest", "express", "django", "requests",
    "urllib3", "boto3", "numpy", "pydantic", "fastapi", "golang.org/x/net", "github.com/stretchr/testify",
    "actions/checkout", "actions/setup-node", "terraform-provider-aws", "spring-boot", "jackson-databind",
    "rails", "puma", "sentry-sdk", "protobuf", "grpcio", "redis", "pg", "tailwindcss",
)  # fmt: skip
