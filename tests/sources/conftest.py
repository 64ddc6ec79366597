"""Shared fixtures for the source tests: the sample payloads (tests/fixtures/samples), and a real HTTP server on 127.0.0.1.

`local_server` serves recorded pages from a stdlib http.server in a thread on an ephemeral port:

    local_server.add("GET", "/v1/users", json={...})                  # 200 with a JSON body
    local_server.add("GET", "/v1/users", query={"page": "2"}, json=..) # only when ?page=2
    local_server.add("GET", "/x", status=429, headers={"Retry-After": "2"})
    local_server.add("GET", "/x", json=...)                           # queued after the 429
    local_server.url          # http://127.0.0.1:PORT ; "{base}" in headers/bodies becomes it
    local_server.requests     # every request seen: .method .path .query .raw_query .headers .json

Responses added for the same route are served in order; the last one repeats. The route with the
most matching query values wins; a request that matches no route gets a 404. `sleeps` is a list-backed sleep function for `Client(sleep=...)`.
"""

from __future__ import annotations

import json as jsonlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

SAMPLES = (
    Path(__file__).parents[1] / "fixtures" / "samples"
)  # public sample payloads, a PROVENANCE.md per folder
FIXTURES = Path(__file__).parents[1] / "fixtures"


@dataclass
class SeenRequest:
    method: str
    path: str
    query: dict[str, str]  # the last value of each parameter
    raw_query: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return jsonlib.loads(self.body) if self.body else None


@dataclass
class _Route:
    method: str
    path: str
    query: dict[str, str] | None
    responses: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)


class LocalServer:
    """A recorded-pages HTTP server; see the module docstring."""

    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def add(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        body: bytes | str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
    ) -> None:
        """Queue a response for `method path` (and, when given, exactly these query values)."""
        if json is not None:
            payload = jsonlib.dumps(json).replace("{base}", self.url).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        else:
            payload = body.encode() if isinstance(body, str) else (body or b"")
        headers = {k: v.replace("{base}", self.url) for k, v in (headers or {}).items()}
        route = next((r for r in self.routes if (r.method, r.path, r.query) == (method, path, query)), None)
        if route is None:
            route = _Route(method, path, query)
            self.routes.append(route)
        route.responses.append((status, headers, payload))

    def respond(self, request: SeenRequest) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append(request)
            for route in sorted(self.routes, key=lambda r: -len(r.query or {})):  # most specific first
                if (route.method, route.path) != (request.method, request.path):
                    continue
                if route.query is not None and any(request.query.get(k) != v for k, v in route.query.items()):
                    continue
                return route.responses.pop(0) if len(route.responses) > 1 else route.responses[0]
        return 404, {"Content-Type": "application/json"}, b'{"error": {"message": "no such route"}}'

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = SeenRequest(
                method=self.command,
                path=parts.path,
                query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                raw_query=parts.query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            status, headers, payload = server.respond(request)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, *_: object) -> None:  # keep test output quiet
            pass

    return Handler


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sleeps() -> list[float]:
    """Call `sleeps.append` as the client's sleep: records each wait instead of waiting."""
    return []


@pytest.fixture
def samples() -> Path:
    return SAMPLES


def serve_github_details(
    server: LocalServer,
    repo: str,
    pulls: list[dict[str, Any]],
    commits: dict[int, list[dict[str, Any]]] | None = None,
    reviews: dict[int, list[dict[str, Any]]] | None = None,
) -> None:
    """The commits and reviews the GitHub fetcher asks for, for each merged PR of `pulls`:
    those given, else none."""
    for pull in pulls:
        if pull.get("merged_at"):
            number = pull["number"]
            base = f"/repos/{repo}/pulls/{number}"
            server.add("GET", f"{base}/commits", json=(commits or {}).get(number, []))
            server.add("GET", f"{base}/reviews", json=(reviews or {}).get(number, []))
