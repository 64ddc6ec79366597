"""GitLab merge requests -> `pull_requests` (+ `identities` where GitLab gives username ↔ email).

Reads MR-list API pages (a JSON array, or one MR object) and DevLake raw-table CSVs
(`_raw_gitlab_api_merge_requests.csv`, `_raw_gitlab_api_users.csv`).
repo is the project path (`group/sub/project`), number the MR's `iid`, author the username.
Grain: one row per (repo, number); an MR seen twice keeps the copy with the latest `updated_at`.
GitLab's MR list carries no size: additions and deletions stay NULL. head_ref is the source
branch; agent and delegator come from pipelines/agents.py like GitHub's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from pipelines import agents
from pipelines.sources.output_common import Item, api_items, expand, finish, identity_hints

SYSTEM = "gitlab"
_PROJECT_IN_URL = re.compile(r"^https?://[^/]+/(.+?)/-/merge_requests/\d+")


def parse(paths: list[Path], **options: Any) -> dict[str, pl.DataFrame]:
    """Every merge request in `paths` (files or folders) as canonical tables."""
    merge_requests: list[dict[str, Any]] = []
    hints: list[tuple[str, str | None, str | None]] = []
    for path in expand(paths):
        for item in api_items(path):
            kind = _kind(item)
            if kind == "mr":
                merge_requests.append(merge_request_row(item))
            else:
                email = item.text("email") or item.text("public_email") or item.text("commit_email")
                hints.append((item.text("username", required=True), email, item.text("name")))
    tables = {"pull_requests": finish("pull_requests", merge_requests, order_by="_updated")}
    identities = identity_hints(hints, SYSTEM)
    if identities.height:
        tables["identities"] = identities
    return tables


def _kind(item: Item) -> str:
    obj = item.obj
    if "iid" in obj and ("source_branch" in obj or "merged_at" in obj):
        return "mr"
    if "username" in obj and "iid" not in obj:
        return "user"
    raise item.error(
        item.column or "(item)", "a GitLab merge request or user object", ",".join(list(obj)[:5])
    )


def merge_request_row(item: Item) -> dict[str, Any]:
    author, branch, body = item.text("author.username"), item.text("source_branch"), item.text("description")
    assignees = [a.get("username") for a in item.get("assignees") or [] if isinstance(a, dict)]
    logins = agents.agent_logins()
    return {
        "repo": _project(item),
        "number": item.integer("iid", required=True),
        "author": author,
        "created_at": item.timestamp("created_at", required=True),
        "merged_at": item.timestamp("merged_at"),
        "title": item.text("title"),
        "head_ref": branch,
        "agent": agents.detect(author, branch, [body], logins),
        "delegator": agents.delegator(author, body, [*assignees, item.text("assignee.username")], logins),
        "_updated": item.timestamp("updated_at"),
    }


def _project(item: Item) -> str:
    full = item.text("references.full")  # "group/project!12"
    if full and "!" in full:
        return full.rsplit("!", 1)[0]
    match = _PROJECT_IN_URL.match(item.text("web_url") or "")
    if match:
        return match.group(1)
    raise item.error("references.full", "the project path (references.full or web_url)")
