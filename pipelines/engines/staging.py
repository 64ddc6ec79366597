"""The staging rules of stg_input__ai_usage.sql as an Ibis expression, for engines that read the raw
files themselves (Spark). DuckDB keeps running the SQL view, which also reads CSV files; the
parity test (tests/pipelines/test_engine_parity.py) runs both on the same rows, every kind of bad
value included, and requires the same verdicts.

A raw column's type is known when the expression is built, so the "text must be digits only" rule
(`typeof(x) = 'VARCHAR'` in SQL) is decided here, per column, in Python.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from pipelines.engines.first_stage import TOKENS

EARLIEST = ibis.timestamp("2000-01-01 00:00:00+00:00")
REASONS = {
    "occurred_at": "occurred_at is not an ISO-8601 timestamp",
    "odd_time": "occurred_at is not between 2000-01-01 and the build time",
    "user": "user is empty",
    **{c: f"{c} is not a non-negative integer" for c in (*TOKENS, "requests")},
    "cost_usd": "cost_usd is not a non-negative number",
}


def _trim(value: ir.StringValue) -> ir.StringValue:
    """DuckDB's and Spark's trim(): spaces only (Ibis's strip() also takes tabs and newlines)."""
    return value.re_replace(r"^ +| +$", "")


def _text(value: ir.Value) -> ir.StringValue:
    return value if value.type().is_string() else value.cast("string")


def _integer(value: ir.Value) -> ir.IntegerValue:
    return value.try_cast("int64") if not value.type().is_integer() else value.cast("int64")


def _not_digits(value: ir.Value) -> ir.BooleanValue:
    """Text that is not digits only (a cast alone would round 12.5 and read 0x10 or 1e3)."""
    if not value.type().is_string():
        return ibis.literal(False)
    return ~_trim(value).re_search(r"^[0-9]+$")


def staged_usage(raw: ir.Table) -> ir.Table:
    """One row per raw ai_usage row: typed, with the column and reason it is rejected for."""
    occurred = raw.occurred_at
    occurred_at = (
        occurred.cast("timestamp('UTC')")
        if occurred.type().is_timestamp()
        else _text(occurred).try_cast("timestamp('UTC')")
    )
    tokens = {c: _integer(raw[c]) for c in ("input_tokens", "output_tokens")}
    optional = {c: _integer(raw[c]) for c in ("cache_read_tokens", "cache_write_tokens", "requests")}
    cost = raw.cost_usd.try_cast("decimal(18, 6)")
    cost_micro = (cost * 1_000_000).round().cast("int64")
    typed = raw.select(
        source_file=raw._source_file,
        source_row=raw._source_row.cast("int64"),
        source_problem=raw._source_problem.cast("string"),
        occurred_at=occurred_at,
        usage_date=occurred_at.date(),
        user_key=_trim(_text(raw.user)).lower().nullif(""),
        tool=_trim(_text(raw.tool)).lower().nullif("").coalesce("unknown"),
        model=_trim(_text(raw.model)).lower().nullif("").coalesce("unknown"),
        input_tokens=tokens["input_tokens"],
        output_tokens=tokens["output_tokens"],
        cache_read_tokens=optional["cache_read_tokens"].coalesce(0),
        cache_write_tokens=optional["cache_write_tokens"].coalesce(0),
        requests=optional["requests"].coalesce(1),
        reported_cost_micro_usd=cost_micro,
        event_id=_trim(_text(raw.event_id)).nullif(""),
        tokens_reported=raw.tokens_reported.try_cast("boolean").coalesce(True),
        bad_cost=raw.cost_usd.notnull() & cost.isnull(),
        bad_cache_read=raw.cache_read_tokens.notnull() & optional["cache_read_tokens"].isnull(),
        bad_cache_write=raw.cache_write_tokens.notnull() & optional["cache_write_tokens"].isnull(),
        bad_requests=raw.requests.notnull() & optional["requests"].isnull(),
        bad_input=_not_digits(raw.input_tokens),
        bad_output=_not_digits(raw.output_tokens),
        odd_time=~occurred_at.between(EARLIEST, ibis.now() + ibis.interval(days=1)),
    )
    t = typed
    checks = [
        ("occurred_at", t.occurred_at.isnull(), REASONS["occurred_at"]),
        ("occurred_at", t.odd_time, REASONS["odd_time"]),
        ("user", t.user_key.isnull(), REASONS["user"]),
        *[
            (c, t[c].isnull() | (t[c] < 0) | t[f"bad_{c.split('_')[0]}"], REASONS[c])
            for c in ("input_tokens", "output_tokens")
        ],
        ("cache_read_tokens", t.bad_cache_read | (t.cache_read_tokens < 0), REASONS["cache_read_tokens"]),
        ("cache_write_tokens", t.bad_cache_write | (t.cache_write_tokens < 0), REASONS["cache_write_tokens"]),
        ("requests", t.bad_requests | (t.requests < 0), REASONS["requests"]),
        ("cost_usd", t.bad_cost | (t.reported_cost_micro_usd < 0), REASONS["cost_usd"]),
    ]
    # a NULL condition does not match, as in SQL's CASE WHEN
    column = ibis.cases(*[(cond.fill_null(False), name) for name, cond, _ in checks], else_=None)
    reason = ibis.cases(*[(cond.fill_null(False), text) for _, cond, text in checks], else_=None)
    problem = t.source_problem.notnull()
    return t.select(
        "source_file",
        "source_row",
        "occurred_at",
        "usage_date",
        "user_key",
        "tool",
        "model",
        *TOKENS,
        "requests",
        "reported_cost_micro_usd",
        "event_id",
        "tokens_reported",
        reject_column=problem.ifelse(ibis.null("string"), column.cast("string")),
        reject_reason=problem.ifelse(t.source_problem, reason.cast("string")),
    )
