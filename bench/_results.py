"""Sections of ``bench/RESULTS.md``: each bench script replaces its own and leaves the others as they are."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _sections(text: str) -> list[tuple[str, str]]:
    """``(heading, body)`` for each ``## `` section, in order; the preamble has heading ``""``."""
    parts = re.split(r"(?m)^(?=## )", text)
    out = []
    for part in parts:
        heading = part.splitlines()[0] if part.startswith("## ") else ""
        out.append((heading, part))
    return out


def replace_section(heading: str, text: str, path: Path = RESULTS) -> None:
    """Put ``text`` (starting with ``heading``) in place of that section, or at the end; keep every other one."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    sections = _sections(current)
    body = text.rstrip("\n") + "\n\n"
    if any(h == heading for h, _ in sections):
        parts = [body if h == heading else part for h, part in sections]
    else:
        parts = [part for _h, part in sections]
        if parts and not parts[-1].endswith("\n\n"):
            parts[-1] = parts[-1].rstrip("\n") + "\n\n"
        parts.append(body)
    path.write_text("".join(parts).rstrip("\n") + "\n", encoding="utf-8")


def others(text: str, own: list[str] | tuple[str, ...], path: Path = RESULTS) -> str:
    """The sections of ``path`` whose headings are not in ``own`` and not in ``text``, to append after ``text``."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    mine = set(own) | {h for h, _ in _sections(text) if h}
    kept = [part for h, part in _sections(current) if h and h not in mine]
    return "".join(part.rstrip("\n") + "\n\n" for part in kept)
