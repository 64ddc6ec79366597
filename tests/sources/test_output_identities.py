"""`identities suggest` and `identities apply` on small real input folders (CSV, and the
parquet folders store.append writes), through the command line."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from pipelines.sources import cli, github, store
from pipelines.sources.identity_inputs import read_inputs
from pipelines.sources.identity_suggest import noreply_login, unmatched_accounts

INPUT = Path(__file__).parents[1] / "fixtures" / "output" / "identity_input"
HEADER = ["system", "external_id", "proposed_person_id", "proposed_email", "rule", "confidence", "confirmed"]


@pytest.fixture
def tokenyield() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)
    cli.register(app)
    return app


@pytest.fixture
def input_dir(tmp_path) -> Path:
    return Path(shutil.copytree(INPUT, tmp_path / "input"))


def invoke(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, ["identities", *map(str, args)])


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_suggest_proposes_one_person_per_unmatched_account_by_rule(tokenyield, input_dir, tmp_path):
    out = tmp_path / "review" / "suggestions.csv"

    result = invoke(tokenyield, "suggest", "--input", input_dir, "--out", out)

    assert result.exit_code == 0, result.output
    assert "7 unmatched accounts, 5 with a proposal (5 rows)" in result.output
    assert read_csv(out) == [
        HEADER,
        [
            "github",
            "7496278+panjf2000@users.noreply.github.com",
            "p1",
            "Andy.Pan@acme.io",
            "github_noreply",
            "0.95",
            "",
        ],
        [
            "github",
            "janedoe@users.noreply.github.com",
            "p3",
            "jane_doe@acme.io",
            "github_noreply",
            "0.80",
            "",
        ],
        ["github", "kevin-bai", "p2", "kevin.bai@acme.io", "login_local_part", "0.80", ""],
        [
            "github",
            "SarathSP06",
            "p4",
            "sarath.sp06@gmail.com",
            "same_email",
            "0.99",
            "",
        ],  # an importer's hint
        ["jira", "Dingding Zhang", "p5", "dingding.zhang@acme.io", "same_name", "0.70", ""],
    ]


def test_matched_accounts_and_bots_are_not_unmatched(input_dir, monkeypatch):
    accounts = {(a.system, a.external_id) for a in unmatched_accounts(read_inputs(input_dir))}
    assert ("github", "stranger") in accounts and ("jira", "5ecfbd0c730ec90c1999cadf") in accounts
    assert not {a for a in accounts if a[1] in ("panjf2000", "p2", "JANE_DOE@ACME.IO", "dependabot[bot]")}

    monkeypatch.setenv("TOKENYIELD_BOT_LOGINS", "Stranger")
    assert ("github", "stranger") not in {
        (a.system, a.external_id) for a in unmatched_accounts(read_inputs(input_dir))
    }


@pytest.mark.parametrize(
    ("email", "login"),
    [
        ("7496278+panjf2000@users.noreply.github.com", "panjf2000"),
        ("octo-cat@users.noreply.github.com", "octo-cat"),
        ("octocat@github.com", None),
    ],
)
def test_noreply_logins(email, login):
    assert noreply_login(email) == login


def review(path: Path, answers: dict[str, str]) -> Path:
    rows = read_csv(path)
    for row in rows[1:]:
        row[6] = answers.get(row[1], "")
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_apply_adds_the_confirmed_rows_once(tokenyield, input_dir, tmp_path):
    out = tmp_path / "suggestions.csv"
    invoke(tokenyield, "suggest", "--input", input_dir, "--out", out)
    review(
        out,
        {
            "7496278+panjf2000@users.noreply.github.com": "yes",
            "kevin-bai": "Yes",
            "SarathSP06": "y",
            "janedoe@users.noreply.github.com": "no",
        },
    )

    first = invoke(tokenyield, "apply", "--input", input_dir, "--suggestions", out)
    again = invoke(tokenyield, "apply", "--input", input_dir, "--suggestions", out)

    assert first.exit_code == 0, first.output
    assert "3 added, 0 already present, 1 importer hints replaced" in first.output
    assert "0 added, 3 already present, 0 importer hints replaced" in again.output
    assert read_csv(input_dir / "identities.csv") == [
        ["person_id", "system", "external_id"],
        ["p1", "github", "panjf2000"],  # the hint row for sarathsp06 is gone, replaced below
        ["p1", "github", "7496278+panjf2000@users.noreply.github.com"],
        ["p2", "github", "kevin-bai"],
        ["p4", "github", "SarathSP06"],
    ]
    assert unmatched_accounts(read_inputs(input_dir))[0].external_id == "janedoe@users.noreply.github.com"


def test_apply_refuses_an_answer_that_is_not_yes_or_no(tokenyield, input_dir, tmp_path):
    out = tmp_path / "suggestions.csv"
    invoke(tokenyield, "suggest", "--input", input_dir, "--out", out)
    review(out, {"kevin-bai": "maybe"})

    result = invoke(tokenyield, "apply", "--input", input_dir, "--suggestions", out)

    assert result.exit_code == 1
    assert f"error: {out}: row 3, field 'confirmed': expected yes or no, got 'maybe'" in result.output
    assert read_csv(input_dir / "identities.csv")[1:] == [
        ["p1", "github", "panjf2000"],
        ["sarath.sp06@gmail.com", "github", "sarathsp06"],
    ]


def test_apply_refuses_a_person_that_does_not_exist(tokenyield, input_dir, tmp_path):
    out = tmp_path / "suggestions.csv"
    out.write_text("system,external_id,proposed_person_id,confirmed\ngithub,stranger,p99,yes\n")

    result = invoke(tokenyield, "apply", "--input", input_dir, "--suggestions", out)

    assert (
        result.exit_code == 1
        and "row 1, field 'proposed_person_id': expected a person_id from people, got 'p99'" in result.output
    )


def test_suggest_and_apply_on_an_imported_parquet_lake(tokenyield, samples, tmp_path):
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / "people.csv").write_text(
        "person_id,email,name\np4,Sarath.SP06@gmail.com,Sarath\np9,andy@acme.io,Andy Pan\n"
    )
    tables = github.parse([samples / "github_prs/devlake/_raw_github_api_accounts.csv"])
    tables |= github.parse([samples / "github_prs/devlake/_raw_github_api_pull_requests.csv"])
    store.append(lake, tables, "github")
    out = tmp_path / "suggestions.csv"

    invoke(tokenyield, "suggest", "--input", lake, "--out", out)
    proposals = read_csv(out)[1:]
    review(out, {"sarathsp06": "yes"})
    result = invoke(tokenyield, "apply", "--input", lake, "--suggestions", out)

    assert ["github", "sarathsp06", "p4", "Sarath.SP06@gmail.com", "same_email", "0.99", ""] in proposals
    assert (
        result.exit_code == 0 and "1 added" in result.output and "1 importer hints replaced" in result.output
    )
    stored = store.read_table(lake / "identities", "identities")
    assert stored.filter(pl.col("external_id") == "sarathsp06").rows() == [("p4", "github", "sarathsp06")]
    assert stored.height == 7  # the other 6 hints stay for later review
