"""The demo organization generator, checked on the real files it writes.

One small organization is generated per module; every figure is recomputed from the files with
DuckDB, independently of the generator's own code, using the definitions of docs/metrics.md.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.demo import DemoReport, DemoTruth, generate
from pipelines.demo.period import most_recent_sunday_before
from pipelines.demo.tools import UNPRICED_MODEL, load_prices

PEOPLE, WEEKS, SEED, END = 300, 12, 11, date(2026, 3, 29)
CONTRACTOR_EMAIL, CONTRACTOR_LOGIN = "sam.lee@outsourcer.example", "ext-sam-lee"
TIMESTAMP = pa.timestamp("us", tz="UTC")
AI_USAGE_SCHEMA = pa.schema(
    [
        ("occurred_at", TIMESTAMP),
        ("user", pa.string()),
        ("tool", pa.string()),
        ("model", pa.string()),
        ("input_tokens", pa.int64()),
        ("output_tokens", pa.int64()),
        ("cache_read_tokens", pa.int64()),
        ("cache_write_tokens", pa.int64()),
        ("requests", pa.int64()),
        ("cost_usd", pa.float64()),
        ("event_id", pa.string()),
        ("tokens_reported", pa.bool_()),
    ]
)
PULL_REQUESTS_SCHEMA = pa.schema(
    [
        ("repo", pa.string()),
        ("number", pa.int64()),
        ("author", pa.string()),
        ("created_at", TIMESTAMP),
        ("merged_at", TIMESTAMP),
        ("additions", pa.int64()),
        ("deletions", pa.int64()),
        ("title", pa.string()),
        ("head_ref", pa.string()),
        ("agent", pa.string()),
        ("delegator", pa.string()),
        ("human_reviewed", pa.bool_()),
    ]
)
CSV_COLUMNS = {
    "people.csv": [
        "person_id", "email", "name", "team", "manager_id", "role", "level", "start_date", "end_date",
    ],
    "identities.csv": ["person_id", "system", "external_id"],
    "ai_activity.csv": ["occurred_on", "user", "tool", "metric", "value"],
    "tickets.csv": ["ticket_id", "assignee", "created_at", "resolved_at", "issue_type", "status"],
}  # fmt: skip


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoReport, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    report = generate(
        tmp_path_factory.mktemp("demo") / "input",
        people=PEOPLE,
        weeks=WEEKS,
        seed=SEED,
        end=END,
        progress=lambda done, total: calls.append((done, total)),
    )
    return report, calls


@pytest.fixture(scope="module")
def out(generated: tuple[DemoReport, list[tuple[int, int]]]) -> Path:
    return generated[0].out_dir


@pytest.fixture(scope="module")
def con(out: Path, generated: tuple[DemoReport, list[tuple[int, int]]]) -> duckdb.DuckDBPyConnection:
    """The files as tables, users resolved to people, and per person-week figures."""
    first_week = generated[0].first_week
    db = duckdb.connect()
    db.execute(f"""
        create table people as select * from read_csv('{out}/people.csv', all_varchar = true);
        create table identities as select * from read_csv('{out}/identities.csv', all_varchar = true);
        create table usage as select * from read_parquet('{out}/ai_usage/*/*.parquet', hive_partitioning = false);
        create table prs as select * from read_parquet('{out}/pull_requests.parquet');
        create table tickets as select * from read_csv('{out}/tickets.csv', all_varchar = true);
        create table activity as select * from read_csv('{out}/ai_activity.csv', all_varchar = true);
        create table resolver as
            select lower(email) as account, person_id from people
            union select lower(external_id), person_id from identities
            union select lower(person_id), person_id from people;
        create table weeks as
            select (date '{first_week}' + to_days(7 * i::integer))::date as week from range({WEEKS}) as t(i);
        create table scope as
            select p.person_id, p.role, w.week from people as p cross join weeks as w
            where coalesce(p.start_date::date <= w.week + interval 6 day, true) and coalesce(p.end_date::date >= w.week, true);
        create table weekly_tokens as
            select r.person_id, date_trunc('week', u.occurred_at at time zone 'UTC')::date as week,
                   sum(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens) as tokens
            from usage as u join resolver as r on r.account = lower(u."user") group by all;
        create table weekly_merged as
            select r.person_id, date_trunc('week', merged_at at time zone 'UTC')::date as week, count(*) as prs
            from prs join resolver as r on r.account = lower(coalesce(prs.delegator, prs.author))
            where merged_at is not null group by all;
        create table ai_users as
            select s.person_id, s.role, avg(coalesce(t.tokens, 0)) as tokens, avg(coalesce(m.prs, 0)) as prs
            from scope as s left join weekly_tokens as t using (person_id, week)
            left join weekly_merged as m using (person_id, week)
            where s.person_id in (select person_id from weekly_tokens) group by all;
        create table deciles as select *, ntile(10) over (order by tokens, person_id) as decile from ai_users;
    """)
    return db


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def all_files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# --- the contract ---------------------------------------------------------------------------------


def test_writes_one_usage_partition_per_day_of_the_period(out: Path) -> None:
    days = [END - timedelta(days=n) for n in range(7 * WEEKS)][::-1]
    assert sorted(p.name for p in (out / "ai_usage").iterdir()) == [f"date={day}" for day in days]
    assert all((out / "ai_usage" / f"date={day}" / "part-0.parquet").is_file() for day in days)


def test_ai_usage_has_the_contract_arrow_types(out: Path) -> None:
    for path in (out / "ai_usage").glob("*/part-0.parquet"):
        assert pq.read_schema(path).remove_metadata().equals(AI_USAGE_SCHEMA), path


def test_usage_rows_fall_on_their_partition_day(out: Path) -> None:
    for path in sorted((out / "ai_usage").glob("*/part-0.parquet"))[::13]:
        day = path.parent.name.removeprefix("date=")
        days = pq.read_table(path, columns=["occurred_at"]).column(0).cast(pa.date32()).unique().to_pylist()
        assert [str(d) for d in days] == [day]


def test_pull_requests_have_the_contract_arrow_types(out: Path) -> None:
    assert pq.read_schema(out / "pull_requests.parquet").remove_metadata().equals(PULL_REQUESTS_SCHEMA)


@pytest.mark.parametrize("file", sorted(CSV_COLUMNS))
def test_csv_tables_have_the_contract_columns(out: Path, file: str) -> None:
    assert pl.read_csv(out / file, n_rows=1, infer_schema=False).columns == CSV_COLUMNS[file]


def test_csv_timestamps_are_iso_8601_utc_with_z(out: Path) -> None:
    tickets = pl.read_csv(out / "tickets.csv", infer_schema=False)
    iso = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
    assert tickets["created_at"].str.contains(iso).all()
    assert tickets["resolved_at"].drop_nulls().str.contains(iso).all()
    dates = r"^\d{4}-\d{2}-\d{2}$"
    assert pl.read_csv(out / "ai_activity.csv", infer_schema=False)["occurred_on"].str.contains(dates).all()


def test_report_describes_what_was_written(
    generated: tuple[DemoReport, list[tuple[int, int]]], con: duckdb.DuckDBPyConnection
) -> None:
    report, progress = generated
    assert (report.people, report.weeks) == (PEOPLE, WEEKS)
    assert report.first_week == END - timedelta(days=7 * WEEKS - 1) and report.first_week.weekday() == 0
    assert report.last_week == END - timedelta(days=6)
    counted = {
        table: scalar(con, f"select count(*) from {table}") for table in ("people", "identities", "prs")
    }
    assert report.rows["people"] == counted["people"] and report.rows["identities"] == counted["identities"]
    assert report.rows["pull_requests"] == counted["prs"]
    assert report.rows["ai_usage"] == scalar(con, "select count(*) from usage")
    assert report.rows["tickets"] == scalar(con, "select count(*) from tickets")
    assert report.rows["ai_activity"] == scalar(con, "select count(*) from activity")
    assert progress == [(day, 7 * WEEKS) for day in range(1, 7 * WEEKS + 1)]


def test_default_end_is_the_last_sunday_strictly_before_today() -> None:
    assert most_recent_sunday_before(date(2026, 3, 25)) == date(2026, 3, 22)  # a Wednesday
    assert most_recent_sunday_before(date(2026, 3, 23)) == date(2026, 3, 22)  # a Monday
    assert most_recent_sunday_before(date(2026, 3, 29)) == date(2026, 3, 22)  # a Sunday: the one before


def test_end_must_be_a_sunday(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Sunday"):
        generate(tmp_path, people=20, weeks=2, end=date(2026, 3, 27))


# --- determinism ----------------------------------------------------------------------------------


def test_same_seed_and_arguments_write_identical_bytes(out: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", people=PEOPLE, weeks=WEEKS, seed=SEED, end=END)
    assert all_files(tmp_path / "again") == all_files(out)


def test_another_seed_writes_another_organization(out: Path, tmp_path: Path) -> None:
    generate(tmp_path / "other", people=PEOPLE, weeks=WEEKS, seed=SEED + 1, end=END)
    other, original = all_files(tmp_path / "other"), all_files(out)
    assert other.keys() == original.keys()
    assert all(
        other[name] != original[name] for name in ("people.csv", "pull_requests.parquet", "tickets.csv")
    )


# --- keys and identities --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("people", "person_id"),
        ("people", "lower(email)"),
        ("usage", "event_id"),
        ("prs", "repo, number"),
        ("tickets", "ticket_id"),
        ("identities", "system, lower(external_id)"),
    ],
)
def test_keys_are_unique(con: duckdb.DuckDBPyConnection, table: str, key: str) -> None:
    assert scalar(con, f"select count(*) - count(distinct ({key})) from {table}") == 0


def test_ids_look_like_the_systems_they_come_from(con: duckdb.DuckDBPyConnection) -> None:
    patterns = {
        "github": r"^[a-z]+[0-9]+$",
        "jira": r"^[0-9a-f]{24}$",
        "openai": r"^user-[A-Za-z0-9]{24}$",
        "api_key": r"^key-[a-z0-9]+-(laptop|ci)$",
    }
    for system, pattern in patterns.items():
        ids = [
            row[0]
            for row in con.execute("select external_id from identities where system = ?", [system]).fetchall()
        ]
        assert ids and all(re.match(pattern, external_id) for external_id in ids), system
    assert scalar(con, "select count(distinct person_id) from identities where system = 'github'") == PEOPLE
    assert (
        scalar(con, "select count(*) from identities where person_id not in (select person_id from people)")
        == 0
    )
    assert scalar(con, r"select bool_and(regexp_matches(person_id, '^p\d{5}$')) from people")
    assert scalar(con, r"select bool_and(regexp_matches(ticket_id, '^[A-Z][A-Z0-9]+-\d+$')) from tickets")


def test_every_usage_user_resolves_except_the_contractor(con: duckdb.DuckDBPyConnection) -> None:
    unmatched = con.execute(
        "select distinct u.user from usage as u anti join resolver as r on r.account = lower(u.user)"
    ).fetchall()
    assert unmatched == [(CONTRACTOR_EMAIL,)]
    assert scalar(con, "select count(*) from usage where user in (select person_id from people)") > 0
    assert scalar(con, "select count(*) from usage where user <> lower(user) and tool = 'cursor'") > 0


def test_the_contractor_is_in_the_data_but_not_in_people(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(con, f"select count(*) from usage where user = '{CONTRACTOR_EMAIL}' and tool = 'claude-code'")
        > 0
    )
    assert scalar(con, f"select count(*) from prs where author = '{CONTRACTOR_LOGIN}'") > 0
    assert (
        scalar(
            con,
            f"select count(*) from resolver where account in ('{CONTRACTOR_EMAIL}', '{CONTRACTOR_LOGIN}')",
        )
        == 0
    )


# --- the organization -----------------------------------------------------------------------------


def test_a_hierarchy_with_one_top_and_managers_of_five_to_ten(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "select count(*) from people where manager_id is null") == 1
    assert (
        scalar(con, "select count(*) from people where manager_id not in (select person_id from people)") == 0
    )
    reports = con.execute("""
        select count(*) from people as p join people as m on p.manager_id = m.person_id
        where m.role = 'manager' group by m.person_id
    """).fetchall()
    assert reports and all(5 <= count <= 10 for (count,) in reports)
    assert {row[0] for row in con.execute("select distinct role from people").fetchall()} == {
        "engineer", "manager", "director",
    }  # fmt: skip
    assert scalar(con, "select bool_and(level in ('L3', 'L4', 'L5', 'L6', 'L7', 'L8')) from people")
    assert PEOPLE / 11 <= scalar(con, "select count(distinct team) from people") <= PEOPLE / 6


def test_people_join_and_leave_during_the_period(con: duckdb.DuckDBPyConnection) -> None:
    joiners = scalar(
        con, "select count(*) from people where start_date::date >= (select min(week) from weeks)"
    )
    leavers = scalar(con, "select count(*) from people where end_date is not null")
    assert 0.06 * PEOPLE <= joiners <= 0.14 * PEOPLE
    assert 0.05 * PEOPLE <= leavers <= 0.11 * PEOPLE
    assert scalar(con, "select count(*) from people where start_date is null") > 0


# --- AI usage -------------------------------------------------------------------------------------


def test_every_model_is_priced_except_the_one_internal_model(con: duckdb.DuckDBPyConnection) -> None:
    models = {row[0] for row in con.execute("select distinct model from usage").fetchall()}
    assert models - set(load_prices()) == {UNPRICED_MODEL}


def test_copilot_reports_requests_but_no_tokens(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute("""
        select count(*), bool_and(not tokens_reported), max(input_tokens + output_tokens + cache_read_tokens
               + cache_write_tokens), min(requests)
        from usage where tool = 'copilot'
    """).fetchone()
    assert row is not None and row[0] > 0 and row[1] and row[2] == 0 and row[3] == 1
    assert scalar(con, "select bool_and(tokens_reported) from usage where tool <> 'copilot'")
    assert (
        scalar(
            con,
            "select count(*) from usage where user not in (select external_id from identities) and tool = 'copilot'",
        )
        == 0
    )


def test_only_cursor_reports_cost_at_list_prices(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "select count(*) from usage where (cost_usd is not null) <> (tool = 'cursor')") == 0
    prices = load_prices()
    cursor = con.execute("""
        select model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd
        from usage where tool = 'cursor' using sample 200 rows (reservoir, 1)
    """).fetchall()
    for model, *tokens, cost in cursor:
        expected = sum(count * price for count, price in zip(tokens, prices[model], strict=True)) / 1e6
        assert cost == pytest.approx(expected, abs=1e-6)


def test_claude_code_reads_mostly_from_cache(con: duckdb.DuckDBPyConnection) -> None:
    share = scalar(
        con,
        """
        select sum(cache_read_tokens) / sum(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens)
        from usage where tool = 'claude-code'
    """,
    )
    assert share > 0.7


def test_usage_is_heavy_tailed(con: duckdb.DuckDBPyConnection) -> None:
    """The top decile's median mean weekly tokens is about 10x the median AI user's."""
    multiple = scalar(
        con,
        """
        select (select median(tokens) from deciles where decile = 10) / median(tokens) from ai_users
    """,
    )
    assert 7 <= multiple <= 14
    assert multiple == pytest.approx(DemoTruth().top_decile_token_multiple, rel=0.1)


def test_adoption_rises_from_a_quarter_to_four_in_five(con: duckdb.DuckDBPyConnection) -> None:
    rates = [
        rate
        for _, rate in con.execute("""
            select s.week, count(distinct t.person_id) / count(distinct s.person_id)
            from scope as s left join weekly_tokens as t using (person_id, week) group by 1 order by 1
        """).fetchall()
    ]
    assert 0.20 <= rates[0] <= 0.35
    assert all(0.70 <= rate <= 0.90 for rate in rates[-2:])
    assert rates[-1] - rates[0] > 0.4


def test_tokenmaxxers_spend_jumps_3_to_10x_for_weeks(
    con: duckdb.DuckDBPyConnection, generated: tuple[DemoReport, list[tuple[int, int]]]
) -> None:
    report = generated[0]
    episodes = report.tokenmaxxing_weeks or {}
    assert len(episodes) == round(0.02 * PEOPLE) and all(len(weeks) >= 4 for weeks in episodes.values())
    rows = [(pid, report.first_week + timedelta(weeks=w)) for pid, weeks in episodes.items() for w in weeks]
    con.execute("create or replace temp table episode (person_id varchar, week date)")
    con.executemany("insert into episode values (?, ?)", rows)
    jumps = con.execute("""
        with marked as (
            select t.person_id, t.tokens, e.week is not null as in_episode
            from weekly_tokens as t left join episode as e using (person_id, week)
            where t.person_id in (select person_id from episode)
        )
        select person_id, median(tokens) filter (where in_episode) / median(tokens) filter (where not in_episode)
        from marked group by all
    """).fetchall()
    ratios = sorted(ratio for _, ratio in jumps)
    assert len(ratios) == len(episodes)
    assert 2.5 <= ratios[len(ratios) // 2] <= 12 and ratios[0] >= 1.5  # 3-10x on top of weekly wobble


def test_agent_loops_burn_tokens_around_the_clock_every_day(
    con: duckdb.DuckDBPyConnection, generated: tuple[DemoReport, list[tuple[int, int]]]
) -> None:
    report = generated[0]
    assert report.looping and set(report.looping) <= set(report.tokenmaxxers)
    weeks = report.tokenmaxxing_weeks or {}
    rows = [(pid, report.first_week + timedelta(weeks=w)) for pid in report.looping for w in weeks[pid]]
    con.execute("create or replace temp table loop_weeks (person_id varchar, week date)")
    con.executemany("insert into loop_weeks values (?, ?)", rows)
    weekend_share = scalar(
        con,
        """
        select count(*) filter (where dayofweek(occurred_at at time zone 'UTC') in (0, 6)) / count(*)
        from usage as u join resolver as r on r.account = lower(u.user)
        join loop_weeks as l on l.person_id = r.person_id
            and l.week = date_trunc('week', u.occurred_at at time zone 'UTC')::date
    """,
    )
    assert weekend_share == pytest.approx(2 / 7, abs=0.05)


def test_activity_reports_copilot_and_claude_code_signals(con: duckdb.DuckDBPyConnection) -> None:
    metrics = set(con.execute("select distinct tool, metric from activity").fetchall())
    assert metrics == {
        ("copilot", "suggestions"), ("copilot", "acceptances"), ("copilot", "lines_accepted"),
        ("claude-code", "sessions"), ("claude-code", "commits"),
    }  # fmt: skip
    assert (
        scalar(con, "select count(*) - count(distinct (occurred_on, user, tool, metric)) from activity") == 0
    )
    assert (
        scalar(
            con,
            "select count(*) from activity where tool = 'copilot' and user not in (select external_id from identities)",
        )
        == 0
    )


# --- output ---------------------------------------------------------------------------------------


def test_engineers_merge_a_few_prs_a_week_and_leaders_fewer(con: duckdb.DuckDBPyConnection) -> None:
    per_person_week = {
        role: (prs, tokens)
        for role, prs, tokens in con.execute("""
            select s.role, sum(coalesce(m.prs, 0)) / count(*), sum(coalesce(t.tokens, 0)) / count(*)
            from scope as s left join weekly_merged as m using (person_id, week)
            left join weekly_tokens as t using (person_id, week) group by 1
        """).fetchall()
    }
    assert 1.5 <= per_person_week["engineer"][0] <= 4.5
    for leader in ("manager", "director"):
        assert per_person_week[leader][0] < per_person_week["engineer"][0] / 2
        assert per_person_week[leader][1] < per_person_week["engineer"][1] / 2


def test_the_top_decile_ships_about_twice_the_median(con: duckdb.DuckDBPyConnection) -> None:
    multiple = scalar(
        con, "select (select median(prs) from deciles where decile = 10) / median(prs) from ai_users"
    )
    assert 1.4 <= multiple <= 3


def test_pull_requests_include_bots_unmerged_and_reverts(con: duckdb.DuckDBPyConnection) -> None:
    bots = {
        row[0] for row in con.execute("select distinct author from prs where author like '%[bot]'").fetchall()
    }
    assert bots == {"dependabot[bot]", "renovate[bot]"}
    unmerged = scalar(con, "select avg((merged_at is null)::int) from prs where author not like '%[bot]'")
    assert 0.10 <= unmerged <= 0.20
    reverts = con.execute("""
        select r.repo, r.number, count(o.number) as originals
        from prs as r left join prs as o
          on o.repo = r.repo and r.title = 'Revert "' || o.title || '"'
         and o.merged_at < r.created_at and r.merged_at - o.merged_at <= interval 21 days
        where r.title like 'Revert "%' group by all
    """).fetchall()
    assert len(reverts) >= 3 and all(originals >= 1 for _, _, originals in reverts)
    assert scalar(con, "select count(*) from prs where title like 'Revert \"%' and author like '%[bot]'") == 0
    assert scalar(con, "select count(*) from prs where created_at > merged_at") == 0


def test_tickets_track_output(con: duckdb.DuckDBPyConnection) -> None:
    closed_per_engineer_week = scalar(
        con,
        """
        select count(*) / (select count(*) from scope where role = 'engineer')
        from tickets join resolver as r on r.account = lower(tickets.assignee)
        join people using (person_id) where role = 'engineer' and resolved_at is not null
    """,
    )
    assert 1.0 <= closed_per_engineer_week <= 2.0
    assert 0.20 <= scalar(con, "select avg((issue_type = 'Bug')::int) from tickets") <= 0.30
    assert scalar(con, "select count(*) from tickets where assignee is null") > 0
    assert scalar(con, "select count(*) from tickets where assignee like '%@acme.example'") > 0
    correlation = scalar(
        con,
        """
        with closed as (
            select r.person_id, count(*) as tickets from tickets join resolver as r on r.account = lower(assignee)
            where resolved_at is not null group by 1
        ),
        merged as (select person_id, sum(prs) as prs from weekly_merged group by 1)
        select corr(coalesce(tickets, 0), coalesce(prs, 0)) from people left join closed using (person_id)
        left join merged using (person_id)
    """,
    )
    assert correlation > 0.5


def test_a_growing_share_of_merged_prs_is_agent_authored(con: duckdb.DuckDBPyConnection) -> None:
    by_half = con.execute("""
        select merged_at < (select min(merged_at) + (max(merged_at) - min(merged_at)) / 2 from prs) as early,
               avg((agent is not null)::int) as share
        from prs where merged_at is not null and author not like '%[bot]' group by all order by early
    """).fetchall()
    (_, late), (_, early) = by_half
    assert 0.02 <= early < late <= 0.3
    # the Copilot coding agent's PRs name who delegated them; Claude Code's stay their author's
    assert scalar(con, "select count(*) from prs where author = 'Copilot' and delegator is null") == 0
    assert scalar(con, "select count(*) from prs where agent = 'claude' and delegator is not null") == 0
    unreviewed = scalar(con, "select avg((not human_reviewed)::int) from prs where agent is not null")
    assert 0.05 <= unreviewed <= 0.2
