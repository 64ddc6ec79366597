"""The release (pipelines/privacy/release.py), checked by an attacker who knows more than any viewer.

The attacker has every released cell, the exact spend of every week (stronger than the released
exact monthly spend: a month is a sum of days, and knowing each week's total can only help), and
the weeks of everyone a leader or manager sees one by one (themself and their direct reports). The checks
recompute everything from the marts, independently of the release code, and assert that no
withheld group of fewer than k people can be solved for: not a cell, not what is withheld together
in a week, not what a leader can subtract. The orgs: the demo, and a small org of 40 people with a
tool that one person uses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.build import build
from pipelines.db import run
from pipelines.privacy import release
from pipelines.privacy.access import from_warehouse, write_demo
from pipelines.settings import Settings

SOLO_TOOL = "solo-tool"


@pytest.fixture(scope="module")
def small_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 people in small teams over 8 weeks, and one person alone on a tool."""
    from pipelines.demo import generate

    folder = tmp_path_factory.mktemp("small") / "input"
    generate(folder, people=40, weeks=8, seed=5)
    write_demo(folder)
    people = pl.read_csv(folder / "people.csv")
    email = people["email"][3]
    weeks = sorted(p.name for p in (folder / "ai_usage").iterdir())
    solo = folder / "ai_usage" / weeks[2] / "solo.csv"
    day = datetime.fromisoformat(weeks[2].split("=")[1]).replace(hour=12, tzinfo=UTC)
    solo.write_text(
        "occurred_at,user,tool,model,input_tokens,output_tokens,cost_usd,event_id\n"
        f"{day.isoformat()},{email},{SOLO_TOOL},gpt-5,900000,100000,41.5,solo-1\n"
    )
    db = folder.parent / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db))
    return db


@pytest.fixture(scope="module", params=["demo", "small"])
def warehouse(request: pytest.FixtureRequest, demo_warehouse: Path) -> duckdb.DuckDBPyConnection:
    path = demo_warehouse if request.param == "demo" else request.getfixturevalue("small_org")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def released(warehouse: duckdb.DuckDBPyConnection) -> release.Release:
    return release.build(warehouse)


def _person_weeks(con: duckdb.DuckDBPyConnection, made: release.Release) -> pl.DataFrame:
    """Each person-week with its release unit, recomputed from the marts and the unit map."""
    units = made.units.select("unit_key", "release_unit")
    people = con.sql(
        f"""select p.person_key, coalesce(m.person_key, '{release.TOP_UNIT}') as unit_key
            from dim_people p left join dim_people m on m.person_id = p.manager_id"""
    ).pl()
    weeks = con.sql("select person_key, week, ai_rows > 0 as ai, cost_micro_usd from fct_person_weeks").pl()
    return (
        weeks.join(people, on="person_key")
        .join(units, on="unit_key", how="left")
        .with_columns(pl.col("release_unit").fill_null(pl.col("unit_key")))
    )


def _known(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Who each knower (a leader, analyst or admin in the roster, or any manager) knows one by one:
    themself and their direct reports."""
    access = from_warehouse(con)
    listed = {e.lower() for e in (*access.leaders, *access.analysts, *access.admins)}
    rows = run(
        con,
        """select k.person_key, k.email, r.person_key from dim_people k
           left join dim_people r on r.manager_id = k.person_id""",
    )
    known: dict[str, set[str]] = {}
    for knower, email, report in rows:
        if email.lower() in listed or report:
            known.setdefault(knower, {knower}).update({report} if report else set())
    return known


def _small(count: int, k: int) -> bool:
    return 0 < count < k


def test_every_released_cell_covers_at_least_k_people(released: release.Release) -> None:
    cells, k = released.unit_weeks, released.k
    shown = cells.filter(pl.col("released_people"))
    assert shown.height > 0
    assert shown["people"].min() >= k
    usage = cells.filter(pl.col("released_usage"))
    assert usage.filter((pl.col("ai_users") > 0) & (pl.col("ai_users") < k)).is_empty()
    tools = released.tool_weeks.filter(pl.col("released"))
    assert tools.is_empty() or tools["users"].min() >= k


def test_withheld_cells_carry_no_figure_and_say_why(released: release.Release) -> None:
    hidden = released.unit_weeks.filter(~pl.col("released_usage"))
    assert hidden["cost_micro_usd"].null_count() == hidden.height
    assert hidden["tokens"].null_count() == hidden.height
    assert hidden["reason"].null_count() == 0
    no_people = released.unit_weeks.filter(~pl.col("released_people"))
    assert no_people["people"].null_count() == no_people.height


def test_no_leader_can_subtract_the_people_they_know_to_isolate_fewer_than_k(
    warehouse: duckdb.DuckDBPyConnection, released: release.Release
) -> None:
    pw, k = _person_weeks(warehouse, released), released.k
    shown = released.unit_weeks.filter(pl.col("released_people")).select(
        pl.col("unit_key").alias("release_unit"), "week"
    )
    cells = pw.join(shown, on=["release_unit", "week"])
    for knower, known in _known(warehouse).items():
        left = (
            cells.filter(~pl.col("person_key").is_in(list(known)))
            .group_by("release_unit", "week")
            .agg(left=pl.len())
        )
        both = shown.join(left, on=["release_unit", "week"], how="left").fill_null(0)
        assert both.filter((pl.col("left") > 0) & (pl.col("left") < k)).is_empty(), knower


def test_exact_weekly_totals_minus_released_cells_never_isolate_a_small_group(
    warehouse: duckdb.DuckDBPyConnection, released: release.Release
) -> None:
    """The attacker subtracts the released cells of a week from its exact total: what is left is
    the withheld cells' sum, which must cover no AI user or at least k beyond anyone a leader knows."""
    pw, k = _person_weeks(warehouse, released), released.k
    hidden = released.unit_weeks.filter(~pl.col("released_usage")).select(
        pl.col("unit_key").alias("release_unit"), "week"
    )
    behind = pw.join(hidden, on=["release_unit", "week"]).filter(pl.col("ai"))
    totals = pw.group_by("week").agg(pl.col("cost_micro_usd").sum())
    shown = released.unit_weeks.group_by("week").agg(pl.col("cost_micro_usd").sum().alias("shown"))
    residual = totals.join(shown, on="week").with_columns(left=pl.col("cost_micro_usd") - pl.col("shown"))
    knowers = [set(), *_known(warehouse).values()]
    for week, left in residual.select("week", "left").iter_rows():
        users = set(behind.filter(pl.col("week") == week)["person_key"].to_list())
        if left and not users:
            pytest.fail(f"week {week}: {left} micro-USD withheld with no AI user behind it")
        for known in knowers:
            assert not _small(len(users - known), k), f"week {week}: {len(users - known)} people"


def test_withheld_tool_weeks_never_isolate_a_small_group(
    warehouse: duckdb.DuckDBPyConnection, released: release.Release
) -> None:
    k = released.k
    tools = warehouse.sql("select tool, week, person_key from fct_person_week_tools where ai_rows > 0").pl()
    hidden = released.tool_weeks.filter(~pl.col("released")).select("tool", "week")
    behind = tools.join(hidden, on=["tool", "week"])
    for (week,), part in behind.group_by("week"):
        users = set(part["person_key"].to_list())
        for known in [set(), *_known(warehouse).values()]:
            assert not _small(len(users - known), k), f"week {week}"


def test_a_tool_one_person_uses_is_never_released(small_org: Path) -> None:
    con = duckdb.connect(str(small_org), read_only=True)
    try:
        made = release.build(con)
    finally:
        con.close()
    solo = made.tool_weeks.filter(pl.col("tool") == SOLO_TOOL)
    assert solo.height == 1
    assert not solo["released"][0] and solo["cost_micro_usd"][0] is None
    assert SOLO_TOOL not in made.finance_months["tool"].to_list()


def test_spend_per_month_is_exact_for_finance(
    warehouse: duckdb.DuckDBPyConnection, released: release.Release
) -> None:
    raw = warehouse.sql(
        """select date_trunc('month', usage_date)::date as month, sum(cost_micro_usd)::bigint as spend
           from int_ai_usage_resolved_to_person_day where person_id is not null group by all"""
    ).pl()
    org = released.finance_months.filter(pl.col("tool") == "*")
    joined = raw.join(org, on="month")
    assert joined.height == raw.height
    assert (joined["spend"] == joined["cost_micro_usd"]).all()


def test_units_nest_along_the_org_tree(released: release.Release) -> None:
    """Every release unit is a unit of the tree, and a unit is merged only into an ancestor."""
    units = released.units
    parent = dict(zip(units["unit_key"], units["parent_unit_key"], strict=True))
    for unit, target in zip(units["unit_key"], units["release_unit"], strict=True):
        walk = unit
        while walk is not None and walk != target:
            walk = parent.get(walk)
        assert walk == target, unit


def test_withheld_people_never_isolate_a_small_group_against_the_organizations_week(
    warehouse: duckdb.DuckDBPyConnection, released: release.Release
) -> None:
    """The organization's week is released exactly (people, merged PRs): minus the released unit
    cells, what is left covers no one or at least k people beyond anyone a knower knows."""
    pw, k = _person_weeks(warehouse, released), released.k
    hidden = released.unit_weeks.filter(~pl.col("released_people")).select(
        pl.col("unit_key").alias("release_unit"), "week"
    )
    behind = pw.join(hidden, on=["release_unit", "week"])
    knowers = [set(), *_known(warehouse).values()]
    for (week,), part in behind.group_by("week"):
        people = set(part["person_key"].to_list())
        for known in knowers:
            assert not _small(len(people - known), k), f"week {week}: {len(people - known)} people"


def test_the_organizations_weeks_are_exact_where_released(
    warehouse: duckdb.DuckDBPyConnection, released: release.Release
) -> None:
    raw = warehouse.sql(
        "select week, count(*) as people, sum(merged_prs)::bigint as prs, sum(cost_micro_usd)::bigint as spend "
        "from fct_person_weeks group by week"
    ).pl()
    org = released.org_weeks.filter(pl.col("released_usage")).join(raw, on="week")
    assert org.height > 0
    assert (org["people"] == org["people_right"]).all() and (org["merged_prs"] == org["prs"]).all()
    assert (org["cost_micro_usd"] == org["spend"]).all()
