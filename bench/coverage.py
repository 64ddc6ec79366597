"""Interval coverage of the adoption event study and the within-person elasticity (not run in CI).

Each organization is drawn from the demo generator's own model of the truth (`pipelines.demo`: org
chart, staggered adoption, selection of productive people into heavy use, the AR(1) weekly wobble and
ramp-up of `behaviour.py`), and its person-week panel is made from those draws directly
(`pipelines.demo.panel.simulated_panel`), without writing and rebuilding the files, so hundreds of
organizations run in minutes. Every scenario has selection; they differ in the sign of the true effects. For each
scenario it reports the mean estimate, the truth, the bias, the share of 95% intervals that cover the
truth (which must be at least 90%) and the mean interval width. Beside it, the tokenmaxxing flags on
the same organizations (none planted) and on a twin of each with 2% tokenmaxxers planted: the share
of spend flagged falsely, and the share of planted spend found.

    .venv/bin/python bench/coverage.py [--orgs 60] [--people 300] [--weeks 20] [--out bench/out/coverage.json]

Record the printed table and the command in docs/methods.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.demo import DemoTruth  # noqa: E402
from pipelines.demo.panel import simulated_panel  # noqa: E402
from pipelines.metrics.analytics.event_study import event_study  # noqa: E402
from pipelines.metrics.analytics.tokenmaxxing import flag_weeks  # noqa: E402
from pipelines.metrics.analytics.within import within_elasticity  # noqa: E402

SCENARIOS = {
    # name: (adoption lift on the log scale, within-person elasticity, selection)
    "positive": (0.15, 0.12, 0.5),
    "zero": (0.0, 0.0, 0.5),
    "negative": (-0.14, -0.10, 0.5),
    "negative, strong selection": (-0.14, -0.10, 0.8),
}
END = date(2026, 3, 29)


@dataclass(frozen=True)
class Draw:
    scenario: str
    seed: int
    event_truth: float  # % change in weekly merged PRs after adoption, for the estimator's mix of weeks
    event_value: float | None
    event_ci: tuple[float, float] | None
    within_truth: float
    within_value: float | None
    within_ci: tuple[float, float] | None
    false_flag_share: float  # share of spend flagged on the organization with no tokenmaxxers
    planted_found: float  # share of planted spend flagged on its twin with 2% tokenmaxxers


def true_event_effect(truth: DemoTruth, effects: pl.DataFrame) -> float:
    """The truth for the estimator's own mix of weeks since adoption (as tests/pipelines/analytics)."""
    post = effects.filter(pl.col("event_time") >= 0)
    ratios = np.array([truth.adoption_ratio(e) for e in post["event_time"]])
    weights = post["n"].to_numpy() * post["imputed"].to_numpy()
    return float(100 * (np.sum(weights * ratios) / np.sum(weights) - 1))


def one_org(scenario: str, seed: int, people: int, weeks: int) -> Draw:
    lift, elasticity, selection = SCENARIOS[scenario]
    truth = DemoTruth(
        elasticity_within=elasticity, adoption_lift=lift, selection=selection, tokenmaxxer_share=0.0
    )
    frame = simulated_panel(truth, people, weeks, seed, END)
    study = event_study(frame)
    within = within_elasticity(frame)
    flags = flag_weeks(frame)
    planted = flag_weeks(simulated_panel(replace(truth, tokenmaxxer_share=0.02), people, weeks, seed, END))
    spend = pl.col("cost_usd")
    return Draw(
        scenario,
        seed,
        true_event_effect(truth, study.effects) if study.effects.height else float("nan"),
        study.average.value,
        study.average.ci95,
        elasticity,
        within.value,
        within.ci95,
        float(flags.select(spend.filter("flagged").sum() / spend.sum()).item()),
        float(planted.select(spend.filter(pl.col("flagged") & pl.col("planted")).sum()
                             / spend.filter("planted").sum()).item()),
    )  # fmt: skip


def summarise(draws: list[Draw]) -> pl.DataFrame:
    rows = []
    for scenario in SCENARIOS:
        mine = [d for d in draws if d.scenario == scenario]
        for name, truth, value, ci in (
            ("event study, % after adoption", "event_truth", "event_value", "event_ci"),
            ("within-person elasticity", "within_truth", "within_value", "within_ci"),
        ):
            used = [d for d in mine if getattr(d, value) is not None and getattr(d, ci) is not None]
            t = np.array([getattr(d, truth) for d in used])
            v = np.array([getattr(d, value) for d in used])
            low = np.array([getattr(d, ci)[0] for d in used])
            high = np.array([getattr(d, ci)[1] for d in used])
            covered = (low <= t) & (t <= high)
            rows.append(
                {
                    "scenario": scenario,
                    "estimate": name,
                    "orgs": len(used),
                    "mean_truth": float(t.mean()),
                    "mean_estimate": float(v.mean()),
                    "bias": float((v - t).mean()),
                    "coverage": float(covered.mean()),
                    "covered": int(covered.sum()),
                    "mean_ci_width": float((high - low).mean()),
                }
            )
    return pl.DataFrame(rows)


def flag_table(draws: list[Draw]) -> pl.DataFrame:
    """Per scenario: the mean and largest share of spend flagged with none planted, and planted spend found."""
    frame = pl.DataFrame([(d.scenario, d.false_flag_share, d.planted_found) for d in draws],
                         schema=["scenario", "false", "found"], orient="row")  # fmt: skip
    return frame.group_by("scenario", maintain_order=True).agg(
        orgs=pl.len(),
        false_mean=pl.col("false").mean(),
        false_max=pl.col("false").max(),
        found_mean=pl.col("found").mean(),
        found_min=pl.col("found").min(),
    )


def markdown(table: pl.DataFrame) -> str:
    lines = [
        "| scenario | estimate | orgs | truth (mean) | estimate (mean) | bias | 95% coverage | mean width |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in table.iter_rows(named=True):
        lines.append(
            f"| {r['scenario']} | {r['estimate']} | {r['orgs']} | {r['mean_truth']:.3f} | "
            f"{r['mean_estimate']:.3f} | {r['bias']:+.3f} | {r['covered']}/{r['orgs']} = "
            f"{100 * r['coverage']:.0f}% | {r['mean_ci_width']:.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=60, help="organizations per scenario")
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "coverage.json")
    args = parser.parse_args()
    started = time.perf_counter()
    draws = []
    for scenario in SCENARIOS:
        for seed in range(args.orgs):
            draws.append(one_org(scenario, 1000 + seed, args.people, args.weeks))
        print(
            f"{scenario}: {args.orgs} orgs, {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    table = summarise(draws)
    flags = flag_table(draws)
    print(markdown(table))
    print("\n| scenario | orgs | spend flagged, none planted: mean (max) | planted spend found: mean (min) |")
    print("|---|---|---|---|")
    for r in flags.iter_rows(named=True):
        print(f"| {r['scenario']} | {r['orgs']} | {100 * r['false_mean']:.2f}% ({100 * r['false_max']:.2f}%) | "
              f"{100 * r['found_mean']:.1f}% ({100 * r['found_min']:.1f}%) |")  # fmt: skip
    print(f"\n{len(draws)} organizations of {args.people} people x {args.weeks} weeks, "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                    "table": table.to_dicts(), "flags": flags.to_dicts()}, indent=1))  # fmt: skip
    short = table.filter(pl.col("coverage") < 0.9)
    if short.height:
        raise SystemExit(f"coverage below 90% in {short.height} rows")


if __name__ == "__main__":
    main()
