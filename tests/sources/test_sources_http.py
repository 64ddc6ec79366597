"""http.Client against a real server on 127.0.0.1: pagination, retries, credentials, redaction."""

from __future__ import annotations

import logging

import pytest

from pipelines.sources.http import Api, Client, Credentials, CredentialsError, FetchError

SECRET = "sk-test-SECRET-4242"
API = Api(
    name="example",
    base_url=None,
    base_url_variable="TOKENYIELD_EXAMPLE_BASE_URL",
    credentials=Credentials("EXAMPLE_API_KEY"),
    headers={"example-version": "1"},
)


@pytest.fixture
def client(local_server, sleeps):
    environ = {"TOKENYIELD_EXAMPLE_BASE_URL": local_server.url, "EXAMPLE_API_KEY": SECRET}
    with Client(API, environ=environ, sleep=sleeps.append, backoff=0.5) as client:
        yield client


def test_sends_the_secret_and_fixed_headers(local_server, client):
    local_server.add("GET", "/v1/ping", json={"ok": True})

    assert client.get_json("/v1/ping") == {"ok": True}
    seen = local_server.requests[0]
    assert seen.headers["authorization"] == f"Bearer {SECRET}"
    assert seen.headers["example-version"] == "1"


@pytest.mark.parametrize(
    ("credentials", "environ", "header"),
    [
        (Credentials("K", header="x-api-key", scheme=""), {"K": "abc"}, "abc"),
        (Credentials("K", scheme="Basic"), {"K": "key_1"}, "Basic a2V5XzE6"),  # "key_1:"
        (
            Credentials("TOKEN", scheme="Basic", username_variable="EMAIL"),
            {"TOKEN": "t", "EMAIL": "a@x.io"},
            "Basic YUB4LmlvOnQ=",  # "a@x.io:t"
        ),
    ],
)
def test_credential_styles(credentials, environ, header):
    name = credentials.header
    assert credentials.headers(environ) == {name: header}


# -- pagination ---------------------------------------------------------------------------


def test_link_header_pagination(local_server, client):
    local_server.add("GET", "/items", json=[1, 2], headers={"Link": '<{base}/items?page=2>; rel="next"'})
    local_server.add(
        "GET",
        "/items",
        query={"page": "2"},
        json=[3],
        headers={"Link": '<{base}/items?page=1>; rel="first"'},
    )

    assert list(client.pages_link("/items", {"per_page": 2})) == [[1, 2], [3]]
    assert [r.query for r in local_server.requests] == [{"per_page": "2"}, {"page": "2"}]


def test_has_more_next_page_cursor(local_server, client):
    local_server.add("GET", "/report", json={"data": [1], "has_more": True, "next_page": "c2"})
    local_server.add(
        "GET", "/report", query={"page": "c2"}, json={"data": [2], "has_more": False, "next_page": None}
    )

    pages = list(client.pages_cursor("/report", {"starting_at": "2026-03-02"}))

    assert [p["data"] for p in pages] == [[1], [2]]
    assert local_server.requests[1].query == {"starting_at": "2026-03-02", "page": "c2"}


def test_has_more_last_id_cursor(local_server, client):
    local_server.add("GET", "/users", json={"data": ["a"], "has_more": True, "last_id": "u1"})
    local_server.add("GET", "/users", query={"after": "u1"}, json={"data": ["b"], "has_more": False})

    pages = list(client.pages_cursor("/users", cursor_field="last_id", cursor_param="after"))

    assert [p["data"] for p in pages] == [["a"], ["b"]]


def test_next_page_token_in_a_post_body(local_server, client):
    local_server.add("POST", "/search", json={"issues": [1], "next_page_token": "t2"})
    local_server.add("POST", "/search", json={"issues": [2]})

    pages = list(client.pages_token("/search", method="POST", body={"jql": "x"}, in_body=True))

    assert [p["issues"] for p in pages] == [[1], [2]]
    assert [r.json for r in local_server.requests] == [{"jql": "x"}, {"jql": "x", "page_token": "t2"}]


def test_page_per_page_until_a_short_page(local_server, client):
    local_server.add("GET", "/seats", query={"page": "1"}, json={"seats": [1, 2]})
    local_server.add("GET", "/seats", query={"page": "2"}, json={"seats": [3]})

    pages = list(client.pages_numbered("/seats", items=lambda p: p["seats"], size=2))

    assert [p["seats"] for p in pages] == [[1, 2], [3]]
    assert local_server.requests[1].query == {"page": "2", "per_page": "2"}


def test_page_numbers_with_has_next(local_server, client):
    local_server.add("POST", "/events", json={"events": [1], "pagination": {"hasNextPage": True}})
    local_server.add("POST", "/events", json={"events": [2], "pagination": {"hasNextPage": False}})

    pages = client.pages_numbered(
        "/events",
        items=lambda p: p["events"],
        has_next=lambda p: p["pagination"]["hasNextPage"],
        size_param="pageSize",
        size=1,
        method="POST",
        in_body=True,
    )

    assert [p["events"] for p in pages] == [[1], [2]]
    assert local_server.requests[1].json == {"page": 2, "pageSize": 1}


def test_a_repeated_cursor_stops_with_an_error(local_server, client):
    local_server.add("GET", "/loop", json={"data": [], "has_more": True, "next_page": "same"})

    with pytest.raises(FetchError, match="same next page twice"):
        list(client.pages_cursor("/loop"))


# -- retries ------------------------------------------------------------------------------


def test_429_honours_retry_after(local_server, client, sleeps):
    local_server.add("GET", "/busy", status=429, headers={"Retry-After": "7"})
    local_server.add("GET", "/busy", json={"ok": 1})

    assert client.get_json("/busy") == {"ok": 1}
    assert sleeps == [7.0]


def test_5xx_retries_with_exponential_backoff(local_server, client, sleeps):
    for status in (500, 502, 503):
        local_server.add("GET", "/flaky", status=status)
    local_server.add("GET", "/flaky", json={"ok": 1})

    assert client.get_json("/flaky") == {"ok": 1}
    assert sleeps == [0.5, 1.0, 2.0]


def test_5xx_gives_up_after_the_last_attempt(local_server, client, sleeps):
    local_server.add("GET", "/down", status=503)

    with pytest.raises(FetchError, match=r"GET /down failed \(503\) after 5 attempts"):
        client.get_json("/down")
    assert len(local_server.requests) == 5
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


def test_a_real_short_sleep_between_attempts(local_server):
    local_server.add("GET", "/flaky", status=500)
    local_server.add("GET", "/flaky", json={"ok": 1})
    environ = {"TOKENYIELD_EXAMPLE_BASE_URL": local_server.url, "EXAMPLE_API_KEY": SECRET}

    with Client(API, environ=environ, backoff=0.01) as client:
        assert client.get_json("/flaky") == {"ok": 1}


def test_4xx_is_not_retried_and_names_the_request(local_server, client, sleeps):
    local_server.add("GET", "/bad", status=400, json={"error": {"message": "bad date"}})

    with pytest.raises(FetchError, match=r"^example: GET /bad failed \(400\): bad date$"):
        client.get_json("/bad")
    assert sleeps == []


# -- credentials and secrets ----------------------------------------------------------------


def test_a_missing_variable_is_named():
    with pytest.raises(CredentialsError, match=r"^EXAMPLE_API_KEY is not set$"):
        Client(API, environ={"TOKENYIELD_EXAMPLE_BASE_URL": "http://127.0.0.1:9"})


def test_a_missing_base_url_is_named():
    with pytest.raises(CredentialsError, match=r"^TOKENYIELD_EXAMPLE_BASE_URL is not set$"):
        Client(API, environ={"EXAMPLE_API_KEY": SECRET})


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_name_the_variable(local_server, client, status):
    local_server.add("GET", "/me", status=status, json={"error": {"message": f"bad key {SECRET}"}})

    with pytest.raises(CredentialsError) as error:
        client.get_json("/me")
    assert str(error.value) == (
        f"example refused the credentials ({status}: bad key ***): check EXAMPLE_API_KEY"
    )


def test_secrets_never_reach_logs_or_errors(local_server, client, caplog):
    caplog.set_level(logging.DEBUG)
    local_server.add("GET", "/flaky", status=503)
    local_server.add("GET", "/flaky", status=401, body=f"denied for {SECRET}")

    with pytest.raises(CredentialsError) as error:
        client.get_json("/flaky", params={"q": 1})

    assert SECRET not in str(error.value)
    assert SECRET not in repr(client)
    assert "GET /flaky" in caplog.text
    assert SECRET not in caplog.text


def test_credentials_are_not_sent_to_another_host(client):
    with pytest.raises(FetchError, match=r"refusing to send credentials to example\.com"):
        client.get_json("https://example.com/steal")


def test_download_sends_no_credentials(local_server, client):
    local_server.add("GET", "/signed/report.ndjson", body='{"a": 1}\n')

    assert client.download(f"{local_server.url}/signed/report.ndjson") == b'{"a": 1}\n'
    assert "authorization" not in local_server.requests[0].headers
