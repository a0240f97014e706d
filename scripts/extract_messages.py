"""Rebuild geo/locales/en.toml: every message of the interface, the template a translator copies.

Messages are found three ways:

* calls ``t("…")``, ``tn("…", "…", n)`` and ``N_("…")`` (a message translated where it is shown) with
  string literals, in ``app.py``, ``geo/``, ``ui/`` and ``views/`` (read as source, never run);
* the texts of every registered layer (:mod:`geo.layers`: labels, nouns, page titles, legend words).

Run ``python scripts/extract_messages.py`` after adding messages; ``--check`` exits 1 when the catalog is stale
(the test suite runs it). A translation is a copy of en.toml named after its language code (``uk.toml``) with the
right-hand sides translated and ``[meta]`` set (``name``, ``plural``: ``one_other`` or ``east_slavic``).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import i18n, layers  # noqa: E402

SOURCES = ("app.py", "geo", "ui", "views")
OUT = i18n.LOCALES / "en.toml"


def _python_files() -> Iterator[Path]:
    for name in SOURCES:
        path = ROOT / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if ".venv" not in p.parts)


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _from_source(path: Path) -> tuple[set[str], dict[str, str], list[str]]:
    """Messages, plural messages (singular → plural) and problems (a t() call whose text is not a literal)."""
    messages: set[str] = set()
    plurals: dict[str, str] = {}
    problems: list[str] = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = _callee(node)
        if name in ("t", "N_"):
            text = _literal(node.args[0])
            if text is None and name == "N_":
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: N_() needs a string literal")
            elif text is not None:
                messages.add(text)
        elif name == "tn" and len(node.args) >= 2:
            one, other = _literal(node.args[0]), _literal(node.args[1])
            if one is not None and other is not None:
                plurals[one] = other
    return messages, plurals, problems


def _layer_texts() -> tuple[set[str], dict[str, str]]:
    messages: set[str] = {"event", "events"}
    plurals = {"{n} event": "{n} events"}
    for spec in layers.all_specs():
        messages |= {spec.label, spec.word, spec.noun, spec.nouns}
        point = spec.point
        messages |= {point.missing_label, point.legend_label, point.legend_note, *point.labels.values()}
        if spec.page is not None:
            messages |= {spec.page.title, spec.page.nav_title, spec.page.heading, spec.page.table_caption}
        plurals["{n} " + spec.noun] = "{n} " + spec.nouns
    return {m for m in messages if m}, plurals


def collect() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Every message (sorted) and plural message, and the problems found.

    Returns
    -------
    messages : dict of str to str
        English → English.
    plurals : dict of str to str
        Singular → plural.
    problems : list of str
        Calls whose text could not be read.
    """
    messages, plurals, problems = set(), {}, []
    for path in _python_files():
        found, found_plurals, found_problems = _from_source(path)
        messages |= found
        plurals |= found_plurals
        problems += found_problems
    layer_messages, layer_plurals = _layer_texts()
    messages |= layer_messages
    plurals |= layer_plurals
    messages -= set(plurals)
    return {m: m for m in sorted(messages)}, dict(sorted(plurals.items())), problems


def _quote(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def render(messages: dict[str, str], plurals: dict[str, str]) -> str:
    """The catalog file's text.

    Parameters
    ----------
    messages, plurals
        As :func:`collect` returns them.

    Returns
    -------
    str
        TOML.
    """
    lines: list[str] = [
        "# The English catalog: every message of the interface (rebuilt by scripts/extract_messages.py; do not edit).",
        "# A translation is a copy named <code>.toml with the right-hand sides translated; see geo/i18n.py.",
        "",
        "[meta]",
        'name = "English"',
        'plural = "one_other"',
        "",
        "[messages]",
    ]
    lines += [f"{_quote(k)} = {_quote(v)}" for k, v in messages.items()]
    lines += ["", "[plurals]"]
    lines += [f"{_quote(one)} = {{ one = {_quote(one)}, other = {_quote(other)} }}" for one, other in plurals.items()]
    return "\n".join(lines) + "\n"


def main(argv: Iterable[str] | None = None) -> int:
    """Write (or with ``--check``, compare) geo/locales/en.toml.

    Parameters
    ----------
    argv : iterable of str, optional
        Command-line arguments.

    Returns
    -------
    int
        Exit code.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if en.toml is not current")
    args = parser.parse_args(list(argv) if argv is not None else None)
    messages, plurals, problems = collect()
    for problem in problems:
        print(problem, file=sys.stderr)
    text = render(messages, plurals)
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python scripts/extract_messages.py", file=sys.stderr)
            return 1
        return 1 if problems else 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(messages)} messages, {len(plurals)} plural messages")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
