"""Benchmark the control maps on a generated two-year daily series, against naive baselines, in one process.

Run: ``.venv/bin/python bench/bench_control.py [DAYS]`` (default 800). Writes DAYS daily files in DeepStateMap's
shape (~75 KB, a wiggly line of ~2,000 vertices) to a temporary folder, then times:

* importing them all (one transaction) — against reading each with GeoPandas/GDAL and computing its area;
* the change between random pairs of dates (first call and warm) — against reading the two files with GeoPandas and
  ``geopandas.overlay`` in EPSG:6933;
* verdicts of 200 capture claims located in the series' area.

Prints absolute seconds and the ratio to each baseline, so the figures compare on any machine. The issue asks for an
import under a minute and a change under a second.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

START = dt.date(2024, 1, 1)
STEP = 0.002
VERTICES = 2_000
WIGGLE = 0.01


def _baseline_import(files: list[Path]) -> float:
    import geopandas as gpd

    total = 0.0
    for f in files:
        total += float(gpd.read_file(f).to_crs("EPSG:6933").area.sum())
    return total


def _baseline_change(files: list[Path], a: int, b: int) -> float:
    import geopandas as gpd

    x = gpd.read_file(files[a]).to_crs("EPSG:6933")
    y = gpd.read_file(files[b]).to_crs("EPSG:6933")
    return float(gpd.overlay(y, x, how="difference").area.sum() / 1e6)


def _claims(n: int, days: int):
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geo.control import synthetic

    rng = np.random.default_rng(0)
    lon = rng.uniform(synthetic.EAST0, synthetic.EAST0 + days * STEP, n)
    lat = rng.uniform(synthetic.SOUTH + 0.01, synthetic.NORTH - 0.01, n)
    day = [START + dt.timedelta(int(k)) for k in rng.integers(0, days, n)]
    events = gpd.GeoDataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "layer": "capture",
            "place": [f"place {i}" for i in range(n)],
            "side": "RU",
            "geo_precision": "exact",
            "time_start": pd.to_datetime(day),
            "time_end": pd.to_datetime(day),
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )
    claims = pd.DataFrame(
        {
            "claim_id": [f"c{i}" for i in range(n)],
            "event_id": [f"e{i}" for i in range(n)],
            "claimant": "MoD",
            "party": "RU",
            "stance": "asserts",
            "stated_at": pd.to_datetime(day),
            "area_km2": np.nan,
            "settlements": np.nan,
        }
    )
    return events, claims


def main() -> None:
    from geo.control import change, check, read, synthetic
    from geo.store.gpkg import GeoPackageStore

    days = int(sys.argv[1]) if len(sys.argv) > 1 else 800
    with tempfile.TemporaryDirectory(prefix="bench-control-") as tmp:
        folder = Path(tmp) / "days"
        started = time.perf_counter()
        files = synthetic.write_daily_files(folder, START, days, step=STEP, vertices=VERTICES, wiggle=WIGGLE)
        size = np.mean([f.stat().st_size for f in files]) / 1024
        print(f"wrote {days} daily files (~{size:,.0f} KB, {VERTICES:,} vertices each) in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip

        store = GeoPackageStore(Path(tmp) / "store.gpkg")
        started = time.perf_counter()
        result = read.import_control(store, folder)
        ours = time.perf_counter() - started
        sample = files[: max(1, days // 10)]
        started = time.perf_counter()
        _baseline_import(sample)
        base = (time.perf_counter() - started) * len(files) / len(sample)
        print(f"import {len(result.days)} days, one transaction: {ours:.1f} s (limit 60 s); "
              f"GeoPandas read + EPSG:6933 area per file (extrapolated from {len(sample)}): {base:.1f} s; "
              f"ratio {base / ours:.1f}x")  # fmt: skip
        started = time.perf_counter()
        again = read.import_control(store, folder)
        print(f"re-import (idempotent, {again.written}): {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        change.change(store, START, START + dt.timedelta(1))
        print(f"first change of the process (loads admin-1 regions and the gazetteer): "
              f"{time.perf_counter() - started:.2f} s")  # fmt: skip
        rng = np.random.default_rng(1)
        pairs = [tuple(sorted(rng.choice(days, 2, replace=False))) for _ in range(10)]
        cold, warm, base_t, agree = [], [], [], []
        for a, b in pairs:
            started = time.perf_counter()
            c = change.change(store, START + dt.timedelta(int(a)), START + dt.timedelta(int(b)))
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            change.change(store, START + dt.timedelta(int(a)), START + dt.timedelta(int(b)))
            warm.append(time.perf_counter() - started)
            started = time.perf_counter()
            km2 = _baseline_change(files, int(a), int(b))
            base_t.append(time.perf_counter() - started)
            agree.append(abs(c.gained_km2 - km2) / km2 * 100 if km2 else 0.0)
        print(f"change between two dates (10 random pairs): worst {max(cold):.3f} s, median {np.median(cold):.3f} s "
              f"(days not read before); {np.median(warm):.3f} s (days cached) (limit 1 s); "
              f"GeoPandas overlay in EPSG:6933: median "
              f"{np.median(base_t):.3f} s; ratio {np.median(base_t) / np.median(cold):.1f}x; "
              f"km² agree with the baseline within {max(agree):.3f} %")  # fmt: skip

        events, claims = _claims(200, days)
        started = time.perf_counter()
        table = check.check_claims(store, events, claims)
        took = time.perf_counter() - started
        print(f"verdicts of {len(table)} claims over {days} days: {took:.1f} s "
              f"({table['verdict'].value_counts().to_dict()})")  # fmt: skip


if __name__ == "__main__":
    main()
