"""Gazetteer: name matching, ranking, region and district hints, ambiguity, the bundled files."""

from __future__ import annotations

import csv
import gzip
import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from geo import _gazetteer_index, gazetteer
from geo._text import fold, skeleton
from geo.errors import NotFoundError, ValidationError
from geo.gazetteer import Candidate, GeocodeResult, geocode, geocode_many

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "data" / "reference"
GAZETTEER = REFERENCE / "gazetteer.csv.gz"
INDEX = REFERENCE / "gazetteer.index.gz"
SHARED = ROOT.parent / "shared"

HULYAIPOLE = 707898  # Zaporizhzhia Oblast
VYHONICHI = 470473
KUPIANSK = 703656
KHARKIV = 706483
ZAPORIZHZHIA = 687700
ZALIZNYCHNE_ZAP = 687796


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(GAZETTEER, keep_default_na=False, dtype=str)


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


def test_hint_decides_between_villages_of_one_name():
    unhinted = geocode("Zaliznychne")  # 11 villages in Ukraine: no point without a hint
    assert (unhinted.found, unhinted.ambiguous, unhinted.precision, unhinted.admin1) == (False, True, "unknown", None)
    assert ZALIZNYCHNE_ZAP in {c.geonameid for c in unhinted.candidates}
    sydorivka = geocode("Sydorivka")
    assert sydorivka.ambiguous and len(sydorivka.candidates) == 4
    hinted = geocode("Sydorivka", region="Sumy")  # the only one in Sumy oblast
    assert (hinted.found, hinted.geonameid, hinted.admin1, hinted.ambiguous) == (True, 807024, "UA-59", False)
    assert (hinted.source, hinted.district) == ("GeoNames 807024", "Shostkyns’ka Mis’krada")


def test_district_decides_when_the_region_does_not():
    both = geocode("Tsvitkove", region="Zaporizhzhia")
    assert (both.found, both.ambiguous, both.precision, both.admin1) == (False, True, "admin1", "UA-23")
    assert [c.geonameid for c in both.candidates[:2]] == [691066, 9114030]
    assert "2 places fit equally well" in both.message and "district" in both.message
    for district in ("Polohy", "Polohivskyi raion", "Пологівський район", "Пологовский район", "pologovsky district"):
        result = geocode("Tsvitkove", region="UA-23", district=district)
        assert (result.found, result.geonameid, result.district) == (True, 9114030, "Polohy Raion"), district
        assert result.lat == pytest.approx(47.698, abs=1e-3) and result.lon == pytest.approx(36.127, abs=1e-3)
    assert geocode("Tsvitkove", region="UA-23", district="Vasylivskyi raion").geonameid == 691066
    assert geocode("Novopavlivka", region="UA-12", district="Synelnykivskyi").geonameid == 699373
    ignored = geocode("Tsvitkove", region="UA-23", district="Kupianskyi")
    assert ignored.ambiguous and "none of them in district 'Kupianskyi'" in ignored.message


def test_ambiguous_names_list_their_candidates():
    result = geocode("Popivka", region="Sumy")
    assert (result.found, result.ambiguous, result.precision, result.admin1) == (False, True, "admin1", "UA-59")
    assert (result.lat, result.lon, result.geonameid, result.name) == (None, None, None, None)
    assert {c.geonameid for c in result.candidates[:4]} == {696517, 696519, 8563474, 8634327}
    assert all(c.admin1 == "UA-59" and c.source.startswith("GeoNames ") for c in result.candidates[:4])
    assert "'Popivka' is ambiguous: 4 places fit equally well" in result.message
    assert "located at region precision (UA-59 Sumy)" in result.message
    # Cyrillic and Russian spellings of one Ukrainian village name are just as ambiguous
    for spelling in ("Попівка", "Поповка", "Popovka"):
        assert geocode(spelling, region="UA-59").ambiguous, spelling


def test_novopavlivka_in_donetsk_is_another_village():
    found = geocode("Novopavlivka", region="Dnipropetrovsk", district="Synelnykove")
    assert (found.found, found.admin1, found.geonameid) == (True, "UA-12", 699373)
    donetsk = geocode("Novopavlivka", region="Donetsk")
    assert donetsk.ambiguous and {c.admin1 for c in donetsk.candidates[:2]} == {"UA-14"}
    assert 699373 not in {c.geonameid for c in donetsk.candidates[:2]}


def test_name_only_elsewhere_falls_back_to_the_hinted_region():
    result = geocode("Tsvitkove", region="Kharkiv")
    assert (result.found, result.precision, result.admin1, result.country) == (False, "admin1", "UA-63", "UA")
    assert (result.lat, result.lon, result.name, result.geonameid, result.ambiguous) == (None, None, None, None, False)
    assert {"UA-71", "UA-23"} <= {c.admin1 for c in result.candidates}
    assert "not in the gazetteer" in result.message and "UA-63 Kharkiv" in result.message


@pytest.mark.parametrize(
    ("name", "region", "geonameid"),
    [
        ("Sydorivka", "Sumy", 807024),
        ("Hlushkivka", "Kharkiv", 708709),
        ("Chuhunivka", "UA-63", 710375),
        ("Staroukrainka", "Zaporizhzhia", 689964),
        ("Prydorozhne", "Zaporizhzhia", 689957),  # GeoNames writes Prydorozhnye: a spelling variant
        ("Придорожное", "Запорожская область", 689957),
        ("Robotyne", "UA-23", 695586),
    ],
)
def test_villages_of_the_ukraine_dump_are_points(name, region, geonameid):
    result = geocode(name, region=region)
    assert (result.found, result.precision, result.geonameid, result.ambiguous) == (True, "exact", geonameid, False)
    assert result.district and result.source == f"GeoNames {geonameid}"


@pytest.mark.parametrize(
    ("name", "code", "postcode", "district"),
    [
        ("Беседино", "RU-KRS", "305501", "Курский район"),
        ("Besedino", "RU-KRS", "305501", "Курский район"),
        ("Gakhovo", "RU-KRS", "307045", "Медвенский район"),
        ("Вьюково", "RU-BRY", "243530", "Суражский район"),
        ("Dvuluchnoye", "RU-BEL", "309975", "Валуйский район"),
    ],
)
def test_russian_villages_of_the_postal_dump_are_points(name, code, postcode, district):
    result = geocode(name)
    assert (result.found, result.admin1, result.country, result.district) == (True, code, "RU", district)
    assert (result.geonameid, result.source) == (None, f"GeoNames postal code {postcode}")
    assert result.candidates[0].geonameid is None


def test_a_postal_village_and_a_ukrainian_one_of_one_name_are_ambiguous_until_hinted():
    both = geocode("Sverdlikovo")  # Свердликово, Kursk (postal) and Sverdlykove, Kirovohrad (GeoNames)
    assert both.ambiguous and {c.admin1 for c in both.candidates[:2]} == {"RU-KRS", "UA-35"}
    assert geocode("Sverdlikovo", region="Kursk").source == "GeoNames postal code 307812"


@pytest.mark.parametrize("name", ["Narnia", "Xyzzyvka", "Tetkina"])
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


def test_blank_hints_mean_no_hint():
    assert geocode("Popivka", region=" ") == geocode("Popivka") == geocode("Popivka", district="  ")


@pytest.mark.parametrize(
    ("name", "code", "geonameid"),
    [
        ("Mogilev", "BY-MA", 625665),  # Mahilyow, 350,000 people, not the Ukrainian village Mohyliv
        ("Могилёв", "BY-MA", 625665),
        ("Orsha", "BY-VI", 624079),  # the Belarusian town, not the Tver village
        ("Pushkino", "RU-MOS", 503977),  # a town of 100,000 before the Crimean village
        ("Manturovo", "RU-KOS", 529505),  # the Kostroma town before the Kursk village
        ("Konstantinovka", "UA-14", 705104),  # Kostyantynivka (city), not the Crimean village
        ("Svetlogorsk", "RU-KGD", 485699),  # two towns: Russia before Belarus
        ("Mikhaylovka", "RU-VGG", 527012),  # the town's own name, written so, before Ukrainian Mykhailivkas
    ],
)
def test_a_city_beats_a_village_without_a_hint(name, code, geonameid):
    result = geocode(name)
    assert (result.found, result.admin1, result.geonameid) == (True, code, geonameid)
    assert "a city before villages" in result.message


def test_a_hint_beats_the_city():
    village = geocode("Orsha", region="Tver")
    assert (village.found, village.admin1, village.geonameid) == (True, "RU-TVE", 514744)
    assert geocode("Mogilev", region="Dnipropetrovsk").geonameid == 700925


def test_exact_name_beats_a_spelling_variant():
    # Labinsk's Polish name Łabińsk loses its Ł in the romanisation key and reads "abinsk"
    result = geocode("Abinsk", region="RU-KDA")
    assert (result.found, result.name, result.geonameid) == (True, "Abinsk", 584441)
    assert "spelling variant" not in result.message
    assert [c.name for c in result.candidates] == ["Abinsk", "Labinsk"]
    assert [c.score for c in result.candidates] == [100, 95]
    assert geocode("Abinsk").geonameid == 584441


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
        ("Hryshyne", "Donetsk", 708060),
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
    for result in (geocode("Popivka", "UA-59"), geocode("Zaliznychne", "UA-23"), geocode("Hulyaipole")):
        assert all(c.score >= 95 for c in result.candidates)


def test_hinted_fuzzy_pass_accepts_one_more_differing_letter():
    assert geocode("Tetkina").found is False
    found = geocode("Tetkina", region="Kursk")
    assert (found.found, found.name, found.admin1) == (True, "Tëtkino", "RU-KRS")
    assert "fuzzy" in found.message


def test_venues():
    for name, country in [("Geneva", "CH"), ("Женева", "CH"), ("Abu Dhabi", "AE"), ("Istanbul", "TR"), ("Doha", "QA")]:
        result = geocode(name)
        assert (result.found, result.country, result.admin1) == (True, country, None)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Kherson", "UA-65"),
        ("Ochakiv", "UA-48"),
        ("Mariupol", "UA-14"),
        ("Odesa", "UA-51"),
        ("Sevastopol", "UA-40"),
        ("Snake Island", "UA-51"),
        ("Zmiinyi", "UA-51"),
        ("Остров Змеиный", "UA-51"),
        ("Kinburn Spit", "UA-48"),
    ],
)
def test_coastal_places_have_a_region(name, code):
    result = geocode(name)
    assert (result.found, result.admin1, result.country) == (True, code, "UA")


def test_to_dict_keys_and_json():
    result = geocode("Tsvitkove", region="Zaporizhzhia")
    data = result.to_dict()
    assert set(data) == {
        "query", "name", "lat", "lon", "admin1", "precision", "candidates", "found", "country", "geonameid", "message",
        "ambiguous", "district", "source",
    }  # fmt: skip
    assert isinstance(data["candidates"], list) and isinstance(data["candidates"][0], dict)
    assert set(data["candidates"][0]) == {
        "name", "lat", "lon", "admin1", "country", "population", "geonameid", "score", "district", "source",
    }  # fmt: skip
    assert json.loads(json.dumps(data))["admin1"] == "UA-23"


def test_results_are_frozen():
    result = geocode("Sumy")
    assert isinstance(result, GeocodeResult)
    with pytest.raises(AttributeError):
        result.lat = 0.0  # type: ignore[misc]


def test_geocode_many_memoises_and_keeps_order():
    results = geocode_many(["Sumy", "Popivka", "Sumy"], ["UA-59", "Sumy", "UA-59"])
    assert [r.precision for r in results] == ["exact", "admin1", "exact"]
    assert results[0] is results[2]
    assert [r.found for r in geocode_many(["Bryansk", "Narnia"])] == [True, False]
    chosen = geocode_many(["Tsvitkove", "Tsvitkove"], ["UA-23", "UA-23"], [None, "Polohy"])
    assert [r.geonameid for r in chosen] == [None, 9114030]


def test_geocode_many_reports_every_bad_row():
    with pytest.raises(ValidationError) as err:
        geocode_many(["Sumy", "", "Popivka"], [None, None, "Atlantis"])
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "name"), (3, "region")]
    with pytest.raises(ValidationError, match="2 names but 1 regions"):
        geocode_many(["Sumy", "Kherson"], ["UA-59"])
    with pytest.raises(ValidationError, match="2 names but 3 districts"):
        geocode_many(["Sumy", "Kherson"], None, ["a", "b", "c"])


def test_load_is_cached_once():
    """Loading happens once; timings live in bench/bench_gazetteer.py, not here."""
    gazetteer._load.cache_clear()
    geocode("Sumy")
    geocode("Kharkiv", region="UA-63")
    assert gazetteer._load.cache_info().misses == 1


def test_csv_counts_and_regions(table):
    places = table[table["kind"] != "venue"]
    counts = places.groupby("country").size()
    assert counts["UA"] >= 33_000 and counts["RU"] >= 20_000 and counts["BY"] >= 300
    assert (places["admin1"].str[:2] == places["country"]).all()  # every place has a region of its country
    postal = places[places["feature"] == "postal"]
    assert len(postal) > 15_000 and (postal["geonameid"] == "").all()
    assert postal["postcode"].str.fullmatch(r"\d{6}").all()
    assert set(places["kind"]) == {"place", "section", "historic", "feature"}
    lat, lon = places["lat"].astype(float), places["lon"].astype(float)
    crimea = places[lat.between(44.3, 46.0) & lon.between(32.5, 36.6)]
    crimea = crimea[crimea["admin1"].isin(["UA-43", "UA-40"]) | ~crimea["admin1"].str.startswith("UA-")]
    assert len(crimea) > 1000
    assert set(crimea["admin1"]) == {"UA-43", "UA-40"}
    ukraine = places[places["country"] == "UA"]
    assert (ukraine["district"] != "").mean() > 0.99


def test_csv_shape(table):
    assert list(table.columns) == list(_gazetteer_index.COLUMNS)
    has_id = (table["geonameid"] != "").to_numpy()
    ids = table.loc[has_id, "geonameid"].astype(int)
    assert ids.is_unique and ids.is_monotonic_increasing
    assert not has_id[has_id.argmin() :].any()  # GeoNames ids first, then postal places
    venues = table[table["kind"] == "venue"]
    assert set(venues["name"]) == {"Abu Dhabi", "Geneva", "Istanbul", "Riyadh", "Jeddah", "Doha"}
    assert (venues["admin1"] == "").all()
    assert table["asciiname"].map(str.isascii).all()
    alternates = table["alternatenames"].str.split("|").explode()
    alternates = alternates[alternates != ""]
    assert not alternates.str.fullmatch(r"[A-Z]{3,4}").any()
    assert not (alternates == alternates.str.lower()).any()
    assert GAZETTEER.stat().st_size + INDEX.stat().st_size < 6_000_000


def test_places_table():
    frame = gazetteer.places()
    assert len(frame) == len(gazetteer._load(gazetteer._gazetteer_file()).places)
    row = frame[frame["geonameid"] == ZALIZNYCHNE_ZAP].iloc[0]
    assert (row["name"], row["admin1"], row["district"], row["source"]) == (
        "Zaliznychne", "UA-23", "Polohy Raion", "GeoNames 687796",
    )  # fmt: skip
    postal = frame[frame["postcode"] == "305501"].iloc[0]
    assert pd.isna(postal["geonameid"]) and postal["source"] == "GeoNames postal code 305501"


def test_bundled_index_is_fresh():
    with gzip.open(INDEX, "rt", encoding="utf-8") as handle:
        header = handle.readline()
    fields = dict(f.split("=", 1) for f in header.strip().split("\t")[1:])
    fix = "run `python scripts/build_gazetteer.py --index-only`"
    assert fields["text"] == _gazetteer_index.text_digest(), f"geo/_text.py changed: {fix}"
    assert fields["places"] == _gazetteer_index.file_digest(GAZETTEER), f"gazetteer.csv.gz changed: {fix}"


def _write_places(folder: Path, rows: list[dict[str, str]]) -> Path:
    path = folder / _gazetteer_index.PLACES_FILE
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=_gazetteer_index.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in _gazetteer_index.COLUMNS} for row in rows)
    return path


SMALL = [
    {"geonameid": "687796", "name": "Zaliznychne", "asciiname": "Zaliznychne", "lat": "47.64855", "lon": "36.16715",
     "country": "UA", "admin1": "UA-23", "district": "Polohy Raion|Пологівський район", "population": "1099",
     "kind": "place", "feature": "PPL", "alternatenames": "Zheleznodorozhnoye|Залізничне"},
    {"postcode": "305501", "name": "Беседино", "asciiname": "Besedino", "lat": "51.71", "lon": "36.85",
     "country": "RU", "admin1": "RU-KRS", "district": "Курский район", "population": "0", "kind": "place",
     "feature": "postal"},
]  # fmt: skip


def test_index_round_trip_and_stale_index_rebuilt(tmp_path, caplog):
    places = _write_places(tmp_path, SMALL)
    with caplog.at_level(logging.WARNING, logger="geo._gazetteer_index"):
        rebuilt = _gazetteer_index.load_index(tmp_path)  # no index yet: made in memory, with a warning
    assert "is missing" in caplog.text and "--index-only" in caplog.text
    _gazetteer_index.write_gzip_text(tmp_path / _gazetteer_index.INDEX_FILE, _gazetteer_index.index_text(places))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="geo._gazetteer_index"):
        loaded = _gazetteer_index.load_index(tmp_path)
    assert caplog.text == ""
    assert list(loaded.places) == list(rebuilt.places) and loaded.by_key == rebuilt.by_key
    assert loaded.places[1].geonameid is None and loaded.places[1].postcode == "305501"
    assert loaded.districts[loaded.places[0].district].names == ("Polohy Raion", "Пологівський район")
    assert {row for row, _ in _gazetteer_index.entries(loaded.by_fold["zheleznodorozhnoye"])} == {0}
    assert dict(_gazetteer_index.entries(loaded.by_fold["besedino"])) == {1: True}
    _write_places(tmp_path, [{**SMALL[0], "lat": "47.6"}, SMALL[1]])  # the places changed, the index did not
    with caplog.at_level(logging.WARNING, logger="geo._gazetteer_index"):
        stale = _gazetteer_index.load_index(tmp_path)
    assert "was made for another places file" in caplog.text
    assert stale.places[0].lat == 47.6


def test_district_keys():
    key = _gazetteer_index.district_key
    assert key("Polohivskyi raion") == key("Пологівський район") == "polohivski"
    assert key("Pologovsky district") == key("Пологовский район") == "polohovski"
    assert _gazetteer_index.same_district(key("Polohy"), [key("Polohivskyi raion")])
    assert _gazetteer_index.same_district(key("Kursky"), [key("Курский район")])
    assert not _gazetteer_index.same_district(key("Novoazovskyi"), [key("Novomoskovskyi raion")])


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "reference" / "geonames" / "UA.zip").is_file(), reason="needs ../shared")
def test_build_gazetteer_reproduces_the_bundled_files(tmp_path):
    import shutil

    from scripts.build_gazetteer import main

    shutil.copy(REFERENCE / "admin1.geojson", tmp_path / "admin1.geojson")
    main(["--reference-dir", str(tmp_path), "--shared", str(SHARED)])
    for name in (_gazetteer_index.PLACES_FILE, _gazetteer_index.INDEX_FILE):
        with gzip.open(tmp_path / name) as new, gzip.open(REFERENCE / name) as old:
            assert new.read() == old.read(), name
