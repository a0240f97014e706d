"""How a file is handed to GDAL: with its driver named, so GDAL tries no other (a ``.gpkg`` that is really a VRT
must not be opened as one — a VRT can read local files or fetch URLs)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

__all__ = ["NAMED", "gdal_name"]

NAMED: Final = {"GeoJSON": "GeoJSON", "GeoPackage": "GPKG"}
"""Formats whose GDAL driver can be named in the path (``GPKG:file``): GDAL then tries no other driver."""


def gdal_name(path: str | Path, fmt: str) -> str:
    """What to hand GDAL to open ``path`` as ``fmt``: the path with its driver named where GDAL allows it.

    ``GPKG:`` and ``GeoJSON:`` make GDAL use that driver and no other; KML and Shapefile cannot be named this way,
    so :func:`geo.importers.vector.check_driver` refuses them unless their content and GDAL's pick agree. A path
    with a ``:`` of its own would be read as a layer name after the prefix: it is handed over bare (and checked the
    same way).
    """
    prefix = NAMED.get(fmt)
    return f"{prefix}:{path}" if prefix and ":" not in str(path) else str(path)
