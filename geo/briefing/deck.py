"""Write a briefing file — a slide PNG, a PDF, a PowerPoint deck — of one view or several, in order.

The command line (``python -m geo export --format pdf --url LINK --url LINK``),
the Export page's briefing (views added with "Add this view to the briefing")
and :func:`geo.exporters.export` all come here:

* :func:`briefing_file` — from a store and a list of filters (links): the
  store read once, every map rendered in one Chromium, one file;
* :func:`write_views` — from views already made (:mod:`geo.briefing.view`).

A PNG holds one view; a PDF has a slide page, the claims table and the
sources per view; a deck has a slide (and claims slides) per view.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from geo.briefing.chromium import Chromium
from geo.briefing.view import View, views
from geo.errors import GeoError
from geo.filters import Filter

__all__ = [
    "FORMATS",
    "MAP_SIZES",
    "MAX_VIEWS",
    "briefing_file",
    "briefing_of",
    "map_size",
    "slide_size",
    "write_views",
]

FORMATS: Final = ("png", "pdf", "pptx")
"""The briefing formats: a slide image, a PDF document, a PowerPoint deck."""
MAX_VIEWS: Final = 30
"""Views in one briefing at most (each is a map rendered by Chromium)."""
MAP_SIZES: Final = {"png": ((1000, 695), 1.0), "pdf": ((500, 348), 3.0), "pptx": ((800, 556), 2.5)}
"""Per format, the map image's size in CSS px and its device scale: the size it is shown at in the layout (the
slide's 1000 px map column, A4's 500 px, about 40% of a 13.33-inch slide), so labels read at the same size as the
dashboard's, and enough pixels to stay sharp in print (A4 ≈ 290 dpi)."""
_ASPECT: Final = 16 / 9


def map_size(fmt: str, size: tuple[int, int] | None = None) -> tuple[tuple[int, int], float]:
    """The map image's size (CSS px) and device scale for a briefing format (a PNG's scale follows its width).

    Parameters
    ----------
    fmt : {"png", "pdf", "pptx"}
        The format.
    size : (int, int), optional
        A PNG's size in pixels (a 4K slide gets a map of twice the pixels).

    Returns
    -------
    (int, int), float
    """
    css, scale = MAP_SIZES[fmt]
    if fmt == "png" and size is not None:
        scale = max(1.0, size[0] / 1920)
    return css, scale


def slide_size(size: str | tuple[int, int] | None) -> tuple[int, int]:
    """A briefing slide's size in pixels: ``"slide"`` (1920×1080), ``"720p"``, ``"WxH"`` or a pair, at 16:9.

    Raises
    ------
    GeoError
        Not 16:9 (within 2%): the layout is a slide's; A4 is ``--format pdf``.
    """
    from geo.exporters.snapshot import parse_size

    w, h = parse_size(size or "slide")
    if abs(w / h - _ASPECT) > 0.02 * _ASPECT:
        raise GeoError(
            f"a briefing slide is 16:9 (slide 1920x1080, 720p 1280x720, 3840x2160…), not {w}x{h}; "
            "for A4 use --format pdf"
        )
    return w, h


def _check(fmt: str, n: int) -> str:
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise GeoError(f"a briefing is {', '.join(FORMATS)}, not {fmt!r}")
    if n < 1:
        raise GeoError("a briefing needs at least one view")
    if n > MAX_VIEWS:
        raise GeoError(f"a briefing holds at most {MAX_VIEWS} views, not {n}; split it into several files")
    if fmt == "png" and n > 1:
        raise GeoError(f"a PNG holds one view, not {n}; use --format pdf or pptx for several views in one file")
    return fmt


def write_views(
    fmt: str,
    made: Sequence[View],
    path: str | os.PathLike[str],
    *,
    chromium: Chromium,
    size: str | tuple[int, int] | None = None,
    lang: str | None = None,
) -> Path:
    """Write views already made as one briefing file.

    Parameters
    ----------
    fmt : {"png", "pdf", "pptx"}
        The file's format.
    made : sequence of View
        The views, in order (one for a PNG).
    path : str or PathLike
        Where to write (replaced atomically; nothing half-written).
    chromium : Chromium
        Renders the slide (PNG) or the document (PDF).
    size : str or tuple of int, optional
        PNG: ``"slide"`` (1920×1080, default), ``"720p"`` (1280×720) or a (width, height).
    lang : str, optional
        Language of the deck's words (default: the current one).

    Returns
    -------
    Path
        The written file.
    """
    fmt = _check(fmt, len(made))
    if size is not None and fmt != "png":
        raise GeoError(f"--size applies to a png briefing only, not to {fmt}")
    if fmt == "png":
        from geo.briefing.slide import to_png

        return to_png(made[0], path, size=slide_size(size), chromium=chromium)
    if fmt == "pdf":
        from geo.briefing.pdf import to_pdf

        return to_pdf(list(made), path, chromium=chromium)
    from geo.briefing.pptx import to_pptx

    return to_pptx(list(made), path, lang=lang)


def briefing_file(
    fmt: str,
    store: Any,
    filters: Sequence[Filter],
    path: str | os.PathLike[str],
    *,
    titles: Sequence[str] = (),
    size: str | tuple[int, int] | None = None,
    lang: str | None = None,
    made: dt.datetime | None = None,
) -> tuple[Path, list[View]]:
    """One briefing file of several views of a store, in order.

    Parameters
    ----------
    fmt : {"png", "pdf", "pptx"}
        The file's format (a PNG holds one view).
    store : Store
        The store (read once; its assessments set the claims against assessed control).
    filters : sequence of Filter
        One per view (:meth:`geo.filters.Filter.from_url` of each link).
    path : str or PathLike
        Where to write (replaced atomically; nothing half-written).
    titles : sequence of str
        A title per view, in order ("" or missing: the default title).
    size : str or tuple of int, optional
        PNG only: ``"slide"``, ``"720p"`` or (width, height).
    lang : str, optional
        Language of the briefing (default: the current one).
    made : datetime, optional
        When it was made (default: now, UTC).

    Returns
    -------
    Path, list of View
        The written file, and the views it holds (their events and claims, for a summary).
    """
    fmt = _check(fmt, len(filters))

    def make(chromium: Chromium, css: tuple[int, int], scale: float) -> list[View]:
        return views(store, filters, chromium=chromium, titles=titles, lang=lang, made=made, map_size=css, scale=scale)

    return _rendered(fmt, path, size, lang, make)


def _rendered(
    fmt: str,
    path: str | os.PathLike[str],
    size: str | tuple[int, int] | None,
    lang: str | None,
    make: Callable[[Chromium, tuple[int, int], float], list[View]],
) -> tuple[Path, list[View]]:
    """Check the size and the target, then make the views and write them, all in one Chromium."""
    from geo.exporters.data import check_target

    pixels = slide_size(size) if fmt == "png" else None  # a bad size fails before anything is read or drawn
    check_target(path)
    css, scale = map_size(fmt, pixels)
    with Chromium() as chromium:
        made_views = make(chromium, css, scale)
        return write_views(fmt, made_views, path, chromium=chromium, size=size, lang=lang), made_views


def briefing_of(
    fmt: str,
    events: Any,
    claims: Any,
    flt: Filter | None,
    path: str | os.PathLike[str],
    *,
    talks: Any = None,
    assessed: dict[str, Any] | None = None,
    title: str = "",
    size: str | tuple[int, int] | None = None,
) -> Path:
    """One briefing file of events already filtered (:func:`geo.exporters.export`'s png, pdf and pptx).

    Parameters
    ----------
    fmt : {"png", "pdf", "pptx"}
        The file's format.
    events, claims : DataFrame
        The filtered, folded events and their claims.
    flt : Filter or None
        Their filter.
    path : str or PathLike
        Where to write (replaced atomically; nothing half-written).
    talks : DataFrame, optional
        The rounds of talks in the view's dates.
    assessed : dict, optional
        ``verdicts``, ``aggregates``, ``control`` (:func:`geo.exporters.assessed_for`).
    title : str
        The title ("" for the default).
    size : str or tuple of int, optional
        PNG only: ``"slide"``, ``"720p"`` or (width, height).

    Returns
    -------
    Path
        The written file.
    """
    from geo.briefing.view import view_of

    fmt = _check(fmt, 1)

    def make(chromium: Chromium, css: tuple[int, int], scale: float) -> list[View]:
        one = view_of(chromium, events, claims, flt, talks=talks, assessed=assessed, title=title, map_size=css,
                      scale=scale)  # fmt: skip
        return [one]

    return _rendered(fmt, path, size, None, make)[0]
