"""Devin (Cognition) Enterprise API consumption responses -> ai_activity in ACUs.

Devin bills Agent Compute Units (ACUs), not tokens: each day's ACUs become an ai_activity row
with metric `acus` (tool `devin`), never converted into tokens.
- GET /v2/enterprise/consumption/daily/{user_id}: `consumption_by_date` maps a billing day
  (YYYY-MM-DD) to ACUs. The response names no user, so import it with `--person USER_ID` (or
  the user's email); the fetcher knows it.
- GET /v3beta1/enterprise/consumption/daily/users/{user_id}: `consumption_by_date` is a list of
  {date: Unix seconds, acus, acus_by_product}; same `--person` rule.
- GET /v2/enterprise/consumption/daily (the enterprise) maps users to ACUs over the whole period,
  not per day: read, nothing imported.
- GET /beta/v2/enterprise/user-usage-analysis -> identities (email -> Devin user_id, system
  `devin`), for the rows whose email is an address.
Devin's billing day starts at midnight Pacific (08:00 UTC); the row keeps Devin's day.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_date, read_json, to_float, to_int

TOOL = "devin"
log = logging.getLogger("tokenyield.sources")


def parse(paths: list[Path], person: str | None = None, **_: Any) -> dict[str, pl.DataFrame]:
    """Read Devin consumption and user-usage responses into ai_activity and identities."""
    activity, identities = [], []
    for path in ai_rows.expand(paths, (".json",)):
        document = read_json(path)
        if not isinstance(document, dict):
            raise SourceError("expected a Devin Enterprise API response object", path=path)
        if isinstance(document.get("items"), list):
            identities.extend(identity_rows(document["items"], path))
        elif "consumption_by_user" in document:
            log.warning("%s: enterprise consumption totals per user hold no days; nothing imported", path)
        elif "consumption_by_date" in document:
            if not person:
                raise SourceError(
                    "a user's consumption names no user: import it with --person USER_ID", path=path
                )
            activity.extend(daily_rows(document["consumption_by_date"], person, path))
        else:
            raise SourceError("not a Devin consumption or user-usage response", path=path)
    return ai_rows.tables(activity_rows=activity, identity_rows=identities)


def daily_rows(by_date: dict | list, user: str, path: Path | None = None) -> list[dict]:
    """ai_activity `acus` rows for one user's consumption_by_date (v2 map or v3 list)."""
    rows = []
    if isinstance(by_date, dict):
        items = [(day, acus) for day, acus in by_date.items()]
    elif isinstance(by_date, list):
        items = [(entry.get("date"), entry.get("acus")) for entry in by_date]
    else:
        raise SourceError("consumption_by_date is neither a map nor a list", path=path)
    for number, (when, acus) in enumerate(items, start=1):
        where = {"path": path, "row": number}
        if isinstance(when, int):  # v3: Unix seconds
            day = datetime.fromtimestamp(to_int(when, field="date", **where), UTC).date()
        else:
            day = parse_date(when, field="date", **where)
        if day is None:
            raise SourceError("missing", field="date", **where)
        rows.append(ai_rows.activity(day, user, TOOL, "acus", to_float(acus, field="acus", **where)))
    return rows


def identity_rows(items: list[dict], path: Path | None = None) -> list[dict]:
    """identities rows for user-usage-analysis items whose email is an address."""
    rows, unusable = [], 0
    for number, item in enumerate(items, start=1):
        if not item.get("user_id"):
            raise SourceError("no user_id", path=path, row=number)
        email = str(item.get("email") or "")
        if "@" not in email or " " in email:
            unusable += 1
            continue
        rows.append({"person_id": email, "system": "devin", "external_id": item["user_id"]})
    if unusable:
        log.warning("%s: %d users have no usable email; map their user_id in identities", path, unusable)
    return rows
