"""Time each step of one build (each model, quarantine + row accounting, validation).

.venv/bin/python bench/profile_build.py [INPUT_DIR]                # a full build
.venv/bin/python bench/profile_build.py --incremental [INPUT_DIR]  # the one-day refresh: builds the
    input without its last ai_usage day (not timed), puts the day back, then times the refresh
Default input: the bench's 10,000 x 52 organization.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.build import build
from pipelines.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input", nargs="?", type=Path, default=ROOT / "bench" / "out" / "org-10000x52")
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument("--engine", default="duckdb")
    args = parser.parse_args()
    last = [time.perf_counter(), "inputs checked, files hashed"]

    def step(name: str) -> None:
        now = time.perf_counter()
        print(f"{now - last[0]:7.2f} s  {last[1]}", flush=True)
        last[:] = [now, name]

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            input_dir=args.input,
            warehouse_path=Path(folder) / "w.duckdb",
            memory_limit="4GB",
            pseudonym_key="profile",
        )
        if args.incremental:
            day = sorted((args.input / "ai_usage").iterdir())[-1]
            aside = Path(folder) / day.name
            day.rename(aside)
            try:
                build(settings, engine=args.engine)
            finally:
                aside.rename(day)
        last[0] = time.perf_counter()
        result = build(settings, progress=step, incremental=args.incremental, engine=args.engine)
        step("done")
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            for suite, seconds in con.execute(
                "select suite, seconds from validation_timings where seconds >= 0.1 order by seconds desc"
            ).fetchall():
                print(f"{seconds:7.2f} s    validation: {suite}")
    kind = "incremental" if result.incremental else "full"
    print(f"{result.seconds:7.2f} s  total, {kind} (validation {result.validation_seconds:.2f} s)")


if __name__ == "__main__":
    main()
