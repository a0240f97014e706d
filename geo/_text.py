"""Name normalisation shared by the region lookup and the gazetteer.

Two keys are made from a name:

``fold``
    The name as written, made insensitive to case, apostrophes and soft signs
    (``Kup'yans'k`` = ``Kupyansk``, ``Купянськ`` = ``Купянск``), Latin
    diacritics (``Zaliznyčne`` = ``Zaliznycne``), stress marks, ``ё``/``е`` and
    hyphens. Two names with the same fold are the same name.
``skeleton``
    The fold transliterated to Latin and reduced to how it sounds across the
    usual romanisations: ``h``/``g``/``kh``, ``y``/``i``/``j``, ``zh``/``z``,
    ``ch``/``c``/``tch``, ``ts``/``c``, ``sh``/``s``, ``w``/``v``, ``ye``/``e``,
    doubled letters collapsed, spaces and hyphens dropped. ``Hulyaipole``,
    ``Gulyaypole``, ``Huliai-Pole`` and ``Гуляйполе`` share one skeleton. Two
    names with the same skeleton are probably spelling variants of one name.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = ["fold", "is_latin_or_cyrillic", "skeleton", "sort_ranks", "transliterate"]

_APOSTROPHES = "'’‘ʼʹ`´″ʻ\"ʺ"
_DROP = _APOSTROPHES + "ьъ"
_FOLD_TABLE = str.maketrans({**dict.fromkeys(_DROP, None), "ё": "е", "-": " ", "‐": " ", "–": " ", "—": " "})
_KEEP_ON_CYRILLIC = {"\u0306", "\u0308"}  # breve (й, ў) and diaeresis (ї): letters, not accents
_SPACES = re.compile(r"\s+")

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ё": "yo",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}  # fmt: skip
_TRANSLIT_TABLE = str.maketrans({**_CYRILLIC, **{k.upper(): v.capitalize() for k, v in _CYRILLIC.items()}})

# Longest first, so "tsch" wins over "ts" and "shch" over "sh".
_SOUNDS = {
    "tsch": "c", "shch": "s", "sch": "s", "tch": "c", "ch": "c", "sh": "s", "zh": "z", "kh": "h",
    "ts": "c", "tz": "c", "cz": "c", "sz": "s", "ph": "f", "ck": "k", "w": "v", "g": "h", "j": "i",
    "y": "i", "q": "k", "x": "ks",
}  # fmt: skip
_SOUNDS_RE = re.compile("|".join(sorted(_SOUNDS, key=len, reverse=True)))
_NOT_LETTER = re.compile(r"[^a-z]+")
_DOUBLED = re.compile(r"(.)\1+")


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _strip_marks(text: str) -> str:
    """Drop accents from Latin letters and stress marks, keep й/ї/ў."""
    out: list[str] = []
    base = ""
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if _is_cyrillic(base) and char in _KEEP_ON_CYRILLIC:
                out.append(char)
            continue
        base = char
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def fold(text: str) -> str:
    """Return the case-, apostrophe-, soft-sign- and accent-insensitive form of a name.

    Parameters
    ----------
    text : str
        A place or region name in any script.

    Returns
    -------
    str
        Lower-case name with apostrophes, ``ь``/``ъ`` and accents removed,
        ``ё`` as ``е``, hyphens as spaces and runs of spaces collapsed.

    Examples
    --------
    >>> fold("Kup’yans’k")
    'kupyansk'
    >>> fold("Купянськ") == fold("КУПЯНСК")
    True
    """
    text = _strip_marks(unicodedata.normalize("NFKC", text).casefold())
    return _SPACES.sub(" ", text.translate(_FOLD_TABLE)).strip()


def transliterate(text: str) -> str:
    """Write Cyrillic letters in Latin (a simple, reversible-enough scheme).

    Parameters
    ----------
    text : str
        Text in any script; only Cyrillic letters change.

    Returns
    -------
    str
        The text with ``Ж`` as ``Zh``, ``х`` as ``kh``, ``ь`` dropped, and so on.

    Examples
    --------
    >>> transliterate("Гуляйполе")
    'Hulyaypole'
    """
    return text.translate(_TRANSLIT_TABLE)


def skeleton(text: str) -> str:
    """Return the romanisation-insensitive key of a name.

    Parameters
    ----------
    text : str
        A place or region name, Latin or Cyrillic.

    Returns
    -------
    str
        Lower-case ASCII letters only; equal for common spelling variants.

    Examples
    --------
    >>> skeleton("Hulyaipole") == skeleton("Gulyay-Pole") == skeleton("Гуляйполе")
    True
    >>> skeleton("Zaporizhzhia") == skeleton("Zaporizhia")
    True
    """
    letters = _NOT_LETTER.sub("", transliterate(fold(text)).lower())
    sounds = _SOUNDS_RE.sub(lambda m: _SOUNDS[m.group()], letters)
    return _DOUBLED.sub(r"\1", sounds.replace("ie", "e"))


def is_latin_or_cyrillic(text: str) -> bool:
    """Tell whether every letter of a name is Latin or Cyrillic.

    Parameters
    ----------
    text : str
        A name.

    Returns
    -------
    bool
        True when the name has at least one letter and no letter of another
        script (Arabic, CJK, Armenian…).
    """
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(_is_cyrillic(c) or unicodedata.name(c, "").startswith("LATIN") for c in letters)


def sort_ranks(values: pd.Series) -> npt.NDArray[np.int64]:
    """Each value's position in sorted order (equal values by position, missing last), for sorting by ids.

    Every rank is distinct, so it sorts unique values (ids) or serves as the last key of a sort; equal
    values that must stay equal need ``pd.factorize(..., sort=True)`` instead.

    Sorted by Arrow, without making a Python string of each value: a million ids in a fraction of a second.
    (NumPy and Arrow are imported here, so the text helpers above stay light to import.)
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    order = pc.sort_indices(pa.array(values.to_numpy(dtype=object), type=pa.string())).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank
