"""Verdicts of capture claims against a generated daily series: reflected before/on/after the day the strip covers
the place, at the line, contradicted, not reflected, no assessment; aggregate claims beside the assessed change."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo.control import synthetic
from geo.control.check import VERDICT_COLUMNS, aggregate_claims, check_claims
from geo.control.read import import_control

START = dt.date(2024, 1, 1)
TODAY = dt.date(2024, 6, 1)
STEP = 0.02
DAYS = 10
LAT = 47.4
LAST_EAST = synthetic.EAST0 + (DAYS - 1) * STEP  # 35.38


def _day(k: int) -> str:
    return f"{START + dt.timedelta(k):%Y-%m-%d}"


def _inside_from(k: int) -> tuple[float, float]:
    """A point the strip of day ``k`` covers, ~750 m from that day's line (mid-strip)."""
    return synthetic.EAST0 + k * STEP - STEP / 2, LAT


AT_LINE = Geod(ellps="WGS84").fwd(LAST_EAST, LAT, 270, 200)[:2]  # 200 m inside the last day's line
FAR = (36.0, LAT)  # Zaporizhzhia oblast, never covered
BELGOROD = (36.587, 50.595)  # Russia: DeepStateMap's occupied area of Ukraine says nothing about it

EVENTS = [  # event_id, point, side, admin1, precision
    ("ev-p3", _inside_from(3), "RU", "UA-23", "exact"),
    ("ev-line", AT_LINE, "RU", "UA-23", "exact"),
    ("ev-far", FAR, "RU", "UA-23", "near"),
    ("ev-far-ua", FAR, "UA", "UA-23", "near"),
    ("ev-p3-ua", _inside_from(3), "UA", "UA-23", "exact"),
    ("ev-bel", BELGOROD, "RU", "RU-BEL", "exact"),
    ("ev-region", None, "RU", "UA-23", "admin1"),
]
CLAIMS = [  # claim_id, event_id, party, stated day, stance
    ("c-before", "ev-p3", "RU", 1, "asserts"),
    ("c-on", "ev-p3", "RU", 3, "corroborates"),
    ("c-after", "ev-p3", "RU", 6, "revises"),
    ("c-late", "ev-p3", "RU", 40, "asserts"),
    ("c-denial", "ev-p3", "UA", 4, "denies"),
    ("c-line", "ev-line", "RU", 2, "asserts"),
    ("c-far", "ev-far", "RU", 2, "asserts"),
    ("c-far-ua", "ev-far-ua", "UA", 4, "asserts"),
    ("c-p3-ua", "ev-p3-ua", "UA", 4, "asserts"),
    ("c-bel", "ev-bel", "RU", 2, "asserts"),
    ("c-region", "ev-region", "RU", 2, "asserts"),
]


def _write_claims(store) -> None:
    days = {c[1]: c[3] for c in CLAIMS}
    events = gpd.GeoDataFrame(
        {
            "event_id": [e[0] for e in EVENTS],
            "layer": "capture",
            "place": [e[0].removeprefix("ev-") for e in EVENTS],
            "side": [e[2] for e in EVENTS],
            "admin1": [e[3] for e in EVENTS],
            "geo_precision": [e[4] for e in EVENTS],
            "time_start": [_day(min(days[e[0]], 40)) for e in EVENTS],
            "time_end": [_day(min(days[e[0]], 40)) for e in EVENTS],
            "time_precision": "day",
        },
        geometry=[None if e[1] is None else shapely.Point(e[1]) for e in EVENTS],
        crs="EPSG:4326",
    )
    aggregate = gpd.GeoDataFrame(
        {
            "event_id": ["ev-aggregate"],
            "layer": "capture",
            "place": ["all directions"],
            "side": ["RU"],
            "country": ["UA"],
            "geo_precision": ["country"],
            "time_start": [_day(1)],
            "time_end": [_day(5)],
            "time_precision": ["week"],
        },
        geometry=[None],
        crs="EPSG:4326",
    )
    claims = pd.DataFrame(
        {
            "claim_id": [c[0] for c in CLAIMS] + ["c-aggregate"],
            "event_id": [c[1] for c in CLAIMS] + ["ev-aggregate"],
            "claimant": [f"{c[2]} spokesman" for c in CLAIMS] + ["Chief of the General Staff"],
            "party": [c[2] for c in CLAIMS] + ["RU"],
            "stated_at": [_day(c[3]) for c in CLAIMS] + [_day(6)],
            "stance": [c[4] for c in CLAIMS] + ["asserts"],
            "publisher": "test",
            "area_km2": [None] * len(CLAIMS) + [200.0],
            "area_km2_bound": [None] * len(CLAIMS) + ["at_least"],
            "settlements": [None] * len(CLAIMS) + [12.0],
        }
    )
    store.write(pd.concat([events, aggregate], ignore_index=True), claims, dataset="test")


@pytest.fixture
def store(tmp_path, tmp_store):
    synthetic.write_daily_files(tmp_path / "days", START, DAYS, step=STEP)
    import_control(tmp_store, tmp_path / "days", today=TODAY)
    _write_claims(tmp_store)
    return tmp_store


def _by_claim(table: pd.DataFrame, assessor: str = "DeepStateMap") -> dict[str, dict]:
    return {r["claim_id"]: r for r in table[table["assessor"] == assessor].to_dict("records")}


def test_known_verdicts(store):
    table = check_claims(store)
    assert tuple(table.columns) == VERDICT_COLUMNS
    got = _by_claim(table)
    assert set(got) == {c[0] for c in CLAIMS} - {"c-denial", "c-region"}  # asserting claims located to a point
    expect = {
        "c-before": ("reflected", _day(3)),  # the strip covers the place on day 3
        "c-on": ("reflected", _day(3)),
        "c-after": ("reflected", _day(6)),  # the first assessed day on or after the claim
        "c-late": ("no_assessment", None),  # the series ends before the claim: no day to speak of
        "c-line": ("at_line", _day(DAYS - 1)),
        "c-far": ("not_reflected", _day(DAYS - 1)),
        "c-far-ua": ("reflected", _day(4)),  # Ukraine outside the occupied area, per an assessor mapping RU only
        "c-p3-ua": ("contradicted", _day(DAYS - 1)),
        "c-bel": ("no_assessment", _day(DAYS - 1)),
    }
    assert {k: (v["verdict"], v["as_of"] and f"{v['as_of']:%Y-%m-%d}") for k, v in got.items()} == expect
    assert f"{got['c-late']['latest_day']:%Y-%m-%d}" == _day(DAYS - 1)
    assert got["c-line"]["distance_m"] == pytest.approx(200, rel=0.01)
    assert got["c-on"]["distance_m"] == pytest.approx(Geod(ellps="WGS84").inv(35.25, LAT, 35.26, LAT)[2], rel=0.01)


def test_wording_names_the_assessor_and_is_not_ground_truth(store):
    got = _by_claim(check_claims(store))
    for row in got.values():
        assert "DeepStateMap" in row["text"] and "not ground truth" in row["text"]
    assert got["c-before"]["text"].startswith("Reflected on 4 Jan 2024: DeepStateMap's map shows it held by Russia")
    assert got["c-line"]["text"].startswith("At the line as of 10 Jan 2024: within 500 m of the line")
    assert got["c-late"]["text"].startswith("No assessment by DeepStateMap on or after the claim")
    assert got["c-bel"]["text"].startswith("No assessment by DeepStateMap covering it")


def test_a_second_assessor_showing_the_other_side_contradicts(store, tmp_path):
    ua_area = tmp_path / "isw_ua.geojson"
    ua_area.write_text(
        gpd.GeoDataFrame(
            {"date": [_day(8)], "layer": ["Assessed Ukrainian-controlled territory"]},
            geometry=[shapely.box(35.9, 47.3, 36.1, 47.5)],
            crs="EPSG:4326",
        ).to_json(),
        encoding="utf-8",
    )
    ru_area = tmp_path / "isw_ru.geojson"
    ru_area.write_text(synthetic.daily_geojson(synthetic.growing_area(8, step=STEP)), encoding="utf-8")
    import_control(store, ua_area, assessor="ISW", today=TODAY)
    import_control(store, ru_area, assessor="ISW", date=_day(8), side="RU", today=TODAY)
    table = check_claims(store)
    isw = _by_claim(table, "ISW")
    assert isw["c-far"]["verdict"] == "contradicted"
    assert isw["c-far"]["text"].startswith("Contradicted as of 9 Jan 2024: ISW's map shows it held by the other side")
    assert isw["c-far-ua"]["verdict"] == "reflected"
    assert isw["c-before"]["verdict"] == "reflected" and f"{isw['c-before']['as_of']:%Y-%m-%d}" == _day(8)
    assert _by_claim(table)["c-far"]["verdict"] == "not_reflected"  # DeepStateMap unchanged
    only = check_claims(store, assessors="ISW")
    assert set(only["assessor"]) == {"ISW"}


def test_given_frames_are_checked_without_reading_the_store_events(store):
    events = store.read_events(event_ids=["ev-line"])
    claims = store.read_claims(event_ids=["ev-line"])
    table = check_claims(store, events, claims)
    assert table["claim_id"].tolist() == ["c-line"]


def test_aggregate_claim_beside_the_assessed_change(store):
    table = aggregate_claims(store)
    assert len(table) == 1
    row = table.iloc[0]
    strip = shapely.box(synthetic.EAST0, 47.3, synthetic.EAST0 + 5 * STEP, 47.5)  # map of day 0 (eve) → day 5
    expected = abs(Geod(ellps="WGS84").geometry_area_perimeter(shapely.segmentize(strip, 0.001))[0]) / 1e6
    assert row["gained_km2"] == pytest.approx(expected, rel=0.005)
    assert (f"{row['day_from']:%Y-%m-%d}", f"{row['day_to']:%Y-%m-%d}") == (_day(0), _day(5))
    assert row["claimed_area_km2"] == 200 and row["claimed_settlements"] == 12
    text = row["text"]
    assert text.startswith(f"claimed ≥200 km², 12 settlements · DeepStateMap: +{expected:,.0f} / −0 km²")
    assert "(2–6 Jan 2024; DeepStateMap's map is its own assessment" in text and "not ground truth" in text


def test_no_assessment_stored_gives_empty_tables(tmp_store):
    _write_claims(tmp_store)
    assert check_claims(tmp_store).empty and aggregate_claims(tmp_store).empty
