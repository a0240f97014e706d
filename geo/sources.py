"""The claims behind what is shown, as a searchable table of statements and their sources."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from geo import i18n, present, schema
from geo.claims import stated_text, statement_order
from geo.i18n import t

__all__ = ["STATUS_ORDER", "claims_table", "column_labels", "impact_table"]

STATUS_ORDER = ("disputed", "contested", "claimed", "confirmed", "retracted")
"""Disputed events first: they are what a reader must not take at face value."""

_COLUMNS = [
    "status",
    "title",
    "place",
    "admin1",
    "stated_at",
    "stated",
    "claimant",
    "party",
    "stance",
    "text",
    "publisher",
    "language",
    "source_url",
    "other_sources",
    "event_id",
    "claim_id",
]


def claims_table(
    events: pd.DataFrame, claims: pd.DataFrame, *, search: str | None = None, lang: str | None = None
) -> pd.DataFrame:
    """Every claim with its event and source, disputed events first, optionally searched.

    Parameters
    ----------
    events : DataFrame
        Folded events (with ``status``).
    claims : DataFrame
        Their claims.
    search : str, optional
        Words that must all appear (case-insensitive) in the claim's claimant,
        text, publisher, source address or its event's title and place names.
    lang : str, optional
        Language of ``stated`` (default: the current one).

    Returns
    -------
    DataFrame
        One row per claim: status, event title and place, statement time
        (``stated_at``, a datetime for sorting, and ``stated``, as a reader sees
        it: ``"2026-02-16"`` for a statement known only to the day,
        :func:`geo.claims.stated_text`), claimant, party, stance, text,
        publisher, language, source address(es). Disputed events first; each
        event's statements in reading order (:func:`geo.claims.statement_order`).
    """
    meta = events[["event_id", "status", "title", "place", "place_alt", "admin1"]].reset_index(drop=True)
    table = claims.reset_index(drop=True).merge(meta, on="event_id", how="inner")
    if search and search.strip():
        haystack = (
            table[["claimant", "text", "publisher", "source_url", "title", "place", "place_alt"]]
            .fillna("")
            .astype(str)
            .agg(" ".join, axis=1)
            .str.casefold()
        )
        keep = pd.Series(True, index=table.index)
        for word in search.casefold().split():
            keep &= haystack.str.contains(word, regex=False)
        table = table[keep]
    rank = table["status"].map({s: i for i, s in enumerate(STATUS_ORDER)}).fillna(len(STATUS_ORDER))
    table = table.assign(_rank=rank)
    table = table.iloc[statement_order(table, first=("_rank", "event_id"))]
    table = table.assign(stated=stated_text(table, lang=lang))
    return table[_COLUMNS].reset_index(drop=True)


def _region_names(cell: object) -> str:
    """``Bryansk Oblast (RU-BRY), Kursk Oblast (RU-KRS)``: each region's name and code."""
    return ", ".join(present.region_label(code) for code in schema.split_multi(cell))


def _values(cell: object, column: str) -> str:
    return ", ".join(present.value_label(column, v) for v in schema.split_multi(cell))


def impact_table(events: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """Affected regions in words: what, where (region names), when, status and who said so.

    Parameters
    ----------
    events : DataFrame
        Folded impact events.
    lang : str, optional
        Language of the region names and impact types (default: the current one).

    Returns
    -------
    DataFrame
        Columns ``title, regions, impact_type, time_start, time_end, status,
        claimants`` (multi-valued cells written with ", "), newest first.
        Headers for them: :func:`column_labels` with ``table="impact"``.
    """
    table = events[["title", "admin1", "impact_type", "time_start", "time_end", "status", "claimants"]].copy()
    with i18n.using(lang):
        table["regions"] = table.pop("admin1").map(_region_names)
        table["impact_type"] = table["impact_type"].map(lambda v: _values(v, "impact_type"))
    table["claimants"] = table["claimants"].map(lambda v: ", ".join(schema.split_multi(v)))
    cols = ["title", "regions", "impact_type", "time_start", "time_end", "status", "claimants"]
    return table.sort_values("time_end", ascending=False, kind="stable")[cols].reset_index(drop=True)


def column_labels(table: Literal["claims", "impact"] = "claims", *, lang: str | None = None) -> dict[str, str]:
    """Headers of a table's columns as a reader sees them, in a language.

    Parameters
    ----------
    table : {"claims", "impact"}
        :func:`claims_table` (whose headers also serve :func:`geo.claims.statement_table`) or
        :func:`impact_table`.
    lang : str, optional
        Language (default: the current one).

    Returns
    -------
    dict of str to str
        Column → header (``{"stated_at": "Stated", "source_url": "Source", …}``).
    """
    with i18n.using(lang):
        if table == "impact":
            return {
                "title": t("Impact"),
                "regions": t("Regions"),
                "impact_type": t("Type"),
                "time_start": t("From"),
                "time_end": t("To"),
                "status": t("Status"),
                "claimants": t("Claimants"),
            }
        return {
            "status": t("Status"),
            "title": t("Event"),
            "place": t("Place"),
            "admin1": t("Region"),
            "stated_at": t("Stated"),
            "stated": t("Stated"),
            "claimant": t("Claimant"),
            "party": t("Party"),
            "stance": t("Stance"),
            "text": t("Statement"),
            "publisher": t("Publisher"),
            "language": t("Language"),
            "source_url": t("Source"),
            "other_sources": t("Also reported by"),
            "event_id": t("Event id"),
            "claim_id": t("Claim id"),
            "figures": t("Figures"),
        }
