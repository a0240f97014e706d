"""One person at the dashboard in headless Chromium: the page helper every browser test uses.

A :class:`Visitor` opens a fresh browser context at a screen size (a phone
when narrower than 600 px), cuts off every request that does not go to this
machine (recording what was blocked), and records every script error and
dialog. Tests subclass it for what they read in particular (labels, popups).

:meth:`Visitor.settle` waits for a condition, not a fixed time: Streamlit idle,
every map built and its current view reported, and nothing on the websocket
for a moment. It replaces fixed waits (a busy machine outran them; an idle one
waited for nothing).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}
_LOCAL = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")

# Installed in the top page before its scripts run: the last view each map frame reported (st_folium's
# "streamlit:setComponentValue" message, sent 250 ms after the map moves, and only when what it reports changed)
# and when the page was last busy.
_WATCH_JS = """(() => {
  if (window.top !== window || window.__cmWatch) return;
  const watch = window.__cmWatch = {last: Date.now(), reported: new WeakMap()};
  window.addEventListener("message", (e) => {
    const d = e.data;
    if (d && d.isStreamlitMessage && d.type === "streamlit:setComponentValue") {
      watch.reported.set(e.source, d.value);
      watch.last = Date.now();
    }
  });
})();"""
# Why the page is not settled yet ("" when it is) and for how many ms it has been quiet.
_SETTLED_JS = """(frameSelector) => {
  const watch = window.__cmWatch;
  if (!watch) return {why: "the page is loading", quiet: 0};
  const now = Date.now();
  const busy = (why) => { watch.last = now; return {why, quiet: 0}; };
  const app = document.querySelector('[data-testid="stApp"]');
  const run = app ? app.dataset.testScriptState : "no app yet";  // what Streamlit's own tests wait on
  if (run !== "notRunning") return busy(`Streamlit's script state is ${run}`);
  if (document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSpinner"]')) {
    return busy("Streamlit shows it is running");
  }
  for (const el of document.querySelectorAll(frameSelector)) {
    let w;
    try { w = el.contentWindow; } catch (e) { return busy("a map frame is loading"); }
    const map = w && w.map;
    if (!map || !map._loaded || !w.__GLOBAL_DATA__) return busy("a map is not built yet");
    if (map._animatingZoom || (map._panAnim && map._panAnim._inProgress)) return busy("a map is moving");
    if (!(w.__GLOBAL_DATA__.returned_objects || []).length) continue;  // a map that reports nothing
    const got = watch.reported.get(w);
    if (!got) return busy("a map has not reported its view");
    const b = map.getBounds();
    const sw = got.bounds && got.bounds._southWest, ne = got.bounds && got.bounds._northEast;
    if (got.zoom !== map.getZoom() || !sw || !ne || sw.lat !== b.getSouth() || sw.lng !== b.getWest()
        || ne.lat !== b.getNorth() || ne.lng !== b.getEast()) return busy("a map has not reported its new view");
  }
  return {why: "", quiet: now - watch.last};
}"""


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
        self.context.add_init_script(_WATCH_JS)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self._ws_at = time.monotonic()  # the last websocket frame, either way
        self.page.on("websocket", self._on_websocket)

    def _on_websocket(self, ws: Any) -> None:
        def mark(_payload: Any) -> None:
            self._ws_at = time.monotonic()

        mark(None)
        ws.on("framesent", mark)
        ws.on("framereceived", mark)

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
        self.settle()

    def settle(self, quiet_ms: int = 600, timeout_ms: int = 60_000) -> None:
        """Wait until the page has settled: what a reader sees now stays.

        Streamlit runs nothing (the app's ``data-test-script-state`` is ``notRunning``, no running sign or
        spinner); every map on the page is built, not moving, and has reported the view it shows (st_folium
        reports 250 ms after a move, and each report reruns the page); and for ``quiet_ms`` none of that changed
        and no websocket frame came or went (a widget's rerun request goes out before Streamlit says it runs).

        Parameters
        ----------
        quiet_ms : int
            How long the page must stay quiet.
        timeout_ms : int
            Fail after this long, saying what it was waiting for.
        """
        from playwright.sync_api import Error as PlaywrightError

        deadline = time.monotonic() + timeout_ms / 1000
        state: dict[str, Any] = {"why": "nothing read yet", "quiet": 0}
        while True:
            try:
                state = self.page.evaluate(_SETTLED_JS, MAP_FRAME)
            except PlaywrightError as err:  # navigating, or a frame went away: ask again
                state = {"why": f"the page changed ({str(err).splitlines()[0]})", "quiet": 0}
            ws_quiet = (time.monotonic() - self._ws_at) * 1000
            if not state["why"] and min(state["quiet"], ws_quiet) >= quiet_ms:
                return
            assert time.monotonic() < deadline, f"the page did not settle in {timeout_ms / 1000:.0f} s: {state}"
            self.page.wait_for_timeout(100)

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
