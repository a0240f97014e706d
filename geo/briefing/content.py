"""What a briefing says, apart from how it is laid out: frame, key claims, honest totals, sources, filter words.

The layouts (a slide PNG, a multi-page PDF, a PowerPoint deck) all render
the same content, built here from the filtered events and their claims:

* :func:`frame` — the map extent: the filter's regions, else its drawn area,
  else the located events (region-level events by their outlines), with a
  margin on every side;
* :func:`key_claims` — one :class:`ClaimLine` per claimant of each event:
  the latest figure with its history ("Governor of Bryansk Oblast (A.
  Bogomaz): intercepted 120 → ≥170 → 229, 15–16 Feb 2026"), the other
  side's answers, the status, the verdicts of assessed control, the source
  numbers;
* :func:`honest_totals` — the key figures, never adding claims that may
  overlap (:mod:`geo.totals`);
* :func:`sources` — the numbered references the lines cite;
* :func:`filter_words` — the filter in words (:func:`geo.filters.describe`);
* :func:`briefing` — all of them at once, consistent with one another.

Every part is plain text in separate fields (a PPTX table cell, an HTML
panel and a PDF line each pick what they show); escape it before it goes
into HTML. Figures, dates, statuses and stances are written by
:mod:`geo.present`; the wording of verdicts is :mod:`geo.control.check`'s.

Order of the key claims (most important first): events by status —
disputed, contested, claimed, confirmed, retracted, the order of the Sources
page (what a reader must not take at face value first) — then by their
largest claimed figure, then by how many statements they have, then by
their first statement; within an event, the claiming side's claimants (and
independent ones) in the order they first spoke. Sources are numbered in
the order the lines cite them, so the first line cites ``[1]``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from geo import i18n, present, schema, stats, totals
from geo import layers as registry
from geo._text import sort_ranks
from geo.briefing._frame import frame
from geo.briefing._model import Answer, Briefing, ClaimLine, ClaimRow, Figure, TotalLine, Verdict, Walk, ordered
from geo.briefing._sources import Source, number_sources
from geo.claims import ASSERTING, derive_status, fold
from geo.filters import filter_claims
from geo.i18n import t

if TYPE_CHECKING:
    from geo.filters import Filter

__all__ = [
    "Answer",
    "Briefing",
    "ClaimLine",
    "ClaimRow",
    "Figure",
    "Source",
    "TotalLine",
    "Verdict",
    "briefing",
    "claim_rows",
    "filter_words",
    "frame",
    "honest_totals",
    "key_claims",
    "sources",
]


# -- the order of events, claimants and statements ----------------------------------------------------------------


def _walk(claims: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """All claims in briefing order, with ``_role`` (0: a claimant of the event, 1: an answer); and the statuses.

    Events most important first (see the module), each event's claimants
    (then its answering claimants) in the order they first spoke, each
    claimant's statements in reading order. (:class:`Walk` ranks them;
    a briefing takes out only the first events' rows.)
    """
    c = claims.reset_index(drop=True)
    if c.empty:
        return c.assign(_role=pd.Series([], dtype=int)), derive_status(c)
    walk = Walk.of(c)
    return walk.frame(), walk.statuses(np.arange(len(walk.ev_ids)))


# -- key claims ---------------------------------------------------------------------------------------------------


def _figure(name: str, pairs: list[tuple[float, object]]) -> Figure:
    """A figure from a claimant's values, oldest first (:func:`geo.present.figure_history`)."""
    value, bound = pairs[-1]
    latest = present.figure(value, bound)
    history = present.figure_history(pairs)
    label = present.figure_label(name)
    written = present.figure_text(name, value, bound)  # "area 200 km²": the name, the figure, the unit
    unit = written[len(label) + 1 + len(latest) :]
    bound_text = "exact" if present.missing(bound) else str(bound)
    return Figure(name, label, latest, history, f"{label} {history}{unit}", float(value), bound_text)


def _figures(rows: pd.DataFrame) -> tuple[Figure, ...]:
    """Each figure a claimant's claiming statements state (rows oldest first)."""
    claiming = rows[rows["stance"].isin(ASSERTING)]
    out = []
    for name in schema.CLAIM_FIGURES:
        if name not in claiming.columns:
            continue
        stated = claiming[claiming[name].notna()]
        if len(stated):
            bounds = stated.get(schema.bound_column(name), pd.Series([None] * len(stated), index=stated.index))
            out.append(_figure(name, list(zip(stated[name].astype(float), bounds, strict=True))))
    return tuple(out)


def _cell(value: object) -> str:
    return "" if present.missing(value) else str(value)


def _numbers(claim_ids: list[object], cites: dict[object, tuple[int, ...]]) -> tuple[int, ...]:
    seen: dict[int, None] = {}
    for cid in claim_ids:
        for n in cites.get(cid, ()):
            seen.setdefault(n, None)
    return tuple(seen)


def _answer(rows: pd.DataFrame, cites: dict[object, tuple[int, ...]]) -> Answer:
    """A claimant's answer: its current statement (rows oldest first)."""
    last = rows.iloc[-1]
    figures = ", ".join(
        text
        for name in schema.CLAIM_FIGURES
        if name in rows.columns
        and (text := present.figure_text(name, last.get(name), last.get(schema.bound_column(name))))
    )
    return Answer(
        claimant=_cell(last["claimant"]),
        party=_cell(last.get("party")),
        stance=_cell(last["stance"]),
        stance_text=present.stance_label(last["stance"]),
        figures=figures,
        stated=present.stated(last["stated_at"], last.get("stated_precision") or "day"),
        day=present.day(last["stated_at"]),
        quote=_cell(last.get("text")),
        sources=_numbers([last["claim_id"]], cites),
    )


def _verdicts(verdicts: pd.DataFrame | None, claim_ids: list[object]) -> tuple[Verdict, ...]:
    """Per assessor, the verdict on the latest of these claims it checked."""
    if verdicts is None or verdicts.empty or not {"claim_id", "assessor", "verdict"} <= set(verdicts.columns):
        return ()
    rank = {cid: i for i, cid in enumerate(claim_ids)}
    mine = verdicts[verdicts["claim_id"].isin(rank)]
    if mine.empty:
        return ()
    mine = mine.assign(_at=mine["claim_id"].map(rank)).sort_values(["assessor", "_at"], kind="stable")
    out = []
    for row in mine.drop_duplicates("assessor", keep="last").to_dict("records"):
        out.append(
            Verdict(
                assessor=str(row["assessor"]),
                verdict=_cell(row.get("verdict")),
                label=stats.verdict_label(_cell(row.get("verdict"))),
                as_of=present.day(row.get("as_of")),
                text=_cell(row.get("text")),
            )
        )
    return tuple(out)


def _place(event: dict[str, Any]) -> str:
    place = _cell(event.get("place"))
    return place or present.region_label(event.get("admin1"), with_code=False)


def _event_lines(
    event: dict[str, Any],
    rows: pd.DataFrame,
    status: str,
    cites: dict[object, tuple[int, ...]],
    verdicts: pd.DataFrame | None,
) -> list[ClaimLine]:
    """The lines of one event (``rows``: its claims in briefing order)."""
    chrono = rows.assign(_k=sort_ranks(rows["claim_id"])).sort_values(["stated_at", "_k"], kind="stable")
    answers = tuple(
        _answer(group, cites) for _who, group in chrono[chrono["_role"] == 1].groupby("claimant", sort=False)
    )
    answer_order = {c: i for i, c in enumerate(rows.loc[rows["_role"] == 1, "claimant"].drop_duplicates())}
    answers = tuple(sorted(answers, key=lambda a: answer_order.get(a.claimant, 0)))
    base = {
        "event_id": str(event["event_id"]),
        "title": _cell(event.get("title")),
        "layer": _cell(event.get("layer")),
        "place": _place(event),
        "event_dates": present.date_range(event.get("time_start"), event.get("time_end")),
        "status": status,
        "status_text": present.status_label(status),
        "answers": answers,
    }
    out = []
    for claimant in rows.loc[rows["_role"] == 0, "claimant"].drop_duplicates().tolist():
        mine = chrono[chrono["claimant"] == claimant]
        read = rows[rows["claimant"] == claimant]
        last = mine.iloc[-1]
        days = pd.to_datetime(mine["stated_at"])
        out.append(
            ClaimLine(
                **base,
                claimant=_cell(claimant),
                party=_cell(last.get("party")),
                stance=_cell(last["stance"]),
                stance_text=present.stance_label(last["stance"]),
                figures=_figures(mine),
                dates=present.date_range(days.min(), days.max()),
                verdicts=_verdicts(verdicts, mine["claim_id"].tolist()),
                sources=_numbers(read["claim_id"].tolist(), cites),
                statements=len(mine),
            )
        )
    return out


def _meta(events: pd.DataFrame, ids: object) -> dict[object, dict[str, Any]]:
    """The rows (without geometry) of the events with these ids, by id: Python only for the events shown."""
    rows = events[events["event_id"].isin(pd.Index(ids))]
    return {r["event_id"]: r for r in rows.drop(columns="geometry", errors="ignore").to_dict("records")}


def _lines(
    events: pd.DataFrame,
    walk: pd.DataFrame,
    status: pd.Series,
    cites: pd.DataFrame,
    verdicts: pd.DataFrame | None,
    limit: int | None,
) -> list[ClaimLine]:
    """Key-claim lines of the given events, from claims in briefing order (a prefix will do), at most ``limit``."""
    if walk.empty or events is None or len(events) == 0:
        return []
    meta = _meta(events, walk["event_id"].unique())
    walk = walk[walk["event_id"].isin(list(meta))]
    if limit is not None:  # the first events whose lines make up the limit: no Python for the rest
        firsts = walk[walk["_role"] == 0].drop_duplicates(["event_id", "claimant"])
        per_event = firsts.groupby("event_id", sort=False).size()
        wanted = per_event.index[: int(np.searchsorted(per_event.cumsum().to_numpy(), limit) + 1)]
        walk = walk[walk["event_id"].isin(list(wanted))]
    mine = cites[cites["claim_id"].isin(walk["claim_id"])]
    if verdicts is not None and "claim_id" in verdicts.columns:
        verdicts = verdicts[verdicts["claim_id"].isin(walk["claim_id"])]
    by_claim: dict[object, tuple[int, ...]] = {
        cid: tuple(group.tolist()) for cid, group in mine.groupby("claim_id", sort=False)["number"]
    }
    out: list[ClaimLine] = []
    for event_id, rows in walk.groupby("event_id", sort=False):
        out += _event_lines(meta[event_id], rows, _cell(status.get(event_id)), by_claim, verdicts)
        if limit is not None and len(out) >= limit:
            return out[:limit]
    return out


def key_claims(
    events: pd.DataFrame,
    claims: pd.DataFrame,
    *,
    verdicts: pd.DataFrame | None = None,
    limit: int | None = None,
    lang: str | None = None,
) -> list[ClaimLine]:
    """The key claims of a briefing: per event and claimant, the latest figures with their history.

    Parameters
    ----------
    events : DataFrame
        The events shown (``event_id``, ``title``, ``layer``, ``place``,
        ``admin1``, ``time_start``, ``time_end``).
    claims : DataFrame
        Their claims (claims of other events are not shown, but are
        numbered: pass the same claims to :func:`sources`).
    verdicts : DataFrame, optional
        :func:`geo.control.check.check_claims`: each line then carries, per
        assessor, the verdict on the claimant's latest checked claim.
    limit : int, optional
        At most this many lines (the most important; see the module).
    lang : str, optional
        Language of the words (default: the current one).

    Returns
    -------
    list of ClaimLine
        Most important first. Each event's claiming claimants (those who
        assert or revise it and are not of the other side) have a line; the
        other claimants' current statements are its ``answers``. An event
        that nobody claims (fighting reported only) has a line per
        claimant. Figures, their histories and ``latest`` follow each
        claimant's statements in time (the current one last, as
        :func:`geo.claims.fold` reads them).
    """
    if events is None or len(events) == 0:
        return []
    with i18n.using(lang):
        walk, status, _n, _statements = ordered(claims, events, limit, 0, events)
        _sources, cites = number_sources(walk)
        return _lines(events, walk, status, cites, verdicts, limit)


CLAIMS_LIMIT: Final = 300
"""Rows of a briefing's claims table at most (the rest are counted and are in the data exports)."""


def _statement_figures(row: dict[str, Any]) -> str:
    return ", ".join(
        text
        for name in schema.CLAIM_FIGURES
        if name in row and (text := present.figure_text(name, row.get(name), row.get(schema.bound_column(name))))
    )


def _claim_rows(
    events: pd.DataFrame,
    walk: pd.DataFrame,
    status: pd.Series,
    cites: pd.DataFrame,
    limit: int,
    total: int | None = None,
) -> tuple[list[ClaimRow], int]:
    """The claims table from claims in briefing order: at most ``limit`` rows, and how many are left out.

    ``walk`` may be a prefix of the order; ``total`` then counts the statements on ``events`` in all.
    """
    if walk.empty or events is None or len(events) == 0:
        return [], 0
    meta = _meta(events, walk["event_id"].unique())
    shown = walk[walk["event_id"].isin(list(meta))]
    more = max(0, (len(shown) if total is None else total) - limit)
    shown = shown.head(limit)
    mine = cites[cites["claim_id"].isin(shown["claim_id"])]
    by_claim = {cid: tuple(int(n) for n in g) for cid, g in mine.groupby("claim_id", sort=False)["number"]}
    out = []
    for row in shown.to_dict("records"):
        event = meta[row["event_id"]]
        title = _cell(event.get("title"))
        place = _place(event)
        out.append(
            ClaimRow(
                event_id=str(row["event_id"]),
                event=f"{place} — {title}" if place and title and title != place else (place or title),
                claimant=_cell(row.get("claimant")),
                party=_cell(row.get("party")),
                stated=present.stated(row.get("stated_at"), row.get("stated_precision") or "day"),
                stance=_cell(row.get("stance")),
                stance_text=present.stance_label(row.get("stance")),
                figures=_statement_figures(row),
                status_text=present.status_label(_cell(status.get(row["event_id"]))),
                sources=by_claim.get(row["claim_id"], ()),
            )
        )
    return out, more


def claim_rows(
    events: pd.DataFrame, claims: pd.DataFrame, *, limit: int = CLAIMS_LIMIT, lang: str | None = None
) -> tuple[list[ClaimRow], int]:
    """The claims table of a briefing: every statement on the events, in briefing order.

    Parameters
    ----------
    events : DataFrame
        The events shown.
    claims : DataFrame
        Their claims (numbered as :func:`sources` numbers them).
    limit : int
        At most this many rows (:data:`CLAIMS_LIMIT`).
    lang : str, optional
        Language of the words (default: the current one).

    Returns
    -------
    list of ClaimRow, int
        The rows — each event's claimants, then its answers, each
        claimant's statements in reading order — and how many statements
        beyond ``limit`` were left out.
    """
    mine = filter_claims(claims, events) if len(claims) else claims
    with i18n.using(lang):
        walk, status, _lines_n, statements = ordered(mine, events, 0, limit, events)
        _listed, cites = number_sources(walk)
        return _claim_rows(events, walk, status, cites, limit, statements)


def sources(claims: pd.DataFrame, *, lang: str | None = None) -> list[Source]:
    """The numbered references of a briefing, in the order the key claims cite them.

    Parameters
    ----------
    claims : DataFrame
        The claims (the same as given to :func:`key_claims`).
    lang : str, optional
        Language of "unknown" for a source with no name (default: the current one).

    Returns
    -------
    list of Source
        Each distinct source once (by its address, else its publisher and
        title), numbered from 1 in order of first citation: events and
        claimants in key-claims order, each statement's own source, then the
        outlets that also reported it.
    """
    with i18n.using(lang):
        walk, _status = _walk(claims)
        return number_sources(walk)[0]


# -- totals and words ---------------------------------------------------------------------------------------------


def _folded(events: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """``events`` folded with their claims, unless they already are."""
    needed = {"status", *schema.CLAIM_FIGURES}
    if needed <= set(events.columns):
        return events
    mine = claims[claims["event_id"].isin(events["event_id"])] if len(claims) else claims
    return fold(events, mine)


def _total_line(label: str, value: totals.Total, layer: str, figure: str, claims: pd.DataFrame) -> TotalLine:
    note = ""
    if value.is_range:
        ids = [p.event_id for g in value.groups for p in g.parts]
        stated = claims
        if figure in claims.columns:  # only the statements of the figure, only the columns read: 1.7M claims
            read = [c for c in ("event_id", "claim_id", "claimant", "stance", "stated_at", figure) if c in claims]
            stated = claims[read][claims[figure].notna().to_numpy()]
        note = totals.overlap_text(value, totals.figure_claimants(stated, ids, figure))
    return TotalLine(label, totals.total_text(value), layer, figure, value.is_range, note, value)


def honest_totals(events: pd.DataFrame, claims: pd.DataFrame, *, lang: str | None = None) -> list[TotalLine]:
    """The key figures of a briefing, never adding claims that may overlap.

    Parameters
    ----------
    events : DataFrame
        The events shown (folded or not: they are folded with ``claims`` when not).
    claims : DataFrame
        Their claims (who stated each overlapping figure).
    lang : str, optional
        Language (default: the current one).

    Returns
    -------
    list of TotalLine
        For each registered layer with events, in the registry's order: its
        count, then its key figures' totals (:func:`geo.stats.key_figures`,
        :func:`geo.totals.total`): one number where claims cannot overlap, a
        range ("229–331, claims may overlap") with a ``note`` naming the
        claims where they may. Captures count those not contested, then the
        contested ones, then the claimed area per side; a layer drawn as regions
        (impacts) counts the regions affected (its events in ``note``). Synthetic events are
        counted last.
    """
    if events is None or len(events) == 0:
        return []
    with i18n.using(lang):
        folded = _folded(events, claims)
        k = stats.key_figures(folded)
        out: list[TotalLine] = []
        for spec in registry.all_specs():
            n = k["layers"].get(spec.name, 0)
            if not n:
                continue
            if spec.name == "capture":
                out.append(TotalLine(present.layer_label("capture"), present.number(k["captures_total"]), "capture"))
                if k["contested"]:
                    out.append(TotalLine(present.status_label("contested"), present.number(k["contested"]), "capture"))
                for side, value in k["area_totals"].items():
                    out.append(_total_line(t("{side} claims, km²", side=side), value, "capture", "area_km2", claims))
                continue
            if spec.drawn_as == "choropleth":  # "Affected regions": regions, its events in the note
                regions, events_n = present.number(k["regions_affected"]), present.count(n, spec.name)
                out.append(TotalLine(present.layer_label(spec.name), regions, spec.name, note=events_n))
            else:
                out.append(TotalLine(present.layer_label(spec.name), present.number(n), spec.name))
            for name, value in k["figure_totals"].get(spec.name, {}).items():
                if value.claims:
                    out.append(_total_line(present.figure_label(name), value, spec.name, name, claims))
        if k["synthetic"]:
            out.append(TotalLine(t("SYNTHETIC"), present.number(k["synthetic"])))
        return out


def filter_words(flt: Filter | None, *, lang: str | None = None) -> str:
    """The filter in words, as the exports' headers write it (:meth:`geo.filters.Filter.describe`).

    Parameters
    ----------
    flt : Filter or None
        The filter (None: everything).
    lang : str, optional
        Language (default: the current one).

    Returns
    -------
    str
        ``"events or statements 15–16 Feb 2026 · Bryansk Oblast · strikes"``: the dates and what they
        are matched against, regions, area, layers, statuses…; ``"All events"`` without a filter.
    """
    with i18n.using(lang):
        return flt.describe() if flt is not None else t("All events")


# -- everything at once -------------------------------------------------------------------------------------------


def briefing(
    events: pd.DataFrame,
    claims: pd.DataFrame,
    flt: Filter | None = None,
    *,
    verdicts: pd.DataFrame | None = None,
    limit: int | None = None,
    made: dt.datetime | None = None,
    margin: float = 0.08,
    lang: str | None = None,
    title: str = "",
    provenance: str = "",
    claims_limit: int = CLAIMS_LIMIT,
) -> Briefing:
    """Everything a briefing layout renders, consistent with one another (the lines cite the sources listed).

    Parameters
    ----------
    events : DataFrame
        The filtered events (folded or not; folded ones' ``status`` is read
        as the map and the totals read it, not derived again).
    claims : DataFrame
        Claims; only those of ``events`` are used.
    flt : Filter, optional
        The filter (the frame and its words).
    verdicts : DataFrame, optional
        :func:`geo.control.check.check_claims` of the same events.
    limit : int, optional
        At most this many key-claim lines (``lines_total`` counts them all).
    made : datetime, optional
        When it was made (default: now, UTC).
    margin : float
        The frame's margin (:func:`frame`).
    lang : str, optional
        Language (default: the current one).
    title : str
        The title ("" for the layout's default).
    provenance : str
        From which data it was made (``"data/conflict.gpkg · datasets seed · 42 of 42 events"``).
    claims_limit : int
        Rows of the claims table at most (:func:`claim_rows`).

    Returns
    -------
    Briefing
        ``frame``, ``filter_words``, ``lines`` (with ``lines_total``), ``totals``, ``sources``, ``caveat``,
        ``made``, ``claims`` (with ``claims_more``), ``title``, ``provenance`` and, with verdicts,
        ``assessment_caveat``. The sources are those the lines and the claims
        table cite (the claims of their events), numbered in order of first
        citation as :func:`sources` numbers the whole view's.

    Notes
    -----
    Python runs only for what is shown: the claims are ranked vectorised
    (:class:`geo.briefing._model.Walk`), then only the first events' —
    those with lines or table rows — become rows; a million events take a
    few seconds.
    """
    from geo.exporters.data import caveat

    mine = filter_claims(claims, events) if len(claims) else claims
    with i18n.using(lang):
        walk, status, lines_total, statements = ordered(mine, None, limit, claims_limit, events)
        listed, cites = number_sources(walk)  # what the lines and the table cite, numbered as cited
        rows, more = _claim_rows(events, walk, status, cites, claims_limit, statements)
        return Briefing(
            frame=frame(events, flt, margin=margin),
            filter_words=filter_words(flt),
            lines=_lines(events, walk, status, cites, verdicts, limit),
            totals=honest_totals(events, mine),
            sources=listed,
            caveat=caveat(),
            made=made or dt.datetime.now(dt.UTC),
            assessment_caveat=_assessment_caveat(verdicts),
            title=title,
            claims=rows,
            claims_more=more,
            provenance=provenance,
            lines_total=lines_total,
        )


def _assessment_caveat(verdicts: pd.DataFrame | None) -> str:
    if verdicts is None or verdicts.empty or "assessor" not in verdicts.columns:
        return ""
    return stats.assessment_caveat(sorted({str(a) for a in verdicts["assessor"].dropna()}))
