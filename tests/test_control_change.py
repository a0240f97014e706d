"""Change between two dates of a generated daily series: known km² (against an independent geodesic computation),
per region, the settlements in the strip, the other side by mirror, and the errors."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo.control import series, synthetic
from geo.control.change import change, changes
from geo.control.read import import_control
from geo.errors import GeoError, NotFoundError

START = dt.date(2024, 1, 1)
TODAY = dt.date(2024, 6, 1)
STEP = 0.01
DAYS = 20


def _geodesic_km2(geom) -> float:
    """Independent area: geodesic on WGS 84 (pyproj.Geod), edges densified as drawn in lon/lat."""
    return abs(Geod(ellps="WGS84").geometry_area_perimeter(shapely.segmentize(geom, 0.001))[0]) / 1e6


def _strip(first: int, last: int):
    """The area added from day ``first`` to day ``last``."""
    east0 = synthetic.EAST0
    return shapely.box(east0 + first * STEP, synthetic.SOUTH, east0 + last * STEP, synthetic.NORTH)


@pytest.fixture
def store(tmp_path, tmp_store):
    synthetic.write_daily_files(tmp_path / "days", START, DAYS, step=STEP)
    import_control(tmp_store, tmp_path / "days", today=TODAY)
    return tmp_store


def test_stored_area_per_day_matches_geodesic_area(store):
    stored = store.read_assessments(geometry=False)
    for i in (0, 7, DAYS - 1):
        expected = _geodesic_km2(synthetic.growing_area(i, step=STEP))
        assert stored["area_km2"].iloc[i] == pytest.approx(expected, rel=0.005)


@pytest.mark.parametrize(("a", "b"), [(0, 1), (3, 11), (0, DAYS - 1)])
def test_gained_is_the_known_strip(store, a, b):
    c = change(store, START + dt.timedelta(a), START + dt.timedelta(b))
    expected = _geodesic_km2(_strip(a, b))
    assert c.gained_km2 == pytest.approx(expected, rel=0.005)
    assert c.lost_km2 == pytest.approx(0.0, abs=1e-6)
    assert c.net_km2 == pytest.approx(expected, rel=0.005)
    assert (c.day_from, c.day_to) == (START + dt.timedelta(a), START + dt.timedelta(b))
    assert set(c.by_region) == {"UA-23"}
    assert c.by_region["UA-23"]["gained_km2"] == pytest.approx(c.gained_km2, rel=1e-9)
    assert c.gained.geom_type in ("Polygon", "MultiPolygon") and c.gained.bounds[1] == pytest.approx(47.3)


def test_backwards_in_time_is_a_loss_and_the_other_side_mirrors(store):
    c = change(store, START + dt.timedelta(10), START + dt.timedelta(10))
    assert c.gained_km2 == 0 and c.lost_km2 == 0 and c.settlements == []
    ua = change(store, START, START + dt.timedelta(5), side="UA")
    expected = _geodesic_km2(_strip(0, 5))
    assert ua.mirrored and ua.gained_km2 == pytest.approx(0, abs=1e-6)
    assert ua.lost_km2 == pytest.approx(expected, rel=0.005)
    assert {s["change"] for s in ua.settlements} <= {"lost"}


def test_settlements_in_the_strip_are_the_gazetteers_places_there(store):
    c = change(store, START, START + dt.timedelta(DAYS - 1))
    from geo.control.change import _places_frame

    places = _places_frame()
    strip = _strip(0, DAYS - 1)
    x0, y0, x1, y1 = strip.bounds
    inside = places[
        places["lon"].between(x0, x1, inclusive="neither") & places["lat"].between(y0, y1, inclusive="neither")
    ]
    assert not inside.empty
    assert {s["geonameid"] for s in c.settlements} == set(inside["geonameid"].astype(int))
    assert all(s["change"] == "gained" and s["admin1"] == "UA-23" for s in c.settlements)
    names = {s["name"] for s in c.settlements}
    assert "Vasylivka" in names  # 35.282 E, 47.442 N: in the strip by day 9
    before = change(store, START, START + dt.timedelta(7))
    assert "Vasylivka" not in {s["name"] for s in before.settlements}


def test_region_limits_every_figure(store):
    inside = change(store, START, START + dt.timedelta(5), region="Zaporizhzhia")
    assert inside.region == "UA-23" and inside.gained_km2 > 0
    elsewhere = change(store, START, START + dt.timedelta(5), region="UA-14")
    assert elsewhere.gained_km2 == 0 and elsewhere.settlements == [] and elsewhere.by_region == {}
    with pytest.raises(NotFoundError):
        change(store, START, START + dt.timedelta(5), region="Atlantis")


def test_dates_between_days_use_the_latest_day_before(store):
    late = change(store, START + dt.timedelta(2), START + dt.timedelta(400))
    assert late.day_to == START + dt.timedelta(DAYS - 1)
    assert late.to_dict()["days_compared"] == ["2024-01-03", "2024-01-20"]
    with pytest.raises(GeoError, match="starts on 2024-01-01; give --from on or after it"):
        change(store, "2023-12-31", START + dt.timedelta(3))
    with pytest.raises(GeoError, match="is after --to"):
        change(store, START + dt.timedelta(3), START)


def test_json_shape_and_several_assessors(store, tmp_path):
    other = synthetic.write_daily_files(tmp_path / "other", START, 3, step=0.02)
    import_control(store, other, assessor="Analyst", today=TODAY)
    with pytest.raises(GeoError, match=r"several assessors .* name one"):
        change(store, START, START + dt.timedelta(2))
    both = changes(store, START, START + dt.timedelta(2))
    assert [c.assessor for c in both] == ["Analyst", "DeepStateMap"]
    assert both[0].gained_km2 == pytest.approx(2 * both[1].gained_km2, rel=0.005)
    d = both[1].to_dict()
    assert set(d) >= {"assessor", "from", "to", "gained_km2", "lost_km2", "net_km2", "by_region", "settlements"}
    assert d["from"] == "2024-01-01" and d["to"] == "2024-01-03"
    with pytest.raises(NotFoundError, match="no 'occupied' assessment by 'ISW'"):
        change(store, START, START + dt.timedelta(2), assessor="ISW")


def test_series_catalogue_and_held(store):
    table = series.series(store)
    row = table.iloc[0]
    assert (row["assessor"], row["side"], row["kind"], row["days"]) == ("DeepStateMap", "RU", "occupied", DAYS)
    h = series.held(store, "2024-01-05 15:00", assessor="DeepStateMap")
    assert h.as_of == dt.date(2024, 1, 5) and h.geometry.geom_type == "MultiPolygon"
    assert series.held(store, "2023-12-01", assessor="DeepStateMap") is None
    assert isinstance(series.catalogue(store), pd.DataFrame)


def test_change_agrees_with_an_independent_equal_area_projection_on_a_wiggly_series(tmp_path, tmp_store):
    """Many vertices (a real file's size): EPSG:6933 (equal-area, another projection) agrees within 0.1 %."""
    synthetic.write_daily_files(tmp_path / "w", START, 4, step=STEP, vertices=2000, wiggle=0.003)
    import_control(tmp_store, tmp_path / "w", today=TODAY)
    c = change(tmp_store, START, START + dt.timedelta(3))
    import geopandas as gpd

    a, b = (synthetic.growing_area(i, step=STEP, vertices=2000, wiggle=0.003) for i in (0, 3))
    frame = gpd.GeoSeries([shapely.difference(b, a)], crs="EPSG:4326").to_crs("EPSG:6933")
    assert c.gained_km2 == pytest.approx(float(frame.area.iloc[0]) / 1e6, rel=0.001)
    assert np.isclose(c.gained_km2, _geodesic_km2(_strip(0, 3)), rtol=0.005)
