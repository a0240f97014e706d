"""Benchmark briefings: a 3-view PPTX and PDF of the bundled data, and one view of a 1,000,000-event store.

Run: ``.venv/bin/python bench/bench_briefing.py [STORE]`` (default ``bench/stores/synthetic-1000000.gpkg``, made by
``make bench`` or ``python -m geo synth 1000000 --store bench/stores/synthetic-1000000.gpkg``). Times, in one process:

* the baseline: the old one-page PDF snapshot of one view (:func:`geo.exporters.snapshot.to_pdf`, one Chromium);
* ``python -m geo export --format pptx|pdf --url A --url B --url C`` of the bundled data (three views, one file);
* a single-view PDF of the big store (everything, and one region): reading the store's snapshot, the content (key
  claims, totals, sources, claims table), the map image and the document.

Prints absolute seconds and each figure's ratio to the baseline, so the figures compare on any machine. The issue asks
for a 3-view PPTX and PDF under 15 s here and a 1M-event single view under 20 s.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VIEWS = (
    "?from=2026-02-15&to=2026-02-16&region=RU-BRY",
    "?from=2026-02-01&to=2026-02-28&region=RU-KRS&layer=strike",
    "?from=2026-02-01&to=2026-02-28",
)
BIG_VIEWS = ("", "?region=UA-14")


def _timed(fn, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def main(argv: list[str]) -> int:
    from geo.cli import main as cli
    from geo.exporters.snapshot import to_pdf
    from geo.filters import Filter, apply, filter_claims, talks_for
    from geo.store import open_store
    from geo.store.snapshot import read_display

    big = Path(argv[0]) if argv else Path(__file__).parent / "stores" / "synthetic-1000000.gpkg"
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-briefing-") as tmp:
        os.environ["CONFLICTMAP_CACHE_DIR"] = str(Path(tmp) / "cache")
        bundled = Path(tmp) / "conflict.gpkg"
        store = open_store(bundled)
        folded, claims = read_display(store)
        flt = Filter.from_url(VIEWS[0])
        events = apply(folded, flt, claims)
        base, _ = _timed(to_pdf, events, filter_claims(claims, events), flt, Path(tmp) / "base.pdf",
                         talks=talks_for(folded, flt))  # fmt: skip
        rows.append(("baseline: old one-page PDF snapshot, one view (one Chromium)", base))
        for fmt in ("pptx", "pdf"):
            argv_ = ["export", "--format", fmt, "--store", str(bundled), "--out", str(Path(tmp) / f"three.{fmt}")]
            for url in VIEWS:
                argv_ += ["--url", url]
            seconds, code = _timed(cli, argv_)
            assert code == 0, code
            rows.append((f"3-view {fmt.upper()} of the bundled data (command line, one file)", seconds))
        if big.exists():
            seconds, _ = _timed(read_display, open_store(big, create=False))
            rows.append(("1M events: the display snapshot, built once per store version (not a briefing's)", seconds))
            for url in BIG_VIEWS:
                out = Path(tmp) / "big.pdf"
                argv_ = ["export", "--format", "pdf", "--store", str(big), "--out", str(out)]
                argv_ += ["--url", url] if url else []
                seconds, code = _timed(cli, argv_)
                assert code == 0, code
                rows.append((f"1M events, one view {url or '(everything)'}: PDF (command line)", seconds))
        else:
            print(f"(no {big}: the 1M-event figures are left out)")
    width = max(len(r[0]) for r in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:7.2f} s  {seconds / base:6.2f}× baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
