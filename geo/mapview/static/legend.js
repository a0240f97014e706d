// The legend: a Leaflet control in the bottom-left corner holding pre-escaped HTML. On a map lower than
// foldBelow pixels it starts folded to its summary (the caveats). Called with the map, the HTML and foldBelow.
(function (map, html, foldBelow) {
    var legend = L.control({position: "bottomleft"});
    legend.onAdd = function () {
        var div = L.DomUtil.create("div", "cm-legend");
        div.innerHTML = html;
        var details = div.querySelector("details");
        if (details && map.getSize().y < foldBelow) { details.open = false; }
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    legend.addTo(map);
})
