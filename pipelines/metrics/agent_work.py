"""Agent-authored work: the share of merged PRs written by coding agents, its weekly trend, the
quality guardrails split agent vs human, and agent PRs merged without a human review.

Computed once, here, from fct_merged_pull_requests over the person-weeks in view; `summary --json`,
the dashboard and the exports read these results. They are aggregates over the whole view: the
privacy layer withholds them, or a split group, when fewer than k people are behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.db import frame
from pipelines.metrics.analytics.panel import ratio_of_sums
from pipelines.metrics.filters import Filters

METHOD = (
    "Agent share: agent-authored ÷ merged PRs of the people in view; split guardrails: ratios of sums per "
    "origin (agent or human); 95% intervals by the delta method, clustered by the person credited."
)
CAVEAT = (
    "An agent is seen by its login, branch prefix, body footer or commit trailer: an agent run without any "
    "of them counts as human work, so the share is a floor. Human review is known only where the reviews "
    "were read (the GitHub fetcher reads them; files may not carry them)."
)
SPLIT = (  # numerator, denominator, name
    ("is_reverted", "merged", "revert_rate"),
    ("changed_lines", "sized", "lines_per_pr"),
    ("hours_to_merge_sum", "merged", "hours_to_merge"),
)


@dataclass(frozen=True)
class AgentWork:
    merged_prs: int
    agent_merged_prs: int
    share: float | None  # agent ÷ merged PRs
    share_ci95: tuple[float, float] | None
    without_human_review: int  # agent PRs merged with no approving human review
    review_known: int  # agent PRs whose reviews were read
    people: int  # people credited with a merged PR in view
    agent_people: int  # people credited with an agent-authored merged PR in view
    weekly: pl.DataFrame  # week, merged_prs, agent_merged_prs, agent_people, agent_share
    by_origin: (
        pl.DataFrame
    )  # origin, people, merged_prs, revert_rate, lines_per_pr, hours_to_merge (+ _low/_high)
    by_agent: pl.DataFrame  # agent, people, merged_prs
    method: str = METHOD
    caveat: str = CAVEAT

    @property
    def without_human_review_share(self) -> float | None:
        """Of the agent PRs whose reviews were read, the share merged without a human approval."""
        return self.without_human_review / self.review_known if self.review_known else None


def merged_prs(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """One row per merged PR of the person-weeks in view, with its origin and quality."""
    sql, params = filters.person_week_sql()
    return frame(
        con,
        f"""
        with pw as ({sql})
        select f.person_key, pw.team, f.week, f.is_agent, f.agent, f.human_reviewed, f.is_reverted,
            f.changed_lines, f.hours_to_merge,
        from fct_merged_pull_requests f
        join pw using (person_key, week)  -- one person-week row each: a filter, with the unit
        order by f.week, f.person_key
        """,
        params,
    )


def agent_work(con: duckdb.DuckDBPyConnection, filters: Filters) -> AgentWork:
    return of_prs(merged_prs(con, filters))


def prs_of(scope_prs: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """merged_prs(con, filters) from the merged PRs of the filters' whole scope over every week."""
    return filters.rows_in_view(scope_prs)


def of_prs(prs: pl.DataFrame) -> AgentWork:
    data = prs.with_columns(
        merged=pl.lit(1),
        agent_pr=pl.col("is_agent").cast(pl.Int64),
        sized=pl.col("changed_lines").is_not_null().cast(pl.Int64),
        is_reverted=pl.col("is_reverted").cast(pl.Int64),
        hours_to_merge_sum=pl.col("hours_to_merge"),
        origin=pl.when(pl.col("is_agent")).then(pl.lit("agent")).otherwise(pl.lit("human")),
    )
    agent = data.filter(pl.col("is_agent"))
    share = ratio_of_sums(data, [], "agent_pr", "merged", "share") if data.height else None
    low = share["share_low"][0] if share is not None else None
    high = share["share_high"][0] if share is not None else None
    weekly = (
        data.group_by("week")
        .agg(
            merged_prs=pl.len(),
            agent_merged_prs=pl.col("agent_pr").sum(),
            agent_people=pl.col("person_key").filter(pl.col("is_agent")).n_unique(),
        )
        .with_columns(agent_share=pl.col("agent_merged_prs") / pl.col("merged_prs"))
        .sort("week")
    )
    return AgentWork(
        merged_prs=data.height,
        agent_merged_prs=agent.height,
        share=share["share"][0] if share is not None else None,
        share_ci95=(low, high) if low is not None and high is not None else None,
        without_human_review=agent.filter(pl.col("human_reviewed").not_()).height,
        review_known=agent.filter(pl.col("human_reviewed").is_not_null()).height,
        people=data["person_key"].n_unique(),
        agent_people=agent["person_key"].n_unique(),
        weekly=weekly,
        by_origin=_by_origin(data),
        by_agent=agent.group_by("agent")
        .agg(people=pl.col("person_key").n_unique(), merged_prs=pl.len())
        .sort("agent"),
    )


def _by_origin(data: pl.DataFrame) -> pl.DataFrame:
    counts = data.group_by("origin").agg(merged_prs=pl.len())
    out = counts
    for numerator, denominator, name in SPLIT:
        table = ratio_of_sums(data, ["origin"], numerator, denominator, name)
        table = table.select("origin", "people", name, f"{name}_low", f"{name}_high")
        out = out.join(
            table if "people" not in out.columns else table.drop("people"), on="origin", how="left"
        )
    return out.select("origin", "people", *[c for c in out.columns if c not in ("origin", "people")]).sort(
        "origin"
    )


def summary_keys(work: AgentWork) -> dict[str, object]:
    """The `summary --json` keys (docs/metrics.md)."""
    return {
        "agent_people": work.agent_people,
        "agent_merged_prs_total": work.agent_merged_prs,
        "agent_merged_pr_share": work.share,
        "agent_merged_pr_share_ci95": list(work.share_ci95) if work.share_ci95 else None,
        "merged_without_human_review_total": work.without_human_review,
        "merged_without_human_review_share": work.without_human_review_share,
    }
