"""The access file: parsed strictly (k at least 3, known keys only, emails only, file order
kept), stored in the warehouse by the build, and a bad file stops the build with one line."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.build import BuildError, build
from pipelines.cli import app
from pipelines.privacy import access
from pipelines.privacy.viewer import resolve
from pipelines.settings import Settings

PEOPLE = (
    "person_id,email,name,team,manager_id,role,level\n"
    "p1,a@x.io,A,core,,manager,L6\n"
    "p2,b@x.io,B,core,p1,engineer,L4\n"
)
USAGE = (
    "occurred_at,user,tool,model,input_tokens,output_tokens\n"
    "2026-03-02T10:00Z,a@x.io,claude-code,claude-sonnet-4-5,100,10\n"
    "2026-03-03T09:00Z,b@x.io,cursor,gpt-5,40,2\n"
)


def small_input(folder: Path, access_toml: str | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "people.csv").write_text(PEOPLE)
    (folder / "ai_usage.csv").write_text(USAGE)
    if access_toml is not None:
        (folder / "access.toml").write_text(access_toml)
    return folder


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "access.toml"
    path.write_text(text)
    return path


def test_k_defaults_to_5_and_lists_default_to_empty(tmp_path):
    parsed = access.read(write(tmp_path, 'leaders = ["cto@x.io"]\n'))
    assert parsed.min_group_size == 5
    assert (parsed.leaders, parsed.analysts, parsed.admins) == (("cto@x.io",), (), ())
    assert parsed.source == str(tmp_path / "access.toml")


def test_k_may_be_raised_and_may_be_exactly_3(tmp_path):
    assert access.read(write(tmp_path, "min_group_size = 3\n")).min_group_size == 3
    assert access.read(write(tmp_path, "min_group_size = 11\n")).min_group_size == 11


@pytest.mark.parametrize("value", ["2", "0", "-5", "true", "4.5", '"5"'])
def test_a_k_below_3_or_not_a_whole_number_is_rejected_naming_file_and_key(tmp_path, value):
    path = write(tmp_path, f"min_group_size = {value}\n")
    with pytest.raises(access.AccessError) as raised:
        access.read(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: min_group_size") and "at least 3" in message
    assert "\n" not in message


def test_unknown_keys_are_rejected_by_name(tmp_path):
    path = write(tmp_path, 'leaders = ["cto@x.io"]\nviewers = ["x@x.io"]\nk = 4\n')
    with pytest.raises(access.AccessError, match=r"unknown key\(s\) k, viewers") as raised:
        access.read(path)
    assert str(raised.value).startswith(str(path))


@pytest.mark.parametrize(
    ("key", "value"),
    [("leaders", '["cto"]'), ("analysts", '"analyst@x.io"'), ("admins", "[1]"), ("leaders", '["a@x.io", 3]')],
)
def test_entries_that_are_not_lists_of_emails_are_rejected(tmp_path, key, value):
    path = write(tmp_path, f"{key} = {value}\n")
    with pytest.raises(access.AccessError) as raised:
        access.read(path)
    assert str(raised.value).startswith(f"{path}: {key} must be a list of email addresses")


def test_a_file_that_is_not_toml_is_named(tmp_path):
    path = write(tmp_path, "leaders = [\n")
    with pytest.raises(access.AccessError, match="not valid TOML") as raised:
        access.read(path)
    assert str(raised.value).startswith(str(path))


def test_file_order_is_kept_and_emails_are_normalised_once(tmp_path):
    parsed = access.read(
        write(tmp_path, 'leaders = ["Zed@X.io", "amy@x.io", " zed@x.io "]\nadmins = ["ops@x.io"]\n')
    )
    assert parsed.leaders == ("zed@x.io", "amy@x.io")
    assert parsed.roles_of("ZED@x.io") == {"leader"} and parsed.roles_of("ops@x.io") == {"admin"}
    assert parsed.roles_of("nobody@x.io") == set()


def test_the_demo_file_puts_the_top_of_the_roster_first_so_demo_leader_is_the_cto(demo_input, demo_warehouse):
    parsed = access.read(demo_input / "access.toml")
    assert parsed.min_group_size == access.DEFAULT_K
    domain = parsed.leaders[0].split("@")[1]
    assert parsed.analysts == (f"analyst@{domain}",) and parsed.admins == (f"platform@{domain}",)
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        (cto,) = con.execute("select lower(email) from dim_people where manager_id is null").fetchone()
        assert parsed.leaders[0] == cto
        stored = access.from_warehouse(con)
        assert stored.leaders == parsed.leaders  # rowid order survives the build
        viewer = resolve(con, "demo-leader")
    assert viewer.email == cto and "leader" in viewer.roles


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small input with an access file, and the warehouse built from it (once per module)."""
    root = tmp_path_factory.mktemp("built")
    folder = small_input(
        root / "in",
        'min_group_size = 4\nleaders = ["a@x.io"]\nanalysts = ["ana@y.io"]\nadmins = ["ops@y.io"]\n',
    )
    build(Settings(input_dir=folder, warehouse_path=root / "w.duckdb"))
    return folder, root / "w.duckdb"


def test_the_build_stores_the_roles_and_k_in_the_warehouse(built):
    folder, db = built
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select email, role from access_roles order by rowid").fetchall() == [
            ("a@x.io", "leader"),
            ("ana@y.io", "analyst"),
            ("ops@y.io", "admin"),
        ]
        assert con.execute("select min_group_size, source from access_settings").fetchall() == [
            (4, str(folder / "access.toml"))
        ]


def test_tokenyield_access_names_a_file_outside_the_input_folder(tmp_path):
    folder = small_input(tmp_path / "in")
    elsewhere = write(tmp_path, 'admins = ["ops@y.io"]\nmin_group_size = 7\n')
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=folder, warehouse_path=db, access_path=elsewhere))
    with duckdb.connect(str(db), read_only=True) as con:
        stored = access.from_warehouse(con)
    assert (stored.min_group_size, stored.admins, stored.source) == (7, ("ops@y.io",), str(elsewhere))


def test_without_an_access_file_k_is_5_and_nobody_sees_the_whole_organization(tmp_path):
    db = tmp_path / "w.duckdb"
    build(Settings(input_dir=small_input(tmp_path / "in"), warehouse_path=db))
    with duckdb.connect(str(db), read_only=True) as con:
        stored = access.from_warehouse(con)
        assert con.execute("select count(*) from access_roles").fetchone() == (0,)
        manager = resolve(con, "a@x.io")
    assert stored.min_group_size == 5 and stored.source.startswith("none")
    assert manager.roles == {"individual", "manager"} and not manager.sees_whole_org


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("min_group_size = 2\n", "min_group_size must be a whole number of at least 3"),
        ('owners = ["a@x.io"]\n', "unknown key(s) owners"),
        ('leaders = ["a"]\n', "leaders must be a list of email addresses"),
    ],
)
def test_a_bad_access_file_stops_the_build_with_one_line_and_keeps_the_previous_warehouse(
    built, tmp_path, text, problem
):
    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    shutil.copytree(built[0], folder)
    shutil.copy2(built[1], db)
    shutil.copy2(built[1].with_name("w.duckdb.key"), tmp_path / "w.duckdb.key")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    (folder / "access.toml").write_text(text)

    with pytest.raises(BuildError) as raised:
        build(Settings(input_dir=folder, warehouse_path=db))
    message = str(raised.value)
    assert message.startswith(f"{folder / 'access.toml'}: {problem}") and "\n" not in message

    result = CliRunner().invoke(app, ["build", "--input", str(folder), "--db", str(db)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "access.toml" in lines[0]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
