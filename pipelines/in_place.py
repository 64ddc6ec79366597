"""An incremental build's models recomputed in place, day by day or week by week (pipelines/build.py
runs them on its copy of the previous warehouse)."""

from __future__ import annotations

from datetime import timedelta

import duckdb

from pipelines.db import run
from pipelines.incremental import input_tables
from pipelines.models import Model, load_models, references


class InPlace:
    """An incremental build's models that are recomputed in place, day by day or week by week.

    A model that declares `incremental by: COLUMN` has rows that read only input rows of their own
    day (or week). When every input table it depends on other than ai_usage is unchanged, and the
    people's pseudonyms are the same as last time, only the rows of the days the new files touch
    (or of their weeks, and of weeks the period gained or lost) are deleted and computed again; the
    other rows of the copied warehouse stay as they are."""

    def __init__(self, con: duckdb.DuckDBPyConnection, days: list, unchanged: set[str]) -> None:
        self.con, self.days, self.unchanged = con, sorted(days), unchanged
        self.depends = input_tables(load_models())
        self._weeks: list | None = None
        self._same_keys: bool | None = None
        self.done: set[str] = set()  # the models recomputed in place

    def allows(self, model: Model) -> bool:
        if not model.incremental_by or not self.depends[model.name] - {"ai_usage"} <= self.unchanged:
            return False
        return "int_people_keyed" not in references(model.sql, {"int_people_keyed"}) or self.same_keys()

    def same_keys(self) -> bool:
        if self._same_keys is None:
            differ = "select person_id, person_key from {} except select person_id, person_key from {}"
            self._same_keys = not run(
                self.con,
                f"({differ.format('int_people_keyed', 'prev.int_people_keyed')}) union all "
                f"({differ.format('prev.int_people_keyed', 'int_people_keyed')}) limit 1",
            )
        return self._same_keys

    def weeks(self) -> list:
        """The weeks of the new days, and the weeks the period gained or lost."""
        if self._weeks is None:
            period = run(
                self.con,
                "(select week from int_period_weeks_listed except select week from prev.int_period_weeks_listed) "
                "union (select week from prev.int_period_weeks_listed except select week from int_period_weeks_listed)",
            )
            new = {d - timedelta(days=d.weekday()) for d in self.days}
            self._weeks = sorted(new | {r[0] for r in period})
        return self._weeks

    def run(self, model: Model) -> None:
        column = model.incremental_by
        values = self.weeks() if column == "week" else self.days
        self.done.add(model.name)
        if not values:
            return  # no day changed: the copy already holds the same rows
        # a list of literals, so that DuckDB pushes the filter down into the model's scans
        listed = ", ".join(f"date '{value.isoformat()}'" for value in values)
        run(self.con, f"delete from {model.name} where {column} in ({listed})")
        run(
            self.con,
            f"insert into {model.name} by name select * from ({model.sql}) where {column} in ({listed})",
        )
