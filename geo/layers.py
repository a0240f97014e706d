"""The layer registry: everything about each layer, in one place.

A layer (claimed captures, strikes, affected regions, talks…) is one
:class:`LayerSpec`: its label and nouns, colour and ramp, stacking order on
the map, how its points are styled, what its legend says, the figures its
claims state, which filters apply to it only, its key figures, its charts and
whether it has a page. The data model, the map, the filters, the charts, the
key figures, the exporters, the sidebar and the pages read it from here.

Adding a layer is a :func:`register` call (a ``LayerSpec`` here or in the
layer's own module) plus its tests. A spec that lacks something is refused
when it is registered, with every problem it has — never silently at draw
time.

Texts in a spec are English messages: the interface translates them through
:mod:`geo.i18n` when it shows them (see :mod:`geo.present`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal, overload

from geo import schema

__all__ = [
    "DRAWN_AS",
    "FILTER_FIELDS",
    "NAMES",
    "LayerError",
    "LayerSpec",
    "PageSpec",
    "PointStyle",
    "all_specs",
    "for_filter",
    "get",
    "names",
    "register",
    "registered",
    "stacked",
    "unregister",
]

DRAWN_AS: Final = ("points", "choropleth")
"""How a layer's located events are drawn: circles at their points (cells when many),
or an admin-1 choropleth of counts (never points: an outage has no single place)."""
TIMELINE: Final = ("counts", "bands")
"""How a layer shows on a timeline: stacked counts per bin, or annotated bands (the talks)."""
FILTER_FIELDS: Final = {"weapons": "weapon", "target_types": "target_type"}
"""Filter fields that only some layers have, and the event column each filters."""
_BADGE_DIRS: Final = ("top", "bottom", "left", "right", "center")
_HEX: Final = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAME: Final = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class LayerError(ValueError):
    """A layer spec that is incomplete or inconsistent (raised when it is registered)."""


@dataclass(frozen=True)
class PointStyle:
    """How a layer's events are drawn at their points, and how its legend reads.

    Parameters
    ----------
    colour : str
        Fill colour (``#rrggbb``) when ``colour_by`` is not set or a value has no colour.
    colour_by : str, optional
        Event column whose value picks the fill (``"side"``, ``"target_type"``).
    colours : mapping of str to str
        Value of ``colour_by`` → colour.
    labels : mapping of str to str
        Value of ``colour_by`` → legend label (English message); the
        default is ``"<column>: <value>"``.
    missing_label : str
        Legend label for events whose ``colour_by`` value is missing or has no colour.
    radius : float
        Circle radius in pixels.
    radius_by : tuple of str
        Figures whose largest stated value grows the circle (strikes: drones claimed).
    extra : mapping
        Leaflet style options that override the status style (talks: a white ring).
    legend_label : str
        Label of the one legend item when ``colour_by`` is not set.
    legend_note : str
        A line under the layer's legend section.
    """

    colour: str = "#757575"
    colour_by: str | None = None
    colours: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    missing_label: str = "not stated"
    radius: float = 8.0
    radius_by: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    legend_label: str = ""
    legend_note: str = ""


@dataclass(frozen=True)
class PageSpec:
    """A layer's own dashboard page (one page function draws every layer page from this).

    Parameters
    ----------
    title : str
        Page title (English message).
    url_path : str
        Its address (``/captures``).
    nav_title : str
        Its name in the navigation, when shorter than the title ("Captures").
    heading : str
        The heading over its tables.
    table_caption : str
        What the statements table shows.
    table_columns : tuple of str
        Columns of :func:`geo.claims.statement_table` to show, in order.
    revisions_toggle : bool
        Offer "Show every revision" (each claimant's history) in the table.
    figure_charts : tuple of str
        Figures charted over time per claimant (:func:`geo.charts.figures_over_time`).
    breakdowns : tuple of str
        Event columns charted as breakdowns (:func:`geo.charts.breakdown`).
    region_table : bool
        Show the periods-and-regions table (:func:`geo.sources.impact_table`).
    """

    title: str
    url_path: str
    nav_title: str = ""
    heading: str = "Claims and answers"
    table_caption: str = ""
    table_columns: tuple[str, ...] = ("stated_at", "title", "claimant", "party", "stance", "figures", "source_url")
    revisions_toggle: bool = False
    figure_charts: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    region_table: bool = False


@dataclass(frozen=True)
class LayerSpec:
    """Everything about one layer.

    Parameters
    ----------
    name : str
        Key as stored in the ``layer`` column (``"capture"``).
    label : str
        Its name on the map, in the legend and in the sidebar ("Claimed captures").
    noun, nouns : str
        One event and several, for counts ("capture claim", "capture claims").
    word : str
        The layer in a filter described in words ("captures").
    colour : str
        Its colour on timelines and charts (``#rrggbb``).
    ramp : tuple of str
        Five colours, light to dark, for counts (grid cells, choropleth).
    stack : int
        Drawing order on the map: a higher stack is drawn above a lower one.
    figures : tuple of str
        Claim figures its claims may state (from :data:`geo.schema.CLAIM_FIGURES`).
    drawn_as : {"points", "choropleth"}
        See :data:`DRAWN_AS`.
    point : PointStyle
        Point style and legend.
    region_colour_by : bool
        An outline of events located only to a region takes the colour of
        their ``point.colour_by`` value when they share one (captures: the side);
        otherwise ``region_colour``.
    region_colour : str
        Outline colour of events located only to a region.
    badge_dir : str
        Where the count badge of a region outline sits, so layers do not overlap.
    filters : tuple of str
        Filter fields that apply to this layer only (keys of :data:`FILTER_FIELDS`).
    key_figures : tuple of str
        Figures totalled in the key figures.
    breakdowns : tuple of str
        Event columns worth a breakdown chart.
    timeline : {"counts", "bands"}
        See :data:`TIMELINE`.
    page : PageSpec, optional
        Its own page, if it has one.
    fit_view : bool
        Whether its points pull the map's fitted view (talks venues in Geneva do
        not, unless nothing else is drawn).
    dated_by_statements : bool
        Whether a date filter "by statement" applies to it (talks follow their own dates: a calendar).
    """

    name: str
    label: str
    noun: str
    nouns: str
    word: str
    colour: str
    ramp: tuple[str, ...]
    stack: int
    figures: tuple[str, ...] = ()
    drawn_as: Literal["points", "choropleth"] = "points"
    point: PointStyle = field(default_factory=PointStyle)
    region_colour_by: bool = False
    region_colour: str = "#455a64"
    badge_dir: str = "center"
    filters: tuple[str, ...] = ()
    key_figures: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    timeline: Literal["counts", "bands"] = "counts"
    page: PageSpec | None = None
    fit_view: bool = True
    dated_by_statements: bool = True


_REGISTRY: dict[str, LayerSpec] = {}


def _problems(spec: LayerSpec) -> list[str]:
    """Every way a spec is incomplete or inconsistent."""
    out: list[str] = []
    if not _NAME.match(spec.name or ""):
        out.append(f"name {spec.name!r} should be 2–31 lower-case letters, digits or _")
    for attr in ("label", "noun", "nouns", "word"):
        if not str(getattr(spec, attr) or "").strip():
            out.append(f"{attr} is empty")
    colours = [("colour", spec.colour), ("region_colour", spec.region_colour), ("point.colour", spec.point.colour)]
    colours += [(f"ramp[{i}]", c) for i, c in enumerate(spec.ramp)]
    colours += [(f"point.colours[{k!r}]", c) for k, c in spec.point.colours.items()]
    out += [f"{what} {c!r} is not a #rrggbb colour" for what, c in colours if not _HEX.match(str(c))]
    if len(spec.ramp) != 5:
        out.append(f"ramp has {len(spec.ramp)} colours; give 5, light to dark")
    unknown = [f for f in (*spec.figures, *spec.key_figures, *spec.point.radius_by) if f not in schema.CLAIM_FIGURES]
    if unknown:
        out.append(f"unknown figure(s) {sorted(set(unknown))}; use those of geo.schema.CLAIM_FIGURES")
    not_own = [f for f in (*spec.key_figures, *spec.point.radius_by) if f not in spec.figures]
    if not_own:
        out.append(f"key_figures/radius_by {not_own} are not among the layer's figures {list(spec.figures)}")
    if spec.drawn_as not in DRAWN_AS:
        out.append(f"drawn_as {spec.drawn_as!r} should be one of {', '.join(DRAWN_AS)}")
    if spec.timeline not in TIMELINE:
        out.append(f"timeline {spec.timeline!r} should be one of {', '.join(TIMELINE)}")
    if spec.badge_dir not in _BADGE_DIRS:
        out.append(f"badge_dir {spec.badge_dir!r} should be one of {', '.join(_BADGE_DIRS)}")
    bad_filters = [f for f in spec.filters if f not in FILTER_FIELDS]
    if bad_filters:
        out.append(f"filters {bad_filters} should be among {', '.join(FILTER_FIELDS)}")
    columns = set(schema.EVENT_COLUMN_NAMES)
    described = [c for c in (spec.point.colour_by, *spec.breakdowns) if c is not None and c not in columns]
    if described:
        out.append(f"point.colour_by/breakdowns name unknown event column(s) {described}")
    if spec.point.colour_by is None and not spec.point.legend_label and spec.drawn_as == "points":
        out.append("point.legend_label is empty (a layer without colour_by shows one legend item)")
    if spec.page is not None:
        if not _NAME.match(spec.page.url_path.replace("-", "_")):
            out.append(f"page.url_path {spec.page.url_path!r} should be a short lower-case path")
        charts = [f for f in spec.page.figure_charts if f not in spec.figures]
        if charts:
            out.append(f"page.figure_charts {charts} are not among the layer's figures")
    others = [s for s in _REGISTRY.values() if s.name != spec.name]
    if any(s.stack == spec.stack for s in others):
        out.append(f"stack {spec.stack} is taken; give each layer its own")
    if spec.page and any(s.page and s.page.url_path == spec.page.url_path for s in others):
        out.append(f"page.url_path {spec.page.url_path!r} is taken")
    return out


def register(spec: LayerSpec, *, replace: bool = False) -> LayerSpec:
    """Add a layer to the registry, after checking everything about it.

    Parameters
    ----------
    spec : LayerSpec
        The layer.
    replace : bool
        Allow replacing a registered layer of the same name.

    Returns
    -------
    LayerSpec
        ``spec``.

    Raises
    ------
    LayerError
        Listing every problem of the spec, or when the name is taken.
    """
    problems = _problems(spec)
    if spec.name in _REGISTRY and not replace:
        problems.insert(0, f"a layer named {spec.name!r} is registered already")
    if problems:
        raise LayerError(f"layer {spec.name!r} cannot be registered: " + "; ".join(problems))
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a layer from the registry (tests; a plug-in unloading).

    Parameters
    ----------
    name : str
        Its name.
    """
    _REGISTRY.pop(name, None)


@contextlib.contextmanager
def registered(spec: LayerSpec) -> Iterator[LayerSpec]:
    """Register a layer for the length of a block (tests).

    Parameters
    ----------
    spec : LayerSpec
        The layer.

    Yields
    ------
    LayerSpec
        ``spec``.
    """
    register(spec)
    try:
        yield spec
    finally:
        unregister(spec.name)


def names() -> tuple[str, ...]:
    """Names of the registered layers, in registration order.

    Returns
    -------
    tuple of str
        ``("capture", "strike", "impact", "talks", …)``.
    """
    return tuple(_REGISTRY)


def all_specs() -> tuple[LayerSpec, ...]:
    """Every registered layer, in registration order.

    Returns
    -------
    tuple of LayerSpec
        The specs.
    """
    return tuple(_REGISTRY.values())


@overload
def get(name: str) -> LayerSpec: ...
@overload
def get(name: str, default: None) -> LayerSpec | None: ...
def get(name: str, default: Any = KeyError) -> LayerSpec | None:
    """The spec of a layer.

    Parameters
    ----------
    name : str
        Its name.
    default : None, optional
        Returned for an unknown name instead of raising.

    Returns
    -------
    LayerSpec
        The spec.

    Raises
    ------
    LayerError
        An unknown name (and no default).
    """
    spec = _REGISTRY.get(str(name))
    if spec is None:
        if default is KeyError:
            raise LayerError(f"unknown layer {name!r}; choose from {', '.join(_REGISTRY)}")
        return default
    return spec


def stacked(selected: Sequence[str] | None = None) -> tuple[LayerSpec, ...]:
    """Layers bottom to top, as the map draws them.

    Parameters
    ----------
    selected : sequence of str, optional
        Only these layers (default all).

    Returns
    -------
    tuple of LayerSpec
        Sorted by ``stack``.
    """
    specs = [s for s in _REGISTRY.values() if selected is None or s.name in selected]
    return tuple(sorted(specs, key=lambda s: s.stack))


def for_filter(field_name: str) -> tuple[str, ...]:
    """Layers that a layer-specific filter field applies to.

    Parameters
    ----------
    field_name : str
        A key of :data:`FILTER_FIELDS` (``"weapons"``).

    Returns
    -------
    tuple of str
        Names of the layers listing it in their ``filters``.
    """
    return tuple(s.name for s in _REGISTRY.values() if field_name in s.filters)


class _Names(Sequence[str]):
    """The registered layer names, read live (a layer registered later is in it)."""

    def __getitem__(self, index: Any) -> Any:
        return names()[index]

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __contains__(self, value: object) -> bool:
        return value in _REGISTRY

    def __iter__(self) -> Iterator[str]:
        return iter(names())

    def __repr__(self) -> str:
        return repr(names())


NAMES: Final[Sequence[str]] = _Names()
"""A live view of :func:`names`, for places that need a sequence (``choices`` of the ``layer`` column)."""

# --- the built-in layers ------------------------------------------------------------------------------------------

_SIDE_COLOURS = MappingProxyType({"RU": "#c62828", "UA": "#1565c0"})

register(
    LayerSpec(
        name="capture",
        label="Claimed captures",
        noun="capture claim",
        nouns="capture claims",
        word="captures",
        colour="#7570b3",
        ramp=("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"),
        stack=20,
        figures=("settlements", "area_km2"),
        point=PointStyle(
            colour_by="side",
            colours=_SIDE_COLOURS,
            labels={"RU": "Russia claims", "UA": "Ukraine claims"},
            missing_label="side not stated",
            radius=8.0,
        ),
        region_colour_by=True,
        badge_dir="top",
        key_figures=("area_km2", "settlements"),
        breakdowns=("side",),
        page=PageSpec(
            title="Claimed captures",
            url_path="captures",
            nav_title="Captures",
            table_caption="Each claimant's latest statement; denials and counter-claims from the other side "
            "sit beside them.",
            table_columns=("stated_at", "title", "claimant", "party", "stance", "figures", "text", "source_url"),
            figure_charts=("area_km2", "settlements"),
        ),
    )
)
register(
    LayerSpec(
        name="strike",
        label="Strikes",
        noun="strike",
        nouns="strikes",
        word="strikes",
        colour="#d95f02",
        ramp=("#edf8fb", "#b2e2e2", "#66c2a4", "#2ca25f", "#006d2c"),
        stack=10,
        figures=("launched", "intercepted", "hits", "killed", "wounded"),
        point=PointStyle(
            colour_by="target_type",
            colours={
                "energy": "#f2b701",
                "military": "#2e7d32",
                "industrial": "#8d6e63",
                "residential": "#d81b60",
                "transport": "#00acc1",
                "other": "#616161",
                "unknown": "#9e9e9e",
            },
            missing_label="target: unknown",
            colour="#9e9e9e",
            radius=6.0,
            radius_by=("launched", "intercepted", "hits"),
            legend_note="Circle size grows with the drones/missiles claimed.",
        ),
        badge_dir="bottom",
        filters=("weapons", "target_types"),
        key_figures=("launched", "intercepted"),
        breakdowns=("weapon", "target_type"),
        page=PageSpec(
            title="Strikes",
            url_path="strikes",
            heading="Latest figures per claimant",
            table_caption="Each claimant's latest figures; turn on every revision to see how they changed.",
            table_columns=("stated_at", "title", "claimant", "party", "figures", "revisions", "current", "source_url"),
            revisions_toggle=True,
            figure_charts=("intercepted",),
            breakdowns=("weapon", "target_type"),
        ),
    )
)
register(
    LayerSpec(
        name="impact",
        label="Affected regions",
        noun="impact event",
        nouns="impact events",
        word="impacts",
        colour="#1b9e77",
        ramp=("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
        stack=0,
        figures=("people_affected", "municipalities", "duration_h", "killed", "wounded"),
        drawn_as="choropleth",
        point=PointStyle(
            colour="#757575",
            radius=6.0,
            legend_label="impact event",
            legend_note="Power, heating, water… per region; an event naming several regions counts in each.",
        ),
        breakdowns=("impact_type",),
        page=PageSpec(
            title="Affected regions",
            url_path="regions",
            heading="Periods and sources",
            table_caption="Each claimant's latest statement about the outages, damage and casualties.",
            table_columns=("stated_at", "title", "claimant", "figures", "text", "source_url"),
            breakdowns=("impact_type",),
            region_table=True,
        ),
    )
)
register(
    LayerSpec(
        name="talks",
        label="Talks",
        noun="talks round",
        nouns="talks rounds",
        word="talks",
        colour="#8c8c8c",
        ramp=("#f0f0f0", "#bdbdbd", "#969696", "#636363", "#252525"),
        stack=30,
        figures=("round",),
        point=PointStyle(
            colour="#263238", radius=8.0, extra={"color": "#ffffff", "weight": 2.5}, legend_label="venue of a round"
        ),
        badge_dir="right",
        timeline="bands",
        fit_view=False,
        dated_by_statements=False,
    )
)
