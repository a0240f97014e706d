"""Where a new event is and who says things: gazetteer places for the form, claimants suggested from the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo import gazetteer
from geo.errors import NotFoundError, ValidationError
from geo.i18n import t
from geo.reference import country_of, find_region, region_name

__all__ = ["PlaceChoice", "claimants", "find_places"]


@dataclass(frozen=True)
class PlaceChoice:
    """A place the *new event* form offers: a gazetteer place with its point, or a region without one.

    Attributes
    ----------
    label : str
        What the list shows: ``Hulyaypole — Zaporizhzhia Oblast (UA-23), Polohy Raion · GeoNames 707898``.
    name : str
        The place's (or region's) name.
    admin1 : str or None
        ISO 3166-2 region.
    country : str or None
        ISO 3166-1 alpha-2.
    precision : str
        ``exact`` (a gazetteer point) or ``admin1`` (the region only, no point).
    lon, lat : float or None
        The point, None at region precision.
    source : str
        Where the point comes from (``GeoNames 707898``); empty for a region.
    district : str or None
        The place's district.
    """

    label: str
    name: str
    admin1: str | None
    country: str | None
    precision: str
    lon: float | None = None
    lat: float | None = None
    source: str = ""
    district: str | None = None

    def event_fields(self) -> dict[str, Any]:
        """The event columns this choice gives: place, admin1, country, geo_precision, lon/lat, geo_source."""
        return {
            "place": self.name,
            "admin1": self.admin1,
            "country": self.country,
            "geo_precision": self.precision,
            "lon": self.lon,
            "lat": self.lat,
            "geo_source": self.source or None,
        }


def find_places(query: str, limit: int = 10, region: str | None = None) -> list[PlaceChoice]:
    """Places (and regions) matching a name in any Latin or Cyrillic spelling, best first.

    Parameters
    ----------
    query : str
        What was typed: ``Гуляйполе``, ``Gulyaypole``, ``Zaporizhzhia``.
    limit : int
        Most gazetteer places returned.
    region : str, optional
        A region (code or name) to search in.

    Returns
    -------
    list of PlaceChoice
        A region whose name matches first (precision ``admin1``, no point), then the gazetteer's places
        (precision ``exact``, with their GeoNames point and source). Empty for a blank query or nothing found.
    """
    text = (query or "").strip()
    if not text:
        return []
    out: list[PlaceChoice] = []
    code = find_region(text)
    if code is not None:
        out.append(
            PlaceChoice(
                t("{region} ({code}) — region only, no point", region=region_name(code), code=code),
                region_name(code),
                code,
                country_of(code),
                "admin1",
            )
        )
    try:
        result = gazetteer.geocode(text, region=region)
    except (ValidationError, NotFoundError):
        return out
    for cand in result.candidates[:limit]:
        where = f"{region_name(cand.admin1)} ({cand.admin1})" if cand.admin1 else cand.country
        district = f", {cand.district}" if cand.district else ""
        label = f"{cand.name} — {where}{district} · {cand.source}"
        out.append(
            PlaceChoice(
                label, cand.name, cand.admin1, cand.country, "exact", cand.lon, cand.lat, cand.source, cand.district
            )
        )
    return out


def claimants(store_or_claims: Any) -> list[str]:
    """Claimants already in the store (or a claims frame), the most frequent first: the form's suggestions.

    Parameters
    ----------
    store_or_claims : Store or DataFrame
        A store (its claims are read) or a frame with a ``claimant`` column.

    Returns
    -------
    list of str
        Distinct claimants, most claims first, then alphabetically.
    """
    frame = store_or_claims if isinstance(store_or_claims, pd.DataFrame) else store_or_claims.read_claims()
    if frame is None or "claimant" not in frame.columns:
        return []
    names = frame["claimant"].dropna().astype(str).str.strip()
    counts = names[names != ""].value_counts()
    order = sorted(zip(counts.index, counts.to_numpy(), strict=True), key=lambda kv: (-int(kv[1]), kv[0]))
    return [str(name) for name, _ in order]
