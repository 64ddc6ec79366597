"""A small HTTP client for the sources that have APIs, on httpx.

One `Api` value describes a service: its default base URL (overridable by an env var, so tests
point it at 127.0.0.1), its `Credentials` (which env var holds the secret and how it is sent)
and fixed headers. `Client` adds retries (5xx, 429 with Retry-After, GitHub's 403 rate limit,
connection errors; exponential backoff, bounded attempts, injectable `sleep`) and one helper per
pagination style. Secrets never reach logs or messages: every message is redacted, and the
client never logs headers.
"""

from __future__ import annotations

import email.utils
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from pipelines.sources.ai_rows import day_start
from pipelines.sources.api import Api, Credentials, CredentialsError, FetchError
from pipelines.sources.errors import SourceError
from pipelines.sources.paging import Paging, decode

log = logging.getLogger("tokenyield.sources.http")


class _NoQueryStrings(logging.Filter):
    """httpx logs each request's full URL at INFO; a pre-signed download URL carries its
    signature in the query string, so the query is dropped from those records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                a.copy_with(query=None) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_NoQueryStrings())


class Client(Paging):
    """Requests against one Api, with retries, pagination and redaction.

    `environ` defaults to os.environ; `sleep` is what waits between attempts (tests pass a
    function that records the waits). Raises CredentialsError at once when a variable is unset.
    """

    def __init__(
        self,
        api: Api,
        *,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 5,
        backoff: float = 1.0,
        max_wait: float = 120.0,
        timeout: float = 60.0,
    ) -> None:
        self.api = api
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_wait = max_wait
        base_url = self.environ.get(api.base_url_variable) or api.base_url
        if not base_url:
            raise CredentialsError(f"{api.base_url_variable} is not set")
        auth = api.credentials.headers(self.environ)
        self._secrets = [self.environ[v] for v in api.credentials.variables()]
        self._secrets += [value.split(" ", 1)[-1] for value in auth.values()]
        self._http = httpx.Client(
            base_url=base_url, headers={**api.headers, **auth}, timeout=timeout, follow_redirects=True
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.api.name}, {self._http.base_url})"

    def close(self) -> None:
        self._http.close()

    def setting(self, name: str, default: str | None = None) -> str:
        """A non-secret setting from the environment (e.g. TOKENYIELD_GITHUB_ORG)."""
        value = self.environ.get(name) or default
        if value is None:
            raise CredentialsError(f"{name} is not set")
        return value

    def secret(self) -> str:
        """The credential itself, for an API that takes it in the request body (`in_body`)."""
        return self.environ[self.api.credentials.variable].strip()

    def redact(self, text: str) -> str:
        """`text` with every secret this client knows replaced by ***."""
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def failure(self, message: str) -> FetchError:
        """A FetchError naming this API, with secrets redacted."""
        return FetchError(self.redact(f"{self.api.name}: {message}"))

    def request(
        self, method: str, url: str, *, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> httpx.Response:
        """One request (`url` relative to the base URL, or absolute on the same host), retried
        on connection errors, 5xx and rate limits; raises CredentialsError or FetchError."""
        self._check_origin(url)
        return self._send(self._http, method, url, params=params, json=json)

    def _send(
        self, http: httpx.Client, method: str, url: str, *, params: Any = None, json: Any = None
    ) -> httpx.Response:
        where = self.redact(f"{method} {url.split('?', 1)[0]}")  # query strings may hold signatures
        for attempt in range(1, self.max_attempts + 1):
            log.debug("%s (attempt %d)", where, attempt)
            try:
                response = http.request(method, url, params=params, json=json)
            except httpx.TransportError as error:
                problem, wait = type(error).__name__, self._backoff(attempt)
            else:
                if response.status_code < 400:
                    return response
                wait = self._retry_wait(response, attempt)
                if wait is None:
                    raise self._error(response, where)
                problem = str(response.status_code)
            if attempt == self.max_attempts:
                raise self.failure(f"{where} failed ({problem}) after {attempt} attempts")
            log.warning("%s: %s, retrying in %.1fs", where, problem, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        return decode(self.request("GET", url, params=params), self)

    def post_json(self, url: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        return decode(self.request("POST", url, params=params, json=json), self)

    def download(self, url: str) -> bytes:
        """The body at an absolute, pre-signed `url` (e.g. Copilot report download_links),
        fetched without this API's credentials and with the same retries."""
        absolute = str(self._http.base_url.join(url))  # a relative link is on the API's host
        with httpx.Client(timeout=self._http.timeout, follow_redirects=True) as plain:
            return self._send(plain, "GET", absolute).content

    def _check_origin(self, url: str) -> None:
        parts, base = urlsplit(url), self._http.base_url
        if parts.scheme and (parts.scheme, parts.netloc) != (base.scheme, base.netloc.decode()):
            raise self.failure(f"refusing to send credentials to {parts.netloc}")

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * 2 ** (attempt - 1), self.max_wait)

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying `response`, or None when it must not be retried."""
        status, headers = response.status_code, response.headers
        rate_limited = status == 429 or (status == 403 and headers.get("x-ratelimit-remaining") == "0")
        if not rate_limited and status < 500:
            return None
        if rate_limited and "retry-after" in headers:
            return min(_retry_after(headers["retry-after"]), self.max_wait)
        if rate_limited and "x-ratelimit-reset" in headers:  # GitHub: epoch seconds
            reset = float(headers["x-ratelimit-reset"]) - time.time()
            return min(max(reset, 0.0), self.max_wait)
        return self._backoff(attempt)

    def _error(self, response: httpx.Response, where: str) -> SourceError:
        status = response.status_code
        if status in (401, 403):
            variables = " and ".join(self.api.credentials.variables())
            detail = self.redact(_detail(response))
            reason = f"{status}: {detail}" if detail else str(status)
            return CredentialsError(f"{self.api.name} refused the credentials ({reason}): check {variables}")
        detail = _detail(response)
        return self.failure(f"{where} failed ({status}){': ' + detail if detail else ''}")


def _retry_after(value: str) -> float:
    """Retry-After is seconds or an HTTP date."""
    try:
        return max(float(value), 0.0)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200]
    error = body.get("error", body) if isinstance(body, dict) else body
    message = error.get("message", "") if isinstance(error, dict) else error
    return " ".join(str(message).split())[:200]


@dataclass(frozen=True)
class Fetcher:
    """A registered fetcher: the Api it talks to and `fetch(client, since, until)`.

    Calling it builds the Client (checking credentials first) and returns canonical tables.
    """

    api: Api
    fetch: Callable[..., dict[str, Any]]

    def __call__(
        self,
        since: date,
        until: date | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> dict[str, Any]:
        with Client(self.api, environ=environ, sleep=sleep) as client:
            return self.fetch(client, since, until)


__all__ = ["Api", "Client", "Credentials", "CredentialsError", "FetchError", "Fetcher", "day_start"]
