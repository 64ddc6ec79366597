"""Organizations at the sizes users have (about 30, 500, 3,000 and 10,000 people), built once per test run.

Every page, export and pack is tested at these sizes. A warehouse is built by the first test worker that
asks for it, under a file lock in the run's shared temporary folder, and read by every worker after that:
pytest-xdist's workers share the folder above their own basetemp.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.build import build
from pipelines.demo import generate
from pipelines.privacy.access import write_demo
from pipelines.settings import Settings
from tests.conftest import DEMO_END

SIZES = {"30": 30, "500": 500, "3000": 3_000, "10000": 10_000}
WEEKS = 10  # two periods of five weeks: the current one and the one it is compared with


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This run's temporary folder, shared by its workers: under pytest-xdist each worker's basetemp
    is a folder of the run's own (pytest-N/popen-gwK), so its parent is the run's; without xdist the
    basetemp is the run's. Never the folder above the runs, which outlives them."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def scale_warehouse(tmp_path_factory: pytest.TempPathFactory, people: int) -> Path:
    """The warehouse of a demo organization of `people`, built once per run whatever the worker."""
    shared = _run_folder(tmp_path_factory)
    name = f"scale-{people}"
    folder = shared / name
    folder.mkdir(exist_ok=True)
    db = folder / "warehouse.duckdb"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes: the builder's work is done
        if not (folder / "built").exists():
            generate(folder / "input", people=people, weeks=WEEKS, seed=5, end=DEMO_END)
            write_demo(folder / "input")
            build(Settings(input_dir=folder / "input", warehouse_path=db))
            (folder / "built").touch()
    return db


@pytest.fixture(scope="session", params=list(SIZES), ids=lambda size: f"{size}-people")
def scale_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each organization size in turn (30, 500, 3,000, 10,000 people)."""
    return scale_warehouse(tmp_path_factory, SIZES[request.param])


@pytest.fixture(scope="session")
def scale_con(scale_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(scale_db), read_only=True)
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()
