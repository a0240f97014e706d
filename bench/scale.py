"""Benchmark the map page at 10k, 100k and 1M events against two common baselines, in one process.

Run (from the project folder)::

    .venv/bin/python bench/scale.py                       # 10,000, 100,000 and 1,000,000 events
    .venv/bin/python bench/scale.py --sizes 10000 100000 --cap 120 --dir bench/stores

For each size it builds (once, then reuses) a synthetic GeoPackage store
``bench/stores/synthetic-<n>.gpkg`` through the project's API (the bundled
dataset plus ``n`` labelled synthetic events, :func:`geo.synthetic.write_synthetic`),
loads it the way the dashboard does (:func:`geo.store.snapshot.read_display`,
the memory-mapped snapshot of the folded store, prepared once like ``python -m
geo synth`` does; timed separately, not compared), and then measures, on the
dashboard's default filter (all dates, all layers, the worst case for page
size):

* **project**: :func:`geo.filters.apply` + :func:`geo.mapview.build_map`
  (which aggregates a layer into grid cells above ``max_features`` points and
  looks up the claims of what it draws in all the claims, as the overview page
  passes them) + ``m.get_root().render()``, called the way the dashboard calls
  it (offline basemap, local assets, drawing tools);
* **explore**: ``GeoDataFrame.explore()`` on the same filtered events (a
  tutorial's one-liner, with a handful of columns), then render;
* **MarkerCluster**: a ``folium.Map`` with a ``folium.plugins.MarkerCluster``
  and one ``folium.Marker(popup=title)`` per event, added in a Python loop,
  then render.

Both baselines get the already filtered events and draw only events with a
geometry (neither can draw an event located only to a region); the project
draws those as region outlines and choropleth. The baselines' loops are the
fastest plain ones (``zip`` over columns, not ``iterrows``), so the ratios
are if anything generous to them.

Figures, per measurement: seconds (best of 3; one run when a run takes more
than 5 s), page bytes (``len(html.encode())``) and peak memory: the highest
resident set size (``VmRSS`` of ``/proc/self/status``, sampled every 5 ms by
a thread) minus the resident set size at the start of the measurement, after
``gc.collect()``. That is the extra memory the work touched in this process,
not an allocation count. A baseline still running after ``--cap`` seconds
(default 120) is stopped by ``SIGALRM`` (at the next Python bytecode, so a
long C call finishes first) and reported as "over 120 s". Everything runs in
this one process, one measurement after another.

Prints a Markdown table of the figures and ratios, then the features each of
the project's map layers sent to the browser (at most ``max_features``).
``bench/run.py`` calls :func:`run` and :func:`to_markdown`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import filters, layers, mapview
from geo.store import open_store
from geo.store.snapshot import read_display
from geo.synthetic import write_synthetic

ROOT: Final = Path(__file__).resolve().parents[1]
DEFAULT_SIZES: Final = (10_000, 100_000, 1_000_000)
DEFAULT_DIR: Final = ROOT / "bench" / "stores"
DEFAULT_CAP: Final = 120.0
REPEAT: Final = 3
SLOW_RUN_S: Final = 5.0
"""A run longer than this is not repeated (best of 1)."""
SAMPLE_S: Final = 0.005
EXPLORE_COLUMNS: Final = ("event_id", "layer", "title", "status", "time_start", "admin1")
METHODS: Final = (
    ("project", "project: filter + aggregate + map + render"),
    ("explore", "GeoDataFrame.explore()"),
    ("markercluster", "folium MarkerCluster, one marker per event"),
)
MB: Final = 1_000_000


class OverCap(Exception):  # noqa: N818
    """A measurement ran past its time cap."""


# --- store and loading -------------------------------------------------------------------------------------------


def store_path(n: int, directory: Path, seed: int = 0) -> Path:
    """Where :func:`ensure_store` keeps the store of ``n`` synthetic events."""
    suffix = "" if seed == 0 else f"-seed{seed}"
    return Path(directory) / f"synthetic-{n}{suffix}.gpkg"


def ensure_store(n: int, directory: Path = DEFAULT_DIR, seed: int = 0) -> Path:
    """Create, or reuse when present and complete, a store with ``n`` synthetic events.

    The store is built beside its final name and renamed when written, so a
    file at that name is complete; it is still checked to hold at least
    ``n`` events and rebuilt otherwise. :func:`geo.store.open_store` seeds a
    new store with the bundled dataset (a few dozen real events), so the
    store holds those plus ``n`` synthetic ones. The dashboard's snapshot of
    the store (:mod:`geo.store.snapshot`) is prepared too, when missing.

    Parameters
    ----------
    n : int
        Number of synthetic events.
    directory : Path
        Folder of the stores (created when missing).
    seed : int
        Random seed of :func:`geo.synthetic.generate`.

    Returns
    -------
    Path
        The store's path.
    """
    path = store_path(n, directory, seed)
    if path.exists():
        store = open_store(path, create=False)
        if store.count() >= n:
            read_display(store)  # builds the snapshot when it is missing or stale
            return path
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.partial.gpkg")
    try:
        started = time.perf_counter()
        write_synthetic(open_store(tmp, create=True, seed=True), n, seed=seed)
        os.replace(tmp, path)
        read_display(open_store(path, create=False))  # the snapshot is named after the store's final name
        print(f"built {path} ({n:,} synthetic events) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}-journal").unlink(missing_ok=True)
    return path


def _load(path: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame, float]:
    """Folded events, all claims and the seconds it took, read as the dashboard reads them (``ui/data.py``)."""
    started = time.perf_counter()
    folded, claims = read_display(open_store(path, create=False))
    return folded, claims, time.perf_counter() - started


# --- the three pages ---------------------------------------------------------------------------------------------


def project_map(
    folded: gpd.GeoDataFrame, claims: pd.DataFrame, flt: filters.Filter, *, max_features: int = 3000
) -> folium.Map:
    """The dashboard's map of the events a filter selects: :func:`geo.filters.apply`, then :func:`build_map`.

    ``claims`` are all the claims, as the overview page passes them (``build_map`` looks up those it shows).
    """
    events = filters.apply(folded, flt, claims)
    return mapview.build_map(
        events,
        claims,
        layers=layers.names(),  # every registered layer
        basemap="offline",
        assets="local",
        max_features=max_features,
        draw=True,
        area=flt.area,
    )


def explore_page(events: gpd.GeoDataFrame) -> str:
    """Baseline: the tutorial one-liner ``events[cols].explore()``, rendered."""
    frame = events[[*EXPLORE_COLUMNS, events.geometry.name]]
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    frame = frame.assign(time_start=frame["time_start"].astype(str))
    return frame.explore().get_root().render()


def markercluster_page(events: gpd.GeoDataFrame) -> str:
    """Baseline: one ``folium.Marker`` per point event in a ``MarkerCluster``, rendered."""
    geoms = events.geometry.to_numpy()
    points = shapely.get_type_id(geoms) == 0
    lons, lats = shapely.get_x(geoms[points]), shapely.get_y(geoms[points])
    titles = events["title"].to_numpy(dtype=object)[points]
    m = folium.Map(location=[49.0, 33.0], zoom_start=6)
    cluster = folium.plugins.MarkerCluster().add_to(m)
    for lat, lon, title in zip(lats, lons, titles, strict=True):
        folium.Marker([lat, lon], popup=title).add_to(cluster)
    return m.get_root().render()


def drawable(events: gpd.GeoDataFrame) -> int:
    """Events the baselines draw: those with a geometry."""
    geoms = events.geometry
    return int((~(geoms.isna() | geoms.is_empty)).sum())


def features_per_layer(m: folium.Map) -> dict[str, int]:
    """Features each named layer of a :func:`build_map` map sends to the browser (the basemap excluded)."""
    out: dict[str, int] = {}
    for group in m._children.values():
        if not isinstance(group, folium.FeatureGroup) or group.layer_name == "Offline basemap":
            continue
        for child in group._children.values():
            if isinstance(child, folium.GeoJson):
                out[group.layer_name] = out.get(group.layer_name, 0) + len(child.data["features"])
    return out


# --- measuring ---------------------------------------------------------------------------------------------------


def _rss() -> int:
    """Resident set size of this process, in bytes (``VmRSS``)."""
    with open("/proc/self/status", "rb") as f:
        for line in f:
            if line.startswith(b"VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class _PeakRSS:
    """Highest ``VmRSS`` while the block runs, sampled every :data:`SAMPLE_S` seconds by a thread."""

    def __enter__(self) -> _PeakRSS:
        gc.collect()
        self.start = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def extra(self) -> int:
        """Peak minus start, in bytes."""
        return self.peak - self.start


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`OverCap` in the block after ``seconds`` (``SIGALRM``; main thread only)."""

    def on_alarm(signum: int, frame: object) -> None:
        raise OverCap(f"over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def measure(fn: Callable[[], str], *, cap: float = DEFAULT_CAP, repeat: int = REPEAT) -> dict[str, Any]:
    """Time ``fn`` (which returns a page), best of ``repeat``; stop it after ``cap`` seconds.

    Returns
    -------
    dict
        ``seconds`` (best run, None when over the cap), ``bytes`` (the page's
        UTF-8 size, None when over the cap), ``peak_mb`` (highest over the
        runs), ``runs``, ``over_cap`` and ``cap``.
    """
    best, size, peak, runs = float("inf"), None, 0, 0
    for _ in range(repeat):
        page = None
        try:
            with _PeakRSS() as mem:
                started = time.perf_counter()
                with time_limit(cap):
                    page = fn()
                took = time.perf_counter() - started
        except OverCap:
            del page
            gc.collect()
            over = {"seconds": None, "bytes": None, "peak_mb": mem.extra / MB, "runs": runs, "over_cap": True}
            return {**over, "cap": cap}
        runs += 1
        best, peak = min(best, took), max(peak, mem.extra)
        size = len(page.encode())
        del page
        if took > SLOW_RUN_S:
            break
    gc.collect()
    return {"seconds": best, "bytes": size, "peak_mb": peak / MB, "runs": runs, "over_cap": False, "cap": cap}


def _warm_up(folded: gpd.GeoDataFrame, claims: pd.DataFrame) -> None:
    """First calls load reference data and cache the basemap: keep them out of the timings."""
    small = folded.iloc[:200]
    mapview.build_map(small, claims, basemap="offline", assets="local", draw=True).get_root().render()
    explore_page(small)
    markercluster_page(small)


def measure_size(
    n: int,
    directory: Path = DEFAULT_DIR,
    *,
    cap: float = DEFAULT_CAP,
    flt: filters.Filter | None = None,
    max_features: int = 3000,
    repeat: int = REPEAT,
) -> dict[str, Any]:
    """Build or reuse the store of ``n`` events, load it and measure the three pages (one result of :func:`run`)."""
    flt = filters.Filter() if flt is None else flt
    path = ensure_store(n, directory)
    folded, claims, load_s = _load(path)
    _warm_up(folded, claims)
    events = filters.apply(folded, flt, claims)
    m = project_map(folded, claims, flt, max_features=max_features)
    features = features_per_layer(m)
    del m
    result: dict[str, Any] = {
        "n": n,
        "store": str(path),
        "events": len(folded),
        "claims": len(claims),
        "matched": len(events),
        "drawable": drawable(events),
        "load_seconds": load_s,
        "filter": flt.describe(),
        "max_features": max_features,
        "features": features,
    }
    result["project"] = measure(
        lambda: project_map(folded, claims, flt, max_features=max_features).get_root().render(), cap=cap, repeat=repeat
    )
    result["explore"] = measure(lambda: explore_page(events), cap=cap, repeat=repeat)
    result["markercluster"] = measure(lambda: markercluster_page(events), cap=cap, repeat=repeat)
    return result


def run(
    sizes: Sequence[int] = DEFAULT_SIZES,
    directory: Path = DEFAULT_DIR,
    cap: float = DEFAULT_CAP,
    *,
    max_features: int = 3000,
    repeat: int = REPEAT,
) -> list[dict[str, Any]]:
    """Measure every size, smallest first; one dict per size (see :func:`measure_size`)."""
    results = []
    for n in sorted(sizes):
        print(f"measuring {n:,} events…", file=sys.stderr)
        results.append(measure_size(n, Path(directory), cap=cap, max_features=max_features, repeat=repeat))
        gc.collect()
    return results


# --- report ------------------------------------------------------------------------------------------------------


def _seconds(m: dict[str, Any]) -> str:
    if m["over_cap"]:
        return f"over {m['cap']:g} s"
    s = m["seconds"]
    return f"{s:.2f}" if s >= 0.1 else f"{s:.3f}"


def _mb(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / MB:.2f}" if value < 10 * MB else f"{value / MB:.0f}"


def _ratio(baseline: dict[str, Any], project: dict[str, Any], key: str) -> str:
    if project["over_cap"] or not project[key]:
        return "—"
    if baseline["over_cap"]:
        return f"over {baseline['cap'] / project['seconds']:,.0f}×" if key == "seconds" else "—"
    value = baseline[key] / project[key]
    return f"{value:,.0f}×" if value >= 10 else f"{value:.1f}×"


def to_markdown(results: Sequence[dict[str, Any]]) -> str:
    """The results as Markdown: a table of seconds, page size, memory and ratios, then features per layer."""
    lines = [
        "| events in store | matched | page | seconds | page MB | peak MB | time ÷ project | page ÷ project |",
        "|---:|---:|:---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        project = r["project"]
        for key, label in METHODS:
            m = r[key]
            first = key == "project"
            cells = [
                f"{r['events']:,}" if first else "",
                f"{r['matched']:,}" if first else "",
                label,
                _seconds(m),
                _mb(m["bytes"]),
                f"{m['peak_mb']:,.0f}",
                "1×" if first else _ratio(m, project, "seconds"),
                "1×" if first else _ratio(m, project, "bytes"),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "| events in store | load s (snapshot, not compared) | baselines draw "
        "| features per layer sent by the project (cap) |",
        "|---:|---:|---:|:---|",
    ]
    for r in results:
        sent = ", ".join(f"{name} {count:,}" for name, count in r["features"].items()) or "none"
        lines.append(
            f"| {r['events']:,} | {r['load_seconds']:.2f} | {r['drawable']:,} events with a geometry | "
            f"{sent} (≤ {r['max_features']:,} each) |"
        )
    if results:
        lines += [
            "",
            f"Filter: {results[0]['filter']}. Seconds: best of up to {REPEAT} runs in one process; peak MB: highest "
            "resident memory during the run minus before it. Baselines draw only events with a geometry.",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: measure the sizes asked for and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="events per store")
    parser.add_argument("--cap", type=float, default=DEFAULT_CAP, help="seconds before a measurement is stopped")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder of the synthetic stores")
    args = parser.parse_args(argv)
    print(to_markdown(run(args.sizes, args.dir, args.cap)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
