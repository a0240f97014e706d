"""Popups and tooltips: an event's title, place, precision, dates, status and claim history, as escaped HTML.

Every value from data goes through :func:`geo.present.escape`; only
http(s) source addresses become links (:func:`geo.present.link`). Words are
translated (:mod:`geo.i18n`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, Final
from urllib.parse import quote

import pandas as pd

from geo import present, schema
from geo.i18n import t, tn
from geo.mapview.plan import MAX_EVENTS_PER_REGION
from geo.present import escape, missing

MAX_CLAIMS_PER_EVENT: Final = 12
MAX_OTHER_SOURCES: Final = 3
MAX_PLACES_IN_TIP: Final = 5
"""Most places a region outline's tooltip names before "and N more"."""
_ADD_CLAIM: ContextVar[str | None] = ContextVar("cm_add_claim", default=None)


@contextlib.contextmanager
def add_claim_links(path: str = "/add_claim") -> Iterator[None]:
    """Popups built inside carry an *Add a claim* link to ``path?event=<id>`` (the dashboard's maps; not exports).

    Parameters
    ----------
    path : str
        The *Add claim* page's address on the dashboard's server.
    """
    token = _ADD_CLAIM.set(path)
    try:
        yield
    finally:
        _ADD_CLAIM.reset(token)


def add_claim_href(event_id: object, path: str = "/add_claim") -> str:
    """The address of the *Add claim* form on an event: ``/add_claim?event=<id, URL-encoded>`` (not HTML-escaped).

    Parameters
    ----------
    event_id : object
        The event's id.
    path : str
        The page's address.

    Returns
    -------
    str
        The address.
    """
    return f"{path}?event={quote(str(event_id), safe='')}"


def _add_claim_link(row: Mapping[str, Any]) -> str:
    """The *Add a claim* link of an event's popup, or "" outside the dashboard.

    It opens the form in a new tab: the map's frame is sandboxed without ``allow-top-navigation``, so a link
    cannot replace the dashboard's own tab (a ``target="_top"`` click does nothing there).
    """
    path = _ADD_CLAIM.get()
    if path is None or missing(row.get("event_id")):
        return ""
    href = escape(add_claim_href(row["event_id"], path))
    link = f'<a href="{href}" target="_blank" rel="noopener">{escape(t("Add a claim"))}</a>'
    return f'<div class="cm-m cm-add">{link}</div>'


def _verdicts_by_claim(verdicts: pd.DataFrame | None, ids: set[str]) -> dict[object, list[tuple[str, str, str]]]:
    """``claim_id`` → ``(assessor, verdict, text)`` of the given events' claims, by assessor (none without verdicts)."""
    needed = {"claim_id", "event_id", "assessor", "text"}
    if verdicts is None or verdicts.empty or not needed <= set(verdicts.columns):
        return {}
    sub = verdicts[verdicts["event_id"].isin(ids)].sort_values(["claim_id", "assessor"], kind="stable")
    out: dict[object, list[tuple[str, str, str]]] = {}
    for record in sub.to_dict("records"):
        if missing(record.get("text")):
            continue
        entry = (str(record["assessor"]), str(record.get("verdict") or ""), str(record["text"]))
        out.setdefault(record["claim_id"], []).append(entry)
    return out


def _claims_by_event(
    claims: pd.DataFrame, event_ids: Iterable[str], verdicts: pd.DataFrame | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Claims of the given events as records, oldest first, each marked ``current`` (its claimant's latest).

    With ``verdicts`` (:func:`geo.control.check.check_claims`), a claim checked against assessments carries
    ``_verdicts``: ``(assessor, verdict, text)`` per assessor, for its popup.
    """
    ids = set(event_ids)
    if claims is None or claims.empty or not ids or "event_id" not in claims.columns:
        return {}
    sub = claims[claims["event_id"].isin(ids)]
    order = [c for c in ("event_id", "stated_at", "claim_id") if c in sub.columns]
    sub = sub.sort_values(order, kind="stable")
    out: dict[str, list[dict[str, Any]]] = {}
    for record in sub.to_dict("records"):
        out.setdefault(record["event_id"], []).append(record)
    checked = _verdicts_by_claim(verdicts, ids)
    for records in out.values():
        for record in records:
            if record.get("claim_id") in checked:
                record["_verdicts"] = checked[record["claim_id"]]
        seen: set[object] = set()
        for record in reversed(records):
            record["_current"] = record.get("claimant") not in seen
            seen.add(record.get("claimant"))
    return out


def _claim_figures(claim: Mapping[str, Any]) -> str:
    """The figures a claim states, escaped: ``intercepted ≥170, hits 3``."""
    parts = [
        present.figure_text(fig, claim.get(fig), claim.get(schema.bound_column(fig)))
        for fig in schema.CLAIM_FIGURES
        if not missing(claim.get(fig))
    ]
    return ", ".join(escape(p) for p in parts if p)


def _claim_sources(claim: Mapping[str, Any]) -> str:
    """``Source: <a>publisher</a> · also [2] [3]``, or ``""`` when the claim has no source."""
    source = present.link(claim.get("source_url"), claim.get("publisher") or claim.get("source_title"))
    others = [u for u in schema.split_multi(claim.get("other_sources")) if present.safe_url(u)][:MAX_OTHER_SOURCES]
    also = ""
    if others:
        links = " ".join(present.link(u, f"[{i}]") for i, u in enumerate(others, start=2))
        also = f" · {escape(t('also'))} {links}"
    if not (source or also):
        return ""
    return f'<div class="cm-m">{escape(t("Source:"))} {source or "—"}{also}</div>'


def _claim_html(claim: Mapping[str, Any]) -> str:
    """One claim as a list item: when, who (and their party), the stance, the figures, the quote, the sources."""
    party = claim.get("party")
    party_html = f' <span class="cm-pa p-{escape(party)}">{escape(party)}</span>' if not missing(party) else ""
    figures = _claim_figures(claim)
    stated = present.stated(claim.get("stated_at"), claim.get("stated_precision"))
    head = (
        f"<b>{escape(stated)}</b> {escape(claim.get('claimant'))}"
        f"{party_html} <i>{escape(present.stance_label(claim.get('stance')))}</i>{': ' + figures if figures else ''}"
    )
    current = claim.get("_current", True)
    if not current:
        head += f" <span class='cm-m'>({escape(t('superseded'))})</span>"
    lines = [head]
    if not missing(claim.get("text")):
        lines.append(f'<div class="cm-q">“{escape(claim.get("text"))}”</div>')
    lines.append(_claim_sources(claim))
    lines += [_verdict_html(*entry) for entry in claim.get("_verdicts", ())]
    cls = "" if current else ' class="cm-old"'
    return f"<li{cls}>{''.join(lines)}</li>"


def _verdict_html(assessor: str, verdict: str, text: str) -> str:
    """A claim's verdict by one assessor, in its wording (which names the assessor and says it is no ground truth)."""
    cls = escape(verdict.replace("_", "-")) if verdict else "none"
    return f'<div class="cm-vd v-{cls}"><b>{escape(assessor)}</b>: {escape(text)}</div>'


def _status_badge(status: object) -> str:
    if missing(status):
        return ""
    return f'<span class="cm-st s-{escape(status)}">{escape(present.status_label(status))}</span>'


def _synthetic_badge(row: Mapping[str, Any]) -> str:
    if row.get("dataset") != schema.SYNTHETIC:
        return ""
    return f' <span class="cm-synth">{escape(t("SYNTHETIC"))}</span>'


def _title(row: Mapping[str, Any]) -> object:
    """The event's title, else its place, else its id."""
    return next((row.get(k) for k in ("title", "place", "event_id") if not missing(row.get(k))), "")


def _claims_list(claims: Sequence[Mapping[str, Any]]) -> str:
    """The latest claims of an event (oldest first), and how many earlier ones are not shown."""
    if not claims:
        return f'<div class="cm-m">{escape(t("No claims recorded."))}</div>'
    shown = claims[-MAX_CLAIMS_PER_EVENT:]
    more = len(claims) - len(shown)
    items = "".join(_claim_html(c) for c in shown)
    note = ""
    if more:
        text = tn("{n} earlier claim not shown", "{n} earlier claims not shown", more)
        note = f'<div class="cm-m">{escape(text)}</div>'
    return f"<ul>{items}</ul>{note}"


def _event_html(row: Mapping[str, Any], claims: Sequence[Mapping[str, Any]]) -> str:
    """One event: title, place, region, precision, dates, status and its claims."""
    meta = [m for m in (escape(row.get("place")), escape(present.region_label(row.get("admin1")))) if m]
    precision = present.precision_label(row.get("geo_precision"))
    when = present.when(row.get("time_start"), row.get("time_end"), row.get("time_precision"))
    parts = [
        f'<div class="cm-t">{escape(_title(row))}</div>',
        f'<div class="cm-m">{" · ".join(meta)}</div>' if meta else "",
        f'<div class="cm-m">{escape(precision)} · {escape(when)} · {_status_badge(row.get("status"))}'
        f"{_synthetic_badge(row)}</div>",
        _claims_list(claims),
        _add_claim_link(row),
    ]
    return "".join(parts)


def _point_popup(row: Mapping[str, Any], claims_of: Mapping[str, list[dict[str, Any]]]) -> str:
    """The popup of an event drawn at its place."""
    return f'<div class="cm-pop">{_event_html(row, claims_of.get(row["event_id"], []))}</div>'


def _tip(row: Mapping[str, Any]) -> str:
    """Tooltip: title and status (and SYNTHETIC), escaped."""
    synthetic = f" · {t('SYNTHETIC')}" if row.get("dataset") == schema.SYNTHETIC else ""
    status = f" — {escape(present.status_label(row.get('status')))}" if not missing(row.get("status")) else ""
    return f"<b>{escape(_title(row))}</b>{status}{escape(synthetic)}"


def _events_list_html(
    frame: pd.DataFrame | Sequence[Mapping[str, Any]],
    claims_of: Mapping[str, list[dict[str, Any]]],
    total: int | None = None,
) -> str:
    """The first events of a region's popup, and how many more there are (``total`` when more than ``frame``).

    ``frame`` is a frame or its rows as records, newest first.
    """
    records = frame.head(MAX_EVENTS_PER_REGION).to_dict("records") if isinstance(frame, pd.DataFrame) else frame
    shown = records[:MAX_EVENTS_PER_REGION]
    blocks = [f'<div class="cm-ev">{_event_html(row, claims_of.get(row["event_id"], []))}</div>' for row in shown]
    more = (len(frame) if total is None else total) - len(shown)
    if more > 0:
        text = t("… and {n} more (filter to see them)", n=present.number(more))
        blocks.append(f'<div class="cm-m cm-ev">{escape(text)}</div>')
    return "".join(blocks)


def _region_name(code: str) -> str:
    """``Bryansk Oblast (RU-BRY)``, escaped."""
    return escape(present.region_label(code))


def _region_popup(code: str, count: str, group: pd.DataFrame, claims_of: Mapping[str, list[dict[str, Any]]]) -> str:
    """The popup of a region outline: what it holds, why it is an outline, and its latest events."""
    note = t("located only to the region — drawn as its outline, not a point")
    header = f'<div class="cm-t">{_region_name(code)}: {escape(count)}</div><div class="cm-m">{escape(note)}</div>'
    return f'<div class="cm-pop">{header}{_events_list_html(group, claims_of)}</div>'


def _region_places(code: str, group: pd.DataFrame) -> list[str]:
    """The places a region's events name, each once, in the order given (newest first), the region itself left out.

    An event without a place counts by its title; a place that is only the
    region's own name (``Bryansk Oblast``) says nothing more and is left out.
    """
    own = {present.region_name(code).casefold(), present.region_name(code, "en").casefold(), str(code).casefold()}
    places = group["place"] if "place" in group.columns else pd.Series([None] * len(group), index=group.index)
    titles = group["title"] if "title" in group.columns else pd.Series([None] * len(group), index=group.index)
    seen: dict[str, str] = {}
    for place, title in zip(places.tolist(), titles.tolist(), strict=True):
        name = place if not missing(place) else title
        if missing(name):
            continue
        text = " ".join(str(name).split())
        key = text.casefold()
        if text and key not in own and key not in seen:
            seen[key] = text
    return list(seen.values())


def _region_tip(code: str, count: str, group: pd.DataFrame) -> str:
    """Tooltip of a region outline: ``<b>Zaporizhzhia Oblast</b>: 3 capture claims — Prydorozhne, Tsvitkove, …``.

    It names the places the outline stands for (:func:`_region_places`), at
    most :data:`MAX_PLACES_IN_TIP`, then how many more; escaped.
    """
    head = f"<b>{escape(present.region_name(code))}</b>: {escape(count)}"
    places = _region_places(code, group)
    if places:
        shown = places[:MAX_PLACES_IN_TIP]
        listed = ", ".join(shown)
        more = len(places) - len(shown)
        if more:
            listed = tn("{places} and {n} more", "{places} and {n} more", more, places=listed)
        head += f" — {escape(listed)}"
    if "dataset" in group.columns and (group["dataset"] == schema.SYNTHETIC).any():
        head += f" · {escape(t('SYNTHETIC'))}"
    return head


def _choropleth_head(code: str, layer: str, row: Mapping[str, Any]) -> str:
    """``<b>Bryansk Oblast (RU-BRY)</b>: 2 impact events<br>power 1, heating 1<br>claimed 2`` (the tooltip)."""
    kinds = sorted(((row[f"n_impact_{k}"], k) for k in schema.IMPACT_TYPES if row.get(f"n_impact_{k}")), reverse=True)
    mix = ", ".join(f"{present.value_label('impact_type', k)} {present.number(n)}" for n, k in kinds)
    statuses = " · ".join(
        f"{present.status_label(s)} {present.number(row[f'n_{s}'])}" for s in schema.STATUSES if row[f"n_{s}"]
    )
    head = f"<b>{_region_name(code)}</b>: {escape(present.count(int(row['n']), layer))}"
    return head + "".join(f"<br>{escape(text)}" for text in (mix, statuses) if text)


def _choropleth_popup(
    head: str, records: Sequence[Mapping[str, Any]], total: int, claims_of: Mapping[str, list[dict[str, Any]]]
) -> str:
    """The popup of a choropleth region: its counts and its latest events."""
    events = _events_list_html(records, claims_of, total=total)
    return f'<div class="cm-pop"><div class="cm-t">{head}</div>{events}</div>'
