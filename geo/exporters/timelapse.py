"""Time-lapse of assessed control for briefings: an animated GIF or an MP4, one frame per day or per week.

Each frame shows, on the offline basemap (the bundled admin-0 and admin-1
outlines, drawn with Pillow — no tiles, no browser), the area one assessor
shows one side holding as of that day (the latest assessed day on or before
it, :func:`geo.control.series.held`), the area gained since the previous
frame highlighted and the area lost marked, the events of the frame's period
(capture and strike points in their layers' colours; an event dated only to
a week or a month is a ring), the date in large type, the area and its
change in km², the assessor with "an assessment, not ground truth", the
project's caveat on claims, a legend and a scale bar.

Framing: the filter's regions, else its drawn area, else everything the
time-lapse shows (the held areas and the events' points), with a margin.
Dates: the filter's, else the assessor's first and last days; with
``step="week"`` every seventh day from the first, and the last day always.
More than :data:`MAX_FRAMES` frames is refused before anything is drawn.

GIF frames share one palette (no flicker, and the unchanged basemap costs
nothing in the file); the MP4 is H.264 (libx264, yuv420p, even sides) from
the ffmpeg that the ``imageio-ffmpeg`` wheel ships: nothing is downloaded.
Both are written atomically (:func:`geo.exporters._files.write_atomic`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PIL import Image

from geo import layers, schema
from geo.control import series as _series
from geo.control.model import HELD, area_km2
from geo.errors import GeoError, NotFoundError, ValidationError
from geo.exporters import _frames
from geo.exporters._files import check_target, write_atomic
from geo.exporters._result import ExportResult
from geo.filters import Filter
from geo.i18n import t

__all__ = ["DEFAULT_FPS", "DEFAULT_SIZE", "MAX_FRAMES", "MAX_SIDE", "STEPS", "plan", "to_gif", "to_mp4"]

STEPS: Final = {"day": 1, "week": 7}
"""Frame steps (days between frames)."""
MAX_FRAMES: Final = 1000
"""The most frames one time-lapse may have (a two-year daily series is ~730)."""
MAX_SIDE: Final = 3840
MIN_SIDE: Final = 160
DEFAULT_SIZE: Final = (1280, 720)
DEFAULT_FPS: Final = 4.0
HOLD_LAST_S: Final = 2.0
"""Seconds the last frame stays on screen (GIF: a longer last frame; MP4: the last frame repeated)."""


@dataclass(frozen=True)
class _Series:
    """One assessor's series of one side: the days and a way to read a day's area."""

    assessor: str
    side: str
    days: tuple[dt.date, ...]
    store: Any = None
    frame: Any = None

    def held(self, when: dt.date) -> tuple[dt.date, Any, float] | None:
        """(assessed day, lon/lat area, km²) of the latest day on or before ``when``; None before the first."""
        if self.store is not None:
            found = _series.held(self.store, when, assessor=self.assessor, side=self.side)
            return None if found is None else (found.as_of, found.geometry, found.area_km2)
        i = bisect.bisect_right(self.days, when) - 1
        if i < 0:
            return None
        row = self.frame.iloc[i]
        return self.days[i], row.geometry, float(row["area_km2"])


def _pick(names: list[str], assessor: str | None) -> str:
    if not names:
        raise NotFoundError(
            f"no assessment of kind {HELD!r} to make a time-lapse of; import some with 'python -m geo control import'"
        )
    if assessor is None:
        return names[0]
    folded = {n.casefold(): n for n in names}
    if assessor.casefold() not in folded:
        raise NotFoundError(f"no {HELD!r} assessment by {assessor!r}; assessors: {', '.join(names)}")
    return folded[assessor.casefold()]


def _open_series(source: Any, assessor: str | None) -> _Series:
    """The series to draw, from a store, an assessments frame, or (None) the store of the settings."""
    if source is None:
        from geo.store import open_store

        source = open_store(create=False)
    if isinstance(source, pd.DataFrame):
        frame = source[source["kind"] == HELD] if "kind" in source.columns else source
        name = _pick(sorted(set(frame["assessor"])), assessor)
        sides = set(frame.loc[frame["assessor"] == name, "side"])
        side = "RU" if "RU" in sides else "UA"
        rows = frame[(frame["assessor"] == name) & (frame["side"] == side)].copy()
        rows["as_of"] = pd.to_datetime(rows["as_of"]).dt.date
        rows = rows.sort_values("as_of").drop_duplicates("as_of", keep="last")
        if "area_km2" not in rows.columns:
            rows["area_km2"] = area_km2(rows.geometry.to_numpy())
        return _Series(name, side, tuple(rows["as_of"]), frame=rows.reset_index(drop=True))
    store = source
    try:
        names = _series.pick_assessor(store, None)
    except NotFoundError:
        names = []
    name = _pick(names, assessor)
    side = "RU" if _series.has_series(store, name, "RU") else "UA"
    cat = _series.catalogue(store)
    days = cat[(cat["assessor"] == name) & (cat["side"] == side) & (cat["kind"] == HELD)]["as_of"]
    return _Series(name, side, tuple(sorted(days)), store=store)


def _size(size: str | tuple[int, int], even: bool) -> tuple[int, int]:
    if isinstance(size, str):
        from geo.exporters.snapshot import parse_size

        width, height = parse_size(size)
    else:
        try:
            width, height = (int(v) for v in size)
        except (TypeError, ValueError):
            raise ValidationError(f"size {size!r} is not a (width, height) pair") from None
    for what, value in (("width", width), ("height", height)):
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise ValidationError(f"size: {what} {value} px is outside {MIN_SIDE}..{MAX_SIDE} px for a time-lapse")
    if even:  # H.264 in yuv420p needs even sides
        width, height = width - width % 2, height - height % 2
    return width, height


def plan(first: dt.date, last: dt.date, step: str = "day") -> list[dt.date]:
    """The days a time-lapse shows: every ``step`` from ``first``, and ``last`` always.

    Parameters
    ----------
    first, last : date
        The first and last day (inclusive).
    step : {"day", "week"}
        Days between frames (:data:`STEPS`).

    Returns
    -------
    list of date
        One per frame.

    Raises
    ------
    GeoError
        An unknown step, ``last`` before ``first``, or more than :data:`MAX_FRAMES` frames.
    """
    if step not in STEPS:
        raise GeoError(f"unknown time-lapse step {step!r}; choose one of {', '.join(STEPS)}")
    if last < first:
        raise GeoError(f"the time-lapse ends ({last}) before it starts ({first})")
    k = STEPS[step]
    count = (last - first).days // k + 1 + (1 if (last - first).days % k else 0)
    if count > MAX_FRAMES:
        hint = "use a week step (--step week) or fewer dates" if step == "day" else "give fewer dates (--from/--to)"
        raise GeoError(
            f"a time-lapse of {count:,} frames ({first} to {last}, one per {step}) is too long: "
            f"at most {MAX_FRAMES:,}; {hint}"
        )
    days = [first + dt.timedelta(days=i * k) for i in range((last - first).days // k + 1)]
    if days[-1] != last:
        days.append(last)
    return days


@dataclass
class _Events:
    """The events as arrays: points, periods (day ordinals), colours, whether located, titles."""

    lon: np.ndarray
    lat: np.ndarray
    located: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    colour: list[str]
    label: list[str]
    title: list[str]
    stack: np.ndarray
    synthetic: bool

    @classmethod
    def of(cls, events: gpd.GeoDataFrame) -> _Events:
        """The events of point layers that pull the map's view (captures, strikes; not the talks' venues)."""
        specs = {s.name: s for s in layers.all_specs() if s.drawn_as == "points" and s.fit_view}
        if "layer" not in events.columns or not len(events):
            none = np.array([], dtype=float)
            return cls(none, none, none.astype(bool), none.astype(int), none.astype(int), [], [], [], none, False)
        rows = events[events["layer"].isin(list(specs))]
        geoms = rows.geometry.to_numpy()
        located = np.array([g is not None and not g.is_empty and g.geom_type == "Point" for g in geoms], dtype=bool)
        lon = np.array([g.x if ok else np.nan for g, ok in zip(geoms, located, strict=True)], dtype=float)
        lat = np.array([g.y if ok else np.nan for g, ok in zip(geoms, located, strict=True)], dtype=float)
        start = pd.to_datetime(rows["time_start"])
        end = pd.to_datetime(rows["time_end"]).fillna(start)
        t0 = np.array([d.toordinal() for d in start.dt.date], dtype=int)
        t1 = np.array([d.toordinal() for d in end.dt.date], dtype=int)
        colours, labels = [], []
        for rec in rows.itertuples(index=False):
            style = specs[rec.layer].point
            value = getattr(rec, style.colour_by, None) if style.colour_by else None
            value = None if value is None or pd.isna(value) else str(value)
            colours.append(style.colours.get(value, style.colour) if value else style.colour)
            if style.colour_by is None:
                labels.append(t(style.legend_label or specs[rec.layer].noun))
            elif value is None or value not in style.colours:
                labels.append(t(style.missing_label))
            else:
                labels.append(
                    t(style.labels[value]) if value in style.labels else f"{t(specs[rec.layer].noun)}: {value}"
                )
        title = rows["title"] if "title" in rows else pd.Series("", index=rows.index)
        place = rows["place"] if "place" in rows else pd.Series("", index=rows.index)
        titles = [
            str(a) if isinstance(a, str) and a else str(b) if isinstance(b, str) else ""
            for a, b in zip(title, place, strict=True)
        ]
        stack = np.array([specs[x].stack for x in rows["layer"]], dtype=int)
        synthetic = bool("dataset" in rows and (rows["dataset"] == schema.SYNTHETIC).any())
        return cls(lon, lat, located, t0, t1, colours, labels, titles, stack, synthetic)

    def within(self, start: int, end: int) -> np.ndarray:
        """Indices of events whose span meets the days ``start``..``end`` (ordinals, inclusive), drawn order."""
        if not len(self.t0):
            return np.array([], dtype=int)
        hit = np.flatnonzero((self.t0 <= end) & (self.t1 >= start))
        return hit[np.lexsort((self.t0[hit], self.stack[hit]))]


def _bounds(flt: Filter | None, held: list[Any], events: _Events) -> tuple[float, float, float, float]:
    """What to show: the filter's regions, else its area, else the held areas (first and last days) and the points."""
    from geo import reference

    if flt is not None and flt.regions:
        admin1 = reference.load_admin1(simplified=True)
        chosen = admin1[admin1["iso_3166_2"].isin(flt.regions)]
        if len(chosen):
            return tuple(chosen.total_bounds)  # type: ignore[return-value]
    if flt is not None and flt.area:
        return shapely.from_wkt(flt.area).bounds
    boxes = [shapely.bounds(g) for g in held if g is not None and not shapely.is_empty(g)]
    if events.located.any():
        lon, lat = events.lon[events.located], events.lat[events.located]
        boxes.append(np.array([lon.min(), lat.min(), lon.max(), lat.max()]))
    if not boxes:
        admin0 = reference.load_admin0(simplified=True)
        return tuple(admin0.loc[admin0["iso_a2"] == "UA"].total_bounds)  # type: ignore[return-value]
    arr = np.array(boxes)
    return float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max())


@dataclass(frozen=True)
class _Plan:
    days: list[dt.date]
    series: _Series
    painter: _frames.Painter
    step: str

    def frames(self) -> Iterator[Image.Image]:
        previous = None
        k = STEPS[self.step]
        for i, when in enumerate(self.days):
            since = self.days[i - 1] + dt.timedelta(days=1) if i else when - dt.timedelta(days=k - 1)
            held = self.series.held(when)
            yield self.painter.frame(when, since, held, previous)
            previous = held if held is not None else previous


def _prepare(
    assessments: Any,
    events: gpd.GeoDataFrame,
    flt: Filter | None,
    *,
    step: str,
    size: tuple[int, int],
    assessor: str | None,
    title: str | None,
) -> _Plan:
    if step not in STEPS:
        raise GeoError(f"unknown time-lapse step {step!r}; choose one of {', '.join(STEPS)}")
    series = _open_series(assessments, assessor)
    if not series.days:
        raise NotFoundError(f"no {HELD!r} assessment by {series.assessor!r} for side {series.side}")
    first = flt.date_from if flt is not None and flt.date_from else series.days[0]
    last = flt.date_to if flt is not None and flt.date_to else series.days[-1]
    days = plan(first, last, step)
    evs = _Events.of(events)
    held = [series.held(d) for d in (days[0], days[-1])]
    bounds = _bounds(flt, [h[1] for h in held if h is not None], evs)
    name = title or t("Assessed control and claimed events")
    return _Plan(days, series, _frames.Painter(size, bounds, series, evs, name), step)


def _result(out: Any, fmt: str, events: Any, claims: Any, p: _Plan) -> ExportResult:
    res = ExportResult.made(out, fmt, events=len(events), claims=len(claims))
    res.frames = len(p.days)  # type: ignore[attr-defined]
    res.first, res.last = p.days[0], p.days[-1]  # type: ignore[attr-defined]
    res.assessor = p.series.assessor  # type: ignore[attr-defined]
    return res


def _check(fps: float) -> float:
    if not 0.1 <= float(fps) <= 60:
        raise ValidationError(f"fps {fps} is outside 0.1..60 frames per second")
    return float(fps)


def to_gif(
    assessments: Any,
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    path: str | os.PathLike[str],
    *,
    step: str = "day",
    size: str | tuple[int, int] = DEFAULT_SIZE,
    assessor: str | None = None,
    fps: float = DEFAULT_FPS,
    title: str | None = None,
    hold_last: float = HOLD_LAST_S,
) -> ExportResult:
    """Write an animated GIF of assessed control and the events, one frame per day or week.

    Parameters
    ----------
    assessments : Store, DataFrame or None
        Where the assessed areas are: a store (:func:`geo.store.open_store`),
        a frame of :meth:`~geo.store.base.Store.read_assessments` (with
        geometry), or None for the store of the settings.
    events : GeoDataFrame
        Folded, filtered events (their points are drawn on the days they span).
    claims : DataFrame
        Their claims (counted in the result).
    flt : Filter or None
        Its dates are the time-lapse's (default: the assessor's first and
        last days); its regions (else its area) frame the map.
    path : str or PathLike
        Where to write.
    step : {"day", "week"}
        One frame per day, or every seventh day (and the last day).
    size : tuple of int or str
        Frame size (width, height), ``"WxH"`` or a PNG preset; 160..3840 px a side.
    assessor : str, optional
        Whose assessment (default: the first by name that has an ``occupied`` series).
    fps : float
        Frames per second.
    title : str, optional
        The frames' title.
    hold_last : float
        Seconds the last frame stays.

    Returns
    -------
    ExportResult
        The file, with ``events`` and ``claims`` counts, and ``frames``,
        ``first``, ``last`` and ``assessor`` set.

    Raises
    ------
    GeoError
        Unwritable path, unknown step, no assessment, or more than :data:`MAX_FRAMES` frames; nothing written.
    ValidationError
        A bad size or fps.
    """
    dims = _size(size, even=False)
    rate = _check(fps)
    check_target(path)
    p = _prepare(assessments, events, flt, step=step, size=dims, assessor=assessor, title=title)
    palette: list[Image.Image] = []

    def quantised() -> Iterator[Image.Image]:
        for img in p.frames():
            if not palette:  # the first frame (its legend holds every colour) sets the palette of all
                palette.append(img.quantize(255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
                yield palette[0]
            else:
                yield img.quantize(palette=palette[0], dither=Image.Dither.NONE)

    def write(tmp: Any) -> None:
        frames = quantised()
        first = next(frames)
        ms = round(1000 / rate)
        durations = [ms] * len(p.days)
        durations[-1] = max(ms, round(1000 * hold_last))
        first.save(tmp, format="GIF", save_all=True, append_images=frames, duration=durations, loop=0, optimize=False)

    out = write_atomic(path, write)
    return _result(out, "gif", events, claims, p)


def to_mp4(
    assessments: Any,
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    path: str | os.PathLike[str],
    *,
    step: str = "day",
    size: str | tuple[int, int] = DEFAULT_SIZE,
    assessor: str | None = None,
    fps: float = DEFAULT_FPS,
    title: str | None = None,
    hold_last: float = HOLD_LAST_S,
) -> ExportResult:
    """Write an MP4 (H.264) of assessed control and the events, one frame per day or week.

    Takes what :func:`to_gif` takes. Odd sides are made even (one pixel
    less), as H.264 in yuv420p needs; the last frame is repeated for
    ``hold_last`` seconds (``round(hold_last × fps)`` frames more).

    Returns
    -------
    ExportResult
        As :func:`to_gif`; ``frames`` counts the days shown, not the repeats.
    """
    import imageio_ffmpeg

    dims = _size(size, even=True)
    rate = _check(fps)
    check_target(path)
    p = _prepare(assessments, events, flt, step=step, size=dims, assessor=assessor, title=title)

    def write(tmp: Any) -> None:
        writer = imageio_ffmpeg.write_frames(
            str(tmp),
            dims,
            fps=rate,
            codec="libx264",
            pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p",
            macro_block_size=1,
            quality=None,
            output_params=["-crf", "23", "-movflags", "+faststart", "-f", "mp4"],
            ffmpeg_log_level="error",
        )
        writer.send(None)
        try:
            last = None
            for img in p.frames():
                last = img.tobytes()
                writer.send(last)
            for _ in range(round(hold_last * rate)):
                writer.send(last)
        finally:
            writer.close()

    try:
        out = write_atomic(path, write)
    except (RuntimeError, BrokenPipeError) as err:
        raise GeoError(f"ffmpeg could not write the MP4: {err}; nothing was written") from None
    return _result(out, "mp4", events, claims, p)
