"""CLI exports take --as EMAIL and obey the same rules as the pages: an individual or an unknown
email gets one line, no file and no audit row. (What an allowed export contains is the report
tests' subject: one export-charts run takes about 2 minutes on the demo.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.privacy import audit

from .conftest import UNKNOWN


@pytest.fixture
def env(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "audit.duckdb"
    monkeypatch.setenv("TOKENYIELD_AUDIT_DB", str(path))
    return path


@pytest.mark.parametrize("role", ("individual", "unknown"))
@pytest.mark.parametrize("command", ("export-charts", "report"))
def test_an_individual_or_unknown_email_gets_one_line_and_no_file(
    demo_warehouse, emails, env, tmp_path, role, command
):
    out = tmp_path / ("charts" if command == "export-charts" else "pack.html")
    result = CliRunner().invoke(
        app, [command, "--db", str(demo_warehouse), "--out", str(out), "--as", emails.get(role, UNKNOWN)]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert not out.exists() and audit.read(env).is_empty()


@pytest.mark.parametrize("command", ("export-charts", "report"))
def test_an_export_is_audited_before_any_file_is_written(
    demo_warehouse, emails, tmp_path, monkeypatch, command
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("TOKENYIELD_AUDIT_DB", str(blocker / "audit.duckdb"))  # the log cannot be written
    out = tmp_path / ("charts" if command == "export-charts" else "pack.html")
    result = CliRunner().invoke(
        app, [command, "--db", str(demo_warehouse), "--out", str(out), "--as", emails["leader"]]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not out.exists()
