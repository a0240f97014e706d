// Text labels as non-interactive DivIcon markers in a pane. Called with the layer group, the labels
// ([lat, lon, escaped html, css class, icon anchor] each) and the pane's name.
(function (group, labels, pane) {
    labels.forEach(function (d) {
        L.marker([d[0], d[1]], {
            icon: L.divIcon({className: d[3], html: d[2], iconSize: null, iconAnchor: d[4]}),
            pane: pane, interactive: false, keyboard: false
        }).addTo(group);
    });
})
