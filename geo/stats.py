"""Summary figures of a set of events and claims (``python -m geo stats``).

Layers are read from the registry (:mod:`geo.layers`) when a function is
called, so a layer registered later is counted like the built-in ones.
"""

from __future__ import annotations

from typing import Any

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


def _mask(values: pd.Series, wanted: object) -> pd.Series:
    return (values == wanted).to_numpy(dtype=bool, na_value=False)


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
    figures = {f for spec in specs for f in spec.key_figures} | {"area_km2"}
    wanted = ["event_id", "layer", "status", "side", "admin1", "country", "time_start", "time_end", "title", "place"]
    wanted += ["dataset"] + [c for f in sorted(figures) for c in (f, schema.bound_column(f))]
    events = events[[c for c in wanted if c in events.columns]]  # a million rows: copy only these columns' rows
    layer = events["layer"]

    def column(frame: pd.DataFrame, name: str) -> pd.Series:
        return frame[name] if name in frame.columns else pd.Series(None, index=frame.index, dtype=object)

    masks = {spec.name: _mask(layer, spec.name) for spec in specs}
    per_layer = {name: int(mask.sum()) for name, mask in masks.items()}
    figure_totals: dict[str, dict[str, totals.Total]] = {}
    for spec in specs:
        rows = events[masks[spec.name]] if spec.key_figures else events.iloc[:0]
        figure_totals[spec.name] = {f: totals.total(rows, f) for f in spec.key_figures}

    caps = events[_mask(layer, "capture")]
    status = column(caps, "status")
    taken = caps[(status != "contested").to_numpy(dtype=bool, na_value=True)]
    side = column(taken, "side").fillna("unknown")
    by_side = {
        str(s): {str(k): int(v) for k, v in column(grp, "status").value_counts().items()}
        for s, grp in taken.groupby(side, sort=True)
    }
    area_totals = {
        str(s): totals.total(grp, "area_km2")
        for s, grp in taken.groupby(side, sort=True)
        if "area_km2" in grp.columns and grp["area_km2"].notna().any()
    }
    strike = figure_totals.get("strike", {})
    choropleth = [spec.name for spec in specs if spec.drawn_as == "choropleth"]
    regional = events[layer.isin(choropleth).to_numpy(dtype=bool, na_value=False)]
    regions = {code for cell in column(regional, "admin1").dropna().unique() for code in schema.split_multi(cell)}
    return {
        "layers": per_layer,
        "totals": {name: {f: totals.total_text(v) for f, v in figs.items()} for name, figs in figure_totals.items()},
        "figure_totals": figure_totals,
        "captures": by_side,
        "captures_total": len(taken),
        "contested": int((status == "contested").sum()),
        "area": {s: totals.total_text(v) for s, v in area_totals.items()},
        "area_totals": area_totals,
        "strikes": per_layer.get("strike", 0),
        "launched": totals.total_text(strike.get("launched", totals.Total())),
        "intercepted": totals.total_text(strike.get("intercepted", totals.Total())),
        "launched_total": strike.get("launched", totals.Total()),
        "intercepted_total": strike.get("intercepted", totals.Total()),
        "regions_affected": len(regions),
        "impacts": per_layer.get("impact", 0),
        "talks": per_layer.get("talks", 0),
        "synthetic": int(_mask(column(events, "dataset"), schema.SYNTHETIC).sum()),
    }
