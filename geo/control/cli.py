"""Command line of the control maps: ``python -m geo control import|change`` and ``python -m geo check``.

:func:`add_commands` adds the commands to the subparsers of ``geo.cli``; each
handler takes the parsed arguments and returns the exit code. A
:class:`~geo.errors.GeoError` raised by a handler is printed by ``geo.cli``'s
``main`` as one line (exit 1), like every other command's.

.. code-block:: text

    python -m geo control import PATH... [--assessor NAME] [--side RU|UA] [--date D] [--kind K] [--store S] [--json]
    python -m geo control change --from D --to D [--region R] [--assessor A] [--side RU|UA] [--store S] [--json]
    python -m geo check [--assessor A] [--store S] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

__all__ = ["add_commands", "cmd_change", "cmd_check", "cmd_import"]

_STORE_HELP = "the store: a GeoPackage path (default: $CONFLICTMAP_STORE or data/conflict.gpkg)"


def _open(store_arg: str | None, *, must_exist: bool) -> Any:
    """The store named (an explicit one must exist for reading commands), or the default one."""
    from geo.cli import _open as open_named

    hint = "import assessments first with 'python -m geo control import PATH --store …'"
    return open_named(store_arg, must_exist=must_exist, hint=hint)


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def cmd_import(args: argparse.Namespace) -> int:
    """``control import``: read every path, write every day in one transaction, print the report."""
    from geo.control.read import read_control

    started = time.perf_counter()
    result = read_control(
        args.paths,
        assessor=args.assessor,
        side=args.side,
        date=args.date,
        kind=args.kind,
        max_bytes=None if args.max_mb is None else int(args.max_mb * 2**20),
    )
    if not args.dry_run:
        store = _open(args.store, must_exist=False)
        result.written = store.write_assessments(result.days)
    if args.json:
        _print_json({**result.to_dict(), "dry_run": bool(args.dry_run)})
    else:
        print(result.to_text() + ("\ndry run: nothing written" if args.dry_run else ""))
    print(f"took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def _change_text(c: Any) -> str:
    from geo.reference import region_name

    lines = [
        f"{c.assessor}, area held by {c.side} ({c.kind}), {c.date_from:%Y-%m-%d} → {c.date_to:%Y-%m-%d} "
        f"(maps of {c.day_from:%Y-%m-%d} and {c.day_to:%Y-%m-%d}"
        + (", read from the other side's series" if c.mirrored else "")
        + (f", {c.region} only" if c.region else "")
        + f"): gained {c.gained_km2:,.1f} km², lost {c.lost_km2:,.1f} km², net {c.net_km2:+,.1f} km²"
    ]
    for code, v in sorted(c.by_region.items(), key=lambda kv: -abs(kv[1]["net_km2"])):
        lines.append(f"  {code} {region_name(code)}: +{v['gained_km2']:,.1f} / −{v['lost_km2']:,.1f} km²")
    for label in ("gained", "lost"):
        names = [f"{s['name']} ({s['admin1'] or '?'})" for s in c.settlements if s["change"] == label]
        if names:
            lines.append(f"  settlements {label} ({len(names)}): " + ", ".join(names))
    lines.append(f"  ({c.assessor}'s maps are its own assessment, published with a lag; not ground truth)")
    return "\n".join(lines)


def cmd_change(args: argparse.Namespace) -> int:
    """``control change``: km² gained and lost between two dates, per region, settlements; per assessor."""
    from geo.control.change import changes

    store = _open(args.store, must_exist=True)
    found = changes(
        store, args.date_from, args.date_to, assessor=args.assessor, side=args.side, kind=args.kind, region=args.region
    )
    if args.json:
        dicts = [c.to_dict() for c in found]
        _print_json(dicts[0] if len(dicts) == 1 else dicts)
    else:
        print("\n\n".join(_change_text(c) for c in found))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """``check``: every capture claim located to a settlement with its verdict per assessor, and aggregate claims."""
    from geo.control import series
    from geo.control.check import aggregate_claims, check_claims

    store = _open(args.store, must_exist=True)
    series.pick_assessor(store, args.assessor, args.kind)  # nothing stored: one clear line
    verdicts = check_claims(store, assessors=args.assessor, kind=args.kind)
    aggregates = aggregate_claims(store, assessors=args.assessor, kind=args.kind)
    if args.json:
        _print_json(
            {
                "claims": verdicts.drop(columns="text").to_dict("records"),
                "aggregates": aggregates.drop(columns="text").to_dict("records"),
            }
        )
        return 0
    if verdicts.empty:
        print("no capture claim located to a settlement")
    for r in verdicts.itertuples():
        print(f"{r.claim_day:%Y-%m-%d} {r.place} — {r.side} claimed by {r.claimant}: {r.verdict}. {r.text}")
    for r in aggregates.itertuples():
        print(f"{r.period_from:%Y-%m-%d}–{r.period_to:%Y-%m-%d} {r.claimant}: {r.text}")
    return 0


def add_commands(subparsers: Any) -> None:
    """Add ``control`` (with ``import`` and ``change``) and ``check`` to ``geo.cli``'s subparsers.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned; each command sets
        ``func`` to its handler.
    """
    control = subparsers.add_parser(
        "control", help="assessed areas of control: import daily maps, change between dates"
    )
    sub = control.add_subparsers(dest="control_command", required=True, metavar="ACTION")

    p = sub.add_parser("import", help="import daily control maps (files, folders, zips) in one transaction")
    p.add_argument("paths", nargs="+", metavar="PATH", help="GeoJSON/KML/GeoPackage/zipped Shapefile, zip or folder")
    p.add_argument("--assessor", help="who made the maps (default DeepStateMap for its daily files)")
    p.add_argument(
        "--side", type=str.upper, choices=("RU", "UA"), help="side holding the areas (default from the kind, else RU)"
    )
    p.add_argument("--date", help="the day of every polygon read, YYYY-MM-DD (default from the file or its name)")
    p.add_argument(
        "--kind", help="kind of area, e.g. occupied, assessed_advance (default from the file, else occupied)"
    )
    p.add_argument("--store", help=_STORE_HELP)
    p.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
    p.add_argument("--max-mb", type=float, default=None, help="refuse files larger than this (default 200)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "change", help="km² gained and lost between two dates, per region, settlements that changed hands"
    )
    p.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first date, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="second date, YYYY-MM-DD")
    p.add_argument("--region", help="limit to one region: code or name (UA-14, Donetsk)")
    p.add_argument("--assessor", help="whose maps (default every assessor)")
    p.add_argument(
        "--side", type=str.upper, choices=("RU", "UA"), default="RU", help="whose gains and losses (default RU)"
    )
    p.add_argument("--kind", default="occupied", help="kind of area (default occupied)")
    p.add_argument("--store", help=_STORE_HELP)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_change)

    p = subparsers.add_parser("check", help="every capture claim with its verdict per assessor of control")
    p.add_argument("--assessor", help="whose maps (default every assessor)")
    p.add_argument("--kind", default="occupied", help="kind of area (default occupied)")
    p.add_argument("--store", help=_STORE_HELP)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_check)
