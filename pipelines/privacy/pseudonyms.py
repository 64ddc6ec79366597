"""person_key: the pseudonym fact marts carry instead of a person.

person_key = the first 16 hex digits of HMAC-SHA256(secret, person_id). The secret comes from
TOKENYIELD_PSEUDONYM_KEY, or from a key file made once beside the warehouse (mode 0600), so keys
stay stable across builds. The secret never enters the warehouse.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import duckdb

from pipelines.settings import Settings

KEY_BYTES = 32


def key_file(settings: Settings) -> Path:
    return settings.warehouse_path.with_name(settings.warehouse_path.name + ".key")


def load_key(settings: Settings) -> bytes:
    """The secret: from the environment, else the key file (made on first use)."""
    if settings.pseudonym_key:
        return settings.pseudonym_key.encode()
    path = key_file(settings)
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    return new_key_file(path)


def new_key_file(path: Path) -> bytes:
    """A new random key, written as hex to a file that must not exist yet, with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key.hex() + "\n")
    return key


def person_key(key: bytes, person_id: str) -> str:
    return hmac.new(key, person_id.encode(), hashlib.sha256).hexdigest()[:16]


def register(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Give the build's SQL `tokenyield_person_key(person_id)` (int_people_keyed calls it)."""
    con.create_function(
        "tokenyield_person_key",
        lambda person_id: person_key(key, person_id),
        [duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        side_effects=False,
    )
