"""One number format for the whole product: dashboard tables and charts, `summary`, exports and the pack.

Text formatters (`usd`, `pct`, `compact`, `count`, `day`) write a figure the same way wherever it appears,
and `COLUMNS` gives every column a person reads a plain header and a kind. `label(column)` and `kind(column)`
are what the dashboard's column_config, the pack's tables and the charts' axes use. A column missing from
`COLUMNS` reads as its name with spaces and is shown as plain text or a plain number.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

Kind = Literal["text", "count", "usd", "usd_cents", "pct", "compact", "decimal", "date", "rate"]

# column -> (plain header, kind). Counts are integers; "compact" is B/M/K; "rate" is a ratio with 2 decimals.
COLUMNS: dict[str, tuple[str, Kind]] = {
    "team": ("Team", "text"),
    "org": ("Org", "text"),
    "unit": ("Team", "text"),
    "week": ("Week", "date"),
    "month": ("Month", "date"),
    "tool": ("Tool", "text"),
    "people": ("People", "count"),
    "people_in_scope": ("People in view", "count"),
    "person_weeks": ("Engineer-weeks", "count"),
    "ai_users": ("AI users", "count"),
    "active_rate_period": ("Active, period", "pct"),
    "active_rate_latest": ("Active, last week", "pct"),
    "weekly_active_rate": ("Weekly active rate", "pct"),
    "useful_ai_rate": ("Useful AI weeks", "pct"),
    "tokens": ("Tokens", "compact"),
    "total_tokens": ("Tokens", "compact"),
    "cost_usd": ("AI spend", "usd"),
    "merged_prs": ("Merged PRs", "count"),
    "closed_tickets": ("Closed tickets", "count"),
    "merged_prs_per_engineer_week": ("Merged PRs per engineer-week", "rate"),
    "cost_per_merged_pr": ("Cost per merged PR", "usd_cents"),
    "usage_coverage": ("Spend shown", "pct"),
    "revert_rate": ("Revert rate", "pct"),
    "rework_rate": ("Rework rate", "pct"),
    "median_hours_to_merge": ("Median hours to merge", "decimal"),
    "share": ("Share", "pct"),
    "ai_active_days": ("AI active days", "count"),
    "used_ai": ("Used AI", "text"),
    "weeks_with_ai": ("Weeks with AI", "count"),
    "people_cost_usd": ("People cost", "usd"),
    "ai_share_of_people_cost": ("AI spend ÷ people cost", "pct"),
    "people_cost_per_merged_pr": ("People cost per merged PR", "usd"),
}
# the review pack's tables (deciles, estimates, guardrails); "from"/"to" are a 95% interval's ends
COLUMNS |= {
    "decile": ("Usage decile", "count"),
    "cost_per_merged_pr_low": ("95% interval from", "usd_cents"),
    "cost_per_merged_pr_high": ("95% interval to", "usd_cents"),
    "cost_per_closed_ticket": ("Cost per closed ticket", "usd_cents"),
    "flagged_share": ("Share of spend flagged", "pct"),
    "lines_per_pr": ("Lines changed per merged PR", "count"),
    "hours_to_merge": ("Hours to merge", "decimal"),
    "bug_share": ("Bug tickets, share of closed", "pct"),
    "quality_adjusted_prs_per_engineer_week": ("Quality-adjusted PRs per engineer-week", "rate"),
    "estimate": ("Estimate", "text"),
    "value": ("Value", "decimal"),
    "ci_low": ("95% interval from", "decimal"),
    "ci_high": ("95% interval to", "decimal"),
    "observations": ("Observations", "count"),
    "method": ("Method", "text"),
    "unpriced_tokens": ("Tokens without a price", "compact"),
}


def label(column: str) -> str:
    """The plain header of a column: 'merged_prs_per_engineer_week' -> 'Merged PRs per engineer-week'."""
    if column in COLUMNS:
        return COLUMNS[column][0]
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def kind(column: str) -> Kind:
    return COLUMNS[column][1] if column in COLUMNS else "text"


def usd(amount: float | None) -> str:
    """$4.20, $420, $123,456, $1.2M."""
    if amount is None:
        return "–"
    if abs(amount) >= 1e6:
        return f"${amount / 1e6:,.1f}M"
    if abs(amount) >= 100:
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def pct(share: float | None, digits: int = 0) -> str:
    """0.437 -> 44%; a share under 1% keeps one decimal so that it does not read as 0%."""
    if share is None:
        return "–"
    if 0 < abs(share) < 0.01 and digits == 0:
        digits = 1
    return f"{share * 100:.{digits}f}%"


def signed_pct(share: float | None, digits: int = 1) -> str:
    """0.277 -> +27.7%: a change, with its sign."""
    return "–" if share is None else f"{share * 100:+.{digits}f}%"


def compact(value: float | None) -> str:
    """5.67e9 -> 5.7B, 1.2e6 -> 1.2M, 3400 -> 3.4K: tokens everywhere, axes included (plotly: ~s is G, not B)."""
    if value is None:
        return "–"
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(value) >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.3g}" if value != int(value) else f"{int(value):,}"


def count(value: float | None) -> str:
    return "–" if value is None else f"{round(value):,}"


def decimal(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def day(value: date | datetime | None) -> str:
    """6 Dec 2026: dates never carry 00:00:00."""
    if value is None:
        return "–"
    return f"{value.day} {value:%b %Y}"


def text(value: object, column: str = "") -> str:
    """Any cell as display text, by its column's kind (unknown columns: by the value's type)."""
    if value is None:
        return "–"
    match kind(column):
        case "usd":
            return usd(float(value))  # type: ignore[arg-type]
        case "usd_cents":
            return f"${float(value):,.2f}"  # type: ignore[arg-type]
        case "pct":
            return pct(float(value))  # type: ignore[arg-type]
        case "compact":
            return compact(float(value))  # type: ignore[arg-type]
        case "count":
            return count(float(value))  # type: ignore[arg-type]
        case "rate" | "decimal":
            return decimal(float(value))  # type: ignore[arg-type]
        case "date":
            return day(value)  # type: ignore[arg-type]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
    if isinstance(value, date | datetime):
        return day(value)
    return str(value)
