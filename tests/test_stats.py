"""Key figures (geo/stats.py): every total follows geo/totals.py, over each layer's events, without copying them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import layers, stats, totals
from geo.claims import fold
from geo.seed import load_seed


def _mixed(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` folded-like events of every layer: sides, statuses and figures partly missing, some places shared."""
    rng = np.random.default_rng(seed)
    pick = lambda options, p=None: np.array(options, dtype=object)[rng.choice(len(options), n, p=p)]  # noqa: E731
    admin1 = pick(["UA-14", "UA-23", "RU-BRY", "RU-KLU", "UA-14;UA-23", None])
    start = np.datetime64("2026-02-01") + rng.integers(0, 20, n).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "event_id": [f"x{i}" for i in range(n)],
            "layer": pick(["capture", "strike", "impact", "talks"], p=[0.4, 0.4, 0.15, 0.05]),
            "status": pick(["claimed", "confirmed", "contested", None]),
            "side": pick(["RU", "UA", None]),
            "admin1": admin1,
            "country": [a[:2] if isinstance(a, str) else "UA" for a in admin1],
            "time_start": start.astype("datetime64[ms]"),
            "time_end": (start + rng.integers(0, 3, n).astype("timedelta64[D]")).astype("datetime64[ms]"),
            "title": "event",
            "dataset": pick(["synthetic", "seed"]),
        }
    )
    for figure in ("area_km2", "settlements", "launched", "intercepted"):
        values = rng.integers(1, 30, n).astype(float)
        values[rng.random(n) < 0.4] = np.nan
        frame[figure] = values
        frame[f"{figure}_bound"] = pick(["exact", "about", "at_least"])
    return frame.astype({c: "str" for c in ("layer", "status", "side", "admin1", "country", "dataset")})


@pytest.mark.parametrize("seed", range(3))
def test_key_figures_total_each_layer_and_side_like_the_rule_over_those_events(seed):
    events = _mixed(3000, seed)
    figs = stats.key_figures(events)
    for spec in layers.all_specs():
        mine = events[events["layer"] == spec.name]
        assert figs["figure_totals"][spec.name] == {f: totals.total(mine, f) for f in spec.key_figures}
        assert figs["layers"][spec.name] == len(mine)
    captures = events[events["layer"] == "capture"]
    taken = captures[captures["status"].ne("contested").fillna(True).astype(bool)]
    side = taken["side"].fillna("unknown")
    assert figs["area_totals"] == {s: totals.total(g, "area_km2") for s, g in taken.groupby(side, sort=True)}
    by_side = {s: list(g["status"].value_counts().items()) for s, g in taken.groupby(side, sort=True)}
    assert {s: list(counts.items()) for s, counts in figs["captures"].items()} == by_side  # and in that order
    assert (figs["captures_total"], figs["contested"]) == (len(taken), int((captures["status"] == "contested").sum()))
    impacts = events.loc[events["layer"] == "impact", "admin1"].dropna()
    assert figs["regions_affected"] == len({c for cell in impacts for c in cell.split(";")})
    assert figs["synthetic"] == int((events["dataset"] == "synthetic").sum())


def test_key_figures_decode_the_events_once(monkeypatch):
    """A million events: each total reads the events decoded once, not a copy of its layer's rows."""
    events = fold(*load_seed())
    prepared: list[totals.Prepared] = []
    prepare, total = totals.prepare, totals.total

    def counted(frame: pd.DataFrame) -> totals.Prepared:
        prepared.append(prepare(frame))
        return prepared[-1]

    def checked(frame: object, figure: str, rows: object = None) -> totals.Total:
        assert frame is prepared[0], "a total over a copy of the events"
        return total(frame, figure, rows=rows)

    monkeypatch.setattr(totals, "prepare", counted)
    monkeypatch.setattr(totals, "total", checked)
    figs = stats.key_figures(events)
    assert len(prepared) == 1 and prepared[0].frame is events
    assert figs["intercepted"] == "332–434, claims may overlap"
