"""Vector imports: every KML folder and GeoPackage layer read, unreadable geometries rejected by row, one-line errors.

Issue 12 item 9 (KML/KMZ with several folders), issue 13 items 7 (infinite coordinates, in GeoJSON), 8 (GeoJSON
coordinates as text) and 12 (a GeoPackage without geometry).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.cli import main
from geo.errors import GeoError
from geo.importers import read_file, vector
from geo.importers._vector_checks import geometry_problem
from geo.store import open_store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FOLDERS = FIXTURES / "vector_folders.kml"
FOLDERS_MAPPING = FIXTURES / "vector_folders.toml"
BAD_COORDINATES = FIXTURES / "vector_bad_coordinates.geojson"
TODAY = dt.date(2026, 11, 1)
FOLDER_NOTE = (
    "read 6 layers: 'Drone strikes 15 Feb' (2 features, rows 1–2), 'Drone strikes 16 Feb' (1 feature, row 3), "
    "'Shelling' (2 features, rows 4–5), 'Affected area' (1 feature, row 6), 'To check' (1 feature, row 7), "
    "'Old (empty)' (0 features, no rows)"
)
pytestmark = pytest.mark.usefixtures("cache_dir")  # the import's snapshot goes to a temporary folder


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _only_the_snapshot_line(err: str) -> bool:
    """A successful import says on stderr only that it prepared the dashboard's snapshot: no warning, no traceback."""
    return [line.split(" in ")[0] for line in err.splitlines()] == ["prepared the dashboard's snapshot"]


def _kmz(tmp_path: Path) -> Path:
    path = tmp_path / "strikes.kmz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(FOLDERS, "doc.kml")
        z.writestr("images/icon-1.png", b"\x89PNG\r\n\x1a\n")
    return path


# --- KML / KMZ with several folders (#12.9) ----------------------------------------------------


def test_kml_with_six_folders_reads_every_folder_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pyogrio's "More than one layer found" UserWarning would fail here
        result = read_file(FOLDERS, mapping=FOLDERS_MAPPING, today=TODAY)
    assert (result.format, result.rows, result.imported) == ("kml", 7, 7)
    assert result.notes == [FOLDER_NOTE]
    assert result.events["place"].tolist() == [
        "Kharkiv", "Sumy", "Bryansk", "Nikopol", "Kherson", "Zaporizhzhia outage", "Dnipro"
    ]  # fmt: skip
    assert result.events["admin1"].tolist() == ["UA-63", "UA-59", "RU-BRY", "UA-12", "UA-65", "UA-23", "UA-12"]
    area = result.events.set_index("place").loc["Zaporizhzhia outage", "geometry"]
    assert area.geom_type == "Polygon" and area.bounds == pytest.approx((35.05, 47.8, 35.25, 47.9))
    claims = result.claims.set_index("claimant")
    assert claims.loc["Bryansk governor", "text"] == "Governor: drones shot down over the city"
    assert str(result.claims["stated_at"].min().date()) == "2026-02-15"


def test_kmz_with_folders_via_cli_reads_every_folder_and_no_warning_on_stderr(capsys, tmp_path):
    store = tmp_path / "s.gpkg"
    code, out, err = _run(
        capsys, "import", str(_kmz(tmp_path)), "--mapping", str(FOLDERS_MAPPING), "--store", str(store), "--json"
    )
    assert code == 0 and _only_the_snapshot_line(err)
    report = json.loads(out)
    assert report["events"] == 7 and report["notes"] == [FOLDER_NOTE]
    assert len(open_store(store).read_events()) == 7


def test_kml_layer_option_reads_one_folder(tmp_path):
    result = vector.read_kml(FOLDERS, mapping=FOLDERS_MAPPING, layer="Shelling", today=TODAY)
    assert result.events["place"].tolist() == ["Nikopol", "Kherson"]
    assert result.notes == []
    with pytest.raises(GeoError, match=r"^vector_folders.kml has no layer 'Strikes'; its layers are: Drone strikes"):
        vector.read_kml(FOLDERS, mapping=FOLDERS_MAPPING, layer="Strikes", today=TODAY)


def test_a_kml_with_more_folders_than_the_limit_is_refused_in_one_line(monkeypatch):
    monkeypatch.setattr(vector, "MAX_LAYERS", 5)
    with pytest.raises(GeoError) as err:
        read_file(FOLDERS, mapping=FOLDERS_MAPPING, today=TODAY)
    assert str(err.value).startswith("vector_folders.kml holds 6 folders; GDAL reads each folder on its own pass")
    assert "\n" not in str(err.value)


def test_kml_coordinates_that_are_not_numbers_are_rejected_not_put_at_0_0(tmp_path):
    path = tmp_path / "typo.kml"
    text = FOLDERS.read_text().replace("34.7981,50.9077,0", "TBD").replace("32.6169,46.6354,0", "n/a")
    path.write_text(text)
    result = read_file(path, mapping=FOLDERS_MAPPING, today=TODAY)
    assert [str(p) for p in result.rejected] == [
        "row 2, column 'geometry': coordinates 0, 0 (\"Null Island\"): the file's coordinates are missing or not "
        "numbers (fix the geometry in GIS: longitude, latitude in degrees)",
        "row 5, column 'geometry': coordinates 0, 0 (\"Null Island\"): the file's coordinates are missing or not "
        "numbers (fix the geometry in GIS: longitude, latitude in degrees)",
    ]
    assert "Sumy" not in result.events["place"].tolist() and result.imported == 5


# --- GeoPackage layers (#12.9) and a GeoPackage without geometry (#13.12) -----------------------


def _strikes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "event_id": ["gp-1", "gp-2"],
            "layer": ["strike", "strike"],
            "place": ["Kharkiv", "Sumy"],
            "time_start": ["2026-02-15", "2026-02-16"],
            "claimant": ["Kharkiv RMA", "Sumy RMA"],
            "party": ["UA", "UA"],
        },
        geometry=[shapely.Point(36.2304, 49.9935), shapely.Point(34.7981, 50.9077)],
        crs="EPSG:4326",
    )


def _areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "event_id": ["gp-10"],
            "layer": ["capture"],
            "place": ["Area north of Huliaipole"],
            "time_start": ["2026-02-14"],
            "claimant": ["Russian Ministry of Defence"],
            "party": ["RU"],
        },
        geometry=[shapely.box(36.0, 47.6, 36.3, 47.8)],
        crs="EPSG:4326",
    ).to_crs("EPSG:32637")  # a QGIS project in UTM 37N


def _sources_table(path: Path) -> None:
    sources = pd.DataFrame({"source": ["Kharkiv RMA"], "url": ["https://t.me/synegubov/1"]})
    pyogrio.write_dataframe(sources, path, layer="sources", driver="GPKG", append=path.exists())


def test_gpkg_reads_every_layer_with_geometry_and_names_the_table_without(tmp_path):
    path = tmp_path / "project.gpkg"
    _sources_table(path)
    _strikes().to_file(path, layer="strikes", engine="pyogrio")
    _areas().to_file(path, layer="areas", engine="pyogrio")
    order = [str(name) for name, _ in pyogrio.list_layers(path) if name != "sources"]
    result = read_file(path, today=TODAY)
    assert result.imported == 3 and result.layers == {"capture": 1, "strike": 2}
    areas_rows = "row 1" if order[0] == "areas" else "row 3"
    strikes_rows = "rows 1–2" if order[0] == "strikes" else "rows 2–3"
    parts = {"areas": f"'areas' (1 feature, {areas_rows})", "strikes": f"'strikes' (2 features, {strikes_rows})"}
    assert result.notes == [
        "reprojected from EPSG:32637 to EPSG:4326 (layer 'areas')",
        f"read 2 layers: {parts[order[0]]}, {parts[order[1]]}",
        "layers not read: sources (no geometry column)",
    ]
    area = result.events.set_index("event_id").loc["gp-10", "geometry"]
    assert area.bounds == pytest.approx((36.0, 47.6, 36.3, 47.8), abs=1e-6)
    only = vector.read_gpkg(path, layer="areas", today=TODAY)
    assert only.events["event_id"].tolist() == ["gp-10"]


def test_gpkg_with_only_a_table_without_geometry_is_one_line_not_a_traceback(capsys, tmp_path):
    path = tmp_path / "sources.gpkg"
    _sources_table(path)
    store = tmp_path / "s.gpkg"
    code, out, err = _run(capsys, "import", str(path), "--store", str(store))
    assert (code, out) == (1, "")
    assert err == (
        "error: sources.gpkg: it has no geometry column; save the table as CSV to import it as a spreadsheet "
        "(place names, or latitude/longitude)\n"
    )
    assert not store.exists()


def test_gpkg_layer_without_geometry_asked_for_names_the_layers_with_geometry(tmp_path):
    path = tmp_path / "project.gpkg"
    _sources_table(path)
    _strikes().to_file(path, layer="strikes", engine="pyogrio")
    with pytest.raises(GeoError) as err:
        vector.read_gpkg(path, layer="sources", today=TODAY)
    assert str(err.value) == (
        "project.gpkg: layer 'sources' has no geometry column; the layers with geometry are: strikes"
    )


# --- GeoJSON geometries GDAL cannot read (#13.8, #13.7) -----------------------------------------

GEOJSON_FIX = 'write each position as numbers, [longitude, latitude], e.g. "coordinates": [30.52, 50.45]'


def test_geojson_unreadable_geometries_are_rejected_by_row_with_the_reason():
    result = read_file(BAD_COORDINATES, today=TODAY)
    assert [str(p) for p in result.rejected] == [
        f'row 2, column \'geometry\': geometry coordinates are not numbers: ["34.7981", "50.9077"] ({GEOJSON_FIX})',
        f"row 3, column 'geometry': coordinates are nested one level too deep: [[30.7233, 46.4825]] ({GEOJSON_FIX})",
        f'row 5, column \'geometry\': geometry coordinates are not numbers: ["36.2", "47.6"] ({GEOJSON_FIX})',
        f"row 6, column 'geometry': geometry coordinates are not finite numbers: [NaN, 48.4647] ({GEOJSON_FIX})",
        "row 7, column 'geometry': a LineString's line needs at least 2 positions: [[34.4047, 47.5712]] "
        f"({GEOJSON_FIX})",
    ]
    # kept: two points as given, and a feature with no geometry at all, located from its place name
    ev = result.events.set_index("event_id")
    assert sorted(ev.index) == ["isw-101", "isw-104", "isw-108"]
    assert ev.loc["isw-108", "geo_source"] == "gazetteer" and ev.loc["isw-108", "admin1"] == "UA-65"
    assert ev.loc["isw-101", "geo_source"] is None


def test_geojson_unreadable_geometry_via_cli_names_rows_and_writes_the_rest(capsys, tmp_path):
    store = tmp_path / "s.gpkg"
    code, out, err = _run(capsys, "import", str(BAD_COORDINATES), "--store", str(store), "--json")
    assert code == 0 and _only_the_snapshot_line(err)
    report = json.loads(out)
    assert report["events"] == 3 and report["rejected_rows"] == 5
    assert [r["row"] for r in report["rejected"]] == [2, 3, 5, 6, 7]
    assert sorted(open_store(store).read_events()["event_id"]) == ["isw-101", "isw-104", "isw-108"]


def test_geojson_1e309_is_refused_in_one_line(tmp_path):
    path = tmp_path / "inf.geojson"
    path.write_text(BAD_COORDINATES.read_text().replace("[ NaN, 48.4647 ]", "[ 1e309, 48.4647 ]"))
    with pytest.raises(GeoError, match=r"^inf.geojson is not a readable GeoJSON file: .*1e309$"):
        read_file(path, today=TODAY)


def test_geojson_entries_that_are_not_features_are_said(tmp_path):
    data = json.loads(BAD_COORDINATES.read_text())
    first = data["features"][0]
    data["features"] = [first, {"properties": first["properties"], "geometry": first["geometry"]}]
    path = tmp_path / "untyped.geojson"
    path.write_text(json.dumps(data))
    result = read_file(path, today=TODAY)
    assert result.imported == 1
    assert result.notes == [
        '1 entry of \'features\' (number 2) not read: not a GeoJSON Feature (each needs "type": "Feature")'
    ]


@pytest.mark.parametrize(
    ("geometry", "why"),
    [
        ({"type": "Point", "coordinates": ["30.5", "50.4"]}, 'geometry coordinates are not numbers: ["30.5", "50.4"]'),
        ({"type": "Point", "coordinates": [30.5]}, "a position needs a longitude and a latitude: [30.5]"),
        ({"type": "Point", "coordinates": [True, 50]}, "geometry coordinates are not numbers: [true, 50]"),
        ({"type": "LineString", "coordinates": [30.5, 50.4]}, "coordinates are not nested deeply enough"),
        ({"type": "Circle", "coordinates": [30.5, 50.4]}, 'unknown geometry type "Circle"'),
        ({"type": "Point"}, "the Point has no coordinates"),
        ("POINT (30.5 50.4)", 'geometry is not a GeoJSON geometry object: "POINT (30.5 50.4)"'),
        ({"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": ["1", 2]}]}, "not numbers"),
        ({"type": "Point", "coordinates": [30.5, 50.4]}, None),
        (None, None),
    ],
)
def test_geometry_problem(geometry, why):
    got = geometry_problem(geometry)
    assert got == why if why is None else why in got


def test_geojson_with_a_linked_crs_is_refused_before_gdal_fetches_it(tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.3)
    port = server.getsockname()[1]
    data = json.loads(BAD_COORDINATES.read_text())
    data["features"] = data["features"][:1]  # a good point
    data["crs"] = {"type": "link", "properties": {"href": f"http://127.0.0.1:{port}/crs.proj4", "type": "proj4"}}
    path = tmp_path / "linked.geojson"
    path.write_text(json.dumps(data).replace('"link"', '"\\u004cINK"'))  # however its letters are written
    with server:
        with pytest.raises(GeoError) as err:
            read_file(path, today=TODAY)
        with pytest.raises(TimeoutError):
            server.accept()  # GDAL never connected
    assert str(err.value).startswith(
        f"linked.geojson gives its CRS as a link (http://127.0.0.1:{port}/crs.proj4): refused, nothing was read or "
        "fetched;"
    )


def test_a_binary_kml_or_geojson_is_named_as_such(tmp_path):
    from geo.importers import read_file

    for name, what in (("map.kml", "KML"), ("map.geojson", "GeoJSON")):
        path = tmp_path / name
        path.write_bytes(b"\x00\x01\x02" * 100)
        with pytest.raises(GeoError, match=rf"^{name} is not a {what} text file"):
            read_file(path)
