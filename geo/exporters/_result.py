"""What an export wrote, and what its format had to leave out: :class:`ExportResult`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from geo.i18n import t, tn

__all__ = ["LEFT_OUT", "ExportResult"]

LEFT_OUT: Final = ("no_geometry", "no_claims")
"""Why a format leaves an event out (keys of :attr:`ExportResult.left_out`).

``no_geometry``
    KML: the event is known only to a region or a country, so it has no
    point or area to place (none is invented). GeoJSON, GeoPackage and CSV
    keep it, without a geometry.
``no_claims``
    CSV (one row per claim): the event has no claim among those exported.
"""
_FORMAT_NAMES: Final = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "csv": "CSV", "kml": "KML"}


class ExportResult(type(Path())):  # type: ignore[misc]  # PosixPath (or WindowsPath): a Path, plus what went in
    """The file an export wrote (it *is* that :class:`~pathlib.Path`), and what went into it.

    Everything a path does works on it (``read_text()``, ``open()``,
    ``str()``); the attributes say how much of the input the file holds.
    Paths derived from it (``.parent``) are plain paths with the defaults.

    Attributes
    ----------
    format : str
        The export format (``"kml"``).
    events, claims : int
        Events and claims given to the export.
    written, claims_written : int or None
        Events and claims the file holds (None: not counted, for the
        snapshot formats png, pdf and html).
    left_out : mapping of str to int
        Events the format could not hold, per reason (:data:`LEFT_OUT`);
        empty when nothing was left out.
    replaced : int
        Text values that held characters the file cannot carry (control
        characters, NUL, lone surrogates), written with U+FFFD instead.
    """

    format: str = ""
    events: int = 0
    claims: int = 0
    written: int | None = None
    claims_written: int | None = None
    left_out: Mapping[str, int] = MappingProxyType({})
    replaced: int = 0

    @classmethod
    def made(cls, path: str | Path, fmt: str, **counts: Any) -> ExportResult:
        """The result of writing ``path`` in format ``fmt``.

        Parameters
        ----------
        path : str or Path
            The file written.
        fmt : str
            Its format.
        **counts
            ``events``, ``claims``, ``written``, ``claims_written``,
            ``left_out`` (reason → events), ``replaced``.

        Returns
        -------
        ExportResult
            The path with its counts.
        """
        out = cls(path)
        out.format = fmt
        for name, value in counts.items():
            if name not in ("events", "claims", "written", "claims_written", "left_out", "replaced"):
                raise TypeError(f"unknown count {name!r}")
            setattr(out, name, dict(value) if name == "left_out" else value)
        out.left_out = {reason: n for reason, n in out.left_out.items() if n}
        return out

    @property
    def omitted(self) -> int:
        """Events given but not in the file (0 when nothing was left out, or not counted)."""
        return sum(self.left_out.values())

    def left_out_text(self, lang: str | None = None) -> str:
        """Why events are not in the file, in words (empty when none are).

        Parameters
        ----------
        lang : str, optional
            Language (default: the current one).

        Returns
        -------
        str
            E.g. ``"140 events known only to a region or country have no
            point or area to place in KML"``.
        """
        name = _FORMAT_NAMES.get(self.format, self.format.upper())
        parts = []
        if self.left_out.get("no_geometry"):
            parts.append(
                tn(
                    "{n} event known only to a region or country has no point or area to place in {format}",
                    "{n} events known only to a region or country have no point or area to place in {format}",
                    self.left_out["no_geometry"],
                    lang,
                    format=name,
                )
            )
        if self.left_out.get("no_claims"):
            parts.append(
                tn(
                    "{n} event has no claim to make a {format} row of",
                    "{n} events have no claim to make a {format} row of",
                    self.left_out["no_claims"],
                    lang,
                    format=name,
                )
            )
        if self.replaced:
            parts.append(
                tn(
                    "{n} text held characters the file cannot carry (control characters), written as �",
                    "{n} texts held characters the file cannot carry (control characters), written as �",
                    self.replaced,
                    lang,
                )
            )
        return "; ".join(parts)

    def summary(self, lang: str | None = None) -> str:
        """What the file holds, and what it leaves out and why, in one line.

        Parameters
        ----------
        lang : str, optional
            Language (default: the current one; English unless set).

        Returns
        -------
        str
            ``"8,040 events, 12,301 claims"``, or ``"7,900 of 8,040 events,
            12,100 of 12,301 claims; 140 events known only to a region or
            country have no point or area to place in KML"``.
        """
        if self.written is None or (self.written == self.events and self.claims_written == self.claims):
            events = tn("{n} event", "{n} events", self.events, lang)
            claims = tn("{n} claim", "{n} claims", self.claims, lang)
        else:
            claims_written = self.claims_written if self.claims_written is not None else self.claims
            events = tn("{part} of {n} event", "{part} of {n} events", self.events, lang, part=f"{self.written:,}")
            claims = tn("{part} of {n} claim", "{part} of {n} claims", self.claims, lang, part=f"{claims_written:,}")
        why = self.left_out_text(lang)
        return t("{events}, {claims}", lang, events=events, claims=claims) + (f"; {why}" if why else "")
