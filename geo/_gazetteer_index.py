"""The gazetteer's two files and the in-memory name index (private to :mod:`geo.gazetteer`).

``gazetteer.csv.gz``
    The places table, one row per place (:data:`COLUMNS`): GeoNames'
    populated places of Ukraine, Russia and Belarus, Russia's postal places,
    a few named features and the negotiation venues. Human-readable, read by
    the basemap for its labels and by :func:`index_lines` to make the index.
``gazetteer.index.gz``
    The same places reduced to what a lookup needs, plus every spelling of
    every place already folded (in Latin letters) and reduced to its skeleton
    (:mod:`geo._text`), so loading is a matter of splitting lines instead of
    normalising 400,000 names (about 30 µs each). Its first line names the
    normalisation it was made with (a digest of ``geo/_text.py``) and the
    places file it was made from (a digest of its bytes); when either
    differs the index is rebuilt in memory from the places file, slowly, and
    a warning says to run ``python scripts/build_gazetteer.py --index-only``.

Both are written by ``scripts/build_gazetteer.py``; neither is edited by hand.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import NamedTuple, overload

from geo import _text
from geo._text import fold, skeleton, transliterate

PLACES_FILE = "gazetteer.csv.gz"
INDEX_FILE = "gazetteer.index.gz"
FORMAT = "conflictmap-gazetteer-index/1"
COLUMNS = (
    "geonameid", "postcode", "name", "asciiname", "lat", "lon", "country", "admin1", "district",
    "population", "kind", "feature", "alternatenames",
)  # fmt: skip
"""Columns of the places table. ``geonameid`` is empty for a postal place, ``postcode`` for the others;
``district`` and ``alternatenames`` hold spellings separated by ``|`` (the district's first)."""

_log = logging.getLogger(__name__)

# Words naming a kind of district, dropped before districts are compared (folded below).
_DISTRICT_WORDS = (
    "raion", "rayon", "rajon", "raioni", "district", "municipal", "municipality", "okrug", "city council",
    "hromada", "terytorialna", "urban", "selsovet", "mis'krada", "miskrada", "misʼka rada", "city",
    "район", "р н", "р-н", "городской округ", "муниципальный", "округ", "громада", "територіальна",
    "міськрада", "міська рада", "городской совет", "горсовет",
)  # fmt: skip
_DISTRICT_WORDS_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(fold(w)) for w in sorted(_DISTRICT_WORDS, key=len, reverse=True)) + r")\b"
)
_SEP = "\x1f"
_PLACE_FIELDS = (
    "geonameid", "postcode", "name", "lat", "lon", "country", "admin1", "district", "population", "kind", "feature",
    "key",
)  # fmt: skip
_MIN_STEM = 5
_STEM_SHARE = 0.7


class Place(NamedTuple):
    """One place as a lookup sees it."""

    geonameid: int | None
    postcode: str | None
    name: str
    lat: float
    lon: float
    country: str
    admin1: str | None
    district: int  # row of Index.districts, -1 when unknown
    population: int
    kind: str  # place, section, historic, feature, venue
    feature: str  # GeoNames feature code, "postal" for a postal place
    key: str  # skeleton of the own name


class District(NamedTuple):
    """A district: its spellings (the first is its name) and their comparison keys."""

    names: tuple[str, ...]
    keys: tuple[str, ...]


class Index:
    """The places and their spellings, by fold and by skeleton.

    Attributes
    ----------
    places : Places
        Every place, by row.
    districts : tuple of District
        Every district, by number.
    by_fold, by_key : dict
        :func:`exact_key` (skeleton) of a spelling -> entries: ``"12,40*"`` (rows, ``*`` when
        it is the place's own name); read them with :func:`entries`.
    """

    def __init__(
        self, places: Places, districts: tuple[District, ...], by_fold: dict[str, str], by_key: dict[str, str]
    ) -> None:
        self.places, self.districts, self.by_fold, self.by_key = places, districts, by_fold, by_key

    @cached_property
    def own_keys(self) -> dict[tuple[str, int], tuple[str, ...]]:
        """(first letter, length) -> skeletons of places' own names, for the fuzzy pass (made when first asked for)."""
        groups: dict[tuple[str, int], list[str]] = {}
        for key, raw in self.by_key.items():
            if "*" in raw:
                groups.setdefault((key[0], len(key)), []).append(key)
        return {k: tuple(v) for k, v in groups.items()}


def entries(raw: str) -> Iterator[tuple[int, bool]]:
    """Rows and own-name flags of one index entry (``"12,40*"``)."""
    for item in raw.split(","):
        yield (int(item[:-1]), True) if item.endswith("*") else (int(item), False)


def exact_key(name: str) -> str:
    """Key of a name as written: its fold in Latin letters (``Поповка`` = ``Popovka``, not ``Popivka``)."""
    return transliterate(fold(name))


def district_key(name: str) -> str:
    """Comparison key of a district name: its skeleton without the word "raion", "district"…."""
    return skeleton(_DISTRICT_WORDS_RE.sub(" ", fold(name)))


def same_district(key: str, keys: Iterable[str]) -> bool:
    """Tell whether a district key names one of ``keys``.

    Equal keys match, and so do keys sharing a stem of at least five letters
    and 70 % of the shorter: ``polohivskii`` (Polohivskyi raion) and
    ``polohi`` (Polohy Raion), ``kurskii`` and ``kursk``.
    """
    for other in keys:
        if key == other:
            return True
        shorter = min(len(key), len(other))
        common = 0
        while common < shorter and key[common] == other[common]:
            common += 1
        if common >= _MIN_STEM and common >= _STEM_SHARE * shorter:
            return True
    return False


def text_digest() -> str:
    """Digest of the normalisation code (``geo/_text.py``) the index keys depend on."""
    return hashlib.sha256(Path(_text.__file__).read_bytes()).hexdigest()[:16]


def file_digest(path: Path) -> str:
    """Digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def read_places(path: Path) -> list[dict[str, str]]:
    """Rows of the places table (gzip'd or plain CSV)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _spellings(row: dict[str, str]) -> tuple[set[str], set[str]]:
    own = {row["name"], row["asciiname"]} - {""}
    return own, set(row["alternatenames"].split("|")) - own - {""}


def index_lines(rows: list[dict[str, str]], places_digest: str) -> list[str]:
    """The lines of the index file for a places table.

    Parameters
    ----------
    rows : list of dict
        Rows of the places table, in file order.
    places_digest : str
        :func:`file_digest` of the places file.

    Returns
    -------
    list of str
        A header, then one line per column (``tag<TAB>`` and the values
        joined by ``\\x1f``): districts' spellings and keys (``D``, ``DK``),
        the places' fields (``P:<field>``, :data:`_PLACE_FIELDS`), the folds
        and skeletons of every spelling with the rows they name (``F``/``FE``,
        ``K``/``KE``; ``"12,40*"``: rows, ``*`` when the spelling is the
        place's own name). Deterministic.
    """
    districts: dict[str, int] = {}
    columns: dict[str, list[str]] = {tag: [] for tag in ("D", "DK", *(f"P:{f}" for f in _PLACE_FIELDS))}
    by_fold: dict[str, dict[int, bool]] = {}
    by_key: dict[str, dict[int, bool]] = {}
    keys_of: dict[str, tuple[str, str]] = {}
    for i, row in enumerate(rows):
        number = -1
        if row["district"]:
            if row["district"] not in districts:
                districts[row["district"]] = len(districts)
                columns["D"].append(row["district"])
                columns["DK"].append(
                    "|".join(dict.fromkeys(k for k in map(district_key, row["district"].split("|")) if k))
                )
            number = districts[row["district"]]
        values = {**row, "district": str(number), "population": row["population"] or "0", "key": skeleton(row["name"])}
        for field in _PLACE_FIELDS:
            columns[f"P:{field}"].append(values[field])
        own, other = _spellings(row)
        for spelling in sorted(own | other):
            if spelling not in keys_of:
                keys_of[spelling] = (exact_key(spelling), skeleton(spelling))
            for key, table in zip(keys_of[spelling], (by_fold, by_key), strict=True):
                if key:
                    seen = table.setdefault(key, {})
                    seen[i] = seen.get(i, False) or spelling in own
    for tag, table in (("F", by_fold), ("K", by_key)):
        columns[tag] = sorted(table)
        columns[f"{tag}E"] = [
            ",".join(f"{r}{'*' if table[k][r] else ''}" for r in sorted(table[k])) for k in columns[tag]
        ]
    header = f"#{FORMAT}\ttext={text_digest()}\tplaces={places_digest}\tplaces_rows={len(rows)}"
    return [header, *(f"{tag}\t{_SEP.join(values)}" for tag, values in columns.items())]


def write_gzip_text(path: Path, text: str) -> int:
    """Write text gzip'd with a zero timestamp (same input, same bytes); return the size in bytes."""
    with path.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return path.stat().st_size


class Places(Sequence[Place]):
    """The places, kept as columns of strings and made into :class:`Place` when asked for."""

    def __init__(self, columns: dict[str, list[str]]) -> None:
        self._columns = [columns[f"P:{f}"] for f in _PLACE_FIELDS]
        self._made: dict[int, Place] = {}
        self._all: list[Place] | None = None

    def __len__(self) -> int:
        return len(self._columns[0])

    @overload
    def __getitem__(self, i: int) -> Place: ...
    @overload
    def __getitem__(self, i: slice) -> list[Place]: ...
    def __getitem__(self, i: int | slice) -> Place | list[Place]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i in self._made:
            return self._made[i]
        gid, post, name, lat, lon, country, admin1, district, pop, kind, feature, key = (c[i] for c in self._columns)
        place = self._made[i] = Place(
            int(gid) if gid else None, post or None, name, float(lat), float(lon), country, admin1 or None,
            int(district), int(pop), kind, feature, key,
        )  # fmt: skip
        return place

    def column(self, field: str) -> list[str]:
        """One field of every place, as written in the index (strings; empty for none)."""
        return self._columns[_PLACE_FIELDS.index(field)]

    def __iter__(self) -> Iterator[Place]:
        if self._all is None:
            self._all = [self[i] for i in range(len(self))]
        return iter(self._all)


def _parse(lines: Iterable[str]) -> Index:
    columns: dict[str, list[str]] = {}
    for line in lines:
        if line and not line.startswith("#"):
            tag, _, values = line.partition("\t")
            columns[tag] = values.split(_SEP) if values else []
    districts = tuple(
        District(tuple(names.split("|")), tuple(k for k in keys.split("|") if k))
        for names, keys in zip(columns["D"], columns["DK"], strict=True)
    )
    return Index(
        Places(columns),
        districts,
        dict(zip(columns["F"], columns["FE"], strict=True)),
        dict(zip(columns["K"], columns["KE"], strict=True)),
    )


def load_index(folder: Path) -> Index:
    """Load the index of the gazetteer in ``folder``, rebuilding it in memory if it is stale or missing.

    Parameters
    ----------
    folder : Path
        Folder holding :data:`PLACES_FILE` and :data:`INDEX_FILE`.

    Returns
    -------
    Index
        The places and their spellings.
    """
    places_path, index_path = folder / PLACES_FILE, folder / INDEX_FILE
    digest = file_digest(places_path)
    if index_path.is_file():
        with gzip.open(index_path, "rt", encoding="utf-8", newline="\n") as handle:
            text = handle.read()
        header, _, body = text.partition("\n")
        fields = dict(f.split("=", 1) for f in header.split("\t")[1:] if "=" in f)
        if header.startswith(f"#{FORMAT}\t") and fields.get("text") == text_digest() and fields.get("places") == digest:
            return _parse(body.split("\n"))
        why = "was made for another places file" if fields.get("places") != digest else "predates geo/_text.py"
    else:
        why = "is missing"
    _log.warning(
        "%s %s: rebuilding it in memory (slow); run `python scripts/build_gazetteer.py --index-only`", index_path, why
    )
    return _parse(index_lines(read_places(places_path), digest)[1:])


def index_text(places_path: Path) -> str:
    """The index file's text for a places file (used by the build script)."""
    buffer = io.StringIO()
    buffer.write("\n".join(index_lines(read_places(places_path), file_digest(places_path))))
    buffer.write("\n")
    return buffer.getvalue()
