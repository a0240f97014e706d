"""One person at the dashboard in headless Chromium: the page helper every browser test uses.

A :class:`Visitor` opens a fresh browser context at a screen size (a phone
when narrower than 600 px), cuts off every request that does not go to this
machine (recording what was blocked), and records every script error and
dialog. Tests subclass it for what they read in particular (labels, popups).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}
_LOCAL = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")


class Visitor:
    """A browser tab on the dashboard with no internet.

    Parameters
    ----------
    browser : playwright Browser
        The session's Chromium (the ``browser`` fixture).
    server : str
        The dashboard's address (``http://127.0.0.1:PORT``).
    viewport : dict, optional
        ``{"width": …, "height": …}``; narrower than 600 px is a phone (touch, mobile).
    """

    def __init__(self, browser: Any, server: str, viewport: dict[str, int] | None = None) -> None:
        viewport = viewport or DESKTOP
        phone = viewport["width"] < 600
        self.server = server
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(_LOCAL):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: str = "/") -> Visitor:
        """Go to ``path`` and wait for the page's title."""
        self.page.goto(self.server + path)
        self.page.wait_for_selector("h1", timeout=60_000)
        return self

    def map_frame(self) -> Any:
        """The map's frame locator, once Leaflet is on it."""
        self.page.wait_for_selector(MAP_FRAME, timeout=60_000)
        frame = self.page.frame_locator(MAP_FRAME)
        frame.locator(".leaflet-container").wait_for(timeout=60_000)
        return frame

    def wait_for_map(self) -> None:
        """Wait for the map and for the rerun its first report of the view causes."""
        self.map_frame()
        self.page.wait_for_timeout(1500)

    def box(self, selector: str) -> dict[str, float]:
        """The bounding box of the first element matching ``selector``."""
        box = self.page.locator(selector).first.bounding_box()
        assert box is not None, f"{selector} is not on the page"
        return box

    def no_traceback(self) -> None:
        """No exception box, no traceback text, no script error, dialog or outside request."""
        assert self.page.locator('[data-testid="stException"]').count() == 0
        assert "Traceback" not in self.page.locator("body").inner_text()
        assert self.errors == [] and self.dialogs == [] and self.blocked == []

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        """Keep a screenshot in tests/artifacts/ for a person to look at."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        """Close the tab's context."""
        self.context.close()
