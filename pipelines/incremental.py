"""Incremental builds: when only new ai_usage files have arrived, reuse what the last build staged.

The previous warehouse keeps, per ai_usage file, its content hash and the UTC days it holds with
their rows read and rejected (stage_files, stage_file_days). A new build may reuse the previous first stage (user-day sums)
when the models and configuration are unchanged and every file it read is still there unchanged.
Duplicates can only repeat an event of the same day, so only the days the new files touch are
summed again, from every file that holds those days; all other days are copied. The result equals
a full rebuild (tests/pipelines/test_incremental.py proves it).
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines import __version__, inputs
from pipelines.db import run
from pipelines.inputs import TableFiles
from pipelines.models import Model, load_models, references
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
    digest.update(",".join(f"{login}={agent}" for login, agent in settings.agent_logins).encode())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def hashes(paths: list[Path]) -> dict[Path, str]:
    """file_hash of each path, on one thread per core (hashlib releases the GIL while it hashes)."""
    if len(paths) < 2:
        return {path: file_hash(path) for path in paths}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(paths, pool.map(file_hash, paths), strict=True))


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
    stats = {path: path.stat() for path in usage.all_files}
    same = {
        path: str(path) in known and known[str(path)][:2] == (stat.st_size, stat.st_mtime_ns)
        for path, stat in stats.items()
    }
    hashed = hashes([path for path in stats if not same[path]])
    stamps = {
        str(path): FileStamp(
            str(path),
            stat.st_size,
            stat.st_mtime_ns,
            known[str(path)][2] if same[path] else hashed[path],
        )
        for path, stat in stats.items()
    }
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
    """Record every current ai_usage file: its stamp and rows read. The first stage has landed
    stage_file_days (rows read and rejected per file and day) for the files it read; an incremental
    build copies the other files' records from the previous warehouse."""
    run(
        con,
        "create or replace table stage_files (source_file varchar, size bigint, mtime_ns bigint, "
        "content_hash varchar, rows_read bigint)",
    )
    run(
        con,
        "insert into stage_files select unnest($paths), unnest($sizes), unnest($mtimes), unnest($hashes), null",
        {
            "paths": [s.path for s in plan.stamps.values()],
            "sizes": [s.size for s in plan.stamps.values()],
            "mtimes": [s.mtime_ns for s in plan.stamps.values()],
            "hashes": [s.content_hash for s in plan.stamps.values()],
        },
    )
    if reread is not None:
        kept = [p for p in plan.stamps if p not in set(reread)]
        run(
            con,
            "insert into stage_file_days select * from prev.stage_file_days where source_file in "
            "(select unnest(?::varchar[]))",
            [kept],
        )
    run(
        con,
        "update stage_files set rows_read = coalesce((select sum(d.rows_read) from stage_file_days d "
        "where d.source_file = stage_files.source_file), 0)",
    )


# Tables an incremental build may leave unread when their files are unchanged: the models they
# feed are copied from the previous warehouse, with their quarantine rows and row counts. People
# and identities are always read again: they are small, and the quality gate reads their staging.
REUSABLE_TABLES = ("pull_requests", "tickets", "ai_activity")
# a model that calls the pseudonym function is always run again (the key may have changed)
ALWAYS_RUN = "tokenyield_person_key"


def input_stamps(
    con: duckdb.DuckDBPyConnection | None, tables: dict[str, TableFiles]
) -> dict[str, list[FileStamp]]:
    """Stamps of every file of the tables other than ai_usage, reusing the previous warehouse's
    hashes for files whose size and modification time are unchanged."""
    known: dict[str, tuple[int, int, str]] = {}
    if con is not None and run(
        con, "select 1 from duckdb_tables() where database_name = 'prev' and table_name = 'stage_inputs'"
    ):
        known = {
            r[0]: (r[1], r[2], r[3])
            for r in run(con, "select source_file, size, mtime_ns, content_hash from prev.stage_inputs")
        }
    stats = {t: {p: p.stat() for p in files.all_files} for t, files in tables.items() if t != "ai_usage"}

    def reused(path: Path, stat: os.stat_result) -> str | None:
        entry = known.get(str(path))
        return entry[2] if entry and entry[:2] == (stat.st_size, stat.st_mtime_ns) else None

    hashed = hashes([p for listed in stats.values() for p, st in listed.items() if reused(p, st) is None])
    return {
        table: [
            FileStamp(str(p), st.st_size, st.st_mtime_ns, reused(p, st) or hashed[p])
            for p, st in listed.items()
        ]
        for table, listed in stats.items()
    }


def unchanged_tables(con: duckdb.DuckDBPyConnection, stamps: dict[str, list[FileStamp]]) -> set[str]:
    """The tables other than ai_usage whose files are exactly those the previous build read (a
    table absent both times is unchanged too)."""
    if not run(
        con, "select 1 from duckdb_tables() where database_name = 'prev' and table_name = 'stage_inputs'"
    ):
        return set()
    previous: dict[str, set[tuple[str, str]]] = {}
    for table, path, digest in run(
        con, "select table_name, source_file, content_hash from prev.stage_inputs"
    ):
        previous.setdefault(table, set()).add((path, digest))
    return {
        table
        for table in inputs.CONTRACT
        if table != "ai_usage"
        and previous.get(table, set()) == {(s.path, s.content_hash) for s in stamps.get(table, [])}
    }


def write_input_stamps(con: duckdb.DuckDBPyConnection, stamps: dict[str, list[FileStamp]]) -> None:
    rows = [(t, s.path, s.size, s.mtime_ns, s.content_hash) for t, listed in stamps.items() for s in listed]
    run(
        con,
        "create or replace table stage_inputs (table_name varchar, source_file varchar, size bigint, "
        "mtime_ns bigint, content_hash varchar)",
    )
    if rows:
        run(
            con,
            "insert into stage_inputs select unnest($t), unnest($p), unnest($s), unnest($m), unnest($h)",
            {
                "t": [r[0] for r in rows],
                "p": [r[1] for r in rows],
                "s": [r[2] for r in rows],
                "m": [r[3] for r in rows],
                "h": [r[4] for r in rows],
            },
        )


def input_tables(models: list[Model]) -> dict[str, set[str]]:
    """Model -> the input tables it depends on, through any chain of models."""
    names = {m.name for m in models}
    depends: dict[str, set[str]] = {}
    for model in models:
        tables = {model.name.removeprefix("stg_input__")} if model.layer == "staging" else set()
        for ref in references(model.sql, names) - {model.name}:
            tables |= depends.get(ref, set())
        depends[model.name] = tables
    return depends


def same_pseudonyms(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the build's pseudonym key gives the previous warehouse's person keys (the key itself
    is never stored: its outputs are compared)."""
    return not run(
        con,
        "select 1 from prev.int_people_keyed where person_key <> tokenyield_person_key(person_id) limit 1",
    )


def reusable_models(
    models: list[Model], unchanged: set[str], same_keys: bool = False
) -> tuple[set[str], set[str]]:
    """(models to copy from the previous warehouse, tables that need no reading at all).

    A model is copied when every input table it depends on, through any chain of models, is
    unchanged, every model it reads is copied too, and it does not call the pseudonym function
    (unless `same_keys`: the key is the one the previous build used). A
    table needs no reading when every model that reads its staging view is copied."""
    names = {m.name for m in models}
    by_name = {m.name: m for m in models}
    depends: dict[str, set[str]] = {}
    copied: set[str] = set()
    readers: dict[str, list[str]] = {}
    for model in models:
        refs = references(model.sql, names) - {model.name}
        tables = {model.name.removeprefix("stg_input__")} if model.layer == "staging" else set()
        for ref in refs:
            tables |= depends.get(ref, set())
            if by_name[ref].layer == "staging":
                readers.setdefault(ref.removeprefix("stg_input__"), []).append(model.name)
        depends[model.name] = tables
        if (
            model.layer != "staging"
            and tables
            and tables <= unchanged
            and (same_keys or ALWAYS_RUN not in model.sql)
            and all(r in copied or by_name[r].layer == "staging" for r in refs)
        ):
            copied.add(model.name)
    unread = {t for t in unchanged & set(REUSABLE_TABLES) if all(m in copied for m in readers.get(t, []))}
    return copied, unread
