"""Reference geography: bundled boundaries, region lookup, point-in-polygon."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import shapely

from geo import settings
from geo.errors import NotFoundError, ValidationError
from geo.reference import (
    PRESETS,
    country_of,
    find_region,
    load_admin0,
    load_admin1,
    load_land,
    lookup_region,
    neighbours_of,
    region_name,
    region_of,
    regions_of,
)

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"

# (lon, lat) of city centres
BRYANSK = (34.3667, 53.2521)
ZAPORIZHZHIA = (35.1175, 47.8517)
SIMFEROPOL = (34.1108, 44.9572)
SEVASTOPOL = (33.5200, 44.6000)
KYIV = (30.5238, 50.4547)
MINSK = (27.5667, 53.9000)
BLACK_SEA = (33.0, 43.5)
WARSAW = (21.0122, 52.2297)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("UA-23", "UA-23"),
        ("ua-23", "UA-23"),
        (" ru-bry ", "RU-BRY"),
        ("Zaporizhzhia", "UA-23"),
        ("Zaporizhzhya", "UA-23"),
        ("Zaporozhye", "UA-23"),
        ("Zaporizhzhia Oblast", "UA-23"),
        ("Zaporizhia oblast", "UA-23"),
        ("ZAPORIZHZHIA REGION", "UA-23"),
        ("Запорізька область", "UA-23"),
        ("Запорожская область", "UA-23"),
        ("Запорожская обл.", "UA-23"),
        ("Запоріжжя", "UA-23"),
        ("Bryansk", "RU-BRY"),
        ("Bryansk Oblast", "RU-BRY"),
        ("Брянская область", "RU-BRY"),
        ("Брянська область", "RU-BRY"),
        ("Брянск", "RU-BRY"),
        ("Crimea", "UA-43"),
        ("Krym", "UA-43"),
        ("Крим", "UA-43"),
        ("Autonomous Republic of Crimea", "UA-43"),
        ("Sevastopol", "UA-40"),
        ("Kyiv Oblast", "UA-32"),
        ("Kyiv region", "UA-32"),
        ("Kiev Oblast", "UA-32"),
        ("Київська область", "UA-32"),
        ("Kyiv", "UA-30"),
        ("Kiev", "UA-30"),
        ("Київ", "UA-30"),
        ("Киев", "UA-30"),
        ("Moscow", "RU-MOW"),
        ("Москва", "RU-MOW"),
        ("Moscow Oblast", "RU-MOS"),
        ("Moscow region", "RU-MOS"),
        ("Московская область", "RU-MOS"),
        ("Belgorod", "RU-BEL"),
        ("Bilhorod", "RU-BEL"),
        ("Белгородская область", "RU-BEL"),
        ("Kharkiv", "UA-63"),
        ("Kharkov", "UA-63"),
        ("Харківська область", "UA-63"),
        ("Donetsk", "UA-14"),
        ("Donetska oblast", "UA-14"),
        ("Luhansk", "UA-09"),
        ("Lugansk", "UA-09"),
        ("Kherson", "UA-65"),
        ("Sumy", "UA-59"),
        ("Сумская обл", "UA-59"),
        ("Dnipropetrovsk", "UA-12"),
        ("Dnepropetrovsk Oblast", "UA-12"),
        ("Odessa", "UA-51"),
        ("Kursk", "RU-KRS"),
        ("Voronezh", "RU-VOR"),
        ("Rostov Oblast", "RU-ROS"),
        ("Altai Krai", "RU-ALT"),
        ("Алтайский край", "RU-ALT"),
        ("Altai Republic", "RU-AL"),
        ("Minsk", "BY-HM"),
        ("Minsk Region", "BY-MI"),
        ("Krasnodar", "RU-KDA"),
    ],
)
def test_find_region_accepts_codes_names_and_variants(name, code):
    assert find_region(name) == code
    assert lookup_region(name) == code


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_every_region_is_found_by_each_of_its_names(lang):
    codes = load_admin1()["iso_3166_2"]
    misses = {c: region_name(c, lang) for c in codes if find_region(region_name(c, lang)) != c}
    assert misses == {}


@pytest.mark.parametrize("name", ["Narnia", "", "   ", "Oblast", "XX-99", "Altai"])
def test_find_region_returns_none_for_unknown_or_ambiguous(name):
    assert find_region(name) is None


def test_lookup_region_suggests_close_names():
    with pytest.raises(NotFoundError, match=r"'Altai'.*did you mean.*RU-AL.*RU-ALT"):
        lookup_region("Altai")


def test_lookup_region_rejects_blank():
    with pytest.raises(ValidationError, match="non-empty"):
        lookup_region("  ")


@pytest.mark.parametrize(("code", "country"), [("UA-43", "UA"), ("UA-40", "UA"), ("RU-BRY", "RU"), ("by-hm", "BY")])
def test_country_of_is_the_code_prefix(code, country):
    assert country_of(code) == country


@pytest.mark.parametrize("code", ["UA", "UA43", "Ukraine-43", "U-43", "UA-1234", ""])
def test_country_of_rejects_malformed_codes(code):
    with pytest.raises(ValidationError, match="not an ISO 3166-2 code"):
        country_of(code)


def test_region_name_in_three_languages():
    assert region_name("UA-23") == "Zaporizhzhia"
    assert region_name("ua-23", "uk") == "Запорізька область"
    assert region_name("UA-23", "ru") == "Запорожская область"
    assert region_name("RU-BRY", "ru") == "Брянская область"


def test_region_name_errors():
    with pytest.raises(ValidationError, match="lang"):
        region_name("UA-23", "de")
    with pytest.raises(NotFoundError, match="UA-99"):
        region_name("UA-99")


def test_admin1_columns_and_crs():
    admin1 = load_admin1()
    assert list(admin1.columns) == ["iso_3166_2", "country", "name_en", "name_uk", "name_ru", "type_en", "geometry"]
    assert admin1.crs.to_epsg() == 4326
    assert admin1["iso_3166_2"].is_unique
    assert admin1.groupby("country").size().to_dict() == {"BY": 7, "RU": 83, "UA": 27}
    assert admin1.geometry.is_valid.all()
    assert not admin1.geometry.is_empty.any()


def test_crimea_and_sevastopol_are_ukraine():
    admin1 = load_admin1().set_index("iso_3166_2")
    assert admin1.loc["UA-43", "country"] == "UA"
    assert admin1.loc["UA-40", "country"] == "UA"
    admin0 = load_admin0().set_index("iso_a2")
    assert admin0.loc["UA"].geometry.contains(admin1.loc["UA-43"].geometry.representative_point())
    assert not admin0.loc["RU"].geometry.intersects(admin1.loc["UA-43"].geometry.representative_point())


def test_broken_natural_earth_rows_are_fixed():
    admin1 = load_admin1().set_index("iso_3166_2")
    assert not admin1.index.str.contains("~").any()
    assert admin1.loc["RU-ALT", "name_en"] == "Altai Krai"
    assert admin1.loc["RU-ALT", "name_ru"] == "Алтайский край"
    assert admin1.loc["UA-32", "name_en"] != admin1.loc["UA-30", "name_en"]
    assert admin1.loc["UA-32", "name_uk"] == "Київська область"
    assert admin1.loc["BY-MI", "name_en"] != admin1.loc["BY-HM", "name_en"]
    for lang in ("en", "uk", "ru"):
        assert admin1[f"name_{lang}"].is_unique
    assert admin1["type_en"].notna().all()
    # Moscow city is the small one, and keeps ISO's code RU-MOW
    areas = admin1.loc[["RU-MOW", "RU-MOS"]].to_crs(6933).area
    assert areas["RU-MOW"] < 5_000e6 < areas["RU-MOS"]


def test_admin0_outlines():
    admin0 = load_admin0()
    assert list(admin0.columns) == ["iso_a2", "name_en", "name_uk", "name_ru", "geometry"]
    assert {"UA", "RU", "BY", "PL", "MD", "KZ", "GE"} <= set(admin0["iso_a2"])
    assert admin0.set_index("iso_a2").loc["UA", "name_uk"] == "Україна"


@pytest.mark.parametrize("loader", [load_admin1, load_admin0])
def test_simplified_matches_full(loader):
    full, simple = loader(), loader(simplified=True)
    key = full.columns[0]
    assert list(full[key]) == list(simple[key])
    assert simple.geometry.is_valid.all()
    ratio = simple.to_crs(6933).area.sum() / full.to_crs(6933).area.sum()
    assert 0.98 < ratio < 1.02


def test_loaders_return_copies():
    first = load_admin1()
    first.loc[0, "name_en"] = "changed"
    first.loc[1, "geometry"] = None
    del first["type_en"]
    again = load_admin1()
    assert len(again) == 117 and "type_en" in again
    assert again.loc[0, "name_en"] != "changed"
    assert again.loc[1, "geometry"] is not None


@pytest.mark.parametrize(
    ("point", "code"),
    [(BRYANSK, "RU-BRY"), (ZAPORIZHZHIA, "UA-23"), (SIMFEROPOL, "UA-43"), (SEVASTOPOL, "UA-40"), (KYIV, "UA-30"),
     (MINSK, "BY-HM"), (BLACK_SEA, None), (WARSAW, None)],
)  # fmt: skip
def test_region_of(point, code):
    assert region_of(*point) == code


def test_regions_of_agrees_with_region_of():
    rng = np.random.default_rng(7)
    lons, lats = rng.uniform(22, 45, 500), rng.uniform(43, 56, 500)
    many = regions_of(lons, lats)
    assert many.dtype == object
    assert list(many) == [region_of(x, y) for x, y in zip(lons, lats, strict=True)]
    assert {c[:2] for c in many if c} == {"UA", "RU", "BY"}


def test_regions_of_handles_nan_and_shape():
    out = regions_of(np.array([[BRYANSK[0], np.nan]]), np.array([[BRYANSK[1], 50.0]]))
    assert out.shape == (1, 2)
    assert out.tolist() == [["RU-BRY", None]]
    with pytest.raises(ValidationError, match="shape"):
        regions_of([1.0, 2.0], [1.0])


def test_regions_of_agrees_with_region_of_on_random_points():
    rng = np.random.default_rng(0)
    lons, lats = rng.uniform(22, 41, 2_000), rng.uniform(44, 53, 2_000)
    out = regions_of(lons, lats)
    assert 0.5 < out.astype(bool).mean() < 0.9
    for i in range(0, 2_000, 50):
        assert out[i] == region_of(lons[i], lats[i])


def test_presets_name_existing_regions():
    codes = set(load_admin1()["iso_3166_2"])
    assert PRESETS["front-line oblasts"] == (
        "UA-14", "UA-09", "UA-23", "UA-65", "UA-63", "UA-12", "UA-59", "UA-43", "UA-40",
    )  # fmt: skip
    assert PRESETS["Russian border regions"] == ("RU-BRY", "RU-KRS", "RU-BEL", "RU-VOR", "RU-ROS")
    for name, preset in PRESETS.items():
        assert set(preset) <= codes, name
    assert set(PRESETS["Ukraine"]) == {c for c in codes if c.startswith("UA-")}


@pytest.fixture
def other_data_dir(tmp_path, monkeypatch):
    """A data folder holding only Zaporizhzhia, in force for one test."""
    (tmp_path / "reference").mkdir()
    source = json.loads((REFERENCE / "admin1.geojson").read_text(encoding="utf-8"))
    source["features"] = [f for f in source["features"] if f["properties"]["iso_3166_2"] == "UA-23"]
    (tmp_path / "reference" / "admin1.geojson").write_text(json.dumps(source), encoding="utf-8")
    shutil.copy(REFERENCE / "admin0.geojson", tmp_path / "reference")
    monkeypatch.setenv("CONFLICTMAP_DATA_DIR", str(tmp_path))
    settings.reload()
    yield tmp_path
    monkeypatch.undo()
    settings.reload()


def test_data_dir_can_be_overridden(other_data_dir):
    assert list(load_admin1()["iso_3166_2"]) == ["UA-23"]
    assert region_of(*BRYANSK) is None
    assert find_region("Bryansk") is None
    with pytest.raises(NotFoundError, match="build_reference"):
        load_admin1(simplified=True)


def test_reference_files_are_small():
    sizes = {p.name: p.stat().st_size for p in REFERENCE.iterdir() if p.is_file()}
    assert {"admin1.geojson", "admin1_simplified.geojson", "admin0.geojson", "admin0_simplified.geojson"} <= set(sizes)
    assert max(sizes.values()) < 5_000_000
    assert sum(sizes.values()) < 15_000_000


def test_land_mask_tells_the_sea_from_land_abroad():
    land = load_land()
    # Black Sea, Sea of Azov, Baltic off Kaliningrad, the Caspian: sea; Sanaa, Kabul, Ankara, Kharkiv: land
    sea = [(32.5, 44.2), (36.5, 46.2), (19.5, 55.2), (50.5, 42.0)]
    land_points = [(44.2, 15.35), (69.2, 34.5), (32.85, 39.93), (36.23, 49.99)]
    assert not shapely.contains_xy(land, *zip(*sea, strict=True)).any()
    assert shapely.contains_xy(land, *zip(*land_points, strict=True)).all()


def test_neighbours_of_names_the_country_a_point_lies_in():
    # Chisinau, Warsaw, a Ukrainian village Natural Earth puts inside Moldova, Kharkiv, the Black Sea
    out = neighbours_of([28.8575, 21.0118, 29.2016, 36.2304, 32.5], [47.0056, 52.2298, 46.38703, 49.9935, 44.2])
    assert out.tolist() == ["MD", "PL", "MD", None, None]
