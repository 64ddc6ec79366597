"""The command line reads as a user expects: every command's help shows its defaults, flags read as
flags, `demo` refuses to write over a folder that holds files, and `identities suggest` writes only
where --out says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipelines.cli import app

runner = CliRunner()


def _commands() -> list[tuple[str, ...]]:
    """Every leaf command's path, e.g. ("identities", "suggest")."""
    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(command: typer.core.TyperCommand, path: tuple[str, ...]) -> None:
        if hasattr(command, "commands"):  # a group
            for name, child in command.commands.items():
                walk(child, (*path, name))
        else:
            found.append(path)

    walk(root, ())
    return found


def _options(path: tuple[str, ...]) -> list[typer.core.TyperOption]:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return [p for p in command.params if p.param_type_name == "option"]


@pytest.mark.parametrize("path", _commands(), ids=" ".join)
def test_help_shows_every_default_and_flags_take_no_value(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    for option in _options(path):
        if option.required or option.is_flag:
            continue  # a required option has no default; a flag is off unless given
        assert option.show_default or option.default is not None, f"{' '.join(path)} {option.opts[0]}"
    assert result.output.count("[default:") >= sum(
        1 for o in _options(path) if not o.required and not o.is_flag
    )


def test_demo_refuses_a_folder_that_holds_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")

    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--people", "20", "--weeks", "4"])

    assert result.exit_code == 1
    assert "is not empty" in result.output and "--force" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_demo_writes_into_a_folder_with_files_under_force(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")

    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--people", "20", "--weeks", "4", "--force"])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "people.csv").exists()


def test_identities_suggest_needs_out_and_writes_only_there(tmp_path: Path) -> None:
    source = Path(__file__).parents[1] / "fixtures" / "output" / "identity_input"
    work = tmp_path / "cwd"
    work.mkdir()
    previous = Path.cwd()
    os.chdir(work)
    try:
        missing = runner.invoke(app, ["identities", "suggest", "--input", str(source)])
        out = tmp_path / "review" / "suggestions.csv"
        written = runner.invoke(app, ["identities", "suggest", "--input", str(source), "--out", str(out)])
    finally:
        os.chdir(previous)

    assert missing.exit_code != 0 and "--out" in missing.output
    assert written.exit_code == 0, written.output
    assert out.read_text().startswith("system,") or out.stat().st_size > 0
    assert list(work.iterdir()) == []
