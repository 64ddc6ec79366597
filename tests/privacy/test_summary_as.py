"""`tokenyield summary --as EMAIL`: the headline figures under the viewer's rules, audited."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.privacy import audit


def summary(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["summary", "--db", str(db), *args])
    return result.exit_code, result.output


def test_a_leader_sees_the_whole_organization_and_is_named(
    demo_warehouse: Path, emails: dict[str, str]
) -> None:
    code, out = summary(demo_warehouse, "--json", "--as", emails["leader"])
    assert code == 0, out
    mine = json.loads(out)
    code, out = summary(demo_warehouse, "--json")
    everything = json.loads(out)
    assert mine["viewer"]["role"] == "leader" and mine["viewer"]["k"] == 5  # demo-leader: the CTO's email
    assert "@" in mine["viewer"]["email"]
    # the organization's weeks are released exactly: its totals are the owner's totals
    assert mine["tokens_total"] == everything["tokens_total"]
    assert mine["merged_prs_total"] == everything["merged_prs_total"]
    latest = everything["period_end"]
    (headcount,) = (
        duckdb.connect(str(demo_warehouse), read_only=True)
        .execute(
            "select count(*) from fct_person_weeks where week = (select max(week) from fct_person_weeks)"
        )
        .fetchone()
    )
    assert mine["people"] == headcount and latest


def test_a_manager_sees_only_their_org(
    demo_warehouse: Path, emails: dict[str, str], con: duckdb.DuckDBPyConnection
) -> None:
    code, out = summary(demo_warehouse, "--json", "--as", emails["manager"])
    assert code == 0, out
    shown = json.loads(out)
    (org,) = con.execute(
        """with recursive org(person_id) as (
               select person_id from dim_people where lower(email) = ?
               union select d.person_id from dim_people d join org on d.manager_id = org.person_id)
           select count(*) from org""",
        [emails["manager"]],
    ).fetchone()
    # people: the latest week's headcount over the released cells of the units in their org
    (released,) = con.execute(
        """with recursive org(person_id) as (
               select person_id from dim_people where lower(email) = ?
               union select d.person_id from dim_people d join org on d.manager_id = org.person_id),
           units as (select distinct release_unit from release_units
                     where release_unit in (select p.person_key from dim_people p semi join org using (person_id)))
           select sum(people) from release_unit_weeks
           where unit_key in (select release_unit from units) and released_people
             and week = (select max(week) from release_unit_weeks)""",
        [emails["manager"]],
    ).fetchone()
    assert shown["people"] == released and released <= org
    assert shown["top_decile_token_multiple"] is None  # ten deciles of a small org: under k each


def test_an_individual_or_a_stranger_gets_one_line_and_exit_1(
    demo_warehouse: Path, emails: dict[str, str]
) -> None:
    for email in (emails["individual"], "nobody@elsewhere.example"):
        code, out = summary(demo_warehouse, "--as", email)
        assert code == 1
        assert out.startswith("error: ") and len(out.strip().splitlines()) == 1 and "Traceback" not in out


@pytest.fixture(autouse=True)
def audit_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.duckdb"
    monkeypatch.setenv("TOKENYIELD_AUDIT_DB", str(path))
    return path


def test_summary_as_a_viewer_is_audited_before_it_prints(
    demo_warehouse: Path, emails: dict[str, str], audit_log: Path
) -> None:
    code, out = summary(demo_warehouse, "--json", "--as", emails["manager"], "--from", "2026-03-02")
    assert code == 0, out
    figures = json.loads(out)
    logged = audit.read(audit_log)
    assert logged.select("viewer_email", "viewer_role", "action", "detail").rows() == [
        (emails["manager"], "manager", "view: summary", f"{figures['period_start']}..{figures['period_end']}")
    ]
    assert audit.verify(audit_log) == (True, "intact, 1 entries")


def test_a_refused_summary_is_not_logged_and_an_unwritable_log_shows_nothing(
    demo_warehouse: Path, emails: dict[str, str], audit_log: Path, tmp_path: Path, monkeypatch
) -> None:
    code, _ = summary(demo_warehouse, "--as", emails["individual"])
    assert code == 1 and audit.read(audit_log).is_empty()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("TOKENYIELD_AUDIT_DB", str(blocker / "audit.duckdb"))
    code, out = summary(demo_warehouse, "--json", "--as", emails["manager"])
    assert code == 1 and out.startswith("error: ") and "people" not in out  # no figures without an entry
