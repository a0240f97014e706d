"""Add claim: a claim about an event already recorded, or a new event with its first claim; edit, withdraw, restore.

Editors and admins only: anyone else sees "not allowed" and no form, and the
writes themselves (:mod:`geo.editing`) check the role again on the server.
``/add_claim?event=ID`` opens the form on that event (the *Add a claim* link
of every popup and table row).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import editing, i18n, layers, present, schema
from geo.auth import can
from geo.claims import statement_table
from geo.errors import GeoError, ValidationError
from geo.filters import regions_by_country
from geo.i18n import t
from ui import data
from ui import editing as ui_editing

_CLAIM = "ac"  # the claim form's widgets (an existing event)
_NEW = "ne"  # the new event's widgets
_LIST_MAX = 60  # most events the event chooser lists


def _md(text: object) -> str:
    return ui_editing._md(text)


def _flash(events: pd.DataFrame) -> None:
    """The message of the last write (kept across the rerun that shows its result), with the event's status now."""
    done = st.session_state.pop("ac_done", None)
    if not done:
        return
    row = events[events["event_id"] == done["event_id"]]
    status = present.status_label(row["status"].iloc[0]) if len(row) else ""
    what = _md(f"{done['claimant']} — {present.stance_label(done['stance'])}")
    if done.get("op") == "withdraw":
        st.success(t("Withdrawn: {claim} — the event is now {status}.", claim=what, status=status))
    elif done.get("op") == "restore":
        st.success(t("Restored: {claim} — the event is now {status}.", claim=what, status=status))
    else:
        st.success(t("Recorded: {claim} — the event is now {status}.", claim=what, status=status))


def _done(op: str, event_id: str, claim: dict[str, Any]) -> None:
    st.session_state["ac_done"] = {
        "op": op,
        "event_id": event_id,
        "claimant": claim.get("claimant") or "",
        "stance": claim.get("stance") or "",
    }


def _event_label(row: pd.Series) -> str:
    title = row.get("title") if not present.missing(row.get("title")) else row.get("place")
    start = pd.Timestamp(row["time_start"]).strftime("%Y-%m-%d") if not present.missing(row["time_start"]) else ""
    return f"{title} · {start} · {present.status_label(row.get('status'))} ({row['event_id']})"


def _asked(key: str) -> str | None:
    """A page parameter of the address (``ui.state.PAGE_PARAMS`` keeps it there while the sidebar rewrites it)."""
    return st.query_params.get(key) or None


def _wanted_event() -> str | None:
    """``?event=ID`` of the link that opened the page, kept for the session (until another link brings another).

    Kept in the session so that signing in (a rerun without it) still opens the form on that event.
    """
    value = _asked("event")
    if value:
        st.session_state["ac_wanted"] = value
    return st.session_state.get("ac_wanted")


def _choose_event(events: pd.DataFrame) -> str | None:
    """The event to record a claim about: ``?event=ID``, or one found by the search box."""
    wanted = st.session_state.get("ac_wanted")
    ids = set(events["event_id"])
    if wanted and wanted != st.session_state.get("ac_event_param"):  # a link opened: its event, once
        st.session_state["ac_event_param"] = wanted
        if wanted in ids:
            st.session_state["ac_event"] = wanted
        else:
            st.warning(t("There is no event {id} in the store; find the event below.", id=_md(wanted)))
    query = st.text_input(t("Find the event (title, place or id)"), key="ac_search")
    found = events
    if query.strip():
        needle = query.strip().casefold()
        hay = (events["title"].fillna("") + " " + events["place"].fillna("") + " " + events["event_id"]).str.casefold()
        found = events[hay.str.contains(needle, regex=False)]
    found = found.sort_values("time_end", ascending=False).head(_LIST_MAX)
    options = list(found["event_id"])
    chosen = st.session_state.get("ac_event")
    if chosen in ids and chosen not in options:
        options.insert(0, chosen)
    if not options:
        st.info(t("No event matches; record a new event with its first claim instead."))
        return None
    labels = {eid: _event_label(events[events["event_id"] == eid].iloc[0]) for eid in options}
    picked = st.selectbox(
        t("Event"),
        options,
        key="ac_event",
        index=None,
        format_func=lambda e: labels.get(e, e),
        placeholder=t("Choose the event"),
    )
    return picked


def _preview(event: pd.Series, claims: pd.DataFrame) -> None:
    """The event's status and each claimant's current statement."""
    st.markdown(
        f"**{_md(event.get('title') or event.get('place'))}** · "
        f"{_md(present.status_label(event.get('status')))} · {_md(present.region_label(event.get('admin1')))}"
    )
    table = statement_table(pd.DataFrame([event]), claims, current_only=True)
    if len(table):
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_order=["stated", "claimant", "party", "stance", "figures", "source_url"],
            column_config={"source_url": st.column_config.LinkColumn(t("Source"))},
        )


def _start_edit(claim: dict[str, Any], version: int) -> None:
    """Edit button: the form filled with the claim, carrying the version it is based on."""
    st.session_state["ac_edit"] = {"claim_id": claim["claim_id"], "event_id": claim["event_id"], "version": version}
    ui_editing.fill_form(_CLAIM, claim)


def _cancel_edit() -> None:
    st.session_state.pop("ac_edit", None)
    ui_editing.fill_form(_CLAIM, None)


def _claims_list(store: Any, who: Any, claims: pd.DataFrame) -> None:
    """The event's claims with their versions: Edit and Withdraw (editors)."""
    st.subheader(t("Claims about this event"))
    for claim in claims.sort_values(["stated_at", "claim_id"]).to_dict("records"):
        try:
            version = store.claim_version(claim["claim_id"])
        except GeoError:
            continue
        text, edit, withdraw = st.columns([6, 1, 1])
        stated = present.stated(claim.get("stated_at"), claim.get("stated_precision"))
        text.markdown(
            f"{_md(stated)} · **{_md(claim['claimant'])}** · {_md(present.stance_label(claim['stance']))} · "
            + t("version {v}", v=version)
        )
        edit.button(t("Edit"), key=f"ac_edit_{claim['claim_id']}", on_click=_start_edit, args=(claim, version))
        if withdraw.button(t("Withdraw"), key=f"ac_withdraw_{claim['claim_id']}"):
            try:
                editing.withdraw_claim(store, who, claim["claim_id"], version)
            except GeoError as err:
                st.error(str(err))
            else:
                _done("withdraw", claim["event_id"], claim)
                st.rerun()


def _withdrawn(store: Any, who: Any, event_id: str) -> None:
    """Withdrawn claims of the event, each with Restore (admins)."""
    frame = store.withdrawn_claims()
    frame = frame[frame["event_id"] == event_id]
    if frame.empty:
        return
    st.subheader(t("Withdrawn claims"))
    for claim in frame.to_dict("records"):
        text, button = st.columns([7, 1])
        text.markdown(
            f"~~{_md(claim['claimant'])} · {_md(present.stance_label(claim['stance']))}~~ · "
            + t("withdrawn by {who}", who=_md(claim.get("withdrawn_by")))
        )
        if button.button(t("Restore"), key=f"ac_restore_{claim['claim_id']}"):
            try:
                editing.restore_claim(store, who, claim["claim_id"])
            except GeoError as err:
                st.error(str(err))
            else:
                _done("restore", event_id, claim)
                st.rerun()


def _submit(store: Any, who: Any, event_id: str, figures: list[str]) -> None:
    """Record the form (a new claim, or a new version of the claim being edited)."""
    fields = ui_editing.claim_fields(_CLAIM, figures)
    edit = st.session_state.get("ac_edit")
    try:
        if edit and edit["event_id"] == event_id:
            editing.edit_claim(store, who, edit["claim_id"], fields, edit["version"], event_id=event_id)
        else:
            editing.add_claim(store, who, event_id, fields)
    except ValidationError as err:
        st.error(ui_editing.problems_text(err))
    except GeoError as err:  # a stale edit, not allowed, an event gone: the library's sentence
        st.error(str(err))
    else:
        _done("edit" if edit else "add", event_id, fields)
        st.session_state.pop("ac_edit", None)
        st.session_state["ac_clear"] = True
        st.rerun()


def _existing(store: Any, who: Any, loaded: data.Data) -> None:
    event_id = _choose_event(loaded.events)
    if event_id is None:
        return
    event = loaded.events[loaded.events["event_id"] == event_id].iloc[0]
    claims = loaded.claims[loaded.claims["event_id"] == event_id]
    _preview(event, claims)
    _claims_list(store, who, claims)
    if can(who, "restore_claim"):
        _withdrawn(store, who, event_id)
    edit = st.session_state.get("ac_edit")
    if edit and edit["event_id"] == event_id:
        st.subheader(t("Edit claim {id}", id=edit["claim_id"]))
        st.caption(
            t("Based on version {v}: if somebody saves it first, yours is refused, not lost.", v=edit["version"])
        )
        st.button(t("Cancel the edit"), key="ac_cancel", on_click=_cancel_edit)
    else:
        st.subheader(t("New claim about this event"))
    with st.form("ac_form", border=True):
        submitted, figures = ui_editing.claim_form(_CLAIM, event.get("layer"), ui_editing.suggestions())
    if submitted:
        _submit(store, who, event_id, figures)


def _place(prefix: str) -> dict[str, Any]:
    """Where the new event is: a gazetteer place (its point, exact or near), a region only, or a point typed in."""
    how = st.radio(
        t("Where"),
        ["gazetteer", "region", "point"],
        key=f"{prefix}_where",
        horizontal=True,
        format_func=lambda k: {
            "gazetteer": t("A place in the gazetteer"),
            "region": t("A region only (no point)"),
            "point": t("A point from the map"),
        }[k],
    )
    if how == "gazetteer":
        query = st.text_input(t("Place (any spelling, Latin or Cyrillic)"), key=f"{prefix}_q")
        choices = editing.find_places(query) if query.strip() else []
        if query.strip() and not choices:
            st.info(
                t("Not in the gazetteer: choose “A region only” and the region the claim names — no point is made up.")
            )
            return {}
        if not choices:
            return {}
        pick = st.selectbox(
            t("Place found"), range(len(choices)), key=f"{prefix}_pick", format_func=lambda i: choices[i].label
        )
        choice = choices[pick or 0]
        fields = choice.event_fields()
        if choice.precision == "exact":
            fields["geo_precision"] = st.radio(
                t("Precision of the place"),
                ["exact", "near"],
                key=f"{prefix}_prec",
                horizontal=True,
                format_func=present.precision_label,
            )
            st.caption(t("Point {lat}, {lon} from {source}", lat=choice.lat, lon=choice.lon, source=choice.source))
        return fields
    if how == "region":
        labels = {code: label for regions in regions_by_country().values() for code, label in regions}
        code = st.selectbox(
            t("Region"),
            list(labels),
            index=None,
            key=f"{prefix}_region",
            format_func=lambda c: labels.get(c, c),
            placeholder=t("Choose the region"),
        )
        place = st.text_input(t("Place as the claim names it (optional)"), key=f"{prefix}_place")
        return {"admin1": code, "geo_precision": "admin1", "place": place or (labels.get(code) if code else None)}
    _clicked_point(prefix)
    left, right = st.columns(2)
    lon = left.number_input(
        t("Longitude"), value=None, min_value=-180.0, max_value=180.0, format="%.5f", key=f"{prefix}_lon"
    )
    lat = right.number_input(
        t("Latitude"), value=None, min_value=-90.0, max_value=90.0, format="%.5f", key=f"{prefix}_lat"
    )
    precision = st.radio(
        t("Precision of the place"),
        ["exact", "near"],
        key=f"{prefix}_prec",
        horizontal=True,
        format_func=present.precision_label,
    )
    place = st.text_input(t("Place as the claim names it"), key=f"{prefix}_place")
    return {
        "lon": lon,
        "lat": lat,
        "geo_precision": precision,
        "place": place,
        "geo_source": "point given by an editor",
    }


@st.cache_resource(show_spinner=False, max_entries=4)
def _pick_map(lang: str, _template: tuple[gpd.GeoDataFrame, pd.DataFrame]) -> Any:
    """The offline map to click a new event's point on (no events drawn), rendered once per language."""
    from geo.mapview import build_map
    from ui import leaflet

    events, claims = _template  # empty frames of the loaded data's columns (not hashed: the language keys it)
    return leaflet.render(build_map(events, claims, fit=True, lang=lang), keep=False)


def _clicked_point(prefix: str) -> None:
    """A map to click: the point clicked fills the longitude and latitude below (which can still be typed)."""
    from ui import leaflet

    loaded = data.load()
    template = (loaded.events.iloc[:0], loaded.claims.iloc[:0])
    st.caption(t("Click the map where the claim places the event; the point fills the fields below."))
    out = leaflet.show(
        _pick_map(i18n.language(), template), key=f"{prefix}_pick_map", height=360, returned_objects=["last_clicked"]
    )
    click = (out or {}).get("last_clicked") or {}
    if click.get("lat") is None or click.get("lng") is None:
        return
    point = (round(float(click["lng"]), 5), round(float(click["lat"]), 5))
    if st.session_state.get(f"{prefix}_clicked") != point:  # a new click (not the last one reported again)
        st.session_state[f"{prefix}_clicked"] = point
        st.session_state[f"{prefix}_lon"], st.session_state[f"{prefix}_lat"] = point


def _new_event(store: Any, who: Any) -> None:
    names = list(layers.names())
    layer = st.selectbox(t("Layer"), names, key=f"{_NEW}_layer", format_func=present.layer_label)
    st.text_input(t("Title (one line)"), key=f"{_NEW}_title", max_chars=300)
    where = _place(_NEW)
    left, mid, right = st.columns(3)
    start = left.date_input(t("From"), value=None, key=f"{_NEW}_start", format="YYYY-MM-DD")
    end = mid.date_input(t("To (optional)"), value=None, key=f"{_NEW}_end", format="YYYY-MM-DD")
    precision = right.selectbox(
        t("Precision of the date"),
        schema.TIME_PRECISIONS,
        key=f"{_NEW}_tprec",
        format_func=lambda v: present.value_label("time_precision", v),
    )
    with st.form("ne_form", border=True):
        submitted, figures = ui_editing.claim_form(_CLAIM, layer, ui_editing.suggestions())
    if not submitted:
        return
    event = {
        "layer": layer,
        "title": st.session_state.get(f"{_NEW}_title"),
        "time_start": start,
        "time_end": end,
        "time_precision": precision,
        **where,
    }
    if not where:
        event["geo_precision"] = None
    fields = ui_editing.claim_fields(_CLAIM, figures)
    try:
        result = editing.add_event(store, who, event, fields)
    except ValidationError as err:
        st.error(ui_editing.problems_text(err))
    except GeoError as err:
        st.error(str(err))
    else:
        _done("add", result.event_id, fields)
        st.session_state["ac_clear"] = True
        st.session_state["ac_switch"] = result.event_id
        st.rerun()


st.title(t("Add a claim"))
_wanted_event()  # before the role check: a visitor who signs in next still gets the event the link named
who = ui_editing.actor()
if not can(who, "record"):
    st.error(t("not allowed: recording claims needs the editor role"))
    st.caption(t("Sign in as an editor (in the sidebar) to record claims; viewers read and export."))
    st.stop()

if st.session_state.pop("ac_clear", False):  # the last submit was recorded: an empty form (before it is drawn)
    ui_editing.fill_form(_CLAIM, None)
if switch := st.session_state.pop("ac_switch", None):  # a new event was recorded: show it as an existing one
    st.session_state["ac_mode"] = "existing"
    st.session_state["ac_event"] = switch
    st.session_state["ac_event_param"] = st.session_state["ac_wanted"] = switch
store = ui_editing.store()
loaded = data.load()
_flash(loaded.events)
st.caption(
    t(
        "A claim is somebody's statement, with its source: who said it, when, and what. Nothing is overwritten — "
        "an edit keeps the earlier version, and a withdrawn claim can be restored by an admin."
    )
)
mode = st.radio(
    t("Record"),
    ["existing", "new"],
    key="ac_mode",
    horizontal=True,
    format_func=lambda m: (
        t("A claim about an event already recorded") if m == "existing" else t("A new event with its first claim")
    ),
)
if mode == "existing":
    _existing(store, who, loaded)
else:
    _new_event(store, who)
