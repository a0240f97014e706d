"""The assessments table of the GeoPackage store: written in one transaction, replaced by key, read by filter,
visible to GDAL, and refused whole when bad."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geo.control import synthetic
from geo.errors import ValidationError
from geo.store.base import ASSESSMENT_COLUMNS, Store


def _frame(days: list[int], *, assessor: str = "DeepStateMap", side: str = "RU", kind: str = "occupied"):
    return gpd.GeoDataFrame(
        {
            "assessor": assessor,
            "as_of": [f"{dt.date(2024, 1, 1) + dt.timedelta(d):%Y-%m-%d}" for d in days],
            "side": side,
            "kind": kind,
            "source": [f"day{d}.geojson" for d in days],
        },
        geometry=[synthetic.growing_area(d) for d in days],
        crs="EPSG:4326",
    )


def test_a_new_store_has_no_assessments_and_still_is_a_store(tmp_store):
    assert isinstance(tmp_store, Store)
    empty = tmp_store.read_assessments()
    assert list(empty.columns) == [*ASSESSMENT_COLUMNS, "geometry"] and empty.empty
    assert tmp_store.delete_assessments("DeepStateMap") == 0


def test_round_trip_filters_and_types(tmp_store):
    result = tmp_store.write_assessments(_frame([0, 1, 2]))
    assert (result.inserted, result.replaced, result.unchanged) == (3, 0, 0) and result.changed
    tmp_store.write_assessments(_frame([1], side="UA", assessor="ISW", kind="claimed_control"))
    every = tmp_store.read_assessments()
    assert list(every.columns) == [*ASSESSMENT_COLUMNS, "geometry"]
    assert every["as_of"].dtype == "datetime64[ms]" and every.crs == "EPSG:4326"
    assert (every.geometry.geom_type == "MultiPolygon").all()
    assert every["vertices"].iloc[0] == 5
    assert shapely.equals(every.geometry.iloc[0], synthetic.growing_area(0))
    catalogue = tmp_store.read_assessments(geometry=False)
    assert "geometry" not in catalogue.columns and len(catalogue) == 4
    some = tmp_store.read_assessments(assessors="DeepStateMap", date_from="2024-01-02", date_to="2024-01-03")
    assert [f"{d:%d}" for d in some["as_of"]] == ["02", "03"]
    assert len(tmp_store.read_assessments(sides="UA", kinds=["claimed_control"])) == 1
    assert tmp_store.read_assessments(assessors=[]).empty
    layer = gpd.read_file(tmp_store.path, layer="assessments")  # QGIS and GDAL see a feature layer
    assert len(layer) == 4 and layer.crs == "EPSG:4326"
    info = pyogrio.read_info(tmp_store.path, layer="assessments")
    assert info["geometry_type"] == "MultiPolygon"
    assert info["total_bounds"][0] == pytest.approx(synthetic.WEST)


def test_replace_by_key_and_delete(tmp_store):
    tmp_store.write_assessments(_frame([0, 1]))
    before = tmp_store.version()
    same = tmp_store.write_assessments(_frame([0, 1]))
    assert (same.inserted, same.replaced, same.unchanged) == (0, 0, 2) and tmp_store.version() == before
    moved = _frame([1])
    moved["geometry"] = [synthetic.growing_area(5)]
    again = tmp_store.write_assessments(moved)
    assert (again.inserted, again.replaced, again.unchanged) == (0, 1, 0) and tmp_store.version() != before
    stored = tmp_store.read_assessments()
    assert len(stored) == 2 and shapely.equals(stored.geometry.iloc[1], synthetic.growing_area(5))
    assert tmp_store.delete_assessments("DeepStateMap", date_from="2024-01-02") == 1
    assert len(tmp_store.read_assessments()) == 1


def test_bad_rows_are_refused_together_and_nothing_is_written(tmp_store):
    bad = _frame([0, 1, 2, 3])
    bad.loc[0, "side"] = "PL"
    bad.loc[1, "as_of"] = "someday"
    bad.loc[2, "geometry"] = shapely.Point(35, 47)
    bad.loc[3, "assessor"] = " "
    with pytest.raises(ValidationError) as info:
        tmp_store.write_assessments(bad)
    rows = sorted(p.row for p in info.value.problems)
    assert rows == [1, 2, 3, 4]
    assert tmp_store.read_assessments().empty
    twice = _frame([0, 0])
    with pytest.raises(ValidationError, match="the same day of the same series twice"):
        tmp_store.write_assessments(twice)
    with pytest.raises(ValidationError, match="reproject it to EPSG:4326"):
        tmp_store.write_assessments(_frame([0]).to_crs("EPSG:3857"))
