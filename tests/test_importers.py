"""Importers: ACLED and UCDP GED exports, hostile files, and ``python -m geo import``."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from geo.cli import main
from geo.errors import GeoError
from geo.importers import read_acled, read_file, read_ucdp, sniff_format
from geo.importers.acled import intercepted_in, party_of_source
from geo.store import open_store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
ACLED = FIXTURES / "acled_sample.csv"
HOSTILE = FIXTURES / "acled_hostile.csv"
UCDP = FIXTURES / "ucdp_ged_sample.csv"
TODAY = dt.date(2026, 11, 1)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- ACLED -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def acled():
    return read_acled(ACLED, today=TODAY)


def test_acled_layers_skips_and_ids(acled):
    assert acled.rows == 13
    assert acled.layers == {"capture": 3, "strike": 6}
    assert acled.skipped == {
        "not an air, artillery or missile strike: Explosions/Remote violence › Remote explosive/landmine/IED": 1,
        "not a strike, interception or capture: Battles › Armed clash": 2,
        "not a strike, interception or capture: Protests › Peaceful protest": 1,
    }
    assert acled.skipped_rows["not a strike, interception or capture: Battles › Armed clash"] == [11, 13]
    assert acled.rejected == [] and acled.rejected_rows == []
    assert acled.events["event_id"].iloc[0] == "acled-UKR1001"
    assert acled.claims["claim_id"].iloc[0] == "acled-UKR1001-acled"
    assert set(acled.events["dataset"]) == {"acled_sample"}


def test_acled_weapons_sides_and_precision(acled):
    ev = acled.events.set_index("event_id")
    assert ev.loc["acled-UKR1001", "weapon"] == "drone"  # Air/drone strike, notes say Shahed drones
    assert ev.loc["acled-UKR1002", "weapon"] == "glide_bomb"  # Air/drone strike, notes say guided aerial bombs
    assert ev.loc["acled-UKR1003", "weapon"] == "missile"  # shelling/missile attack naming an Iskander
    assert ev.loc["acled-UKR1004", "weapon"] == "artillery"
    assert "acled-UKR1005" not in ev.index  # a landmine is not a strike (issue 12, item 5)
    assert ev.loc["acled-RUS2002", "weapon"] == "mixed"  # UAVs and missiles downed
    assert ev.loc["acled-UKR3001", "side"] == "RU"
    assert ev.loc["acled-UKR3002", "side"] == "UA"
    assert ev.loc["acled-UKR3003", "side"] == "other"  # Wagner Group
    assert ev.loc["acled-UKR1001", "geo_precision"] == "exact"
    assert ev.loc["acled-UKR1002", "geo_precision"] == "near"
    # geo_precision 3: no point, region from the admin1 name
    assert ev.loc["acled-RUS2001", "geo_precision"] == "admin1"
    assert ev.loc["acled-RUS2001", "geometry"] is None
    assert ev.loc["acled-RUS2001", "admin1"] == "RU-BRY"
    assert ev.loc["acled-UKR3003", "admin1"] == "UA-14"
    assert ev.loc["acled-UKR1001", "admin1"] == "UA-63"  # from the point
    assert ev.loc["acled-UKR1003", "time_precision"] == "week"
    assert ev.loc["acled-UKR3003", "time_precision"] == "month"
    # "15 February 2026" (export tool) and "2026-02-15" (API) are the same day
    assert ev.loc["acled-UKR1002", "time_start"] == ev.loc["acled-UKR1001", "time_start"]


def test_acled_claims(acled):
    cl = acled.claims.set_index("event_id")
    assert cl.loc["acled-RUS2001", "intercepted"] == 25
    assert cl.loc["acled-RUS2001", "intercepted_bound"] == "exact"
    assert cl.loc["acled-RUS2002", "intercepted"] == 14
    assert cl.loc["acled-RUS2002", "intercepted_bound"] == "at_least"
    assert cl.loc["acled-UKR1001", "killed"] == 2 and cl.loc["acled-UKR1001", "killed_bound"] == "at_least"
    assert np.isnan(cl.loc["acled-UKR1004", "killed"])
    assert cl.loc["acled-RUS2001", "party"] == "RU"
    assert cl.loc["acled-UKR1001", "party"] == "UA"
    assert cl.loc["acled-UKR1002", "party"] == "independent"
    assert cl.loc["acled-UKR3002", "party"] == "independent"  # General Staff + Reuters: a mix
    assert cl.loc["acled-UKR1001", "claimant"] == "Kharkiv Regional Military Administration"
    assert cl.loc["acled-UKR1001", "publisher"] == "ACLED (source: Kharkiv Regional Military Administration)"
    assert cl.loc["acled-UKR1001", "stated_precision"] == "event_date"
    assert "<script>alert(1)</script>" in cl.loc["acled-UKR1004", "text"]  # kept as text


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("Russian air defence shot down 25 drones over Kursk.", (25.0, "exact")),
        ("Over 30 Ukrainian UAVs were destroyed; 2 missiles intercepted.", (32.0, "at_least")),
        ("Up to 10 drones were downed.", (10.0, "at_most")),
        ("Air defence was active over the city.", (None, None)),
    ],
)
def test_intercepted_in(notes, expected):
    assert intercepted_in(notes) == expected


@pytest.mark.parametrize(
    ("source", "party"),
    [
        ("Ministry of Defence of Russia", "RU"),
        ("TASS; Ministry of Defence of Russia", "RU"),
        ("General Staff of the Armed Forces of Ukraine", "UA"),
        ("Ministry of Defence of Russia; General Staff of the Armed Forces of Ukraine", "independent"),
        ("Kyiv Independent", "independent"),
        ("", "independent"),
    ],
)
def test_party_of_source(source, party):
    assert party_of_source(source) == party


def test_acled_hostile_rows_are_rejected_by_row_and_the_rest_lands():
    result = read_acled(HOSTILE, today=TODAY)
    assert result.imported == 1
    assert result.rejected_rows == [2, 3, 4, 5, 6, 7, 9]
    assert result.skipped == {"not a strike, interception or capture: Protests › Peaceful protest": 1}
    lines = [str(p) for p in result.rejected]
    assert lines == [
        "row 2, column 'latitude': not a number: 'abc' (write decimal degrees)",
        "row 3, column 'latitude/longitude': point lies outside every known region (Ukraine, Russia, Belarus): "
        "36.2304, 49.9935 (latitude and longitude look swapped: latitude 49.9935, longitude 36.2304?)",
        "row 4, column 'latitude/longitude': coordinates outside longitude -180..180 / latitude -90..90: "
        "6535000, 3393000 (coordinates must be WGS84 degrees (EPSG:4326); these look like metres (EPSG:3857))",
        "row 5, column 'event_date': date in the future: 2099-01-01 (check the date)",
        "row 6, column 'event_date': date before 2014: 2012-05-01 (check the year)",
        "row 7, column 'event_date': not a date: '31 Febtober 2026' (use 2026-02-15)",
        "row 9, column 'event_id_cnty': required value is empty (every ACLED row has an id)",
    ]
    assert result.claims["text"].iloc[0] == 'Drone hit <b>Kharkiv</b><script>alert("x")</script> &amp; more'


def test_repeated_acled_id_keeps_the_last_row(tmp_path):
    lines = ACLED.read_text().splitlines()
    path = tmp_path / "dups.csv"
    path.write_text("\n".join([lines[0], lines[1], lines[2].replace("UKR1002", "UKR1001", 1)]) + "\n")
    result = read_acled(path, today=TODAY)
    assert result.imported == 1
    assert result.events["place"].iloc[0] == "Dnipro"
    assert result.skipped == {"event_id_cnty repeated: the file's last row with it is kept": 1}
    assert result.skipped_rows == {"event_id_cnty repeated: the file's last row with it is kept": [1]}


def test_rows_only_validate_catches_are_each_named_beyond_its_listing_cap():
    """validate() lists 20 rows per problem then '… and N more'; the importer still names all 25 and keeps 5."""
    import geopandas as gpd
    import pandas as pd

    from geo.importers._common import finish
    from geo.importers.report import ImportResult

    n = 30
    ids = [f"e{i}" for i in range(n)]
    events = gpd.GeoDataFrame(
        {
            "event_id": ids,
            "layer": "strike",
            "admin1": "UA-63",
            "geo_precision": "admin1",
            "time_start": "2026-02-15",
            "time_end": "2026-02-15",
            "time_precision": "day",
            "dataset": "t",
            "weapon": ["drone"] * 5 + ["catapult"] * 25,
        },
        geometry=[None] * n,
        crs="EPSG:4326",
    )
    claims = pd.DataFrame(
        {
            "claim_id": [f"{i}-c" for i in ids],
            "event_id": ids,
            "claimant": "x",
            "party": "independent",
            "stated_at": "2026-02-15",
            "stance": "asserts",
            "publisher": "x",
        }
    )
    src_rows = np.arange(101, 101 + n)
    result = finish(ImportResult("t.csv", "test", "t"), events, claims, src_rows, columns={"weapon": "kind"})
    assert result.imported == 5
    assert result.rejected_rows == list(range(106, 131))
    assert str(result.rejected[0]) == (
        "row 106, column 'kind': unknown value: 'catapult' (use one of: drone, missile, glide_bomb, artillery, "
        "air, mixed, unknown)"
    )
    assert len(result.rejected) == 25
    assert events["weapon"].iloc[-1] == "catapult"  # input untouched


def test_acled_wrong_columns_is_one_clear_error():
    with pytest.raises(
        GeoError, match=r"ucdp_ged_sample.csv is not an ACLED export: missing column\(s\) event_id_cnty"
    ):
        read_acled(UCDP)


# --- UCDP --------------------------------------------------------------------------------------


def test_ucdp():
    result = read_ucdp(UCDP, today=TODAY)
    assert result.rows == 7
    assert result.layers == {"strike": 4}
    assert result.skipped == {
        "UCDP non-state conflict (type_of_violence 2): no model layer": 1,
        "UCDP fighting without a strike named (UCDP does not code territory)": 1,
    }
    assert [str(p) for p in result.rejected] == ["row 6, column 'latitude': not a number: 'xyz' (decimal degrees)"]
    ev = result.events.set_index("event_id")
    assert ev.loc["ucdp-900001", ["weapon", "geo_precision", "admin1", "time_precision"]].tolist() == [
        "drone",
        "exact",
        "UA-63",
        "day",
    ]
    assert ev.loc["ucdp-900002", ["weapon", "geo_precision", "admin1", "time_precision"]].tolist() == [
        "missile",
        "admin1",
        "UA-51",
        "week",
    ]
    assert ev.loc["ucdp-900002", "geometry"] is None
    assert ev.loc["ucdp-900005", "geo_precision"] == "near"
    assert ev.loc["ucdp-900007", ["weapon", "geo_precision", "time_precision"]].tolist() == [
        "glide_bomb",
        "unknown",
        "month",
    ]
    cl = result.claims.set_index("event_id")
    assert cl.loc["ucdp-900001", "killed"] == 3 and cl.loc["ucdp-900001", "killed_bound"] == "about"
    assert cl.loc["ucdp-900001", "text"].startswith("UCDP fatality estimate 3 (low 2 – high 5).")
    assert cl.loc["ucdp-900001", "publisher"] == "UCDP GED (source: Ukrinform)"


# --- sniffing and unreadable files -------------------------------------------------------------


def test_format_is_sniffed_from_content_not_extension(tmp_path):
    renamed = tmp_path / "export.txt"
    shutil.copy(ACLED, renamed)
    assert sniff_format(renamed) == "acled"
    assert sniff_format(UCDP) == "ucdp"
    (tmp_path / "a.json").write_text('{"type": "FeatureCollection", "features": []}')
    assert sniff_format(tmp_path / "a.json") == "geojson"
    assert read_file(renamed, today=TODAY).imported == 9


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(GeoError, match=r"^empty.csv is empty \(0 bytes\)$"):
        read_file(path)
    path.write_text("\n\n  \n")
    with pytest.raises(GeoError, match=r"^empty.csv is empty \(no header, no rows\)$"):
        read_file(path)


def test_header_only(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(ACLED.read_text().splitlines()[0] + "\n")
    with pytest.raises(GeoError, match=r"^header.csv has a header but no data rows$"):
        read_file(path)


def test_binary_file_renamed_csv(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    message = r"^photo.csv is not a CSV/text file \(it holds binary data\); export it as UTF-8 CSV$"
    with pytest.raises(GeoError, match=message):
        read_file(path)
    with pytest.raises(GeoError, match=message):
        read_file(path, format="acled")


def test_file_over_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(201 * 2**20)  # sparse: no disk used
    monkeypatch.setattr("pandas.read_csv", lambda *a, **k: pytest.fail("read a file over the limit"))
    with pytest.raises(GeoError, match=r"^huge.csv is 201 MB, over the 200 MB import limit"):
        read_file(path)
    with pytest.raises(GeoError, match=r"^acled_sample.csv is 0 MB, over the 0 MB import limit"):
        read_file(ACLED, max_bytes=100)


def test_unknown_content_says_so(tmp_path):
    path = tmp_path / "page.csv"
    path.write_text("<!DOCTYPE html><html><body>Not data</body></html>")
    with pytest.raises(GeoError, match=r"^page.csv is HTML/XML, not a data file"):
        read_file(path)
    with pytest.raises(GeoError, match=r"^unknown format 'pdf'"):
        read_file(ACLED, format="pdf")


# --- command line ------------------------------------------------------------------------------


def test_cli_import_writes_once_and_reimport_changes_nothing(capsys, tmp_path):
    store_path = tmp_path / "s.gpkg"
    code, out, err = _run(capsys, "import", str(ACLED), "--store", str(store_path))
    assert code == 0, err
    assert "events: 9 (3 capture, 6 strike); claims: 9" in out
    assert "events: 9 inserted, 0 updated, 0 unchanged" in out
    assert "2  not a strike, interception or capture: Battles › Armed clash (rows 11, 13)" in out
    code, out, err = _run(capsys, "import", str(ACLED), "--store", str(store_path), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["written"] == {
        "inserted_events": 0,
        "updated_events": 0,
        "unchanged_events": 9,
        "inserted_claims": 0,
        "updated_claims": 0,
        "unchanged_claims": 9,
    }
    assert report["layers"] == {"capture": 3, "strike": 6}
    store = open_store(store_path, create=False, seed=False)
    assert store.count() == 9
    assert store.datasets().set_index("name").loc["acled_sample", "kind"] == "import"


def test_cli_import_partial_file_lands_valid_rows_and_names_the_rest(capsys, tmp_path):
    store_path = tmp_path / "s.gpkg"
    code, out, err = _run(capsys, "import", str(HOSTILE), "--store", str(store_path), "--dataset", "mixed", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["events"] == 1 and report["rejected_rows"] == 7
    assert {"row": 2, "column": "latitude", "why": "not a number: 'abc'", "fix": "write decimal degrees"} in report[
        "rejected"
    ]
    assert open_store(store_path, create=False, seed=False).count() == 1


def test_cli_dry_run_writes_nothing(capsys, tmp_path):
    store_path = tmp_path / "s.gpkg"
    code, out, err = _run(capsys, "import", str(ACLED), "--store", str(store_path), "--dry-run")
    assert code == 0, err
    assert out.rstrip().endswith("dry run: nothing written")
    assert not store_path.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "error: bad.csv is empty (0 bytes)\n"),
        (
            b"\x00\x01\x02binary\xff\xfe",
            "error: bad.csv is not a CSV/text file (it holds binary data); export it as UTF-8 CSV\n",
        ),
    ],
)
def test_cli_unreadable_file_exits_1_with_one_line_and_store_unchanged(capsys, tmp_path, content, message):
    store_path = tmp_path / "s.gpkg"
    _run(capsys, "import", str(ACLED), "--store", str(store_path))
    before = store_path.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    code, out, err = _run(capsys, "import", str(bad), "--store", str(store_path))
    assert code == 1
    assert out == ""
    assert err == message
    assert store_path.read_bytes() == before


def test_cli_nothing_importable_exits_1(capsys, tmp_path):
    lines = HOSTILE.read_text().splitlines()
    path = tmp_path / "allbad.csv"
    path.write_text("\n".join([lines[0], lines[2], lines[3]]) + "\n")
    store_path = tmp_path / "s.gpkg"
    code, out, err = _run(capsys, "import", str(path), "--store", str(store_path))
    assert code == 1
    assert "rejected: 2 rows" in out
    assert err == (
        "error: nothing could be imported from allbad.csv: all 2 usable rows were rejected; the store is unchanged\n"
    )
    assert not store_path.exists()


def test_cli_wrong_forced_format(capsys, tmp_path):
    code, _out, err = _run(capsys, "import", str(UCDP), "--format", "acled", "--store", str(tmp_path / "s.gpkg"))
    assert code == 1
    assert err.startswith("error: ucdp_ged_sample.csv is not an ACLED export: missing column(s) event_id_cnty")
    assert err.count("\n") == 1


# --- spreadsheets: template, mapping, geocoding ------------------------------------------------

TEMPLATE = FIXTURES / "template_sample.csv"
MAPPED = FIXTURES / "mapped_sample.csv"


def test_template_csv_geocodes_and_reports():
    result = read_file(TEMPLATE, today=TODAY)
    assert result.format == "csv"
    assert result.layers == {"capture": 1, "strike": 3, "talks": 1}
    assert len(result.claims) == 6  # event t-1 has two claims (asserted, then denied)
    assert result.skipped == {"blank row": 1}
    assert [str(p) for p in result.rejected] == [
        "row 6, column 'region': unknown region: 'Atlantis'",
        "row 7, column 'latitude': not a number: 'abc' (write decimal degrees)",
        "row 8, column 'weapon': unknown value: 'catapult' "
        "(use one of: drone, missile, glide_bomb, artillery, air, mixed, unknown)",
    ]
    assert result.geocoded == {
        "exact": 3,
        "admin1": 1,
        # many villages share the name and no region is given: listed, no point guessed (issue 12, item 15)
        "ambiguous": [{"row": 5, "place": "Ivanivka", "chosen": None, "candidates": 10}],
        "unknown": [{"row": 4, "place": "Nonexistentivka"}],
    }
    ev = result.events.set_index("event_id")
    assert ev.loc["t-1", ["geo_precision", "admin1"]].tolist() == ["exact", "UA-23"]
    assert ev.loc["t-2", ["geo_precision", "admin1"]].tolist() == ["admin1", "UA-59"]
    assert ev.loc["t-2", "geometry"] is None  # region only: no invented point
    assert ev.loc["t-3", "geo_precision"] == "unknown"
    cl = result.claims.set_index("claim_id")
    assert cl.loc["t-1-c2", "stance"] == "denies"
    assert cl.loc["t-1-c2", "text"] == "Denied <img src=x onerror=alert(1)>"
    assert cl.loc["t-2-c1", ["intercepted", "intercepted_bound"]].tolist() == [12.0, "at_least"]
    # a row without an event_id gets one from its content: the same on every import
    again = read_file(TEMPLATE, today=TODAY)
    assert sorted(again.events["event_id"]) == sorted(result.events["event_id"])


@pytest.mark.parametrize(("mapping", "layer"), [("mapping_sample.toml", "capture"), ("mapping_sample.json", "strike")])
def test_mapping_file(mapping, layer):
    result = read_file(MAPPED, mapping=FIXTURES / mapping, today=TODAY)
    assert result.rejected == []
    assert set(result.events["layer"]) == {layer}
    assert result.events["admin1"].tolist() == ["UA-23", "UA-63"]  # "Запорізька область" and "Kharkiv" as hints
    assert result.events["time_start"].dt.strftime("%Y-%m-%d").tolist() == ["2026-02-15", "2026-02-16"]


def test_mapping_errors(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text('[columns]\nwhen = "Date"\n')
    with pytest.raises(GeoError, match=r"^mapping file m.toml: unknown template column\(s\) when in 'columns'"):
        read_file(MAPPED, mapping=bad)
    bad.write_text('[columns]\ntime_start = "Datum"\n')
    with pytest.raises(GeoError, match=r"^mapped_sample.csv: the mapping names column\(s\) not in the file: Datum$"):
        read_file(MAPPED, mapping=bad)
    with pytest.raises(GeoError, match=r"^mapped_sample.csv is not in the events template: missing column\(s\) layer"):
        read_file(MAPPED)


def test_xlsx_template(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    path = tmp_path / "events.xlsx"
    pd.read_csv(TEMPLATE, dtype=str, keep_default_na=False).to_excel(path, index=False)
    assert sniff_format(path) == "xlsx"
    result = read_file(path, today=TODAY)
    assert result.format == "xlsx"
    assert result.layers == {"capture": 1, "strike": 3, "talks": 1}
    assert result.rejected_rows == [6, 7, 8]


def test_xlsx_zip_bomb_is_refused_before_reading(tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 2**20))
    with pytest.raises(GeoError, match=r"^bomb.xlsx would expand to 20 MB from 0.0 MB: refused as a likely zip bomb"):
        read_file(path)


def test_template_file_imports_its_two_examples():
    result = read_file(Path(__file__).resolve().parents[1] / "data" / "templates" / "events_template.csv", today=TODAY)
    assert result.imported == 2 and result.rejected == []
    assert all(t.startswith("EXAMPLE ROW") for t in result.events["title"])


# --- vector files ------------------------------------------------------------------------------

AREAS = FIXTURES / "areas.geojson"


def test_geojson_repairs_reprojects_and_rejects_metres():
    result = read_file(AREAS, today=TODAY)
    assert result.format == "geojson"
    assert result.layers == {"capture": 1, "strike": 2}
    assert [str(p) for p in result.rejected] == [
        "row 3, column 'geometry': coordinates outside longitude -180..180 / latitude -90..90: 6535000, 3393000 "
        "(coordinates must be WGS84 degrees (EPSG:4326); these look like metres (EPSG:3857))"
    ]
    assert "row 1: invalid geometry (Self-intersection[36.2 47.7]) repaired with make_valid" in result.notes
    ev = result.events.set_index("event_id")
    assert ev.loc["area-1", "geometry"].geom_type == "MultiPolygon" and ev.loc["area-1", "geometry"].is_valid
    assert ev.loc["area-1", "admin1"] == "UA-23"
    assert ev.loc["pt-3", "geo_source"] == "gazetteer"  # no geometry: located from its place name
    assert result.claims.set_index("event_id").loc["pt-1", "text"] == "<script>alert('x')</script>"
    projected = read_file(FIXTURES / "points_3857.geojson", today=TODAY)
    assert projected.notes == ["reprojected from EPSG:3857 to EPSG:4326"]
    assert projected.events["admin1"].tolist() == ["UA-63"]


@pytest.fixture
def areas_frame():
    import geopandas as gpd

    return gpd.read_file(AREAS).iloc[[0, 1]]


def test_gpkg_in_another_crs(tmp_path, areas_frame):
    path = tmp_path / "areas.gpkg"
    areas_frame.to_crs("EPSG:32637").to_file(path, layer="claims_layer")
    areas_frame.to_file(path, layer="second")
    assert sniff_format(path) == "gpkg"
    result = read_file(path, today=TODAY)
    assert result.layers == {"capture": 1, "strike": 1}
    assert result.notes[0].startswith("reprojected from EPSG:32637 to EPSG:4326")
    assert result.notes[-1] == "read layer 'claims_layer'; other layers not read: second"
    assert result.events.geometry.iloc[1].distance(areas_frame.geometry.iloc[1]) < 1e-6


@pytest.mark.filterwarnings("ignore:Field time_start created as String field")
def test_zipped_shapefile(tmp_path, areas_frame):
    import zipfile

    folder = tmp_path / "shp"
    folder.mkdir()
    columns = ["event_id", "layer", "place", "weapon", "time_start", "claimant", "party", "geometry"]
    areas_frame.iloc[[1]][columns].to_file(folder / "strikes.shp")  # no area figure: a shapefile has no null numbers
    path = tmp_path / "strikes.zip"
    with zipfile.ZipFile(path, "w") as z:
        for f in folder.iterdir():
            z.write(f, f"data/{f.name}")
    assert sniff_format(path) == "shp"
    result = read_file(path, today=TODAY)
    assert result.layers == {"strike": 1}
    assert result.events["event_id"].tolist() == ["pt-1"]


def test_kml_and_kmz_with_mapping_defaults(tmp_path):
    import zipfile

    kml = tmp_path / "places.kml"
    kml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        "<Placemark><name>Kharkiv</name><description>Drone strike &lt;b&gt;reported&lt;/b&gt;</description>"
        "<Point><coordinates>36.2304,49.9935</coordinates></Point></Placemark></Document></kml>"
    )
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[defaults]\nlayer = "strike"\ntime_start = "2026-02-15"\nclaimant = "Map author"\nparty = "independent"\n'
    )
    result = read_file(kml, mapping=mapping, today=TODAY)
    assert result.format == "kml" and result.imported == 1
    assert result.events["place"].tolist() == ["Kharkiv"]
    assert result.claims["text"].tolist() == ["Drone strike <b>reported</b>"]
    kmz = tmp_path / "places.kmz"
    with zipfile.ZipFile(kmz, "w") as z:
        z.write(kml, "doc.kml")
    assert sniff_format(kmz) == "kml"
    again = read_file(kmz, mapping=mapping, today=TODAY)
    assert again.events["event_id"].tolist() == result.events["event_id"].tolist() != []


def test_zip_with_parent_paths_is_refused_before_extracting(tmp_path):
    import zipfile

    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("../../evil.shp", b"x")
    with pytest.raises(GeoError, match=r"^evil.zip holds an unsafe path '../../evil.shp': refused, nothing extracted$"):
        read_file(path, format="shp")
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_bomb_is_refused_before_extracting(tmp_path):
    import zipfile

    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.shp", b"\0" * (30 * 2**20))
    with pytest.raises(GeoError, match=r"^bomb.zip would expand to 30 MB from 0.0 MB: refused as a likely zip bomb"):
        read_file(path)


def test_self_intersecting_polygon_via_cli(capsys, tmp_path):
    code, out, err = _run(capsys, "import", str(AREAS), "--store", str(tmp_path / "s.gpkg"))
    assert code == 0, err
    assert "note: row 1: invalid geometry (Self-intersection[36.2 47.7]) repaired with make_valid" in out
    assert "rejected: 1 row\n" in out


def test_csv_in_another_encoding_says_so(tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes(TEMPLATE.read_text().replace("Ivanivka", "Іванівка").encode("cp1251"))
    with pytest.raises(GeoError, match=r"^cp1251.csv is not UTF-8 text; save it as UTF-8 CSV$"):
        read_file(path)


def test_acled_in_windows_1251_is_read_and_says_so(tmp_path):
    path = tmp_path / "acled-cp1251.csv"
    path.write_bytes(ACLED.read_text().replace("Kharkiv Regional", "Харківська обласна").encode("cp1251"))
    result = read_file(path, today=TODAY)
    assert (result.format, result.encoding) == ("acled", "cp1251")
    assert "Харківська обласна" in " ".join(result.claims["claimant"])


def test_cli_refuses_a_file_over_the_limit(capsys, tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as f:
        f.truncate(201 * 2**20)
    store_path = tmp_path / "s.gpkg"
    code, out, err = _run(capsys, "import", str(path), "--store", str(store_path))
    assert (code, out) == (1, "")
    assert err == (
        "error: big.csv is 201 MB, over the 200 MB import limit; "
        "split the file or raise the limit (max_bytes / --max-mb)\n"
    )
    assert not store_path.exists()
