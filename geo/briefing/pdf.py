"""A PDF briefing: per view, the slide laid out for A4 landscape, then its claims table and its numbered sources.

:func:`document_html` lays out one or several views (in order) as one
printable page; :func:`to_pdf` prints it with Chromium. Per view:

1. page 1: the slide (:func:`geo.briefing.slide.page_one`, A4 variant, text at least 8 pt);
2. the claims table: every statement on the view's events (event, claimant,
   party, date, stance, figures, status, source numbers), its header row
   repeated on each page; "and N more statements are in the data exports"
   when the table was cut (:data:`geo.briefing.content.CLAIMS_LIMIT`);
3. the view's numbered sources with their full addresses (each view numbers
   its own sources, as its slide cites them, so they follow the view).

Every page carries the caveat and "page X of Y" in Chromium's footer. The
text is real text (searchable, :command:`pdftotext` reads it) in DejaVu,
which Chromium embeds as subsets.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from geo.briefing.slide import FIT_JS, layout, page_css, page_one, slide_title
from geo.i18n import t, tn
from geo.present import escape

if TYPE_CHECKING:
    from geo.briefing.chromium import Chromium
    from geo.briefing.view import View

__all__ = ["MARGINS", "document_html", "footer_html", "to_pdf"]

MARGINS: Final = ("8mm", "8mm", "14mm", "8mm")
"""Page margins (top, right, bottom, left): the footer sits in the bottom one."""

_CSS: Final = """
@page { size: A4 landscape; margin: %s; }
html, body { margin: 0; padding: 0; background: #fff; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 11px; color: #1f1f1f; line-height: 1.3; }
.bf-page { break-after: page; page-break-after: always; }
.bf-doc { break-after: page; page-break-after: always; }
.bf-doc:last-child { break-after: auto; page-break-after: auto; }
.bf-doc h2 { font-size: 15px; margin: 0 0 2px 0; }
.bf-doc .bf-sub { font-size: 11px; color: #333; margin-bottom: 6px; }
table.bf-table { border-collapse: collapse; width: 100%%; table-layout: fixed; }
table.bf-table th, table.bf-table td { border-bottom: 1px solid #ccc; padding: 2px 4px; vertical-align: top;
  text-align: left; font-size: 11px; overflow-wrap: anywhere; }
table.bf-table thead { display: table-header-group; }
table.bf-table tr { break-inside: avoid; page-break-inside: avoid; }
table.bf-table th { border-bottom: 1.5px solid #555; }
.bf-srclist { margin: 0; padding: 0; list-style: none; }
.bf-srclist li { margin: 0 0 3px 0; font-size: 11px; break-inside: avoid; }
.bf-url { overflow-wrap: anywhere; color: #1a4f8b; }
.bf-more { font-style: italic; margin-top: 4px; }
"""


def _page_number_html() -> str:
    """``page <span class="pageNumber"></span> of <span class="totalPages"></span>``, the words translated."""
    text = escape(t("page {x} of {y}", x="\x01", y="\x02"))
    return text.replace("\x01", '<span class="pageNumber"></span>').replace("\x02", '<span class="totalPages"></span>')


def footer_html(views: Sequence[View]) -> str:
    """Chromium's footer template: the caveat (and any assessment caveat) and "page X of Y".

    Parameters
    ----------
    views : sequence of View
        The document's views (their caveats).

    Returns
    -------
    str
        The template (inline styles, 8 pt).
    """
    caveats: list[str] = []
    for view in views:
        for text in (view.briefing.caveat, view.briefing.assessment_caveat):
            if text and text not in caveats:
                caveats.append(text)
    caveat = " ".join(escape(c if c.endswith(".") else c + ".") for c in caveats)
    return (
        "<div style=\"font-family: 'DejaVu Sans', sans-serif; font-size: 8pt; color: #333; width: 100%; "
        'margin: 0 8mm; display: flex; justify-content: space-between; gap: 6mm;">'
        f'<span style="font-weight: bold;">{caveat}</span>'
        f'<span style="white-space: nowrap;">{_page_number_html()}</span></div>'
    )


def _claims_table(view: View) -> str:
    b = view.briefing
    if not b.claims:
        return ""
    head = [t("Event"), t("Claimant"), t("Party"), t("Date"), t("Stance"), t("Figures"), t("Status"), t("Sources")]
    widths = (22, 19, 9, 10, 7, 15, 9, 9)
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    rows = []
    for row in b.claims:
        cells = (row.event, row.claimant, row.party, row.stated, row.stance_text, row.figures, row.status_text,
                 row.refs)  # fmt: skip
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    more = ""
    if b.claims_more:
        text = tn(
            "and {n} more statement is in the data exports",
            "and {n} more statements are in the data exports",
            b.claims_more,
        )
        more = f'<div class="bf-more">{escape(text)}</div>'
    return (
        f'<section class="bf-doc bf-claimtable"><h2>{escape(t("Claims"))}</h2>'
        f'<div class="bf-sub">{escape(b.filter_words)} · {escape(t("every statement, each claimant in turn"))}</div>'
        f'<table class="bf-table"><colgroup>{cols}</colgroup><thead><tr>'
        + "".join(f"<th>{escape(h)}</th>" for h in head)
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}</section>"
    )


def _sources_list(view: View) -> str:
    listed = view.briefing.sources
    if not listed:
        return ""
    items = []
    for s in listed:
        url = f'<br><span class="bf-url">{escape(s.url)}</span>' if s.url else ""
        title = f" · {escape(s.title)}" if s.title else ""
        items.append(f"<li>{escape(s.ref)} <b>{escape(s.name)}</b>{title}{url}</li>")
    return (
        f'<section class="bf-doc bf-sourcelist"><h2>{escape(t("Sources"))}</h2>'
        f'<div class="bf-sub">{escape(view.briefing.filter_words)}</div>'
        f'<ul class="bf-srclist">{"".join(items)}</ul></section>'
    )


def document_html(views: Sequence[View]) -> str:
    """The PDF briefing of one or several views as one printable, self-contained page.

    Parameters
    ----------
    views : sequence of View
        The views, in order (at least one).

    Returns
    -------
    str
        HTML: per view its slide (A4 landscape), its claims table and its
        numbered sources with full addresses; ``@page`` sets A4 landscape
        and the margins (:data:`MARGINS`). Every text from data is escaped.
    """
    if not views:
        raise ValueError("a PDF briefing needs at least one view")
    m = layout("a4")
    parts = []
    for view in views:
        parts.append(page_one(view, "a4"))
        parts.append(_claims_table(view))
        parts.append(_sources_list(view))
    title = escape(slide_title(views[0]))
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_CSS % ' '.join(MARGINS)}{page_css('a4')}"
        f".bf-page {{ height: {m.height - 2}px; }}</style></head>"
        f"<body>{''.join(p for p in parts if p)}{FIT_JS}</body></html>"
    )


def to_pdf(views: Sequence[View], path: str | Path, *, chromium: Chromium) -> Path:
    """Print the PDF briefing of one or several views (one document, views in order).

    Parameters
    ----------
    views : sequence of View
        The views (:func:`geo.briefing.view.views`).
    path : str or Path
        Where to write it (written whole or not at all).
    chromium : Chromium
        The browser.

    Returns
    -------
    Path
        The written file: A4 landscape, searchable text, fonts embedded,
        the caveat and "page X of Y" on every page.
    """
    from geo.exporters.data import check_target, write_atomic

    check_target(path)
    pdf = chromium.pdf(document_html(views), footer=footer_html(views), header="<span></span>", landscape=True)
    return write_atomic(path, lambda tmp: tmp.write_bytes(pdf))
