"""Agent-authored work (pipelines/agents.py) on real GitHub samples: commit trailers, the Copilot
coding agent's PR and its reviews, Devin's requester, and who counts as a human reviewer."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

import polars as pl
import pytest

from pipelines import agents
from pipelines.sources import github, gitlab

AGENT_SAMPLES = "github-agents"

# every commit of the DERIVED files, by its short sha: the agent its author or message names
COMMITS = {
    "9a282c83": "claude",  # "Generated with [Claude Code]" + Co-authored-by: Claude Opus 4.5 <noreply@…>
    "a95fac6f": "claude",  # Co-Authored-By: Claude Opus 4.5
    "a873ddd4": "copilot",  # Co-authored-by: Copilot <…> (an accepted suggestion looks the same)
    "f0298296": "copilot",  # authored by copilot-swe-agent[bot]: "Initial plan"
    "bcb7a140": "copilot",  # authored by copilot-swe-agent[bot], a human as co-author
    "4e15748c": "devin",  # authored by devin-ai-integration[bot]
    "d51d3d4c": None,  # Devin under a customer identity, no marker: only its devin/ branch tells
    "3b58dca2": None,  # a plain human squash-merge
    "38475422": "copilot",
    "5798523e": "copilot",
    "9472365e": "claude",  # Co-Authored-By: Claude Sonnet 5 <noreply@anthropic.com>
    "8100a23b": "copilot",
    "ea6fd3a6": None,  # gemini-code-assist[bot] suggestion: a review bot, not an authoring agent
    "e7669afb": "codex",  # Co-authored-by: Codex <codex@openai.com>
    "586c6a6f": "codex",  # Co-authored-by: Codex <Codex@anthropic.com>: matched on the name
    "ecd786f0": "codex",
    "28958cc2": "claude",  # Co-authored-by: Claude <claude@anthropic.com>
    "1c3653aa": "claude",
}


def test_real_commits_name_their_agent(samples):
    found = {}
    for path in sorted((samples / AGENT_SAMPLES).glob("DERIVED_git_commits_*.json")):
        for commit in json.loads(path.read_text(encoding="utf-8")):
            author = commit["commit"]["author"]["name"]
            found[commit["sha"][:8]] = agents.detect(author, None, [commit["commit"]["message"]])
    assert found == COMMITS


def test_the_copilot_coding_agents_pr_is_known_by_its_branch_and_its_body(samples):
    (pr,) = json.loads(
        (samples / AGENT_SAMPLES / "gh_pr_list_copilot_agent_Simple-Math_PR5.json").read_text()
    )

    assert agents.agent_of_branch(pr["headRefName"]) == "copilot"
    assert agents.agent_of_text([pr["body"]]) == "copilot"  # <!-- START COPILOT CODING AGENT SUFFIX -->


def test_a_copilot_pr_is_credited_to_its_human_assignee_and_its_reviews_hold_no_approval(samples):
    folder = samples / AGENT_SAMPLES
    paths = [
        folder / "mcp_pull_request_get_tensegrity-optimization_PR20_TRIMMED.json",
        folder / "mcp_get_reviews_tensegrity-optimization_PR20.json",
    ]

    pulls = github.parse(paths)["pull_requests"]

    assert pulls.rows() == [
        (
            "vertical-cloud-lab/tensegrity-optimization",
            20,
            "Copilot",
            datetime(2026, 5, 8, 16, 55, 20, tzinfo=UTC),
            None,  # still open
            13917,
            1,
            pulls["title"][0],
            "copilot/create-manuscript-template",
            "copilot",
            "sgbaird",  # assignees ["sgbaird", "Copilot"]: the human one
            False,  # 11 reviews: changes requested and comments, none approving
        )
    ]
    assert pulls["title"][0].startswith("Populate ASME Journal of Mechanical Design manuscript draft")


def test_reviews_alone_are_located_by_their_url(samples):
    path = samples / AGENT_SAMPLES / "mcp_get_reviews_tensegrity-optimization_PR20.json"
    items = json.loads(path.read_text(encoding="utf-8"))

    assert {r["user"]["login"] for r in items} == {"me-madsen", "sgbaird", "copilot-swe-agent[bot]"}
    assert github.parse([path])["pull_requests"].height == 0  # reviews without their PR add no row


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Link to Devin run: https://app.devin.ai/sessions/d19\nRequested by: Nathan C (nate@x.io)\n",
            "nate@x.io",
        ),
        ("**Link to Devin run:** https://app.devin.ai/sessions/d94  \n**Requested by:** @blu3mo\n", "blu3mo"),
        (
            "## Link to Devin run\nhttps://app.devin.ai/sessions/2ca\n\n## Requested by\nmasui@x.co.jp\n",
            "masui@x.co.jp",
        ),
        ("## Link to Devin run\nhttps://app.devin.ai/sessions/e23\n\nRequested by: Jake VanCampen\n", None),
        ("No requester here.", None),
    ],
)
def test_devins_requester_is_read_from_the_body(body, expected):
    assert agents.requester(body) == expected


def test_an_agent_author_is_credited_to_its_requester_before_its_assignee():
    body = "Link to Devin run: https://app.devin.ai/sessions/1\nRequested by: @carol"

    assert agents.delegator("devin-ai-integration[bot]", body, ["dave"]) == "carol"
    assert agents.delegator("Copilot", None, ["Copilot", "renovate[bot]", "erin"]) == "erin"
    assert agents.delegator("frank", body, ["dave"]) is None  # a human's PR stays theirs


def test_a_human_review_is_an_approval_by_someone_else_before_the_merge():
    merged = datetime(2026, 3, 5, 12, tzinfo=UTC)
    before, after = datetime(2026, 3, 5, 11, tzinfo=UTC), datetime(2026, 3, 5, 13, tzinfo=UTC)

    def reviewed(*reviews):
        return agents.human_reviewed(reviews, "Copilot", "erin", merged)

    assert reviewed(("gina", "APPROVED", before)) is True
    assert reviewed(("gina", "APPROVED", after)) is False  # approved only after the merge
    assert reviewed(("Erin", "APPROVED", before)) is False  # the delegator approving their own request
    assert reviewed(("copilot-swe-agent[bot]", "APPROVED", before)) is False  # the agent itself
    assert reviewed(("coderabbitai[bot]", "APPROVED", before)) is False
    assert reviewed(("gina", "COMMENTED", before), ("gina", "CHANGES_REQUESTED", before)) is False
    assert reviewed() is False


def test_more_agent_logins_come_from_the_environment():
    logins = agents.agent_logins({"TOKENYIELD_AGENT_LOGINS": "acme-agent[bot]=acme, Helper "})

    assert logins["acme-agent[bot]"] == "acme" and logins["helper"] == "helper"
    assert logins["copilot"] == "copilot"  # the defaults stay


def test_devlake_commit_rows_carry_their_trailers_to_their_pr(samples, tmp_path):
    derived = samples / AGENT_SAMPLES / "DERIVED_git_commits_google-gemini_gemini-cli.json"
    claude = next(
        c for c in json.loads(derived.read_text(encoding="utf-8")) if c["sha"].startswith("9472365e")
    )
    url = "https://api.github.com/repos/panjf2000/ants/pulls/23/commits?direction=asc&page=1&per_page=100"
    commits = tmp_path / "_raw_github_api_pull_request_commits.csv"
    with commits.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "params", "data", "url", "input", "created_at"])
        writer.writerow([1, "{}", json.dumps(claude), url, '{"Number": 23}', "2024-01-01 00:00:00"])

    pulls = github.parse([samples / "github_prs/devlake/DERIVED_pulls_items.json", commits])["pull_requests"]

    agents_seen = pulls.filter(pl.col("agent").is_not_null()).select("number", "author", "agent", "delegator")
    assert agents_seen.rows() == [(23, "choleraehyq", "claude", None)]  # still the human author's PR


def test_gitlab_merge_requests_name_their_agent_and_delegator(samples, tmp_path, monkeypatch):
    monkeypatch.setenv("TOKENYIELD_AGENT_LOGINS", "duo-agent=gitlab-duo")
    items = json.loads(
        (samples / "gitlab/devlake/DERIVED_merge_requests_items.json").read_text(encoding="utf-8")
    )
    by_claude = items[0] | {"source_branch": "claude/fix-spend", "description": "Generated with Claude Code"}
    by_duo = items[1] | {"author": {"username": "duo-agent"}, "assignees": [{"username": "emilie"}]}
    path = tmp_path / "mrs.json"
    path.write_text(json.dumps([by_claude, by_duo]), encoding="utf-8")

    rows = gitlab.parse([path])["pull_requests"].select("author", "head_ref", "agent", "delegator").rows()

    assert sorted(rows, key=str) == sorted(
        [
            (items[0]["author"]["username"], "claude/fix-spend", "claude", None),  # stays the human's
            ("duo-agent", items[1]["source_branch"], "gitlab-duo", "emilie"),  # credited to the assignee
        ],
        key=str,
    )
