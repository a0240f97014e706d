"""Benchmark the reference lookups against naive baselines, in one process.

Run: ``.venv/bin/python bench/lookups.py``. Prints seconds and the speed-up
ratio of each project function over its baseline (the same answer computed
the obvious way), so the figures compare on any machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import gazetteer, reference


def _timed(fn, *args, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def _naive_regions(lons: np.ndarray, lats: np.ndarray) -> list[str | None]:
    admin1 = reference.load_admin1()
    polys = list(zip(admin1["iso_3166_2"], admin1.geometry, strict=True))
    out = []
    for x, y in zip(lons, lats, strict=True):
        p = shapely.Point(x, y)
        out.append(next((code for code, poly in polys if poly.contains(p)), None))
    return out


def _naive_geocode(names: list[str]) -> list[int]:
    table = gazetteer._load(gazetteer._gazetteer_file()).places
    return [sum(1 for p in table if p.name.lower() == n.lower()) for n in names]


def main() -> None:
    rng = np.random.default_rng(0)
    n = 2_000
    lons, lats = rng.uniform(22, 41, n), rng.uniform(44, 53, n)
    reference.regions_of(lons[:5], lats[:5])
    fast = _timed(reference.regions_of, lons, lats)
    slow = _timed(_naive_regions, lons, lats, repeat=1)
    print(f"regions_of, {n:,} points: {fast:.4f} s; per-point shapely loop: {slow:.2f} s; ratio {slow / fast:,.0f}x")

    names = ["Hulyaipole", "Vygonichi", "Kupiansk", "Narnia", "Sydorivka", "Zaliznychne", "Харьков", "Tsvitkove"] * 25
    gazetteer.geocode("Sumy")
    fast = _timed(lambda: [gazetteer.geocode(x) for x in names])
    slow = _timed(_naive_geocode, names, repeat=1)
    print(
        f"geocode, {len(names)} names: {fast:.4f} s ({fast / len(names) * 1e3:.2f} ms each); "
        f"linear scan of exact names only: {slow:.2f} s; ratio {slow / fast:,.0f}x"
    )


if __name__ == "__main__":
    main()
