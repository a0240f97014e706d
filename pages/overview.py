"""Overview page (placeholder until the dashboard issue): what the store holds."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import settings
from geo.stats import summary
from geo.store import open_store


@st.cache_data(show_spinner="Loading the store…")
def _load(location: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = open_store(location)
    return pd.DataFrame(store.read_events().drop(columns="geometry")), store.read_claims()


st.title("Conflict claims map")
events, claims = _load(settings.get().store)
stats = summary(events, claims)
if stats["events"] == 0:
    st.info("The store holds no events yet. Load data with `python -m geo synth N --store PATH`.")
else:
    cols = st.columns(len(stats["layers"]))
    for col, (layer, n) in zip(cols, stats["layers"].items(), strict=True):
        col.metric(f"{layer} events", f"{n:,}")
    st.caption(
        f"{stats['span']['first']} → {stats['span']['last']} · datasets: "
        + ", ".join(f"{k} ({v:,})" for k, v in stats["datasets"].items())
    )
    if "synthetic" in stats["datasets"]:
        st.warning(f"{stats['datasets']['synthetic']:,} events are SYNTHETIC test data, not real claims.")
    st.dataframe(
        events[["event_id", "layer", "title", "place", "admin1", "geo_precision", "time_start", "dataset"]],
        hide_index=True,
        use_container_width=True,
    )
