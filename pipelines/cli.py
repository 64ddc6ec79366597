"""The `tokenyield` command line: demo data, build, summary (and importers, exports later).

Errors a user can fix print one line and exit non-zero; they never show a traceback.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.settings import SettingsError, settings

app = typer.Typer(
    help="What AI tokens buy: usage joined with engineering output.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True)
out = Console()


def fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write the demo input into")],
    people: Annotated[int, typer.Option(min=20, help="people in the organization")] = 500,
    weeks: Annotated[int, typer.Option(min=4, max=260, help="weeks of history")] = 26,
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same files")] = 7,
    end: Annotated[str | None, typer.Option(help="last Sunday of the period, YYYY-MM-DD")] = None,
) -> None:
    """Write a realistic synthetic organization in the canonical contract."""
    from pipelines.demo import generate
    from pipelines.privacy.access import write_demo

    end_day = _parse_day(end, "--end") if end else None
    with _progress() as bar:
        task = bar.add_task("writing demo organization", total=None)
        report = generate(
            out_dir,
            people=people,
            weeks=weeks,
            seed=seed,
            end=end_day,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    access_file = write_demo(out_dir)
    rows = ", ".join(f"{table} {count:,}" for table, count in report.rows.items())
    console.print(f"demo organization written to {out_dir}: {rows}; roles in {access_file.name}", highlight=False)


@app.command()
def build(
    input_dir: Annotated[
        Path | None, typer.Option("--input", help="input folder in the canonical contract")
    ] = None,
    db: Annotated[Path | None, typer.Option(help="warehouse file to (re)build")] = None,
    full: Annotated[
        bool, typer.Option("--full", help="re-read every file even when only new ones arrived")
    ] = False,
) -> None:
    """Build the warehouse (staging -> intermediate -> marts) and swap it in atomically."""
    from pipelines.build import BuildError
    from pipelines.build import build as run_build
    from pipelines.models import load_models

    try:
        config = settings().with_(input_dir=input_dir, warehouse_path=db)
    except SettingsError as error:
        raise fail(str(error)) from None
    total = len(load_models()) + 1
    try:
        with _progress() as bar:
            task = bar.add_task("building", total=total)
            result = run_build(
                config,
                progress=lambda step: bar.update(task, advance=1, description=step),
                incremental=not full,
            )
    except BuildError as error:
        raise fail(str(error)) from None
    loaded = result.rows["ai_usage"]
    console.print(
        f"built {result.warehouse_path} in {result.seconds:.1f} s: ai_usage {loaded.read:,} rows read, "
        f"{loaded.loaded:,} loaded, {loaded.quarantined:,} quarantined, {loaded.duplicates:,} duplicates; "
        f"{'incremental' if result.incremental else 'full'} build ({result.plan_reason}); "
        f"validation {result.validation_seconds:.1f} s",
        highlight=False,
    )


@app.command()
def summary(
    db: Annotated[Path | None, typer.Option(help="warehouse file")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
    start: Annotated[str | None, typer.Option("--from", help="first day of the view, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="last day of the view, YYYY-MM-DD")] = None,
) -> None:
    """Print the headline figures of a built warehouse."""
    from pipelines.metrics import Filters
    from pipelines.metrics.headline import summary as compute
    from pipelines.warehouse import WarehouseError, open_warehouse

    try:
        path = db or settings().warehouse_path
        filters = Filters(
            start=_week_of(_parse_day(start, "--from")) if start else None,
            end=_week_of(_parse_day(end, "--to")) if end else None,
        )
        with open_warehouse(path) as con:
            figures = compute(con, filters)
    except (WarehouseError, SettingsError) as error:
        raise fail(str(error)) from None
    if as_json:
        out.print_json(json.dumps(figures, default=str))
        return
    table = Table(
        title=f"tokenyield summary {figures['period_start']} to {figures['period_end']}", show_header=False
    )
    for key, value in figures.items():
        if key not in ("rows", "unmatched", "headline"):
            table.add_row(key.replace("_", " "), _show(value))
    out.print(table)
    out.print(figures["headline"])


def _show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return "—" if value is None else str(value)


def _parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option} {text!r} is not a date (expected YYYY-MM-DD)") from None


def _week_of(day: date) -> date:
    return date.fromordinal(day.toordinal() - day.weekday())


def _register_sources() -> None:
    from pipelines.sources.cli import register

    register(app)


_register_sources()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
