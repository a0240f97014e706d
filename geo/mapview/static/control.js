// Hatching of the Control layer's gained and lost areas. The map's paths are drawn on a canvas, whose fill can
// be a pattern: diagonal lines of the feature's `hatch` colour (#rrggbb), made here once per colour, so nothing
// is loaded. Called with the Control layers (feature groups); a path on an SVG renderer keeps its plain fill.
(function (groups) {
    var made = {};
    function pattern(colour) {
        if (!made[colour]) {
            var tile = document.createElement("canvas");
            tile.width = tile.height = 8;
            var g = tile.getContext("2d");
            g.strokeStyle = colour;
            g.lineWidth = 1.6;
            g.beginPath();
            g.moveTo(0, 8); g.lineTo(8, 0);
            g.moveTo(-2, 2); g.lineTo(2, -2);
            g.moveTo(6, 10); g.lineTo(10, 6);
            g.stroke();
            made[colour] = g.createPattern(tile, "repeat");
        }
        return made[colour];
    }
    function hatch(layer) {
        if (layer.eachLayer) { layer.eachLayer(hatch); return; }
        var p = layer.feature && layer.feature.properties;
        if (!(p && p.hatch) || (layer._renderer && !(layer._renderer instanceof L.Canvas))) { return; }
        layer.options.fillColor = pattern(p.hatch);
        if (layer._map) { layer.redraw(); }
    }
    groups.forEach(function (group) { group.eachLayer(hatch); });
})
