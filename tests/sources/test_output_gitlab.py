"""The GitLab importer on the real DevLake merge-request sample, and bad input."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.sources import gitlab
from pipelines.sources.canonical import conform
from pipelines.sources.output_common import OutputParseError

EXPECTED = Path(__file__).parents[1] / "fixtures" / "output" / "expected"


def test_devlake_merge_requests_give_the_hand_checked_rows(samples):
    path = samples / "gitlab/devlake/_raw_gitlab_api_merge_requests.csv"

    merge_requests = gitlab.parse([path])["pull_requests"]

    golden = pl.read_csv(EXPECTED / "gitlab_devlake_merge_requests.csv", infer_schema=False)
    agent_columns = ["head_ref", "agent", "delegator", "human_reviewed"]
    assert_frame_equal(
        merge_requests.drop(agent_columns), conform("pull_requests", golden).drop(agent_columns)
    )
    # 2019 MRs: no agent; every one names its source branch; GitLab's list has no reviews
    assert merge_requests["agent"].is_null().all() and merge_requests["human_reviewed"].is_null().all()
    assert merge_requests["head_ref"].is_not_null().all()
    # the sample's own numbers: 18 MRs (iids 1..21 without 2, 7, 15), 10 merged, 5 open, 3 closed
    with path.open(newline="", encoding="utf-8") as handle:
        items = [json.loads(row["data"]) for row in csv.DictReader(handle)]
    assert [item["state"] for item in items].count("merged") == 10
    assert merge_requests.height == 18 and merge_requests["merged_at"].is_not_null().sum() == 10
    assert sorted(merge_requests["number"]) == [n for n in range(1, 22) if n not in (2, 7, 15)]
    assert merge_requests.row(0) == (
        "gitlab-data/snowflake_spend",  # from references.full "gitlab-data/snowflake_spend!1"
        1,
        "emilie",
        datetime(2019, 6, 28, 5, 21, 43, 743000, tzinfo=UTC),
        datetime(2019, 6, 28, 14, 32, 6, 192000, tzinfo=UTC),
        None,
        None,
        'Resolve "Add documentation to snowflake spend package"',
        "1-add-documentation-to-snowflake-spend-package",
        None,
        None,
        None,
    )


def test_the_derived_json_array_gives_the_same_rows_as_the_csv(samples):
    from_json = gitlab.parse([samples / "gitlab/devlake/DERIVED_merge_requests_items.json"])
    from_csv = gitlab.parse([samples / "gitlab/devlake/_raw_gitlab_api_merge_requests.csv"])

    assert_frame_equal(from_json["pull_requests"], from_csv["pull_requests"])


def test_project_members_without_emails_give_no_identities(samples):
    tables = gitlab.parse([samples / "gitlab/devlake/_raw_gitlab_api_users.csv"])

    assert set(tables) == {"pull_requests"} and tables["pull_requests"].height == 0


def test_an_admin_view_of_users_gives_username_email_pairs(tmp_path):
    path = tmp_path / "users.json"
    path.write_text(json.dumps([{"id": 1, "username": "jdoe", "name": "J Doe", "email": "j.doe@acme.io"}]))

    assert gitlab.parse([path])["identities"].rows() == [("j.doe@acme.io", "gitlab", "jdoe")]


def test_the_project_comes_from_web_url_when_references_are_missing(tmp_path):
    item = {
        "iid": 5,
        "source_branch": "x",
        "author": {"username": "a"},
        "created_at": "2026-03-02T10:00:00.000Z",
        "merged_at": None,
        "title": "t",
        "web_url": "https://gitlab.example.com/grp/sub/proj/-/merge_requests/5",
    }
    path = tmp_path / "mrs.json"
    path.write_text(json.dumps([item]))

    assert gitlab.parse([path])["pull_requests"]["repo"].to_list() == ["grp/sub/proj"]


def test_a_bad_date_names_the_devlake_row_and_field(tmp_path):
    item = {"iid": 1, "source_branch": "x", "created_at": "last tuesday", "references": {"full": "g/p!1"}}
    path = tmp_path / "_raw_gitlab_api_merge_requests.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "params", "data", "url", "input", "created_at"])
        writer.writerow([1, "{}", json.dumps(item), "u", "null", "x"])

    with pytest.raises(OutputParseError) as caught:
        gitlab.parse([path])

    assert str(caught.value) == (
        f"{path}: row 1, field 'data.created_at': expected an ISO-8601 timestamp, got 'last tuesday'"
    )
