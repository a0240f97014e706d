"""The whole benchmark in one command: map pages against explore() and MarkerCluster, then the dashboard in Chromium.

Run (from the project folder; ``make bench`` does the same)::

    .venv/bin/python bench/run.py                  # 10k, 100k, 1M events; the dashboard at 100k and 1M
    .venv/bin/python bench/run.py --sizes 10000 --browser-sizes 10000 --out /tmp/RESULTS.md   # a quick look

1. Builds (once; reused afterwards) synthetic stores of each size under
   ``bench/stores/`` (:func:`scale.ensure_store`), with their dashboard
   snapshot.
2. In this process, one after another (:mod:`scale`): the project's filter
   + aggregate + map render, ``GeoDataFrame.explore()`` and folium
   ``MarkerCluster`` on the same events, with seconds, page bytes, peak memory
   and ratios; a baseline past ``--cap`` seconds is stopped and reported as
   "over 120 s".
3. The dashboard itself (:mod:`dashboard`): ``streamlit run`` on the 100k and
   1M stores, headless Chromium timing the open until the map is drawn and
   filter changes until it is redrawn, and the server's memory.

Writes ``bench/RESULTS.md``: the machine, the issue's targets against what
was measured, and both tables. Figures depend on the machine and on what
else runs on it: the file records the load average before each part.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The ~1 GB snapshots of the benchmark stores stay with them (and the servers started here inherit it).
os.environ.setdefault("CONFLICTMAP_CACHE_DIR", str(Path(__file__).resolve().parent / "stores" / ".cache"))

import dashboard
import scale

OUT = Path(__file__).resolve().parent / "RESULTS.md"


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def targets(in_process: Sequence[dict[str, Any]], browser: Sequence[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """The issue's figures against the measurements: (figure, target, measured, verdict) rows."""
    rows: list[tuple[str, str, str, str]] = []
    by_size = {r["events"] // 1000 * 1000: r for r in in_process}  # stores hold the bundled events too
    big = by_size.get(1_000_000)
    if big:
        p = big["project"]
        rows.append(("1M events: filter + aggregate + map render", "under 1.5 s", f"{p['seconds']:.2f} s",
                     _verdict(p["seconds"] < 1.5)))  # fmt: skip
        rows.append(("1M events: page", "under 2 MB", f"{p['bytes'] / 1e6:.2f} MB", _verdict(p["bytes"] < 2e6)))
    mid = by_size.get(100_000)
    if mid:
        p, e = mid["project"], mid["explore"]
        if e["over_cap"]:
            speed, speed_ok = f"over {e['cap'] / p['seconds']:.0f}×", True
        else:
            speed, speed_ok = f"{e['seconds'] / p['seconds']:.1f}×", e["seconds"] / p["seconds"] >= 20
        rows.append(("100k events: faster than explore()", "at least 20×", speed, _verdict(speed_ok)))
        if e["bytes"]:
            ratio = e["bytes"] / p["bytes"]
            rows.append(("100k events: page smaller than explore()'s", "at least 15×", f"{ratio:.1f}×",
                         _verdict(ratio >= 15)))  # fmt: skip
    for r in browser:
        if (r.get("events") or 0) < 900_000:
            continue
        if r.get("ready_s") is not None:
            cold = r.get("cold_open_s")
            rows.append(("1M, Chromium, `make run` (ui.serve): first open once the server is ready", "under 6 s",
                         f"{dashboard._fmt(cold)} s (ready {r['ready_s']:.1f} s after start)",
                         _verdict(None if cold is None else cold < 6)))  # fmt: skip
            continue
        cold, warm = r.get("cold_open_s"), r.get("warm_open_median_s")
        rows.append(("1M, Chromium: map drawn after opening (cold / warm median)", "under 6 s",
                     f"{dashboard._fmt(cold)} s / {dashboard._fmt(warm)} s",
                     _verdict(None if cold is None else cold < 6 and (warm or 0) < 6)))  # fmt: skip
        median, worst = r.get("filter_change_median_s"), r.get("filter_change_max_s")
        rows.append(("1M, Chromium: map redrawn after a filter change (median / worst)", "under 2 s",
                     f"{dashboard._fmt(median)} s / {dashboard._fmt(worst)} s",
                     _verdict(None if median is None else median < 2)))  # fmt: skip
        peak = r.get("peak_rss_mb")
        rows.append(("1M: Streamlit server resident memory (after / peak)", "under 1.5 GB",
                     f"{dashboard._fmt(r.get('rss_mb'), '.0f')} MB / {dashboard._fmt(peak, '.0f')} MB",
                     _verdict(None if peak is None else peak < 1536)))  # fmt: skip
    return rows


def report(in_process: Sequence[dict[str, Any]], browser: Sequence[dict[str, Any]], command: str,
           loads: dict[str, tuple[float, ...]]) -> str:  # fmt: skip
    """``RESULTS.md``: machine, targets, then the two tables."""
    info = dashboard.machine(next((r["machine"].get("chromium") for r in browser if r.get("machine")), None))
    lines = [
        "# Benchmark results",
        "",
        f"Made by `{command}` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Machine: {info.get('cpu')}, {info.get('cores')} cores, {info.get('memory_gb')} GB RAM, no GPU; "
        f"{info.get('os')}; Python {info.get('python')}, Streamlit {info.get('streamlit')}, streamlit-folium "
        f"{info.get('streamlit-folium')}, folium {info.get('folium')}, GeoPandas {info.get('geopandas')}"
        + (f", {info['chromium']}" if info.get("chromium") else "")
        + ".",
        "",
        "Load average (1 min) before each part: "
        + ", ".join(f"{part} {values[0]:.2f}" for part, values in loads.items())
        + ". Figures are from one run; on a busy machine they grow.",
        "",
        "## The issue's figures",
        "",
        "| Figure | Target | Measured | |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in targets(in_process, browser)),
        "",
        "## Map page: the project against GeoDataFrame.explore() and folium MarkerCluster (one process)",
        "",
        scale.to_markdown(in_process) if in_process else "(not run)",
        "",
        "## The dashboard in headless Chromium (`streamlit run`)",
        "",
        dashboard.to_markdown(list(browser)) if browser else "(not run)",
        "",
        "How each figure is taken: the docstrings of `bench/scale.py` and `bench/dashboard.py`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build the stores, run both parts, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(scale.DEFAULT_SIZES), help="events per store")
    parser.add_argument("--browser-sizes", type=int, nargs="*", default=[100_000, 1_000_000],
                        help="stores to time the dashboard on (default 100000 1000000; none to skip)")  # fmt: skip
    parser.add_argument("--cap", type=float, default=scale.DEFAULT_CAP, help="seconds before a baseline is stopped")
    parser.add_argument("--repeats", type=int, default=3, help="warm opens of the dashboard per store")
    parser.add_argument("--dir", type=Path, default=scale.DEFAULT_DIR, help="folder of the synthetic stores")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the report (default bench/RESULTS.md)")
    args = parser.parse_args(argv)
    command = "python bench/run.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:]))
    for n in sorted(set(args.sizes) | set(args.browser_sizes)):
        scale.ensure_store(n, args.dir)
    loads = {"in-process": os.getloadavg()}
    in_process = scale.run(args.sizes, args.dir, args.cap)
    print(scale.to_markdown(in_process), file=sys.stderr)
    gc.collect()
    browser = []
    for n in sorted(args.browser_sizes):
        loads[f"Chromium {n:,}"] = os.getloadavg()
        print(f"timing the dashboard on {n:,} events…", file=sys.stderr)
        browser.append(dashboard.measure(scale.store_path(n, args.dir), repeats=args.repeats, timeout=300))
    if args.browser_sizes:  # what `make run` starts: the same server, with the overview loaded as it starts
        n = max(args.browser_sizes)
        loads[f"Chromium {n:,}, ui.serve"] = os.getloadavg()
        print(f"timing `python -m ui.serve` on {n:,} events…", file=sys.stderr)
        browser.append(dashboard.measure(scale.store_path(n, args.dir), repeats=args.repeats, timeout=300, serve=True))
    text = report(in_process, browser, command, loads)
    from _results import others

    text = text.rstrip("\n") + "\n\n" + others(text, (), args.out)  # the other bench scripts' sections stay
    args.out.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    print(text)
    print(f"wrote {args.out}", file=sys.stderr)
    return 1 if any(r.get("error") for r in browser) else 0


if __name__ == "__main__":
    sys.exit(main())
