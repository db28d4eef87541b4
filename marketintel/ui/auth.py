"""Sign-in with Streamlit's own ``st.login`` (OpenID Connect), and who the user is.

Configured as Streamlit documents it, in an ``[auth]`` block of ``.streamlit/secrets.toml``.
Without one the dashboard has a single local user ("local"), a curator, and nothing to set up.
With one, every page asks for sign-in first; roles come from config.yaml ``team``
(:mod:`marketintel.access`), never from anything the browser sends.
"""

from __future__ import annotations

import streamlit as st

from ..access import LOCAL_USER, User, user_from_claims
from .state import current_text, plain


def auth_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` (or another secrets file Streamlit reads) has an ``[auth]`` block."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than answer
        return False


#: What ``st.login()`` (one provider, no name) needs from ``[auth]``.
REQUIRED_AUTH_SETTINGS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def _missing_auth_settings() -> list[str]:
    """The ``[auth]`` settings a sign-in would fail without (named, so the page says it, not a traceback)."""
    try:
        auth = st.secrets["auth"]
        return [k for k in REQUIRED_AUTH_SETTINGS if not auth.get(k)]
    except Exception:
        return list(REQUIRED_AUTH_SETTINGS)


def current_user() -> User | None:
    """The local user without sign-in; the signed-in user; or None when sign-in is required and not done."""
    if not auth_configured():
        return LOCAL_USER
    if not st.user.is_logged_in:
        return None
    return user_from_claims(st.user.to_dict())


def sign_in_gate() -> User:
    """The user for this run: asks for sign-in (and stops the page) until there is one; shows who it is."""
    user = current_user()
    _ = current_text()
    if user is None:
        missing = _missing_auth_settings()
        if missing:
            st.error(
                _(
                    "Sign-in is configured in .streamlit/secrets.toml ([auth]) but incomplete: {missing} "
                    "missing. Add them as Streamlit's st.login documentation describes, or remove [auth] to "
                    "run for one local user.",
                    missing=", ".join(missing),
                )
            )
            st.stop()
        st.title(_("Sign in"), anchor=False)
        st.write(_("This dashboard holds the team's data: sign in to see it."))
        st.button(_("Sign in"), type="primary", on_click=st.login, key="sign_in")
        st.stop()
    if not user.local:
        with st.sidebar:
            role = _("curator") if user.is_curator else _("viewer")
            st.caption(plain(_("Signed in as {who} ({role})", who=user.name or user.identity, role=role)))
            st.button(_("Sign out"), on_click=st.logout, key="sign_out")
    return user
