"""The layer registry: what a spec must hold, and that the rest of the code reads it live."""

from __future__ import annotations

from dataclasses import replace

import pytest

from geo import layers, schema
from geo.layers import LayerError, PageSpec, PointStyle


def test_builtin_layers_in_order():
    assert layers.names() == ("capture", "strike", "impact", "talks")
    assert tuple(schema.LAYERS) == layers.names()
    assert [s.name for s in layers.stacked()] == ["impact", "strike", "capture", "talks"]
    assert layers.for_filter("weapons") == ("strike",)
    assert layers.for_filter("target_types") == ("strike",)
    assert layers.get("impact").drawn_as == "choropleth"
    assert layers.get("talks").timeline == "bands"
    assert {s.name for s in layers.all_specs() if s.page} == {"capture", "strike", "impact"}


def test_registered_layer_is_seen_live_by_schema_views(shelling_spec):
    assert "shelling" not in schema.LAYERS
    with layers.registered(shelling_spec):
        assert "shelling" in schema.LAYERS
        assert list(schema.LAYERS)[-1] == "shelling"
        assert schema.LAYER_FIGURES["shelling"] == ("killed", "wounded", "hits")
        assert [s.name for s in layers.stacked()] == ["impact", "strike", "shelling", "capture", "talks"]
        assert [s.name for s in layers.stacked(("shelling", "talks"))] == ["shelling", "talks"]
    assert "shelling" not in schema.LAYERS
    assert layers.get("shelling", None) is None


def test_unknown_layer_names_the_known_ones():
    with pytest.raises(LayerError, match="unknown layer 'nope'; choose from capture, strike, impact, talks"):
        layers.get("nope")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label": ""}, "label is empty"),
        ({"noun": " "}, "noun is empty"),
        ({"colour": "red"}, "colour 'red' is not a #rrggbb colour"),
        ({"ramp": ("#ffffff",)}, "ramp has 1 colours"),
        ({"figures": ("drones",)}, "unknown figure(s) ['drones']"),
        ({"key_figures": ("launched",)}, "are not among the layer's figures"),
        ({"stack": 10}, "stack 10 is taken"),
        ({"filters": ("calibre",)}, "filters ['calibre'] should be among weapons, target_types"),
        ({"breakdowns": ("calibre",)}, "unknown event column(s) ['calibre']"),
        ({"point": PointStyle()}, "point.legend_label is empty"),
        ({"badge_dir": "up"}, "badge_dir 'up'"),
        ({"page": PageSpec(title="Strikes", url_path="strikes")}, "page.url_path 'strikes' is taken"),
        ({"page": PageSpec(title="S", url_path="s", figure_charts=("launched",))}, "page.figure_charts"),
    ],
)
def test_incomplete_spec_fails_loudly_when_registered(shelling_spec, change, message):
    with pytest.raises(LayerError, match="cannot be registered") as err:
        layers.register(replace(shelling_spec, **change))
    assert message in str(err.value)
    assert "shelling" not in layers.names()


def test_every_problem_is_reported_at_once(shelling_spec):
    bad = replace(shelling_spec, label="", colour="red", figures=("drones",))
    with pytest.raises(LayerError) as err:
        layers.register(bad)
    text = str(err.value)
    assert "label is empty" in text and "'red'" in text and "drones" in text


def test_name_taken_and_replace():
    with pytest.raises(LayerError, match="registered already"):
        layers.register(replace(layers.get("talks")))
    original = layers.get("talks")
    try:
        layers.register(replace(original, label="Negotiations"), replace=True)
        assert layers.get("talks").label == "Negotiations"
    finally:
        layers.register(original, replace=True)
    assert layers.get("talks").label == "Talks"
