"""Local agent transcripts -> ai_usage and ai_activity, attributed to one person.

Claude Code writes ~/.claude/projects/<project>/<session>.jsonl: each assistant line carries its
message's `usage` (input = uncached input, cache creation and reads apart). Streaming writes the
same message on several lines, so rows are keyed by message id + request id and kept once.
Codex CLI writes ~/.codex/sessions/**.jsonl: `token_count` events carry the last turn's usage
(input includes cached input; output is total - input, which counts reasoning tokens once).
The person is `--person EMAIL`, else `git config user.email`. Lines without a timestamp cannot
be placed in a week and are skipped (logged); `<synthetic>` messages are skipped.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_timestamp, read_ndjson, to_float, to_int

log = logging.getLogger("tokenyield.sources")


def parse(paths: list[Path], *, person: str | None = None, **_: Any) -> dict[str, pl.DataFrame]:
    """Read Claude Code and Codex JSONL transcripts (files or folders) for `person`."""
    user = person or git_email()
    usage, sessions = [], {}
    for path in ai_rows.expand(paths, (".jsonl",)):
        skipped, codex_model = 0, {}
        for number, line in read_ndjson(path):
            where = {"path": path, "row": number}
            if line.get("type") == "event_msg" or line.get("type") == "turn_context":
                row = _codex(line, path, user, where, codex_model)
            else:
                row = _claude(line, user, where)
            if row is None:
                continue
            if row["occurred_at"] is None:
                skipped += 1
                continue
            usage.append(row)
            session = line.get("sessionId") or path.stem
            sessions.setdefault((row["occurred_at"].date(), row["tool"]), set()).add(session)
        if skipped:
            log.warning("%s: %d usage lines without a timestamp skipped", path, skipped)
    activity = [
        ai_rows.activity(day, user, tool, "sessions", len(ids)) for (day, tool), ids in sessions.items()
    ]
    return ai_rows.tables(usage, activity)


def git_email() -> str:
    """`git config user.email`, or a SourceError saying to pass --person."""
    try:
        email = subprocess.run(
            ["git", "config", "user.email"], capture_output=True, text=True, check=False, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        email = ""
    if not email:
        raise SourceError(
            "no person to attribute the logs to: pass --person EMAIL or set git config user.email"
        )
    return email


def _claude(line: dict, user: str, where: dict) -> dict | None:
    message = line.get("message")
    usage = ai_rows.dig(message, "usage")
    if not isinstance(usage, dict) or ai_rows.dig(message, "model") == "<synthetic>":
        return None
    message_id, request_id = message.get("id"), line.get("requestId")
    event_id = ai_rows.key("claude-code-logs", message_id, request_id) if message_id else None
    return ai_rows.usage(
        occurred_at=parse_timestamp(line.get("timestamp"), field="timestamp", **where),
        user=user,
        tool="claude-code",
        model=message.get("model"),
        input_tokens=to_int(usage.get("input_tokens"), field="usage.input_tokens", **where),
        output_tokens=to_int(usage.get("output_tokens"), field="usage.output_tokens", **where),
        cache_read_tokens=to_int(
            usage.get("cache_read_input_tokens"), field="usage.cache_read_input_tokens", **where
        ),
        cache_write_tokens=to_int(
            usage.get("cache_creation_input_tokens"), field="usage.cache_creation_input_tokens", **where
        ),
        cost_usd=to_float(line.get("costUSD"), field="costUSD", **where),
        event_id=event_id,
    )


def _codex(line: dict, path: Path, user: str, where: dict, model: dict[str, str]) -> dict | None:
    """A row for a Codex token_count event; `model` remembers the latest turn_context's model."""
    payload = line.get("payload") or {}
    if line.get("type") == "turn_context":
        if payload.get("model"):
            model["latest"] = payload["model"]
        return None
    info = payload.get("info") if payload.get("type") == "token_count" else None
    last = ai_rows.dig(info, "last_token_usage")
    if not isinstance(last, dict):
        return None
    total_input = to_int(last.get("input_tokens"), field="input_tokens", **where)
    cached = to_int(last.get("cached_input_tokens"), field="cached_input_tokens", **where)
    output = to_int(last.get("output_tokens"), field="output_tokens", **where)
    total = to_int(last.get("total_tokens"), field="total_tokens", **where)
    if total >= total_input + output:
        output = total - total_input  # total = input + output (+ reasoning, when listed apart)
    cumulative = ai_rows.dig(info, "total_token_usage", "total_tokens")
    return ai_rows.usage(
        occurred_at=parse_timestamp(line.get("timestamp"), field="timestamp", **where),
        user=user,
        tool="codex",
        model=info.get("model") or model.get("latest"),
        input_tokens=max(total_input - cached, 0),
        output_tokens=output,
        cache_read_tokens=cached,
        event_id=ai_rows.key("codex-logs", path.stem, line.get("timestamp"), cumulative),
    )
