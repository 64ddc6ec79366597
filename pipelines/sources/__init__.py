"""Sources: one module per real format, turning a file or an API into canonical tables.

The two registries below are what the CLI (`pipelines/sources/cli.py`) offers:

- `IMPORTERS[name]` is `parse(paths: list[Path], **options) -> dict[str, pl.DataFrame]`,
  canonical table name -> conformed frame. The CLI passes `person` (an email) only when given;
  an importer ignores options it does not use.
- `FETCHERS[name]` is an `http.Fetcher(api, fetch)`, where
  `fetch(client: http.Client, since: date, until: date | None) -> dict[str, pl.DataFrame]`.

To add a source, import its module below and add its entries, e.g.
`IMPORTERS["github"] = github.parse` and `FETCHERS["github"] = Fetcher(API, fetch_github)`.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from pipelines.sources import (
    amazon_q,
    anthropic_claude_code,
    anthropic_messages,
    claude_code_logs,
    claude_code_otel,
    claude_enterprise,
    codex,
    copilot,
    cursor,
    devin,
    fetch_ai,
    fetch_ide,
    fetch_seats,
    gitlab_duo,
    litellm,
    openai,
    otel,
    windsurf,
)
from pipelines.sources.http import Fetcher

Importer = Callable[..., dict[str, pl.DataFrame]]

IMPORTERS: dict[str, Importer] = {
    "anthropic-claude-code": anthropic_claude_code.parse,
    "anthropic-messages": anthropic_messages.parse,
    "openai": openai.parse,
    "copilot": copilot.parse,
    "cursor": cursor.parse,
    "litellm": litellm.parse,
    "claude-code-logs": claude_code_logs.parse,
    "otel": otel.parse,
    "claude-enterprise": claude_enterprise.parse,
    "codex": codex.parse,
    "claude-code-otel": claude_code_otel.parse,
    "windsurf": windsurf.parse,
    "devin": devin.parse,
    "amazon-q": amazon_q.parse,
    "gitlab-duo": gitlab_duo.parse,
}
FETCHERS: dict[str, Fetcher] = {**fetch_ai.FETCHERS, **fetch_seats.FETCHERS, **fetch_ide.FETCHERS}

# The output sources (GitHub, GitLab, Jira, Linear) add their entries when imported, last.
from pipelines.sources import output_registry  # noqa: E402, F401
