"""GeoPackage binary geometry blobs: encoding shapely geometries, reading bounds back.

A blob is the GeoPackage header (``'GP'``, version 0, flags, ``srs_id``,
envelope) followed by ISO WKB. Private to :mod:`geo.store.gpkg`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import shapely

SRS_ID: Final = 4326

# GeoPackage binary header: 'GP', version 0, flags, srs_id, envelope [minx, maxx, miny, maxy].
_GP_HEADER = np.dtype(
    [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("envelope", "<f8", (4,))]
)
_GP_FLAGS = 0b0000_0011  # standard GeoPackageBinary, not empty, envelope xy (1 << 1), little endian (1)
_NO_BLOB = bytearray()  # encoded missing geometry (never mutated)
_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def _no_blobs(n: int) -> np.ndarray:
    """``n`` encoded missing geometries (the shared empty ``bytearray``), as an object array."""
    out = np.empty(n, dtype=object)
    out.fill(_NO_BLOB)
    return out


def _gpkg_blobs(geoms: np.ndarray) -> np.ndarray:
    """GeoPackage binary blobs (envelope xy) of shapely geometries, as bytearrays; missing/empty → empty."""
    out = _no_blobs(len(geoms))
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return out
    g = geoms[present]
    wkb = shapely.to_wkb(g, output_dimension=2, byte_order=1, flavor="iso")
    bounds = shapely.bounds(g)
    header = np.zeros(len(g), dtype=_GP_HEADER)
    header["magic"] = b"GP"
    header["flags"] = _GP_FLAGS
    header["srs_id"] = SRS_ID
    header["envelope"] = bounds[:, [0, 2, 1, 3]]
    raw = header.tobytes()
    size = _GP_HEADER.itemsize
    out[present] = np.fromiter(
        (bytearray(raw[i : i + size]) + w for i, w in zip(range(0, len(raw), size), wkb, strict=True)),
        dtype=object,
        count=len(g),
    )
    return out


def _gpkg_bounds(blobs: Sequence[bytes]) -> np.ndarray:
    """Bounds (minx, miny, maxx, maxy) of GeoPackage blobs, read from their envelope or WKB."""
    out = np.full((len(blobs), 4), np.nan)
    if not blobs:
        return out
    flags = np.frombuffer(bytes(b[3] for b in blobs), dtype=np.uint8)
    env = (flags >> 1) & 0b111
    has_env = (env >= 1) & (env <= 4) & ((flags & 1) == 1)
    if has_env.any():
        idx = np.flatnonzero(has_env)
        xy = np.frombuffer(b"".join(blobs[i][8:40] for i in idx), dtype="<f8").reshape(-1, 4)
        out[idx] = xy[:, [0, 2, 1, 3]]
    rest = np.flatnonzero(~has_env & ((flags >> 4) & 1 == 0))
    if len(rest):
        skip = [8 + 8 * _ENVELOPE_DOUBLES.get(int(e), 0) for e in env[rest]]
        geoms = shapely.from_wkb([blobs[i][k:] for i, k in zip(rest, skip, strict=True)], on_invalid="ignore")
        out[rest] = shapely.bounds(geoms)
    return out


def _extent(bounds: np.ndarray) -> tuple[float, ...] | None:
    """(minx, miny, maxx, maxy) over rows of per-geometry bounds; None when all are missing."""
    if np.isnan(bounds).all():
        return None
    return (
        float(np.nanmin(bounds[:, 0])),
        float(np.nanmin(bounds[:, 1])),
        float(np.nanmax(bounds[:, 2])),
        float(np.nanmax(bounds[:, 3])),
    )
