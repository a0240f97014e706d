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
from geo.i18n import t, tn

__all__ = [
    "NOT_STATED",
    "VERDICTS",
    "aggregate_line",
    "assessment_caveat",
    "assessment_figures",
    "key_figures",
    "summary",
    "verdict_counts",
    "verdict_label",
    "verdict_table",
]

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


# -- claims set against assessed control (geo.control.check) ------------------------------------------------------

VERDICTS = ("reflected", "at_line", "contradicted", "not_reflected", "no_assessment")
"""The verdicts of :func:`geo.control.check.check_claims`, in the order tables and counts show them."""


def verdict_label(verdict: str) -> str:
    """A verdict in words, in the current language: "reflected", "at the line", "contradicted", ….

    Parameters
    ----------
    verdict : str
        One of :data:`VERDICTS` (anything else is returned as it is).

    Returns
    -------
    str
        Plain text.
    """
    words = {
        "reflected": t("reflected"),
        "at_line": t("at the line"),
        "contradicted": t("contradicted"),
        "not_reflected": t("not reflected"),
        "no_assessment": t("no assessment"),
    }
    return words.get(verdict, str(verdict))


def assessment_caveat(assessors: list[str] | tuple[str, ...]) -> str:
    """Whose assessments these are and that they are not ground truth, in the current language.

    Parameters
    ----------
    assessors : sequence of str
        The assessors shown (e.g. ``["DeepStateMap"]``).

    Returns
    -------
    str
        One sentence, plain text.
    """
    who = ", ".join(assessors) if assessors else t("the assessors")
    return t(
        "Assessed control from {who}: each map is its assessor's own assessment, published with a lag and "
        "precise to the line only; it is not ground truth.",
        who=who,
    )


def _assessors(frame: pd.DataFrame) -> list[str]:
    return sorted({str(a) for a in frame["assessor"].dropna()}) if len(frame) else []


def verdict_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Claims vs assessment: one row per claim, per assessor its verdict in words and the day it is about.

    Parameters
    ----------
    verdicts : DataFrame
        :func:`geo.control.check.check_claims` (columns
        :data:`geo.control.check.VERDICT_COLUMNS`).

    Returns
    -------
    DataFrame
        ``claim_id``, ``place``, ``claimant``, ``party``, ``claim_day``
        (a date), then for each assessor ``verdict:<assessor>`` (words,
        :func:`verdict_label`), ``as_of:<assessor>`` (a date, empty when
        there is none) and ``text:<assessor>`` (the full sentence, naming the
        assessor); ordered by claim day, latest first, then place.
    """
    base = ["claim_id", "place", "claimant", "party", "claim_day"]
    if verdicts.empty:
        return pd.DataFrame(columns=base)
    claims = verdicts.drop_duplicates("claim_id")[base].set_index("claim_id")
    out = claims.copy()
    for name in _assessors(verdicts):
        mine = verdicts[verdicts["assessor"] == name].set_index("claim_id")
        out[f"verdict:{name}"] = mine["verdict"].map(verdict_label).reindex(out.index)
        out[f"as_of:{name}"] = pd.to_datetime(mine["as_of"]).reindex(out.index).dt.date
        out[f"text:{name}"] = mine["text"].reindex(out.index)
    out["claim_day"] = pd.to_datetime(out["claim_day"]).dt.date
    out = out.reset_index()
    return out.sort_values(["claim_day", "place"], ascending=[False, True], kind="stable").reset_index(drop=True)


def verdict_counts(verdicts: pd.DataFrame, by: tuple[str, ...] = ("claimant",)) -> pd.DataFrame:
    """How many claims got each verdict, per assessor (and per ``by``: claimant, party, publisher…).

    Parameters
    ----------
    verdicts : DataFrame
        :func:`geo.control.check.check_claims`.
    by : tuple of str
        Columns of ``verdicts`` to count per (``()``: per assessor only).

    Returns
    -------
    DataFrame
        ``*by``, ``assessor``, one count column per verdict of :data:`VERDICTS`
        (0 when none), ``claims`` (their total); most claims first.
    """
    keys = [*by, "assessor"]
    if verdicts.empty:
        return pd.DataFrame(columns=[*keys, *VERDICTS, "claims"])
    counts = verdicts.groupby(keys, dropna=False)["verdict"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=list(VERDICTS), fill_value=0).astype(int)
    counts["claims"] = counts.sum(axis=1)
    counts = counts.reset_index()
    counts.columns.name = None
    return counts.sort_values(["claims", *keys], ascending=[False, *[True] * len(keys)], kind="stable").reset_index(
        drop=True
    )


def aggregate_line(row: dict[str, Any]) -> str:
    """A claim with figures beside one assessor's change over its period, in the current language.

    E.g. "claimed ≥200 km², 12 settlements · DeepStateMap: +140 / −17 km², 9 settlements gained, 0 lost
    (1–18 Feb 2026)".

    Parameters
    ----------
    row : dict
        A row of :func:`geo.control.check.aggregate_claims`.

    Returns
    -------
    str
        Plain text (the caveat is said once beside the lines: :func:`assessment_caveat`).
    """
    claimed = []
    area = present.figure(row.get("claimed_area_km2"), row.get("area_km2_bound"))
    if area:
        claimed.append(t("{area} km²", area=area))
    places = present.figure(row.get("claimed_settlements"), row.get("settlements_bound"))
    if places:
        claimed.append(t("{n} settlements", n=places))
    period = present.date_range(row.get("period_from"), row.get("period_to"))
    who = str(row.get("assessor"))
    gained = row.get("gained_km2")
    if present.missing(gained):
        assessed = t("{assessor}: no assessment for the period", assessor=who)
    else:
        assessed = t(
            "{assessor}: +{gained} / −{lost} km², {won} settlements gained, {lost_n} lost",
            assessor=who,
            gained=present.number(round(float(gained))),
            lost=present.number(round(float(row.get("lost_km2") or 0.0))),
            won=present.number(float(row.get("settlements_gained") or 0)),
            lost_n=present.number(float(row.get("settlements_lost") or 0)),
        )
    claimant = str(row.get("claimant") or "")
    return t(
        "{claimant}: claimed {claimed} · {assessed} ({period})",
        claimant=claimant,
        claimed=", ".join(claimed) or t("figures"),
        assessed=assessed,
        period=period,
    )


def assessment_figures(verdicts: pd.DataFrame, aggregates: pd.DataFrame | None = None) -> dict[str, Any]:
    """Key figures of claims set against assessed control: verdicts per assessor and the aggregate claims.

    Parameters
    ----------
    verdicts : DataFrame
        :func:`geo.control.check.check_claims` of the filtered events.
    aggregates : DataFrame, optional
        :func:`geo.control.check.aggregate_claims` of the same events.

    Returns
    -------
    dict
        ``assessors`` (sorted names), ``checked`` (claims located to a
        settlement, checked), ``counts`` (``{assessor: {verdict: n}}``, every
        verdict present), ``lines`` (``{assessor: "5 of 8 reflected, 1
        contradicted, …"}``), ``aggregates`` (one :func:`aggregate_line` per
        claim and assessor) and ``caveat`` (:func:`assessment_caveat`).
    """
    aggregates = aggregates if aggregates is not None else pd.DataFrame(columns=["assessor"])
    names = sorted(set(_assessors(verdicts)) | set(_assessors(aggregates)))
    counts: dict[str, dict[str, int]] = {}
    lines: dict[str, str] = {}
    for row in verdict_counts(verdicts, by=()).to_dict("records"):
        counts[row["assessor"]] = {v: int(row[v]) for v in VERDICTS}
        rest = ", ".join(f"{present.number(row[v])} {verdict_label(v)}" for v in VERDICTS[1:] if row[v])
        lines[row["assessor"]] = tn(
            "{reflected} of {n} located capture claim reflected",
            "{reflected} of {n} located capture claims reflected",
            int(row["claims"]),
            reflected=present.number(row["reflected"]),
        ) + (f"; {rest}" if rest else "")
    return {
        "assessors": names,
        "checked": int(verdicts["claim_id"].nunique()) if len(verdicts) else 0,
        "counts": counts,
        "lines": lines,
        "aggregates": [aggregate_line(r) for r in aggregates.to_dict("records")],
        "caveat": assessment_caveat(names),
    }
