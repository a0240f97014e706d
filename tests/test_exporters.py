"""Exports (issue 4): data formats, standalone HTML, PNG/PDF snapshots and ``python -m geo export``."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from geo.claims import fold
from geo.errors import GeoError
from geo.exporters import export, to_csv, to_geojson, to_gpkg, to_html, to_kml
from geo.exporters.html import CAVEAT
from geo.filters import Filter
from geo.seed import load_seed

ROOT = Path(__file__).resolve().parents[1]
KML = "{http://www.opengis.net/kml/2.2}"
LOCAL = ("file:", "data:", "about:")


@pytest.fixture(scope="module")
def seed():
    events, claims = load_seed()
    return fold(events, claims), claims


def _has_point(events: gpd.GeoDataFrame) -> int:
    g = events.geometry
    return int((g.notna() & ~g.is_empty & (g.geom_type == "Point")).sum())


# --- data ------------------------------------------------------------------------------------------------------


def test_geojson_round_trip(seed, tmp_path):
    events, claims = seed
    before = events.copy()
    out = to_geojson(events, claims, tmp_path / "e.geojson")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["features"]) == len(events)
    nulls = [f for f in doc["features"] if f["geometry"] is None]
    assert len(nulls) == len(events) - _has_point(events)
    feat = doc["features"][0]
    assert "status" in feat["properties"]
    claim = feat["properties"]["claims"][0]
    assert {"claimant", "party", "stated_at", "stance", "figures", "source_url", "publisher"} <= set(claim)
    assert sum(len(f["properties"]["claims"]) for f in doc["features"]) == len(claims)
    back = gpd.read_file(out)
    assert sorted(back["event_id"]) == sorted(events["event_id"])
    assert events.equals(before)


def test_gpkg_round_trip(seed, tmp_path):
    events, claims = seed
    out = to_gpkg(events, claims, tmp_path / "e.gpkg")
    back = gpd.read_file(out, layer="events")
    assert sorted(back["event_id"]) == sorted(events["event_id"])
    assert int(back.geometry.notna().sum()) == _has_point(events)
    cl = gpd.read_file(out, layer="claims")
    assert len(cl) == len(claims)
    if shutil.which("ogrinfo") is None:
        pytest.skip("ogrinfo (gdal-bin) is not installed")
    info = subprocess.run(["ogrinfo", "-so", str(out), "events"], capture_output=True, text=True, check=True).stdout
    assert f"Feature Count: {len(events)}" in info
    layers = subprocess.run(["ogrinfo", "-so", str(out)], capture_output=True, text=True, check=True).stdout
    assert "events" in layers and "claims" in layers


def test_csv_one_row_per_claim(seed, tmp_path):
    events, claims = seed
    out = to_csv(events, claims, tmp_path / "c.csv")
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(claims)
    assert {"event_id", "lon", "lat", "claim_id", "claim_claimant", "claim_publisher"} <= set(rows[0])
    pointless = set(events.loc[events.geometry.isna(), "event_id"])
    assert all(r["lon"] == "" for r in rows if r["event_id"] in pointless)


def test_kml_parses_with_escaped_text(seed, tmp_path):
    events, claims = seed
    evil = events.copy()
    evil.loc[evil.index[0], "title"] = '<b>"Fish" & chips</b>'
    out = to_kml(evil, claims, tmp_path / "e.kml")
    root = ET.parse(out).getroot()
    marks = root.findall(f".//{KML}Placemark")
    assert len(marks) == _has_point(events)
    assert "<b>" not in out.read_text(encoding="utf-8")
    assert events.loc[events.index[0], "title"] != evil.loc[evil.index[0], "title"]  # input not mutated


@pytest.mark.parametrize("writer", [to_geojson, to_gpkg, to_csv, to_kml])
def test_unwritable_path_writes_nothing(seed, tmp_path, writer):
    events, claims = seed
    with pytest.raises(GeoError, match="unwritable path"):
        writer(events, claims, tmp_path / "missing" / "x.out")
    with pytest.raises(GeoError, match="unwritable path"):
        writer(events, claims, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_old_file(seed, tmp_path, monkeypatch):
    events, claims = seed
    target = tmp_path / "e.geojson"
    target.write_text("old", encoding="utf-8")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("geo.exporters.data.json.dumps", boom)
    with pytest.raises(RuntimeError):
        to_geojson(events, claims, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["e.geojson"]


# --- standalone HTML -------------------------------------------------------------------------------------------


def test_html_offline_in_chromium(seed, tmp_path, browser):
    events, claims = seed
    evil = claims.copy()
    evil.loc[evil.index[0], "publisher"] = "<script>alert(1)</script>"
    out = to_html(events, evil, Filter.create(layers=["capture", "strike"]), tmp_path / "m.html", title="T & <b>")
    text = out.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)" in text
    assert CAVEAT in text and "T &amp; &lt;b&gt;" in text
    context = browser.new_context()
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(out.as_uri())
    page.wait_for_function("typeof L === 'object'")
    page.wait_for_selector(".leaflet-overlay-pane canvas, .leaflet-overlay-pane path", state="attached")
    assert (
        page.evaluate("document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path').length")
        > 0
    )
    assert errors == [] and outside == []
    context.close()


# --- PNG / PDF -------------------------------------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def _colours(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as im:
        pixels = np.asarray(im.convert("RGB").resize((400, 300))).reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


@pytest.mark.parametrize(("size", "want"), [(None, (1920, 1080)), ("720p", (1280, 720))])
def test_png_is_a_briefing_slide_of_its_size_and_not_blank(seed, tmp_path, browser, size, want):
    events, claims = seed
    out = export("png", events, claims, Filter(), tmp_path / "m.png", size=size)
    assert _png_size(out) == want
    assert _colours(out) > 100


def test_png_of_nothing_says_so(seed, tmp_path, browser):
    from geo.exporters.html import render_page

    events, claims = seed
    empty_e, empty_c = events.iloc[:0], claims.iloc[:0]
    assert "No events match" in render_page(empty_e, empty_c, Filter())
    out = export("png", empty_e, empty_c, Filter(), tmp_path / "e.png")
    assert _png_size(out) == (1920, 1080)


@pytest.mark.parametrize("size", [(0, 100), (50000, 100), "99x99", "big", "a4", "square", "800x600"])
def test_png_bad_size_writes_nothing(seed, tmp_path, size):
    events, claims = seed
    with pytest.raises(GeoError) as err:
        export("png", events, claims, Filter(), tmp_path / "m.png", size=size)
    assert "16:9" in str(err.value) or "size" in str(err.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_briefing_text(seed, tmp_path, browser):
    events, claims = seed
    out = export("pdf", events, claims, Filter(), tmp_path / "b.pdf", title="Weekly briefing 7")
    assert out.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Weekly briefing 7" in flat
    assert CAVEAT in flat
    assert "Abu Dhabi, round 1" in flat and "Geneva, round 3" in flat  # the rounds of talks on the timeline
    for publisher in set(claims["publisher"].dropna()):  # the numbered sources, by publisher
        assert " ".join(publisher.split()) in flat, publisher
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        assert "(A4)" in info and int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3  # slide, claims, sources


# --- command line ----------------------------------------------------------------------------------------------


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", "export", *args],
        cwd=cwd,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    from geo.store import open_store

    path = tmp_path_factory.mktemp("store") / "s.gpkg"
    open_store(path, create=True, seed=True)
    return path


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv", "kml", "html"])
def test_cli_export_data(cli_store, tmp_path, fmt):
    out = tmp_path / f"x.{fmt}"
    r = _cli("--format", fmt, "--out", str(out), "--store", str(cli_store), "--layer", "strike", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 0


def test_cli_url_and_override(cli_store, tmp_path):
    out = tmp_path / "x.geojson"
    link = "http://localhost:8501/map?layer=strike&layer=capture"
    r = _cli("--format", "geojson", "--out", str(out), "--store", str(cli_store), "--url", link, "--layer", "strike",
             cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    layers = {f["properties"]["layer"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]}
    assert layers == {"strike"}


def test_cli_png(cli_store, tmp_path, browser):
    out = tmp_path / "x.png"
    r = _cli("--format", "png", "--out", str(out), "--store", str(cli_store), "--size", "1280x720", "--title", "T",
             cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert _png_size(out) == (1280, 720)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "bogus", "--out", "x.bin"], "unknown export format"),
        (["--format", "csv", "--out", "missing/x.csv"], "unwritable path"),
        (["--format", "png", "--out", "x.png", "--size", "0x100"], "outside 100..10000"),
        (["--format", "png", "--out", "x.png", "--size", "50000x100"], "outside 100..10000"),
        (["--format", "png", "--out", "x.png", "--size", "800x600"], "a briefing slide is 16:9"),
        (["--format", "csv", "--out", "x.csv", "--region", "Atlantis"], "no region matches 'Atlantis'"),
    ],
)
def test_cli_bad_requests(cli_store, tmp_path, args, message):
    r = _cli(*args, "--store", str(cli_store), cwd=tmp_path)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert list(tmp_path.iterdir()) == []


# --- small timeline in the page header -------------------------------------------------------------------------

_LAYER_RECT = re.compile(r"<rect\b[^>]*\bfill=\"(#7570b3|#d95f02|#1b9e77)\"")


def test_page_has_svg_timeline(seed):
    from geo.exporters.html import render_page

    events, claims = seed
    page = render_page(events, claims, Filter())
    block = page[page.index('<div id="export-timeline"') :]
    block = block[: block.index("</svg>")]
    assert "Timeline" in block and "<svg" in block and 'viewBox="0 0 900 140"' in block
    assert len(_LAYER_RECT.findall(block)) > 0
    for label in ("Abu Dhabi, round 1", "Abu Dhabi, round 2", "Geneva, round 3"):
        assert label in block, label
    assert "23 Jan 2026" in block and "18 Feb 2026" in block
    assert "<script" not in block and "http" not in block.replace("http://www.w3.org/2000/svg", "")


def test_timeline_counts_per_day_and_layer(seed):
    from geo.exporters.html import _timeline_svg

    events, _claims = seed
    svg = _timeline_svg(events)
    pattern = r'<rect class="tl-(?:bar|spread)" data-layer="(\w+)" data-start="[\d-]+" data-events="([\d.e-]+)"'
    bars = re.findall(pattern, svg)
    total = {layer: sum(float(n) for lay, n in bars if lay == layer) for layer in ("capture", "strike", "impact")}
    counted = events["layer"].value_counts()
    assert total == pytest.approx({layer: int(counted.get(layer, 0)) for layer in total})  # spread shares add to 1
    assert "events per day" in svg
    assert re.search(r"<title>15 Feb 2026: \d+ strikes?</title>", svg)


def test_timeline_weekly_for_long_spans(seed):
    import pandas as pd

    from geo.exporters.html import _timeline_svg

    events, _claims = seed
    far = events.copy()
    far.loc[far.index[0], "time_start"] = pd.Timestamp("2024-01-01")
    assert "events per week" in _timeline_svg(far)


def test_timeline_talks_argument_and_escaping(seed):
    from geo.exporters.html import _timeline_svg, render_page

    events, claims = seed
    ground = events[events["layer"] != "talks"]
    assert "round 1" not in _timeline_svg(ground)
    talks = events[events["layer"] == "talks"].copy()
    talks["venue"] = None
    talks["place"] = None
    talks.loc[talks.index[0], "title"] = "<img src=x onerror=alert(1)>"
    page = render_page(ground, claims, Filter(), talks=talks)
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert events.loc[talks.index[0], "title"] != "<img src=x onerror=alert(1)>"  # input not mutated


def test_timeline_absent_for_no_events(seed):
    from geo.exporters.html import _timeline_svg, render_page

    events, claims = seed
    assert _timeline_svg(events.iloc[:0]) == ""
    page = render_page(events.iloc[:0], claims.iloc[:0], Filter())
    assert 'id="export-timeline"' not in page and "No events match" in page


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_cli_pdf_keeps_the_talks_under_a_region_filter(cli_store, tmp_path):
    """Talks have no region: a region filter must not take the rounds of talks off the briefing's timeline."""
    out = tmp_path / "bryansk.pdf"
    proc = _cli("--format", "pdf", "--out", str(out), "--region", "RU-BRY", "--store", str(cli_store), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Bryansk" in text
    assert "Abu Dhabi, round 1" in text and "Geneva, round 3" in text


# --- one timeline binning: the dashboard's chart and the export's SVG ---------------------------------------------


def test_three_year_span_binned_alike_in_chart_and_export():
    import pandas as pd

    from geo.charts import timeline
    from geo.exporters.html import _timeline_svg

    events = pd.DataFrame(
        {
            "layer": ["strike", "capture", "impact", "strike", "talks"],
            "time_start": pd.to_datetime(["2023-01-04", "2024-06-01", "2025-12-31", "2025-12-30", "2024-03-05"]),
            "time_end": pd.to_datetime(["2023-01-04", "2024-06-01", "2025-12-31", "2025-12-30", "2024-03-06"]),
            "title": ["a", "b", "c", "d", "Talks in Riyadh"],
            "place": [None, None, None, None, "Riyadh"],
        }
    )
    spec = timeline(events).to_dict()
    chart_bars = {(r["start"], r["layer"], r["events"]) for d in spec["datasets"].values() for r in d if "y0" in r}
    svg = _timeline_svg(events)
    svg_bars = {
        (start, layer, int(n))
        for layer, start, n in re.findall(r'data-layer="(\w+)" data-start="([\d-]+)" data-events="(\d+)"', svg)
    }
    assert chart_bars == svg_bars == {("2023-01-02", "strike", 1), ("2024-05-27", "capture", 1),
                                      ("2025-12-29", "impact", 1), ("2025-12-29", "strike", 1)}  # fmt: skip
    assert 'data-unit="week"' in svg and "events per week" in svg
    assert "events per week" in json.dumps(spec["layer"])
    assert "Riyadh" in svg and "4 Jan 2023" not in svg and "2 Jan 2023" in svg  # the first bin's first day


# --- another language ---------------------------------------------------------------------------------------------

_DUMMY = {
    "Sources": "ZZSources",
    "Timeline": "ZZTimeline",
    "Key figures (as claimed): {figures}.": "ZZKey figures: {figures}.",
    "Claims by parties to the war, not independently verified": "ZZCaveat",
    "Russia–Ukraine war: claimed events": "ZZTitle",
    "events per day": "ZZevents per day",
    "Filter: {what}": "ZZFilter: {what}",
    "Made {when}.": "ZZMade {when}.",
    "Feb": "ZZFeb",
    "No events match": "ZZNo events match",
}


@pytest.fixture
def dummy_language():
    from geo import i18n

    i18n.register(
        i18n.Catalog(
            "xx", "Dummy", messages=_DUMMY, plurals={"{n} strike": {"one": "{n} ZZstrike", "other": "{n} ZZstrikes"}}
        )
    )
    yield "xx"
    i18n.unregister("xx")


def test_html_export_in_another_language(seed, tmp_path, dummy_language):
    from geo import i18n
    from geo.exporters import export

    events, claims = seed
    out = export("html", events, claims, Filter(), tmp_path / "xx.html", lang=dummy_language)
    text = out.read_text(encoding="utf-8")
    for word in ("ZZSources", "ZZTimeline", "ZZKey figures:", "ZZCaveat", "ZZTitle", "ZZevents per day", "ZZFilter:",
                 "ZZMade", "15 ZZFeb 2026", "ZZstrikes"):  # fmt: skip
        assert word in text, word
    assert '<html lang="xx"' in text and "<title>ZZTitle</title>" in text
    assert i18n.language() == "en"  # the language was set for the export only
    english = to_html(events, claims, Filter(), tmp_path / "en.html").read_text(encoding="utf-8")
    assert "ZZ" not in english and CAVEAT in english and "Key figures (as claimed)" in english
    from geo.exporters.html import render_page

    assert "ZZNo events match" in render_page(events.iloc[:0], claims.iloc[:0], lang=dummy_language)


def test_kml_descriptions_in_another_language(seed, tmp_path, dummy_language):
    events, claims = seed
    out = to_kml(events, claims, tmp_path / "xx.kml", lang=dummy_language)
    text = out.read_text(encoding="utf-8")
    assert "ZZCaveat." in text and CAVEAT not in text
    assert "Place: Zaliznychne" in text  # a message the catalog lacks stays English
    assert CAVEAT + "." in to_kml(events, claims, tmp_path / "en.kml").read_text(encoding="utf-8")


# --- a layer registered later is exported, counted and charted with no other change --------------------------


@pytest.fixture
def shelled(shelling):
    """Two validated, folded events of the throw-away layer (registered for one test) and one strike."""
    import pandas as pd
    from shapely.geometry import Point

    from geo import validate

    common = {"geo_precision": "exact", "time_precision": "day", "dataset": "test"}
    rows = [
        {"event_id": "sh-1", "layer": "shelling", "place": "Kramatorsk", "time_start": "2026-02-10",
         "title": "Shelling of Kramatorsk"},
        {"event_id": "sh-2", "layer": "shelling", "place": "Sloviansk", "time_start": "2026-02-11",
         "title": "Shelling of Sloviansk"},
        {"event_id": "st-1", "layer": "strike", "place": "Bryansk", "time_start": "2026-02-11",
         "title": "Drones over Bryansk", "weapon": "drone", "target_type": "energy"},
    ]  # fmt: skip
    points = [Point(37.56, 48.72), Point(37.62, 48.85), Point(34.36, 53.25)]
    frame = pd.DataFrame([common | r | {"time_end": r["time_start"]} for r in rows])
    events = gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")
    source = {"party": "UA", "stance": "asserts", "publisher": "Test", "source_url": "https://example.org/x"}
    claims = pd.DataFrame(
        [
            source | {"claim_id": "sh-1-c1", "event_id": "sh-1", "claimant": "Donetsk OVA", "stated_at":
                      "2026-02-10T18:00", "killed": 2.0, "killed_bound": "at_least"},
            source | {"claim_id": "sh-2-c1", "event_id": "sh-2", "claimant": "Donetsk OVA", "stated_at":
                      "2026-02-11T09:00", "killed": 1.0, "wounded": 4.0},
            source | {"claim_id": "st-1-c1", "event_id": "st-1", "claimant": "Governor of Bryansk Oblast",
                      "party": "RU", "stated_at": "2026-02-11T10:00", "intercepted": 12.0},
        ]
    )  # fmt: skip
    events, claims = validate.validate(events, claims, context="shelling test")
    return fold(events, claims), claims


def test_registered_layer_is_exported(shelled, tmp_path):
    import pandas as pd

    from geo.exporters import export

    events, claims = shelled
    doc = json.loads(export("geojson", events, claims, None, tmp_path / "s.geojson").read_text(encoding="utf-8"))
    layers_seen = {f["properties"]["event_id"]: f["properties"]["layer"] for f in doc["features"]}
    assert layers_seen == {"sh-1": "shelling", "sh-2": "shelling", "st-1": "strike"}
    rows = pd.read_csv(export("csv", events, claims, None, tmp_path / "s.csv"))
    assert sorted(rows.loc[rows["event_layer"] == "shelling", "event_id"]) == ["sh-1", "sh-2"]
    page = export("html", events, claims, None, tmp_path / "s.html").read_text(encoding="utf-8")
    svg = page[page.index('<div id="export-timeline"') :]
    svg = svg[: svg.index("</svg>")]
    assert re.search(r'data-layer="shelling" data-start="2026-02-10" data-events="1"[^>]*fill="#795548"', svg)
    assert "Shelling" in svg and "2 shellings" in page  # the timeline's key, the key figures
    if "Shelling of Kramatorsk" not in page:
        pytest.xfail("geo.mapview.build_map does not draw a layer registered later yet (the map helper's work)")
    assert "Shelling of Sloviansk" in page


def test_registered_layer_is_counted_and_charted(shelled):
    from geo import stats
    from geo.charts import timeline
    from geo.exporters.html import _figures_text

    events, claims = shelled
    summary = stats.summary(events, claims)
    assert summary["layers"]["shelling"] == 2 and summary["layers"]["strike"] == 1
    figures = stats.key_figures(events)
    assert figures["layers"] == {"capture": 0, "strike": 1, "impact": 0, "talks": 0, "shelling": 2}
    assert figures["strikes"] == 1 and figures["intercepted"] == "12"
    assert "2 shellings" in _figures_text(events) and "1 strike (intercepted 12)" in _figures_text(events)
    bars = [r for d in timeline(events).to_dict()["datasets"].values() for r in d if "y0" in r]
    assert sorted((r["start"], r["layer"]) for r in bars) == [
        ("2026-02-10", "shelling"), ("2026-02-11", "shelling"), ("2026-02-11", "strike")
    ]  # fmt: skip
