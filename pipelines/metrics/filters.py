"""The one filter value every query takes: period, teams and tools."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # first week (Monday) in the view; None = the period's first week
    end: date | None = None  # last week (Monday) in the view; None = the period's last week
    teams: tuple[str, ...] = ()  # empty = every team
    tools: tuple[str, ...] = ()  # empty = every tool

    def person_week_sql(self) -> tuple[str, list[object]]:
        """SQL for one row per person-week in view, with usage restricted to the chosen tools."""
        params: list[object] = []
        where = ["true"]
        if self.start:
            where.append("pw.week >= ?")
            params.append(self.start)
        if self.end:
            where.append("pw.week <= ?")
            params.append(self.end)
        if self.teams:
            where.append(f"pw.team in ({', '.join('?' for _ in self.teams)})")
            params.extend(self.teams)
        if not self.tools:
            usage = (
                "pw.ai_rows, pw.ai_requests, pw.total_tokens, pw.cost_micro_usd, pw.unpriced_tokens, "
                "pw.cache_read_tokens, pw.cache_write_tokens"
            )
            joined = ""
        else:
            usage = (
                "coalesce(t.ai_rows, 0) as ai_rows, coalesce(t.ai_requests, 0) as ai_requests, "
                "coalesce(t.total_tokens, 0) as total_tokens, coalesce(t.cost_micro_usd, 0) as cost_micro_usd, "
                "coalesce(t.unpriced_tokens, 0) as unpriced_tokens, null::bigint as cache_read_tokens, "
                "null::bigint as cache_write_tokens"
            )
            joined = (
                "left join (select person_key, week, sum(ai_rows) as ai_rows, sum(ai_requests) as ai_requests, "
                "sum(total_tokens) as total_tokens, sum(cost_micro_usd) as cost_micro_usd, "
                "sum(unpriced_tokens) as unpriced_tokens from fct_person_week_tools "
                f"where tool in ({', '.join('?' for _ in self.tools)}) group by all) t using (person_key, week)"
            )
            params = list(self.tools) + params
        sql = (
            "select pw.person_key, pw.team, pw.week, "
            + usage
            + ", pw.merged_prs, pw.merged_additions, pw.merged_deletions, pw.closed_tickets, pw.closed_bug_tickets "
            + f"from fct_person_weeks pw {joined} where {' and '.join(where)}"
        )
        return sql, params
