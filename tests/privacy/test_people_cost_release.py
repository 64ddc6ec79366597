"""People cost in the release: released exactly where the cell's headcount is, and never one person's
band, even to an attacker who subtracts two views around the week a person joins. The figures
(pipelines/metrics/people_cost.py) are checked on a small organization with known bands, against
sums computed here from the roster alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from pipelines.build import build
from pipelines.metrics.filters import Filters
from pipelines.privacy import views
from pipelines.privacy.viewer import resolve
from pipelines.settings import Settings

K = 3
WEEKS = [date(2026, 3, 2) + timedelta(weeks=i) for i in range(4)]
BANDS = {"L4": 104_000, "L5": 156_000, "L6": 208_000, "L7": 520_000, "L8": 260_000}
JOINER = "e7"  # joins unit e (m1's reports) in the third week, at a band nobody else there has
# person -> (manager, level, first week employed): units of 4, 4, 6 then 7, and 5 people
ROSTER = {
    "m0": ("", "L8", 0),
    **{a: ("", "L5", 0) for a in ("a1", "a2", "a3")},
    "m1": ("m0", "L6", 0),
    "m2": ("m0", "L6", 0),
    "t1": ("m0", "L5", 0),
    "t2": ("m0", "L4", 0),
    **{e: ("m1", "L4" if i % 2 else "L5", 0) for i, e in enumerate(("e1", "e2", "e3", "e4", "e5", "e6"))},
    JOINER: ("m1", "L7", 2),
    **{f: ("m2", "L5", 0) for f in ("f1", "f2", "f3", "f4", "f5")},
}
UNITS = {"top": ["m0", "a1", "a2", "a3"], "m0": ["m1", "m2", "t1", "t2"]} | {
    m: [p for p, (boss, _, _) in ROSTER.items() if boss == m] for m in ("m1", "m2")
}


def spend(person: str, week: int) -> float:
    """Each person's AI spend in a week (USD), known here so that the share can be recomputed."""
    return 5.0 + list(ROSTER).index(person) + 2 * week


def write_org(folder: Path, bands: dict[str, int]) -> Path:
    folder.mkdir(parents=True)
    people = ["person_id,email,name,team,manager_id,role,level,start_date,end_date"]
    for p, (manager, level, first) in ROSTER.items():
        start = WEEKS[first].isoformat() if first else ""
        role = "manager" if p.startswith("m") else "engineer"
        people.append(f"{p},{p}@x.io,{p.upper()},team-{manager or 'top'},{manager},{role},{level},{start},")
    usage = ["occurred_at,user,tool,model,input_tokens,output_tokens,cost_usd"]
    prs = ["repo,number,author,created_at,merged_at,title"]
    for p, (_, _, first) in ROSTER.items():
        for w in range(first, len(WEEKS)):
            day = WEEKS[w] + timedelta(days=1)
            tokens = 1000 + 37 * list(ROSTER).index(p) + 11 * w  # varied: the summary fits on log tokens
            usage.append(f"{day}T10:00Z,{p}@x.io,cursor,gpt-5,{tokens},100,{spend(p, w):.2f}")
            prs.append(f"acme/app,{len(prs)},{p}@x.io,{day}T09:00Z,{day}T15:00Z,change {len(prs)}")
    (folder / "people.csv").write_text("\n".join(people) + "\n")
    (folder / "ai_usage.csv").write_text("\n".join(usage) + "\n")
    (folder / "pull_requests.csv").write_text("\n".join(prs) + "\n")
    (folder / "cost_bands.csv").write_text(
        "level,annual_loaded_cost\n" + "".join(f"{lvl},{cost}\n" for lvl, cost in bands.items())
    )
    (folder / "access.toml").write_text(f'min_group_size = {K}\nleaders = ["m0@x.io"]\n')
    return folder


def build_org(root: Path, bands: dict[str, int]) -> Path:
    db = root / "w.duckdb"
    build(Settings(input_dir=write_org(root / "in", bands), warehouse_path=db))
    return db


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(build_org(tmp_path_factory.mktemp("people-cost"), BANDS)), read_only=True)
    yield con
    con.close()


def person_weeks(people: list[str]) -> list[tuple[str, int]]:
    return [(p, w) for p in people for w in range(ROSTER[p][2], len(WEEKS))]


def mean_band(people: list[str]) -> float:
    pws = person_weeks(people)
    return sum(BANDS[ROSTER[p][1]] for p, _ in pws) / len(pws)


def unit_of(con: duckdb.DuckDBPyConnection, manager: str) -> str:
    """The release unit of a manager's direct reports ('top' for the people with no manager)."""
    if manager == "top":
        return "top"
    (key,) = con.execute("select person_key from dim_people where person_id = ?", [manager]).fetchone()
    return key


def test_the_small_org_releases_every_cell(org: duckdb.DuckDBPyConnection) -> None:
    """The attack below needs both weeks around the join released, as they are here."""
    assert org.execute("select bool_and(released_people) from release_unit_weeks").fetchone() == (True,)
    assert org.execute("select count(distinct unit_key) from release_unit_weeks").fetchone() == (4,)


def test_a_person_joining_does_not_reveal_their_band(org: duckdb.DuckDBPyConnection) -> None:
    unit = unit_of(org, "m1")
    cells = dict(
        org.execute(
            "select week, people_cost_usd from release_unit_weeks where unit_key = ? order by week", [unit]
        ).fetchall()
    )
    joined = cells[WEEKS[2]] - cells[WEEKS[1]]  # the attacker's difference: one more person
    joiner_weekly = BANDS["L7"] / 52
    assert abs(joined - joiner_weekly) > 1000  # what a sum of bands would have given away
    # what it gives instead: the unit's average band, over every person-week the unit released
    assert joined == pytest.approx(mean_band(UNITS["m1"]) / 52)
    # and any two weeks of any unit (or of the organization) differ by a headcount times one rate
    for table, key in (("release_unit_weeks", "unit_key"), ("release_org_weeks", "'organization'")):
        rates = org.execute(
            f"select {key}, count(distinct round(people_cost_usd / people, 6)) from {table} group by all"
        ).fetchall()
        assert {n for _, n in rates} == {1}


def test_people_cost_per_cell_is_headcount_times_the_units_average_band(
    org: duckdb.DuckDBPyConnection,
) -> None:
    for manager, members in UNITS.items():
        got = org.execute(
            "select week, people, people_cost_usd from release_unit_weeks where unit_key = ? order by week",
            [unit_of(org, manager)],
        ).fetchall()
        rate = mean_band(members) / 52
        expected = [(w, sum(1 for p in members if ROSTER[p][2] <= i)) for i, w in enumerate(WEEKS)]
        assert [(w, n) for w, n, _ in got] == expected
        assert [c for _, _, c in got] == pytest.approx([n * rate for _, n in expected])


def test_figures_match_sums_computed_from_the_roster(org: duckdb.DuckDBPyConnection) -> None:
    figures = views.people_cost(org, resolve(org, "m0@x.io"), Filters())
    everyone = list(ROSTER)
    org_rate = mean_band(everyone) / 52
    weekly_people = [sum(1 for p in everyone if ROSTER[p][2] <= w) for w in range(len(WEEKS))]
    weekly_spend = [sum(spend(p, w) for p in everyone if ROSTER[p][2] <= w) for w in range(len(WEEKS))]
    assert figures.enabled
    assert figures.weekly["ai_share_of_people_cost"].to_list() == pytest.approx(
        [s / (n * org_rate) for s, n in zip(weekly_spend, weekly_people, strict=True)]
    )
    assert figures.share == pytest.approx(sum(weekly_spend) / (sum(weekly_people) * org_rate))
    merged = len(person_weeks(everyone))  # one merged PR per person-week
    assert figures.merged_prs == merged
    assert figures.people_cost_per_merged_pr == pytest.approx(sum(weekly_people) * org_rate / merged)
    units = {row["team"]: row for row in figures.units.iter_rows(named=True)}
    team_m1 = units["team-m1"]
    m1_spend = sum(spend(p, w) for p, w in person_weeks(UNITS["m1"]))
    m1_cost = len(person_weeks(UNITS["m1"])) * mean_band(UNITS["m1"]) / 52
    assert team_m1["ai_share_of_people_cost"] == pytest.approx(m1_spend / m1_cost)
    assert team_m1["people_cost_per_merged_pr"] == pytest.approx(m1_cost / len(person_weeks(UNITS["m1"])))
    assert list(units) == sorted(units)  # name order
    assert figures.unbanded_people == 0


def test_a_unit_with_fewer_than_k_banded_people_gets_no_rate(tmp_path: Path) -> None:
    """Without an L6 band, unit m0 (m1, m2 at L6; t1, t2 banded) has two banded people, fewer than k:
    its average band would be the mean of two people's, so its people cost is withheld while its
    headcount still shows; every other unit keeps its people cost."""
    few = {"L4": 104_000, "L5": 156_000, "L7": 520_000, "L8": 260_000}  # no L6: m1 and m2 unbanded
    roster_m0 = UNITS["m0"]  # m1, m2 (L6), t1 (L5), t2 (L4): two banded, fewer than k
    con = duckdb.connect(str(build_org(tmp_path, few)), read_only=True)
    try:
        unit = unit_of(con, "m0")
        rows = con.execute(
            "select released_people, people, people_cost_usd from release_unit_weeks where unit_key = ?",
            [unit],
        ).fetchall()
        assert rows and all(
            released and people == len(roster_m0) and cost is None for released, people, cost in rows
        )
        others = con.execute(
            "select count(*) from release_unit_weeks where unit_key <> ? and people_cost_usd is null", [unit]
        ).fetchone()
        assert others == (0,)
        (unbanded,) = con.execute(
            "select unexpected_count from validation_results where check_name like 'every level in people%'"
        ).fetchone()
        assert unbanded == 2
    finally:
        con.close()


def test_on_the_demo_people_cost_is_released_exactly_where_people_is(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("release_unit_weeks", "release_org_weeks"):
        mismatched = con.execute(
            f"""select count(*) from {table}
                where (people_cost_usd is null) <> (people is null)
                   or (people_cost_usd is null) <> (not released_people)"""
        ).fetchone()
        assert mismatched == (0,), table
    withheld = con.execute("select count(*) from release_unit_weeks where not released_people").fetchone()
    assert withheld[0] > 0  # the demo has withheld cells, so the test above tests something


def test_summary_json_has_the_people_cost_block(
    org: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from pipelines.cli import app

    monkeypatch.setenv("TOKENYIELD_AUDIT_DB", str(tmp_path / "audit.duckdb"))
    (db,) = [row[2] for row in org.execute("pragma database_list").fetchall() if row[1] == "w"]
    everyone = list(ROSTER)
    share = sum(spend(p, w) for p, w in person_weeks(everyone)) / (
        len(person_weeks(everyone)) * mean_band(everyone) / 52
    )
    for args in (["--as", "m0@x.io"], []):
        result = CliRunner().invoke(app, ["summary", "--db", db, "--json", *args])
        assert result.exit_code == 0, result.output
        block = json.loads(result.output)["people_cost"]
        assert block["enabled"] is True
        assert block["ai_spend_share_of_people_cost"] == pytest.approx(share)
        assert block["reference_share"] == 0.5 and "not endorse" in block["reference"]
        assert set(block["methods"]) == {
            "ai_share_of_people_cost",
            "marginal_token_cost",
            "people_cost_per_merged_pr",
        }
