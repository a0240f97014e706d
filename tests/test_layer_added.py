"""Adding a layer is a registry entry: a throw-away layer is validated, stored, drawn, filtered, exported,
counted and legended with no other change (issue #10's first trace, as a test)."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo import filters, stats, validate
from geo.claims import fold
from geo.exporters import export
from geo.filters import Filter
from geo.mapview import build_map, legend_entries


def _events(n_shelling: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, claims = [], []
    for i in range(n_shelling):
        rows.append(
            {
                "event_id": f"test-shell-{i}",
                "layer": "shelling",
                "place": f"Village {i}",
                "admin1": "UA-14",
                "geo_precision": "exact",
                "time_start": "2026-02-10",
                "time_end": "2026-02-10",
                "time_precision": "day",
                "dataset": "test",
                "title": f"Shelling of Village {i}",
                "geometry": Point(37.5 + (i % 50) * 0.01, 48.0 + (i // 50) * 0.01),
            }
        )
        claims.append(
            {
                "claim_id": f"test-shell-{i}-c1",
                "event_id": f"test-shell-{i}",
                "claimant": "Donetsk Oblast Military Administration",
                "party": "UA",
                "stated_at": "2026-02-10T18:00",
                "stance": "asserts",
                "killed": 2.0,
                "killed_bound": "exact",
                "publisher": "Test",
                "source_url": "https://example.org/shelling",
            }
        )
    rows.append(
        {
            "event_id": "test-strike-0",
            "layer": "strike",
            "place": "Bryansk",
            "admin1": "RU-BRY",
            "geo_precision": "exact",
            "time_start": "2026-02-15",
            "time_end": "2026-02-15",
            "time_precision": "day",
            "dataset": "test",
            "title": "Drones over Bryansk",
            "weapon": "drone",
            "target_type": "energy",
            "geometry": Point(34.36, 53.25),
        }
    )
    claims.append(
        {
            "claim_id": "test-strike-0-c1",
            "event_id": "test-strike-0",
            "claimant": "Governor of Bryansk Oblast",
            "party": "RU",
            "stated_at": "2026-02-15T09:00",
            "stance": "asserts",
            "intercepted": 20.0,
            "intercepted_bound": "at_least",
            "publisher": "Test",
            "source_url": "https://example.org/strike",
        }
    )
    events = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326")
    return events, pd.DataFrame(claims)


def _folded(n: int = 2) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    events, claims = _events(n)
    events, claims = validate.validate(events, claims)
    return fold(events, claims), claims


def test_validated_and_stored(shelling, tmp_store):
    events, claims = _events()
    events, claims = validate.validate(events, claims)
    tmp_store.write(events, claims, dataset="test", kind="import")
    stored = tmp_store.read_events(layers=["shelling"])
    assert sorted(stored["event_id"]) == ["test-shell-0", "test-shell-1"]


def test_unregistered_layer_is_refused_by_validation():
    events, claims = _events()
    with pytest.raises(Exception, match="shelling"):
        validate.validate(events, claims)


def test_filtered_and_described(shelling):
    folded, _ = _folded()
    assert len(filters.apply(folded, Filter(layers=("shelling",)))) == 2
    # a strikes-only filter (weapon) leaves the shelling events alone
    assert len(filters.apply(folded, Filter(weapons=("missile",)))) == 2
    assert Filter.from_query({"layer": ["shelling"]}, strict=True).layers == ("shelling",)
    assert "shelling" in Filter(layers=("shelling",)).describe()


def test_drawn_and_legended(shelling):
    folded, claims = _folded()
    html = build_map(folded, claims).get_root().render()
    assert "Shelling of Village 0" in html
    assert "shelling reported" in html
    assert "#795548" in html
    entries = legend_entries(folded)
    assert ("Shelling", "shelling reported") in entries


def test_drawn_as_cells_when_many(shelling):
    folded, claims = _folded(60)
    m = build_map(folded, claims, max_features=50)
    assert "shelling" in m.aggregated
    html = m.get_root().render()
    assert "Shelling (aggregated)" in html
    assert "shellings" in html  # the cell tooltip's noun, sent once per layer


def test_counted(shelling):
    folded, claims = _folded()
    summary = stats.summary(folded, claims)
    assert summary["layers"]["shelling"] == 2
    figures = stats.key_figures(folded)
    assert figures["layers"]["shelling"] == 2


def test_exported(shelling, tmp_path):
    folded, claims = _folded()
    geojson = json.loads(export("geojson", folded, claims, None, tmp_path / "e.geojson").read_text())
    assert {f["properties"]["layer"] for f in geojson["features"]} >= {"shelling"}
    csv = pd.read_csv(export("csv", folded, claims, None, tmp_path / "e.csv"))
    assert (csv["event_layer"] == "shelling").sum() == 2
    page = export("html", folded, claims, Filter(layers=("shelling",)), tmp_path / "e.html").read_text()
    assert "Shelling of Village 1" in page and "Shelling" in page
