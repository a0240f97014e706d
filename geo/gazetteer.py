"""Place name → point, region and precision, from the bundled GeoNames gazetteer.

The gazetteer is GeoNames ``cities500`` for Ukraine, Russia and Belarus plus a
few negotiation venues, rebuilt by ``scripts/build_gazetteer.py`` into
``data/reference/gazetteer.csv`` with an ISO 3166-2 region for every place.

A name is matched in three passes, each only if the one before found nothing
where it counts: the name as written (case-, apostrophe-, soft-sign- and
accent-insensitive, any Latin or Cyrillic spelling GeoNames lists), its
romanisation-insensitive key (``Gulyaypole`` = ``Huliaipole`` =
``Гуляйполе``), then a fuzzy match of that key against places' own names
(same first letter, rapidfuzz ratio of at least :data:`FUZZY_CUTOFF`).
A fuzzy match never outranks an exact one. Among name matches, places in
Ukraine and Russia's border regions come first, then the rest of Russia,
Belarus and the venues. Within a tier, a match through a place's own name or
a transliteration of it (Konstantinovka → Kostyantynivka) ranks before one
through a historic or translated alternate (GeoNames lists "Sloviansk" among
Nikopol's alternate names; Pokrovsk was Grishino until 1934); population
breaks the remaining ties. With a region hint, a last fuzzy pass inside that
region accepts one more differing letter (Ukrainian Olenivka, Russian
Olenevka).

Many front-line villages are below the 500-inhabitant floor of cities500.
With a region hint they resolve to that region at ``admin1`` precision, and
the answer says so; without one they are not located at all. No point is
ever guessed.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from geo import settings
from geo._text import fold, skeleton
from geo.errors import GeoError, NotFoundError, Problem, ValidationError
from geo.reference import RUSSIAN_BORDER_REGIONS, country_of, lookup_region, region_name

__all__ = ["Candidate", "GeocodeResult", "geocode", "geocode_many"]

SOURCE = "GeoNames cities500"
MAX_CANDIDATES = 10
FUZZY_CUTOFF = 90.0  # rapidfuzz ratio of the keys: one letter added or dropped, or one changed in ten
HINTED_FUZZY_CUTOFF = 85.0  # within a hinted region only
_MIN_FUZZY_KEY = 6

_EXACT, _KEY, _FUZZY = 0, 1, 2
# How a match relates to the place: its own name, an alternate that resembles it
# (a transliteration: Hryshyne/Grishino), or another one (a historic or translated
# name: Pokrovsk was Grishino until 1934).
_OWN, _LIKE_OWN, _OTHER = 0, 1, 2
_LIKE_OWN_CUTOFF = 70.0
_LEVEL_SCORE = {_EXACT: 100.0, _KEY: 95.0}
_LEVEL_WORDS = {_EXACT: "", _KEY: " as a spelling variant", _FUZZY: " by fuzzy match"}


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
        ISO 3166-2 region (from point-in-polygon), None for venues abroad.
    country : str
        ISO 3166-1 alpha-2, from ``admin1`` when there is one.
    population : int
        GeoNames population (0 when unknown).
    geonameid : int
        GeoNames id.
    score : float
        Match quality: 100 for the same name, 95 for a spelling variant
        (same romanisation-insensitive key), below 95 for a fuzzy match.
    """

    name: str
    lat: float
    lon: float
    admin1: str | None
    country: str
    population: int
    geonameid: int
    score: float

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
        ISO 3166-2 region: the place's, or the hint's when only the region is
        known.
    country : str or None
        ISO 3166-1 alpha-2 of ``admin1`` (or of the venue).
    precision : {"exact", "admin1", "unknown"}
        ``exact``: a point from the gazetteer; ``admin1``: only the hinted
        region is known; ``unknown``: nothing is known.
    candidates : tuple of Candidate
        Every match, best first (the chosen place first, then the others in
        the hinted region, then those elsewhere); at most ten.
    found : bool
        True when a point was found.
    geonameid : int or None
        GeoNames id of the place chosen.
    message : str
        One sentence saying what was found and how.
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

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict, candidates as a list of dicts."""
        out = asdict(self)
        out["candidates"] = [c.to_dict() for c in self.candidates]
        return out


class _Place(NamedTuple):
    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    admin1: str | None
    population: int
    tier: int
    key: str  # skeleton of the own name


class _Match(NamedTuple):
    place: _Place
    level: int
    score: float
    kind: int  # _OWN, _LIKE_OWN or _OTHER


class _Gazetteer(NamedTuple):
    places: tuple[_Place, ...]
    by_fold: dict[str, tuple[tuple[int, bool], ...]]  # fold -> (row, is the place's own name)
    by_key: dict[str, tuple[tuple[int, bool], ...]]
    own_keys: dict[str, tuple[str, ...]]  # first letter -> keys of places' own names, for the fuzzy pass


def _tier(country: str, admin1: str | None, kind: str) -> int:
    """Rank places of the war zone first: Ukraine and Russia's border regions, Russia, Belarus, venues."""
    if kind == "venue":
        return 3
    if country == "UA" or admin1 in RUSSIAN_BORDER_REGIONS:
        return 0
    return {"RU": 1, "BY": 2}.get(country, 3)


def _read_rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _gazetteer_file() -> Path:
    folder = settings.get().reference_dir
    for name in ("gazetteer.csv", "gazetteer.csv.gz"):
        if (folder / name).is_file():
            return folder / name
    raise NotFoundError(f"gazetteer missing from {folder} (run scripts/build_gazetteer.py)")


@lru_cache(maxsize=4)
def _load(path: Path) -> _Gazetteer:
    """Read the CSV once and index every spelling of every place by fold and by key."""
    places: list[_Place] = []
    by_fold: dict[str, set[tuple[int, bool]]] = {}
    by_key: dict[str, set[tuple[int, bool]]] = {}
    keys_of: dict[str, tuple[str, str]] = {}
    for i, row in enumerate(_read_rows(path)):
        admin1 = row["admin1"] or None
        country = country_of(admin1) if admin1 else row["country"]
        places.append(
            _Place(
                int(row["geonameid"]), row["name"], float(row["lat"]), float(row["lon"]), country, admin1,
                int(row["population"] or 0), _tier(country, admin1, row["kind"]), skeleton(row["name"]),
            )
        )  # fmt: skip
        own = {row["name"], row["asciiname"]}
        for spelling in (own | set(row["alternatenames"].split("|"))) - {""}:
            if spelling not in keys_of:
                keys_of[spelling] = (fold(spelling), skeleton(spelling))
            folded, key = keys_of[spelling]
            by_fold.setdefault(folded, set()).add((i, spelling in own))
            by_key.setdefault(key, set()).add((i, spelling in own))
    own_keys: dict[str, set[str]] = {}
    for key, entries in by_key.items():
        if key and any(own for _, own in entries):
            own_keys.setdefault(key[0], set()).add(key)
    return _Gazetteer(
        tuple(places),
        {k: tuple(sorted(v)) for k, v in by_fold.items()},
        {k: tuple(sorted(v)) for k, v in by_key.items()},
        {letter: tuple(sorted(keys)) for letter, keys in own_keys.items()},
    )


def _rank(match: _Match) -> tuple[bool, int, int, int, int]:
    """Sort key: name matches before fuzzy ones, then tier, own name before alternates, population."""
    p = match.place
    # A place's own name and a transliteration of it rank alike (Konstantinovka is
    # Kostyantynivka, a city, before a Crimean village of that own name); a
    # historic or translated alternate ranks after both.
    return (match.level == _FUZZY, p.tier, match.kind == _OTHER, -p.population, p.geonameid)


def _matches(gaz: _Gazetteer, query: str, fuzzy: bool, cutoff: float = FUZZY_CUTOFF) -> list[_Match]:
    """Every place matching the query, each once at its best level, best first."""
    key = skeleton(query)
    best: dict[int, _Match] = {}

    def add(entries: Iterable[tuple[int, bool]], level: int, score: float) -> None:
        # Levels arrive best first; a later entry of the same sort (name or fuzzy)
        # can only show the match is closer to the place's own name.
        for i, own in entries:
            place = gaz.places[i]
            kind = _OWN if own else _LIKE_OWN if fuzz.ratio(key, place.key) >= _LIKE_OWN_CUTOFF else _OTHER
            old = best.get(i)
            if old is None:
                best[i] = _Match(place, level, score, kind)
            elif kind < old.kind and (level == _FUZZY) == (old.level == _FUZZY):
                best[i] = old._replace(kind=kind)

    add(gaz.by_fold.get(fold(query), ()), _EXACT, _LEVEL_SCORE[_EXACT])
    add(gaz.by_key.get(key, ()), _KEY, _LEVEL_SCORE[_KEY])
    if fuzzy and len(key) >= _MIN_FUZZY_KEY:
        # Conservative on purpose: only places' own names, only with the same first letter.
        keys = gaz.own_keys.get(key[0], ())
        for other, score, _ in process.extract(
            key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=30 * MAX_CANDIDATES
        ):
            own = [(i, True) for i, is_own in gaz.by_key[other] if is_own]
            add(own, _FUZZY, min(round(score, 1), _LEVEL_SCORE[_KEY] - 1))
    return sorted(best.values(), key=_rank)


def _search(gaz: _Gazetteer, query: str, hint: str | None) -> tuple[list[_Match], list[_Match]]:
    """Matches inside the hinted region (all matches without a hint) and elsewhere."""
    passes = [(False, FUZZY_CUTOFF), (True, FUZZY_CUTOFF)]
    if hint is not None:
        # Inside one region the field is small: allow one vowel more to differ
        # (Ukrainian Olenivka / Russian Olenevka).
        passes.append((True, HINTED_FUZZY_CUTOFF))
    for fuzzy, cutoff in passes:
        matches = _matches(gaz, query, fuzzy, cutoff)
        inside = [m for m in matches if hint is None or m.place.admin1 == hint]
        if inside:
            break
    outside = [m for m in matches if hint is not None and m.place.admin1 != hint]
    return inside, outside


def _candidate(match: _Match) -> Candidate:
    p = match.place
    return Candidate(p.name, p.lat, p.lon, p.admin1, p.country, p.population, p.geonameid, match.score)


def _where(place_or_code: _Place | str) -> str:
    if isinstance(place_or_code, _Place):
        return _where(place_or_code.admin1) if place_or_code.admin1 else place_or_code.country
    return f"{place_or_code} {region_name(place_or_code)}"


def _found(query: str, inside: list[_Match], candidates: tuple[Candidate, ...], hint: str | None) -> GeocodeResult:
    best = inside[0]
    place = best.place
    message = f"found {place.name!r} ({_where(place)}){_LEVEL_WORDS[best.level]}, GeoNames {place.geonameid}"
    if best.level == _FUZZY:
        message += f" (score {best.score:g})"
    rivals = sum(1 for m in inside[1:] if (m.level == _FUZZY) == (best.level == _FUZZY))
    if rivals:
        order = "by population" if hint else "Ukraine and Russia's border regions first, then by population"
        message += f"; {rivals} other match{'es' if rivals > 1 else ''}{f' in {hint}' if hint else ''}, ranked {order}"
    return GeocodeResult(
        query, place.name, place.lat, place.lon, place.admin1, place.country, "exact",
        candidates, True, place.geonameid, message,
    )  # fmt: skip


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


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(
            Problem(f"place name must be a non-empty string, got {name!r}", column="name", fix="give a place name")
        )
    return name.strip()


def geocode(name: str, region: str | None = None) -> GeocodeResult:
    """Locate a place by name, optionally within a region.

    Parameters
    ----------
    name : str
        Place name in any Latin or Cyrillic spelling: ``"Huliaipole"``,
        ``"Gulyaypole"``, ``"Гуляйполе"``, ``"Kup'yans'k"``.
    region : str, optional
        Region hint: an ISO 3166-2 code or any name :func:`geo.reference.lookup_region`
        accepts (``"UA-23"``, ``"Zaporizhzhia"``, ``"Запорожская область"``).
        With a hint only places inside that region count. Without one, places
        in Ukraine and Russia's border regions come first, then the rest of
        Russia, then Belarus, then venues abroad; population breaks ties.
        None or blank means no hint.

    Returns
    -------
    GeocodeResult
        ``found=True, precision="exact"`` with the point when the name is in
        the gazetteer (inside the hinted region, if any). Otherwise, with a
        hint, ``found=False, precision="admin1"`` and the hinted region, the
        places of that name elsewhere still listed as candidates; without
        one, ``found=False, precision="unknown"`` and no location.

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
    >>> geocode("Sydorivka", region="Sumy").precision
    'admin1'
    """
    query = _check_name(name)
    hint = lookup_region(region) if isinstance(region, str) and region.strip() else None
    gaz = _load(_gazetteer_file())
    inside, outside = _search(gaz, query, hint)
    candidates = tuple(_candidate(m) for m in (inside + outside)[:MAX_CANDIDATES])
    if inside:
        return _found(query, inside, candidates, hint)
    return _not_found(query, outside, candidates, hint)


def geocode_many(names: Iterable[str], regions: Iterable[str | None] | None = None) -> list[GeocodeResult]:
    """Locate many places, answering each distinct (name, region) pair once.

    Parameters
    ----------
    names : iterable of str
        Place names.
    regions : iterable of str or None, optional
        One region hint per name (None or blank for no hint), or None for no
        hints at all.

    Returns
    -------
    list of GeocodeResult
        One result per name, in order.

    Raises
    ------
    ValidationError
        With one problem per bad row (row numbers 1-based): an empty name, an
        unknown region, or ``regions`` of another length than ``names``.
    """
    names = list(names)
    hints: Sequence[str | None] = [None] * len(names) if regions is None else list(regions)
    if len(hints) != len(names):
        raise ValidationError(f"got {len(names)} names but {len(hints)} regions", "geocode_many")
    memo: dict[tuple[str, str | None], GeocodeResult | GeoError] = {}
    results: list[GeocodeResult] = []
    problems: list[Problem] = []
    for row, pair in enumerate(zip(names, hints, strict=True), start=1):
        if pair not in memo:
            try:
                memo[pair] = geocode(*pair)
            except GeoError as err:
                memo[pair] = err
        answer = memo[pair]
        if isinstance(answer, GeocodeResult):
            results.append(answer)
        elif isinstance(answer, ValidationError):
            problems.extend(Problem(p.message, row=row, column=p.column, fix=p.fix) for p in answer.problems)
        else:
            problems.append(Problem(str(answer), row=row, column="region"))
    if problems:
        raise ValidationError(problems, "geocode_many")
    return results
