// Leaflet's onEachFeature for the map's GeoJSON layers. Called with the layer's messages M (null, or the
// words of a grid cell's tooltip, translated on the server: {lang, count: {form: "{n} strikes"…},
// cell: "<b>{count}</b> in this 0.5° cell", statuses: [label…], synthetic: {form: "{n} synthetic"…}});
// returns the function Leaflet calls with each feature and its layer.
(function (M) {
    function fmt(v) {
        return v.toLocaleString("en");
    }
    function plural(forms, n) {
        var form = "other";
        try {
            form = new Intl.PluralRules(M.lang).select(n);
        } catch (e) {
            form = "other";  // a language the browser does not know
        }
        var text = forms[form] || forms.other || forms.many || forms.one || "{n}";
        return text.replace("{n}", function () { return fmt(n); });
    }
    return function (feature, layer) {
        var p = feature.properties || {};
        if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 380, minWidth: 220}); }
        if (p.badge && p.badge_at) {
            // A count label anchored inside the region (a permanent tooltip would sit at a centre Leaflet
            // computes before the view is set). It shows and hides with its layer.
            var badge = L.marker(L.latLng(p.badge_at[0], p.badge_at[1]), {
                icon: L.divIcon({className: "cm-badge " + (p.badge_dir || "center"),
                                 html: "<span>" + p.badge + "</span>", iconSize: null}),
                interactive: false, keyboard: false
            });
            badge.on("add", function () {  // which region it counts: declutter.js stacks one region's badges
                var el = badge.getElement();
                if (el) { el.setAttribute("data-key", p.badge_key || ""); }
            });
            layer.on("add", function () { badge.addTo(layer._map); });
            layer.on("remove", function () { badge.remove(); });
        }
        if (p.cell && M) {
            // A grid cell: [events, one count per status, synthetic]; the words are put together here.
            var c = p.cell, k = M.statuses.length, mix = [];
            for (var i = 0; i < k; i++) { if (c[i + 1]) { mix.push(M.statuses[i] + " " + fmt(c[i + 1])); } }
            var count = plural(M.count, c[0]);
            p.tip = M.cell.replace("{count}", function () { return count; }) + "<br>" + mix.join(" · ")
                + (c[k + 1] ? "<br>" + plural(M.synthetic, c[k + 1]) : "");
        }
        if (p.tip) {
            layer.bindTooltip(p.tip, {sticky: true, className: "cm-tip"});  // long ones wrap (map.css)
        }
    };
})
