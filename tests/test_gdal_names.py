"""Every file GDAL opens in geo/ is handed over with its driver named (``GPKG:``, ``GeoJSON:``), or checked first.

A file named ``.gpkg`` or ``.geojson`` may hold a VRT document, which GDAL would open as a VRT — one that reads
local files or fetches URLs — if it were left to guess the driver.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyogrio

ROOT = Path(__file__).resolve().parents[1]
_OPENS = re.compile(r"\b(?:read_file|read_dataframe|read_arrow|read_info|list_layers|raw\.read)\(\s*([^,)\n]*)")


def test_every_gdal_read_in_geo_names_its_driver():
    unnamed = []
    for path in sorted((ROOT / "geo").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in _OPENS.finditer(line):
                first = m.group(1).strip()
                if "pyogrio" not in line and "gpd." not in line:
                    continue  # the project's own read_file (geo.importers) and friends
                named = first.startswith(("gdal_name(", "vector.gdal_name(")) or first == "name"  # native.py's
                if first and not named:
                    unnamed.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert unnamed == []


def test_the_store_reads_its_file_through_the_geopackage_driver(tmp_store, monkeypatch):
    seen = []
    real = pyogrio.read_arrow

    def spy(path, *args, **kwargs):
        seen.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pyogrio, "read_arrow", spy)
    tmp_store.read_events()
    assert seen and all(p.startswith("GPKG:") for p in seen), seen


def test_reference_files_are_read_as_geojson(monkeypatch):
    import geopandas as gpd

    from geo import reference

    seen = []
    real = gpd.read_file
    monkeypatch.setattr(gpd, "read_file", lambda path, *a, **k: seen.append(str(path)) or real(path, *a, **k))
    reference._read.cache_clear()
    try:
        reference.load_admin0()
    finally:
        reference._read.cache_clear()
    assert seen and all(p.startswith("GeoJSON:") for p in seen), seen
