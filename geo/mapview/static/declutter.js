// Keeps the map's labels apart: no city name, country name or count badge covers another. Runs after every
// zoom or move and whenever layers come or go (a moment later, once).
// 1. Region count badges first. The badges of one region (data-key) are stacked into one block, ordered by
//    their layer's badge_dir (top first, bottom last); the block stays at its anchor or moves to the nearest
//    spot that meets no badge placed before it and covers as few names as it can (a city of a million weighs
//    most); a block with no free spot near its anchor is hidden.
// 2. Then the names, by rank (cities of a million, country names, front-line towns, other large cities; the
//    gazetteer's order within a rank): a name whose box meets a label already placed is hidden.
// Hidden labels get the class cm-off. When done the container's data-cm-placed counts the runs.
// Called with the map.
(function (map) {
    var GAP = 2;  // px kept free between two labels
    var REACH = 130;  // px a badge block may move from its anchor
    var STEP = 24;  // px between two spots tried side by side
    var DIRS = ["top", "left", "center", "right", "bottom"];
    var RANKS = ["r1", "cm-country", "r3", "r2"];  // the rest after these
    var WEIGHT = {0: 8, 1: 4, 2: 2, 3: 2};  // what covering a name of each rank costs (moving 60 px costs 1)
    var timer = null, runs = 0;

    function box(r, dx, dy) {
        return {l: r.left + dx, t: r.top + dy, r: r.right + dx, b: r.bottom + dy};
    }
    function meets(a, b) {
        return a.l < b.r + GAP && b.l < a.r + GAP && a.t < b.b + GAP && b.t < a.b + GAP;
    }
    function meetsAny(a, boxes) {
        for (var i = 0; i < boxes.length; i++) { if (meets(a, boxes[i])) { return true; } }
        return false;
    }
    function order(el, list) {
        for (var i = 0; i < list.length; i++) { if (el.classList.contains(list[i])) { return i; } }
        return list.length;
    }
    function shown(r) {  // a label the zoom classes hide (display: none) has an empty box
        return r.width > 0 && r.height > 0;
    }

    function badgeBlocks(root) {
        var byKey = {}, blocks = [];
        root.querySelectorAll(".cm-badge").forEach(function (el, i) {
            var span = el.firstElementChild, r = span && span.getBoundingClientRect();
            if (!r || !shown(r)) { return; }
            var at = el.getBoundingClientRect(), key = el.getAttribute("data-key") || "#" + i;
            var block = byKey[key];
            if (!block) {
                block = byKey[key] = {x: at.left, y: at.top, items: []};
                blocks.push(block);
            }
            block.items.push({el: el, span: span, w: r.width, h: r.height, dir: order(el, DIRS), i: i});
        });
        blocks.forEach(function (block) {
            block.items.sort(function (a, b) { return a.dir - b.dir || a.i - b.i; });
            var w = 0, h = -GAP;
            block.items.forEach(function (it) { it.top = h + GAP; h += it.h + GAP; w = Math.max(w, it.w); });
            block.w = w;
            block.h = h;
        });
        return blocks;
    }

    function candidates(w, h) {  // offsets of a block's centre from its anchor, nearest first
        var out = [], sx = Math.min(w / 2 + GAP, STEP), sy = h / 2 + GAP, reach = Math.max(REACH, w);
        var ni = Math.floor(reach / sx), nj = Math.min(6, Math.floor(reach / sy));
        for (var i = -ni; i <= ni; i++) {
            for (var j = -nj; j <= nj; j++) {
                var dx = i * sx, dy = j * sy, d = Math.sqrt(dx * dx + dy * dy);
                if (d <= reach) { out.push({dx: dx, dy: dy, d: d}); }
            }
        }
        return out.sort(function (a, b) { return a.d - b.d; });
    }

    function place() {
        timer = null;
        var root = map.getContainer();
        var blocks = badgeBlocks(root);
        var names = [];
        root.querySelectorAll(".cm-city, .cm-country").forEach(function (el, i) {
            var target = el.classList.contains("cm-country") ? el.firstElementChild : el;
            var r = target && target.getBoundingClientRect();
            if (r && shown(r)) { names.push({el: el, box: box(r, 0, 0), rank: order(el, RANKS), i: i}); }
        });
        names.sort(function (a, b) { return a.rank - b.rank || a.i - b.i; });
        var placed = [], moves = [], hide = [], keep = [];
        blocks.forEach(function (block) {
            var best = null;
            candidates(block.w, block.h).forEach(function (c) {
                var cx = block.x + c.dx, cy = block.y + c.dy;
                var b = {l: cx - block.w / 2, t: cy - block.h / 2, r: cx + block.w / 2, b: cy + block.h / 2};
                if (meetsAny(b, placed)) { return; }
                var cost = c.d / 60;
                if (best && cost >= best.cost) { return; }
                names.forEach(function (n) { if (meets(b, n.box)) { cost += WEIGHT[n.rank] || 1; } });
                if (!best || cost < best.cost) { best = {cost: cost, c: c, b: b}; }
            });
            if (!best) {
                block.items.forEach(function (it) { hide.push(it.el); });
                return;
            }
            placed.push(best.b);
            block.items.forEach(function (it) {
                moves.push([it, best.c.dx - it.w / 2, best.c.dy - block.h / 2 + it.top]);
            });
        });
        names.forEach(function (n) {
            if (meetsAny(n.box, placed)) {
                hide.push(n.el);
            } else {
                placed.push(n.box);
                keep.push(n.el);
            }
        });
        // Writes only after every box is read: one layout for the whole run.
        moves.forEach(function (m) {
            m[0].el.classList.add("cm-placed");
            m[0].el.classList.remove("cm-off");
            m[0].span.style.left = m[1].toFixed(1) + "px";
            m[0].span.style.top = m[2].toFixed(1) + "px";
        });
        keep.forEach(function (el) { el.classList.remove("cm-off"); });
        hide.forEach(function (el) { el.classList.add("cm-off"); });
        runs += 1;
        root.setAttribute("data-cm-placed", String(runs));
    }

    function schedule() {
        if (timer === null) { timer = setTimeout(place, 40); }
    }
    map.on("zoomend moveend viewreset resize layeradd layerremove", schedule);
    // Boxes change without a map event when a font arrives or the frame is resized by the page's CSS (a phone):
    // place again then, or a label measured with the fallback font may overlap its neighbour.
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(schedule); }
    if (typeof ResizeObserver === "function") { new ResizeObserver(schedule).observe(map.getContainer()); }
    schedule();
})
