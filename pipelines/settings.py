"""One frozen settings object, built from the environment and the command line.

Every knob a user can turn is here and in .env.example; a bad value fails at once with the
variable's name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipelines import agents

DEFAULT_INPUT = Path("data/input")
DEFAULT_DB = Path("data/warehouse.duckdb")
BUILTIN_PRICES = Path(__file__).with_name("prices.csv")


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


def _float(name: str, default: float, low: float, high: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw} must be between {low} and {high}")
    return value


def _choice(name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first when unset)."""
    raw = os.environ.get(name, "").strip().lower()
    if raw and raw not in choices:
        raise SettingsError(f"{name}={raw!r} must be one of {', '.join(choices)}")
    return raw or choices[0]


def _list(name: str) -> tuple[str, ...]:
    return tuple(item.strip().lower() for item in os.environ.get(name, "").split(",") if item.strip())


@dataclass(frozen=True)
class Settings:
    input_dir: Path = DEFAULT_INPUT
    warehouse_path: Path = DEFAULT_DB
    adoption_target: float = 0.8  # share of people in scope who use AI in a week
    bot_logins: tuple[str, ...] = ()  # besides every login ending in "[bot]"
    # coding agents' logins -> agent (pipelines/agents.py, extended by TOKENYIELD_AGENT_LOGINS)
    agent_logins: tuple[tuple[str, str], ...] = tuple(sorted(agents.AGENT_LOGINS.items()))
    prices_override: Path | None = None
    token_ceiling: int = 100_000_000  # a person-day above this many tokens is flagged, not dropped
    memory_limit: str | None = None  # DuckDB memory_limit, e.g. "4GB"
    threads: int | None = None
    access_path: Path | None = None  # who is a leader, analyst or admin; default: <input_dir>/access.toml
    pseudonym_key: str | None = None  # secret for person_key; default: a key file beside the warehouse
    audit_path: Path = Path("data/audit.duckdb")  # the append-only audit log (outside the warehouse)
    local_viewer: str | None = None  # the single viewer of local demo mode (an email or "demo-leader")
    # "required": a signed-in email counts only with email_verified true; "not-sent": the identity
    # provider sends no email_verified claim (an explicit false is still refused)
    oidc_email_verified: str = "required"
    extra: dict[str, str] = field(default_factory=dict)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def settings() -> Settings:
    """Settings from the environment (see .env.example)."""
    prices = os.environ.get("TOKENYIELD_PRICES", "").strip()
    if prices and not Path(prices).is_file():
        raise SettingsError(f"TOKENYIELD_PRICES={prices} is not a file")
    threads = os.environ.get("TOKENYIELD_THREADS", "").strip()
    if threads and not threads.isdigit():
        raise SettingsError(f"TOKENYIELD_THREADS={threads!r} is not a whole number")
    return Settings(
        input_dir=Path(os.environ.get("TOKENYIELD_INPUT", DEFAULT_INPUT)),
        warehouse_path=Path(os.environ.get("TOKENYIELD_DB", DEFAULT_DB)),
        adoption_target=_float("TOKENYIELD_ADOPTION_TARGET", 0.8, 0.0, 1.0),
        bot_logins=_list("TOKENYIELD_BOT_LOGINS"),
        agent_logins=tuple(sorted(agents.agent_logins().items())),
        prices_override=Path(prices) if prices else None,
        token_ceiling=int(_float("TOKENYIELD_TOKEN_CEILING", 100_000_000, 1, 1e15)),
        memory_limit=os.environ.get("TOKENYIELD_MEMORY_LIMIT", "").strip() or None,
        threads=int(threads) if threads else None,
        access_path=Path(access) if (access := os.environ.get("TOKENYIELD_ACCESS", "").strip()) else None,
        pseudonym_key=os.environ.get("TOKENYIELD_PSEUDONYM_KEY", "").strip() or None,
        audit_path=Path(os.environ.get("TOKENYIELD_AUDIT_DB", "").strip() or "data/audit.duckdb"),
        local_viewer=os.environ.get("TOKENYIELD_LOCAL_VIEWER", "").strip() or None,
        oidc_email_verified=_choice("TOKENYIELD_OIDC_EMAIL_VERIFIED", ("required", "not-sent")),
    )
