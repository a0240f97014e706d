"""What an import found: the rows it kept, skipped and rejected, and why.

An :class:`ImportResult` is what every reader returns. Nothing is dropped
silently: a row is either *kept* (an event and its claims), *skipped* (it is
valid but describes something the data model does not hold, e.g. a protest;
counted by reason) or *rejected* (it is broken; each problem names row,
column and why). Row numbers are 1-based *data* rows: the header is not
counted, so row 1 is the first line under the header.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import layers as _registry
from geo import schema
from geo.errors import Problem

__all__ = ["MAX_PROBLEMS_SHOWN", "MAX_ROWS_LISTED", "ImportResult"]

MAX_ROWS_LISTED = 5
"""How many row numbers the report lists per skip reason."""
MAX_PROBLEMS_SHOWN = 50
"""How many rejection problems :meth:`ImportResult.to_text` lists (``to_dict`` lists all)."""


def _empty_events() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in schema.EVENT_COLUMN_NAMES}, geometry=[], crs=schema.CRS)


def _empty_claims() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in schema.CLAIM_COLUMN_NAMES})


@dataclass
class ImportResult:
    """The outcome of reading one file.

    Attributes
    ----------
    source : str
        The file read.
    format : str
        The format it was read as (``acled``, ``ucdp``, …).
    dataset : str
        Dataset name the events carry.
    rows : int
        Data rows (or features) in the file.
    events : GeoDataFrame
        Validated events, ready for :meth:`geo.store.base.Store.write` with
        ``validated=True``.
    claims : DataFrame
        Their validated claims.
    skipped : dict of str to int
        Rows left out on purpose, counted per reason.
    skipped_rows : dict of str to list of int
        The first few row numbers of each skip reason.
    rejected : list of Problem
        Why rows were rejected (row, column, what is wrong).
    rejected_rows : list of int
        Every rejected row number.
    geocoded : dict
        ``{"exact": n, "admin1": n, "ambiguous": [...], "unknown": [...]}`` for
        rows located from a place name.
    notes : list of str
        Anything else worth saying (a rule applied, a geometry repaired).
    encoding : str or None
        The text encoding the file was read in (``utf-8``, ``cp1252``…), when it is text.
    placed : dict of str to int
        How the located events kept got their region, counted per way (see
        :data:`geo.placement.HOW`): ``inside`` a region's polygon, the ``stated``
        region kept near its border (or a city/oblast pair, an enclave),
        ``snapped`` to the nearest coast, ``sea`` (a maritime event: its
        country, no region).
    event_rows : list of int
        The file's row of each kept event, in the order of ``events``.
    claim_rows : list of int
        The file's row of each kept claim, in the order of ``claims``.
    written : object or None
        The store's :class:`~geo.store.base.WriteResult` once written.
    """

    source: str
    format: str
    dataset: str
    rows: int = 0
    events: gpd.GeoDataFrame = field(default_factory=_empty_events)
    claims: pd.DataFrame = field(default_factory=_empty_claims)
    skipped: dict[str, int] = field(default_factory=dict)
    skipped_rows: dict[str, list[int]] = field(default_factory=dict)
    rejected: list[Problem] = field(default_factory=list)
    rejected_rows: list[int] = field(default_factory=list)
    geocoded: dict[str, Any] = field(default_factory=lambda: {"exact": 0, "admin1": 0, "ambiguous": [], "unknown": []})
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None
    placed: dict[str, int] = field(default_factory=dict)
    event_rows: list[int] = field(default_factory=list)
    claim_rows: list[int] = field(default_factory=list)
    written: Any = None

    def skip(self, reason: str, rows: list[int]) -> None:
        """Count ``rows`` (1-based) as skipped for ``reason``.

        Parameters
        ----------
        reason : str
            Why they were left out.
        rows : list of int
            Their row numbers.
        """
        if not rows:
            return
        self.skipped[reason] = self.skipped.get(reason, 0) + len(rows)
        listed = self.skipped_rows.setdefault(reason, [])
        listed.extend(rows[: max(0, MAX_ROWS_LISTED - len(listed))])

    def reject(self, problems: Iterable[Problem]) -> None:
        """Record problems that reject rows: listed by row, and their rows counted as rejected.

        Parameters
        ----------
        problems : iterable of Problem
            Each names its (1-based) row, column, why and fix.
        """
        problems = list(problems)
        if not problems:
            return
        self.rejected.extend(problems)
        self.rejected.sort(key=lambda p: p.row or 0)
        self.rejected_rows = sorted(set(self.rejected_rows) | {p.row for p in problems if p.row is not None})

    def file_rows(self, problems: Iterable[Problem]) -> list[Problem]:
        """Name the file's rows in problems that count rows of ``events`` or ``claims`` (a store's, say).

        A store refusing a write (ids of another dataset) numbers the rows it
        was given, 1-based: the kept events and claims, rejected rows left out.
        This puts the file's row in their place.

        Parameters
        ----------
        problems : iterable of Problem
            Each with ``row`` a 1-based position in ``events`` (column
            ``events.…``) or ``claims`` (column ``claims.…``).

        Returns
        -------
        list of Problem
            The same problems with the file's rows (a row out of range is
            left as it is).

        Examples
        --------
        >>> r = ImportResult(source="x.csv", format="csv", dataset="x", event_rows=[2, 5])
        >>> str(r.file_rows([Problem("id taken", row=2, column="events.event_id")])[0])
        "row 5, column 'events.event_id': id taken"
        """
        out = []
        for p in problems:
            rows = self.claim_rows if (p.column or "").startswith("claims.") else self.event_rows
            if p.row is not None and 1 <= p.row <= len(rows):
                p = Problem(p.message, rows[p.row - 1], p.column, p.fix)
            out.append(p)
        return out

    @property
    def layers(self) -> dict[str, int]:
        """Events kept per layer, in the registry's order (read when asked: a layer registered later counts)."""
        counts = self.events["layer"].value_counts() if len(self.events) else pd.Series(dtype=int)
        return {name: int(counts[name]) for name in _registry.names() if counts.get(name, 0)}

    def rejections(self) -> list[dict[str, Any]]:
        """The rejection problems as records: ``row``, ``column``, ``why``, ``fix``.

        Returns
        -------
        list of dict
            One per problem, by row.
        """
        return [{"row": p.row, "column": p.column, "why": p.message, "fix": p.fix} for p in self.rejected]

    @property
    def imported(self) -> int:
        """Number of events kept."""
        return len(self.events)

    def to_dict(self) -> dict[str, Any]:
        """Return the report (not the rows) as a JSON-ready dict.

        Returns
        -------
        dict
            Counts per layer, skipped and rejected rows, geocoding, and what
            the store did when written.
        """
        written = None
        if self.written is not None:
            w = self.written
            written = {
                "inserted_events": w.inserted_events,
                "updated_events": w.updated_events,
                "unchanged_events": w.unchanged_events,
                "inserted_claims": w.inserted_claims,
                "updated_claims": w.updated_claims,
                "unchanged_claims": w.unchanged_claims,
            }
        return {
            "source": self.source,
            "format": self.format,
            "dataset": self.dataset,
            "rows": self.rows,
            "events": self.imported,
            "claims": len(self.claims),
            "layers": self.layers,
            "skipped": {r: {"count": n, "rows": self.skipped_rows.get(r, [])} for r, n in self.skipped.items()},
            "rejected_rows": len(self.rejected_rows),
            "rejected": self.rejections(),
            "geocoded": self.geocoded,
            "notes": list(self.notes),
            "encoding": self.encoding,
            "placed": dict(self.placed),
            "written": written,
        }

    def to_text(self) -> str:
        """Return the report for people, one fact per line.

        Returns
        -------
        str
            What was imported per layer, skipped per reason, rejected per row.
        """
        read_as = f", {self.encoding}" if self.encoding else ""
        lines = [f"{self.source} ({self.format}{read_as}): {self.rows:,} rows → dataset {self.dataset!r}"]
        per_layer = ", ".join(f"{n:,} {layer}" for layer, n in self.layers.items()) or "none"
        lines.append(f"events: {self.imported:,} ({per_layer}); claims: {len(self.claims):,}")
        if self.written is not None:
            lines.append(f"store: {self.written}")
        if self.skipped:
            lines.append(
                f"skipped: {sum(self.skipped.values()):,} row" + ("s" if sum(self.skipped.values()) != 1 else "")
            )
            for reason, n in sorted(self.skipped.items(), key=lambda kv: -kv[1]):
                rows = ", ".join(map(str, self.skipped_rows.get(reason, [])))
                more = ", …" if n > len(self.skipped_rows.get(reason, [])) else ""
                lines.append(f"  {n:>8,}  {reason} (rows {rows}{more})")
        if self.rejected_rows:
            lines.append(f"rejected: {len(self.rejected_rows):,} row" + ("s" if len(self.rejected_rows) != 1 else ""))
            lines.extend(f"  {p}" for p in self.rejected[:MAX_PROBLEMS_SHOWN])
            if len(self.rejected) > MAX_PROBLEMS_SHOWN:
                lines.append(f"  … and {len(self.rejected) - MAX_PROBLEMS_SHOWN:,} more problems (--json lists all)")
        geo = self.geocoded
        if geo["exact"] or geo["admin1"] or geo["ambiguous"] or geo["unknown"]:
            lines.append(
                f"geocoded: {geo['exact']} exact, {geo['admin1']} region precision only, "
                f"{len(geo['ambiguous'])} ambiguous, {len(geo['unknown'])} not found"
            )
        if any(n for how, n in self.placed.items() if how != "inside"):
            lines.append("placed: " + ", ".join(f"{n:,} {how}" for how, n in self.placed.items() if n))
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)
