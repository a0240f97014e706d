"""Audit: who imported, deleted, restored, recorded or changed what, and when — for admins.

Reading the trail is the ``read_audit`` action: :func:`geo.audit.read` refuses
anyone else on the server, whatever this page shows.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo import audit
from geo.auth import can
from geo.errors import GeoError
from geo.i18n import t
from ui import editing as ui_editing

st.title(t("Audit trail"))
who = ui_editing.actor()
if not can(who, "read_audit"):
    st.error(t("not allowed: reading the audit trail needs the admin role"))
    st.stop()

st.caption(
    t(
        "Every import, dataset deletion and restoration, claim recorded, edited, withdrawn or restored, and user "
        "change, newest first. The application only ever adds rows to it. Times are UTC."
    )
)
left, mid, right = st.columns(3)
actions = left.multiselect(t("Actions"), audit.ACTIONS, key="audit_actions", placeholder=t("All"))
actors = mid.text_input(t("People (names, comma-separated)"), key="audit_actors")
target = right.text_input(t("Target contains"), key="audit_target", help=t("A dataset, a claim id, a user name"))
left, mid, right = st.columns(3)
since = left.date_input(t("From"), value=None, key="audit_since", format="YYYY-MM-DD")
until = mid.date_input(t("To"), value=None, key="audit_until", format="YYYY-MM-DD", max_value=dt.date.today())
limit = right.number_input(
    t("Most rows"), min_value=1, max_value=100_000, value=audit.DEFAULT_LIMIT, step=100, key="audit_limit"
)
names = [n.strip() for n in actors.split(",") if n.strip()]
try:
    frame = audit.read(
        ui_editing.store(),
        who,
        actions=actions or None,
        actors=names or None,
        since=since,
        until=until,
        target=target.strip() or None,
        limit=int(limit),
    )
except GeoError as err:
    st.error(str(err))
    st.stop()
if frame.empty:
    st.info(t("No audit rows match these filters."))
    st.stop()
table = audit.table(frame)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "seq": st.column_config.NumberColumn(t("No."), format="%d"),
        "at": t("When (UTC)"),
        "actor": t("Who"),
        "action": t("Action"),
        "target": t("Target"),
        "details": st.column_config.TextColumn(t("Details"), width="large"),
    },
    key="audit_table",
)
st.download_button(
    t("Download as CSV"),
    audit.csv_bytes(table),
    file_name="audit.csv",
    mime="text/csv",
    key="audit_csv",
)
