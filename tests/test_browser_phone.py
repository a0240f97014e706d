"""The dashboard on a phone (390×844) and its statement tables in a wide window, in headless Debian Chromium.

On a phone a reader must see, on the first screen, the page's title, what it
shows (the caption) and the map; the page never scrolls sideways and the
tables stay within the screen. In a 1600 px window the *Figures* column of the
statements shows whole. Every request off this machine is blocked.

The dashboard's CSS (``ui/style.py``) is written by ``style.apply()``; the
server here runs ``app.py`` through a small wrapper that calls it first, so
these tests hold whether or not ``app.py`` calls it too.
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
import pytest
from PIL import Image

from tests.browsing import ARTIFACTS, MAP_FRAME, PHONE, ROOT, Visitor

pytestmark = pytest.mark.browser

CAPTION = "claims by parties, not independently verified"


@pytest.fixture(scope="module")
def server(tmp_path_factory, streamlit_server):
    """The dashboard on the bundled data, with ``ui.style.apply()`` called before ``app.py`` runs."""
    from geo.assets import ensure_static

    ensure_static(ROOT / "static")  # the wrapper's static/ is a link to it
    folder = tmp_path_factory.mktemp("phone-app")
    for name in ("views", "static"):  # pages and static files are found beside the main script
        (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    script = folder / "app_styled.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import runpy

            from ui import style

            style.apply()
            runpy.run_path({str(ROOT / "app.py")!r}, run_name="__main__")
            """
        )
    )
    store = tmp_path_factory.mktemp("phone-store") / "conflict.gpkg"
    url = streamlit_server(script, CONFLICTMAP_STORE=str(store))
    yield url
    streamlit_server.stop(url)  # done with it: an idle server still costs CPU for the rest of the run


@pytest.fixture
def phone(browser, server):
    p = Visitor(browser, server, PHONE)
    yield p
    p.close()


def _text_box(page: Visitor, selector: str) -> dict:
    """The box of an element's text (its lines, without the element's padding)."""
    return page.page.locator(selector).first.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e); const b = r.getBoundingClientRect();"
        " return {x: b.x, y: b.y, width: b.width, height: b.height}; }"
    )


def _caption_box(page: Visitor) -> dict:
    return page.page.get_by_text(CAPTION, exact=False).first.bounding_box()


@pytest.mark.parametrize("path", ["/strikes", "/captures", "/regions"])
def test_a_layer_page_on_a_phone_shows_title_caption_and_map_on_the_first_screen(phone, path):
    phone.open(path).wait_for_map()
    title, caption, frame = _text_box(phone, "h1"), _caption_box(phone), phone.box(MAP_FRAME)
    phone.shot(f"phone{path.replace('/', '-')}", full_page=False)
    assert title["y"] >= 0 and title["y"] + title["height"] <= caption["y"] + 1
    assert caption["y"] + caption["height"] <= frame["y"] + 1
    assert frame["y"] < PHONE["height"] / 3, frame  # the map starts in the first third of the screen
    assert frame["y"] + frame["height"] <= PHONE["height"], frame  # and ends on it
    assert frame["x"] >= 0 and frame["x"] + frame["width"] <= PHONE["width"]
    assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
    phone.no_traceback()


def test_the_overview_on_a_phone_has_its_map_on_the_first_screen(phone):
    phone.open("/").wait_for_map()
    frame = phone.box(MAP_FRAME)
    phone.shot("phone-overview", full_page=False)
    on_screen = PHONE["height"] - frame["y"]
    assert on_screen >= frame["height"] / 2, frame  # the key figures leave at least half the map on the first screen
    assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    phone.no_traceback()


@pytest.mark.parametrize("path", ["/strikes", "/sources"])
def test_tables_on_a_phone_stay_within_the_screen(phone, path):
    phone.open(path)
    table = phone.page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(timeout=60_000)
    table.scroll_into_view_if_needed()
    phone.settle()
    box = table.bounding_box()
    phone.shot(f"phone{path.replace('/', '-')}-table", full_page=False)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["height"] >= 150, box  # rows to read, not a sliver
    assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    phone.no_traceback()


def _column_borders(png: bytes) -> tuple[list[int], np.ndarray]:
    """x of each vertical grid line in a screenshot of a table (the frame's edges included), and its pixels.

    The table is drawn on a canvas: its column borders are the light grey lines that run through every row.
    """
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    rows = pixels[40:-5]  # below the header, above the frame's bottom edge
    bright, spread = rows.max(axis=2), rows.max(axis=2) - rows.min(axis=2)
    line = (bright > 180) & (bright < 245) & (spread < 12)
    return [int(x) for x in np.flatnonzero(line.mean(axis=0) > 0.8)], pixels


@pytest.mark.parametrize(("path", "layer"), [("/strikes", "strike"), ("/captures", "capture")])
def test_the_figures_column_shows_whole_at_1600_px(browser, server, path, layer):
    from geo import layers
    from views.layer import statement_columns

    wide = Visitor(browser, server, {"width": 1600, "height": 1000})
    try:
        wide.open(path)
        table = wide.page.locator('[data-testid="stDataFrame"]').last  # the statements (after any region table)
        table.wait_for(timeout=60_000)
        table.scroll_into_view_if_needed()
        wide.settle()  # the map's report and its rerun over: the table is drawn as it stays
        png = table.screenshot()
        (ARTIFACTS / f"table-1600{path.replace('/', '-')}.png").write_bytes(png)
        borders, pixels = _column_borders(png)
        column = statement_columns(layers.get(layer).page.table_columns).index("figures")
        assert len(borders) > column + 2, borders  # the Figures column's right border is inside the frame
        left, right = borders[column], borders[column + 1]
        assert right < pixels.shape[1] - 2 and right - left >= 200, borders
        text = pixels[40:-5, left + 2 : right - 1].max(axis=2) < 150  # dark pixels: letters
        assert text.any(), "no figures drawn"
        assert not text[:, -12:].any(), "a figure runs into the column's edge (cut)"
        wide.no_traceback()
    finally:
        wide.close()
