"""`tokenyield audit verify`: is the audit log intact? One line, and exit 1 on any tampering.

It checks the keyed chain and every anchor of the log's head it can find: the head file beside
the log, the one beside the warehouse, and any export index.csv or head file given with --anchor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.settings import SettingsError, settings


def register(app: typer.Typer) -> None:
    """Add the `audit` group to `app`."""
    group = typer.Typer(help="The audit log of person-level views and exports.", no_args_is_help=True)
    group.command("verify")(verify)
    app.add_typer(group, name="audit")


def verify(
    log: Annotated[
        Path | None,
        typer.Option(
            "--log", help="the audit log", show_default="$TOKENYIELD_AUDIT_DB, else data/audit.duckdb"
        ),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            help="the warehouse whose <db>.audit-head anchors the log",
            show_default="$TOKENYIELD_DB, else data/warehouse.duckdb",
        ),
    ] = None,
    anchors: Annotated[
        list[Path] | None,
        typer.Option(
            "--anchor",
            help="an export's index.csv or a head file; repeat for more",
            show_default="the log's own head and the warehouse's",
        ),
    ] = None,
) -> None:
    """Check the audit log: 'intact, N entries', or one line saying what was changed (exit 1)."""
    from pipelines.privacy import audit, audit_key

    try:
        config = settings()
    except SettingsError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    beside_warehouse = audit_key.warehouse_anchor(db or config.warehouse_path)
    try:
        intact, message = audit.verify(log or config.audit_path, [beside_warehouse, *(anchors or [])])
    except (OSError, audit.AuditError) as error:
        intact, message = False, str(error)
    if not intact:
        typer.echo(f"tampered: {message}", err=True)
        raise typer.Exit(code=1)
    typer.echo(message)
