"""One page for every layer that has one: header, map, tables and charts, all from the layer's :class:`PageSpec`.

``app.py`` adds a page to the navigation for every registered layer with a
``page`` (:func:`page`), so a layer registered with a page gets one with no
other change. The page shows, in order: the title and what the filter keeps,
the layer's map, the periods-and-regions table (``region_table``), the
statements table (with "Show every revision" when ``revisions_toggle``), the
figures over time per claimant (``figure_charts``) and the breakdowns
(``breakdowns``). A layer named in :data:`SECTIONS` gets its own sections after
the statements table: the Captures page its *Claims vs assessment* table
(:func:`claims_vs_assessment`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from geo import layers
from geo.charts import breakdown, figures_over_time
from geo.claims import statement_table
from geo.filters import Filter
from geo.i18n import t
from geo.mapview.popups import add_claim_href
from geo.sources import column_labels, impact_table
from geo.stats import assessment_figures, verdict_table
from ui import components, control, data, state

__all__ = ["SECTIONS", "claim_aggregates", "claims_vs_assessment", "md", "page", "render", "statement_columns"]

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~$])")


def md(text: str) -> str:
    """Text from data, safe in Markdown (every Markdown character escaped).

    Parameters
    ----------
    text : str
        Plain text.

    Returns
    -------
    str
        The same text, shown as it is by ``st.markdown``.
    """
    return _MARKDOWN.sub(r"\\\1", text)


def claim_aggregates(flt: Filter) -> pd.DataFrame:
    """Claims with figures of a filter beside each assessor's change (:func:`ui.control.aggregates`)."""
    return control.aggregates(flt)


def claims_vs_assessment(flt: Filter) -> None:
    """The *Claims vs assessment* section: whose assessments, claimed figures beside the change, a verdict table.

    Parameters
    ----------
    flt : Filter
        The filter of the page (its capture events are checked).
    """
    st.subheader(t("Claims vs assessment"))
    names = control.assessors()
    if not names:
        st.info(
            t(
                "No assessments of control are loaded, so these claims are not set against any. Load control maps "
                "with `python -m geo control import …` (DeepStateMap's daily files, ISW layers, any dated polygon "
                "file)."
            )
        )
        return
    verdicts = control.verdicts(flt)
    figs = assessment_figures(verdicts, claim_aggregates(flt))
    st.caption(
        md(figs["caveat"])
        + " "
        + t(
            "Derived, never typed in: a claim is *reflected* on the first assessed day on or after it that shows "
            "the place held by the claimed side, *at the line* within 500 m of the line, *contradicted* when the "
            "assessor shows the other side holding it. Only capture claims located to a settlement are checked."
        )
    )
    lines = [*figs["aggregates"], *(f"{name}: {figs['lines'][name]}" for name in names if name in figs["lines"])]
    if lines:
        st.markdown("\n".join(f"- {md(line)}" for line in lines))
    table = verdict_table(verdicts)
    if table.empty:
        st.info(t("No capture claim these filters keep is located to a settlement: there is nothing to check."))
        return
    shown = [n for n in names if f"verdict:{n}" in table.columns]
    config: dict[str, Any] = {
        "place": st.column_config.TextColumn(t("Place"), width="medium"),
        "claimant": st.column_config.TextColumn(t("Claimant"), width="medium"),
        "party": st.column_config.TextColumn(t("Party")),
        "claim_day": st.column_config.DateColumn(t("Claimed on"), format="YYYY-MM-DD"),
    }
    for name in shown:
        config[f"verdict:{name}"] = st.column_config.TextColumn(
            name, help=t("{assessor}'s assessment, not ground truth", assessor=name)
        )
        config[f"as_of:{name}"] = st.column_config.DateColumn(
            t("{assessor}: as of", assessor=name), format="YYYY-MM-DD", help=t("The assessed day the verdict is about")
        )
    order = ["place", "claimant", "party", "claim_day"]
    order += [c for name in shown for c in (f"verdict:{name}", f"as_of:{name}")]
    st.dataframe(table, hide_index=True, width="stretch", column_order=order, column_config=config, key="claims-vs")


SECTIONS: dict[str, Callable[[Filter], None]] = {"capture": claims_vs_assessment}
"""Sections a layer's page shows after its statements table, by layer name (each drawn with the page's filter)."""


def page(name: str) -> Callable[[], None]:
    """The page function of a layer, for ``st.Page`` (which needs a callable with its own ``__name__``).

    Parameters
    ----------
    name : str
        A registered layer with a ``page``.

    Returns
    -------
    callable
        Draws :func:`render` for that layer.
    """

    def run() -> None:
        render(name)

    run.__name__ = run.__qualname__ = f"layer_page_{name}"
    run.__doc__ = f"The {name!r} layer's page."
    return run


def _charts(charts: Sequence[alt.Chart]) -> None:
    """Charts two to a row; one alone takes the whole width."""
    for i in range(0, len(charts), 2):
        pair = charts[i : i + 2]
        if len(pair) == 1:
            st.altair_chart(pair[0], width="stretch")
        else:
            for column, chart in zip(st.columns(2), pair, strict=True):
                column.altair_chart(chart, width="stretch")


_FIGURE_CHAR_PX = 8
"""Width of a character of the tables' font (14 px Source Sans), generously: figures must never be cut."""


def _figures_width(figures: pd.Series) -> int:
    """Pixels for the *Figures* column: its longest text whole, between "medium" (200) and "large" (400).

    "launched ≥300; intercepted ≥170; hits 3" shows whole, and a page whose
    statements state few figures (captures) leaves the room to the statement.
    """
    longest = int(figures.astype(str).str.len().max()) if len(figures) else 0
    return max(200, min(400, _FIGURE_CHAR_PX * longest + 24))


def _statement_columns(table: pd.DataFrame) -> dict[str, object]:
    """Column headers and widths of the statements table.

    ``stated`` is the statement time as precisely as it was recorded (a day
    for a statement known only to the day, never a made-up "00:00"); the
    figures get a column wide enough for the longest of them, so "launched
    ≥300; intercepted ≥170; hits 3" shows whole; the event and claimant get
    a medium one, so the figures stay in view in a 1600 px window.
    """
    labels = column_labels("claims")
    return {
        **labels,
        "stated": st.column_config.TextColumn(labels["stated"], help=t("As precisely as it was recorded")),
        "stated_at": st.column_config.DatetimeColumn(labels["stated_at"], format="YYYY-MM-DD HH:mm"),
        "title": st.column_config.TextColumn(labels["title"], width="medium"),
        "claimant": st.column_config.TextColumn(labels["claimant"], width="medium"),
        "figures": st.column_config.TextColumn(labels["figures"], width=_figures_width(table["figures"])),
        "revisions": st.column_config.NumberColumn(t("Earlier statements"), help=t("by the same claimant")),
        "current": st.column_config.CheckboxColumn(t("Latest")),
        "source_url": st.column_config.LinkColumn(labels["source_url"]),
    }


def statement_columns(columns: Sequence[str]) -> list[str]:
    """The statements table's columns to show, in order: a layer's ``table_columns`` with the time as written.

    Parameters
    ----------
    columns : sequence of str
        Columns of :func:`geo.claims.statement_table` (a :class:`geo.layers.PageSpec`'s ``table_columns``).

    Returns
    -------
    list of str
        The same, ``stated_at`` (a datetime, midnight for a statement known only to the day) shown as
        ``stated`` (its text).
    """
    shown = ["stated" if c == "stated_at" else c for c in columns]
    return list(dict.fromkeys(shown))


def _region_table(events: pd.DataFrame) -> None:
    labels = column_labels("impact")
    st.dataframe(
        impact_table(events),
        hide_index=True,
        width="stretch",
        column_config={
            **labels,
            "time_start": st.column_config.DateColumn(labels["time_start"]),
            "time_end": st.column_config.DateColumn(labels["time_end"]),
        },
    )


def render(name: str) -> None:
    """Draw a layer's page.

    Parameters
    ----------
    name : str
        A registered layer with a ``page``.
    """
    spec = layers.get(name)
    page_spec = spec.page
    if page_spec is None:
        raise layers.LayerError(f"layer {name!r} has no page")
    flt = replace(state.current(), layers=(name,))
    events = data.events(flt)
    claims = data.load().claims  # all of them: the map and charts pick those of the events shown

    components.header(t(page_spec.title), flt, events)
    if components.nothing_matches(events, t(spec.nouns)):
        return
    components.event_map(events, claims, flt, layers=(name,), key=f"map-{page_spec.url_path}")
    st.subheader(t(page_spec.heading))
    if page_spec.region_table:
        _region_table(events)
    if page_spec.table_caption:
        st.caption(t(page_spec.table_caption))
    history = page_spec.revisions_toggle and st.toggle(t("Show every revision"), key=f"{page_spec.url_path}_history")
    listed, listed_claims, matched = data.latest(flt)
    components.table_note(len(listed), matched, name)
    table = statement_table(listed, listed_claims, current_only=not history)
    table["add_claim"] = [add_claim_href(e) for e in table["event_id"]]  # the Add claim form on that row's event
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_order=[*statement_columns(page_spec.table_columns), "add_claim"],
        column_config={
            **_statement_columns(table),
            "add_claim": st.column_config.LinkColumn(t("Record"), display_text=t("Add a claim")),
        },
    )
    extra = SECTIONS.get(name)
    if extra is not None:
        extra(flt)
    _charts([figures_over_time(events, claims, figure) for figure in page_spec.figure_charts])
    _charts([breakdown(events, column) for column in page_spec.breakdowns])
