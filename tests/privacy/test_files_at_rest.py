"""Files that hold people's data or a secret are the owner's only (mode 0600): the warehouse, its
pseudonym key and audit anchor, the audit log, its key and its head file."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.build import build
from pipelines.privacy import audit, audit_key
from pipelines.settings import Settings

PEOPLE = (
    "person_id,email,name,team,manager_id,role,level,start_date\np1,a@x.io,A,core,,engineer,L4,2025-01-01\n"
)
USAGE = (
    "occurred_at,user,tool,model,input_tokens,output_tokens\n2026-03-02T10:00Z,a@x.io,claude-code,m,100,10\n"
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """Files would be world-readable by default (umask 022), as on most machines."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_warehouse_its_key_and_its_audit_anchor_are_the_owners_only(tmp_path: Path):
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "people.csv").write_text(PEOPLE)
    (folder / "ai_usage.csv").write_text(USAGE)
    db = tmp_path / "out" / "warehouse.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db, audit_path=tmp_path / "audit.duckdb"))
    build(
        Settings(input_dir=folder, warehouse_path=db, audit_path=tmp_path / "audit.duckdb"), incremental=False
    )
    files = [db, db.with_name(db.name + ".key"), audit_key.warehouse_anchor(db)]
    assert [oct(mode(f)) for f in files] == [oct(0o600)] * 3


def test_the_audit_log_its_key_and_its_head_are_the_owners_only(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("TOKENYIELD_AUDIT_KEY", raising=False)
    monkeypatch.delenv("TOKENYIELD_AUDIT_KEY_FILE", raising=False)
    log = tmp_path / "audit.duckdb"
    audit.record(log, [audit.Entry("a@x.io", "individual", "view: person weeks", "k1")])
    files = [log, audit_key.key_file(log), audit_key.head_file(log)]
    assert [oct(mode(f)) for f in files] == [oct(0o600)] * 3
    log.chmod(0o644)  # a log made by an older version, or copied with default permissions
    audit.record(log, [audit.Entry("a@x.io", "individual", "view: person weeks", "k1")])
    assert oct(mode(log)) == oct(0o600)
