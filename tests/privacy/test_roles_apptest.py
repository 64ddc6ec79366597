"""The whole app (app.py) in Streamlit's AppTest, signed in as each role on the demo warehouse:
which pages the navigation offers, that each runs, that no page shows anyone outside the viewer's
scope or a number in a suppressed cell, and that person-level views reach the audit log.

One AppTest per role visits every page it is offered once (module fixture); the tests read what
each page showed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from pipelines.metrics.filters import Filters
from pipelines.privacy import audit, views
from pipelines.privacy.viewer import resolve
from tests.timeouts import APPTEST_TIMEOUT

from .conftest import UNKNOWN

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ROLES = ("individual", "manager", "leader", "analyst", "admin")
PERSONAL = {"My data", "My team"}
ADMIN_ONLY = {"Audit"}
WHOLE_ORG_ONLY = {"Data"}


@dataclass
class Visit:
    """What one page showed, and how many audit rows visiting it added."""

    text: str
    tables: list[pd.DataFrame]
    charts: list[dict]
    audit_rows: pd.DataFrame
    exceptions: list[str]
    errors: list[str]


@dataclass
class Session:
    email: str
    pages: list[str]
    visits: dict[str, Visit] = field(default_factory=dict)


@pytest.fixture(scope="module")
def environment(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    audit_path = tmp_path_factory.mktemp("audit") / "audit.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOKENYIELD_DB", str(demo_warehouse))
        patch.setenv("TOKENYIELD_AUDIT_DB", str(audit_path))
        patch.delenv("TOKENYIELD_LOCAL_VIEWER", raising=False)
        patch.delenv("TOKENYIELD_ADOPTION_TARGET", raising=False)
        yield audit_path


def shown(at: AppTest) -> tuple[str, list[pd.DataFrame], list[dict]]:
    """Every text, table, chart and widget option the page drew (sidebar included)."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "info",
        "warning",
        "error",
        "success",
        "code",
    ):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{m.label} {m.value} {m.delta or ''} {m.proto.help}" for m in at.metric]
    for widget in ("selectbox", "multiselect"):
        for w in at.get(widget):
            parts += [str(o) for o in w.options]
    tables = [df.value for df in at.dataframe] + [t.value for t in at.table]
    parts += [t.to_csv() for t in tables]
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    parts += [json.dumps(c["data"]) for c in charts]
    return "\n".join(parts), tables, charts


def audit_count(path: Path) -> int:
    return audit.read(path).shape[0]


def visit_all(email: str, audit_path: Path) -> Session:
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.user = {"is_logged_in": True, "email": email, "email_verified": True}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    pages = list(at._registered_pages.values())
    session = Session(email, [p["page_name"] for p in pages])
    for page in pages:
        before = audit_count(audit_path)
        at.switch_page(page["script_path"]).run()
        text, tables, charts = shown(at)
        log = audit.read(audit_path).to_pandas()
        session.visits[page["page_name"]] = Visit(
            text,
            tables,
            charts,
            log[log["seq"] > before],
            [e.message for e in at.exception],
            [str(e.value) for e in at.error],
        )
        if page["page_name"] == "My team" and at.selectbox:
            choice = at.selectbox[0]
            before = audit_count(audit_path)
            choice.select(choice.options[0]).run()
            text, tables, charts = shown(at)
            log = audit.read(audit_path).to_pandas()
            session.visits["My team: one report"] = Visit(
                text, tables, charts, log[log["seq"] > before], [e.message for e in at.exception], []
            )
    return session


@pytest.fixture(scope="module")
def sessions(environment: Path, emails: dict[str, str]) -> dict[str, Session]:
    return {role: visit_all(emails[role], environment) for role in ROLES}


def outsiders(con: duckdb.DuckDBPyConnection, email: str) -> set[str]:
    """Names, emails, roster ids and person_keys of everyone the viewer may not see as a person."""
    viewer = resolve(con, email)
    allowed = set(viewer.visible_people())
    rows = con.execute("select person_key, person_id, lower(email), name from dim_people").fetchall()
    seen_names = {r[3] for r in rows if r[0] in allowed}
    secret = set()
    for key, person_id, mail, name in rows:
        if key in allowed:
            continue
        secret |= {key, person_id, mail}
        if name not in seen_names:  # two people may share a name
            secret.add(name)
    return secret


# ---- navigation ----------------------------------------------------------------------------


def test_each_role_gets_its_pages(sessions):
    pages = {role: set(s.pages) for role, s in sessions.items()}
    assert sessions["individual"].pages == ["My data"]
    aggregates = pages["analyst"] - WHOLE_ORG_ONLY
    assert {"Overview", "Efficiency", "Teams"} <= aggregates and not aggregates & (PERSONAL | ADMIN_ONLY)
    assert pages["manager"] == aggregates | PERSONAL  # no Data page, no Audit
    assert pages["leader"] == aggregates | WHOLE_ORG_ONLY | PERSONAL  # the demo's CTO has direct reports
    assert pages["analyst"] == aggregates | WHOLE_ORG_ONLY
    assert pages["admin"] == aggregates | WHOLE_ORG_ONLY | ADMIN_ONLY  # not in the roster: no My data
    assert sessions["manager"].pages[0] == "Overview" and sessions["individual"].pages[0] == "My data"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_runs_for_every_role(sessions, role):
    for page, visit in sessions[role].visits.items():
        assert visit.exceptions == [], (role, page)
        assert visit.errors == [], (role, page)


# ---- scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_anyone_outside_the_viewers_scope(sessions, con, emails, role):
    secret = outsiders(con, emails[role])
    assert len(secret) > 400
    pattern = re.compile(
        r"(?<![\w.@-])("
        + "|".join(re.escape(s) for s in sorted(secret, key=len, reverse=True))
        + r")(?![\w@-])",
        re.IGNORECASE,
    )
    for page, visit in sessions[role].visits.items():
        leaked = {found.lower() for found in pattern.findall(visit.text)}
        if page == "Audit":  # by design: who viewed (viewer emails) whose data (pseudonyms), for admins
            log = visit.tables[0]
            leaked -= set(log["viewer_email"].str.lower()) | set(log["subject_person_key"].dropna())
        assert sorted(leaked) == [], (role, page, sorted(leaked)[:5])


def test_the_checker_would_see_a_name_it_may_not(sessions, con, emails):
    """The scope test above is not vacuous: the manager's My team names people, and those names
    are outsiders for a peer individual."""
    reports = sessions["manager"].visits["My team"].tables[0]["Name"].tolist()
    assert reports and all(name in outsiders(con, emails["individual"]) for name in reports)


def test_an_individuals_pages_name_only_themself(sessions, con, emails):
    own = con.execute(
        "select name from dim_people where lower(email) = ?", [emails["individual"]]
    ).fetchone()[0]
    visit = sessions["individual"].visits["My data"]
    assert emails["individual"] in visit.text and visit.charts and visit.tables
    assert "name" not in visit.tables[0].columns or visit.tables[0]["name"].unique().tolist() in ([], [own])


# ---- suppression -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ("manager", "leader", "analyst", "admin"))
def test_suppressed_team_rows_are_one_line_and_carry_no_number(sessions, role):
    visit = sessions[role].visits["Teams"]
    table = next(t for t in visit.tables if "team" in t.columns and "person_weeks" in t.columns)
    assert (table["people"] >= 5).all() and not table["people"].isna().any()
    if role != "manager":  # the top of the organization: too few people in any week, said in one line
        assert re.search(r"\d+ teams? under 5 people (is|are) not shown", visit.text)


def test_the_teams_charts_carry_no_figure_for_a_suppressed_team(sessions, con, emails):
    visit = sessions["leader"].visits["Teams"]
    level = views.team_level(con, resolve(con, emails["leader"]), Filters())
    hidden = set(level.table.filter(level.table["suppressed"])["team"])
    assert hidden
    for chart in visit.charts:
        for trace in chart["data"]:
            for labels, values in (("x", "y"), ("y", "x")):
                xs, ys = trace.get(labels), trace.get(values)
                if not isinstance(xs, list) or not isinstance(ys, list) or len(xs) != len(ys):
                    continue
                for label, value in zip(xs, ys, strict=True):
                    if label in hidden:
                        assert value is None, (chart["layout"].get("title"), label, value)
            assert not hidden & set(trace.get("y") or []), chart["layout"].get("title")


# ---- person-level views ------------------------------------------------------------------------


def test_my_team_lists_the_direct_reports_in_name_order(sessions, con, emails):
    table = sessions["manager"].visits["My team"].tables[0]  # a static table: no sorting, no download
    assert table["Name"].tolist() == sorted(table["Name"].tolist())
    manager = resolve(con, emails["manager"])
    names = {
        r[0]
        for r in con.execute(
            "select name from dim_people where person_key in (select unnest(?))", [list(manager.reports)]
        ).fetchall()
    }
    assert set(table["Name"]) == names and "person_key" not in table.columns


def test_viewing_my_data_and_my_team_is_audited(sessions, con, emails):
    manager = resolve(con, emails["manager"])
    mine = sessions["manager"].visits["My data"].audit_rows
    assert mine[["viewer_email", "viewer_role", "action", "subject_person_key"]].values.tolist() == [
        [emails["manager"], "manager", "view: person weeks", manager.person_key]
    ]
    team = sessions["manager"].visits["My team"].audit_rows
    assert set(team["subject_person_key"]) == set(manager.reports)
    assert set(team["action"]) == {"view: direct reports"}
    one = sessions["manager"].visits["My team: one report"].audit_rows
    assert len(one[one["action"] == "view: person weeks"]) >= 1
    assert set(one["subject_person_key"]) <= set(manager.reports)
    for role in ("analyst", "admin"):  # aggregates only: nothing person-level to record
        for page, visit in sessions[role].visits.items():
            assert visit.audit_rows.empty, (role, page)


def test_the_audit_page_shows_the_log_and_its_chain_to_admins(sessions):
    visit = sessions["admin"].visits["Audit"]
    assert "Hash chain:" in visit.text and "intact, " in visit.text and " entries" in visit.text
    log = visit.tables[0]
    assert {"viewer_email", "action", "subject_person_key"} <= set(log.columns) and len(log) > 0
    assert "email" not in log.columns and "name" not in log.columns


# ---- no viewer -----------------------------------------------------------------------------------


def test_without_sign_in_or_local_viewer_the_app_refuses_and_shows_no_data(environment):
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT).run()
    assert not at.exception
    refusal = " ".join(str(e.value) for e in at.error)
    assert "no local viewer is set" in refusal and "no data is shown" in refusal
    assert not at.get("plotly_chart") and not at.dataframe and not at.metric


def test_with_an_identity_provider_the_app_asks_to_sign_in_and_shows_no_data(environment):
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x",
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.get("plotly_chart") and not at.dataframe and not at.metric and not at.error


def test_an_unknown_signed_in_email_sees_nothing(environment):
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.user = {"is_logged_in": True, "email": UNKNOWN, "email_verified": True}
    at.run()
    assert not at.exception
    assert "neither in the roster nor in the access file" in " ".join(str(e.value) for e in at.error)
    assert not at.get("plotly_chart") and not at.dataframe and not at.metric


def test_the_local_demo_viewer_is_switched_on_explicitly(environment, monkeypatch):
    monkeypatch.setenv("TOKENYIELD_LOCAL_VIEWER", "demo-leader")
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT).run()
    assert not at.exception and at.title[0].value == "Overview"
    assert any("(leader)" in str(c.value) for c in at.caption)
