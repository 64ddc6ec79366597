"""The access file: who is a leader, analyst or admin, and the smallest group a figure may show.

    # access.toml (docs/privacy.md)
    min_group_size = 5          # k: groups under k people read "fewer than k"; never below 3
    leaders  = ["cto@example.com"]
    analysts = ["analyst@example.com"]
    admins   = ["platform@example.com"]

The build copies it into the warehouse (access_roles, access_settings), so every reader of a
warehouse (dashboard, CLI exports) applies the same rules. Manager and individual roles come
from the roster's manager_id, not from this file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.db import one, run
from pipelines.settings import Settings

DEFAULT_K = 5
MIN_K = 3
LISTED_ROLES = ("leaders", "analysts", "admins")


class AccessError(ValueError):
    """The access file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Access:
    min_group_size: int = DEFAULT_K
    leaders: tuple[str, ...] = ()
    analysts: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()
    source: str = "none (no access file: nobody has aggregate access)"

    def roles_of(self, email: str) -> set[str]:
        email = email.strip().lower()
        named = {"leaders": "leader", "analysts": "analyst", "admins": "admin"}
        return {named[key] for key in LISTED_ROLES if email in getattr(self, key)}


def access_file(settings: Settings) -> Path:
    return settings.access_path or settings.input_dir / "access.toml"


def read(path: Path) -> Access:
    """Parse and check the access file; a bad value raises AccessError naming file and key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise AccessError(f"{path}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise AccessError(f"{path}: not valid TOML ({error})") from None
    unknown = sorted(set(data) - {"min_group_size", *LISTED_ROLES})
    if unknown:
        raise AccessError(
            f"{path}: unknown key(s) {', '.join(unknown)}; expected min_group_size, leaders, analysts, admins"
        )
    k = data.get("min_group_size", DEFAULT_K)
    if not isinstance(k, int) or isinstance(k, bool) or k < MIN_K:
        raise AccessError(f"{path}: min_group_size must be a whole number of at least {MIN_K}, got {k!r}")
    lists: dict[str, tuple[str, ...]] = {}
    for key in LISTED_ROLES:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and "@" in v for v in value):
            raise AccessError(f"{path}: {key} must be a list of email addresses, got {value!r}")
        lists[key] = tuple(
            dict.fromkeys(v.strip().lower() for v in value)
        )  # file order: the first leader is demo-leader
    return Access(min_group_size=k, source=str(path), **lists)


def load_into(con: duckdb.DuckDBPyConnection, settings: Settings) -> Access:
    """At build time: the access file (if any) into access_roles and access_settings."""
    path = access_file(settings)
    access = read(path) if path.exists() else Access()
    run(con, "create or replace table access_roles (email varchar not null, role varchar not null)")
    rows = [(email, role[:-1]) for role in LISTED_ROLES for email in getattr(access, role)]
    if rows:
        con.executemany("insert into access_roles values (?, ?)", rows)
    run(
        con,
        "create or replace table access_settings as select ?::integer as min_group_size, ?::varchar as source",
        [access.min_group_size, access.source],
    )
    return access


def from_warehouse(con: duckdb.DuckDBPyConnection) -> Access:
    """At read time: the rules the build stored (a warehouse without them has no aggregate access)."""
    tables = {r[0] for r in run(con, "select table_name from duckdb_tables()")}
    if "access_settings" not in tables:
        return Access()
    k, source = one(con, "select min_group_size, source from access_settings")
    lists: dict[str, list[str]] = {key: [] for key in LISTED_ROLES}
    for email, role in run(con, "select email, role from access_roles order by rowid"):
        lists[role + "s"].append(email)
    return Access(
        min_group_size=max(MIN_K, int(k)), source=source, **{k_: tuple(v) for k_, v in lists.items()}
    )


def write_demo(input_dir: Path) -> Path:
    """The demo organization's access file: its CTO and directors lead, plus an analyst and a
    platform admin from outside the roster. The CTO comes first, so `demo-leader` is the CTO."""
    import polars as pl

    people = pl.read_csv(input_dir / "people.csv", infer_schema=False)
    top = people.filter(pl.col("manager_id").is_null())["email"].to_list()
    directors = people.filter(pl.col("role") == "director").sort("email")["email"].to_list()
    leaders = list(dict.fromkeys([*top, *directors]))
    domain = leaders[0].split("@", 1)[1] if leaders else "example.com"

    def listed(emails: list[str]) -> str:
        return "[" + ", ".join(f'"{e.lower()}"' for e in emails) + "]"

    path = input_dir / "access.toml"
    path.write_text(
        "# Who sees what (docs/privacy.md). Managers and individuals come from people.csv's manager_id.\n"
        f"min_group_size = {DEFAULT_K}  # k: groups under k people read 'fewer than k'; never below {MIN_K}\n"
        f"leaders = {listed(leaders)}\n"
        f'analysts = ["analyst@{domain}"]\n'
        f'admins = ["platform@{domain}"]\n',
        encoding="utf-8",
    )
    return path
