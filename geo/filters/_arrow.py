"""Membership tests through Arrow: fast for millions of strings (private to :mod:`geo.filters`)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["member"]


def member(values: pd.Series, pool: pd.Series | pd.Index) -> npt.NDArray[np.bool_]:
    """Whether each value occurs in a pool of values, fast for millions of strings.

    ``Series.isin`` hashes Python strings one by one (seconds for a million
    claims against half a million event ids); this goes through Arrow.

    Parameters
    ----------
    values : Series
        Values to test (e.g. claims' ``event_id``), object or string dtype.
    pool : Series or Index
        Values to look for (e.g. events' ``event_id``).

    Returns
    -------
    numpy.ndarray of bool
        One flag per value; missing values are never members.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    try:
        found = _arrow_is_in(values, pool)
    except (pa.ArrowException, TypeError, ValueError):  # mixed types: the slow, general way
        return values.isin(pd.Index(pool)).to_numpy(dtype=bool, na_value=False)
    return found & ~values.isna().to_numpy()


def _arrow_is_in(values: pd.Series, pool: pd.Series | pd.Index) -> npt.NDArray[np.bool_]:
    """``pc.is_in`` of the values against the pool's distinct non-missing values (raises on mixed types)."""
    haystack = pc.drop_null(pc.unique(pa.array(pd.Series(pool, copy=False), from_pandas=True)))
    needles = pa.array(pd.Series(values, copy=False), from_pandas=True)
    if needles.type != haystack.type:
        haystack = haystack.cast(needles.type)
    found = pc.is_in(needles, value_set=haystack)
    return found.to_numpy(zero_copy_only=False).astype(bool, copy=False)
