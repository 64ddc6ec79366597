"""Time each step of one full build (each model, quarantine + row accounting, validation).

.venv/bin/python bench/profile_build.py [INPUT_DIR]   # default: the bench's 10,000 x 52 organization
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from pipelines.build import build
from pipelines.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "out" / "org-10000x52"
    last = [time.perf_counter(), "inputs checked, files hashed"]

    def step(name: str) -> None:
        now = time.perf_counter()
        print(f"{now - last[0]:7.2f} s  {last[1]}", flush=True)
        last[:] = [now, name]

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(input_dir=source, warehouse_path=Path(folder) / "w.duckdb", memory_limit="4GB")
        result = build(settings, progress=step, incremental=False)
        step("done")
    print(f"{result.seconds:7.2f} s  total (validation {result.validation_seconds:.2f} s)")


if __name__ == "__main__":
    main()
