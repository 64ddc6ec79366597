"""The SQL models: one file per table, run layer by layer in dependency order.

A model may read raw_*/config_* inputs, any model of an earlier layer, and models of its own
layer that it names; it never reads a later layer. The order inside a layer comes from the
names each file mentions, so adding a model is adding a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from pipelines.db import run

SQL_DIR = Path(__file__).with_name("sql")
LAYERS = ("staging", "intermediate", "marts")
# staging models are views over the raw files; the rest are materialised tables
MATERIALISATION = {"staging": "view", "intermediate": "table", "marts": "table"}


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    sql: str
    path: Path

    @property
    def grain(self) -> str:
        match = re.search(r"^--\s*grain:\s*(.+)$", self.sql, re.MULTILINE)
        return match.group(1).strip() if match else ""

    @property
    def incremental_by(self) -> str:
        """The time column by which an incremental build may recompute this model in place: each
        of its rows reads only input rows of the same day or week (and tables that did not change)."""
        match = re.search(r"^--\s*incremental by:\s*(\w+)", self.sql, re.MULTILINE)
        return match.group(1) if match else ""

    @property
    def purpose(self) -> str:
        first = self.sql.splitlines()[0] if self.sql else ""
        return first.removeprefix("--").split(":", 1)[-1].strip()


def load_models(sql_dir: Path = SQL_DIR) -> list[Model]:
    """Every model, in the order the build must run them."""
    by_layer = {layer: sorted((sql_dir / layer).glob("*.sql")) for layer in LAYERS}
    models = {
        p.stem: Model(p.stem, layer, p.read_text(), p) for layer, paths in by_layer.items() for p in paths
    }
    ordered: list[Model] = []
    for index, layer in enumerate(LAYERS):
        later = {m.name for m in models.values() if LAYERS.index(m.layer) > index}
        graph: dict[str, set[str]] = {}
        for model in (m for m in models.values() if m.layer == layer):
            refs = references(model.sql, set(models))
            if bad := refs & later:
                raise ValueError(f"{model.path}: reads {', '.join(sorted(bad))} from a later layer")
            graph[model.name] = {r for r in refs if models[r].layer == layer and r != model.name}
        try:
            ordered += [models[name] for name in TopologicalSorter(graph).static_order()]
        except CycleError as error:
            raise ValueError(f"models in {layer} read each other in a cycle: {error.args[1]}") from None
    return ordered


def references(sql: str, names: set[str]) -> set[str]:
    """The names of `names` that the SQL mentions outside comments."""
    code = re.sub(r"--[^\n]*", "", sql)
    return {word for word in re.findall(r"\b[a-z_][a-z0-9_]*\b", code) if word in names}


def run_model(con, model: Model) -> None:
    kind = MATERIALISATION[model.layer]
    run(con, f"create or replace {kind} {model.name} as\n{model.sql}")
