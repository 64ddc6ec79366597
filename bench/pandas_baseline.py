"""The baseline: the same metrics in idiomatic pandas, as a user without tokenyield would write them.

Reads the same raw files, deduplicates usage (by event_id, the first read wins; whole rows without
one), prices rows without a cost from pipelines/prices.csv (exact model id, else the longest listed
id the model starts with), resolves users and PR authors to people (email, then identities, then
person_id), and sums per person and ISO week (Monday, UTC): tokens, cost in micro-dollars, merged
PRs (the last row of a repo+number wins; bots are not output). No validation, no quarantine, no
row accounting: a baseline that does less than the build, so the ratio flatters pandas.

    .venv/bin/python bench/pandas_baseline.py INPUT_DIR   # prints one JSON line: seconds, totals
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd

PRICES = Path(__file__).resolve().parents[1] / "pipelines" / "prices.csv"
TOKENS = ["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"]


def person_of(people: pd.DataFrame, identities: pd.DataFrame) -> dict[str, str]:
    """Lower-case key -> person_id: email first, then identities, then person_id."""
    keys: dict[str, str] = {}
    for key, person in zip(people.person_id.str.lower(), people.person_id, strict=True):
        keys[key] = person
    emails = set(people.email.str.lower())
    by_email = dict(zip(people.email.str.lower(), people.person_id, strict=True))
    for external, person in zip(identities.external_id.str.lower(), identities.person_id, strict=True):
        person = by_email.get(str(person).lower(), person)
        if external not in emails:
            keys[external] = person
    keys.update(by_email)
    return keys


def price_table(models: pd.Series) -> pd.DataFrame:
    prices = pd.read_csv(PRICES)
    prices["model"] = prices.model.str.strip().str.lower()
    rows = []
    for model in models.unique():
        matches = prices[(prices.model == model) | prices.model.map(lambda p, m=model: m.startswith(p + "-"))]
        if len(matches):
            best = matches.loc[matches.model.str.len().idxmax()]
            rows.append({"model": model, **{c: best[c] for c in prices.columns if c.endswith("_per_mtok")}})
    return pd.DataFrame(rows)


def main(folder: Path) -> dict[str, object]:
    started = time.perf_counter()
    usage = pd.concat(
        (pd.read_parquet(f) for f in sorted((folder / "ai_usage").rglob("*.parquet"))), ignore_index=True
    )
    usage["user"] = usage["user"].str.strip().str.lower()
    usage = usage.dropna(subset=["occurred_at", "user"])
    for column in ["cache_read_tokens", "cache_write_tokens"]:
        usage[column] = usage[column].fillna(0)
    with_id = usage[usage.event_id.notna()].drop_duplicates(subset="event_id", keep="first")
    without_id = usage[usage.event_id.isna()].drop_duplicates()
    usage = pd.concat([with_id, without_id], ignore_index=True)
    usage["model"] = usage.model.str.strip().str.lower()
    usage = usage.merge(price_table(usage.model), on="model", how="left")
    listed = sum(usage[t] * usage[t.replace("tokens", "usd_per_mtok")] for t in TOKENS)
    usage["cost_micro_usd"] = (usage.cost_usd * 1_000_000).round().fillna(listed.round())
    usage["total_tokens"] = usage[TOKENS].sum(axis=1)

    people = pd.read_csv(folder / "people.csv")
    identities = pd.read_csv(folder / "identities.csv", dtype=str)
    keys = person_of(people, identities)
    usage["person_id"] = usage["user"].map(keys)
    usage["week"] = (
        usage.occurred_at.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    )
    tokens = (
        usage.dropna(subset=["person_id"])
        .groupby(["person_id", "week"])[["total_tokens", "cost_micro_usd"]]
        .sum()
    )

    prs = pd.read_parquet(folder / "pull_requests.parquet")
    prs = prs.drop_duplicates(subset=["repo", "number"], keep="last")
    prs = prs[prs.merged_at.notna() & ~prs.author.str.endswith("[bot]")]
    prs["person_id"] = prs.author.str.strip().str.lower().map(keys)
    prs["week"] = prs.merged_at.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    merged = prs.dropna(subset=["person_id"]).groupby(["person_id", "week"]).size().rename("merged_prs")

    weeks = tokens.join(merged, how="outer").fillna(0)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "person_weeks": len(weeks),
        "total_tokens": int(weeks.total_tokens.sum()),
        "cost_micro_usd": int(weeks.cost_micro_usd.sum()),
        "merged_prs": int(weeks.merged_prs.sum()),
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
