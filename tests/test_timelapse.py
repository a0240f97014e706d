"""Time-lapse exports (GIF, MP4) of a generated daily series: one frame per day or week, the date drawn on each,
the held area growing, the day's events in their layers' colours, read back with imageio; the refusals."""

from __future__ import annotations

import datetime as dt
import itertools

import geopandas as gpd
import imageio.v2 as iio2
import imageio.v3 as iio
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import layers
from geo.control import synthetic
from geo.control.read import import_control
from geo.errors import GeoError, NotFoundError, ValidationError
from geo.exporters import _frames
from geo.exporters.timelapse import MAX_FRAMES, plan, to_gif, to_mp4
from geo.filters import Filter
from geo.store.gpkg import GeoPackageStore

START = dt.date(2024, 1, 1)
DAYS = 16
SIZE = (640, 360)
STEP = 0.02  # degrees of longitude gained a day: a strip a few pixels wide at this size
ENERGY = _frames.rgb(layers.get("strike").point.colours["energy"])
RU = layers.get("capture").point.colours["RU"]


def _day(i: int) -> dt.date:
    return START + dt.timedelta(days=i)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("timelapse")
    synthetic.write_daily_files(folder / "days", START, DAYS, step=STEP)
    store = GeoPackageStore(folder / "store.gpkg")
    import_control(store, folder / "days", today=dt.date(2024, 6, 1))
    return store


@pytest.fixture(scope="module")
def events() -> gpd.GeoDataFrame:
    """A capture claimed on day 3, a strike on an energy target on day 5, a capture known only to its region on day 4,
    and a capture dated to a week (days 0-6)."""
    rows = [
        ("e1", "capture", 3, 3, "day", "RU", None, shapely.Point(35.30, 47.42), "Village A claimed captured"),
        ("e2", "strike", 5, 5, "day", None, "energy", shapely.Point(35.45, 47.36), "Substation B struck"),
        ("e3", "capture", 4, 4, "day", "RU", None, None, "Somewhere in Zaporizhzhia oblast"),
        ("e4", "capture", 0, 6, "week", "UA", None, shapely.Point(35.10, 47.45), "Village C retaken"),
    ]
    return gpd.GeoDataFrame(
        {
            "event_id": [r[0] for r in rows],
            "layer": [r[1] for r in rows],
            "time_start": pd.to_datetime([_day(r[2]) for r in rows]),
            "time_end": pd.to_datetime([_day(r[3]) for r in rows]),
            "time_precision": [r[4] for r in rows],
            "side": [r[5] for r in rows],
            "target_type": [r[6] for r in rows],
            "title": [r[8] for r in rows],
            "dataset": ["test"] * len(rows),
        },
        geometry=[r[7] for r in rows],
        crs="EPSG:4326",
    )


CLAIMS = pd.DataFrame({"claim_id": ["c1", "c2"], "event_id": ["e1", "e2"]})


def _crop(frame: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    left, top, right, bottom = box
    return frame[top:bottom, left:right, :3].astype(int)


def _reddish(frame: np.ndarray) -> int:
    """Pixels of the map in the held area's red (light or strong)."""
    r, g, b = (_crop(frame, _frames.layout(SIZE).map)[..., i] for i in range(3))
    return int(((r > 150) & (r - g > 45) & (r - b > 45)).sum())


def _near(frame: np.ndarray, colour: tuple[int, int, int], tol: int = 40) -> int:
    px = _crop(frame, _frames.layout(SIZE).map)
    return int((np.abs(px - np.array(colour)).sum(axis=-1) < tol).sum())


@pytest.fixture(scope="module")
def daily_gif(store, events, tmp_path_factory):
    path = tmp_path_factory.mktemp("gif") / "daily.gif"
    out = to_gif(store, events, CLAIMS, Filter(date_from=_day(0), date_to=_day(9)), path, size=SIZE)
    return out, iio.imread(path, index=None)


def test_gif_has_one_frame_per_day_of_the_filter(daily_gif):
    out, frames = daily_gif
    assert frames.shape[:3] == (10, SIZE[1], SIZE[0])
    assert out.format == "gif" and out.frames == 10 and (out.first, out.last) == (_day(0), _day(9))
    assert out.assessor == "DeepStateMap" and out.events == 4 and out.claims == 2
    assert "4 events, 2 claims" in out.summary()


def test_the_date_drawn_changes_every_frame(daily_gif):
    _, frames = daily_gif
    box = _frames.layout(SIZE).date
    dates = [_crop(f, box) for f in frames]
    assert all((dates[i] != dates[i + 1]).any() for i in range(len(dates) - 1))
    assert (dates[0] < 100).any(), "dark text in the date box"
    assert not (_crop(frames[0], _frames.layout(SIZE).footer) == 255).all(), "the footer carries the caveat"


def test_the_held_area_grows_frame_by_frame(daily_gif):
    _, frames = daily_gif
    red = [_reddish(f) for f in frames]
    assert red[0] > 100
    assert all(b > a for a, b in itertools.pairwise(red)), red
    strong = [_near(f, _frames.rgb(RU), 30) for f in frames]  # gained since the previous frame, near opaque
    assert all(s > strong[0] + 100 for s in strong[1:]), strong


def test_the_days_events_are_drawn_on_their_days_only(daily_gif):
    _, frames = daily_gif
    energy = [_near(f, ENERGY) for f in frames]
    assert energy[5] > max(energy[4], energy[6]) + 10, energy  # the strike of day 5 (the legend is on every frame)


def test_mp4_opens_with_the_right_frame_count_and_size(store, events, tmp_path):
    out = to_mp4(
        store, events, CLAIMS, Filter(date_from=_day(0), date_to=_day(7)), tmp_path / "a.mp4", size=SIZE, hold_last=0
    )
    reader = iio2.get_reader(out, format="FFMPEG")
    try:
        assert reader.count_frames() == 8
        assert tuple(reader.get_meta_data()["size"]) == SIZE
        first = reader.get_data(0)
    finally:
        reader.close()
    assert first.shape == (SIZE[1], SIZE[0], 3) and out.format == "mp4" and out.frames == 8
    assert _reddish(first) > 100


def test_mp4_sides_are_made_even_and_the_last_frame_held(store, events, tmp_path):
    out = to_mp4(
        store,
        events,
        CLAIMS,
        Filter(date_from=_day(0), date_to=_day(2)),
        tmp_path / "b.mp4",
        size=(321, 181),
        fps=4,
        hold_last=1.0,
    )
    reader = iio2.get_reader(out, format="FFMPEG")
    try:
        assert tuple(reader.get_meta_data()["size"]) == (320, 180)
        assert reader.count_frames() == 3 + 4
    finally:
        reader.close()


def test_a_week_step_shows_every_seventh_day_and_the_last(store, events, tmp_path):
    assert plan(_day(0), _day(15), "week") == [_day(0), _day(7), _day(14), _day(15)]
    assert plan(_day(0), _day(14), "week") == [_day(0), _day(7), _day(14)]
    out = to_gif(store, events, CLAIMS, Filter(), tmp_path / "w.gif", step="week", size=SIZE)  # the series' days
    frames = iio.imread(out, index=None)
    assert len(frames) == out.frames == 4 and (out.first, out.last) == (_day(0), _day(DAYS - 1))  # 0, 7, 14, 15
    red = [_reddish(f) for f in frames]
    assert red[0] < red[1] < red[2] < red[3], red


def test_an_assessments_frame_works_as_the_store_does(store, tmp_path):
    frame = store.read_assessments()
    empty = gpd.GeoDataFrame({"layer": []}, geometry=[], crs="EPSG:4326")
    out = to_gif(
        frame,
        empty,
        CLAIMS.iloc[:0],
        Filter(date_from=_day(2), date_to=_day(4)),
        tmp_path / "f.gif",
        size=SIZE,
        assessor="deepstatemap",
    )
    frames = iio.imread(out, index=None)
    assert len(frames) == 3 and out.assessor == "DeepStateMap"
    assert _reddish(frames[0]) < _reddish(frames[2])


def test_too_many_frames_are_refused_before_anything_is_written(store, events, tmp_path):
    path = tmp_path / "long.gif"
    flt = Filter(date_from="2020-01-01", date_to="2024-01-10")
    with pytest.raises(GeoError, match=r"1,471 frames.*at most 1,000.*--step week"):
        to_gif(store, events, CLAIMS, flt, path, size=SIZE)
    assert not path.exists() and list(tmp_path.iterdir()) == []
    assert len(plan(_day(0), _day(0) + dt.timedelta(days=7 * (MAX_FRAMES - 1)), "week")) == MAX_FRAMES
    with pytest.raises(GeoError, match="fewer dates"):
        plan(_day(0), _day(0) + dt.timedelta(days=7 * MAX_FRAMES), "week")


def test_bad_requests_are_one_clear_error(store, events, tmp_path):
    with pytest.raises(GeoError, match="unknown time-lapse step"):
        to_gif(store, events, CLAIMS, Filter(), tmp_path / "x.gif", step="month", size=SIZE)
    with pytest.raises(ValidationError, match=r"outside 160\.\.3840"):
        to_mp4(store, events, CLAIMS, Filter(), tmp_path / "x.mp4", size=(100, 100))
    with pytest.raises(GeoError, match="it is a folder"):
        to_gif(store, events, CLAIMS, Filter(), tmp_path, size=SIZE)
    with pytest.raises(NotFoundError, match="no 'occupied' assessment by 'ISW'"):
        to_gif(store, events, CLAIMS, Filter(), tmp_path / "x.gif", assessor="ISW", size=SIZE)
    with pytest.raises(NotFoundError, match="control import"):
        to_gif(GeoPackageStore(tmp_path / "empty.gpkg"), events, CLAIMS, Filter(), tmp_path / "x.gif", size=SIZE)
    assert not (tmp_path / "x.gif").exists() and not (tmp_path / "x.mp4").exists()
