"""The map's own page elements: its CSS and scripts, read from ``static/`` beside this module.

The CSS (``map.css``) and each script (``*.js``, one function expression
per file) are plain files, read once and inserted into folium templates;
the templates only pass them the map's names and values. The scripts take
their data as arguments, so no Python value is ever written into their text
except through JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import folium
from branca.element import MacroElement
from folium.template import Template

__all__ = [
    "STATIC_DIR",
    "Declutter",
    "KeepOrder",
    "Labels",
    "LayerControl",
    "Legend",
    "Style",
    "on_each_feature",
    "static_text",
]

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
"""Folder of the map's CSS and JavaScript files."""
LEGEND_FOLD_BELOW: Final = 640
"""Map height (px) below which the legend starts folded to its caveats."""
LAYERS_FOLD_BELOW: Final = 720
"""Map width (px) below which the layer control starts folded into its button (a phone, a narrow window)."""


@lru_cache(maxsize=16)
def static_text(name: str) -> str:
    """The text of a file of :data:`STATIC_DIR`, read once.

    Parameters
    ----------
    name : str
        File name (``"map.css"``, ``"legend.js"``).

    Returns
    -------
    str
        Its text without its header comment; a script's trailing semicolon
        is removed too, so the template can call the function expression it
        holds.
    """
    text = (STATIC_DIR / name).read_text(encoding="utf-8").strip()
    if name.endswith(".js"):
        lines = text.splitlines()
        while lines and lines[0].startswith("//"):  # the file's header comment stays in the file
            lines.pop(0)
        return "\n".join(lines).strip().rstrip(";")
    if name.endswith(".css") and text.startswith("/*"):
        text = text[text.index("*/") + 2 :].strip()
    return text


def _json(value: object) -> str:
    """JSON safe inside a ``<script>`` (no ``</`` that could close it)."""
    return json.dumps(value).replace("</", "<\\/")


class Style(MacroElement):
    """The page's CSS (map background, legend, labels, popups) and the zoom classes it relies on."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        #{{ this._parent.get_name() }} { background: {{ this.sea }}; }
        #{{ this._parent.get_name() }}.leaflet-container {
            font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        {{ this.css }}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this.js }}({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, sea: str) -> None:
        super().__init__()
        self._name = "CmStyle"
        self.sea = sea
        self.css = static_text("map.css")
        self.js = static_text("zoom_classes.js")


class Labels(MacroElement):
    """Text labels (escaped HTML) as non-interactive DivIcon markers in a label pane."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js }}({{ this._parent.get_name() }}, {{ this.labels|tojson }}, {{ this.pane|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, labels: Sequence[tuple[float, float, str, str, tuple[int, int]]], pane: str) -> None:
        super().__init__()
        self._name = "CmLabels"
        self.labels = [list(label) for label in labels]
        self.pane = pane
        self.js = static_text("labels.js")


class Legend(MacroElement):
    """The legend: a Leaflet control in the bottom-left corner holding pre-escaped HTML.

    On a map less than :data:`LEGEND_FOLD_BELOW` px high it starts folded to
    its summary (the caveats), so it does not cover the map or the drawing
    tools.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js }}({{ this._parent.get_name() }}, {{ this.html|tojson }}, {{ this.fold_below }});
        {% endmacro %}
        """
    )

    def __init__(self, legend_html: str) -> None:
        super().__init__()
        self._name = "CmLegend"
        self.html = legend_html
        self.fold_below = LEGEND_FOLD_BELOW
        self.js = static_text("legend.js")


class KeepOrder(MacroElement):
    """Keep event layers stacked (regions under cells under points) when the layer control re-adds one."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js }}({{ this._parent.get_name() }},
            [{% for layer in this.layers %}{{ layer.get_name() }}, {% endfor %}]);
        {% endmacro %}
        """
    )

    def __init__(self, layers: Sequence[folium.FeatureGroup]) -> None:
        super().__init__()
        self._name = "CmKeepOrder"
        self.layers = list(layers)
        self.js = static_text("keep_order.js")


class Declutter(MacroElement):
    """Keep labels apart in the browser: count badges placed first, then names by rank; one that meets another hides.

    See ``static/declutter.js``: it runs after each zoom or move and whenever layers come or go, since only the browser
    knows the labels' boxes.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js }}({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "CmDeclutter"
        self.js = static_text("declutter.js")


class LayerControl(folium.LayerControl):
    """Folium's layer control, open on a wide map and folded into its button below :data:`LAYERS_FOLD_BELOW` px.

    Whether the map is narrow is known only in the browser (``static/layer_control.js``); the layers are
    collected as folium collects them.

    Parameters
    ----------
    position : str
        The map corner.
    **kwargs
        Other options of :class:`folium.LayerControl` (``collapsed`` is decided in the browser).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        let {{ this.get_name() }} = {{ this.js }}({{ this._parent.get_name() }},
            { {%- for key, val in this.base_layers.items() %} {{ key|tojson }}: {{ val }}, {%- endfor %} },
            { {%- for key, val in this.overlays.items() %} {{ key|tojson }}: {{ val }}, {%- endfor %} },
            {{ this.options|tojavascript }}, {{ this.fold_below }});
        {% endmacro %}
        """
    )

    def __init__(self, position: str = "topright", **kwargs: Any) -> None:
        kwargs.pop("collapsed", None)
        super().__init__(position=position, collapsed=False, **kwargs)
        self.fold_below = LAYERS_FOLD_BELOW
        self.js = static_text("layer_control.js")


def on_each_feature(messages: Mapping[str, Any] | None = None) -> folium.JsCode:
    """Leaflet's ``onEachFeature`` for one GeoJSON layer: popups, tooltips, count badges, cell tooltips.

    Parameters
    ----------
    messages : mapping, optional
        The words of a grid cell's tooltip for this layer (see
        ``static/on_each_feature.js``), already translated and escaped;
        None for a layer without cells.

    Returns
    -------
    folium.JsCode
        The function.
    """
    return folium.JsCode(f"{static_text('on_each_feature.js')}({_json(dict(messages) if messages else None)})")
