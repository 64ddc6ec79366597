"""The Viewer: who is looking, and so what they may see. Every query and export takes one.

| role              | sees                                                                   |
|-------------------|------------------------------------------------------------------------|
| individual        | their own data only                                                    |
| manager           | their own data, their direct reports as individuals, their whole org    |
|                   | below them only as aggregates                                          |
| leader / analyst  | aggregates of the whole organization                                    |
| admin             | aggregates, the data-quality details and the audit log; no rankings    |

Roles add up: a leader who manages people also sees their direct reports. Aggregates always
hide groups under k people (suppression.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from pipelines.db import one, run
from pipelines.privacy.access import Access, from_warehouse

DEMO_LEADER = "demo-leader"  # TOKENYIELD_LOCAL_VIEWER=demo-leader: the access file's first leader


class AccessDenied(PermissionError):
    """The viewer may not see this; the message says why in words a user understands."""


@dataclass(frozen=True)
class Viewer:
    email: str
    roles: frozenset[str]
    k: int
    person_key: str | None = None  # None: not in the roster (e.g. an analyst from another org)
    name: str | None = None
    reports: tuple[str, ...] = field(default=())  # person_keys of direct reports

    @property
    def role(self) -> str:
        """The widest role, for display."""
        for role in ("admin", "leader", "analyst", "manager", "individual"):
            if role in self.roles:
                return role
        return "none"

    @property
    def sees_whole_org(self) -> bool:
        return bool(self.roles & {"leader", "analyst", "admin"})

    @property
    def sees_aggregates(self) -> bool:
        return self.sees_whole_org or "manager" in self.roles

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def aggregate_root(self) -> str | None:
        """The person_key whose org the viewer's aggregates cover; None = the whole organization."""
        if self.sees_whole_org:
            return None
        if "manager" in self.roles:
            return self.person_key
        raise AccessDenied(
            "Your role shows your own data only; team and organization figures need a manager or leader role."
        )

    def may_see_person(self, person_key: str) -> bool:
        return person_key == self.person_key or person_key in self.reports

    def visible_people(self) -> tuple[str, ...]:
        """The people this viewer may see as individuals: themself, then their direct reports."""
        own = (self.person_key,) if self.person_key else ()
        return own + self.reports


def resolve(con: duckdb.DuckDBPyConnection, email: str, access: Access | None = None) -> Viewer:
    """The viewer for a signed-in email, from the roster and the warehouse's access rules."""
    access = access or from_warehouse(con)
    email = email.strip().lower()
    if email == DEMO_LEADER:
        if not access.leaders:
            raise AccessDenied("demo-leader needs a leader in the access file; the demo writes one.")
        email = access.leaders[0]
    roles = access.roles_of(email)
    row = one(con, "select person_key, name, person_id from dim_people where lower(email) = ?", [email])
    if not row:
        if not roles:
            raise AccessDenied(
                f"{email} is neither in the roster nor in the access file, so it sees nothing."
            )
        return Viewer(email=email, roles=frozenset(roles), k=access.min_group_size)
    person_key, name, person_id = row
    reports = tuple(
        r[0]
        for r in run(
            con, "select person_key from dim_people where manager_id = ? order by person_key", [person_id]
        )
    )
    roles |= {"individual"} | ({"manager"} if reports else set())
    return Viewer(
        email=email,
        roles=frozenset(roles),
        k=access.min_group_size,
        person_key=person_key,
        name=name,
        reports=reports,
    )
