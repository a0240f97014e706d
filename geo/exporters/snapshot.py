"""PNG and PDF snapshots, rendered by headless Chromium from the standalone HTML page.

One code path: :func:`geo.exporters.html.render_page` builds the same page
as the HTML export (with the zoom, draw and layer controls hidden), and
Chromium, with every request that is not ``file:``/``data:``/``about:``
blocked, takes a screenshot or prints one A4 landscape page.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from geo.errors import GeoError, ValidationError
from geo.exporters.data import check_target, write_atomic
from geo.exporters.html import FIT_MAPS_JS, OPEN_LEGEND, render_page
from geo.filters import Filter

__all__ = ["CHROMIUM_ARGS", "MAX_PX", "MIN_PX", "PRESETS", "parse_size", "to_pdf", "to_png"]

PRESETS: Final = {"slide": (1920, 1080), "720p": (1280, 720), "a4": (2339, 1654), "square": (1200, 1200)}
"""Named PNG sizes: a 16:9 slide (1920×1080 and 1280×720), A4 landscape at 200 dpi, a square."""
MIN_PX: Final = 100
MAX_PX: Final = 10_000
CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_A4_CSS_PX: Final = (1077, 748)
"""The printable area of A4 landscape with 6 mm margins (285 × 198 mm) at 96 CSS px per inch: the page is laid
out at exactly the size it prints at, or Leaflet's canvas layers would be drawn for another width."""
_LOCAL: Final = ("file:", "data:", "about:", "blob:")
_PDF_CSS: Final = "@page { size: A4 landscape; margin: 6mm; } html, body { height: 100%; }"


def parse_size(size: str | tuple[int, int]) -> tuple[int, int]:
    """A PNG size from a preset name, ``"WxH"`` or a (width, height) pair.

    Parameters
    ----------
    size : str or tuple of int
        ``"slide"``, ``"a4"``, ``"square"``, ``"1600x900"`` or ``(1600, 900)``.

    Returns
    -------
    tuple of int
        (width, height) in pixels.

    Raises
    ------
    ValidationError
        Unknown preset, unreadable size, or a side outside 100..10000 px.
    """
    if isinstance(size, str):
        text = size.strip().lower()
        if text in PRESETS:
            return PRESETS[text]
        m = re.fullmatch(r"(\d+)\s*[x×]\s*(\d+)", text)
        if m is None:
            raise ValidationError(
                f"size {size!r} is neither a preset ({', '.join(PRESETS)}) nor WIDTHxHEIGHT in pixels"
            )
        width, height = int(m.group(1)), int(m.group(2))
    else:
        try:
            width, height = (int(v) for v in size)
        except (TypeError, ValueError):
            raise ValidationError(f"size {size!r} is not a (width, height) pair") from None
    for name, value in (("width", width), ("height", height)):
        if not MIN_PX <= value <= MAX_PX:
            raise ValidationError(f"size: {name} {value} px is outside {MIN_PX}..{MAX_PX} px")
    return width, height


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        raise GeoError("Chromium is needed for PNG and PDF exports (apt-get install chromium)")
    return found


def _route(route: Any) -> None:
    if route.request.url.startswith(_LOCAL):
        route.continue_()
    else:
        route.abort()


def _render(html_text: str, viewport: tuple[int, int], kind: str) -> bytes:
    """Render ``html_text`` at ``viewport`` with the network blocked; a PNG screenshot or a one-page A4 PDF.

    Runs in its own thread, so it works when the caller already drives Playwright or an asyncio loop.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise GeoError("playwright is needed for PNG and PDF exports (pip install playwright)") from None
    executable = _chromium()

    def work() -> bytes:
        with tempfile.TemporaryDirectory(prefix="geo-snapshot-") as tmp:
            page_file = Path(tmp) / "map.html"
            page_file.write_text(html_text, encoding="utf-8")
            try:
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
                    try:
                        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
                        context.route("**/*", _route)
                        page = context.new_page()
                        page.goto(page_file.as_uri(), wait_until="load")
                        page.wait_for_function("typeof L === 'object'", timeout=15_000)
                        page.evaluate(OPEN_LEGEND)
                        page.evaluate(FIT_MAPS_JS)  # after the legend and print styles settle the layout
                        page.wait_for_timeout(400)  # Leaflet redraws its canvas layers on a later frame
                        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                        if kind == "png":
                            return page.screenshot(type="png", full_page=False)
                        page.emulate_media(media="screen")
                        return page.pdf(format="A4", landscape=True, print_background=True, page_ranges="1")
                    finally:
                        browser.close()
            except PlaywrightError as err:
                raise GeoError(f"Chromium could not render the snapshot: {str(err).splitlines()[0]}") from None

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="geo-snapshot") as pool:
        return pool.submit(work).result()


def to_png(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    path: str | os.PathLike[str],
    *,
    size: str | tuple[int, int] = (1920, 1080),
    title: str | None = None,
    talks: pd.DataFrame | None = None,
    lang: str | None = None,
    **assessed: Any,
) -> Path:
    """Write a PNG snapshot of the map with its header, legend and sources.

    ``assessed`` (``verdicts``, ``aggregates``, ``control``) are passed to
    :func:`geo.exporters.html.render_page`: claims set against assessed control.

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events. Not changed. An empty frame gives a map saying "No events match".
    claims : DataFrame
        Their claims. Not changed.
    flt : Filter or None
        The filter, shown in words.
    path : str or PathLike
        The PNG to write.
    size : str or tuple of int
        A preset of :data:`PRESETS`, ``"WxH"`` or (width, height); 100..10000 px a side.
    title : str, optional
        Title at the top (default: :func:`geo.exporters.html.default_title`).
    talks : DataFrame, optional
        Rounds of talks for the timeline (default: those among ``events``).
    lang : str, optional
        Language of the snapshot (default: the current one).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ValidationError
        Bad size (nothing written).
    GeoError
        Unwritable path (nothing written), or Chromium failed.
    """
    width, height = parse_size(size)
    check_target(path)
    page_html = render_page(events, claims, flt, title=title, for_print=True, talks=talks, lang=lang, **assessed)
    shot = _render(page_html, (width, height), "png")
    return write_atomic(path, lambda tmp: tmp.write_bytes(shot))


def to_pdf(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    talks: pd.DataFrame | None = None,
    lang: str | None = None,
    **assessed: Any,
) -> Path:
    """Write a one-page A4 landscape PDF briefing.

    ``assessed`` (``verdicts``, ``aggregates``, ``control``) are passed to
    :func:`geo.exporters.html.render_page`: claims set against assessed control.

    The page has the title, the filter in words, key figures, the map with
    its legend and scale bar, the sources, the caveat and when it was made.

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events. Not changed.
    claims : DataFrame
        Their claims. Not changed.
    flt : Filter or None
        The filter, shown in words.
    path : str or PathLike
        The PDF to write.
    title : str, optional
        Title at the top (default: :func:`geo.exporters.html.default_title`).
    talks : DataFrame, optional
        Rounds of talks for the timeline (default: those among ``events``).
    lang : str, optional
        Language of the snapshot (default: the current one).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    GeoError
        Unwritable path (nothing written), or Chromium failed.
    """
    check_target(path)
    page_html = render_page(events, claims, flt, title=title, for_print=True, talks=talks, lang=lang, **assessed)
    page_html = page_html.replace("</head>", f"<style>{_PDF_CSS}</style></head>", 1)
    pdf = _render(page_html, _A4_CSS_PX, "pdf")
    return write_atomic(path, lambda tmp: tmp.write_bytes(pdf))
