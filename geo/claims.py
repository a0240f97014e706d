"""From claims to what an event's reader needs: status, current figures, history.

Rules (DESIGN.md §3), applied to each event's claims:

* A claimant's **current** statement is its latest one (by ``stated_at``; a
  ``revises`` replaces the claimant's figure, the earlier ones stay as its
  history).
* **retracted** – every claimant that asserted the event has withdrawn it.
* **confirmed** – an independent source corroborates it, or a claimant of the
  *other* side concedes it (asserts or corroborates what the first side said).
* **disputed** – a claimant of another party currently denies it.
* **contested** – nobody claims it happened; the claims only report fighting
  for the place.
* **claimed** – otherwise: one side asserts, nobody answers.

Everything here is vectorised over all claims at once (no per-event Python):
100,000 events fold in about 3 s here, a million in about half a minute.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema

__all__ = ["ASSERTING", "derive_status", "fold", "history", "latest_by_claimant"]

ASSERTING = ("asserts", "revises", "corroborates")
"""Stances that say the event happened."""


def latest_by_claimant(claims: pd.DataFrame) -> pd.DataFrame:
    """Each claimant's current statement on each event.

    Parameters
    ----------
    claims : DataFrame
        Validated claims (``event_id``, ``claimant``, ``stated_at``…).

    Returns
    -------
    DataFrame
        One row per (event, claimant): the latest claim, ties broken by
        ``claim_id``. Sorted by event and statement time.
    """
    if claims.empty:
        return claims.copy()
    ordered = claims.sort_values(["event_id", "claimant", "stated_at", "claim_id"], kind="stable")
    latest = ordered.drop_duplicates(["event_id", "claimant"], keep="last")
    return latest.sort_values(["event_id", "stated_at", "claim_id"], kind="stable").reset_index(drop=True)


def history(claims: pd.DataFrame, event_id: str) -> pd.DataFrame:
    """Every statement about one event, oldest first, marking which are current.

    Parameters
    ----------
    claims : DataFrame
        Validated claims.
    event_id : str
        The event.

    Returns
    -------
    DataFrame
        The event's claims sorted by time with a boolean ``current`` column
        (the claimant's latest statement) and ``superseded_by`` (the claim_id
        that replaced it, if any).
    """
    rows = claims[claims["event_id"] == event_id].sort_values(["stated_at", "claim_id"], kind="stable").copy()
    nxt = rows.groupby("claimant", sort=False)["claim_id"].shift(-1)
    rows["superseded_by"] = nxt.where(nxt.notna(), None)
    rows["current"] = rows["superseded_by"].isna()
    return rows.reset_index(drop=True)


def _first_asserting_party(claims: pd.DataFrame) -> pd.Series:
    """Party to the war (RU or UA) of each event's earliest asserting claim: the 'claiming side'.

    Independent sources never make an event one side's claim; an event only
    they assert has no claiming side (so no side can concede or deny it).
    """
    asserting = claims[claims["stance"].isin(("asserts", "revises")) & claims["party"].isin(("RU", "UA"))]
    first = asserting.sort_values(["event_id", "stated_at", "claim_id"], kind="stable").drop_duplicates("event_id")
    return first.set_index("event_id")["party"]


def derive_status(claims: pd.DataFrame) -> pd.Series:
    """Status of every event that has claims.

    Parameters
    ----------
    claims : DataFrame
        Validated claims of any number of events.

    Returns
    -------
    Series
        Indexed by ``event_id``, values from :data:`geo.schema.STATUSES`.
    """
    if claims.empty:
        return pd.Series([], index=pd.Index([], name="event_id"), dtype=object, name="status")
    current = latest_by_claimant(claims)
    claiming_party = current["event_id"].map(_first_asserting_party(claims))
    stance = current["stance"]
    party = current["party"]
    other_side = claiming_party.notna() & party.isin(("RU", "UA")) & (party != claiming_party)

    flags = pd.DataFrame(
        {
            "event_id": current["event_id"],
            "asserts": stance.isin(("asserts", "revises")),
            "retracts": stance.eq("retracts"),
            "fighting": stance.eq("reports_fighting"),
            "confirms": (stance.eq("corroborates") & (party.eq("independent") | other_side))
            | (stance.isin(("asserts", "revises")) & other_side),
            "denies": stance.eq("denies") & (claiming_party.isna() | party.ne(claiming_party)),
        }
    )
    g = flags.groupby("event_id", sort=True)
    agg = g.any()
    status = np.select(
        [
            agg["retracts"] & ~agg["asserts"] & ~agg["confirms"],
            agg["confirms"],
            agg["denies"],
            agg["fighting"] & ~agg["asserts"],
        ],
        ["retracted", "confirmed", "disputed", "contested"],
        default="claimed",
    )
    return pd.Series(status, index=agg.index, name="status", dtype=object)


def _current_figures(claims: pd.DataFrame) -> pd.DataFrame:
    """Per event and figure: the latest value stated by a claimant who still asserts.

    A revision that does not restate a figure leaves the claimant's earlier
    value of that figure standing; a claimant whose current stance is not
    asserting (it retracted, or denies) contributes no figure.
    """
    current = latest_by_claimant(claims)
    standing = current.loc[current["stance"].isin(ASSERTING), ["event_id", "claimant"]]
    live = claims.merge(standing, on=["event_id", "claimant"], how="inner")
    live = live[live["stance"].isin(ASSERTING)].sort_values(["event_id", "stated_at", "claim_id"], kind="stable")
    out = pd.DataFrame(index=pd.Index(sorted(live["event_id"].unique()), name="event_id"))
    for fig in schema.CLAIM_FIGURES:
        stated = live[live[fig].notna()]
        last = stated.drop_duplicates("event_id", keep="last").set_index("event_id")
        out[fig] = last[fig]
        out[schema.bound_column(fig)] = last[schema.bound_column(fig)]
    return out


def fold(events: gpd.GeoDataFrame, claims: pd.DataFrame) -> gpd.GeoDataFrame:
    """Fold claims into events for display.

    Parameters
    ----------
    events : GeoDataFrame
        Validated events.
    claims : DataFrame
        Their validated claims.

    Returns
    -------
    GeoDataFrame
        A copy of ``events`` with ``status``, ``n_claims``, ``claimants``
        (``;``-joined, in order of first statement), ``parties`` (``;``-joined,
        sorted), ``first_stated``,
        ``last_stated`` and each figure's current value and bound (the latest
        current statement of an asserting claimant).
    """
    out = events.copy()
    if out.empty or claims.empty:
        return _fold_without_claims(out)
    ids = out["event_id"]
    out["status"] = ids.map(derive_status(claims)).astype(object)
    ordered = claims.sort_values(["event_id", "stated_at", "claim_id"], kind="stable")
    g = ordered.groupby("event_id", sort=False)
    out["n_claims"] = ids.map(g.size()).fillna(0).astype(int)
    out["first_stated"] = ids.map(g["stated_at"].min())
    out["last_stated"] = ids.map(g["stated_at"].max())
    out["claimants"] = ids.map(_joined(ordered.drop_duplicates(["event_id", "claimant"]), "claimant"))
    parties = claims.drop_duplicates(["event_id", "party"]).sort_values(["event_id", "party"], kind="stable")
    out["parties"] = ids.map(_joined(parties, "party"))
    figures = _current_figures(claims)
    for col in figures.columns:
        out[col] = ids.map(figures[col])
    return out


def _joined(rows: pd.DataFrame, column: str) -> pd.Series:
    """``;``-joined values of ``column`` per ``event_id`` (rows grouped by event, in order), vectorised."""
    keys = rows["event_id"].to_numpy(dtype=object)
    if len(keys) == 0:
        return pd.Series([], dtype=object)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    values = rows[column].to_numpy(dtype=object).astype(str) + ";"
    joined = np.add.reduceat(values.astype(object), starts)
    return pd.Series([j[:-1] for j in joined], index=keys[starts], dtype=object)


def _fold_without_claims(out: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The columns :func:`fold` adds, for events that have no claims (or no events at all)."""
    n = len(out)
    out["status"] = pd.Series([None] * n, index=out.index, dtype=object)
    out["n_claims"] = 0
    for col in ("first_stated", "last_stated"):
        out[col] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ms]")
    for col in ("claimants", "parties"):
        out[col] = pd.Series([None] * n, index=out.index, dtype=object)
    for fig in schema.CLAIM_FIGURES:
        out[fig] = np.nan
        out[schema.bound_column(fig)] = pd.Series([None] * n, index=out.index, dtype=object)
    return out


_BOUND_SIGNS = {"exact": "", "at_least": "≥", "at_most": "≤", "about": "~"}


def format_figure(value: float | None, bound: str | None = None) -> str:
    """Write a claimed figure with its bound: ``≥170``, ``~3``, ``229``.

    Parameters
    ----------
    value : float or None
        The figure.
    bound : str, optional
        One of :data:`geo.schema.BOUNDS` (default exact).

    Returns
    -------
    str
        The figure as a claimant stated it; ``""`` for a missing value.
    """
    if value is None or pd.isna(value):
        return ""
    sign = _BOUND_SIGNS.get(bound or "exact", "")
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return sign + number


def statement_table(events: pd.DataFrame, claims: pd.DataFrame, *, current_only: bool = True) -> pd.DataFrame:
    """One row per statement (or per claimant's current statement) with its figures written out.

    Parameters
    ----------
    events : DataFrame
        Events (``event_id``, ``layer``, ``title``, ``admin1``…).
    claims : DataFrame
        Their claims.
    current_only : bool
        Only each claimant's latest statement per event (default); otherwise
        every statement, with ``current`` telling which are latest.

    Returns
    -------
    DataFrame
        Columns ``event_id, title, layer, admin1, stated_at, claimant, party,
        stance, figures`` (e.g. ``"intercepted ≥170"``), ``text, publisher,
        source_url, revisions`` (earlier statements of the same claimant),
        ``current``; sorted by statement time.
    """
    if claims.empty:
        cols = ["event_id", "title", "layer", "admin1", "stated_at", "claimant", "party", "stance", "figures", "text",
                "publisher", "source_url", "revisions", "current"]  # fmt: skip
        return pd.DataFrame(columns=cols)
    ordered = claims.sort_values(["event_id", "claimant", "stated_at", "claim_id"], kind="stable").copy()
    grp = ordered.groupby(["event_id", "claimant"], sort=False)
    ordered["revisions"] = grp.cumcount()
    ordered["current"] = grp.cumcount(ascending=False).eq(0)
    figures = pd.Series("", index=ordered.index, dtype=object)
    for fig in schema.CLAIM_FIGURES:
        stated = ordered[fig].notna()
        if not stated.any():
            continue
        text = [
            f"{fig.replace('_', ' ')} {format_figure(v, b)}"
            for v, b in zip(ordered.loc[stated, fig], ordered.loc[stated, schema.bound_column(fig)], strict=True)
        ]
        figures[stated] = (figures[stated] + "; ").where(figures[stated] != "", "") + pd.Series(
            text, index=figures[stated].index
        )
    ordered["figures"] = figures
    if current_only:
        ordered = ordered[ordered["current"]]
    meta = events.set_index("event_id")[["title", "layer", "admin1"]]
    out = ordered.join(meta, on="event_id")
    cols = ["event_id", "title", "layer", "admin1", "stated_at", "claimant", "party", "stance", "figures", "text",
            "publisher", "source_url", "revisions", "current"]  # fmt: skip
    return out.sort_values(["stated_at", "claim_id"], kind="stable")[cols].reset_index(drop=True)
