"""Quality guardrails, shown next to every throughput figure: reverts, PR size, time to merge, bugs.

More merged PRs are not more output if more of them are reverted, balloon in size, sit longer in
review or come with more bug tickets. A PR is reverted when a merged PR titled "Revert ..." or
naming it ("Reverts #123") merges within 21 days of it (int_pull_request_reverts_matched).
Quality-adjusted output leaves reverted PRs, and the reverts themselves, out.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.metrics.analytics.panel import person_totals, ratio_of_sums, usage_deciles

METHOD = (
    "Ratios of sums per group: reverted ÷ merged PRs, lines changed ÷ merged PRs with a known size, hours from open to merge "
    "÷ merged PRs, bug tickets ÷ closed tickets, quality-adjusted merged PRs ÷ person-weeks; 95% intervals "
    "by the delta method, clustered by person."
)
CAVEAT = (
    "Reverts found by title only: a revert written by hand without 'revert' in its title is missed, so the "
    "revert rate is a floor. Differences between deciles compare different people and kinds of work."
)
MEASURES = (
    ("reverted_prs", "merged_prs", "revert_rate"),
    ("changed_lines", "sized_prs", "lines_per_pr"),  # only PRs whose source gave a size
    ("hours_to_merge", "merged_prs", "hours_to_merge"),
    ("closed_bug_tickets", "closed_tickets", "bug_share"),
    ("quality_adjusted_merged_prs", "person_weeks", "quality_adjusted_prs_per_engineer_week"),
    ("merged_prs", "person_weeks", "merged_prs_per_engineer_week"),
)


@dataclass(frozen=True)
class Guardrails:
    """Each frame: the group, people, and per measure its value with _low and _high."""

    by_decile: pl.DataFrame
    by_team: pl.DataFrame
    overall: pl.DataFrame
    method: str = METHOD
    caveat: str = CAVEAT


def _table(panel: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    data = panel.with_columns(hours_to_merge_sum=pl.col("hours_to_merge"))
    out = None
    for numerator, denominator, name in MEASURES:
        source = numerator if numerator != "hours_to_merge" else "hours_to_merge_sum"
        table = ratio_of_sums(data, by, source, denominator, name).select(
            *by, "people", name, f"{name}_low", f"{name}_high"
        )
        if out is None:
            out = table
        elif by:
            out = out.join(table.drop("people"), on=by, how="left")
        else:
            out = pl.concat([out, table.drop("people")], how="horizontal")
    return out


def overall(panel: pl.DataFrame) -> pl.DataFrame:
    """The guardrails of the whole view alone (one row; what the Overview shows)."""
    return _table(person_totals(panel), [])


def guardrails(panel: pl.DataFrame) -> Guardrails:
    totals = person_totals(panel)
    with_decile = totals.join(usage_deciles(panel), on="person_key", how="inner")
    return Guardrails(
        by_decile=_table(with_decile, ["decile"]),
        by_team=_table(totals, ["team"]),
        overall=_table(totals, []),
    )
