"""Which coding agent wrote a pull request: the one place that knows agents' logins and markers.

A PR is agent-authored when its author is a known agent login (AGENT_LOGINS, extended by
TOKENYIELD_AGENT_LOGINS), when its head branch starts with an agent's prefix (`copilot/`,
`codex/`, `claude/`), or when its body or commit messages carry an agent's co-author trailer or
footer (Claude Code's `Co-Authored-By: Claude … <noreply@anthropic.com>` and "Generated with Claude
Code", Copilot's `Co-authored-by: Copilot <…>`, Codex's `Co-authored-by: Codex <…>`). Trailers are
matched on the name, not the e-mail: real histories carry `Codex <Codex@anthropic.com>` too.

An agent *author* is credited to the human who delegated the work (`delegator`: the requester
named in the body, else the first human assignee); a PR a human authored with an agent's help
stays theirs. Dependabot-style bots are not agents: they stay never-output (TOKENYIELD_BOT_LOGINS).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

# login (lower case) -> agent; GitHub shows the Copilot coding agent as "Copilot" on PRs and as
# "copilot-swe-agent[bot]" in reviews and commits (the same user id, 198982749); the gh CLI writes
# GitHub Apps as "app/<slug>"
AGENT_LOGINS: dict[str, str] = {
    "copilot": "copilot",
    "copilot-swe-agent[bot]": "copilot",
    "app/copilot-swe-agent": "copilot",
    "devin-ai-integration[bot]": "devin",
    "app/devin-ai-integration": "devin",
    "claude[bot]": "claude",
    "app/claude": "claude",
    "codex": "codex",
    "chatgpt-codex-connector[bot]": "codex",
    "google-labs-jules[bot]": "jules",
}
BRANCH_PREFIXES: dict[str, str] = {
    "copilot/": "copilot",
    "codex/": "codex",
    "claude/": "claude",
    "devin/": "devin",
}
# (pattern, agent), tried in order on a PR body or commit message
MARKERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^co-authored-by:\s*claude\b[^<\n]*<[^>\n]*@anthropic\.com>", re.I | re.M), "claude"),
    (re.compile(r"generated with \[?claude code\]?", re.I), "claude"),
    (re.compile(r"^co-authored-by:\s*copilot\s*<", re.I | re.M), "copilot"),
    (re.compile(r"<!--\s*start copilot coding agent", re.I), "copilot"),
    (re.compile(r"^agent-logs-url:\s*https://github\.com/\S+/sessions/", re.I | re.M), "copilot"),
    (re.compile(r"^co-authored-by:\s*codex\s*<", re.I | re.M), "codex"),
    (re.compile(r"link to devin run", re.I), "devin"),
)
# Devin's PR body names who asked: "Requested by: @login", "Requested by: Name (email)", or the
# value on the next line under a "## Requested by" heading
_REQUESTED_BY = re.compile(r"requested by\**\s*:?\**\s*(?:\n\s*)?([^\n]+)", re.I)
_AT_LOGIN = re.compile(r"(?<![\w.])@([A-Za-z0-9][A-Za-z0-9-]*(?:\[bot\])?)")
_EMAIL = re.compile(r"[^\s()<>@]+@[^\s()<>@]+\.[^\s()<>@]+")


def agent_logins(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """AGENT_LOGINS plus TOKENYIELD_AGENT_LOGINS (`login` or `login=agent`, comma-separated)."""
    env = os.environ if environ is None else environ
    logins = dict(AGENT_LOGINS)
    for part in env.get("TOKENYIELD_AGENT_LOGINS", "").split(","):
        login, _, agent = part.partition("=")
        if login.strip():
            logins[login.strip().lower()] = agent.strip().lower() or login.strip().lower()
    return logins


def agent_of_login(login: str | None, logins: Mapping[str, str] | None = None) -> str | None:
    return (logins or agent_logins()).get((login or "").strip().lower())


def agent_of_branch(ref: str | None) -> str | None:
    lowered = (ref or "").lower()
    return next((agent for prefix, agent in BRANCH_PREFIXES.items() if lowered.startswith(prefix)), None)


def agent_of_text(texts: Iterable[str | None]) -> str | None:
    """The first agent whose trailer or footer one of `texts` carries."""
    for text in texts:
        for pattern, agent in MARKERS:
            if text and pattern.search(text):
                return agent
    return None


def detect(
    author: str | None,
    head_ref: str | None = None,
    texts: Iterable[str | None] = (),
    logins: Mapping[str, str] | None = None,
) -> str | None:
    """The agent of a PR: by its author, else its branch, else its body's and commits' markers."""
    return agent_of_login(author, logins) or agent_of_branch(head_ref) or agent_of_text(texts)


def requester(body: str | None) -> str | None:
    """Who asked an agent for the PR, as its body names them: a login, else an e-mail, else None."""
    match = _REQUESTED_BY.search(body or "")
    if not match:
        return None
    line = match.group(1)
    login = _AT_LOGIN.search(line)
    if login:
        return login.group(1)
    email = _EMAIL.search(line)
    return email.group(0).strip(".,;") if email else None


def delegator(
    author: str | None,
    body: str | None,
    assignees: Iterable[str | None],
    logins: Mapping[str, str] | None = None,
) -> str | None:
    """The human an agent-authored PR is credited to: the requester, else the first assignee that is
    neither an agent nor a bot. None for a PR whose author is not an agent."""
    known = logins or agent_logins()
    if agent_of_login(author, known) is None:
        return None
    humans = [
        a for a in assignees if a and agent_of_login(a, known) is None and not a.lower().endswith("[bot]")
    ]
    return requester(body) or (humans[0] if humans else None)


def human_reviewed(
    reviews: Iterable[tuple[str | None, str | None, object]],
    author: str | None,
    delegated_to: str | None,
    merged_at: object,
    logins: Mapping[str, str] | None = None,
) -> bool:
    """Whether someone other than the author and the delegator (and not an agent or bot) approved
    the PR before it merged (any time, for a PR not merged). `reviews`: (login, state, submitted_at)."""
    known = logins or agent_logins()
    excluded = {(author or "").lower(), (delegated_to or "").lower()}
    for login, state, submitted in reviews:
        who = (login or "").lower()
        if (state or "").upper() != "APPROVED" or not who or who in excluded:
            continue
        if agent_of_login(who, known) or who.endswith("[bot]"):
            continue
        if merged_at is None or submitted is None or submitted <= merged_at:  # type: ignore[operator]
            return True
    return False
