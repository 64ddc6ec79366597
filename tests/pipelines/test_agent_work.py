"""Agent-authored work end to end: `tokenyield fetch github` against a real 127.0.0.1 server serving
recorded pages, `tokenyield build`, then `summary --json` and the warehouse's per-PR credit.

A PR by `Copilot` assigned to a roster person, a PR whose commit carries Claude Code's co-author
trailer, and a `devin-ai-integration[bot]` PR naming its requester are each credited to that
person and counted as agent work; the unreviewed agent PR counts as merged without human review;
Dependabot stays never-output.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.metrics import agent_work
from pipelines.metrics.filters import Filters
from pipelines.privacy import views
from pipelines.privacy.viewer import Viewer
from tests.sources.conftest import LocalServer, serve_github_details

REPO = "acme/api"
PEOPLE = {"alice": "alice-gh", "bob": "bob-gh", "carol": "carol-gh", "dave": "dave-gh"}


def pull(number: int, login: str, merged: str | None, **extra: object) -> dict:
    return {
        "number": number,
        "title": f"Change {number}",
        "user": {"login": login},
        "created_at": "2026-03-02T09:00:00Z",
        "updated_at": merged or "2026-03-02T09:00:00Z",
        "merged_at": merged,
        "head": {"ref": extra.pop("ref", f"feature-{number}")},
        "base": {"repo": {"full_name": REPO}},
        "assignees": extra.pop("assignees", []),
        "body": extra.pop("body", None),
    }


def commit(message: str) -> dict:
    return {"sha": "0" * 40, "commit": {"message": message, "author": {"name": "x", "email": "x@acme.io"}}}


def approval(login: str, at: str) -> dict:
    return {
        "id": 1,
        "user": {"login": login},
        "state": "APPROVED",
        "submitted_at": at,
        "html_url": f"https://github.com/{REPO}/pull/0#pullrequestreview-1",
    }


PULLS = [
    pull(  # the Copilot coding agent, assigned by alice; nobody approves it
        1,
        "Copilot",
        "2026-03-03T10:00:00Z",
        ref="copilot/fix-retries",
        assignees=[{"login": "alice-gh"}, {"login": "Copilot"}],
        body="Adds retries.\n\n<!-- START COPILOT CODING AGENT SUFFIX -->\n\n- Fixes #3",
    ),
    pull(2, "bob-gh", "2026-03-04T10:00:00Z"),  # bob's, written with Claude Code (its commit says so)
    pull(  # Devin, asked by carol; dave approves it before the merge
        3,
        "devin-ai-integration[bot]",
        "2026-03-05T10:00:00Z",
        ref="devin/1764699639-cache",
        body="Link to Devin run: https://app.devin.ai/sessions/abc\nRequested by: @carol-gh",
    ),
    pull(4, "dave-gh", "2026-03-05T12:00:00Z"),  # plain human work
    pull(5, "dependabot[bot]", "2026-03-05T13:00:00Z"),  # never output
    pull(6, "Copilot", None, assignees=[{"login": "bob-gh"}]),  # open: not merged work
    pull(7, "Copilot", None),  # open, and nobody to credit: unmatched under the agent's login
]
COMMITS = {2: [commit("Add cache\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>")]}
REVIEWS = {
    2: [approval("alice-gh", "2026-03-04T09:00:00Z")],
    3: [approval("dave-gh", "2026-03-05T09:00:00Z")],
}


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def built(tmp_path: Path, local_server: LocalServer) -> Path:
    local_server.add("GET", f"/repos/{REPO}/pulls", json=PULLS)
    serve_github_details(local_server, REPO, PULLS, COMMITS, REVIEWS)
    folder = tmp_path / "input"
    folder.mkdir()
    write(
        folder / "people.csv",
        ["person_id", "email", "name", "team", "manager_id", "role", "level"],
        [[p, f"{p}@acme.io", p, "core", "" if p == "alice" else "alice", "engineer", "L4"] for p in PEOPLE],
    )
    write(
        folder / "identities.csv",
        ["person_id", "system", "external_id"],
        [[p, "github", g] for p, g in PEOPLE.items()],
    )
    write(
        folder / "ai_usage.csv",
        ["occurred_at", "user", "tool", "model", "input_tokens", "output_tokens"],
        [
            [f"2026-03-0{d}T10:00:00Z", f"{p}@acme.io", "claude-code", "claude-sonnet-4-5", 1000, 100]
            for p in PEOPLE
            for d in (2, 9)
        ],
    )
    # k = 3 for this four-person org, so that its release shows its weeks (docs/privacy.md)
    (folder / "access.toml").write_text('min_group_size = 3\nleaders = ["alice@acme.io"]\n')
    env = {"GITHUB_API_URL": local_server.url, "GITHUB_TOKEN": "tok", "TOKENYIELD_GITHUB_REPOS": REPO}
    runner = CliRunner()
    fetched = runner.invoke(app, ["fetch", "github", "--into", str(folder), "--since", "2026-03-01"], env=env)
    assert fetched.exit_code == 0, fetched.output
    db = tmp_path / "warehouse.duckdb"
    result = runner.invoke(app, ["build", "--input", str(folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def test_agent_prs_are_credited_to_who_delegated_them(built):
    with duckdb.connect(str(built), read_only=True) as con:
        credited = con.execute(
            "select m.number, p.person_id, m.agent, m.human_reviewed from fct_merged_pull_requests m "
            "join dim_people p using (person_key) order by m.number"
        ).fetchall()
        bots = con.execute("select bot_login, merged_prs from fct_bot_pull_requests").fetchall()

    assert credited == [
        (1, "alice", "copilot", False),
        (2, "bob", "claude", True),
        (3, "carol", "devin", True),
        (4, "dave", None, False),  # nobody approved it either, but it is no agent's
    ]
    assert bots == [("dependabot[bot]", 1)]


def test_summary_counts_agent_work_and_what_merged_without_a_human_review(built):
    result = CliRunner().invoke(app, ["summary", "--db", str(built), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)

    assert figures["merged_prs_total"] == 4  # dependabot's is not output
    assert figures["agent_merged_prs_total"] == 3
    assert figures["agent_merged_pr_share"] == pytest.approx(0.75)
    assert figures["merged_without_human_review_total"] == 1  # the Copilot PR nobody approved
    assert figures["merged_without_human_review_share"] == pytest.approx(1 / 3)
    assert figures["agent_people"] == 3


def test_the_split_compares_agent_and_human_prs_leaving_unsized_ones_out_of_size():
    w1, w2 = date(2026, 3, 2), date(2026, 3, 9)
    prs = pl.DataFrame(
        [
            ("k1", w1, True, "copilot", False, False, 100, 2.0),
            ("k1", w1, False, None, True, True, None, 4.0),  # no size given: out of lines per PR
            ("k2", w2, True, "claude", None, False, 50, 6.0),  # reviews not read
            ("k2", w2, False, None, True, False, 30, 8.0),
        ],
        schema=[
            "person_key",
            "week",
            "is_agent",
            "agent",
            "human_reviewed",
            "is_reverted",
            "changed_lines",
            "hours_to_merge",
        ],
        orient="row",
    )

    work = agent_work.of_prs(prs)

    assert (work.merged_prs, work.agent_merged_prs, work.share, work.agent_people) == (4, 2, 0.5, 2)
    assert (work.without_human_review, work.review_known, work.without_human_review_share) == (1, 1, 1.0)
    assert work.weekly.rows() == [(w1, 2, 1, 1, 0.5), (w2, 2, 1, 1, 0.5)]
    assert work.by_origin.select(
        "origin", "people", "merged_prs", "revert_rate", "lines_per_pr", "hours_to_merge"
    ).rows() == [
        ("agent", 2, 2, 0.0, 75.0, 4.0),
        ("human", 2, 2, 0.5, 30.0, 6.0),
    ]
    assert work.by_agent.rows() == [("claude", 1, 1), ("copilot", 1, 1)]


def test_a_viewer_sees_agent_figures_only_when_k_people_are_behind_them(built):
    with duckdb.connect(str(built), read_only=True) as con:
        leader = Viewer(email="lead@acme.io", roles=frozenset({"leader"}), k=3)
        shown = views.summary(con, leader, Filters())
        strict = views.summary(con, replace(leader, k=4), Filters())

    assert shown["agent_merged_prs_total"] == 3  # alice, bob and carol: 3 people credited
    assert strict["agent_merged_prs_total"] is None and strict["merged_without_human_review_total"] is None
    assert strict["merged_prs_total"] == shown["merged_prs_total"]


def test_the_dashboards_agent_figures_are_withheld_under_k(built):
    with duckdb.connect(str(built), read_only=True) as con:
        leader = Viewer(email="lead@acme.io", roles=frozenset({"leader"}), k=3)
        shown = views.agent_work(con, leader, Filters())
        strict = views.agent_work(con, replace(leader, k=4), Filters())

    assert shown is not None and shown.agent_merged_prs == 3  # alice, bob and carol: 3 people
    # human PRs are dave's alone (1 < k): hidden, and so the agent row with it, or it could be derived
    assert shown.by_origin["suppressed"].to_list() == [True, True]
    assert shown.weekly.select("agent_merged_prs", "agent_people").rows() == [(3, 3)]
    assert strict is None  # 3 people credited with agent PRs < k = 4


def test_an_agent_pr_with_nobody_to_credit_is_flagged_and_unmatched(built):
    with duckdb.connect(str(built), read_only=True) as con:
        flagged = con.execute(
            "select success, severity, unexpected_count, examples from validation_results "
            "where check_name = 'agent-authored PRs name the human who delegated them'"
        ).fetchall()
        unmatched = con.execute(
            "select identity_key, pull_requests, merged_prs from fct_unmatched_identities where source = 'pull_requests'"
        ).fetchall()

    assert flagged == [(False, "warning", 1, ["acme/api#7 by copilot"])]
    assert unmatched == [("copilot", 1, 0)]
