"""A briefing as a PowerPoint deck: one editable 16:9 slide per view, then its claims table.

:func:`to_pptx` writes, for each :class:`~geo.briefing.view.View` in order:

* a slide with the title (a real title placeholder) and the filter in words
  as text; the map as a framed picture, its aspect kept; the legend beside
  it as text; the key claims as a real table (claimant | latest figure, its
  history and dates | the other side's answers | status and verdicts |
  source numbers); the honest totals; a footer with the caveat (and whose
  assessments the verdicts are), when it was made and from which data; the
  numbered sources with their full addresses in the speaker notes;
* with ``claims_slides``, the claims table (every statement of
  :attr:`Briefing.claims <geo.briefing.Briefing.claims>`) as real tables
  continued over as many slides as needed.

Nothing overflows a slide: text is wrapped with the widths of DejaVu Sans
(wider than the fonts PowerPoint and Impress use elsewhere, so a budget that
fits it fits them), cells are shortened with "…", and what is left out is
counted ("and 3 more key claims"). Text from data is stripped of the
characters XML forbids. Fonts are at least 10 pt.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from geo import i18n, present
from geo.errors import GeoError
from geo.i18n import t, tn

if TYPE_CHECKING:
    from geo.briefing._model import Answer, Briefing, ClaimLine, ClaimRow
    from geo.briefing.view import View

__all__ = ["SLIDE_SIZE", "to_pptx"]

_EMU_PER_IN: Final = 914400
_EMU_PER_PT: Final = 12700
SLIDE_SIZE: Final = (12192000, 6858000)
"""The slide's size in EMU: 13.333 × 7.5 in (16:9)."""

_MIN_PT: Final = 10
_BODY: Final = 10.0  # table, legend, totals and footer text
_LEADING: Final = 1.2  # line height as a multiple of the font size
_PAD_X: Final = 0.05  # table cell margins, inches
_PAD_Y: Final = 0.03
_BOX_PAD_X: Final = 0.1  # a text box's own insets (python-pptx's default), inches
_BOX_PAD_Y: Final = 0.05
_MARGIN: Final = 0.4
_GREY: Final = (0x55, 0x55, 0x55)

# the view slide, inches
_TITLE_BOX: Final = (_MARGIN, 0.22, 12.533, 0.62)
_FILTER_BOX: Final = (_MARGIN, 0.84, 12.533, 0.42)
_MAP_BOX: Final = (_MARGIN, 1.32, 5.3, 3.69)
_LEGEND_BOX: Final = (_MARGIN, 5.08, 5.3, 1.6)
_RIGHT_X: Final = 5.9
_RIGHT_W: Final = 13.333 - _MARGIN - _RIGHT_X
_RIGHT_TOP: Final = 1.32
_RIGHT_BOTTOM: Final = 6.68
_FOOTER_BOX: Final = (_MARGIN, 6.74, 12.533, 0.64)
_KEY_COLUMNS: Final = (1.75, 1.6, 1.9, 0.95, 0.833)  # claimant | figure | answers | status | sources
_KEY_MAX_LINES: Final = (4, 4, 5, 3, 3)

# a claims slide, inches
_CLAIMS_TOP: Final = 1.32
_CLAIMS_BOTTOM: Final = 6.68
_CLAIMS_COLUMNS: Final = (2.9, 2.55, 1.4, 1.15, 2.1, 1.2, 1.233)
_CLAIMS_MAX_LINES: Final = 2
_CLAIMS_PER_SLIDE: Final = 14

_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FONT_FILES: Final = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf")


# -- text that fits -----------------------------------------------------------------------------------------------


def _clean(value: object) -> str:
    """Data text a slide can carry: XML-forbidden characters removed, white space collapsed to single spaces."""
    text = "" if present.missing(value) else str(value)
    return " ".join(_NOT_XML.sub("", text).split())


def _font_path(bold: bool) -> str | None:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    candidates = [f.replace("DejaVuSans.ttf", name) for f in _FONT_FILES]
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        candidates.append(str(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / name))
    return next((c for c in candidates if Path(c).is_file()), None)


@lru_cache(maxsize=16)
def _font(size: float, bold: bool) -> Any:
    from PIL import ImageFont

    path = _font_path(bold)
    return ImageFont.truetype(path, size=max(1, round(size * 10))) if path else None


def _width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` in points at ``size`` pt, as DejaVu Sans sets it (0.62 em a character without it)."""
    font = _font(size, bold)
    if font is None:
        return len(text) * size * (0.66 if bold else 0.62)
    return float(font.getlength(text)) / 10


def _wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pt (at spaces; a long word is broken anywhere)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if _width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while _width(word, size, bold) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and _width(word[:cut], size, bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line or not lines:
        lines.append(line)
    return lines


def _clip(text: str, width: float, size: float, max_lines: int, bold: bool = False) -> tuple[str, int]:
    """``text`` shortened with "…" to wrap into at most ``max_lines`` lines; and the lines it takes."""
    lines = _wrap(text, width, size, bold)
    if len(lines) <= max_lines:
        return text, len(lines)
    kept = lines[:max_lines]
    last = kept[-1]
    while last and _width(last + "…", size, bold) > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return " ".join(kept), max_lines


def _lines_height(lines: int, size: float = _BODY) -> float:
    """Points that ``lines`` lines of ``size`` pt take."""
    return lines * size * _LEADING


@dataclass(frozen=True)
class _Para:
    """One paragraph of a cell or a text box: a bold head and the rest."""

    text: str
    bold: bool = False
    italic: bool = False
    head: str = ""


def _fit_paras(paras: Sequence[_Para], width: float, max_lines: int, size: float = _BODY) -> tuple[list[_Para], int]:
    """Paragraphs shortened to at most ``max_lines`` lines in all, and the lines they take (the last may be "…")."""
    out: list[_Para] = []
    used = 0
    for p in paras:
        room = max_lines - used
        if room <= 0:
            break
        whole = p.head + p.text
        clipped, n = _clip(whole, width, size, room, bold=p.bold or bool(p.head))
        if clipped != whole and len(clipped) <= len(p.head):  # only the head fits: shorten the head itself
            out.append(_Para(clipped, True, p.italic))
        else:
            out.append(_Para(clipped[len(p.head) :], p.bold, p.italic, p.head))
        used += n
    return out, used


# -- python-pptx helpers ------------------------------------------------------------------------------------------


def _emu(inches: float) -> int:
    return round(inches * _EMU_PER_IN)


def _fill(frame: Any, paras: Sequence[_Para], size: float = _BODY, color: tuple[int, int, int] | None = None) -> None:
    """Write paragraphs into a text frame (replacing what it held)."""
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    frame.word_wrap = True
    for i, p in enumerate(paras):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        runs = [(p.head, True), (p.text, p.bold)] if p.head else [(p.text, p.bold)]
        for text, bold in runs:
            if not text:
                continue
            run = para.add_run()
            run.text = text
            run.font.size = Pt(max(size, _MIN_PT))
            run.font.bold = bold
            run.font.italic = p.italic or None
            if color is not None:
                run.font.color.rgb = RGBColor(*color)


def _text_box(slide: Any, box: tuple[float, float, float, float], paras: Sequence[_Para], size: float = _BODY,
              color: tuple[int, int, int] | None = None, name: str = "") -> Any:  # fmt: skip
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE

    left, top, width, height = box
    shape = slide.shapes.add_textbox(_emu(left), _emu(top), _emu(width), _emu(height))
    if name:
        shape.name = name
    frame = shape.text_frame
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.TOP
    _fill(frame, paras, size, color)
    return shape


def _box_width(box_width: float) -> float:
    """Points of text a text box of ``box_width`` inches holds on a line."""
    return (box_width - 2 * _BOX_PAD_X) * 72


def _box_lines(box_height: float, size: float = _BODY) -> int:
    """Lines of ``size`` pt a text box of ``box_height`` inches holds."""
    return max(1, int(((box_height - 2 * _BOX_PAD_Y) * 72) // (size * _LEADING)))


def _title(slide: Any, text: str, size: float = 26) -> None:
    """The slide's title placeholder, placed and filled (a title box when the layout has none)."""
    from pptx.util import Pt

    left, top, width, height = _TITLE_BOX
    fitted, _n = _clip(text, _box_width(width), size, 1, bold=True)
    shape = slide.shapes.title
    if shape is None:
        _text_box(slide, _TITLE_BOX, [_Para(fitted, bold=True)], size, name="Title")
        return
    shape.left, shape.top, shape.width, shape.height = _emu(left), _emu(top), _emu(width), _emu(height)
    frame = shape.text_frame
    frame.text = fitted
    frame.word_wrap = True
    from pptx.enum.text import PP_ALIGN

    for para in frame.paragraphs:
        para.alignment = PP_ALIGN.LEFT
        for run in para.runs:
            run.font.size = Pt(size)
            run.font.bold = True


def _subtitle(slide: Any, text: str) -> None:
    size = 14.0
    fitted, _n = _clip(text, _box_width(_FILTER_BOX[2]), size, 1)
    _text_box(slide, _FILTER_BOX, [_Para(fitted)], size, name="Filter")


def _table(
    slide: Any, box: tuple[float, float, float], columns: Sequence[float], rows: Sequence[Sequence[Sequence[_Para]]],
    heights: Sequence[float], name: str,
) -> Any:  # fmt: skip
    """A real table: a header row then ``rows`` of cells of paragraphs, with the row heights given (points)."""
    from pptx.enum.text import MSO_ANCHOR

    left, top, width = box
    shape = slide.shapes.add_table(len(rows), len(columns), _emu(left), _emu(top), _emu(width),
                                   round(sum(heights) * _EMU_PER_PT))  # fmt: skip
    shape.name = name
    table = shape.table
    table.first_row = True
    table.horz_banding = True
    for i, w in enumerate(columns):
        table.columns[i].width = _emu(w)
    for r, (cells, h) in enumerate(zip(rows, heights, strict=True)):
        table.rows[r].height = round(h * _EMU_PER_PT)
        for c, paras in enumerate(cells):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = _emu(_PAD_X)
            cell.margin_top = cell.margin_bottom = _emu(_PAD_Y)
            cell.vertical_anchor = MSO_ANCHOR.TOP
            _fill(cell.text_frame, paras or [_Para("")])
    return table


def _cells_fit(cells: Sequence[Sequence[_Para]], columns: Sequence[float], max_lines: Sequence[int]
               ) -> tuple[list[list[_Para]], float]:  # fmt: skip
    """Cells shortened to their line budgets, and the row's height in points."""
    fitted = []
    most = 1
    for paras, w, limit in zip(cells, columns, max_lines, strict=True):
        done, n = _fit_paras(paras, (w - 2 * _PAD_X) * 72, limit)
        fitted.append(done)
        most = max(most, n)
    return fitted, _lines_height(most) + 2 * _PAD_Y * 72 + 2


# -- the view slide -----------------------------------------------------------------------------------------------


def _made(made: dt.datetime) -> str:
    """``20 Feb 2026 09:30 UTC``."""
    stamp = made.astimezone(dt.UTC) if made.tzinfo is not None else made
    return f"{present.day(stamp)} {stamp:%H:%M} UTC"


def _png_size(png: bytes, fallback: tuple[int, int]) -> tuple[int, int]:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(png)) as im:
            return im.size
    except Exception:  # not a readable image: python-pptx refuses it below with its own error
        return fallback


def _map(slide: Any, view: View) -> None:
    """The map as a framed picture, fitted into the map box with its aspect kept."""
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    left, top, width, height = _MAP_BOX
    w, h = _png_size(view.map_png, view.map_size)
    scale = min(width / max(w, 1), height / max(h, 1))
    pw, ph = w * scale, h * scale
    pic = slide.shapes.add_picture(
        io.BytesIO(view.map_png), _emu(left + (width - pw) / 2), _emu(top), _emu(pw), _emu(ph)
    )
    pic.name = "Map"
    pic.line.color.rgb = RGBColor(*_GREY)
    pic.line.width = Pt(0.75)
    pic._element.nvPicPr.cNvPr.set("descr", t("Map: {what}", what=_clean(view.briefing.filter_words)))


def _legend(slide: Any, view: View) -> None:
    """What the map draws, beside it: a paragraph per section (caveats first, in italics)."""
    sections: dict[str, list[str]] = {}
    for section, entry in view.legend:
        sections.setdefault(_clean(section), []).append(_clean(entry))
    paras = [
        _Para(" · ".join(entries), italic=not section, head=f"{section}: " if section else "")
        for section, entries in sections.items()
    ]
    width, lines = _box_width(_LEGEND_BOX[2]), _box_lines(_LEGEND_BOX[3])
    fitted, _used = _fit_paras(paras, width, lines)
    if len(fitted) < len(paras):  # say what is left out, on the last line
        fitted, _used = _fit_paras(paras, width, lines - 1)
        left_out = len(paras) - len(fitted)
        fitted.append(_Para(tn("and {n} more legend section", "and {n} more legend sections", left_out), italic=True))
    if not fitted:
        fitted = [_Para(t("Nothing drawn."), italic=True)]
    _text_box(slide, _LEGEND_BOX, fitted, name="Legend")


def _figure_cell(line: ClaimLine) -> list[_Para]:
    paras = []
    for f in line.figures:
        unit = f.text[len(f"{f.label} {f.history}") :]  # " km²", " h"
        paras.append(_Para(_clean(f"{f.label} {f.latest}{unit}"), bold=True))
        if f.history != f.latest:
            paras.append(_Para(_clean(f.text)))
    if not paras:
        paras.append(_Para(_clean(line.stance_text), bold=True))
    elif line.stance not in ("asserts", "revises"):
        paras.append(_Para(f"({_clean(line.stance_text)})"))
    if line.dates:
        paras.append(_Para(_clean(line.dates)))
    return paras


def _answer(answer: Answer) -> _Para:
    """``denies: Spokesman … (UA), 11 Feb 2026``: what was answered first, then who and when."""
    what = _clean(answer.stance_text) + (f" {_clean(answer.figures)}" if answer.figures else "")
    who = _clean(answer.claimant) + (f" ({_clean(answer.party)})" if answer.party else "")
    return _Para(who + (f", {_clean(answer.day)}" if answer.day else ""), head=f"{what}: ")


def _key_cells(line: ClaimLine) -> list[list[_Para]]:
    who = _clean(line.claimant) + (f" ({_clean(line.party)})" if line.party else "")
    claimant = [_Para(who, bold=True)]
    if line.place:
        claimant.append(_Para(_clean(line.place)))
    answers = [_answer(a) for a in line.answers] or [_Para(t("no answer recorded"), italic=True)]
    status = [_Para(_clean(line.status_text), bold=True)]
    status += [_Para(_clean(f"{v.label} ({v.assessor}{', ' + v.as_of if v.as_of else ''})")) for v in line.verdicts]
    return [claimant, _figure_cell(line), answers, status, [_Para(line.refs or "—")]]


def _key_claims(slide: Any, b: Briefing, top: float, bottom: float) -> float:
    """The key-claims panel as a real table, as many lines as fit between ``top`` and ``bottom``; where it ends.

    Positions are in inches.
    """
    if not b.lines:
        _text_box(slide, (_RIGHT_X, top, _RIGHT_W, 0.5), [_Para(t("No claims in this view."), italic=True)],
                  name="Key claims")  # fmt: skip
        return top + 0.5
    header = [[_Para(h, bold=True)] for h in (
        t("Claimant"), t("Latest figure, history, dates"), t("The other side's answers"), t("Status, verdicts"),
        t("Sources"),
    )]  # fmt: skip
    head_cells, head_h = _cells_fit(header, _KEY_COLUMNS, (2,) * 5)
    room = (bottom - top) * 72 - head_h
    more_h = _lines_height(1) + 2 * _BOX_PAD_Y * 72 + 2
    rows, heights = [head_cells], [head_h]
    for i, line in enumerate(b.lines):
        cells, h = _cells_fit(_key_cells(line), _KEY_COLUMNS, _KEY_MAX_LINES)
        left_after = len(b.lines) - i - 1
        if h > room - (more_h if left_after else 0):
            break
        rows.append(cells)
        heights.append(h)
        room -= h
    _table(slide, (_RIGHT_X, top, sum(_KEY_COLUMNS)), _KEY_COLUMNS, rows, heights, "Key claims")
    left_out = len(b.lines) - (len(rows) - 1)
    end = top + sum(heights) / 72
    if left_out:
        text = tn("and {n} more key claim (see the claims slides)", "and {n} more key claims (see the claims slides)",
                  left_out)  # fmt: skip
        _text_box(slide, (_RIGHT_X, end, _RIGHT_W, more_h / 72), [_Para(text, italic=True)], name="More claims")
        end += more_h / 72
    return end


def _totals_paras(b: Briefing) -> list[_Para]:
    if not b.totals:
        return [_Para(t("No events."), head=t("Totals") + ": ")]
    parts = []
    for line in b.totals:
        extra = f" ({_clean(line.note)})" if line.note and not line.overlapping else ""
        parts.append(f"{_clean(line.label)} {_clean(line.value)}{extra}")
    return [_Para(" · ".join(parts), head=t("Totals") + ": ")]


def _footer(slide: Any, b: Briefing, extra: str = "") -> None:
    """The caveat (and whose assessments the verdicts are), when it was made and from which data."""
    warn = _clean(b.caveat) + "." + (f" {_clean(b.assessment_caveat)}" if b.assessment_caveat else "")
    made = (
        t("Made {when} from {data}.", when=_made(b.made), data=_clean(b.provenance))
        if b.provenance
        else t("Made {when}.", when=_made(b.made))
    )
    lines = _box_lines(_FOOTER_BOX[3])
    width = _box_width(_FOOTER_BOX[2])
    paras = [_Para(warn, bold=True), _Para(made + (f" {extra}" if extra else ""))]
    fitted, _n = _fit_paras(paras, width, lines)
    _text_box(slide, _FOOTER_BOX, fitted, color=_GREY, name="Footer")


def _notes(slide: Any, b: Briefing, url: str) -> None:
    """The numbered sources with their full addresses, the overlap notes and the view's link, as speaker notes."""
    lines = [t("Sources")]
    lines += [_clean(s.text) for s in b.sources] or [t("No sources.")]
    overlaps = [f"{_clean(x.label)} {_clean(x.value)}: {_clean(x.note)}" for x in b.totals if x.overlapping]
    if overlaps:
        lines += ["", t("Totals that may overlap"), *overlaps]
    if url:
        lines += ["", t("View: {link}", link=_clean(url))]
    slide.notes_slide.notes_text_frame.text = "\n".join(lines)


def _view_slide(prs: Any, view: View, title: str) -> None:
    b = view.briefing
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": a real title placeholder
    _title(slide, title)
    _subtitle(slide, t("Filter: {what}", what=_clean(b.filter_words)))
    _map(slide, view)
    _legend(slide, view)
    totals_paras = _totals_paras(b)
    totals_fit, n = _fit_paras(totals_paras, _box_width(_RIGHT_W), 5)
    totals_h = _lines_height(n) / 72 + 2 * _BOX_PAD_Y + 0.04
    end = _key_claims(slide, b, _RIGHT_TOP, _RIGHT_BOTTOM - totals_h - 0.1)
    _text_box(slide, (_RIGHT_X, end + 0.08, _RIGHT_W, totals_h), totals_fit, name="Totals")
    _footer(slide, b)
    _notes(slide, b, view.url)


# -- the claims slides --------------------------------------------------------------------------------------------


def _claim_cells(row: ClaimRow) -> list[list[_Para]]:
    who = _clean(row.claimant) + (f" ({_clean(row.party)})" if row.party else "")
    return [
        [_Para(_clean(row.event))],
        [_Para(who, bold=True)],
        [_Para(_clean(row.stated))],
        [_Para(_clean(row.stance_text))],
        [_Para(_clean(row.figures) or "—")],
        [_Para(_clean(row.status_text))],
        [_Para(row.refs or "—")],
    ]


def _claims_pages(b: Briefing) -> list[tuple[list[list[list[_Para]]], list[float]]]:
    """The claims table cut into slides: each a header and the rows that fit (at most 14)."""
    header = [[_Para(h, bold=True)] for h in (
        t("Event"), t("Claimant"), t("Stated"), t("Stance"), t("Figures"), t("Status"), t("Sources"),
    )]  # fmt: skip
    head_cells, head_h = _cells_fit(header, _CLAIMS_COLUMNS, (2,) * 7)
    limits = (_CLAIMS_MAX_LINES,) * len(_CLAIMS_COLUMNS)
    room_all = (_CLAIMS_BOTTOM - _CLAIMS_TOP) * 72 - head_h
    pages: list[tuple[list[list[list[_Para]]], list[float]]] = []
    rows: list[list[list[_Para]]] = []
    heights: list[float] = []
    room = room_all
    for claim in b.claims:
        cells, h = _cells_fit(_claim_cells(claim), _CLAIMS_COLUMNS, limits)
        if rows and (h > room or len(rows) >= _CLAIMS_PER_SLIDE):
            pages.append(([head_cells, *rows], [head_h, *heights]))
            rows, heights, room = [], [], room_all
        rows.append(cells)
        heights.append(h)
        room -= h
    if rows:
        pages.append(([head_cells, *rows], [head_h, *heights]))
    return pages


def _claims_slides(prs: Any, view: View, title: str) -> None:
    b = view.briefing
    pages = _claims_pages(b)
    for k, (rows, heights) in enumerate(pages, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        head = t("Claims: {title}", title=title)
        if len(pages) > 1:
            head = t("Claims ({page} of {pages}): {title}", page=k, pages=len(pages), title=title)
        _title(slide, head, size=22)
        _subtitle(slide, t("Filter: {what}", what=_clean(b.filter_words)))
        _table(slide, (_MARGIN, _CLAIMS_TOP, sum(_CLAIMS_COLUMNS)), _CLAIMS_COLUMNS, rows, heights, "Claims")
        extra = ""
        if k == len(pages) and b.claims_more:
            extra = tn("And {n} more statement, in the data exports.", "And {n} more statements, in the data exports.",
                       b.claims_more)  # fmt: skip
        _footer(slide, b, extra)
        _notes(slide, b, view.url)


# -- the deck -----------------------------------------------------------------------------------------------------


def to_pptx(views: Sequence[View], path: str | Path, *, claims_slides: bool = True, lang: str | None = None) -> Path:
    """Write a briefing as a 16:9 PowerPoint deck: a slide per view, in order, each followed by its claims slides.

    Parameters
    ----------
    views : sequence of View
        The views (:func:`geo.briefing.view.views`), in the order of the deck.
    path : str or Path
        The ``.pptx`` file to write (replaced atomically: nothing half-written).
    claims_slides : bool
        Follow each view's slide with its claims table (every statement,
        about 12–14 rows a slide, continued over as many slides as needed).
    lang : str, optional
        Language of the deck's own words (default: the current one); the
        views' content is in the language they were made in.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    GeoError
        No views, or the path cannot be written.
    """
    from pptx import Presentation

    from geo.exporters.data import check_target, write_atomic
    from geo.exporters.html import default_title

    if not views:
        raise GeoError("a briefing needs at least one view")
    check_target(path)
    with i18n.using(lang):
        prs = Presentation()
        prs.slide_width, prs.slide_height = SLIDE_SIZE
        for view in views:
            title = _clean(view.briefing.title) or default_title()
            _view_slide(prs, view, title)
            if claims_slides:
                _claims_slides(prs, view, title)
        prs.core_properties.title = _clean(views[0].briefing.title) or default_title()
    return write_atomic(path, lambda tmp: prs.save(str(tmp)))
