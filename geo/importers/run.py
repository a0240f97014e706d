"""Running an import for a server: in a separate process with a deadline, and the source it records.

A parse that runs away (a pathological header, a huge workbook) must not
hold a server's core after the reader has gone, and must stop when the
server is told to: :func:`run_within` runs the read in a child process and
kills it when the deadline passes (and the child's CPU time is limited to
a little more than that, should the server itself be killed first). The child is forked from a small
*fork server* that has imported the importers once (``forkserver`` start
method), so starting one costs milliseconds after the first, and it
inherits nothing of the server's threads or memory.

:func:`source_label` is what a store records as an imported dataset's
source: the file's own name and its SHA-256, never a temporary path.
"""

from __future__ import annotations

import functools
import hashlib
import math
import multiprocessing
import os
import pickle
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from geo.errors import GeoError, TimeLimitError

__all__ = ["file_sha256", "run_within", "source_label"]

T = TypeVar("T")
_PRELOAD = ["geo.importers"]


@functools.cache
def _context() -> Any:
    """The ``forkserver`` context, its server preloading the importers (``spawn`` where there is no fork)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def _limit_cpu(seconds: float) -> None:
    """Let the kernel stop this process after ``seconds`` of CPU time, should its parent die before the deadline."""
    try:
        import resource

        soft = math.ceil(seconds) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 5))
    except (ImportError, OSError, ValueError):  # no such limit here: the parent's deadline still holds
        pass


def _child(
    conn: Connection, seconds: float, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """In the child: run ``fn`` and send back ``("ok", value)``, ``("error", GeoError)`` or ``("bug", traceback)``."""
    _limit_cpu(seconds)
    try:
        answer: tuple[str, Any] = ("ok", fn(*args, **kwargs))
    except GeoError as err:
        answer = ("error", err)
    except BaseException:  # a bug: its traceback goes back for the server's log
        answer = ("bug", traceback.format_exc())
    try:
        conn.send(answer)
    except (pickle.PicklingError, TypeError, AttributeError):
        conn.send(("error", GeoError(str(answer[1]))) if answer[0] == "error" else ("bug", traceback.format_exc()))
    finally:
        conn.close()


def run_within(seconds: float, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Call ``fn(*args, **kwargs)`` in a child process; stop it when it takes longer than ``seconds``.

    Parameters
    ----------
    seconds : float
        The deadline, from the call.
    fn : callable
        A function importable by name (a module's top-level function); its
        arguments and result must pickle.
    *args, **kwargs
        Its arguments.

    Returns
    -------
    object
        What ``fn`` returned.

    Raises
    ------
    TimeLimitError
        The deadline passed: the child was killed.
    GeoError
        What ``fn`` raised on purpose, or the child died without answering
        (killed, out of memory).
    RuntimeError
        ``fn`` failed with a bug; the message holds the child's traceback.

    Examples
    --------
    >>> import math
    >>> run_within(60, math.factorial, 5)  # doctest: +SKIP
    120
    """
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, seconds, fn, args, kwargs), daemon=True, name="geo-import")
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise TimeLimitError(f"took longer than {seconds:g} s and was stopped")
        status, payload = receive.recv()
    except EOFError:
        child.join(5)
        raise GeoError(f"the reading process ended without an answer (exit code {child.exitcode})") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    if status == "ok":
        return payload  # type: ignore[no-any-return]
    if status == "error":
        raise payload
    raise RuntimeError(f"the reading process failed:\n{payload}")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, hexadecimal (read in blocks).

    Parameters
    ----------
    path : str or PathLike
        The file.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def source_label(name: str, digest: str) -> str:
    """What a store records as an imported dataset's source: the file's name and its SHA-256.

    Parameters
    ----------
    name : str
        The file's own name, without its folder (a path says nothing to
        others, and an upload's is a deleted temporary file).
    digest : str
        The SHA-256 of the file's bytes, hexadecimal.

    Returns
    -------
    str
        ``"acled-2025.csv (sha256:3f2a…)"`` with the whole digest.

    Examples
    --------
    >>> source_label("events.csv", "ab" * 32)[:30]
    'events.csv (sha256:abababababa'
    """
    return f"{os.path.basename(name)} (sha256:{digest})"
