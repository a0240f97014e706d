"""Numbered references: each distinct source once, short publisher name and full address, in reading order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlparse

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo import present, schema
from geo.i18n import t

_HOST_PREFIXES: Final = ("www.", "m.", "amp.", "mobile.")


@dataclass(frozen=True)
class Source:
    """One numbered reference of a briefing.

    Attributes
    ----------
    number : int
        Its number (1…), as key-claim lines cite it (``[1]``).
    name : str
        Short publisher name ("TASS", "The Kyiv Independent"; the address's
        host, e.g. "tass.com", when no publisher is recorded).
    url : str or None
        The full address when it is a safe http(s) one.
    publisher : str
        The publisher as recorded (``""`` when none).
    title : str
        The source's title when recorded (``""`` otherwise).
    """

    number: int
    name: str
    url: str | None
    publisher: str = ""
    title: str = ""

    @property
    def ref(self) -> str:
        """``[1]``."""
        return f"[{self.number}]"

    @property
    def text(self) -> str:
        """``[1] TASS — https://tass.com/defense/2086963``: the reference as a list writes it."""
        return f"{self.ref} {self.name}" + (f" — {self.url}" if self.url else "")


def host_name(url: object) -> str:
    """The host of a safe address without ``www.`` (``"tass.com"``); ``""`` when there is none."""
    safe = present.safe_url(url)
    host = (urlparse(safe).hostname or "") if safe else ""
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
    return host


def short_name(publisher: object, url: object = None, title: object = None) -> str:
    """A source as a reference list names it: its publisher, else its address's host, else its title."""
    for value in (publisher,):
        if not present.missing(value) and str(value).strip():
            return " ".join(str(value).split())
    host = host_name(url)
    if host:
        return host
    if not present.missing(title) and str(title).strip():
        return " ".join(str(title).split())
    return t("unknown")


def number_sources(ordered: pd.DataFrame) -> tuple[list[Source], pd.DataFrame]:
    """Number the distinct sources of claims in the order given (each claim's source, then its other sources).

    Parameters
    ----------
    ordered : DataFrame
        Claims in the order their sources are first cited (``claim_id``,
        ``source_url``, ``publisher``, ``source_title``, ``other_sources``;
        missing columns count as empty).

    Returns
    -------
    list of Source, DataFrame
        The sources, numbered from 1; and one row per citation: ``claim_id``,
        ``number`` (a claim's own source first).
    """
    n = len(ordered)
    empty = pd.Series([None] * n, index=ordered.index, dtype=object)
    ids = ordered["claim_id"].to_numpy(dtype=object) if "claim_id" in ordered.columns else np.arange(n)
    # each distinct value once: the safe address, the publisher and the title as text, the other addresses
    safe = _per_value(ordered.get("source_url", empty), present.safe_url)
    publisher = _per_value(ordered.get("publisher", empty), _text)
    heading = _per_value(ordered.get("source_title", empty), _text)
    also, counts = _other_urls(ordered.get("other_sources", empty))
    has_url = pd.notna(safe)
    own = np.flatnonzero(has_url | (publisher != "") | (heading != ""))
    keys = safe[own].copy()
    bare = np.flatnonzero(~has_url[own])
    named_only = zip(publisher[own[bare]].tolist(), heading[own[bare]].tolist(), strict=True)
    keys[bare] = [f"\0{p}\0{h}" for p, h in named_only]
    if not len(own) and not len(also):
        return [], pd.DataFrame({"claim_id": pd.Series([], dtype=object), "number": pd.Series([], dtype=int)})
    # one row per citation: each claim's own source first, then its other sources, claim by claim
    of = np.r_[own, np.repeat(np.arange(n), counts)]
    blank = np.full(len(also), "", dtype=object)
    order = np.argsort(of, kind="stable")
    table = pd.DataFrame(
        {
            "claim_id": _cat(ids[own], ids[of[len(own) :]])[order],
            "key": _cat(keys, also)[order],
            "url": _cat(safe[own], also)[order],
            "publisher": _cat(publisher[own], blank)[order],
            "title": _cat(heading[own], blank)[order],
        }
    )
    codes, _keys = pd.factorize(table["key"])  # in order of first citation
    table["number"] = codes + 1
    firsts = table.drop_duplicates("number")
    # a source cited first as someone's "other source" takes its publisher from a later citation that names one
    named = table[table["publisher"] != ""].drop_duplicates("number").set_index("number")
    sources = []
    for number, u, publisher_, heading_ in zip(firsts["number"], firsts["url"], firsts["publisher"], firsts["title"],
                                               strict=True):  # fmt: skip
        if not publisher_ and number in named.index:
            publisher_, heading_ = named.at[number, "publisher"], heading_ or named.at[number, "title"]
        sources.append(Source(int(number), short_name(publisher_, u, heading_), u, publisher_, heading_))
    cites = table[["claim_id", "number"]].drop_duplicates().reset_index(drop=True)
    return sources, cites


def _text(value: object) -> str:
    return "" if present.missing(value) else str(value)


def _cat(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[np.object_]:
    return np.concatenate([np.asarray(a, dtype=object), np.asarray(b, dtype=object)])


def _per_value(column: pd.Series, fn: Callable[[object], Any]) -> npt.NDArray[np.object_]:
    """``fn`` of each cell, called once per distinct value (a million claims cite a few thousand addresses)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    done = np.empty(len(uniques), dtype=object)
    done[:] = [fn(v) for v in uniques.to_numpy(dtype=object).tolist()]
    return done[codes]


def _other_urls(column: pd.Series) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.intp]]:
    """The safe addresses of each ``other_sources`` cell, one after the other, and how many each cell has."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    lists = [
        [u for u in (present.safe_url(p) for p in schema.split_multi(v)) if u]
        for v in uniques.to_numpy(dtype=object).tolist()
    ]
    sizes = np.array([len(x) for x in lists], dtype=np.intp)
    flat = np.array([u for x in lists for u in x], dtype=object)
    counts = sizes[codes]
    starts = (np.cumsum(sizes) - sizes)[codes]
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return flat[np.repeat(starts, counts) + within], counts
