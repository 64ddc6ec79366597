"""The audit log: entries append with a hash chain, read back newest first, and verify() finds
any row changed or removed afterwards; two processes writing at once keep one valid chain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.privacy import audit

ENTRIES = [
    audit.Entry("boss@x.io", "manager", "view: direct reports", "k1"),
    audit.Entry("boss@x.io", "manager", "view: direct reports", "k2"),
    audit.Entry("boss@x.io", "manager", "view: person weeks", "k2", "2026-03-02..2026-03-23"),
    audit.Entry("me@x.io", "individual", "view: person weeks", "k3"),
]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "audit" / "audit.duckdb"
    audit.record(path, ENTRIES[:3])
    audit.record(path, ENTRIES[3:])
    return path


def test_a_missing_log_reads_empty_and_verifies(tmp_path):
    path = tmp_path / "none.duckdb"
    assert audit.read(path).is_empty()
    assert audit.verify(path) == (True, "no audit log yet")
    audit.record(path, [])
    assert not path.exists()  # nothing to record creates nothing


def test_entries_read_back_newest_first_with_who_what_whom_and_when(log):
    rows = audit.read(log)
    assert rows["seq"].to_list() == [4, 3, 2, 1]
    assert rows.select("viewer_email", "viewer_role", "action", "subject_person_key", "detail").rows() == [
        (e.viewer_email, e.viewer_role, e.action, e.subject_person_key, e.detail) for e in reversed(ENTRIES)
    ]
    assert rows["viewed_at"].null_count() == 0 and str(rows["viewed_at"].dtype.time_zone) == "UTC"
    assert audit.read(log, limit=2)["seq"].to_list() == [4, 3]


def test_an_intact_chain_verifies(log):
    assert audit.verify(log) == (True, "4 rows intact")


def _tamper(path: Path, sql: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(sql)


def test_changing_a_rows_action_breaks_the_chain_at_that_row(log):
    _tamper(log, "update audit_log set action = 'view: nothing' where seq = 2")
    intact, message = audit.verify(log)
    assert not intact and message.startswith("row 2 ")


def test_deleting_a_middle_row_breaks_the_chain(log):
    _tamper(log, "delete from audit_log where seq = 2")
    intact, message = audit.verify(log)
    assert not intact and message.startswith("row 3 ")


def test_renumbering_after_a_delete_is_still_caught(log):
    _tamper(log, "delete from audit_log where seq = 2; update audit_log set seq = seq - 1 where seq > 2")
    intact, message = audit.verify(log)
    assert not intact and message.startswith("row 2 ")


@pytest.mark.parametrize(
    "sql",
    [
        "update audit_log set viewer_email = 'someone@x.io' where seq = 4",
        "update audit_log set subject_person_key = 'k9' where seq = 4",
        "update audit_log set viewed_at = viewed_at - interval 1 day where seq = 4",
        "update audit_log set detail = 'x' where seq = 4",
    ],
)
def test_each_field_is_under_the_hash(log, sql):
    _tamper(log, sql)
    assert audit.verify(log)[0] is False


def test_appending_after_the_log_was_read_keeps_the_chain(log):
    audit.read(log)
    audit.record(log, [audit.Entry("admin@x.io", "admin", "view: Audit")])
    assert audit.verify(log) == (True, "5 rows intact")


WRITES = 15


APPEND = """
import sys
from pathlib import Path
from pipelines.privacy import audit
for i in range(int(sys.argv[3])):
    audit.record(Path(sys.argv[1]), [audit.Entry(sys.argv[2], "manager", "view: person weeks", f"k{i}")])
"""


def test_two_processes_appending_at_once_keep_one_valid_chain(tmp_path):
    """Two separate Python processes (not forks of the test worker) append 15 rows each at once."""
    path = tmp_path / "audit.duckdb"
    root = Path(__file__).resolve().parents[2]
    writers = [
        subprocess.Popen([sys.executable, "-c", APPEND, str(path), f"{n}@x.io", str(WRITES)], cwd=root)
        for n in ("a", "b")
    ]
    codes = [writer.wait(timeout=600) for writer in writers]
    assert codes == [0, 0]
    rows = audit.read(path)
    assert rows.height == 2 * WRITES
    assert sorted(rows["seq"].to_list()) == list(range(1, 2 * WRITES + 1))
    assert rows.group_by("viewer_email").len().sort("viewer_email").rows() == [
        ("a@x.io", WRITES),
        ("b@x.io", WRITES),
    ]
    assert audit.verify(path) == (True, f"{2 * WRITES} rows intact")
