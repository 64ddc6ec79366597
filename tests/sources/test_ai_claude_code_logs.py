"""Local Claude Code / Codex transcripts (ccusage samples) -> exact rows for the given person."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest

from pipelines.sources import claude_code_logs
from pipelines.sources.errors import SourceError

ME = "dev@acme.io"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_claude_code_fixture_rows(samples):
    path = samples / "ccusage" / "fixtures__claude__projects__project-alpha__session-alpha__chat.jsonl"

    tables = claude_code_logs.parse([path], person=ME)

    assert tables["ai_usage"].rows() == [
        (at(2026, 1, 9, 10), ME, "claude-code", "claude-sonnet-4-20250514", 100, 50, 10, 25, 1, 0.12,
         "claude-code-logs:msg-alpha-1:req-alpha-1", True),
        (at(2026, 1, 9, 12, 30), ME, "claude-code", "claude-opus-4-20250514", 200, 75, 20, 50, 1, 0.34,
         "claude-code-logs:msg-alpha-2:req-alpha-2", True),
        (at(2026, 1, 10, 9, 15), ME, "claude-code", "claude-sonnet-4-20250514", 300, 125, 40, 0, 1, 0.56,
         "claude-code-logs:msg-alpha-3:req-alpha-3", True),
    ]  # fmt: skip
    assert tables["ai_activity"].rows() == [
        (date(2026, 1, 9), ME, "claude-code", "sessions", 1.0),
        (date(2026, 1, 10), ME, "claude-code", "sessions", 1.0),
    ]


def test_claude_code_beta_fixture_rows(samples):
    path = samples / "ccusage" / "fixtures__claude__projects__project-beta__session-beta__chat.jsonl"

    tables = claude_code_logs.parse([path], person=ME)

    assert tables["ai_usage"].rows() == [
        (at(2026, 2, 3, 8), ME, "claude-code", "claude-haiku-4-5-20251001", 50, 25, 15, 5, 1, 0.03,
         "claude-code-logs:msg-beta-1:req-beta-1", True),
        (at(2026, 2, 3, 11, 45), ME, "claude-code", "claude-haiku-4-5-20251001", 80, 35, 25, 10, 1, 0.04,
         "claude-code-logs:msg-beta-2:req-beta-2", True),
    ]  # fmt: skip
    assert tables["ai_activity"].rows() == [(date(2026, 2, 3), ME, "claude-code", "sessions", 1.0)]


def test_real_transcript_counts_only_the_assistant_message(samples):
    tables = claude_code_logs.parse(
        [samples / "ccusage" / "claude_code_transcript_real_4lines.jsonl"], person=ME
    )

    assert tables["ai_usage"].rows() == [
        # 4 uncached input tokens, 25277 written to the 5-minute cache; no cost recorded
        (datetime(2025, 9, 28, 6, 17, 23, 678000, tzinfo=UTC), ME, "claude-code", "claude-sonnet-4-20250514",
         4, 6, 0, 25277, 1, None,
         "claude-code-logs:msg_013C6yBZTawT46T1EpQpWtGN:req_011CTaJz5ss7W9GKaVmBxwTV", True),
    ]  # fmt: skip
    assert tables["ai_activity"].rows() == [(date(2025, 9, 28), ME, "claude-code", "sessions", 1.0)]


def test_codex_token_counts_split_cached_input_and_count_reasoning_once(samples):
    path = samples / "ccusage" / "fixtures__codex__sessions__project-alpha__session-alpha.jsonl"

    tables = claude_code_logs.parse([path], person=ME)

    session = "fixtures__codex__sessions__project-alpha__session-alpha"
    assert tables["ai_usage"].rows() == [
        # last_token_usage: 1000 input (250 cached), total 1200 -> 200 output (125 + 75 reasoning)
        (at(2026, 5, 13, 9, 1), ME, "codex", "gpt-5.2-codex", 750, 200, 250, 0, 1, None,
         f"codex-logs:{session}:2026-05-13T09:01:00.000Z:1200", True),
        # 2500 input (500 cached), total 3000 -> 500 output; model from the event itself
        (at(2026, 5, 14, 10), ME, "codex", "gpt-5.3-codex", 2000, 500, 500, 0, 1, None,
         f"codex-logs:{session}:2026-05-14T10:00:00.000Z:4200", True),
    ]  # fmt: skip


def test_lines_without_a_timestamp_are_skipped_and_reported(samples, caplog):
    tables = claude_code_logs.parse([samples / "ccusage" / "test-transcript.jsonl"], person=ME)

    assert tables == {}
    assert "2 usage lines without a timestamp skipped" in caplog.text


def test_a_folder_is_searched_and_repeated_streaming_lines_count_once(samples, tmp_path):
    project = tmp_path / "projects" / "alpha"
    project.mkdir(parents=True)
    source = samples / "ccusage" / "fixtures__claude__projects__project-alpha__session-alpha__chat.jsonl"
    first_line = source.read_text().splitlines()[0]
    (project / "session.jsonl").write_text(source.read_text() + first_line + "\n")

    tables = claude_code_logs.parse([tmp_path / "projects"], person=ME)

    assert tables["ai_usage"].height == 3


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_person_defaults_to_the_git_email(samples, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    path = samples / "ccusage" / "fixtures__claude__projects__project-beta__session-beta__chat.jsonl"

    with pytest.raises(SourceError, match=r"pass --person EMAIL or set git config user\.email"):
        claude_code_logs.parse([path])
    subprocess.run(["git", "config", "--global", "user.email", "git@acme.io"], check=True)
    assert claude_code_logs.parse([path])["ai_usage"]["user"].unique().to_list() == ["git@acme.io"]
