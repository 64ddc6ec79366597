"""Registers the output sources (GitHub, GitLab, Jira, Linear) in the source registries.

Imported once, at the end of `pipelines/sources/__init__.py`, after IMPORTERS and FETCHERS
exist. The `identities suggest` / `identities apply` commands register themselves through
`identity_suggest.register`, which cli.py calls.
"""

from __future__ import annotations

from pipelines.sources import FETCHERS, IMPORTERS, github, gitlab, jira, linear
from pipelines.sources.fetch_output import GITHUB, GITLAB
from pipelines.sources.fetch_tickets import JIRA, LINEAR

IMPORTERS.update({"github": github.parse, "gitlab": gitlab.parse, "jira": jira.parse, "linear": linear.parse})
FETCHERS.update({"github": GITHUB, "gitlab": GITLAB, "jira": JIRA, "linear": LINEAR})
