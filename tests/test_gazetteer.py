"""Gazetteer: name matching, region hints, fallbacks, the bundled CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geo import gazetteer
from geo._text import fold, skeleton
from geo.errors import NotFoundError, ValidationError
from geo.gazetteer import Candidate, GeocodeResult, geocode, geocode_many

GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "reference" / "gazetteer.csv"

HULYAIPOLE = 707898  # Zaporizhzhia Oblast
VYHONICHI = 470473
KUPIANSK = 703656
KHARKIV = 706483
ZAPORIZHZHIA = 687700
ZALIZNYCHNE_ZAP = 687796


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(GAZETTEER, keep_default_na=False, dtype={"admin1": str})


@pytest.mark.parametrize(
    ("names", "geonameid"),
    [
        (
            ["Hulyaipole", "Gulyaypole", "Huliaipole", "Hulyaypole", "Huliai-Pole", "Гуляйполе", "ГУЛЯЙ-ПОЛЕ"],
            HULYAIPOLE,
        ),
        (["Vyhonichi", "Vygonichi", "Выгоничи", "Вигоничі"], VYHONICHI),
        (
            ["Kupiansk", "Kupyansk", "Kup'yans'k", "Kup’yans’k", "Kupʼjansʼk", "Купянськ", "Куп'янськ", "Купянск"],
            KUPIANSK,
        ),
        (["Kharkiv", "Kharkov", "kharkiv", "Харків", "Харьков", "Charkiw"], KHARKIV),
        (["Zaporizhzhia", "Zaporizhzhya", "Zaporozhye", "Zaporizhia", "Запоріжжя", "Запорожье"], ZAPORIZHZHIA),
    ],
)
def test_spelling_variants_find_one_place(names, geonameid):
    for name in names:
        result = geocode(name)
        assert (name, result.geonameid, result.found, result.precision) == (name, geonameid, True, "exact")


def test_text_keys():
    assert fold("Kup’yans’k") == fold("KUP'YANS'K") == "kupyansk"
    assert fold("Купянськ") == fold("Купянск")
    assert fold("Щёлково") == fold("Щелково")
    assert skeleton("Hulyaipole") == skeleton("Gulyay-Pole") == skeleton("Гуляйполе")
    assert skeleton("Zaliznychne") == skeleton("Zaliznyčne") == skeleton("Залізничне")
    assert skeleton("Novyi Donbas") == skeleton("Новий Донбас") == skeleton("Novyy Donbass")


def test_found_result_carries_point_region_and_candidates():
    result = geocode("Bryansk")
    assert result.found and result.precision == "exact"
    assert (result.admin1, result.country, result.name) == ("RU-BRY", "RU", "Bryansk")
    assert result.lat == pytest.approx(53.25, abs=0.1) and result.lon == pytest.approx(34.35, abs=0.1)
    assert result.candidates[0].geonameid == result.geonameid
    assert all(isinstance(c, Candidate) for c in result.candidates)


def test_crimea_is_ukraine():
    for name in ("Simferopol", "Симферополь", "Kerch"):
        result = geocode(name)
        assert (result.admin1, result.country) == ("UA-43", "UA")
    assert geocode("Sevastopol").admin1 == "UA-40"


def test_hint_picks_the_place_in_that_region():
    result = geocode("Zaliznychne", region="Zaporizhzhia")
    assert (result.found, result.geonameid, result.admin1) == (True, ZALIZNYCHNE_ZAP, "UA-23")
    assert result.lat == pytest.approx(47.65, abs=0.02) and result.lon == pytest.approx(36.17, abs=0.02)
    assert len({c.admin1 for c in result.candidates}) > 1  # the other Zaliznychnes are listed after it
    assert geocode("Zaliznychne", region="UA-23") == result
    assert geocode("Zaliznychne", region="Запорожская область") == result


def test_hint_wins_over_population():
    unhinted = geocode("Zaliznychne")
    assert unhinted.admin1 != "UA-23"
    popivka = geocode("Popivka", region="Sumy")
    assert (popivka.found, popivka.admin1) == (True, "UA-59")
    assert "1 other match in UA-59, ranked by population" in popivka.message


def test_novopavlivka_in_dnipropetrovsk_not_donetsk():
    found = geocode("Novopavlivka", region="Dnipropetrovsk")
    assert (found.found, found.admin1, found.geonameid) == (True, "UA-12", 699373)
    fallback = geocode("Novopavlivka", region="Donetsk")
    assert (fallback.found, fallback.precision, fallback.admin1) == (False, "admin1", "UA-14")
    assert 699373 in {c.geonameid for c in fallback.candidates}


def test_name_only_elsewhere_falls_back_to_the_hinted_region():
    result = geocode("Tsvitkove", region="Zaporizhzhia")
    assert (result.found, result.precision, result.admin1, result.country) == (False, "admin1", "UA-23", "UA")
    assert (result.lat, result.lon, result.name, result.geonameid) == (None, None, None, None)
    assert {c.admin1 for c in result.candidates} == {"UA-71", "UA-48"}
    assert "not in the gazetteer" in result.message and "UA-23 Zaporizhzhia" in result.message


@pytest.mark.parametrize(
    ("name", "region", "code"),
    [
        ("Sydorivka", "Sumy", "UA-59"),
        ("Hlushkivka", "Kharkiv", "UA-63"),
        ("Chuhunivka", "UA-63", "UA-63"),
        ("Staroukrainka", "Zaporizhzhia", "UA-23"),
        ("Prydorozhne", "Zaporizhzhia", "UA-23"),
        ("Novosynove", "Харківська область", "UA-63"),
    ],
)
def test_village_missing_from_cities500_gets_region_precision(name, region, code):
    result = geocode(name, region=region)
    assert (result.found, result.precision, result.admin1) == (False, "admin1", code)
    assert (result.lat, result.lon) == (None, None)
    assert result.message.startswith(f"'{name}' is not in the gazetteer (GeoNames cities500)")
    assert f"located at region precision ({code} " in result.message


@pytest.mark.parametrize("name", ["Narnia", "Sydorivka", "Staroukrainka", "Robotyne"])
def test_unknown_name_without_hint_is_not_located(name):
    result = geocode(name)
    assert (result.found, result.precision) == (False, "unknown")
    assert (result.lat, result.lon, result.admin1, result.country, result.name, result.geonameid) == (None,) * 6


@pytest.mark.parametrize("name", ["", "   ", None])
def test_empty_name_is_an_error(name):
    with pytest.raises(ValidationError, match="non-empty"):
        geocode(name)


def test_unknown_hint_is_an_error_naming_it():
    with pytest.raises(NotFoundError, match="Atlantis"):
        geocode("Popivka", region="Atlantis")


def test_blank_hint_means_no_hint():
    assert geocode("Popivka", region=" ") == geocode("Popivka")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Pushkino", "UA-43"),  # Crimea counts as Ukraine, before Moscow Oblast's town of 100,000
        ("Manturovo", "RU-KRS"),  # a border region before the rest of Russia
        # own name and transliteration rank alike, then population: the town of 12,000 in
        # Zaporizhzhia before the Kursk village whose own GeoNames name is the Russian form
        ("Mikhaylovka", "UA-23"),
        ("Konstantinovka", "UA-14"),  # Kostyantynivka (city), not the Crimean village
        ("Svetlogorsk", "RU-KGD"),  # Russia before Belarus, whatever the population
        ("Popovka", "UA-59"),  # Ukrainian Popivkas before Russian Popovkas
    ],
)
def test_tiers_without_hint(name, code):
    assert geocode(name).admin1 == code


@pytest.mark.parametrize(
    ("name", "region", "geonameid"),
    [
        ("Zheleznodorozhnoye", "Zaporizhzhia", ZALIZNYCHNE_ZAP),  # Russian MoD's name, added to GeoNames' list
        ("Железнодорожное", "UA-23", ZALIZNYCHNE_ZAP),
        ("Гришино", "Donetsk", 708060),  # Hryshyne, not Pokrovsk (called Grishino until 1934)
        ("Grishino", "UA-14", 708060),
        ("Krasnoarmeysk", "UA-14", 704422),  # Pokrovsk's Soviet name
        ("Белицкое", "Donetsk", 712613),
        ("Новый Донбасс", "Donetsk", 9111982),
        ("Поповка", "Sumy", 696517),
    ],
)
def test_russian_forms_of_ukrainian_names(name, region, geonameid):
    result = geocode(name, region=region)
    assert (result.found, result.geonameid) == (True, geonameid)


def test_own_name_beats_a_bogus_alternate_name():
    # GeoNames lists "Sloviansk" among Nikopol's alternate names; Nikopol is 19 people larger.
    assert geocode("Sloviansk").admin1 == "UA-14"


def test_fuzzy_match_is_labelled_and_never_beats_an_exact_one():
    fuzzy = geocode("Kupyansk-Vuzlovoy")
    assert fuzzy.found and fuzzy.geonameid == 703652
    assert "fuzzy" in fuzzy.message and fuzzy.candidates[0].score < 95
    exact = geocode("Kupiansk-Vuzlovyi")
    assert exact.candidates[0].score == 100
    for result in (geocode("Popivka"), geocode("Zaliznychne", "UA-23"), geocode("Hulyaipole")):
        assert all(c.score >= 95 for c in result.candidates)


def test_venues():
    for name, country in [("Geneva", "CH"), ("Женева", "CH"), ("Abu Dhabi", "AE"), ("Istanbul", "TR"), ("Doha", "QA")]:
        result = geocode(name)
        assert (result.found, result.country, result.admin1) == (True, country, None)


def test_to_dict_keys_and_json():
    result = geocode("Tsvitkove", region="Zaporizhzhia")
    data = result.to_dict()
    assert set(data) == {
        "query", "name", "lat", "lon", "admin1", "precision", "candidates", "found", "country", "geonameid", "message",
    }  # fmt: skip
    assert isinstance(data["candidates"], list) and isinstance(data["candidates"][0], dict)
    assert set(data["candidates"][0]) == {"name", "lat", "lon", "admin1", "country", "population", "geonameid", "score"}
    assert json.loads(json.dumps(data))["admin1"] == "UA-23"


def test_results_are_frozen():
    result = geocode("Sumy")
    assert isinstance(result, GeocodeResult)
    with pytest.raises(AttributeError):
        result.lat = 0.0  # type: ignore[misc]


def test_geocode_many_memoises_and_keeps_order():
    results = geocode_many(["Sumy", "Sydorivka", "Sumy"], ["UA-59", "Sumy", "UA-59"])
    assert [r.precision for r in results] == ["exact", "admin1", "exact"]
    assert results[0] is results[2]
    assert [r.found for r in geocode_many(["Bryansk", "Narnia"])] == [True, False]


def test_geocode_many_reports_every_bad_row():
    with pytest.raises(ValidationError) as err:
        geocode_many(["Sumy", "", "Popivka"], [None, None, "Atlantis"])
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "name"), (3, "region")]
    with pytest.raises(ValidationError, match="2 names but 1 regions"):
        geocode_many(["Sumy", "Kherson"], ["UA-59"])


def test_load_is_cached_once():
    """Loading happens once; timings live in bench/lookups.py, not here."""
    gazetteer._load.cache_clear()
    geocode("Sumy")
    geocode("Kharkiv", region="UA-63")
    assert gazetteer._load.cache_info().misses == 1


def test_csv_counts_and_regions(table):
    places = table[table["kind"] == "place"]
    counts = places.groupby("country").size()
    assert counts["UA"] >= 5000 and counts["RU"] >= 5000 and counts["BY"] >= 300
    ua = places[places["country"] == "UA"]
    assert (~ua["admin1"].str.startswith("UA-")).sum() <= 10
    ru = places[places["country"] == "RU"]
    assert (~ru["admin1"].str.startswith("RU-")).sum() <= 10
    crimea = places[places["lat"].between(44.3, 46.0) & places["lon"].between(32.5, 36.6)]
    crimea = crimea[crimea["admin1"].isin(["UA-43", "UA-40"]) | ~crimea["admin1"].str.startswith("UA-")]
    assert len(crimea) > 300
    assert set(crimea["admin1"]) == {"UA-43", "UA-40"}


def test_csv_shape(table):
    assert list(table.columns) == list(
        ("geonameid", "name", "asciiname", "lat", "lon", "country", "admin1", "population", "kind", "alternatenames")
    )
    assert table["geonameid"].is_unique and table["geonameid"].is_monotonic_increasing
    venues = table[table["kind"] == "venue"]
    assert set(venues["name"]) == {"Abu Dhabi", "Geneva", "Istanbul", "Riyadh", "Jeddah", "Doha"}
    assert (venues["admin1"] == "").all()
    assert table["asciiname"].map(str.isascii).all()
    alternates = table["alternatenames"].str.split("|").explode()
    alternates = alternates[alternates != ""]
    assert not alternates.str.fullmatch(r"[A-Z]{3,4}").any()
    assert not (alternates == alternates.str.lower()).any()
    assert GAZETTEER.stat().st_size < 5_000_000


@pytest.mark.slow
def test_build_gazetteer_reproduces_the_bundled_csv(tmp_path):
    from scripts.build_gazetteer import build, write_csv

    write_csv(build(GAZETTEER.parent), tmp_path / "gazetteer.csv")
    assert (tmp_path / "gazetteer.csv").read_bytes() == GAZETTEER.read_bytes()


def test_hinted_fuzzy_pass_accepts_ukrainian_russian_vowel_alternation():
    found = geocode("Olenivka", region="Crimea")
    assert (found.found, found.name, found.admin1) == (True, "Olenevka", "UA-43")
    assert "fuzzy" in found.message
