"""Share of places put in the country (and region) their source states, with and without the stated-region rule.

The gazetteer's GeoNames places are a large set of *sourced* points with a
stated region: GeoNames' own admin-1 code for Ukraine's 33,681 villages and
the postal region for Russia's post offices. Placing each by its point alone
(point-in-polygon on Natural Earth's 1:10m regions, as before issue 12) and by
:func:`geo.placement.place` with the stated region shows what the rule buys,
at the UA/RU border and on the coasts above all.

Run: ``.venv/bin/python bench/placement_share.py``. Prints a Markdown table;
the README quotes it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd

from geo import placement, reference
from geo.gazetteer import places


def _share(mask: np.ndarray) -> str:
    return f"{mask.sum():,} of {len(mask):,} ({100 * mask.mean():.2f}%)"


def main() -> None:
    """Measure and print the shares."""
    gaz = places()
    gaz = gaz[gaz["country"].isin(["UA", "RU"]) & gaz["admin1"].notna() & (gaz["kind"] != "venue")]
    lon, lat = gaz["lon"].to_numpy(float), gaz["lat"].to_numpy(float)
    stated = gaz["admin1"].to_numpy(object)
    country = gaz["country"].to_numpy(object)

    started = time.perf_counter()
    bare = reference.regions_of(lon, lat)
    t_bare = time.perf_counter() - started
    started = time.perf_counter()
    placed = placement.place(lon, lat, stated=stated, country=country)
    t_rule = time.perf_counter() - started

    bare_country = np.array([c[:2] if isinstance(c, str) else None for c in bare], dtype=object)
    rule_country = np.array(
        [a[:2] if isinstance(a, str) else c for a, c in zip(placed.admin1, placed.country, strict=True)], dtype=object
    )
    rule_region = np.array(
        [isinstance(a, str) and s in a.split(";") for a, s in zip(placed.admin1, stated, strict=True)]
    )
    rows = []
    for code in ("UA", "RU"):
        m = country == code
        rows.append(
            {
                "places": f"{code} ({m.sum():,})",
                "country, point only": _share(bare_country[m] == code),
                "country, placement rule": _share(rule_country[m] == code),
                "stated region, point only": _share(bare[m] == stated[m]),
                "stated region, placement rule": _share(rule_region[m]),
            }
        )
    table = pd.DataFrame(rows)
    print("| " + " | ".join(table.columns) + " |")
    print("|" + "---|" * len(table.columns))
    for row in table.itertuples(index=False):
        print("| " + " | ".join(map(str, row)) + " |")
    print()
    print("how:", placed.counts())
    print(f"time: point only {t_bare:.2f} s, placement rule {t_rule:.2f} s (ratio {t_rule / max(t_bare, 1e-9):.1f}×)")


if __name__ == "__main__":
    main()
