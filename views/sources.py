"""Sources: every claim with claimant, party, date, stance and its source; disputed events first; how each
claimant's capture claims fared against the assessments of control loaded (per assessor)."""

from __future__ import annotations

import streamlit as st

from geo.i18n import t, tn
from geo.sources import claims_table, column_labels
from geo.stats import VERDICTS, assessment_caveat, verdict_counts, verdict_label
from ui import components, control, data, state
from views.layer import md

flt = state.current()
events = data.events(flt)
listed, claims, matched = data.latest(flt)

components.header(t("Sources"), flt, events)
components.table_note(len(listed), matched)
query = st.text_input(t("Search claims"), key="sources_search", placeholder=t("claimant, place, publisher, words…"))
table = claims_table(listed, claims, search=query)
if not components.nothing_matches(table, t("claims")):
    st.caption(tn("{n} claim, disputed events first.", "{n} claims, disputed events first.", len(table)))
    labels = column_labels("claims")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_order=[
            "status",
            "stated",
            "claimant",
            "party",
            "stance",
            "title",
            "text",
            "source_url",
            "publisher",
            "other_sources",
            "place",
            "admin1",
            "language",
        ],
        column_config={
            **labels,
            "stated": st.column_config.TextColumn(labels["stated"], help=t("As precisely as it was recorded")),
            "stated_at": st.column_config.DatetimeColumn(labels["stated_at"], format="YYYY-MM-DD HH:mm"),
            "claimant": st.column_config.TextColumn(labels["claimant"], width="medium"),
            "title": st.column_config.TextColumn(labels["title"], width="medium"),
            "source_url": st.column_config.LinkColumn(labels["source_url"]),
        },
    )

assessors = control.assessors()
if assessors and len(events):
    st.subheader(t("Capture claims vs assessment"))
    st.caption(
        md(assessment_caveat(assessors))
        + " "
        + t("Per claimant, how their capture claims located to a settlement fared on each assessor's map.")
    )
    counts = verdict_counts(control.verdicts(flt), by=("claimant", "party"))
    if counts.empty:
        st.info(t("No capture claim these filters keep is located to a settlement: there is nothing to check."))
    else:
        st.dataframe(
            counts,
            hide_index=True,
            width="stretch",
            column_order=["claimant", "party", "assessor", *VERDICTS, "claims"],
            column_config={
                "claimant": st.column_config.TextColumn(t("Claimant"), width="medium"),
                "party": st.column_config.TextColumn(t("Party")),
                "assessor": st.column_config.TextColumn(t("Assessor")),
                **{v: st.column_config.NumberColumn(verdict_label(v)) for v in VERDICTS},
                "claims": st.column_config.NumberColumn(t("Claims checked")),
            },
            key="sources-vs-assessment",
        )
