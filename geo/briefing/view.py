"""A briefing's views: one filtered view of a store, with everything its slide, PDF page or PowerPoint slide needs.

:class:`View` is the seam between the data and the layouts
(:mod:`geo.briefing.slide`, :mod:`geo.briefing.pdf`, :mod:`geo.briefing.pptx`):
the :class:`~geo.briefing.Briefing` (what it says), the filtered events and
talks (the timeline), the map as an image (fitted to the briefing's frame),
and the legend of what the map draws. :func:`views` makes them from a store
and a list of filters (links), reading the store once and rendering every map
in one Chromium.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from geo import i18n
from geo.briefing._model import Briefing
from geo.briefing.chromium import Chromium
from geo.briefing.content import briefing
from geo.briefing.mapimage import map_image
from geo.filters import Filter
from geo.i18n import t

__all__ = ["MAP_SIZE", "View", "make_view", "provenance", "view_of", "views"]

MAP_SIZE: Final = (1180, 820)
"""The map image's size in CSS px (drawn at twice that in device pixels): the map area of a 1920×1080 slide."""


@dataclass(frozen=True)
class View:
    """One view of a briefing: what it says, the map image, and the data its timeline is drawn from.

    Attributes
    ----------
    briefing : Briefing
        The content (:func:`geo.briefing.briefing`): title, filter in words,
        key claims, totals, claims table, sources, caveat, when made, from
        which data.
    flt : Filter
        The view's filter.
    events : GeoDataFrame
        The filtered, folded events (the timeline bins them as the dashboard does, :mod:`geo.timebins`).
    claims : DataFrame
        Their claims.
    talks : DataFrame
        The rounds of talks in the view's dates (the timeline's bands).
    map_png : bytes
        The map alone, fitted to ``briefing.frame`` (:func:`geo.briefing.mapimage.map_image`).
    map_size : (int, int)
        The map image's size in CSS px (the PNG is twice that).
    legend : list of (str, str)
        What the map draws (:func:`geo.mapview.legend_entries`): ``(section, entry)``, caveats first
        (section ``""``); unescaped.
    legend_marks : list of str
        Each legend entry's symbol as the map draws it (:func:`geo.mapview.legend_items`: pre-escaped HTML
        styled by :data:`geo.mapview.MARK_CSS`; ``""`` for a note).
    url : str
        The view's link (``?from=…&region=…``), to open it again.
    """

    briefing: Briefing
    flt: Filter
    events: gpd.GeoDataFrame
    claims: pd.DataFrame
    talks: pd.DataFrame
    map_png: bytes
    map_size: tuple[int, int] = MAP_SIZE
    legend: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    legend_marks: list[str] = field(default_factory=list)


def provenance(store: Any, shown: int, total: int, datasets: Sequence[str] = ()) -> str:
    """From which data a view was made, in words.

    Parameters
    ----------
    store : Store
        The store (its location and version).
    shown, total : int
        Events in the view, and in the store.
    datasets : sequence of str
        The datasets the view's events come from.

    Returns
    -------
    str
        ``"data/conflict.gpkg (version 3f2a…) · datasets seed · 8 of 42 events"``.
    """
    where = str(getattr(store, "location", "") or "")
    version = ""
    try:
        version = str(store.version())[:12]
    except Exception:  # a store that cannot say its version still made the view
        version = ""
    head = f"{where} ({t('version')} {version})" if version else where
    parts = [head] if head else []
    if datasets:
        parts.append(t("datasets {names}", names=", ".join(sorted(datasets))))
    parts.append(t("{shown} of {total} events", shown=shown, total=total))
    return " · ".join(parts)


def view_of(
    chromium: Chromium,
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    *,
    talks: pd.DataFrame | None = None,
    total: int | None = None,
    store: Any = None,
    assessed: dict[str, Any] | None = None,
    title: str = "",
    lang: str | None = None,
    made: dt.datetime | None = None,
    map_size: tuple[int, int] = MAP_SIZE,
    scale: float = 2.0,
) -> View:
    """One view of a briefing from events already filtered (as :func:`geo.exporters.export` gets them).

    Parameters
    ----------
    chromium : Chromium
        Renders the map image.
    events : GeoDataFrame
        The filtered, folded events. Not changed.
    claims : DataFrame
        Their claims. Not changed.
    flt : Filter or None
        The view's filter (None: everything).
    talks : DataFrame, optional
        The rounds of talks in the view's dates (default: those among ``events``).
    total : int, optional
        Events in the store (for "8 of 42 events"; default ``len(events)``).
    store : Store, optional
        The store, named in the provenance line.
    assessed : dict, optional
        ``verdicts``, ``aggregates``, ``control`` (:func:`geo.exporters.assessed_for`).
    title : str
        The title ("" for the layout's default).
    lang : str, optional
        Language (default: the current one).
    made : datetime, optional
        When it was made (default: now, UTC).
    map_size : (int, int)
        The map image's size in CSS px.
    scale : float
        Device pixels per CSS pixel of the map image.

    Returns
    -------
    View
    """
    from geo.mapview import legend_items

    flt = flt if flt is not None else Filter()
    assessed = assessed or {}
    verdicts = assessed.get("verdicts")
    control = assessed.get("control")
    if talks is None:
        talks = events[events["layer"] == "talks"] if "layer" in events.columns else events.iloc[:0]
    with i18n.using(lang) as language:
        made_from = ""
        if store is not None:  # which datasets: distinct values, vectorised (a million events have a handful)
            datasets = sorted(str(d) for d in events["dataset"].dropna().unique()) if "dataset" in events else []
            made_from = provenance(store, len(events), total if total is not None else len(events), datasets)
        content = briefing(
            events, claims, flt, verdicts=verdicts, limit=12, made=made, lang=language, title=title,
            provenance=made_from,
        )  # fmt: skip
        items = legend_items(events, layers=flt.layers or None, lang=language, control=control)
        legend = [(section, entry) for section, entry, _mark in items]
        marks = [mark for _section, _entry, mark in items]
        png = map_image(
            chromium, events, claims, flt, content.frame, size=map_size, scale=scale, verdicts=verdicts,
            control=control, lang=language,
        )  # fmt: skip
    return View(content, flt, events, claims, talks, png, map_size, legend, flt.to_url(), marks)


def make_view(
    chromium: Chromium,
    folded: gpd.GeoDataFrame,
    all_claims: pd.DataFrame,
    flt: Filter,
    *,
    store: Any = None,
    title: str = "",
    lang: str | None = None,
    made: dt.datetime | None = None,
    map_size: tuple[int, int] = MAP_SIZE,
    scale: float = 2.0,
    assessed: dict[str, Any] | None = None,
) -> View:
    """One view of a briefing from a store's folded events and claims (filtered here by ``flt``).

    Parameters
    ----------
    chromium : Chromium
        Renders the map image.
    folded : GeoDataFrame
        Every folded event of the store (:func:`geo.store.snapshot.read_display`).
    all_claims : DataFrame
        Every claim of the store.
    flt : Filter
        The view.
    store : Store, optional
        The store: its assessments set the claims against assessed control
        (:func:`geo.exporters.assessed_for`) and its location names the data.
    title, lang, made, map_size, scale
        As for :func:`view_of`.
    assessed : dict, optional
        ``verdicts``, ``aggregates``, ``control`` when already read (default: read from ``store``).

    Returns
    -------
    View
    """
    from geo.exporters import assessed_for
    from geo.filters import apply, filter_claims, talks_for

    events = apply(folded, flt, all_claims)
    claims = filter_claims(all_claims, events)
    if assessed is None:
        assessed = assessed_for(store, events, claims, flt) if store is not None else {}
    return view_of(
        chromium, events, claims, flt, talks=talks_for(folded, flt), total=len(folded), store=store,
        assessed=assessed, title=title, lang=lang, made=made, map_size=map_size, scale=scale,
    )  # fmt: skip


def views(
    store: Any,
    filters: Sequence[Filter],
    *,
    chromium: Chromium,
    titles: Sequence[str] = (),
    lang: str | None = None,
    made: dt.datetime | None = None,
    map_size: tuple[int, int] = MAP_SIZE,
    scale: float = 2.0,
) -> list[View]:
    """The views of a briefing, in order, from one store (read once) and one Chromium.

    Parameters
    ----------
    store : Store
        The store.
    filters : sequence of Filter
        One per view (:meth:`geo.filters.Filter.from_url` of each link).
    chromium : Chromium
        Renders the map images.
    titles : sequence of str
        A title per view ("" or missing: the layout's default).
    lang, made, map_size, scale
        As for :func:`make_view`.

    Returns
    -------
    list of View
    """
    from geo.store.snapshot import read_display

    folded, claims = read_display(store)
    made = made or dt.datetime.now(dt.UTC)
    out = []
    for i, flt in enumerate(filters):
        title = titles[i] if i < len(titles) else ""
        one = make_view(
            chromium, folded, claims, flt, store=store, title=title, lang=lang, made=made, map_size=map_size,
            scale=scale,
        )  # fmt: skip
        out.append(one)
    return out
