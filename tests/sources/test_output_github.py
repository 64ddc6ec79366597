"""The GitHub importer on the real samples (DevLake raw tables, REST items, webhooks) and bad input."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.sources import github
from pipelines.sources.canonical import conform
from pipelines.sources.errors import SourceError
from pipelines.sources.output_common import OutputParseError

EXPECTED = Path(__file__).parents[1] / "fixtures" / "output" / "expected"
AGENT_COLUMNS = ["head_ref", "agent", "delegator", "human_reviewed"]


def expected(name: str, table: str) -> pl.DataFrame:
    return conform(table, pl.read_csv(EXPECTED / name, infer_schema=False))


def short_titles(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("title").str.slice(0, 200))  # the golden file cuts at 200


def raw_items(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [json.loads(row["data"]) for row in csv.DictReader(handle)]


def test_devlake_pull_requests_give_the_hand_checked_rows(samples):
    path = samples / "github_prs/devlake/_raw_github_api_pull_requests.csv"

    pulls = github.parse([path])["pull_requests"]

    golden = expected("github_devlake_pull_requests.csv", "pull_requests").drop(AGENT_COLUMNS)
    assert_frame_equal(short_titles(pulls).drop(AGENT_COLUMNS), golden)
    # 2019 PRs: none by an agent, none with reviews read; every one names its head branch
    assert pulls["agent"].is_null().all() and pulls["human_reviewed"].is_null().all()
    assert pulls["head_ref"].is_not_null().all()
    # the sample's own numbers, counted from the raw items: 50 rows, PR #4 twice, 27 merged rows
    items = raw_items(path)
    assert len(items) == 50 and sum(1 for item in items if item["merged_at"]) == 27
    assert pulls.height == len({item["number"] for item in items}) == 49
    assert pulls["merged_at"].is_not_null().sum() == 26
    assert pulls.filter(pl.col("number") == 23).row(0) == (
        "panjf2000/ants",
        23,
        "choleraehyq",
        datetime(2019, 1, 21, 10, 58, 15, tzinfo=UTC),
        datetime(2019, 1, 22, 5, 41, 34, tzinfo=UTC),
        None,  # the pulls list carries no additions/deletions
        None,
        "feature: add PanicHandler",
        *pulls.filter(pl.col("number") == 23).select(AGENT_COLUMNS).row(0),
    )


def test_a_pr_seen_twice_keeps_the_later_copy(samples):
    items = raw_items(samples / "github_prs/devlake/_raw_github_api_pull_requests.csv")
    copies = [item for item in items if item["number"] == 4]

    pulls = github.parse([samples / "github_prs/devlake/_raw_github_api_pull_requests.csv"])["pull_requests"]

    assert len(copies) == 2 and copies[0]["updated_at"] == copies[1]["updated_at"]
    assert pulls.filter(pl.col("number") == 4)["title"].to_list() == [copies[1]["title"]]


def test_the_derived_json_array_gives_the_same_rows_as_the_csv(samples):
    from_json = github.parse([samples / "github_prs/devlake/DERIVED_pulls_items.json"])
    from_csv = github.parse([samples / "github_prs/devlake/_raw_github_api_pull_requests.csv"])

    assert_frame_equal(from_json["pull_requests"], from_csv["pull_requests"])


@pytest.mark.parametrize(
    "name",
    [
        "pull_request.closed.payload.json",
        "pull_request.closed.with-organization.payload.json",
        "pull_request.opened.payload.json",
    ],
)
def test_webhook_payloads_give_the_pull_request_with_its_line_counts(samples, name):
    pulls = github.parse([samples / "github_prs/webhooks" / name])["pull_requests"]

    assert pulls.rows() == [
        (
            "Codertocat/Hello-World",
            2,
            "Codertocat",
            datetime(2019, 5, 15, 15, 20, 33, tzinfo=UTC),
            None,  # closed without being merged
            1,
            1,
            "Update the README with new information.",
            "changes",  # head_ref
            None,  # agent
            None,  # delegator
            None,  # human_reviewed: no reviews read
        )
    ]


def test_commit_items_map_logins_to_their_commit_emails(samples):
    identities = github.parse([samples / "github_prs/devlake/_raw_github_api_pull_request_commits.csv"])[
        "identities"
    ]

    assert_frame_equal(identities, expected("github_devlake_commit_identities.csv", "identities"))
    by_login = dict(zip(identities["external_id"], identities["person_id"], strict=True))
    assert by_login["KevinBaiSg"] == "kevin.bai.sin@gmail.com"
    assert by_login["automano"] == "18501262663@163.com"  # the first of its two emails
    assert "king526" not in by_login and "bright2227" not in by_login  # noreply addresses only


def test_user_items_map_logins_to_public_emails(samples):
    identities = github.parse([samples / "github_prs/devlake/_raw_github_api_accounts.csv"])["identities"]

    assert identities.rows() == [  # runner-mei's "runner.mei@" is no address; 8 accounts show none
        ("zhaozh90@163.com", "github", "Moonlight-Zhao"),  # sorted by external_id, upper case first
        ("appleboy.tw@gmail.com", "github", "appleboy"),
        ("badger@gitter.im", "github", "gitter-badger"),
        ("i@andypan.me", "github", "panjf2000"),
        ("cnliuyunpeng@gmail.com", "github", "ppmoon"),
        ("sarath.sp06@gmail.com", "github", "sarathsp06"),
        ("shanhu5739@gmail.com", "github", "shanhuhai5739"),
    ]


def test_a_jsonc_doc_snippet_is_read_without_its_comments(tmp_path):
    snippet = tmp_path / "pull.jsonc"
    snippet.write_text(
        """// GET /repos/acme/api/pulls/7
        {
          "number": 7, /* the PR number */
          "title": "Add retries",
          "user": {"login": "octocat"},
          "created_at": "2026-03-02T10:00:00Z",
          "merged_at": "2026-03-03T09:30:00+01:00",
          "additions": 120, "deletions": 4,
          "head": {}, "base": {"repo": {"full_name": "acme/api"}},
        }"""
    )

    assert github.parse([snippet])["pull_requests"].rows() == [
        (
            "acme/api",
            7,
            "octocat",
            datetime(2026, 3, 2, 10, tzinfo=UTC),
            datetime(2026, 3, 3, 8, 30, tzinfo=UTC),
            120,
            4,
            "Add retries",
            None,
            None,
            None,
            None,
        )
    ]


# -- bad input ----------------------------------------------------------------------------


def write_pulls(tmp_path: Path, **changes) -> Path:
    pull = {"number": 1, "head": {}, "user": {"login": "a"}, "created_at": "2026-03-02T10:00:00Z"}
    pull |= {"base": {"repo": {"full_name": "acme/api"}}} | changes
    path = tmp_path / "pulls.json"
    path.write_text(json.dumps([pull, pull | {"number": 2}]))
    return path


def test_a_bad_date_names_the_file_row_field_and_what_was_expected(tmp_path):
    path = write_pulls(tmp_path, created_at="02/03/2026")

    with pytest.raises(OutputParseError) as caught:
        github.parse([path])

    assert str(caught.value) == (
        f"{path}: row 1, field 'created_at': expected an ISO-8601 timestamp, got '02/03/2026'"
    )
    assert isinstance(caught.value, SourceError)  # what the CLI prints on one line


def test_a_negative_line_count_is_refused(tmp_path):
    with pytest.raises(OutputParseError, match=r"field 'additions': expected a whole number ≥ 0, got -3"):
        github.parse([write_pulls(tmp_path, additions=-3)])


def test_a_pr_without_its_repository_is_refused(tmp_path):
    path = write_pulls(tmp_path, base={})

    with pytest.raises(
        OutputParseError, match=r"row 1, field 'base.repo.full_name': expected the repository"
    ):
        github.parse([path])


def test_bad_json_in_a_devlake_row_names_the_row(tmp_path):
    path = tmp_path / "_raw_github_api_pull_requests.csv"
    path.write_text('id,params,data,url,input,created_at\n1,{},"{""number"": 1",u,null,x\n')

    with pytest.raises(OutputParseError, match=r"row 1, field 'data': expected one API item as JSON"):
        github.parse([path])


def test_an_unknown_object_is_refused(tmp_path):
    path = tmp_path / "issues.json"
    path.write_text('[{"id": 1, "body": "not a PR"}]')

    with pytest.raises(
        OutputParseError, match="expected a GitHub pull request, pull_request webhook payload"
    ):
        github.parse([path])
