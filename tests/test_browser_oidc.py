"""Sign-in through Streamlit's ``st.login`` with an OpenID Connect provider, end to end in headless Chromium.

A local provider (``oidc-provider-mock``) runs in a thread; the dashboard's secrets point ``[auth]`` at it. The
browser clicks "Sign in with …", lands on the provider's page, authorises as ``editor@example.org``, comes back
signed in; Streamlit's identity cookie is HttpOnly and SameSite=Lax (scripts on the page cannot read it); a forged
cookie signs nobody in; signing out goes through the provider's end-session page and leaves no cookie and an
anonymous page. One provider for the module, one flow per server: the small page of
``tests/fixtures/oidc_app.py`` (``ui.oidc`` alone) and, once ``ui/auth.py`` draws the button, the real dashboard.

The parsing of the secrets (:func:`ui.oidc.providers`) is checked without a server, on files of each layout.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import oidc_env
from tests.browsing import Visitor

ROOT = Path(__file__).resolve().parents[1]
EMAIL = "editor@example.org"
_PROVIDER_CSS = "https://cdn.jsdelivr.net/"  # the mock provider's own pages link a stylesheet there (blocked)


# --- the secrets, read without a server -----------------------------------------------------------------------


@pytest.fixture
def secrets_at(monkeypatch) -> Iterator:
    """Point Streamlit's ``secrets.files`` at one path for a test; the secrets are read again from it."""
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    def point(path: Path) -> None:
        config.set_option("secrets.files", [str(path)])
        secrets_singleton._reset()

    before = config.get_option("secrets.files")
    yield point
    config.set_option("secrets.files", before)
    secrets_singleton._reset()


def test_no_secrets_file_is_not_configured(tmp_path, secrets_at) -> None:
    from ui import oidc

    secrets_at(tmp_path / "missing" / "secrets.toml")
    assert oidc.configured() is False
    assert oidc.providers() == []
    assert oidc.provider_label() == ""
    assert oidc.current_email() is None  # outside a run, nobody


def test_secrets_without_auth_or_incomplete_are_not_configured(tmp_path, secrets_at) -> None:
    from streamlit.runtime.secrets import secrets_singleton

    from ui import oidc

    path = tmp_path / "secrets.toml"
    secrets_at(path)
    path.write_text('[other]\nkey = "x"\n')
    assert not oidc.configured()
    # the shared keys without any provider; then a provider without the shared cookie_secret
    path.write_text('[auth]\nredirect_uri = "http://h:8501/oauth2callback"\ncookie_secret = "s"\n')
    secrets_singleton._reset()
    assert not oidc.configured()
    oidc_env.write_secrets(path, "http://localhost:1", named=False)
    path.write_text("\n".join(line for line in path.read_text().splitlines() if "cookie_secret" not in line))
    secrets_singleton._reset()
    assert not oidc.configured()
    # not TOML at all: no exception, not configured
    path.write_text("[auth\n")
    secrets_singleton._reset()
    assert not oidc.configured()


def test_unnamed_and_named_providers(tmp_path, secrets_at) -> None:
    from streamlit.runtime.secrets import secrets_singleton

    from ui import oidc

    path = tmp_path / "secrets.toml"
    secrets_at(path)
    oidc_env.write_secrets(path, "https://sso.example.org/realms/staff", named=False, label=None)
    assert oidc.providers() == [oidc.Provider(None, "sso.example.org")]  # the metadata address's host
    assert oidc.provider_label() == "sso.example.org"
    oidc_env.write_secrets(path, "https://sso.example.org/realms/staff", named=False)
    secrets_singleton._reset()
    assert oidc.providers() == [oidc.Provider(None, oidc_env.PROVIDER_LABEL)]  # its label

    oidc_env.write_secrets(path, "https://sso.example.org/realms/staff")
    extra = (
        '\n[auth.microsoft]\nclient_id = "a"\nclient_secret = "b"\n'
        'server_metadata_url = "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"\n'
        '\n[auth.bad_name]\nclient_id = "a"\nclient_secret = "b"\nserver_metadata_url = "https://x/"\n'
        '\n[auth.partial]\nclient_id = "a"\n'
    )
    path.write_text(path.read_text() + extra)
    secrets_singleton._reset()
    assert oidc.providers() == [oidc.Provider("mock", oidc_env.PROVIDER_LABEL), oidc.Provider("microsoft", "Microsoft")]
    assert oidc.configured() and oidc.provider_label() == oidc_env.PROVIDER_LABEL


# --- the browser flow ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    """One local OpenID Connect provider for the module."""
    pytest.importorskip("oidc_provider_mock")
    with oidc_env.provider() as url:
        yield url


def _sign_in_and_out(browser, server: str, issuer: str, *, signed_in: str, anonymous: str, name: str) -> None:
    """Drive one visitor through sign-in and sign-out; ``signed_in``/``anonymous`` are texts each state shows."""
    v = Visitor(browser, server)
    try:
        page = v.open("/").page
        page.get_by_text(anonymous).first.wait_for(timeout=60_000)
        button = page.get_by_role("button", name=f"Sign in with {oidc_env.PROVIDER_LABEL}")
        button.wait_for(timeout=30_000)
        assert oidc_env.auth_cookies(v.context, server) == {}
        button.click()

        # the provider's own page: authorise as the editor
        page.wait_for_url(f"{issuer}/oauth2/authorize?*", timeout=30_000)
        assert "/oauth2callback" in page.locator("body").inner_text()  # "You will be redirected to …"
        page.locator('input[name="sub"]').fill(EMAIL)
        page.get_by_role("button", name="Authorize").click()

        # back on the dashboard, signed in
        page.wait_for_url(f"{server}/**", timeout=30_000)
        page.get_by_text(signed_in).first.wait_for(timeout=60_000)
        v.settle()
        assert page.get_by_role("button", name="Sign out").count() == 1
        assert page.get_by_role("button", name=f"Sign in with {oidc_env.PROVIDER_LABEL}").count() == 0

        cookies = oidc_env.auth_cookies(v.context, server)
        user = cookies.get(oidc_env.COOKIE)
        assert user is not None, cookies
        assert user["httpOnly"] is True and user["sameSite"] == "Lax" and user["path"] == "/", user
        assert user["expires"] > 0  # a persistent cookie (30 days), not a session cookie
        assert oidc_env.TOKENS_COOKIE in cookies and cookies[oidc_env.TOKENS_COOKIE]["httpOnly"] is True
        assert EMAIL not in user["value"] and "is_logged_in" not in user["value"]  # signed and encoded, not JSON
        assert "_streamlit_user" not in page.evaluate("document.cookie")  # scripts on the page cannot read it
        v.shot(f"oidc-{name}-signed-in")

        # a second tab of the same browser is signed in from the cookie
        other = v.context.new_page()
        other.goto(server + "/")
        other.get_by_text(signed_in).first.wait_for(timeout=60_000)
        other.close()

        # sign out: Streamlit clears its cookies and sends the browser to the provider's end-session page
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{issuer}/oauth2/end_session?*", timeout=30_000)
        assert oidc_env.auth_cookies(v.context, server) == {}
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{server}/**", timeout=30_000)
        page.get_by_text(anonymous).first.wait_for(timeout=60_000)
        v.settle()
        assert page.get_by_text(signed_in).count() == 0
        assert page.get_by_role("button", name=f"Sign in with {oidc_env.PROVIDER_LABEL}").count() == 1
        assert oidc_env.auth_cookies(v.context, server) == {}

        assert v.errors == [] and v.dialogs == []
        assert all(url.startswith(_PROVIDER_CSS) for url in v.blocked), v.blocked  # nothing else left the machine
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        v.close()


def _forged_cookie_signs_nobody_in(browser, server: str, anonymous: str) -> None:
    """A hand-made identity cookie (not signed with the cookie secret) leaves the page anonymous."""
    v = Visitor(browser, server)
    try:
        forged = json.dumps({"email": "admin@example.org", "is_logged_in": True, "provider": "mock"})
        value = base64.urlsafe_b64encode(forged.encode()).decode()
        host = server.split("//", 1)[1].split(":")[0]
        for val in (forged.replace('"', "'"), value, f"{value}.AAAA.BBBB"):
            v.context.add_cookies([{"name": oidc_env.COOKIE, "value": val, "domain": host, "path": "/"}])
            page = v.open("/").page
            page.get_by_text(anonymous).first.wait_for(timeout=60_000)
            assert "admin@example.org" not in page.locator("body").inner_text()
    finally:
        v.close()


@pytest.mark.browser
def test_sign_in_and_out_with_ui_oidc(browser, streamlit_server, issuer, tmp_path_factory) -> None:
    """The small page of tests/fixtures/oidc_app.py (ui.oidc alone), with the unnamed provider (``st.login()``)."""
    secrets = oidc_env.write_secrets(tmp_path_factory.mktemp("oidc-secrets") / "secrets.toml", issuer, named=False)
    server = streamlit_server("tests/fixtures/oidc_app.py", STREAMLIT_SECRETS_FILES=str(secrets))
    try:
        _forged_cookie_signs_nobody_in(browser, server, "not signed in")
        _sign_in_and_out(
            browser, server, issuer, signed_in=f"signed in as {EMAIL}", anonymous="not signed in", name="page"
        )
    finally:
        streamlit_server.stop(server)


def _app_draws_the_button() -> bool:
    auth = ROOT / "ui" / "auth.py"
    return auth.exists() and "login_button" in auth.read_text(encoding="utf-8")


@pytest.mark.browser
@pytest.mark.skipif(not _app_draws_the_button(), reason="ui/auth.py does not draw ui.oidc.login_button yet")
def test_sign_in_and_out_on_the_dashboard(browser, streamlit_server, issuer, tmp_path_factory) -> None:
    """The real dashboard (app.py) that nobody reads unsigned, with a named provider (``st.login("mock")``)."""
    from geo.store import open_store

    folder = tmp_path_factory.mktemp("oidc-app")
    store = folder / "conflict.gpkg"
    open_store(str(store), create=True, seed=True)
    secrets = oidc_env.write_secrets(folder / "secrets.toml", issuer)
    server = streamlit_server(
        "app.py", STREAMLIT_SECRETS_FILES=str(secrets), CONFLICTMAP_STORE=str(store), CONFLICTMAP_ANONYMOUS="none"
    )
    try:  # nobody reads without signing in: the gate offers the provider; signed out, the gate is back
        _sign_in_and_out(
            browser, server, issuer, signed_in=EMAIL, anonymous="Sign in to see the dashboard.", name="app"
        )
    finally:
        streamlit_server.stop(server)
