"""Text as every export can carry it: no characters XML 1.0 forbids, and no spreadsheet formulas in CSV cells."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["FORMULA_START", "REPLACEMENT", "clean_text", "neutralise"]

REPLACEMENT: Final = "\ufffd"
"""What stands in for a character a file format cannot carry (U+FFFD REPLACEMENT CHARACTER)."""
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 forbids: C0 controls but tab, LF and CR (NUL among them), lone UTF-16 surrogates
(which no UTF-8 file can hold either), U+FFFE and U+FFFF."""
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
"""A CSV text cell starting with one of these is run as a formula by spreadsheets (OWASP, CSV injection)."""


def clean_text(value: str) -> tuple[str, bool]:
    """``value`` with every character XML 1.0 forbids replaced by U+FFFD.

    Parameters
    ----------
    value : str
        Any text, possibly holding control characters or lone surrogates.

    Returns
    -------
    tuple of (str, bool)
        The text any export can write (UTF-8, well-formed XML), and whether
        anything was replaced.

    Examples
    --------
    >>> clean_text("Bryansk\\x00\\x1b[31m")
    ('Bryansk\\ufffd\\ufffd[31m', True)
    >>> clean_text("ok\\ttab")
    ('ok\\ttab', False)
    """
    cleaned, n = _NOT_XML.subn(REPLACEMENT, value)
    return cleaned, n > 0


def neutralise(value: str) -> str:
    """A CSV text cell a spreadsheet shows as text: a leading ``'`` when it would start a formula.

    As OWASP recommends against CSV injection, a cell starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote in
    front; spreadsheets show the rest as typed. Apply it to text cells only:
    numbers (a figure, a negative longitude) stay numbers.

    Parameters
    ----------
    value : str
        One text cell.

    Returns
    -------
    str
        The cell, prefixed with ``'`` when needed.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise("Bryansk")
    'Bryansk'
    """
    return "'" + value if value.startswith(FORMULA_START) else value
