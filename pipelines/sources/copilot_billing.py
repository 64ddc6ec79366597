"""GitHub billing usage for Copilot (the usage report CSV, or the billing usage JSON) -> canonical.

Each line is a user's billed Copilot usage of one SKU and model: premium requests or AI credits.
It becomes a cost-only ai_usage row (tokens_reported false, requests 0: the usage-metrics
reports count requests, so importing both never counts them twice) whose cost_usd is the gross
amount, the usage's value before included-quota discounts (the net amount depends on who used
the quota first). AI-credit quantities also go to ai_activity as `credits`. The JSON report is
monthly, so its rows fall on the first day of the month.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from pipelines.sources import ai_rows
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_date, read_csv_rows, to_float

TOOL = "copilot"
CSV_COLUMNS = {"date", "username", "sku", "model", "quantity", "unit_type", "gross_amount"}


def csv_rows(path: Path) -> tuple[list[dict], list[dict]]:
    """(ai_usage, ai_activity) rows for a billing usage report CSV."""
    items = []
    for number, line in read_csv_rows(path):
        if number == 1 and not set(line) >= CSV_COLUMNS:
            missing = ", ".join(sorted(CSV_COLUMNS - set(line)))
            raise SourceError(f"not a Copilot billing usage CSV: no column(s) {missing}", path=path)
        if (line.get("product") or "copilot").lower() != "copilot":
            continue
        where = {"path": path, "row": number}
        day = parse_date(line["date"], field="date", **where)
        item = _Item(
            day, line["username"], line["sku"], line["model"], line["unit_type"],
            to_float(line["quantity"], field="quantity", **where),
            to_float(line["gross_amount"], field="gross_amount", **where),
            (line.get("organization"), line.get("repository"), line.get("cost_center_name")),
        )  # fmt: skip
        items.append(item)
    return _rows(items)


def json_rows(document: dict, path: Path) -> tuple[list[dict], list[dict]]:
    """(ai_usage, ai_activity) rows for a billing usage JSON (`usageItems`, one month)."""
    period = document.get("timePeriod") or {}
    try:
        day = date(int(period["year"]), int(period.get("month") or 1), int(period.get("day") or 1))
    except (KeyError, TypeError, ValueError):
        raise SourceError("no valid timePeriod (year, month)", path=path, field="timePeriod") from None
    items = []
    for number, entry in enumerate(document.get("usageItems") or [], start=1):
        where = {"path": path, "row": number}
        if (entry.get("product") or "copilot").lower() != "copilot":
            continue
        if not entry.get("user"):
            raise SourceError("a usage item with no user", field="user", **where)
        item = _Item(
            day, entry["user"], entry.get("sku"), entry.get("model"), entry.get("unitType"),
            to_float(entry.get("grossQuantity"), field="grossQuantity", **where),
            to_float(entry.get("grossAmount"), field="grossAmount", **where),
            (entry.get("organization"), entry.get("repository"), entry.get("costCenter")),
        )  # fmt: skip
        items.append(item)
    return _rows(items)


def _rows(items: list[_Item]) -> tuple[list[dict], list[dict]]:
    """Rows for billed items, summing the lines a report repeats for the same key."""
    merged: dict[tuple, _Item] = {}
    for item in items:
        key = (item.day, item.user, item.sku, item.model, item.unit, item.scope)
        if key in merged:
            seen = merged[key]
            item = replace(
                seen,
                quantity=(seen.quantity or 0.0) + (item.quantity or 0.0),
                gross=None
                if seen.gross is None and item.gross is None
                else (seen.gross or 0) + (item.gross or 0),
            )
        merged[key] = item
    return [i.usage() for i in merged.values()], [i.credits() for i in merged.values()]


@dataclass(frozen=True)
class _Item:
    """One billed line: a user's usage of one SKU and model on one day (or month)."""

    day: date
    user: str
    sku: str | None
    model: str | None
    unit: str | None
    quantity: float | None
    gross: float | None  # USD
    scope: tuple[str | None, ...]  # organization, repository, cost center

    def usage(self) -> dict:
        return ai_rows.usage(
            occurred_at=ai_rows.day_start(self.day),
            user=self.user,
            tool=TOOL,
            model=self.model,
            requests=0,
            cost_usd=self.gross,
            tokens_reported=False,
            event_id=ai_rows.key("copilot-billing", self.day, self.user, self.sku, self.model, *self.scope),
        )

    def credits(self) -> dict:
        value = (self.quantity or 0.0) if (self.unit or "").lower() == "ai-credits" else 0.0
        return ai_rows.activity(self.day, self.user, TOOL, "credits", value)
