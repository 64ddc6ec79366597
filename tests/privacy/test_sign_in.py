"""Sign-in fails closed: a secrets file that does not parse, or an [auth] section without its keys,
refuses with one line even when the local demo viewer is set; a signed-in email counts only when
the provider verified it, unless the deployment says its provider sends no such claim."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from dashboard.text import markdown

APP = str(Path(__file__).resolve().parents[2] / "app.py")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x",
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


@pytest.fixture
def environment(demo_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TOKENYIELD_DB", str(demo_warehouse))
    monkeypatch.setenv("TOKENYIELD_AUDIT_DB", str(tmp_path / "audit.duckdb"))
    monkeypatch.delenv("TOKENYIELD_LOCAL_VIEWER", raising=False)
    monkeypatch.delenv("TOKENYIELD_OIDC_EMAIL_VERIFIED", raising=False)
    return demo_warehouse


@pytest.fixture
def secrets_file(tmp_path: Path) -> Iterator[Path]:
    """Streamlit's secrets read from one file of the test's own (the global st.secrets is reset)."""
    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir()
    before = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(path)])
    st.secrets._secrets = None
    yield path
    config.set_option("secrets.files", before)
    st.secrets._secrets = None


def refusal(at: AppTest) -> str:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.get("plotly_chart") and not at.dataframe and not at.metric  # no data
    assert len(at.error) == 1
    return str(at.error[0].value)


def test_a_secrets_file_that_does_not_parse_refuses_even_with_a_local_viewer(
    environment, secrets_file, monkeypatch
):
    secrets_file.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback\n')  # unclosed
    monkeypatch.setenv("TOKENYIELD_LOCAL_VIEWER", "demo-leader")
    at = AppTest.from_file(APP, default_timeout=60).run()
    message = refusal(at)
    assert message.startswith(
        "Sign-in is not possible: " + markdown(f"Error parsing secrets file at {secrets_file}")
    )
    assert "no local viewer" not in message and not at.caption  # no "Signed in as" in the sidebar


def test_an_auth_section_without_its_keys_refuses(environment, monkeypatch):
    monkeypatch.setenv("TOKENYIELD_LOCAL_VIEWER", "demo-leader")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": AUTH["redirect_uri"], "client_id": "id"}
    at.run()
    message = refusal(at)
    assert markdown("lacks cookie_secret, client_id and client_secret and server_metadata_url") in message


def test_a_complete_auth_section_asks_to_sign_in(environment):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {k: v for k, v in AUTH.items() if k not in ("client_id", "client_secret")}
    at.secrets["auth"]["google"] = {"client_id": "id", "client_secret": "s", "server_metadata_url": "u"}
    at.run()
    assert not at.exception and [b.label for b in at.button] == ["Sign in"] and not at.error


@pytest.mark.parametrize(
    ("claim", "setting", "accepted"),
    [
        ({"email_verified": True}, None, True),
        ({"email_verified": "true"}, None, True),
        ({"email_verified": False}, None, False),
        ({}, None, False),
        ({}, "not-sent", True),
        ({"email_verified": False}, "not-sent", False),
    ],
)
def test_a_signed_in_email_counts_only_when_verified(environment, monkeypatch, claim, setting, accepted):
    if setting:
        monkeypatch.setenv("TOKENYIELD_OIDC_EMAIL_VERIFIED", setting)
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": True, "email": "demo-leader", **claim}
    at.run()
    if accepted:
        assert not at.exception and not at.error and at.title[0].value == "Overview"
    else:
        assert markdown("has not verified demo-leader") in refusal(at)


def test_an_unknown_setting_value_is_named(environment, monkeypatch):
    monkeypatch.setenv("TOKENYIELD_OIDC_EMAIL_VERIFIED", "sometimes")
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": True, "email": "demo-leader", "email_verified": True}
    at.run()
    assert markdown(
        "TOKENYIELD_OIDC_EMAIL_VERIFIED='sometimes' must be one of required, not-sent"
    ) in refusal(at)
