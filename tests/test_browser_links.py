"""Browser tests of links (issue 11, item 7): a bad link's warning stays until the reader dismisses it.

The real dashboard (``streamlit run``) in headless Debian Chromium with every
request that is not to this machine blocked, used as a person does: open a
link, wait until the page has settled (the map drawn and reported, its reruns
over), read the sidebar, click.
"""

from __future__ import annotations

import re

import pytest

from tests.browsing import Visitor

pytestmark = pytest.mark.browser

WARNING = "Ignored in the link"


@pytest.fixture(scope="module")
def server(bundled_server) -> str:
    return bundled_server  # the bundled data, read only


@pytest.fixture
def tab(browser, server):
    visitor = Visitor(browser, server)
    yield visitor
    visitor.close()


def _open(tab, path: str):
    tab.open(path).map_frame()
    return tab.page.locator('[data-testid="stSidebar"]')


def _no_traceback(tab) -> None:
    tab.no_traceback()


def test_a_bad_links_warning_stays_until_dismissed(tab):
    page = tab.page
    sidebar = _open(tab, "/?region=Narnia&layer=strike")
    warning = sidebar.get_by_text(WARNING, exact=False)
    warning.first.wait_for(timeout=30_000)
    assert "Narnia" in warning.first.inner_text()
    assert "Narnia" not in page.url  # the bad value is dropped from the link…
    assert "layer=strike" in page.url  # …the good ones are kept
    tab.settle()  # the map draws, reports its view, and the page runs again: several reruns, all over
    assert warning.first.is_visible(), "the warning went away before it was dismissed"
    # A rerun asked for by the reader (another filter) keeps it too.
    sidebar.get_by_text("Statements", exact=True).click()
    page.wait_for_url(re.compile(r"by=statement"), timeout=30_000)
    tab.settle()
    assert warning.first.is_visible()
    assert "Narnia" in warning.first.inner_text()
    _no_traceback(tab)

    sidebar.get_by_role("button", name="Dismiss").click()
    warning.first.wait_for(state="detached", timeout=30_000)
    tab.settle()  # and it does not come back with the next reruns
    assert sidebar.get_by_text(WARNING, exact=False).count() == 0
    assert sidebar.get_by_role("button", name="Dismiss").count() == 0
    assert "layer=strike" in page.url and "by=statement" in page.url  # the filter is untouched
    _no_traceback(tab)
    assert tab.blocked == []


def test_a_good_link_shows_no_warning(tab):
    page = tab.page
    sidebar = _open(tab, "/?from=2026-02-15&to=2026-02-16&by=event")
    tab.settle()
    assert sidebar.get_by_text(WARNING, exact=False).count() == 0
    caption = page.get_by_text("events 15–16 Feb 2026", exact=False).first
    assert "events or statements" not in caption.inner_text()
    _no_traceback(tab)
