"""The PowerPoint briefing (geo/briefing/pptx.py): slides, editable text, real tables, speaker notes, LibreOffice."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Pt

from geo import briefing, claims, filters
from geo.briefing.pptx import SLIDE_SIZE, to_pptx
from geo.briefing.view import View
from geo.exporters.html import default_title
from geo.seed import load_seed

BRYANSK = "?from=2026-02-15&to=2026-02-16&region=RU-BRY"
GOVERNOR = "Governor of Bryansk Oblast (A. Bogomaz)"
HISTORY = "intercepted 120 → ≥170 → 229"
CAVEAT = "Claims by parties to the war, not independently verified"


# -- helpers --------------------------------------------------------------------------------------------------------


def _texts(slide) -> list[str]:
    """Every text of a slide's text frames and table cells (not pictures)."""
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [cell.text for cell in shape.table.iter_cells()]
    return out


def _tables(slide) -> list:
    return [s.table for s in slide.shapes if s.has_table]


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _named(slide, name: str):
    return next(s for s in slide.shapes if s.name == name)


def _notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text


def _png(size=(236, 164)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 220, 240)).save(buf, format="PNG")
    return buf.getvalue()


def _assert_fits(deck) -> None:
    """Every shape inside the slide, tables as tall as their rows, every font at least 10 pt."""
    width, height = deck.slide_width, deck.slide_height
    for k, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            bottom = shape.top + (sum(r.height for r in shape.table.rows) if shape.has_table else shape.height)
            assert shape.left >= 0 and shape.top >= 0, (k, shape.name)
            assert shape.left + shape.width <= width and bottom <= height, (k, shape.name)
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [c.text_frame for c in shape.table.iter_cells()]
            for frame in frames:
                for para in frame.paragraphs:
                    for run in para.runs:
                        assert run.font.size is None or run.font.size >= Pt(10), (k, shape.name, run.text)


# -- quick: views made from briefing() content, a small PNG ---------------------------------------------------------


@pytest.fixture(scope="module")
def seed():
    events, claims_ = load_seed()
    return claims.fold(events, claims_), claims_


def _view(folded, all_claims, url: str, *, title: str = "", claims_limit: int = 300) -> View:
    flt = filters.Filter.from_url(url)
    events = filters.apply(folded, flt, all_claims)
    mine = all_claims[all_claims["event_id"].isin(events["event_id"])]
    content = briefing.briefing(events, mine, flt, limit=12, title=title, claims_limit=claims_limit,
                                provenance="seed · test")  # fmt: skip
    legend = [("", "Claims by parties, not verified."), ("Strikes", "target: energy")]
    return View(content, flt, events, mine, mine.iloc[0:0], _png(), (118, 82), legend, flt.to_url())


@pytest.fixture(scope="module")
def quick(seed, tmp_path_factory):
    """A deck of the Bryansk view (titled) and everything with a short claims table, from content alone."""
    folded, all_claims = seed
    views = [
        _view(folded, all_claims, BRYANSK, title="Bryansk, 15–16 Feb"),
        _view(folded, all_claims, "", claims_limit=30),
    ]
    path = to_pptx(views, tmp_path_factory.mktemp("quick") / "deck.pptx")
    return views, Presentation(str(path)), path


def test_a_quick_deck_is_16_9_with_a_view_slide_then_its_claims_slides(quick):
    views, deck, _path = quick
    assert (deck.slide_width, deck.slide_height) == SLIDE_SIZE
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 1e-3
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[0] == "Bryansk, 15–16 Feb"
    assert titles[1] == "Claims: Bryansk, 15–16 Feb"  # 8 statements: one claims slide
    second = titles.index(default_title())
    assert second == 2 and all(t.startswith("Claims (") for t in titles[3:]), titles
    # 30 statements, at most 14 a slide, over as many slides as needed; the last says what the table leaves out
    rows = [len(_tables(s)[0].rows) - 1 for s in list(deck.slides)[3:]]
    assert sum(rows) == len(views[1].briefing.claims) == 30 and max(rows) <= 14 and len(rows) >= 3
    assert titles[-1] == f"Claims ({len(rows)} of {len(rows)}): {default_title()}"
    more = views[1].briefing.claims_more
    assert more > 0
    assert f"And {more} more statements, in the data exports." in _named(deck.slides[-1], "Footer").text_frame.text
    _assert_fits(deck)


def test_the_key_claims_table_holds_latest_figures_histories_and_answers(quick):
    _views, deck, _path = quick
    table = _tables(deck.slides[0])[0]
    rows = _rows(table)
    assert rows[0] == ["Claimant", "Latest figure, history, dates", "The other side's answers", "Status, verdicts",
                       "Sources"]  # fmt: skip
    governor = next(r for r in rows if r[0].startswith(GOVERNOR))
    assert governor[1].splitlines() == ["intercepted 229", HISTORY, "15–16 Feb 2026"]
    assert governor[3] == "claimed" and governor[4] == "[1] [2] [3]"
    # everything: the other side's answer to a claimed capture, what it says first
    rows = _rows(_tables(deck.slides[2])[0])
    assert any(r[2].startswith("denies: Spokesman of Ukraine's Southern Defence Forces") for r in rows), rows
    assert any(r[3] == "disputed" for r in rows)


def test_speaker_notes_number_the_sources_with_full_addresses(quick):
    views, deck, _path = quick
    notes = _notes(deck.slides[0]).splitlines()
    assert notes[0] == "Sources"
    sources = views[0].briefing.sources
    assert len(sources) == 3
    for s in sources:
        assert f"[{s.number}] {s.name} — {s.url}" in notes
    assert notes[1].startswith("[1] The Kyiv Independent — https://kyivindependent.com/")
    assert any(line.startswith("intercepted 229–331, claims may overlap: These claims may count") for line in notes)
    assert f"View: {views[0].url}" in notes


def test_map_legend_totals_and_footer_are_on_the_view_slide(quick):
    _views, deck, _path = quick
    slide = deck.slides[0]
    pictures = [s for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 1
    pic = pictures[0]
    assert pic.width / pic.height == pytest.approx(118 / 82, rel=0.01)  # its aspect kept
    assert pic.line.width == Pt(0.75)  # framed
    filt = _named(slide, "Filter").text_frame.text
    assert filt == "Filter: events or statements 15–16 Feb 2026 · Bryansk Oblast"
    legend = _named(slide, "Legend").text_frame.text
    assert legend.splitlines() == ["Claims by parties, not verified.", "Strikes: target: energy"]
    totals = _named(slide, "Totals").text_frame.text
    assert "Strikes 3" in totals and "intercepted 229–331, claims may overlap" in totals
    footer = _named(slide, "Footer").text_frame.text
    assert footer.startswith(CAVEAT + ".")
    assert re.search(r"Made \d+ \w+ \d{4} \d\d:\d\d UTC from seed · test\.", footer), footer
    # the map sits beside the legend and the table, never under them
    table = next(s for s in slide.shapes if s.has_table)
    assert pic.left + pic.width <= table.left
    assert pic.top + pic.height <= _named(slide, "Legend").top


def test_without_claims_slides_there_is_one_slide_per_view(quick, seed, tmp_path):
    views, _deck, _path = quick
    deck = Presentation(str(to_pptx(views[::-1], tmp_path / "two.pptx", claims_slides=False)))
    assert [s.shapes.title.text for s in deck.slides] == [default_title(), "Bryansk, 15–16 Feb"]


def test_control_characters_in_data_are_stripped_and_long_texts_shortened(seed, tmp_path):
    folded, all_claims = seed
    hostile = all_claims.copy()
    governor = hostile["claimant"] == GOVERNOR
    hostile.loc[governor, "claimant"] = "Governor\x0b of\x00 Bryansk Oblast " + "very " * 60 + "long"
    view = _view(folded, hostile, BRYANSK)
    path = to_pptx([view], tmp_path / "hostile.pptx")
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert "_x000B_" not in xml and "_x0000_" not in xml and "\x0b" not in xml
    deck = Presentation(str(path))
    rows = _rows(_tables(deck.slides[0])[0])
    cell = next(r[0] for r in rows if r[0].startswith("Governor of Bryansk Oblast very very"))
    assert cell.splitlines()[0].endswith("…")  # shortened to its budget
    _assert_fits(deck)


def test_many_key_claims_are_counted_when_they_do_not_fit(seed, tmp_path):
    folded, all_claims = seed
    view = _view(folded, all_claims, "")
    deck = Presentation(str(to_pptx([view], tmp_path / "all.pptx", claims_slides=False)))
    shown = len(_tables(deck.slides[0])[0].rows) - 1
    assert 0 < shown < len(view.briefing.lines)
    more = _named(deck.slides[0], "More claims").text_frame.text
    assert more == f"and {len(view.briefing.lines) - shown} more key claims (see the claims slides)"
    _assert_fits(deck)


def test_no_views_and_unwritable_paths_are_refused(quick, tmp_path):
    from geo.errors import GeoError

    views, _deck, _path = quick
    with pytest.raises(GeoError, match="at least one view"):
        to_pptx([], tmp_path / "none.pptx")
    with pytest.raises(GeoError, match="does not exist"):
        to_pptx(views, tmp_path / "missing" / "deck.pptx")
    assert not (tmp_path / "none.pptx").exists()


# -- real views of the bundled store (Chromium), and LibreOffice ----------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    from geo.briefing.chromium import Chromium
    from geo.briefing.view import views
    from geo.store import open_store

    folder = tmp_path_factory.mktemp("real")
    store = open_store(str(folder / "conflict.gpkg"), create=True, seed=True)  # the bundled data
    flts = [filters.Filter.from_url(u) for u in (BRYANSK, "", "?from=2030-01-01&to=2030-01-02")]
    with Chromium() as chromium:
        made = views(store, flts, chromium=chromium)
    path = to_pptx(made, folder / "briefing.pptx")
    return made, path


@pytest.mark.browser
def test_a_deck_of_three_real_views_in_order(real):
    made, path = real
    deck = Presentation(str(path))
    views_slides = [s for s in deck.slides if not s.shapes.title.text.startswith("Claims")]
    assert len(views_slides) == 3
    filters_text = [_named(s, "Filter").text_frame.text for s in views_slides]
    assert filters_text == [f"Filter: {v.briefing.filter_words}" for v in made]
    assert filters_text[0] == "Filter: events or statements 15–16 Feb 2026 · Bryansk Oblast"
    first, everything, empty = views_slides
    assert first.shapes.title.text == default_title()
    governor = next(r for r in _rows(_tables(first)[0]) if r[0].startswith(GOVERNOR))
    assert HISTORY in governor[1] and "15–16 Feb 2026" in governor[1]
    pics = [s for s in first.shapes if s.shape_type == 13]
    assert len(pics) == 1 and pics[0].width / pics[0].height == pytest.approx(1180 / 820, rel=0.01)
    assert "Strikes:" in _named(first, "Legend").text_frame.text
    notes = _notes(first)
    assert all(f"[{s.number}] {s.name} — {s.url}" in notes for s in made[0].briefing.sources)
    assert _named(first, "Footer").text_frame.text.startswith(CAVEAT)
    assert any("denies:" in r[2] for r in _rows(_tables(everything)[0]))
    # the empty view: its slide says so, has no claims slides, and still carries the caveat
    assert "No claims in this view." in _texts(empty)
    assert list(deck.slides)[-1].shapes.title.text == default_title()  # no claims slides after it
    assert not _tables(empty)
    assert _named(empty, "Footer").text_frame.text.startswith(CAVEAT)
    _assert_fits(deck)


@pytest.mark.browser
def test_libreoffice_opens_the_deck_and_its_pdf_reads_the_claims(real, tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    _made, path = real
    out = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = out / "briefing.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == len(Presentation(str(path)).slides)
    flat = " ".join(pages[0].split())
    assert default_title() in flat
    assert "Bryansk Oblast" in flat and "Governor of Bryansk" in flat
    assert "intercepted 120 →" in flat and "229" in flat and "Claimant" in flat
    assert CAVEAT in " ".join(text.split())
