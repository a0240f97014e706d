"""The scale bench (bench/scale.py) runs, caps the features it sends and stops a baseline at its time cap.

Not timed tests: the figures themselves are in bench/RESULTS.md; here a small store checks the bench works.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from bench import scale
from geo import filters, present
from tests.folium_pages import feature_collections

N = 2000
MAX_FEATURES = 500  # below the strikes and captures of a 2,000-event store, so those layers must be aggregated


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> tuple[Path, list[dict]]:
    directory = tmp_path_factory.mktemp("stores")
    return directory, scale.run([N], directory, cap=60, max_features=MAX_FEATURES, repeat=1)


def test_every_size_has_three_measurements(bench):
    _, results = bench
    assert len(results) == 1
    r = results[0]
    assert r["n"] == N and r["events"] >= N and r["matched"] == r["events"]  # the default filter keeps everything
    assert 0 < r["drawable"] < r["events"]  # impact events located only to a region have no geometry
    assert r["load_seconds"] > 0
    for key, _label in scale.METHODS:
        m = r[key]
        assert not m["over_cap"], key
        assert m["seconds"] > 0 and m["bytes"] > 0 and m["peak_mb"] >= 0 and m["runs"] == 1, (key, m)


def test_markdown_has_the_table(bench):
    _, results = bench
    text = scale.to_markdown(results)
    header = "| events in store | matched | page | seconds | page MB | peak MB | time ÷ project | page ÷ project |"
    assert header in text.splitlines()
    for _key, label in scale.METHODS:
        assert f"| {label} |" in text
    assert f"| {results[0]['events']:,} | {results[0]['matched']:,} |" in text
    assert "features per layer sent by the project" in text


def test_project_map_sends_at_most_max_features_per_layer(bench):
    _, results = bench
    features = results[0]["features"]
    assert features and max(features.values()) <= MAX_FEATURES
    aggregated = [name for name in features if name.endswith("(aggregated)")]
    assert f"{present.layer_label('strike')} (aggregated)" in aggregated


def test_pages_carry_what_the_table_says(bench):
    directory, results = bench
    folded, claims, _ = scale._load(scale.store_path(N, directory))
    events = filters.apply(folded, filters.Filter())

    page = scale.project_map(folded, claims, filters.Filter(), max_features=MAX_FEATURES).get_root().render()
    sent = [len(fc["features"]) for fc in feature_collections(page)[2:]]  # the first two are the basemap
    assert sent and max(sent) <= MAX_FEATURES and sum(sent) < len(events)

    explore = feature_collections(scale.explore_page(events))
    assert len(explore) == 1
    ids = {f["properties"]["event_id"] for f in explore[0]["features"]}
    assert len(ids) == results[0]["drawable"] == scale.drawable(events)  # every event with a geometry, none dropped

    clustered = scale.markercluster_page(events)
    assert clustered.count("L.marker(") == int((events.geometry.geom_type == "Point").sum())


def _spin() -> str:
    while True:
        pass


def _sleep() -> str:
    time.sleep(30)
    return "<html></html>"


@pytest.mark.parametrize("baseline", [_spin, _sleep], ids=["busy loop", "sleep"])
def test_a_baseline_past_the_cap_is_stopped_and_reported(bench, baseline):
    handler = signal.getsignal(signal.SIGALRM)
    started = time.perf_counter()
    m = scale.measure(baseline, cap=1.0, repeat=3)
    assert time.perf_counter() - started < 5
    assert m["over_cap"] and m["seconds"] is None and m["bytes"] is None and m["cap"] == 1.0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no alarm left to go off later
    assert signal.getsignal(signal.SIGALRM) is handler

    _, results = bench
    r = {**results[0], "markercluster": m}
    text = scale.to_markdown([r])
    row = next(line for line in text.splitlines() if "MarkerCluster" in line)
    over = 1.0 / r["project"]["seconds"]
    assert "| over 1 s |" in row and f"over {over:,.0f}×" in row


def test_a_fast_measurement_is_not_stopped():
    m = scale.measure(lambda: "<html>é</html>", cap=1.0, repeat=3)
    assert not m["over_cap"] and m["runs"] == 3 and m["bytes"] == len("<html>é</html>".encode())
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_existing_store_is_reused(bench):
    directory, _ = bench
    path = scale.store_path(N, directory)
    before = path.stat().st_mtime_ns
    assert scale.ensure_store(N, directory) == path
    assert path.stat().st_mtime_ns == before


def test_the_report_sets_the_figures_against_the_issue_targets(bench):
    from bench import run

    _, results = bench
    big = dict(results[0], events=1_000_031)
    big["project"] = dict(big["project"], seconds=1.2, bytes=1_900_000)
    mid = dict(results[0], events=100_031)
    mid["project"] = dict(mid["project"], seconds=1.0, bytes=2_000_000)
    mid["explore"] = dict(mid["explore"], seconds=12.0, bytes=40_000_000, over_cap=False)
    chromium = {
        "store": "synthetic-1000000.gpkg",
        "events": 1_000_031,
        "cold_open_s": 4.0,
        "warm_open_median_s": 2.5,
        "filter_change_median_s": 2.4,
        "filter_change_max_s": 3.0,
        "rss_mb": 900,
        "peak_rss_mb": 1200,
    }
    rows = {figure: (measured, verdict) for figure, _target, measured, verdict in run.targets([mid, big], [chromium])}
    assert rows["1M events: filter + aggregate + map render"] == ("1.20 s", "met")
    assert rows["1M events: page"] == ("1.90 MB", "met")
    assert rows["100k events: faster than explore()"] == ("12.0×", "**not met**")
    assert rows["100k events: page smaller than explore()'s"] == ("20.0×", "met")
    assert rows["1M, Chromium: map redrawn after a filter change (median / worst)"][1] == "**not met**"
    assert rows["1M: Streamlit server resident memory (after / peak)"] == ("900 MB / 1200 MB", "met")
    text = run.report([mid, big], [chromium], "python bench/run.py", {"in-process": (0.5, 0.5, 0.5)})
    assert "## The issue's figures" in text and "Machine:" in text and "| 1,000,031 |" in text
