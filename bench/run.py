"""Benchmark: a 10,000-engineer year, per request, on this machine.

Generates the organization (once; kept in bench/out/), then measures in fresh processes:
- `tokenyield build` (wall time, rows/s, peak RSS),
- a bare DuckDB scan-aggregate of the same raw files to person-day (the floor any pipeline pays),
- the dashboard's query functions (pipelines.metrics) on the built warehouse, cold and warm.
Prints a markdown table and writes bench/out/results.json. Record the figures in docs/performance.md.

    .venv/bin/python bench/run.py [--people 10000] [--weeks 52] [--memory-limit 4GB]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def measured(code: str, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run python code in a fresh process: (wall seconds, peak RSS in MiB, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed:\n{code}")
    return seconds, usage.ru_maxrss / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    data = args.out / f"org-{args.people}x{args.weeks}"
    db = args.out / f"warehouse-{args.people}x{args.weeks}.duckdb"
    results: dict[str, object] = {
        "people": args.people,
        "weeks": args.weeks,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }

    if not (data / "people.csv").exists():
        seconds, rss, _ = measured(
            "from pathlib import Path; from datetime import date; from pipelines.demo import generate; "
            f"generate(Path({str(data)!r}), people={args.people}, weeks={args.weeks}, seed=7, end=date(2026, 11, 22))"
        )
        results["generate_seconds"], results["generate_peak_mib"] = round(seconds, 1), round(rss)

    build_code = (
        "import json; from pathlib import Path; from pipelines.build import build; "
        "from pipelines.settings import Settings; "
        f"r = build(Settings(input_dir=Path({str(data)!r}), warehouse_path=Path({str(db)!r}), "
        f"memory_limit={args.memory_limit!r}), incremental=INCREMENTAL); "
        "print(json.dumps({'rows': r.rows['ai_usage'].read, 'incremental': r.incremental, "
        "'validation': r.validation_seconds}))"
    )
    # the year without its last day, then that day arriving: the incremental refresh
    last_day = sorted((data / "ai_usage").iterdir())[-1]
    aside = args.out / "held-aside"
    aside.mkdir(parents=True, exist_ok=True)
    last_day.rename(aside / last_day.name)
    try:
        measured(build_code.replace("INCREMENTAL", "False"))
    finally:
        (aside / last_day.name).rename(last_day)
    refresh, _, out = measured(build_code.replace("INCREMENTAL", "True"))
    assert json.loads(out.strip().splitlines()[-1])["incremental"], "the one-day refresh was not incremental"

    seconds, rss, out = measured(build_code.replace("INCREMENTAL", "False"))
    built = json.loads(out.strip().splitlines()[-1])
    rows = built["rows"]
    results.update(
        build_seconds=round(seconds, 1),
        build_peak_mib=round(rss),
        ai_usage_rows=rows,
        build_rows_per_second=round(rows / seconds),
        validation_seconds=round(built["validation"], 1),
        validation_share=round(built["validation"] / seconds, 3),
        incremental_one_day_seconds=round(refresh, 1),
        incremental_over_full=round(refresh / seconds, 3),
    )

    bare, _, _ = measured(
        "import duckdb; con = duckdb.connect(); con.execute(\"set TimeZone='UTC'\"); "
        f'con.execute("select \\"user\\", (occurred_at at time zone \'UTC\')::date as day, sum(input_tokens + output_tokens '
        f"+ cache_read_tokens + cache_write_tokens), count(*) from read_parquet('{data}/ai_usage/**/*.parquet') "
        'group by all").fetchall()'
    )
    results["bare_scan_aggregate_seconds"] = round(bare, 1)
    results["build_over_bare"] = round(seconds / bare, 2)

    _, _, out = measured(
        "import json, time; from pathlib import Path; from pipelines.warehouse import connect_read_only; "
        "from pipelines.metrics import Filters; from pipelines.metrics import queries; "
        "from pipelines.metrics.headline import efficiency; "
        f"con = connect_read_only(Path({str(db)!r})); start, end = queries.period(con); t = {{}}\n"
        "teams = queries.teams(con)\n"
        "for name, f in [('all', Filters()), ('two_teams', Filters(teams=tuple(teams[:2]))), "
        "('one_tool_last_13_weeks', Filters(tools=('claude-code',), start=end.fromordinal(end.toordinal() - 84)))]:\n"
        "    s = time.perf_counter(); queries.weekly(con, f); queries.teams_table(con, f); t[name + '_overview_ms'] = round((time.perf_counter() - s) * 1000)\n"
        "    s = time.perf_counter(); efficiency(con, f); t[name + '_efficiency_ms'] = round((time.perf_counter() - s) * 1000)\n"
        "print(json.dumps(t))"
    )
    results.update(json.loads(out.strip().splitlines()[-1]))

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print("| measure | value |\n|---|---|")
    for key, value in results.items():
        print(f"| {key} | {value:,} |" if isinstance(value, int | float) else f"| {key} | {value} |")


if __name__ == "__main__":
    main()
