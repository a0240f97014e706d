"""bench/dashboard.py: the dashboard timed in headless Chromium, on a small synthetic store.

The test checks the bench's code path, not the dashboard's speed: the smallest store that still has events of
every layer (``SIZE``) and one warm open.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SIZE = 300
"""Synthetic events in the store: few, so the server builds and the browser draws little."""


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_dashboard", ROOT / "bench" / "dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "small.gpkg"
    subprocess.run(
        [sys.executable, "-m", "geo", "synth", str(SIZE), "--store", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return path


def _positive(x) -> bool:
    return isinstance(x, float) and math.isfinite(x) and x > 0


def test_measure_times_the_map_opening_and_a_filter_change(browser, small_store, tmp_path):
    bench = _load_bench()
    r = bench.measure(small_store, repeats=1, timeout=120, browser=browser, artifacts=tmp_path)
    print(json.dumps(r, indent=1, default=str))  # shown by pytest when an assertion fails

    assert r["error"] is None, r["error"]
    assert r["drawn"] is True
    assert r["events"] == SIZE
    assert r["paths"] > 0
    for key in ("server_start_s", "cold_open_s", "cold_settled_s", "warm_open_best_s", "warm_open_median_s"):
        assert _positive(r[key]), (key, r[key])
    assert r["cold_settled_s"] >= r["cold_open_s"]
    assert len(r["warm_open_s"]) == 1
    # the map iframe appears, Leaflet loads, st_folium builds the map, then it is drawn: in that order
    t = r["cold_times"]
    assert 0 < t["appeared"] <= t["leaflet"] <= t["map"] <= t["drawn"] == r["cold_open_s"]

    assert [c["change"] for c in r["filter_changes"]] == [
        "Layers → Strikes",
        "Status → confirmed",
        "Add a region preset → front-line oblasts",
        "Reset filters",
    ]
    for change in r["filter_changes"]:
        assert _positive(change["redraw_s"]), change
        assert change["settled_s"] >= change["redraw_s"]
        assert change["ws_mb"] > 0  # the new map's script came over the websocket
    assert _positive(r["filter_change_median_s"])
    assert r["filter_change_max_s"] >= r["filter_change_median_s"]
    # the reset brings back the opening map: as many paths as drawn at the start of the filter changes' page
    assert r["filter_changes"][-1]["paths"] > r["filter_changes"][0]["paths"]

    assert r["rss_mb"] > 50
    assert r["peak_rss_mb"] >= r["rss_mb"]
    assert r["blocked"] == []
    assert r["page_errors"] == []
    assert all(Path(p).stat().st_size > 10_000 for p in r["screenshots"])
    assert len(r["screenshots"]) == 2

    table = bench.to_markdown([r])
    assert f"| small.gpkg | {SIZE:,} |" in table
    assert f"{r['cold_open_s']:.2f}" in table
    assert "Machine:" in table


def test_measure_reports_a_missing_store_without_starting_anything(tmp_path):
    bench = _load_bench()
    r = bench.measure(tmp_path / "none.gpkg", artifacts=tmp_path)
    assert r["error"].startswith("no store at")
    assert "| none.gpkg | — | — |" in bench.to_markdown([r])
