"""Curating on Data & sources: the history of the data with rollback, and uploads with their difference.

Everything that writes goes through ``upload.install_market`` and ``history.rollback``, which
check the user's role themselves: what this module hides from viewers, the server also refuses.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from .. import history
from ..access import NotACurator, User
from ..settings import data_dir
from ..upload import StagedUpload, StaleUpload, install_market, stage_upload
from .auth import current_user
from .data import forget_fingerprint
from .state import current_text, plain

ROUND_KEY = "_upload_round"  # bumped after an upload is applied or cancelled: a fresh, empty uploader
STAGED_KEY = "_staged_upload"  # (what was uploaded, its check), so a rerun does not check it again
DONE_KEY = "_curation_done"  # the outcome of the last change, shown once after the rerun that follows it


def _history_root():
    return history.history_for(data_dir())


def _done(message: str) -> None:
    st.session_state[DONE_KEY] = message
    forget_fingerprint()
    st.rerun()


def _show_done() -> None:
    message = st.session_state.pop(DONE_KEY, None)
    if message:
        st.success(plain(message))


def history_section() -> None:
    """Every version of the data (who, when, what changed), newest first; curators can roll back to any."""
    _ = current_text()
    user = current_user()
    st.subheader(_("History of the data"), anchor=False)
    _show_done()
    try:
        kept = history.versions(_history_root())
    except (OSError, ValueError) as exc:
        st.error(_("The history could not be read: {error}", error=plain(exc)))
        return
    if not kept:
        st.caption(_("No version recorded yet: the first is kept when the data is first loaded."))
        return
    st.caption(
        _(
            "Every change is a version: made here (who is named), or on disk (author unknown). "
            "Nothing is overwritten without the version before it kept."
        )
    )
    table = pd.DataFrame(
        [
            {
                "version": v.number,
                "when": v.when,
                "author": v.author,
                "action": v.action,
                "summary": v.summary,
                "files": len(v.files.get("added", []))
                + len(v.files.get("removed", []))
                + len(v.files.get("changed", [])),
            }
            for v in reversed(kept)
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "version": st.column_config.NumberColumn(_("Version"), format="%d"),
            "when": _("When (UTC)"),
            "author": _("Who"),
            "action": _("What"),
            "summary": st.column_config.TextColumn(_("What changed"), width="large"),
            "files": st.column_config.NumberColumn(_("Files"), format="%d"),
        },
    )
    if user is None or not user.is_curator:
        return
    numbers = [v.number for v in reversed(kept)]
    c1, c2 = st.columns([1, 2])
    chosen = c1.selectbox(
        _("Version to restore"),
        numbers,
        index=min(1, len(numbers) - 1),
        format_func=lambda n: _("Version {n}", n=n),
        key="rollback_version",
    )
    c2.write("")
    if c2.button(_("Roll back to version {n}", n=chosen), key="rollback", disabled=chosen == numbers[0]):
        _rollback(int(chosen), user)


def _rollback(number: int, user: User) -> None:
    _ = current_text()
    try:
        done = history.rollback(data_dir(), _history_root(), number, user)
    except NotACurator as exc:
        st.error(_("Refused: {error}", error=plain(exc)))
        return
    except (KeyError, OSError) as exc:
        st.error(_("Could not roll back: {error}", error=plain(exc)))
        return
    _done(_("Rolled back to version {n}; recorded as version {m}.", n=number, m=done.number))


def _uploads_digest(files) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + hashlib.sha256(f.getvalue()).digest())
    return h.hexdigest()


def _staged(files) -> StagedUpload:
    """The check of these uploaded files, done once per upload (a rerun reuses it)."""
    digest = _uploads_digest(files)
    kept = st.session_state.get(STAGED_KEY)
    if kept and kept[0] == digest:
        return kept[1]
    staged = stage_upload([(f.name, f.getvalue()) for f in files], data_dir())
    st.session_state[STAGED_KEY] = (digest, staged)
    return staged


def _reset_uploader() -> None:
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.session_state.pop(STAGED_KEY, None)


def upload_section() -> None:
    """The upload for curators: a new market or a new edition, checked in full, its difference shown first."""
    _ = current_text()
    user = current_user()
    st.subheader(_("Add a market, or a new edition of one"), anchor=False)
    if user is None or not user.is_curator:
        st.info(
            plain(
                _(
                    "Only the team's curators can upload or change data; you are signed in as {who}, a viewer.",
                    who=user.identity if user else "?",
                )
            )
        )
        return
    st.caption(
        _(
            "Upload market.yaml and figures.csv (shares.csv, crosstab.csv and insights.yaml are optional), "
            "or one zip holding them. The files are checked in full, with the rest of the data, before "
            "anything is saved. With the id of an existing market they are a new edition of it: you see "
            "what changes before applying it, and the files you do not upload stay as they are."
        )
    )
    uploaded = st.file_uploader(
        _("Market files or a zip"),
        type=["yaml", "yml", "csv", "zip"],
        accept_multiple_files=True,
        key=f"market_upload_{st.session_state.get(ROUND_KEY, 0)}",
    )
    if not uploaded:
        return
    staged = _staged(uploaded)
    table = pd.DataFrame(
        [p.__dict__ for p in staged.problems], columns=["severity", "file", "location", "message", "market_id"]
    )
    if not staged.ok:
        st.error(
            _(
                "Not saved: the upload has {n} problem(s). Nothing in the data folder was changed.",
                n=int((table["severity"] == "error").sum()),
            )
        )
    elif staged.replaces and not staged.changes:
        st.info(plain(_("This is market '{market}' exactly as it is: nothing to apply.", market=staged.market_id)))
    elif staged.replaces:
        st.success(plain(_("A new edition of market '{market}' passed validation.", market=staged.market_id)))
        _show_changes(staged)
    else:
        st.success(plain(_("Market '{market}' passed validation.", market=staged.market_id)))
    if len(table):
        st.dataframe(
            table.drop(columns="market_id"),
            hide_index=True,
            width="stretch",
            column_config={
                "severity": _("Severity"),
                "file": _("File"),
                "location": _("Where"),
                "message": st.column_config.TextColumn(_("Problem"), width="large"),
            },
        )
    if not staged.ok or (staged.replaces and not staged.changes):
        return
    c1, c2 = st.columns(2)
    label = (
        _("Apply the new edition of '{market}'", market=staged.market_id)
        if staged.replaces
        else _("Add '{market}' to the dashboard", market=staged.market_id)
    )
    if c1.button(plain(label), type="primary", key="install_market"):
        _apply(staged, user)
    if c2.button(_("Cancel"), key="cancel_upload"):
        _reset_uploader()
        _done(_("Cancelled: nothing was saved."))


def _show_changes(staged: StagedUpload) -> None:
    _ = current_text()
    st.markdown(_("**What would change** ({n})", n=len(staged.changes)))
    kinds = {"added": _("added"), "removed": _("removed"), "changed": _("changed")}
    st.dataframe(
        pd.DataFrame(
            [
                {"what": c.what, "key": c.key, "kind": kinds[c.kind], "before": c.before, "after": c.after}
                for c in staged.changes
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "what": _("What"),
            "key": _("Which"),
            "kind": _("Change"),
            "before": _("Before"),
            "after": _("After"),
        },
    )


def _apply(staged: StagedUpload, user: User) -> None:
    _ = current_text()
    try:
        install_market(staged, data_dir(), user)
    except NotACurator as exc:
        st.error(_("Refused: {error}", error=plain(exc)))
        return
    except StaleUpload:
        _reset_uploader()
        st.error(_("The data changed since this upload was checked; upload it again to check it anew."))
        return
    except (FileExistsError, OSError, ValueError) as exc:
        st.error(_("Could not save the market: {error}", error=plain(exc)))
        return
    _reset_uploader()
    if staged.replaces:
        _done(_("Applied. The new edition of '{market}' is on every page.", market=staged.market_id))
    _done(_("Saved. '{market}' is now in every page's market list.", market=staged.market_id))
