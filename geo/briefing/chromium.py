"""One headless Chromium for all the renders of a briefing: map images, slide PNGs, PDF documents.

A briefing of several views renders a map image per view and then one
document; launching Chromium once for all of them saves a second or two a
render. :class:`Chromium` owns a browser in a thread of its own (Playwright's
synchronous API is bound to the thread that started it, and a Streamlit
script already runs an asyncio loop), with every request that is not
``file:``/``data:``/``about:``/``blob:`` blocked: nothing reaches the network.

>>> with Chromium() as c:  # doctest: +SKIP
...     png = c.screenshot(page_html, (1920, 1080))
...     pdf = c.pdf(document_html, footer="<span class='pageNumber'></span>")
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

from geo.errors import GeoError
from geo.exporters.snapshot import CHROMIUM_ARGS, _chromium, _route

__all__ = ["SETTLE_JS", "Chromium"]

SETTLE_JS: Final = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
"""Resolves after two animation frames: Leaflet has drawn its canvas layers."""


class Chromium:
    """A headless Chromium, started on first use, for screenshots and PDFs of HTML pages.

    Use it as a context manager (or call :meth:`close`). Every method runs
    in the instance's own thread and raises :class:`geo.errors.GeoError`
    with Chromium's first line when a render fails.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geo-chromium")
        self._pw: Any = None
        self._browser: Any = None
        self._tmp = tempfile.TemporaryDirectory(prefix="geo-briefing-")
        self._n = 0

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- in the browser's thread ------------------------------------------------------------------------------

    def _start(self) -> Any:
        if self._browser is None:
            try:
                from playwright.sync_api import sync_playwright
            except ImportError:
                raise GeoError("playwright is needed for briefings (pip install playwright)") from None
            executable = _chromium()
            self._pw = sync_playwright().start()
            self._browser = self._pw.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        return self._browser

    def _open(self, html_text: str, viewport: tuple[int, int], scale: float) -> tuple[Any, Any]:
        browser = self._start()
        self._n += 1
        page_file = Path(self._tmp.name) / f"page{self._n}.html"
        page_file.write_text(html_text, encoding="utf-8")
        context = browser.new_context(
            viewport={"width": int(viewport[0]), "height": int(viewport[1])}, device_scale_factor=scale
        )
        context.route("**/*", _route)
        page = context.new_page()
        page.goto(page_file.as_uri(), wait_until="load")
        page.evaluate("() => window.cmFitMaps ? window.cmFitMaps() : null")
        page.evaluate("() => document.fonts ? document.fonts.ready.then(() => true) : true")
        page.evaluate(SETTLE_JS)
        return context, page

    def _shot(self, html_text: str, viewport: tuple[int, int], scale: float, wait: str | None, delay: int) -> bytes:
        context, page = self._open(html_text, viewport, scale)
        try:
            if wait:
                page.wait_for_function(wait, timeout=30_000)
            if delay:
                page.wait_for_timeout(delay)
            page.evaluate(SETTLE_JS)
            return page.screenshot(type="png", full_page=False)
        finally:
            context.close()

    def _print(self, html_text: str, header: str, footer: str, landscape: bool) -> bytes:
        context, page = self._open(html_text, (1123, 794) if landscape else (794, 1123), 1.0)
        try:
            page.emulate_media(media="print")
            options: dict[str, Any] = {"format": "A4", "landscape": landscape, "print_background": True,
                                       "prefer_css_page_size": True}  # fmt: skip
            if header or footer:
                options.update(display_header_footer=True, header_template=header or "<span></span>",
                               footer_template=footer or "<span></span>")  # fmt: skip
            return page.pdf(**options)
        finally:
            context.close()

    def _run(self, fn: Any, *args: Any) -> Any:
        from playwright.sync_api import Error as PlaywrightError

        def work() -> Any:
            try:
                return fn(*args)
            except PlaywrightError as err:
                raise GeoError(f"Chromium could not render the briefing: {str(err).splitlines()[0]}") from None

        return self._pool.submit(work).result()

    # -- public -----------------------------------------------------------------------------------------------

    def screenshot(
        self,
        html_text: str,
        viewport: tuple[int, int],
        *,
        scale: float = 1.0,
        wait: str | None = None,
        delay: int = 0,
    ) -> bytes:
        """A PNG of the page's first screen.

        Parameters
        ----------
        html_text : str
            A self-contained page (it loads nothing from the network).
        viewport : (int, int)
            Width and height in CSS pixels.
        scale : float
            Device pixels per CSS pixel: the PNG is ``viewport × scale``
            pixels (2 for print-quality map images; 2/3 draws a 1920×1080
            layout as 1280×720).
        wait : str, optional
            A JavaScript expression to wait for (truthy), e.g. ``"window.cmReady"``.
        delay : int
            Milliseconds to wait after loading (Leaflet redraws on a later frame).

        Returns
        -------
        bytes
            The PNG.
        """
        return self._run(self._shot, html_text, viewport, scale, wait, delay)

    def pdf(self, html_text: str, *, header: str = "", footer: str = "", landscape: bool = True) -> bytes:
        """A PDF of the page, A4, as many pages as the page's CSS breaks it into.

        Parameters
        ----------
        html_text : str
            A self-contained page; its ``@page`` rule sets margins (leave room for ``header``/``footer``).
        header, footer : str
            Chromium's header and footer templates (HTML with ``pageNumber``,
            ``totalPages``, ``date`` classes; inline styles only; they need a ``font-size``).
        landscape : bool
            A4 landscape (default) or portrait.

        Returns
        -------
        bytes
            The PDF, its text searchable, its fonts embedded (Chromium embeds subsets).
        """
        return self._run(self._print, html_text, header, footer, landscape)

    def close(self) -> None:
        """Stop the browser (safe to call twice)."""

        def stop() -> None:
            if self._browser is not None:
                try:
                    self._browser.close()
                finally:
                    self._browser = None
            if self._pw is not None:
                self._pw.stop()
                self._pw = None

        try:
            self._pool.submit(stop).result()
        finally:
            self._pool.shutdown(wait=True)
            self._tmp.cleanup()
