"""The demo warehouse seen by one viewer of each role, for the privacy tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

UNKNOWN = "nobody@elsewhere.example"


@pytest.fixture(scope="session")
def con(demo_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def emails(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """One email per role, found in the roster and the access file (none is hard-coded but the
    unknown one): an engineer with no reports, the manager (not a leader) with the largest org."""
    listed = {r[0]: r[1] for r in con.execute("select email, role from access_roles").fetchall()}
    (individual,) = con.execute(
        """select lower(email) from dim_people p
           where not exists (select 1 from dim_people r where r.manager_id = p.person_id)
             and lower(email) not in (select email from access_roles)
           order by email limit 1"""
    ).fetchone()
    (manager,) = con.execute(
        """select lower(m.email) from dim_people m join dim_people r on r.manager_id = m.person_id
           where lower(m.email) not in (select email from access_roles)
           group by m.email order by count(*) desc, m.email limit 1"""
    ).fetchone()
    return {
        "individual": individual,
        "manager": manager,
        "leader": "demo-leader",
        "analyst": next(e for e, r in listed.items() if r == "analyst"),
        "admin": next(e for e, r in listed.items() if r == "admin"),
        "unknown": UNKNOWN,
    }


def org_keys(con: duckdb.DuckDBPyConnection, email: str) -> set[str]:
    """person_keys of someone's whole org (themself and every level below), from the roster."""
    rows = con.execute(
        """with recursive org(person_id) as (
               select person_id from dim_people where lower(email) = ?
               union select d.person_id from dim_people d join org on d.manager_id = org.person_id)
           select person_key from dim_people semi join org using (person_id)""",
        [email],
    ).fetchall()
    return {r[0] for r in rows}
