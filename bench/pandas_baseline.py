"""The baseline: the build's published metrics in idiomatic pandas, as an analyst without tokenyield would write them.

What `tokenyield build` does, in memory, from the same raw files:
- reads every table (DIR/<table>.csv|.parquet, or a folder of them; hidden files skipped), CSV cells as
  text; a CSV row with fewer or more values than its header is rejected as a whole;
- applies the staging rules of pipelines/sql/staging/ to every row and keeps each rejected row with its
  file, row, column, raw value and reason (the quarantine);
- deduplicates ai_usage by event_id (the first read, by file then row, wins; a row without one is a
  duplicate only when equal in full), ai_activity per user, day, tool and metric (the first wins),
  people per person_id (the first wins), repeated identity claims, and pull requests (repo+number) and
  tickets (ticket_id), where the last read wins;
- resolves users, authors and assignees to people (email, then identities, then person_id), prices
  usage without a cost per user-day from pipelines/prices.csv (TOKENYIELD_PRICES overrides), and
  accounts for every row: read = loaded + quarantined + duplicates, per table;
- computes the marts fct_person_weeks, fct_person_week_tools, fct_person_week_activity, dim_tools,
  fct_unmatched_identities, fct_merged_pull_requests (reverts matched), fct_bot_pull_requests,
  fct_source_freshness and dim_people (person_key: HMAC of TOKENYIELD_PSEUDONYM_KEY, else of a random
  key), and checks that their keys are unique, their counts non-negative and every token placed.

It reads the lake's Parquet files in one pd.read_parquet call (so they must share a schema; the
build unions them by name) and holds every usage row in memory: about 14 GB at 29.6 million rows.

What it does not do: publish a warehouse (`--out DIR` writes the marts as Parquet files), run Great
Expectations or the build's warning-level input checks (its checks are the marts' keys and ranges,
row accounting and token conservation, in plain pandas), build incrementally, check files for
encoding or NUL bytes before reading them (pandas' own error stops it), or read text exactly as
DuckDB's casts do ('0x10' or '1e3' as a count, 'infinity' or '2026-3-2' as a time may get another
verdict or reason).

    .venv/bin/python bench/pandas_baseline.py INPUT_DIR [--out DIR] [--compare WAREHOUSE.duckdb]

It prints one JSON line (seconds and totals); --compare then lists every difference from a built
warehouse, mart by mart, row by row.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from pipelines.agents import agent_logins

PRICES = Path(__file__).resolve().parents[1] / "pipelines" / "prices.csv"
TOKENS = ["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"]
RATES = [f"{c.removesuffix('_tokens')}_usd_per_mtok" for c in TOKENS]  # the price table's columns
# table -> (required columns, optional columns), as in docs/data-contract.md
CONTRACT = {
    "people": (
        ["person_id", "email", "name", "team", "manager_id", "role", "level"],
        ["start_date", "end_date"],
    ),
    "identities": (["person_id", "system", "external_id"], []),
    "ai_usage": (
        ["occurred_at", "user", "tool", "model", "input_tokens", "output_tokens"],
        ["cache_read_tokens", "cache_write_tokens", "requests", "cost_usd", "event_id", "tokens_reported"],
    ),
    "ai_activity": (["occurred_on", "user", "tool", "metric", "value"], []),
    "pull_requests": (
        ["repo", "number", "author", "created_at", "merged_at", "title"],
        ["additions", "deletions", "head_ref", "agent", "delegator", "human_reviewed"],
    ),
    "tickets": (["ticket_id", "assignee", "created_at", "resolved_at", "issue_type", "status"], ["agent"]),
}
USER_DAY = ["user_key", "usage_date", "tool", "model", "tokens_reported"]
# a row without event_id is a duplicate of another only when all of these are equal
EVENT_COLUMNS = ["occurred_at", "user_key", "tool", "model", *TOKENS, "requests"]
EVENT_COLUMNS += ["reported_cost_micro_usd", "tokens_reported"]
EARLIEST = pd.Timestamp("2000-01-01", tz="UTC")
LATEST = pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)  # later times are clock errors
TRUTH = dict.fromkeys(["true", "t", "yes", "y", "1"], True) | dict.fromkeys(
    ["false", "f", "no", "n", "0"], False
)


# --- reading ------------------------------------------------------------------------------------


def files_of(folder: Path, table: str) -> list[Path]:
    single = [
        folder / f"{table}.{fmt}" for fmt in ("csv", "parquet") if (folder / f"{table}.{fmt}").is_file()
    ]
    lake = folder / table
    many = (
        [f for f in lake.rglob("*") if f.suffix in (".csv", ".parquet") and f.is_file()]
        if lake.is_dir()
        else []
    )
    many = [f for f in many if not any(part.startswith(".") for part in f.relative_to(lake).parts)]
    return sorted(single + many, key=str)  # the order rows are "read" in: file, then row


def read_file(path: Path, table: str) -> pd.DataFrame:
    """One file's rows: the contract's columns (CSV as text, '' as missing), source_file,
    source_row (1 = first data row) and source_problem (a CSV row that does not fit the header)."""
    wanted = CONTRACT[table][0] + CONTRACT[table][1]
    if path.suffix == ".parquet":
        raw, problem = pd.read_parquet(path), None
    else:
        raw, problem = read_csv(path)
    missing = [c for c in CONTRACT[table][0] if c not in raw.columns]
    if missing:
        raise SystemExit(f"{path}: missing required column(s) {', '.join(missing)} for table '{table}'")
    raw = raw.reindex(columns=wanted)
    raw["source_file"] = str(path)
    raw["source_row"] = np.arange(1, len(raw) + 1)
    raw["source_problem"] = problem
    return raw


def read_csv(path: Path) -> tuple[pd.DataFrame, pd.Series | None]:
    with path.open(encoding="utf-8-sig") as text:
        header = text.readline().rstrip("\r\n")
    delimiter = max((",", ";", "\t", "|"), key=lambda d: len(next(csv.reader([header], delimiter=d))))
    columns = [c.strip() for c in next(csv.reader([header], delimiter=delimiter))]
    ragged = []
    try:
        frame = pd.read_csv(
            path,
            sep=delimiter,
            engine="pyarrow",
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            on_bad_lines=lambda row: ragged.append(row) or "skip",
        )
    except (ValueError, UnicodeDecodeError) as error:
        raise SystemExit(f"{path}: cannot be read as CSV ({error})") from None
    frame.columns = columns
    if not ragged:
        return frame, None
    # rows that do not fit the header: read the file again with the parser that keeps them (slower),
    # one surplus column catching extra values; a short row's missing cells are NaN, empty ones ''
    names = [*columns, "_surplus"]
    frame = pd.read_csv(
        path,
        sep=delimiter,
        engine="python",
        header=None,
        skiprows=1,
        names=names,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        on_bad_lines=lambda values: values[: len(names)],
    )
    width = len(columns)
    problem = pd.Series(None, index=frame.index, dtype="str")
    short = frame[columns[-1]].isna()
    problem[short] = (
        "row has "
        + frame.loc[short, columns].notna().sum(axis=1).astype(str)
        + f" of the header's {width} values"
    )
    problem[frame["_surplus"].notna()] = f"row has more values than the header's {width}"
    frame = frame[columns]
    return frame.mask(frame == ""), problem


def read_table(folder: Path, table: str) -> pd.DataFrame:
    frames = [read_file(path, table) for path in files_of(folder, table)]
    if not frames:
        return empty_table(table)
    return pd.concat(frames, ignore_index=True)


def empty_table(table: str) -> pd.DataFrame:
    """An absent table: its columns, no rows. (Sliced from a row of missing values: pandas 3 fails
    to join text columns that were built empty.)"""
    columns = [*CONTRACT[table][0], *CONTRACT[table][1], "source_file", "source_row", "source_problem"]
    return pd.DataFrame({c: [None] for c in columns}, dtype="str").iloc[:0]


# --- typing: the staging rules ------------------------------------------------------------------


def text(column: pd.Series) -> pd.Series:
    """Trimmed text (spaces only, as SQL's trim), '' as missing."""
    column = column.astype("str").str.strip(" ")
    return column.mask(column == "")


def lowered(column: pd.Series) -> pd.Series:
    return text(column).str.lower()


def timestamps(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.tz_localize("UTC") if column.dt.tz is None else column.dt.tz_convert("UTC")
    return pd.to_datetime(column.astype("str"), utc=True, errors="coerce", format="ISO8601")


def dates(column: pd.Series) -> pd.Series:
    return timestamps(column).dt.tz_localize(None).dt.normalize()


def numbers(column: pd.Series) -> pd.Series:
    """Numbers as Parquet has them; text read by to_numeric, NaN when it is not a number."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column
    return pd.to_numeric(text(column), errors="coerce")


def not_digits(column: pd.Series) -> pd.Series:
    """Text that is not digits only (to_numeric would read 12.5 or 1e3)."""
    if pd.api.types.is_numeric_dtype(column):
        return pd.Series(False, index=column.index)
    return column.notna() & ~text(column).str.fullmatch(r"[0-9]+").fillna(False).astype(bool)


def booleans(column: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(column):
        return column
    return lowered(column).map(TRUTH)


def in_range(times: pd.Series) -> pd.Series:
    return times.between(EARLIEST, LATEST)


def verdicts(
    table: str, raw: pd.DataFrame, checks: list[tuple[str, pd.Series, str]]
) -> tuple[np.ndarray, pd.DataFrame]:
    """Which rows pass, and the quarantine rows of the others: the first rule a row breaks names
    its column and reason; a CSV row that does not fit its header is rejected as a whole."""
    broken = [rule.fillna(False).to_numpy(dtype=bool) for _, rule, _ in checks]
    problem = raw.source_problem.notna().to_numpy()
    rejected = np.logical_or.reduce([problem, *broken])
    bad = raw[rejected].reset_index(drop=True)
    first = [rule[rejected] for rule in broken]
    why = [r.to_numpy(dtype=object)[rejected] if isinstance(r, pd.Series) else r for _, _, r in checks]
    quarantine = pd.DataFrame(
        {
            "table_name": table,
            "source_file": bad.source_file.astype("str"),
            "source_row": bad.source_row.astype("int64"),
            "column_name": np.where(
                problem[rejected], None, np.select(first, [c for c, _, _ in checks], None)
            ),
            "value": None,
            "reason": np.where(problem[rejected], bad.source_problem, np.select(first, why, None)),
        }
    )
    for name in quarantine.column_name.dropna().unique():  # the raw value, as text
        at = quarantine.column_name == name
        quarantine.loc[at, "value"] = bad.loc[at, name].astype("str")
    return ~rejected, quarantine


def stage_usage(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """stg_input__ai_usage: the typed rows that pass, and the quarantine rows of the others."""
    occurred_at = timestamps(raw.occurred_at)
    counts = {c: numbers(raw[c]).round() for c in [*TOKENS, "requests"]}
    cost = numbers(raw.cost_usd)
    typed = pd.DataFrame(
        {
            "occurred_at": occurred_at,
            "user_key": lowered(raw.user),
            "tool": lowered(raw.tool).fillna("unknown"),
            "model": lowered(raw.model).fillna("unknown"),
            **{c: counts[c] for c in TOKENS[:2]},
            **{c: counts[c].fillna(0) for c in TOKENS[2:]},
            "requests": counts["requests"].fillna(1),
            "reported_cost_micro_usd": (cost * 1_000_000).round(),  # cost_usd is in dollars
            "event_id": text(raw.event_id),
            "tokens_reported": booleans(raw.tokens_reported).fillna(True).astype(bool),
        }
    )
    optional = ["cache_read_tokens", "cache_write_tokens", "requests"]
    checks = [
        ("occurred_at", occurred_at.isna(), "occurred_at is not an ISO-8601 timestamp"),
        ("occurred_at", ~in_range(occurred_at), "occurred_at is not between 2000-01-01 and the build time"),
        ("user", typed.user_key.isna(), "user is empty"),
        *[
            (c, typed[c].isna() | (typed[c] < 0) | not_digits(raw[c]), f"{c} is not a non-negative integer")
            for c in TOKENS[:2]
        ],
        *[
            (c, (raw[c].notna() & counts[c].isna()) | (typed[c] < 0), f"{c} is not a non-negative integer")
            for c in optional
        ],
        (
            "cost_usd",
            (raw.cost_usd.notna() & cost.isna()) | (typed.reported_cost_micro_usd < 0),
            "cost_usd is not a non-negative number",
        ),
    ]
    passed, quarantine = verdicts("ai_usage", raw, checks)
    usage = typed[passed]
    return usage.astype({c: "int64" for c in [*TOKENS, "requests"]}), quarantine


def stage_people(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    people = pd.DataFrame(
        {
            "person_id": text(raw.person_id),
            "email": lowered(raw.email),
            "name": raw.name.astype("str").str.strip(" "),
            "team": text(raw.team).fillna("(no team)"),
            **{c: text(raw[c]) for c in ["manager_id", "role", "level"]},
            "start_date": dates(raw.start_date),
            "end_date": dates(raw.end_date),
        }
    )
    # a person_id or an email seen again with other values conflicts with the first row read
    first = people.drop_duplicates("person_id").set_index("person_id").reindex(people.person_id)
    first.index = people.index
    same = (people.drop(columns="person_id") == first) | (
        people.drop(columns="person_id").isna() & first.isna()
    )
    email_owner = people.email.map(
        people.dropna(subset="email").drop_duplicates("email").set_index("email").person_id
    )
    checks = [
        ("person_id", people.person_id.isna(), "person_id is empty"),
        ("email", people.email.isna(), "email is empty"),
        (
            "start_date",
            raw.start_date.notna() & people.start_date.isna(),
            "start_date is not a date (expected YYYY-MM-DD)",
        ),
        (
            "end_date",
            raw.end_date.notna() & people.end_date.isna(),
            "end_date is not a date (expected YYYY-MM-DD)",
        ),
        ("end_date", people.end_date < people.start_date, "end_date is before start_date"),
        ("person_id", ~same.all(axis=1), "person_id repeats an earlier row with other values"),
        (
            "email",
            email_owner.notna() & (email_owner != people.person_id),
            "email already belongs to person_id " + email_owner.fillna(""),
        ),
    ]
    passed, quarantine = verdicts("people", raw, checks)
    return people[passed], quarantine


def stage_identities(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    identities = pd.DataFrame(
        {
            "person_id": text(raw.person_id),
            "system": lowered(raw.system),
            "identity_key": lowered(raw.external_id),
        }
    )
    # an account claimed by two people belongs to the first claim read
    owner = identities.identity_key.map(
        identities.dropna(subset="identity_key")
        .drop_duplicates("identity_key")
        .set_index("identity_key")
        .person_id.str.lower()
    )
    checks = [
        ("person_id", identities.person_id.isna(), "person_id is empty"),
        ("external_id", identities.identity_key.isna(), "external_id is empty"),
        (
            "person_id",
            owner.notna() & (owner != identities.person_id.str.lower()),
            "external_id already belongs to " + owner.fillna(""),
        ),
    ]
    passed, quarantine = verdicts("identities", raw, checks)
    return identities[passed], quarantine


def stage_activity(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    activity = pd.DataFrame(
        {
            "occurred_on": dates(raw.occurred_on),
            "user_key": lowered(raw.user),
            "tool": lowered(raw.tool).fillna("unknown"),
            "metric": lowered(raw.metric),
            "value": numbers(raw.value),
        }
    )
    checks = [
        ("occurred_on", activity.occurred_on.isna(), "occurred_on is not a date (expected YYYY-MM-DD)"),
        ("user", activity.user_key.isna(), "user is empty"),
        ("metric", activity.metric.isna(), "metric is empty"),
        ("value", activity.value.isna() | (activity.value < 0), "value is not a non-negative number"),
    ]
    passed, quarantine = verdicts("ai_activity", raw, checks)
    return activity[passed], quarantine


def stage_pull_requests(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    created, merged = timestamps(raw.created_at), timestamps(raw.merged_at)
    prs = pd.DataFrame(
        {
            "repo": text(raw.repo),
            "number": numbers(raw.number).round(),
            "author_key": lowered(raw.author),
            "created_at": created,
            "merged_at": merged,
            "additions": numbers(raw.additions).round(),  # missing stays missing, never 0
            "deletions": numbers(raw.deletions).round(),
            "title": raw.title.astype("str").fillna(""),
            "agent": lowered(raw.agent),
            "delegator_key": lowered(raw.delegator),
            "human_reviewed": booleans(raw.human_reviewed).astype("boolean"),
        }
    )
    odd = ~in_range(created) | (merged.notna() & ~in_range(merged))
    checks = [
        ("repo", prs.repo.isna(), "repo is empty"),
        ("number", prs.number.isna(), "number is not an integer"),
        ("created_at", created.isna(), "created_at is not an ISO-8601 timestamp"),
        ("merged_at", raw.merged_at.notna() & merged.isna(), "merged_at is not an ISO-8601 timestamp"),
        ("created_at", odd, "created_at or merged_at is not between 2000-01-01 and the build time"),
        ("merged_at", merged < created, "merged_at is before created_at"),
        ("additions", raw.additions.notna() & prs.additions.isna(), "additions is not a whole number >= 0"),
        ("additions", prs.additions < 0, "additions is not a whole number >= 0"),
        ("deletions", raw.deletions.notna() & prs.deletions.isna(), "deletions is not a whole number >= 0"),
        ("deletions", prs.deletions < 0, "deletions is not a whole number >= 0"),
        (
            "human_reviewed",
            raw.human_reviewed.notna() & prs.human_reviewed.isna(),
            "human_reviewed is not true or false",
        ),
    ]
    passed, quarantine = verdicts("pull_requests", raw, checks)
    return prs[passed].astype({"number": "int64", "additions": "Int64", "deletions": "Int64"}), quarantine


def stage_tickets(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    created, resolved = timestamps(raw.created_at), timestamps(raw.resolved_at)
    tickets = pd.DataFrame(
        {
            "ticket_id": text(raw.ticket_id),
            "assignee_key": lowered(raw.assignee),
            "created_at": created,
            "resolved_at": resolved,
            "issue_type": text(raw.issue_type).fillna("Unknown"),
            "status": text(raw.status).fillna("Unknown"),
        }
    )
    odd = ~in_range(created) | (resolved.notna() & ~in_range(resolved))
    checks = [
        ("ticket_id", tickets.ticket_id.isna(), "ticket_id is empty"),
        ("created_at", created.isna(), "created_at is not an ISO-8601 timestamp"),
        (
            "resolved_at",
            raw.resolved_at.notna() & resolved.isna(),
            "resolved_at is not an ISO-8601 timestamp",
        ),
        ("created_at", odd, "created_at or resolved_at is not between 2000-01-01 and the build time"),
        ("resolved_at", resolved < created, "resolved_at is before created_at"),
    ]
    passed, quarantine = verdicts("tickets", raw, checks)
    return tickets[passed], quarantine


# --- deduplication, people, prices --------------------------------------------------------------


def read_lake(folder: Path) -> pd.DataFrame:
    """Every ai_usage file, in file then row order: the Parquet files in one read (pyarrow reads
    them in parallel; their row counts, from the footers, tell each row's file and row), each CSV
    file on its own."""
    files = files_of(folder, "ai_usage")
    parquet = [f for f in files if f.suffix == ".parquet"]
    frames = [read_file(f, "ai_usage") for f in files if f.suffix == ".csv"]
    if parquet:
        lake = pd.read_parquet(parquet)
        missing = [c for c in CONTRACT["ai_usage"][0] if c not in lake.columns]
        if missing:
            raise SystemExit(f"{folder / 'ai_usage'}: missing required column(s) {', '.join(missing)}")
        lake = lake.reindex(columns=CONTRACT["ai_usage"][0] + CONTRACT["ai_usage"][1])
        rows = [pq.ParquetFile(f).metadata.num_rows for f in parquet]
        lake["source_file"] = pd.Categorical.from_codes(
            np.repeat(np.arange(len(parquet)), rows), map(str, parquet)
        )
        lake["source_row"] = np.arange(1, len(lake) + 1) - np.repeat(np.cumsum([0, *rows[:-1]]), rows)
        lake["source_problem"] = None
        frames.insert(0, lake)
    if len(frames) == 1:
        return frames[0]
    raw = pd.concat(frames, ignore_index=True)
    return raw.sort_values(["source_file", "source_row"], ignore_index=True)


def usage_events(folder: Path) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    """The staged ai_usage rows that pass, deduplicated: by event_id the first read wins; without
    one, only a row equal in full repeats another. Also returns the rows read and the quarantine."""
    raw = read_lake(folder)
    usage, quarantine = stage_usage(raw)
    read = len(raw)
    del raw
    with_id = usage.event_id.notna()
    repeated = with_id & usage.event_id.duplicated()
    without_id = usage.loc[~with_id, EVENT_COLUMNS]
    repeated[without_id.index] = without_id.duplicated()
    return usage[~repeated].drop(columns="event_id"), read, quarantine


def user_days(usage: pd.DataFrame) -> pd.DataFrame:
    """Usage summed per user key, UTC day, tool, model and tokens_reported. Tokens of rows that
    came without a cost are kept apart, to be priced per model."""
    unpriced = usage.reported_cost_micro_usd.isna()
    usage = usage.assign(
        usage_date=usage.occurred_at.dt.tz_localize(None).dt.floor("D"),
        **{f"unpriced_{c}": usage[c].where(unpriced, 0) for c in TOKENS},
    )
    sums = ["requests", *TOKENS, "reported_cost_micro_usd", *[f"unpriced_{c}" for c in TOKENS]]
    return (
        usage.groupby(USER_DAY, sort=False)
        .agg(
            source_rows=("requests", "size"),
            **{c: (c, "sum") for c in sums},
            last_event_at=("occurred_at", "max"),
        )
        .reset_index()
        .astype({"reported_cost_micro_usd": "int64"})
    )


def identity_keys(people: pd.DataFrame, identities: pd.DataFrame) -> pd.Series:
    """Every key a source may use for a person (lower case) -> person_id: people's email first, then
    identities (which name a person by person_id or by email), then the person_id itself."""
    by_email = people.set_index("email").person_id
    owner = identities.person_id.where(
        identities.person_id.isin(people.person_id), identities.person_id.str.lower().map(by_email)
    )
    candidates = pd.concat(
        [
            pd.DataFrame({"identity_key": people.email, "person_id": people.person_id, "priority": 1}),
            pd.DataFrame(
                {"identity_key": identities.identity_key, "person_id": owner, "priority": 2}
            ).dropna(),
            pd.DataFrame(
                {"identity_key": people.person_id.str.lower(), "person_id": people.person_id, "priority": 3}
            ),
        ]
    )
    first = candidates.sort_values(["priority", "person_id"]).drop_duplicates("identity_key")
    return first.set_index("identity_key").person_id


def price_list() -> pd.DataFrame:
    """Integer prices in 1/10,000 micro-dollar per token (USD per million tokens = micro-dollars
    per token, and the price table has four decimals), so money is summed exactly."""
    override = os.environ.get("TOKENYIELD_PRICES", "").strip()
    prices = pd.concat(
        [pd.read_csv(f) for f in [PRICES, *([Path(override)] if override else [])]], ignore_index=True
    )
    prices["model"] = prices.model.str.strip().str.lower()
    prices = prices.drop_duplicates("model", keep="last")  # the override's row replaces the built-in one
    for rate in RATES:
        prices[rate] = (prices[rate].fillna(0) * 10_000).round().astype("int64")
    return prices[["model", *RATES]]


def model_prices(models: np.ndarray) -> pd.DataFrame:
    """Each model's price: the exact id, else the longest listed id it starts with (claude-sonnet-4-5-20250929)."""
    pairs = pd.DataFrame({"model": models}).merge(
        price_list().rename(columns={"model": "listed"}), how="cross"
    )
    prefix = [model.startswith(f"{listed}-") for model, listed in zip(pairs.model, pairs.listed, strict=True)]
    fits = pairs[(pairs.model == pairs.listed) | np.array(prefix, dtype=bool)]
    best = fits.sort_values("listed", key=lambda listed: listed.str.len(), ascending=False).drop_duplicates(
        "model"
    )
    return best.set_index("model")[RATES]


def priced(user_day: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """User-days matched to people (person_id NaN: unmatched) and priced: a reported cost as it
    came, the rest at list price per user-day; tokens of a model without a price stay unpriced."""
    rates = user_day[["model"]].join(model_prices(user_day.model.unique()), on="model")
    has_price = rates[RATES[0]].notna()
    listed = sum(
        user_day[f"unpriced_{c}"] * rates[rate].fillna(0).astype("int64")
        for c, rate in zip(TOKENS, RATES, strict=True)
    )
    unpriced = sum(user_day[f"unpriced_{c}"] for c in TOKENS)
    return user_day.assign(
        person_id=user_day.user_key.map(keys),
        week=monday(user_day.usage_date),
        total_tokens=sum(user_day[c] for c in TOKENS),
        cost_micro_usd=user_day.reported_cost_micro_usd + (listed + 5_000) // 10_000,  # rounded half up
        unpriced_tokens=unpriced.where(~has_price, 0),
    ).drop(columns=[f"unpriced_{c}" for c in TOKENS])


def monday(days: pd.Series) -> pd.Series:
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def pseudonyms(person_ids: pd.Series) -> list[str]:
    """person_key: the first 16 hex digits of HMAC-SHA256(secret, person_id), as the build's."""
    secret = os.environ.get("TOKENYIELD_PSEUDONYM_KEY", "").strip().encode() or secrets.token_bytes(32)
    return [hmac.new(secret, p.encode(), hashlib.sha256).hexdigest()[:16] for p in person_ids]


# --- the marts ----------------------------------------------------------------------------------


def build(folder: Path) -> dict[str, pd.DataFrame]:
    """Every published table, as frames, from the raw files of `folder`."""
    accounts, quarantines = [], []

    def account(table: str, read: int, valid: int, loaded: int, quarantine: pd.DataFrame) -> None:
        accounts.append((table, read, loaded, len(quarantine), valid - loaded))
        quarantines.append(quarantine)

    raw = read_table(folder, "people")
    people_rows, quarantine = stage_people(raw)
    people = people_rows.drop_duplicates("person_id")  # an exact repeat of a person_id: the first
    account("people", len(raw), len(people_rows), len(people), quarantine)
    people = people.assign(person_key=pseudonyms(people.person_id))

    raw = read_table(folder, "identities")
    identities, quarantine = stage_identities(raw)
    claims = identities.assign(owner=identities.person_id.str.lower()).drop_duplicates(
        ["identity_key", "owner"]
    )
    account("identities", len(raw), len(identities), len(claims), quarantine)
    keys = identity_keys(people, identities)

    events, read, quarantine = usage_events(folder)
    valid = read - len(quarantine)
    usage = priced(user_days(events), keys)
    account("ai_usage", read, valid, len(events), quarantine)
    del events

    raw = read_table(folder, "ai_activity")
    activity, quarantine = stage_activity(raw)
    deduplicated = activity.drop_duplicates(["user_key", "occurred_on", "tool", "metric"])
    account("ai_activity", len(raw), len(activity), len(deduplicated), quarantine)

    raw = read_table(folder, "pull_requests")
    rows, quarantine = stage_pull_requests(raw)
    bots = set(
        filter(None, (b.strip().lower() for b in os.environ.get("TOKENYIELD_BOT_LOGINS", "").split(",")))
    )
    prs = rows.drop_duplicates(["repo", "number"], keep="last")  # a later export has the newer state
    # a coding agent's PR is output, credited to its delegator (pipelines/agents.py lists the agents)
    agents = agent_logins()
    author_agent = prs.author_key.map(agents)
    is_bot = author_agent.isna() & (
        prs.author_key.str.endswith("[bot]").fillna(False).astype(bool) | prs.author_key.isin(bots)
    )
    credited = prs.delegator_key.where(author_agent.notna(), prs.author_key)
    agent = author_agent.fillna(prs.agent)
    prs = prs.assign(
        is_bot=is_bot,
        agent=agent,
        is_agent=agent.notna(),
        credited_key=credited,
        person_id=credited.map(keys).where(~is_bot),
        merged_week=monday(prs.merged_at.dt.tz_localize(None).dt.normalize()),
    )
    account("pull_requests", len(raw), len(rows), len(prs), quarantine)

    raw = read_table(folder, "tickets")
    rows, quarantine = stage_tickets(raw)
    tickets = rows.drop_duplicates("ticket_id", keep="last")
    tickets = tickets.assign(
        person_id=tickets.assignee_key.map(keys),
        resolved_week=monday(tickets.resolved_at.dt.tz_localize(None).dt.normalize()),
    )
    account("tickets", len(raw), len(rows), len(tickets), quarantine)
    del raw, rows

    # the weeks from the first to the last that hold usage, a merged PR or a resolved ticket; a
    # person is in scope in the weeks they are employed on any day of
    ends = pd.Series(
        [
            usage.week.min(),
            usage.week.max(),
            prs.merged_week.min(),
            prs.merged_week.max(),
            tickets.resolved_week.min(),
            tickets.resolved_week.max(),
        ]
    ).dropna()
    weeks = pd.DataFrame({"week": pd.date_range(ends.min(), ends.max(), freq="7D") if len(ends) else []})
    scoped = people[["person_id", "person_key", "team", "start_date", "end_date"]].merge(weeks, how="cross")
    scoped = scoped[
        (scoped.start_date.isna() | (scoped.start_date <= scoped.week + pd.Timedelta(days=6)))
        & (scoped.end_date.isna() | (scoped.end_date >= scoped.week))
    ][["person_id", "person_key", "team", "week"]]

    matched = usage[usage.person_id.notna()]
    merged = prs[prs.merged_at.notna()]
    return {
        "fct_person_weeks": person_weeks(scoped, matched, merged, tickets),
        "fct_person_week_tools": person_week_tools(scoped, matched),
        "fct_person_week_activity": person_week_activity(scoped, matched, prs, tickets),
        "fct_merged_pull_requests": merged_pull_requests(scoped, merged),
        "fct_unmatched_identities": unmatched_identities(usage, prs, tickets),
        "fct_bot_pull_requests": prs[prs.is_bot]
        .groupby("author_key")
        .agg(pull_requests=("number", "size"), merged_prs=("merged_at", "count"))
        .rename_axis("bot_login")
        .reset_index(),
        "fct_source_freshness": pd.DataFrame(
            {
                "source": ["ai_usage", "pull_requests", "tickets"],
                "last_event_at": [
                    usage.last_event_at.max(),
                    prs.merged_at.fillna(prs.created_at).max(),
                    tickets.resolved_at.fillna(tickets.created_at).max(),
                ],
            }
        ),
        "dim_tools": usage.groupby("tool")
        .agg(
            reports_tokens=("tokens_reported", "any"),
            models=("model", lambda models: ", ".join(sorted(models.unique()))),
            rows=("source_rows", "sum"),
            requests=("requests", "sum"),
            total_tokens=("total_tokens", "sum"),
            unpriced_tokens=("unpriced_tokens", "sum"),
        )
        .reset_index(),
        "dim_people": people,
        "user_days": usage,  # int_ai_usage_resolved_to_person_day: for the checks
        "quarantine": pd.concat(quarantines, ignore_index=True),
        "build_rows": pd.DataFrame(
            accounts, columns=["table_name", "rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate"]
        ),
    }


def person_weeks(
    scoped: pd.DataFrame, usage: pd.DataFrame, merged: pd.DataFrame, tickets: pd.DataFrame
) -> pd.DataFrame:
    """fct_person_weeks: one row per person per week in scope."""
    used = usage.groupby(["person_id", "week"]).agg(
        ai_rows=("source_rows", "sum"),
        ai_requests=("requests", "sum"),
        ai_active_days=("usage_date", "nunique"),
        **{c: (c, "sum") for c in [*TOKENS, "total_tokens", "cost_micro_usd", "unpriced_tokens"]},
    )
    output = (
        merged[merged.person_id.notna()]
        .groupby(["person_id", "merged_week"])
        .agg(
            merged_prs=("number", "size"),
            merged_additions=("additions", "sum"),
            merged_deletions=("deletions", "sum"),
        )
    )
    closed = tickets[tickets.person_id.notna() & tickets.resolved_at.notna()]
    closed = closed.assign(bug=closed.issue_type.str.lower() == "bug").groupby(["person_id", "resolved_week"])
    closed = closed.agg(closed_tickets=("ticket_id", "size"), closed_bug_tickets=("bug", "sum"))
    weeks = scoped.join(used, on=["person_id", "week"]).join(output, on=["person_id", "week"])
    weeks = weeks.join(closed, on=["person_id", "week"])
    counts = [c for c in weeks.columns if c not in ("person_id", "person_key", "team", "week")]
    weeks[counts] = weeks[counts].fillna(0).astype("int64")
    weeks.insert(4, "is_ai_user", weeks.ai_rows > 0)
    return weeks.reset_index(drop=True)


def person_week_tools(scoped: pd.DataFrame, usage: pd.DataFrame) -> pd.DataFrame:
    """fct_person_week_tools: one row per person per week in scope per tool."""
    in_scope = usage.merge(scoped[["person_id", "person_key", "week"]], on=["person_id", "week"])
    return (
        in_scope.groupby(["person_id", "person_key", "week", "tool"])
        .agg(
            ai_rows=("source_rows", "sum"),
            ai_requests=("requests", "sum"),
            **{c: (c, "sum") for c in ["total_tokens", "cost_micro_usd", "unpriced_tokens"]},
        )
        .reset_index()
    )


def person_week_activity(
    scoped: pd.DataFrame, usage: pd.DataFrame, prs: pd.DataFrame, tickets: pd.DataFrame
) -> pd.DataFrame:
    """fct_person_week_activity: active days per person and week in scope (any AI use, PR opened or
    merged, or ticket resolved on a UTC day), and how the week's tokens spread over its days."""
    prs = prs[prs.person_id.notna()]
    resolved = tickets[tickets.person_id.notna() & tickets.resolved_at.notna()]

    def day(times: pd.Series) -> pd.Series:
        return times.dt.tz_localize(None).dt.normalize()

    days = pd.concat(
        [
            usage.groupby(["person_id", "usage_date"], as_index=False)
            .agg(ai_rows=("source_rows", "sum"), tokens=("total_tokens", "sum"))
            .rename(columns={"usage_date": "day"}),
            pd.DataFrame({"person_id": prs.person_id, "day": day(prs.created_at), "prs_opened": 1}),
            pd.DataFrame({"person_id": prs.person_id, "day": day(prs.merged_at), "prs_merged": 1}).dropna(),
            pd.DataFrame(
                {"person_id": resolved.person_id, "day": day(resolved.resolved_at), "tickets_resolved": 1}
            ),
        ]
    )
    days = days.groupby(["person_id", "day"]).sum().reset_index()  # a missing count is 0
    ai, prs_any = days.ai_rows > 0, (days.prs_opened > 0) | (days.prs_merged > 0)
    weekly = days.assign(
        week=monday(days.day),
        active=ai | prs_any | (days.tickets_resolved > 0),
        ai=ai,
        pr=prs_any,
        ticket=days.tickets_resolved > 0,
        ai_without_output=ai & (days.prs_merged + days.tickets_resolved == 0),
        weekend_ai=ai & (days.day.dt.day_of_week >= 5),
        squares=days.tokens.astype("float64") ** 2,
    ).groupby(["person_id", "week"])
    weekly = weekly.agg(
        active_days=("active", "sum"),
        ai_days=("ai", "sum"),
        pr_days=("pr", "sum"),
        ticket_days=("ticket", "sum"),
        ai_days_without_output=("ai_without_output", "sum"),
        weekend_ai_days=("weekend_ai", "sum"),
        tokens=("tokens", "sum"),
        squares=("squares", "sum"),
    )
    # spread of tokens over the 7 days, days without use counted as 0: sqrt(7 Σx² − (Σx)²) / Σx
    spread = np.sqrt((7 * weekly.squares - weekly.tokens.astype("float64") ** 2).clip(lower=0))
    weekly["daily_token_cv"] = spread / weekly.tokens.where(weekly.tokens != 0)
    weeks = scoped.join(weekly.drop(columns=["tokens", "squares"]), on=["person_id", "week"])
    counts = ["active_days", "ai_days", "pr_days", "ticket_days", "ai_days_without_output", "weekend_ai_days"]
    weeks[counts] = weeks[counts].fillna(0).astype("int64")
    return weeks.reset_index(drop=True)


def merged_pull_requests(scoped: pd.DataFrame, merged: pd.DataFrame) -> pd.DataFrame:
    """fct_merged_pull_requests: merged PRs by people in scope, with reverts matched."""
    reverts = revert_pairs(merged)
    reverted = reverts.groupby(["repo", "reverted_number"], as_index=False).number.min()
    reverted = reverted.rename(columns={"reverted_number": "number", "number": "reverted_by"})
    mine = merged[merged.person_id.notna()].rename(columns={"merged_week": "week"})
    mine = mine.merge(scoped[["person_id", "person_key", "week"]], on=["person_id", "week"])
    mine = mine.merge(reverts, on=["repo", "number"], how="left").merge(
        reverted, on=["repo", "number"], how="left"
    )
    mine = mine.assign(
        changed_lines=mine.additions + mine.deletions,
        hours_to_merge=(mine.merged_at - mine.created_at).dt.total_seconds() / 3600,
        is_revert=mine.reverted_number.notna(),
        is_reverted=mine.reverted_by.notna(),
    )
    columns = [
        "repo",
        "number",
        "person_id",
        "person_key",
        "week",
        "created_at",
        "merged_at",
        "additions",
        "deletions",
        "title",
        "changed_lines",
        "hours_to_merge",
        "is_revert",
        "is_reverted",
        "reverted_by",
        "is_agent",
        "agent",
        "human_reviewed",
    ]
    return mine[columns]


def revert_pairs(merged: pd.DataFrame) -> pd.DataFrame:
    """Merged PRs that revert an earlier merged PR of the same repo (int_pull_request_reverts_matched):
    titled 'Revert "<title>"' or naming the PR ("Reverts #123"), merged at most 21 days after it."""
    prs = merged[["repo", "number", "title", "created_at", "merged_at"]]
    reverts = prs[prs.title.str.contains(r"(?i)\brevert")]
    reverted_title = reverts.title.str.extract(r'^\s*Revert\s+"(.*)"\s*$')[0]
    reverted_number = reverts.title.str.extract(r"(?i)\brevert(?:s|ed|ing)?\b[^#]*#(\d+)")[0]
    reverts = reverts.assign(
        reverted_title=reverted_title.mask(reverted_title == ""),
        reverted_number=pd.to_numeric(reverted_number),
    )
    originals = prs.rename(
        columns={"number": "reverted_number", "title": "reverted_title", "merged_at": "reverted_merged_at"}
    ).drop(columns="created_at")
    by_title = (
        reverts.drop(columns="reverted_number")
        .dropna(subset="reverted_title")
        .merge(originals, on=["repo", "reverted_title"])
    )
    by_title["before_opened"] = by_title.reverted_merged_at <= by_title.created_at
    by_number = (
        reverts.drop(columns="reverted_title")
        .dropna(subset="reverted_number")
        .astype({"reverted_number": "int64"})
    )
    by_number = by_number.merge(
        originals.drop(columns="reverted_title"), on=["repo", "reverted_number"]
    ).assign(before_opened=True)
    found = pd.concat([by_number, by_title], ignore_index=True)
    found = found[
        (found.reverted_number != found.number)
        & (found.reverted_merged_at <= found.merged_at)
        & (found.reverted_merged_at >= found.merged_at - pd.Timedelta(days=21))
    ]
    found = found.sort_values(["before_opened", "reverted_merged_at", "reverted_number"], ascending=False)
    return found.drop_duplicates(["repo", "number"])[["repo", "number", "reverted_number"]]


def unmatched_identities(usage: pd.DataFrame, prs: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    """fct_unmatched_identities: keys that match nobody in people, per source, with what they carry."""
    used = (
        usage[usage.person_id.isna()]
        .groupby("user_key")
        .agg(
            rows=("source_rows", "sum"),
            tokens=("total_tokens", "sum"),
            cost_micro_usd=("cost_micro_usd", "sum"),
            last_seen_at=("last_event_at", "max"),
        )
    )
    # an agent's PR without a delegator shows under the agent's login
    prs = prs.assign(identity_key=prs.credited_key.fillna(prs.author_key))
    prs = prs[prs.person_id.isna() & ~prs.is_bot & prs.identity_key.notna()]
    authored = (
        prs.assign(seen=prs.merged_at.fillna(prs.created_at))
        .groupby("identity_key")
        .agg(
            rows=("number", "size"),
            pull_requests=("number", "size"),
            merged_prs=("merged_at", "count"),
            last_seen_at=("seen", "max"),
        )
    )
    tickets = tickets[tickets.person_id.isna() & tickets.assignee_key.notna()]
    assigned = (
        tickets.assign(seen=tickets.resolved_at.fillna(tickets.created_at))
        .groupby("assignee_key")
        .agg(
            rows=("ticket_id", "size"),
            tickets=("ticket_id", "size"),
            closed_tickets=("resolved_at", "count"),
            last_seen_at=("seen", "max"),
        )
    )
    found = pd.concat(
        [
            part.rename_axis("identity_key").reset_index().assign(source=source)
            for source, part in [("ai_usage", used), ("pull_requests", authored), ("tickets", assigned)]
        ]
    )
    counts = ["rows", "tokens", "cost_micro_usd", "pull_requests", "merged_prs", "tickets", "closed_tickets"]
    found[counts] = found[counts].fillna(0).astype("int64")
    return found[["source", "identity_key", *counts, "last_seen_at"]].reset_index(drop=True)


# --- checks, totals, comparison -----------------------------------------------------------------


def checks(marts: dict[str, pd.DataFrame]) -> dict[str, bool]:
    """The mart contracts the build enforces (keys, ranges), and that every row and token is placed."""
    weeks, tools, rows, usage = (
        marts["fct_person_weeks"],
        marts["fct_person_week_tools"],
        marts["build_rows"],
        marts["user_days"],
    )
    merged, unmatched, people = (
        marts["fct_merged_pull_requests"],
        marts["fct_unmatched_identities"],
        marts["dim_people"],
    )
    counts = ["total_tokens", "cost_micro_usd", "unpriced_tokens", "merged_prs", "closed_tickets"]
    matched = usage[usage.person_id.notna()]
    outside = matched.merge(
        weeks[["person_id", "week"]], on=["person_id", "week"], how="left", indicator=True
    )
    placed = (
        weeks.total_tokens.sum()
        + unmatched.tokens.sum()
        + outside.total_tokens[outside._merge == "left_only"].sum()
    )
    return {
        "rows read = loaded + quarantined + duplicates": bool(
            (rows.rows_read == rows.rows_loaded + rows.rows_quarantined + rows.rows_duplicate).all()
            and (rows.rows_duplicate >= 0).all()
        ),
        "every loaded token is in a person-week, unmatched, or outside employment": placed
        == usage.total_tokens.sum(),
        "ai_usage: one row per user, day, tool, model": not usage.duplicated(USER_DAY).any(),
        "fct_person_weeks: one row per person and week": not weeks.duplicated(["person_key", "week"]).any(),
        "fct_person_weeks: team present, 0-7 active days, counts non-negative": bool(
            weeks.team.notna().all()
            and weeks.ai_active_days.between(0, 7).all()
            and (weeks[counts] >= 0).all().all()
        ),
        "fct_person_week_tools: one row per person, week and tool, non-negative": bool(
            not tools.duplicated(["person_key", "week", "tool"]).any()
            and (tools[["total_tokens", "cost_micro_usd"]] >= 0).all().all()
        ),
        "dim_people: person_id and person_key unique, team present": bool(
            people.person_id.is_unique and people.person_key.is_unique and people.team.notna().all()
        ),
        "dim_tools: one row per tool, tokens non-negative": bool(
            marts["dim_tools"].tool.is_unique and (marts["dim_tools"].total_tokens >= 0).all()
        ),
        "fct_unmatched_identities: one row per source and key, tokens non-negative": bool(
            not unmatched.duplicated(["source", "identity_key"]).any() and (unmatched.tokens >= 0).all()
        ),
        "fct_merged_pull_requests: one row per repo and number, merged after created": bool(
            not merged.duplicated(["repo", "number"]).any() and (merged.merged_at >= merged.created_at).all()
        ),
    }


ROW_TERMS = ("read", "loaded", "quarantined", "duplicate")


def totals(marts: dict[str, pd.DataFrame]) -> dict[str, object]:
    """The figures compared with a warehouse: the same function reads the warehouse's tables."""
    weeks, activity = marts["fct_person_weeks"], marts["fct_person_week_activity"]
    sums = [
        "ai_rows",
        "ai_requests",
        "ai_active_days",
        *TOKENS,
        "total_tokens",
        "cost_micro_usd",
        "unpriced_tokens",
        "merged_prs",
        "merged_additions",
        "merged_deletions",
        "closed_tickets",
        "closed_bug_tickets",
    ]
    rows = marts["build_rows"].set_index("table_name")
    return {
        **{f"{t}_rows_{k}": int(rows.at[t, f"rows_{k}"]) for t in rows.index for k in ROW_TERMS},
        "quarantine_rows": len(marts["quarantine"]),
        "person_weeks": len(weeks),
        **{c: int(weeks[c].sum()) for c in sums},
        "active_days": int(activity.active_days.sum()),
        "person_week_tools": len(marts["fct_person_week_tools"]),
        "tools": len(marts["dim_tools"]),
        "unmatched_identities": len(marts["fct_unmatched_identities"]),
        "unmatched_tokens": int(marts["fct_unmatched_identities"].tokens.sum()),
        "merged_pr_rows": len(marts["fct_merged_pull_requests"]),
        "reverted_prs": int(marts["fct_merged_pull_requests"].is_reverted.sum()),
        "bot_prs": int(marts["fct_bot_pull_requests"].pull_requests.sum()),
    }


# each compared table's key; person_key is replaced by person_id (the pseudonym key may differ)
KEYS = {
    "build_rows": ["table_name"],
    "quarantine": ["table_name", "source_file", "source_row"],
    "dim_people": ["person_id"],
    "dim_tools": ["tool"],
    "fct_person_weeks": ["person_id", "week"],
    "fct_person_week_tools": ["person_id", "week", "tool"],
    "fct_person_week_activity": ["person_id", "week"],
    "fct_merged_pull_requests": ["repo", "number"],
    "fct_unmatched_identities": ["source", "identity_key"],
    "fct_bot_pull_requests": ["bot_login"],
    "fct_source_freshness": ["source"],
}


# differences expected between the two sides, and why
KNOWN = {
    "daily_token_cv": "floating point: sqrt(7Σx² − (Σx)²) cancels when a week's days hold near-equal "
    "tokens, and the two sides add the squares in another order",
}


def compare(marts: dict[str, pd.DataFrame], warehouse: Path) -> list[str]:
    """Every difference between these tables and a built warehouse's: totals, then row by row."""
    import duckdb  # only to read the warehouse compared with

    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        theirs = {table: con.sql(f"select * from {table}").df() for table in KEYS}
    person = theirs["dim_people"][["person_key", "person_id"]]
    for table, frame in theirs.items():
        if "person_key" in frame.columns and table != "dim_people":
            theirs[table] = frame.merge(person, on="person_key", how="left")
    lines = []
    ours, built = totals(marts), totals(theirs)
    for name, value in ours.items():
        if value != built[name]:
            lines.append(f"total {name}: pandas {value}, warehouse {built[name]}")
    for table, keys in KEYS.items():
        lines += differences(
            table,
            marts[table].drop(columns="person_key", errors="ignore"),
            theirs[table].drop(columns="person_key", errors="ignore"),
            keys,
        )
    return lines


def differences(table: str, ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str]) -> list[str]:
    ours, theirs = normal(ours), normal(theirs)
    both = ours.merge(theirs, on=keys, how="outer", suffixes=("", "@warehouse"), indicator=True)
    lines = [
        f"{table}: {n} rows only in {side}"
        for side, n in [
            ("pandas", (both._merge == "left_only").sum()),
            ("the warehouse", (both._merge == "right_only").sum()),
        ]
        if n
    ]
    both = both[both._merge == "both"]
    for column in [c for c in theirs.columns if c not in keys]:
        if column not in ours.columns:
            lines.append(f"{table}.{column}: not computed by pandas")
            continue
        mine, built = both[column], both[f"{column}@warehouse"]
        if (
            pd.api.types.is_numeric_dtype(mine)
            and pd.api.types.is_numeric_dtype(built)
            and not pd.api.types.is_bool_dtype(mine)
        ):
            same = np.isclose(
                mine.astype("float64"), built.astype("float64"), rtol=1e-9, atol=0, equal_nan=True
            )
        else:
            same = (mine.astype(object) == built.astype(object)) | (mine.isna() & built.isna())
        if not same.all():
            example = both.loc[~same, [*keys, column, f"{column}@warehouse"]].head(2).to_dict("records")
            gap = (
                f", pandas - warehouse = {mine[~same].sum() - built[~same].sum()}"
                if pd.api.types.is_integer_dtype(mine)
                else ""
            )
            known = f" (known: {KNOWN[column]})" if column in KNOWN else ""
            lines.append(
                f"{table}.{column}: {(~same).sum()} of {len(both)} rows differ{gap}{known}; e.g. {example}"
            )
    return lines


def normal(frame: pd.DataFrame) -> pd.DataFrame:
    """Times as naive UTC microseconds, dates as times, text as str: the two sides' types agree."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            frame[column] = values.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
        elif pd.api.types.is_datetime64_dtype(values):
            frame[column] = values.astype("datetime64[us]")
        elif (
            values.dtype == object and len(values.dropna()) and hasattr(values.dropna().iloc[0], "isoformat")
        ):
            frame[column] = pd.to_datetime(values).astype("datetime64[us]")
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            frame[column] = values.astype("str")
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input_dir", type=Path)
    parser.add_argument("--out", type=Path, help="write the marts and the quarantine here as Parquet")
    parser.add_argument(
        "--compare", type=Path, metavar="WAREHOUSE.duckdb", help="list the differences from a built warehouse"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    marts = build(args.input_dir)
    failed = [name for name, passed in checks(marts).items() if not passed]
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for table in KEYS:  # fact marts carry person_key only, as the warehouse's
            frame = (
                marts[table]
                if table == "dim_people"
                else marts[table].drop(columns="person_id", errors="ignore")
            )
            frame.to_parquet(args.out / f"{table}.parquet", index=False)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": round(seconds, 2), **totals(marts), "checks_failed": failed}))
    if args.compare:
        lines = compare(marts, args.compare)
        print("\n".join(lines) if lines else f"no differences from {args.compare}")


if __name__ == "__main__":
    main()
