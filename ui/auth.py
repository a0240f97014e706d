"""Who is using the dashboard: local sign-in in the sidebar, OIDC through ``st.login``, anonymous access, sessions.

:func:`actor` answers for the current run, in this order:

1. a local account signed in through the sidebar's form in this browser tab's session (its role re-read from the
   store every run, so a changed role or a removed account applies at once); the sign-in ends after
   ``CONFLICTMAP_SESSION_MINUTES`` without a run or ``CONFLICTMAP_SESSION_HOURS_MAX`` after signing in, and says so;
2. someone signed in with the organisation's provider (Streamlit's ``st.login``, :mod:`ui.oidc`), with the role of
   the users row of their e-mail address, else ``CONFLICTMAP_OIDC_ROLE``;
3. :data:`geo.auth.ANONYMOUS` (a viewer) when ``CONFLICTMAP_ANONYMOUS`` is ``viewer`` (the default);
4. else ``None``: :func:`gate` then shows only the sign-in form and stops the run before any data is read.

A local sign-in lives in ``st.session_state``, i.e. in the browser tab's connection: reloading the page asks
again. (A script cannot set an HttpOnly cookie in Streamlit; the OIDC sign-in uses Streamlit's own HttpOnly
cookie and lasts across reloads.) The password typed is checked and dropped: it is not kept in the session state,
shown again, or logged; a failed sign-in says only "name or password is wrong", after the throttle's wait
(:class:`geo.auth.passwords.Throttle`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Final

import streamlit as st

from geo import settings
from geo.auth import ANONYMOUS, Actor, accounts
from geo.i18n import t

__all__ = ["SESSION_KEY", "actor", "clock", "gate", "session_record", "sidebar", "sign_in_form", "sign_out"]

_log = logging.getLogger(__name__)

SESSION_KEY: Final = "_auth_local"
"""Session-state key of the local sign-in (:func:`session_record`). A test signs an AppTest session in with
``at.session_state[SESSION_KEY] = session_record("ed")`` (the account must exist in the store)."""
_NOTICE: Final = "_auth_notice"
"""Session-state key of a message for the next run's sidebar (session expired, account removed)."""

clock: Callable[[], float] = time.time
"""Seconds now; tests replace it (``monkeypatch.setattr(ui.auth, "clock", …)``) to age a session."""


def _store() -> Any:
    """The dashboard's store (opened once per process by :mod:`ui.data`)."""
    from ui import data

    return data.store()


def _oidc() -> Any | None:
    """:mod:`ui.oidc`, or None when it is not there."""
    try:
        from ui import oidc
    except ImportError:  # pragma: no cover - the module ships with the dashboard
        return None
    return oidc


def _role_label(role: str | None) -> str:
    """The role's name in the interface's language."""
    labels = {"viewer": t("viewer"), "editor": t("editor"), "admin": t("admin")}
    return labels.get(role or "", t("no role"))


def session_record(name: str, now: float | None = None) -> dict[str, Any]:
    """What the session keeps of a local sign-in: the account's name, when it signed in and when it was last seen.

    Parameters
    ----------
    name : str
        The account name (as stored).
    now : float, optional
        Seconds since the epoch (default :data:`clock`'s now).

    Returns
    -------
    dict
        ``{"name", "at", "seen"}``.
    """
    now = clock() if now is None else now
    return {"name": name, "at": now, "seen": now}


def _local() -> Actor | None:
    """The local account signed in in this session, still valid; None (and a notice) when it expired or is gone."""
    session = st.session_state.get(SESSION_KEY)
    if not isinstance(session, dict):
        return None
    now, cfg = clock(), settings.get()
    idle = now - float(session.get("seen", 0))
    age = now - float(session.get("at", 0))
    if idle > cfg.session_minutes * 60 or age > cfg.session_hours_max * 3600:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[_NOTICE] = t("Your session expired; sign in again.")
        return None
    who = accounts.local_actor(_store(), str(session.get("name", "")))
    if who is None:  # removed (or its role taken) since signing in
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[_NOTICE] = t("You were signed out: the account no longer exists.")
        return None
    session["seen"] = now
    return who


def actor() -> Actor | None:
    """Who the current run acts for.

    Returns
    -------
    Actor or None
        The signed-in local account (``via="local"``), else the OIDC sign-in (``via="oidc"``), else
        :data:`geo.auth.ANONYMOUS` when anonymous access is ``viewer``, else ``None`` (nobody; nothing may be read).
    """
    local = _local()
    if local is not None:
        return local
    oidc = _oidc()
    email = oidc.current_email() if oidc is not None else None
    if email:
        return accounts.oidc_actor(_store(), email)
    return ANONYMOUS if settings.get().anonymous == "viewer" else None


def sign_out() -> None:
    """End this session's local sign-in (an OIDC sign-in ends with ``st.logout``, :func:`ui.oidc.logout_button`)."""
    st.session_state.pop(SESSION_KEY, None)


def _client() -> str:
    """The client's address for the throttle ("" on the server's own machine)."""
    try:
        return str(st.context.ip_address or "")
    except (AttributeError, RuntimeError):
        return ""


def sign_in_form(*, key: str = "auth_sign_in") -> None:
    """The local sign-in form (name, password, Sign in) and, when configured, a button per OIDC provider.

    A successful sign-in reruns the page as that account; a failed one says "name or password is wrong" (the same
    for an unknown name), after the throttle's wait. The form is cleared on submit: the password is not shown
    again and not kept.

    Parameters
    ----------
    key : str
        The form's key (two forms on one page need two).
    """
    with st.form(key, clear_on_submit=True, border=False):
        name = st.text_input(t("Name"), autocomplete="username", max_chars=accounts.MAX_NAME)
        password = st.text_input(t("Password"), type="password", autocomplete="current-password", max_chars=1024)
        submitted = st.form_submit_button(t("Sign in"), width="stretch")
    if submitted:
        who = accounts.authenticate(_store(), name, password, client=_client())
        del password  # not kept a moment longer than the check
        if who is None:
            _log.info("failed local sign-in (name withheld)")
            st.error(t("Name or password is wrong."))
        else:
            st.session_state[SESSION_KEY] = session_record(who.name)
            st.session_state.pop(_NOTICE, None)
            st.rerun()
    oidc = _oidc()
    if oidc is not None and oidc.configured():
        oidc.login_button(key=f"{key}_oidc")


def sidebar() -> None:
    """The top of the sidebar: who you are and your role with *Sign out*, or the sign-in form (collapsed for visitors).

    Draws nothing when nobody may read without signing in: :func:`gate` shows the form on the page then.
    """
    who = actor()  # first: it may end an expired session, and leave a notice
    notice = st.session_state.pop(_NOTICE, None)
    with st.sidebar:
        if notice:
            st.warning(notice)
        if who is None:
            if notice:  # the gate shows the form; keep the notice for it as well
                st.session_state[_NOTICE] = notice
            return
        if who.signed_in:
            st.markdown(
                t("Signed in as **{name}** ({role})", name=_markdown_literal(who.name), role=_role_label(who.role))
            )
            if who.via == "local":
                if st.button(t("Sign out"), key="auth_sign_out", width="stretch"):
                    sign_out()
                    st.rerun()
            else:
                oidc = _oidc()
                if oidc is not None:
                    oidc.logout_button(key="auth_oidc_sign_out")
        else:
            with st.expander(t("Sign in (reading as a visitor)")):
                sign_in_form()


def gate() -> Actor:
    """Stop the run, showing only the sign-in form, when nobody is signed in and anonymous access is ``none``.

    Returns
    -------
    Actor
        Who the run acts for (when it goes on).
    """
    who = actor()
    if who is not None:
        return who
    st.title(t("Conflict claims map"))
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.warning(notice)
    st.info(t("Sign in to see the dashboard."))
    sign_in_form(key="auth_gate")
    st.stop()
    raise AssertionError("st.stop() returned")  # pragma: no cover


def _markdown_literal(text: str) -> str:
    """``text`` with Markdown's and HTML's special characters escaped, for st.markdown."""
    out = []
    for ch in text:
        if ch in "\\`*_{}[]()#+-.!|~<>&":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)
