"""The Control layer on the map (geo.mapview.control): held, gained and lost areas per assessor under the events,
in the layer control and the legend, simplified for the page budget; verdict lines in capture popups; the
Overview's map with a store holding a generated series (AppTest)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo.control import synthetic
from geo.control.read import import_control
from geo.mapview import build_map, legend_entries
from geo.mapview.control import ControlArea, control_areas, tolerance_m
from tests.folium_pages import feature_collections

ROOT = Path(__file__).resolve().parents[1]
START = dt.date(2026, 2, 1)
DAYS = 12
TODAY = dt.date(2026, 6, 1)
TITLE = "Control: DeepStateMap (assessment)"
BUDGET = 2 * 1024 * 1024


def _no_events() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"event_id": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def _capture(event_id: str = "c1", lon: float = 35.1, lat: float = 47.4) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        {
            "event_id": [event_id],
            "layer": ["capture"],
            "title": ["Capture of Testivka"],
            "place": ["Testivka"],
            "admin1": ["UA-23"],
            "geo_precision": ["exact"],
            "time_start": pd.to_datetime(["2026-02-05"]),
            "time_end": pd.to_datetime(["2026-02-05"]),
            "status": ["claimed"],
            "side": ["RU"],
            "dataset": ["test"],
        }
    )
    return gpd.GeoDataFrame(frame, geometry=[shapely.Point(lon, lat)], crs="EPSG:4326")


def _claims(event_id: str = "c1") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": ["k1"],
            "event_id": [event_id],
            "claimant": ["RU MoD"],
            "party": ["RU"],
            "stance": ["claims"],
            "stated_at": pd.to_datetime(["2026-02-05"]),
        }
    )


def _area(vertices: int = 4, wiggle: float = 0.0, last: int = 17) -> ControlArea:
    """A generated Control layer: held on day ``last``, gained since day 0 (the strip east of day 0's edge)."""
    held = synthetic.growing_area(last, vertices=vertices, wiggle=wiggle)
    gained = shapely.difference(held, synthetic.growing_area(0, vertices=vertices, wiggle=wiggle))
    return ControlArea(
        assessor="DeepStateMap",
        as_of=START + dt.timedelta(last),
        held=held,
        held_km2=630.0,
        gained=gained,
        lost=shapely.MultiPolygon(),
        gained_km2=140.4,
        lost_km2=0.0,
        date_from=START,
        date_to=START + dt.timedelta(last),
        day_from=START,
        day_to=START + dt.timedelta(last),
    )


def _script(m) -> str:
    return m.get_root().render()


def _unnamed(page: str) -> str:
    """A page with folium's generated element names taken out (they differ from one build to the next)."""
    return re.sub(r"_[0-9a-f]{32}", "_X", page)


def _legend(page: str) -> str:
    """The legend's HTML (given to legend.js as a JSON string)."""
    found = re.search(r'\(map_\w+, ("\\u003cdetails(?:[^"\\]|\\.)*"), \d+\)', page)
    assert found is not None, "no legend"
    return json.loads(found.group(1))


def _control_features(page: str) -> list[dict]:
    return [f for fc in feature_collections(page) for f in fc["features"] if "control" in f["properties"]]


def _vertices(geometry: dict) -> int:
    return len(shapely.get_coordinates(shapely.geometry.shape(geometry)))


# --- the built map ------------------------------------------------------------------------------------------------


def test_without_assessments_the_map_is_unchanged():
    events, claims = _capture(), _claims()
    plain = _unnamed(_script(build_map(events, claims)))
    assert _unnamed(_script(build_map(events, claims, control=[], verdicts=pd.DataFrame()))) == plain
    assert _unnamed(_script(build_map(events, claims, control=None, verdicts=None))) == plain
    assert "Control:" not in plain and "createPattern" not in plain and "cm-vd" not in plain


def test_control_layer_is_in_the_layer_control_and_legend_with_a_hatched_gained_area():
    area = _area()
    page = _script(build_map(_capture(), _claims(), control=[area]))
    assert f'"{TITLE}": feature_group_' in page  # an overlay of the layer control: switchable
    legend = _legend(page)
    assert f'<div class="cm-sec">{TITLE}</div>' in legend
    assert "Held by Russia as of 18 Feb 2026: 630 km²" in legend  # with the as-of date
    assert "repeating-linear-gradient" in legend and "Gained by Russia, 1–18 Feb 2026: +140 km²" in legend
    assert '<div class="cm-note">Lost by Russia, 1–18 Feb 2026: −0 km²</div>' in legend  # nothing to draw
    assert "DeepStateMap&#x27;s map is its own assessment, published with a lag; not ground truth." in legend
    features = {f["properties"]["control"]: f for f in _control_features(page)}
    assert set(features) == {"held", "gained"}
    gained = features["gained"]["properties"]
    assert gained["hatch"] == gained["style"]["fillColor"] and "hatch" not in features["held"]["properties"]
    assert gained["tip"] == (
        "DeepStateMap: +140 km² gained by Russia, 1–18 Feb 2026 (assessed days 1 Feb and 18 Feb) — "
        "an assessment, not ground truth"
    )
    assert features["held"]["properties"]["tip"].startswith("DeepStateMap: held by Russia as of 18 Feb 2026, 630 km²")
    assert "createPattern" in page  # the hatch is made in the browser: no image, nothing loaded


def test_control_layer_is_drawn_under_the_event_layers():
    page = _script(build_map(_capture(), _claims(), control=[_area()]))
    overlays = re.search(r'\{ ("Control: DeepStateMap[^}]*)\}', page)
    assert overlays is not None
    names = re.findall(r'"([^"]+)": (feature_group_[0-9a-f]+)', overlays.group(1))
    assert [n for n, _ in names][:2] == [TITLE, "Claimed captures"]
    control_group, capture_group = names[0][1], names[1][1]
    assert page.index(f"{control_group}.addTo(") < page.index(f"{capture_group}.addTo(")
    keep = re.search(r"\[(feature_group_\w+), (feature_group_\w+), \]\);", page)
    assert keep is not None and keep.groups() == (control_group, capture_group)  # kept under when re-added


def test_an_assessor_name_from_data_is_escaped_everywhere():
    area = dataclasses.replace(_area(), assessor="<img src=x onerror=alert(1)>")
    page = _script(build_map(_capture(), _claims(), control=[area]))
    assert "<img" not in page and "\\u003cimg" not in page  # neither raw nor JSON-encoded raw
    assert "Control: &lt;img src=x onerror=alert(1)&gt; (assessment)" in _legend(page)
    assert all("<img" not in f["properties"]["tip"] for f in _control_features(page))


def test_legend_entries_list_the_control_layer():
    entries = legend_entries(_capture(), control=[_area()])
    assert (TITLE, "Held by Russia as of 18 Feb 2026: 630 km²") in entries
    assert (TITLE, "Gained by Russia, 1–18 Feb 2026: +140 km²") in entries
    assert legend_entries(_capture(), control=None) == legend_entries(_capture())


def test_a_5000_vertex_polygon_is_simplified_within_the_page_budget():
    area = _area(vertices=5000, wiggle=0.002)
    assert len(shapely.get_coordinates(area.held)) > 5000
    page = _script(build_map(_no_events(), pd.DataFrame(), control=[area]))
    without = _script(build_map(_no_events(), pd.DataFrame()))
    assert len(page.encode()) <= BUDGET
    features = _control_features(page)
    assert {f["properties"]["control"] for f in features} == {"held", "gained"}
    assert all(_vertices(f["geometry"]) < 1000 for f in features)
    assert len(page.encode()) - len(without.encode()) < 100_000
    coords = shapely.get_coordinates(shapely.geometry.shape(features[0]["geometry"]))
    assert (coords.round(4) == coords).all()  # rounded (≈ 11 m, under the ≈ 100 m tolerance)
    # the shape stays where it is: within the tolerance of the original
    drawn = shapely.geometry.shape(next(f["geometry"] for f in features if f["properties"]["control"] == "held"))
    assert shapely.hausdorff_distance(drawn, area.held) < 0.003


def test_closer_views_send_more_detail_and_nothing_off_screen():
    area = _area(vertices=5000, wiggle=0.002)
    assert tolerance_m(None) == pytest.approx(tolerance_m(10)) and tolerance_m(13) < tolerance_m(8)
    near = _script(build_map(_no_events(), pd.DataFrame(), control=[area], view=(35.1, 47.3, 35.4, 47.5), zoom=13))
    far = _script(build_map(_no_events(), pd.DataFrame(), control=[area]))
    n_near = sum(_vertices(f["geometry"]) for f in _control_features(near))
    n_far = sum(_vertices(f["geometry"]) for f in _control_features(far))
    assert n_near > n_far
    held = next(f for f in _control_features(near) if f["properties"]["control"] == "held")
    assert shapely.geometry.shape(held["geometry"]).bounds[0] >= 35.1 - 1e-9  # clipped to the view
    away = _script(build_map(_no_events(), pd.DataFrame(), control=[area], view=(30.0, 50.0, 31.0, 51.0), zoom=9))
    assert not _control_features(away) and f'"{TITLE}"' not in away.split("L.control.layers")[0][-2000:]


def test_verdict_lines_in_capture_popups_are_escaped():
    verdicts = pd.DataFrame(
        {
            "claim_id": ["k1", "k1"],
            "event_id": ["c1", "c1"],
            "assessor": ["DeepStateMap", "ISW <b>"],
            "verdict": ["reflected", "not_reflected"],
            "text": [
                "Reflected on 9 Feb 2026: DeepStateMap's map shows it held by Russia (not ground truth).",
                "Not reflected as of 9 Feb 2026 <script>alert(1)</script>",
            ],
        }
    )
    page = _script(build_map(_capture(), _claims(), verdicts=verdicts))
    popup = next(
        f for fc in feature_collections(page) for f in fc["features"] if "Testivka" in f["properties"].get("tip", "")
    )
    html = popup["properties"]["popup"]
    assert (
        '<div class="cm-vd v-reflected"><b>DeepStateMap</b>: Reflected on 9 Feb 2026: DeepStateMap&#x27;s map' in html
    )
    assert "<b>ISW &lt;b&gt;</b>: Not reflected as of 9 Feb 2026 &lt;script&gt;" in html and "<script>" not in html
    assert ".cm-pop .cm-vd" in page


def test_control_areas_from_a_store(tmp_path, tmp_store):
    synthetic.write_daily_files(tmp_path / "days", START, DAYS)
    import_control(tmp_store, tmp_path / "days", today=TODAY)
    areas = control_areas(tmp_store, START + dt.timedelta(2), START + dt.timedelta(9))
    assert [a.assessor for a in areas] == ["DeepStateMap"]
    (a,) = areas
    assert (a.as_of, a.day_from, a.day_to) == (
        START + dt.timedelta(9),
        START + dt.timedelta(2),
        START + dt.timedelta(9),
    )
    assert a.gained_km2 > 100 and a.lost_km2 == pytest.approx(0, abs=1e-6) and a.held_km2 > a.gained_km2
    open_ended = control_areas(tmp_store, None, dt.date(2030, 1, 1))[0]  # no start: no change; end: the last day
    assert not open_ended.has_change and open_ended.as_of == START + dt.timedelta(DAYS - 1)
    assert control_areas(tmp_store, None, None, assessors=["ISW"]) == []


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to check the map's script")
def test_the_page_scripts_with_a_control_layer_parse(tmp_path):
    page = _script(build_map(_capture(), _claims(), control=[_area()], draw=True))
    for i, script in enumerate(re.findall(r"<script>(.*?)</script>", page, flags=re.S)):
        path = tmp_path / f"s{i}.js"
        path.write_text(script, encoding="utf-8")
        check = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stderr


# --- the Overview (AppTest) ---------------------------------------------------------------------------------------


@pytest.fixture
def series_store(store_env, tmp_path):
    """The bundled data and a generated DeepStateMap-shaped series of DAYS days."""
    from geo.store import open_store

    store = open_store(str(store_env))
    synthetic.write_daily_files(tmp_path / "days", START, DAYS)
    import_control(store, tmp_path / "days", today=TODAY)
    return store_env


def _overview(**params: str) -> str:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    scripts = [json.loads(el.proto.json_args).get("script", "") for el in at.get("component_instance")]
    assert scripts, "no map on the page"
    return scripts[0]


def test_overview_map_holds_the_control_layer(series_store):
    script = _overview(**{"from": "2026-02-03", "to": "2026-02-10"})
    assert f'"{TITLE}": feature_group_' in script
    assert "Held by Russia as of 10 Feb 2026" in _legend(script)
    tips = [f["properties"]["tip"] for f in _control_features(script) if f["properties"]["control"] == "gained"]
    assert len(tips) == 1 and tips[0].startswith("DeepStateMap: +") and "gained by Russia, 3–10 Feb 2026" in tips[0]
    assert "(assessed days 3 Feb and 10 Feb) — an assessment, not ground truth" in tips[0]
    popups = [f["properties"].get("popup", "") for fc in feature_collections(script) for f in fc["features"]]
    assert any('<div class="cm-vd v-' in p and "DeepStateMap" in p for p in popups)  # captures carry verdicts


def test_overview_map_without_assessments_has_no_control_layer(store_env):
    script = _overview(**{"from": "2026-02-03", "to": "2026-02-10"})
    assert "Control:" not in script and "createPattern" not in script and "cm-vd" not in script
