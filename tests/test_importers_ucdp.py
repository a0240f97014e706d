"""UCDP GED as its users have it: Windows-1252 and Windows-1251 files, global files, car bombs, stated regions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geo.importers import read_file, read_ucdp

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CP1252 = FIXTURES / "ucdp_ged_cp1252.csv"  # saved by Excel on a Western machine: ’ – “ ” ï
CP1251 = FIXTURES / "ucdp_ged_cp1251.csv"  # saved by Excel on a Ukrainian machine: Cyrillic sources
TODAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def western():
    return read_ucdp(CP1252, today=TODAY)


def test_windows_1252_file_imports_and_says_which_encoding(western):
    assert western.encoding == "cp1252"
    assert "note: not UTF-8: read as Windows-1252 (Western European)" in western.to_text()
    assert "(ucdp, cp1252)" in western.to_text()
    cl = western.claims.set_index("event_id")
    assert cl.loc["ucdp-535001", "text"].endswith("Russia’s drones hit Odesa port – three injured")
    assert cl.loc["ucdp-535001", "claimant"] == "Ukrinform;Ukrayins’ka Pravda"
    assert western.events.set_index("event_id").loc["ucdp-535004", "place"] == "Mykolaïv city"


def test_windows_1251_file_is_read_as_cyrillic_not_as_western_letters():
    result = read_ucdp(CP1251, today=TODAY)
    assert result.encoding == "cp1251"
    cl = result.claims.set_index("event_id")
    assert cl.loc["ucdp-536001", "claimant"] == "Суспільне"
    assert cl.loc["ucdp-536002", "party"] == "RU"  # TASS
    ev = result.events.set_index("event_id")
    assert ev.loc["ucdp-536002", ["admin1", "country"]].tolist() == ["RU-BEL", "RU"]


def test_windows_1252_file_through_read_file_with_its_format(western):
    result = read_file(CP1252, format="ucdp", today=TODAY)
    assert result.imported == western.imported == 3


def test_rows_outside_the_covered_area_and_car_bombs_are_skipped(western):
    assert western.skipped == {
        "outside the covered area: Yemen (North Yemen)": 1,
        "not an air, artillery or missile strike: an assassination, car bomb or planted explosive (headline)": 1,
    }
    assert western.skipped_rows["outside the covered area: Yemen (North Yemen)"] == [5]
    assert "ucdp-535002" not in set(western.events["event_id"])


def test_stated_region_and_country_for_every_row(western):
    ev = western.events.set_index("event_id")
    # located: the stated oblast and the country go to validation with the point
    assert ev.loc["ucdp-535001", ["admin1", "country", "geo_precision"]].tolist() == ["UA-51", "UA", "exact"]
    # "Kyiv oblast" is the oblast, not the capital (stripping "oblast" first read it as Kyiv city)
    assert ev.loc["ucdp-535003", ["admin1", "geo_precision"]].tolist() == ["UA-32", "admin1"]
    assert ev.loc["ucdp-535004", ["admin1", "geo_precision"]].tolist() == ["UA-48", "near"]
