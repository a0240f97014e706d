"""Summary figures of a set of events and claims (``python -m geo stats``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo import schema
from geo.claims import derive_status

__all__ = ["summary"]


def _counts(values: pd.Series, keys: tuple[str, ...] = ()) -> dict[str, int]:
    """Counts per value, every key in ``keys`` present (0 if absent), then the rest."""
    counts = values.value_counts()
    out = {k: int(counts.get(k, 0)) for k in keys}
    out |= {str(k): int(v) for k, v in counts.sort_index().items() if k not in out}
    return out


def summary(events: pd.DataFrame, claims: pd.DataFrame) -> dict[str, Any]:
    """Events per layer, per status, per dataset, and the date span.

    Parameters
    ----------
    events : DataFrame
        Validated events.
    claims : DataFrame
        Their validated claims.

    Returns
    -------
    dict
        ``{"events": n, "claims": n, "layers": {layer: n}, "status":
        {status: n}, "datasets": {name: n}, "span": {"first": "YYYY-MM-DD" or
        None, "last": …}}``. Every layer and status is present, with 0 when
        there is none.
    """
    status = events["event_id"].map(derive_status(claims)).fillna("claimed")
    first = events["time_start"].min() if len(events) else None
    last = events["time_end"].max() if len(events) else None
    return {
        "events": len(events),
        "claims": len(claims),
        "layers": _counts(events["layer"], schema.LAYERS),
        "status": _counts(status, schema.STATUSES),
        "datasets": _counts(events["dataset"]),
        "span": {
            "first": None if first is None or pd.isna(first) else pd.Timestamp(first).strftime("%Y-%m-%d"),
            "last": None if last is None or pd.isna(last) else pd.Timestamp(last).strftime("%Y-%m-%d"),
        },
    }
