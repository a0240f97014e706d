"""Drawing the frames of a time-lapse with Pillow: the offline basemap, held areas, event points, text and legend.

Private to :mod:`geo.exporters.timelapse`, which reads the series and the
events; nothing here reads a store. The basemap (sea, land, admin-0 and
admin-1 outlines from the bundled boundaries, region names) is drawn once
per time-lapse (:func:`basemap`); each frame (:class:`Painter`) is a copy of
it with the day's areas and points on top and the texts around them. Areas
and lines are drawn at twice the size, only around what they cover, and
reduced, so their edges are smooth and a small area costs little. The
projection is Web Mercator, as on the dashboard's map.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import shapely
from PIL import Image, ImageDraw, ImageFont

from geo import layers
from geo.control.model import area_km2, other_side
from geo.i18n import N_, t, tn
from geo.present.dates import date_range, day

__all__ = ["Layout", "Painter", "View", "basemap", "fill", "font", "layout", "outline", "points", "rgb", "view_of"]

SS: Final = 2
"""Supersampling of areas and lines (drawn at SS × the size, then reduced)."""
_FONT_DIRS: Final = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
"""Where DejaVu Sans (Latin and Cyrillic) is looked for; then matplotlib's copy, then Pillow's own font."""
_MAX_LAT: Final = 85.0
HELD_ALPHA: Final = 0.38
"""Opacity of the held area; the area gained since the previous frame is near opaque, the area lost half."""
GAINED_ALPHA: Final = 0.92
LOST_ALPHA: Final = 0.55
_SIDE_NAMES: Final = {"RU": N_("Russia"), "UA": N_("Ukraine")}
_MAX_LISTED: Final = 5
_MAX_LEGEND_EVENTS: Final = 6


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` → (r, g, b)."""
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _font_file(bold: bool) -> Path | None:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    dirs = list(_FONT_DIRS)
    spec = importlib.util.find_spec("matplotlib")  # found, not imported
    if spec is not None and spec.submodule_search_locations:
        dirs += [Path(p) / "mpl-data" / "fonts" / "ttf" for p in spec.submodule_search_locations]
    for folder in dirs:
        if (folder / name).is_file():
            return folder / name
    return None


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> Any:
    """DejaVu Sans at ``size`` px (Latin and Cyrillic); Pillow's built-in font where DejaVu is not installed."""
    path = _font_file(bold)
    if path is not None:
        return ImageFont.truetype(str(path), max(size, 6))
    return ImageFont.load_default(max(size, 6))


@dataclass(frozen=True)
class Layout:
    """Where things go on a frame: header band, map, footer band, the date's box (``(left, top, right, bottom)``).

    ``unit`` is one "point" of text and lines (1 on a 1280 × 720 frame).
    """

    width: int
    height: int
    header: tuple[int, int, int, int]
    map: tuple[int, int, int, int]
    footer: tuple[int, int, int, int]
    date: tuple[int, int, int, int]
    unit: float


def layout(size: tuple[int, int]) -> Layout:
    """The layout of a frame of ``size`` (width, height) px."""
    width, height = size
    unit = min(height / 720, width / 1000)
    head = max(round(86 * unit), 40)
    foot = max(round(52 * unit), 28)
    pad = round(16 * unit)
    date_w = min(round(360 * unit), width // 2)
    return Layout(
        width,
        height,
        (0, 0, width, head),
        (0, head, width, height - foot),
        (0, height - foot, width, height),
        (pad, 0, pad + date_w, head),
        unit,
    )


def _merc(lat: Any) -> Any:
    lat = np.clip(np.asarray(lat, dtype=float), -_MAX_LAT, _MAX_LAT)
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


def _unmerc(y: float) -> float:
    return float(np.degrees(2 * np.arctan(np.exp(np.radians(y))) - np.pi / 2))


@dataclass(frozen=True)
class View:
    """A lon/lat box (degrees) drawn on a map image of ``width`` × ``height`` px (Web Mercator)."""

    west: float
    south: float
    east: float
    north: float
    width: int
    height: int

    @property
    def scale(self) -> float:
        """Pixels per degree of longitude (and per Mercator degree of latitude)."""
        return self.width / (self.east - self.west)

    def xy(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        """Pixel x, y of lon/lat arrays."""
        x = (np.asarray(lon, dtype=float) - self.west) * self.scale
        y = (float(_merc(self.north)) - _merc(lat)) * self.scale
        return x, y

    def km_per_px(self) -> float:
        """Ground distance of one pixel at the box's middle latitude, in km."""
        mid = (self.south + self.north) / 2
        return 111.32 * math.cos(math.radians(mid)) / self.scale

    def clip(self, geom: Any) -> Any:
        """``geom`` cut to the box (with a margin), so nothing far outside is drawn."""
        dx, dy = (self.east - self.west) * 0.05, (self.north - self.south) * 0.05
        return shapely.clip_by_rect(geom, self.west - dx, self.south - dy, self.east + dx, self.north + dy)


def view_of(bounds: Sequence[float], width: int, height: int, *, margin: float = 0.08, min_km: float = 60.0) -> View:
    """The view showing ``bounds`` (west, south, east, north) whole, ``margin`` wider, at the map's aspect ratio.

    A box narrower than ``min_km`` is shown with its surroundings.
    """
    west, south, east, north = (float(v) for v in bounds)
    y0, y1 = float(_merc(south)), float(_merc(north))
    mid_lat = (south + north) / 2
    min_deg = min_km / (111.32 * max(math.cos(math.radians(mid_lat)), 0.05))
    span_x = max(east - west, min_deg) * (1 + 2 * margin)
    span_y = max(y1 - y0, min_deg) * (1 + 2 * margin)
    cx, cy = (west + east) / 2, (y0 + y1) / 2
    if span_x / span_y < width / height:
        span_x = span_y * width / height
    else:
        span_y = span_x * height / width
    return View(cx - span_x / 2, _unmerc(cy - span_y / 2), cx + span_x / 2, _unmerc(cy + span_y / 2), width, height)


def _polygons(geoms: Any) -> list[Any]:
    """The polygons of geometries (collections flattened, non-areas dropped), largest first."""
    parts = shapely.get_parts(np.atleast_1d(np.asarray(geoms, dtype=object)))
    parts = parts[~shapely.is_empty(parts)]
    polys = shapely.get_parts(parts[np.isin(shapely.get_type_id(parts), (3, 6))])
    return sorted(polys, key=lambda p: -p.area)


def _lines(geoms: Any) -> list[Any]:
    """The lines of geometries: polygons' rings, lines as they are."""
    parts = shapely.get_parts(np.atleast_1d(np.asarray(geoms, dtype=object)))
    parts = parts[~shapely.is_empty(parts)]
    kinds = shapely.get_type_id(parts)
    polys = shapely.get_parts(parts[np.isin(kinds, (3, 6))])
    rings = list(shapely.get_rings(polys)) if len(polys) else []
    return rings + list(shapely.get_parts(parts[np.isin(kinds, (1, 2, 5))]))


def _clipped(view: View, geoms: Any) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(geoms, dtype=object))
    arr = arr[~shapely.is_missing(arr)]
    return view.clip(arr[~shapely.is_empty(arr)]) if len(arr) else arr


def _box(view: View, geoms: Any, pad: float) -> tuple[int, int, int, int] | None:
    """The pixel box (left, top, right, bottom) holding ``geoms`` on the map, ``pad`` px wider; None if off it."""
    west, south, east, north = shapely.total_bounds(geoms)
    if not np.isfinite(west):
        return None
    (x0, x1), (y1, y0) = view.xy([west, east], [south, north])
    left, top = max(math.floor(x0 - pad), 0), max(math.floor(y0 - pad), 0)
    right, bottom = min(math.ceil(x1 + pad), view.width), min(math.ceil(y1 + pad), view.height)
    return None if right <= left or bottom <= top else (left, top, right, bottom)


def _px(view: View, ring: Any, box: tuple[int, int, int, int]) -> list[float]:
    coords = shapely.get_coordinates(ring)
    x, y = view.xy(coords[:, 0], coords[:, 1])
    return np.column_stack([(x - box[0]) * SS, (y - box[1]) * SS]).ravel().tolist()


def _paint(img: Image.Image, box: tuple[int, int, int, int], mask: Image.Image, colour: str) -> None:
    """Paste ``colour`` through a supersampled ``mask`` of ``box`` (reduced first: smooth edges)."""
    small = mask.resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.BOX)
    img.paste(rgb(colour), box, small)


def fill(img: Image.Image, view: View, geoms: Any, colour: str, alpha: float = 1.0) -> None:
    """Fill the areas of ``geoms`` (lon/lat; one geometry or an array) on ``img`` at opacity ``alpha``.

    Holes are left open; parts that are not areas are ignored. Only the
    pixels around the areas are touched, so a small area costs little.
    """
    clipped = _clipped(view, geoms)
    polys = _polygons(clipped) if len(clipped) else []
    box = _box(view, polys, 1) if polys else None
    if box is None:
        return
    mask = Image.new("L", ((box[2] - box[0]) * SS, (box[3] - box[1]) * SS), 0)
    draw = ImageDraw.Draw(mask)
    value = round(255 * alpha)
    for poly in polys:
        ext = _px(view, poly.exterior, box)
        if len(ext) >= 6:
            draw.polygon(ext, fill=value)
        for hole in poly.interiors:
            pts = _px(view, hole, box)
            if len(pts) >= 6:
                draw.polygon(pts, fill=0)
    _paint(img, box, mask, colour)


def outline(img: Image.Image, view: View, geoms: Any, colour: str, width: float = 1.0, alpha: float = 1.0) -> None:
    """Draw the outlines (polygon rings, lines) of ``geoms`` (lon/lat; one geometry or an array) on ``img``."""
    clipped = _clipped(view, geoms)
    lines = _lines(clipped) if len(clipped) else []
    box = _box(view, lines, width + 2) if lines else None
    if box is None:
        return
    mask = Image.new("L", ((box[2] - box[0]) * SS, (box[3] - box[1]) * SS), 0)
    draw = ImageDraw.Draw(mask)
    w, value = max(round(width * SS), 1), round(255 * alpha)
    for line in lines:
        pts = _px(view, line, box)
        if len(pts) >= 4:
            draw.line(pts, fill=value, width=w, joint="curve")
    _paint(img, box, mask, colour)


def basemap(
    view: View,
    admin0: Any,
    admin1: Any,
    *,
    sea: str,
    land: str,
    land_home: str,
    border: str,
    admin1_line: str,
    home: str = "UA",
    labels: Iterable[tuple[str, float, float]] = (),
    unit: float = 1.0,
) -> Image.Image:
    """The offline basemap of a view: sea, land (``home`` country lighter), admin-1 lines, borders, region names.

    ``admin0`` (with ``iso_a2``) and ``admin1`` are lon/lat frames of the
    bundled boundaries; ``labels`` are (name, lon, lat); colours are
    ``#rrggbb``; ``unit`` is one point of text and lines in px.
    """
    img = Image.new("RGB", (view.width, view.height), rgb(sea))
    geoms = admin0.geometry.to_numpy()
    home_ = admin0["iso_a2"].to_numpy() == home
    fill(img, view, geoms[~home_], land)
    fill(img, view, geoms[home_], land_home)
    outline(img, view, admin1.geometry.to_numpy(), admin1_line, max(0.8 * unit, 1.0))
    outline(img, view, geoms, border, max(1.4 * unit, 1.0))
    draw = ImageDraw.Draw(img)
    small = font(max(round(11 * unit), 9))
    for text, lon, lat in labels:
        x, y = view.xy(lon, lat)
        if 0 <= float(x) <= view.width and 0 <= float(y) <= view.height:
            draw.text((float(x), float(y)), text, font=small, fill=rgb(border), anchor="mm")
    return img


def points(img: Image.Image, view: View, xy: Sequence[tuple[float, float, str, bool]], radius: float) -> None:
    """Draw event points ``(lon, lat, colour, solid)`` in order: a disc with a white ring, or (not solid) a ring."""
    if not xy:
        return
    xs, ys = view.xy([p[0] for p in xy], [p[1] for p in xy])
    keep = (xs >= -radius) & (xs <= view.width + radius) & (ys >= -radius) & (ys <= view.height + radius)
    if not keep.any():
        return
    pad = radius + 2
    left, top = max(int(xs[keep].min() - pad), 0), max(int(ys[keep].min() - pad), 0)
    right = min(math.ceil(xs[keep].max() + pad), view.width)
    bottom = min(math.ceil(ys[keep].max() + pad), view.height)
    if right <= left or bottom <= top:
        return
    big = Image.new("RGBA", ((right - left) * SS, (bottom - top) * SS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    r, ring = radius * SS, max(round(radius * SS / 3.5), 2)
    for x, y, (_, _, colour, solid), ok in zip((xs - left) * SS, (ys - top) * SS, xy, keep, strict=True):
        if not ok:
            continue
        box = (x - r, y - r, x + r, y + r)
        if solid:
            draw.ellipse(box, fill=(*rgb(colour), 255), outline=(255, 255, 255, 255), width=max(ring // 2, 1))
        else:
            draw.ellipse(box, fill=(255, 255, 255, 140), outline=(*rgb(colour), 255), width=ring)
    small = big.resize((right - left, bottom - top), Image.Resampling.BOX)
    img.paste(small, (left, top), small)


def panel(img: Image.Image, box: Sequence[float], *, alpha: float = 0.86, radius: float = 6.0) -> None:
    """A white, slightly see-through rounded box on ``img`` (in place), for text over the map."""
    left, top, right, bottom = (round(v) for v in box)
    left, top = max(left, 0), max(top, 0)
    right, bottom = min(right, img.width), min(bottom, img.height)
    if right <= left or bottom <= top:
        return
    region = img.crop((left, top, right, bottom))
    mask = Image.new("L", region.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, region.width - 1, region.height - 1), radius, fill=255)
    white = Image.new("RGB", region.size, (255, 255, 255))
    img.paste(Image.composite(Image.blend(region, white, alpha), region, mask), (left, top))


def fit(text: str, fnt: Any, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` px in ``fnt``."""
    if fnt.getlength(text) <= width:
        return text
    while text and fnt.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def nice_km(km: float) -> float:
    """The largest of 1, 2, 5 × 10ⁿ km not above ``km`` (a scale bar's length)."""
    if km <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(km))
    return max(m * power for m in (1, 2, 5) if m * power <= km)


def region_labels() -> list[tuple[str, float, float]]:
    """Admin-1 region names in the current language, at a point inside each region."""
    from geo import i18n, reference

    admin1 = reference.load_admin1(simplified=True)
    column = {"uk": "name_uk", "ru": "name_ru"}.get(i18n.language(), "name_en")
    points = admin1.geometry.representative_point()
    return [(str(n), p.x, p.y) for n, p in zip(admin1[column].fillna(admin1["name_en"]), points, strict=True)]


class Painter:
    """Draws the frames of one time-lapse: the basemap once, then each day's layers and texts."""

    def __init__(self, size: tuple[int, int], bounds: Any, series: Any, events: Any, title: str) -> None:
        from geo import reference
        from geo.mapview import basemap as look

        self.lay = layout(size)
        left, top, right, bottom = self.lay.map
        self.view = view_of(bounds, right - left, bottom - top)
        self.series, self.events, self.title = series, events, title
        sides = layers.get("capture").point.colours  # the sides' colours, as capture claims are drawn
        self.colour = sides.get(series.side, "#c62828")
        self.other = sides.get(other_side(series.side), "#1565c0")
        self.ink = rgb(look.BORDER)
        u = self.lay.unit
        self.base = basemap(
            self.view,
            reference.load_admin0(simplified=True),
            reference.load_admin1(simplified=True),
            sea=look.SEA,
            land=look.LAND_OTHER,
            land_home=look.LAND_UA,
            border=look.BORDER,
            admin1_line=look.ADMIN1_LINE,
            labels=region_labels(),
            unit=u,
        )
        self.fonts = {
            "date": font(max(round(40 * u), 16), bold=True),
            "title": font(max(round(19 * u), 11), bold=True),
            "text": font(max(round(14 * u), 10)),
            "small": font(max(round(12 * u), 9)),
        }
        self.legend = self._legend_items()

    def _legend_items(self) -> list[tuple[str, str, str]]:
        side = t(_SIDE_NAMES[self.series.side])
        items = [
            ("area", self.colour, t("Area held by {side}, per {assessor}", side=side, assessor=self.series.assessor)),
            ("gained", self.colour, t("Gained since the previous frame")),
            ("lost", self.other, t("Lost since the previous frame")),
        ]
        seen: dict[tuple[str, str], None] = {}
        for colour, label, located in zip(self.events.colour, self.events.label, self.events.located, strict=True):
            if located:
                seen.setdefault((colour, label), None)
        items += [("point", c, label) for c, label in list(seen)[:_MAX_LEGEND_EVENTS]]
        if len(self.events.t0):
            items.append(("ring", "#616161", t("Event dated only to a week or month")))
        return items

    def frame(self, when: dt.date, since: dt.date, held: Any, previous: Any) -> Image.Image:
        """The frame of ``when``: events of ``since``..``when``; the change from ``previous`` to ``held``."""
        lay, u = self.lay, self.lay.unit
        img = Image.new("RGB", (lay.width, lay.height), (255, 255, 255))
        mapimg = self.base.copy()
        area = held[1] if held else None
        gained = lost = None
        if held and previous and previous[0] != held[0]:
            gained = shapely.difference(held[1], previous[1])
            lost = shapely.difference(previous[1], held[1])
        if area is not None:
            fill(mapimg, self.view, area, self.colour, HELD_ALPHA)
        if lost is not None and not shapely.is_empty(lost):
            fill(mapimg, self.view, lost, self.other, LOST_ALPHA)
        if gained is not None and not shapely.is_empty(gained):
            fill(mapimg, self.view, gained, self.colour, GAINED_ALPHA)
        if area is not None:
            outline(mapimg, self.view, area, self.colour, 1.6 * u)
        idx = self.events.within(since.toordinal(), when.toordinal())
        drawn = [i for i in idx if self.events.located[i]]
        solid = [bool(self.events.t0[i] >= since.toordinal() and self.events.t1[i] <= when.toordinal()) for i in drawn]
        pts = [
            (self.events.lon[i], self.events.lat[i], self.events.colour[i], s)
            for i, s in zip(drawn, solid, strict=True)
        ]
        points(mapimg, self.view, pts, max(5.0 * u, 3.0))
        self._events_box(mapimg, since, when, idx)
        self._legend_box(mapimg)
        img.paste(mapimg, lay.map[:2])
        self._header(img, when, held, previous, gained, lost)
        self._footer(img, len(idx) - len(drawn))
        return img

    def _header(self, img: Image.Image, when: dt.date, held: Any, previous: Any, gained: Any, lost: Any) -> None:
        lay, f = self.lay, self.fonts
        draw = ImageDraw.Draw(img)
        draw.line((0, lay.header[3] - 1, lay.width, lay.header[3] - 1), fill=self.ink, width=1)
        left, top, right, bottom = lay.date
        draw.text((left, (top + bottom) / 2), day(when), font=f["date"], fill=(33, 33, 33), anchor="lm")
        x = right + int(16 * lay.unit)
        width = lay.width - x - int(16 * lay.unit)
        y = lay.header[3] * 0.30
        draw.text((x, y), fit(self.title, f["title"], width), font=f["title"], fill=(33, 33, 33), anchor="lm")
        side = t(_SIDE_NAMES[self.series.side])
        if held is None:
            line = t("No assessment by {assessor} on or before this day", assessor=self.series.assessor)
        else:
            line = t(
                "Area held by {side} per {assessor}: {km2} km²",
                side=side,
                assessor=self.series.assessor,
                km2=f"{held[2]:,.1f}",
            )
            if held[0] != when:
                line += " " + t("(latest assessment: {day})", day=day(held[0]))
            if gained is not None:
                change = t(
                    "+{gained} / −{lost} km² since {day}",
                    gained=f"{float(area_km2(gained)[0]):,.1f}",
                    lost=f"{float(area_km2(lost)[0]):,.1f}",
                    day=day(previous[0]),
                )
                line += " · " + change
        draw.text((x, lay.header[3] * 0.70), fit(line, f["text"], width), font=f["text"], fill=self.ink, anchor="lm")

    def _footer(self, img: Image.Image, not_drawn: int) -> None:
        lay, f = self.lay, self.fonts
        draw = ImageDraw.Draw(img)
        _, top, _, bottom = lay.footer
        draw.line((0, top, lay.width, top), fill=self.ink, width=1)
        pad = 16 * lay.unit
        first = t(
            "Areas of control as assessed by {assessor}: an assessment, not ground truth",
            assessor=self.series.assessor,
        )
        from geo.exporters.data import caveat

        second = t("Events: {caveat}", caveat=caveat())
        if not_drawn:
            second += "; " + tn(
                "{n} event known only to a region or country is not drawn",
                "{n} events known only to a region or country are not drawn",
                not_drawn,
            )
        if self.events.synthetic:
            second += " · " + t("SYNTHETIC DATA")
        h = bottom - top
        for text, frac, fnt in ((first, 0.32, f["text"]), (second, 0.72, f["small"])):
            draw.text(
                (pad, top + h * frac), fit(text, fnt, lay.width - 2 * pad), font=fnt, fill=(66, 66, 66), anchor="lm"
            )

    def _events_box(self, img: Image.Image, since: dt.date, when: dt.date, idx: np.ndarray) -> None:
        if not len(idx):
            return
        u, f = self.lay.unit, self.fonts
        pad, line = 10 * u, max(19 * u, getattr(f["small"], "size", 10) * 1.4)
        width = min(max(420 * u, 240), img.width * 0.45)
        shown = list(idx[::-1][:_MAX_LISTED])  # top of the stack first
        rows = len(shown) + 1 + (1 if len(idx) > len(shown) else 0)
        box = (img.width - width - pad, pad, img.width - pad, pad + rows * line + pad)
        panel(img, box)
        draw = ImageDraw.Draw(img)
        x, y = box[0] + pad, box[1] + pad + line / 2
        head = tn("{n} event, {dates}", "{n} events, {dates}", len(idx), dates=date_range(since, when))
        draw.text((x, y), fit(head, f["text"], width - 2 * pad), font=f["text"], fill=(33, 33, 33), anchor="lm")
        r = max(5 * u, 3)
        for i in shown:
            y += line
            draw.ellipse((x, y - r, x + 2 * r, y + r), fill=rgb(self.events.colour[i]))
            text = fit(self.events.title[i], f["small"], width - 3 * pad - 2 * r)
            draw.text((x + 2 * r + pad / 2, y), text, font=f["small"], fill=(33, 33, 33), anchor="lm")
        if len(idx) > len(shown):
            y += line
            more = tn("and {n} more", "and {n} more", len(idx) - len(shown))
            draw.text((x, y), more, font=f["small"], fill=self.ink, anchor="lm")

    def _legend_box(self, img: Image.Image) -> None:
        u, f = self.lay.unit, self.fonts
        pad, line = 10 * u, max(18 * u, getattr(f["small"], "size", 10) * 1.35)
        width = min(max(330 * u, 210), img.width * 0.45)
        rows = len(self.legend) + 1.6
        box = (pad, img.height - pad - rows * line - pad, pad + width, img.height - pad)
        panel(img, box)
        draw = ImageDraw.Draw(img)
        x, y = box[0] + pad, box[1] + pad + line / 2
        sw, rr = max(14 * u, 9), max(5 * u, 3)
        for kind, colour, label in self.legend:
            c = rgb(colour)
            if kind in ("area", "gained", "lost"):
                alpha = {"area": HELD_ALPHA, "gained": GAINED_ALPHA, "lost": LOST_ALPHA}[kind]
                tint = tuple(round(255 * (1 - alpha) + v * alpha) for v in c)
                draw.rectangle(
                    (x, y - sw / 2.6, x + sw, y + sw / 2.6), fill=tint, outline=c if kind == "area" else None
                )
            elif kind == "point":
                draw.ellipse((x + sw / 2 - rr, y - rr, x + sw / 2 + rr, y + rr), fill=c, outline="white")
            else:
                draw.ellipse((x + sw / 2 - rr, y - rr, x + sw / 2 + rr, y + rr), outline=c, width=2)
            text = fit(label, f["small"], width - 3 * pad - sw)
            draw.text((x + sw + pad / 2, y), text, font=f["small"], fill=(33, 33, 33), anchor="lm")
            y += line
        km = nice_km(self.view.km_per_px() * width * 0.45)
        bar = km / self.view.km_per_px()
        y += line * 0.2
        draw.line((x, y, x + bar, y), fill=(33, 33, 33), width=max(int(2 * u), 1))
        for end in (x, x + bar):
            draw.line((end, y - 4 * u, end, y + 4 * u), fill=(33, 33, 33), width=max(int(u), 1))
        draw.text((x + bar + pad / 2, y), f"{km:g} km", font=f["small"], fill=(33, 33, 33), anchor="lm")
