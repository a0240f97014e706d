"""One message lookup for every user-facing string of the interface.

A message is written in English in the code, wrapped in :func:`t` (or
:func:`tn` for a count): the English text is the message's key, as in
gettext. A language is one catalog file, ``geo/locales/<code>.toml``::

    [meta]
    name = "Українська"
    plural = "east_slavic"          # which plural rule its counts follow

    [messages]
    "Key figures" = "Ключові показники"
    "{n} events match" = "Збігається подій: {n}"

    [plurals]
    "{n} strike" = { one = "{n} удар", few = "{n} удари", many = "{n} ударів" }

``geo/locales/en.toml`` lists every message of the code (it is the template a
translator copies; ``scripts/extract_messages.py`` rebuilds it and a test
checks it is current). A message missing from a catalog falls back to
English, so a partial translation still works.

The language is a parameter: :func:`t` takes ``lang`` and otherwise uses the
language set for the current run with :func:`using`. Callers that cache
results (the dashboard's caches, the map) take ``lang`` as an argument so it
reaches their cache keys.
"""

from __future__ import annotations

import contextlib
import contextvars
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

__all__ = [
    "DEFAULT",
    "N_",
    "Catalog",
    "available",
    "catalog",
    "language",
    "register",
    "set_language",
    "t",
    "tn",
    "unregister",
    "using",
]

DEFAULT: Final = "en"
LOCALES: Final = Path(__file__).parent / "locales"
_PLURAL_FORMS: Final = {
    "one_other": ("one", "other"),
    "east_slavic": ("one", "few", "many"),
    "none": ("other",),
}
_current: contextvars.ContextVar[str] = contextvars.ContextVar("conflictmap_language", default=DEFAULT)
_registered: dict[str, Catalog] = {}


@dataclass(frozen=True)
class Catalog:
    """The messages of one language.

    Parameters
    ----------
    code : str
        Language code (``"en"``, ``"uk"``).
    name : str
        The language's own name, for a language picker.
    plural : str
        Plural rule: ``"one_other"`` (English), ``"east_slavic"``
        (Ukrainian, Russian) or ``"none"``.
    messages : mapping of str to str
        English message → translation.
    plurals : mapping of str to mapping
        English singular message → ``{form: translation}``.
    """

    code: str
    name: str
    plural: str = "one_other"
    messages: Mapping[str, str] = field(default_factory=dict)
    plurals: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def form(self, n: float) -> str:
        """The plural form a count takes in this language (``"one"``, ``"few"``, ``"many"``, ``"other"``).

        Parameters
        ----------
        n : float
            The count.

        Returns
        -------
        str
            The form's name.
        """
        if self.plural == "none":
            return "other"
        if not float(n).is_integer():
            return "other" if self.plural == "one_other" else "few"
        k = abs(int(n))
        if self.plural == "east_slavic":
            if k % 10 == 1 and k % 100 != 11:
                return "one"
            if 2 <= k % 10 <= 4 and not 12 <= k % 100 <= 14:
                return "few"
            return "many"
        return "one" if k == 1 else "other"


def _check(cat: Catalog, where: str) -> Catalog:
    if cat.plural not in _PLURAL_FORMS:
        raise ValueError(f"{where}: plural should be one of {', '.join(_PLURAL_FORMS)}, got {cat.plural!r}")
    for key, forms in cat.plurals.items():
        missing = [f for f in _PLURAL_FORMS[cat.plural] if f not in forms]
        if missing:
            raise ValueError(f"{where}: plural message {key!r} lacks the form(s) {', '.join(missing)}")
    return cat


def _read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    meta = raw.get("meta", {})
    cat = Catalog(
        code=path.stem,
        name=str(meta.get("name", path.stem)),
        plural=str(meta.get("plural", "one_other")),
        messages={str(k): str(v) for k, v in raw.get("messages", {}).items()},
        plurals={str(k): {str(f): str(s) for f, s in v.items()} for k, v in raw.get("plurals", {}).items()},
    )
    return _check(cat, str(path))


@lru_cache(maxsize=16)
def _from_file(code: str) -> Catalog | None:
    path = LOCALES / f"{code}.toml"
    return _read(path) if path.is_file() else None


def register(cat: Catalog) -> None:
    """Make a catalog available without a file (tests, plug-ins); it wins over a file of the same code.

    Parameters
    ----------
    cat : Catalog
        The catalog.
    """
    _registered[cat.code] = _check(cat, f"catalog {cat.code!r}")


def unregister(code: str) -> None:
    """Forget a catalog made available with :func:`register`.

    Parameters
    ----------
    code : str
        Its language code.
    """
    _registered.pop(code, None)


def catalog(code: str | None = None) -> Catalog:
    """The catalog of a language (the current one by default); English when there is none.

    Parameters
    ----------
    code : str, optional
        Language code.

    Returns
    -------
    Catalog
        Its messages.
    """
    code = code or _current.get()
    found = _registered.get(code) or _from_file(code)
    if found is None:
        found = _registered.get(DEFAULT) or _from_file(DEFAULT) or Catalog(DEFAULT, "English")
    return found


def available() -> dict[str, str]:
    """Languages that have a catalog, code → own name (English first).

    Returns
    -------
    dict of str to str
        ``{"en": "English", …}``.
    """
    codes = {p.stem for p in LOCALES.glob("*.toml")} | set(_registered)
    ordered = sorted(codes, key=lambda c: (c != DEFAULT, c))
    return {c: catalog(c).name for c in ordered}


def language() -> str:
    """The language of the current run (set with :func:`using`).

    Returns
    -------
    str
        A language code.
    """
    return _current.get()


@contextlib.contextmanager
def using(code: str | None) -> Iterator[str]:
    """Run a block in a language (``None`` keeps the current one).

    Parameters
    ----------
    code : str or None
        Language code.

    Yields
    ------
    str
        The language in force inside the block.
    """
    if not code:
        yield _current.get()
        return
    token = _current.set(code)
    try:
        yield code
    finally:
        _current.reset(token)


def set_language(code: str) -> None:
    """Set the language for the rest of the current context (one dashboard run).

    Parameters
    ----------
    code : str
        Language code.
    """
    _current.set(code or DEFAULT)


def _format(text: str, values: Mapping[str, object]) -> str:
    return text.format(**values) if values else text


def t(message: str, /, lang: str | None = None, **values: object) -> str:
    """Translate a message and fill in its values.

    Parameters
    ----------
    message : str
        The English text, with ``{name}`` placeholders.
    lang : str, optional
        Language code (default: the current one).
    **values
        Values of the placeholders.

    Returns
    -------
    str
        The message in that language (English when it has no translation).
    """
    return _format(catalog(lang).messages.get(message, message), values)


def tn(singular: str, plural: str, n: float, /, lang: str | None = None, **values: object) -> str:
    """Translate a message about a count, in the plural form the count takes.

    Parameters
    ----------
    singular, plural : str
        The English forms, e.g. ``"{n} strike"`` and ``"{n} strikes"``;
        ``{n}`` is the count written with thousands separators.
    n : float
        The count.
    lang : str, optional
        Language code.
    **values
        Other placeholders.

    Returns
    -------
    str
        The message in that language.
    """
    cat = catalog(lang)
    count = f"{int(n):,}" if float(n).is_integer() else f"{n:,}"
    forms = cat.plurals.get(singular)
    if forms:
        text = forms.get(cat.form(n)) or forms.get("other") or next(iter(forms.values()))
    else:
        text = singular if float(n) == 1 else plural
    return _format(text, {"n": count, **values})


def N_(message: str, /) -> str:  # noqa: N802 (gettext's name for it)
    """Mark a message for the catalog without translating it here (it is translated where it is shown).

    Parameters
    ----------
    message : str
        The English text (a string literal).

    Returns
    -------
    str
        ``message`` unchanged.
    """
    return message
