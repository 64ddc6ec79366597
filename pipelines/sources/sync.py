"""`tokenyield sync --config tokenyield.toml`: fetch every source of an org, then build.

Each source listed in the config (sync_config.py) is fetched from the day of its last successful
fetch (sync_state.py) through today, or from its `since` the first time, by the same registered
fetcher `tokenyield fetch` runs (`pipelines.sources.FETCHERS`), and appended to the input folder
by the same `store.append`: a source added to the registry later is synced without any change
here. Re-fetching the last day again is harmless (the store keeps each row once), so a second run
adds nothing and builds the same warehouse. A source that fails does not stop the others; it
keeps its last success, so the next run retries it from there while the others go on from today.
The warehouse is built after the fetches (the existing incremental build), and the command exits 1
with one line per failed source, never a traceback.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from pipelines.sources import FETCHERS, store, sync_state
from pipelines.sources.api import CredentialsError
from pipelines.sources.errors import SourceError
from pipelines.sources.sync_config import ConfigError, SourceConfig, SyncConfig, load


@dataclass(frozen=True)
class Outcome:
    """What one sync's fetches did: the sources that failed, each with a one-line reason."""

    fetched: tuple[str, ...]
    failures: tuple[tuple[str, str], ...]


def register(
    app: typer.Typer, build: Callable[..., None], *, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Add `sync` to `app`; `build(input_dir=..., db=...)` is the `build` command (exits 1 on failure).
    `sleep` is what the HTTP client waits with between retries."""

    @app.command("sync")
    def sync(
        config: Annotated[
            Path, typer.Option(help="The org's sources: see docs/tokenyield.example.toml.")
        ] = Path("tokenyield.toml"),
    ) -> None:
        """Fetch every source in the config since its last success, then build the warehouse."""
        try:
            org = load(config, FETCHERS)
            with sync_state.locked(org.state_path):
                outcome = fetch_all(org, sleep=sleep)
                typer.echo(f"building {org.db} from {org.input_dir}")
                build(input_dir=org.input_dir, db=org.db)  # prints its own error, exits 1
        except SourceError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        except OSError as error:  # e.g. the state file's folder cannot be written
            typer.echo(f"error: {error.filename or config}: {error.strerror or error}", err=True)
            raise typer.Exit(1) from None
        if outcome.failures:
            raise typer.Exit(1)


def fetch_all(
    config: SyncConfig,
    *,
    fetchers: Mapping[str, Any] = FETCHERS,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    echo: Callable[..., None] = typer.echo,
) -> Outcome:
    """Fetch each source of `config` in turn, saving the state after each success.

    Prints one progress line per source (and per table it appended to) on stdout, and one
    `error: NAME: reason` line on stderr for each source that failed."""
    environ = os.environ if environ is None else environ
    today = datetime.now(UTC).date()
    state = sync_state.read(config.state_path)
    fetched, failures = [], []
    for source in config.sources:
        since, note = _since(source, state.get(source.name), today)
        echo(f"{source.name}: fetching {source.fetcher} from {since}{note}")
        try:
            results = _fetch_one(config, source, fetchers[source.fetcher], since, environ, sleep, echo)
        except _Failed as failed:
            echo(f"error: {source.name}: {failed}", err=True)
            failures.append((source.name, str(failed)))
            continue
        for table, result in results.items():
            echo(
                f"  {table}: {result.added} added, {result.replaced} replaced, "
                f"{result.unchanged} already stored"
            )
        state[source.name] = sync_state.Success(
            since=since.isoformat(),
            through=today.isoformat(),
            fingerprint=source.fingerprint,
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        sync_state.write(config.state_path, state)
        fetched.append(source.name)
    done = f"{len(fetched)} of {len(config.sources)} sources fetched"
    echo(f"sync: {done}" + (f"; failed: {', '.join(n for n, _ in failures)}" if failures else ""))
    return Outcome(tuple(fetched), tuple(failures))


def _since(source: SourceConfig, last: sync_state.Success | None, today: date) -> tuple[date, str]:
    """The first day to fetch, and a note saying why when it is not the last success."""
    if last is None:
        return source.since, " (first sync)"
    if last.fingerprint != source.fingerprint:
        return source.since, " (its source or settings changed since the last sync)"
    start = min(last.through_day, today) - timedelta(days=source.lookback_days)
    return max(start, source.since), ""


class _Failed(Exception):
    """One source failed; the message is one line and holds no secret."""


def _fetch_one(
    config: SyncConfig,
    source: SourceConfig,
    fetcher: Any,
    since: date,
    environ: Mapping[str, str],
    sleep: Callable[[float], None],
    echo: Callable[..., None],
) -> dict[str, store.AppendResult]:
    """Fetch `source` and append its tables; every problem becomes _Failed."""
    secrets = [environ.get(name, "") for name in source.credentials.values()]
    missing = [(var, name) for var, name in source.credentials.items() if not environ.get(name, "").strip()]
    if missing:
        var, name = missing[0]
        where = f"credentials.{var} of sources.{source.name} in {config.path}"
        raise _Failed(f"{name} is not set ({where})")
    variables = {**environ, **source.settings}
    variables.update({var: environ[name] for var, name in source.credentials.items()})
    notes = _Notes(source.name, echo)
    logger = logging.getLogger("tokenyield.sources")
    logger.addHandler(notes)
    try:
        tables = fetcher(since, None, environ=variables, sleep=sleep)
        return store.append(config.input_dir, tables, source.fetcher)
    except SourceError as error:
        renamed = [f"{var} is read from {name}" for var, name in source.credentials.items() if var != name]
        hint = f" ({'; '.join(renamed)})" if isinstance(error, CredentialsError) and renamed else ""
        raise _Failed(_redacted(f"{error}{hint}", secrets)) from None
    except OSError as error:
        raise _Failed(
            _redacted(f"{error.filename or config.input_dir}: {error.strerror or error}", secrets)
        ) from None
    except Exception as error:
        if os.environ.get("TOKENYIELD_DEBUG"):
            raise
        problem = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        raise _Failed(
            _redacted(f"unexpected {problem}; set TOKENYIELD_DEBUG=1 for the traceback", secrets)
        ) from None
    finally:
        logger.removeHandler(notes)


def _redacted(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret.strip():
            text = text.replace(secret.strip(), "***")
    return " ".join(text.split())


class _Notes(logging.Handler):
    """The sources' warnings (e.g. "seats hold no usage"), one `note:` line each on stderr."""

    def __init__(self, name: str, echo: Callable[..., None]) -> None:
        super().__init__(logging.WARNING)
        self.name_, self.echo = name, echo

    def emit(self, record: logging.LogRecord) -> None:
        self.echo(f"note: {self.name_}: {record.getMessage()}", err=True)


__all__ = ["ConfigError", "Outcome", "fetch_all", "register"]
