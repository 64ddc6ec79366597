"""The audit log's secret and its anchors: what makes a rewritten or truncated log detectable.

The key: TOKENYIELD_AUDIT_KEY, else the key file TOKENYIELD_AUDIT_KEY_FILE, else `<audit log>.key`
beside the log, made with mode 0600 on the first write. It never enters the log, so whoever can
write only the log cannot recompute the chain after changing a row.

An anchor is the log's head, its sequence number and hash, kept somewhere else: `<log>.head`
(moved forward on every write, never back), `<warehouse>.audit-head` (written by each build) and a
row of each export's index.csv, each naming the log it was taken from. A log that ends before an
anchor's entry, or holds another hash there, was truncated or rewritten.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import NamedTuple

from pipelines.privacy.pseudonyms import new_key_file

INDEX_KIND = "audit anchor"  # the kind of the index.csv row that holds the head


class Head(NamedTuple):
    seq: int
    hash: str
    log: str = ""  # the log's absolute path: an anchor holds only for the log it was taken from

    def line(self) -> str:
        return f"{self.seq} {self.hash} {self.log}".rstrip()


class KeyMissing(RuntimeError):
    """The log has entries but its key is gone: it cannot be verified."""


def key_file(log: Path) -> Path:
    configured = os.environ.get("TOKENYIELD_AUDIT_KEY_FILE", "").strip()
    return Path(configured) if configured else log.with_name(log.name + ".key")


def head_file(log: Path) -> Path:
    return log.with_name(log.name + ".head")


def warehouse_anchor(warehouse: Path) -> Path:
    """The head file each build writes beside its warehouse."""
    return warehouse.with_name(warehouse.name + ".audit-head")


def private(path: Path) -> None:
    """Mode 0600 for a file that holds person-level data or a secret (if it exists)."""
    if path.exists():
        path.chmod(0o600)


def load(log: Path, create: bool) -> bytes:
    secret = os.environ.get("TOKENYIELD_AUDIT_KEY", "").strip()
    if secret:
        return secret.encode()
    path = key_file(log)
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    if not create:
        raise KeyMissing(
            f"{path}: the audit key is missing, so the log cannot be verified "
            "(set TOKENYIELD_AUDIT_KEY or TOKENYIELD_AUDIT_KEY_FILE to the key that wrote it)"
        )
    return new_key_file(path)


def write(path: Path, head: Head) -> None:
    """Write a head file (mode 0600), replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(head.line() + "\n")
    os.replace(temp, path)


def advance(path: Path, head: Head) -> None:
    """Move a head file forward; it never goes back (a shorter log must not rewind it)."""
    current = read(path)
    if current is None or head.seq > current.seq:
        write(path, head)


def read(path: Path) -> Head | None:
    """The head an anchor holds: a head file ('seq hash'), or the anchor row of an index.csv."""
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        for row in csv.DictReader(io.StringIO(text)):
            if row.get("kind") == INDEX_KIND:
                return parse(row.get("what", ""), path)
        return None
    return parse(text, path)


def parse(text: str, source: Path) -> Head:
    parts = text.strip().split(maxsplit=2)
    if len(parts) < 2 or not parts[0].isdigit() or len(parts[1]) != 64:
        raise ValueError(f"{source}: not an audit anchor (expected 'SEQ HASH LOG')")
    return Head(int(parts[0]), parts[1], parts[2] if len(parts) == 3 else "")


def check(anchor: Path, log: Path, hashes: dict[int, str]) -> str | None:
    """None when the log holds the anchor's entry with its hash (or the anchor is another log's);
    else one line saying why not."""
    try:
        head = read(anchor)
    except ValueError as error:
        return str(error)
    if head is None or head.seq == 0 or (head.log and head.log != str(log.resolve())):
        return None
    last = max(hashes, default=0)
    if head.seq > last:
        return f"truncated: {anchor} records entry {head.seq}, but the log ends at entry {last}"
    if hashes[head.seq] != head.hash:
        return f"rewritten: entry {head.seq} differs from the one {anchor} records"
    return None
