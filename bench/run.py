"""Benchmark: a 10,000-engineer year, per request, on this machine, in one run.

Generates the organization (once; kept in bench/out/), then measures in fresh processes (wall time,
peak RSS from wait4):
- `build` (memory_limit 4GB), and against it as ratios: a bare DuckDB scan-aggregate of the same
  raw files to person-day (one query: the floor), and the same metrics in idiomatic pandas
  (bench/pandas_baseline.py);
- the incremental one-day refresh (the year without its last day, then that day arriving);
- the build under a lower memory_limit (spilling to disk);
- the first stage on Spark (local[2]) over the last --spark-weeks weeks, beside DuckDB on the same;
- the dashboard's server time for a rerun after a filter change (Streamlit AppTest).
Prints a markdown table and writes bench/out/results.json. Record the figures in docs/performance.md.

    .venv/bin/python bench/run.py [--people 10000] [--weeks 52] [--memory-limit 4GB]
        [--low-memory-limit 1GB] [--spark-weeks 13]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import timedelta
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


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def build_code(data: Path, db: Path, memory_limit: str, incremental: bool, **extra: str) -> str:
    options = "".join(f", {k}={v}" for k, v in extra.items())
    return (
        "import json; from datetime import date; from pathlib import Path; from pipelines.build import build; "
        "from pipelines.settings import Settings; "
        f"r = build(Settings(input_dir=Path({str(data)!r}), warehouse_path=Path({str(db)!r}), "
        f"memory_limit={memory_limit!r}, pseudonym_key='bench'), incremental={incremental}{options}); "
        "print(json.dumps({'rows': r.rows['ai_usage'].read, 'loaded': r.rows['ai_usage'].loaded, "
        "'incremental': r.incremental, 'validation': r.validation_seconds, 'seconds': r.seconds}))"
    )


def save(folder: Path, results: dict[str, object]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--low-memory-limit", default="1GB")
    parser.add_argument("--spark-weeks", type=int, default=13, help="0: skip the Spark run")
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
        "load_average_at_start": round(os.getloadavg()[0], 1),
    }

    if not (data / "people.csv").exists():
        seconds, rss, _ = measured(
            "from pathlib import Path; from datetime import date; from pipelines.demo import generate; "
            f"generate(Path({str(data)!r}), people={args.people}, weeks={args.weeks}, seed=7, end=date(2026, 11, 22))"
        )
        results["generate_seconds"], results["generate_peak_mib"] = round(seconds, 1), round(rss)

    if not (data / "access.toml").exists():  # an organization generated before access files
        from pipelines.privacy.access import write_demo

        write_demo(data)

    # the year without its last day, then that day arriving: the incremental refresh
    last_day = sorted((data / "ai_usage").iterdir())[-1]
    aside = args.out / "held-aside"
    aside.mkdir(parents=True, exist_ok=True)
    last_day.rename(aside / last_day.name)
    try:
        measured(build_code(data, db, args.memory_limit, False))
    finally:
        (aside / last_day.name).rename(last_day)
    refresh, _, out = measured(build_code(data, db, args.memory_limit, True))
    refreshed = last_json(out)
    assert refreshed["incremental"], "the one-day refresh was not incremental"

    seconds, rss, out = measured(build_code(data, db, args.memory_limit, False))
    built = last_json(out)
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
        # inside build(), without starting Python and importing the package (about 1 s each time)
        build_inside_seconds=round(built["seconds"], 1),
        incremental_inside_seconds=round(refreshed["seconds"], 1),
        incremental_over_full_inside=round(refreshed["seconds"] / built["seconds"], 3),
    )

    bare, _, _ = measured(
        "import duckdb; con = duckdb.connect(); con.execute(\"set TimeZone='UTC'\"); "
        f'con.execute("select \\"user\\", (occurred_at at time zone \'UTC\')::date as day, sum(input_tokens + output_tokens '
        f"+ cache_read_tokens + cache_write_tokens), count(*) from read_parquet('{data}/ai_usage/**/*.parquet') "
        'group by all").fetchall()'
    )
    save(args.out, results)
    results["bare_scan_aggregate_seconds"] = round(bare, 1)
    results["build_over_bare"] = round(seconds / bare, 2)

    pandas_wall, pandas_rss, out = measured(
        f"import runpy, sys; sys.argv = ['pandas_baseline', {str(data)!r}]; "
        "runpy.run_path('bench/pandas_baseline.py', run_name='__main__')"
    )
    baseline = last_json(out)
    results.update(
        pandas_seconds=round(pandas_wall, 1),
        pandas_peak_mib=round(pandas_rss),
        pandas_over_build=round(pandas_wall / seconds, 2),
        pandas_total_tokens=baseline["total_tokens"],
        pandas_merged_prs=baseline["merged_prs"],
    )

    save(args.out, results)
    low = args.out / "warehouse-low-memory.duckdb"
    low_seconds, low_rss, out = measured(build_code(data, low, args.low_memory_limit, False))
    results.update(
        low_memory_limit=args.low_memory_limit,
        low_memory_build_seconds=round(low_seconds, 1),
        low_memory_build_peak_mib=round(low_rss),
        low_memory_same_rows=last_json(out)["loaded"] == built["loaded"],
    )
    for path in (low, Path(f"{low}.wal")):
        path.unlink(missing_ok=True)

    save(args.out, results)
    if args.spark_weeks:
        last = sorted((data / "ai_usage").iterdir())[-1].name.removeprefix("date=")
        from datetime import date

        since = (date.fromisoformat(last) - timedelta(weeks=args.spark_weeks) + timedelta(days=1)).isoformat()
        window = args.out / "warehouse-window.duckdb"
        for engine in ("duckdb", "spark"):
            wall, _, out = measured(
                build_code(
                    data,
                    window,
                    args.memory_limit,
                    False,
                    engine=repr(engine),
                    since=f"date.fromisoformat({since!r})",
                )
            )
            results[f"window_{args.spark_weeks}w_{engine}_build_seconds"] = round(wall, 1)
            results[f"window_{args.spark_weeks}w_rows"] = last_json(out)["rows"]
        for path in (window, Path(f"{window}.wal")):
            path.unlink(missing_ok=True)

    save(args.out, results)
    try:
        _, _, out = measured(DASHBOARD, env={"TOKENYIELD_DB": str(db)})
        results.update(last_json(out))
    except SystemExit as error:  # the dashboard is measured last: a failure keeps the other figures
        results["dashboard_error"] = str(error).splitlines()[0]

    save(args.out, results)
    print("| measure | value |\n|---|---|")
    for key, value in results.items():
        print(f"| {key} | {value:,} |" if isinstance(value, int | float) else f"| {key} | {value} |")


# server time of the Overview page after a filter change, in Streamlit's AppTest (no browser): the
# first time a filter value is seen (cached aggregates and fragments only where they help) and again
DASHBOARD = """
import json, statistics, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file('app.py', default_timeout=120)
at.user = {'is_logged_in': True, 'email': 'demo-leader', 'email_verified': True}
at.run()
assert not at.exception, [e.message for e in at.exception]
teams = at.sidebar.multiselect(key='filter_teams').options
first, again = [], []
for i in range(5):
    chosen = [teams[i]]
    start = time.perf_counter(); at.sidebar.multiselect(key='filter_teams').set_value(chosen).run()
    first.append(time.perf_counter() - start)
    at.sidebar.multiselect(key='filter_teams').set_value([]).run()
    start = time.perf_counter(); at.sidebar.multiselect(key='filter_teams').set_value(chosen).run()
    again.append(time.perf_counter() - start)
    at.sidebar.multiselect(key='filter_teams').set_value([]).run()
print(json.dumps({'dashboard_new_filter_ms_median': round(statistics.median(first) * 1000),
    'dashboard_new_filter_ms_max': round(max(first) * 1000),
    'dashboard_seen_filter_ms_median': round(statistics.median(again) * 1000),
    'dashboard_seen_filter_ms_max': round(max(again) * 1000)}))
"""


if __name__ == "__main__":
    main()
