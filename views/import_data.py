"""Import: upload a file, check the report and a preview map, then add it to the store as a named dataset."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import present
from geo.auth import Actor, can
from geo.claims import fold
from geo.i18n import t, tn
from geo.importers import FORMATS
from geo.mapview import build_map
from ui import editing as ui_editing
from ui import importing
from views.layer import md


def _report(result: importing.ImportResult) -> None:
    """The report of a read: counts, the text report and the rejected rows."""
    st.subheader(t("Report"))
    cols = st.columns(4)
    cols[0].metric(t("Rows read"), present.number(result.rows))
    cols[1].metric(t("Events to import"), present.number(result.imported))
    cols[2].metric(
        t("Skipped"),
        present.number(sum(result.skipped.values())),
        help=t("Rows of kinds this dashboard does not hold"),
    )
    cols[3].metric(
        t("Rejected"),
        present.number(len(result.rejected_rows)),
        help=t("Rows with errors: listed below, not imported"),
    )
    st.code(result.to_text(), language=None)
    if result.rejected:
        st.dataframe(
            pd.DataFrame([{"row": p.row, "column": p.column, "why": p.message, "fix": p.fix} for p in result.rejected]),
            hide_index=True,
            width="stretch",
            column_config={"row": t("Row"), "column": t("Column"), "why": t("Why"), "fix": t("Fix")},
        )


def _commit(result: importing.ImportResult, name: str, data: bytes, who: Actor | None) -> None:
    """Write the import; when its ids belong to another dataset, say so and offer to import into that one."""
    try:
        written = importing.commit(result, name, importing.digest(data), who)
    except importing.DatasetConflictError as err:
        st.error(importing.conflict_sentence(err, result.format))
        owner = err.only_owner
        if owner is not None and err.updatable("import"):
            st.button(
                t("Import into “{dataset}” instead", dataset=owner),
                key="import_into_owner",
                on_click=importing.import_into,
                args=(owner,),
            )
        return
    except importing.GeoError as err:
        st.error(t("Nothing was imported: {error}", error=err))
        return
    st.success(
        t(
            "Imported into “{dataset}”: {new} new, {updated} updated, {unchanged} unchanged events.",
            dataset=result.dataset,
            new=present.number(written.inserted_events),
            updated=present.number(written.updated_events),
            unchanged=present.number(written.unchanged_events),
        )
    )


st.title(t("Import data"))
who = ui_editing.actor()
if not can(who, "import"):  # the write checks the role again (geo.editing.import_dataset)
    st.error(t("not allowed: importing needs the editor role"))
    st.caption(t("Sign in as an editor (in the sidebar) to import files; viewers read and export."))
    st.stop()
st.caption(
    t(
        "ACLED or UCDP GED exports, spreadsheets (CSV or XLSX in the template below, or any columns mapped here), "
        "GeoJSON, GeoPackage, KML/KMZ or a zipped Shapefile. Nothing is written until you press Import; an import "
        "lands whole or not at all, and importing the same file again changes nothing."
    )
)
st.download_button(
    t("Download the spreadsheet template"),
    importing.TEMPLATE.read_bytes(),
    file_name="events_template.csv",
    mime="text/csv",
    key="import_template",
)
upload = st.file_uploader(t("File to import"), key="import_file")
if upload is not None and (refused := importing.too_large(upload.name, upload.getvalue())):
    st.error(refused)  # for every role: an editor's upload is held to the same limit as anybody's
    upload = None
if upload is not None:
    data = upload.getvalue()
    left, right = st.columns(2)
    fmt = left.selectbox(t("Format"), FORMATS, key="import_format", help=t("auto: recognised from the file's content"))
    if st.session_state.get("import_dataset_of") != upload.name:  # a new file: its name, until the reader changes it
        st.session_state["import_dataset"] = Path(upload.name).stem
        st.session_state["import_dataset_of"] = upload.name
    dataset = right.text_input(t("Dataset name"), key="import_dataset")
    mapping = None
    columns = importing.columns_of(upload.name, data)
    if importing.needs_mapping(columns):
        with st.expander(t("Map your columns to the template"), expanded=True):
            st.caption(
                t("Pick the column that holds each field; leave the rest empty. Fixed values apply to every row.")
            )
            chosen = {
                field: st.selectbox(field, [None, *columns], key=f"import_map_{field}")
                for field in importing.MAPPED_FIELDS
            }
            fixed = {
                field: st.text_input(t("{field} for every row (optional)", field=field), key=f"import_fixed_{field}")
                for field in ("layer", "party", "claimant")
            }
            mapping = {
                "columns": {k: v for k, v in chosen.items() if v},
                "defaults": {k: v for k, v in fixed.items() if v.strip()},
            }
    try:
        result = importing.read_upload(upload.name, data, fmt, dataset, mapping)
    except importing.TimeLimitError:
        st.error(
            t(
                "Reading {name} took longer than {seconds} seconds and was stopped; import it from the command line "
                "(python -m geo import), or split it into smaller files.",
                name=upload.name,
                seconds=present.number(importing.READ_SECONDS),
            )
        )
    except importing.GeoError as err:
        st.error(t("Nothing can be imported from {name}: {error}", name=upload.name, error=err))
    else:
        _report(result)
        if result.imported:
            preview = fold(result.events, result.claims)
            st_folium(build_map(preview, result.claims), key="import_preview", height=420, use_container_width=True,
                      returned_objects=[])  # fmt: skip
            clicked = st.button(
                tn(
                    "Import {n} event as dataset “{dataset}”",
                    "Import {n} events as dataset “{dataset}”",
                    result.imported,
                    dataset=result.dataset,
                ),
                type="primary",
                key="import_commit",
            )
            into = st.session_state.pop("import_into", None)  # "import into that dataset instead" was pressed
            if clicked or into == result.dataset:
                _commit(result, upload.name, data, who)

st.subheader(t("Datasets in the store"))
if deleted := st.session_state.pop("import_deleted", None):
    st.success(deleted)
if refused := st.session_state.pop("import_refused", None):
    st.error(refused)
table = importing.datasets()
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "name": t("Name"),
        "kind": t("Kind"),
        "description": t("Description"),
        "source": t("Source"),
        "created_at": t("Created"),
        "updated_at": t("Updated"),
        "events": t("Events"),
        "claims": t("Claims"),
    },
)
imported = [name for name, kind in zip(table["name"], table["kind"], strict=True) if kind != "bundled"]
if imported and can(who, "delete_dataset"):
    name = st.selectbox(t("Delete a dataset"), [None, *imported], key="import_delete_name")
    if name:
        st.button(
            t("Delete “{name}” and all its claims", name=name),
            key="import_delete",
            on_click=importing.delete_and_say,
            args=(name, who),
        )
elif imported:
    st.caption(t("Deleting a dataset needs the admin role."))
if can(who, "restore_dataset"):
    trash = importing.deleted()
    if len(trash):
        st.subheader(t("Deleted datasets"))
        st.caption(t("A deleted dataset is kept here; restoring puts its events and claims back as they were."))
        for row in trash.to_dict("records"):
            text, button = st.columns([5, 1])
            when = row["deleted_at"].strftime("%Y-%m-%d %H:%M UTC") if pd.notna(row["deleted_at"]) else ""
            text.markdown(
                t(
                    "**{name}** — {events} events, {claims} claims; deleted by {who} on {when}",
                    name=md(row["dataset"]),
                    events=present.number(row["events"]),
                    claims=present.number(row["claims"]),
                    who=md(row["deleted_by"]),
                    when=when,
                )
            )
            button.button(
                t("Restore"),
                key=f"import_restore_{row['deletion']}",
                on_click=importing.restore_and_say,
                args=(row["deletion"], row["dataset"], who),
            )
