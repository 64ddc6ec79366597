"""Append canonical tables to an input folder, idempotently.

Layout: `into/<table>/<source>-<content-hash>.parquet`, which `tokenyield build` reads as
"a folder of such files" (docs/data-contract.md). Re-importing the same export changes nothing;
an overlapping export adds only the rows whose key (canonical.KEYS) is not stored yet. In the
replacing tables (pull_requests, tickets, people) a changed row replaces the stored one, whose
file is rewritten without it. Every file is written to a temp name and renamed into place.
Dedupe compares against every parquet file under `into/<table>/` (at any depth); CSV files that
someone put there by hand are not compared against.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.sources.canonical import KEYS, REPLACING, conform, empty

_KEY = "__key"
_FILE = "__file"


@dataclass(frozen=True)
class AppendResult:
    """What one append did to one table."""

    table: str
    added: int  # rows whose key was not stored before
    replaced: int  # stored rows replaced by a changed version (replacing tables only)
    unchanged: int  # incoming rows already stored as they are (or repeated within the import)
    path: Path | None  # the new file, or None when nothing was new


def append(into: Path, tables: dict[str, pl.DataFrame], source: str) -> dict[str, AppendResult]:
    """Store each of `tables` (canonical name -> frame) under `into`, tagged with `source`.

    Frames are conformed first, so importers may pass them as built. Returns an AppendResult
    per table. Running it twice with the same input writes nothing the second time.
    """
    return {table: _append_table(Path(into) / table, table, frame, source) for table, frame in tables.items()}


def read_table(folder: Path, table: str) -> pl.DataFrame:
    """Every row stored in `folder` (`into/<table>`), conformed; empty when there is none."""
    stored = _read_stored(folder, table)
    return stored.drop(_KEY, _FILE)


def _append_table(folder: Path, table: str, frame: pl.DataFrame, source: str) -> AppendResult:
    incoming = _with_key(conform(table, frame), table)
    replacing = table in REPLACING
    before = incoming.height
    # within one import, the last row of a key wins where rows replace, else the first
    incoming = incoming.unique(_KEY, keep="last" if replacing else "first", maintain_order=True)
    repeated = before - incoming.height
    stored = _read_stored(folder, table)
    columns = [c for c in incoming.columns if c != _KEY]

    stored_keys = stored.select(_KEY).unique()
    fresh = incoming.join(stored_keys, on=_KEY, how="anti")
    changed = incoming.head(0)
    if replacing and stored.height:
        # an incoming row is unchanged when some stored row has the same key and the same values
        same = incoming.join(stored.drop(_FILE), on=columns, how="semi", nulls_equal=True)
        changed = incoming.join(stored_keys, on=_KEY, how="semi").join(same, on=_KEY, how="anti")
    new_rows = pl.concat([fresh, changed]).drop(_KEY)
    unchanged = incoming.height - new_rows.height + repeated

    path = _write(folder, source, new_rows) if new_rows.height else None
    if changed.height:
        _remove_stale(stored, changed.select(_KEY), columns)
    return AppendResult(table, fresh.height, changed.height, unchanged, path)


def _with_key(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """`frame` with a text key column; a row without its key (e.g. no event_id) is keyed by
    the hash of all its values, so exact repeats still dedupe."""
    key_columns = list(KEYS[table])
    key = pl.concat_str([pl.col(c).cast(pl.String) for c in key_columns], separator="\x1f")
    row_hash = pl.lit("row:") + pl.Series(frame.hash_rows(seed=0)).cast(pl.String)
    has_key = pl.all_horizontal([pl.col(c).is_not_null() for c in key_columns])
    return frame.with_columns(pl.when(has_key).then(key).otherwise(row_hash).alias(_KEY))


def _read_stored(folder: Path, table: str) -> pl.DataFrame:
    files = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
    frames = [
        _with_key(conform(table, pl.read_parquet(f)), table).with_columns(pl.lit(str(f)).alias(_FILE))
        for f in files
        if not f.name.startswith(".")
    ]
    if not frames:
        return empty(table).with_columns(
            pl.lit(None, pl.String).alias(_KEY), pl.lit(None, pl.String).alias(_FILE)
        )
    return pl.concat(frames)


def _remove_stale(stored: pl.DataFrame, keys: pl.DataFrame, columns: list[str]) -> None:
    """Rewrite each stored file that holds one of `keys` without those rows."""
    stale = stored.join(keys, on=_KEY, how="semi")
    for file in stale.get_column(_FILE).unique().to_list():
        path = Path(file)
        kept_rows = stored.filter(pl.col(_FILE) == file).join(keys, on=_KEY, how="anti")
        if kept_rows.height == 0:
            path.unlink(missing_ok=True)
            continue
        source = path.stem.rsplit("-", 1)[0]
        _write(path.parent, source, kept_rows.select(columns))
        path.unlink(missing_ok=True)


def _write(folder: Path, source: str, rows: pl.DataFrame) -> Path:
    digest = hashlib.sha256(rows.write_csv().encode()).hexdigest()[:16]
    path = folder / f"{source}-{digest}.parquet"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".parquet")
    os.close(handle)
    try:
        rows.write_parquet(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
