"""What the release shows exactly, and what it costs, at the org sizes users have.

    .venv/bin/python bench/release_utility.py [--sizes 30,500,3000,10000] [--weeks 26]

For each size: generate the demo organization, build its warehouse, then report the share of
spend, tokens, merged PRs, engineer-weeks and agent-authored PRs that released cells hold (shown exactly), how many
units and release units there are, and the seconds the build spends making the release. Results go
to bench/out/release_utility.json; docs/privacy.md quotes them.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.build import build
from pipelines.demo import generate
from pipelines.privacy import release
from pipelines.privacy.access import write_demo
from pipelines.settings import Settings

OUT = Path(__file__).parent / "out" / "release_utility.json"


def measure(people: int, weeks: int, folder: Path) -> dict[str, float | int]:
    inputs = folder / f"in-{people}"
    generate(inputs, people=people, weeks=weeks, seed=7)
    write_demo(inputs)
    db = folder / f"w-{people}.duckdb"
    build(Settings(input_dir=inputs, warehouse_path=db))
    con = duckdb.connect(str(db), read_only=True)
    try:
        started = time.perf_counter()
        made = release.build(con)
        seconds = time.perf_counter() - started
        cost, tokens, prs, person_weeks = con.execute(
            "select sum(cost_micro_usd), sum(total_tokens), sum(merged_prs), count(*) from fct_person_weeks"
        ).fetchall()[0]
        (agent_prs,) = con.execute("select count(*) from fct_merged_pull_requests where is_agent").fetchone()
    finally:
        con.close()
    cells = made.unit_weeks
    shown = {
        "spend": cells["cost_micro_usd"].sum() / cost,
        "tokens": cells["tokens"].sum() / tokens,
        "merged_prs": cells["merged_prs"].sum() / prs,
        "engineer_weeks": cells["people"].sum() / person_weeks,
        "agent_prs": cells["agent_merged_prs"].sum() / agent_prs if agent_prs else 0.0,
    }
    org = made.org_weeks
    shown |= {
        "org_spend": org["cost_micro_usd"].sum() / cost,
        "org_merged_prs": org["merged_prs"].sum() / prs,
        "org_agent_prs": org["agent_merged_prs"].sum() / agent_prs if agent_prs else 0.0,
    }
    tools = made.tool_weeks
    return {
        "people": people,
        "units": made.units.height,
        "release_units": made.units["release_unit"].n_unique(),
        **{f"shown_{k}": round(float(v), 4) for k, v in shown.items()},
        "tool_spend_shown": round(float(tools["cost_micro_usd"].sum() / cost), 4),
        "withheld_unit_weeks": int((~cells["released_usage"]).sum()),
        "unit_weeks": cells.height,
        "release_seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,500,3000,10000")
    parser.add_argument("--weeks", type=int, default=26)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            results.append(measure(size, args.weeks, Path(folder)))
            print(json.dumps(results[-1]), flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
