"""canonical.conform and the shared readers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest

from pipelines.sources.canonical import AI_USAGE, SCHEMAS, conform
from pipelines.sources.errors import SourceError
from pipelines.sources.readers import parse_timestamp, read_devlake_csv, read_jsonc, strip_jsonc, to_int


def test_schemas_follow_the_data_contract():
    assert list(SCHEMAS) == ["people", "identities", "ai_usage", "ai_activity", "pull_requests", "tickets"]
    assert AI_USAGE["occurred_at"] == pl.Datetime("us", "UTC")
    assert AI_USAGE["tokens_reported"] == pl.Boolean
    assert SCHEMAS["ai_activity"]["occurred_on"] == pl.Date


def test_conform_orders_casts_and_fills_optional_defaults():
    raw = pl.DataFrame(
        {
            "extra": ["dropped"],
            "model": ["m"],
            "tool": ["cursor"],
            "user": ["a@x.io"],
            "occurred_at": ["2026-03-02T10:00:00+02:00"],
            "input_tokens": [5],
            "output_tokens": [6.0],
        }
    )

    out = conform("ai_usage", raw)

    assert out.schema == AI_USAGE
    assert out.row(0) == (
        datetime(2026, 3, 2, 8, tzinfo=UTC), "a@x.io", "cursor", "m", 5, 6, 0, 0, 1, None, None, True
    )  # fmt: skip


def test_conform_takes_naive_datetimes_as_utc_and_dates_from_timestamps():
    activity = pl.DataFrame(
        {
            "occurred_on": [datetime(2026, 3, 2, 23, 30)],
            "user": ["a"],
            "tool": ["t"],
            "metric": ["sessions"],
            "value": [1],
        }
    )

    assert conform("ai_activity", activity)["occurred_on"].to_list() == [date(2026, 3, 2)]


def test_conform_names_missing_required_columns():
    with pytest.raises(SourceError, match=r"ai_usage: missing required column\(s\) occurred_at, user"):
        conform("ai_usage", pl.DataFrame({"tool": ["x"]}))


def test_strip_jsonc_drops_comments_and_trailing_commas_but_not_string_content():
    text = '{\n "url": "http://x/#a", # note\n "n": 1, // two\n "l": [1, 2,],\n}'

    assert json.loads(strip_jsonc(text)) == {"url": "http://x/#a", "n": 1, "l": [1, 2]}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02", datetime(2026, 3, 2, tzinfo=UTC)),
        ("2026-03-02T10:00:00Z", datetime(2026, 3, 2, 10, tzinfo=UTC)),
        ("2026-03-02T10:00:00.5-05:00", datetime(2026, 3, 2, 15, 0, 0, 500000, tzinfo=UTC)),
        (1772445600, datetime(2026, 3, 2, 10, tzinfo=UTC)),
        ("1772445600000", datetime(2026, 3, 2, 10, tzinfo=UTC)),
        ("", None),
    ],
)
def test_parse_timestamp(value, expected):
    assert parse_timestamp(value) == expected


def test_bad_values_name_the_file_row_and_field(tmp_path):
    with pytest.raises(
        SourceError, match=r"^f.csv: row 3, field 'tokens': expected a whole number ≥ 0, got '-1'$"
    ):
        to_int("-1", path="f.csv", row=3, field="tokens")
    bad = tmp_path / "bad.jsonc"
    bad.write_text('{"a": }')
    with pytest.raises(SourceError, match=r"bad\.jsonc: row 1: not valid JSON"):
        read_jsonc(bad)


def test_devlake_rows_are_read_from_the_data_column(tmp_path):
    raw = tmp_path / "_raw.csv"
    raw.write_text('id,params,data,url,input,created_at\n1,{},"{""login"": ""a""}",u,,2024-01-01\n')

    assert list(read_devlake_csv(raw)) == [(1, {"login": "a"})]
