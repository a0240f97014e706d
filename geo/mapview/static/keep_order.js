// Keep the event layers stacked (regions under cells under points) when the layer control re-adds one.
// Called with the map and its event layers, bottom to top.
(function (map, layers) {
    map.on("overlayadd", function () {
        layers.forEach(function (layer) { if (map.hasLayer(layer)) { layer.bringToFront(); } });
    });
})
