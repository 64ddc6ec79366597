"""Linear issues -> `tickets`, from the CSV export or saved GraphQL `issues` pages.

The CSV export (30- or 34-column shapes) writes dates like
`Tue May 14 2024 08:53:33 GMT+0000 (GMT)`, and its rows can be one field shorter than the
header (the trailing empty column is dropped). ticket_id is the issue identifier (`IN-10`),
assignee the email (or name) Linear shows, resolved_at the `Completed` date (a canceled issue
is not resolved work), issue_type the first label (Linear has no issue types), agent the
issue's `delegate` (the coding agent it was delegated to; the human assignee keeps the credit).
Grain: one row per ticket; a ticket seen twice keeps its latest `Updated`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources.output_common import (
    Item,
    OutputParseError,
    csv_rows,
    expand,
    finish,
    load_json,
    parse_iso,
)

SYSTEM = "linear"
EXPECTED_DATE = "a Linear date like Tue May 14 2024 08:53:33 GMT+0000 (GMT)"
_JS_DATE = re.compile(r"^\w{3} (\w{3} \d{1,2} \d{4} \d{2}:\d{2}:\d{2}) GMT([+-]\d{4})(?: \(.*\))?$")
_COLUMNS = {
    "ID": "ticket_id",
    "Assignee": "assignee",
    "Status": "status",
    "Labels": "issue_type",
    "Delegate": "agent",  # when the export has it
}
_DATES = {"Created": "created_at", "Completed": "resolved_at", "Updated": "_updated"}


def parse(paths: list[Path], **options: Any) -> dict[str, pl.DataFrame]:
    """Every issue in `paths` (CSV exports, or GraphQL JSON pages) as canonical tables."""
    tickets: list[dict[str, Any]] = []
    for path in expand(paths):
        if path.suffix.lower() == ".csv":
            tickets += parse_export(path)
        else:
            tickets += [issue_row(item) for item in graphql_items(path)]
    return {"tickets": finish("tickets", tickets, order_by="_updated")}


def parse_export(path: Path) -> list[dict[str, Any]]:
    """The `tickets` rows of one Linear CSV export."""
    header, rows = csv_rows(path)
    index = {name.strip(): at for at, name in enumerate(header)}
    for needed in ("ID", "Created"):
        if needed not in index:
            raise OutputParseError(path, None, needed, "a Linear CSV export column (the header lacks it)")
    tickets = []
    for number, cells in rows:
        if not len(header) - 1 <= len(cells) <= len(header):
            raise OutputParseError(path, number, None, f"{len(header)} fields like the header", len(cells))
        values = {name: (cells[at].strip() if at < len(cells) else "") for name, at in index.items()}
        row: dict[str, Any] = {key: values.get(name) or None for name, key in _COLUMNS.items()}
        if row["ticket_id"] is None:
            raise OutputParseError(path, number, "ID", "an issue identifier like ENG-12", "")
        if row["issue_type"]:
            row["issue_type"] = row["issue_type"].split(",")[0].strip()
        for name, key in _DATES.items():
            text = values.get(name) or ""
            row[key] = parse_linear_date(text) if text else None
            if text and row[key] is None:
                raise OutputParseError(path, number, name, EXPECTED_DATE, text)
        if row["created_at"] is None:
            raise OutputParseError(path, number, "Created", EXPECTED_DATE, "")
        tickets.append(row)
    return tickets


def parse_linear_date(value: str) -> datetime | None:
    """A UTC datetime from the export's JavaScript Date text (or ISO-8601); None if neither."""
    match = _JS_DATE.match(value.strip())
    if match:
        stamp = datetime.strptime(f"{match.group(1)} {match.group(2)}", "%b %d %Y %H:%M:%S %z")
        return stamp.astimezone(UTC)
    return parse_iso(value)


def graphql_items(path: Path) -> list[Item]:
    """The issue nodes of a saved `issues` GraphQL response (`data.issues.nodes`)."""
    doc = load_json(path)
    nodes = ((doc.get("data") or {}).get("issues") or {}).get("nodes") if isinstance(doc, dict) else None
    if not isinstance(nodes, list):
        raise OutputParseError(path, None, "data.issues.nodes", "a Linear GraphQL issues response")
    return [Item(path, number, node, "data.issues.nodes") for number, node in enumerate(nodes, 1)]


def issue_row(item: Item) -> dict[str, Any]:
    """One GraphQL issue node as a `tickets` row (also used by the fetcher)."""
    labels = item.get("labels.nodes") or []
    return {
        "ticket_id": item.text("identifier", required=True),
        "assignee": item.text("assignee.email") or item.text("assignee.id"),
        "created_at": item.timestamp("createdAt", required=True),
        "resolved_at": item.timestamp("completedAt"),
        "issue_type": labels[0].get("name") if labels and isinstance(labels[0], dict) else None,
        "status": item.text("state.name"),
        "agent": item.text("delegate.name"),  # an agent working the issue; the assignee keeps the credit
        "_updated": item.timestamp("updatedAt"),
    }
