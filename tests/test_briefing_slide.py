"""The briefing slide (geo/briefing/slide.py): 1920×1080 and 1280×720 PNGs of the bundled data and of views that
are not in the issue — everything, nothing, one day, long Cyrillic text with markup, claims set against assessed
control. Rendered once per module with one Chromium; the layout's boxes are read from the same page in a browser."""

from __future__ import annotations

import datetime as dt
import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from geo.briefing.chromium import Chromium
from geo.briefing.slide import layout, slide_html, to_png
from geo.briefing.view import views
from geo.filters import Filter
from geo.store import open_store

pytestmark = pytest.mark.browser

BRYANSK = "?from=2026-02-15&to=2026-02-16&region=RU-BRY"
URLS = {
    "bryansk": BRYANSK,
    "all": "",
    "empty": "?from=2030-01-01&to=2030-01-02",
    "day": "?from=2026-02-15&to=2026-02-15&region=RU-BRY",
}
BRYANSK_FILL = np.array([154, 133, 178])
"""The fill of Bryansk Oblast on the map (its choropleth colour for one impact event)."""
LONG_RU = "Губернатор Брянской области (А. Богомаз) сообщает о перехвате беспилотников над областью " * 3
MADE = dt.datetime(2026, 2, 17, 9, 30, tzinfo=dt.UTC)

BOXES_JS = """() => Object.fromEntries(['bf-map', 'bf-legend', 'bf-claims', 'bf-totals', 'bf-timeline', 'bf-sources',
  'bf-foot', 'bf-title'].filter(id => document.getElementById(id)).map(id => {
    const r = document.getElementById(id).getBoundingClientRect();
    return [id, [r.left, r.top, r.right, r.bottom]];
  }))"""
SMALLEST_JS = """() => {
  let least = 1e9;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || el.closest('.fit-hidden')) continue;
    least = Math.min(least, parseFloat(getComputedStyle(el).fontSize));
  }
  return least;
}"""
FITS_JS = """() => Array.from(document.querySelectorAll('[data-fit]')).map(p => ({
  fit: p.getAttribute('data-fit'), hidden: Number(p.getAttribute('data-hidden')),
  more: p.querySelector('.fit-more').textContent,
  over: p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1}))"""


def _cyrillic_store(path):
    """One strike with long Cyrillic names and markup in its texts, and a denial."""
    store = open_store(str(path), create=True, seed=False)
    events = gpd.GeoDataFrame(
        {
            "event_id": ["ru-1"],
            "layer": "strike",
            "title": ["Атака беспилотников <script>alert(1)</script> на Брянскую область"],
            "place": ["Брянская область"],
            "country": "RU",
            "admin1": ["RU-BRY"],
            "geo_precision": ["admin1"],
            "time_start": [pd.Timestamp("2026-02-15")],
            "time_end": [pd.Timestamp("2026-02-15")],
            "time_precision": ["day"],
        },
        geometry=[None],
        crs="EPSG:4326",
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["c1", "c2", "c3"],
            "event_id": ["ru-1"] * 3,
            "claimant": [LONG_RU.strip(), LONG_RU.strip(), "Генштаб ВСУ <b>"],
            "party": ["RU", "RU", "UA"],
            "stated_at": [
                pd.Timestamp("2026-02-15 10:00"),
                pd.Timestamp("2026-02-15 20:00"),
                pd.Timestamp("2026-02-16"),
            ],
            "stance": ["asserts", "revises", "denies"],
            "publisher": ["ТАСС", "ТАСС", "Укрінформ"],
            "source_url": ["https://tass.ru/a", "https://tass.ru/b", "https://www.ukrinform.ua/c"],
            "intercepted": [40.0, 75.0, None],
        }
    )
    store.write(events, claims, dataset="cyrillic")
    return store


@pytest.fixture(scope="module")
def slides(tmp_path_factory, browser):
    """PNGs, HTML pages, DOM boxes and panel fits of each view, rendered once."""
    from tests.test_control_views import write_store

    folder = tmp_path_factory.mktemp("briefing-slide")
    seeded = open_store(str(folder / "conflict.gpkg"))
    write_store(folder / "control.gpkg", folder / "days")
    control = open_store(str(folder / "control.gpkg"))
    cyrillic = _cyrillic_store(folder / "cyrillic.gpkg")
    out: dict[str, dict] = {}
    with Chromium() as chromium:
        made = views(seeded, [Filter.from_url(u) for u in URLS.values()], chromium=chromium, made=MADE)
        made += views(control, [Filter()], chromium=chromium, made=MADE)
        made += views(cyrillic, [Filter()], chromium=chromium, made=MADE)
        for name, view in zip([*URLS, "control", "cyrillic"], made, strict=True):
            png = to_png(view, folder / f"{name}.png", chromium=chromium)
            out[name] = {"view": view, "png": png, "html": slide_html(view)}
        out["720p"] = {"png": to_png(made[0], folder / "720.png", size="720p", chromium=chromium)}
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        for item in out.values():
            if "html" not in item:
                continue
            page.set_content(item["html"], wait_until="load")
            page.wait_for_function("window.cmSlideFitted === true")
            item["boxes"] = page.evaluate(BOXES_JS)
            item["smallest"] = page.evaluate(SMALLEST_JS)
            item["fits"] = page.evaluate(FITS_JS)
            item["text"] = page.inner_text("body")
    finally:
        page.close()
    return out


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_pngs_are_1920x1080_and_720p_is_the_same_layout_at_two_thirds(slides):
    big = Image.open(slides["bryansk"]["png"])
    small = Image.open(slides["720p"]["png"])
    assert big.size == (1920, 1080)
    assert small.size == (1280, 720)
    # the same layout: the map frame's border sits at 2/3 of its place on the big slide
    x0, y0, _x1, y1 = slides["bryansk"]["boxes"]["bf-map"]
    grey = np.asarray(small.convert("L"), dtype=int)
    row = grey[int((y0 + y1) / 2 * 2 / 3)]
    assert row[int(x0 * 2 / 3)] < 235 and row[int(x0 * 2 / 3) - 4] > 250


def test_bryansk_lies_inside_the_map_frame_with_a_margin(slides):
    item = slides["bryansk"]
    x0, y0, x1, y1 = (round(v) for v in item["boxes"]["bf-map"])
    pixels = np.asarray(Image.open(item["png"]).convert("RGB"), dtype=int)[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1]
    fill = np.abs(pixels - BRYANSK_FILL).sum(axis=2) < 12
    assert fill.sum() > 50_000  # the oblast is there, drawn large
    rows, cols = np.nonzero(fill)
    h, w = fill.shape
    assert rows.min() >= 0.03 * h and rows.max() <= 0.97 * h
    assert cols.min() >= 0.03 * w and cols.max() <= 0.97 * w


def test_panels_sit_beside_the_map_never_on_it(slides):
    for name in ("bryansk", "all", "control", "cyrillic"):
        boxes = slides[name]["boxes"]
        frame = boxes["bf-map"]
        for part, box in boxes.items():
            if part != "bf-map":
                assert not _overlap(frame, box), (name, part)
            assert box[0] >= 0 and box[2] <= 1920 and box[1] >= 0 and box[3] <= 1080, (name, part, box)


def test_text_is_at_least_16_px_on_the_slide(slides):
    for name in ("bryansk", "all", "empty", "control", "cyrillic"):
        assert slides[name]["smallest"] >= 16, name
        svg_sizes = [float(s) for s in __import__("re").findall(r'font-size="([\d.]+)"', slides[name]["html"])]
        assert all(s >= 16 for s in svg_sizes), name
    assert layout("a4").small >= 8 * 96 / 72 * 0.99  # 8 pt in print


def test_the_slide_says_what_the_briefing_says(slides):
    text = slides["bryansk"]["text"]
    assert "Russia–Ukraine war: claimed events" in text
    assert "events or statements 15–16 Feb 2026 · Bryansk Oblast" in text
    assert "Governor of Bryansk Oblast (A. Bogomaz) (RU)" in text
    assert "intercepted 229" in text and "(120 → ≥170 → 229)" in text
    assert "229–331, claims may overlap" in text and "331" not in text.replace("229–331", "")
    assert "[1] The Kyiv Independent" in text and "[3] MENAFN" in text
    assert "Claims by parties to the war, not independently verified." in text
    assert "Made 17 Feb 2026 09:30 UTC" in text
    assert "4 of 31 events" in text  # from which data
    assert "Legend" in text and "Claims by parties, not verified." in text


def test_panels_that_do_not_fit_are_cut_and_say_how_much_more(slides):
    for name in ("bryansk", "all", "cyrillic", "control"):
        for fit in slides[name]["fits"]:
            assert not fit["over"], (name, fit)
    bryansk = {f["fit"]: f for f in slides["bryansk"]["fits"]}
    assert bryansk["claims"]["hidden"] == 0 and bryansk["claims"]["more"] == ""
    everything = {f["fit"]: f for f in slides["all"]["fits"]}
    more = int(everything["claims"]["more"].split()[1])  # "and 23 more claims — see …"
    assert "more claims — see the claims table in the PDF briefing" in everything["claims"]["more"]
    b = slides["all"]["view"].briefing  # every key-claim line of the view is on the slide or counted
    assert more == b.lines_total - len(b.lines) + everything["claims"]["hidden"]
    assert everything["sources"]["more"].endswith("full addresses in the PDF briefing")


def test_an_empty_view_says_so(slides):
    text = slides["empty"]["text"]
    assert "No events match the current filters." in text
    assert Image.open(slides["empty"]["png"]).size == (1920, 1080)


def test_the_timeline_bins_a_short_view_by_day_with_the_statements_by_hour(slides):
    html = slides["day"]["html"]
    assert 'data-days="1"' in html and 'data-unit="day"' in html
    assert "12:00" in html and "tl-said" in html  # the governor's 12:00 and 18:00 statements
    widths = [float(w) for w in __import__("re").findall(r'class="tl-bar"[^>]*width="([\d.]+)"', html)]
    assert widths and max(widths) < 0.5 * layout("slide").map_width  # a column, not one solid block
    two_days = slides["bryansk"]["html"]
    assert 'data-days="2"' in two_days and "16 Feb" in two_days
    assert "Abu Dhabi, round 1" in slides["all"]["html"]  # talks as bands


def test_long_cyrillic_text_and_markup_are_escaped_and_contained(slides):
    item = slides["cyrillic"]
    assert "<script>alert(1)" not in item["html"] and "&lt;script&gt;alert(1)" in item["html"]
    assert "Генштаб ВСУ <b>" in item["text"]  # the answer, as text, beside the claim
    assert "intercepted 75" in item["text"] and "(40 → 75)" in item["text"]
    assert "ТАСС" in item["text"]


def test_claims_set_against_assessed_control_show_verdicts_and_the_caveat(slides):
    item = slides["control"]
    view = item["view"]
    verdicts = [v for line in view.briefing.lines for v in line.verdicts]
    assert verdicts and view.briefing.assessment_caveat
    assert view.briefing.assessment_caveat in item["text"]
    assert f"{verdicts[0].assessor}: {verdicts[0].label}" in item["text"]


def test_to_png_writes_nothing_to_a_bad_path(slides, tmp_path):
    from geo.errors import GeoError

    with pytest.raises(GeoError):
        to_png(slides["bryansk"]["view"], tmp_path / "missing" / "x.png", chromium=None)  # type: ignore[arg-type]
    assert not (tmp_path / "missing").exists()
    assert io.BytesIO(slides["bryansk"]["png"].read_bytes()).getbuffer().nbytes > 10_000
    assert shapely  # (imported for the store fixture's geometries)
