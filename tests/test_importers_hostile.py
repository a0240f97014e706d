"""A vector file is read only with the GDAL driver its format demands: a VRT document in disguise reads nothing."""

from __future__ import annotations

import zipfile

import pytest

from geo.errors import GeoError
from geo.importers import read_file

# An OGR VRT document: opened by GDAL's VRT driver it would import /etc/passwd line by line.
VRT = (
    "<!-- <kml> -->\n"
    '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
    "</OGRVRTLayer></OGRVRTDataSource>\n"
)


def _write(tmp_path, name: str) -> str:
    path = tmp_path / name
    if name.endswith((".zip", ".kmz")):
        inner = "evil.shp" if name.endswith(".zip") else "doc.kml"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(inner, VRT)
    else:
        path.write_text(VRT)
    return str(path)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("evil.kml", "auto"),
        ("evil.kml", "kml"),
        ("evil.geojson", "auto"),
        ("evil.geojson", "geojson"),
        ("evil.gpkg", "gpkg"),
        ("evil_shp.zip", "auto"),
        ("evil_shp.zip", "shp"),
        ("evil.kmz", "kml"),
    ],
)
def test_a_vrt_in_disguise_is_refused(tmp_path, name, fmt):
    path = _write(tmp_path, name)
    with pytest.raises(GeoError) as err:
        read_file(path, format=fmt)
    assert "root:" not in str(err.value)
    assert "does not hold" in str(err.value)


def test_a_real_kml_with_a_prologue_still_opens(tmp_path):
    path = tmp_path / "good.kml"
    path.write_text(
        '<?xml version="1.0"?>\n<!-- exported -->\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>'
        "<name>Mariupol</name><Point><coordinates>37.55,47.1</coordinates></Point></Placemark></Document></kml>\n"
    )
    # it opens with the KML driver; it then lacks the template's columns, which is a different refusal
    with pytest.raises(GeoError, match="not in the events template"):
        read_file(str(path))


def test_geojson_and_geopackage_are_opened_with_their_driver_named(tmp_path, monkeypatch):
    """GDAL is handed ``GeoJSON:…`` / ``GPKG:…``, so it tries no other driver (a VRT cannot claim the file)."""
    import geopandas as gpd
    import pyogrio
    import shapely

    from geo.importers import read_file

    opened: list[str] = []
    for name in ("read_info", "read_dataframe", "list_layers"):
        real = getattr(pyogrio, name)
        monkeypatch.setattr(pyogrio, name, lambda p, *a, _real=real, **k: (opened.append(str(p)), _real(p, *a, **k))[1])
    frame = gpd.GeoDataFrame(
        {"layer": ["strike"], "time_start": ["2026-02-15"], "place": ["Sumy"], "claimant": ["x"], "party": ["UA"]},
        geometry=[shapely.Point(34.8, 50.9)],
        crs="EPSG:4326",
    )
    for suffix, driver in ((".geojson", "GeoJSON"), (".gpkg", "GPKG")):
        path = tmp_path / f"events{suffix}"
        frame.to_file(path, driver=driver)
        opened.clear()
        read_file(path)
        ours = [p for p in opened if str(tmp_path) in p]  # not the bundled boundaries
        assert ours and all(p == f"{driver}:{path}" for p in ours), opened
