"""Anthropic Admin API usage report (GET /v1/organizations/usage_report/messages) -> ai_usage.

Export it grouped by API key and account (`group_by[]=api_key_id&group_by[]=account_id`, plus
`model`): each bucket result becomes one row per day, key, account and model, whose user is the
api_key_id (map keys to people in identities, system `api_key`), else the account_id (Console
usage has no API key: its api_key_id is null), else "unattributed": usage no key or account names
stays unattributed (reported with the unmatched identities, never guessed onto a person). Uncached input, cache reads and both cache-write durations map to the
contract's token columns; the report has no request counts (requests 0) and no cost (null).

The cost report (GET /v1/organizations/cost_report) is read too: its `amount` is in cents, and
it has no user, so each result becomes a cost-only row (tokens_reported false) attributed to its
workspace_id (or "default-workspace"). Import it instead of the usage report, not as well, or
the same spend is counted twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_timestamp, read_json, to_float, to_int

SOURCE = "anthropic-messages"
TOOL = "anthropic-api"
USER_FIELDS = ("api_key_id", "account_id", "user_id", "workspace_id")
UNATTRIBUTED = "unattributed"
log = logging.getLogger("tokenyield.sources")


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read usage report (or cost report) pages into ai_usage."""
    rows = []
    for path in ai_rows.expand(paths, (".json",)):
        document = read_json(path)
        buckets = document.get("data") if isinstance(document, dict) else document
        if not isinstance(buckets, list):
            raise SourceError("expected a report page with a 'data' list of buckets", path=path)
        found = from_buckets(buckets, path)
        if found and all(row["user"] == UNATTRIBUTED for row in found):
            log.warning(
                "%s: no result names an API key or account: export the report with "
                "group_by[]=api_key_id&group_by[]=account_id to attribute it",
                path,
            )
        rows.extend(found)
    return ai_rows.tables(rows)


def from_buckets(buckets: list[dict], path: Path | None = None) -> list[dict]:
    """ai_usage rows for a page's buckets (usage or cost results); shared with the fetcher."""
    rows = []
    for number, bucket in enumerate(buckets, start=1):
        where = {"path": path, "row": number}
        start = parse_timestamp(bucket.get("starting_at"), field="starting_at", **where)
        if start is None:
            raise SourceError("missing", field="starting_at", **where)
        for result in bucket.get("results") or []:
            if "amount" in result:
                rows.append(_cost_row(start, result, where))
            else:
                rows.append(_usage_row(start, result, where))
    return rows


def _usage_row(start: datetime, result: dict, where: dict) -> dict:
    user = next((result[f] for f in USER_FIELDS if result.get(f)), UNATTRIBUTED)
    cache = result.get("cache_creation") or {}
    return ai_rows.usage(
        occurred_at=start,
        user=user,
        tool=TOOL,
        model=result.get("model"),
        input_tokens=to_int(result.get("uncached_input_tokens"), field="uncached_input_tokens", **where),
        output_tokens=to_int(result.get("output_tokens"), field="output_tokens", **where),
        cache_read_tokens=to_int(
            result.get("cache_read_input_tokens"), field="cache_read_input_tokens", **where
        ),
        cache_write_tokens=sum(to_int(v, field="cache_creation", **where) for v in cache.values()),
        requests=0,  # not reported
        event_id=ai_rows.key(SOURCE, start.isoformat(), *(result.get(f) for f in _GROUPS)),
    )


def _cost_row(start: datetime, result: dict, where: dict) -> dict:
    if (result.get("currency") or "USD").upper() != "USD":
        raise SourceError(f"currency {result['currency']!r} is not USD", field="currency", **where)
    cents = to_float(result.get("amount"), field="amount", **where) or 0.0
    return ai_rows.usage(
        occurred_at=start,
        user=result.get("workspace_id") or "default-workspace",
        tool=TOOL,
        model=result.get("model"),
        requests=0,
        cost_usd=round(cents / 100, 8),
        tokens_reported=False,
        event_id=ai_rows.key(
            "anthropic-cost",
            start.isoformat(),
            result.get("workspace_id"),
            result.get("description"),
            result.get("cost_type"),
            result.get("token_type"),
            result.get("model"),
            result.get("service_tier"),
            result.get("context_window"),
        ),
    )


_GROUPS = (
    "api_key_id", "account_id", "user_id", "workspace_id", "model", "service_tier",
    "context_window", "inference_geo",
)  # fmt: skip
