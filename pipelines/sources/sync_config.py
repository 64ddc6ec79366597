"""`tokenyield.toml`, the file that says which sources `tokenyield sync` fetches for an org.

The file names the environment variables that hold each credential, never the secrets: a value
that looks like a secret (a token prefix, a URL with a password, a credential given as a
setting) is refused, so the file can be committed. Everything is checked before anything is
fetched, and every problem is one line naming the file, the key and what was expected.

    input = "data/input"            # the input folder, relative to this file
    db = "data/warehouse.duckdb"    # the warehouse to build
    since = "2026-01-01"            # first day fetched for a source never synced before

    [sources.github]                # a name of your choosing (state and messages use it)
    source = "github"               # the fetcher (`tokenyield fetch SOURCE`); default: the name
    credentials = { GITHUB_TOKEN = "ACME_GITHUB_TOKEN" }  # what the fetcher reads -> where it is
    settings = { TOKENYIELD_GITHUB_ORG = "acme" }         # non-secret values the fetcher reads
    lookback_days = 0               # re-fetch this many days before the last success
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipelines.sources.errors import SourceError

VARIABLE = re.compile(r"^[A-Z_][A-Z0-9_]*$")  # an environment variable's name, by convention
# what a secret itself looks like: a vendor's token prefix and a long tail, a key, an auth header,
# a PEM block, or a URL with a password; a repository named "task-runner" does not
SECRET_LOOKS = re.compile(
    r"(?<![\w-])(?:gh[pousr]_|github_pat_|glpat-|sk-|sk_live_|lin_api_|xox[abposr]-)[\w-]{16,}"
    r"|\bAKIA[0-9A-Z]{16}\b|\b(?:Bearer|Basic)\s+\S{12,}|-----BEGIN|://[^/\s:@]+:[^/\s@]+@"
)
TOP_KEYS = ("input", "db", "since", "sources")
SOURCE_KEYS = ("source", "credentials", "settings", "since", "lookback_days")


class ConfigError(SourceError):
    """tokenyield.toml cannot be used; the message names the file, the key and what was expected."""


@dataclass(frozen=True)
class SourceConfig:
    """One source to sync: `name` (its table in the file), the fetcher it runs, where its
    credentials live (fetcher variable -> environment variable) and its non-secret settings."""

    name: str
    fetcher: str
    credentials: Mapping[str, str]
    settings: Mapping[str, str]
    since: date
    lookback_days: int = 0

    @property
    def fingerprint(self) -> str:
        """What decides which rows a fetch returns; when it changes, the source starts over."""
        what = {"fetcher": self.fetcher, "settings": dict(sorted(self.settings.items()))}
        return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SyncConfig:
    """The whole file: where it is, the input folder and warehouse (relative to it), the sources."""

    path: Path
    input_dir: Path
    db: Path
    sources: tuple[SourceConfig, ...] = field(default_factory=tuple)

    @property
    def state_path(self) -> Path:
        """Beside the input folder: `data/input` -> `data/input.sync-state.json`."""
        folder = self.input_dir.resolve()
        return folder.with_name(f"{folder.name}.sync-state.json")


def load(path: Path, fetchers: Mapping[str, Any]) -> SyncConfig:
    """Read and check `path` against the registered `fetchers`; raises ConfigError."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("no such file (see docs/tokenyield.example.toml)", path=path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read it ({error})", path=path) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML ({error})", path=path) from None
    check = _Checker(path)
    check.keys(document, TOP_KEYS, "")
    check.no_secrets(document, "")
    base = path.parent
    input_dir = base / check.text(document, "input", "")
    db = base / check.text(document, "db", "")
    default_since = check.day(document, "since", "", required=False)
    tables = check.table(document, "sources", "", required=True)
    if not tables:
        raise ConfigError("expected at least one [sources.NAME] table", path=path, field="sources")
    sources = tuple(check.source(name, table, fetchers, default_since) for name, table in tables.items())
    return SyncConfig(path, input_dir, db, sources)


class _Checker:
    """Reads typed values out of the parsed TOML, raising ConfigError naming the key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, path=self.path, field=key)

    def keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                expected = ", ".join(allowed)
                raise self.fail(_join(where, key), f"unknown key (expected one of {expected})")

    def text(self, table: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
        value = table.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(_join(where, key), f"expected a text value, got {_shown(value)}")
        return value.strip()

    def day(self, table: Mapping[str, Any], key: str, where: str, required: bool) -> date | None:
        value = table.get(key)
        if value is None and not required:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):  # TOML's date: 2026-01-01
            return value
        try:
            return date.fromisoformat(value) if isinstance(value, str) else _not_a_date()
        except ValueError:
            expected = f"expected a date like 2026-01-01, got {_shown(value)}"
            raise self.fail(_join(where, key), expected) from None

    def table(self, table: Mapping[str, Any], key: str, where: str, required: bool) -> dict[str, Any]:
        value = table.get(key, None if required else {})
        if not isinstance(value, dict):
            raise self.fail(_join(where, key), f"expected a table, got {_shown(value)}")
        return value

    def no_secrets(self, value: Any, where: str) -> None:
        """Refuse any value anywhere that looks like a secret rather than where one is kept."""
        if isinstance(value, dict):
            for key, item in value.items():
                self.no_secrets(item, _join(where, str(key)))
        elif isinstance(value, list):
            for item in value:
                self.no_secrets(item, where)
        elif isinstance(value, str) and SECRET_LOOKS.search(value):
            raise self.fail(
                where,
                "looks like a secret: keep secrets in environment variables and name the variable "
                "under credentials",
            )

    def source(
        self, name: str, table: Any, fetchers: Mapping[str, Any], default_since: date | None
    ) -> SourceConfig:
        where = f"sources.{name}"
        if not isinstance(table, dict):
            raise self.fail(where, f"expected a table, got {_shown(table)}")
        self.keys(table, SOURCE_KEYS, where)
        fetcher = self.text(table, "source", where, required=False) or name
        if fetcher not in fetchers:
            known = ", ".join(sorted(fetchers))
            raise self.fail(_join(where, "source"), f"no fetcher {fetcher!r} (known: {known})")
        variables = _credential_variables(fetchers[fetcher])
        credentials = self._credentials(table, where, variables)
        settings = self._settings(table, where, variables)
        since = self.day(table, "since", where, required=False) or default_since
        if since is None:
            raise self.fail(_join(where, "since"), "expected a date like 2026-01-01 (or a top-level since)")
        lookback = table.get("lookback_days", 0)
        if not isinstance(lookback, int) or isinstance(lookback, bool) or not 0 <= lookback <= 366:
            raise self.fail(
                _join(where, "lookback_days"), f"expected a whole number 0-366, got {_shown(lookback)}"
            )
        return SourceConfig(name, fetcher, credentials, settings, since, lookback)

    def _credentials(self, table: Mapping[str, Any], where: str, variables: list[str]) -> dict[str, str]:
        given = self.table(table, "credentials", where, required=False)
        credentials = {v: v for v in variables}  # by default each variable is read as named
        for key, value in given.items():
            at = _join(where, f"credentials.{key}")
            if key not in variables:
                raise self.fail(
                    at, f"not a credential of this source (expected {' or '.join(variables) or 'none'})"
                )
            if not isinstance(value, str) or not VARIABLE.match(value.strip()):
                raise self.fail(
                    at,
                    "expected the NAME of the environment variable that holds it (like ACME_TOKEN), "
                    "never the secret itself",
                )
            credentials[key] = value.strip()
        return credentials

    def _settings(self, table: Mapping[str, Any], where: str, variables: list[str]) -> dict[str, str]:
        given = self.table(table, "settings", where, required=False)
        settings = {}
        for key, value in given.items():
            at = _join(where, f"settings.{key}")
            if key in variables:
                raise self.fail(
                    at, "is a credential: name the environment variable that holds it under credentials"
                )
            if not VARIABLE.match(key):
                raise self.fail(at, "expected a setting's variable name, like TOKENYIELD_GITHUB_ORG")
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise self.fail(at, f"expected a text value, got {_shown(value)}")
            settings[key] = str(value)
        return settings


def _credential_variables(fetcher: Any) -> list[str]:
    """The variables a registered fetcher reads its credentials from (none if it declares no Api)."""
    credentials = getattr(getattr(fetcher, "api", None), "credentials", None)
    return list(credentials.variables()) if credentials is not None else []


def _not_a_date() -> date:
    raise ValueError("not a date")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict | list):
        return f"a {'table' if isinstance(value, dict) else 'list'}"
    return repr(value)
