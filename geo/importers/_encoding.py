"""Which text encoding a CSV is in, decided by trying: UTF-8 first, then the 8-bit code pages its letters fit.

Exports opened and saved again in Excel on Windows come back in the
machine's "ANSI" code page: Windows-1252 on Western machines, Windows-1251
on Ukrainian and Russian ones. Both decode almost any byte, so decoding
without an error proves nothing; what decides is whether the letters come
out as words of one script:

* UTF-8 (with or without a byte-order mark) when the bytes are valid UTF-8;
  UTF-16 when the file starts with its byte-order mark (Excel's "Unicode
  text").
* Otherwise each code page is tried, and the one whose non-ASCII letters
  sit in plausible words wins: a word all in Cyrillic (``Харків``), or a
  Latin word with accents among ASCII letters (``Mykolaïv``, ``Košice``).
  Cyrillic bytes read as Windows-1252 give words of accented capitals and
  symbols only (``Õàðê³â``); Western bytes read as Windows-1251 mix scripts
  inside a word (``Mykolaпv``). Typographic quotes and dashes are the same
  in both, so a file with only those reads the same either way (Windows-1252
  is said).
* When no code page gives plausible words, or the file mixes UTF-8 with
  another encoding, it is refused: reading it would put garbled names in
  the store.

:func:`read_table` reads the file through :func:`geo.importers._common.read_text_table`
(a file that is not UTF-8 is decoded to a temporary UTF-8 copy of the same
name, so every message still names the user's file).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd

from geo.errors import GeoError
from geo.importers import _common

__all__ = ["NAMES", "detect", "read_table"]

_CODE_PAGES = ("cp1252", "cp1251")
"""Tried in this order; a tie goes to the first."""
NAMES = {
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252 (Western European)",
    "cp1251": "Windows-1251 (Cyrillic)",
}
"""How each encoding :func:`detect` returns is named for people."""
_WORD = re.compile(r"[^\W\d_]*[^\x00-\x7f][^\W\d_]*|[^\x00-\x7f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_LATIN_EXTRA = re.compile(r"[\u00c0-\u024f]")
_PUNCTUATION = frozenset("‘’‚“”„–—…•€™«»°±§©®·×№")
_MOJIBAKE = re.compile(r"[ÃÂÐÑâ][\u0080-\u00bf\u2018-\u203a€™]")  # UTF-8 bytes read as Windows-1252
_MIN_SHARE = 0.9


def _plausible(word: str) -> bool:
    """A run of letters holding a non-ASCII character that reads as a word of one script."""
    if len(word) == 1 and not word.isalpha():
        return word in _PUNCTUATION
    cyrillic = bool(_CYRILLIC.search(word))
    latin = bool(_ASCII_LETTER.search(word) or _LATIN_EXTRA.search(word))
    if cyrillic:
        return not latin
    return bool(_ASCII_LETTER.search(word)) and not _MOJIBAKE.search(word)


def _score(text: str) -> float:
    """Share of the non-ASCII words of ``text`` that are plausible (1.0 when there are none)."""
    words = _WORD.findall(text)
    if not words:
        return 1.0
    return sum(1 for w in words if _plausible(w)) / len(words)


def detect(data: bytes, name: str = "the file") -> str:
    """Say which encoding text bytes are in.

    Parameters
    ----------
    data : bytes
        The whole file (a code page is decided on every letter, not a sample).
    name : str
        The file's name, for the error.

    Returns
    -------
    str
        ``"utf-8"``, ``"utf-16"``, ``"cp1252"`` or ``"cp1251"``.

    Raises
    ------
    GeoError
        When no encoding gives plausible text (mixed encodings, or another
        code page).

    Examples
    --------
    >>> detect("Харків".encode("cp1251"))
    'cp1251'
    >>> detect("Mykolaïv – Kyiv’s".encode("cp1252"))
    'cp1252'
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    best, best_score = None, -1.0
    for code_page in _CODE_PAGES:
        try:
            text = data.decode(code_page)
        except UnicodeDecodeError:
            continue
        score = _score(text)
        if score > best_score:
            best, best_score = code_page, score
    if best is None or best_score < _MIN_SHARE:
        raise GeoError(
            f"{name} is not UTF-8 text, and its letters read as neither Windows-1252 nor Windows-1251 "
            "(mixed encodings?); save it as UTF-8 CSV"
        )
    return best


def read_table(path: Path) -> tuple[pd.DataFrame, str]:
    """Read a CSV as text cells in whatever encoding it is in, and say which.

    Parameters
    ----------
    path : Path
        The CSV.

    Returns
    -------
    tuple of (DataFrame, str)
        The cells (as :func:`geo.importers._common.read_text_table` gives them)
        and the encoding used (see :func:`detect`).

    Raises
    ------
    GeoError
        Binary, empty, without data rows, unreadable, or in no encoding
        that gives plausible text.
    """
    head = _common.head(path)
    if _common.looks_binary(head) and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _common.read_text_table(path), "utf-8"  # says "binary data"
    if not _common.not_utf8(head) and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _common.read_text_table(path), "utf-8"
        except GeoError as err:
            if "not UTF-8" not in str(err):
                raise  # a byte further down that is not UTF-8: detect below
    data = path.read_bytes()
    encoding = detect(data, path.name)
    if encoding == "utf-8":
        return _common.read_text_table(path), encoding
    text = data.decode(encoding).lstrip("\ufeff")
    with tempfile.TemporaryDirectory(prefix="conflictmap-") as folder:
        copy = Path(folder) / path.name
        copy.write_text(text, encoding="utf-8", newline="")
        return _common.read_text_table(copy), encoding
