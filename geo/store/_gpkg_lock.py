"""Process-level coordination on one GeoPackage file: GDAL and :mod:`sqlite3` take turns, and the change counter.

Private to :mod:`geo.store.gpkg`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_BUSY_TIMEOUT_S = 60.0  # how long a reader or writer waits for another one's lock (sqlite3 and GDAL alike)
_CHANGE_COUNTER_AT = 24  # SQLite database header: 4-byte big-endian file change counter


class _Switch:
    """Keeps GDAL and :mod:`sqlite3` off one file at the same time within this process.

    pyogrio's GDAL carries its own copy of SQLite. SQLite's file locks are
    POSIX advisory locks, which belong to the process, and closing *any*
    descriptor of a file drops all of them: a GDAL read finishing while a
    :mod:`sqlite3` connection of the same process holds a lock would
    silently release that lock (and the other way round), and the two
    copies do not see each other's locks at all. Several users of the same
    library may overlap (SQLite handles that); users of different libraries
    take turns. Between processes SQLite's locks work as usual.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = {"gdal": 0, "sqlite": 0}

    @contextmanager
    def hold(self, group: str) -> Iterator[None]:
        """Use the file as ``group`` (``"gdal"`` or ``"sqlite"``), once no user of the other group is on it."""
        other = "sqlite" if group == "gdal" else "gdal"
        with self._cond:
            while self._active[other]:
                self._cond.wait()
            self._active[group] += 1
        try:
            yield
        finally:
            with self._cond:
                self._active[group] -= 1
                if not self._active[group]:
                    self._cond.notify_all()


_SWITCHES: dict[str, _Switch] = {}
_SWITCHES_LOCK = threading.Lock()


def _switch(path: Path) -> _Switch:
    """The one :class:`_Switch` of a file in this process, however the file is named."""
    key = os.path.realpath(path)
    with _SWITCHES_LOCK:
        return _SWITCHES.setdefault(key, _Switch())


_HEADERS: dict[str, tuple[int, int, int]] = {}  # file path -> (st_dev, st_ino, descriptor kept open)
_HEADERS_LOCK = threading.Lock()


def _change_counter(path: Path) -> tuple[os.stat_result, int]:
    """The file's ``stat`` and SQLite's file change counter, read with no lock and no SQLite connection.

    The counter is read through a descriptor opened once per file and per
    process and *never closed* while the file is the store: SQLite's locks
    are POSIX locks, which belong to the process, and closing any descriptor
    of a file drops every lock the process holds on it (a write in another
    thread, a GDAL read) — see :class:`_Switch`. Reading takes no lock and so
    never waits for a writer; a value read while another process commits is
    the old or the new one, and the next call sees the new one. When the path
    names another file (the store was replaced), the old file's descriptor is
    closed: no connection of this store uses that file any more.
    """
    info = os.stat(path)
    key = str(path)
    with _HEADERS_LOCK:
        entry = _HEADERS.get(key)
        if entry is None or entry[:2] != (info.st_dev, info.st_ino):
            fd = os.open(path, os.O_RDONLY)
            info = os.fstat(fd)  # the file opened, should it have been replaced since the stat
            if entry is not None:
                os.close(entry[2])
            entry = _HEADERS[key] = (info.st_dev, info.st_ino, fd)
        header = os.pread(entry[2], 4, _CHANGE_COUNTER_AT)
    return info, int.from_bytes(header, "big")


def _forget_header(path: Path) -> None:
    """Close the descriptor :func:`_change_counter` kept for a file that has gone."""
    with _HEADERS_LOCK:
        entry = _HEADERS.pop(str(path), None)
        if entry is not None:
            os.close(entry[2])
