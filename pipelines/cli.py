"""The `tokenyield` command line: demo data, build, summary (and importers, exports later).

Errors a user can fix print one line and exit non-zero; they never show a traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.settings import SettingsError, settings

if TYPE_CHECKING:
    import duckdb
    import polars as pl

    from pipelines.metrics import Filters
    from pipelines.privacy.audit import Entry
    from pipelines.privacy.audit_key import Head
    from pipelines.privacy.viewer import Viewer


def _flags_read_as_flags() -> None:
    """typer prints a flag's type as `<bool>`, as if it took a value; a flag takes none, so print nothing."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: object) -> str | None:
        return "" if self.is_flag else shown(self, ctx)  # type: ignore[arg-type]

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_read_as_flags()

DB_DEFAULT = "$TOKENYIELD_DB, else data/warehouse.duckdb"
INPUT_DEFAULT = "$TOKENYIELD_INPUT, else data/input"
FROM_DEFAULT = "the warehouse's first week"
TO_DEFAULT = "the warehouse's last week"

# the warehouse and the dashboard's filters on the command line (summary, export-charts, report)
DbOption = Annotated[Path | None, typer.Option(help="warehouse file", show_default=DB_DEFAULT)]
FromOption = Annotated[
    str | None, typer.Option("--from", help="first day of the view, YYYY-MM-DD", show_default=FROM_DEFAULT)
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="last day of the view, YYYY-MM-DD", show_default=TO_DEFAULT)
]
TeamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--team", help="a team of the dashboard's team filter; repeat for more", show_default="every team"
    ),
]
ToolOption = Annotated[
    list[str] | None,
    typer.Option(
        "--tool", help="a tool; repeat for more (organization-wide only)", show_default="every tool"
    ),
]

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
    end: Annotated[
        str | None,
        typer.Option(
            help="last Sunday of the period, YYYY-MM-DD", show_default="the last Sunday before today"
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="write into a folder that already holds files (they are replaced)")
    ] = False,
) -> None:
    """Write a realistic synthetic organization in the canonical contract."""
    from pipelines.demo import generate
    from pipelines.privacy.access import write_demo

    if out_dir.exists() and not out_dir.is_dir():
        raise fail(f"--out {out_dir} is a file: give a folder")
    if not force and out_dir.is_dir() and any(out_dir.iterdir()):
        raise fail(
            f"--out {out_dir} is not empty: give an empty or new folder, or add --force to replace its files"
        )
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
    console.print(
        f"demo organization written to {out_dir}: {rows}; roles in {access_file.name}", highlight=False
    )


@app.command()
def build(
    input_dir: Annotated[
        Path | None,
        typer.Option("--input", help="input folder in the canonical contract", show_default=INPUT_DEFAULT),
    ] = None,
    db: Annotated[
        Path | None, typer.Option(help="warehouse file to (re)build", show_default=DB_DEFAULT)
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="re-read every file even when only new ones arrived")
    ] = False,
    engine: Annotated[
        str,
        typer.Option(
            help="engine of the first stage (per-request rows -> user-day): duckdb, or spark "
            "(PySpark; master from TOKENYIELD_SPARK_MASTER, default local[2]; needs Java 17)"
        ),
    ] = "duckdb",
    since: Annotated[
        str | None,
        typer.Option(
            help="read only ai_usage partitions date=YYYY-MM-DD from this day", show_default="every partition"
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            help="read only ai_usage partitions date=YYYY-MM-DD up to this day",
            show_default="every partition",
        ),
    ] = None,
) -> None:
    """Build the warehouse (staging -> intermediate -> marts) and swap it in atomically."""
    from pipelines.build import BuildError
    from pipelines.build import build as run_build
    from pipelines.engines import ENGINES
    from pipelines.models import load_models

    if engine not in ENGINES:
        raise fail(f"--engine {engine!r} is not one of {', '.join(ENGINES)}")
    first_day = _parse_day(since, "--since") if since else None
    last_day = _parse_day(until, "--until") if until else None
    try:
        config = settings().with_(input_dir=input_dir, warehouse_path=db)
    except SettingsError as error:
        raise fail(str(error)) from None
    total = len(load_models())
    try:
        with _progress() as bar:
            task = bar.add_task("building", total=total)
            result = run_build(
                config,
                progress=lambda step: bar.update(task, advance=1, description=step),
                incremental=not full,
                engine=engine,
                since=first_day,
                until=last_day,
            )
    except BuildError as error:
        raise fail(str(error)) from None
    loaded = result.rows["ai_usage"]
    console.print(
        f"built {result.warehouse_path} in {result.seconds:.1f} s: ai_usage {loaded.read:,} rows read, "
        f"{loaded.loaded:,} loaded, {loaded.quarantined:,} quarantined, {loaded.duplicates:,} duplicates; "
        f"{'incremental' if result.incremental else 'full'} build ({result.plan_reason}); "
        f"first stage on {engine}; validation {result.validation_seconds:.1f} s",
        highlight=False,
    )


@app.command()
def summary(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
    start: FromOption = None,
    end: ToOption = None,
    team: TeamOption = None,
    tool: ToolOption = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--as",
            help=AS_HELP + "; without it, the whole warehouse (its file holds it all)",
            show_default="no viewer: the whole warehouse",
        ),
    ] = None,
) -> None:
    """Print the headline figures of a built warehouse."""
    from pipelines.metrics import people_cost
    from pipelines.metrics.headline import summary as compute
    from pipelines.privacy import viewer as viewers
    from pipelines.privacy import views
    from pipelines.privacy.audit import Entry
    from pipelines.warehouse import WarehouseError, open_warehouse

    try:
        path = db or settings().warehouse_path
        filters = _view_filters(start, end, team, tool)
        with open_warehouse(path) as con:
            if email:
                who = viewers.resolve(con, email)
                figures = views.summary(con, who, filters)
                period = f"{figures['period_start']}..{figures['period_end']}"
                # recorded before anything is printed: no audit entry, no figures
                _audited(Entry(who.email, who.role, "view: summary", detail=period))
            else:
                figures = compute(con, filters)
                who = viewers.Viewer(
                    "warehouse", frozenset({"analyst"}), viewers.from_warehouse(con).min_group_size
                )
            # what changed against the previous period, from the release: the same sentences the
            # dashboard and the pack open with
            try:
                figures["lead"] = views.lead(con, who, filters, settings().adoption_target).sentences
            except views.Withheld as error:
                figures["lead"] = [str(error)]
            figures["people_cost"] = people_cost.summary(views.people_cost(con, who, filters))
    except (WarehouseError, SettingsError, viewers.AccessDenied) as error:
        raise fail(str(error)) from None
    if as_json:
        out.print_json(json.dumps(figures, default=str))
        return
    table = Table(
        title=f"tokenyield summary {figures['period_start']} to {figures['period_end']}", show_header=False
    )
    out.print(figures["headline"], markup=False)
    for sentence in figures["lead"]:  # type: ignore[union-attr]
        out.print(sentence, markup=False)
    for key, value in figures.items():
        if key not in ("rows", "unmatched", "headline", "lead", "people_cost"):
            table.add_row(key.replace("_", " "), _show(value))
    out.print(table)
    out.print(people_cost.sentence(figures["people_cost"]), markup=False)


AS_HELP = "the viewer's email: their privacy rules apply (demo-leader: the demo's first leader)"
CHART_FORMATS = ("png", "svg", "html")


@app.command("export-charts")
def export_charts(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write charts, tables and index.csv into")],
    email: Annotated[str, typer.Option("--as", help=AS_HELP)],
    db: DbOption = None,
    start: FromOption = None,
    end: ToOption = None,
    team: TeamOption = None,
    tool: ToolOption = None,
    formats: Annotated[
        str, typer.Option(help="chart formats, comma separated: png, svg, html")
    ] = "png,svg,html",
) -> None:
    """Write every chart (PNG, SVG, interactive HTML) and every table (CSV) the viewer may see."""
    from pipelines.privacy.audit import Entry
    from pipelines.privacy.audit_key import INDEX_KIND
    from pipelines.report import images, review
    from pipelines.report.tables import table_csv

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in CHART_FORMATS]
    if unknown or not chosen:
        raise fail(f"--formats {formats!r}: choose from {', '.join(CHART_FORMATS)}")
    filters = _view_filters(start, end, team, tool)
    with _exports(db) as con:
        viewer = _resolve(con, email)
        data = review.inputs(con, viewer, filters)
        found = review.charts_for(con, viewer, filters, data)
        tables = review.tables_for(con, viewer, filters, data)
    written: list[tuple[str, str, str]] = []  # file, kind, title
    what = f"{len(found)} charts ({', '.join(chosen)}) and {len(tables)} tables to {out_dir}"
    head = _audited(Entry(viewer.email, viewer.role, "export: charts and tables", detail=what))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for chart in found:
            stem = images.slug(chart.name)
            for fmt in chosen:
                path = out_dir / f"{stem}.{fmt}"
                if fmt == "png":
                    path.write_bytes(images.to_png(chart.figure))
                elif fmt == "svg":
                    path.write_bytes(images.to_svg(chart.figure))
                else:
                    path.write_text(images.to_html(chart.figure), encoding="utf-8")
                written.append((path.name, f"chart ({fmt})", f"{chart.title}: {chart.takeaway}"))
                out.print(str(path), highlight=False, soft_wrap=True)
        for name, frame in tables.items():
            path = out_dir / f"{images.slug(name)}.csv"
            path.write_bytes(table_csv(review.for_export(frame, viewer.k)))
            written.append((path.name, "table (csv)", name))
            out.print(str(path), highlight=False, soft_wrap=True)
        # the index holds the audit log's head after this export: `tokenyield audit verify --anchor`
        written.append(("", INDEX_KIND, head.line() if head else ""))
        index = out_dir / "index.csv"
        index.write_bytes(table_csv(pl_frame(written, ("file", "kind", "what"))))
        out.print(str(index), highlight=False, soft_wrap=True)
    except OSError as error:
        raise fail(f"cannot write to {out_dir}: {error.strerror or error}") from None


@app.command()
def report(
    out_file: Annotated[
        Path, typer.Option("--out", help="the pack to write: FILE.pdf, FILE.pptx or FILE.html")
    ],
    email: Annotated[str, typer.Option("--as", help=AS_HELP)],
    db: DbOption = None,
    start: FromOption = None,
    end: ToOption = None,
    team: TeamOption = None,
    tool: ToolOption = None,
) -> None:
    """Write the leadership review pack (summary, one chart per page, methods, coverage)."""
    from pipelines.privacy.audit import Entry
    from pipelines.report import review, write

    if out_file.suffix.lower() not in (".pdf", ".pptx", ".html"):
        raise fail(f"--out {out_file}: the pack is written as .pdf, .pptx or .html")
    filters = _view_filters(start, end, team, tool)
    with _exports(db) as con:
        viewer = _resolve(con, email)
        pack = review.pack_for(con, viewer, filters)
    _audited(Entry(viewer.email, viewer.role, "export: review pack", detail=str(out_file)))
    try:
        path = write(pack, out_file)
    except OSError as error:
        raise fail(f"cannot write {out_file}: {error.strerror or error}") from None
    out.print(str(path), highlight=False, soft_wrap=True)


def _audited(entry: Entry) -> Head | None:
    """Record a person-level read before anything is written: no audit entry, no export."""
    from pipelines.privacy.audit import AuditError, record

    try:
        return record(settings().audit_path, [entry])
    except (AuditError, OSError) as error:
        raise fail(str(error)) from None


def _view_filters(
    start: str | None, end: str | None, teams: list[str] | None = None, tools: list[str] | None = None
) -> Filters:
    """The dashboard's filters from the command line: the same view, the same figures."""
    from pipelines.metrics import Filters

    return Filters(
        start=_week_of(_parse_day(start, "--from")) if start else None,
        end=_week_of(_parse_day(end, "--to")) if end else None,
        teams=tuple(sorted(dict.fromkeys(teams or ()))),
        tools=tuple(sorted(dict.fromkeys(tools or ()))),
    )


@contextmanager
def _exports(db: Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse read-only; what a user can fix (no warehouse, no access, a view under k)
    ends the command with one line instead of a traceback."""
    from pipelines.privacy.viewer import AccessDenied
    from pipelines.warehouse import WarehouseError, open_warehouse

    try:
        with open_warehouse(db or settings().warehouse_path) as con:
            yield con
    except (WarehouseError, SettingsError, AccessDenied) as error:  # views.Withheld is an AccessDenied
        raise fail(str(error)) from None
    finally:
        # pyfixest calls logging.basicConfig(level=INFO) on import; without this the export browser's
        # INFO lines (kaleido, choreographer) would flood the terminal
        logging.getLogger().setLevel(logging.WARNING)


def _resolve(con: duckdb.DuckDBPyConnection, email: str) -> Viewer:
    from pipelines.privacy.viewer import resolve

    return resolve(con, email)


def pl_frame(rows: list[tuple[str, ...]], columns: tuple[str, ...]) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(rows, schema=list(columns), orient="row")


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
    from pipelines import audit_cli
    from pipelines.sources import sync
    from pipelines.sources.cli import register

    register(app)
    audit_cli.register(app)
    sync.register(app, build)  # fetch every source of tokenyield.toml, then this build


_register_sources()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
