"""Data: how far to trust the warehouse. Validation, freshness, coverage, row accounting, the
quarantine and the build itself; the whole build, so the sidebar's filters do not apply here."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import streamlit as st

from dashboard import build_data, data, layout
from dashboard.filters import week_label
from dashboard.text import markdown
from pipelines.privacy.viewer import AccessDenied
from pipelines.settings import SettingsError
from pipelines.warehouse import WarehouseError

TITLE = "Data"
INTRO = "How this warehouse was built and how far to trust it: the whole build, every team and tool."
SHOWN_ROWS = 1_000  # quarantined rows drawn on the page; the download has every matching row
TABLES, REASONS = "quarantine_tables", "quarantine_reasons"

st.title(TITLE)
viewer = layout.who()  # says what is wrong (no warehouse, no sign-in) and stops the page
try:
    report = build_data.build_report(viewer)
except (SettingsError, WarehouseError):
    st.stop()
except AccessDenied as error:
    st.info(markdown(error), icon=":material/lock:")
    st.stop()
layout.signed_in(viewer)
st.caption(INTRO)
st.sidebar.caption("The filters do not apply to this page: it covers the whole build.")


def age(seconds: float | None) -> str:
    if seconds is None:
        return "no events"
    hours = seconds / 3600
    return f"{hours:,.0f} hours" if hours < 48 else f"{hours / 24:,.0f} days"


def share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def relative(paths: pl.Expr) -> pl.Expr:
    """Input file paths relative to the input folder, to read on screen (the download keeps them whole)."""
    return paths.str.strip_prefix(f"{report.info.input_dir.rstrip('/')}/")


# -- the build -------------------------------------------------------------------------------
info = report.info
st.subheader("Build")
built, kind, timing = st.columns(3)
built.metric("Built", f"{info.built_at:%-d %b %Y}", help=f"At {info.built_at:%H:%M:%S} UTC.", border=True)
kind.metric(
    "Build", "Incremental" if info.incremental else "Full", help=markdown(info.plan_reason), border=True
)
timing.metric(
    "Validation / whole build",
    f"{info.validation_seconds:,.1f} s / {info.build_seconds:,.1f} s",
    help="Seconds spent on the validation suites, and on the whole build up to publishing (validation included).",
    border=True,
)
period = (
    f"weeks of {week_label(info.period_start)} to {week_label(info.period_end)}"
    if info.period_start and info.period_end
    else "no weeks"
)
st.markdown(
    f"Built from {markdown(info.input_dir)} by tokenyield {markdown(info.version)}, covering {period}. "
    f"{'Incremental' if info.incremental else 'Full'} build: {markdown(info.plan_reason)}."
)

# -- validation ------------------------------------------------------------------------------
st.subheader("Validation")
st.markdown(
    "Each suite checks one input table or mart. **Warnings are flagged, not dropped**: the rows they "
    "flag stay in the figures. **Errors stop a build**, so a published warehouse has none."
)
suites = report.suites
if suites["failed_errors"].sum():
    st.error("This warehouse holds failed error checks: it should never have been published.")
st.dataframe(
    suites.select("suite", "checks", "passed", "failed", "severities", "seconds"),
    hide_index=True,
    height="content",
    column_config={
        "severities": st.column_config.TextColumn("severity"),
        "seconds": st.column_config.NumberColumn("seconds", format="%.2f"),
    },
)
for suite in suites.iter_rows(named=True):
    label = f"{suite['suite']}: {suite['passed']} passed, {suite['failed']} failed"
    if suite["failed"] and not suite["failed_errors"]:
        label += " (warnings: flagged, not dropped)"
    with st.expander(label, expanded=bool(suite["failed"])):
        checks = report.checks.filter(pl.col("suite") == suite["suite"])
        st.dataframe(
            checks.select(
                pl.when("success").then(pl.lit("passed")).otherwise(pl.lit("failed")).alias("result"),
                "severity",
                pl.col("check_name").alias("check"),
                "unexpected_count",
                pl.col("examples").list.eval(relative(pl.element())),
                "engine",
            ),
            hide_index=True,
            height="content",
            column_config={
                "check": st.column_config.TextColumn("check", width="medium"),
                "unexpected_count": st.column_config.NumberColumn("unexpected", width="small"),
                "examples": st.column_config.ListColumn("examples of bad values", width="large"),
            },
        )

# -- freshness -------------------------------------------------------------------------------
st.subheader("Freshness")
st.dataframe(
    report.freshness.select(
        "source",
        "last_event_at",
        pl.col("seconds_before_build")
        .map_elements(age, return_dtype=pl.String)
        .fill_null(age(None))
        .alias("before the build"),
    ),
    hide_index=True,
    column_config={"last_event_at": st.column_config.DatetimeColumn("last event (UTC)")},
)
st.caption("The time of the last event in each source, and how long before the build that was.")

# -- coverage --------------------------------------------------------------------------------
st.subheader("Coverage")
cov = report.coverage
whole, latest = st.columns(2)
whole.metric(
    "People in scope with AI telemetry, whole period",
    share(cov.with_ai, cov.people),
    help=f"{cov.with_ai:,} of {cov.people:,} people in scope; {cov.with_tokens:,} with token telemetry.",
    border=True,
)
latest.metric(
    "People in scope with AI telemetry, "
    + ("latest week" if cov.latest_week is None else f"week of {week_label(cov.latest_week)}"),
    share(cov.with_ai_latest, cov.people_latest),
    help=f"{cov.with_ai_latest:,} of {cov.people_latest:,} people in scope; "
    f"{cov.with_tokens_latest:,} with token telemetry.",
    border=True,
)
st.dataframe(
    report.tools.select(
        "tool",
        pl.when("reports_tokens").then(pl.lit("tokens")).otherwise(pl.lit("activity only")).alias("reports"),
        "models",
        pl.when("suppressed")
        .then(pl.lit(f"fewer than {viewer.k}"))
        .otherwise(pl.col("users").cast(pl.String))
        .alias("people"),
        "rows",
        "total_tokens",
        "unpriced_tokens",
    ),
    hide_index=True,
    column_config={
        "total_tokens": st.column_config.NumberColumn("tokens", format="compact"),
        "unpriced_tokens": st.column_config.NumberColumn("unpriced tokens", format="compact"),
    },
)
st.caption(
    "Tools that report only activity count their users as AI users but add no tokens or spend. "
    f"A tool used by fewer than {viewer.k} people shows no rows or tokens (admins see them)."
)
st.markdown("**Unmatched identities**: accounts that match nobody in the roster.")
if not viewer.is_admin:
    left_out = data.excluded(viewer).unmatched
    st.caption(
        (f"{left_out['identities']:,} unmatched identities. " if left_out else "")
        + "Their names are shown to admins only; the Overview's note says what they carry."
    )
if viewer.is_admin:
    st.dataframe(
        report.unmatched.sort("source", "identity_key"),
        hide_index=True,
        column_config={
            "identity_key": st.column_config.TextColumn("identity"),
            "tokens": st.column_config.NumberColumn("tokens", format="compact"),
            "cost_usd": st.column_config.NumberColumn("AI spend", format="dollar"),
            "last_seen_at": st.column_config.DatetimeColumn("last seen (UTC)"),
        },
    )
st.caption(
    "In source and identity order, not ranked by volume. What they carry is left out of every figure; "
    "an identities row naming their person counts them at the next build."
)

# -- row accounting --------------------------------------------------------------------------
st.subheader("Rows")
rows = report.rows
st.dataframe(
    rows.select(
        pl.col("table_name").alias("table"),
        pl.col("rows_read").alias("read"),
        pl.col("rows_loaded").alias("loaded"),
        pl.col("rows_quarantined").alias("quarantined"),
        pl.col("rows_duplicate").alias("duplicates"),
        pl.format(
            "{} = {} + {} + {} {}",
            *(pl.col(c).map_elements("{:,}".format, return_dtype=pl.String) for c in rows.columns[1:5]),
            pl.when("adds_up").then(pl.lit("✓")).otherwise(pl.lit("✗")),
        ).alias("read = loaded + quarantined + duplicates"),
    ),
    hide_index=True,
)
if not rows["adds_up"].all():
    st.error("Some input rows are not accounted for: the build should have stopped.")


# -- quarantine ------------------------------------------------------------------------------
def choose(key: str, label: str, options: Sequence[str], placeholder: str) -> tuple[str, ...]:
    """A multiselect whose kept choice is dropped when the options no longer hold it."""
    if key in st.session_state and not set(st.session_state[key]) <= set(options):
        del st.session_state[key]
    return tuple(st.multiselect(label, options, default=[], key=key, placeholder=placeholder))


st.subheader("Quarantine")
summary = report.quarantine_reasons
if summary.is_empty():
    st.success("No input row was quarantined in this build.", icon=":material/check:")
    st.stop()
if not viewer.is_admin:
    st.dataframe(summary, hide_index=True)
    st.caption(
        "Quarantined rows by table and reason. The rows themselves may hold names and emails: admins only."
    )
    st.stop()
st.markdown("Input rows the build could not use, with their file, row, column, raw value and reason.")
left, right = st.columns(2)
with left:
    tables = choose(TABLES, "Tables", summary["table_name"].unique(maintain_order=True), "All tables")
in_tables = summary.filter(pl.col("table_name").is_in(tables)) if tables else summary
with right:
    reasons = choose(REASONS, "Reasons", in_tables["reason"].unique(maintain_order=True), "All reasons")
chosen = in_tables.filter(pl.col("reason").is_in(reasons)) if reasons else in_tables
matching = int(chosen["rows"].sum())
shown = build_data.quarantine(viewer, tables, reasons, SHOWN_ROWS)
st.dataframe(
    shown.with_columns(relative(pl.col("source_file"))),
    hide_index=True,
    column_config={
        "table_name": st.column_config.TextColumn("table"),
        "source_file": st.column_config.TextColumn("file"),
        "source_row": st.column_config.NumberColumn("row", format="%d"),
        "column_name": st.column_config.TextColumn("column"),
    },
)
matching_rows = f"{matching:,} matching row{'' if matching == 1 else 's'}"
capped = f"; the first {shown.height:,} shown" if matching > shown.height else ""
st.caption(
    f"{matching_rows}{capped}. Files are in the input folder; rows count from 1 after the header. "
    "A value that names someone in the roster shows as ‹person in roster›."
)
st.download_button(
    f"Download the {matching_rows} as CSV",
    data=build_data.quarantine_csv(viewer, tables, reasons),
    file_name="quarantine.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
)
