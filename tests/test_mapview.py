"""The folium map: layers, legend, popups with claim history, escaping, aggregation, and a real browser."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import present
from geo.assets import ensure_static
from geo.claims import fold
from geo.errors import ValidationError
from geo.mapview import DEFAULT_BOUNDS, build_map, legend_entries
from geo.reference import load_admin1
from geo.seed import load_seed
from geo.synthetic import generate
from tests.folium_pages import feature_collections

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "</script><script>alert(2)</script>"
REGION_LAYER = "Claims at region precision"


# --- helpers ---------------------------------------------------------------------------------------------------


def _label(layer: str) -> str:
    """A layer's name in the layer control and the legend (from the registry)."""
    return present.layer_label(layer)


@functools.cache
def _seed() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    events, claims = load_seed()
    return fold(events, claims), claims


def _decoded(page: str) -> str:
    """The page with JSON string escapes undone (folium embeds GeoJSON and legend HTML as JSON)."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    return text.replace('\\"', '"').replace("\\/", "/")


def _layers(m: folium.Map) -> dict[str, list[dict]]:
    """Features of each named layer (FeatureGroup) of the map."""
    out: dict[str, list[dict]] = {}
    for group in m._children.values():
        if not isinstance(group, folium.FeatureGroup):
            continue
        for child in group._children.values():
            if isinstance(child, folium.GeoJson):
                out.setdefault(group.layer_name, []).extend(child.data["features"])
    return out


def _popup_of(features: list[dict], needle: str) -> str:
    hits = [f["properties"]["popup"] for f in features if needle in f["properties"].get("popup", "")]
    assert hits, f"no popup mentions {needle!r}"
    return hits[0]


def _hostile() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The seed with XSS strings in titles, places, claimants, claim texts, publishers and source URLs."""
    events, claims = load_seed()
    events = events.copy()
    claims = claims.copy()
    zal = events["event_id"] == "feb26-cap-zaliznychne"
    events.loc[zal, "title"] = XSS_IMG
    events.loc[zal, "place"] = XSS_SCRIPT
    events.loc[events["event_id"] == "feb26-cap-popivka", "title"] = XSS_SCRIPT + XSS_IMG
    events.loc[events["event_id"] == "feb26-impact-bryansk-outage", "title"] = XSS_IMG
    events.loc[events["event_id"] == "feb26-talks-geneva-3", "place"] = XSS_SCRIPT
    mod = claims["claim_id"] == "feb26-cap-zaliznychne-mod"
    denial = claims["claim_id"] == "feb26-cap-zaliznychne-voloshyn"
    claims.loc[mod, "claimant"] = XSS_IMG
    claims.loc[mod, "text"] = XSS_IMG + XSS_SCRIPT
    claims.loc[mod, "publisher"] = XSS_SCRIPT
    claims.loc[mod, "source_url"] = "javascript:alert(3)"
    claims.loc[denial, "source_url"] = 'https://example.org/?q=<b>"onmouseover=alert(4)'
    claims.loc[denial, "publisher"] = XSS_IMG
    return fold(events, claims), claims


# --- the seed map ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_map() -> tuple[folium.Map, str]:
    events, claims = _seed()
    m = build_map(events, claims)
    return m, m.get_root().render()


def test_seed_map_has_every_layer_legend_and_scale(seed_map):
    _, page = seed_map
    for name in (*(_label(n) for n in ("capture", "strike", "impact", "talks")), REGION_LAYER):
        assert json.dumps(name) in page, name
    assert "Offline basemap" in page
    text = _decoded(page)
    assert "Claims by parties, not verified." in text
    assert "3 events have no location more precise than a country" in text
    assert "Russia claims" in text and "contested: fighting reported" in text
    assert "target: energy" in text
    assert "L.control.scale()" in page
    assert "preferCanvas" in page and "true" in page.split("preferCanvas", 1)[1][:10]
    assert "SYNTHETIC" not in text
    assert "tile.openstreetmap.org" not in page and "basemaps.cartocdn.com" not in page


def test_seed_map_loads_nothing_from_the_network(seed_map):
    _, page = seed_map
    urls = re.findall(r"<(?:script|link)[^>]*\b(?:src|href)=\"([^\"]+)\"", page)
    assert urls == ["/app/static/vendor/leaflet/leaflet.js", "/app/static/vendor/leaflet/leaflet.css"]
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert "$(" not in page and "$." not in page  # no jQuery calls left for a library that is not loaded


def test_zaliznychne_popup_shows_both_claims_and_their_sources(seed_map):
    m, _ = seed_map
    captures = _layers(m)[_label("capture")]
    popup = _popup_of(captures, "Zaliznychne")
    assert "Russian Ministry of Defence" in popup and "<i>asserts</i>" in popup
    assert "Voloshyn" in popup and "<i>denies</i>" in popup
    assert '<span class="cm-st s-disputed">disputed</span>' in popup
    assert (
        '<a href="https://news.mail.ru/politics/69976578/" target="_blank" rel="noopener noreferrer">Mail.ru News</a>'
        in popup
    )
    assert 'href="https://24tv.ua/ru/zheleznodorozhnoe-okkupirovano' in popup and ">24 Kanal</a>" in popup
    assert "Zaporizhzhia Oblast (UA-23)" in popup and "exact location" in popup and "2026-02-10" in popup
    tooltip = next(f["properties"]["tip"] for f in captures if "Zaliznychne" in f["properties"]["popup"])
    assert "Zaliznychne" in tooltip and "disputed" in tooltip


def test_bryansk_governor_revisions_keep_their_bounds(seed_map):
    m, page = seed_map
    regions = _layers(m)[REGION_LAYER]
    popup = _popup_of(regions, "Drone attack on Bryansk Oblast")
    assert "intercepted 120" in popup
    assert "intercepted ≥170" in popup
    assert "intercepted 229" in popup
    assert "intercepted ≥220" in popup  # the press summary, a lower bound
    assert popup.count("(superseded)") == 2  # the governor's first two statements
    assert "<i>revises</i>" in popup
    assert "intercepted ≥170" in _decoded(page)


def test_region_precision_events_are_outlines_never_points(seed_map):
    m, page = seed_map
    events, _ = _seed()
    regional = events[(events["geo_precision"] == "admin1") & (events["layer"] != "impact")]
    codes = {c for cell in regional["admin1"] for c in cell.split(";")}
    admin1 = load_admin1(simplified=True).set_index("iso_3166_2")
    shapes = [admin1.geometry[code] for code in sorted(codes)]
    centres = np.array([[p.x, p.y] for shape in shapes for p in (shape.centroid, shape.representative_point())])
    points = np.array(
        [
            f["geometry"]["coordinates"]
            for fc in feature_collections(page)
            for f in fc["features"]
            if f["geometry"]["type"] == "Point"
        ]
    )
    assert len(points) == int(events["geometry"].notna().sum())  # only events with their own point
    distances = np.sqrt(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
    assert distances.min() > 0.05
    outlines = _layers(m)[REGION_LAYER]
    assert {f["geometry"]["type"] for f in outlines} <= {"Polygon", "MultiPolygon"}
    drawn = {re.search(r"\(([A-Z]{2}-[A-Z0-9]+)\)", f["properties"]["popup"]).group(1) for f in outlines}
    assert drawn == codes
    badges = {f["properties"]["badge"] for f in outlines}
    assert "1 capture claim" in badges and "1 contested" in badges and "2 strikes" in badges


def test_impacts_are_a_choropleth_of_their_regions(seed_map):
    m, _ = seed_map
    regions = _layers(m)[_label("impact")]
    assert len(regions) == 2
    tips = " ".join(f["properties"]["tip"] for f in regions)
    assert "Bryansk Oblast (RU-BRY)" in tips and "Belgorod Oblast (RU-BEL)" in tips
    assert "power 1" in tips and "heating 1" in tips
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in regions)


def test_capture_styles_follow_side_and_status(seed_map):
    m, _ = seed_map
    captures = _layers(m)[_label("capture")]
    by_status = {}
    for f in captures:
        status = re.search(r"s-(\w+)", f["properties"]["popup"]).group(1)
        by_status.setdefault(status, f["properties"]["style"])
    assert by_status["disputed"]["dashArray"] and by_status["disputed"]["color"] == "#c62828"
    assert by_status["contested"]["color"] == "#ef6c00"
    assert all(f["properties"]["style"]["fill"] for f in captures)


def test_talks_venues_are_drawn_but_do_not_pull_the_view_away(seed_map):
    m, page = seed_map
    talks = _layers(m)[_label("talks")]
    assert len(talks) == 3 and all(f["geometry"]["type"] == "Point" for f in talks)
    fit = re.search(r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", page)
    south, west, north, east = map(float, fit.groups())
    assert 40 < south < 50 and west > 25 and north < 60 and east < 45  # not stretched to Geneva or Abu Dhabi


def test_build_map_does_not_change_its_inputs():
    events, claims = _seed()
    before_e, before_c = events.copy(), claims.copy()
    build_map(events, claims, draw=True)
    pd.testing.assert_frame_equal(pd.DataFrame(events), pd.DataFrame(before_e))
    pd.testing.assert_frame_equal(claims, before_c)


# --- escaping --------------------------------------------------------------------------------------------------


def test_hostile_strings_are_escaped_everywhere():
    events, claims = _hostile()
    m = build_map(events, claims)
    page = m.get_root().render()
    text = _decoded(page)
    for raw in (XSS_IMG, XSS_SCRIPT):
        assert raw not in page
        assert raw not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in text
    assert page.count("</script>") == page.count("<script")  # nothing broke out of a script block
    assert "javascript:alert" not in text.replace('"javascript:alert(3)"', "")  # the unsafe URL is no link
    assert 'href="javascript:' not in text
    assert 'href="https://example.org/?q=&lt;b&gt;&quot;onmouseover=alert(4)"' in text
    layers = _layers(m)
    zal = _popup_of(layers[_label("capture")], "cm-st s-disputed")
    assert "&lt;img src=x onerror=alert(1)&gt;" in zal and "<img" not in zal
    tips = [f["properties"]["tip"] for f in layers[_label("capture")]]
    tip = next(t for t in tips if "onerror" in t)
    assert tip.startswith("<b>&lt;img")


# --- synthetic and large inputs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_20k() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    events, claims = generate(20_000, seed=7)
    return fold(events, claims), claims


def test_large_layers_are_aggregated_into_cells(synthetic_20k):
    events, claims = synthetic_20k
    m = build_map(events, claims)
    page = m.get_root().render()
    collections = feature_collections(page)
    event_features = [len(fc["features"]) for fc in collections[2:]]  # the first two are the basemap
    assert max(event_features) <= 3000
    assert sum(event_features) <= 6000
    layers = _layers(m)
    for layer in ("capture", "strike"):
        name = f"{_label(layer)} (aggregated)"
        assert name in layers and _label(layer) not in layers
        cell = layers[name][0]
        assert cell["geometry"]["type"] == "Polygon"
        counts = cell["properties"]["cell"]  # [events, per status…, synthetic]: the browser writes the tooltip
        assert counts[0] == sum(counts[1:-1]) and counts[-1] == counts[0]  # all synthetic, every one has a status
    text = _decoded(page)
    n_captures = int((events["layer"] == "capture").sum())
    assert re.search(rf"aggregated: {n_captures:,} events in [\d,]+ cells", text)
    assert "SYNTHETIC data" in text


def test_synthetic_events_are_labelled_in_popups(synthetic_20k):
    events, claims = synthetic_20k
    m = build_map(events.iloc[:300], claims)
    layers = _layers(m)
    captures = layers[_label("capture")]
    assert all("SYNTHETIC" in f["properties"]["tip"] for f in captures)
    assert all('<span class="cm-synth">SYNTHETIC</span>' in f["properties"]["popup"] for f in captures)
    assert "SYNTHETIC data" in _decoded(m.get_root().render())


def test_max_features_switches_a_layer_to_cells():
    events, claims = _seed()
    layers = _layers(build_map(events, claims, max_features=3))
    assert f"{_label('capture')} (aggregated)" in layers
    assert _label("talks") in layers  # three venues: not above the limit


# --- empty input, options, errors ------------------------------------------------------------------------------


def test_empty_input_gives_a_basemap_and_says_nothing_matches():
    events, claims = _seed()
    m = build_map(events.iloc[:0], claims.iloc[:0])
    page = m.get_root().render()
    assert "Offline basemap" in page
    assert "No events match the current filters." in _decoded(page)
    assert set(_layers(m)) == {"Offline basemap"}
    (south, west), (north, east) = DEFAULT_BOUNDS
    assert f"[[{south}, {west}], [{north}, {east}]]" in page
    empty = build_map(gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"), pd.DataFrame())
    assert "No events match the current filters." in _decoded(empty.get_root().render())


def test_layers_argument_limits_what_is_drawn():
    events, claims = _seed()
    m = build_map(events, claims, layers=("strike",))
    names = set(_layers(m))
    assert names == {"Offline basemap", _label("strike"), REGION_LAYER}
    badges = {f["properties"]["badge"] for f in _layers(m)[REGION_LAYER]}
    assert not any("capture" in b for b in badges)


def test_draw_tools_are_rectangle_and_polygon_only():
    events, claims = _seed()
    m = build_map(events, claims, draw=True)
    draws = [c for c in m._children.values() if isinstance(c, folium.plugins.Draw)]
    assert len(draws) == 1
    options = draws[0].draw_options
    assert {k for k, v in options.items() if v is not False} == {"rectangle", "polygon"}
    assert draws[0].export is False
    page = m.get_root().render()
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.js" in page
    assert "alert(coords)" not in page


def test_tile_basemaps_only_when_asked():
    events, claims = _seed()
    page = build_map(events, claims, basemap="osm").get_root().render()
    assert "tile.openstreetmap.org" in page and "Offline basemap" in page
    page = build_map(events, claims, basemap="carto").get_root().render()
    assert "cartocdn" in page


def test_cdn_assets_when_asked():
    events, claims = _seed()
    page = build_map(events, claims, assets="cdn").get_root().render()
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in page


@pytest.mark.parametrize(
    "kwargs",
    [{"layers": ("captures",)}, {"basemap": "google"}, {"assets": "offline"}, {"max_features": 0}],
)
def test_bad_arguments_are_refused(kwargs):
    events, claims = _seed()
    with pytest.raises(ValidationError):
        build_map(events, claims, **kwargs)


def test_legend_entries_list_what_is_drawn():
    events, _ = _seed()
    entries = legend_entries(events)
    assert entries[0] == ("", "Claims by parties, not verified.")
    sections = {section for section, _ in entries}
    assert {_label("capture"), _label("strike"), _label("impact")} <= sections
    assert (_label("capture"), "Russia claims") in entries
    only_strikes = legend_entries(events, layers=("strike",))
    assert not any(section == _label("capture") for section, _ in only_strikes)


# --- in a real browser -----------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A folder with the vendored assets, served on 127.0.0.1 at an ephemeral port."""
    root = tmp_path_factory.mktemp("site")
    ensure_static(root)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _Visit:
    """A page with every request that is not to 127.0.0.1 blocked, and errors, dialogs and blocks recorded."""

    def __init__(self, browser, base: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.base = base
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def _route(self, route):
        if route.request.url.startswith(self.base + "/"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, root: Path, name: str, m: folium.Map):
        (root / f"{name}.html").write_text(m.get_root().render(), encoding="utf-8")
        self.page.goto(f"{self.base}/{name}.html")
        self.page.wait_for_selector(".leaflet-container")
        self.page.wait_for_timeout(700)
        return self.page

    def map_js(self) -> str:
        return self.page.evaluate("Object.keys(window).find(k => /^map_[0-9a-f]+$/.test(k))")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site):
    v = _Visit(browser, site[1])
    yield v
    v.close()


def _drawn(page, map_var: str) -> dict[str, int]:
    return page.evaluate(
        """(name) => {
            const map = window[name];
            let markers = 0, polygons = 0;
            map.eachLayer(l => {
                if (l instanceof L.CircleMarker) markers++;
                else if (l instanceof L.Polygon) polygons++;
            });
            const canvases = document.querySelectorAll(".leaflet-overlay-pane canvas, .leaflet-pane canvas").length;
            return {markers, polygons, canvases};
        }""",
        map_var,
    )


@pytest.mark.browser
def test_seed_map_draws_offline_in_chromium(visit, site):
    root, base = site
    events, claims = _seed()
    page = visit.open(root, "seed", build_map(events, claims, static_url=f"{base}/vendor", draw=True))
    assert page.evaluate("typeof L") == "object"
    assert page.locator(".leaflet-container").count() == 1
    drawn = _drawn(page, visit.map_js())
    assert drawn["canvases"] >= 1
    assert drawn["markers"] >= int(events["geometry"].notna().sum())
    assert drawn["polygons"] >= 15  # land, regions, choropleth
    legend = page.locator(".cm-legend")
    assert legend.is_visible()
    assert "Claims by parties, not verified." in legend.inner_text()
    assert page.locator(".leaflet-draw-draw-rectangle").count() == 1
    assert page.locator(".leaflet-draw-draw-polygon").count() == 1
    assert page.locator(".leaflet-draw-draw-circle, .leaflet-draw-draw-marker").count() == 0
    assert page.locator(".cm-city").count() > 20
    visit.shot("map_seed")
    map_var = visit.map_js()
    page.evaluate(f"{map_var}.setView([47.9, 36.8], 8); 0")
    page.wait_for_timeout(500)
    visit.shot("map_seed_front")
    assert visit.errors == [] and visit.dialogs == [] and visit.blocked == []


@pytest.mark.browser
def test_hostile_text_never_runs_in_chromium(visit, site):
    root, base = site
    events, claims = _hostile()
    page = visit.open(root, "hostile", build_map(events, claims, static_url=f"{base}/vendor"))
    opened = page.evaluate(
        """(name) => {
            let opened = 0;
            window[name].eachLayer(l => {
                const p = l.feature && l.feature.properties;
                if (p && p.popup && p.popup.includes("onerror") && l.getLatLng && !opened) {
                    window[name].setView(l.getLatLng(), 9); l.openPopup(); l.openTooltip(); opened++;
                }
            });
            return opened;
        }""",
        visit.map_js(),
    )
    assert opened == 1
    page.wait_for_timeout(700)
    popup = page.locator(".leaflet-popup-content")
    assert XSS_IMG in popup.inner_text()
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator(".leaflet-popup-content a[href^='javascript']").count() == 0
    visit.shot("map_hostile_popup")
    assert visit.dialogs == [] and visit.errors == [] and visit.blocked == []


@pytest.mark.browser
def test_large_synthetic_map_draws_cells_in_chromium(visit, site, synthetic_20k):
    root, base = site
    events, claims = synthetic_20k
    page = visit.open(root, "synthetic", build_map(events, claims, static_url=f"{base}/vendor"))
    drawn = _drawn(page, visit.map_js())
    assert drawn["polygons"] > 500 and drawn["markers"] < 3000
    assert "SYNTHETIC data" in page.locator(".cm-legend").inner_text()
    tip = page.evaluate(
        """(name) => {
            let tip = null;
            window[name].eachLayer(l => {
                if (!tip && l.feature && l.feature.properties.cell && l.getTooltip()) tip = l.getTooltip().getContent();
            });
            return tip;
        }""",
        visit.map_js(),
    )  # the cell's counts written out in the browser
    assert re.fullmatch(r"<b>[\d,]+ (capture claims?|strikes?)</b> in this [\d.]+° cell<br>.*\d synthetic", tip), tip
    visit.shot("map_synthetic")
    assert visit.errors == [] and visit.blocked == []


@pytest.mark.browser
def test_empty_map_draws_in_chromium(visit, site):
    root, base = site
    events, claims = _seed()
    page = visit.open(root, "empty", build_map(events.iloc[:0], claims.iloc[:0], static_url=f"{base}/vendor"))
    assert "No events match" in page.locator(".cm-legend").inner_text()
    assert _drawn(page, visit.map_js())["polygons"] > 5
    visit.shot("map_empty")
    assert visit.errors == [] and visit.blocked == []


def test_polygon_events_are_drawn_as_their_shape():
    events, claims = _seed()
    events = events.copy()
    area = shapely.box(36.0, 47.5, 36.3, 47.7)
    idx = events.index[events["event_id"] == "feb26-cap-zaliznychne"][0]
    events.loc[idx, "geometry"] = area
    captures = _layers(build_map(events, claims))[_label("capture")]
    shapes = [f for f in captures if f["geometry"]["type"] == "Polygon"]
    assert len(shapes) == 1 and "radius" not in shapes[0]["properties"]["style"]


@pytest.mark.browser
def test_legend_folds_to_its_caveats_on_a_small_map(visit, site):
    root, base = site
    events, claims = _seed()
    visit.page.set_viewport_size({"width": 900, "height": 500})
    page = visit.open(root, "small", build_map(events, claims, static_url=f"{base}/vendor", draw=True))
    legend = page.locator(".cm-legend")
    assert legend.is_visible()
    assert page.locator(".cm-legend details").evaluate("d => d.open") is False
    assert "Claims by parties, not verified." in legend.inner_text()
    assert page.locator(".cm-legend .cm-sec").first.is_hidden()
    page.locator(".cm-legend summary").click()
    assert page.locator(".cm-legend .cm-sec").first.is_visible()
    visit.shot("map_small_legend_open")
    assert visit.errors == [] and visit.blocked == []


def test_area_filter_is_outlined_on_the_map():
    events, claims = load_seed()
    html = build_map(fold(events, claims), claims, area="POLYGON ((36 47.5, 36.4 47.5, 36.4 47.8, 36 47.8, 36 47.5))")
    text = html.get_root().render()
    assert '"dashArray": "6 4"' in text
    assert "[36.0, 47.5]" in text or "[36, 47.5]" in text


# --- zooming in: the events of the view instead of cells -------------------------------------------------------


def _point_coords(features: list[dict]) -> np.ndarray:
    return np.array([f["geometry"]["coordinates"] for f in features if f["geometry"]["type"] == "Point"])


@pytest.mark.parametrize("max_features", [200, 1000, 3000])
def test_the_feature_cap_holds_for_every_layer_whatever_the_count(synthetic_20k, max_features):
    events, claims = synthetic_20k
    m = build_map(events, claims, max_features=max_features)
    for name, features in _layers(m).items():
        assert len(features) <= max(max_features, 2000), name  # cells: at most min(2000, max_features) + one
        if "(aggregated)" not in name:
            assert len(features) <= max_features
    assert set(m.aggregated) == {"capture", "strike"}


def test_zooming_in_draws_the_events_of_the_view(synthetic_20k):
    events, claims = synthetic_20k
    whole = _layers(build_map(events, claims, max_features=500))
    assert f"{_label('strike')} (aggregated)" in whole
    box = (37.3, 47.8, 38.0, 48.3)  # around Donetsk
    m = build_map(events, claims, max_features=500, view=box, zoom=10)
    layers = _layers(m)
    strikes = layers[_label("strike")]  # few enough in the view: drawn one by one
    xy = _point_coords(strikes)
    assert 0 < len(strikes) <= 500
    assert (xy[:, 0] >= box[0]).all() and (xy[:, 0] <= box[2]).all()
    assert (xy[:, 1] >= box[1]).all() and (xy[:, 1] <= box[3]).all()
    located = events[(events["layer"] == "strike") & events["geo_precision"].isin(["exact", "near"])]
    inside = located.geometry.x.between(box[0], box[2]) & located.geometry.y.between(box[1], box[3])
    assert len(strikes) == int(inside.sum())  # every strike of the view, no other
    assert "(aggregated)" not in " ".join(name for name in layers if name.startswith(_label("strike")))
    page = _decoded(m.get_root().render())
    points = events["geo_precision"].isin(["exact", "near"]) & (events["layer"] != "impact")  # impacts: regions
    assert re.search(rf"This view: {len(strikes) + len(layers.get(_label('capture'), [])):,} of "
                     rf"{int(points.sum()):,} located events", page)  # fmt: skip
    assert '"zoom": 10' in page or "zoom: 10" in page  # opens at the reader's zoom, not fitted


def test_a_wide_view_with_many_events_gets_finer_cells(synthetic_20k):
    events, claims = synthetic_20k
    coarse = build_map(events, claims, max_features=200)
    fine = build_map(events, claims, max_features=200, view=(34.0, 46.0, 40.0, 50.0), zoom=7)
    name = f"{_label('strike')} (aggregated)"
    size = [abs(c["geometry"]["coordinates"][0][2][0] - c["geometry"]["coordinates"][0][0][0]) for c in
            (_layers(coarse)[name][0], _layers(fine)[name][0])]  # fmt: skip
    assert size[1] < size[0]
    assert len(_layers(fine)[name]) <= 200


def test_region_outlines_are_simplified_for_the_zoom():
    events, claims = _seed()

    def coordinates(m: folium.Map) -> int:
        features = _layers(m)[_label("impact")]
        return sum(shapely.get_num_coordinates(shapely.geometry.shape(f["geometry"])) for f in features)

    whole = coordinates(build_map(events, claims, layers=("impact",)))
    close = coordinates(build_map(events, claims, layers=("impact",), view=(30.0, 44.0, 42.0, 54.0), zoom=9))
    assert close > whole * 1.5


@pytest.mark.parametrize("view", [(1, 2, 3), (40, 50, 30, 60), ("a", 1, 2, 3), (0, 0, float("nan"), 1)])
def test_a_bad_view_is_refused(view):
    events, claims = _seed()
    with pytest.raises(ValidationError, match="view must be"):
        build_map(events, claims, view=view)
