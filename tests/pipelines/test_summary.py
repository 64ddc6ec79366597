"""`tokenyield summary --json` against figures this test computes on its own, in plain Python,
from a small hand-built organization written as CSV files and built through the real CLI."""

from __future__ import annotations

import csv
import json
import random
import statistics
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipelines.cli import app

WEEKS = [date(2026, 3, 2) + timedelta(weeks=i) for i in range(4)]
PRICE = {"claude-sonnet-4-5": (3.0, 15.0, 0.3, 3.75), "gpt-5": (1.25, 10.0, 0.125, 0.0)}


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> dict:
    rng = random.Random(5)
    folder = tmp_path_factory.mktemp("hand") / "input"
    folder.mkdir()
    people = [f"p{i:02d}" for i in range(30)]
    starts = {p: (date(2026, 3, 11) if p == "p29" else None) for p in people}  # p29 joins in week 2
    write(
        folder / "people.csv",
        ["person_id", "email", "name", "team", "manager_id", "role", "level", "start_date", "end_date"],
        [
            [
                p,
                f"{p.upper()}@Acme.io",
                p,
                "core" if i < 15 else "web",
                "" if i == 0 else "p00",
                "engineer",
                "L4",
                starts[p],
                None,
            ]
            for i, p in enumerate(people)
        ],
    )
    write(
        folder / "identities.csv",
        ["person_id", "system", "external_id"],
        [[p, "github", f"gh-{p}"] for p in people],
    )
    usage, prs, expected_rows = [], [], []
    for i, p in enumerate(people):
        intensity = 1_000 * (1.4**i)
        for w, week in enumerate(WEEKS):
            if starts[p] and week + timedelta(days=6) < starts[p]:
                continue
            in_scope = True
            uses = i % 7 != 3 and rng.random() < 0.85
            tokens = 0
            if uses and in_scope:
                for r in range(rng.randint(1, 3)):
                    model = "claude-sonnet-4-5" if r % 2 == 0 else "gpt-5"
                    t = [int(intensity * rng.uniform(0.5, 1.5)), int(intensity * 0.2), int(intensity * 2), 0]
                    cost = round(rng.uniform(0.01, 0.2), 6) if (i + w + r) % 5 == 0 else None
                    at = datetime(week.year, week.month, week.day, 9 + r) + timedelta(days=r)
                    usage.append(
                        [at.isoformat() + "Z", f"{p}@acme.io", "claude-code", model, *t, cost, f"{p}-{w}-{r}"]
                    )
                    expected_rows.append((p, week, sum(t), cost, model, t))
                    tokens += sum(t)
            merged = rng.randint(0, 3) + (1 if tokens > 5_000 else 0)
            for k in range(merged):
                at = datetime(week.year, week.month, week.day, 10) + timedelta(days=k % 5)
                prs.append(
                    [
                        "acme/app",
                        len(prs) + 1,
                        f"gh-{p}",
                        (at - timedelta(days=1)).isoformat() + "Z",
                        at.isoformat() + "Z",
                        10,
                        2,
                        f"PR {len(prs) + 1}",
                    ]
                )
    # noise the build must leave out of every figure: a duplicate event, an outsider, a bot, an unmerged PR
    usage.append(usage[0])
    usage.append(["2026-03-03T10:00:00Z", "outsider@else.io", "cursor", "gpt-5", 500, 500, 0, 0, None, "x-1"])
    prs.append(["acme/app", 9001, "dependabot[bot]", "2026-03-02T10:00Z", "2026-03-03T10:00Z", 1, 1, "Bump"])
    prs.append(["acme/app", 9002, "gh-p01", "2026-03-02T10:00Z", None, 1, 1, "WIP"])
    prs.append(["acme/app", 9003, "stranger-gh", "2026-03-02T10:00Z", "2026-03-04T10:00Z", 1, 1, "Outside"])
    write(
        folder / "ai_usage.csv",
        [
            "occurred_at",
            "user",
            "tool",
            "model",
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
            "cost_usd",
            "event_id",
        ],
        usage,
    )
    write(
        folder / "pull_requests.csv",
        ["repo", "number", "author", "created_at", "merged_at", "additions", "deletions", "title"],
        prs,
    )
    return {"folder": folder, "people": people, "starts": starts, "usage": expected_rows, "prs": prs}


@pytest.fixture(scope="module")
def summary(org: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("wh") / "w.duckdb"
    runner = CliRunner()
    built = runner.invoke(app, ["build", "--input", str(org["folder"]), "--db", str(db)])
    assert built.exit_code == 0, built.output
    result = runner.invoke(app, ["summary", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def expected_person_weeks(org: dict) -> dict[tuple[str, date], dict]:
    weeks = {}
    for p in org["people"]:
        for week in WEEKS:
            if org["starts"][p] and week + timedelta(days=6) < org["starts"][p]:
                continue
            weeks[(p, week)] = {"tokens": 0, "cost": 0.0, "rows": 0, "merged": 0}
    for p, week, tokens, cost, model, t in org["usage"]:
        cell = weeks[(p, week)]
        cell["tokens"] += tokens
        cell["rows"] += 1
        if cost is not None:
            cell["cost"] += round(cost * 1e6)
        else:
            price = PRICE[model]
            cell["cost"] += round(sum(n * p_ for n, p_ in zip(t, price, strict=True)))
    for _, _, author, _, merged_at, *_ in org["prs"]:
        if merged_at and author.startswith("gh-"):
            day = datetime.fromisoformat(merged_at.removesuffix("Z")).date()
            week = day - timedelta(days=day.weekday())
            weeks[(author.removeprefix("gh-"), week)]["merged"] += 1
    return weeks


def test_totals_match_an_independent_count(org, summary):
    weeks = expected_person_weeks(org)
    assert summary["people"] == 30
    assert summary["tokens_total"] == sum(c["tokens"] for c in weeks.values())
    assert summary["merged_prs_total"] == sum(c["merged"] for c in weeks.values())
    cost = sum(c["cost"] for c in weeks.values()) / 1e6
    assert summary["cost_usd_total"] == pytest.approx(cost, abs=0.01)
    assert summary["cost_per_merged_pr"] == pytest.approx(cost / summary["merged_prs_total"], abs=0.01)
    assert summary["period_start"] == "2026-03-02" and summary["period_end"] == "2026-03-29"


def test_adoption_and_the_outsider_are_reported_apart(org, summary):
    weeks = expected_person_weeks(org)
    last = [c for (p, w), c in weeks.items() if w == WEEKS[-1]]
    assert summary["weekly_active_rate_latest"] == pytest.approx(sum(c["rows"] > 0 for c in last) / len(last))
    assert summary["ai_users"] == len({p for (p, w), c in weeks.items() if c["rows"] > 0})
    assert summary["unmatched_identities"] == 2  # outsider@else.io and stranger-gh; the bot is not a person
    assert summary["unmatched"]["tokens"] == 1_000
    assert summary["rows"]["ai_usage"] == {
        "read": len(org["usage"]) + 2,
        "loaded": len(org["usage"]) + 1,
        "quarantined": 0,
        "duplicates": 1,
    }


def test_decile_multiples_match_an_independent_computation(org, summary):
    weeks = expected_person_weeks(org)
    users = {p for (p, w), c in weeks.items() if c["rows"] > 0}
    means = []
    for p in sorted(users):
        cells = [c for (q, w), c in weeks.items() if q == p]
        means.append(
            (statistics.mean(c["tokens"] for c in cells), p, statistics.mean(c["merged"] for c in cells))
        )
    means.sort()
    top = means[len(means) - len(means) // 10 :]
    token_multiple = statistics.median(m[0] for m in top) / statistics.median(m[0] for m in means)
    output_multiple = statistics.median(m[2] for m in top) / statistics.median(m[2] for m in means)
    assert summary["top_decile_token_multiple"] == pytest.approx(token_multiple)
    assert summary["top_decile_output_multiple"] == pytest.approx(output_multiple)
    low, high = summary["top_decile_token_multiple_ci95"]
    assert low <= token_multiple <= high


def test_pooled_elasticity_matches_poisson_irls_with_person_clusters(org, summary):
    weeks = expected_person_weeks(org)
    sample = [(p, c["tokens"], c["merged"]) for (p, w), c in sorted(weeks.items()) if c["tokens"] > 0]
    x = np.column_stack([np.ones(len(sample)), np.log([s[1] for s in sample])])
    y = np.array([s[2] for s in sample], dtype=float)
    beta = np.zeros(2)
    beta[0] = np.log(y.mean())
    for _ in range(100):  # Newton-Raphson on the Poisson log-likelihood
        mu = np.exp(x @ beta)
        step = np.linalg.solve(x.T @ (x * mu[:, None]), x.T @ (y - mu))
        beta += step
        if np.abs(step).max() < 1e-12:
            break
    mu = np.exp(x @ beta)
    bread = np.linalg.inv(x.T @ (x * mu[:, None]))
    people = sorted({s[0] for s in sample})
    meat = np.zeros((2, 2))
    for p in people:
        idx = [i for i, s in enumerate(sample) if s[0] == p]
        score = x[idx].T @ (y[idx] - mu[idx])
        meat += np.outer(score, score)
    g, n, k = len(people), len(sample), 2
    se = np.sqrt(np.diag(bread @ meat @ bread) * g / (g - 1) * (n - 1) / (n - k))
    assert summary["elasticity"] == pytest.approx(beta[1], rel=1e-6)
    low, high = summary["elasticity_ci95"]
    assert low == pytest.approx(beta[1] - 1.96 * se[1], rel=1e-4)
    assert high == pytest.approx(beta[1] + 1.96 * se[1], rel=1e-4)


def test_within_elasticity_matches_poisson_with_person_and_week_dummies(org, summary):
    weeks = expected_person_weeks(org)
    sample = [(p, w, c["tokens"], c["merged"]) for (p, w), c in sorted(weeks.items()) if c["tokens"] > 0]
    shipped = {p for p, _, _, m in sample if m > 0}
    sample = [
        s for s in sample if s[0] in shipped
    ]  # people who never ship drop out of a fixed-effects Poisson
    people = sorted({s[0] for s in sample})
    weeks_seen = sorted({s[1] for s in sample})
    x = np.column_stack(
        [np.log([s[2] for s in sample])]
        + [[1.0 if s[0] == p else 0.0 for s in sample] for p in people]
        + [[1.0 if s[1] == w else 0.0 for s in sample] for w in weeks_seen[1:]]
    )
    y = np.array([s[3] for s in sample], dtype=float)
    beta = np.zeros(x.shape[1])
    beta[1:] = np.log(y.mean())
    for _ in range(200):  # Newton-Raphson on the Poisson log-likelihood
        mu = np.exp(x @ beta)
        step = np.linalg.lstsq(x.T @ (x * mu[:, None]), x.T @ (y - mu), rcond=None)[0]
        beta += step
        if np.abs(step).max() < 1e-12:
            break
    assert summary["elasticity_within"] == pytest.approx(beta[0], rel=1e-5)
    low, high = summary["elasticity_within_ci95"]
    assert low < beta[0] < high


def test_summary_reports_the_review_headline_figures_with_intervals(summary):
    for key in ("adoption_effect_pct", "revert_rate", "tokenmaxxing_spend_share"):
        assert key in summary and f"{key}_ci95" in summary
    assert summary["revert_rate"] is None or 0 <= summary["revert_rate"] <= 1
    share = summary["tokenmaxxing_spend_share"]
    assert share is None or 0 <= share <= 1
