"""What a source's API is and how it authenticates: `Api`, `Credentials`, and their errors.

Kept apart from `http.Client` so a source module can declare its Api without any HTTP machinery;
`pipelines.sources.http` re-exports all of these.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipelines.sources.errors import SourceError


class CredentialsError(SourceError):
    """A credential is missing, or the server refused it (401/403)."""


class FetchError(SourceError):
    """The server kept failing, or answered with an error we cannot retry."""


@dataclass(frozen=True)
class Credentials:
    """Where a source's secret lives and how it is sent.

    `scheme` "Bearer" sends `header: Bearer <secret>`; "" sends the raw secret; "Basic" sends
    HTTP basic auth with the user from `username_variable` (e.g. JIRA_EMAIL) or, when that is
    None, the secret as the user and an empty password (Cursor's Admin API). `in_body` names
    the JSON body field that carries the secret instead of a header (Windsurf's `service_key`):
    no header is sent, and the fetcher puts `Client.secret()` in each request body.
    """

    variable: str
    header: str = "Authorization"
    scheme: str = "Bearer"
    username_variable: str | None = None
    in_body: str | None = None

    def headers(self, environ: Mapping[str, str]) -> dict[str, str]:
        secret = _required(environ, self.variable)
        if self.in_body:
            return {}
        if self.scheme == "Basic":
            user = _required(environ, self.username_variable) if self.username_variable else secret
            password = secret if self.username_variable else ""
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            return {self.header: f"Basic {token}"}
        return {self.header: f"{self.scheme} {secret}" if self.scheme else secret}

    def variables(self) -> list[str]:
        return [v for v in (self.variable, self.username_variable) if v]


@dataclass(frozen=True)
class Api:
    """A service: `name` for messages, `base_url` (None when every site has its own, like Jira),
    `base_url_variable` that overrides it, `credentials`, and fixed non-secret `headers`."""

    name: str
    base_url: str | None
    base_url_variable: str
    credentials: Credentials
    headers: Mapping[str, str] = field(default_factory=dict)


def _required(environ: Mapping[str, str], variable: str) -> str:
    value = environ.get(variable, "").strip()
    if not value:
        raise CredentialsError(f"{variable} is not set")
    return value
