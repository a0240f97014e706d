"""Importing assessed control maps: DeepStateMap-shaped daily files (generated), folders, zips, ISW-style layers, and
every bad input refused whole with a clear message."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.control import synthetic
from geo.control.read import import_control, read_control
from geo.errors import GeoError, ValidationError

START = dt.date(2024, 1, 1)
TODAY = dt.date(2024, 6, 1)


def _fc(features: list[dict], crs: str | None = synthetic.CRS84) -> str:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc)


def _feature(geom, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(geom))}


def test_daily_files_read_with_date_from_name_and_deepstate_defaults(tmp_path):
    files = synthetic.write_daily_files(tmp_path, START, 3)
    assert files[0].name == "deepstatemap_data_20240101.geojson"
    doc = json.loads(files[0].read_text())
    assert doc["features"][0]["properties"] == {} and doc["features"][0]["geometry"]["type"] == "MultiPolygon"
    result = read_control(files, today=TODAY)
    days = result.days
    assert days["assessor"].tolist() == ["DeepStateMap"] * 3
    assert days["side"].tolist() == ["RU"] * 3 and days["kind"].tolist() == ["occupied"] * 3
    assert [d.date() for d in days["as_of"]] == [START, START + dt.timedelta(1), START + dt.timedelta(2)]
    assert days["area_km2"].is_monotonic_increasing
    report = result.to_dict()
    assert report["days_read"] == 3 and report["files"] == 3 and report["days_skipped"] == []
    assert report["days"][0]["as_of"] == "2024-01-01" and report["days"][0]["area_km2"] > 300
    assert "DeepStateMap 2024-01-01 RU occupied:" in result.to_text()


def test_folder_zip_and_list_give_the_same_days_and_skip_other_files(tmp_path):
    folder = tmp_path / "days"
    synthetic.write_daily_files(folder, START, 4)
    (folder / "README.txt").write_text("downloaded from a public archive", encoding="utf-8")
    (zipped,) = synthetic.write_daily_files(tmp_path / "z", START, 4, zip_name="deepstate-2024.zip")
    with zipfile.ZipFile(zipped, "a") as z:
        z.writestr("notes.md", "# notes")
    from_folder = read_control(folder, today=TODAY)
    from_zip = read_control(zipped, today=TODAY)
    from_list = read_control(sorted(folder.glob("*.geojson")), today=TODAY)
    for r in (from_zip, from_list):
        pd.testing.assert_series_equal(r.days["area_km2"], from_folder.days["area_km2"])
    assert [Path(s).name for s, _ in from_folder.skipped] == ["README.txt"]
    assert "not a polygon file (.txt)" in from_folder.skipped[0][1]
    assert from_zip.skipped == [("deepstate-2024.zip:notes.md", "not a polygon file (.md)")]
    assert from_zip.days["source"].iloc[0] == "deepstate-2024.zip:deepstatemap_data_20240101.geojson"


def test_import_is_one_transaction_idempotent_and_bumps_the_version(tmp_path, tmp_store):
    folder = tmp_path / "days"
    synthetic.write_daily_files(folder, START, 5)
    before = tmp_store.version()
    first = import_control(tmp_store, folder, today=TODAY)
    assert (first.written.inserted, first.written.replaced, first.written.unchanged) == (5, 0, 0)
    after = tmp_store.version()
    assert after != before
    again = import_control(tmp_store, folder, today=TODAY)
    assert (again.written.inserted, again.written.replaced, again.written.unchanged) == (0, 0, 5)
    assert tmp_store.version() == after  # nothing changed, nothing written
    assert len(tmp_store.read_assessments(geometry=False)) == 5
    # The same zip of days, plus one day redrawn: replaced, never duplicated.
    (folder / "deepstatemap_data_20240103.geojson").write_text(
        synthetic.daily_geojson(synthetic.growing_area(9)), encoding="utf-8"
    )
    third = import_control(tmp_store, folder, today=TODAY)
    assert (third.written.inserted, third.written.replaced, third.written.unchanged) == (0, 1, 4)
    stored = tmp_store.read_assessments()
    assert len(stored) == 5 and tmp_store.version() != after
    assert stored["assessment_id"].iloc[2] == "DeepStateMap|2024-01-03|RU|occupied"


def test_the_same_day_twice_is_skipped_when_identical_and_refused_when_different(tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    synthetic.write_daily_files(a, START, 2)
    synthetic.write_daily_files(b, START, 1)
    result = read_control([a, b], today=TODAY)
    assert len(result.days) == 2
    assert result.skipped[0][1].startswith("the same day as deepstatemap_data_20240101.geojson")
    (b / "deepstatemap_data_20240101.geojson").write_text(
        synthetic.daily_geojson(synthetic.growing_area(5)), encoding="utf-8"
    )
    with pytest.raises(ValidationError, match="give different areas for DeepStateMap 2024-01-01 RU occupied"):
        read_control([a, b], today=TODAY)


def test_isw_style_layer_with_date_and_kind_attributes(tmp_path):
    ru = synthetic.growing_area(0)
    adv = shapely.box(35.2, 47.3, 35.25, 47.5)
    ua = shapely.box(35.6, 47.3, 35.7, 47.4)
    path = tmp_path / "isw_layers.geojson"
    path.write_text(
        _fc(
            [
                _feature(ru, date="2024-02-01", layer="Assessed Russian-controlled Ukrainian Territory"),
                _feature(adv, date="2024-02-01", layer="Assessed Russian Advance in Ukraine"),
                _feature(ua, date="2024-02-01", layer="Claimed Ukrainian Counteroffensives"),
                _feature(shapely.box(35.7, 47.3, 35.8, 47.4), date="2024-02-01", layer="Claimed Russian Control"),
                _feature(shapely.box(35.0, 47.0, 35.1, 47.1), date="2024-02-02", layer="Assessed Russian Advance"),
            ],
            crs=None,
        ),
        encoding="utf-8",
    )
    result = read_control(path, assessor="ISW", today=TODAY)
    got = {(r.as_of.date().isoformat(), r.side, r.kind) for r in result.days.itertuples()}
    assert got == {
        ("2024-02-01", "RU", "occupied"),
        ("2024-02-01", "RU", "assessed_advance"),
        ("2024-02-01", "UA", "claimed_control"),
        ("2024-02-01", "RU", "claimed_control"),
        ("2024-02-02", "RU", "assessed_advance"),
    }
    assert set(result.days["assessor"]) == {"ISW"}


def test_isw_style_geopackage_and_zipped_shapefile(tmp_path):
    frame = gpd.GeoDataFrame(
        {"date": ["2024-03-01", "2024-03-01"], "type": ["Assessed Russian advance", "Assessed Russian advance"]},
        geometry=[shapely.box(35.2, 47.3, 35.25, 47.5), shapely.box(35.25, 47.3, 35.3, 47.5)],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    gpkg = tmp_path / "isw.gpkg"
    frame.to_file(gpkg, layer="advances", driver="GPKG")
    result = read_control(gpkg, assessor="ISW", today=TODAY)
    assert len(result.days) == 1  # two polygons of the same day and kind merged
    assert result.days["kind"].iloc[0] == "assessed_advance"
    assert any("reprojected from EPSG:3857" in n for n in result.notes)
    assert any("2 polygons of ISW 2024-03-01 RU assessed_advance merged" in n for n in result.notes)
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    frame.to_file(shp_dir / "advances.shp")
    zipped = tmp_path / "advances.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for f in shp_dir.iterdir():
            z.write(f, f.name)
    from_shp = read_control(zipped, assessor="ISW", today=TODAY)
    assert from_shp.days["area_km2"].iloc[0] == pytest.approx(result.days["area_km2"].iloc[0], rel=1e-6)


def test_any_polygon_file_with_date_and_assessor_given(tmp_path):
    path = tmp_path / "frontline.geojson"
    path.write_text(_fc([_feature(shapely.box(35.0, 47.3, 35.2, 47.5))], crs=None), encoding="utf-8")
    result = read_control(path, assessor="Analyst", date="2024-04-02", side="UA", today=TODAY)
    row = result.days.iloc[0]
    assert (row["assessor"], row["as_of"].date(), row["side"], row["kind"]) == (
        "Analyst",
        dt.date(2024, 4, 2),
        "UA",
        "occupied",
    )


# -- bad input: each a clear message, nothing written ----------------------------------------------


def _bad_then_store_unchanged(tmp_path, tmp_store, bad: Path, match: str, **options) -> None:
    good = synthetic.write_daily_files(tmp_path / "good", START, 2)
    before = tmp_store.version()
    with pytest.raises(GeoError, match=match) as info:
        import_control(tmp_store, [*good, bad], today=TODAY, **options)
    assert "\n" not in (info.value.one_line() if isinstance(info.value, ValidationError) else str(info.value))
    assert tmp_store.version() == before
    assert tmp_store.read_assessments(geometry=False).empty


def test_a_polygon_file_with_no_date_anywhere(tmp_path, tmp_store):
    bad = tmp_path / "frontline.geojson"
    bad.write_text(_fc([_feature(shapely.box(35.0, 47.3, 35.2, 47.5))]), encoding="utf-8")
    _bad_then_store_unchanged(tmp_path, tmp_store, bad, r"frontline.geojson: no date anywhere .*--date", assessor="X")


def test_a_date_in_the_future(tmp_path, tmp_store):
    bad = tmp_path / "deepstatemap_data_20300101.geojson"
    bad.write_text(synthetic.daily_geojson(synthetic.growing_area(0)), encoding="utf-8")
    _bad_then_store_unchanged(tmp_path, tmp_store, bad, r"date 2030-01-01 is in the future")


def test_a_file_in_metres_without_a_crs(tmp_path, tmp_store):
    metres = shapely.box(3_896_000, 5_990_000, 3_918_000, 6_020_000)
    bad = tmp_path / "deepstatemap_data_20240110.geojson"
    bad.write_text(_fc([_feature(metres)], crs=None), encoding="utf-8")
    _bad_then_store_unchanged(
        tmp_path, tmp_store, bad, r"are not longitudes/latitudes and the file names no CRS \(metres"
    )


def test_an_empty_feature_collection(tmp_path, tmp_store):
    bad = tmp_path / "deepstatemap_data_20240110.geojson"
    bad.write_text(_fc([]), encoding="utf-8")
    _bad_then_store_unchanged(tmp_path, tmp_store, bad, r"holds no polygon \(an empty FeatureCollection\?\)")


def test_a_self_intersecting_polygon_is_repaired_and_reported(tmp_path, tmp_store):
    bowtie = shapely.Polygon([(35.0, 47.3), (35.2, 47.5), (35.2, 47.3), (35.0, 47.5), (35.0, 47.3)])
    assert not bowtie.is_valid
    path = tmp_path / "deepstatemap_data_20240110.geojson"
    path.write_text(_fc([_feature(shapely.MultiPolygon([bowtie]))]), encoding="utf-8")
    result = import_control(tmp_store, path, today=TODAY)
    assert any("invalid polygon (Self-intersection" in n and "repaired with make_valid" in n for n in result.notes)
    stored = tmp_store.read_assessments()
    assert stored.geometry.iloc[0].is_valid and stored.geometry.iloc[0].geom_type == "MultiPolygon"
    assert stored["area_km2"].iloc[0] == pytest.approx(result.days["area_km2"].iloc[0])
    assert stored["area_km2"].iloc[0] > 100  # both triangles kept


def test_every_bad_file_is_named_in_one_error(tmp_path):
    empty = tmp_path / "deepstatemap_data_20240110.geojson"
    empty.write_text(_fc([]), encoding="utf-8")
    future = tmp_path / "deepstatemap_data_20300101.geojson"
    future.write_text(synthetic.daily_geojson(synthetic.growing_area(0)), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_control([empty, future], today=TODAY)
    assert len(info.value.problems) == 2


def test_not_json_disguised_as_geojson_and_missing_paths(tmp_path):
    fake = tmp_path / "deepstatemap_data_20240110.geojson"
    fake.write_text("<VRTDataset><OGRVRTLayer name='x'/></VRTDataset>", encoding="utf-8")
    with pytest.raises(ValidationError, match="does not hold GeoJSON"):
        read_control(fake, today=TODAY)
    with pytest.raises(GeoError, match="no file or folder at"):
        read_control(tmp_path / "nope", today=TODAY)
    with pytest.raises(GeoError, match="side must be RU or UA"):
        read_control(fake, side="PL", today=TODAY)


def test_a_file_with_no_assessor_is_refused(tmp_path):
    path = tmp_path / "frontline_2024-01-05.geojson"
    path.write_text(_fc([_feature(shapely.box(35.0, 47.3, 35.2, 47.5))]), encoding="utf-8")
    with pytest.raises(ValidationError, match="no assessor"):
        read_control(path, today=TODAY)
    assert read_control(path, assessor="Analyst", today=TODAY).days["as_of"].iloc[0].date() == dt.date(2024, 1, 5)
