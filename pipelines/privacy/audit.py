"""The audit log: who viewed which person's data, and when. Append-only, and provably so.

It lives in its own DuckDB file (TOKENYIELD_AUDIT_DB, default data/audit.duckdb), not in the
warehouse, which every build replaces. Rows are only ever inserted. Each row carries an
HMAC-SHA256 over the previous row's hash and its own fields, keyed by a secret kept outside the
log (audit_key.py), so nobody who can only write the log can rewrite it and recompute the chain.
Truncation leaves a valid chain behind, so the head (sequence number and hash) is also written
to anchors the log cannot rewind: a head file beside the log, a file beside each warehouse and
each export's index (audit_key.py). `verify()` checks the chain and every anchor it is given.
Writers open the file for one insert and close it, retrying while another process holds it, so
the dashboard and CLI exports can both write.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.privacy import audit_key
from pipelines.privacy.audit_key import Head

SCHEMA = """
create table if not exists audit_log (
    seq bigint primary key,
    viewed_at timestamptz not null,
    viewer_email varchar not null,
    viewer_role varchar not null,
    action varchar not null,        -- e.g. 'view: My team', 'export: report.pdf'
    subject_person_key varchar,     -- whose person-level data was shown (null: aggregates only)
    detail varchar,
    prev_hash varchar not null,
    row_hash varchar not null       -- HMAC-SHA256(key, prev_hash and this row's fields)
)
"""
GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    viewer_email: str
    viewer_role: str
    action: str
    subject_person_key: str | None = None
    detail: str | None = None


class AuditError(RuntimeError):
    """The audit log could not be written, so the person-level view is not shown."""


def _hash(key: bytes, prev: str, seq: int, at: datetime, entry: Entry) -> str:
    fields = [
        prev,
        str(seq),
        at.isoformat(),
        entry.viewer_email,
        entry.viewer_role,
        entry.action,
        entry.subject_person_key or "",
        entry.detail or "",
    ]
    return hmac.new(key, "\x1f".join(fields).encode(), hashlib.sha256).hexdigest()


def _connect(path: Path, attempts: int = 50) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(attempts):
        try:
            con = duckdb.connect(str(path))
            con.execute("set TimeZone = 'UTC'")
            return con
        except duckdb.IOException:  # another process holds the file for its insert
            time.sleep(0.02 * (attempt + 1))
    raise AuditError(f"{path}: the audit log stayed locked by another process; nothing was shown or exported")


def record(path: Path, entries: list[Entry]) -> Head | None:
    """Append entries (one transaction); never updates or deletes. Returns the new head."""
    if not entries:
        return None
    con = _connect(path)
    try:
        key = audit_key.load(path, create=True)  # made under the log's lock: one writer makes it
        audit_key.private(path)
        con.execute(SCHEMA)
        con.execute("begin transaction")
        last = con.execute("select seq, row_hash from audit_log order by seq desc limit 1").fetchall()
        seq, prev = (last[0][0], last[0][1]) if last else (0, GENESIS)
        at = datetime.now(UTC)
        for entry in entries:
            seq += 1
            row_hash = _hash(key, prev, seq, at, entry)
            con.execute(
                "insert into audit_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    seq,
                    at,
                    entry.viewer_email,
                    entry.viewer_role,
                    entry.action,
                    entry.subject_person_key,
                    entry.detail,
                    prev,
                    row_hash,
                ],
            )
            prev = row_hash
        con.execute("commit")
        head = Head(seq, prev, str(path.resolve()))
        audit_key.advance(audit_key.head_file(path), head)  # still under the log's lock
        return head
    finally:
        con.close()


def head(path: Path) -> Head:
    """The newest row's sequence number and hash (0 and the genesis hash for an empty log)."""
    if not path.exists():
        return Head(0, GENESIS, str(path.resolve()))
    con = _connect(path)
    try:
        con.execute(SCHEMA)
        last = con.execute("select seq, row_hash from audit_log order by seq desc limit 1").fetchall()
    finally:
        con.close()
    return Head(*(last[0] if last else (0, GENESIS)), str(path.resolve()))


def read(path: Path, limit: int | None = None) -> pl.DataFrame:
    """The log, newest first (for the admin's Audit page)."""
    if not path.exists():
        return pl.DataFrame(
            schema={
                "seq": pl.Int64,
                "viewed_at": pl.Datetime("us", "UTC"),
                "viewer_email": pl.String,
                "viewer_role": pl.String,
                "action": pl.String,
                "subject_person_key": pl.String,
                "detail": pl.String,
            }
        )
    con = _connect(path)
    try:
        con.execute(SCHEMA)
        sql = (
            "select seq, viewed_at, viewer_email, viewer_role, action, subject_person_key, detail "
            "from audit_log order by seq desc" + (f" limit {int(limit)}" if limit else "")
        )
        return con.sql(sql).pl()
    finally:
        con.close()


def verify(path: Path, anchors: Iterable[Path] = ()) -> tuple[bool, str]:
    """Recompute the keyed chain and hold it against every anchor: the head file beside the log,
    and `anchors` (head files beside warehouses, export index.csv files; missing ones, and those
    taken from another log, are skipped).
    (True, 'intact, N entries') or (False, one line saying what does not fit)."""
    if not path.exists():
        return True, "intact, 0 entries (no audit log yet)"
    try:
        key = audit_key.load(path, create=False)
    except audit_key.KeyMissing as error:
        return False, str(error)
    con = _connect(path)
    try:
        con.execute(SCHEMA)
        rows = con.execute("select * from audit_log order by seq").fetchall()
    finally:
        con.close()
    prev = GENESIS
    hashes: dict[int, str] = {}
    for expected_seq, row in enumerate(rows, start=1):
        seq, at, email, role, action, subject, detail, prev_hash, row_hash = row
        entry = Entry(email, role, action, subject, detail)
        if seq != expected_seq or prev_hash != prev or _hash(key, prev, seq, at, entry) != row_hash:
            return False, (
                f"entry {expected_seq} does not fit the chain (changed, reordered, inserted or an entry "
                "before it removed; or the audit key is not the one that wrote the log)"
            )
        hashes[seq] = prev = row_hash
    head_file = audit_key.head_file(path)
    if rows and not head_file.exists():
        return False, f"{head_file}: the log's head file is missing (the log may have been replaced)"
    for anchor in [head_file, *anchors]:
        problem = audit_key.check(anchor, path, hashes)
        if problem:
            return False, problem
    return True, f"intact, {len(rows)} entries"
