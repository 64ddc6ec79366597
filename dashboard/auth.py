"""Who is looking: the signed-in user (OIDC via st.login), or the explicit local demo viewer.

- When `.streamlit/secrets.toml` configures an identity provider ([auth]), a visitor signs in with
  st.login and the viewer is the signed-in email.
- When nothing is configured, the app serves one local viewer only if TOKENYIELD_LOCAL_VIEWER
  names them (`make run` sets `demo-leader`, the demo's first leader); otherwise it refuses to
  show data. See docs/privacy.md for deploying behind OIDC.
"""

from __future__ import annotations

import streamlit as st

from pipelines.settings import settings


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, AttributeError):
        return False
    except Exception:  # a secrets.toml that does not parse: treated as not configured, said below
        return False


def signed_in_email() -> str:
    """The viewer's email; draws the sign-in or the refusal and stops the page when there is none."""
    user = st.user
    if user.get("is_logged_in") and user.get("email"):
        return str(user["email"])
    if _oidc_configured():
        st.title("tokenyield")
        st.markdown("Sign in to see the figures your role allows.")
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
        st.stop()
    local = settings().local_viewer
    if local:
        return local
    st.title("tokenyield")
    st.error(
        "No sign-in is configured, and no local viewer is set, so no data is shown. "
        "Configure an identity provider in .streamlit/secrets.toml (docs/privacy.md), or for a "
        "local demo set TOKENYIELD_LOCAL_VIEWER to an email (`make run` sets demo-leader).",
        icon=":material/lock:",
    )
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def sign_out_button() -> None:
    if st.user.get("is_logged_in") and _oidc_configured():
        st.sidebar.button("Sign out", on_click=st.logout, icon=":material/logout:")
