"""The audit log: who viewed which person's data, and when. Append-only, and provably so.

It lives in its own DuckDB file (TOKENYIELD_AUDIT_DB, default data/audit.duckdb), not in the
warehouse, which every build replaces. Rows are only ever inserted, and each row carries the
SHA-256 of the previous row's hash and its own fields, so `verify()` finds any row changed or
removed after the fact. Writers open the file for one insert and close it, retrying while
another process holds it, so the dashboard and CLI exports can both write.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

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
    row_hash varchar not null
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


def _hash(prev: str, seq: int, at: datetime, entry: Entry) -> str:
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
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


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


class AuditError(RuntimeError):
    """The audit log could not be written, so the person-level view is not shown."""


def record(path: Path, entries: list[Entry]) -> None:
    """Append entries (one transaction); never updates or deletes."""
    if not entries:
        return
    con = _connect(path)
    try:
        con.execute(SCHEMA)
        con.execute("begin transaction")
        last = con.execute("select seq, row_hash from audit_log order by seq desc limit 1").fetchall()
        seq, prev = (last[0][0], last[0][1]) if last else (0, GENESIS)
        at = datetime.now(UTC)
        for entry in entries:
            seq += 1
            row_hash = _hash(prev, seq, at, entry)
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
    finally:
        con.close()


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


def verify(path: Path) -> tuple[bool, str]:
    """Recompute the chain: (True, 'n rows intact') or (False, the first row that does not fit)."""
    if not path.exists():
        return True, "no audit log yet"
    con = _connect(path)
    try:
        con.execute(SCHEMA)
        rows = con.execute("select * from audit_log order by seq").fetchall()
    finally:
        con.close()
    prev = GENESIS
    for expected_seq, row in enumerate(rows, start=1):
        seq, at, email, role, action, subject, detail, prev_hash, row_hash = row
        entry = Entry(email, role, action, subject, detail)
        if seq != expected_seq or prev_hash != prev or _hash(prev, seq, at, entry) != row_hash:
            return False, f"row {seq} does not fit the chain (changed, inserted or a row before it removed)"
        prev = row_hash
    return True, f"{len(rows)} rows intact"
