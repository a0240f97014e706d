"""Summary figures of a set of events and claims (``python -m geo stats``).

Layers are read from the registry (:mod:`geo.layers`) when a function is
called, so a layer registered later is counted like the built-in ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo import layers, present, schema, totals
from geo.claims import derive_status

__all__ = ["NOT_STATED", "key_figures", "summary"]

NOT_STATED = totals.NOT_STATED
"""What a total reads when no event states the figure."""


def _counts(values: pd.Series, keys: tuple[str, ...] = ()) -> dict[str, int]:
    """Counts per value, every key in ``keys`` present (0 if absent), then the rest."""
    counts = values.value_counts()
    out = {k: int(counts.get(k, 0)) for k in keys}
    out |= {str(k): int(v) for k, v in counts.sort_index().items() if k not in out}
    return out


def summary(events: pd.DataFrame, claims: pd.DataFrame) -> dict[str, Any]:
    """Events per layer, per status, per dataset, and the date span.

    Parameters
    ----------
    events : DataFrame
        Validated events.
    claims : DataFrame
        Their validated claims.

    Returns
    -------
    dict
        ``{"events": n, "claims": n, "layers": {layer: n}, "status":
        {status: n}, "datasets": {name: n}, "span": {"first": "YYYY-MM-DD" or
        None, "last": …}}``. Every registered layer and every status is
        present, with 0 when there is none.
    """
    status = events["event_id"].map(derive_status(claims)).fillna("claimed")
    first = events["time_start"].min() if len(events) else None
    last = events["time_end"].max() if len(events) else None
    return {
        "events": len(events),
        "claims": len(claims),
        "layers": _counts(events["layer"], layers.names()),
        "status": _counts(status, schema.STATUSES),
        "datasets": _counts(events["dataset"]),
        "span": {"first": present.iso_date(first) or None, "last": present.iso_date(last) or None},
    }


def _mask(events: pd.DataFrame, name: str, wanted: str) -> npt.NDArray[np.bool_]:
    """Where a column holds ``wanted`` (nowhere if there is no such column)."""
    if name not in events.columns:
        return np.zeros(len(events), dtype=bool)
    return (events[name] == wanted).to_numpy(dtype=bool, na_value=False)


def _codes(events: pd.DataFrame, name: str) -> tuple[npt.NDArray[np.int64], list[str]]:
    """A column's codes (-1: missing, or no such column) and distinct values (as text)."""
    if name not in events.columns:
        return np.full(len(events), -1, dtype=np.int64), []
    codes, uniques = pd.factorize(events[name])
    return codes.astype(np.int64, copy=False), [str(u) for u in uniques.to_numpy(dtype=object)]


def _is(codes: npt.NDArray[np.int64], names: list[str], *wanted: str) -> npt.NDArray[np.bool_]:
    """Where a coded column (:func:`_codes`) holds one of ``wanted``."""
    table = np.array([name in wanted for name in names] + [False])  # the last: a missing value (-1)
    return table[codes]


def _value_counts(codes: npt.NDArray[np.int64], names: list[str]) -> dict[str, int]:
    """Counts of the values present, most frequent first, ties in order of first appearance (as ``value_counts``)."""
    given = np.flatnonzero(codes >= 0)
    counts = np.bincount(codes[given], minlength=len(names))
    first = np.full(len(names), len(codes), dtype=np.int64)
    np.minimum.at(first, codes[given], given)
    seen = np.flatnonzero(counts)
    return {names[c]: int(counts[c]) for c in seen[np.lexsort((first[seen], -counts[seen]))].tolist()}


def _sides(events: pd.DataFrame, rows: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], list[str]]:
    """The side of each of ``rows`` as an index into the sorted side names ("unknown" if missing), and the names."""
    codes, names = _codes(events, "side")
    labels = [*names, "unknown"]  # the last: a missing side (-1)
    ordered = sorted(set(labels))
    to_label = np.array([ordered.index(label) for label in labels], dtype=np.int64)
    return to_label[codes[rows]], ordered


def _captures(
    events: pd.DataFrame, prepared: totals.Prepared, captures: npt.NDArray[np.bool_]
) -> tuple[dict[str, dict[str, int]], dict[str, totals.Total], int, int]:
    """Capture events per side and status, claimed area per side, how many are not contested, how many are."""
    status, statuses = _codes(events, "status")
    contested = captures & _is(status, statuses, "contested")
    taken = np.flatnonzero(captures & ~contested)  # a missing status is not "contested"
    side, sides = _sides(events, taken)
    area = prepared.figure("area_km2")[0] if "area_km2" in events.columns else np.full(len(events), np.nan)
    by_side, area_totals = {}, {}
    for s in np.unique(side).tolist():  # in the order of the names
        mine = taken[side == s]
        by_side[sides[s]] = _value_counts(status[mine], statuses)
        if not np.isnan(area[mine]).all():
            rows = np.zeros(len(events), dtype=bool)
            rows[mine] = True
            area_totals[sides[s]] = totals.total(prepared, "area_km2", rows=rows)
    return by_side, area_totals, len(taken), int(contested.sum())


def _regions(prepared: totals.Prepared, rows: npt.NDArray[np.bool_]) -> int:
    """How many distinct admin-1 regions the events of ``rows`` are in."""
    cells = np.unique(prepared.cell[rows])
    return len({code for c in cells[cells >= 0].tolist() for code in prepared.cells[c]})


def key_figures(events: pd.DataFrame) -> dict[str, Any]:
    """Headline figures of a filtered set of folded events, as claimed, never adding claims that may overlap.

    Every total follows :func:`geo.totals.total`: claims whose regions and
    days overlap are not simply added; their total is a range from the best
    sum of claims that cannot overlap to the sum of all ("332–434, claims
    may overlap").

    Parameters
    ----------
    events : DataFrame
        Folded events (:func:`geo.claims.fold`), already filtered.

    Returns
    -------
    dict
        ``layers`` (events of every registered layer, ``{name: n}``),
        ``totals`` (each layer's ``key_figures`` totalled over its events,
        written by :func:`geo.totals.total_text`, ``{name: {figure: "≥170"}}``;
        ``"—"`` when none states it) and ``figure_totals`` (the same as
        :class:`geo.totals.Total` values), and the headline figures the pages
        show: ``captures`` (capture events per side and status, contested ones
        apart), ``captures_total``, ``contested``, ``area`` (claimed km² per
        side, written) and ``area_totals`` (``{side: Total}``), ``strikes``
        (strike events), ``launched`` / ``intercepted`` (written totals of
        current claims — claims, not counts of drones) and
        ``launched_total`` / ``intercepted_total`` (their :class:`Total`),
        ``regions_affected`` (distinct admin-1 regions of the events of
        choropleth layers: impacts), ``impacts``, ``talks`` and ``synthetic``
        (events from synthetic data).
    """
    specs = layers.all_specs()
    prepared = totals.prepare(events)
    layer, layer_names = _codes(events, "layer")
    masks = {spec.name: _is(layer, layer_names, spec.name) for spec in specs}
    per_layer = {name: int(mask.sum()) for name, mask in masks.items()}
    figure_totals = {
        spec.name: {f: totals.total(prepared, f, rows=masks[spec.name]) for f in spec.key_figures} for spec in specs
    }
    by_side, area_totals, taken, contested = _captures(events, prepared, _is(layer, layer_names, "capture"))
    strike = figure_totals.get("strike", {})
    choropleth = [spec.name for spec in specs if spec.drawn_as == "choropleth"]
    return {
        "layers": per_layer,
        "totals": {name: {f: totals.total_text(v) for f, v in figs.items()} for name, figs in figure_totals.items()},
        "figure_totals": figure_totals,
        "captures": by_side,
        "captures_total": taken,
        "contested": contested,
        "area": {s: totals.total_text(v) for s, v in area_totals.items()},
        "area_totals": area_totals,
        "strikes": per_layer.get("strike", 0),
        "launched": totals.total_text(strike.get("launched", totals.Total())),
        "intercepted": totals.total_text(strike.get("intercepted", totals.Total())),
        "launched_total": strike.get("launched", totals.Total()),
        "intercepted_total": strike.get("intercepted", totals.Total()),
        "regions_affected": _regions(prepared, _is(layer, layer_names, *choropleth)),
        "impacts": per_layer.get("impact", 0),
        "talks": per_layer.get("talks", 0),
        "synthetic": int(_mask(events, "dataset", schema.SYNTHETIC).sum()),
    }
