"""GitHub Copilot usage metrics -> ai_usage and ai_activity rows (used by copilot.py).

Per-user records (the usage-metrics users reports, one user and day each, or a user's period
totals in the enterprise users reports) give:
- ai_usage: Copilot reports no tokens for the IDE, so one tokens_reported=false row per model
  with requests = the user's prompts to it (user_initiated_interaction_count) plus, for code
  completion, its generations. Copilot CLI does report tokens (totals_by_cli.token_usage): one
  row with them, on the model the CLI used that day when it used only one.
- ai_activity: suggestions, acceptances, lines suggested/added/removed, chat requests, CLI
  sessions and AI credits; and, as 1 on the days they are true, the flags `used_agent` (agent
  mode), `used_chat`, `used_cli` and `used_coding_agent` (`used_copilot_coding_agent` or its
  newer name `used_copilot_cloud_agent`: the user delegated work to the Copilot coding agent).
Organization- and enterprise-level reports (new and legacy /copilot/metrics, /copilot/usage)
have no user: their activity is attributed to a scope such as `copilot:org:<id>`, which matches
no person, so it is reported as unmatched and never inflates anyone's figures. Their
`pull_requests` block gives `copilot_prs_created` and `copilot_prs_merged` (PRs the coding agent
created, and those merged); the PRs themselves, credited to people, come from GitHub.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from pipelines.sources import ai_rows
from pipelines.sources.readers import parse_date, to_float, to_int

TOOL = "copilot"

# ai_activity metric -> field of a new-API record (or of its totals_by_language_feature items)
_ACTIVITY = {
    "suggestions": "code_generation_activity_count",
    "acceptances": "code_acceptance_activity_count",
    "lines_suggested": "loc_suggested_to_add_sum",
    "lines_added": "loc_added_sum",
    "lines_removed": "loc_deleted_sum",
    "chat_requests": "user_initiated_interaction_count",
}


def user_rows(record: dict, day: date, user: str, where: dict) -> tuple[list[dict], list[dict]]:
    """(ai_usage rows, ai_activity rows) for one user's record of the new usage-metrics API."""
    at = ai_rows.day_start(day)
    requests: dict[str, int] = defaultdict(int)
    cli_models = set()
    for item in record.get("totals_by_model_feature") or []:
        model, feature = item.get("model"), item.get("feature")
        if feature == "copilot_cli":
            cli_models.add(model)
            continue
        requests[model] += to_int(item.get("user_initiated_interaction_count"), field=feature, **where)
        if feature == "code_completion":
            requests[model] += to_int(item.get("code_generation_activity_count"), field=feature, **where)
    usage = [
        ai_rows.usage(
            occurred_at=at,
            user=user,
            tool=TOOL,
            model=model,
            requests=count,
            tokens_reported=False,
            event_id=ai_rows.key("copilot", day, user, model),
        )
        for model, count in requests.items()
        if count
    ]
    cli = record.get("totals_by_cli") or {}
    tokens = cli.get("token_usage") or {}
    if tokens:
        usage.append(
            ai_rows.usage(
                occurred_at=at,
                user=user,
                tool=TOOL,
                model=cli_models.pop() if len(cli_models) == 1 else None,
                input_tokens=to_int(tokens.get("prompt_tokens_sum"), field="prompt_tokens_sum", **where),
                output_tokens=to_int(tokens.get("output_tokens_sum"), field="output_tokens_sum", **where),
                requests=to_int(cli.get("request_count"), field="request_count", **where),
                event_id=ai_rows.key("copilot-cli", day, user),
            )
        )
    activity = activity_rows(record, day, user, where)
    activity.append(ai_rows.activity(day, user, TOOL, "sessions", to_int(cli.get("session_count"), **where)))
    for metric, fields in _FLAGS.items():
        used = any(record.get(f) is True for f in fields)
        activity.append(ai_rows.activity(day, user, TOOL, metric, 1 if used else 0))
    credits = to_float(record.get("ai_credits_used"), field="ai_credits_used", **where)
    activity.append(ai_rows.activity(day, user, TOOL, "credits", credits))
    return usage, activity


def activity_rows(record: dict, day: date, user: str, where: dict) -> list[dict]:
    """ai_activity rows for a new-API record (user or organization level). A total missing at
    the top level is summed from totals_by_language_feature (DevLake's stored items)."""
    rows = []
    for metric, field in _ACTIVITY.items():
        if field in record:
            value = to_int(record[field], field=field, **where)
        else:
            items = record.get("totals_by_language_feature") or []
            value = sum(to_int(i.get(field), field=field, **where) for i in items)
        rows.append(ai_rows.activity(day, user, TOOL, metric, value))
    return rows


def scope_rows(records: list[dict], scope: str, where: dict) -> list[dict]:
    """ai_activity rows for organization-level day records (new API, or DevLake's items)."""
    rows = []
    for number, record in enumerate(records, start=1):
        at = {**where, "row": where.get("row") or number}
        day = parse_date(record.get("day"), field="day", **at)
        rows.extend(activity_rows(record, day, scope, at))
        pulls = record.get("pull_requests") or {}
        for metric, field in _PULLS.items():
            value = to_int(pulls.get(field), field=f"pull_requests.{field}", **at)
            rows.append(ai_rows.activity(day, scope, TOOL, metric, value))
    return rows


# ai_activity metric -> the user record's flags, 1 on a day any is true
_FLAGS = {
    "used_agent": ("used_agent",),
    "used_chat": ("used_chat",),
    "used_cli": ("used_cli",),
    "used_coding_agent": ("used_copilot_coding_agent", "used_copilot_cloud_agent"),
}
# ai_activity metric -> field of an organization report's `pull_requests` block
_PULLS = {
    "copilot_prs_created": "total_created_by_copilot",
    "copilot_prs_merged": "total_merged_created_by_copilot",
}


def legacy_rows(records: list[dict], scope: str, where: dict) -> list[dict]:
    """ai_activity rows for the legacy /copilot/metrics and /copilot/usage responses."""
    rows = []
    for number, record in enumerate(records, start=1):
        at = {**where, "row": number}
        day = parse_date(record.get("date") or record.get("day"), field="date", **at)
        totals = _legacy_usage(record, at) if "breakdown" in record else _legacy_metrics(record, at)
        rows.extend(ai_rows.activity(day, scope, TOOL, metric, value) for metric, value in totals.items())
    return rows


def _legacy_usage(record: dict, at: dict) -> dict[str, int]:
    fields = {
        "suggestions": "total_suggestions_count",
        "acceptances": "total_acceptances_count",
        "lines_suggested": "total_lines_suggested",
        "lines_accepted": "total_lines_accepted",
        "chat_requests": "total_chat_turns",
    }
    return {metric: to_int(record.get(field), field=field, **at) for metric, field in fields.items()}


def _legacy_metrics(record: dict, at: dict) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    completions = ai_rows.dig(record, "copilot_ide_code_completions", "editors", default=[])
    for editor in completions:
        for model in editor.get("models") or []:
            for language in model.get("languages") or []:
                for metric, field in _LEGACY_COMPLETIONS.items():
                    totals[metric] += to_int(language.get(field), field=field, **at)
    for section in ("copilot_ide_chat", "copilot_dotcom_chat"):
        chat = record.get(section) or {}
        models = [m for e in chat.get("editors") or [] for m in e.get("models") or []]
        for model in models + list(chat.get("models") or []):
            totals["chat_requests"] += to_int(model.get("total_chats"), field="total_chats", **at)
    return totals


_LEGACY_COMPLETIONS = {
    "suggestions": "total_code_suggestions",
    "acceptances": "total_code_acceptances",
    "lines_suggested": "total_code_lines_suggested",
    "lines_accepted": "total_code_lines_accepted",
}


def scope_of(document: Any, fallback: str = "copilot:organization") -> str:
    """The user an organization-level report is attributed to."""
    if isinstance(document, dict):
        if document.get("organization_id"):
            return f"copilot:org:{document['organization_id']}"
        if document.get("enterprise_id"):
            return f"copilot:enterprise:{document['enterprise_id']}"
    return fallback
