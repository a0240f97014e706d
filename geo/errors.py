"""Errors raised by the library.

Validation happens once, at the edge: a validator walks the whole input,
collects every :class:`Problem` it finds and raises a single
:class:`ValidationError` carrying all of them, so a user fixes a file in one
pass instead of one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GeoError", "NotFoundError", "Problem", "ValidationError"]


class GeoError(Exception):
    """Base class of every error this library raises on purpose.

    The command line turns any ``GeoError`` into one line on stderr and a
    non-zero exit code; anything else is a bug and keeps its traceback.
    """


class NotFoundError(GeoError, LookupError):
    """A name, code, file or dataset that was asked for does not exist."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    Parameters
    ----------
    message : str
        What is wrong, naming the value that was found.
    row : int or None
        Row number as the user sees it (1-based data row), if the input has
        rows.
    column : str or None
        Column, field or argument the problem is in.
    fix : str or None
        How to fix it.
    """

    message: str
    row: int | None = None
    column: str | None = None
    fix: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        if self.fix:
            text += f" ({self.fix})"
        return text


class ValidationError(GeoError, ValueError):
    """Every problem found in one input, raised together.

    Parameters
    ----------
    problems : list of Problem or str
        The problems; plain strings are wrapped in :class:`Problem`.
    context : str, optional
        What was being validated ("events.csv", "filter"), put in front of
        the message.

    Examples
    --------
    >>> err = ValidationError([Problem("date is in the future", row=3, column="time_start")])
    >>> str(err)
    "1 problem: row 3, column 'time_start': date is in the future"
    """

    def __init__(self, problems: list[Problem | str] | Problem | str, context: str | None = None):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems: list[Problem] = [p if isinstance(p, Problem) else Problem(str(p)) for p in problems]
        self.context = context
        super().__init__(self._render())

    def _render(self, limit: int = 30) -> str:
        n = len(self.problems)
        head = f"{n} problem" + ("s" if n != 1 else "")
        if self.context:
            head = f"{self.context}: {head}"
        shown = [str(p) for p in self.problems[:limit]]
        if n > limit:
            shown.append(f"… and {n - limit} more")
        if n == 1:
            return f"{head}: {shown[0]}"
        return head + ":\n" + "\n".join(f"  - {s}" for s in shown)

    def one_line(self) -> str:
        """Return the message on one line, for a command line's stderr."""
        return self._render(limit=5).replace("\n  - ", "; ").replace(":\n", ": ")
