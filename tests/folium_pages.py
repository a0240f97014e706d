"""Reading rendered folium pages in tests: the GeoJSON they embed."""

from __future__ import annotations

import json
import re


def feature_collections(page: str) -> list[dict]:
    """Every GeoJSON FeatureCollection embedded in a rendered folium page, in page order."""
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r"_add\(|\.addData\(|L\.geoJson\(", page):
        try:
            obj, _ = decoder.raw_decode(page, match.end())
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
            found.append(obj)
    return found
