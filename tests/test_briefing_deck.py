"""Several views in one briefing: the command line (``--url`` repeated), the sidebar button and the Export page."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.cli import main
from geo.filters import Filter

ROOT = Path(__file__).resolve().parents[1]
BRYANSK = "?from=2026-02-15&to=2026-02-16&region=RU-BRY"
KURSK = "?from=2026-02-01&to=2026-02-28&region=RU-KRS&layer=strike"
FEBRUARY = "?from=2026-02-01&to=2026-02-28"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# -- the command line: errors before anything is rendered -----------------------------------------------------------


def test_a_png_holds_one_view(capsys, tmp_path, store_env):
    out = tmp_path / "b.png"
    code, _, err = _run(capsys, "export", "--format", "png", "--url", BRYANSK, "--url", KURSK, "--out", str(out))
    assert code == 1
    assert err.count("\n") == 1 and "a PNG holds one view, not 2" in err and "pdf or pptx" in err
    assert not out.exists()


def test_data_formats_take_one_link(capsys, tmp_path, store_env):
    out = tmp_path / "b.csv"
    code, _, err = _run(capsys, "export", "--format", "csv", "--url", BRYANSK, "--url", KURSK, "--out", str(out))
    assert code == 1 and "one --url for csv" in err and not out.exists()


def test_more_titles_than_views_is_refused(capsys, tmp_path, store_env):
    out = tmp_path / "b.pdf"
    argv = ["export", "--format", "pdf", "--url", BRYANSK, "--title", "One", "--title", "Two", "--out", str(out)]
    code, _, err = _run(capsys, *argv)
    assert code == 1 and "2 --title for 1 views" in err and not out.exists()


def test_an_unknown_language_is_refused(capsys, tmp_path, store_env):
    out = tmp_path / "b.pdf"
    code, _, err = _run(capsys, "export", "--format", "pdf", "--lang", "xx", "--out", str(out))
    assert code == 1 and "unknown language 'xx'" in err and not out.exists()


def test_a_bad_link_is_named_before_the_store_is_read(capsys, tmp_path, store_env):
    out = tmp_path / "b.pdf"
    code, _, err = _run(capsys, "export", "--format", "pdf", "--url", BRYANSK, "--url", "?from=yesterday", "--out",
                        str(out))  # fmt: skip
    assert code == 1 and "from" in err and not out.exists()


# -- the command line: a deck of three views, in order ------------------------------------------------------------


@pytest.fixture(scope="module")
def three_view_files(tmp_path_factory):
    """A PDF and a PPTX of three views of the bundled data, made by the command line (one Chromium each)."""
    from geo.store import open_store

    folder = tmp_path_factory.mktemp("deck")
    store = folder / "conflict.gpkg"
    open_store(store)  # built from the bundled dataset
    files = {}
    for fmt in ("pdf", "pptx"):
        out = folder / f"briefing.{fmt}"
        argv = ["export", "--format", fmt, "--out", str(out), "--lang", "en", "--store", str(store)]
        for url, title in ((BRYANSK, "Bryansk, 15–16 Feb"), (KURSK, "Kursk strikes"), (FEBRUARY, "")):
            argv += ["--url", url] + (["--title", title] if title else [])
        assert main(argv) == 0
        files[fmt] = out
    return files


@pytest.mark.browser
def test_a_pdf_of_three_views_has_them_in_order(three_view_files):
    text = subprocess.run(
        ["pdftotext", "-layout", str(three_view_files["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    first, second = text.find("Bryansk, 15–16 Feb"), text.find("Kursk strikes")
    assert 0 <= first < second, (first, second)
    assert "120 → ≥170 → 229" in text
    assert "Kursk Oblast" in text[second:]


@pytest.mark.browser
def test_a_deck_of_three_views_has_a_slide_each_in_order(three_view_files):
    from pptx import Presentation

    deck = Presentation(str(three_view_files["pptx"]))
    titles = []
    for slide in deck.slides:
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        titles.append(" | ".join(texts))
    joined = "\n".join(titles)
    assert joined.find("Bryansk, 15–16 Feb") < joined.find("Kursk strikes")
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 3  # a map per view


# -- the dashboard: the sidebar button and the Export page's list -------------------------------------------------


def _app(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_views_are_added_in_order_and_listed_on_the_export_page(store_env):
    at = _app(**{"from": "2026-02-15", "to": "2026-02-16", "region": "RU-BRY"})
    at.button(key="briefing_add").click().run()
    assert any("Added: view 1 of the briefing" in c.value for c in at.caption)
    at.button(key="briefing_add").click().run()  # the same view again
    assert any("already in the briefing" in c.value for c in at.caption)
    at.multiselect(key="f_regions").set_value(["RU-KRS"]).run()
    at.button(key="briefing_add").click().run()
    assert any("Briefing: 2 views" in c.value for c in at.caption)
    at.switch_page("views/export.py").run()
    assert not at.exception
    listed = [m.value for m in at.markdown if m.value[:2] in ("1.", "2.")]
    assert len(listed) == 2 and "Bryansk" in listed[0] and "Kursk" in listed[1], listed
    at.button(key="briefing_down_0").click().run()
    listed = [m.value for m in at.markdown if m.value[:2] in ("1.", "2.")]
    assert "Kursk" in listed[0] and "Bryansk" in listed[1], listed
    at.button(key="briefing_remove_1").click().run()
    listed = [m.value for m in at.markdown if m.value[:2] in ("1.", "2.")]
    assert len(listed) == 1 and "Kursk" in listed[0]


@pytest.mark.browser
def test_the_export_page_makes_one_deck_of_the_views_added(store_env):
    from pptx import Presentation

    at = _app(**{"from": "2026-02-15", "to": "2026-02-16", "region": "RU-BRY"})
    at.button(key="briefing_add").click().run()
    at.multiselect(key="f_regions").set_value(["RU-KRS"]).run()
    at.button(key="briefing_add").click().run()
    at.switch_page("views/export.py").run()
    at.radio(key="briefing_format").set_value("pptx").run()
    at.button(key="briefing_prepare").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    buttons = [b for b in at.get("download_button") if "briefing (2 views)" in b.proto.label]
    assert len(buttons) == 1
    # the bytes the button offers: the same file the command line makes (read it back from the cache)
    from ui.briefing import _render

    urls = tuple(Filter.from_url(u).to_url() for u in (BRYANSK, "?from=2026-02-15&to=2026-02-16&region=RU-KRS"))
    assert urls  # the button's content is served by the media server; check its rendering function instead
    from ui import data

    content = _render(data._current(), urls, "pptx", "en")
    deck = Presentation(io.BytesIO(content))
    assert len(deck.slides) >= 2


def test_the_export_page_says_how_to_start_a_briefing(store_env):
    at = _app()
    at.switch_page("views/export.py").run()
    assert any("Add this view to the briefing" in c.value for c in at.caption)
