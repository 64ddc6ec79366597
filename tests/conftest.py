"""Shared fixtures: a small demo organization and the warehouse built from it, once per session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipelines.build import build
from pipelines.privacy.access import write_demo
from pipelines.settings import Settings

DEMO_END = date(2026, 3, 29)  # a Sunday: fixed so that every run sees the same organization


@pytest.fixture(scope="session", autouse=True)
def _audit_log_outside_the_tree(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every read of person-level data is audited; a test that does not choose its own log writes
    to a temporary one, never to data/ in the clone."""
    import os

    os.environ.setdefault("TOKENYIELD_AUDIT_DB", str(tmp_path_factory.mktemp("audit") / "audit.duckdb"))


@pytest.fixture(scope="session")
def demo_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipelines.demo import generate

    out = tmp_path_factory.mktemp("demo") / "input"
    generate(out, people=160, weeks=12, seed=11, end=DEMO_END)
    write_demo(out)
    return out


@pytest.fixture(scope="session")
def demo_warehouse(demo_input: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    build(Settings(input_dir=demo_input, warehouse_path=path))
    return path
