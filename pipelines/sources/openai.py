"""OpenAI Usage API completions (GET /v1/organization/usage/completions) -> ai_usage.

Export it grouped by user_id (and model): each bucket result is one row per day, user and model.
OpenAI's input_tokens include the cached ones, so the row's input_tokens are the uncached rest
and cache_read_tokens the cached part. A result without user_id falls back to its api_key_id,
then project_id, then "unattributed". The organization's users list (GET
/v1/organization/users) gives identities (system `openai`, user id -> email); when it is read
in the same import, usage rows carry the email directly. Costs pages (GET
/v1/organization/costs) have no user: each result becomes a cost-only row for its project.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_timestamp, read_json, to_float, to_int

SOURCE = "openai"
TOOL = "openai-api"


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read usage completions pages, costs pages and users lists."""
    buckets: list[tuple[Path, int, dict]] = []
    users: list[dict] = []
    for path in ai_rows.expand(paths, (".json",)):
        document = read_json(path)
        if not isinstance(document, dict) or not isinstance(document.get("data"), list):
            if isinstance(document, dict) and "num_model_requests" in document:
                raise SourceError("a single usage result has no time: export whole pages", path=path)
            raise SourceError("expected an API page with a 'data' list", path=path)
        if document.get("object") == "list":
            users.extend(document["data"])
        else:
            buckets.extend((path, n, b) for n, b in enumerate(document["data"], start=1))
    return from_pages(buckets, users)


def from_pages(buckets: list[tuple[Path | None, int, dict]], users: list[dict]) -> dict[str, pl.DataFrame]:
    """Tables for usage/costs buckets and user records; shared with the fetcher."""
    emails = {u["id"]: u["email"] for u in users if u.get("id") and u.get("email")}
    rows = []
    for path, number, bucket in buckets:
        where = {"path": path, "row": number}
        start = parse_timestamp(bucket.get("start_time"), field="start_time", **where)
        if start is None:
            raise SourceError("missing", field="start_time", **where)
        for result in bucket.get("results") or []:
            rows.append(result_row(result, start, emails, where))
    identities = [
        {"person_id": email.lower(), "system": "openai", "external_id": user_id}
        for user_id, email in emails.items()
    ]
    return ai_rows.tables(rows, identity_rows=identities)


def result_row(result: dict, start: datetime, emails: dict[str, str], where: dict | None = None) -> dict:
    """One ai_usage row for a usage-completions or costs result in the bucket starting at `start`."""
    where = where or {}
    if "amount" in result:
        value = to_float(ai_rows.dig(result, "amount", "value"), field="amount.value", **where)
        return ai_rows.usage(
            occurred_at=start,
            user=result.get("project_id") or "unattributed",
            tool=TOOL,
            model=None,
            requests=0,
            cost_usd=value,
            tokens_reported=False,
            event_id=ai_rows.key(
                "openai-cost", start.isoformat(), result.get("project_id"), result.get("line_item")
            ),
        )
    user_id = result.get("user_id")
    user = emails.get(user_id) or user_id or result.get("api_key_id") or result.get("project_id")
    total_input = to_int(result.get("input_tokens"), field="input_tokens", **where)
    cached = to_int(result.get("input_cached_tokens"), field="input_cached_tokens", **where)
    return ai_rows.usage(
        occurred_at=start,
        user=user or "unattributed",
        tool=TOOL,
        model=result.get("model"),
        input_tokens=max(total_input - cached, 0),
        output_tokens=to_int(result.get("output_tokens"), field="output_tokens", **where),
        cache_read_tokens=cached,
        requests=to_int(result.get("num_model_requests"), field="num_model_requests", **where),
        event_id=ai_rows.key(SOURCE, start.isoformat(), *(result.get(f) for f in _GROUPS)),
    )


_GROUPS = ("user_id", "api_key_id", "project_id", "model", "batch", "service_tier")
