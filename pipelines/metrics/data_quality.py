"""What the Data page shows about a build: validation, freshness, coverage, row accounting, the
quarantine and the build itself, as queries on the tables the build writes beside the marts.

No function returns a person: a value, example or reason that is a roster person's email, name,
person_id or matched account is replaced by PERSON. Unmatched identities match nobody in the
roster, so their keys are shown as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from pipelines.db import frame, one, run

Params = dict[str, object]

PERSON = "‹person in roster›"

# every key that names someone in the roster, lower-cased: what PERSON stands in for
IDENTIFIERS_SQL = """
    select distinct lower(trim(key)) as key from (
        select unnest([person_id, email, name]) as key from dim_people
        union all
        select identity_key from int_identity_keys_resolved
    )
    where key is not null and length(trim(key)) > 1
"""


@dataclass(frozen=True)
class BuildInfo:
    built_at: datetime
    input_dir: str
    version: str
    period_start: date | None
    period_end: date | None
    validation_seconds: float
    build_seconds: float  # the whole build up to publishing, validation included
    incremental: bool
    plan_reason: str


@dataclass(frozen=True)
class Coverage:
    """People in scope with AI telemetry: any tool, and tools that report tokens."""

    latest_week: date | None
    people: int
    with_ai: int
    with_tokens: int
    people_latest: int
    with_ai_latest: int
    with_tokens_latest: int


def build_info(con: duckdb.DuckDBPyConnection) -> BuildInfo:
    row = one(
        con,
        "select built_at, input_dir, tokenyield_version, period_start, period_end, validation_seconds, "
        "build_seconds_before_publish, incremental, plan_reason from build_info",
    )
    return BuildInfo(*row)


# an identifier counts only as whole tokens: "sam" is not masked inside "ext-sam-lee"
TOKEN = re.compile(r"[\w@.+-]+")


def masker(con: duckdb.DuckDBPyConnection) -> Callable[[str], str]:
    """A function that replaces every roster identifier inside a text by PERSON.

    It looks up runs of up to as many tokens as the longest identifier has ("Ada Lovelace": two)
    in a set, so it stays fast with tens of thousands of people and accounts."""
    keys = {_normal(r[0]) for r in run(con, IDENTIFIERS_SQL)}
    longest = max((len(TOKEN.findall(key)) for key in keys), default=0)

    def found(text: str, i: int, tokens: list[tuple[int, int]]) -> tuple[int, int] | None:
        """The longest identifier starting at token i: its end in the text and its token count."""
        for n in range(min(longest, len(tokens) - i), 0, -1):
            start, end = tokens[i][0], tokens[i + n - 1][1]
            for candidate in (text[start:end], text[start:end].rstrip(".")):  # a full stop may end a sentence
                if _normal(candidate) in keys:
                    return start + len(candidate), n
        return None

    def mask(text: str) -> str:
        tokens = [m.span() for m in TOKEN.finditer(text)]
        out, done, i = [], 0, 0
        while i < len(tokens):
            match = found(text, i, tokens)
            if match is None:
                i += 1
                continue
            out += [text[done : tokens[i][0]], PERSON]
            done, i = match[0], i + match[1]
        return "".join([*out, text[done:]])

    return mask


def _normal(text: str) -> str:
    return " ".join(text.split()).lower()


def validation_suites(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per suite: checks passed and failed, their severities, seconds; failing suites first."""
    return frame(
        con,
        """
        select
            suite,
            count(*) as checks,
            count(*) filter (where success) as passed,
            count(*) filter (where not success) as failed,
            count(*) filter (where not success and severity = 'warning') as failed_warnings,
            count(*) filter (where not success and severity = 'error') as failed_errors,
            string_agg(distinct severity, ', ' order by severity) as severities,
            any_value(t.seconds) as seconds,
        from validation_results
        left join validation_timings t using (suite)
        group by suite
        order by failed = 0, suite
        """,
    )


def validation_checks(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per check of the latest build, failed checks first, with examples of bad values."""
    checks = frame(
        con,
        """
        select suite, check_name, engine, success, severity, unexpected_count, examples
        from validation_results
        order by suite, success, severity, check_name
        """,
    )
    mask = masker(con)
    examples = [[mask(e) for e in (ex or [])] for ex in checks["examples"].to_list()]
    return checks.with_columns(examples=pl.Series(examples, dtype=pl.List(pl.String)))


def freshness(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per source: its last event and how long before the build that was (null: no events)."""
    return frame(
        con,
        """
        select source, last_event_at, epoch(b.built_at) - epoch(last_event_at) as seconds_before_build,
        from fct_source_freshness, build_info b
        order by source
        """,
    )


def coverage(con: duckdb.DuckDBPyConnection) -> Coverage:
    row = one(
        con,
        """
        with

        person_weeks as (select person_key, week, ai_rows > 0 as with_ai from fct_person_weeks),

        token_weeks as (
            select distinct person_key, week
            from fct_person_week_tools join dim_tools using (tool)
            where reports_tokens and ai_rows > 0
        ),

        weeks as (
            select pw.*, tw.person_key is not null as with_tokens,
                pw.week = (select max(week) from person_weeks) as latest,
            from person_weeks pw left join token_weeks tw using (person_key, week)
        )

        select
            max(week),
            count(distinct person_key),
            count(distinct person_key) filter (where with_ai),
            count(distinct person_key) filter (where with_tokens),
            count(distinct person_key) filter (where latest),
            count(distinct person_key) filter (where latest and with_ai),
            count(distinct person_key) filter (where latest and with_tokens),
        from weeks
        """,
    )
    return Coverage(*row)


def row_accounting(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per input table: rows read = loaded + quarantined + duplicates, and whether that holds."""
    return frame(
        con,
        """
        select
            table_name,
            rows_read::bigint as rows_read,
            rows_loaded::bigint as rows_loaded,
            rows_quarantined::bigint as rows_quarantined,
            rows_duplicate::bigint as rows_duplicate,
            rows_read = rows_loaded + rows_quarantined + rows_duplicate as adds_up,
        from build_rows
        order by table_name
        """,
    )


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Params) -> pl.DataFrame:
    """pipelines.db.frame() with named parameters."""
    return con.sql(sql, params=params).pl()


def _shown_reasons(con: duckdb.DuckDBPyConnection) -> Params:
    # a reason may name a person ("email already belongs to person_id p1"): mask the few distinct ones
    raw = [r[0] for r in run(con, "select distinct reason from quarantine order by 1")]
    mask = masker(con)
    return {"raw": raw, "shown": [mask(r) if r is not None else None for r in raw]}


QUARANTINE_SQL = f"""
    with

    identifiers as ({IDENTIFIERS_SQL}),

    reasons as (select unnest($raw::varchar[]) as reason, unnest($shown::varchar[]) as shown),

    final as (
        select
            q.table_name,
            q.source_file,
            q.source_row,
            q.column_name,
            case when i.key is null then q.value else '{PERSON}' end as value,
            r.shown as reason,
        from quarantine q
        left join reasons r on r.reason = q.reason
        left join identifiers i on i.key = lower(trim(q.value))
    )

    select * from final
"""


def quarantine_reasons(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per table and reason with its count of quarantined rows: the browser's filters."""
    return _frame(
        con,
        f"select table_name, reason, count(*) as rows from ({QUARANTINE_SQL}) group by all order by all",
        _shown_reasons(con),
    )


def quarantine(
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[str] = (),
    reasons: Sequence[str] = (),
    limit: int | None = None,
) -> pl.DataFrame:
    """Quarantined rows of the chosen tables and reasons (none chosen: all), in file and row order."""
    params = _shown_reasons(con)
    where = []
    if tables:
        where.append("table_name in (select unnest($tables::varchar[]))")
        params["tables"] = list(tables)
    if reasons:
        where.append("reason in (select unnest($reasons::varchar[]))")
        params["reasons"] = list(reasons)
    sql = f"select * from ({QUARANTINE_SQL})"
    sql += f" where {' and '.join(where)}" if where else ""
    sql += " order by table_name, source_file, source_row, column_name"
    sql += f" limit {int(limit)}" if limit is not None else ""
    return _frame(con, sql, params)
