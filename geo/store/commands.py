"""Command line of the store itself: ``python -m geo store migrate`` and ``python -m geo store copy SRC DST``.

:func:`add_commands` adds ``store`` to the subparsers of ``geo.cli``; each handler takes the parsed arguments and
returns the exit code, and a :class:`~geo.errors.GeoError` it raises is printed by ``geo.cli.main`` as one line.

.. code-block:: text

    python -m geo store migrate [--store S]          bring a PostGIS store's tables to this version (or create them)
    python -m geo store copy SRC DST [--json]        every dataset and assessed area, GeoPackage <-> PostGIS

:func:`copy_store` is the copy as a function: dataset by dataset (one transaction each, the registry's kind,
description and source kept), then the assessed areas of control; it checks the counts on both sides after.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from geo.errors import GeoError
from geo.store.base import Store

__all__ = ["CopyResult", "add_commands", "cmd_copy", "cmd_migrate", "copy_store"]


@dataclass
class CopyResult:
    """What :func:`copy_store` copied.

    Parameters
    ----------
    source, target : str
        Locations of the two stores.
    datasets : dict of str to (int, int)
        Events and claims copied per dataset.
    assessments : int
        Days of assessed control copied.
    seconds : float
        How long it took.
    """

    source: str
    target: str
    datasets: dict[str, tuple[int, int]] = field(default_factory=dict)
    assessments: int = 0
    seconds: float = 0.0

    @property
    def events(self) -> int:
        """Events copied in all."""
        return sum(e for e, _ in self.datasets.values())

    @property
    def claims(self) -> int:
        """Claims copied in all."""
        return sum(c for _, c in self.datasets.values())

    def to_text(self) -> str:
        """One line for the command line."""
        n = len(self.datasets)
        return (
            f"copied {n} dataset{'s' if n != 1 else ''} ({self.events:,} events, {self.claims:,} claims) and "
            f"{self.assessments:,} days of assessed control from {self.source} to {self.target} "
            f"in {self.seconds:.1f} s"
        )


def copy_store(source: Store, target: Store) -> CopyResult:
    """Copy every dataset (events, claims, registry entry) and every assessed area from ``source`` to ``target``.

    Each dataset is written in one transaction, as an import is: copying again changes nothing, and a dataset
    of the target with ids of the source's under another name is refused (nothing of that dataset is written).
    Registry times are those of the copy.

    Parameters
    ----------
    source, target : Store
        Any two stores (a GeoPackage and a PostGIS database, either way round).

    Returns
    -------
    CopyResult
        What was copied.

    Raises
    ------
    GeoError
        Both are the same store, or the counts on the two sides differ after the copy.
    ValidationError
        The target refused a dataset (ids of another dataset, another kind).
    """
    if source.location == target.location:
        raise GeoError(f"{source.location} is both the source and the target; name another target")
    started = time.perf_counter()
    result = CopyResult(source.location, target.location)
    registry = source.datasets()
    for row in registry.itertuples(index=False):
        events = source.read_events(datasets=row.name)
        claims = source.read_claims(datasets=row.name)
        target.write(
            events,
            claims,
            dataset=row.name,
            kind=row.kind,
            description=row.description or "",
            source=row.source or "",
            validated=True,
        )
        result.datasets[row.name] = (len(events), len(claims))
    days = source.read_assessments(geometry=True)
    if len(days):
        target.write_assessments(days)
    result.assessments = len(days)
    _check_counts(source, target, registry, len(days))
    result.seconds = time.perf_counter() - started
    return result


def _check_counts(source: Store, target: Store, registry: Any, days: int) -> None:
    """Raise when the target does not hold what the source holds, dataset by dataset."""
    there = target.datasets().set_index("name")
    for row in registry.itertuples(index=False):
        if row.name not in there.index or (there.at[row.name, "events"], there.at[row.name, "claims"]) != (
            row.events,
            row.claims,
        ):
            raise GeoError(f"the copy of dataset {row.name!r} in {target.location} does not match its source")
    if len(target.read_assessments(geometry=False)) < days:
        raise GeoError(f"the assessed areas copied to {target.location} do not match their source")


def _open(location: str | None, *, must_exist: bool) -> Store:
    from geo.cli import _open as open_named

    return open_named(location, must_exist=must_exist)


def cmd_copy(args: argparse.Namespace) -> int:
    """``store copy SRC DST``: copy every dataset and assessed area, then print what was copied."""
    from geo.store import open_store

    source = _open(args.source, must_exist=True)
    target = open_store(args.target, create=True, seed=False, parents=False)
    result = copy_store(source, target)
    if args.json:
        print(json.dumps({**asdict(result), "events": result.events, "claims": result.claims}, indent=2))
    else:
        print(result.to_text())
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """``store migrate``: bring a PostGIS store to this version (creating an empty one in a database without)."""
    from geo import settings
    from geo.store import open_store

    location = args.store if args.store is not None else settings.get().store
    if not str(location).lower().startswith(("postgresql://", "postgres://")):
        store = open_store(location, create=False)  # a GeoPackage is upgraded when it is opened
        print(f"{store.location}: a GeoPackage store, upgraded when opened; nothing else to do")
        return 0
    from geo.store import postgis

    where, found, now = postgis.migrate(str(location), create=True)
    if found is None:
        print(f"{where}: created an empty store at schema version {now}")
    elif found != now:
        print(f"{where}: migrated from schema version {found} to {now}")
    else:
        print(f"{where}: at schema version {now} already; nothing to do")
    return 0


def add_commands(subparsers: Any, store_help: str) -> None:
    """Add ``store`` (with ``migrate`` and ``copy``) to ``geo.cli``'s subparsers.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned; each command sets ``func`` to its handler.
    store_help : str
        The help of ``--store`` shared by every command.
    """
    store = subparsers.add_parser("store", help="the store itself: migrate a PostGIS store, copy between stores")
    sub = store.add_subparsers(dest="store_command", required=True, metavar="ACTION")

    p = sub.add_parser(
        "migrate", help="bring a PostGIS store's tables to this version (creates them, empty, in a new database)"
    )
    p.add_argument("--store", help=store_help)
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "copy", help="copy every dataset and assessed area from one store to another (GeoPackage <-> PostGIS)"
    )
    p.add_argument("source", metavar="SRC", help="the store to read: a GeoPackage path or a postgresql:// URL")
    p.add_argument("target", metavar="DST", help="the store to write (created when missing, not seeded)")
    p.add_argument("--json", action="store_true", help="print what was copied as JSON")
    p.set_defaults(func=cmd_copy)
