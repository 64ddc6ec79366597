"""The first stage, written once as Ibis expressions: staged per-request rows -> user-day sums.

Every engine runs these same expressions (DuckDB on the build connection, Spark on a cluster or in
local mode) on a table shaped like the staging model `stg_input__ai_usage`: typed columns plus the
row's reject verdict. What comes back is small and lands in DuckDB, where every later layer runs:
- `user_day`: the deduplicated sums per user key, UTC day, tool, model and tokens_reported;
- `file_days`: per input file and UTC day, rows read and rows rejected (row accounting, the
  incremental build's per-file records);
- `rejects`: the rejected rows' file, row, column and reason (the quarantine).

Portability, learned by running both engines on the same rows: money stays integer micro-dollars
(a float sum differs across engines), every ranking order ends in a tie-breaker (file, row), the
session time zone is UTC (a timestamp's date is its UTC date), and nothing approximate is used.
The 64-bit/32-bit `hash` differs by engine, but it only preselects candidates: the exact window
decides which copy of an event is kept, so collisions cost time, never correctness.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

TOKENS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
# the columns a deduplicated event keeps; a row without event_id is a duplicate of another only
# when all of them are equal
EVENT_COLUMNS = (
    "occurred_at",
    "usage_date",
    "user_key",
    "tool",
    "model",
    *TOKENS,
    "requests",
    "reported_cost_micro_usd",
    "tokens_reported",
)
USER_DAY = ("user_key", "tool", "model", "tokens_reported")
# the staged table every engine hands to the first stage (the columns of stg_input__ai_usage)
STAGED_SCHEMA = ibis.schema(
    {
        "source_file": "string",
        "source_row": "int64",
        "occurred_at": "timestamp('UTC')",
        "usage_date": "date",
        "user_key": "string",
        "tool": "string",
        "model": "string",
        "input_tokens": "int64",
        "output_tokens": "int64",
        "cache_read_tokens": "int64",
        "cache_write_tokens": "int64",
        "requests": "int64",
        "reported_cost_micro_usd": "int64",
        "event_id": "string",
        "tokens_reported": "boolean",
        "reject_column": "string",
        "reject_reason": "string",
    }
)


@ibis.udf.scalar.builtin(name="hash")
def event_hash(event_id: str) -> int:
    """The engine's own hash (DuckDB: 64 bits; Spark: 32): used only to preselect candidates.
    (Ibis's portable hash() goes through a bit-string cast on DuckDB, which costs a minute here.)"""


def repeated_event_hashes(staged: ir.Table) -> ir.Table:
    """Hashes of event_ids that occur more than once: grouping one integer column is far cheaper
    than sorting every event, and only rows whose hash repeats pay for the exact window."""
    events = staged.filter(_.event_id.notnull())
    return (
        events.group_by(event_hash=event_hash(_.event_id))
        .aggregate(copies=_.count())
        .filter(_.copies > 1)
        .select("event_hash")
    )


def _sums(rows: ir.Table) -> dict[str, ir.Value]:
    """The user-day measures of `rows`. (A conditional sum is written as a sum of a CASE: DuckDB's
    FILTER clause costs about 2 s per measure over 30 million rows.)"""
    priced = rows.reported_cost_micro_usd.notnull()
    return {
        "source_rows": rows.count(),
        "requests": rows.requests.sum(),
        **{column: rows[column].sum() for column in TOKENS},
        "reported_cost_micro_usd": rows.reported_cost_micro_usd.sum().coalesce(0),
        # tokens of rows that came without a cost: a later stage prices them per model
        **{f"unpriced_{column}": priced.ifelse(0, rows[column]).sum().coalesce(0) for column in TOKENS},
        "last_event_at": rows.occurred_at.max(),
    }


def by_user_day(rows: ir.Table) -> ir.Table:
    return rows.group_by(*USER_DAY, "usage_date").aggregate(**_sums(rows))


def one_pass(staged: ir.Table) -> ir.Table:
    """The one pass that reads every staged row: per input file, UTC day (NULL: the time did not
    parse), verdict, priced or not, and user-day key, the row counts and the user-day measures.
    Rejected rows keep no key, so they fold into one row per file, day and verdict. Both the row
    accounting (file_days) and, when no row may repeat, the user-day sums (user_days_of) are sums
    of this table, which is about as long as the user-day table. (Whether a row came with a cost is
    a key, not four conditional sums: those cost about 2 s each over 30 million rows.)"""
    valid = staged.reject_reason.isnull()
    keyed = staged.mutate(
        valid=valid,
        priced=staged.reported_cost_micro_usd.notnull(),
        **{key: valid.ifelse(staged[key], ibis.null(staged[key].type())) for key in USER_DAY},
    )
    return keyed.group_by("source_file", "usage_date", "valid", "priced", *USER_DAY).aggregate(
        source_rows=keyed.count(),
        requests=keyed.requests.sum(),
        **{column: keyed[column].sum() for column in TOKENS},
        reported_cost_micro_usd=keyed.reported_cost_micro_usd.sum(),
        last_event_at=keyed.occurred_at.max(),
        without_id=keyed.event_id.isnull().ifelse(1, 0).sum(),
    )


def file_days(passed: ir.Table) -> ir.Table:
    """Per input file and UTC day: rows read, rejected, and valid without an event_id (those need
    the exact, whole-row deduplication). `passed` is one_pass()'s table."""
    return passed.group_by("source_file", "usage_date").aggregate(
        rows_read=_.source_rows.sum(),
        rows_rejected=_.valid.ifelse(0, _.source_rows).sum(),
        rows_without_id=_.valid.ifelse(_.without_id, 0).sum(),
    )


def file_days_of_rows(staged: ir.Table) -> ir.Table:
    """file_days() straight from the staged rows, without the one pass: an engine that keeps less
    in memory per group (Spark in local mode) runs this and user_day() as two narrower passes."""
    valid = staged.reject_reason.isnull()
    return staged.group_by("source_file", "usage_date").aggregate(
        rows_read=staged.count(),
        rows_rejected=valid.ifelse(0, 1).sum(),
        rows_without_id=(valid & staged.event_id.isnull()).ifelse(1, 0).sum(),
    )


def user_days_of(passed: ir.Table) -> ir.Table:
    """The user-day sums from one_pass()'s table, when no row may repeat (every valid row has an
    event_id and no id hash repeats): each valid row is an event of its own."""
    rows = passed.filter(_.valid)
    return rows.group_by(*USER_DAY, "usage_date").aggregate(
        source_rows=rows.source_rows.sum(),
        requests=rows.requests.sum(),
        **{column: rows[column].sum() for column in TOKENS},
        reported_cost_micro_usd=rows.reported_cost_micro_usd.sum().coalesce(0),
        **{f"unpriced_{column}": rows.priced.ifelse(0, rows[column]).sum() for column in TOKENS},
        last_event_at=rows.last_event_at.max(),
    )


def single_events(staged: ir.Table, repeated: ir.Table | None) -> ir.Table:
    """Valid rows whose event_id hash occurs once: each is an event of its own, nothing to check.
    `repeated` None: the engine found no repeated hash, so no join is needed."""
    rows = staged.filter(_.reject_reason.isnull(), _.event_id.notnull())
    if repeated is None:
        return rows
    return rows.mutate(event_hash=event_hash(_.event_id)).anti_join(repeated, "event_hash")


def check_candidates(staged: ir.Table, repeated: ir.Table | None) -> ir.Table:
    """The valid rows checked_events() reads: without event_id, or with a repeated id hash."""
    valid = staged.filter(_.reject_reason.isnull())
    if repeated is None:
        return valid.filter(_.event_id.isnull())
    repeats = valid.filter(_.event_id.notnull()).mutate(event_hash=event_hash(_.event_id))
    repeats = repeats.semi_join(repeated, "event_hash").drop("event_hash")
    return valid.filter(_.event_id.isnull()).union(repeats, distinct=False)


def checked_events(staged: ir.Table, repeated: ir.Table | None) -> ir.Table:
    """The rows that may repeat, deduplicated: by event_id the first read (by file, then row)
    wins; a row without event_id repeats another only when equal in full."""
    valid = staged.filter(_.reject_reason.isnull())
    events = valid.filter(_.event_id.isnull()).select(*EVENT_COLUMNS).distinct()
    if repeated is None:
        return events
    first_of_repeated = (
        valid.filter(_.event_id.notnull())
        .mutate(event_hash=event_hash(_.event_id))
        .semi_join(repeated, "event_hash")
        .mutate(copy=ibis.row_number().over(group_by=_.event_id, order_by=[_.source_file, _.source_row]))
        .filter(_.copy == 0)
        .select(*EVENT_COLUMNS)
    )
    return first_of_repeated.union(events, distinct=False)


def user_day(staged: ir.Table, repeated: ir.Table | None, check: bool = True) -> ir.Table:
    """One row per user key, UTC day, tool, model and tokens_reported, deduplicated. `check`
    False: the engine found no row that may repeat (no repeated hash, no row without an event_id),
    so the sums of the single events are the answer, in one pass."""
    singles = by_user_day(single_events(staged, repeated))
    if not check:
        return singles
    return combined(singles, by_user_day(checked_events(staged, repeated)))


def combined(singles: ir.Table, checked: ir.Table) -> ir.Table:
    """The user-day sums of the single events and of the checked (deduplicated) ones, added up."""
    keys = ("user_key", "usage_date", *USER_DAY[1:])
    measures = [c for c in singles.columns if c not in keys]
    aligned = checked.select(*keys, *[checked[c].cast(singles[c].type()).name(c) for c in measures])
    both = singles.select(*keys, *measures).union(aligned, distinct=False)
    summed = {c: both[c].sum() for c in measures if c != "last_event_at"}
    return both.group_by(*keys).aggregate(**summed, last_event_at=_.last_event_at.max())


def rejects(staged: ir.Table) -> ir.Table:
    """Every rejected row: where it is and why (its raw value is read back for the quarantine)."""
    return staged.filter(_.reject_reason.notnull()).select(
        "source_file", "source_row", "reject_column", "reject_reason"
    )
