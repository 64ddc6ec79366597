"""The Jira Cloud "Export CSV (all fields / current fields)" -> `tickets` rows.

The export repeats column headers (several `Sprint`, `Labels`, `Watchers` or `Comment`
columns): cells are looked up by the first column of a name. Dates are written like
`25/Feb/26 10:17 PM`, in the exporting user's time zone and without an offset.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.sources.output_common import OutputParseError, csv_rows, is_email, parse_iso

# Jira's default `dd/MMM/yy h:mm a`, its 4-digit-year variant, and the ISO-like admin format
DATE_FORMATS = ("%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%Y-%m-%d %H:%M", "%d/%b/%y %H:%M")
EXPECTED_DATE = "a Jira date like 25/Feb/26 10:17 PM"


def parse_export(path: Path, timezone: str = "UTC") -> list[dict[str, Any]]:
    """The `tickets` rows of one CSV export; its dates are read in `timezone` (IANA name)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise OutputParseError(
            path, None, "timezone", "an IANA time zone such as Europe/Paris", timezone
        ) from None
    header, rows = csv_rows(path)
    first = {}
    for index, name in enumerate(header):
        first.setdefault(name.strip(), index)
    for needed in ("Issue key", "Created"):
        if needed not in first:
            raise OutputParseError(path, None, needed, "a Jira CSV export column (the header lacks it)")

    tickets = []
    for number, cells in rows:
        if len(cells) > len(header):
            raise OutputParseError(path, number, None, f"{len(header)} fields like the header", len(cells))

        def cell(name: str, cells: list[str] = cells) -> str | None:
            index = first.get(name)
            value = cells[index].strip() if index is not None and index < len(cells) else ""
            return value or None

        def date(name: str, required: bool = False, number: int = number) -> datetime | None:
            value = cell(name)
            if value is None:
                if required:
                    raise OutputParseError(path, number, name, EXPECTED_DATE, "")
                return None
            parsed = parse_jira_date(value, zone)
            if parsed is None:
                raise OutputParseError(path, number, name, EXPECTED_DATE, value)
            return parsed

        key = cell("Issue key")
        if key is None:
            raise OutputParseError(path, number, "Issue key", "an issue key like PROJ-12", "")
        assignee = cell("Assignee")
        tickets.append(
            {
                "ticket_id": key,
                "assignee": assignee if is_email(assignee) else (cell("Assignee Id") or assignee),
                "created_at": date("Created", required=True),
                "resolved_at": date("Resolved"),
                "issue_type": cell("Issue Type"),
                "status": cell("Status"),
                "_updated": date("Updated"),
            }
        )
    return tickets


def parse_jira_date(value: str, zone: ZoneInfo) -> datetime | None:
    """A UTC datetime from a Jira export date (naive ones are in `zone`); None if unreadable."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            continue
    return parse_iso(value, default_tz=zone)
