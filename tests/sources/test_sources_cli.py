"""`import`, `fetch` and `identities` on a local Typer app: rows land once, errors are one line."""

from __future__ import annotations

import logging

import pytest
import typer
from typer.testing import CliRunner

from pipelines.sources.cli import register
from pipelines.sources.store import read_table

SECRET = "sk-admin-SECRET-0123456789"


@pytest.fixture
def run():
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """tokenyield (test build)"""

    register(app)
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(app, list(args), env=env)

    return invoke


def test_import_twice_adds_rows_once(run, samples, tmp_path):
    report = str(samples / "anthropic" / "claude_code_usage_report_example.json")

    first = run("import", "anthropic-claude-code", report, "--into", str(tmp_path))
    files = sorted((tmp_path / "ai_usage").iterdir())
    second = run("import", "anthropic-claude-code", report, "--into", str(tmp_path))

    assert first.exit_code == 0, first.output
    assert "ai_usage: 2 added, 0 replaced, 0 already stored" in first.output
    assert "ai_activity: 7 added" in first.output
    assert second.exit_code == 0
    assert "ai_usage: 0 added, 0 replaced, 2 already stored" in second.output
    assert sorted((tmp_path / "ai_usage").iterdir()) == files
    assert read_table(tmp_path / "ai_usage", "ai_usage").height == 2


def test_person_is_passed_to_log_importers(run, samples, tmp_path):
    logs = str(samples / "ccusage" / "fixtures__claude__projects__project-beta__session-beta__chat.jsonl")

    result = run("import", "claude-code-logs", logs, "--into", str(tmp_path), "--person", "ana@acme.io")

    assert result.exit_code == 0, result.output
    assert read_table(tmp_path / "ai_usage", "ai_usage")["user"].unique().to_list() == ["ana@acme.io"]


def test_a_bad_file_is_one_line_naming_the_file_and_row(run, tmp_path):
    bad = tmp_path / "events.json"
    bad.write_text(
        '{"usageEvents": [{"timestamp": "1750979225854", "userEmail": "a@x.io", "tokenUsage": {"inputTokens": "lots"}}]}'
    )

    result = run("import", "cursor", str(bad), "--into", str(tmp_path / "in"))

    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {bad}: row 1, field 'tokenUsage.inputTokens': expected a whole number ≥ 0, got 'lots'"
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "in").exists()


def test_an_unforeseen_shape_is_still_one_line(run, tmp_path):
    odd = tmp_path / "events.json"
    odd.write_text('{"usageEvents": ["not an object"]}')

    result = run("import", "cursor", str(odd), "--into", str(tmp_path / "in"))

    assert result.exit_code == 1
    assert result.output.startswith(f"error: cursor could not read {odd} (AttributeError: ")
    assert result.output.strip().endswith("set TOKENYIELD_DEBUG=1 for the traceback")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "nope", "x.json"), "error: cannot import 'nope': known sources are "),
        (("import", "openai", "missing.json"), "error: missing.json: no such file or folder"),
        (("fetch", "openai", "--since", "2026-13-01"), "error: --since '2026-13-01' is not a date like 2026-03-02"),
        (("fetch", "openai", "--since", "2026-03-02", "--until", "2026-03-01"),
         "error: --until 2026-03-01 is before --since 2026-03-02"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line(run, tmp_path, args, message):
    result = run(*args, "--into", str(tmp_path))

    assert result.exit_code == 1
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1


def test_fetch_names_the_missing_variable(run, tmp_path):
    result = run(
        "fetch", "cursor", "--into", str(tmp_path), "--since", "2026-03-02", env={"CURSOR_ADMIN_API_KEY": ""}
    )

    assert (result.exit_code, result.output.strip()) == (1, "error: CURSOR_ADMIN_API_KEY is not set")


def test_fetch_names_the_variable_when_the_server_refuses_it(run, local_server, tmp_path):
    local_server.add(
        "GET",
        "/v1/organization/usage/completions",
        status=401,
        json={"error": {"message": "Incorrect API key"}},
    )
    env = {"TOKENYIELD_OPENAI_BASE_URL": local_server.url, "OPENAI_ADMIN_KEY": SECRET}

    result = run("fetch", "openai", "--into", str(tmp_path), "--since", "2026-03-02", env=env)

    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: openai refused the credentials (401: Incorrect API key): check OPENAI_ADMIN_KEY"
    )


def test_fetch_writes_rows_and_never_the_secret(run, local_server, samples, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    page = (samples / "openai" / "usage_completions_page_example.json").read_text()
    local_server.add(
        "GET",
        "/v1/organization/usage/completions",
        body=page.replace('"has_more": true', '"has_more": false'),
    )
    local_server.add("GET", "/v1/organization/users", json={"object": "list", "data": [], "has_more": False})
    env = {"TOKENYIELD_OPENAI_BASE_URL": local_server.url, "OPENAI_ADMIN_KEY": SECRET}

    result = run(
        "fetch", "openai", "--into", str(tmp_path), "--since", "2024-11-01", "--until", "2024-11-01", env=env
    )

    assert result.exit_code == 0, result.output
    assert "ai_usage: 1 added" in result.output
    written = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    assert written and not any(SECRET.encode() in data for data in written)
    assert SECRET not in result.output and SECRET not in caplog.text


def test_notes_explain_files_that_hold_no_usage(run, samples, tmp_path):
    seats = str(samples / "github_copilot" / "viewer" / "organization_seats_response_sample.json")

    result = run("import", "copilot", seats, "--into", str(tmp_path))

    assert result.exit_code == 0
    assert "note: " in result.output and "seats hold no usage" in result.output
    assert "nothing to import" in result.output


def test_the_identities_group_is_registered(run):
    result = run("identities", "--help")

    assert result.exit_code == 0
    assert "suggest" in result.output
