"""Numbered references: each distinct source once, short publisher name and full address, in reading order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlparse

import numpy as np
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
    url = ordered.get("source_url", empty).to_numpy(dtype=object)
    pub = ordered.get("publisher", empty).to_numpy(dtype=object)
    title = ordered.get("source_title", empty).to_numpy(dtype=object)
    ids = ordered["claim_id"].to_numpy(dtype=object) if "claim_id" in ordered.columns else np.arange(n)
    rows: list[tuple[object, str, str | None, str, str]] = []  # claim, key, url, publisher, title
    also = ordered.get("other_sources", empty).to_numpy(dtype=object)
    for claim, u, p, ti, more in zip(ids.tolist(), url.tolist(), pub.tolist(), title.tolist(), also.tolist(),
                                     strict=True):  # fmt: skip
        safe = present.safe_url(u)
        publisher = "" if present.missing(p) else str(p)
        heading = "" if present.missing(ti) else str(ti)
        if safe or publisher or heading:
            rows.append((claim, safe or f"\0{publisher}\0{heading}", safe, publisher, heading))
        for other in schema.split_multi(more):
            other_safe = present.safe_url(other)
            if other_safe:
                rows.append((claim, other_safe, other_safe, "", ""))
    if not rows:
        return [], pd.DataFrame({"claim_id": pd.Series([], dtype=object), "number": pd.Series([], dtype=int)})
    table = pd.DataFrame(rows, columns=["claim_id", "key", "url", "publisher", "title"])
    codes, _keys = pd.factorize(table["key"])  # in order of first citation
    table["number"] = codes + 1
    firsts = table.drop_duplicates("number")
    # a source cited first as someone's "other source" takes its publisher from a later citation that names one
    named = table[table["publisher"] != ""].drop_duplicates("number").set_index("number")
    sources = []
    for number, u, publisher, heading in zip(firsts["number"], firsts["url"], firsts["publisher"], firsts["title"],
                                             strict=True):  # fmt: skip
        if not publisher and number in named.index:
            publisher, heading = named.at[number, "publisher"], heading or named.at[number, "title"]
        sources.append(Source(int(number), short_name(publisher, u, heading), u, publisher, heading))
    cites = table[["claim_id", "number"]].drop_duplicates().reset_index(drop=True)
    return sources, cites
