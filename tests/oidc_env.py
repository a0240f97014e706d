"""A local OpenID Connect provider and a secrets file that points Streamlit's ``st.login`` at it, for the tests.

The provider is ``oidc-provider-mock`` (PyPI) on a free port of this machine, in a thread of the test process: any
client id and secret are accepted, and its authorisation page lets the browser sign in as any subject by typing it
(the subject doubles as the e-mail address). :func:`write_secrets` writes the ``[auth]`` section Streamlit documents;
a Streamlit server reads it when started with ``STREAMLIT_SECRETS_FILES`` set to its path (the ``secrets.files``
option), so a developer's own ``.streamlit/secrets.toml`` is never read by the tests.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROVIDER_NAME = "mock"
PROVIDER_LABEL = "Test provider"
COOKIE = "_streamlit_user"
TOKENS_COOKIE = "_streamlit_user_tokens"


@contextmanager
def provider() -> Iterator[str]:
    """Run oidc-provider-mock on a free port of ``localhost`` in a thread; yield its address; stop it after.

    Yields
    ------
    str
        ``http://localhost:PORT`` (the issuer; its discovery document is under ``/.well-known/``).
    """
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        url = f"http://localhost:{server.server_port}"
        with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=10) as answer:
            meta = json.load(answer)
        assert meta["issuer"] == url, meta
        yield url


def write_secrets(
    path: Path, issuer: str, *, named: bool = True, label: str | None = PROVIDER_LABEL, host: str = "127.0.0.1"
) -> Path:
    """Write a ``secrets.toml`` that signs in through ``issuer``; return its path.

    Parameters
    ----------
    path : Path
        The file to write (its folder is made).
    issuer : str
        The provider's address (:func:`provider`).
    named : bool
        An ``[auth.mock]`` section (``st.login("mock")``); else the unnamed provider in ``[auth]`` (``st.login()``).
    label : str or None
        The provider's ``label`` (what the button calls it); None for none.
    host : str
        The host the browser uses for the dashboard: the redirect address and the cookie belong to it. The port is
        Streamlit's ``{port}`` placeholder, filled in with the server's port.

    Returns
    -------
    Path
        ``path``.
    """
    shared = [
        "[auth]",
        f'redirect_uri = "http://{host}:{{port}}/oauth2callback"',
        f'cookie_secret = "{secrets.token_hex(32)}"',
    ]
    provider_keys = [
        'client_id = "conflictmap-test"',
        f'client_secret = "{secrets.token_hex(16)}"',
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"',
    ]
    if label is not None:
        provider_keys.insert(0, f'label = "{label}"')
    lines = [*shared, "", f"[auth.{PROVIDER_NAME}]", *provider_keys] if named else [*shared, *provider_keys]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def auth_cookies(context: object, server: str) -> dict[str, dict]:
    """Streamlit's identity cookies (``_streamlit_user*``) the browser context holds for ``server``, by name.

    Parameters
    ----------
    context : playwright BrowserContext
        The browser context.
    server : str
        The dashboard's address.

    Returns
    -------
    dict
        Cookie name → Playwright's cookie dict (``httpOnly``, ``sameSite``, ``path``, ``expires``…).
    """
    return {c["name"]: c for c in context.cookies(server) if c["name"].startswith(COOKIE)}  # type: ignore[attr-defined]
