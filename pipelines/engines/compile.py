"""Write the first stage's model files from its Ibis expressions (their DuckDB SQL).

The build runs the Ibis expressions themselves (pipelines/engines/); these files are what the same
expressions say in DuckDB's SQL, kept beside the other models so that the first stage can be read,
tested like any model and fingerprinted for incremental builds. Regenerate after changing
first_stage.py (tests/pipelines/test_engine_first_stage.py fails while they differ):

    .venv/bin/python -m pipelines.engines.compile
"""

from __future__ import annotations

import ibis

from pipelines.engines import FIRST_STAGE
from pipelines.engines import first_stage as stage
from pipelines.models import SQL_DIR

REPEATED = "int_ai_usage_repeated_event_hashes"
HEADERS = {
    REPEATED: (
        f"-- {REPEATED}: hashes of event_ids that occur more than once (first stage, part 1).\n"
        "-- grain: one row per repeated event_id hash\n"
    ),
    FIRST_STAGE: (
        f"-- {FIRST_STAGE}: the first stage, and the only model that reads per-request rows. It\n"
        "-- deduplicates (by event_id, the first read wins; by the whole row when there is none) and\n"
        "-- sums to user-day. Later stages read only this table, so it can run on another engine.\n"
        "-- grain: one row per user key, UTC day, tool, model and tokens_reported\n"
        "-- time column: usage_date\n"
    ),
}
GENERATED = (
    "-- Generated from pipelines/engines/first_stage.py by `python -m pipelines.engines.compile`:\n"
    "-- edit the Ibis expression, not this file.\n"
)


def compiled() -> dict[str, str]:
    """Model name -> the file's text."""
    staged = ibis.table(stage.STAGED_SCHEMA, name="stg_input__ai_usage")
    repeated = ibis.table({"event_hash": "int64"}, name=REPEATED)
    expressions = {
        REPEATED: stage.repeated_event_hashes(staged),
        FIRST_STAGE: stage.user_day(staged, repeated),
    }
    return {
        name: HEADERS[name] + GENERATED + ibis.to_sql(expr, dialect="duckdb").strip() + "\n"
        for name, expr in expressions.items()
    }


def main() -> None:
    for name, text in compiled().items():
        (SQL_DIR / "intermediate" / f"{name}.sql").write_text(text)


if __name__ == "__main__":
    main()
