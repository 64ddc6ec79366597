"""GitLab Duo AI usage events (GraphQL `aiUsageData`) -> ai_activity per user and day.

Reads GraphQL responses of `group|project(fullPath) { aiUsageData { codeSuggestionEvents | all
{ nodes { event timestamp suggestionSize user { username } } } } }` (JSON, or the docs' JSON
with comments and trailing commas). Each event counts once, tool `gitlab-duo`:
CODE_SUGGESTION_SHOWN_IN_IDE -> suggestions (and its `suggestionSize` -> lines_suggested),
CODE_SUGGESTION_ACCEPTED_IN_IDE -> acceptances (and lines_accepted), CODE_SUGGESTION_REJECTED_IN_IDE
-> rejections, REQUEST_DUO_CHAT_RESPONSE -> chat_requests, AGENT_PLATFORM_SESSION_STARTED ->
sessions; other events (code review, ...) are not counted. An event seen twice in one import (same
event, time and user: `all` also lists code suggestions) counts once. The user is the GitLab username (map it
in identities, system `gitlab`). `aiUserMetrics` and `aiMetrics` are totals over a range, not
days: read, nothing imported. Duo reports no tokens.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_timestamp, read_jsonc, to_int

TOOL = "gitlab-duo"
log = logging.getLogger("tokenyield.sources")

# event -> (count metric, metric that sums suggestionSize)
EVENTS: dict[str, tuple[str, str | None]] = {
    "CODE_SUGGESTION_SHOWN_IN_IDE": ("suggestions", "lines_suggested"),
    "CODE_SUGGESTION_ACCEPTED_IN_IDE": ("acceptances", "lines_accepted"),
    "CODE_SUGGESTION_REJECTED_IN_IDE": ("rejections", None),
    "REQUEST_DUO_CHAT_RESPONSE": ("chat_requests", None),
    "AGENT_PLATFORM_SESSION_STARTED": ("sessions", None),
}


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read GitLab Duo GraphQL responses into ai_activity."""
    events: list[tuple[Path | None, int, dict]] = []
    for path in ai_rows.expand(paths, (".json", ".jsonc")):
        document = read_jsonc(path)
        data = ai_rows.dig(document, "data", default={})
        scope = (data.get("group") or data.get("project")) if isinstance(data, dict) else None
        if not isinstance(scope, dict):
            raise SourceError("not a GitLab GraphQL response with data.group or data.project", path=path)
        usage = scope.get("aiUsageData")
        if usage is None:
            log.warning(
                "%s: aiUserMetrics / aiMetrics are totals over a range, not days; nothing imported", path
            )
            continue
        for connection in usage.values():
            nodes = ai_rows.dig(connection, "nodes", default=[])
            events.extend((path, n, node) for n, node in enumerate(nodes, start=1))
    return ai_rows.tables(activity_rows=event_rows(events))


def event_rows(events: list[tuple[Path | None, int, dict]]) -> list[dict]:
    """ai_activity rows for (file, row, event node) triples, each distinct event once."""
    rows, seen = [], set()
    for path, number, node in events:
        where = {"path": path, "row": number}
        user = ai_rows.dig(node, "user", "username")
        at = parse_timestamp(node.get("timestamp"), field="timestamp", **where)
        if not user or at is None:
            raise SourceError("an event needs a timestamp and a user.username", **where)
        identity = (node.get("event"), at, user)
        if identity in seen:
            continue
        seen.add(identity)
        metric, size_metric = EVENTS.get(str(node.get("event")), (None, None))
        if metric is None:
            continue
        rows.append(ai_rows.activity(at.date(), user, TOOL, metric, 1))
        if size_metric:
            size = to_int(node.get("suggestionSize"), field="suggestionSize", **where)
            rows.append(ai_rows.activity(at.date(), user, TOOL, size_metric, size))
    return rows
