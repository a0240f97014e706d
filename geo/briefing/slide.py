"""A briefing's slide: one view laid out for a 16:9 slide (1920×1080, or 1280×720) or an A4-landscape page.

:func:`slide_html` lays out one :class:`~geo.briefing.view.View` as a
self-contained page (no network; the map image inlined as a ``data:`` URI;
DejaVu, which Debian ships): the title and the filter in words across the
top; the map in a thin frame on the left with the timeline (binned as the
dashboard bins it, :mod:`geo.timebins`, talks as bands) under it; beside the
map — never on it — the legend (caveats first), the key claims (per
claimant the latest figure with its history, the other side's answers, the
status, verdicts, source numbers), the honest totals and the numbered
sources; along the bottom the caveat, when it was made and from which data.
What does not fit a panel is cut, and the panel says how much more there is
and where to find it: a small script in the page hides the last items until
the panel fits (:data:`FIT_JS`).

:func:`to_png` renders it: 1920×1080, or the same layout at device scale 2/3
(1280×720). :mod:`geo.briefing.pdf` puts the A4 variant on page 1 of each
view of a PDF briefing.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from geo import present
from geo.briefing._model import ClaimLine
from geo.briefing._timeline import timeline_svg
from geo.i18n import t, tn
from geo.present import escape

if TYPE_CHECKING:
    from geo.briefing.chromium import Chromium
    from geo.briefing.view import View

__all__ = ["FIT_JS", "SIZES", "Layout", "layout", "page_css", "page_one", "slide_html", "slide_title", "to_png"]

Page = Literal["slide", "a4"]


@dataclass(frozen=True)
class Layout:
    """The measures of one page layout, in CSS px.

    Attributes
    ----------
    width, height : int
        The page's content box (1920×1080 for a slide; A4 landscape less its margins).
    pad : int
        Padding around and between the parts.
    map_width : int
        Width the map image is shown at (its height keeps the image's aspect).
    text, small, heading, title : int
        Font sizes: body text, the smallest text (≥16 px on a slide, ≥8 pt in print), headings, the title.
    timeline : int
        Height of the timeline's drawing.
    totals_left : bool
        The totals go under the timeline (beside the map either way), leaving the key claims more room.
    """

    width: int
    height: int
    pad: int
    map_width: int
    text: int
    small: int
    heading: int
    title: int
    timeline: int
    totals_left: bool = False


_LAYOUTS: Final = {
    "slide": Layout(1920, 1080, 24, 1000, 18, 16, 19, 38, 118),
    # A4 landscape at 96 CSS px an inch (1123×794) less 8 mm margins and 14 mm for the footer; 11 px = 8.25 pt
    "a4": Layout(1062, 710, 12, 500, 12, 11, 13, 22, 86, totals_left=True),
}

SIZES: Final = {"slide": (1920, 1080), "720p": (1280, 720)}
"""Named PNG sizes: the 1920×1080 layout, at device scale 1 or 2/3."""

FIT_JS: Final = """<script>
(function () {
  function fit() {
    document.querySelectorAll('[data-fit]').forEach(function (panel) {
      var items = Array.prototype.slice.call(panel.querySelectorAll('.fit-item'));
      var more = panel.querySelector('.fit-more');
      var texts = more ? JSON.parse(more.getAttribute('data-texts')) : [];
      var hidden = 0;
      items.forEach(function (item) { item.classList.remove('fit-hidden'); });
      function show() {
        if (more) { more.textContent = texts[Math.min(hidden, texts.length - 1)] || ''; }
        panel.querySelectorAll('.fit-group').forEach(function (g) {
          var left = g.querySelectorAll('.fit-item:not(.fit-hidden)').length;
          g.classList.toggle('fit-hidden', left === 0);
        });
      }
      show();
      function over() {
        return panel.scrollHeight > panel.clientHeight + 1 || panel.scrollWidth > panel.clientWidth + 1;
      }
      while (over() && hidden < items.length) {
        items[items.length - 1 - hidden].classList.add('fit-hidden');
        hidden += 1;
        show();
      }
      panel.setAttribute('data-hidden', String(hidden));
    });
    window.cmSlideFitted = true;
  }
  fit();
  window.addEventListener('load', fit);
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(fit); }
})();
</script>"""
"""Hides a panel's last ``.fit-item`` elements until it no longer overflows, and says how many are hidden.

Each ``[data-fit]`` panel's ``.fit-more`` element carries ``data-texts``: a JSON list, the text to show when
0, 1, 2… items are hidden. A ``.fit-group`` whose items are all hidden is hidden too.
"""


def layout(page: Page) -> Layout:
    """The measures of a page layout.

    Parameters
    ----------
    page : {"slide", "a4"}
        A 1920×1080 slide, or page 1 of an A4-landscape PDF.

    Returns
    -------
    Layout
    """
    if page not in _LAYOUTS:
        raise ValueError(f"unknown page layout {page!r}: use 'slide' or 'a4'")
    return _LAYOUTS[page]


def slide_title(view: View) -> str:
    """The view's title, else the exports' default (:func:`geo.exporters.html.default_title`).

    Parameters
    ----------
    view : View
        The view.

    Returns
    -------
    str
        Plain text.
    """
    from geo.exporters.html import default_title

    return view.briefing.title or default_title()


def _made(made: dt.datetime) -> str:
    """``30 Nov 2026 22:43 UTC``."""
    stamp = made.astimezone(dt.UTC) if made.tzinfo is not None else made
    return f"{present.day(stamp)} {stamp:%H:%M} UTC"


def page_css(page: Page) -> str:
    """The style sheet of the layout (for :func:`slide_html` and the PDF's first pages).

    Parameters
    ----------
    page : {"slide", "a4"}
        The layout.

    Returns
    -------
    str
        CSS (no ``<style>`` tag).
    """
    from geo.mapview import MARK_CSS

    m = layout(page)
    return (
        MARK_CSS
        + f"""
.bf-page {{ box-sizing: border-box; width: {m.width}px; height: {m.height}px; padding: {m.pad}px;
  display: grid; grid-template-columns: {m.map_width}px 1fr; grid-template-rows: auto minmax(0, 1fr) auto;
  column-gap: {m.pad}px; row-gap: {m.pad // 2}px; overflow: hidden; background: #fff; color: #1f1f1f;
  font-family: "DejaVu Sans", sans-serif; font-size: {m.text}px; line-height: 1.3; }}
.bf-page * {{ box-sizing: border-box; }}
.bf-head {{ grid-column: 1 / 3; display: flex; justify-content: space-between; align-items: flex-end;
  gap: {m.pad}px; border-bottom: 2px solid #1f1f1f; padding-bottom: {m.pad // 3}px; min-width: 0; }}
.bf-title {{ font-size: {m.title}px; font-weight: bold; line-height: 1.15; margin: 0; overflow: hidden;
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }}
.bf-filter {{ font-size: {m.heading}px; color: #333; margin-top: 2px; overflow: hidden;
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }}
.bf-made {{ font-size: {m.small}px; color: #444; text-align: right; white-space: nowrap; }}
.bf-left {{ display: flex; flex-direction: column; gap: {m.pad // 2}px; min-height: 0; }}
.bf-map {{ border: 1px solid #555; line-height: 0; flex: none; }}
.bf-map img {{ display: block; width: 100%; height: auto; }}
.bf-right {{ display: flex; flex-direction: column; gap: {m.pad // 2}px; min-height: 0; min-width: 0; }}
.bf-box {{ border-top: 1px solid #999; padding-top: 3px; min-height: 0; }}
.bf-box h2 {{ font-size: {m.heading}px; margin: 0 0 2px 0; }}
.bf-claims {{ flex: 1 1 auto; overflow: hidden; display: flex; flex-direction: column; }}
.bf-claims .bf-list {{ flex: 1 1 auto; overflow: hidden; min-height: 0; }}
.bf-sources {{ overflow: hidden; max-height: {round(m.text * 1.3 * 2 + 4)}px; border-top: 0; padding-top: 0; }}
.bf-sources h2 {{ display: inline; font-size: {m.text}px; }}
.bf-sources .fit-more {{ display: inline; margin-left: 0.5em; }}
.bf-legend {{ flex: none; }}
.bf-legend div, .bf-totals div {{ margin: 0; }}
.bf-sec {{ font-weight: bold; }}
.bf-item .cm-sw, .bf-item .cm-sq {{ margin-left: 0.1em; }}
.bf-event {{ margin-top: 4px; border-left: 4px solid #999; padding-left: 6px; }}
.bf-evhead {{ font-size: {m.small}px; color: #333; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
.bf-evhead b {{ color: #1f1f1f; }}
.bf-rows {{ display: grid; grid-template-columns: 3fr 2fr; column-gap: 10px; }}
.bf-line {{ margin: 1px 0; }}
.bf-fig {{ font-weight: bold; }}
.bf-who {{ color: #000; text-decoration: underline; text-decoration-color: #bbb; }}
.bf-hist, .bf-nowrap {{ white-space: nowrap; }}
.bf-refs {{ color: #555; font-size: {m.small}px; white-space: nowrap; }}
.bf-answers {{ font-size: {m.small}px; color: #333; border-left: 1px dotted #999; padding-left: 6px; }}
.bf-verdict {{ font-size: {m.small}px; color: #333; }}
.bf-muted {{ color: #555; font-size: {m.small}px; }}
.bf-more {{ font-size: {m.small}px; font-style: italic; color: #333; }}
.bf-note {{ font-size: {m.small}px; color: #444; }}
.bf-timeline {{ flex: none; }}
.bf-left .bf-totals {{ flex: 1 1 auto; display: flex; flex-direction: column; overflow: hidden; }}
.bf-left .bf-tlist {{ flex: 1 1 auto; min-height: 0; overflow: hidden; }}
.bf-left .bf-trows {{ display: flex; flex-wrap: wrap; column-gap: {m.pad * 2}px; }}
.bf-left .bf-trows .fit-item {{ white-space: nowrap; }}
.bf-left {{ overflow: hidden; }}
.bf-timeline svg {{ display: block; overflow: visible; }}
.bf-bottom {{ grid-column: 1 / 3; min-width: 0; }}
.bf-foot {{ font-size: {m.small}px; color: #333; border-top: 1px solid #999;
  padding-top: 3px; }}
.bf-caveat {{ font-weight: bold; color: #1f1f1f; }}
.st-disputed, .st-contested {{ border-left-color: #c0392b; }}
.st-retracted {{ border-left-color: #777; }}
.st-confirmed {{ border-left-color: #2e7d32; }}
.st-claimed {{ border-left-color: #e0a000; }}
.fit-hidden {{ display: none !important; }}
"""
    )


# -- the parts ----------------------------------------------------------------------------------------------------


def _legend(view: View) -> str:
    """The map's legend beside it: caveats first, then per section its entries with the map's own symbols."""
    marks = view.legend_marks if len(view.legend_marks) == len(view.legend) else [""] * len(view.legend)
    sections: dict[str, list[str]] = {}
    for (section, entry), mark in zip(view.legend, marks, strict=True):
        sections.setdefault(section, []).append(f'<span class="bf-item">{mark}{escape(entry)}</span>')
    rows = []
    for section, entries in sections.items():
        text = " · ".join(entries)
        if not section:
            rows.append(f'<div class="bf-caveat">{text}</div>')
            continue
        rows.append(f'<div><span class="bf-sec">{escape(section)}:</span> {text}</div>')
    if not rows:
        return ""
    return f'<div class="bf-box bf-legend" id="bf-legend"><h2>{escape(t("Legend"))}</h2>{"".join(rows)}</div>'


def _figures_html(line: ClaimLine) -> str:
    """``intercepted 229 (120 → ≥170 → 229)``: each figure's latest value, its history when it changed."""
    parts = []
    for f in line.figures:
        unit = f.text[len(f.label) + 1 + len(f.history) :]
        text = f'<span class="bf-fig">{escape(f"{f.label} {f.latest}{unit}")}</span>'
        if f.history != f.latest:
            text += f' <span class="bf-hist">({escape(f.history)})</span>'
        parts.append(text)
    return "; ".join(parts)


def _line_html(line: ClaimLine) -> str:
    who = f"{line.claimant} ({line.party})" if line.party else line.claimant
    what = _figures_html(line)
    if not what:
        what = escape(line.stance_text)
    elif line.stance not in ("asserts", "revises"):
        what += f" ({escape(line.stance_text)})"
    dates = f", {escape(line.dates)}" if line.dates else ""
    refs = f' <span class="bf-refs">{escape(line.refs)}</span>' if line.refs else ""
    verdicts = "".join(
        f'<div class="bf-verdict">{escape(t("{assessor}: {verdict}", assessor=v.assessor, verdict=v.label))}'
        f"{escape(f' ({v.as_of})' if v.as_of else '')}</div>"
        for v in line.verdicts
    )
    return f'<div class="bf-line"><span class="bf-who">{escape(who)}</span>: {what}{dates}{refs}{verdicts}</div>'


def _answers_html(line: ClaimLine) -> str:
    if not line.answers:
        return f'<div class="bf-answers bf-muted">{escape(t("No answer recorded"))}</div>'
    items = []
    for a in line.answers:
        refs = " ".join(f"[{n}]" for n in a.sources)
        cite = f' <span class="bf-refs">{escape(refs)}</span>' if refs else ""
        items.append(f"<div>{escape(a.text)}{cite}</div>")
    return f'<div class="bf-answers">{"".join(items)}</div>'


def _more_texts(page: Page, lines: int, beyond: int) -> list[str]:
    """The "and N more" texts of the key claims, for 0…``lines`` lines hidden by the page (``beyond``: lines past
    the briefing's limit, :attr:`~geo.briefing.Briefing.lines_total`)."""
    where = t("see the claims table in the PDF briefing") if page == "slide" else t("see the claims table")
    out = []
    for hidden in range(lines + 1):
        more = hidden + beyond
        out.append(t("and {more} — {where}", more=tn("{n} more claim", "{n} more claims", more), where=where)
                   if more else "")  # fmt: skip
    return out


def _claims(view: View, page: Page) -> str:
    b = view.briefing
    head = f"<h2>{escape(t('Key claims'))}</h2>"
    if view.events is None or len(view.events) == 0:
        body = f'<div class="bf-empty">{escape(t("No events match the current filters."))}</div>'
        return f'<div class="bf-box bf-claims" id="bf-claims">{head}{body}</div>'
    if not b.lines:
        body = f'<div class="bf-empty">{escape(t("No claims on the events shown."))}</div>'
        return f'<div class="bf-box bf-claims" id="bf-claims">{head}{body}</div>'
    groups: list[list[ClaimLine]] = []
    for line in b.lines:
        if groups and groups[-1][0].event_id == line.event_id:
            groups[-1].append(line)
        else:
            groups.append([line])
    html = []
    for group in groups:
        first = group[0]
        what = first.title or first.place
        head_text = (
            f"{escape(t('status: {status}', status=first.status_text))} · {escape(first.event_dates)} · "
            f"<b>{escape(what)}</b>"
        )
        lines = "".join(f'<div class="fit-item">{_line_html(line)}</div>' for line in group)
        html.append(
            f'<div class="bf-event fit-group st-{escape(first.status)}" data-event="{escape(first.event_id)}">'
            f'<div class="bf-evhead">{head_text}</div>'
            + (
                f'<div class="bf-rows"><div>{lines}</div>{_answers_html(first)}</div></div>'
                if first.answers
                else f"<div>{lines}</div></div>"
            )
        )
    beyond = max(0, b.lines_total - len(b.lines))
    texts = json.dumps(_more_texts(page, len(b.lines), beyond), ensure_ascii=False)
    return (
        f'<div class="bf-box bf-claims" id="bf-claims">{head}'
        f'<div class="bf-list" data-fit="claims">{"".join(html)}'
        f'<div class="bf-more fit-more" data-texts="{escape(texts)}"></div></div></div>'
    )


def _totals(view: View) -> str:
    """The honest totals: each figure (a range where claims may overlap), then the notes naming those claims."""
    rows, notes = [], []
    for line in view.briefing.totals:
        extra = f" ({escape(line.note)})" if line.note and not line.overlapping else ""
        rows.append(f'<div class="fit-item"><b>{escape(line.label)}:</b> {escape(line.value)}{extra}</div>')
        if line.note and line.overlapping:
            notes.append(f'<div class="fit-item bf-note"><b>{escape(line.label)}:</b> {escape(line.note)}</div>')
    if not rows:
        return ""
    texts = [""] + [
        t("and {more} — {where}", more=tn("{n} more line", "{n} more lines", k), where=t("see the Overview page"))
        for k in range(1, len(rows) + len(notes) + 1)
    ]
    more = f'<div class="bf-more fit-more" data-texts="{escape(json.dumps(texts, ensure_ascii=False))}"></div>'
    return (
        f'<div class="bf-box bf-totals" id="bf-totals"><h2>{escape(t("Totals"))}</h2>'
        f'<div class="bf-tlist" data-fit="totals"><div class="bf-trows">{"".join(rows)}</div>'
        f"{''.join(notes)}{more}</div></div>"
    )


def _sources(view: View, page: Page) -> str:
    listed = view.briefing.sources
    if not listed:
        return ""
    where = t("full addresses in the PDF briefing") if page == "slide" else t("full addresses at the end")
    items = " ".join(f'<span class="fit-item bf-nowrap">{escape(s.ref)} {escape(s.name)}</span>' for s in listed)
    texts = [where] + [
        t("and {more} — {where}", more=tn("{n} more source", "{n} more sources", k), where=where)
        for k in range(1, len(listed) + 1)
    ]
    return (
        f'<div class="bf-box bf-sources" id="bf-sources" data-fit="sources"><h2>{escape(t("Sources"))}:</h2> '
        f'{items}<span class="bf-more fit-more" data-texts="{escape(json.dumps(texts, ensure_ascii=False))}">'
        f"</span></div>"
    )


def _footer(view: View) -> str:
    b = view.briefing
    caveat = f'<span class="bf-caveat">{escape(b.caveat)}.</span>'
    if b.assessment_caveat:
        caveat += f' <span class="bf-caveat">{escape(b.assessment_caveat)}</span>'
    made = escape(t("Made {when}", when=_made(b.made)))
    data = f" · {escape(t('from {data}', data=b.provenance))}" if b.provenance else ""
    return f'<div class="bf-foot" id="bf-foot">{caveat} {made}{data}</div>'


# -- the page -----------------------------------------------------------------------------------------------------


def page_one(view: View, page: Page = "slide") -> str:
    """One view laid out as a ``<section class="bf-page">`` (the body of a slide, page 1 of a view in a PDF).

    Parameters
    ----------
    view : View
        The view.
    page : {"slide", "a4"}
        The layout.

    Returns
    -------
    str
        HTML; every text from data escaped. Needs :func:`page_css` and :data:`FIT_JS` on its page.
    """
    b = view.briefing
    m = layout(page)
    totals = _totals(view)
    png = base64.b64encode(view.map_png).decode("ascii")
    alt = t("Map: {what}", what=b.filter_words)
    timeline = timeline_svg(view, m.map_width, m.timeline, m.small)
    return (
        f'<section class="bf-page" data-layout="{page}">'
        f'<div class="bf-head"><div style="min-width:0">'
        f'<h1 class="bf-title" id="bf-title">{escape(slide_title(view))}</h1>'
        f'<div class="bf-filter" id="bf-filter">{escape(b.filter_words)}</div></div>'
        f'<div class="bf-made">{escape(t("Made {when}", when=_made(b.made)))}</div></div>'
        f'<div class="bf-left"><div class="bf-map" id="bf-map">'
        f'<img src="data:image/png;base64,{png}" alt="{escape(alt)}"></div>{timeline}'
        f"{totals if m.totals_left else ''}</div>"
        f'<div class="bf-right">{_legend(view)}{_claims(view, page)}{"" if m.totals_left else totals}</div>'
        f'<div class="bf-bottom">{_sources(view, page)}{_footer(view)}</div></section>'
    )


def slide_html(view: View, *, page: Page = "slide") -> str:
    """One view as a self-contained page laid out for a 1920×1080 slide, or for page 1 of an A4-landscape PDF.

    Parameters
    ----------
    view : View
        The view (:func:`geo.briefing.view.views`).
    page : {"slide", "a4"}
        ``"slide"``: 1920×1080 CSS px, text at least 16 px; ``"a4"``: the
        content box of an A4-landscape page, text at least 8 pt.

    Returns
    -------
    str
        The page: no network (the map is a ``data:`` URI, fonts are the
        system's DejaVu), every text from data escaped; panels that would
        overflow are cut by a script with "and N more — see …".
    """
    m = layout(page)
    lang = escape(_lang())
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(slide_title(view))}</title>'
        f"<style>html, body {{ margin: 0; padding: 0; width: {m.width}px; height: {m.height}px; "
        f"overflow: hidden; background: #fff; }}{page_css(page)}</style></head>"
        f"<body>{page_one(view, page)}{FIT_JS}</body></html>"
    )


def _lang() -> str:
    from geo import i18n

    return i18n.language()


def _size(size: str | tuple[int, int]) -> tuple[tuple[int, int], float]:
    """The viewport and device scale of a PNG size: the 1920×1080 layout scaled to the size's width."""
    if isinstance(size, str):
        if size not in SIZES:
            raise ValueError(f"unknown slide size {size!r}: use 'slide', '720p' or (width, height)")
        w, h = SIZES[size]
    else:
        w, h = int(size[0]), int(size[1])
    if w < 100 or h < 100 or w > 10_000 or h > 10_000:
        raise ValueError(f"slide size {w}×{h} is out of range (100–10,000 px a side)")
    scale = w / 1920
    return (1920, max(1, round(h / scale))), scale


def to_png(view: View, path: str | Path, *, size: str | tuple[int, int] = "slide", chromium: Chromium) -> Path:
    """Render one view's slide as a PNG.

    Parameters
    ----------
    view : View
        The view.
    path : str or Path
        Where to write it (written whole or not at all).
    size : {"slide", "720p"} or (int, int)
        ``"slide"``: 1920×1080; ``"720p"``: 1280×720, the same layout at
        device scale 2/3 (text scales with it); ``(w, h)``: the layout
        scaled to ``w`` pixels wide (1920 CSS px), ``h`` pixels high.
    chromium : Chromium
        The browser.

    Returns
    -------
    Path
        The written file.
    """
    from geo.exporters.data import check_target, write_atomic

    check_target(path)
    viewport, scale = _size(size)
    png = chromium.screenshot(slide_html(view), viewport, scale=scale, wait="window.cmSlideFitted === true")
    return write_atomic(path, lambda tmp: tmp.write_bytes(png))
