"""Import: upload a file, check the report and a preview map, then add it to the store as a named dataset."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.claims import fold
from geo.importers import FORMATS
from geo.mapview import build_map
from ui import importing

st.title("Import data")
st.caption(
    "ACLED or UCDP GED exports, spreadsheets (CSV or XLSX in the template below, or any columns mapped here), "
    "GeoJSON, GeoPackage, KML/KMZ or a zipped Shapefile. Nothing is written until you press Import; an import "
    "lands whole or not at all, and importing the same file again changes nothing."
)
st.download_button(
    "Download the spreadsheet template",
    importing.TEMPLATE.read_bytes(),
    file_name="events_template.csv",
    mime="text/csv",
    key="import_template",
)
upload = st.file_uploader("File to import", key="import_file")
if upload is not None:
    data = upload.getvalue()
    left, right = st.columns(2)
    fmt = left.selectbox("Format", FORMATS, key="import_format", help="auto: recognised from the file's content")
    dataset = right.text_input("Dataset name", value=Path(upload.name).stem, key="import_dataset")
    mapping = None
    columns = importing.columns_of(upload.name, data)
    if importing.needs_mapping(columns):
        with st.expander("Map your columns to the template", expanded=True):
            st.caption("Pick the column that holds each field; leave the rest empty. Fixed values apply to every row.")
            chosen = {
                field: st.selectbox(field, [None, *columns], key=f"import_map_{field}")
                for field in importing.MAPPED_FIELDS
            }
            fixed = {
                field: st.text_input(f"{field} for every row (optional)", key=f"import_fixed_{field}")
                for field in ("layer", "party", "claimant")
            }
            mapping = {
                "columns": {k: v for k, v in chosen.items() if v},
                "defaults": {k: v for k, v in fixed.items() if v.strip()},
            }
    try:
        result = importing.read_upload(upload.name, data, fmt, dataset, mapping)
    except importing.GeoError as err:
        st.error(f"Nothing can be imported from {upload.name}: {err}")
    else:
        st.subheader("Report")
        cols = st.columns(4)
        cols[0].metric("Rows read", f"{result.rows:,}")
        cols[1].metric("Events to import", f"{result.imported:,}")
        cols[2].metric(
            "Skipped", f"{sum(result.skipped.values()):,}", help="Rows of kinds this dashboard does not hold"
        )
        cols[3].metric(
            "Rejected", f"{len(result.rejected_rows):,}", help="Rows with errors: listed below, not imported"
        )
        st.code(result.to_text(), language=None)
        if result.rejected:
            st.dataframe(
                pd.DataFrame(
                    [{"row": p.row, "column": p.column, "why": p.message, "fix": p.fix} for p in result.rejected]
                ),
                hide_index=True,
                width="stretch",
            )
        if result.imported:
            preview = fold(result.events, result.claims)
            st_folium(build_map(preview, result.claims), key="import_preview", height=420, use_container_width=True,
                      returned_objects=[])  # fmt: skip
            if st.button(f"Import {result.imported:,} events as dataset “{result.dataset}”", type="primary",
                         key="import_commit"):  # fmt: skip
                written = importing.commit(result)
                st.success(
                    f"Imported into “{result.dataset}”: {written.inserted_events:,} new, "
                    f"{written.updated_events:,} updated, {written.unchanged_events:,} unchanged events."
                )

st.subheader("Datasets in the store")
if deleted := st.session_state.pop("import_deleted", None):
    st.success(deleted)
table = importing.datasets()
st.dataframe(table, hide_index=True, width="stretch")
imported = [name for name, kind in zip(table["name"], table["kind"], strict=True) if kind != "bundled"]
if imported:
    name = st.selectbox("Delete a dataset", [None, *imported], key="import_delete_name")
    if name:
        st.button(
            f"Delete “{name}” and all its claims", key="import_delete", on_click=importing.delete_and_say, args=(name,)
        )
