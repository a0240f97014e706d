"""Totals that never add claims which may overlap: the one rule (DESIGN.md §3 "Totals").

Two events' figures **may overlap** when their places intersect and their time
spans overlap: a ministry's "102 drones over four oblasts" and a governor's
"229 over Bryansk Oblast" on the same day may count the same drones. Places
are admin-1 sets (``admin1``, ``;``-joined); an event known only to its
country may overlap every event in that country, and an event with neither
may overlap any event. Time spans are whole days, ends included (a missing
end is the first day, a missing start the last; an undated event may be any day).

Events linked by "may overlap", directly or through others, form a *group*
(a connected component). A group of one adds exactly. A larger group's
honest total is a range: from the best sum of claims that cannot overlap one
another (at least its largest single claim; exact for groups of up to
:data:`EXACT_MAX` claims, a valid lower bound for larger ones) to the sum of
all its claims. Groups add up. A lower-bound figure ("over 170", ``≥170``)
makes a sum that includes it a lower bound too.

Vectorised (no Python per event or pair): a sweep per region finds runs of
overlapping days; groups are the connected components of events and runs.
:func:`total` computes a :class:`Total`; :func:`total_text` and
:func:`overlap_text` write it. Many totals over rows of the same events (the
key figures: each layer's figures, each side's area) decode them once with
:func:`prepare` and never copy them: all of a million events' key figures
take about 0.7 s of CPU.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo import present, schema
from geo.claims import ASSERTING
from geo.present.totals import NOT_STATED, overlap_text, total_text

__all__ = [
    "EXACT_MAX",
    "NOT_STATED",
    "Group",
    "Part",
    "Prepared",
    "Total",
    "figure_claimants",
    "overlap_text",
    "prepare",
    "total",
    "total_text",
]

EXACT_MAX: Final = 10
"""Groups of up to this many claims get the exact best set of claims that cannot overlap."""
GROUPS_KEPT: Final = 5
"""How many overlapping groups a :class:`Total` names (those that could double-count the most)."""
PARTS_KEPT: Final = 6
"""How many claims of a group it names (the largest)."""

_DAY0: Final = 1 << 30  # real days are shifted by this: an open start is 0, an open end _OPEN_END
_OPEN_END: Final = 1 << 31
_KEY_STRIDE: Final = 1 << 32  # key * _KEY_STRIDE + day orders by key, then day
_CHUNK: Final = 1 << 22  # cells of one batch of the exact search (masks × claims × groups)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Part:
    """One claim of a group whose claims may overlap: its event, title (else place, else id), figure and bound."""

    event_id: str
    label: str
    value: float
    bound: str


@dataclass(frozen=True)
class Group:
    """Claims linked by "may overlap" (two or more): its largest claims (at most :data:`PARTS_KEPT`, largest
    first), how many it has, its best sum of claims that cannot overlap and the sum of all."""

    parts: tuple[Part, ...]
    size: int
    low: float
    high: float


@dataclass(frozen=True)
class Total:
    """A total of claimed figures that does not double-count.

    Attributes
    ----------
    low : float
        The best sum of claims that cannot overlap (equals ``high`` when none may).
    high : float
        The sum of every claim.
    bound, low_bound : str
        Bound of ``high`` (``at_least`` when any claim is a lower bound, else ``about`` when any is
        approximate, else ``at_most``, ``exact``) and of ``low`` (from the claims it adds).
    overlapping : bool
        Whether some claims may overlap (then it is a range).
    claims : int
        Events whose current claims state the figure (0: not stated).
    groups, n_groups : tuple of Group, int
        The groups that may overlap, most double-counting first (at most :data:`GROUPS_KEPT`); how many in all.
    """

    low: float = 0.0
    high: float = 0.0
    bound: str = "exact"
    low_bound: str = "exact"
    overlapping: bool = False
    claims: int = 0
    groups: tuple[Group, ...] = ()
    n_groups: int = 0

    @property
    def is_range(self) -> bool:
        """Whether it reads as a range (some claims may overlap and the ends differ)."""
        return self.overlapping and (self.low != self.high or self.low_bound != self.bound)


def _factorized(frame: pd.DataFrame, name: str) -> tuple[IntArray, list[object]]:
    """A column's codes (-1: missing, or no such column) and distinct values, without copying it to objects."""
    if name not in frame.columns:
        return np.full(len(frame), -1, dtype=np.int64), []
    codes, uniques = pd.factorize(frame[name])
    return codes.astype(np.int64, copy=False), list(uniques.to_numpy(dtype=object))


@dataclass(frozen=True, eq=False)
class Prepared:
    """What the rule reads of a set of events, decoded once for many totals over its rows (:func:`prepare`).

    Attributes
    ----------
    frame : DataFrame
        The events: their figures and bounds, and the ``event_id``, ``title``
        and ``place`` that name claims.
    start, end : ndarray of int
        Each event's first and last day (shifted; see :func:`_spans`).
    cell : ndarray of int
        Each event's ``admin1`` cell, an index into ``cells`` (-1: none).
    cells : tuple of tuple of str
        The admin-1 codes of each distinct cell.
    country : ndarray of int
        Each event's country, an index into ``countries`` (-1: none).
    countries : tuple of str
        The distinct countries, upper case (``""``: not a country).
    """

    frame: pd.DataFrame
    start: IntArray
    end: IntArray
    cell: IntArray
    cells: tuple[tuple[str, ...], ...]
    country: IntArray
    countries: tuple[str, ...]
    _figures: dict[str, tuple[npt.NDArray[np.float64], IntArray, list[str]]] = field(default_factory=dict, repr=False)

    def figure(self, name: str) -> tuple[npt.NDArray[np.float64], IntArray, list[str]]:
        """A figure's values (NaN: not stated) and the codes (-1: not given) and names of their bounds.

        Decoded on first use, then kept.
        """
        if name not in self._figures:
            values = self.frame[name].to_numpy(dtype=float, na_value=np.nan)
            bcode, bvalues = _factorized(self.frame, schema.bound_column(name))
            self._figures[name] = values, bcode, [str(b) for b in bvalues]
        return self._figures[name]


def prepare(events: pd.DataFrame) -> Prepared:
    """Decode the columns the rule reads once, for many totals over rows of the same events.

    Parameters
    ----------
    events : DataFrame
        Folded events, as for :func:`total`.

    Returns
    -------
    Prepared
        To pass to :func:`total` with the rows to total.
    """
    start, end = _spans(events)
    cell, cells = _factorized(events, "admin1")
    country, countries = _factorized(events, "country")
    return Prepared(
        frame=events,
        start=start,
        end=end,
        cell=cell,
        cells=tuple(tuple(schema.split_multi(c)) for c in cells),
        country=country,
        countries=tuple(str(c).strip().upper() if isinstance(c, str) else "" for c in countries),
    )


# -- the rule ------------------------------------------------------------------------------------------------------


def _first_per(key: IntArray, order: IntArray, values: npt.NDArray[np.float64]) -> IntArray:
    """In ``order`` (rows sorted by ``key``), the first row with the largest value of each key."""
    if not len(order):
        return order
    k = key[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    v = values[order]
    top = np.maximum.reduceat(v, starts)
    size = np.diff(np.r_[starts, len(order)])
    hit = np.flatnonzero(v == np.repeat(top, size))
    return order[hit[np.r_[True, k[hit][1:] != k[hit][:-1]]]]


def _days(frame: pd.DataFrame, name: str) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Shifted day numbers of a date column (0 where missing) and where they are missing."""
    if name not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64), np.ones(len(frame), dtype=bool)
    values = np.asarray(pd.to_datetime(frame[name], errors="coerce")).astype("datetime64[D]")
    missing = np.isnat(values)
    days = values.view(np.int64)
    days += _DAY0
    days[missing] = 0
    return days, missing


def _spans(frame: pd.DataFrame) -> tuple[IntArray, IntArray]:
    """The first and last day (shifted) of each event: one missing is the other, both missing any day."""
    start, no_start = _days(frame, "time_start")
    end, no_end = _days(frame, "time_end")
    end[no_end] = np.where(no_start[no_end], _OPEN_END, start[no_end])
    start[no_start] = np.where(no_end[no_start], 0, end[no_start])
    return start, np.maximum(end, start, out=end)


def _bound_of(codes: IntArray, names: list[str]) -> str:
    """The bound of a sum of figures whose bounds are ``names[codes]`` (-1: not given, exact)."""
    seen = np.bincount(codes[codes >= 0], minlength=len(names)) > 0
    kinds = {name for name, here in zip(names, seen.tolist(), strict=True) if here}
    if "at_least" in kinds:
        return "about" if "at_most" in kinds else "at_least"
    if "about" in kinds:
        return "about"
    return "at_most" if "at_most" in kinds else "exact"


def _scopes(events: Prepared, rows: IntArray) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_], IntArray]:
    """Rows ``(event, key, wide)``: where each of ``rows`` may overlap others; and each one's only region or -1.

    Keys are admin-1 codes (every row *wide*: two events on one code may
    overlap), ``@XX`` for a country and ``@*`` for anywhere. An event known
    only to its country is wide on ``@XX``; events with regions in ``XX`` are
    narrow there (they meet the country-wide ones, not each other). Likewise
    on ``@*`` for events with no place at all. Events are numbered by their
    place in ``rows``.
    """
    n = len(rows)
    parts = events.cells
    lengths = np.array([len(p) for p in parts] + [0], dtype=np.int64)  # the last: a missing cell
    cell = events.cell[rows]
    cell[cell < 0] = len(parts)
    codes, code_names = pd.factorize(np.array([c for p in parts for c in p], dtype=object))
    offsets = np.r_[0, np.cumsum(lengths)][:-1]
    count = lengths[cell]
    first = np.cumsum(count) - count
    ev_r = np.repeat(np.arange(n, dtype=np.int64), count)
    code_r = codes[np.repeat(offsets[cell] - first, count) + np.arange(len(ev_r))].astype(np.int64, copy=False)
    only = np.full(n, -1, dtype=np.int64)
    only[count == 1] = code_r[first[count == 1]]

    names = [str(c) for c in code_names]
    keys: dict[str, int] = {name: i for i, name in enumerate(names)}
    cnames = events.countries
    ccode = events.country[rows]
    known = np.array([bool(c) for c in cnames] + [False], dtype=bool)
    ccode[ccode < 0] = len(cnames)
    placeless = count == 0
    wide_country = placeless & known[ccode]
    anywhere = placeless & ~known[ccode]

    ev_parts, key_parts, wide_parts = [ev_r], [code_r], [np.ones(len(ev_r), dtype=bool)]
    if wide_country.any():
        for c in sorted({cnames[i] for i in np.unique(ccode[wide_country]).tolist()}):
            keys.setdefault("@" + c, len(keys))
        to_key = np.array([keys.get("@" + c, -1) for c in cnames] + [-1], dtype=np.int64)
        ev_parts.append(np.flatnonzero(wide_country).astype(np.int64))
        key_parts.append(to_key[ccode[wide_country]])
        wide_parts.append(np.ones(int(wide_country.sum()), dtype=bool))
        # narrow rows: each event with a region in one of these countries (twice for two regions there: harmless)
        code_country = np.array([keys.get("@" + name.split("-")[0].upper(), -1) for name in names], dtype=np.int64)
        country_r = code_country[code_r] if len(code_r) else np.empty(0, dtype=np.int64)
        hit = country_r >= 0
        hit[1:] &= (ev_r[1:] != ev_r[:-1]) | (country_r[1:] != country_r[:-1])
        ev_parts.append(ev_r[hit])
        key_parts.append(country_r[hit])
        wide_parts.append(np.zeros(int(hit.sum()), dtype=bool))
    if anywhere.any():
        star = keys.setdefault("@*", len(keys))
        ev_parts.append(np.arange(n, dtype=np.int64))
        key_parts.append(np.full(n, star, dtype=np.int64))
        wide_parts.append(anywhere.copy())
    return np.concatenate(ev_parts), np.concatenate(key_parts), np.concatenate(wide_parts), only


def _runs(key: IntArray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Runs of overlapping spans per key: each row's run, and each run's key, first and last day.

    Rows are taken in the order given, which must be sorted by key, then start.
    """
    if not len(key):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty, empty
    reach = np.maximum.accumulate(key * _KEY_STRIDE + end) - key * _KEY_STRIDE  # last day so far, per key
    new = np.r_[True, (key[1:] != key[:-1]) | (start[1:] > reach[:-1])]
    run = np.cumsum(new) - 1
    firsts = np.flatnonzero(new)
    return run, key[firsts], start[firsts], np.maximum.reduceat(end, firsts)


def _ordinal16(values: IntArray) -> npt.NDArray[np.uint16] | None:
    """Small numbers in the order of ``values`` (days, with open ends at either extreme), or None if too many."""
    if not len(values):
        return values.astype(np.uint16)
    real = (values > 0) & (values < _OPEN_END)
    lo, hi = (int(values[real].min()), int(values[real].max())) if real.any() else (1, 0)
    if hi - lo + 2 >= 1 << 16:
        return None
    return np.where(real, values - lo + 1, np.where(values <= 0, 0, hi - lo + 2)).astype(np.uint16)


def _sorted_by(major: IntArray, minor: IntArray) -> IntArray:
    """Positions that order rows by ``major`` (≥ 0), then ``minor`` (days), then position.

    Two stable radix passes when both fit in 16 bits (about three times quicker than one sort of both).
    """
    small = _ordinal16(minor)
    if small is None or (len(major) and int(major.max()) >= 1 << 16):
        return np.argsort(major * _KEY_STRIDE + minor, kind="stable")
    by_minor = np.argsort(small, kind="stable")
    return by_minor[np.argsort(major[by_minor].astype(np.uint16), kind="stable")]


def _components(n_nodes: int, a: IntArray, b: IntArray) -> IntArray:
    """The root (smallest node) of each node's connected component: hook roots, then jump pointers."""
    parent = np.arange(n_nodes, dtype=np.int64)
    while len(a):
        ra, rb = parent[a], parent[b]
        differ = ra != rb
        if not differ.any():
            break
        a, b, ra, rb = a[differ], b[differ], ra[differ], rb[differ]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    return parent


def _linked(n: int, n_runs: int, events: IntArray, runs: IntArray) -> IntArray:
    """Each event's group (0…, in order of first event): events joined through the runs they belong to.

    Only runs are nodes: each event stands for one of its runs and joins it to its others (most events
    belong to one run, so this graph is small).
    """
    rep = np.full(n, -1, dtype=np.int64)
    rep[events] = runs
    lone = np.flatnonzero(rep < 0)  # in no run (not expected): a group of its own
    rep[lone] = n_runs + np.arange(len(lone))
    joins = rep[events] != runs
    root = _components(n_runs + len(lone), rep[events[joins]], runs[joins])
    return pd.factorize(root[rep])[0].astype(np.int64)


def _groups(
    ev_r: IntArray, key_r: IntArray, wide_r: npt.NDArray[np.bool_], start: IntArray, end: IntArray, n: int
) -> IntArray:
    """Each event's group (0…): events linked, directly or through others, by "may overlap"."""
    s_r, e_r = start[ev_r], end[ev_r]
    w = np.flatnonzero(wide_r)
    order = w[_sorted_by(key_r[w], s_r[w])]
    run, run_key, run_start, run_end = _runs(key_r[order], s_r[order], e_r[order])
    a, b = [ev_r[order]], [run]
    narrow = np.flatnonzero(~wide_r)
    if len(narrow) and len(run_key):
        # the wide runs of the row's key that its span meets (runs of one key are disjoint and sorted)
        k = key_r[narrow]
        lo = np.searchsorted(run_key * _KEY_STRIDE + run_end, k * _KEY_STRIDE + s_r[narrow], side="left")
        hi = np.searchsorted(run_key * _KEY_STRIDE + run_start, k * _KEY_STRIDE + e_r[narrow], side="right")
        many = np.maximum(hi - lo, 0)
        within = np.arange(int(many.sum())) - np.repeat(np.cumsum(many) - many, many)
        a.append(np.repeat(ev_r[narrow], many))
        b.append(np.repeat(lo, many) + within)
    return _linked(n, len(run_key), np.concatenate(a), np.concatenate(b))


def _same_cell(cell: IntArray) -> tuple[IntArray, IntArray]:
    """Every pair of positions ``(p, q)`` (both orders, and ``p == q``) of a sorted array with equal values."""
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if len(cell) else np.empty(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, len(cell)])
    per_row = np.repeat(sizes, sizes)  # each position pairs with its cell's every position
    p = np.repeat(np.arange(len(cell)), per_row)
    within = np.arange(len(p)) - np.repeat(np.cumsum(per_row) - per_row, per_row)  # 0… for each position
    q = np.repeat(np.repeat(starts, sizes), per_row) + within
    return p, q


def _pairs(
    group: IntArray,
    members: IntArray,
    rows: tuple[IntArray, IntArray, npt.NDArray[np.bool_], IntArray, IntArray],
) -> tuple[IntArray, IntArray]:
    """Pairs ``(i, j)``, ``i < j``, of the given events (whole groups) that may overlap one another."""
    ev_r, key_r, wide_r, start, end = rows
    n = len(group)
    member = np.zeros(n, dtype=bool)
    member[members] = True
    take = np.flatnonzero(member[ev_r])
    cell = group[ev_r[take]] * (int(key_r.max(initial=0)) + 1) + key_r[take]  # rows of one group and key
    take = take[np.argsort(cell, kind="stable")]
    p, q = _same_cell(np.sort(cell, kind="stable"))
    i, j = ev_r[take[p]], ev_r[take[q]]
    keep = (i < j) & (wide_r[take[p]] | wide_r[take[q]])
    keep &= (start[i] <= end[j]) & (start[j] <= end[i])
    if not keep.any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pairs = np.unique(i[keep] * n + j[keep])
    return pairs // n, pairs % n


def _best_exact(
    group: IntArray,
    sizes: IntArray,
    values: npt.NDArray[np.float64],
    rows: tuple[IntArray, IntArray, npt.NDArray[np.bool_], IntArray, IntArray],
    chosen: npt.NDArray[np.bool_],
) -> None:
    """Mark, in groups of 2…EXACT_MAX claims, the claims of the best set that cannot overlap (by enumeration)."""
    size = sizes[group]
    members = np.flatnonzero((size >= 2) & (size <= EXACT_MAX))
    if not len(members):
        return
    members = members[np.argsort(group[members], kind="stable")]  # each group's events together
    slot = np.zeros(len(group), dtype=np.int64)  # an event's place in its group
    starts = np.flatnonzero(np.r_[True, np.diff(group[members]) != 0])
    slot[members] = np.arange(len(members)) - np.repeat(starts, size[members[starts]])
    row = np.zeros(len(group), dtype=np.int64)  # its group's row among the groups of its size
    i, j = _pairs(group, members, rows)
    for k in range(2, EXACT_MAX + 1):
        of_k = members[size[members] == k]
        if not len(of_k):
            continue
        events = of_k.reshape(-1, k)  # one row per group, its events in order
        row[of_k] = np.repeat(np.arange(len(events)), k)
        adjacency = np.zeros((len(events), k, k), dtype=np.float32)
        mine = size[i] == k
        pi, pj = i[mine], j[mine]
        adjacency[row[pi], slot[pi], slot[pj]] = 1
        adjacency[row[pi], slot[pj], slot[pi]] = 1
        masks = ((np.arange(1 << k)[:, None] >> np.arange(k)) & 1).astype(np.float32)
        weights = values[events]
        step = max(1, _CHUNK // ((1 << k) * k))
        for first in range(0, len(events), step):
            conflicts = (np.matmul(masks, adjacency[first : first + step]) * masks).sum(axis=-1)  # (groups, masks)
            score = weights[first : first + step] @ masks.T.astype(np.float64)
            score[conflicts > 0] = -np.inf
            best = masks[np.argmax(score, axis=1)].astype(bool)
            chosen[events[first : first + step][best]] = True


def _largest(group: IntArray, rows: IntArray, values: npt.NDArray[np.float64], n_groups: int) -> IntArray:
    """The first of ``rows`` with the largest value of each group (no sort)."""
    top = np.full(n_groups, -np.inf)
    np.maximum.at(top, group[rows], values[rows])
    hit = rows[values[rows] == top[group[rows]]][::-1]
    first = np.full(n_groups, -1, dtype=np.int64)
    first[group[hit]] = hit  # any row with the largest value will do (in practice the first: hit is reversed)
    return first[first >= 0]


def _spread(
    order: IntArray, region: IntArray, values: npt.NDArray[np.float64], start: IntArray, end: IntArray
) -> IntArray:
    """The largest claim of each (region, run of overlapping days) among ``order`` (sorted by region, then start)."""
    if not len(order):
        return order
    run, *_ = _runs(region[order], start[order], end[order])
    rank = np.empty(len(region), dtype=np.int64)
    rank[order] = run
    return _first_per(rank, order, values)


def _best_greedy(
    group: IntArray,
    sizes: IntArray,
    values: npt.NDArray[np.float64],
    code: IntArray,
    start: IntArray,
    end: IntArray,
    chosen: npt.NDArray[np.bool_],
) -> None:
    """Mark, in groups of more than EXACT_MAX claims, a set of claims that cannot overlap.

    Among a group's events of one region each, events of different regions
    cannot overlap, nor events of one region in different runs of days: the
    largest claim of each (group, region, run) is a set that cannot overlap.
    Two such sets are tried — over every one-region event, and over the
    one-day ones only (whose runs are single days) — and the group's largest
    single claim; each group keeps the best of the three.
    """
    big = sizes[group] > EXACT_MAX
    if not big.any():
        return
    n_groups = len(sizes)
    pick = np.flatnonzero(big & (code >= 0))
    region = np.zeros(len(group), dtype=np.int64)  # (group, region) pairs, numbered
    region[pick] = pd.factorize(group[pick] * (int(code.max(initial=0)) + 1) + code[pick])[0]
    order = pick[np.argsort(region[pick] * _KEY_STRIDE + start[pick])]
    one_day = order[start[order] == end[order]]  # still sorted
    spreads = [_spread(order, region, values, start, end)]
    if len(one_day) < len(order):
        spreads.append(_spread(one_day, region, values, start, end))
    spreads.append(_largest(group, np.flatnonzero(big), values, n_groups))
    sums = np.stack([np.bincount(group[s], weights=values[s], minlength=n_groups) for s in spreads])
    best = np.argmax(sums, axis=0)  # ties: the first (the spread over every one-region event)
    for i, picked in enumerate(spreads):
        chosen[picked[best[group[picked]] == i]] = True


def total(events: pd.DataFrame | Prepared, figure: str, rows: npt.ArrayLike | None = None) -> Total:
    """Total a figure over events without adding claims that may overlap.

    Parameters
    ----------
    events : DataFrame or Prepared
        Folded events (:func:`geo.claims.fold`): the figure and its bound
        column, ``admin1``, ``country``, ``time_start``, ``time_end``,
        ``event_id`` and ``title`` (missing columns count as unknown: an
        unknown place or day may overlap anything). Several totals over
        the same events are quicker from :func:`prepare`.
    figure : str
        One of :data:`geo.schema.CLAIM_FIGURES`.
    rows : array of bool, optional
        Which events to total (by default all): the same total as over
        ``events[rows]``, without copying them.

    Returns
    -------
    Total
        ``claims == 0`` when no event states the figure.
    """
    prepared = events if isinstance(events, Prepared) else prepare(events)
    if figure not in prepared.frame.columns:
        return Total()
    all_values, all_bcode, bnames = prepared.figure(figure)
    stated = ~np.isnan(all_values)
    if rows is not None:
        stated &= np.asarray(rows, dtype=bool)
    claimed = np.flatnonzero(stated)  # the events that state it, numbered 0… below
    n = len(claimed)
    if not n:
        return Total()
    values, bcode = all_values[claimed], all_bcode[claimed]
    start, end = prepared.start[claimed], prepared.end[claimed]
    ev_r, key_r, wide_r, only = _scopes(prepared, claimed)
    group = _groups(ev_r, key_r, wide_r, start, end, n)
    sizes = np.bincount(group)
    chosen = sizes[group] == 1
    _best_exact(group, sizes, values, (ev_r, key_r, wide_r, start, end), chosen)
    _best_greedy(group, sizes, values, only, start, end, chosen)

    high = float(values.sum())
    low = float(values[chosen].sum())
    overlapping = bool((sizes > 1).any())
    named = (prepared.frame, claimed, bcode, bnames)
    groups, n_groups = _named_groups(named, group, sizes, values, chosen) if overlapping else ((), 0)
    return Total(
        low=low,
        high=high,
        bound=_bound_of(bcode, bnames),
        low_bound=_bound_of(bcode[chosen], bnames),
        overlapping=overlapping,
        claims=n,
        groups=groups,
        n_groups=n_groups,
    )


def _largest_first(rows: IntArray, values: npt.NDArray[np.float64], k: int) -> IntArray:
    """The ``k`` of ``rows`` with the largest values, largest first, equal values in order (no sort of them all)."""
    v = values[rows]
    if len(rows) > k:
        floor = np.sort(v[: 8 * k])[-k]  # the k-th largest of a few is at most the k-th largest of all
        few = np.flatnonzero(v >= floor)
        rows, v = rows[few], v[few]
        kth = np.partition(v, len(v) - k)[len(v) - k]  # the k-th largest value
        keep = v > kth
        keep[np.flatnonzero(v == kth)[: k - int(keep.sum())]] = True
        rows, v = rows[keep], v[keep]
    return rows[np.argsort(-v, kind="stable")]


def _cells(frame: pd.DataFrame, name: str, rows: IntArray) -> npt.NDArray[np.object_]:
    """A column's values at positions ``rows`` (``None`` when there is no such column)."""
    if name not in frame.columns:
        return np.full(len(rows), None, dtype=object)
    return frame[name].iloc[rows].to_numpy(dtype=object)


def _named_groups(
    named: tuple[pd.DataFrame, IntArray, IntArray, list[str]],
    group: IntArray,
    sizes: IntArray,
    values: npt.NDArray[np.float64],
    chosen: npt.NDArray[np.bool_],
) -> tuple[tuple[Group, ...], int]:
    """The overlapping groups that could double-count the most, with their largest claims named.

    ``named`` is the events, the row of each claim among them, and the claims' bounds (codes and names).
    """
    events, rows, bcode, bnames = named
    highs = np.bincount(group, weights=values)
    lows = np.bincount(group[chosen], weights=values[chosen], minlength=len(sizes))
    multi = np.flatnonzero(sizes > 1)
    kept = multi[np.lexsort((multi, -(highs[multi] - lows[multi])))][:GROUPS_KEPT]
    out = []
    for g in kept.tolist():
        members = _largest_first(np.flatnonzero(group == g), values, PARTS_KEPT)
        ids, titles, places = (_cells(events, c, rows[members]) for c in ("event_id", "title", "place"))
        parts = tuple(
            Part(
                event_id=str(ids[i]),
                label=next((str(x) for x in (titles[i], places[i], ids[i]) if not present.missing(x) and str(x)), ""),
                value=float(values[m]),
                bound=bnames[bcode[m]] if bcode[m] >= 0 else "exact",
            )
            for i, m in enumerate(members.tolist())
        )
        out.append(Group(parts=parts, size=int(sizes[g]), low=float(lows[g]), high=float(highs[g])))
    return tuple(out), len(multi)


def figure_claimants(claims: pd.DataFrame, event_ids: list[str] | tuple[str, ...], figure: str) -> dict[str, str]:
    """Who stated each event's current figure: the latest asserting claim that states it.

    Parameters
    ----------
    claims : DataFrame
        Claims (any number; only those of ``event_ids`` are read).
    event_ids : sequence of str
        The events, e.g. the parts of a :class:`Total`'s groups.
    figure : str
        The figure.

    Returns
    -------
    dict
        ``event_id`` → claimant, for the events that have such a claim.
    """
    if not event_ids or figure not in claims.columns or claims.empty:
        return {}
    mine = claims[claims["event_id"].isin(list(event_ids))]
    mine = mine[mine[figure].notna() & mine["stance"].isin(ASSERTING)]
    if mine.empty:
        return {}
    mine = mine.sort_values(["event_id", "stated_at", "claim_id"])
    last = mine.drop_duplicates("event_id", keep="last")
    return {str(e): str(c) for e, c in zip(last["event_id"], last["claimant"], strict=True)}
