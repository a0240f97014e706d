"""Placing located events in regions (geo.placement), through validation and the importers.

Coordinates are real: GeoNames' points for the towns (Seredyna-Buda 694491, Volfyne 692770, Kyiv 703448,
Sevastopol 694423, Slavutych 6930327, Snake Island 686930), ACLED's for Kherson city.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import Point, box

from geo import placement
from geo.errors import DatasetConflictError, GeoError, ValidationError
from geo.importers import _common, read_file
from geo.placement import HOW, TOLERANCE_KM, place
from geo.store import open_store
from geo.validate import validate_events

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = dt.date(2026, 11, 1)

SEREDYNA_BUDA = (34.03613, 52.18886)  # Sumy Oblast; Natural Earth's line puts it in Bryansk
VOLFYNE = (34.46169, 51.24139)  # Sumy Oblast; Natural Earth: Kursk
KHERSON = (32.6169, 46.6354)  # ACLED's point: on the riverbank, outside Natural Earth's Kherson Oblast
OCHAKIV = (31.54505, 46.61472)
SNAKE_ISLAND = (30.204, 45.255)
BLACK_SEA = (32.5, 44.2)
SANAA = (44.2, 15.35)
KYIV = (30.5238, 50.45466)
BILA_TSERKVA = (30.1165, 49.7994)  # Kyiv Oblast
SEVASTOPOL = (33.52134, 44.60795)
SLAVUTYCH = (30.71806, 51.5225)
KHARKIV = (36.2304, 49.9935)
OVER_TWO_OBLASTS = box(36.60, 47.70, 36.90, 47.90)  # Donetsk ~89 %, Zaporizhzhia ~11 % (Velyka Novosilka)
SLIVER = box(36.66, 47.70, 36.90, 47.90)  # Donetsk, and ~2.4 % of Zaporizhzhia


def _place(*points, stated=None, country=None):
    lons, lats = zip(*points, strict=True)
    return place(list(lons), list(lats), stated=stated, country=country)


# --- the rules, one by one -------------------------------------------------------------------------------------------


def test_stated_region_wins_near_the_coarse_border():
    p = _place(SEREDYNA_BUDA, VOLFYNE, stated=["UA-59", "UA-59"])
    assert p.admin1.tolist() == ["UA-59", "UA-59"]
    assert p.how.tolist() == ["stated", "stated"]
    assert p.found.tolist() == ["RU-BRY", "RU-KRS"]  # what the polygons alone would say
    assert p.country.tolist() == ["UA", "UA"]
    assert (p.distance_km < 1).all()
    assert p.counts() == {"stated": 2}


def test_stated_country_alone_picks_its_nearest_region():
    p = _place(VOLFYNE, stated=[None], country=["UA"])
    assert (p.admin1[0], p.how[0], p.country[0]) == ("UA-59", "stated", "UA")


def test_a_stated_region_beyond_the_tolerance_is_flagged():
    p = _place(KHARKIV, stated=["UA-59"])
    assert (p.admin1[0], p.how[0], bool(p.disagrees[0])) == ("UA-63", "inside", True)


def test_a_code_no_region_has_is_never_near():
    p = _place(KHARKIV, KHERSON, stated=["UA-99", "UA-99"])
    assert p.admin1.tolist() == ["UA-63", "UA-65"] and p.disagrees.tolist() == [True, True]


def test_coastal_towns_snap_to_the_nearest_region():
    p = _place(KHERSON, OCHAKIV, SNAKE_ISLAND)
    assert p.admin1.tolist() == ["UA-65", "UA-48", "UA-51"]
    assert p.how.tolist() == ["snapped"] * 3
    assert (p.distance_km <= TOLERANCE_KM).all()


def test_at_sea_keeps_the_stated_country_and_no_region():
    p = _place(BLACK_SEA, BLACK_SEA, BLACK_SEA, stated=[None, "UA-43", None], country=["UA", None, None])
    assert p.how.tolist() == ["sea"] * 3
    assert p.admin1.tolist() == [None, None, None]
    assert p.country.tolist() == ["UA", "UA", None]  # the country given, else the stated region's, else none


def test_land_elsewhere_is_outside_not_sea():
    ankara = (32.85, 39.93)
    p = _place(SANAA, ankara, stated=None, country=["YE", "TR"])
    assert p.how.tolist() == ["outside", "outside"]
    assert p.admin1.tolist() == [None, None] and p.country.tolist() == [None, None]


def test_swapped_coordinates_are_recognised():
    p = _place((KHARKIV[1], KHARKIV[0]))
    assert p.how[0] == "outside" and p.swapped[0]


@pytest.mark.parametrize(
    ("point", "stated", "inside"),
    [
        (KYIV, "UA-32", "UA-30"),  # a Kyiv city point labelled Kyiv Oblast
        (BILA_TSERKVA, "UA-30", "UA-32"),  # and the other way round
        (SEVASTOPOL, "UA-43", "UA-40"),  # Sevastopol labelled Crimea
        (SLAVUTYCH, "UA-32", "UA-74"),  # the Kyiv Oblast exclave inside Chernihiv Oblast
        ((37.6176, 55.7558), "RU-MOS", "RU-MOW"),  # Moscow labelled Moscow Oblast
    ],
)
def test_city_oblast_pairs_and_enclaves_keep_the_stated_region(point, stated, inside):
    p = _place(point, stated=[stated])
    assert (p.admin1[0], p.how[0], p.found[0], bool(p.disagrees[0])) == (stated, "stated", inside, False)


def test_slavutych_without_a_stated_region_is_where_its_polygon_is():
    assert _place(SLAVUTYCH).admin1[0] == "UA-74"
    # the exclave table covers the town, not Chernihiv Oblast: Chernihiv city labelled Kyiv Oblast stays wrong
    assert _place((31.28935, 51.50551), stated=["UA-32"]).disagrees[0]


def test_a_polygon_over_two_oblasts_gets_both_largest_first_and_slivers_are_dropped():
    p = place([OVER_TWO_OBLASTS, SLIVER, None])
    assert p.admin1.tolist() == ["UA-14;UA-23", "UA-14", None]
    assert p.how.tolist() == ["inside", "inside", None]
    assert p.country.tolist() == ["UA", "UA", None]


def test_tolerance_is_kilometres_on_the_ellipsoid_not_degrees():
    # the Barents Sea off the Kola coast at 69.3 N, where 0.1 degree of longitude is 3.95 km
    near, far = (35.7, 69.3), (35.8, 69.3)
    p = _place(near, far, country=[None, "RU"])
    assert p.how.tolist() == ["snapped", "sea"]
    assert p.admin1[0] == "RU-MUR"
    # the distance agrees with a geodesic (azimuthal equidistant) projection centred on the point
    aeqd = pyproj.CRS(proj="aeqd", lat_0=near[1], lon_0=near[0], datum="WGS84")
    to_m = pyproj.Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
    coast = shapely.clip_by_rect(placement._regions().geoms[placement._regions().position["RU-MUR"]], 34, 68.5, 37, 70)
    local = shapely.transform(coast, lambda xy: np.c_[to_m.transform(xy[:, 0], xy[:, 1])])
    assert p.distance_km[0] == pytest.approx(shapely.distance(Point(0, 0), local) / 1000, abs=0.1)
    assert 8 < p.distance_km[0] < TOLERANCE_KM


def test_missing_and_infinite_coordinates_are_not_placed():
    p = place([np.inf, np.nan, 200.0, KHARKIV[0]], [50.0, 50.0, 50.0, KHARKIV[1]])
    assert p.how.tolist() == [None, None, None, "inside"]
    assert set(p.counts()) <= set(HOW)


# --- validation applies the same rules ------------------------------------------------------------------------------


def _events(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    base = {
        "layer": "strike",
        "geo_precision": "exact",
        "time_start": "2026-02-15",
        "time_end": "2026-02-15",
        "time_precision": "day",
        "dataset": "test",
    }
    frame = pd.DataFrame([base | {"event_id": f"e{i}"} | r for i, r in enumerate(rows)])
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


def test_validate_places_and_counts():
    raw = _events(
        [
            {"admin1": "UA-59"},
            {"admin1": None},
            {"admin1": None, "country": "UA"},
            {"admin1": "UA-32"},
            {"admin1": None, "geo_precision": "admin1"},
        ],
        [Point(*SEREDYNA_BUDA), Point(*KHERSON), Point(*BLACK_SEA), Point(*KYIV), OVER_TWO_OBLASTS],
    )
    out = validate_events(raw, today=TODAY)
    assert out["admin1"].tolist() == ["UA-59", "UA-65", None, "UA-32", "UA-14;UA-23"]
    assert out["country"].tolist() == ["UA"] * 5
    assert out.attrs["placed"] == {"inside": 1, "stated": 2, "snapped": 1, "sea": 1}


def test_validate_rejects_infinite_coordinates_by_row():
    raw = _events([{"admin1": None}, {"admin1": None}], [Point(np.inf, 50.0), Point(*KHARKIV)])
    with pytest.raises(ValidationError) as info:
        validate_events(raw, today=TODAY)
    assert [(p.row, p.column, p.message) for p in info.value.problems] == [
        (1, "geometry", "coordinates are not finite numbers (inf, -inf or NaN)")
    ]


def test_validate_rejects_land_abroad_and_far_stated_regions():
    raw = _events([{"admin1": None, "country": "YE"}, {"admin1": "UA-59"}], [Point(*SANAA), Point(*KHARKIV)])
    with pytest.raises(ValidationError) as info:
        validate_events(raw, today=TODAY)
    text = [str(p) for p in info.value.problems]
    assert "row 1, column 'geometry': point lies outside every known region (Ukraine, Russia, Belarus)" in text[0]
    assert "row 2, column 'admin1': point lies outside the region given: 'UA-59 (point is in UA-63)'" in text[1]


# --- the importers: a spreadsheet in the events template, as people fill it in ----------------------------------


def test_template_rows_are_placed_and_the_report_counts_them():
    result = read_file(FIXTURES / "place_template.csv", today=TODAY)
    by_id = result.events.set_index("event_id")
    assert by_id.loc["pl-1", "admin1"] == "UA-59"  # Seredyna-Buda, "Sumy Oblast"
    assert by_id.loc["pl-2", "admin1"] == "UA-65"  # Kherson riverbank, snapped
    assert by_id.loc["pl-3", "admin1"] == "UA-51"  # Snake Island
    assert (by_id.loc["pl-4", "admin1"], by_id.loc["pl-4", "country"]) == (None, "UA")  # the ship off Crimea
    assert by_id.loc["pl-5", "admin1"] == "UA-32"  # Kyiv city point, "Kyiv Oblast" kept
    assert by_id.loc["pl-6", "admin1"] == "UA-32"  # Slavutych, "Kyiv Oblast"
    assert by_id.loc["pl-7", "admin1"] == "UA-43"  # Sevastopol labelled Crimea
    assert by_id.loc["pl-14", "admin1"] == "UA-59"  # Volfyne, "Sumy"
    assert result.placed == {"inside": 1, "stated": 5, "snapped": 2, "sea": 1}
    assert "placed: 1 inside, 5 stated, 2 snapped, 1 sea" in result.to_text()
    assert result.to_dict()["placed"] == result.placed
    assert [(p.row, p.column, p.message) for p in result.rejected] == [
        (8, "latitude/longitude", "point lies outside every known region (Ukraine, Russia, Belarus): 15.35, 44.2"),
        (9, "latitude", "not a number: 'inf'"),
        (10, "longitude", "not a number: '-Infinity'"),
        (11, "latitude", "not a number: '1e309'"),
        (12, "region", "point lies outside the region given: 'UA-59 (point is in UA-63)'"),
    ]
    assert result.event_rows == [1, 2, 3, 4, 5, 6, 7, 13, 14]


def test_the_subset_path_counts_only_the_events_kept(tmp_path):
    # one row fails validation (a date in the future), so finish() validates subsets; the counts are of what is kept
    lines = (FIXTURES / "place_template.csv").read_text(encoding="utf-8-sig").splitlines()
    future = lines[1].replace("2026-02-15", "2027-02-15")
    path = tmp_path / "future.csv"
    path.write_text("\n".join([lines[0], future, lines[2], lines[4]]) + "\n", encoding="utf-8")
    result = read_file(path, today=TODAY)
    assert result.rejected_rows == [1]
    assert result.placed == {"snapped": 1, "sea": 1}


# --- id collisions name the file's rows ----------------------------------------------------------------------------


def _template(rows: list[tuple[str, str]]) -> str:
    head = "event_id,layer,place,region,latitude,longitude,time_start,claimant,party,source_url"
    body = [
        f"{eid},strike,Kharkiv,Kharkiv,49.9935,36.2304,{day},Kharkiv RMA,UA,https://example.org/{eid}"
        for eid, day in rows
    ]
    return "\n".join([head, *body]) + "\n"


def test_ids_of_another_dataset_are_named_by_their_line_in_the_file(tmp_path):
    store = open_store(tmp_path / "s.gpkg", seed=False)
    first = tmp_path / "first.csv"
    first.write_text(_template([("k-1", "2026-02-15"), ("k-2", "2026-02-15")]), encoding="utf-8")
    done = read_file(first, today=TODAY)
    store.write(done.events, done.claims, dataset=done.dataset, validated=True)
    second = tmp_path / "second.csv"  # its first row is rejected; k-2 on its third row collides
    second.write_text(_template([("k-9", "2099-02-15"), ("k-3", "2026-02-15"), ("k-2", "2026-02-15")]), "utf-8")
    result = read_file(second, today=TODAY)
    assert result.rejected_rows == [1] and result.event_rows == [2, 3]
    with pytest.raises(DatasetConflictError) as info:
        store.write(result.events, result.claims, dataset=result.dataset, validated=True)
    positions = [p.row for p in info.value.problems if p.column == "events.event_id"]
    assert positions == [2]  # the store counts the rows it was given
    assert [(p.row, p.message) for p in result.file_rows(info.value.problems) if p.column == "events.event_id"] == [
        (3, "event_id 'k-2' already belongs to dataset 'first'")
    ]


def test_events_sharing_an_id_are_rejected_by_row_and_the_rest_kept():
    events = _events([{"admin1": "UA-63"}] * 3, [Point(*KHARKIV)] * 3)
    events["event_id"] = ["a", "b", "a"]
    claims = pd.DataFrame(
        {
            "claim_id": ["c1", "c2", "c3"],
            "event_id": ["a", "b", "a"],
            "claimant": "Kharkiv RMA",
            "party": "UA",
            "stated_at": "2026-02-15",
            "stance": "asserts",
            "publisher": "Kharkiv RMA",
        }
    )
    from geo.importers.report import ImportResult

    result = _common.finish(ImportResult("x.geojson", "geojson", "x"), events, claims, np.array([4, 7, 9]), today=TODAY)
    assert [(p.row, p.column, p.message) for p in result.rejected] == [
        (4, "event_id", "event_id 'a' is given to another event too (also row 9)"),
        (9, "event_id", "event_id 'a' is given to another event too (also row 4)"),
    ]
    assert result.events["event_id"].tolist() == ["b"] and result.event_rows == [7]


def test_a_claim_problem_names_the_claims_own_row():
    events = _events([{"admin1": "UA-63"}, {"admin1": "UA-63"}], [Point(*KHARKIV)] * 2)
    claims = pd.DataFrame(
        {
            "claim_id": ["c1", "c2", "c1"],
            "event_id": ["e0", "e0", "e1"],
            "claimant": "Kharkiv RMA",
            "party": "UA",
            "stated_at": "2026-02-15",
            "stance": "asserts",
            "publisher": "Kharkiv RMA",
        }
    )
    from geo.importers.report import ImportResult

    result = _common.finish(
        ImportResult("x.csv", "csv", "x"), events, claims, np.array([1, 3]), claim_rows=np.array([1, 2, 3]), today=TODAY
    )
    assert [(p.row, p.message) for p in result.rejected] == [
        (1, "duplicate claim_id: 'c1'"),
        (3, "duplicate claim_id: 'c1'"),
    ]


# --- headers are bounded before parsing ----------------------------------------------------------------------------


def test_a_header_over_the_length_limit_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"a" * (_common.MAX_HEADER_BYTES + 10) + b"\n1\n")
    for reader in (_common.read_text_table, _common.csv_header):
        with pytest.raises(GeoError, match=r"wide.csv: the header \(first line\) is longer than 1 MB"):
            reader(path)
    with pytest.raises(GeoError, match="longer than 1 MB"):
        read_file(path)


def test_a_header_with_too_many_columns_is_refused(tmp_path):
    path = tmp_path / "many.csv"
    names = [f"c{i}" for i in range(2_500)]
    path.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n", encoding="utf-8")
    with pytest.raises(GeoError, match="the header names 2,500 columns, over the 2,000 accepted"):
        _common.read_text_table(path)
    with pytest.raises(GeoError, match="2,500 columns"):
        _common.csv_header(path)


def test_repeated_column_names_are_named_not_renamed(tmp_path):
    path = tmp_path / "dups.csv"
    # 300 KB of repeated names: pandas' renaming of duplicates is quadratic in them
    path.write_text(",".join(["event_id", "Place", "place"] + ["x"] * 1_900) + "\n" + "1" * 10 + "\n", "utf-8")
    with pytest.raises(GeoError) as info:
        _common.read_text_table(path)
    assert str(info.value) == (
        "dups.csv: column names repeat: 'Place' (columns 2 and 3); 'x' (columns 4, 5, 6 and 1,897 more); "
        "give each column its own name"
    )


def test_unnamed_trailing_columns_and_a_bom_still_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffevent_id;place;;\r\na;Kharkiv;;\r\n".encode())
    assert _common.csv_header(path) == ["event_id", "place", "", ""]
    frame = _common.read_text_table(path)
    assert list(frame.columns[:2]) == ["event_id", "place"] and frame.iloc[0, 1] == "Kharkiv"
