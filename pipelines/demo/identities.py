"""Everyone's accounts in other systems, and the `user` string each tool reports them under.

identities.csv maps GitHub logins, Jira account ids, OpenAI user ids and LiteLLM key names
back to people. The same accounts give the `user` column of ai_usage and ai_activity, so the
join is exercised the way real exports exercise it: emails (a few capitalised by Cursor's
SSO), external ids, two keys for one person, and a handful of bare person_ids. The outside
contractor has accounts that match nobody.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from pipelines.demo.habits import Habits
from pipelines.demo.org import Org, unique_names
from pipelines.demo.tools import (
    CLAUDE_CODE_ID,
    COPILOT_ID,
    CURSOR_ID,
    LITELLM_ID,
    OPENAI_API_ID,
    TOOLS,
)

CONTRACTOR_EMAIL = "sam.lee@outsourcer.example"
CONTRACTOR_LOGIN = "ext-sam-lee"
_ALPHANUMERIC = np.array(list(string.ascii_letters + string.digits))
_HEX = np.array(list("0123456789abcdef"))


@dataclass(frozen=True)
class Accounts:
    """One entry per person, contractor last (the contractor has no Jira, OpenAI or key account)."""

    email: list[str]
    github_login: list[str]
    jira_account_id: list[str | None]
    openai_user_id: list[str | None]
    api_keys: list[tuple[str, ...]]


@dataclass(frozen=True)
class UserDirectory:
    """Indexes into `names`, the strings that appear in the `user` column."""

    names: pa.Array
    by_tool: np.ndarray  # (people, tools): the account a tool reports a person under
    second_api_key: np.ndarray  # -1 when the person has one key
    person_id: np.ndarray  # -1 for the contractor


def _random_strings(alphabet: np.ndarray, count: int, length: int, rng: np.random.Generator) -> list[str]:
    letters = alphabet[rng.integers(len(alphabet), size=(count, length))]
    return ["".join(row) for row in letters]


def _github_logins(org: Org, rng: np.random.Generator) -> list[str]:
    taken: set[str] = set()
    logins = []
    for first, last in zip(org.first_name, org.last_name, strict=True):
        login = f"{first[0]}{last}{rng.integers(10, 100)}"
        while login in taken:
            login = f"{first[0]}{last}{rng.integers(10, 1000)}"
        taken.add(login)
        logins.append(login)
    return logins


def uses(habits: Habits, tool: int) -> np.ndarray:
    return (habits.primary_tool == tool) | (habits.secondary_tool == tool)


def open_accounts(org: Org, habits: Habits, rng: np.random.Generator) -> Accounts:
    people = org.size
    openai_ids = _random_strings(_ALPHANUMERIC, people, 24, rng)
    has_openai = uses(habits, OPENAI_API_ID)
    has_litellm = uses(habits, LITELLM_ID)
    key_stems = unique_names([f"{f[0]}{s}" for f, s in zip(org.first_name, org.last_name, strict=True)])
    api_keys = [
        (f"key-{stem}-laptop", f"key-{stem}-ci")[: 1 + int(habits.two_api_keys[i])] if has_litellm[i] else ()
        for i, stem in enumerate(key_stems)
    ]
    return Accounts(
        email=[*org.email, CONTRACTOR_EMAIL],
        github_login=[*_github_logins(org, rng), CONTRACTOR_LOGIN],
        jira_account_id=[*_random_strings(_HEX, people, 24, rng), None],
        openai_user_id=[f"user-{uid}" if has_openai[i] else None for i, uid in enumerate(openai_ids)]
        + [None],
        api_keys=[*api_keys, ()],
    )


def identities_frame(org: Org, accounts: Accounts) -> pl.DataFrame:
    """identities.csv: one row per (system, external_id), employees only."""
    rows: list[tuple[str, str, str]] = []
    for i, person_id in enumerate(org.person_id):
        rows.append((person_id, "github", accounts.github_login[i]))
        rows.append((person_id, "jira", accounts.jira_account_id[i] or ""))
        if accounts.openai_user_id[i]:
            rows.append((person_id, "openai", accounts.openai_user_id[i] or ""))
        rows.extend((person_id, "api_key", key) for key in accounts.api_keys[i])
    return pl.DataFrame(rows, schema=["person_id", "system", "external_id"], orient="row").sort(
        "person_id", "system", "external_id"
    )


def user_directory(org: Org, accounts: Accounts, habits: Habits) -> UserDirectory:
    names: list[str] = []

    def add(values: list[str | None]) -> np.ndarray:
        start = len(names)
        names.extend(value or "" for value in values)
        return np.where([value is not None for value in values], start + np.arange(len(values)), -1)

    people = len(accounts.email)
    email = add(list(accounts.email))
    capitalised = add(
        [
            ".".join(part.title() for part in local.split(".")) + "@" + domain
            for local, domain in (address.split("@") for address in accounts.email)
        ]
    )
    by_tool = np.full((people, len(TOOLS)), -1)
    by_tool[:, CLAUDE_CODE_ID] = email
    by_tool[:, CURSOR_ID] = np.where(habits.mixed_case_email, capitalised, email)
    by_tool[:, OPENAI_API_ID] = add(list(accounts.openai_user_id))
    by_tool[:, LITELLM_ID] = add([keys[0] if keys else None for keys in accounts.api_keys])
    by_tool[:, COPILOT_ID] = add(list(accounts.github_login))
    second_api_key = add([keys[1] if len(keys) > 1 else None for keys in accounts.api_keys])
    person_id = add([*org.person_id, None])
    return UserDirectory(
        names=pa.array(names, pa.string()),
        by_tool=by_tool,
        second_api_key=second_api_key,
        person_id=person_id,
    )
