"""The audit log: entries append with a keyed hash chain, read back newest first, and verify()
finds any row changed, removed, reordered or cut off afterwards; two processes writing at once
keep one valid chain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.privacy import audit, audit_key

ENTRIES = [
    audit.Entry("boss@x.io", "manager", "view: direct reports", "k1"),
    audit.Entry("boss@x.io", "manager", "view: direct reports", "k2"),
    audit.Entry("boss@x.io", "manager", "view: person weeks", "k2", "2026-03-02..2026-03-23"),
    audit.Entry("me@x.io", "individual", "view: person weeks", "k3"),
    audit.Entry("me@x.io", "individual", "view: person weeks", "k3", "again"),
    audit.Entry("cto@x.io", "leader", "export: review pack", None, "review.pdf"),
]


@pytest.fixture(autouse=True)
def no_key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKENYIELD_AUDIT_KEY", raising=False)
    monkeypatch.delenv("TOKENYIELD_AUDIT_KEY_FILE", raising=False)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "audit" / "audit.duckdb"
    audit.record(path, ENTRIES[:3])
    audit.record(path, ENTRIES[3:])
    return path


def test_a_missing_log_reads_empty_and_verifies(tmp_path):
    path = tmp_path / "none.duckdb"
    assert audit.read(path).is_empty()
    assert audit.verify(path) == (True, "intact, 0 entries (no audit log yet)")
    audit.record(path, [])
    assert not path.exists()  # nothing to record creates nothing


def test_entries_read_back_newest_first_with_who_what_whom_and_when(log):
    rows = audit.read(log)
    assert rows["seq"].to_list() == [6, 5, 4, 3, 2, 1]
    assert rows.select("viewer_email", "viewer_role", "action", "subject_person_key", "detail").rows() == [
        (e.viewer_email, e.viewer_role, e.action, e.subject_person_key, e.detail) for e in reversed(ENTRIES)
    ]
    assert rows["viewed_at"].null_count() == 0 and str(rows["viewed_at"].dtype.time_zone) == "UTC"
    assert audit.read(log, limit=2)["seq"].to_list() == [6, 5]


def test_an_intact_chain_verifies(log):
    assert audit.verify(log) == (True, "intact, 6 entries")


def test_the_key_lives_outside_the_log_and_the_head_beside_it(log):
    key = audit_key.key_file(log)
    assert key.is_file() and key.read_text().strip() not in log.read_bytes().hex()
    assert audit_key.read(audit_key.head_file(log)) == audit.head(log)
    assert audit.head(log).seq == 6


def _tamper(path: Path, sql: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(sql)


def _rehash(path: Path, key: bytes) -> None:
    """What someone who can write the log (but has not got its key) does after editing rows:
    recompute every hash with a key of their own."""
    with duckdb.connect(str(path)) as con:
        rows = con.execute("select * from audit_log order by seq").fetchall()
        prev = audit.GENESIS
        for seq, at, email, role, action, subject, detail, _, _ in rows:
            row_hash = audit._hash(key, prev, seq, at, audit.Entry(email, role, action, subject, detail))
            con.execute(
                "update audit_log set prev_hash = ?, row_hash = ? where seq = ?", [prev, row_hash, seq]
            )
            prev = row_hash
    audit_key.write(audit_key.head_file(path), audit.head(path))  # and rewind the head file to match


@pytest.mark.parametrize("cut", [1, 3])
def test_cutting_off_the_newest_entries_is_caught(log, cut):
    _tamper(log, f"delete from audit_log where seq > {6 - cut}")
    assert audit.verify(log) == (
        False,
        f"truncated: {audit_key.head_file(log)} records entry 6, but the log ends at entry {6 - cut}",
    )


def test_cutting_off_and_rewinding_the_head_file_is_caught_by_the_warehouse_anchor(log, tmp_path):
    beside_warehouse = tmp_path / "warehouse.duckdb.audit-head"
    audit_key.write(beside_warehouse, audit.head(log))  # what a build writes
    _tamper(log, "delete from audit_log where seq = 6")
    audit_key.write(audit_key.head_file(log), audit.head(log))
    assert audit.verify(log) == (True, "intact, 5 entries")  # the log's own anchor was rewound
    intact, message = audit.verify(log, [beside_warehouse])
    assert not intact and message.startswith(f"truncated: {beside_warehouse} records entry 6")


def test_editing_a_row_and_recomputing_every_hash_is_caught(log):
    _tamper(log, "update audit_log set viewer_email = 'someone@x.io' where seq = 2")
    _rehash(log, b"a key the attacker chose")
    intact, message = audit.verify(log)
    assert not intact and message.startswith("entry 1 does not fit the chain")


def test_deleting_a_middle_row_breaks_the_chain(log):
    _tamper(log, "delete from audit_log where seq = 2")
    intact, message = audit.verify(log)
    assert not intact and message.startswith("entry 2 does not fit the chain")


def test_renumbering_after_a_delete_is_still_caught(log):
    _tamper(log, "delete from audit_log where seq = 2; update audit_log set seq = seq - 1 where seq > 2")
    intact, message = audit.verify(log)
    assert not intact and message.startswith("entry 2 ")


def test_reordering_rows_is_caught(log):
    _tamper(log, "update audit_log set seq = -seq where seq in (2, 3)")
    _tamper(log, "update audit_log set seq = case seq when -2 then 3 else 2 end where seq < 0")
    intact, message = audit.verify(log)
    assert not intact and message.startswith("entry 2 does not fit the chain")


def test_a_wrong_key_does_not_verify(log, monkeypatch):
    monkeypatch.setenv("TOKENYIELD_AUDIT_KEY", "not the key that wrote the log")
    intact, message = audit.verify(log)
    assert not intact and message.startswith("entry 1 does not fit the chain")


def test_a_missing_key_cannot_verify(log):
    audit_key.key_file(log).unlink()
    intact, message = audit.verify(log)
    assert not intact and "the audit key is missing" in message


def test_a_key_from_the_environment_or_a_key_file_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("TOKENYIELD_AUDIT_KEY_FILE", str(tmp_path / "secret" / "audit.key"))
    path = tmp_path / "audit.duckdb"
    audit.record(path, ENTRIES[:2])
    assert (tmp_path / "secret" / "audit.key").is_file() and not audit_key.key_file(path).name.endswith(
        ".duckdb.key"
    )
    assert audit.verify(path) == (True, "intact, 2 entries")
    monkeypatch.setenv("TOKENYIELD_AUDIT_KEY", "s3cret")
    assert audit.verify(path)[0] is False  # the environment's key wins, and it is not the file's


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
    assert audit.verify(log) == (True, "intact, 7 entries")


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
    audit.record(path, ENTRIES[:1])  # the key file exists before the two writers start
    root = Path(__file__).resolve().parents[2]
    writers = [
        subprocess.Popen([sys.executable, "-c", APPEND, str(path), f"{n}@x.io", str(WRITES)], cwd=root)
        for n in ("a", "b")
    ]
    codes = [writer.wait(timeout=600) for writer in writers]
    assert codes == [0, 0]
    rows = audit.read(path)
    assert rows.height == 2 * WRITES + 1
    assert sorted(rows["seq"].to_list()) == list(range(1, 2 * WRITES + 2))
    assert rows.group_by("viewer_email").len().sort("viewer_email").rows() == [
        ("a@x.io", WRITES),
        ("b@x.io", WRITES),
        ("boss@x.io", 1),
    ]
    assert audit.verify(path) == (True, f"intact, {2 * WRITES + 1} entries")


def _verify_cli(log: Path, *args: str) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from pipelines.cli import app

    env = {"TOKENYIELD_AUDIT_DB": str(log), "TOKENYIELD_DB": str(log.parent / "warehouse.duckdb")}
    result = CliRunner().invoke(app, ["audit", "verify", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_audit_verify_command_says_intact_or_exits_1_with_one_line(log, tmp_path):
    assert _verify_cli(log) == (0, "intact, 6 entries\n", "")
    index = tmp_path / "index.csv"
    index.write_text(
        f"file,kind,what\nteams.csv,table (csv),Teams\n,{audit_key.INDEX_KIND},{audit.head(log).line()}\n"
    )
    _tamper(log, "delete from audit_log where seq > 3")
    audit_key.write(audit_key.head_file(log), audit.head(log))  # the log's own head file rewound
    assert _verify_cli(log)[0] == 0  # nothing else anchors it
    code, stdout, stderr = _verify_cli(log, "--anchor", str(index))
    assert (code, stdout) == (1, "")
    assert stderr == f"tampered: truncated: {index} records entry 6, but the log ends at entry 3\n"


def test_audit_verify_reads_the_anchor_beside_the_warehouse(log):
    audit_key.write(log.parent / "warehouse.duckdb.audit-head", audit.head(log))
    _tamper(log, "delete from audit_log where seq = 6")
    audit_key.write(audit_key.head_file(log), audit.head(log))
    code, _, stderr = _verify_cli(log)
    assert code == 1 and stderr.count("\n") == 1
    assert stderr.startswith(
        f"tampered: truncated: {log.parent / 'warehouse.duckdb.audit-head'} records entry 6"
    )


def test_an_anchor_holds_only_for_the_log_it_was_taken_from(log, tmp_path):
    other = tmp_path / "elsewhere" / "audit.duckdb"  # e.g. the log of a test or another deployment
    audit.record(other, ENTRIES)
    audit.record(other, ENTRIES)
    beside_warehouse = tmp_path / "warehouse.duckdb.audit-head"
    audit_key.write(beside_warehouse, audit.head(other))
    assert audit.verify(log, [beside_warehouse]) == (True, "intact, 6 entries")
    assert audit_key.read(beside_warehouse).log == str(other.resolve())
