"""Labelled synthetic events and claims, for scale tests and demos.

Nothing here is real. Every event carries ``dataset = "synthetic"``
(:data:`geo.schema.SYNTHETIC`), an id starting ``syn-`` and a title starting
"Synthetic"; every claim is published by ``"synthetic"`` and spoken by a
"Synthetic claimant (RU)"-style claimant, with no source address. The UI
labels the dataset wherever it shows it.

The shape is plausible so that maps, filters and aggregates get realistic
work: captures along an approximate front line, strikes on the front, in the
Russian regions bordering Ukraine and on deeper targets on both sides,
outages where strikes land. Claims follow the rules of :mod:`geo.claims`: some
captures are denied by the other side (disputed), some corroborated by an
independent source (confirmed), a few retracted; strike and outage figures
are revised by their claimant.

Generation is vectorised with numpy (no Python loop over rows) and
deterministic: the same ``n`` and ``seed`` give identical frames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo import schema
from geo.errors import Problem, ValidationError

if TYPE_CHECKING:
    from geo.store.base import Store, WriteResult

__all__ = ["CLAIMANT", "PUBLISHER", "generate", "write_synthetic"]

PUBLISHER: Final = "synthetic"
"""``publisher`` of every synthetic claim."""
CLAIMANT: Final = "Synthetic claimant ({party})"
"""``claimant`` of a synthetic claim, formatted with its party."""

# Approximate front line (lon, lat), Kherson along the Dnipro, through Zaporizhzhia, Donetsk, Luhansk and
# Kharkiv oblasts to the Sumy border. Hand-placed from memory for synthetic data only: not a source for
# anything, not the line on any date.
_FRONT: Final = np.array(
    [
        (32.65, 46.60),  # Kherson, on the Dnipro
        (33.35, 46.78),  # Nova Kakhovka
        (34.10, 47.45),  # Kakhovka reservoir, Enerhodar opposite
        (35.20, 47.55),  # Stepnohirsk
        (35.90, 47.52),  # Orikhiv
        (36.45, 47.68),  # Huliaipole
        (36.95, 47.82),  # Velyka Novosilka
        (37.25, 48.10),  # Kurakhove
        (37.20, 48.30),  # Pokrovsk
        (37.65, 48.52),  # Kostiantynivka
        (38.00, 48.62),  # Chasiv Yar
        (38.15, 48.85),  # Siversk
        (37.90, 49.05),  # Lyman
        (37.95, 49.45),  # Borova
        (37.65, 49.72),  # Kupiansk
        (37.00, 50.15),  # Vovchansk
        (36.40, 50.33),  # Kharkiv oblast border
        (35.40, 50.60),  # Krasnopillia, Sumy oblast border
        (34.75, 51.10),  # Yunakivka, Sumy oblast border
    ]
)
_FRONT_AXES: Final = (
    "Kherson axis",
    "Kherson axis",
    "Zaporizhzhia axis",
    "Zaporizhzhia axis",
    "Huliaipole axis",
    "Huliaipole axis",
    "Velyka Novosilka axis",
    "Pokrovsk axis",
    "Pokrovsk axis",
    "Kostiantynivka axis",
    "Siversk axis",
    "Lyman axis",
    "Lyman axis",
    "Kupiansk axis",
    "Kupiansk axis",
    "Kharkiv axis",
    "Sumy axis",
    "Sumy axis",
)
"""Axis of each front segment (between consecutive points of ``_FRONT``)."""

# Strike and outage places: (name, lon, lat, side whose territory it is).
_BORDER_REGIONS: Final = (
    ("Bryansk Oblast", 34.0, 52.9, "RU"),
    ("Kursk Oblast", 36.2, 51.6, "RU"),
    ("Belgorod Oblast", 37.2, 50.8, "RU"),
    ("Voronezh Oblast", 39.6, 51.2, "RU"),
    ("Rostov Oblast", 40.6, 47.8, "RU"),
)
_DEEP_TARGETS: Final = (
    ("Kyiv", 30.52, 50.45, "UA"),
    ("Kharkiv", 36.23, 49.99, "UA"),
    ("Odesa", 30.73, 46.48, "UA"),
    ("Dnipro", 35.05, 48.46, "UA"),
    ("Zaporizhzhia", 35.14, 47.84, "UA"),
    ("Lviv", 24.03, 49.84, "UA"),
    ("Sumy", 34.80, 50.91, "UA"),
    ("Chernihiv", 31.29, 51.49, "UA"),
    ("Poltava", 34.55, 49.59, "UA"),
    ("Kryvyi Rih", 33.39, 47.91, "UA"),
    ("Mykolaiv", 31.99, 46.97, "UA"),
    ("Kremenchuk", 33.42, 49.07, "UA"),
    ("Vinnytsia", 28.47, 49.23, "UA"),
    ("Izmail", 28.84, 45.35, "UA"),
    ("Burshtyn", 24.63, 49.26, "UA"),
    ("Starokostiantyniv", 27.21, 49.76, "UA"),
    ("Moscow", 37.62, 55.75, "RU"),
    ("Tula", 37.62, 54.19, "RU"),
    ("Ryazan", 39.74, 54.63, "RU"),
    ("Engels", 46.12, 51.50, "RU"),
    ("Volgograd", 44.51, 48.71, "RU"),
    ("Krasnodar", 38.98, 45.04, "RU"),
    ("Novorossiysk", 37.77, 44.72, "RU"),
    ("Tuapse", 39.07, 44.10, "RU"),
    ("Oryol", 36.07, 52.97, "RU"),
    ("Lipetsk", 39.60, 52.61, "RU"),
    ("Kaluga", 36.26, 54.51, "RU"),
    ("Smolensk", 32.05, 54.78, "RU"),
    ("Yaroslavl", 39.87, 57.63, "RU"),
    ("Taganrog", 38.90, 47.22, "RU"),
    ("Kstovo", 44.21, 56.15, "RU"),
    ("Dzhankoi", 34.40, 45.71, "RU"),
    ("Sevastopol", 33.55, 44.58, "RU"),
)
"""Side is the one holding the place (so the one reporting strikes on it), not the country."""

_LAYER_P: Final = (("capture", 0.35), ("strike", 0.45), ("impact", 0.20))
_RESAMPLE_ROUNDS = 8
_PARTY_LANGUAGE: Final = {"RU": "ru", "UA": "uk", "independent": "en", "other": "en"}
_FRONT_WEAPONS: Final = (
    ("drone", 0.45),
    ("glide_bomb", 0.25),
    ("artillery", 0.20),
    ("missile", 0.05),
    ("mixed", 0.05),
)
_DEEP_WEAPONS: Final = (("drone", 0.80), ("missile", 0.10), ("mixed", 0.10))
_WEAPON_LABEL: Final = {
    "drone": "drone",
    "missile": "missile",
    "glide_bomb": "glide-bomb",
    "artillery": "artillery",
    "mixed": "combined drone and missile",
}
_TARGETS: Final = (
    ("energy", 30),
    ("military", 30),
    ("industrial", 15),
    ("residential", 10),
    ("transport", 10),
    ("other", 5),
)
_STANCES: Final = ("asserts", "denies", "corroborates", "revises", "retracts")
_ANSWERS: Final = {  # stance of a second or third claim, by layer: denies, corroborates, revises, retracts
    "capture": (0.50, 0.30, 0.14, 0.06),
    "strike": (0.20, 0.20, 0.56, 0.04),
    "impact": (0.12, 0.25, 0.58, 0.05),
}
_IMPACT_CHOICES: Final = (
    ("power", 0.45),
    ("heating", 0.12),
    ("water", 0.08),
    ("power;heating", 0.15),
    ("power;water", 0.05),
    ("evacuation", 0.05),
    ("damage", 0.05),
    ("transport", 0.05),
    ("casualties", 0.03),
)


def _pick(vocab: tuple[str, ...] | list[str], codes: np.ndarray) -> np.ndarray:
    """Object array of ``vocab[codes]`` sharing the vocabulary's string objects."""
    return np.asarray(vocab, dtype=object)[codes]


def _choice(rng: np.random.Generator, n: int, weights: tuple[tuple[str, float], ...] | tuple[float, ...]) -> np.ndarray:
    """Codes (indices into ``weights``) drawn with the given probabilities."""
    p = np.asarray([w[1] if isinstance(w, tuple) else w for w in weights], dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _numbered(prefix: str, numbers: np.ndarray, width: int, suffix: np.ndarray | None = None) -> np.ndarray:
    """``prefix`` + zero-padded numbers (+ ``-suffix``), built in Arrow's C kernels, as an object array."""
    text = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0")
    parts = [prefix, text]
    if suffix is not None:
        parts += ["-", pa.array(suffix).cast(pa.string())]
    return pc.binary_join_element_wise(*parts, "").to_numpy(zero_copy_only=False)


def _front_points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points on the front polyline (uniform by length): lon, lat and segment index."""
    a, b = _FRONT[:-1], _FRONT[1:]
    coslat = np.cos(np.radians((a[:, 1] + b[:, 1]) / 2))
    length = np.hypot((b[:, 0] - a[:, 0]) * coslat, b[:, 1] - a[:, 1])
    seg = rng.choice(len(length), size=n, p=length / length.sum())
    t = rng.random(n)
    xy = a[seg] + (b[seg] - a[seg]) * t[:, None]
    return xy[:, 0], xy[:, 1], seg


def _locate(
    rng: np.random.Generator, x0: np.ndarray, y0: np.ndarray, sd: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Jitter anchors and find each point's region, redrawing points that land nowhere.

    A point still outside every region after a few rounds goes back to its
    anchor; an anchor outside every region leaves ``None`` (the caller drops
    those rows).
    """
    from geo import reference

    x = x0 + rng.normal(0.0, 1.0, len(x0)) * sd / np.cos(np.radians(y0))
    y = y0 + rng.normal(0.0, 1.0, len(y0)) * sd
    regions = reference.regions_of(x, y)
    for _ in range(_RESAMPLE_ROUNDS):
        bad = np.flatnonzero(pd.isna(regions))
        if not bad.size:
            break
        x[bad] = x0[bad] + rng.normal(0.0, 1.0, bad.size) * sd[bad] / np.cos(np.radians(y0[bad]))
        y[bad] = y0[bad] + rng.normal(0.0, 1.0, bad.size) * sd[bad]
        regions[bad] = reference.regions_of(x[bad], y[bad])
    bad = np.flatnonzero(pd.isna(regions))
    if bad.size:
        x[bad], y[bad] = x0[bad], y0[bad]
        regions[bad] = reference.regions_of(x[bad], y[bad])
    return x, y, regions


def _day_range(
    rng: np.random.Generator, n: int, start: np.datetime64, end: np.datetime64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Event dates: mostly single days, some weeks, a few calendar months, all inside [start, end]."""
    days = int((end - start).astype(int)) + 1
    precision = _choice(rng, n, (0.85, 0.10, 0.05))  # day, week, month
    first = start + rng.integers(0, days, n).astype("timedelta64[D]")
    last = first.copy()
    week = precision == 1
    first[week] = start + rng.integers(0, max(days - 6, 1), int(week.sum())).astype("timedelta64[D]")
    last[week] = np.minimum(first[week] + np.timedelta64(6, "D"), end)
    month = precision == 2
    m = first[month].astype("datetime64[M]")
    first[month] = np.maximum(m.astype("datetime64[D]"), start)
    last[month] = np.minimum((m + 1).astype("datetime64[D]") - np.timedelta64(1, "D"), end)
    return first, last, _pick(("day", "week", "month"), precision)


def _lognormal_int(rng: np.random.Generator, median: float, sigma: float, lo: float, hi: float, n: int) -> np.ndarray:
    return np.clip(np.round(rng.lognormal(np.log(median), sigma, n)), lo, hi)


def _maybe(rng: np.random.Generator, values: np.ndarray, p: float) -> np.ndarray:
    """Keep each value with probability ``p``, NaN otherwise (a figure that was not stated)."""
    return np.where(rng.random(len(values)) < p, values, np.nan)


def _check_args(n: object, seed: object, start: str, end: str) -> tuple[int, np.datetime64, np.datetime64]:
    problems: list[Problem] = []
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        problems.append(Problem(f"n must be a whole number >= 0, got {n!r}", column="n"))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        problems.append(Problem(f"seed must be a whole number >= 0, got {seed!r}", column="seed"))
    dates = []
    for name, value in (("start", start), ("end", end)):
        try:
            dates.append(np.datetime64(pd.Timestamp(value).date(), "D"))
        except (TypeError, ValueError):
            problems.append(Problem(f"not a date: {value!r}", column=name, fix="write it as YYYY-MM-DD"))
    if len(dates) == 2 and dates[1] < dates[0]:
        problems.append(Problem(f"end {dates[1]} is before start {dates[0]}", column="end", fix="swap them"))
    if problems:
        raise ValidationError(problems, context="synthetic data")
    return int(n), dates[0], dates[1]


def _object_frame(columns: dict[str, np.ndarray], schema_columns: tuple[schema.Column, ...], n: int) -> pd.DataFrame:
    """A frame with every schema column, in the dtypes validate returns (missing columns empty)."""
    data: dict[str, pd.Series | np.ndarray] = {}
    for col in schema_columns:
        values = columns.get(col.name)
        if col.dtype in ("float", "int"):
            data[col.name] = np.full(n, np.nan) if values is None else values.astype(float)
        elif col.dtype in ("date", "datetime"):
            data[col.name] = values.astype("datetime64[ms]")
        else:
            data[col.name] = pd.Series(np.full(n, None, dtype=object) if values is None else values, dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(n))


RU, UA, INDEPENDENT = (schema.PARTIES.index(p) for p in ("RU", "UA", "independent"))


def generate(
    n: int, *, seed: int = 0, start: str = "2025-01-01", end: str = "2026-02-28"
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Generate ``n`` synthetic events and their claims.

    Parameters
    ----------
    n : int
        Number of events (captures ~35 %, strikes ~45 %, impacts ~20 %).
    seed : int
        Random seed; the same ``n`` and ``seed`` give identical frames. Part of
        every id (``syn-<seed>-<number>``), so datasets of different seeds do
        not collide.
    start, end : str
        First and last day events may fall on (``YYYY-MM-DD``).

    Returns
    -------
    tuple of (GeoDataFrame, DataFrame)
        Events and claims (1–3 per event) in the form
        :func:`geo.validate.validate` returns: every schema column, EPSG:4326,
        dates ``datetime64[ms]``, text ``object``. Every point lies in a
        known region, whose code is its ``admin1``; about a third of the
        outages are located only to their region (no geometry).

    Raises
    ------
    ValidationError
        ``n`` or ``seed`` negative or not whole, a bad date, ``end`` before
        ``start``.

    Examples
    --------
    >>> events, claims = generate(1000, seed=1)  # doctest: +SKIP
    >>> events["dataset"].unique()  # doctest: +SKIP
    array(['synthetic'], dtype=object)
    """
    n, first_day, last_day = _check_args(n, seed, start, end)
    rng = np.random.default_rng([seed, n])
    layer = _choice(rng, n, _LAYER_P)  # 0 capture, 1 strike, 2 impact
    is_cap, is_str, is_imp = layer == 0, layer == 1, layer == 2
    ncap, nstr, nimp = int(is_cap.sum()), int(is_str.sum()), int(is_imp.sum())

    # Anchors: where each event is drawn around, how far, which side holds the place.
    x0, y0, sd = np.zeros(n), np.zeros(n), np.zeros(n)
    holder = np.full(n, UA)
    axis = np.full(n, -1)  # front segment, or -1
    anchor = np.full(n, -1)  # index into targets, or -1

    fx, fy, seg = _front_points(rng, ncap)
    x0[is_cap], y0[is_cap], sd[is_cap] = fx, fy, 0.06
    axis[is_cap] = seg

    targets = (*_DEEP_TARGETS, *_BORDER_REGIONS)
    t_xy = np.array([(t[1], t[2]) for t in targets])
    t_side = np.array([schema.PARTIES.index(t[3]) for t in targets])
    t_sd = np.array([0.08] * len(_DEEP_TARGETS) + [0.35] * len(_BORDER_REGIONS))
    where = _choice(rng, nstr, (0.40, 0.30, 0.30))  # front, Russian border regions, deeper
    s_idx = np.flatnonzero(is_str)
    front = s_idx[where == 0]
    fx, fy, seg = _front_points(rng, front.size)
    x0[front], y0[front], sd[front] = fx, fy, 0.15
    holder[front] = np.where(rng.random(front.size) < 0.7, UA, RU)
    axis[front] = seg
    anchor[s_idx] = np.where(
        where == 1,
        len(_DEEP_TARGETS) + rng.integers(0, len(_BORDER_REGIONS), nstr),
        rng.integers(0, len(_DEEP_TARGETS), nstr),
    )
    anchor[front] = -1
    # Outages where strikes land: Ukrainian cities mostly, Russian regions and cities too.
    ua_t = np.flatnonzero(t_side == UA)
    ru_t = np.flatnonzero(t_side == RU)
    i_idx = np.flatnonzero(is_imp)
    anchor[i_idx] = np.where(
        rng.random(nimp) < 0.75,
        ua_t[rng.integers(0, ua_t.size, nimp)],
        ru_t[rng.integers(0, ru_t.size, nimp)],
    )
    at = np.flatnonzero(anchor >= 0)
    x0[at], y0[at], sd[at] = t_xy[anchor[at], 0], t_xy[anchor[at], 1], t_sd[anchor[at]]
    holder[at] = t_side[anchor[at]]

    x, y, admin1 = _locate(rng, x0, y0, sd)
    side = np.where(is_cap, np.where(rng.random(n) < 0.85, RU, UA), -1)

    # Geometry and its precision; a third of the outages are region-wide.
    region_wide = is_imp & (rng.random(n) < 0.33)
    precision = np.where(rng.random(n) < 0.7, 0, 1)
    precision[region_wide] = 2
    geometry = shapely.points(x, y)
    geometry[region_wide] = None
    time_start, time_end, time_precision = _day_range(rng, n, first_day, last_day)

    # What struck what, and what an outage cut.
    deep = is_str & ((anchor >= 0) | (holder == RU))  # glide bombs and artillery only on Ukrainian-held front
    weapons = tuple(_WEAPON_LABEL)
    w_front = np.asarray([weapons.index(w) for w, _ in _FRONT_WEAPONS])[_choice(rng, n, _FRONT_WEAPONS)]
    w_deep = np.asarray([weapons.index(w) for w, _ in _DEEP_WEAPONS])[_choice(rng, n, _DEEP_WEAPONS)]
    weapon = np.where(is_str, np.where(deep, w_deep, w_front), -1)
    target = np.where(is_str, _choice(rng, n, _TARGETS), -1)
    impact = np.where(is_imp, _choice(rng, n, _IMPACT_CHOICES), -1)

    # Text from small vocabularies (shared string objects): combination index -> title.
    axes = sorted(set(_FRONT_AXES))
    axis_code = np.where(axis >= 0, np.asarray([axes.index(a) for a in _FRONT_AXES])[axis], -1)
    t_names = [t[0] for t in targets]
    impacts = [c for c, _ in _IMPACT_CHOICES]
    cap_titles = [f"Synthetic capture claim, {a}" for a in axes]
    strike_titles = [f"Synthetic {_WEAPON_LABEL[w]} strike on {t} target" for w in weapons for t, _ in _TARGETS]
    impact_titles = [f"Synthetic {i.replace(';', ' and ')} disruption" for i in impacts]
    title_vocab = [*cap_titles, *strike_titles, *impact_titles]
    title_code = np.select(
        [is_cap, is_str],
        [axis_code, len(cap_titles) + weapon * len(_TARGETS) + target],
        len(cap_titles) + len(strike_titles) + impact,
    )
    place_vocab = [*axes, *t_names]
    place = _pick([None, *place_vocab], np.where(anchor >= 0, len(axes) + anchor, axis_code) + 1)
    cap_idx = np.flatnonzero(is_cap)
    place[cap_idx] = _numbered("Synthetic settlement ", cap_idx, 1)

    codes, uniques = pd.factorize(admin1, use_na_sentinel=True)
    country = _pick([None, *(u[:2] for u in uniques)], codes + 1)
    events = _object_frame(
        {
            "event_id": _numbered(f"syn-{seed}-", np.arange(n), max(7, len(str(max(n - 1, 0))))),
            "layer": _pick(("capture", "strike", "impact"), layer),
            "place": place,
            "admin1": admin1,
            "country": country,
            "geo_precision": _pick(("exact", "near", "admin1"), precision),
            "geo_source": np.full(n, "synthetic", dtype=object),
            "time_start": time_start,
            "time_end": time_end,
            "time_precision": time_precision,
            "dataset": np.full(n, schema.SYNTHETIC, dtype=object),
            "title": _pick(title_vocab, title_code),
            "side": _pick([*schema.PARTIES, None], side),
            "axis": _pick([*axes, None], axis_code),
            "weapon": _pick([*weapons, None], weapon),
            "target_type": _pick([*(t for t, _ in _TARGETS), None], target),
            "impact_type": _pick([*impacts, None], impact),
        },
        schema.EVENT_COLUMNS,
        n,
    )
    events = gpd.GeoDataFrame(events, geometry=geometry, crs=schema.CRS)
    keep = codes >= 0
    if not keep.all():
        events = events[keep].reset_index(drop=True)
    facts = _Facts(
        layer=layer[keep],
        primary=np.where(is_cap, side, holder)[keep],
        holder=holder[keep],
        weapon=weapon[keep],
        casualties=(impact == impacts.index("casualties"))[keep],
        time_start=time_start[keep],
        time_end=time_end[keep],
    )
    return events, _claims(rng, events["event_id"].to_numpy(dtype=object), facts)


class _Facts(NamedTuple):
    """Per-event codes the claims are drawn from."""

    layer: np.ndarray  # 0 capture, 1 strike, 2 impact
    primary: np.ndarray  # party code of the first claimant
    holder: np.ndarray  # party code of the side holding the place
    weapon: np.ndarray  # index into _WEAPON_LABEL, -1 when not a strike
    casualties: np.ndarray  # outage with casualties (killed/wounded figures)
    time_start: np.ndarray  # datetime64[D]
    time_end: np.ndarray  # datetime64[D]


def _claims(rng: np.random.Generator, event_id: np.ndarray, facts: _Facts) -> pd.DataFrame:
    """1–3 claims per event, ordered in time: an assertion, then answers and revisions."""
    n = len(event_id)
    k = rng.choice(3, size=n, p=[0.45, 0.38, 0.17]) + 1
    ev = np.repeat(np.arange(n), k)
    total = len(ev)
    rank = np.arange(total) - np.repeat(np.cumsum(k) - k, k)
    lay = facts.layer[ev]

    # Who speaks: the first claimant asserts (the capturing side, or the side holding a struck place);
    # answers deny (the other side), corroborate (an independent source), revise or retract (the first one).
    answer = np.select(
        [lay == 0, lay == 1],
        [_choice(rng, total, _ANSWERS["capture"]), _choice(rng, total, _ANSWERS["strike"])],
        _choice(rng, total, _ANSWERS["impact"]),
    )
    stance = np.where(rank == 0, 0, answer + 1)
    primary = facts.primary[ev]
    party = np.select([stance == 1, stance == 2], [np.where(primary == RU, UA, RU), INDEPENDENT], primary)

    # When: inside the event's days, in order of rank.
    day0 = facts.time_start[ev].astype("datetime64[m]")
    span_min = ((facts.time_end[ev] - facts.time_start[ev]).astype(int) + 1) * 1440
    offset = ((rank + rng.uniform(0.05, 0.95, total)) / k[ev] * span_min).astype(np.int64)
    stated_at = day0 + offset.astype("timedelta64[m]")
    precision = np.where(rank == 0, _choice(rng, total, (0.7, 0.2, 0.1)), 0)  # minute, hour, day
    stated_at = np.where(precision == 1, stated_at.astype("datetime64[h]").astype("datetime64[m]"), stated_at)
    stated_at = np.where(precision == 2, stated_at.astype("datetime64[D]").astype("datetime64[m]"), stated_at)

    columns = {
        "claim_id": _claim_ids(event_id, ev, rank),
        "event_id": event_id[ev],
        "claimant": _pick([CLAIMANT.format(party=p) for p in schema.PARTIES], party),
        "party": _pick(schema.PARTIES, party),
        "stated_at": stated_at,
        "stated_precision": _pick(("minute", "hour", "day"), precision),
        "stance": _pick(_STANCES, stance),
        "text": _pick([f"Synthetic statement: {s}" for s in _STANCES], stance),
        "source_title": np.full(total, "Synthetic source", dtype=object),
        "publisher": np.full(total, PUBLISHER, dtype=object),
        "language": _pick([_PARTY_LANGUAGE[p] for p in schema.PARTIES], party),
        **_figures(rng, facts, ev, lay, stance),
    }
    return _object_frame(columns, schema.CLAIM_COLUMNS, total)


def _claim_ids(event_id: np.ndarray, ev: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """``<event_id>-<n>``, the n-th claim of each event (Arrow string kernels)."""
    ids = pa.array(event_id, type=pa.string()).take(pa.array(ev))
    return pc.binary_join_element_wise(ids, pa.array(rank + 1).cast(pa.string()), "-").to_numpy(zero_copy_only=False)


def _figures(
    rng: np.random.Generator, facts: _Facts, ev: np.ndarray, lay: np.ndarray, stance: np.ndarray
) -> dict[str, np.ndarray]:
    """Figures and bounds of every claim: stated by assertions and revisions, grown by revisions."""
    n, total = len(facts.layer), len(ev)
    states = (stance == 0) | (stance == 3)
    grow = np.where(stance == 3, 1.0 + rng.uniform(0.05, 0.4, total), 1.0)
    weapons = tuple(_WEAPON_LABEL)

    # Per event: what was launched and intercepted, by weapon.
    launched = np.full(n, np.nan)
    ratio = np.zeros(n)
    for name, median, sigma, hi, a, b in (
        ("drone", 60, 0.9, 800, 9, 2),
        ("missile", 8, 0.8, 60, 4, 3),
        ("mixed", 150, 0.6, 900, 8, 2),
        ("glide_bomb", 6, 0.7, 50, 0, 0),
    ):
        m = facts.weapon == weapons.index(name)
        launched[m] = _lognormal_int(rng, median, sigma, 1, hi, int(m.sum()))
        ratio[m] = rng.beta(a, b, int(m.sum())) if a else 0.0
    intercepted = np.where(np.isnan(launched) | (ratio == 0), np.nan, np.floor(launched * ratio))
    hits = _maybe(rng, np.where(np.isnan(intercepted), 1 + rng.poisson(4, n), launched - intercepted), 0.6)
    # The Russian side reports what it destroyed, not what was launched.
    ru = facts.holder == RU
    intercepted = np.where(ru & np.isnan(intercepted), launched, intercepted)
    launched = np.where(ru, np.nan, launched)
    hits = np.where(ru, np.nan, hits)
    killed = _maybe(rng, rng.poisson(0.4, n).astype(float), 0.4)
    wounded = _maybe(rng, rng.poisson(2.0, n).astype(float), 0.4)
    people = np.clip(np.round(rng.lognormal(np.log(25_000), 1.2, n), -2), 100, 3_000_000)
    duration = _maybe(rng, _lognormal_int(rng, 8, 0.8, 1, 120, n), 0.7)
    municipalities = _maybe(rng, 1.0 + rng.poisson(4, n), 0.4)
    area = np.round(rng.lognormal(np.log(4), 0.8, n), 1)
    harm = (facts.layer == 1) | facts.casualties

    def claim(values: np.ndarray, layer_mask: np.ndarray, *, integer: bool = True) -> np.ndarray:
        v = values[ev] * grow
        v = np.ceil(v) if integer else np.round(v, 1)
        return np.where(states & layer_mask[ev], v, np.nan)

    out: dict[str, np.ndarray] = {
        "settlements": claim(np.ones(n), facts.layer == 0),
        "area_km2": claim(area, facts.layer == 0, integer=False),
        "launched": claim(launched, facts.layer == 1),
        "intercepted": claim(intercepted, facts.layer == 1),
        "hits": claim(hits, facts.layer == 1),
        "killed": claim(killed, harm),
        "wounded": claim(wounded, harm),
        "people_affected": claim(people, facts.layer == 2),
        "municipalities": claim(municipalities, facts.layer == 2),
        "duration_h": claim(duration, facts.layer == 2),
    }
    # A revision never lets intercepted exceed launched.
    out["intercepted"] = np.where(
        np.isnan(out["launched"]), out["intercepted"], np.minimum(out["intercepted"], out["launched"])
    )
    bound_p = {
        "launched": (0.12, "at_least"),
        "killed": (0.10, "at_least"),
        "people_affected": (0.30, "about"),
    }
    for fig in schema.CLAIM_FIGURES:
        values = out.setdefault(fig, np.full(total, np.nan))
        code = np.where(np.isnan(values), 0, 1)
        if fig in bound_p:
            p, kind = bound_p[fig]
            code[(code == 1) & (rng.random(total) < p)] = 2
            out[schema.bound_column(fig)] = _pick((None, "exact", kind), code)
        else:
            out[schema.bound_column(fig)] = _pick((None, "exact"), code)
    return out


def write_synthetic(store: Store, n: int, *, seed: int = 0) -> WriteResult:
    """Generate ``n`` synthetic events and write them to a store.

    Written as dataset ``"synthetic"``, kind ``"synthetic"``, in one
    transaction (the store streams rows, so a million events fit in memory).
    Writing the same ``n`` and ``seed`` again changes nothing.

    Parameters
    ----------
    store : Store
        Where to write.
    n : int
        Number of events.
    seed : int
        Random seed (see :func:`generate`).

    Returns
    -------
    WriteResult
        What the write did.
    """
    events, claims = generate(n, seed=seed)
    return store.write(
        events,
        claims,
        dataset=schema.SYNTHETIC,
        kind="synthetic",
        description="Synthetic events and claims for scale tests and demos; not real.",
        source="geo.synthetic",
        validated=True,
    )
