"""Who may change the data: viewers see everything, only curators upload, apply or roll back.

Pure and Streamlit-free: the UI turns the signed-in identity (``st.user``) into a :class:`User`,
and every function that writes to the data folder calls :func:`require_curator` itself, so a
forced widget or a crafted request is refused on the server, not only hidden in the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .settings import Settings
from .settings import settings as load_settings

LOCAL = "local"


class NotACurator(PermissionError):
    """A change to the data was asked for by someone who is not a curator."""


@dataclass(frozen=True)
class User:
    """Who is using the app: ``identity`` is what the history records (an e-mail, or "local")."""

    identity: str
    email: str | None = None
    name: str | None = None
    groups: tuple[str, ...] = ()
    #: True only when sign-in is not configured: the single local user, a curator by design.
    local: bool = False

    @property
    def is_curator(self) -> bool:
        return is_curator(self)


#: The one user of a dashboard without sign-in.
LOCAL_USER = User(LOCAL, local=True)


def user_from_claims(claims: Mapping[str, Any], settings: Settings | None = None) -> User:
    """A signed-in user from the ID token's claims (what ``st.user`` holds)."""
    team = (settings or load_settings()).team
    email = claims.get("email")
    raw_groups = claims.get(team.group_claim) or ()
    if isinstance(raw_groups, str):
        raw_groups = [raw_groups]
    groups = tuple(str(g) for g in raw_groups if isinstance(g, (str, int)))
    identity = str(email or claims.get("sub") or "unknown")
    name = claims.get("name")
    return User(identity, str(email) if email else None, str(name) if name else None, groups)


def is_curator(user: User | None, settings: Settings | None = None) -> bool:
    """The local user, or a signed-in user whose e-mail or group config.yaml lists under ``team``."""
    if user is None:
        return False
    if user.local:
        return True
    team = (settings or load_settings()).team
    emails = {e.strip().lower() for e in team.curator_emails}
    if user.email and user.email.strip().lower() in emails:
        return True
    return bool(set(user.groups) & set(team.curator_groups))


def require_curator(user: User | None, action: str = "change the data") -> User:
    """``user`` if a curator, else :class:`NotACurator` naming who and what."""
    if not is_curator(user):
        who = user.identity if user else "someone not signed in"
        raise NotACurator(f"{who} is not a curator, so may not {action}; ask a curator (config.yaml team)")
    return user  # type: ignore[return-value]
