"""Jira issues -> `tickets` (+ `identities` where Jira gives account id ↔ email).

Reads REST search pages (`{"issues": [...]}`), arrays of issue objects, DevLake raw-table CSVs
(`_raw_jira_api_issues.csv`, `_raw_jira_api_users.csv`, `_raw_jira_api_issue_changelogs.csv`)
and the Jira Cloud "Export CSV" (see jira_csv.py). ticket_id is the issue key; assignee the
email when Jira shows it, else the account id (Cloud) or user name (Server); resolved_at is the
resolution date. Grain: one row per ticket; a ticket seen twice keeps its latest `updated`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import jira_csv
from pipelines.sources.output_common import (
    Item,
    api_items,
    csv_header,
    expand,
    finish,
    identity_hints,
    is_raw_table,
)

SYSTEM = "jira"
_PEOPLE_FIELDS = ("assignee", "reporter", "creator")


def parse(paths: list[Path], **options: Any) -> dict[str, pl.DataFrame]:
    """Every issue in `paths` (files or folders) as canonical tables.

    Options: `timezone` (IANA name; else TOKENYIELD_JIRA_TIMEZONE, else UTC): the zone of the
    CSV export's dates, which Jira writes in the exporting user's zone without an offset.
    """
    timezone = options.get("timezone") or os.environ.get("TOKENYIELD_JIRA_TIMEZONE") or "UTC"
    tickets: list[dict[str, Any]] = []
    hints: list[tuple[str, str | None, str | None]] = []
    for path in expand(paths):
        if path.suffix.lower() == ".csv" and not is_raw_table(csv_header(path)):
            tickets += jira_csv.parse_export(path, timezone=timezone)
            continue
        for item in api_items(path, unwrap=("issues",)):
            kind = _kind(item)
            if kind == "issue":
                tickets.append(issue_row(item))
                hints += [_user_hint(item, f"fields.{name}") for name in _PEOPLE_FIELDS]
            elif kind == "changelog":
                hints.append(_user_hint(item, "author"))
            else:
                hints.append(_user_hint(item, ""))
    tables = {"tickets": finish("tickets", tickets, order_by="_updated")}
    identities = identity_hints([h for h in hints if h[0]], SYSTEM)
    if identities.height:
        tables["identities"] = identities
    return tables


def issue_row(item: Item) -> dict[str, Any]:
    """One REST/agile issue object as a `tickets` row (also used by the fetcher)."""
    if not isinstance(item.get("fields"), dict):
        raise item.error("fields", "the issue's fields object")
    return {
        "ticket_id": item.text("key", required=True),
        "assignee": _person(item, "fields.assignee"),
        "created_at": item.timestamp("fields.created", required=True),
        "resolved_at": item.timestamp("fields.resolutiondate"),
        "issue_type": item.text("fields.issuetype.name"),
        "status": item.text("fields.status.name"),
        "_updated": item.timestamp("fields.updated"),
    }


def _kind(item: Item) -> str:
    obj = item.obj
    if "key" in obj and "fields" in obj:
        return "issue"
    if "items" in obj and "author" in obj:
        return "changelog"
    if "accountId" in obj or ("name" in obj and "emailAddress" in obj):
        return "user"
    raise item.error(
        item.column or "(item)", "a Jira issue, changelog or user object", ",".join(list(obj)[:5])
    )


def _person(item: Item, path: str) -> str | None:
    return (
        item.text(f"{path}.emailAddress")
        or item.text(f"{path}.accountId")
        or item.text(f"{path}.name")
        or item.text(f"{path}.key")
    )


def _user_hint(item: Item, path: str) -> tuple[str, str | None, str | None]:
    prefix = f"{path}." if path else ""
    account = item.text(f"{prefix}accountId") or item.text(f"{prefix}name") or ""
    return account, item.text(f"{prefix}emailAddress"), item.text(f"{prefix}displayName")
