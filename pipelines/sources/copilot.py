"""GitHub Copilot exports -> canonical tables. Recognises each file by its shape:

- usage-metrics users reports: NDJSON of user-day records, or the JSON wrapper (`day_totals`
  with user_login, or `user_totals` per login for a 1- or 28-day period, placed on its first day)
  -> ai_usage + ai_activity (copilot_metrics.user_rows)
- organization/enterprise reports, new (`day_totals` without users) and legacy (/copilot/metrics,
  /copilot/usage) -> ai_activity for the org scope (copilot_metrics.scope_rows / legacy_rows)
- billing usage CSV and billing usage JSON (`usageItems`) -> cost rows (copilot_billing)
- DevLake raw-table CSVs (_raw_copilot_metrics, _raw_copilot_seats): one API item per row in `data`
- seat assignments (`seats`): read and checked, no rows (a seat is not usage)
- the copilot-metrics-viewer org tree (Entra `directReports`) -> people + github identities
A download-links response only points at the reports: download them (or `fetch copilot`).
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows, copilot_billing, copilot_metrics
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_date, read_csv_rows, read_devlake_csv, read_json, read_ndjson

log = logging.getLogger("tokenyield.sources")


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read Copilot metrics, billing and seat files (see the module docstring)."""
    parts = [_parse_file(path) for path in ai_rows.expand(paths, (".json", ".ndjson", ".jsonl", ".csv"))]
    return ai_rows.merge(parts)


def _parse_file(path: Path) -> dict[str, pl.DataFrame]:
    if path.suffix in (".ndjson", ".jsonl"):
        return user_records([(n, r) for n, r in read_ndjson(path)], path)
    if path.suffix == ".csv":
        return _csv(path)
    return document_tables(read_json(path), path)


def document_tables(document: Any, path: Path | None, scope: str | None = None) -> dict[str, pl.DataFrame]:
    """Tables for one JSON document of any supported shape; shared with the fetcher."""
    where = {"path": path}
    scope = scope or copilot_metrics.scope_of(document)
    if isinstance(document, dict):
        if "download_links" in document:
            raise SourceError("holds only download links: download the reports they list", **where)
        if "usageItems" in document:
            return ai_rows.tables(*copilot_billing.json_rows(document, path))
        if "seats" in document:
            return _seats(document["seats"], path)
        if "directReports" in document or "githubLogin" in document:
            return _org_tree(document)
        if "user_totals" in document:
            day = parse_date(document.get("report_day") or document.get("report_start_day"), **where)
            return user_records(list(enumerate(document["user_totals"], start=1)), path, day)
        if "day_totals" in document:
            return _day_totals(document["day_totals"], path, scope)
        raise SourceError("not a Copilot metrics, billing or seats response", **where)
    if isinstance(document, list):
        first = next((item for item in document if isinstance(item, dict)), {})
        if "day_totals" in first:
            return ai_rows.merge(document_tables(item, path) for item in document)
        if "user_login" in first or "login" in first:
            return user_records(list(enumerate(document, start=1)), path)
        if "copilot_ide_code_completions" in first or "copilot_ide_chat" in first or "breakdown" in first:
            return ai_rows.tables(activity_rows=copilot_metrics.legacy_rows(document, scope, where))
        if "day" in first:
            return _day_totals(document, path, scope)
        if not document:
            return {}
    raise SourceError("not a Copilot metrics, billing or seats response", **where)


def _day_totals(records: list[dict], path: Path | None, scope: str) -> dict[str, pl.DataFrame]:
    if any(r.get("user_login") or r.get("login") for r in records):
        return user_records(list(enumerate(records, start=1)), path)
    return ai_rows.tables(activity_rows=copilot_metrics.scope_rows(records, scope, {"path": path}))


def user_records(records: list[tuple[int, dict]], path: Path | None, day: date | None = None) -> dict:
    """Tables for per-user records (`day` for period totals that have none of their own)."""
    usage, activity = [], []
    for number, record in records:
        where = {"path": path, "row": number}
        user = record.get("user_login") or record.get("login")
        on = parse_date(record.get("day"), field="day", **where) or day
        if not user or on is None:
            raise SourceError("a user record needs user_login and day", **where)
        rows = copilot_metrics.user_rows(record, on, user, where)
        usage.extend(rows[0])
        activity.extend(rows[1])
    return ai_rows.tables(usage, activity)


def _csv(path: Path) -> dict[str, pl.DataFrame]:
    header = next(iter(read_csv_rows(path)), (0, {}))[1]
    if "data" not in header or "params" not in header:
        return ai_rows.tables(*copilot_billing.csv_rows(path))
    items = list(read_devlake_csv(path))
    if items and "assignee" in items[0][1]:
        return _seats([item for _, item in items], path)
    organization = _devlake_scope(path)
    activity = []
    for number, item in items:
        activity.extend(copilot_metrics.scope_rows([item], organization, {"path": path, "row": number}))
    return ai_rows.tables(activity_rows=activity)


def _devlake_scope(path: Path) -> str:
    for _, row in read_csv_rows(path):
        try:
            return f"copilot:org:{json.loads(row['params'])['Organization']}"
        except (KeyError, TypeError, ValueError):
            break
    return "copilot:organization"


def _seats(seats: list[dict], path: Path | None) -> dict[str, pl.DataFrame]:
    for number, seat in enumerate(seats, start=1):
        if not ai_rows.dig(seat, "assignee", "login"):
            raise SourceError("a seat with no assignee login", path=path, row=number, field="assignee")
    log.warning("%s: %d seat assignments read; seats hold no usage, nothing imported", path, len(seats))
    return {}


def _org_tree(root: dict) -> dict[str, pl.DataFrame]:
    """people (person_id = email) and github identities from an Entra-style org tree."""
    people, identities, stack = [], [], [(root, None)]
    while stack:
        node, manager = stack.pop(0)
        email = (node.get("mail") or node.get("userPrincipalName") or "").lower()
        if not email:
            raise SourceError(f"org tree node {node.get('id')!r} has no mail")
        reports = node.get("directReports") or []
        people.append(
            {
                "person_id": email, "email": email, "name": node.get("displayName"),
                "team": node.get("department"), "manager_id": manager,
                "role": "manager" if reports else "engineer",
            }
        )  # fmt: skip
        if node.get("githubLogin"):
            identities.append({"person_id": email, "system": "github", "external_id": node["githubLogin"]})
        stack.extend((report, email) for report in reports)
    return ai_rows.tables(identity_rows=identities, people_rows=people)
