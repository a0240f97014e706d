"""One message lookup: catalogs, plural forms, the current language, and a current English catalog."""

from __future__ import annotations

import string
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from geo import i18n

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def dummy():
    cat = i18n.Catalog(
        "xx",
        "Dummy",
        plural="east_slavic",
        messages={"Key figures": "Klyuchovi {what}"},
        plurals={"{n} strike": {"one": "{n} udar", "few": "{n} udary", "many": "{n} udariv"}},
    )
    i18n.register(cat)
    yield cat
    i18n.unregister("xx")


def test_english_is_the_key_and_the_fallback(dummy):
    assert i18n.t("Key figures") == "Key figures"
    assert i18n.t("Key figures", lang="xx", what="pokaznyky") == "Klyuchovi pokaznyky"
    assert i18n.t("Not translated {n}", lang="xx", n=3) == "Not translated 3"
    assert i18n.t("Not translated", lang="zz") == "Not translated"  # no catalog: English


@pytest.mark.parametrize(("n", "text"), [(1, "1 udar"), (3, "3 udary"), (5, "5 udariv"), (11, "11 udariv"),
                                         (21, "21 udar"), (1204, "1,204 udary")])  # fmt: skip
def test_plural_forms_follow_the_language(dummy, n, text):
    assert i18n.tn("{n} strike", "{n} strikes", n, lang="xx") == text


def test_english_plurals():
    assert i18n.tn("{n} strike", "{n} strikes", 1) == "1 strike"
    assert i18n.tn("{n} strike", "{n} strikes", 0) == "0 strikes"
    assert i18n.tn("{n} strike", "{n} strikes", 2500) == "2,500 strikes"


def test_using_sets_the_language_for_a_block(dummy):
    assert i18n.language() == "en"
    with i18n.using("xx"):
        assert i18n.language() == "xx"
        assert i18n.tn("{n} strike", "{n} strikes", 2) == "2 udary"
    assert i18n.language() == "en"
    assert "xx" in i18n.available() and next(iter(i18n.available())) == "en"


def test_a_catalog_missing_a_plural_form_is_refused():
    with pytest.raises(ValueError, match="lacks the form"):
        i18n.register(i18n.Catalog("yy", "Y", plural="east_slavic", plurals={"{n} strike": {"one": "x"}}))


def test_english_catalog_is_current():
    """Every message in the code is in geo/locales/en.toml (the template a translator copies)."""
    done = subprocess.run(
        [sys.executable, "scripts/extract_messages.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_every_catalog_keeps_the_placeholders():
    """A translation that drops or renames a {placeholder} would raise at run time: catch it here."""

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for path in sorted(i18n.LOCALES.glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        for key, value in raw.get("messages", {}).items():
            assert fields(value) == fields(key), f"{path.name}: {key!r}"
        for key, forms in raw.get("plurals", {}).items():
            for form in forms.values():
                assert fields(form) <= fields(key) | {"n"}, f"{path.name}: {key!r}"
