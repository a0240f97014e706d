"""A run that fails says so in one sentence on the page; its traceback goes to the server's log, never to the reader.

Streamlit shows an exception that leaves the script as a traceback. The
frame (``app.py``) runs the sidebar and the page inside :func:`contained`,
which turns any error into ``st.error`` with a sentence the caller chose
(translated) and logs the traceback with :mod:`logging`. Streamlit's own
control flow — ``st.rerun``, ``st.stop``, ``st.switch_page``, which raise
:class:`ScriptControlException` subclasses (``RerunException``,
``StopException``) — passes through untouched.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

__all__ = ["Outcome", "contained"]

_log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """Whether the block of :func:`contained` failed (set when it has ended)."""

    failed: bool = False


@contextlib.contextmanager
def contained(sentence: str, *, where: str) -> Iterator[Outcome]:
    """Run a block; an error in it becomes ``sentence`` on the page and a logged traceback.

    Parameters
    ----------
    sentence : str
        What the reader sees when the block fails: one sentence, translated
        (``t("…")`` at the call site), with no detail of the error.
    where : str
        What the block is (``"sidebar"``, a page's title), for the log.

    Yields
    ------
    Outcome
        ``failed`` is True after the block raised (and was reported).

    Examples
    --------
    >>> with contained(t("This page could not be shown."), where="overview") as run:  # doctest: +SKIP
    ...     page.run()
    """
    outcome = Outcome()
    try:
        yield outcome
    except ScriptControlException:  # st.rerun, st.stop, a page switch: Streamlit's control flow, not an error
        raise
    except Exception:
        outcome.failed = True
        _log.exception("the %s run failed; the page shows: %s", where, sentence)
        st.error(sentence, icon="⚠️")
