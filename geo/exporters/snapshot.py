"""What every Chromium render shares: the browser's flags, the network blocked, image sizes.

The briefings (:mod:`geo.briefing`: slide PNG, PDF, the map images of a
PowerPoint deck) render in :class:`geo.briefing.chromium.Chromium` with
:data:`CHROMIUM_ARGS`, every request that is not ``file:``/``data:``/
``about:``/``blob:`` aborted (:func:`_route`); :func:`parse_size` reads a
size for them and for the time-lapses.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Final

from geo.errors import GeoError, ValidationError

__all__ = ["CHROMIUM_ARGS", "MAX_PX", "MIN_PX", "PRESETS", "parse_size"]

PRESETS: Final = {"slide": (1920, 1080), "720p": (1280, 720), "a4": (2339, 1654), "square": (1200, 1200)}
"""Named PNG sizes: a 16:9 slide (1920×1080 and 1280×720), A4 landscape at 200 dpi, a square."""
MIN_PX: Final = 100
MAX_PX: Final = 10_000
CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_LOCAL: Final = ("file:", "data:", "about:", "blob:")


def parse_size(size: str | tuple[int, int]) -> tuple[int, int]:
    """A PNG size from a preset name, ``"WxH"`` or a (width, height) pair.

    Parameters
    ----------
    size : str or tuple of int
        ``"slide"``, ``"a4"``, ``"square"``, ``"1600x900"`` or ``(1600, 900)``.

    Returns
    -------
    tuple of int
        (width, height) in pixels.

    Raises
    ------
    ValidationError
        Unknown preset, unreadable size, or a side outside 100..10000 px.
    """
    if isinstance(size, str):
        text = size.strip().lower()
        if text in PRESETS:
            return PRESETS[text]
        m = re.fullmatch(r"(\d+)\s*[x×]\s*(\d+)", text)
        if m is None:
            raise ValidationError(
                f"size {size!r} is neither a preset ({', '.join(PRESETS)}) nor WIDTHxHEIGHT in pixels"
            )
        width, height = int(m.group(1)), int(m.group(2))
    else:
        try:
            width, height = (int(v) for v in size)
        except (TypeError, ValueError):
            raise ValidationError(f"size {size!r} is not a (width, height) pair") from None
    for name, value in (("width", width), ("height", height)):
        if not MIN_PX <= value <= MAX_PX:
            raise ValidationError(f"size: {name} {value} px is outside {MIN_PX}..{MAX_PX} px")
    return width, height


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        raise GeoError("Chromium is needed for PNG and PDF exports (apt-get install chromium)")
    return found


def _route(route: Any) -> None:
    if route.request.url.startswith(_LOCAL):
        route.continue_()
    else:
        route.abort()
