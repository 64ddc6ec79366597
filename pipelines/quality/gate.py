"""Run the suites on a warehouse being built, record every result, and say whether the build may
publish. Great Expectations sees pandas frames (its SQL source misreads DuckDB); its progress bars
are off."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import duckdb

from pipelines.db import run
from pipelines.models import load_models, references
from pipelines.quality.checks import Suite, input_suites, mart_suites


@dataclass(frozen=True)
class CheckResult:
    suite: str
    check: str
    engine: str  # "great_expectations" or "sql"
    success: bool
    severity: str
    unexpected: int | None
    examples: list[str]


@dataclass(frozen=True)
class GateResult:
    results: list[CheckResult]
    seconds: float
    suite_seconds: dict[str, float]

    @property
    def errors(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success and r.severity == "error"]


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context, context.data_sources.add_pandas("warehouse")


def suites(token_ceiling: int) -> list[Suite]:
    """Every suite, in the order the gate runs them."""
    return input_suites(token_ceiling) + mart_suites()


def run_gate(
    con: duckdb.DuckDBPyConnection,
    token_ceiling: int,
    skip: frozenset[str] | set[str] = frozenset(),
    weeks_of: dict[str, list] | None = None,
) -> GateResult:
    """Run every suite but those named in `skip` (an incremental build keeps their results). A
    suite named in `weeks_of` (one whose mart an incremental build recomputed week by week) shows
    GX only the rows of those weeks."""
    import great_expectations as gx

    started = time.perf_counter()
    context, source = _context()
    results: list[CheckResult] = []
    seconds: dict[str, float] = {}
    for index, suite in enumerate(suites(token_ceiling)):
        if suite.name in skip:
            continue
        suite_started = time.perf_counter()
        frame_sql = suite.frame_sql
        if suite.name in (weeks_of or {}):
            listed = ", ".join(f"date '{week.isoformat()}'" for week in weeks_of[suite.name]) or "null"
            frame_sql = f"select * from ({frame_sql}) where {suite.incremental_by} in ({listed})"
        results += _run_expectations(gx, source, index, suite, frame_sql, con)
        results += [_run_sql(suite, check, con) for check in suite.sql_checks]
        seconds[suite.name] = time.perf_counter() - suite_started
    del context
    return GateResult(results, time.perf_counter() - started, seconds)


def _run_expectations(gx, source, index: int, suite: Suite, frame_sql: str, con) -> list[CheckResult]:
    if not suite.expectations:
        return []
    frame = con.sql(frame_sql).df()
    asset = source.add_dataframe_asset(f"asset_{index}")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    expectation_suite = gx.ExpectationSuite(name=suite.name)
    for expectation in suite.expectations:
        expectation_suite.add_expectation(expectation)
    outcome = batch.validate(expectation_suite, result_format="SUMMARY")
    results = []
    for item in outcome.results:
        config = item.expectation_config
        kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id", "result_format")}
        examples = [_show(v) for v in (item.result.get("partial_unexpected_list") or [])[:5]]
        results.append(
            CheckResult(
                suite.name,
                f"{config.type} {json.dumps(kwargs, default=str)}",
                "great_expectations",
                bool(item.success),
                suite.severity,
                item.result.get("unexpected_count"),
                examples,
            )
        )
    return results


def _run_sql(suite: Suite, check, con) -> CheckResult:
    count = int(run(con, check.count_sql)[0][0] or 0)
    examples = [str(r[0]) for r in run(con, check.examples_sql)] if count else []
    return CheckResult(suite.name, check.name, "sql", count == 0, check.severity, count, examples)


def _show(value: object) -> str:
    return json.dumps(value, default=str) if isinstance(value, list | dict | tuple) else str(value)


def write_results(con: duckdb.DuckDBPyConnection, gate: GateResult) -> None:
    run(
        con,
        "create or replace table validation_results (suite varchar, check_name varchar, engine varchar, "
        "success boolean, severity varchar, unexpected_count bigint, examples varchar[])",
    )
    for r in gate.results:
        run(
            con,
            "insert into validation_results values (?, ?, ?, ?, ?, ?, ?)",
            [r.suite, r.check, r.engine, r.success, r.severity, r.unexpected, r.examples],
        )
    run(con, "create or replace table validation_timings (suite varchar, seconds double)")
    for suite, seconds in gate.suite_seconds.items():
        run(con, "insert into validation_timings values (?, ?)", [suite, seconds])


def reads_only(suite: Suite, models: set[str]) -> bool:
    """Whether every model a validation suite reads is in `models` (and it reads at least one)."""
    names = {m.name for m in load_models()}
    text = " ".join([suite.frame_sql, *(c.count_sql + " " + c.examples_sql for c in suite.sql_checks)])
    read = references(text, names)
    return bool(read) and read <= models
