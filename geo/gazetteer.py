"""Place name → point, region and precision, from the bundled GeoNames gazetteer.

The gazetteer (``data/reference/gazetteer.csv.gz``, rebuilt by
``scripts/build_gazetteer.py``) holds every populated place of GeoNames'
Ukraine dump (villages included, each with its district), Russia's places
with a post office (GeoNames postal codes), GeoNames ``cities500`` for Russia
and Belarus, a few named features (Snake Island, the Kinburn spit) and the
negotiation venues, each with an ISO 3166-2 region.

A name is matched in three passes, each only if the one before found nothing
where it counts: the name as written (case-, apostrophe-, soft-sign- and
accent-insensitive, any Latin or Cyrillic spelling GeoNames lists, Cyrillic
read letter by letter in Latin: ``Поповка`` is ``Popovka``), its
romanisation-insensitive key (``Gulyaypole`` = ``Huliaipole`` =
``Гуляйполе``), then a fuzzy match of that key against places' own names
(same first letter, rapidfuzz ratio of at least :data:`FUZZY_CUTOFF`).

Among the matches, in this order:

1. the name as written beats a spelling variant, which beats a fuzzy match
   (``Abinsk`` is Abinsk, not Labinsk, whose Polish name ``Łabińsk`` has the
   same key);
2. a place's own name or a transliteration of it beats a historic or
   translated alternate (Pokrovsk was Grishino until 1934; Hryshyne is
   Grishino today);
3. a living place beats a part of a town (GeoNames PPLX), which beats a
   historic, abandoned or destroyed one;
4. a city (10,000 people or more, or a regional capital) beats a village
   (``Mogilev`` is Mahilyow in Belarus, not a Ukrainian village; ``Orsha``
   the Belarusian town, not a Tver village);
5. Ukraine and Russia's border regions before the rest of Russia, Belarus
   and the venues;
6. between cities, the larger.

A region hint keeps only the places inside that region; a district hint then
keeps those of that district (``Polohy``, ``Polohivskyi raion``,
``Пологовский район`` alike). When several villages are still level after
all that, the name is **ambiguous**: no point is chosen, the answer says so
(``ambiguous=True``) and lists them as candidates, and falls back to the
region when the hint (or every candidate) names one. No point is ever
guessed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from rapidfuzz import fuzz, process

from geo import settings
from geo._gazetteer_index import (
    PLACES_FILE,
    Index,
    Place,
    district_key,
    entries,
    exact_key,
    load_index,
    same_district,
)  # fmt: skip
from geo._text import skeleton
from geo.errors import GeoError, NotFoundError, Problem, ValidationError
from geo.reference import RUSSIAN_BORDER_REGIONS, country_of, lookup_region, region_name

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Candidate", "GeocodeResult", "geocode", "geocode_many", "places"]

SOURCE = "GeoNames: Ukraine, Russia's postal places, cities500"
MAX_CANDIDATES = 10
CITY_POPULATION = 10_000
FUZZY_CUTOFF = 90.0  # rapidfuzz ratio of the keys: one letter added or dropped, or one changed in ten
HINTED_FUZZY_CUTOFF = 85.0  # within a hinted region only
_MIN_FUZZY_KEY = 6

_EXACT, _KEY, _FUZZY = 0, 1, 2
# How a match relates to the place: its own name, an alternate that resembles it
# (a transliteration: Hryshyne/Grishino, Mahilyow/Mogilev), or another one (a
# historic or translated name: Pokrovsk was Grishino until 1934).
_OWN, _LIKE_OWN, _OTHER = 0, 1, 2
_LIKE_OWN_CUTOFF = 60.0
_LEVEL_SCORE = {_EXACT: 100.0, _KEY: 95.0}
_LEVEL_WORDS = {_EXACT: "", _KEY: " as a spelling variant", _FUZZY: " by fuzzy match"}
_CLASS = {"place": 0, "feature": 0, "venue": 0, "section": 1, "historic": 2}
_CAPITALS = {"PPLC", "PPLA"}


@dataclass(frozen=True)
class Candidate:
    """One gazetteer place that matches a name.

    Attributes
    ----------
    name : str
        The place's GeoNames name.
    lat, lon : float
        Its point (EPSG:4326).
    admin1 : str or None
        ISO 3166-2 region, None for venues abroad.
    country : str
        ISO 3166-1 alpha-2, from ``admin1`` when there is one.
    population : int
        GeoNames population (0 when unknown).
    geonameid : int or None
        GeoNames id; None for a place known only from GeoNames' postal codes.
    score : float
        Match quality: 100 for the same name, 95 for a spelling variant
        (same romanisation-insensitive key), below 95 for a fuzzy match.
    district : str or None
        The place's district (GeoNames admin2 or postal district name).
    source : str
        Where the point comes from, ready for an event's ``geo_source``:
        ``"GeoNames 687796"`` or ``"GeoNames postal code 307030"``.
    """

    name: str
    lat: float
    lon: float
    admin1: str | None
    country: str
    population: int
    geonameid: int | None
    score: float
    district: str | None = None
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the candidate as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class GeocodeResult:
    """The answer to one place name.

    Attributes
    ----------
    query : str
        The name asked for, stripped.
    name : str or None
        GeoNames name of the place chosen; None when no point was found.
    lat, lon : float or None
        The point, or None when not found.
    admin1 : str or None
        ISO 3166-2 region: the place's, or the hint's (or the one region of
        every candidate) when only the region is known.
    country : str or None
        ISO 3166-1 alpha-2 of ``admin1`` (or of the venue).
    precision : {"exact", "admin1", "unknown"}
        ``exact``: a point from the gazetteer; ``admin1``: only the region is
        known; ``unknown``: nothing is known.
    candidates : tuple of Candidate
        Every match, best first (the chosen place or the level ones first,
        then the others in the hinted region, then those elsewhere); at most
        ten.
    found : bool
        True when a point was found.
    geonameid : int or None
        GeoNames id of the place chosen.
    message : str
        One sentence saying what was found and how.
    ambiguous : bool
        True when several places fit equally well and none was chosen; they
        are the first candidates.
    district : str or None
        District of the place chosen.
    source : str
        Where the point comes from (see :attr:`Candidate.source`); empty when
        not found.
    """

    query: str
    name: str | None
    lat: float | None
    lon: float | None
    admin1: str | None
    country: str | None
    precision: str
    candidates: tuple[Candidate, ...]
    found: bool
    geonameid: int | None
    message: str
    ambiguous: bool = False
    district: str | None = None
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict, candidates as a list of dicts."""
        out = asdict(self)
        out["candidates"] = [c.to_dict() for c in self.candidates]
        return out


class _Match(NamedTuple):
    row: int
    place: Place
    level: int
    score: float
    kind: int  # _OWN, _LIKE_OWN or _OTHER


def _gazetteer_file() -> Path:
    return _places_file(settings.get().reference_dir)


@lru_cache(maxsize=4)
def _places_file(folder: Path) -> Path:
    if not (folder / PLACES_FILE).is_file():
        raise NotFoundError(f"gazetteer missing from {folder} (run scripts/build_gazetteer.py)")
    return folder / PLACES_FILE


@lru_cache(maxsize=4)
def _load(path: Path) -> Index:
    """Load the places and the name index next to them, once per process."""
    return load_index(path.parent)


def _tier(place: Place) -> int:
    """Rank places of the war zone first: Ukraine and Russia's border regions, Russia, Belarus, venues."""
    if place.kind == "venue":
        return 3
    if place.country == "UA" or place.admin1 in RUSSIAN_BORDER_REGIONS:
        return 0
    return {"RU": 1, "BY": 2}.get(place.country, 3)


def _is_city(place: Place) -> bool:
    return place.population >= CITY_POPULATION or place.feature in _CAPITALS


def _level_key(match: _Match) -> tuple[int, bool, int, bool, int]:
    """What makes one match better than another, before population: see the module docstring."""
    p = match.place
    return (match.level, match.kind == _OTHER, _CLASS.get(p.kind, 2), not _is_city(p), _tier(p))


def _rank(match: _Match) -> tuple[tuple[int, bool, int, bool, int], int, int, str]:
    return (_level_key(match), -match.place.population, match.place.geonameid or 0, match.place.postcode or "")


class _Query(NamedTuple):
    exact: str  # exact_key of the name
    key: str  # its skeleton


def _matches(gaz: Index, query: _Query, fuzzy: bool, cutoff: float = FUZZY_CUTOFF) -> list[_Match]:
    """Every place matching the query, each once at its best level, best first."""
    key = query.key
    best: dict[int, _Match] = {}

    def add(found: Iterable[tuple[int, bool]], level: int, score: float) -> None:
        # Levels arrive best first; a later entry of the same level can only show
        # the match is closer to the place's own name.
        for i, own in found:
            place = gaz.places[i]
            kind = _OWN if own else _LIKE_OWN if fuzz.ratio(key, place.key) >= _LIKE_OWN_CUTOFF else _OTHER
            old = best.get(i)
            if old is None:
                best[i] = _Match(i, place, level, score, kind)
            elif kind < old.kind and level == old.level:
                best[i] = old._replace(kind=kind)

    add(entries(gaz.by_fold[query.exact]) if query.exact in gaz.by_fold else (), _EXACT, _LEVEL_SCORE[_EXACT])
    add(entries(gaz.by_key[key]) if key in gaz.by_key else (), _KEY, _LEVEL_SCORE[_KEY])
    if fuzzy and len(key) >= _MIN_FUZZY_KEY:
        # Conservative on purpose: only places' own names, only with the same first letter.
        # Only lengths that can reach the cutoff: ratio = 2·matches / (len + other len).
        share = cutoff / 100
        shortest, longest = math.ceil(len(key) * share / (2 - share)), math.floor(len(key) * (2 - share) / share)
        keys = [k for n in range(shortest, longest + 1) for k in gaz.own_keys.get((key[0], n), ())]
        for other, score, _ in process.extract(
            key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=30 * MAX_CANDIDATES
        ):
            if other != key:
                own = [(i, True) for i, is_own in entries(gaz.by_key[other]) if is_own]
                add(own, _FUZZY, min(round(score, 1), _LEVEL_SCORE[_KEY] - 1))
    return sorted(best.values(), key=_rank)


def _search(gaz: Index, name: str, hint: str | None) -> tuple[list[_Match], list[_Match]]:
    """Matches inside the hinted region (all matches without a hint) and elsewhere."""
    query = _Query(exact_key(name), skeleton(name))
    matches = _matches(gaz, query, fuzzy=False)
    inside = [m for m in matches if hint is None or m.place.admin1 == hint]
    if not inside:
        # Inside one region the field is small: allow one vowel more to differ
        # (Ukrainian Olenivka / Russian Olenevka). One search at the lower cutoff serves both passes.
        cutoffs = (FUZZY_CUTOFF,) if hint is None else (FUZZY_CUTOFF, HINTED_FUZZY_CUTOFF)
        fuzzy = _matches(gaz, query, fuzzy=True, cutoff=cutoffs[-1])
        for cutoff in cutoffs:
            matches = [m for m in fuzzy if m.level != _FUZZY or m.score >= cutoff]
            inside = [m for m in matches if hint is None or m.place.admin1 == hint]
            if inside:
                break
    outside = [m for m in matches if hint is not None and m.place.admin1 != hint]
    return inside, outside


def _by_district(gaz: Index, inside: list[_Match], district: str | None) -> tuple[list[_Match], list[_Match], str]:
    """Split the matches into those of the district and the rest; a note when the district matched none."""
    if district is None or not inside:
        return inside, [], ""
    key = district_key(district)
    if not key:
        return inside, [], ""
    chosen = [m for m in inside if m.place.district >= 0 and same_district(key, gaz.districts[m.place.district].keys)]
    if not chosen:
        return inside, [], f"; none of them in district {district!r}, so the district was not used"
    return chosen, [m for m in inside if m not in chosen], ""


def _district_name(gaz: Index, place: Place) -> str | None:
    return gaz.districts[place.district].names[0] if place.district >= 0 else None


def _source(place: Place) -> str:
    if place.geonameid is None:
        return f"GeoNames postal code {place.postcode}"
    return f"GeoNames {place.geonameid}"


def _candidate(gaz: Index, match: _Match) -> Candidate:
    p = match.place
    return Candidate(
        p.name, p.lat, p.lon, p.admin1, p.country, p.population, p.geonameid, match.score,
        _district_name(gaz, p), _source(p),
    )  # fmt: skip


def _where(place_or_code: Place | str) -> str:
    if isinstance(place_or_code, Place):
        return _where(place_or_code.admin1) if place_or_code.admin1 else place_or_code.country
    return f"{place_or_code} {region_name(place_or_code)}"


def _level(inside: list[_Match]) -> list[_Match]:
    """The matches level with the best one, when none of them is a city (else just the best)."""
    best = inside[0]
    if _is_city(best.place):
        return [best]
    return [m for m in inside if _level_key(m) == _level_key(best)]


def _found(
    gaz: Index, query: str, inside: list[_Match], candidates: tuple[Candidate, ...], hint: str | None, note: str
) -> GeocodeResult:
    best = inside[0]
    place = best.place
    district = _district_name(gaz, place)
    in_district = f", {district}" if district else ""
    message = f"found {place.name!r} ({_where(place)}{in_district}){_LEVEL_WORDS[best.level]}, {_source(place)}"
    if best.level == _FUZZY:
        message += f" (score {best.score:g})"
    rivals = sum(1 for m in inside[1:] if m.level == best.level)
    if rivals:
        where = f" in {hint}" if hint else ""
        message += f"; {rivals} other match{'es' if rivals > 1 else ''}{where} ranked after it"
        if _is_city(place):
            message += " (a city before villages, the largest city first)"
    return GeocodeResult(
        query, place.name, place.lat, place.lon, place.admin1, place.country, "exact",
        candidates, True, place.geonameid, message + note, False, district, _source(place),
    )  # fmt: skip


def _ambiguous(
    gaz: Index, query: str, level: list[_Match], candidates: tuple[Candidate, ...], hint: str | None, note: str
) -> GeocodeResult:
    regions = {m.place.admin1 for m in level}
    region = hint or (regions.pop() if len(regions) == 1 else None)
    listed = "; ".join(
        f"{_source(m.place)} {m.place.name} ({', '.join(filter(None, [m.place.admin1, _district_name(gaz, m.place)]))})"
        for m in level[:MAX_CANDIDATES]
    )
    more = f" and {len(level) - MAX_CANDIDATES} more" if len(level) > MAX_CANDIDATES else ""
    message = f"{query!r} is ambiguous: {len(level)} places fit equally well ({listed}{more}){note}; "
    message += "give a district to choose" if hint else "give a region or district to choose"
    if region is None:
        message += "; not located"
        return GeocodeResult(query, None, None, None, None, None, "unknown", candidates, False, None, message, True)
    message += f"; located at region precision ({_where(region)})"
    return GeocodeResult(
        query, None, None, None, region, country_of(region), "admin1", candidates, False, None, message, True
    )


def _not_found(query: str, outside: list[_Match], candidates: tuple[Candidate, ...], hint: str | None) -> GeocodeResult:
    message = f"{query!r} is not in the gazetteer ({SOURCE})"
    if outside:
        regions = ", ".join(dict.fromkeys(m.place.admin1 or m.place.country for m in outside))
        message += f" within {hint}; {len(outside)} match{'es' if len(outside) > 1 else ''} elsewhere ({regions})"
    if hint is None:
        message += "; no region given, so it is not located"
        return GeocodeResult(query, None, None, None, None, None, "unknown", candidates, False, None, message)
    message += f"; located at region precision ({_where(hint)})"
    return GeocodeResult(query, None, None, None, hint, country_of(hint), "admin1", candidates, False, None, message)


def _check_name(name: object, column: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(
            Problem(f"place name must be a non-empty string, got {name!r}", column=column, fix="give a place name")
        )
    return name.strip()


def geocode(name: str, region: str | None = None, district: str | None = None) -> GeocodeResult:
    """Locate a place by name, optionally within a region and district.

    Parameters
    ----------
    name : str
        Place name in any Latin or Cyrillic spelling: ``"Huliaipole"``,
        ``"Gulyaypole"``, ``"Гуляйполе"``, ``"Kup'yans'k"``.
    region : str, optional
        Region hint: an ISO 3166-2 code or any name :func:`geo.reference.lookup_region`
        accepts (``"UA-23"``, ``"Zaporizhzhia"``, ``"Запорожская область"``).
        With a hint only places inside that region count. None or blank means
        no hint.
    district : str, optional
        District hint (GeoNames admin2 in Ukraine, the postal district in
        Russia), in any spelling, with or without "raion"/"район":
        ``"Polohy"``, ``"Polohivskyi raion"``, ``"Курский район"``. It picks
        among the places the name and region leave; a district none of them
        is in is ignored, and the message says so. None or blank means no hint.

    Returns
    -------
    GeocodeResult
        ``found=True, precision="exact"`` with the point when one place fits
        best (see the module docstring for the order). When several villages
        fit equally well, ``ambiguous=True``, no point, and the places as the
        first candidates. Otherwise (or when ambiguous), with a hint,
        ``found=False, precision="admin1"`` and the hinted region, the places
        of that name elsewhere still listed as candidates; without one,
        ``found=False, precision="unknown"`` and no location.

    Raises
    ------
    ValidationError
        If ``name`` is empty.
    NotFoundError
        If ``region`` matches no region; the message names it.

    Examples
    --------
    >>> geocode("Vygonichi").admin1
    'RU-BRY'
    >>> geocode("Popivka", region="Sumy").ambiguous
    True
    """
    query = _check_name(name)
    hint = lookup_region(region) if isinstance(region, str) and region.strip() else None
    area = district.strip() if isinstance(district, str) and district.strip() else None
    gaz = _load(_gazetteer_file())
    inside, outside = _search(gaz, query, hint)
    inside, others, note = _by_district(gaz, inside, area)
    if not inside:
        candidates = tuple(_candidate(gaz, m) for m in outside[:MAX_CANDIDATES])
        return _not_found(query, outside, candidates, hint)
    candidates = tuple(_candidate(gaz, m) for m in (inside + others + outside)[:MAX_CANDIDATES])
    level = _level(inside)
    if len(level) > 1:
        return _ambiguous(gaz, query, level, candidates, hint, note)
    return _found(gaz, query, inside, candidates, hint, note)


def places() -> pd.DataFrame:
    """Return every place of the gazetteer as a table.

    Returns
    -------
    pandas.DataFrame
        One row per place: ``geonameid`` (nullable integer: missing for a
        place known only from GeoNames' postal codes), ``postcode``,
        ``name``, ``lat``, ``lon``, ``country``, ``admin1``, ``district``,
        ``population``, ``kind`` (``place``, ``section`` of a town,
        ``historic``, ``feature``, ``venue``), ``feature`` (GeoNames feature
        code, ``postal``) and ``source`` (as in :attr:`Candidate.source`).
    """
    import pandas as pd

    gaz = _load(_gazetteer_file())
    col = gaz.places.column
    frame = pd.DataFrame({f: col(f) for f in ("geonameid", "postcode", "name", "lat", "lon", "country", "admin1")})
    frame = frame.replace({"geonameid": {"": None}, "postcode": {"": None}, "admin1": {"": None}})
    frame["geonameid"] = pd.to_numeric(frame["geonameid"]).astype("Int64")
    frame[["lat", "lon"]] = frame[["lat", "lon"]].astype(float)
    names = [d.names[0] for d in gaz.districts]
    frame["district"] = [names[int(i)] if i != "-1" else None for i in col("district")]
    frame["population"] = pd.to_numeric(pd.Series(col("population"))).astype("int64")
    frame["kind"], frame["feature"] = col("kind"), col("feature")
    ids_and_codes = zip(col("geonameid"), col("postcode"), strict=True)
    frame["source"] = [f"GeoNames {g}" if g else f"GeoNames postal code {p}" for g, p in ids_and_codes]
    return frame


def geocode_many(
    names: Iterable[str],
    regions: Iterable[str | None] | None = None,
    districts: Iterable[str | None] | None = None,
) -> list[GeocodeResult]:
    """Locate many places, answering each distinct (name, region, district) once.

    Parameters
    ----------
    names : iterable of str
        Place names.
    regions : iterable of str or None, optional
        One region hint per name (None or blank for no hint), or None for no
        hints at all.
    districts : iterable of str or None, optional
        One district hint per name, or None for none at all.

    Returns
    -------
    list of GeocodeResult
        One result per name, in order.

    Raises
    ------
    ValidationError
        With one problem per bad row (row numbers 1-based): an empty name, an
        unknown region, or ``regions``/``districts`` of another length than
        ``names``.
    """
    names = list(names)
    hints: Sequence[str | None] = [None] * len(names) if regions is None else list(regions)
    areas: Sequence[str | None] = [None] * len(names) if districts is None else list(districts)
    for label, values in (("regions", hints), ("districts", areas)):
        if len(values) != len(names):
            raise ValidationError(f"got {len(names)} names but {len(values)} {label}", "geocode_many")
    memo: dict[tuple[str, str | None, str | None], GeocodeResult | GeoError] = {}
    results: list[GeocodeResult] = []
    problems: list[Problem] = []
    for row, triple in enumerate(zip(names, hints, areas, strict=True), start=1):
        if triple not in memo:
            try:
                memo[triple] = geocode(*triple)
            except GeoError as err:
                memo[triple] = err
        answer = memo[triple]
        if isinstance(answer, GeocodeResult):
            results.append(answer)
        elif isinstance(answer, ValidationError):
            problems.extend(Problem(p.message, row=row, column=p.column, fix=p.fix) for p in answer.problems)
        else:
            problems.append(Problem(str(answer), row=row, column="region"))
    if problems:
        raise ValidationError(problems, "geocode_many")
    return results
