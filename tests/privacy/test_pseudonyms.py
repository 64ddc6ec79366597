"""person_key: fact marts carry a keyed hash, never an email, name or roster id; the key is
stable across builds (same key file or TOKENYIELD_PSEUDONYM_KEY), different under another key,
kept in a 0600 file beside the warehouse and never in the warehouse itself."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from pipelines.build import build
from pipelines.privacy.pseudonyms import key_file, person_key
from pipelines.settings import Settings

from .test_access import small_input

PERSON_COLUMNS = {"email", "name", "person_id", "user", "author", "assignee", "manager_id"}


def keys(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select person_id, person_key from dim_people").fetchall())


def test_every_fact_mart_carries_person_key_and_no_column_that_names_a_person(demo_warehouse):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where table_name like 'fct_%'"
            ).fetchall()
        ]
        assert len(marts) >= 5
        for mart in marts:
            columns = {r[0] for r in con.execute(f"describe {mart}").fetchall()}
            assert not columns & PERSON_COLUMNS, (mart, columns & PERSON_COLUMNS)
        person_marts = {
            m for m in marts if "person_key" in {r[0] for r in con.execute(f"describe {m}").fetchall()}
        }
        assert {"fct_person_weeks", "fct_person_week_tools", "fct_merged_pull_requests"} <= person_marts


def test_no_fact_mart_holds_a_roster_email_name_or_id_in_any_text_column(demo_warehouse):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        roster = con.execute("select lower(email), lower(name), lower(person_id) from dim_people").fetchall()
        identifying = {value for row in roster for value in row if value}
        assert len(identifying) >= 3 * 150
        texts = con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where table_name like 'fct_%' and data_type = 'VARCHAR'"
        ).fetchall()
        found = []
        for table, column in texts:
            values = {r[0] for r in con.execute(f'select distinct lower("{column}") from {table}').fetchall()}
            found += [(table, column, v) for v in values & identifying]
        # person_key values match dim_people's keys and nothing else
        unknown = con.execute(
            "select count(*) from fct_person_weeks pw anti join dim_people p using (person_key)"
        ).fetchone()
    assert found == []
    assert unknown == (0,)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same small input built four times: a fresh key file, a copy of that key file, an
    environment key, and another environment key."""
    root = tmp_path_factory.mktemp("pseudonyms")
    folder = small_input(root / "in")
    paths = {name: root / name / "w.duckdb" for name in ("file", "file_copy", "env", "env_other")}
    build(Settings(input_dir=folder, warehouse_path=paths["file"]))
    paths["file_copy"].parent.mkdir()
    shutil.copy2(
        key_file(Settings(warehouse_path=paths["file"])),
        key_file(Settings(warehouse_path=paths["file_copy"])),
    )
    build(Settings(input_dir=folder, warehouse_path=paths["file_copy"]))
    build(Settings(input_dir=folder, warehouse_path=paths["env"], pseudonym_key="correct horse battery"))
    build(Settings(input_dir=folder, warehouse_path=paths["env_other"], pseudonym_key="another secret"))
    return paths


def test_the_key_file_is_made_once_beside_the_warehouse_readable_by_its_owner_only(warehouses):
    path = key_file(Settings(warehouse_path=warehouses["file"]))
    assert path == warehouses["file"].with_name("w.duckdb.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(path.read_text().strip())) == 32


def test_the_same_key_file_gives_the_same_keys_in_another_build(warehouses):
    assert keys(warehouses["file"]) == keys(warehouses["file_copy"])
    assert set(keys(warehouses["file"])) == {"p1", "p2"}


def test_a_rebuild_in_place_keeps_the_key_file_and_the_keys(warehouses, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy2(warehouses["file"], db)
    shutil.copy2(warehouses["file"].with_name("w.duckdb.key"), tmp_path / "w.duckdb.key")
    before = (tmp_path / "w.duckdb.key").read_text()
    folder = warehouses["file"].parents[1] / "in"
    build(Settings(input_dir=folder, warehouse_path=db), incremental=False)
    assert keys(db) == keys(warehouses["file"])
    assert (tmp_path / "w.duckdb.key").read_text() == before


def test_an_environment_key_gives_hmac_sha256_of_the_roster_id_and_no_key_file(warehouses):
    expected = {pid: person_key(b"correct horse battery", pid) for pid in ("p1", "p2")}
    assert keys(warehouses["env"]) == expected
    assert all(len(k) == 16 and int(k, 16) >= 0 for k in expected.values())
    assert not key_file(Settings(warehouse_path=warehouses["env"])).exists()


def test_another_key_gives_other_keys(warehouses):
    first, other, from_file = keys(warehouses["env"]), keys(warehouses["env_other"]), keys(warehouses["file"])
    assert all(first[p] != other[p] and first[p] != from_file[p] for p in first)


def test_the_secret_never_enters_the_warehouse(warehouses):
    secret = key_file(Settings(warehouse_path=warehouses["file"])).read_text().strip()
    for db, needle in ((warehouses["file"], secret), (warehouses["env"], "correct horse battery")):
        assert needle.encode() not in db.read_bytes()
