"""The importers' shared seams: column rules (geo.importers.rules), known_format, per-layer counts from the registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import layers
from geo.importers import known_format, read_acled, read_file, sniff_format
from geo.importers.report import ImportResult
from geo.importers.rules import Rule, check

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
TODAY = dt.date(2026, 11, 1)

# --- the rule engine ---------------------------------------------------------------------------

RULES = (
    Rule("id", "required", fix="every row has an id"),
    Rule("when", "date", optional=False, fix="use YYYY-MM-DD"),
    Rule("when", "recent"),
    Rule("precision", "one_of", choices={"1": "exact", "2": "near", "3": "admin1"}, why="not 1, 2 or 3: {value!r}"),
    Rule("lat", "number", fix="write decimal degrees"),
    Rule("lon", "number", fix="write decimal degrees"),
    Rule("lat/lon", "pair", reads=("lat", "lon")),
    Rule("lat/lon", "point", reads=("lat", "lon"), when=("precision", ("exact", "near")), optional=False),
    Rule("killed", "count", fix="write a whole number"),
)


def _frame(*rows: dict[str, str]) -> pd.DataFrame:
    columns = ("id", "when", "precision", "lat", "lon", "killed")
    return pd.DataFrame([{c: r.get(c, "") for c in columns} for r in rows], dtype=str)


GOOD = {"id": "a", "when": "2026-02-15", "precision": "1", "lat": "49.99", "lon": "36.23", "killed": "2"}


def test_every_problem_of_an_input_is_collected_with_its_row_and_column():
    frame = _frame(
        GOOD,
        {"id": "", "when": "15/02/2026", "precision": "9", "lat": "abc", "lon": "36.2", "killed": "-1"},
        {**GOOD, "id": "c", "when": "2099-01-01", "lat": "3393000", "lon": "6535000"},
        {**GOOD, "id": "d", "lat": "", "lon": ""},
        {**GOOD, "id": "e", "precision": "3", "lat": "", "lon": ""},  # region precision: no point needed
        {**GOOD, "id": "f", "lat": "36.2304", "lon": "49.9935", "killed": ""},
    )
    found = check(frame, RULES, rows=np.arange(101, 107), today=TODAY)
    assert [(p.row, p.column, p.message, p.fix) for p in found.problems] == [
        (102, "id", "required value is empty", "every row has an id"),
        (102, "when", "not a date: '15/02/2026'", "use YYYY-MM-DD"),
        (102, "precision", "not 1, 2 or 3: '9'", None),
        (102, "lat", "not a number: 'abc'", "write decimal degrees"),
        (102, "killed", "not a count: '-1'", "write a whole number"),
        (103, "when", "date in the future: 2099-01-01", "check the date"),
        (
            103,
            "lat/lon",
            "coordinates outside longitude -180..180 / latitude -90..90: 3393000, 6535000",
            "coordinates must be WGS84 degrees (EPSG:4326); these look like metres (EPSG:3857)",
        ),
        (104, "lat/lon", "no coordinates", None),
        (
            106,
            "lat/lon",
            "point lies outside every known region (Ukraine, Russia, Belarus): 36.2304, 49.9935",
            "latitude and longitude look swapped: latitude 49.9935, longitude 36.2304?",
        ),
    ]
    assert found.bad.tolist() == [False, True, True, True, False, True]
    # one problem per cell: row 102's latitude is not a number, so it is not also "only one of lat and lon given"
    assert not any(p.row == 102 and p.column == "lat/lon" for p in found.problems)
    # the parsed values come back for the reader to go on with
    precision = found.values["precision"]
    assert precision[0] == "exact" and pd.isna(precision[1]) and precision[4] == "admin1"
    assert found.values["when"].iloc[0] == pd.Timestamp("2026-02-15")
    assert np.isnan(found.values["killed"][5]) and found.values["killed"][0] == 2


def test_scope_limits_the_rows_checked_but_values_cover_every_row():
    frame = _frame({**GOOD, "id": ""}, {**GOOD, "id": "", "lat": "x"})
    found = check(frame, RULES, scope=np.array([False, True]), today=TODAY)
    assert [(p.row, p.column) for p in found.problems] == [(2, "id"), (2, "lat")]
    assert found.bad.tolist() == [False, True]
    assert found.values["lat"][0] == pytest.approx(49.99)


def test_lookup_test_and_given_values():
    frame = pd.DataFrame({"region": ["Kharkiv", "Atlantis", ""], "geometry": [None, "Self-intersection", None]})
    rules = (
        Rule("region", "lookup", find={"Kharkiv": "UA-63"}.get, why="unknown region: {value!r}"),
        Rule("geometry", "test", ok=pd.isna, why="invalid geometry: {value}", fix="fix it in GIS"),
        Rule("place", "point", reads=("y", "x")),
    )
    given = {"y": np.array([49.99, np.nan, 91.0]), "x": np.array([36.23, np.nan, 10.0])}
    found = check(frame, rules, values=given, today=TODAY)
    assert [str(p) for p in found.problems] == [
        "row 2, column 'region': unknown region: 'Atlantis'",
        "row 2, column 'geometry': invalid geometry: Self-intersection (fix it in GIS)",
        "row 3, column 'place': coordinates outside longitude -180..180 / latitude -90..90: 91, 10 "
        "(coordinates must be WGS84 degrees (EPSG:4326); these look like metres (EPSG:3857))",
    ]
    assert found.values["region"].tolist() == ["UA-63", None, None]


def test_infinite_numbers_are_rejected_like_any_non_number():
    frame = _frame(
        {**GOOD, "lat": "inf"},
        {**GOOD, "lon": "-Infinity"},
        {**GOOD, "lat": "1e309"},
        {**GOOD, "killed": "Infinity"},
        {**GOOD, "lat": "", "lon": ""},
    )
    found = check(frame, RULES, today=TODAY)
    assert [(p.row, p.column, p.message) for p in found.problems] == [
        (1, "lat", "not a number: 'inf'"),
        (2, "lon", "not a number: '-Infinity'"),
        (3, "lat", "not a number: '1e309'"),
        (4, "killed", "not a count: 'Infinity'"),
        (5, "lat/lon", "no coordinates"),
    ]
    assert np.isnan(found.values["lat"][0]) and np.isnan(found.values["killed"][3])
    # a feature's point given as values: an infinite one is said so, not taken as missing
    given = {"y": np.array([np.inf, 49.99]), "x": np.array([36.23, 36.23])}
    found = check(pd.DataFrame({"place": ["", ""]}), [Rule("place", "point", reads=("y", "x"))], values=given)
    assert [str(p) for p in found.problems] == [
        "row 1, column 'place': coordinates are not finite numbers (inf) (give decimal degrees)"
    ]


def test_the_point_rule_places_like_validation():
    # Kherson's riverbank and Snake Island snap, a ship in the Black Sea is at sea, a point in Yemen is nowhere,
    # and a Ukrainian village Natural Earth puts 1 km inside Moldova is left for validation to place by its region
    frame = _frame(
        {**GOOD, "lat": "46.6354", "lon": "32.6169"},
        {**GOOD, "lat": "45.255", "lon": "30.204"},
        {**GOOD, "lat": "44.2", "lon": "32.5"},
        {**GOOD, "lat": "15.35", "lon": "44.2"},
        {**GOOD, "lat": "46.38703", "lon": "29.2016"},
    )
    found = check(frame, RULES, today=TODAY)
    assert [(p.row, p.message) for p in found.problems] == [
        (4, "point lies outside every known region (Ukraine, Russia, Belarus): 15.35, 44.2")
    ]


def test_a_rule_that_cannot_work_is_refused_when_written():
    with pytest.raises(ValueError, match="unknown rule kind 'often'"):
        Rule("x", "often")
    with pytest.raises(ValueError, match="a point rule reads two columns"):
        Rule("x", "point")
    with pytest.raises(ValueError, match="a one_of rule needs choices"):
        Rule("x", "one_of")


def test_import_result_reject_lists_problems_by_row_and_counts_rows_once():
    found = check(_frame({**GOOD, "id": "", "lat": "x"}, GOOD, {**GOOD, "killed": "-3"}), RULES, today=TODAY)
    result = ImportResult("f.csv", "csv", "f")
    result.reject(found.problems)
    assert result.rejected_rows == [1, 3]
    assert [p.row for p in result.rejected] == [1, 1, 3]
    assert result.to_dict()["rejected"][0] == {
        "row": 1,
        "column": "id",
        "why": "required value is empty",
        "fix": "every row has an id",
    }


# --- known_format ------------------------------------------------------------------------------


def _columns(header: str) -> list[str]:
    return header.split(",")


ACLED_2016 = _columns(
    "GWNO,EVENT_ID_CNTY,EVENT_ID_NO_CNTY,EVENT_DATE,YEAR,TIME_PRECISION,EVENT_TYPE,ACTOR1,ALLY_ACTOR_1,INTER1,"
    "ACTOR2,ALLY_ACTOR_2,INTER2,INTERACTION,COUNTRY,ADMIN1,ADMIN2,ADMIN3,LOCATION,LATITUDE,LONGITUDE,GEO_PRECISION,"
    "SOURCE,NOTES,FATALITIES"
)
ACLED_2019 = _columns(
    "data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,region,country,admin1,admin2,admin3,location,"
    "latitude,longitude,geo_precision,source,source_scale,notes,fatalities,timestamp,iso3"
)
ACLED_NOW = _columns(
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp"
)
UCDP_GED = _columns(
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,conflict_name,"
    "dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,side_b_dset_id,side_b_new_id,side_b,"
    "number_of_sources,source_article,source_office,source_date,source_headline,source_original,where_prec,"
    "where_coordinates,where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,country_id,"
    "region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,"
    "high,low,gwnoa,gwnob"
)


@pytest.mark.parametrize("columns", [ACLED_2016, ACLED_2019, ACLED_NOW, [c.upper() for c in ACLED_2019]])
def test_known_format_acled_of_every_era(columns):
    assert known_format(columns) == "acled"
    assert known_format(reversed(columns)) == "acled"  # order does not matter


def test_known_format_ucdp_template_and_other_tables():
    assert known_format(UCDP_GED) == "ucdp"
    template = pd.read_csv(FIXTURES / "template_sample.csv", nrows=0).columns
    assert known_format(template) == "template"
    assert known_format(["\ufefflayer ", "time_start", "claimant", "party"]) == "template"  # BOM and blanks
    assert known_format(["Layer", "Time_start", "Claimant", "Party"]) is None  # the template is read as written
    assert known_format(["layer", "time_start", "claimant"]) is None  # party is needed too
    assert known_format(pd.read_csv(FIXTURES / "mapped_sample.csv", nrows=0).columns) is None
    assert known_format([]) is None


def test_auto_format_and_the_import_page_use_known_format(tmp_path):
    from ui.importing import needs_mapping

    path = tmp_path / "export.txt"
    path.write_text(",".join(ACLED_2019) + "\n")
    assert sniff_format(path) == "acled"
    path.write_text(",".join(UCDP_GED) + "\n")
    assert sniff_format(path) == "ucdp"
    assert not needs_mapping(ACLED_2016) and not needs_mapping(UCDP_GED)
    assert not needs_mapping(["layer", "time_start", "claimant", "party"])
    assert needs_mapping(["Date", "Settlement"]) and not needs_mapping([])


def test_acled_2016_file_says_what_it_is(tmp_path):
    # issue 12 item 3: a 2016 export (no sub_event_type) is read by its own rules, and the report says so
    path = tmp_path / "acled2016.csv"
    row = ["615", "1416RTA", "", "18/04/2001", "2001", "1", "Violence against civilians"] + [""] * 18
    path.write_text(",".join(ACLED_2016) + "\n" + ",".join(row) + "\n")
    assert sniff_format(path) == "acled"
    result = read_file(path)
    assert result.format == "acled" and sum(result.skipped.values()) == 1
    assert any("2016" in note for note in result.notes)


def test_acled_header_in_capitals_reads_the_same(tmp_path):
    lines = (FIXTURES / "acled_sample.csv").read_text().splitlines()
    path = tmp_path / "upper.csv"
    path.write_text("\n".join([lines[0].upper(), *lines[1:]]) + "\n")
    upper = read_acled(path, dataset="acled_sample", today=TODAY)
    same = read_acled(FIXTURES / "acled_sample.csv", today=TODAY)
    assert upper.layers == same.layers and upper.events["event_id"].tolist() == same.events["event_id"].tolist()


# --- counts per layer read the registry when asked ---------------------------------------------


def test_layer_counts_follow_the_registry(shelling_spec):
    result = ImportResult("f.csv", "csv", "f")
    result.events = gpd.GeoDataFrame({"layer": ["strike", "shelling", "shelling"]}, geometry=[None] * 3)
    assert result.layers == {"strike": 1}
    with layers.registered(shelling_spec):
        assert result.layers == {"strike": 1, "shelling": 2}
        assert "events: 3 (1 strike, 2 shelling)" in result.to_text()
    assert result.layers == {"strike": 1}
