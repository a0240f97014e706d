// Classes on the map's container by zoom level, which map.css uses to hide minor labels and badges
// when zoomed out (cm-z-vlo < 5, cm-z-lo < 6, cm-z-mid < 7, cm-z-hi >= 8). Called with the map.
(function (map) {
    function zoomClasses() {
        var z = map.getZoom(), c = map.getContainer();
        c.classList.toggle("cm-z-vlo", z < 5);
        c.classList.toggle("cm-z-lo", z < 6);
        c.classList.toggle("cm-z-mid", z < 7);
        c.classList.toggle("cm-z-hi", z >= 8);
    }
    map.on("zoomend", zoomClasses);
    zoomClasses();
})
