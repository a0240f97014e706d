"""Where an ACLED or UCDP row says it is: its country, the region it states, the area the project covers.

Both sources state a country (ACLED ``country``, UCDP ``country``) and a
first-level region (ACLED ``admin1``, UCDP ``adm_1``) for every row. The
readers hand both to validation for located rows too: the stated region wins
over a boundary a few kilometres off (see :mod:`geo.validate`), and a point
at sea keeps the stated country.

* Covered area: Ukraine (Crimea and Sevastopol included), Russia and
  Belarus. A row of any other country is skipped and counted by country,
  never imported without a region.
* A stated region is looked up by name (:func:`geo.reference.find_region`,
  then without an "Oblast", "Krai", "Province"… suffix) and kept only when
  it lies in the stated country, or is a Ukrainian region Russia claims and
  the stated country is Russia (the project keys those regions as Ukraine).
  ACLED's own names come first: its ``Kyiv`` is Kyiv Oblast (the capital is
  ``Kyiv City``), its ``Minsk`` is Minsk Oblast (``Minsk City``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.importers import _common

__all__ = ["COVERED", "country_codes", "stated_regions"]

COVERED = {"ukraine": "UA", "russia": "RU", "russia (soviet union)": "RU", "belarus": "BY"}
"""Country names (ACLED's, UCDP's) of the covered area, lower case → ISO 3166-1 alpha-2."""
_ACLED_NAMES = {("UA", "kyiv"): "UA-32", ("BY", "minsk"): "BY-MI"}
_SUFFIX = re.compile(r"\s+(?:oblast|oblast'|krai|kray|province|region|raion|city|republic)\.?$", re.IGNORECASE)


def country_codes(names: np.ndarray) -> np.ndarray:
    """ISO2 code of each country name of the covered area (None for any other).

    Parameters
    ----------
    names : ndarray of str
        Country cells as written.

    Returns
    -------
    ndarray of object
        ``"UA"``, ``"RU"``, ``"BY"`` or None.
    """
    return _common.per_unique(names, lambda t: COVERED.get(t.strip().lower()))


def _stated(name: str, country: str | None, acled: bool) -> str | None:
    from geo import reference

    name = name.strip()
    if not name or not country:
        return None
    code = _ACLED_NAMES.get((country, name.lower())) if acled else None
    if code is None:
        code = reference.find_region(name)
    if code is None and _SUFFIX.search(name):
        code = reference.find_region(_SUFFIX.sub("", name))
    if code is None:
        return None
    if reference.country_of(code) == country:
        return code
    if country == "RU" and code in reference.RUSSIAN_CLAIMED_ANNEXATIONS:
        return code
    return None


def stated_regions(names: np.ndarray, countries: np.ndarray, *, acled: bool) -> np.ndarray:
    """The region code each row states, when it names a region of its country.

    Parameters
    ----------
    names : ndarray of str
        The region cells (ACLED ``admin1``, UCDP ``adm_1``).
    countries : ndarray of object
        The rows' ISO2 countries (from :func:`country_codes`).
    acled : bool
        Read ACLED's own region names first (``Kyiv`` is Kyiv Oblast).

    Returns
    -------
    ndarray of object
        ISO 3166-2 codes, None where the name is blank, unknown or of another country.
    """
    keys = (
        pd.Series(np.asarray(names, dtype=object)).fillna("").astype(str)
        + "\x1f"
        + pd.Series(np.asarray(countries, dtype=object)).fillna("").astype(str)
    )

    def one(key: str) -> str | None:
        name, _, country = key.partition("\x1f")
        return _stated(name, country or None, acled)

    return _common.per_unique(keys.to_numpy(dtype=object), one)
