"""GitHub pull requests -> `pull_requests` (+ `identities` where GitHub gives login ↔ email).

Reads REST pulls-list pages (a JSON array, or one PR object), `pull_request` webhook payloads,
and DevLake raw-table CSVs (`_raw_github_api_pull_requests.csv` and friends, one API item per
row in `data`). Commit items (`/pulls/N/commits`) and user items (`/users/LOGIN`) are read for
their login ↔ email pairs. Grain: one row per (repo, number); a PR seen twice keeps the copy
with the latest `updated_at`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.sources.output_common import Item, api_items, expand, finish, identity_hints

SYSTEM = "github"
_REPO_IN_URL = re.compile(r"(?:api\.github\.com/repos|github\.com)/([^/]+/[^/]+)/pulls?/\d+")


def parse(paths: list[Path], **options: Any) -> dict[str, pl.DataFrame]:
    """Every pull request in `paths` (files or folders) as canonical tables."""
    pulls: list[dict[str, Any]] = []
    account_hints: list[tuple[str, str | None, str | None]] = []
    commit_hints: list[tuple[str, str | None, str | None]] = []
    for path in expand(paths):
        for item in api_items(path):
            kind = _kind(item)
            if kind == "webhook":
                pull = Item(item.file, item.row, item.obj["pull_request"], _join(item.column, "pull_request"))
                pulls.append(pull_row(pull, item.text("repository.full_name")))
            elif kind == "pull":
                pulls.append(pull_row(item, None))
            elif kind == "commit":
                login = item.text("author.login")
                if login:
                    commit_hints.append(
                        (login, item.text("commit.author.email"), item.text("commit.author.name"))
                    )
            else:
                account_hints.append(
                    (item.text("login", required=True), item.text("email"), item.text("name"))
                )
    tables = {"pull_requests": finish("pull_requests", pulls, order_by="_updated")}
    identities = identity_hints(account_hints + commit_hints, SYSTEM)
    if identities.height:
        tables["identities"] = identities
    return tables


def _kind(item: Item) -> str:
    obj = item.obj
    if isinstance(obj.get("pull_request"), dict) and "action" in obj:
        return "webhook"
    if "number" in obj and ("head" in obj or "merged_at" in obj):
        return "pull"
    if "sha" in obj and isinstance(obj.get("commit"), dict):
        return "commit"
    if "login" in obj and "number" not in obj:
        return "user"
    raise item.error(
        item.column or "(item)",
        "a GitHub pull request, pull_request webhook payload, commit or user object",
        ",".join(list(obj)[:5]),
    )


def pull_row(item: Item, repo: str | None) -> dict[str, Any]:
    return {
        "repo": item.text("base.repo.full_name") or repo or _repo_from_urls(item),
        "number": item.integer("number", required=True),
        "author": item.text("user.login"),
        "created_at": item.timestamp("created_at", required=True),
        "merged_at": item.timestamp("merged_at"),
        "additions": item.integer("additions"),
        "deletions": item.integer("deletions"),
        "title": item.text("title"),
        "_updated": item.timestamp("updated_at"),
    }


def _repo_from_urls(item: Item) -> str:
    for key in ("url", "html_url"):
        match = _REPO_IN_URL.search(item.text(key) or "")
        if match:
            return match.group(1)
    raise item.error("base.repo.full_name", "the repository as owner/name (or a PR url holding it)")


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
