"""XLSX workbooks read within bounds: the first row's names, and formula cells without a saved value.

Private to :mod:`geo.importers.table`. Both read the zip only after
:func:`geo.importers._common.check_zip` accepted it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from geo.importers import _common

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL = re.compile(r"([A-Z]{1,3})(\d+)$")
_TEXT_TYPES = ("s", "str", "inlineStr")
"""Cell types whose saved value may be an empty string."""


def first_row(p: Path, max_columns: int) -> list[str]:
    """The first row of the first sheet as text, at most ``max_columns + 1`` cells (trailing blanks dropped)."""
    import openpyxl

    _common.check_zip(p, kind="an XLSX workbook")
    book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=max_columns + 1, values_only=True), ())
    finally:
        book.close()
    names = ["" if v is None else str(v).strip() for v in first]
    while names and not names[-1]:
        names.pop()
    return names


def _first_sheet(z: zipfile.ZipFile) -> str | None:
    """The zip member of a workbook's first sheet (the one pandas reads), from ``xl/workbook.xml`` and its rels."""
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    sheet = book.find(f"{_MAIN_NS}sheets/{_MAIN_NS}sheet")
    if sheet is None:
        return None
    rid = sheet.get(f"{_REL_NS}id")
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            return member if member in z.namelist() else None
    return None


def _has_formulas(z: zipfile.ZipFile, member: str) -> bool:
    """Whether a sheet's XML holds a formula element at all (a byte scan, before any parsing)."""
    tail = b""
    with z.open(member) as f:
        while chunk := f.read(1 << 20):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _column_index(letters: str) -> int:
    """0-based index of a column's letters (``A`` → 0, ``AA`` → 26)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def uncached_formulas(path: Path) -> tuple[int | None, list[tuple[int, int, str]]]:
    """Formula cells of the first sheet with no saved value: (header row, [(sheet row, column index, formula)]).

    A workbook written by a program (openpyxl, a script) rather than saved by
    a spreadsheet keeps formulas without their results; read with their
    cached values, those cells come back empty. A formula whose saved result
    is an empty string (``t="str"`` with an empty ``<v>``) is not one of
    them. The header row is the sheet's first row holding cells. A sheet
    without any formula element is not parsed at all.

    Raises
    ------
    KeyError, ElementTree.ParseError, zipfile.BadZipFile
        A workbook whose parts are missing or broken.
    """
    with zipfile.ZipFile(path) as z:
        member = _first_sheet(z)
        if member is None or not _has_formulas(z, member):
            return None, []
        header: int | None = None
        found: list[tuple[int, int, str]] = []
        with z.open(member) as f:
            for _, el in ElementTree.iterparse(f, events=("end",)):
                if el.tag == f"{_MAIN_NS}row":
                    if header is None and len(el):
                        header = int(el.get("r") or 0) or None
                    el.clear()
                    continue
                if el.tag != f"{_MAIN_NS}c":
                    continue
                formula, value = el.find(f"{_MAIN_NS}f"), el.find(f"{_MAIN_NS}v")
                saved = value is not None and (bool(value.text) or el.get("t") in _TEXT_TYPES)
                match = _CELL.match(el.get("r") or "")
                if formula is not None and not saved and match:
                    found.append((int(match.group(2)), _column_index(match.group(1)), formula.text or ""))
    return header, found
