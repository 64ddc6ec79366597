"""Every real sample of the output sources parses, into the number of rows hand-counted in it.

The exact rows are checked per source in test_output_<source>.py; this file makes sure no file
in samples/{github_prs,gitlab,jira,linear} is left unread.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.sources import github, gitlab, jira, linear

IMPORTER = {"github_prs": github.parse, "gitlab": gitlab.parse, "jira": jira.parse, "linear": linear.parse}

# file -> {table: rows}. Hand counts: the DevLake GitHub table holds 50 rows but PR #4 twice
# (49 PRs, 26 of them merged); 15 GitHub accounts of which 7 show a well-formed public email;
# GitLab users carry no email; 30 Jira users of which 2 show an email; the Jira CSV export
# holds 10 issues; the Linear export 28.
EXPECTED_ROWS = {
    "github_prs/devlake/_raw_github_api_pull_requests.csv": {"pull_requests": 49},
    "github_prs/devlake/DERIVED_pulls_items.json": {"pull_requests": 49},
    "github_prs/devlake/_raw_github_api_pull_request_commits.csv": {"pull_requests": 0, "identities": 32},
    "github_prs/devlake/_raw_github_api_accounts.csv": {"pull_requests": 0, "identities": 7},
    "github_prs/webhooks/pull_request.closed.payload.json": {"pull_requests": 1},
    "github_prs/webhooks/pull_request.closed.with-organization.payload.json": {"pull_requests": 1},
    "github_prs/webhooks/pull_request.opened.payload.json": {"pull_requests": 1},
    "gitlab/devlake/_raw_gitlab_api_merge_requests.csv": {"pull_requests": 18},
    "gitlab/devlake/DERIVED_merge_requests_items.json": {"pull_requests": 18},
    "gitlab/devlake/_raw_gitlab_api_users.csv": {"pull_requests": 0},
    "jira/devlake/_raw_jira_api_issues.csv": {"tickets": 33, "identities": 1},
    "jira/devlake/DERIVED_issues_items.json": {"tickets": 33, "identities": 1},
    "jira/devlake/_raw_jira_api_users.csv": {"tickets": 0, "identities": 2},
    "jira/devlake/_raw_jira_api_issue_changelogs.csv": {"tickets": 0, "identities": 1},
    "jira/demo-insureco-jira.csv": {"tickets": 10},
    "linear/Linear-tasks-backlog-backup.csv": {"tickets": 28},
}
NOT_DATA = {"PROVENANCE.md", "linear_csv_header_shapes.txt"}  # the header shapes: test_output_linear


def test_every_sample_file_is_listed(samples: Path):
    found = {
        str(path.relative_to(samples))
        for folder in IMPORTER
        for path in (samples / folder).rglob("*")
        if path.is_file() and path.name not in NOT_DATA
    }
    assert found == set(EXPECTED_ROWS)


@pytest.mark.parametrize("name", sorted(EXPECTED_ROWS))
def test_sample_parses_into_the_counted_rows(samples: Path, name: str):
    tables = IMPORTER[name.split("/")[0]]([samples / name])

    assert {table: frame.height for table, frame in tables.items()} == EXPECTED_ROWS[name]


def test_a_folder_reads_every_file_in_it(samples: Path):
    tables = github.parse([samples / "github_prs" / "webhooks"])

    assert tables["pull_requests"].height == 1  # the same PR #2, three times
