"""The `import`, `fetch` and `identities` commands, added to the main CLI by `register(app)`.

`import SOURCE PATH... --into DIR [--person EMAIL]` parses export files; `fetch SOURCE --into DIR
--since DATE [--until DATE]` calls an API. Both append canonical tables to DIR idempotently
(store.append). A problem prints one line naming the file (and row/field) and exits 1, never a
traceback (TOKENYIELD_DEBUG=1 shows the traceback of an unexpected error). The `identities` group gets its `suggest` command from `identity_suggest.register`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer

from pipelines.sources import FETCHERS, IMPORTERS, store
from pipelines.sources.errors import SourceError


def register(app: typer.Typer) -> None:
    """Add `import`, `fetch` and the `identities` group to `app`."""
    app.command("import")(import_files)
    app.command("fetch")(fetch)
    identities = typer.Typer(help="Map people's accounts across systems.", no_args_is_help=True)
    # identity_suggest.register(identities) adds `identities suggest` (owned by the output sources)
    if importlib.util.find_spec("pipelines.sources.identity_suggest") is not None:
        from pipelines.sources import identity_suggest

        identity_suggest.register(identities)
    app.add_typer(identities, name="identities")


def import_files(
    source: Annotated[str, typer.Argument(help="The export's format, e.g. anthropic-claude-code.")],
    paths: Annotated[list[Path], typer.Argument(help="Export files (or folders, for log sources).")],
    into: Annotated[Path, typer.Option(help="The input folder to append canonical tables to.")],
    person: Annotated[
        str | None,
        typer.Option(
            help="Who a file that names no user belongs to: local logs, a Devin user's consumption, "
            "a Windsurf Cascade response.",
            show_default="git config user.email",
        ),
    ] = None,
) -> None:
    """Import export files from SOURCE into the input folder."""
    parse = _lookup(IMPORTERS, source, "import")
    options = {"person": person} if person else {}
    what = str(paths[0]) if len(paths) == 1 else f"{len(paths)} files"
    _run(lambda: parse(list(paths), **options), into, source, what)


def fetch(
    source: Annotated[str, typer.Argument(help="The API to fetch from, e.g. openai.")],
    into: Annotated[Path, typer.Option(help="The input folder to append canonical tables to.")],
    since: Annotated[str, typer.Option(help="First day to fetch, YYYY-MM-DD (UTC).")],
    until: Annotated[
        str | None, typer.Option(help="Last day to fetch, YYYY-MM-DD.", show_default="today (UTC)")
    ] = None,
) -> None:
    """Fetch SOURCE's usage or output from its API into the input folder."""
    fetcher = _lookup(FETCHERS, source, "fetch")
    first, last = _day(since, "--since"), _day(until, "--until") if until else None
    if last is not None and last < first:
        _fail(f"--until {last} is before --since {first}")
    _run(lambda: fetcher(first, last), into, source, f"the {source} API")


def _run(produce: Callable[[], dict[str, pl.DataFrame]], into: Path, source: str, what: str) -> None:
    """Produce the tables, append them, and report; every failure becomes one line and exit 1."""
    notes = _Notes()
    logger = logging.getLogger("tokenyield.sources")
    logger.addHandler(notes)
    try:
        results = store.append(into, produce(), source)
    except SourceError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"{error.filename or into}: {error.strerror or error}")
    except Exception as error:
        if os.environ.get("TOKENYIELD_DEBUG"):
            raise
        # an input shape no importer check foresaw: still one line, with a way to see more
        problem = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        _fail(f"{source} could not read {what} ({problem}); set TOKENYIELD_DEBUG=1 for the traceback")
    finally:
        logger.removeHandler(notes)
    for table, result in results.items():
        where = f" -> {result.path}" if result.path else ""
        typer.echo(
            f"{table}: {result.added} added, {result.replaced} replaced, "
            f"{result.unchanged} already stored{where}"
        )
    if not results:
        typer.echo("nothing to import")


class _Notes(logging.Handler):
    """Prints the sources' warnings (e.g. "seats hold no usage") as one line each on stderr."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(f"note: {record.getMessage()}", err=True)


def _lookup(registry: dict, source: str, verb: str) -> Any:
    if source not in registry:
        known = ", ".join(sorted(registry)) or "none yet"
        _fail(f"cannot {verb} {source!r}: known sources are {known}")
    return registry[source]


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"{option} {text!r} is not a date like 2026-03-02")
        raise


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)
