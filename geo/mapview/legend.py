"""The map legend: what is drawn, section by section, generated from each drawn layer's spec.

A points layer lists a dot per ``colour_by`` value present (its label from
``spec.point.labels``, else ``"<column>: <value>"``), ``missing_label`` for
events without one, a contested dot, or its one ``legend_label``, then its
``legend_note``; a layer drawn as cells lists its count classes; a
choropleth its count classes per region; region outlines say what they are.
The same model gives the HTML on the map and :func:`legend_entries` (text,
for pages and exports).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import i18n, present, schema
from geo import layers as registry
from geo.i18n import t, tn
from geo.layers import LayerSpec
from geo.mapview.control import (
    CONTROL_STYLE,
    ControlArea,
    _assessed,
    _km2,
    _side_word,
    control_title,
)
from geo.mapview.features import CONTESTED, _region_style, _status_style, _value_colour
from geo.mapview.plan import (
    _breaks,
    _check_layers,
    _Choropleth,
    _class_bounds,
    _class_labels,
    _Plan,
    _plan,
    _prepare,
    _ramp,
)
from geo.present import escape


@dataclass
class _Item:
    kind: str  # "dot", "square", "region", "hatch", "text"
    label: str
    style: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Section:
    title: str
    items: list[_Item] = field(default_factory=list)


# --- HTML ---------------------------------------------------------------------------------------------------------


def _rgba(colour: str, alpha: float) -> str:
    c = colour.lstrip("#")
    if len(c) != 6:
        return colour
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:.2f})"


def _swatch(item: _Item) -> str:
    s = item.style
    if item.kind == "text":
        return ""
    fill = s.get("fillColor", "transparent")
    opacity = s.get("fillOpacity", 1.0)
    border = f"{s.get('weight', 1)}px {'dashed' if s.get('dashArray') else 'solid'} {s.get('color', fill)}"
    cls = "cm-sw" if item.kind == "dot" else "cm-sq"
    background = _rgba(fill, opacity) if fill != "transparent" else "transparent"
    if item.kind == "hatch":  # diagonal lines, as the map draws them (static/control.js)
        background = f"repeating-linear-gradient(-45deg,{fill} 0 1.5px,transparent 1.5px 5px)"
    outer = f"opacity:{s['opacity']};" if "opacity" in s and s["opacity"] < 1 else ""
    return f'<span class="{cls}" style="background:{escape(background)};border:{escape(border)};{outer}"></span>'


def _summary_html(synthetic: bool) -> str:
    """The legend's summary line (always visible, even folded): its title and the caveats."""
    parts = [f'<summary><b>{escape(t("Legend"))}</b><div class="cm-caveat">{escape(_caveat())}</div>']
    if synthetic:
        parts.append(
            f'<div class="cm-row"><span class="cm-synth">{escape(t("SYNTHETIC data"))}</span> '
            f"{escape(t('not real events'))}</div>"
        )
    parts.append("</summary>")
    return "".join(parts)


def _legend_html(sections: Sequence[_Section], header_notes: Sequence[str], synthetic: bool) -> str:
    """The legend; its summary line (always visible, even folded) carries the caveats."""
    parts = ["<details open>", _summary_html(synthetic)]
    parts += [f'<div class="cm-note">{escape(note)}</div>' for note in header_notes]
    for section in sections:
        parts.append(f'<div class="cm-sec">{escape(section.title)}</div>')
        for item in section.items:
            if item.kind == "text":
                parts.append(f'<div class="cm-note">{escape(item.label)}</div>')
            else:
                parts.append(f'<div class="cm-row">{_swatch(item)}<span>{escape(item.label)}</span></div>')
    parts.append("</details>")
    return "".join(parts)


# --- sections -----------------------------------------------------------------------------------------------------


def _caveat() -> str:
    return t("Claims by parties, not verified.")


def _column_word(column: str) -> str:
    """An event column as a legend names it: ``target`` for ``target_type`` (translated)."""
    return present.column_label(column)


def _value_label(spec: LayerSpec, value: str) -> str:
    """The legend label of a ``colour_by`` value: the spec's, else ``"<column>: <value>"`` (``target: energy``)."""
    label = spec.point.labels.get(value)
    if label:
        return t(label)
    column = str(spec.point.colour_by)
    return t("{column}: {value}", column=_column_word(column), value=present.value_label(column, value))


def _dot(label: str, colour: str, spec: LayerSpec, status: str = "claimed") -> _Item:
    return _Item("dot", label, _status_style(colour, status, 6) | dict(spec.point.extra))


def _colour_by_items(spec: LayerSpec, frame: pd.DataFrame) -> list[_Item]:
    """A dot per ``colour_by`` value present (in the order of ``colours``), then one for the rest."""
    by = str(spec.point.colour_by)
    claimed = frame.loc[frame["status"] != "contested", by]
    present_values = set(claimed.dropna().astype(str))
    items = [_dot(_value_label(spec, v), c, spec) for v, c in spec.point.colours.items() if v in present_values]
    unlisted = claimed.isna() | ~claimed.astype(str).isin(list(spec.point.colours))
    if unlisted.any():
        items.append(_dot(t(spec.point.missing_label), _value_colour(spec, None), spec))
    unique: dict[str, _Item] = {}
    for item in items:  # one item per label (a value "unknown" and a missing value may read the same)
        unique.setdefault(item.label, item)
    return list(unique.values())


def _point_section(spec: LayerSpec, frame: pd.DataFrame) -> _Section:
    """A points layer: its colours (or its one item), a contested dot, its note."""
    if spec.point.colour_by is None:
        items = [_dot(t(spec.point.legend_label), spec.point.colour, spec)]
    else:
        items = _colour_by_items(spec, frame)
    if (frame["status"] == "contested").any():
        items.append(_dot(t("contested: fighting reported, not claimed"), CONTESTED, spec, "contested"))
    if spec.point.legend_note:
        items.append(_Item("text", t(spec.point.legend_note)))
    return _Section(present.layer_label(spec.name), items)


def _shows_status(spec: LayerSpec) -> bool:
    """Whether a layer's points show their status in the outline (``extra`` may override it: talks' white ring)."""
    return "color" not in spec.point.extra


def _status_section(statuses: Iterable[object]) -> _Section | None:
    present_statuses = set(statuses) - {"contested"}
    if not present_statuses:
        return None
    items = [
        _Item("dot", present.status_label(s, long=True), _status_style("#616161", s, 6))
        for s in schema.STATUSES
        if s in present_statuses
    ]
    return _Section(t("Status (outline)"), items)


def _aggregated_title(layer: str) -> str:
    """A layer drawn as cells, as the layer control and the legend name it: ``Strikes (aggregated)``."""
    return t("{layer} (aggregated)", layer=present.layer_label(layer))


def _grid_section(layer: str, cells: gpd.GeoDataFrame) -> _Section:
    lows = _breaks(cells["n"].to_numpy())
    labels = _class_labels(lows, int(cells["n"].max()))
    colours = _ramp(layer, len(lows))
    items = [
        _Item("square", t("{range} per cell", range=label), {"fillColor": c, "color": colours[-1]})
        for label, c in zip(labels, colours, strict=True)
    ]
    note = t(
        "aggregated: {events} in {cells} ({size}°)",
        events=present.count(int(cells["n"].sum())),
        cells=tn("{n} cell", "{n} cells", len(cells)),
        size=f"{cells.attrs.get('cell_deg', 0):g}",
    )
    items.append(_Item("text", note))
    return _Section(_aggregated_title(layer), items)


def _counted(label: str, high: int, layer: str) -> str:
    """A class of counts with the layer's noun, in the plural form of its upper end: ``2–3 impact events``."""
    return present.count(high, layer).replace(f"{high:,}", label, 1)


def _choropleth_section(layer: str, choropleth: _Choropleth) -> _Section:
    counts = choropleth.counts["n"].to_numpy()
    lows = _breaks(counts)
    top = int(counts.max())
    colours = _ramp(layer, len(lows))
    style = {"fillOpacity": 0.5, "color": colours[-1]}
    items = [
        _Item("square", _counted(label, high, layer), {"fillColor": c} | style)
        for label, (_low, high), c in zip(_class_labels(lows, top), _class_bounds(lows, top), colours, strict=True)
    ]
    note = registry.get(layer).point.legend_note
    items.append(_Item("text", t(note) if note else t("Per region; an event naming several regions counts in each.")))
    return _Section(present.layer_label(layer), items)


def _region_title() -> str:
    """The layer of region outlines, as the layer control and the legend name it."""
    return t("Claims at region precision")


def _region_section(region_events: pd.DataFrame) -> _Section:
    n_events = region_events["event_id"].nunique()
    style = _region_style("#555555") | {"weight": 2.5}
    label = t("{events} located only to a region: outline + count", events=present.count(n_events))
    items = [
        _Item("region", label, style),
        _Item("text", t("Never drawn as a point: the place is not known more precisely.")),
    ]
    return _Section(_region_title(), items)


def _legend_sections(plan: _Plan) -> list[_Section]:
    """Sections for what is drawn: point layers (registry order), statuses, cells, choropleths, region outlines."""
    sections: list[_Section] = []
    statuses: set[object] = set()
    for spec in registry.all_specs():
        frame = plan.points.get(spec.name)
        if frame is None:
            continue
        sections.append(_point_section(spec, frame))
        if _shows_status(spec):
            statuses |= set(frame["status"].dropna())
    status = _status_section(statuses)
    if status is not None:
        sections.append(status)
    sections += [_grid_section(layer, cells) for layer, cells in plan.grids.items()]
    sections += [_choropleth_section(layer, c) for layer, c in plan.choropleths.items()]
    if not plan.region_events.empty:
        sections.append(_region_section(plan.region_events))
    return sections


def _control_section(area: ControlArea) -> _Section:
    """One assessor's Control layer: the held area as of its day, the gained and lost areas, whose assessment."""
    side = _side_word(area.side)
    items = []
    if area.held is not None:
        label = t(
            "Held by {side} as of {day}: {area} km²", side=side, day=present.day(area.as_of), area=_km2(area.held_km2)
        )
        items.append(_Item("square", label, dict(CONTROL_STYLE["held"])))
    if area.has_change:
        words = _assessed(area)
        period = words["period"]
        gained = t("Gained by {side}, {period}: +{area} km²", side=side, period=period, area=_km2(area.gained_km2))
        lost = t("Lost by {side}, {period}: −{area} km²", side=side, period=period, area=_km2(area.lost_km2))
        for km2, label, what in ((area.gained_km2, gained, "gained"), (area.lost_km2, lost, "lost")):
            if round(km2) >= 1:
                items.append(_Item("hatch", label, dict(CONTROL_STYLE[what])))
            else:  # nothing to draw: said in words
                items.append(_Item("text", label))
        items.append(_Item("text", t("Assessed days compared: {first} and {last}.", **words)))
    if area.note:
        items.append(_Item("text", area.note))
    who = area.assessor
    caveat = t("{assessor}'s map is its own assessment, published with a lag; not ground truth.", assessor=who)
    items.append(_Item("text", caveat))
    return _Section(control_title(area.assessor), items)


def _control_sections(control: Sequence[ControlArea] | None) -> list[_Section]:
    """The Control layers' sections, one per assessor (none without assessments)."""
    return [_control_section(area) for area in control or ()]


def _header_notes(plan: _Plan) -> list[str]:
    """Notes above the sections: nothing matches, what this view holds, what is not drawn."""
    notes = []
    if plan.total == 0:
        notes.append(t("No events match the current filters."))
    if plan.in_view is not None:
        notes.append(
            t(
                "This view: {shown} of {located} located events (zoom out to see all).",
                shown=present.number(plan.in_view),
                located=present.number(plan.located),
            )
        )
    if plan.not_drawn:
        notes.append(
            tn(
                "{n} event has no location more precise than a country (not drawn; counted in totals).",
                "{n} events have no location more precise than a country (not drawn; counted in totals).",
                plan.not_drawn,
            )
        )
    return notes


def legend_items(
    events: gpd.GeoDataFrame,
    *,
    layers: Sequence[str] | None = None,
    max_features: int = 3000,
    lang: str | None = None,
    control: Sequence[ControlArea] | None = None,
) -> list[tuple[str, str, str]]:
    """The map legend as text with each entry's symbol, for pages and exports that draw it beside the map.

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        Folded, filtered events, as given to :func:`build_map`.
    layers : sequence of str, optional
        Map layers, as for :func:`build_map` (default every registered layer).
    max_features : int
        As for :func:`build_map`.
    lang : str, optional
        Language of the text (default the current one).
    control : sequence of ControlArea, optional
        The Control layer, as for :func:`build_map`: a section per assessor.

    Returns
    -------
    list of (str, str, str)
        ``(section, entry, mark)``: unescaped text (escape it before putting
        it in HTML), the first entries the caveats and notes (section
        ``""``); ``mark`` is the symbol as the map's legend draws it, a
        pre-escaped ``<span class="cm-sw|cm-sq" style="…">`` (style it with
        :data:`MARK_CSS`), or ``""`` for a note or a caveat.

    Raises
    ------
    ValidationError
        If a layer is not registered.
    """
    with i18n.using(lang):
        selected = _check_layers(layers)
        plan = _plan(_prepare(events), selected, max_features)
        items = [("", _caveat(), "")]
        if plan.synthetic:
            items.append(("", t("SYNTHETIC data: not real events."), ""))
        items += [("", note, "") for note in _header_notes(plan)]
        for section in _legend_sections(plan) + _control_sections(control):
            items += [(section.title, item.label, _swatch(item)) for item in section.items]
        return items


def legend_entries(
    events: gpd.GeoDataFrame,
    *,
    layers: Sequence[str] | None = None,
    max_features: int = 3000,
    lang: str | None = None,
    control: Sequence[ControlArea] | None = None,
) -> list[tuple[str, str]]:
    """The map legend as plain text: :func:`legend_items` without the symbols (same arguments).

    Returns
    -------
    list of (str, str)
        ``(section, entry)`` pairs, unescaped text. The first entries are the caveats and notes (section ``""``).
    """
    items = legend_items(events, layers=layers, max_features=max_features, lang=lang, control=control)
    return [(section, entry) for section, entry, _mark in items]


MARK_CSS = (
    ".cm-sw, .cm-sq { display: inline-block; width: 0.8em; height: 0.8em; box-sizing: border-box; "
    "vertical-align: -0.05em; margin-right: 0.3em; flex: none; } .cm-sw { border-radius: 50%; }"
)
"""CSS for the marks of :func:`legend_items` outside the map (the map's own legend has it in ``map.css``)."""
