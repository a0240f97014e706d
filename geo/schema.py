"""Layers, columns and enumerations of the data model.

Two tables (DESIGN.md §3):

* **events** – something on the ground (a capture, a strike, an impact, a
  round of talks), one row each, with its place and time and the precision of
  both. Geometry is EPSG:4326 and *null* when the event cannot be located more
  precisely than a region or a country: the region code says where it is and
  nothing invents a point.
* **claims** – statements about an event: who said it, when, which side they
  are on, their stance towards it and the figures they gave. Figures carry a
  bound (``exact``, ``at_least``, ``at_most``, ``about``) so "over 170" is kept
  as *at least 170*.

An event's *status* is never typed in: :mod:`geo.claims` derives it from the
claims.

Multi-valued text columns (``admin1`` of a claim that covers several regions,
``impact_type`` of an outage of both power and heating) hold the values joined
by ``;`` – see :func:`split_multi`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "BOUNDS",
    "CLAIM_COLUMNS",
    "CLAIM_COLUMN_NAMES",
    "CLAIM_FIGURES",
    "CRS",
    "EVENT_COLUMNS",
    "EVENT_COLUMN_NAMES",
    "GEO_PRECISIONS",
    "IMPACT_TYPES",
    "LAYERS",
    "LAYER_FIGURES",
    "PARTIES",
    "STANCES",
    "STATED_PRECISIONS",
    "STATUSES",
    "SYNTHETIC",
    "TARGET_TYPES",
    "TIME_PRECISIONS",
    "WEAPONS",
    "Column",
    "bound_column",
    "join_multi",
    "split_multi",
]

CRS: Final = "EPSG:4326"
SYNTHETIC: Final = "synthetic"
"""Dataset name every synthetic row carries; the UI labels it wherever it shows."""


class _LayerNames(Sequence[str]):
    """The names of the registered layers (:mod:`geo.layers`), read live: a layer registered later is in it."""

    @staticmethod
    def _names() -> tuple[str, ...]:
        from geo import layers  # the registry reads this module; it is imported on first use, not at load

        return layers.names()

    def __getitem__(self, index: Any) -> Any:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, value: object) -> bool:
        return value in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __repr__(self) -> str:
        return repr(self._names())


class _LayerFigures(Mapping[str, tuple[str, ...]]):
    """Figures per layer, read live from the layer registry."""

    @staticmethod
    def _figures() -> dict[str, tuple[str, ...]]:
        from geo import layers

        return {spec.name: spec.figures for spec in layers.all_specs()}

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._figures()[key]

    def __len__(self) -> int:
        return len(self._figures())

    def __iter__(self) -> Iterator[str]:
        return iter(self._figures())


LAYERS: Final[Sequence[str]] = _LayerNames()
"""Names of the layers (``capture``, ``strike``, ``impact``, ``talks``, and any registered later):
a live view of :func:`geo.layers.names`, where everything about a layer lives."""
PARTIES: Final = ("RU", "UA", "independent", "other")
STANCES: Final = ("asserts", "denies", "revises", "retracts", "corroborates", "reports_fighting")
"""How a claim stands towards its event.

``asserts``
    The claimant says it happened (first statement).
``revises``
    The claimant restates it with new figures; the latest statement of a
    claimant is its current figure, the earlier ones are its history.
``denies``
    The claimant says it did not happen (or not as claimed).
``retracts``
    The claimant withdraws its own earlier assertion.
``corroborates``
    A source says it happened, backing another claimant's assertion.
``reports_fighting``
    The claimant says the place is being fought for, not taken (a *contested*
    settlement, not a claimed capture).
"""
STATUSES: Final = ("claimed", "disputed", "confirmed", "retracted", "contested")
GEO_PRECISIONS: Final = ("exact", "near", "admin2", "admin1", "country", "unknown")
"""From most to least precise. Only ``exact`` and ``near`` carry a point geometry
of the place itself; ``admin1`` events are drawn at their region."""
TIME_PRECISIONS: Final = ("day", "week", "month")
STATED_PRECISIONS: Final = ("minute", "hour", "part_of_day", "day", "week", "event_date")
"""How precise a claim's ``stated_at`` is: "midday" is 12:00 at ``part_of_day``;
``week`` is "early February" (on or before the date given); ``event_date`` says
the statement's own date was not recorded and the event's date stands in."""
WEAPONS: Final = ("drone", "missile", "glide_bomb", "artillery", "air", "mixed", "unknown")
TARGET_TYPES: Final = ("energy", "military", "industrial", "residential", "transport", "other", "unknown")
IMPACT_TYPES: Final = ("power", "heating", "water", "evacuation", "casualties", "damage", "transport")
BOUNDS: Final = ("exact", "at_least", "at_most", "about")

CLAIM_FIGURES: Final = (
    "settlements",
    "area_km2",
    "launched",
    "intercepted",
    "hits",
    "killed",
    "wounded",
    "people_affected",
    "municipalities",
    "duration_h",
    "round",
)
"""Numeric figures a claim may state (each has a ``<name>_bound`` column); each layer
names its own in the registry (:attr:`geo.layers.LayerSpec.figures`)."""
LAYER_FIGURES: Final[Mapping[str, tuple[str, ...]]] = _LayerFigures()
"""Figures per layer: a live view of the layer registry."""


def bound_column(figure: str) -> str:
    """Return the name of the column holding a figure's bound.

    Parameters
    ----------
    figure : str
        A figure name from :data:`CLAIM_FIGURES`.

    Returns
    -------
    str
        ``"<figure>_bound"``.
    """
    return f"{figure}_bound"


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    name : str
        Column name, as stored and as in CSV/GeoJSON exports.
    dtype : str
        ``"str"``, ``"float"``, ``"date"`` or ``"datetime"``.
    required : bool
        Whether every row must have a value.
    choices : tuple of str, optional
        Allowed values (each part, for a multi-valued column).
    multi : bool
        Whether the column holds several values joined by ``;``.
    doc : str
        What it means.
    """

    name: str
    dtype: str
    required: bool = False
    choices: tuple[str, ...] | None = None
    multi: bool = False
    doc: str = ""


EVENT_COLUMNS: Final = (
    Column("event_id", "str", True, doc="Stable identifier, unique across datasets."),
    Column("layer", "str", True, LAYERS),
    Column("place", "str", doc="Place as named by the claims (settlement, target, region, 'south')."),
    Column("place_alt", "str", multi=True, doc="Other spellings of the place (Russian form, transliterations)."),
    Column("admin1", "str", multi=True, doc="ISO 3166-2 region code(s), e.g. UA-23 or RU-BRY;RU-KLU."),
    Column("country", "str", doc="ISO 3166-1 alpha-2, from the admin1 code (Crimea UA-43 is UA)."),
    Column("geo_precision", "str", True, GEO_PRECISIONS),
    Column("geo_source", "str", doc="Where the point comes from, e.g. 'GeoNames 687796'."),
    Column("time_start", "date", True),
    Column("time_end", "date", True),
    Column("time_precision", "str", True, TIME_PRECISIONS),
    Column("dataset", "str", True, doc="'feb-2026' (bundled), 'synthetic', or an import's name."),
    Column("title", "str", doc="One line describing the event, in English."),
    Column("side", "str", choices=PARTIES, doc="Capture: the side said to have taken the place."),
    Column("axis", "str", doc="Capture: direction or front sector ('south', 'Lyman axis')."),
    Column("weapon", "str", choices=WEAPONS),
    Column("target_type", "str", choices=TARGET_TYPES),
    Column("impact_type", "str", choices=IMPACT_TYPES, multi=True),
    Column("venue", "str", doc="Talks: city and country of the round."),
    Column("talks_parties", "str", doc="Talks: who took part, e.g. 'UA;RU;US'."),
    Column("talks_format", "str", doc="Talks: e.g. 'trilateral, US-brokered'."),
)

_BOUND_COLUMNS = tuple(
    c for f in CLAIM_FIGURES for c in (Column(f, "float"), Column(bound_column(f), "str", choices=BOUNDS))
)

CLAIM_COLUMNS: Final = (
    Column("claim_id", "str", True),
    Column("event_id", "str", True),
    Column("claimant", "str", True, doc="Who spoke: 'Russian Ministry of Defence', 'Governor of Bryansk Oblast'."),
    Column("party", "str", True, PARTIES),
    Column("stated_at", "datetime", True, doc="When the statement was made (local time as reported)."),
    Column("stated_precision", "str", True, STATED_PRECISIONS, doc="Defaults to 'day'."),
    Column("stance", "str", True, STANCES),
    Column("text", "str", doc="What the claimant said, in brief."),
    *_BOUND_COLUMNS,
    Column("source_title", "str"),
    Column("source_url", "str"),
    Column("publisher", "str", True),
    Column("other_sources", "str", multi=True, doc="Further addresses that report the same statement."),
    Column("language", "str", doc="ISO 639-1 code of the source."),
)

EVENT_COLUMN_NAMES: Final = tuple(c.name for c in EVENT_COLUMNS)
CLAIM_COLUMN_NAMES: Final = tuple(c.name for c in CLAIM_COLUMNS)


def split_multi(value: object) -> list[str]:
    """Split a multi-valued cell into its parts.

    Parameters
    ----------
    value : object
        A cell: ``"RU-BRY;RU-KLU"``, a single value, ``None`` or NaN.

    Returns
    -------
    list of str
        The stripped, non-empty parts (empty for a missing value).
    """
    if not isinstance(value, str):
        return []
    return [p.strip() for p in value.split(";") if p.strip()]


def join_multi(values: list[str] | tuple[str, ...] | str | None) -> str | None:
    """Join values into one multi-valued cell (inverse of :func:`split_multi`).

    Parameters
    ----------
    values : list of str, str or None
        Values to join; a string is returned as it is.

    Returns
    -------
    str or None
        ``"a;b"``, or ``None`` when there is nothing to join.
    """
    if values is None:
        return None
    if isinstance(values, str):
        return values or None
    parts = [v.strip() for v in values if v and v.strip()]
    return ";".join(parts) or None
