"""Reference geography: admin-0 and admin-1 boundaries keyed by ISO 3166-2.

The boundaries are Natural Earth 10m, rebuilt by ``scripts/build_reference.py``
into ``data/reference/``. Regions are keyed by ISO 3166-2 code and a region's
country is the code's prefix, so Crimea (``UA-43``) and Sevastopol (``UA-40``)
are Ukraine. The folder comes from :mod:`geo.settings` (``CONFLICTMAP_DATA_DIR``
points it at another ``data/`` folder).

Region names are matched in English, Ukrainian and Russian, case-, apostrophe-
and hyphen-insensitively, with or without "oblast"/"область"/"krai"/…, and by
the romanisation-insensitive key of :mod:`geo._text`: ``"Zaporizhia oblast"``,
``"Запорожская область"`` and ``"ua-23"`` all give ``"UA-23"``.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from rapidfuzz import fuzz, process

from geo import settings
from geo._gdal import gdal_name
from geo._text import fold, skeleton
from geo.errors import NotFoundError, ValidationError
from geo.i18n import N_

__all__ = [
    "FRONT_LINE_OBLASTS",
    "PRESETS",
    "RUSSIAN_BORDER_REGIONS",
    "country_of",
    "find_region",
    "load_admin0",
    "load_admin1",
    "load_land",
    "lookup_region",
    "neighbours_of",
    "region_name",
    "region_of",
    "regions_of",
]

FRONT_LINE_OBLASTS = ("UA-14", "UA-09", "UA-23", "UA-65", "UA-63", "UA-12", "UA-59", "UA-43", "UA-40")
"""Donetsk, Luhansk, Zaporizhzhia, Kherson, Kharkiv, Dnipropetrovsk, Sumy, Crimea, Sevastopol."""
RUSSIAN_BORDER_REGIONS = ("RU-BRY", "RU-KRS", "RU-BEL", "RU-VOR", "RU-ROS")
"""Russian regions on Ukraine's border: Bryansk, Kursk, Belgorod, Voronezh, Rostov."""
UKRAINIAN_BORDER_OBLASTS = ("UA-74", "UA-59", "UA-63", "UA-09", "UA-14")
"""Ukrainian oblasts on Russia's border: Chernihiv, Sumy, Kharkiv, Luhansk, Donetsk."""
RUSSIAN_CLAIMED_ANNEXATIONS = ("UA-43", "UA-40", "UA-14", "UA-09", "UA-23", "UA-65")
"""Ukrainian regions Russia claims to have annexed (2014: Crimea, Sevastopol; 2022: the other four)."""
MOSCOW_AREA = ("RU-MOW", "RU-MOS")
"""Moscow city and Moscow Oblast."""
UKRAINE = (
    "UA-05", "UA-07", "UA-09", "UA-12", "UA-14", "UA-18", "UA-21", "UA-23", "UA-26", "UA-30",
    "UA-32", "UA-35", "UA-40", "UA-43", "UA-46", "UA-48", "UA-51", "UA-53", "UA-56", "UA-59",
    "UA-61", "UA-63", "UA-65", "UA-68", "UA-71", "UA-74", "UA-77",
)  # fmt: skip
"""Every region of Ukraine, Crimea and Sevastopol included."""
BELARUS = ("BY-BR", "BY-HM", "BY-HO", "BY-HR", "BY-MA", "BY-MI", "BY-VI")
"""Every region of Belarus."""

PRESETS: dict[str, tuple[str, ...]] = {
    N_("front-line oblasts"): FRONT_LINE_OBLASTS,
    N_("Russian border regions"): RUSSIAN_BORDER_REGIONS,
    N_("Ukrainian oblasts bordering Russia"): UKRAINIAN_BORDER_OBLASTS,
    N_("regions Russia claims to have annexed"): RUSSIAN_CLAIMED_ANNEXATIONS,
    N_("Moscow and Moscow Oblast"): MOSCOW_AREA,
    N_("Ukraine"): UKRAINE,
    N_("Belarus"): BELARUS,
}
"""Named groups of ISO 3166-2 codes for filters (the names are messages: shown through ``geo.i18n.t``)."""

LANGUAGES = ("en", "uk", "ru")

# Names people use that the boundary file does not carry: city (noun) forms of
# oblast names, Russian-era romanisations, old names. The file's own English,
# Ukrainian and Russian names are indexed as well.
_ALIASES: dict[str, tuple[str, ...]] = {
    "UA-05": ("Vinnitsa", "Вінниця", "Винница"),
    "UA-07": ("Volhynia", "Волинь", "Волынь"),
    "UA-09": ("Lugansk", "Луганськ", "Луганск"),
    "UA-12": ("Dnipro", "Dnepropetrovsk", "Дніпро", "Днепр", "Дніпропетровськ", "Днепропетровск"),
    "UA-14": ("Донецьк", "Донецк"),
    "UA-18": ("Zhitomir", "Житомир"),
    "UA-21": ("Transcarpathia", "Zakarpattya", "Закарпаття", "Закарпатье"),
    "UA-23": ("Zaporozhye", "Zaporozhzhia", "Запоріжжя", "Запорожье"),
    "UA-26": ("Ivano-Frankovsk", "Івано-Франківськ", "Ивано-Франковск"),
    "UA-30": ("Kiev", "Kyiv City", "Kiev City", "City of Kyiv", "місто Київ", "город Киев"),
    "UA-32": ("Kiev Oblast", "Kyivshchyna", "Київщина", "Киевщина"),
    "UA-35": ("Kirovograd", "Kropyvnytskyi", "Кропивницький", "Кіровоград", "Кировоград"),
    "UA-40": ("Sebastopol", "Sevastopol City"),
    "UA-43": ("Crimea", "Krym", "Republic of Crimea", "Крим", "Крым"),
    "UA-46": ("Lvov", "Львів", "Львов"),
    "UA-48": ("Nikolaev", "Nikolayev", "Миколаїв", "Николаев"),
    "UA-51": ("Odessa", "Одеса", "Одесса"),
    "UA-53": ("Полтава",),
    "UA-56": ("Rovno", "Рівне", "Ровно"),
    "UA-59": ("Суми", "Сумы"),
    "UA-61": ("Ternopol", "Тернопіль", "Тернополь"),
    "UA-63": ("Kharkov", "Харків", "Харьков"),
    "UA-65": ("Херсон",),
    "UA-68": ("Khmelnitsky", "Khmelnytskyy", "Хмельницький", "Хмельницкий"),
    "UA-71": ("Cherkassy", "Черкаси", "Черкассы"),
    "UA-74": ("Chernigov", "Чернігів", "Чернигов"),
    "UA-77": ("Chernovtsy", "Чернівці", "Черновцы"),
    "RU-BEL": ("Bilhorod", "Bielhorod", "Бєлгород", "Белгород"),
    "RU-BRY": ("Брянськ", "Брянск"),
    "RU-KRS": ("Курськ", "Курск"),
    "RU-VOR": ("Воронеж",),
    "RU-ROS": ("Rostov-on-Don", "Ростов-на-Дону"),
    "RU-MOW": ("Moskva", "Moscow City"),
    "RU-MOS": ("Moscow Region", "Podmoskovye", "Подмосковье"),
    "RU-SPE": ("St Petersburg", "Petersburg", "Санкт-Петербург", "Петербург"),
    "RU-ORL": ("Orel", "Орёл"),
    "RU-KDA": ("Kuban",),
    "RU-CE": ("Chechnya",),
    "RU-SA": ("Yakutia",),
    "RU-KHM": ("Yugra", "Ugra"),
    "BY-BR": ("Брест",),
    "BY-HM": ("Minsk City",),
    "BY-MI": ("Minsk Oblast",),
    "BY-HO": ("Homel", "Гомель"),
    "BY-HR": ("Hrodna", "Гродно"),
    "BY-MA": ("Mahilyow", "Mahilioŭ", "Могилёв", "Магілёў"),
    "BY-VI": ("Vitsebsk", "Viciebsk", "Витебск"),
}

# Words and phrases naming a kind of region, each to a kind token (keys folded below).
_KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(("oblast", "obl", "oblasti", "region", "province", "voblast", "voblasts"), "obl"),
    **dict.fromkeys(("область", "обл", "вобласць", "autonomous oblast", "автономна область"), "obl"),
    **dict.fromkeys(("автономная область", "oblys"), "obl"),
    **dict.fromkeys(("krai", "kray", "territory", "край"), "krai"),
    **dict.fromkeys(("republic", "republic of", "respublika", "республика", "республіка"), "rep"),
    **dict.fromkeys(("autonomous republic", "autonomous republic of", "автономна республіка"), "rep"),
    **dict.fromkeys(("автономная республика",), "rep"),
    **dict.fromkeys(("autonomous okrug", "autonomous district", "okrug", "автономний округ"), "ao"),
    **dict.fromkeys(("автономный округ", "округ"), "ao"),
    **dict.fromkeys(("city", "city of", "federal city", "місто", "город", "м", "г"), "city"),
}
_KIND_WORDS = {fold(words): kind for words, kind in _KIND_WORDS.items()}
_WORD = re.compile(r"[^\W_]+")
_CODE = re.compile(r"^([A-Za-z]{2})-([A-Za-z0-9]{1,3})$")
_FUZZY_CUTOFF = 85.0


def _file(name: str, simplified: bool) -> Path:
    path = settings.get().reference_dir / f"{name}{'_simplified' if simplified else ''}.geojson"
    if not path.is_file():
        raise NotFoundError(f"reference file {path} is missing (run scripts/build_reference.py)")
    return path


@lru_cache(maxsize=8)
def _read(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(gdal_name(path, "GeoJSON")).set_crs("EPSG:4326", allow_override=True)


def load_admin1(simplified: bool = False) -> gpd.GeoDataFrame:
    """Load the admin-1 regions of Ukraine, Russia and Belarus.

    Parameters
    ----------
    simplified : bool, default False
        Return the outlines simplified for display instead of the full detail
        used for point-in-polygon.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso_3166_2, country, name_en, name_uk, name_ru, type_en,
        geometry`` in EPSG:4326, one row per region, sorted by code. A copy:
        changing it does not change what the next call returns.
    """
    return _read(_file("admin1", simplified)).copy()


def load_admin0(simplified: bool = False) -> gpd.GeoDataFrame:
    """Load the country outlines of Ukraine, Russia, Belarus and their neighbours.

    Each country is dissolved from its admin-1 regions by ISO prefix, so
    Ukraine's outline includes Crimea.

    Parameters
    ----------
    simplified : bool, default False
        Return the outlines simplified for display.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso_a2, name_en, name_uk, name_ru, geometry`` in EPSG:4326.
        A copy.
    """
    return _read(_file("admin0", simplified)).copy()


def country_of(code: str) -> str:
    """Return the ISO 3166-1 alpha-2 country of an ISO 3166-2 region code.

    Parameters
    ----------
    code : str
        A region code such as ``"UA-43"`` or ``"ru-bry"``.

    Returns
    -------
    str
        The code's prefix in upper case: ``"UA-43"`` gives ``"UA"``.

    Raises
    ------
    ValidationError
        If ``code`` is not shaped like an ISO 3166-2 code.
    """
    match = _CODE.match(code.strip()) if isinstance(code, str) else None
    if match is None:
        raise ValidationError(f"{code!r} is not an ISO 3166-2 code (expected e.g. 'UA-23' or 'RU-BRY')", "region code")
    return match.group(1).upper()


def _land_file() -> Path:
    path = settings.get().reference_dir / "land.geojson.gz"
    if not path.is_file():
        raise NotFoundError(f"reference file {path} is missing (run scripts/build_land.py)")
    return path


@lru_cache(maxsize=4)
def _land(path: Path) -> shapely.Geometry:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        geom = shapely.from_geojson(f.read())
    shapely.prepare(geom)
    return geom


def load_land() -> shapely.Geometry:
    """Load the world's land as one (prepared) MultiPolygon, to tell the sea from somebody's land.

    Natural Earth 10m land simplified at about 2 km (``scripts/build_land.py``):
    coarse at the coast, so :mod:`geo.placement` asks it only about points
    farther than the tolerance from every covered region.

    Returns
    -------
    shapely.Geometry
        The land, prepared for fast ``contains_xy``. Shared: do not modify.

    Raises
    ------
    NotFoundError
        If ``land.geojson.gz`` is missing from the reference folder.
    """
    return _land(_land_file())


@lru_cache(maxsize=4)
def _foreign(path: Path) -> tuple[tuple[str, ...], np.ndarray]:
    """The admin-0 outlines of the neighbours (not Ukraine, Russia, Belarus), full detail, prepared."""
    admin0 = _read(path)
    keep = ~admin0["iso_a2"].isin(["UA", "RU", "BY"]).to_numpy()
    geoms = admin0.geometry.to_numpy()[keep].copy()
    shapely.prepare(geoms)
    return tuple(admin0["iso_a2"].to_numpy()[keep]), geoms


def neighbours_of(lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Find which bundled neighbouring country (Poland, Moldova, Turkey…) each point lies in.

    Parameters
    ----------
    lons, lats : array-like of float
        Longitudes and latitudes (EPSG:4326), of the same length.

    Returns
    -------
    numpy.ndarray of object
        The ISO 3166-1 alpha-2 code of the neighbour's outline the point lies
        in, or None (in Ukraine, Russia or Belarus, at sea, or farther away).
    """
    x = np.asarray(lons, dtype=float).ravel()
    y = np.asarray(lats, dtype=float).ravel()
    codes, geoms = _foreign(_file("admin0", simplified=False))
    out = np.full(x.shape, None, dtype=object)
    todo = np.isfinite(x) & np.isfinite(y)
    for code, geom in zip(codes, geoms, strict=True):
        idx = np.flatnonzero(todo)
        if not idx.size:
            break
        hit = idx[shapely.contains_xy(geom, x[idx], y[idx])]
        out[hit] = code
        todo[hit] = False
    return out


class _PipTable(NamedTuple):
    codes: tuple[str, ...]
    geoms: np.ndarray
    bounds: np.ndarray


@lru_cache(maxsize=4)
def _pip_table(path: Path) -> _PipTable:
    admin1 = _read(path)
    geoms = admin1.geometry.to_numpy().copy()
    shapely.prepare(geoms)
    return _PipTable(tuple(admin1["iso_3166_2"]), geoms, shapely.bounds(geoms))


def regions_of(lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Find the admin-1 region of many points at once.

    Parameters
    ----------
    lons, lats : array-like of float
        Longitudes and latitudes (EPSG:4326), of the same shape.

    Returns
    -------
    numpy.ndarray of object
        The ISO 3166-2 code of the region each point lies in (a point on a
        shared border gets the first code in sorted order), or None for points
        outside every region (sea, other countries) and for NaN coordinates.

    Raises
    ------
    ValidationError
        If the two inputs differ in shape.
    """
    x = np.asarray(lons, dtype=float)
    y = np.asarray(lats, dtype=float)
    if x.shape != y.shape:
        raise ValidationError(f"lons has shape {x.shape} but lats has shape {y.shape}", "regions_of")
    shape, x, y = x.shape, x.ravel(), y.ravel()
    table = _pip_table(_file("admin1", simplified=False))
    out = np.full(x.shape, None, dtype=object)
    todo = np.isfinite(x) & np.isfinite(y)
    for code, geom, (minx, miny, maxx, maxy) in zip(table.codes, table.geoms, table.bounds, strict=True):
        idx = np.flatnonzero(todo & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        if idx.size:
            hit = idx[shapely.intersects_xy(geom, x[idx], y[idx])]
            out[hit] = code
            todo[hit] = False
    return out.reshape(shape)


def region_of(lon: float, lat: float) -> str | None:
    """Find the admin-1 region of one point.

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude (EPSG:4326).

    Returns
    -------
    str or None
        ISO 3166-2 code, or None outside Ukraine, Russia and Belarus.
    """
    return regions_of([lon], [lat])[0]


def _kinds_and_bare(name: str) -> tuple[frozenset[str], str]:
    """Split a folded name into the kinds of region it names and the rest."""
    words = _WORD.findall(fold(name))
    kinds: set[str] = set()
    rest: list[str] = []
    i = 0
    while i < len(words):
        for width in (3, 2, 1):
            phrase = " ".join(words[i : i + width])
            if len(words) >= i + width and phrase in _KIND_WORDS:
                kinds.add(_KIND_WORDS[phrase])
                i += width
                break
        else:
            rest.append(words[i])
            i += 1
    return frozenset(kinds), " ".join(rest)


class _Entry(NamedTuple):
    code: str
    kinds: frozenset[str]


class _RegionIndex(NamedTuple):
    codes: frozenset[str]
    names: dict[str, dict[str, str]]  # code -> lang -> name
    strict: dict[str, list[_Entry]]  # "fold|kinds" and "skeleton|kinds" keys
    loose: dict[str, list[_Entry]]  # fold and skeleton keys of the name without kind words
    fuzzy_keys: list[str]  # skeleton keys of loose


def _key(bare: str, kinds: Iterable[str] = ()) -> str:
    return bare + "|" + ",".join(sorted(kinds))


@lru_cache(maxsize=4)
def _region_index(path: Path) -> _RegionIndex:
    admin1 = _read(path)
    names = {row.iso_3166_2: {lang: getattr(row, f"name_{lang}") for lang in LANGUAGES} for row in admin1.itertuples()}
    strict: dict[str, list[_Entry]] = {}
    loose: dict[str, list[_Entry]] = {}
    for code, by_lang in names.items():
        for name in (*by_lang.values(), *_ALIASES.get(code, ())):
            kinds, bare = _kinds_and_bare(name)
            entry = _Entry(code, kinds)
            for variant in {bare, skeleton(bare)}:
                strict.setdefault(_key(variant, kinds), []).append(entry)
                loose.setdefault(variant, []).append(entry)
    fuzzy_keys = sorted({k for k in loose if k.isascii()})
    return _RegionIndex(frozenset(names), names, strict, loose, fuzzy_keys)


def _pick(entries: Sequence[_Entry], kinds: frozenset[str]) -> str | None:
    """Choose one region among name matches: same kind first, then bare names; None if still ambiguous."""
    for keep in (lambda e: e.kinds & kinds, lambda e: not e.kinds, lambda e: True):
        codes = {e.code for e in entries if keep(e)}
        if codes:
            return codes.pop() if len(codes) == 1 else None
    return None


def find_region(name: str) -> str | None:
    """Find the ISO 3166-2 code of a region from its code or any of its names.

    Parameters
    ----------
    name : str
        An ISO 3166-2 code in any case (``"ua-23"``) or a region name in
        English, Ukrainian or Russian, with or without its kind
        (``"Zaporizhzhia"``, ``"Zaporizhia oblast"``, ``"Запорожская область"``,
        ``"Запоріжжя"``, ``"Crimea"``, ``"Kharkov"``). ``"Kyiv"`` is the city
        (``UA-30``), ``"Kyiv Oblast"`` the oblast (``UA-32``); likewise Moscow
        (``RU-MOW``) and Moscow Oblast (``RU-MOS``).

    Returns
    -------
    str or None
        The code, or None when no region or more than one matches.
    """
    if not isinstance(name, str) or not name.strip():
        return None
    index = _region_index(_file("admin1", simplified=False))
    if _CODE.match(name.strip()):
        code = name.strip().upper()
        return code if code in index.codes else None
    kinds, bare = _kinds_and_bare(name)
    if not bare:
        return None
    skel = skeleton(bare)
    for key in (_key(bare, kinds), _key(skel, kinds)):
        if key in index.strict and (code := _pick(index.strict[key], kinds)):
            return code
    for key in (bare, skel):
        if key in index.loose:
            return _pick(index.loose[key], kinds)
    best = process.extractOne(skel, index.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    return _pick(index.loose[best[0]], kinds) if best else None


def _suggestions(name: str, limit: int = 3) -> list[str]:
    index = _region_index(_file("admin1", simplified=False))
    matches = process.extract(skeleton(name), index.fuzzy_keys, scorer=fuzz.WRatio, limit=30, score_cutoff=50)
    found: list[str] = []
    for key, _score, _pos in matches:
        for entry in index.loose[key]:
            if entry.code not in found:
                found.append(entry.code)
    return [f"{index.names[c]['en']} ({c})" for c in found[:limit]]


def lookup_region(name: str) -> str:
    """Return the ISO 3166-2 code of a region, or raise.

    Parameters
    ----------
    name : str
        A code or name, as accepted by :func:`find_region`.

    Returns
    -------
    str
        The ISO 3166-2 code.

    Raises
    ------
    ValidationError
        If ``name`` is empty or not a string.
    NotFoundError
        If no single region matches; the message suggests up to three.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"region must be a non-empty name or ISO 3166-2 code, got {name!r}", "region")
    code = find_region(name)
    if code is None:
        hint = _suggestions(name)
        suffix = f"; did you mean {', '.join(hint)}?" if hint else ""
        raise NotFoundError(f"no region matches {name!r}{suffix}")
    return code


def region_name(code: str, lang: str = "en") -> str:
    """Return a region's name.

    Parameters
    ----------
    code : str
        ISO 3166-2 code, any case.
    lang : {"en", "uk", "ru"}
        Language of the name.

    Returns
    -------
    str
        The name, e.g. ``"Zaporizhzhia"``, ``"Запорізька область"``.

    Raises
    ------
    ValidationError
        If ``code`` is malformed or ``lang`` is not one of the three.
    NotFoundError
        If no region has that code.
    """
    country_of(code)
    if lang not in LANGUAGES:
        raise ValidationError(f"lang should be one of {', '.join(LANGUAGES)}, got {lang!r}", "lang")
    names = _region_index(_file("admin1", simplified=False)).names
    key = code.strip().upper()
    if key not in names:
        raise NotFoundError(f"no region has the code {code!r}")
    return names[key][lang]
