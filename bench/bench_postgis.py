"""Benchmark the PostGIS store beside the GeoPackage one, in one process: import, first view, filters, polling.

Run (from the project folder)::

    .venv/bin/python bench/bench_postgis.py                          # 10,000 and 100,000 events
    .venv/bin/python bench/bench_postgis.py --sizes 1000000          # the issue's million (about 10 minutes here)
    .venv/bin/python bench/bench_postgis.py --url postgresql://…     # a server of your own (a new database is made)

Without ``--url`` it starts a throw-away cluster with ``scripts/pg_cluster.sh`` (fsync on, as a team's server
would run) in a temporary folder and stops it at the end. For each size it generates the synthetic events once
(:func:`geo.synthetic.generate`, not timed against anything) and then, for a new GeoPackage file (the baseline)
and a new PostGIS database, one after the other in this process:

* **import**: ``store.write(…, validated=True)`` of the whole dataset, one transaction (as ``python -m geo synth``
  writes it), and the same write again (nothing changes: the diff is all);
* **store size**: the file, or ``pg_database_size``; **server memory**: the proportional set size (PSS) of every
  PostgreSQL process of the cluster after the run (only with the throw-away cluster);
* **first view**: :func:`geo.store.snapshot.read_display` with an empty cache folder (read everything, fold,
  write the snapshot) — what a dashboard server does on its first page — then again (the snapshot hit every
  later page pays, with ``store.version()``);
* **filter change**, both paths: the *snapshot* path the dashboard uses (:func:`geo.filters.apply` on the loaded
  snapshot) against the *SQL* path (``read_events`` with the filter in ``WHERE`` — layers, dates, bounding box
  on the GiST index — then ``read_claims`` of those events and :func:`geo.claims.fold`);
* **version()**: median of 2,000 calls (the dashboard polls it on every run of a page), and for PostGIS the delay
  of a ``NOTIFY`` to a listening connection, the alternative.

Seconds are the best of 3 runs (one run for imports). Ratios are PostGIS / GeoPackage. Writes a section at the end
of ``bench/RESULTS.md`` (replacing an earlier one of this script).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## PostGIS store beside the GeoPackage (`bench/bench_postgis.py`)"
FILTERS = {
    "layer: strikes": {"layers": ("strike",)},
    "dates: one month": {"date_from": dt.date(2025, 6, 1), "date_to": dt.date(2025, 6, 30)},
    "box: Donetsk oblast area": {"bbox": (37.0, 47.5, 38.5, 48.5)},
    "strikes in one month": {"layers": ("strike",), "date_from": dt.date(2025, 6, 1), "date_to": dt.date(2025, 6, 30)},
}


def _best(fn: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def _cluster() -> tuple[str, Callable[[], None], str]:
    folder = tempfile.mkdtemp(prefix="bench-pg-")
    script = ROOT / "scripts" / "pg_cluster.sh"
    out = subprocess.run(["bash", str(script), "start", folder], capture_output=True, text=True, check=True)

    def stop() -> None:
        subprocess.run(["bash", str(script), "stop", folder], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)

    return out.stdout.strip().splitlines()[-1], stop, folder


def _new_database(admin: str) -> str:
    import psycopg

    from tests import pg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return pg.url_for(name, base=admin)


def _pss_mb(folder: str | None) -> float | None:
    """PSS of every process whose command line names the cluster's folder (postgres and its workers)."""
    if folder is None:
        return None
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"postgres" not in cmd:
                continue
            environ_dir = os.readlink(f"/proc/{pid}/cwd")
            if folder not in environ_dir:
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _version_cost(store: Any) -> float:
    samples = []
    for _ in range(2000):
        started = time.perf_counter()
        store.version()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


def _notify_delay(url: str) -> float:
    """Milliseconds from a NOTIFY (committed) to its arrival at a connection LISTENing on the channel."""
    import psycopg

    delays = []
    with psycopg.connect(url, autocommit=True) as listener, psycopg.connect(url, autocommit=True) as sender:
        listener.execute("LISTEN conflictmap_bench")
        for _ in range(20):
            got = threading.Event()
            sent = [0.0]

            def listen(got: threading.Event = got) -> None:
                for _ in listener.notifies(timeout=5, stop_after=1):
                    got.set()

            t = threading.Thread(target=listen)
            t.start()
            time.sleep(0.01)
            sent[0] = time.perf_counter()
            sender.execute("NOTIFY conflictmap_bench")
            got.wait(5)
            delays.append(time.perf_counter() - sent[0])
            t.join()
    return statistics.median(delays) * 1000


def _filter_paths(store: Any, events: Any, claims: Any, spec: dict[str, Any]) -> tuple[float, float, int, int]:
    """Seconds of the snapshot path and of the SQL path for one filter, and the events each selected."""
    import shapely

    from geo.claims import fold
    from geo.filters import Filter, apply

    kwargs: dict[str, Any] = {"by": "event"}
    if "layers" in spec:
        kwargs["layers"] = spec["layers"]
    if "date_from" in spec:
        kwargs["date_from"], kwargs["date_to"] = spec["date_from"], spec["date_to"]
    if "bbox" in spec:
        kwargs["area"] = shapely.box(*spec["bbox"]).wkt
    flt = Filter(**kwargs)
    snap_s, snap = _best(lambda: apply(events, flt, claims))

    def sql_path() -> Any:
        found = store.read_events(
            layers=spec.get("layers"),
            date_from=spec.get("date_from"),
            date_to=spec.get("date_to"),
            bbox=spec.get("bbox"),
        )
        return fold(found, store.read_claims(event_ids=found["event_id"]))

    sql_s, via_sql = _best(sql_path)
    return snap_s, sql_s, len(snap), len(via_sql)


def run_size(n: int, admin: str, folder: str | None, work: Path) -> dict[str, Any]:
    """Every figure for one size, GeoPackage then PostGIS."""
    from geo import settings
    from geo.store import GeoPackageStore, postgis
    from geo.store.snapshot import read_display
    from geo.synthetic import generate

    started = time.perf_counter()
    events, claims = generate(n, seed=0)
    out: dict[str, Any] = {"n": n, "claims": len(claims), "generate_s": time.perf_counter() - started}
    for name in ("gpkg", "postgis"):
        cache = work / f"cache-{name}-{n}"
        os.environ["CONFLICTMAP_CACHE_DIR"] = str(cache)
        settings.reload()
        if name == "gpkg":
            store: Any = GeoPackageStore(work / f"bench-{n}.gpkg")
        else:
            url = _new_database(admin)
            store = postgis.open_url(url, create=True, seed=False)
        r: dict[str, Any] = {}
        gc.collect()
        t = time.perf_counter()
        store.write(events, claims, dataset="synthetic", kind="synthetic", validated=True)
        r["import_s"] = time.perf_counter() - t
        t = time.perf_counter()
        again = store.write(events, claims, dataset="synthetic", kind="synthetic", validated=True)
        r["reimport_s"] = time.perf_counter() - t
        assert not again.changed
        if name == "gpkg":
            r["size_mb"] = store.path.stat().st_size / 2**20
        else:
            with store._conn() as con:
                r["size_mb"] = con.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20
        t = time.perf_counter()
        folded, all_claims = read_display(store)
        r["first_view_s"] = time.perf_counter() - t
        r["warm_view_s"], _ = _best(lambda store=store: read_display(store))
        r["version_us"] = _version_cost(store)
        if name == "postgis":
            r["filters"] = {k: _filter_paths(store, folded, all_claims, spec) for k, spec in FILTERS.items()}
            r["notify_ms"] = _notify_delay(url)
            r["server_pss_mb"] = _pss_mb(folder)
            postgis.close_pools(url)
        out[name] = r
        del folded, all_claims
    return out


def to_markdown(results: list[dict[str, Any]], command: str) -> str:
    """The section for ``bench/RESULTS.md``."""

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}×" if b else "—"

    lines = [
        HEADING,
        "",
        f"Made by `{command}` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; load average before: "
        f"{os.getloadavg()[0]:.2f} (2 shared cores; figures grow on a busy machine). One process, the GeoPackage "
        "first; ratio = PostGIS / GeoPackage.",
        "",
        "| events | figure | GeoPackage | PostGIS | ratio |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in results:
        g, p = r["gpkg"], r["postgis"]
        n = f"{r['n']:,}"
        lines += [
            f"| {n} | import, one transaction (s) | {g['import_s']:.2f} | {p['import_s']:.2f} | "
            f"{ratio(p['import_s'], g['import_s'])} |",
            f"| {n} | same import again, nothing changes (s) | {g['reimport_s']:.2f} | {p['reimport_s']:.2f} | "
            f"{ratio(p['reimport_s'], g['reimport_s'])} |",
            f"| {n} | store size on disk (MB) | {g['size_mb']:.0f} | {p['size_mb']:.0f} | "
            f"{ratio(p['size_mb'], g['size_mb'])} |",
            f"| {n} | first view: read all, fold, snapshot (s) | {g['first_view_s']:.2f} | {p['first_view_s']:.2f} | "
            f"{ratio(p['first_view_s'], g['first_view_s'])} |",
            f"| {n} | later views: snapshot hit (s) | {g['warm_view_s']:.3f} | {p['warm_view_s']:.3f} | "
            f"{ratio(p['warm_view_s'], g['warm_view_s'])} |",
            f"| {n} | version(), median (µs) | {g['version_us']:.0f} | {p['version_us']:.0f} | "
            f"{ratio(p['version_us'], g['version_us'])} |",
        ]
        if p.get("server_pss_mb") is not None:
            lines.append(f"| {n} | PostgreSQL processes, PSS after the run (MB) | — | {p['server_pss_mb']:.0f} | |")
    lines += [
        "",
        "Filter change on PostGIS: the snapshot path (what the dashboard does) against the filter in SQL "
        "(`read_events` + `read_claims` of those events + fold); seconds, best of 3:",
        "",
        "| events | filter | snapshot path s | SQL path s | SQL / snapshot | events selected (snapshot / SQL) |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for r in results:
        for name, (snap, via_sql, a, b) in r["postgis"]["filters"].items():
            lines.append(
                f"| {r['n']:,} | {name} | {snap:.3f} | {via_sql:.3f} | {ratio(via_sql, snap)} | {a:,} / {b:,} |"
            )
    lines += [
        "",
        f"Change token: polling `version()` costs {results[-1]['postgis']['version_us']:.0f} µs a run of a page; a "
        f"`NOTIFY` reaches a listening connection after {results[-1]['postgis']['notify_ms']:.2f} ms (median), "
        "so LISTEN/NOTIFY would save a fraction of a millisecond per run and cost a connection per server and a "
        "thread that must survive reconnects (a lost notification is a stale page). Polling is kept.",
        "",
        "The box filter's snapshot path is the dashboard's area filter (an area drawn on the map, with its own "
        "rules for events located only to a region); the SQL path is the box on the GiST index (`&&`, events "
        "with a geometry only), so their counts differ a little. The dashboard keeps the snapshot "
        "path for every filter where it is faster (see the ratios); the SQL path serves `read_events` with "
        "filters (the command line, exports of a slice).",
        "",
        "Left out: the Chromium timings of the first view and a filter change on PostGIS (the Streamlit page costs "
        "the same on both stores once the snapshot is loaded: `bench/dashboard.py` against a server with "
        "`CONFLICTMAP_STORE=postgresql://…` measures it), and two servers × 10 sessions. The million: "
        "`.venv/bin/python bench/bench_postgis.py --sizes 1000000`.",
        "",
    ]
    return "\n".join(lines)


def _write_section(text: str) -> None:
    from _results import replace_section

    replace_section(HEADING, text)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--url", help="admin URL of a PostgreSQL server (default: a throw-away cluster)")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    args = parser.parse_args(argv)
    stop: Callable[[], None] = lambda: None  # noqa: E731
    folder = None
    admin = args.url
    if admin is None:
        admin, stop, folder = _cluster()
    work = Path(tempfile.mkdtemp(prefix="bench-stores-"))
    try:
        results = [run_size(n, admin, folder, work) for n in args.sizes]
    finally:
        stop()
        shutil.rmtree(work, ignore_errors=True)
    command = "python bench/bench_postgis.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = to_markdown(results, command.strip())
    print(text)
    if not args.no_write:
        _write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
