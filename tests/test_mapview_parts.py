"""The map's parts on their own: the plan (numpy/pandas), its static CSS and scripts, the display geography."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import i18n, settings
from geo.mapview import build_map
from geo.mapview.basemap import _city_labels, _labels, load_display
from geo.mapview.elements import STATIC_DIR, on_each_feature, static_text
from geo.mapview.features import _grid_messages
from geo.mapview.plan import (
    _explode_regions,
    _in_view,
    _latest_per_region,
    _plan,
    _prepare,
)


def _events(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    frame["time_end"] = pd.to_datetime(frame["time_end"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def _row(event_id: str, layer: str, precision: str, admin1: str | None, point=None, end="2026-02-15", **extra):
    return {"event_id": event_id, "layer": layer, "geo_precision": precision, "admin1": admin1,
            "geometry": point, "time_end": end, "status": "claimed", "dataset": "test", **extra}  # fmt: skip


# --- the plan ------------------------------------------------------------------------------------------------------


def test_plan_sorts_events_into_points_cells_outlines_choropleths_and_not_drawn():
    p = shapely.Point
    events = _events(
        [
            _row("c1", "capture", "exact", "UA-23", p(35.5, 47.5)),
            _row("c2", "capture", "near", "UA-23", p(35.6, 47.6)),
            _row("c3", "capture", "admin1", "UA-23;UA-14"),
            _row("s1", "strike", "exact", "RU-BRY", p(34.0, 53.0)),
            _row("s2", "strike", "exact", "RU-BRY", p(34.1, 53.1)),
            _row("s3", "strike", "exact", "RU-BRY", p(34.2, 53.2)),
            _row("i1", "impact", "exact", "RU-BRY", p(34.0, 53.0)),  # a choropleth layer: never a point
            _row("x1", "capture", "country", None),
            _row("t1", "talks", "exact", None, p(6.1, 46.2)),
        ]
    )
    plan = _plan(_prepare(events), ("capture", "strike", "impact", "talks"), max_features=2)
    assert set(plan.points) == {"capture", "talks"} and list(plan.points["capture"]["event_id"]) == ["c1", "c2"]
    assert set(plan.grids) == {"strike"} and int(plan.grids["strike"]["n"].sum()) == 3
    assert sorted(zip(plan.region_events["event_id"], plan.region_events["region"], strict=True)) == [
        ("c3", "UA-14"),
        ("c3", "UA-23"),
    ]
    assert set(plan.choropleths) == {"impact"} and list(plan.choropleths["impact"].regions["region"]) == ["RU-BRY"]
    assert plan.not_drawn == 1 and plan.total == 9 and plan.located == 6 and plan.in_view is None
    only = _plan(_prepare(events), ("capture",), max_features=2)
    assert set(only.points) == {"capture"} and not only.grids and not only.choropleths and only.total == 4


def test_plan_counts_what_lies_in_the_view():
    p = shapely.Point
    events = _events([_row(f"s{i}", "strike", "exact", "UA-14", p(30 + i, 48)) for i in range(6)])
    plan = _plan(_prepare(events), ("strike",), max_features=10, view=(31.5, 47.0, 34.5, 49.0))
    assert list(plan.points["strike"]["event_id"]) == ["s2", "s3", "s4"]
    assert plan.in_view == 3 and plan.located == 6


def test_prepare_adds_missing_columns_and_refuses_plain_frames():
    prepared = _prepare(_events([_row("a", "strike", "exact", "UA-14", shapely.Point(30, 48))]))
    assert {"side", "target_type", "launched", "hits"} <= set(prepared.columns)  # what the layers colour and size by
    assert prepared["side"].isna().all()
    assert len(_prepare(None)) == 0
    with pytest.raises(Exception, match="GeoDataFrame"):
        _prepare(pd.DataFrame({"event_id": ["a"]}))


def test_explode_and_latest_per_region():
    frame = pd.DataFrame(
        {
            "event_id": ["a", "b", "c", "d"],
            "admin1": ["UA-14;UA-23", "UA-14", " UA-23 ; UA-23", None],
            "time_end": pd.to_datetime(["2026-02-01", "2026-02-03", "2026-02-02", "2026-02-04"]),
        }
    )
    exploded = _explode_regions(frame)
    assert sorted(zip(exploded["event_id"], exploded["region"], strict=True)) == [
        ("a", "UA-14"),
        ("a", "UA-23"),
        ("b", "UA-14"),
        ("c", "UA-23"),
    ]
    latest = _latest_per_region(frame, 1)  # the newest event of each region
    assert dict(zip(latest["region"], latest["event_id"], strict=True)) == {"UA-14": "b", "UA-23": "c"}
    assert list(latest.index) == [1, 2]  # positions in the frame


def test_in_view_meets_bounding_boxes():
    geoms = np.array([shapely.Point(30, 48), shapely.box(29, 47, 31.5, 49), shapely.Point(40, 50)], dtype=object)
    assert _in_view(geoms, (31.0, 47.5, 35.0, 49.0)).tolist() == [False, True, False]


# --- static files --------------------------------------------------------------------------------------------------


def test_css_and_scripts_are_files_beside_the_code_and_in_the_page():
    names = {p.name for p in STATIC_DIR.iterdir()}
    assert {"map.css", "on_each_feature.js", "legend.js", "labels.js", "keep_order.js", "zoom_classes.js"} <= names
    css = static_text("map.css")
    assert css.startswith(".cm-legend") and "{{" not in css
    for name in names - {"map.css"}:
        script = static_text(name)
        assert script.startswith("(function") and script.endswith("})") and "{{" not in script, name
    page = build_map(gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"), pd.DataFrame()).get_root().render()
    assert ".cm-pop li.cm-old { color: #777; }" in page
    assert static_text("legend.js") in page and static_text("zoom_classes.js") in page


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the map's script")
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["<b>1 strike</b> in this 0.5° cell<br>claimed 1", "<b>1,205 strikes</b> in this 0.5° cell<br>"
                "claimed 1,201 · disputed 4<br>3 synthetic"]),
        ("uk", ["<b>1 удар</b> у клітинці 0.5°<br>claimed 1", "<b>1,205 ударів</b> у клітинці 0.5°<br>"
                "claimed 1,201 · disputed 4<br>3 синтетичні"]),
    ],
)  # fmt: skip
def test_cell_tooltips_are_written_in_the_browser_in_the_language(lang, expected):
    catalog = i18n.Catalog(
        code="uk",
        name="test",
        plural="east_slavic",
        messages={"{count} in this {size}° cell": "{count} у клітинці {size}°"},
        plurals={
            "{n} strike": {"one": "{n} удар", "few": "{n} удари", "many": "{n} ударів"},
            "{n} synthetic": {"one": "{n} синтетичний", "few": "{n} синтетичні", "many": "{n} синтетичних"},
        },
    )
    i18n.register(catalog)
    try:
        with i18n.using(lang):
            code = on_each_feature(_grid_messages("strike", 0.5)).js_code
    finally:
        i18n.unregister("uk")
    cells = [[1, 1, 0, 0, 0, 0, 0], [1205, 1201, 4, 0, 0, 0, 3]]
    script = f"""
        const onEach = ({code});
        const tips = [];
        for (const cell of {json.dumps(cells)}) {{
            onEach({{properties: {{cell: cell}}}}, {{bindTooltip: (t) => tips.push(t), bindPopup: () => null}});
        }}
        console.log(JSON.stringify(tips));
    """
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=60).stdout
    assert json.loads(out) == expected


# --- display geography ---------------------------------------------------------------------------------------------


def test_display_geography_comes_from_the_reference_folder():
    reference_dir = settings.get().reference_dir
    display = load_display(reference_dir)
    assert ("Kramatorsk", "UA-14") in display.front_towns and len(display.front_towns) == 16
    assert display.names["Zaporizhzhya"] == "Zaporizhzhia"
    assert {code for code, _, _ in display.country_labels} == {"UA", "RU", "BY"}
    names = {html for _, _, html, _ in _city_labels(reference_dir)}
    assert "Zaporizhzhia" in names and "Kramatorsk" in names and "Zaporizhzhya" not in names
    countries = [html for _, _, html, cls, _ in _labels(reference_dir) if cls == "cm-country"]
    assert countries == ["<span>UKRAINE</span>", "<span>RUSSIA</span>", "<span>BELARUS</span>"]


def test_a_reference_folder_without_display_geography_still_labels_cities(tmp_path):
    shutil.copy(settings.get().reference_dir / "gazetteer.csv.gz", tmp_path / "gazetteer.csv.gz")
    assert load_display(tmp_path).front_towns == ()
    names = {html for _, _, html, _ in _city_labels(tmp_path)}
    assert "Kyiv" in names and "Kramatorsk" not in names


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to parse the page's scripts")
def test_the_page_scripts_parse(tmp_path):
    from geo.claims import fold
    from geo.seed import load_seed

    events, claims = load_seed()
    page = build_map(fold(events, claims), claims, max_features=3, draw=True).get_root().render()
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) >= 1
    for i, script in enumerate(scripts):
        path = tmp_path / f"s{i}.js"
        path.write_text(script, encoding="utf-8")
        check = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stderr
