"""Summary figures of a set of events and claims (``python -m geo stats``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo import schema
from geo.claims import derive_status, format_figure

__all__ = ["key_figures", "summary"]


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
        None, "last": …}}``. Every layer and status is present, with 0 when
        there is none.
    """
    status = events["event_id"].map(derive_status(claims)).fillna("claimed")
    first = events["time_start"].min() if len(events) else None
    last = events["time_end"].max() if len(events) else None
    return {
        "events": len(events),
        "claims": len(claims),
        "layers": _counts(events["layer"], schema.LAYERS),
        "status": _counts(status, schema.STATUSES),
        "datasets": _counts(events["dataset"]),
        "span": {
            "first": None if first is None or pd.isna(first) else pd.Timestamp(first).strftime("%Y-%m-%d"),
            "last": None if last is None or pd.isna(last) else pd.Timestamp(last).strftime("%Y-%m-%d"),
        },
    }


def _sum_with_bound(values: pd.Series, bounds: pd.Series) -> str:
    """Sum of figures, written ``≥`` when any addend is only a lower bound and ``~`` when approximate."""
    stated = values.notna()
    if not stated.any():
        return "—"
    kinds = set(bounds[stated].dropna().unique())
    bound = "at_least" if "at_least" in kinds else "about" if "about" in kinds else "exact"
    return format_figure(float(values[stated].sum()), bound)


def key_figures(events: pd.DataFrame) -> dict[str, Any]:
    """Headline figures of a filtered set of folded events, as claimed.

    Parameters
    ----------
    events : DataFrame
        Folded events (:func:`geo.claims.fold`), already filtered.

    Returns
    -------
    dict
        ``captures`` (capture events per side and status, contested ones
        apart), ``area`` (claimed km² per side, summed over events, with its
        bound), ``strikes`` (strike events), ``launched`` / ``intercepted``
        (summed current claims, with bound — claims by different officials can
        overlap, so these are sums of claims, not counts of drones),
        ``regions_affected`` (distinct admin-1 regions of impact events),
        ``talks`` and ``synthetic`` (events from synthetic data).
    """
    wanted = ["layer", "status", "side", "admin1", "dataset", "area_km2", "area_km2_bound", "launched",
              "launched_bound", "intercepted", "intercepted_bound"]  # fmt: skip
    events = events[[c for c in wanted if c in events.columns]]  # a million rows: copy only these columns' rows
    layer = events["layer"]
    caps = events[(layer == "capture").to_numpy(dtype=bool, na_value=False)]
    taken = caps[(caps["status"] != "contested").to_numpy(dtype=bool, na_value=True)]
    by_side = {
        str(side): {str(k): int(v) for k, v in grp["status"].value_counts().items()}
        for side, grp in taken.groupby(taken["side"].fillna("unknown"), sort=True)
    }
    area = {
        str(side): _sum_with_bound(grp["area_km2"], grp["area_km2_bound"])
        for side, grp in taken.groupby(taken["side"].fillna("unknown"), sort=True)
        if grp["area_km2"].notna().any()
    }
    strikes = events[(layer == "strike").to_numpy(dtype=bool, na_value=False)]
    impacts = events[(layer == "impact").to_numpy(dtype=bool, na_value=False)]
    regions = {code for cell in impacts["admin1"].dropna().unique() for code in schema.split_multi(cell)}
    return {
        "captures": by_side,
        "captures_total": len(taken),
        "contested": int((caps["status"] == "contested").sum()),
        "area": area,
        "strikes": len(strikes),
        "launched": _sum_with_bound(strikes["launched"], strikes["launched_bound"]) if len(strikes) else "—",
        "intercepted": _sum_with_bound(strikes["intercepted"], strikes["intercepted_bound"]) if len(strikes) else "—",
        "regions_affected": len(regions),
        "impacts": len(impacts),
        "talks": int((layer == "talks").sum()),
        "synthetic": int((events["dataset"] == schema.SYNTHETIC).sum()),
    }
