"""Who is looking: the signed-in user (OIDC via st.login), or the explicit local demo viewer.

- When `.streamlit/secrets.toml` configures an identity provider ([auth]), a visitor signs in with
  st.login and the viewer is the signed-in email, accepted only when the provider says it is
  verified (`email_verified`), or when TOKENYIELD_OIDC_EMAIL_VERIFIED=not-sent says the provider
  sends no such claim.
- When nothing is configured, the app serves one local viewer only if TOKENYIELD_LOCAL_VIEWER
  names them (`make run` sets `demo-leader`, the demo's first leader); otherwise it refuses to
  show data.
- A sign-in configuration that is there but broken (a secrets.toml that does not parse, an [auth]
  section without its keys) refuses, with one line saying what is wrong: it never falls back to
  the local viewer. See docs/privacy.md for deploying behind OIDC.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import streamlit as st

from dashboard.text import markdown
from pipelines.settings import settings

REQUIRED = ("redirect_uri", "cookie_secret")
PROVIDER = ("client_id", "client_secret", "server_metadata_url")


class BrokenSignIn(RuntimeError):
    """The sign-in configuration exists but cannot be used; the message says what is wrong."""


def _auth_section() -> Mapping[str, Any] | None:
    """The [auth] section of the secrets, None when there are no secrets or no [auth]."""
    try:
        if "auth" not in st.secrets:
            return None
        section = st.secrets["auth"]
    except FileNotFoundError as error:  # Streamlit's StreamlitSecretNotFoundError
        if error.__cause__ is None:  # no secrets file at all: sign-in is simply not configured
            return None
        raise BrokenSignIn(f"{error}".splitlines()[0]) from None
    except Exception as error:  # a secrets file Streamlit cannot read in some other way
        raise BrokenSignIn(f"the secrets cannot be read: {str(error).splitlines()[0]}") from None
    if not isinstance(section, Mapping):
        raise BrokenSignIn("[auth] in .streamlit/secrets.toml must be a table")
    return section


def check_configuration() -> Mapping[str, Any] | None:
    """The usable [auth] section, or None; BrokenSignIn when it is there but incomplete."""
    section = _auth_section()
    if section is None:
        return None
    missing = [key for key in REQUIRED if not section.get(key)]
    providers = [section, *(v for v in section.values() if isinstance(v, Mapping))]
    if not any(all(p.get(key) for key in PROVIDER) for p in providers):
        missing.append(" and ".join(PROVIDER) + " (at the top of [auth] or in a provider's table)")
    if missing:
        raise BrokenSignIn(f"[auth] in .streamlit/secrets.toml lacks {', '.join(missing)}")
    return section


def verified_email(user: Mapping[str, Any], claim_required: bool) -> str:
    """The signed-in email if it may be trusted; BrokenSignIn says why not."""
    email = str(user.get("email") or "").strip()
    if not email:
        raise BrokenSignIn("the identity provider sent no email: request the email scope")
    verified = user.get("email_verified")
    if verified is True or str(verified).lower() == "true":
        return email
    if verified is None and not claim_required:
        return email  # the deployment says its provider sends no email_verified claim
    raise BrokenSignIn(
        f"the identity provider has not verified {email} (email_verified is {verified!r}); if the "
        "provider never sends that claim, set TOKENYIELD_OIDC_EMAIL_VERIFIED=not-sent"
    )


def signed_in_email() -> str:
    """The viewer's email; draws the sign-in or the refusal and stops the page when there is none."""
    config = settings()
    try:
        oidc = check_configuration()
        user = st.user
        if user.get("is_logged_in"):
            return verified_email(user, config.oidc_email_verified == "required")
    except BrokenSignIn as error:
        _refuse(f"Sign-in is not possible: {markdown(error)}. No data is shown (docs/privacy.md).")
    if oidc is not None:
        st.title("tokenyield")
        st.markdown("Sign in to see the figures your role allows.")
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
        st.stop()
    if config.local_viewer:
        return config.local_viewer
    _refuse(
        "No sign-in is configured, and no local viewer is set, so no data is shown. "
        "Configure an identity provider in .streamlit/secrets.toml (docs/privacy.md), or for a "
        "local demo set TOKENYIELD_LOCAL_VIEWER to an email (`make run` sets demo-leader)."
    )


def _refuse(message: str) -> NoReturn:
    st.title("tokenyield")
    st.error(message, icon=":material/lock:")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def sign_out_button() -> None:
    try:
        configured = check_configuration() is not None
    except BrokenSignIn:
        configured = False
    if st.user.get("is_logged_in") and configured:
        st.sidebar.button("Sign out", on_click=st.logout, icon=":material/logout:")
