"""Where an export lands: the target is checked first, then written atomically with the old file's mode.

Every export goes through :func:`check_target` (before anything is built)
and :func:`write_atomic` (a temporary file in the target's folder, moved over
the target only once it is whole). A target that is not a regular file or a
new path (a FIFO, a device node, a socket, a symbolic link such as one to
``/proc/self/fd/1``) is refused, never replaced. A failed write (a full disk,
a folder such as ``/proc`` that takes no new files) is one :class:`GeoError`
and leaves no temporary file and no half file behind: the old file, if any,
is unchanged.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from geo.errors import GeoError

__all__ = ["check_target", "write_atomic"]

_SIDECARS = ("-journal", "-wal", "-shm")
"""Files SQLite (a GeoPackage writer) may leave beside a database it was writing."""


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _existing_mode(target: Path) -> os.stat_result | None:
    """The target's own status (not following a link); None for a new path. Raises for anything but a file."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise GeoError(f"unwritable path {str(target)!r}: {err.strerror or err}") from None
    if not stat.S_ISREG(st.st_mode):
        what = _kind(st.st_mode)
        fix = "give the file it points to" if stat.S_ISLNK(st.st_mode) else "give a new path or a regular file"
        raise GeoError(f"unwritable path {str(target)!r}: it is {what}, not a regular file; {fix}")
    return st


def check_target(path: str | os.PathLike[str]) -> Path:
    """Check that a file can be written at ``path``, before anything is written.

    Parameters
    ----------
    path : str or PathLike
        The file to write: a new path in an existing folder, or an existing
        regular file (replaced, keeping its permission mode).

    Returns
    -------
    Path
        The path.

    Raises
    ------
    GeoError
        The path is a folder, a symbolic link, a FIFO, a device or a socket;
        its folder does not exist or is not writable; the file is read-only.
    """
    target = Path(path)
    if target.is_dir() and not target.is_symlink():
        raise GeoError(f"unwritable path {str(target)!r}: it is a folder")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise GeoError(f"unwritable path {str(target)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise GeoError(f"unwritable path {str(target)!r}: the folder is not writable")
    if _existing_mode(target) is not None and not os.access(target, os.W_OK):
        raise GeoError(f"unwritable path {str(target)!r}: the file is read-only")
    return target


def _new_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file: 0o666 less the process's umask.

    The umask is read from ``/proc/self/status`` (setting it to read it back would race with other threads
    of a server); where that is not available, 0o022 is assumed.
    """
    umask = 0o022
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("Umask:"):
                umask = int(line.split()[1], 8)
                break
    return 0o666 & ~umask


def _remove(tmp: Path) -> None:
    """Remove a temporary file and whatever SQLite left beside it."""
    for name in (tmp, *(tmp.with_name(tmp.name + s) for s in _SIDECARS)):
        with contextlib.suppress(OSError):
            name.unlink(missing_ok=True)


def _failed(target: Path, err: OSError) -> GeoError:
    """One line saying the write failed, why, and what to do."""
    why = err.strerror or str(err) or type(err).__name__
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "free some space or write to another disk"
    elif err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "choose a path in a folder you can write to"
    else:
        fix = "choose another path (--out)"
    return GeoError(f"could not write {str(target)!r}: {why}; {fix} (nothing was written, any old file is unchanged)")


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Write a file atomically: ``write(tmp)`` fills a temporary file in the same folder, then it replaces ``path``.

    An existing file keeps its permission mode (and, where allowed, its
    owner); a new file gets the mode a plain ``open`` would give it.

    Parameters
    ----------
    path : str or PathLike
        The file to write.
    write : callable
        Called with the temporary path (which does not exist yet); must write
        the whole file there.

    Returns
    -------
    Path
        The written path.

    Raises
    ------
    GeoError
        The path cannot be written (checked before ``write`` is called), or
        writing failed with an operating-system error (a full disk, a folder
        that takes no files); no temporary file is left and the target is
        unchanged. Any other error of ``write`` propagates as it is, with
        the same guarantees.
    """
    target = check_target(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    except OSError as err:
        why = err.strerror or str(err) or type(err).__name__
        raise GeoError(
            f"could not write {str(target)!r}: its folder takes no new files ({why}); choose another path (--out)"
        ) from None
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.unlink()  # some writers (GDAL) refuse an existing empty file
        write(tmp)
        old = _existing_mode(target)  # again: it may have changed while the file was built
        os.chmod(tmp, stat.S_IMODE(old.st_mode) if old is not None else _new_file_mode())
        if old is not None and hasattr(os, "chown") and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
            with contextlib.suppress(OSError):  # not allowed to give it away: it stays ours
                os.chown(tmp, old.st_uid, old.st_gid)
        os.replace(tmp, target)
    except OSError as err:
        raise _failed(target, err) from None
    finally:
        _remove(tmp)
    return target
