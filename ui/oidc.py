"""Sign-in through Streamlit's own ``st.login`` with the organisation's OpenID Connect provider.

Streamlit reads the provider from the ``[auth]`` section of ``.streamlit/secrets.toml`` (or of the files the
``secrets.files`` option names): ``redirect_uri`` (the dashboard's address with the path ``/oauth2callback``) and
``cookie_secret`` always, then either one unnamed provider in ``[auth]`` itself (``client_id``, ``client_secret``,
``server_metadata_url``) or named providers in ``[auth.NAME]`` sections. After the provider's page Streamlit sets
the ``_streamlit_user`` cookie (signed with ``cookie_secret``, HttpOnly, SameSite=Lax, 30 days) and fills
``st.user``; :func:`current_email` reads who signed in from it. Roles are not decided here: ``ui.auth`` looks the
address up in the store's users (``python -m geo users add EMAIL --role editor --oidc``) and falls back to
``CONFLICTMAP_OIDC_ROLE``.

An optional ``label`` key in a provider's section names it on the button ("Sign in with Keycloak"); Authlib and
Streamlit ignore keys they do not know. Without it, a named provider is called by its name and the unnamed one by
the host of its ``server_metadata_url``.

Everything here is safe without a secrets file: :func:`configured` is then False and nothing raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import streamlit as st

from geo.i18n import t

__all__ = ["Provider", "configured", "current_email", "login_button", "logout_button", "provider_label", "providers"]

_PROVIDER_KEYS: Final = ("client_id", "client_secret", "server_metadata_url")
"""What every provider needs besides the shared ``redirect_uri`` and ``cookie_secret`` (Streamlit checks the same)."""
_SHARED_KEYS: Final = ("redirect_uri", "cookie_secret")


@dataclass(frozen=True)
class Provider:
    """One OpenID Connect provider of the ``[auth]`` secrets.

    Attributes
    ----------
    name : str or None
        The ``[auth.NAME]`` section's name (what ``st.login(name)`` takes); None for the unnamed provider in
        ``[auth]`` itself (``st.login()``).
    label : str
        What the sign-in button calls it.
    """

    name: str | None
    label: str


def _auth_section() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of the secrets, or None when there is no secrets file, no section or it is unreadable."""
    try:
        section = st.secrets.get("auth")
    except (FileNotFoundError, KeyError, AttributeError, TypeError, ValueError):
        # FileNotFoundError: no secrets file (StreamlitSecretNotFoundError), or one that does not parse
        return None
    return section if isinstance(section, Mapping) else None


def _complete(section: Mapping[str, Any]) -> bool:
    return all(isinstance(section.get(key), str) and section.get(key) for key in _PROVIDER_KEYS)


def _label(section: Mapping[str, Any], name: str | None) -> str:
    label = section.get("label")
    if isinstance(label, str) and label.strip():
        return label.strip()
    if name is not None:
        return name.capitalize()
    host = urlsplit(str(section.get("server_metadata_url", ""))).hostname
    return host or t("your organisation's account")


def providers() -> list[Provider]:
    """The providers the secrets configure completely, the unnamed one first; none without ``[auth]``.

    A provider counts when ``[auth]`` has ``redirect_uri`` and ``cookie_secret`` and the provider's section has
    ``client_id``, ``client_secret`` and ``server_metadata_url`` (what ``st.login`` requires). A named provider
    whose name holds an underscore is left out: Streamlit refuses those names.

    Returns
    -------
    list of Provider
        In the order of the secrets file.
    """
    auth = _auth_section()
    if auth is None or not all(isinstance(auth.get(key), str) and auth.get(key) for key in _SHARED_KEYS):
        return []
    found = [Provider(None, _label(auth, None))] if _complete(auth) else []
    for name, section in auth.items():
        if isinstance(section, Mapping) and "_" not in name and _complete(section):
            found.append(Provider(name, _label(section, name)))
    return found


def configured() -> bool:
    """Whether sign-in with an OpenID Connect provider is configured in the secrets.

    Returns
    -------
    bool
        True when :func:`providers` finds at least one; False without a secrets file or ``[auth]`` section.
    """
    return bool(providers())


def provider_label() -> str:
    """The name the sign-in button gives the (first) provider, e.g. ``"Keycloak"``; ``""`` when none is configured.

    Returns
    -------
    str
        The provider's ``label``, else its section name capitalised, else its metadata address's host.
    """
    found = providers()
    return found[0].label if found else ""


def login_button(*, key: str = "oidc_login") -> None:
    """Draw a "Sign in with …" button per configured provider; a click goes to the provider's page (``st.login``).

    Draws nothing when sign-in is not configured or somebody is signed in already.

    Parameters
    ----------
    key : str
        Prefix of the buttons' widget keys.
    """
    if current_email() is not None:
        return
    for provider in providers():
        if st.button(
            t("Sign in with {provider}", provider=provider.label),
            key=f"{key}_{provider.name or 'default'}",
            width="stretch",
        ):
            if provider.name is None:
                st.login()
            else:
                st.login(provider.name)


def logout_button(*, key: str = "oidc_logout") -> None:
    """Draw a "Sign out" button when somebody is signed in through the provider; a click calls ``st.logout``.

    ``st.logout`` deletes Streamlit's identity cookies and, when the provider has an end-session address, sends the
    browser there before it comes back to the dashboard.

    Parameters
    ----------
    key : str
        The button's widget key.
    """
    if current_email() is None:
        return
    if st.button(t("Sign out"), key=key, width="stretch"):
        st.logout()


def current_email() -> str | None:
    """Who is signed in through the provider: their e-mail address, else their subject (``sub``); None when nobody.

    An address the provider marks unverified (``email_verified`` false) is not trusted: the subject is used then.

    Returns
    -------
    str or None
        The address or subject, stripped; None when nobody is signed in (or outside a Streamlit run).
    """
    try:
        user = st.user
        if not user.get("is_logged_in"):
            return None
        email, sub, verified = user.get("email"), user.get("sub"), user.get("email_verified")
    except (AttributeError, KeyError, TypeError):
        return None
    if isinstance(email, str) and email.strip() and verified is not False:
        return email.strip()
    if isinstance(sub, str) and sub.strip():
        return sub.strip()
    return None
