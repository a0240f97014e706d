"""Offline map assets: local copies of Leaflet and Leaflet.draw for folium maps.

Folium's HTML asks public CDNs for Leaflet, jQuery, Bootstrap, Font Awesome and
awesome-markers; with no network the map is blank ("L is not defined"). This
module copies the JavaScript and CSS the maps need from packages installed by
pip (``xstatic-leaflet`` for Leaflet 1.9.3, ``django-leaflet`` for
Leaflet.draw) into a static folder, and rewrites a map's asset links to point
there (DESIGN.md §6).

Streamlit serves ``./static/`` of the app folder at ``/app/static/`` when
``server.enableStaticServing`` is on, and ``st_folium``'s frame is same-origin,
so the default ``base_url`` ``/app/static/vendor`` loads there.

The maps built by :mod:`geo.mapview` use none of jQuery, Bootstrap, Font
Awesome or awesome-markers; :func:`use_assets` drops them in ``"local"`` mode
and refuses a map that contains an element known to need them (a
``folium.Popup``, an awesome-markers ``folium.Icon``, a branca colour map…), so
an offline map can never silently depend on the network.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final
from urllib.parse import urlparse

import branca.colormap
import folium
import folium.map
from branca.element import CssLink, Element, JavascriptLink
from folium.elements import JSCSSMixin

from geo.errors import GeoError

__all__ = ["ASSET_MODES", "DRAW_VERSION", "LEAFLET_VERSION", "VENDOR", "ensure_static", "use_assets"]

ASSET_MODES: Final = ("local", "cdn")
VENDOR: Final = "vendor"
"""Name of the folder inside the static folder that holds the copies."""
LEAFLET_VERSION: Final = "1.9.3"
DRAW_VERSION: Final = "django-leaflet"
_FIX = "pip install -r requirements.txt"
_STAMP = ".complete"

_LEAFLET_FILES: Final = ("leaflet.js", "leaflet.js.map", "leaflet.css", "images")
_DRAW_FILES: Final = ("leaflet.draw.js", "leaflet.draw.css", "images")

# Asset name (as folium names it) -> path below the vendor folder.
_LOCAL_JS: Final = {"leaflet": "leaflet/leaflet.js", "leaflet_draw_js": "leaflet-draw/leaflet.draw.js"}
_LOCAL_CSS: Final = {"leaflet_css": "leaflet/leaflet.css", "leaflet_draw_css": "leaflet-draw/leaflet.draw.css"}
# Assets our maps never use: dropped in local mode.
_DROPPED_JS: Final = frozenset({"jquery", "bootstrap", "awesome_markers"})
_DROPPED_CSS: Final = frozenset(
    {"bootstrap_css", "glyphicons_css", "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css"}
)
_LOOPBACK_NAMES: Final = frozenset({"localhost"})


def _leaflet_source() -> Path:
    """Folder of Leaflet's dist files inside the installed ``xstatic-leaflet``."""
    try:
        import xstatic.pkg.leaflet as xleaflet
    except ImportError:
        raise GeoError(f"the package xstatic-leaflet is not installed ({_FIX})") from None
    base = Path(xleaflet.BASE_DIR)
    if not (base / "leaflet.js").is_file():
        raise GeoError(f"xstatic-leaflet at {base} has no leaflet.js ({_FIX})")
    return base


def _draw_source() -> Path:
    """Folder of Leaflet.draw inside the installed ``django-leaflet``, found without importing Django."""
    spec = importlib.util.find_spec("leaflet")
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    for root in roots:
        folder = Path(root) / "static" / "leaflet" / "draw"
        if (folder / "leaflet.draw.js").is_file():
            return folder
    raise GeoError(f"the package django-leaflet (which ships Leaflet.draw) is not installed ({_FIX})")


def _stamp_text(source: Path, names: tuple[str, ...]) -> str:
    """What a complete copy's stamp file says: where it came from and the source files' sizes."""
    sizes = [f"{name}:{(source / name).stat().st_size}" for name in names if (source / name).is_file()]
    return f"{source}\n{' '.join(sizes)}\n"


def _is_current(dest: Path, stamp: str) -> bool:
    try:
        return (dest / _STAMP).read_text(encoding="utf-8") == stamp
    except OSError:
        return False


def _copy_tree(source: Path, names: tuple[str, ...], dest: Path) -> None:
    """Copy ``names`` from ``source`` into ``dest`` atomically: build a temporary sibling, then rename it."""
    stamp = _stamp_text(source, names)
    if _is_current(dest, stamp):
        return
    missing = [n for n in names if not (source / n).exists()]
    if missing:
        raise GeoError(f"{source} lacks {', '.join(missing)}; the package looks incomplete ({_FIX})")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        for name in names:
            src = source / name
            if src.is_dir():
                shutil.copytree(src, tmp / name)
            else:
                shutil.copy2(src, tmp / name)
        (tmp / _STAMP).write_text(stamp, encoding="utf-8")
        _replace_dir(tmp, dest, stamp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _replace_dir(tmp: Path, dest: Path, stamp: str) -> None:
    """Move ``tmp`` to ``dest``; a stale ``dest`` is moved aside first; a racing process may win."""
    for _attempt in range(5):
        try:
            os.replace(tmp, dest)
            return
        except OSError:
            if _is_current(dest, stamp):  # another process finished the same copy first
                return
            stale = Path(tempfile.mkdtemp(prefix=f".{dest.name}-old-", dir=dest.parent))
            try:
                os.replace(dest, stale / "old")
            except OSError:
                pass  # gone already, or another process is replacing it: try again
            finally:
                shutil.rmtree(stale, ignore_errors=True)
    if not _is_current(dest, stamp):
        raise GeoError(f"could not install map assets into {dest} (is the folder writable?)")


def ensure_static(static_dir: Path) -> Path:
    """Copy Leaflet and Leaflet.draw from installed packages into ``static_dir/vendor/``.

    Idempotent and safe when several processes call it at once: each copy is
    built in a temporary folder and renamed into place, and an up-to-date copy
    is left alone.

    Parameters
    ----------
    static_dir : Path
        The static folder (Streamlit serves the app's ``./static/`` at
        ``/app/static/``).

    Returns
    -------
    Path
        The vendor folder, holding ``leaflet/`` (``leaflet.js``,
        ``leaflet.css``, ``images/``) and ``leaflet-draw/``
        (``leaflet.draw.js``, ``leaflet.draw.css``, ``images/``).

    Raises
    ------
    GeoError
        If ``xstatic-leaflet`` or ``django-leaflet`` is not installed, or the
        folder cannot be written.
    """
    vendor = Path(static_dir) / VENDOR
    try:
        _copy_tree(_leaflet_source(), _LEAFLET_FILES, vendor / "leaflet")
        _copy_tree(_draw_source(), _DRAW_FILES, vendor / "leaflet-draw")
    except PermissionError as err:
        raise GeoError(f"cannot write map assets into {vendor}: {err.strerror}") from None
    return vendor


def _walk(element: Element) -> Iterator[Element]:
    """The element and all its descendants, as streamlit_folium walks them to collect links."""
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _is_remote(url: str) -> bool:
    """Whether a URL needs the network: anything with a host that is not this machine (paths and file: do not)."""
    parsed = urlparse(url)
    if parsed.scheme in ("file", "data", "blob") or (not parsed.scheme and not url.startswith("//")):
        return False
    host = (parsed.hostname or "").lower()
    if host in _LOOPBACK_NAMES:
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def _check_offline_safe(element: Element) -> None:
    """Refuse elements that need jQuery, awesome-markers or d3 from a CDN, which local mode drops."""
    problem = None
    if isinstance(element, folium.map.Icon):
        problem = "a folium.Icon (awesome-markers)"
    elif isinstance(element, folium.Popup):
        problem = "a folium.Popup (needs jQuery)"
    elif isinstance(element, branca.colormap.ColorMap):
        problem = "a branca colour map (streamlit_folium loads d3 from a CDN for it)"
    elif isinstance(element, folium.Map) and element.objects_to_stay_in_front:
        problem = "objects_to_stay_in_front (needs jQuery)"
    if problem:
        raise GeoError(f"the map contains {problem}, which cannot work offline; use the geo.mapview builders")


def _localise(
    links: list[tuple[str, str]], local: dict[str, str], dropped: frozenset[str], base: str, owner: str
) -> list[tuple[str, str]]:
    out = []
    for name, url in links:
        if name in dropped:
            continue
        if name in local:
            out.append((name, f"{base}/{local[name]}"))
        elif _is_remote(url):
            raise GeoError(f"{owner} asks for {name} from {url}, which has no local copy; map assets must be offline")
        else:
            out.append((name, url))
    return out


def _clean_header(m: folium.Map) -> None:
    """Drop links a previous render put in the page header that point to the network."""
    root = m.get_root()
    header = getattr(root, "header", None)
    if header is None:
        return
    for key, child in list(header._children.items()):
        if isinstance(child, (JavascriptLink, CssLink)) and _is_remote(child.url):
            del header._children[key]


def use_assets(m: folium.Map, mode: str = "local", base_url: str = "/app/static/vendor") -> folium.Map:
    """Point a map's JavaScript and CSS at local copies, or keep the CDN links.

    Rewrites ``default_js``/``default_css`` on the map and on every
    ``JSCSSMixin`` element in it (instance attributes; the class defaults are
    left alone), which is what folium renders into the page header and what
    ``streamlit_folium`` collects for its frame.

    Parameters
    ----------
    m : folium.Map
        The map, with all its layers and plugins already added.
    mode : {"local", "cdn"}
        ``"local"``: Leaflet (and Leaflet.draw when a Draw plugin is present)
        from ``base_url``; jQuery, Bootstrap, glyphicons, Font Awesome and
        awesome-markers are dropped. ``"cdn"``: folium's CDN links, unchanged.
    base_url : str
        Where :func:`ensure_static`'s vendor folder is served: a path
        (``/app/static/vendor``), a ``file://`` URL, or an http(s) URL on
        this machine (127.0.0.1, ``localhost``).

    Returns
    -------
    folium.Map
        ``m`` itself.

    Raises
    ------
    GeoError
        If ``mode`` is unknown, ``base_url`` points at another host, or (local
        mode) any asset would still be fetched from the network or an element
        needs a dropped library.
    """
    if mode not in ASSET_MODES:
        raise GeoError(f"asset mode must be one of {', '.join(ASSET_MODES)}, got {mode!r}")
    if mode == "cdn":
        return m
    base = base_url.rstrip("/")
    if not base or _is_remote(base + "/"):
        raise GeoError(f"base_url {base_url!r} is not on this machine; offline assets must be served locally")
    for element in _walk(m):
        _check_offline_safe(element)
        if isinstance(element, (JSCSSMixin, folium.Map)):
            owner = type(element).__name__
            element.default_js = _localise(list(element.default_js), _LOCAL_JS, _DROPPED_JS, base, owner)
            element.default_css = _localise(list(element.default_css), _LOCAL_CSS, _DROPPED_CSS, base, owner)
    _clean_header(m)
    return m
