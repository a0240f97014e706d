"""Signing in with a local account through the sidebar's form, in headless Chromium: a wrong password, the role
shown once signed in, signing out, and a reload asking again (the sign-in lives in the tab's session)."""

from __future__ import annotations

import pytest

from tests.browsing import DESKTOP, Visitor

pytestmark = pytest.mark.browser

PW = "a long editor password"
SIDEBAR = '[data-testid="stSidebar"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory, streamlit_server):
    """The dashboard on an empty store with one editor, ``ed`` (anonymous visitors read, as by default)."""
    from geo.auth import SYSTEM, accounts
    from geo.store import open_store

    folder = tmp_path_factory.mktemp("signin")
    store = open_store(str(folder / "conflict.gpkg"), create=True, seed=False)
    accounts.add_user(store, SYSTEM, "ed", "editor", PW)
    url = streamlit_server("app.py", CONFLICTMAP_STORE=str(folder / "conflict.gpkg"))
    yield url
    streamlit_server.stop(url)


def _submit(reader: Visitor, name: str, password: str) -> None:
    sidebar = reader.page.locator(SIDEBAR)
    sidebar.get_by_label("Name").fill(name)
    sidebar.get_by_label("Password", exact=True).fill(password)
    sidebar.get_by_role("button", name="Sign in").click()
    reader.settle()


def test_sign_in_through_the_sidebar_shows_the_role_then_sign_out(browser, server):
    reader = Visitor(browser, server, DESKTOP)
    try:
        reader.open("/")
        reader.settle()
        sidebar = reader.page.locator(SIDEBAR)
        sidebar.get_by_text("Sign in (reading as a visitor)").click()
        password = sidebar.get_by_label("Password", exact=True)
        assert password.get_attribute("type") == "password"

        _submit(reader, "ed", "wrong password here")
        sidebar.get_by_text("Name or password is wrong.").wait_for(timeout=30_000)
        assert password.input_value() == ""  # cleared on submit: never shown back
        assert "wrong password here" not in reader.page.content()

        _submit(reader, "ed", PW)
        sidebar.get_by_text("Signed in as").wait_for(timeout=30_000)
        assert "Signed in as ed (editor)" in sidebar.inner_text()
        assert sidebar.get_by_label("Password", exact=True).count() == 0
        assert PW not in reader.page.content()
        reader.no_traceback()

        reader.page.reload()  # a local sign-in lives in the tab's session: a reload asks again
        reader.page.wait_for_selector("h1", timeout=60_000)
        reader.settle()
        expander = sidebar.get_by_text("Sign in (reading as a visitor)")
        expander.wait_for(timeout=30_000)
        expander.click()
        _submit(reader, "ed", PW)
        sidebar.get_by_text("Signed in as").wait_for(timeout=30_000)

        sidebar.get_by_role("button", name="Sign out").click()
        sidebar.get_by_text("Sign in (reading as a visitor)").wait_for(timeout=30_000)
        reader.settle()
        assert "Signed in as" not in sidebar.inner_text()
        reader.no_traceback()
    finally:
        reader.close()
