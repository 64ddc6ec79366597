"""Pagination helpers for `http.Client`, one per style the sources use.

Each helper yields the decoded JSON body of every page and stops on its own; a server that sends
the same cursor twice, or endless pages, raises instead of looping forever.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

_MAX_PAGES = 100_000


class Paging:
    """Mixed into http.Client, which provides `request` and `failure` (declared here for typing)."""

    request: Callable[..., httpx.Response]
    failure: Callable[[str], Exception]

    def pages_link(self, url: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Follow RFC 5988 `Link: <...>; rel="next"` headers (GitHub, GitLab)."""
        seen: set[str] = set()
        while url:
            response = self.request("GET", url, params=params)
            yield decode(response, self)
            url, params = response.links.get("next", {}).get("url", ""), None
            _guard(url, seen, self)

    def pages_cursor(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        cursor_param: str = "page",
        cursor_field: str = "next_page",
        has_more_field: str | None = "has_more",
        method: str = "GET",
        body: Mapping[str, Any] | None = None,
        in_body: bool = False,
    ) -> Iterator[Any]:
        """Follow `has_more` + a cursor field: Anthropic/OpenAI `next_page` -> `?page=`, or
        OpenAI's list `last_id` -> `?after=` (pass cursor_field="last_id", cursor_param="after").
        Stops when has_more is false (if given) or the cursor is empty."""
        cursor, seen = None, set()
        while True:
            page = self._page(method, url, params, body, in_body, {cursor_param: cursor} if cursor else {})
            yield page
            cursor = page.get(cursor_field) if isinstance(page, dict) else None
            if not cursor or (has_more_field is not None and not page.get(has_more_field)):
                return
            _guard(str(cursor), seen, self)

    def pages_token(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        token_field: str = "next_page_token",
        token_param: str = "page_token",
        method: str = "GET",
        body: Mapping[str, Any] | None = None,
        in_body: bool = False,
    ) -> Iterator[Any]:
        """Follow a `next_page_token` (or e.g. Jira's `nextPageToken`) until it is empty."""
        return self.pages_cursor(
            url, params, cursor_param=token_param, cursor_field=token_field, has_more_field=None,
            method=method, body=body, in_body=in_body,
        )  # fmt: skip

    def pages_numbered(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        items: Callable[[Any], list[Any]] = lambda page: page,
        has_next: Callable[[Any], bool] | None = None,
        page_param: str = "page",
        size_param: str = "per_page",
        size: int = 100,
        start: int = 1,
        method: str = "GET",
        body: Mapping[str, Any] | None = None,
        in_body: bool = False,
    ) -> Iterator[Any]:
        """Ask for page start, start+1, ... of `size` items. Stops when `has_next(page)` is
        false, or (without has_next) when `items(page)` holds fewer than `size` items."""
        for number in range(start, start + _MAX_PAGES):
            page = self._page(method, url, params, body, in_body, {page_param: number, size_param: size})
            yield page
            more = has_next(page) if has_next else len(items(page)) >= size
            if not more or not items(page):
                return
        raise self.failure(f"more than {_MAX_PAGES} pages at {url}")

    def _page(self, method, url, params, body, in_body, extra) -> Any:
        if in_body:
            return decode(self.request(method, url, params=params, json={**(body or {}), **extra}), self)
        query = {**(params or {}), **extra}
        return decode(self.request(method, url, params=query, json=body), self)


def decode(response: httpx.Response, client: Paging) -> Any:
    try:
        return response.json()
    except ValueError:
        raise client.failure(f"{response.url} did not answer JSON") from None


def _guard(cursor: str, seen: set[str], client: Paging) -> None:
    if cursor and cursor in seen:
        raise client.failure("the server sent the same next page twice")
    seen.add(cursor)
