"""The canonical input contract (docs/data-contract.md) as polars schemas, and `conform`.

Every importer and fetcher ends with `conform(table, frame)`, so what reaches `store.append`
always has exactly the contract's columns, in the contract's order, with the contract's types.
"""

from __future__ import annotations

import polars as pl

from pipelines.sources.errors import SourceError

TIMESTAMP = pl.Datetime("us", "UTC")

PEOPLE = pl.Schema(
    {
        "person_id": pl.String,
        "email": pl.String,
        "name": pl.String,
        "team": pl.String,
        "manager_id": pl.String,
        "role": pl.String,
        "level": pl.String,
        "start_date": pl.Date,
        "end_date": pl.Date,
    }
)
IDENTITIES = pl.Schema({"person_id": pl.String, "system": pl.String, "external_id": pl.String})
AI_USAGE = pl.Schema(
    {
        "occurred_at": TIMESTAMP,
        "user": pl.String,
        "tool": pl.String,
        "model": pl.String,
        "input_tokens": pl.Int64,
        "output_tokens": pl.Int64,
        "cache_read_tokens": pl.Int64,
        "cache_write_tokens": pl.Int64,
        "requests": pl.Int64,
        "cost_usd": pl.Float64,
        "event_id": pl.String,
        "tokens_reported": pl.Boolean,
    }
)
AI_ACTIVITY = pl.Schema(
    {
        "occurred_on": pl.Date,
        "user": pl.String,
        "tool": pl.String,
        "metric": pl.String,
        "value": pl.Float64,
    }
)
PULL_REQUESTS = pl.Schema(
    {
        "repo": pl.String,
        "number": pl.Int64,
        "author": pl.String,
        "created_at": TIMESTAMP,
        "merged_at": TIMESTAMP,
        "additions": pl.Int64,
        "deletions": pl.Int64,
        "title": pl.String,
        "head_ref": pl.String,
        "agent": pl.String,  # the coding agent that wrote the PR (pipelines/agents.py), null: none seen
        "delegator": pl.String,  # who an agent-authored PR is credited to: its requester or assignee
        "human_reviewed": pl.Boolean,  # approved by another human before merge; null: reviews not read
    }
)
TICKETS = pl.Schema(
    {
        "ticket_id": pl.String,
        "assignee": pl.String,
        "created_at": TIMESTAMP,
        "resolved_at": TIMESTAMP,
        "issue_type": pl.String,
        "status": pl.String,
        "agent": pl.String,  # the coding agent the ticket was delegated to (Linear's delegate)
    }
)

SCHEMAS: dict[str, pl.Schema] = {
    "people": PEOPLE,
    "identities": IDENTITIES,
    "ai_usage": AI_USAGE,
    "ai_activity": AI_ACTIVITY,
    "pull_requests": PULL_REQUESTS,
    "tickets": TICKETS,
}

# The columns that identify a row of each table: store.append dedupes on them.
KEYS: dict[str, tuple[str, ...]] = {
    "people": ("person_id",),
    "identities": ("system", "external_id"),
    "ai_usage": ("event_id",),
    "ai_activity": ("occurred_on", "user", "tool", "metric"),
    "pull_requests": ("repo", "number"),
    "tickets": ("ticket_id",),
}

# Tables where a later import of the same key replaces the stored row (a PR that got merged,
# a ticket that got resolved). In the others the first stored row wins and repeats are dropped.
REPLACING: frozenset[str] = frozenset({"people", "pull_requests", "tickets"})

# Values for optional columns an importer leaves out; every other missing column is an error,
# except that optional text/date/timestamp columns default to null.
DEFAULTS: dict[str, dict[str, object]] = {
    "ai_usage": {
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "requests": 1,
        "cost_usd": None,
        "event_id": None,
        "tokens_reported": True,
    },
    "people": {
        "name": None,
        "team": None,
        "manager_id": None,
        "role": None,
        "level": None,
        "start_date": None,
        "end_date": None,
    },
    "pull_requests": {
        "merged_at": None,
        "additions": None,
        "deletions": None,
        "title": None,
        "head_ref": None,
        "agent": None,
        "delegator": None,
        "human_reviewed": None,
    },
    "tickets": {"assignee": None, "resolved_at": None, "issue_type": None, "status": None, "agent": None},
}


def empty(table: str) -> pl.DataFrame:
    """A frame with no rows and the table's canonical schema."""
    return pl.DataFrame(schema=SCHEMAS[table])


def conform(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """Select, order and cast `df`'s columns to the canonical schema of `table`.

    A frame with no columns and no rows gives the empty table.
    Missing optional columns get their default (DEFAULTS, else null); a missing required column
    raises SourceError. Extra columns are dropped. Naive datetimes are taken as UTC, aware ones
    are converted to UTC; ISO-8601 strings are parsed. Null defaults also fill nulls in the
    integer defaults (`requests`, cache tokens) and `tokens_reported`.
    """
    if table not in SCHEMAS:
        raise SourceError(f"unknown table {table!r}; expected one of {', '.join(SCHEMAS)}")
    schema = SCHEMAS[table]
    if df.width == 0 and df.height == 0:
        return empty(table)
    defaults = DEFAULTS.get(table, {})
    missing = [c for c in schema if c not in df.columns and c not in defaults]
    if missing:
        raise SourceError(f"{table}: missing required column(s) {', '.join(missing)}")
    columns = []
    for name, dtype in schema.items():
        if name not in df.columns:
            columns.append(pl.lit(defaults[name], dtype=dtype).alias(name))
            continue
        column = _cast(pl.col(name), df.schema[name], dtype)
        if defaults.get(name) is not None:
            column = column.fill_null(pl.lit(defaults[name], dtype=dtype))
        columns.append(column.alias(name))
    try:
        return df.select(columns)
    except pl.exceptions.PolarsError as error:
        raise SourceError(f"{table}: {str(error).splitlines()[0]}") from error


def _cast(column: pl.Expr, source: pl.DataType, target: pl.DataType) -> pl.Expr:
    if isinstance(target, pl.Datetime):
        if source == pl.String:
            return column.str.to_datetime(time_unit="us", time_zone="UTC")
        if source == pl.Date:
            return column.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        if isinstance(source, pl.Datetime):
            if source.time_zone is None:
                return column.dt.cast_time_unit("us").dt.replace_time_zone("UTC")
            return column.dt.cast_time_unit("us").dt.convert_time_zone("UTC")
    if target == pl.Date:
        if source == pl.String:
            return column.str.to_date()
        if isinstance(source, pl.Datetime):
            if source.time_zone is not None:
                column = column.dt.convert_time_zone("UTC")
            return column.dt.date()
    return column.cast(target, strict=True)
