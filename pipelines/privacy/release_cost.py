"""People cost in the release: each unit-week's headcount times its unit's average cost band.

A unit-week's people cost is released exactly where its headcount is (`released_people`). It is
*not* the sum of its people's bands week by week: bands are constant, so when one person joins a
unit, two consecutive weeks' sums would differ by exactly that person's band/52. Instead every
release unit gets one rate, the mean band over its released person-weeks, and a cell's people cost
is its headcount times that rate / 52: the difference of any two cells is then a headcount change
times a rate that averages at least k people, never one person's band. The organization's cells
use the mean band over all of its person-weeks (its weeks are released whole); with the units'
rates that reveals at most the bands of the withheld person-weeks as one sum, and secondary
suppression makes each week's withheld people at least k beyond anyone a viewer knows.

People whose level has no band take their unit's average (they are counted by the quality check
"every level in people has a cost band"). A unit's rate is withheld (its people cost is null)
when, in one of its released weeks, the people with a band, less those a viewer knows one by one,
are 1 to k-1: the rate would then be the mean of fewer than k people's bands. With every level
banded this never happens beyond primary suppression, which already guarantees it for headcounts.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.db import frame, one

WEEKS_PER_YEAR = 52
COLUMN = "people_cost_usd"  # per unit-week (org-week), in USD


def has_bands(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the build loaded any cost band (without cost_bands.csv the feature is off)."""
    found = one(con, "select count(*) from duckdb_tables() where table_name = 'dim_cost_bands'")[0]
    return bool(found) and bool(one(con, "select count(*) from dim_cost_bands")[0])


def add(
    con: duckdb.DuckDBPyConnection,
    unit_weeks: pl.DataFrame,
    org_weeks: pl.DataFrame,
    person_units_sql: str,
    known_sql: str,
    k: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """unit_weeks and org_weeks with `people_cost_usd` (null where people is withheld, or no band)."""
    if not has_bands(con):
        empty = pl.lit(None, pl.Float64).alias(COLUMN)
        return unit_weeks.with_columns(empty), org_weeks.with_columns(empty)
    person_weeks = frame(
        con,
        f"""with pu as ({person_units_sql})
        select pu.unit_key, pw.week, pw.person_key, b.annual_loaded_cost_usd as band
        from fct_person_weeks pw join pu using (person_key) join dim_people p using (person_key)
        left join dim_cost_bands b on b.level = p.level""",
    )
    known = frame(con, f"select * from ({known_sql})")
    released = unit_weeks.filter(pl.col("released_people")).select("unit_key", "week")
    banded = person_weeks.filter(pl.col("band").is_not_null())
    in_released = banded.join(released, on=["unit_key", "week"], how="semi")
    unsafe = _unsafe_units(in_released, known, k)
    rates = (
        in_released.filter(~pl.col("unit_key").is_in(unsafe.implode()))
        .group_by("unit_key")
        .agg(rate=pl.col("band").mean())
    )
    # the organization's rate: every person-week of the organization (its weeks are released whole)
    everyone = banded.with_columns(unit_key=pl.lit("organization"))
    org_safe = everyone.height > 0 and _unsafe_units(everyone, known, k).is_empty()
    org_rate = float(everyone["band"].mean()) if org_safe else None  # type: ignore[arg-type]
    units = unit_weeks.join(rates, on="unit_key", how="left").with_columns(_cost(pl.col("rate"))).drop("rate")
    org = org_weeks.with_columns(_cost(pl.lit(org_rate, pl.Float64)))
    return units, org


def _cost(rate: pl.Expr) -> pl.Expr:
    return pl.when(pl.col("released_people")).then(pl.col("people") * rate / WEEKS_PER_YEAR).alias(COLUMN)


def _unsafe_units(banded: pl.DataFrame, known: pl.DataFrame, k: int) -> pl.Series:
    """Units with a week whose banded people, alone or less a knower's (`known`: knower,
    person_key), number 1 to k-1."""
    counts = banded.group_by("unit_key", "week").agg(banded=pl.len())
    by_knower = (
        banded.join(known, on="person_key", how="inner")
        .group_by("knower", "unit_key", "week")
        .agg(known=pl.len())
        .join(counts, on=["unit_key", "week"], how="left")
        .select("unit_key", "week", left=pl.col("banded") - pl.col("known"))
    )
    alone = counts.select("unit_key", "week", left=pl.col("banded"))
    residuals = pl.concat([alone, by_knower])
    return residuals.filter((pl.col("left") > 0) & (pl.col("left") < k))["unit_key"].unique()
