"""`tokenyield identities apply`: add the reviewed suggestions marked `confirmed=yes`.

A confirmed row becomes `identities(person_id, system, external_id)`. Nothing is duplicated: an
account already mapped to that person is skipped, one mapped to someone else is kept as it is
and reported; an importer's hint row for the account (person_id = an email, no person) is
replaced. New rows go where the input keeps identities: appended to `identities.csv|.parquet`,
or stored in `identities/` (store.append), or a new `identities.csv`. Files are replaced
atomically.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from pipelines.csv_cells import restore
from pipelines.sources import store
from pipelines.sources.errors import SourceError
from pipelines.sources.identity_inputs import read_inputs

YES, NO = {"yes", "y", "true", "1"}, {"", "no", "n", "false", "0"}


@dataclass
class ApplyResult:
    added: int = 0
    replaced_hints: int = 0
    already: int = 0
    conflicts: list[str] = field(default_factory=list)


def confirmed_rows(suggestions: Path, person_ids: set[str]) -> list[dict[str, str]]:
    """The rows marked yes, checked: a known person, and one person per account."""
    if not suggestions.is_file():
        raise SourceError("no such file", path=suggestions)
    with suggestions.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"system", "external_id", "proposed_person_id", "confirmed"} - set(reader.fieldnames or [])
        if missing:
            raise SourceError(f"missing column(s) {', '.join(sorted(missing))}", path=suggestions)
        chosen: dict[tuple[str, str], dict[str, str]] = {}
        for number, row in enumerate(reader, start=1):
            answer = (row["confirmed"] or "").strip().casefold()
            if answer not in YES | NO:
                raise SourceError(
                    f"expected yes or no, got {row['confirmed']!r}",
                    path=suggestions,
                    row=number,
                    field="confirmed",
                )
            if answer in NO:
                continue
            # suggest neutralised cells a spreadsheet would run as formulas (csv_cells.py)
            system, external_id = (restore((row[c] or "").strip()) for c in ("system", "external_id"))
            person_id = restore((row["proposed_person_id"] or "").strip())
            if not system or not external_id:
                raise SourceError("expected a system and an external_id", path=suggestions, row=number)
            if person_id not in person_ids:
                raise SourceError(
                    f"expected a person_id from people, got {person_id!r}",
                    path=suggestions,
                    row=number,
                    field="proposed_person_id",
                )
            key = (system, external_id.casefold())
            if key in chosen and chosen[key]["person_id"] != person_id:
                raise SourceError(
                    f"{system} {external_id} is confirmed for two people", path=suggestions, row=number
                )
            chosen[key] = {"person_id": person_id, "system": system, "external_id": external_id}
    return list(chosen.values())


def apply(input_dir: Path, suggestions: Path) -> ApplyResult:
    tables = read_inputs(input_dir)
    person_ids = {p for p in tables.people["person_id"] if p}
    result = ApplyResult()
    existing = {
        (row["system"], (row["external_id"] or "").casefold()): row["person_id"]
        for row in tables.identities
        if row["person_id"] in person_ids
    }
    new_rows = []
    for row in confirmed_rows(suggestions, person_ids):
        mapped = existing.get((row["system"], row["external_id"].casefold()))
        if mapped == row["person_id"]:
            result.already += 1
        elif mapped is not None:
            result.conflicts.append(f"{row['system']} {row['external_id']} stays mapped to {mapped}")
        else:
            new_rows.append(row)
    keys = {(r["system"], r["external_id"].casefold()) for r in new_rows}
    hint_files = {
        row["_file"]
        for row in tables.identities
        if row["person_id"] not in person_ids
        and (row["system"], (row["external_id"] or "").casefold()) in keys
    }
    for file in sorted(f for f in hint_files if f):
        result.replaced_hints += _drop_hints(Path(file), keys, person_ids)
    if new_rows:
        _add(
            input_dir,
            pl.DataFrame(new_rows, schema={c: pl.String for c in ("person_id", "system", "external_id")}),
        )
    result.added = len(new_rows)
    return result


def _drop_hints(file: Path, keys: set[tuple[str, str]], person_ids: set[str]) -> int:
    """Rewrite `file` without the hint rows (person_id no person) of the accounts in `keys`."""
    frame = _read(file)
    key = pl.concat_str(pl.col("system"), pl.col("external_id").str.to_lowercase(), separator="\x1f")
    wanted = [f"{system}\x1f{external_id}" for system, external_id in keys]
    is_hint = ~pl.col("person_id").is_in(list(person_ids)).fill_null(False) & key.is_in(wanted).fill_null(
        False
    )
    kept = frame.filter(~is_hint)
    if kept.height == 0 and file.parent.name == "identities":
        file.unlink()
    elif kept.height < frame.height:
        _write(kept, file)
    return frame.height - kept.height


def _add(input_dir: Path, rows: pl.DataFrame) -> None:
    folder = input_dir / "identities"
    singles = [input_dir / f"identities.{fmt}" for fmt in ("csv", "parquet")]
    single = next((f for f in singles if f.is_file()), None)
    if folder.is_dir() or (single is None and any(p.is_dir() for p in input_dir.iterdir())):
        store.append(input_dir, {"identities": rows}, source="identities-confirmed")
    elif single is not None:
        _write(pl.concat([_read(single), rows], how="diagonal_relaxed"), single)
    else:
        _write(rows, singles[0])


def _read(file: Path) -> pl.DataFrame:
    return pl.read_parquet(file) if file.suffix == ".parquet" else pl.read_csv(file, infer_schema=False)


def _write(frame: pl.DataFrame, file: Path) -> None:
    handle, temp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-", suffix=file.suffix)
    os.close(handle)
    try:
        frame.write_parquet(temp) if file.suffix == ".parquet" else frame.write_csv(temp)
        os.replace(temp, file)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def apply_command(
    input: Annotated[Path, typer.Option("--input", help="The input folder whose identities to extend.")],
    suggestions: Annotated[
        Path, typer.Option("--suggestions", help="The reviewed CSV from `identities suggest`.")
    ],
) -> None:
    """Add the suggestions marked confirmed=yes to the input's identities (no duplicates)."""
    try:
        result = apply(input, suggestions)
    except SourceError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"identities: {result.added} added, {result.already} already present, "
        f"{result.replaced_hints} importer hints replaced, {len(result.conflicts)} conflicts"
    )
    for conflict in result.conflicts:
        typer.echo(f"  conflict: {conflict}")
