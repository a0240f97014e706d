"""The PDF briefing (geo/briefing/pdf.py): several views in one document, read back with pdftotext and pdffonts.

Rendered once per module with one Chromium: the Bryansk view of the issue, everything, and a view with no events."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from geo.briefing.chromium import Chromium
from geo.briefing.pdf import document_html, footer_html, to_pdf
from geo.briefing.view import views
from geo.filters import Filter
from geo.store import open_store

pytestmark = pytest.mark.browser

URLS = ("?from=2026-02-15&to=2026-02-16&region=RU-BRY", "", "?from=2030-01-01&to=2030-01-02")
MADE = dt.datetime(2026, 2, 17, 9, 30, tzinfo=dt.UTC)
CAVEAT = "Claims by parties to the war, not independently verified."


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    """The PDF of three views, its text page by page, and its fonts."""
    if not shutil.which("pdftotext") or not shutil.which("pdffonts"):
        pytest.skip("poppler-utils is not installed")
    folder = tmp_path_factory.mktemp("briefing-pdf")
    store = open_store(str(folder / "conflict.gpkg"))
    with Chromium() as chromium:
        made = views(store, [Filter.from_url(u) for u in URLS], chromium=chromium, made=MADE, titles=["Bryansk"])
        path = to_pdf(made, folder / "briefing.pdf", chromium=chromium)
    text = _run("pdftotext", "-layout", str(path), "-")
    return {
        "flow": _run("pdftotext", "-raw", str(path), "-"),  # the order drawn: a column's lines together
        "views": made,
        "path": path,
        "text": text,
        "pages": text.split("\f")[:-1] if text.endswith("\f") else text.split("\f"),
        "fonts": _run("pdffonts", str(path)),
        "html": document_html(made),
    }


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_page_one_of_the_first_view_is_its_slide(document):
    first = document["pages"][0]
    assert "Bryansk" in first.splitlines()[0]
    assert "events or statements 15–16 Feb 2026 · Bryansk Oblast" in first
    flat = _flat(first)
    assert "Governor of Bryansk Oblast (A. Bogomaz) (RU): intercepted 229" in flat
    assert "(120 → ≥170 → 229)" in flat
    assert "229–331, claims may overlap" in flat
    assert "Made 17 Feb 2026 09:30 UTC" in flat


def test_every_claimant_latest_figure_history_and_answers_are_in_the_document(document):
    flat = _flat(document["flow"])  # the answers sit beside the claims: -layout interleaves the two columns
    for view in document["views"]:
        for line in view.briefing.lines:
            assert line.claimant.split(" (")[0] in flat
            for answer in line.answers:
                assert answer.claimant in flat  # in the claims table at least
        first = view.briefing.lines[:1]
        for answer in first[0].answers if first else ():
            assert _flat(answer.text) in flat  # beside the first claim on page 1
    # the claims table: every statement of the Bryansk view, with its figures and source numbers
    table = _flat(document["pages"][1])
    for figure in ("intercepted 120", "intercepted ≥170", "intercepted 229", "intercepted ≥220"):
        assert figure in table
    assert "Event Claimant Party Date Stance Figures Status Sources" in table
    # the other side's answers, in the everything view (Ukraine denies a capture)
    assert "Spokesman of Ukraine's Southern Defence Forces (V. Voloshyn) (UA): denies" in flat


def test_numbered_sources_with_full_addresses(document):
    text = document["text"]
    for view in document["views"]:
        for source in view.briefing.sources:
            assert f"{source.ref} {source.name}" in _flat(text)
            if source.url:
                assert source.url in text, source.url  # on one line, whole


def test_the_caveat_and_page_x_of_y_on_every_page(document):
    pages = document["pages"]
    assert len(pages) >= 5
    for i, page in enumerate(pages, start=1):
        assert CAVEAT in page, i
        assert f"page {i} of {len(pages)}" in page, i


def test_views_are_in_order_and_the_empty_one_says_so(document):
    flat = _flat(document["text"])
    at = [flat.index(w) for w in ("Bryansk Oblast", "all events", "No events match the current filters.")]
    assert at == sorted(at)
    assert "events or statements 1–2 Jan 2030" in flat


def test_fonts_are_embedded_and_the_text_is_searchable(document):
    rows = [r.split() for r in document["fonts"].splitlines()[2:] if r.strip()]
    assert rows and any("DejaVuSans" in r[0] for r in rows)
    for row in rows:
        assert row[-5] == "yes", row  # emb
    assert len(document["text"]) > 2000  # real text, not pictures of it


def test_the_claims_table_says_when_it_was_cut(document):
    view = document["views"][1]
    assert view.briefing.claims_more == 0  # the bundled data fits: no note
    assert "more statements are in the data exports" not in document["text"]
    html = document["html"]
    assert html.count('class="bf-page"') == 3 and html.count("bf-claimtable") == 2  # no table for an empty view
    assert "pageNumber" in footer_html(document["views"]) and "totalPages" in footer_html(document["views"])
