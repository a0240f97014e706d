"""Hostile links: a dashboard link with a parameter of 100,000 characters, or thousands of values, is read within bounds
and reported in a few words; the rest of the link still applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import state

ROOT = Path(__file__).resolve().parents[1]


def _app(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.sidebar.warning]


def test_a_value_of_100000_characters_is_ignored_and_quoted_short(store_env):
    at = _app(region="Zaporizhzhia" + "x" * 99_988, to="2026-02-16")
    warnings = _warnings(at)
    assert warnings == [
        "Ignored in the link: region: a value of 100,000 characters (Zaporizhzhia"
        + "x" * 68
        + "…); at most 2,000 are read"
    ]
    assert at.query_params["to"] == ["2026-02-16"] or at.query_params["to"] == "2026-02-16"  # the rest applies
    assert "region" not in at.query_params


def test_an_unknown_value_under_the_cap_is_quoted_short_too(store_env):
    at = _app(region="Narnia" * 300)  # 1,800 characters: read, not found, and not echoed in full
    (warning,) = _warnings(at)
    assert "Narnia" in warning and len(warning) < 4 * state.SHOWN_CHARS + 40 and warning.endswith("…")


@pytest.mark.parametrize("n", [1_500, 100_000])
def test_a_long_unknown_language_is_quoted_short(store_env, n):
    at = _app(lang="q" * n)
    (warning,) = _warnings(at)
    if n <= state.MAX_PARAM_CHARS:
        assert warning.startswith("Ignored in the link: lang=" + "q" * state.SHOWN_CHARS + "…: no such language")
    else:
        assert warning.startswith(f"Ignored in the link: lang: a value of {n:,} characters (")
    assert len(warning) < 4 * state.SHOWN_CHARS


def test_too_many_values_and_problems_are_cut(store_env):
    at = _app(region=[f"Atlantis {i}" for i in range(state.MAX_PARAM_VALUES + 50)])
    warnings = _warnings(at)
    assert len(warnings) == state.MAX_SHOWN_PROBLEMS
    assert warnings[0] == f"Ignored in the link: region: {state.MAX_PARAM_VALUES + 50} values; the first 300 are read"
    assert any("more problems" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize(("text", "clipped"), [("abc", "abc"), ("a" * 81, "a" * 80 + "…")])
def test_clip(text, clipped):
    assert state.clip(text) == clipped
