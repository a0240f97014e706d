"""Benchmark the time-lapse exports on a generated two-year weekly series, against encoding alone, in one process.

Run: ``.venv/bin/python bench/bench_timelapse.py [WEEKS] [EVENTS]`` (default 104 weeks, 3,000 events). Writes one
file in DeepStateMap's shape per week (~75 KB, a wiggly line of ~2,000 vertices) and imports them, generates
synthetic events over the same two years, then times at 1280×720, framed on three front-line oblasts:

* drawing the frames alone (basemap once, then each week's areas, points and texts);
* encoding those same frames alone, GIF (one shared palette, Pillow) and MP4 (libx264 through imageio-ffmpeg);
* the whole export, ``to_gif`` and ``to_mp4`` (store reads, drawing, encoding, atomic write).

Prints seconds per frame and the ratio of each whole export to encoding alone, so the figures compare on any
machine: the ratio says what drawing adds to the least any exporter of these frames must spend.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

START = dt.date(2024, 1, 1)
STEP = 0.002
VERTICES = 2_000
WIGGLE = 0.01
SIZE = (1280, 720)
REGIONS = ("UA-14", "UA-23", "UA-65")


def _write_weeks(folder: Path, weeks: int) -> list[Path]:
    from geo.control import synthetic

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for w in range(weeks + 1):
        day = START + dt.timedelta(days=7 * w)
        path = folder / f"deepstatemap_data_{day:%Y%m%d}.geojson"
        area = synthetic.growing_area(7 * w, step=STEP, vertices=VERTICES, wiggle=WIGGLE)
        path.write_text(synthetic.daily_geojson(area), encoding="utf-8")
        out.append(path)
    return out


def _encode_gif(frames: list, path: Path) -> None:
    from PIL import Image

    palette = frames[0].quantize(255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    rest = (f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames[1:])
    palette.save(path, format="GIF", save_all=True, append_images=rest, duration=250, loop=0, optimize=False)


def _encode_mp4(frames: list, path: Path) -> None:
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(
        str(path),
        SIZE,
        fps=4,
        codec="libx264",
        pix_fmt_out="yuv420p",
        macro_block_size=1,
        quality=None,
        output_params=["-crf", "23"],
        ffmpeg_log_level="error",
    )
    writer.send(None)
    for f in frames:
        writer.send(f.tobytes())
    writer.close()


def main() -> None:
    from geo.control import read
    from geo.exporters import timelapse
    from geo.filters import Filter
    from geo.store.gpkg import GeoPackageStore
    from geo.synthetic import generate

    weeks = int(sys.argv[1]) if len(sys.argv) > 1 else 104
    n_events = int(sys.argv[2]) if len(sys.argv) > 2 else 3_000
    last = START + dt.timedelta(days=7 * weeks)
    with tempfile.TemporaryDirectory(prefix="bench-timelapse-") as tmp:
        root = Path(tmp)
        files = _write_weeks(root / "weeks", weeks)
        store = GeoPackageStore(root / "store.gpkg")
        read.import_control(store, root / "weeks", today=last + dt.timedelta(days=1))
        events, claims = generate(n_events, start=START.isoformat(), end=last.isoformat())
        flt = Filter(date_from=START, date_to=last, regions=REGIONS)
        print(f"{len(files)} weekly files ({VERTICES:,} vertices each), {len(events):,} events "
              f"{START} – {last}, {SIZE[0]}×{SIZE[1]}, framed on {', '.join(REGIONS)}")  # fmt: skip

        started = time.perf_counter()
        plan = timelapse._prepare(store, events, flt, step="week", size=SIZE, assessor=None, title=None)
        prepared = time.perf_counter() - started
        started = time.perf_counter()
        frames = list(plan.frames())
        drawn = time.perf_counter() - started
        n = len(frames)
        print(f"prepare (series, framing, basemap): {prepared:.2f} s; draw {n} frames: {drawn:.1f} s "
              f"({drawn / n * 1000:.0f} ms a frame)")  # fmt: skip

        encode = {}
        for fmt, fn in (("gif", _encode_gif), ("mp4", _encode_mp4)):
            started = time.perf_counter()
            fn(frames, root / f"encoded.{fmt}")
            encode[fmt] = time.perf_counter() - started
        del frames

        for fmt, export in (("gif", timelapse.to_gif), ("mp4", timelapse.to_mp4)):
            path = root / f"timelapse.{fmt}"
            started = time.perf_counter()
            out = export(store, events, claims, flt, path, step="week", size=SIZE)
            took = time.perf_counter() - started
            print(f"{fmt}: whole export {took:.1f} s ({took / out.frames * 1000:.0f} ms a frame, "
                  f"{path.stat().st_size / 2**20:.1f} MB); encoding the same frames alone {encode[fmt]:.1f} s "
                  f"({encode[fmt] / n * 1000:.0f} ms a frame); ratio {took / encode[fmt]:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
