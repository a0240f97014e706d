// The layer control: open on a wide map, folded into its button on a narrow one (a phone), where it would cover
// much of the map. Called with the map, its base layers and overlays (name → layer), Leaflet's options and the
// map width (px) below which it starts folded; returns the control.
(function (map, base, overlays, options, foldBelow) {
    options.collapsed = map.getSize().x < foldBelow;
    return L.control.layers(base, overlays, options).addTo(map);
})
