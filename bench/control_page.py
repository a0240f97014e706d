"""The map page with the Control layer at 1,000,000 events and a two-year daily series (issue 14: ≤ 2 MB).

Builds the dashboard's map of the 1M-event bench store (``bench/scale.py``'s ``project_map``, default filter)
without and with the Control layer of a generated two-year series (730 daily files of about 2,000 vertices, in
DeepStateMap's shape, imported into a separate store), and with a one-month filter whose gained and lost areas are
hatched. Prints page megabytes and seconds, and the ratios to the page without the layer.

Run: ``.venv/bin/python bench/control_page.py`` (builds the 1M store first if ``bench/stores/`` lacks it: slow).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CONFLICTMAP_CACHE_DIR", str(ROOT / "bench" / "stores" / ".cache"))

import shapely  # noqa: E402

from bench import scale  # noqa: E402
from geo import filters, layers, mapview  # noqa: E402
from geo.control.read import import_control  # noqa: E402
from geo.control.synthetic import write_daily_files  # noqa: E402
from geo.store import open_store  # noqa: E402

DAYS = 730
START = dt.date(2024, 1, 1)


def _page(folded, claims, flt, control) -> tuple[float, float]:
    started = time.perf_counter()
    events = filters.apply(folded, flt, claims)
    m = mapview.build_map(
        events, claims, layers=layers.names(), basemap="offline", assets="local", max_features=3000, draw=True,
        area=flt.area, control=control,
    )  # fmt: skip
    html = m.get_root().render()
    assert control is None or "Control: " in html, "the Control layer is missing"
    return len(html.encode()) / 2**20, time.perf_counter() - started


def main() -> None:
    """Measure and print."""
    folded, claims, _ = scale._load(scale.ensure_store(1_000_000))
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "control.gpkg"), create=True, seed=False)
        started = time.perf_counter()
        files = write_daily_files(Path(tmp) / "days", START, DAYS, step=0.005, vertices=2000, wiggle=0.02)
        import_control(store, [str(f) for f in files], today=dt.date.today())
        print(f"series: {DAYS} daily files written and imported in {time.perf_counter() - started:.1f} s")
        last = START + dt.timedelta(days=DAYS - 1)
        views = {
            "all dates": filters.Filter.create(),
            "one month": filters.Filter.create(date_from=last - dt.timedelta(days=30), date_to=last),
        }
        held = store.read_assessments().geometry.iloc[-1]
        print(f"last day's area: {int(shapely.get_num_coordinates(held)):,} vertices")
        print("| filter | page MB without | page MB with Control | ratio | s without | s with |")
        print("|---|---|---|---|---|---|")
        for name, flt in views.items():
            areas = mapview.control_areas(store, flt.date_from, flt.date_to)
            base_mb, base_s = _page(folded, claims, flt, None)
            mb, s = _page(folded, claims, flt, areas)
            print(f"| {name} | {base_mb:.2f} | {mb:.2f} | {mb / base_mb:.2f} | {base_s:.1f} | {s:.1f} |")


if __name__ == "__main__":
    main()
