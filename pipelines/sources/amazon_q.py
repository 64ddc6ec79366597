"""Amazon Q Developer and Kiro per-user CSV reports (written to S3 by AWS) -> canonical.

- Q Developer `by_user_analytic` (also Kiro's legacy report): one row per user and day, columns
  mapped by header name (the column order changed over time; empty cells mean 0). -> ai_activity,
  tool `amazon-q`: chat_requests (Chat_MessagesSent), suggestions (Inline_SuggestionsCount),
  acceptances and rejections (inline, inline chat, /dev and code-fix events), lines suggested and
  accepted. The user is the IAM Identity Center `UserId`.
- Kiro `user_report` (one file per client type and day): -> ai_activity, tool `kiro-cli` /
  `kiro-ide`: `credits` (Credits_Used, Kiro's own unit, never turned into tokens), sessions
  (Chat_Conversations), chat_requests (Total_Messages); -> ai_usage: one tokens_reported=false
  row per `<model>_messages` column (requests = messages); -> identities: User_Email -> UserId
  (system `aws-identity-center`), which also names the people of the Q Developer report.
Dates are YYYY-MM-DD or MM-DD-YYYY (the older Q Developer files).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import read_csv_rows, to_float, to_int

SYSTEM = "aws-identity-center"

# ai_activity metric -> the by_user_analytic columns it sums
_ANALYTIC = {
    "chat_requests": ("Chat_MessagesSent",),
    "suggestions": ("Inline_SuggestionsCount",),
    "acceptances": ("Inline_AcceptanceCount", "InlineChat_AcceptanceEventCount", "Dev_AcceptanceEventCount",
                    "CodeFix_AcceptanceEventCount"),
    "rejections": ("InlineChat_RejectionEventCount",),
    "lines_suggested": ("Dev_GeneratedLines", "CodeFix_GeneratedLines", "TestGeneration_GeneratedLines"),
    "lines_accepted": ("Inline_AICodeLines", "Chat_AICodeLines", "InlineChat_AcceptedLineAdditions",
                       "Dev_AcceptedLines", "CodeFix_AcceptedLines", "TestGeneration_AcceptedLines",
                       "DocGeneration_AcceptedLineAdditions"),
}  # fmt: skip
_KIRO = {"credits": "Credits_Used", "sessions": "Chat_Conversations", "chat_requests": "Total_Messages"}


def parse(paths: list[Path], **_: Any) -> dict[str, pl.DataFrame]:
    """Read Q Developer by_user_analytic and Kiro user_report CSV files."""
    usage, activity, identities = [], [], []
    for path in ai_rows.expand(paths, (".csv",)):
        for number, row in read_csv_rows(path):
            where = {"path": path, "row": number}
            if "Credits_Used" in row:
                usage.extend(_kiro_usage(row, where))
                activity.extend(_kiro_activity(row, where))
                if row.get("User_Email") and row.get("UserId"):
                    identities.append(
                        {"person_id": row["User_Email"], "system": SYSTEM, "external_id": row["UserId"]}
                    )
            elif "UserId" in row and "Date" in row:
                activity.extend(_analytic_activity(row, where))
            else:
                raise SourceError(
                    "not a Q Developer by_user_analytic or Kiro user_report CSV (no UserId, Date)", **where
                )
    return ai_rows.tables(usage, activity, identities)


def _analytic_activity(row: dict[str, str], where: dict) -> list[dict]:
    day, user = _day(row, where), _required(row, "UserId", where)
    return [
        ai_rows.activity(
            day, user, "amazon-q", metric, sum(to_int(row.get(c), field=c, **where) for c in columns)
        )
        for metric, columns in _ANALYTIC.items()
    ]


def _kiro_activity(row: dict[str, str], where: dict) -> list[dict]:
    day, user, tool = _day(row, where), _kiro_user(row, where), _kiro_tool(row)
    values = {metric: to_float(row.get(column), field=column, **where) for metric, column in _KIRO.items()}
    return [ai_rows.activity(day, user, tool, metric, value) for metric, value in values.items()]


def _kiro_usage(row: dict[str, str], where: dict) -> list[dict]:
    day, user, tool = _day(row, where), _kiro_user(row, where), _kiro_tool(row)
    rows = []
    for column, value in row.items():
        messages = to_int(value, field=column, **where) if column.endswith("_messages") else 0
        if messages:
            model = column.removesuffix("_messages")
            rows.append(
                ai_rows.usage(
                    occurred_at=ai_rows.day_start(day),
                    user=user,
                    tool=tool,
                    model=model,
                    requests=messages,
                    tokens_reported=False,
                    event_id=ai_rows.key("kiro", day, row.get("UserId"), tool, model),
                )
            )
    return rows


def _kiro_user(row: dict[str, str], where: dict) -> str:
    return row.get("User_Email") or _required(row, "UserId", where)


def _kiro_tool(row: dict[str, str]) -> str:
    return (row.get("Client_Type") or "kiro").strip().lower().replace("_", "-")


def _required(row: dict[str, str], column: str, where: dict) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise SourceError("is empty", field=column, **where)
    return value


def _day(row: dict[str, str], where: dict) -> date:
    text = _required(row, "Date", where)
    for pattern in ("%Y-%m-%d", "%m-%d-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise SourceError(f"expected a date like 2026-07-10 or 07-10-2026, got {text!r}", field="Date", **where)
