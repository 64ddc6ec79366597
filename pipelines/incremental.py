"""Incremental builds: when only new ai_usage files have arrived, reuse what the last build staged.

The previous warehouse keeps, per ai_usage file, its content hash and the UTC days it holds
(stage_files, stage_file_days). A new build may reuse the previous first stage (user-day sums)
when the models and configuration are unchanged and every file it read is still there unchanged.
Duplicates can only repeat an event of the same day, so only the days the new files touch are
summed again, from every file that holds those days; all other days are copied. The result equals
a full rebuild (tests/pipelines/test_incremental.py proves it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines import __version__, inputs
from pipelines.db import run
from pipelines.inputs import TableFiles
from pipelines.models import load_models
from pipelines.settings import BUILTIN_PRICES, Settings

CHUNK = 1 << 20


@dataclass(frozen=True)
class FileStamp:
    path: str
    size: int
    mtime_ns: int
    content_hash: str


@dataclass(frozen=True)
class Plan:
    incremental: bool
    reason: str
    stamps: dict[str, FileStamp]  # every current ai_usage file
    new_files: list[str] = field(default_factory=list)
    kept_files: list[str] = field(default_factory=list)


def fingerprint(settings: Settings) -> str:
    """Changes whenever a rebuild could give other figures: code version, models, prices, bots."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(__version__.encode())
    for model in load_models():
        digest.update(model.sql.encode())
    digest.update(Path(inputs.__file__).read_bytes())  # how files are read is part of the result
    for path in [BUILTIN_PRICES, settings.prices_override]:
        if path:
            digest.update(Path(path).read_bytes())
    digest.update(",".join(sorted(settings.bot_logins)).encode())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def plan(previous: Path, usage: TableFiles, settings: Settings) -> Plan:
    """Full or incremental, and why. A file whose size and modification time are unchanged keeps
    the hash recorded for it (as git's index does); any other file is hashed."""
    known: dict[str, tuple[int, int, str]] = {}
    previous_fingerprint = None
    if previous.is_file():
        try:
            with duckdb.connect(str(previous), read_only=True) as con:
                previous_fingerprint = run(con, "select fingerprint from build_info")[0][0]
                known = {
                    r[0]: (r[1], r[2], r[3])
                    for r in run(con, "select source_file, size, mtime_ns, content_hash from stage_files")
                }
        except (duckdb.Error, IndexError):
            known, previous_fingerprint = {}, None
    stamps = {}
    for path in usage.all_files:
        stat = path.stat()
        key = str(path)
        same = key in known and known[key][:2] == (stat.st_size, stat.st_mtime_ns)
        stamps[key] = FileStamp(
            key, stat.st_size, stat.st_mtime_ns, known[key][2] if same else file_hash(path)
        )
    if previous_fingerprint is None:
        return Plan(False, "no previous warehouse to reuse", stamps)
    if previous_fingerprint != fingerprint(settings):
        return Plan(False, "models, prices or settings changed since the last build", stamps)
    changed = [p for p, (_, _, h) in known.items() if p not in stamps or stamps[p].content_hash != h]
    if changed:
        return Plan(
            False, f"{len(changed)} file(s) read last time are gone or changed, e.g. {changed[0]}", stamps
        )
    new = sorted(p for p in stamps if p not in known)
    if not new:
        return Plan(True, "no new ai_usage files", stamps, [], sorted(known))
    return Plan(True, f"{len(new)} new ai_usage file(s)", stamps, new, sorted(known))


def reread_files(con: duckdb.DuckDBPyConnection, new_days: list, new_files: list[str]) -> list[str]:
    """The new files, and every earlier file that holds one of the days they touch."""
    if not new_days:
        return list(new_files)
    old = run(
        con,
        "select distinct source_file from prev.stage_file_days where usage_date in (select unnest(?))",
        [new_days],
    )
    return sorted(set(new_files) | {r[0] for r in old})


def write_stage_tables(con: duckdb.DuckDBPyConnection, plan: Plan, reread: list[str] | None) -> None:
    """Record every current ai_usage file: its stamp, rows and days (copied for files not read)."""
    run(
        con,
        "create or replace table stage_files (source_file varchar, size bigint, mtime_ns bigint, "
        "content_hash varchar, rows_read bigint)",
    )
    run(con, "create or replace table stage_file_days (source_file varchar, usage_date date)")
    read_now = set(plan.stamps) if reread is None else set(reread)
    counts = dict(run(con, "select _source_file, count(*) from raw_ai_usage group by all"))
    for stamp in plan.stamps.values():
        rows = counts.get(stamp.path, 0) if stamp.path in read_now else None
        run(
            con,
            "insert into stage_files values (?, ?, ?, ?, ?)",
            [stamp.path, stamp.size, stamp.mtime_ns, stamp.content_hash, rows],
        )
    run(
        con,
        "insert into stage_file_days select distinct _source_file, "
        "(try_cast(occurred_at as timestamptz) at time zone 'UTC')::date from raw_ai_usage "
        "where try_cast(occurred_at as timestamptz) is not null",
    )
    if reread is not None:
        kept = [p for p in plan.stamps if p not in read_now]
        run(
            con,
            "update stage_files set rows_read = p.rows_read from prev.stage_files p "
            "where p.source_file = stage_files.source_file and stage_files.source_file in (select unnest(?))",
            [kept],
        )
        run(
            con,
            "insert into stage_file_days select * from prev.stage_file_days where source_file in "
            "(select unnest(?))",
            [kept],
        )
