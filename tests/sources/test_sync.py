"""`tokenyield sync` against a real HTTP server on 127.0.0.1 serving recorded pages of three
sources (Anthropic's messages usage report, GitHub pull requests, Jira issue search).

The warehouse it builds must hold exactly the tokens, merged PRs and closed tickets of the recorded
pages, computed here from the recorded JSON; a rerun must add nothing and build the same figures;
a source that fails must be named on one line, and retried from its own last success next time.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from pipelines.cli import app as tokenyield
from pipelines.cli import build
from pipelines.sources import FETCHERS, sync, sync_config, sync_state

SECRETS = {
    "ACME_ANTHROPIC_KEY": "sk-ant-admin01-SYNC-SECRET",
    "ACME_GITHUB_TOKEN": "tok-SYNC-SECRET-gh",
    "ACME_JIRA_TOKEN": "tok-SYNC-SECRET-jira",
    "ACME_JIRA_EMAIL": "bot@acme.io",
}
MESSAGES = "/v1/organizations/usage_report/messages"
PULLS = "/repos/panjf2000/ants/pulls"
SEARCH = "/rest/api/3/search/jql"
CONFIG = """
input = "input"
db = "warehouse.duckdb"
since = 2018-01-01

[sources.claude-api]
source = "anthropic-messages"
credentials = {{ ANTHROPIC_ADMIN_API_KEY = "ACME_ANTHROPIC_KEY" }}
settings = {{ TOKENYIELD_ANTHROPIC_BASE_URL = "{url}" }}

[sources.github]
credentials = {{ GITHUB_TOKEN = "ACME_GITHUB_TOKEN" }}
settings = {{ GITHUB_API_URL = "{url}", TOKENYIELD_GITHUB_REPOS = "panjf2000/ants" }}

[sources.jira]
credentials = {{ JIRA_API_TOKEN = "ACME_JIRA_TOKEN", JIRA_EMAIL = "ACME_JIRA_EMAIL" }}
settings = {{ JIRA_BASE_URL = "{url}" }}
"""


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class Recorded:
    """The recorded pages of the three sources, and what they hold."""

    def __init__(self, samples: Path) -> None:
        folder = samples / "anthropic-messages"
        first = load(folder / "messages_usage_report_doc_example_2026.json")  # has_more, next_page
        self.usage_pages = [first, load(samples / "anthropic" / "messages_usage_report_example.json")]
        self.usage_pages[1] = {**self.usage_pages[1], "has_more": False, "next_page": None}
        self.pulls = load(samples / "github_prs" / "devlake" / "DERIVED_pulls_items.json")
        self.issues = load(samples / "jira" / "devlake" / "DERIVED_issues_items.json")

    def results(self) -> list[dict[str, Any]]:
        return [r for page in self.usage_pages for bucket in page["data"] for r in bucket["results"]]

    def tokens(self) -> int:
        return sum(
            r["uncached_input_tokens"] + r["output_tokens"] + r["cache_read_input_tokens"]
            + sum(r["cache_creation"].values())
            for r in self.results()
        )  # fmt: skip

    def merged_prs(self) -> int:
        return len({pr["number"] for pr in self.pulls if pr["merged_at"]})

    def closed_tickets(self) -> int:
        return sum(1 for i in self.issues if i["fields"]["resolutiondate"] and i["fields"]["assignee"])

    def serve(self, server, *, jira_status: int = 200) -> None:
        """Two pages per source, linked the way each API links them."""
        first, second = self.usage_pages
        server.add("GET", MESSAGES, json=first)
        server.add("GET", MESSAGES, query={"page": first["next_page"]}, json=second)
        link = {"Link": f'<{{base}}{PULLS}?page=2>; rel="next"'}
        server.add("GET", PULLS, json=self.pulls[:25], headers=link)
        server.add("GET", PULLS, query={"page": "2"}, json=self.pulls[25:])
        for pr in self.pulls:  # each merged PR's commits and reviews (agent trailers, human review)
            if pr["merged_at"]:
                server.add("GET", f"{PULLS}/{pr['number']}/commits", json=[])
                server.add("GET", f"{PULLS}/{pr['number']}/reviews", json=[])
        if jira_status != 200:
            server.add("GET", SEARCH, status=jira_status, json={"errorMessages": ["down"]})
            return
        server.add("GET", SEARCH, json={"issues": self.issues[:20], "nextPageToken": "t2"})
        server.add(
            "GET", SEARCH, query={"nextPageToken": "t2"}, json={"issues": self.issues[20:], "isLast": True}
        )

    def roster(self, folder: Path) -> None:
        """Three people, and every account of the recorded pages mapped to one of them."""
        folder.mkdir(parents=True)
        people = ["person_id,email,name,team,manager_id,role,level"]
        people += [f"p{n},p{n}@acme.io,Person {n},core,,engineer,L4" for n in range(1, 4)]
        (folder / "people.csv").write_text("\n".join(people) + "\n")
        accounts = {("api_key", r["api_key_id"]) for r in self.results()}
        accounts |= {("github", pr["user"]["login"]) for pr in self.pulls}
        accounts |= {
            ("jira", i["fields"]["assignee"]["accountId"]) for i in self.issues if i["fields"]["assignee"]
        }
        rows = ["person_id,system,external_id"]
        rows += [f"p{n % 3 + 1},{system},{account}" for n, (system, account) in enumerate(sorted(accounts))]
        (folder / "identities.csv").write_text("\n".join(rows) + "\n")


@pytest.fixture
def org(tmp_path, local_server, samples):
    recorded = Recorded(samples)
    recorded.roster(tmp_path / "input")
    (tmp_path / "tokenyield.toml").write_text(CONFIG.format(url=local_server.url))
    return recorded


@pytest.fixture
def run(tmp_path, sleeps):
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """tokenyield (test build)"""

    sync.register(app, build, sleep=sleeps.append)
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(app, list(args), env={**SECRETS, **(env or {})})

    return invoke


def figures(tmp_path: Path) -> dict[str, Any]:
    shown = CliRunner().invoke(tokenyield, ["summary", "--db", str(tmp_path / "warehouse.duckdb"), "--json"])
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.stdout)


def stored_files(tmp_path: Path) -> list[Path]:
    return sorted(p.relative_to(tmp_path) for p in (tmp_path / "input").rglob("*.parquet"))


def since_asked(server) -> dict[str, str]:
    """The first day each source was asked for, as its API was asked."""
    asked = {}
    for request in server.requests:
        if request.path == MESSAGES and "page" not in request.query:
            asked["claude-api"] = request.query["starting_at"][:10]
        elif request.path == SEARCH and "nextPageToken" not in request.query:
            asked["jira"] = request.query["jql"].split('updated >= "')[1][:10]
    return asked


def test_sync_builds_the_recorded_totals_and_a_rerun_changes_nothing(run, org, local_server, tmp_path):
    org.serve(local_server)
    config = str(tmp_path / "tokenyield.toml")

    first = run("sync", "--config", config)
    built = figures(tmp_path)
    files = stored_files(tmp_path)
    local_server.requests.clear()
    second = run("sync", "--config", config)

    assert first.exit_code == 0, first.output
    assert "claude-api: fetching anthropic-messages from 2018-01-01 (first sync)" in first.stdout
    assert "pull_requests: 49 added, 0 replaced, 0 already stored" in first.stdout  # PR 4 is recorded twice
    assert (built["tokens_total"], built["merged_prs_total"], built["closed_tickets_total"]) == (
        org.tokens(),
        org.merged_prs(),
        org.closed_tickets(),
    )
    assert built["unmatched"]["identities"] == 0
    assert second.exit_code == 0, second.output
    assert " 0 added" in second.stdout and not any(
        " added" in line and " 0 added" not in line for line in second.stdout.splitlines()
    )
    today = datetime.now(UTC).date().isoformat()
    assert since_asked(local_server) == {"claude-api": today, "jira": today}
    assert stored_files(tmp_path) == files
    assert figures(tmp_path) == built
    for secret in SECRETS.values():
        assert secret not in first.output + second.output
        assert not any(secret.encode() in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


def test_a_failed_source_is_named_and_retried_from_its_last_success(run, org, local_server, tmp_path, sleeps):
    org.serve(local_server, jira_status=500)
    config = str(tmp_path / "tokenyield.toml")
    state_file = tmp_path / "input.sync-state.json"

    failed = run("sync", "--config", config)
    after_failure = load(state_file)["sources"]
    local_server.routes.clear()
    local_server.requests.clear()
    org.serve(local_server)
    resumed = run("sync", "--config", config)

    assert failed.exit_code == 1
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: jira: Jira: GET {SEARCH} failed (500) after 5 attempts"]
    assert "Traceback" not in failed.output
    assert sleeps[:4] == [1.0, 2.0, 4.0, 8.0]  # the client's retries, recorded instead of waited
    assert sorted(after_failure) == ["claude-api", "github"]
    assert (tmp_path / "warehouse.duckdb").is_file()  # the sources that worked are built
    assert resumed.exit_code == 0, resumed.output
    today = datetime.now(UTC).date().isoformat()
    assert since_asked(local_server) == {"claude-api": today, "jira": "2018-01-01"}
    assert "jira: fetching jira from 2018-01-01 (first sync)" in resumed.stdout
    built = figures(tmp_path)
    assert (built["tokens_total"], built["merged_prs_total"], built["closed_tickets_total"]) == (
        org.tokens(),
        org.merged_prs(),
        org.closed_tickets(),
    )


def test_an_unset_credential_names_its_variable_and_the_others_still_sync(run, org, local_server, tmp_path):
    org.serve(local_server)

    result = run("sync", "--config", str(tmp_path / "tokenyield.toml"), env={"ACME_GITHUB_TOKEN": ""})

    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        f"error: github: ACME_GITHUB_TOKEN is not set (credentials.GITHUB_TOKEN of sources.github in "
        f"{tmp_path / 'tokenyield.toml'})"
    ]
    assert not any(r.path == PULLS for r in local_server.requests)
    assert sorted(load(tmp_path / "input.sync-state.json")["sources"]) == ["claude-api", "jira"]


def test_refused_credentials_say_which_variable_holds_them(org, local_server, tmp_path, sleeps):
    local_server.add("GET", PULLS, status=401, json={"message": "Bad credentials"})
    config = sync_config.load(tmp_path / "tokenyield.toml", FETCHERS)
    github = next(s for s in config.sources if s.name == "github")
    lines: list[tuple[str, bool]] = []

    outcome = sync.fetch_all(
        replace(config, sources=(github,)),
        environ=SECRETS,
        sleep=sleeps.append,
        echo=lambda text, err=False: lines.append((text, err)),
    )

    reason = "GitHub refused the credentials (401: Bad credentials): check GITHUB_TOKEN (GITHUB_TOKEN is read from ACME_GITHUB_TOKEN)"
    assert outcome.failures == (("github", reason),)
    assert [text for text, err in lines if err] == [f"error: github: {reason}"]
    assert not (tmp_path / "input.sync-state.json").exists()


def test_a_second_sync_running_at_once_stops_with_one_line(run, org, local_server, tmp_path):
    config = sync_config.load(tmp_path / "tokenyield.toml", FETCHERS)

    with sync_state.locked(config.state_path):
        result = run("sync", "--config", str(tmp_path / "tokenyield.toml"))

    lock = tmp_path / "input.sync-state.json.lock"
    assert (result.exit_code, result.output.strip()) == (
        1,
        f"error: {lock}: another sync of this input folder is running (it holds this lock)",
    )
    assert local_server.requests == []


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (('"ACME_GITHUB_TOKEN"', '"ghp_16C0ffee16C0ffee16C0ffee16C0ffee1234"'),
         "sources.github.credentials.GITHUB_TOKEN", "looks like a secret: keep secrets in environment variables"),
        (('"panjf2000/ants"', '"https://bot:hunter2@github.example"'),
         "sources.github.settings.TOKENYIELD_GITHUB_REPOS", "looks like a secret"),
        (('"ACME_GITHUB_TOKEN"', '"0123456789abcdef"'),
         "sources.github.credentials.GITHUB_TOKEN", "expected the NAME of the environment variable"),
        (('GITHUB_API_URL =', 'GITHUB_TOKEN = "x", GITHUB_API_URL ='),
         "sources.github.settings.GITHUB_TOKEN", "is a credential: name the environment variable"),
        (('source = "anthropic-messages"', 'source = "anthropic-mesages"'),
         "sources.claude-api.source", "no fetcher 'anthropic-mesages' (known: "),
        (("since = 2018-01-01", "since = 2018-13-01"), None, "not valid TOML"),
        (("since = 2018-01-01", 'since = "yesterday"'), "since", "expected a date like 2026-01-01, got 'yesterday'"),
        (("since = 2018-01-01", ""), "sources.claude-api.since", "expected a date like 2026-01-01 (or a top-level since)"),
        (('db = "warehouse.duckdb"', 'db = "warehouse.duckdb"\ntoken = "x"'), "token", "unknown key (expected one of input, db"),
    ],
)  # fmt: skip
def test_a_config_error_is_one_line_naming_file_key_and_expectation(
    run, org, local_server, tmp_path, change, field, expected
):
    path = tmp_path / "tokenyield.toml"
    path.write_text(path.read_text().replace(*change))

    result = run("sync", "--config", str(path))

    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    where = f"error: {path}: field {field!r}: " if field else f"error: {path}: "
    assert result.output.startswith(where + expected), result.output
    assert "ghp_16C0ffee" not in result.output and local_server.requests == []
    assert not (tmp_path / "input.sync-state.json").exists()


def test_a_missing_config_is_one_line(run, tmp_path):
    result = run("sync", "--config", str(tmp_path / "nope.toml"))

    assert (result.exit_code, result.output.strip()) == (
        1,
        f"error: {tmp_path / 'nope.toml'}: no such file (see docs/tokenyield.example.toml)",
    )


def test_the_example_config_is_valid(tmp_path):
    example = Path(__file__).parents[2] / "docs" / "tokenyield.example.toml"

    config = sync_config.load(example, FETCHERS)

    assert [s.name for s in config.sources] and all(s.credentials for s in config.sources)
    assert config.state_path.name == "input.sync-state.json"


def test_tokenyield_has_the_sync_command():
    result = CliRunner().invoke(tokenyield, ["sync", "--help"])

    assert result.exit_code == 0 and "--config" in result.output


def test_each_source_starts_from_its_last_success_or_over_when_its_settings_change(
    org, local_server, tmp_path
):
    org.serve(local_server)
    config = sync_config.load(tmp_path / "tokenyield.toml", FETCHERS)
    jira = next(s for s in config.sources if s.name == "jira")
    lines: list[str] = []

    def fetch(source: sync_config.SourceConfig) -> str:
        local_server.requests.clear()
        sync.fetch_all(
            replace(config, sources=(source,)), environ=SECRETS, echo=lambda t, err=False: lines.append(t)
        )
        return since_asked(local_server)["jira"]

    today = datetime.now(UTC).date()
    narrowed = replace(jira, settings={**jira.settings, "TOKENYIELD_JIRA_JQL": "project = EE"})
    asked = [
        fetch(jira),
        fetch(jira),
        fetch(replace(jira, lookback_days=3)),
        fetch(narrowed),
        fetch(narrowed),
    ]

    assert asked == [
        "2018-01-01",
        today.isoformat(),
        (today - timedelta(days=3)).isoformat(),
        "2018-01-01",
        today.isoformat(),
    ]
    assert "jira: fetching jira from 2018-01-01 (its source or settings changed since the last sync)" in lines


def test_an_unreadable_state_file_is_one_line(run, org, local_server, tmp_path):
    state = tmp_path / "input.sync-state.json"
    state.write_text('{"sources": {"github": {"since": "2018-01-01"}}}')

    result = run("sync", "--config", str(tmp_path / "tokenyield.toml"))

    assert result.exit_code == 1
    assert result.output.strip().startswith(f"error: {state}: not a sync state file")
    assert len(result.output.strip().splitlines()) == 1 and local_server.requests == []
