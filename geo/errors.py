"""Errors raised by the library.

Validation happens once, at the edge: a validator walks the whole input,
collects every :class:`Problem` it finds and raises a single
:class:`ValidationError` carrying all of them, so a user fixes a file in one
pass instead of one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DatasetConflictError",
    "GeoError",
    "NotFoundError",
    "Problem",
    "StaleEditError",
    "TimeLimitError",
    "ValidationError",
]


class GeoError(Exception):
    """Base class of every error this library raises on purpose.

    The command line turns any ``GeoError`` into one line on stderr and a
    non-zero exit code; anything else is a bug and keeps its traceback.
    """


class NotFoundError(GeoError, LookupError):
    """A name, code, file or dataset that was asked for does not exist."""


class StaleEditError(GeoError):
    """An edit was based on a version of a claim that someone else has changed since: refused, nothing written."""


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

    def __reduce__(self) -> tuple[type, tuple[list[Problem], str | None]]:
        return (type(self), (self.problems, self.context))

    def one_line(self) -> str:
        """Return the message on one line, for a command line's stderr."""
        return self._render(limit=5).replace("\n  - ", "; ").replace(":\n", ": ")


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class DatasetConflictError(ValidationError):
    """Ids of a write belong to other datasets already: ids are unique across datasets.

    Raised by a store before anything is written. The typical cause is a
    newer export of the same source imported under a new name: its ids are
    those of the earlier dataset, which the write should update instead.

    Parameters
    ----------
    dataset : str
        The dataset being written.
    key : str
        The id column: ``event_id`` or ``claim_id``.
    owners : dict of str to int
        Each other dataset holding some of the ids, with how many.
    problems : list of Problem
        The first conflicting rows (row, column, which id, which dataset).
    kinds : dict of str to str, optional
        The kind of each other dataset (``import``, ``bundled``…), when known.

    Attributes
    ----------
    count : int
        How many ids of the write belong to other datasets.

    Examples
    --------
    >>> err = DatasetConflictError("acled-2025", "event_id", {"acled-2024": 37}, [])
    >>> err.count, err.only_owner
    (37, 'acled-2024')
    """

    def __init__(
        self,
        dataset: str,
        key: str,
        owners: dict[str, int],
        problems: list[Problem],
        kinds: dict[str, str] | None = None,
    ):
        self.dataset = dataset
        self.key = key
        self.owners = dict(owners)
        self.kinds = dict(kinds or {})
        self.count = sum(self.owners.values())
        super().__init__(list(problems), context=f"dataset {dataset!r}")

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:  # type: ignore[override]
        return (type(self), (self.dataset, self.key, self.owners, self.problems, self.kinds))

    @property
    def only_owner(self) -> str | None:
        """The other dataset, when all the ids belong to one."""
        return next(iter(self.owners)) if len(self.owners) == 1 else None

    def updatable(self, kind: str = "import") -> bool:
        """Whether writing into the other dataset instead would work: one owner, of the write's ``kind``.

        Parameters
        ----------
        kind : str
            The kind of the write (an import is ``"import"``).

        Returns
        -------
        bool
            True when there is one other dataset and it has that kind (or its kind is unknown).
        """
        owner = self.only_owner
        return owner is not None and self.kinds.get(owner, kind) == kind

    def owners_text(self) -> str:
        """The other datasets in words: ``dataset 'a'`` or ``datasets 'a' (30) and 'b' (7)``."""
        if self.only_owner is not None:
            return f"dataset {self.only_owner!r}"
        return "datasets " + _and_list([f"{n!r} ({c:,})" for n, c in self.owners.items()])

    def summary(self, ids: str = "", kind: str = "import") -> str:
        """One sentence: how many ids belong to which dataset, and what to do.

        Parameters
        ----------
        ids : str
            What the ids are, for people (``"ACLED"``); default the id column's name.
        kind : str
            The kind of the write, to say whether the other dataset can be updated by it.

        Returns
        -------
        str
            E.g. "these 37 event_id values belong to dataset 'acled-2024' already; …".
        """
        one = self.count == 1
        what = (f"{ids} id" if ids else f"{self.key} value") + ("" if one else "s")
        verb = "belongs" if one else "belong"
        head = f"{'this' if one else 'these'} {self.count:,} {what} {verb} to {self.owners_text()} already"
        owner = self.only_owner
        if owner is not None and self.updatable(kind):
            return f"{head}; to update it, write to dataset {owner!r}, or delete it first"
        those = "that dataset" if owner is not None else "those datasets"
        return f"{head}; ids are unique across datasets: give the rows other ids, or delete {those} first"

    def _render(self, limit: int = 30) -> str:
        shown = [str(p) for p in self.problems[: min(limit, 5)]]
        return f"dataset {self.dataset!r}: {self.summary()}" + (f" (first: {'; '.join(shown)})" if shown else "")

    def one_line(self) -> str:
        """Return the message on one line, for a command line's stderr."""
        return self._render()


class TimeLimitError(GeoError, TimeoutError):
    """Reading an input took longer than it was allowed to; the work was stopped."""
