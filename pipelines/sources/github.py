"""GitHub pull requests -> `pull_requests` (+ `identities` where GitHub gives login ↔ email).

Reads REST pulls-list pages (a JSON array, or one PR object), `pull_request` webhook payloads,
and DevLake raw-table CSVs (`_raw_github_api_pull_requests.csv` and friends, one API item per
row in `data`). Commit items (`/pulls/N/commits`) and user items (`/users/LOGIN`) are read for
their login ↔ email pairs. Review items (`/pulls/N/reviews`, located by their `pull_request_url`
or `html_url`) set `human_reviewed`. Grain: one row per (repo, number); a PR seen twice keeps the
copy with the latest `updated_at`.

Agents (pipelines/agents.py): a PR whose author is an agent, whose head branch has an agent's
prefix, or whose body or commits carry an agent's footer or trailer gets `agent`; an agent
author's PR gets the `delegator` it is credited to. Commit trailers are read where a commit's PR
is known: by the fetcher, and from DevLake raw tables (their `url` column names
/pulls/N/commits); a plain saved commit list does not say which PR it belongs to.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from pipelines import agents
from pipelines.sources.output_common import Item, api_items, expand, finish, identity_hints

SYSTEM = "github"
_REPO_IN_URL = re.compile(r"(?:api\.github\.com/repos|github\.com)/([^/]+/[^/]+)/pulls?/\d+")
_PR_IN_URL = re.compile(r"(?:api\.github\.com/repos|github\.com)/([^/]+/[^/]+)/pulls?/(\d+)")


def parse(paths: list[Path], **options: Any) -> dict[str, pl.DataFrame]:
    """Every pull request in `paths` (files or folders) as canonical tables."""
    pulls: list[dict[str, Any]] = []
    account_hints: list[tuple[str, str | None, str | None]] = []
    commit_hints: list[tuple[str, str | None, str | None]] = []
    reviews: dict[tuple[str, int], list[tuple[str | None, str | None, object]]] = {}
    messages: dict[tuple[str, int], list[str | None]] = {}
    for path in expand(paths):
        for item in api_items(path):
            kind = _kind(item)
            if kind == "webhook":
                pull = Item(item.file, item.row, item.obj["pull_request"], _join(item.column, "pull_request"))
                pulls.append(pull_row(pull, item.text("repository.full_name")))
            elif kind == "pull":
                pulls.append(pull_row(item, None))
            elif kind == "review":
                repo, number = review_target(item)
                reviews.setdefault((repo.lower(), number), []).append(review_of(item))
            elif kind == "commit":
                target = _PR_IN_URL.search(item.source_url)  # DevLake: fetched from /pulls/N/commits
                if target:
                    key = (target.group(1).lower(), int(target.group(2)))
                    messages.setdefault(key, []).append(item.text("commit.message"))
                login = item.text("author.login")
                if login:
                    commit_hints.append(
                        (login, item.text("commit.author.email"), item.text("commit.author.name"))
                    )
            else:
                account_hints.append(
                    (item.text("login", required=True), item.text("email"), item.text("name"))
                )
    for pull in pulls:
        key = (pull["repo"].lower(), pull["number"])
        with_commits(pull, messages.get(key, []))
        with_reviews(pull, reviews.get(key))
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
    if "state" in obj and "submitted_at" in obj and ("pull_request_url" in obj or "html_url" in obj):
        return "review"
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
    """One REST (or github-mcp-server) PR object as a `pull_requests` row; `human_reviewed` stays
    None until `with_reviews` is given the PR's reviews."""
    author, head_ref, body = item.text("user.login"), item.text("head.ref"), item.text("body")
    logins = agents.agent_logins()
    return {
        "repo": item.text("base.repo.full_name") or repo or _repo_from_urls(item),
        "number": item.integer("number", required=True),
        "author": author,
        "created_at": item.timestamp("created_at", required=True),
        "merged_at": item.timestamp("merged_at"),
        "additions": item.integer("additions"),
        "deletions": item.integer("deletions"),
        "title": item.text("title"),
        "head_ref": head_ref,
        "agent": agents.detect(author, head_ref, [body], logins),
        "delegator": agents.delegator(author, body, _assignees(item), logins),
        "human_reviewed": None,
        "_updated": item.timestamp("updated_at"),
    }


def with_reviews(
    row: dict[str, Any], reviews: list[tuple[str | None, str | None, object]] | None
) -> dict[str, Any]:
    """`row` with `human_reviewed` from its reviews (None: the reviews were not read)."""
    if reviews is not None:
        row["human_reviewed"] = agents.human_reviewed(
            reviews, row["author"], row["delegator"], row["merged_at"]
        )
    return row


def with_commits(row: dict[str, Any], messages: list[str | None]) -> dict[str, Any]:
    """`row` with the agent its commits' trailers name, when its own fields named none."""
    row["agent"] = row["agent"] or agents.agent_of_text(messages)
    return row


def review_of(item: Item) -> tuple[str | None, str | None, object]:
    return item.text("user.login"), item.text("state"), item.timestamp("submitted_at")


def review_target(item: Item) -> tuple[str, int]:
    """The (repo, number) a review item belongs to, from its pull_request_url or html_url."""
    for key in ("pull_request_url", "html_url", "source_url"):
        match = _PR_IN_URL.search((item.source_url if key == "source_url" else item.text(key)) or "")
        if match:
            return match.group(1), int(match.group(2))
    raise item.error("pull_request_url", "the URL of the reviewed pull request")


def _assignees(item: Item) -> list[str | None]:
    """Assignee logins: REST gives objects, github-mcp-server plain logins."""
    found = item.get("assignees") or []
    logins = [a.get("login") if isinstance(a, dict) else a for a in found if isinstance(a, dict | str)]
    return [*logins, item.text("assignee.login")]


def _repo_from_urls(item: Item) -> str:
    for key in ("url", "html_url"):
        match = _REPO_IN_URL.search(item.text(key) or "")
        if match:
            return match.group(1)
    raise item.error("base.repo.full_name", "the repository as owner/name (or a PR url holding it)")


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
