"""Command line: ``python -m geo {stats,geocode,synth,datasets,import,export,control,check,store,users,audit}``.

User mistakes (a missing file, an unknown region, a bad number) print one
line to stderr and exit 1; usage errors exit 2 (argparse's convention).
Tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo import __version__
from geo.errors import DatasetConflictError, GeoError, NotFoundError, ValidationError

__all__ = ["conflict_text", "main"]

MAX_SYNTH = 20_000_000


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_SYNTH:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to {MAX_SYNTH:,}, got {value:,}")
    return value


def _open(store_arg: str | None, *, must_exist: bool, hint: str | None = None) -> Any:
    """Open the store named on the command line (a path or a URL), or the default one.

    An explicit ``--store`` that does not exist is an error for reading
    commands (a typo should not silently create an empty store); the default
    store and ``$CONFLICTMAP_STORE`` are created and seeded on first use.
    What a location is, :func:`geo.store.open_store` decides.
    """
    from geo.store import open_store

    explicit = store_arg is not None
    try:
        return open_store(store_arg, create=not (explicit and must_exist), seed=not explicit)
    except NotFoundError as err:
        if not explicit:
            raise
        hint = hint or "omit --store to use the bundled data, or create one with 'python -m geo synth N --store PATH'"
        raise GeoError(f"{err}; {hint}") from None


def _cmd_stats(args: argparse.Namespace) -> int:
    from geo.stats import summary

    store = _open(args.store, must_exist=True)
    result = summary(store.read_events(), store.read_claims())
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    span = result["span"]
    print(f"{result['events']:,} events, {result['claims']:,} claims, {span['first']} → {span['last']}")
    for title, key in (("layer", "layers"), ("status", "status"), ("dataset", "datasets")):
        print(f"\nper {title}:")
        for name, n in result[key].items():
            print(f"  {name:<14} {n:>10,}")
    return 0


def _describe(result: Any) -> str:
    from geo.reference import region_name

    where = f"{result.admin1} {region_name(result.admin1)}" if result.admin1 and ";" not in result.admin1 else ""
    if result.found:
        line = f"{result.name}: {result.lat:.5f}, {result.lon:.5f} ({where}), precision {result.precision}"
    elif result.precision == "admin1":
        line = f"{result.query}: region precision only ({where}). {result.message}"
    else:
        line = f"{result.query}: not found. {result.message}"
    others = [c for c in result.candidates if (c.lat, c.lon) != (result.lat, result.lon)]
    if others:
        line += "\nother candidates:\n" + "\n".join(
            f"  {c.name}: {c.lat:.5f}, {c.lon:.5f} ({c.admin1 or c.country}), population {c.population:,}"
            for c in others
        )
    return line


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geo.gazetteer import geocode

    result = geocode(args.name, region=args.region, district=args.district)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(_describe(result))
    return 0 if result.found or result.precision == "admin1" else 1


def _cmd_synth(args: argparse.Namespace) -> int:
    from geo.store import open_store
    from geo.synthetic import write_synthetic

    started = time.perf_counter()
    store = open_store(args.store, create=True, seed=False, parents=False)  # a missing folder is a typo
    result = write_synthetic(store, args.n, seed=args.seed)
    took = time.perf_counter() - started
    print(
        f"wrote {result.inserted_events:,} synthetic events ({result.updated_events:,} updated, "
        f"{result.unchanged_events:,} unchanged) to {store.location} in {took:.1f} s",
        file=sys.stderr,
    )
    _prepare_snapshot(store)
    return 0


def _prepare_snapshot(store: Any) -> None:
    """Fold the store for the dashboard now, so its first view does not wait for it."""
    from geo.store.snapshot import read_display

    started = time.perf_counter()
    read_display(store)
    print(f"prepared the dashboard's snapshot in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _cmd_datasets(args: argparse.Namespace) -> int:
    store = _open(args.store, must_exist=True)
    table = store.datasets()
    if args.json:
        print(table.to_json(orient="records", date_format="iso", force_ascii=False, indent=2))
    else:
        print(table.to_string(index=False) if len(table) else "no datasets")
    return 0


_ID_WORDS = {"acled": "ACLED", "ucdp": "UCDP GED"}
"""How a format's event ids are called in messages (others: ``event``)."""


def conflict_text(err: DatasetConflictError, fmt: str, rows: Sequence[int] = ()) -> str:
    """The command line's sentence for an import whose ids belong to another dataset.

    Parameters
    ----------
    err : DatasetConflictError
        What the store refused.
    fmt : str
        The format the file was read as (``acled`` names its ids "ACLED ids").
    rows : sequence of int
        The file's rows of the first conflicting ids (see :meth:`ImportResult.file_rows`).

    Returns
    -------
    str
        E.g. "these 37 ACLED ids belong to dataset 'acled-2024' already; to update it, import with
        --dataset acled-2024; nothing was written".
    """
    ids = _ID_WORDS.get(fmt, "event") if err.key == "event_id" else "claim"
    head = err.summary(ids)
    owner = err.only_owner
    if owner is not None and err.updatable("import"):
        head = head.split(";")[0] + f"; to update it, import with --dataset {_shell_word(owner)}"
    if rows:
        more = ", …" if err.count > len(rows) else ""
        head += f" (rows {', '.join(map(str, rows))}{more})"
    return head + "; nothing was written"


def _shell_word(text: str) -> str:
    """A dataset name as it is typed after ``--dataset`` (quoted when the shell needs it)."""
    import shlex

    return shlex.quote(text)


def _cmd_import(args: argparse.Namespace) -> int:
    """Read a file, report what it holds and (unless --dry-run) write it to the store in one transaction."""
    from geo.importers import read_file
    from geo.importers.run import file_sha256, source_label

    max_bytes = None if args.max_mb is None else int(args.max_mb * 2**20)
    try:
        result = read_file(
            args.file, format=args.format, dataset=args.dataset, mapping=args.mapping, max_bytes=max_bytes
        )
    except OSError as err:
        raise GeoError(f"cannot read {args.file}: {_reason(err)}") from None
    nothing = result.imported == 0 and bool(result.rejected_rows)
    if not args.dry_run and result.imported:
        store = _open(args.store, must_exist=False)
        name = Path(args.file).name
        sha256 = file_sha256(args.file)
        try:
            result.written = store.write(
                result.events,
                result.claims,
                dataset=result.dataset,
                kind="import",
                source=source_label(name, sha256),
                description=f"Imported from {name} ({result.format})",
                validated=True,
                actor="cli",  # the server's operator: the audit trail names the command line
                audit={"file": name, "sha256": sha256, "format": result.format},
            )
        except DatasetConflictError as err:
            rows = sorted({p.row for p in result.file_rows(err.problems) if p.row is not None})
            raise GeoError(conflict_text(err, result.format, rows)) from None
        _prepare_snapshot(store)
    if args.json:
        print(json.dumps({**result.to_dict(), "dry_run": args.dry_run}, indent=2, ensure_ascii=False, default=str))
    else:
        print(result.to_text() + ("\ndry run: nothing written" if args.dry_run else ""))
    if nothing:
        print(
            f"error: nothing could be imported from {Path(args.file).name}: "
            f"all {len(result.rejected_rows):,} usable rows were rejected; the store is unchanged",
            file=sys.stderr,
        )
        return 1
    return 0


EXPORT_FORMATS = ("png", "pdf", "pptx", "html", "geojson", "gpkg", "csv", "kml", "gif", "mp4")
BRIEFINGS = ("png", "pdf", "pptx")
"""The briefing formats: several ``--url`` make one file with a slide/page per view (:mod:`geo.briefing.deck`)."""
BY = ("event", "statement", "either")
"""The choices of ``--by`` (:data:`geo.filters.value.BY`; imported lazily, so spelled here)."""


def _export_filter(args: argparse.Namespace, url: str | None = None) -> Any:
    """A filter of ``export``: the link ``url`` first, explicit flags override its fields."""
    from geo.filters import Filter

    flt = Filter.from_url(url) if url else Filter()
    changes: dict[str, Any] = {}
    for flag, field in (("date_from", "date_from"), ("date_to", "date_to"), ("by", "by")):
        if getattr(args, flag) is not None:
            changes[field] = getattr(args, flag)
    for flag, field in (
        ("region", "regions"),
        ("layer", "layers"),
        ("party", "parties"),
        ("status", "statuses"),
        ("dataset", "datasets"),
    ):
        if getattr(args, flag):
            changes[field] = tuple(getattr(args, flag))
    return flt.replace(**changes) if changes else flt


def _check_lang(lang: str | None) -> str | None:
    from geo import i18n

    if lang is not None and lang not in i18n.available():
        raise GeoError(f"unknown language {lang!r}; choose one of {', '.join(i18n.available())}")
    return lang


def _cmd_briefing(args: argparse.Namespace, fmt: str) -> int:
    """``export --format png|pdf|pptx``: one briefing file, a slide/page per ``--url`` (one view without)."""
    from geo.briefing.deck import briefing_file
    from geo.exporters.data import check_target
    from geo.exporters.html import DEFAULT_TITLE

    urls = args.url or [None]
    filters = [_export_filter(args, url) for url in urls]  # every link checked before the store is read
    titles = ["" if title == DEFAULT_TITLE else title for title in args.title]
    if len(titles) > len(filters):
        raise GeoError(f"{len(titles)} --title for {len(filters)} views; give at most one --title per --url")
    if fmt == "png":
        from geo.briefing.deck import slide_size

        slide_size(args.size)  # a bad size fails before the store is read
    check_target(args.out)
    store = _open(args.store, must_exist=True)
    try:
        out, views = briefing_file(
            fmt, store, filters, args.out, titles=titles, size=args.size, lang=args.lang
        )  # fmt: skip
    except OSError as err:
        raise GeoError(f"cannot write {args.out}: {_reason(err, args.out)}; nothing was written") from None
    events = sum(len(v.events) for v in views)
    claims = sum(len(v.claims) for v in views)
    print(f"wrote {out} ({len(views)} view{'s' if len(views) != 1 else ''}, {events} events, {claims} claims)")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.exporters import FORMATS, assessed_for, export
    from geo.exporters.data import check_target
    from geo.exporters.html import DEFAULT_TITLE
    from geo.filters import apply, filter_claims, talks_for
    from geo.store.snapshot import read_display

    fmt = args.format.lower()
    if fmt not in FORMATS:
        raise GeoError(f"unknown export format {args.format!r}; choose one of {', '.join(FORMATS)}")
    _check_lang(args.lang)
    if fmt in BRIEFINGS:
        return _cmd_briefing(args, fmt)
    if len(args.url or []) > 1:
        raise GeoError(f"one --url for {fmt}; several views go in one file with --format pdf or pptx")
    if len(args.title) > 1:
        raise GeoError(f"one --title for {fmt}")
    if fmt in ("gif", "mp4"):
        from geo.exporters.snapshot import parse_size

        parse_size(args.size or "slide")  # a bad size fails before the store is read
    check_target(args.out)
    flt = _export_filter(args, args.url[0] if args.url else None)
    store = _open(args.store, must_exist=True)
    folded, claims = read_display(store)
    events = apply(folded, flt, claims)  # the claims: dates matched against statements (--by)
    claims = filter_claims(claims, events)
    talks = talks_for(folded, flt)
    timelapse = fmt in ("gif", "mp4")
    given_title = args.title[0] if args.title else None
    try:
        if timelapse:
            extra = {"assessments": store, "assessor": args.assessor}
        else:  # claims set against assessed control, when the store holds any (KML has no place for them)
            extra = assessed_for(store, events, claims, flt) if fmt != "kml" else {}
        title = given_title or (None if timelapse else DEFAULT_TITLE)  # a time-lapse has its own default title
        out = export(
            fmt, events, claims, flt, args.out, title=title, size=args.size, talks=talks, step=args.step,
            lang=args.lang, **extra,
        )  # fmt: skip
    except OSError as err:
        raise GeoError(f"cannot write {args.out}: {_reason(err, args.out)}; nothing was written") from None
    frames = f"{out.frames} frames {out.first} – {out.last}, {out.assessor}'s assessment; " if timelapse else ""
    print(f"wrote {out} ({frames}{out.summary()})")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Conflict-events library: claims, captures, strikes and affected regions.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    store_help = (
        "the store: a GeoPackage path or a postgresql://USER@HOST:PORT/DB URL (PostGIS; keep the password in "
        "~/.pgpass or PGPASSWORD, not the URL) (default: $CONFLICTMAP_STORE or data/conflict.gpkg, built on first use)"
    )

    p = sub.add_parser("stats", help="events per layer, status and dataset, and the date span")
    p.add_argument("--store", help=store_help)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_stats)

    p = sub.add_parser("geocode", help="place name -> coordinates, ISO 3166-2 region and precision")
    p.add_argument("name", help="place name, in Latin or Cyrillic script")
    p.add_argument("--region", help="region hint: ISO code or name in any language (UA-23, Zaporizhzhia, Запорізька)")
    p.add_argument("--district", help="district (raion) hint, for villages of one name in one region")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_geocode)

    p = sub.add_parser("synth", help="write N synthetic events (labelled 'synthetic') into a store")
    p.add_argument("n", type=_positive_int, help="number of events, e.g. 100000")
    p.add_argument(
        "--store", required=True, help="the store to write: a GeoPackage path or postgresql:// URL (created if missing)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0: same data every time)")
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser("datasets", help="datasets in the store")
    p.add_argument("--store", help=store_help)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_datasets)

    p = sub.add_parser("import", help="import ACLED / UCDP GED exports into a dataset, with a report")
    p.add_argument("file", help="the file to import")
    p.add_argument(
        "--format",
        default="auto",
        choices=("auto", "native", "acled", "ucdp", "csv", "xlsx", "geojson", "gpkg", "kml", "shp"),
        help="file format (default: auto, from the content)",
    )
    p.add_argument("--store", help=store_help)
    p.add_argument("--dataset", help="dataset name (default: the file's name without extension)")
    p.add_argument("--mapping", help="column mapping file (JSON or TOML) for spreadsheets with their own columns")
    p.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--max-mb", type=float, default=None, help="refuse files larger than this (default 200)")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser(
        "export",
        help="a briefing (png slide, pdf, pptx; several --url: one page/slide per view) or the filtered map "
        "or data (html, geojson, gpkg, csv, kml, gif, mp4)",
    )
    p.add_argument("--format", required=True, help="one of " + ", ".join(EXPORT_FORMATS))
    p.add_argument("--out", required=True, help="file to write (replaced atomically)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day, YYYY-MM-DD")
    p.add_argument(
        "--by",
        choices=BY,
        help="what the dates match: events that happened in them, events with a claim stated in them, "
        "or either (default)",
    )
    p.add_argument("--region", action="append", default=[], help="region code or name (repeatable)")
    p.add_argument("--layer", action="append", default=[], help="capture, strike, impact, talks (repeatable)")
    p.add_argument("--party", action="append", default=[], help="RU, UA, independent, other (repeatable)")
    p.add_argument("--status", action="append", default=[], help="claimed, disputed, confirmed… (repeatable)")
    p.add_argument("--dataset", action="append", default=[], help="dataset name (repeatable)")
    p.add_argument(
        "--title", action="append", default=[], help="title of the map or briefing (repeatable: one per --url)"
    )
    p.add_argument("--size", help="png: slide (1920x1080, default), 720p or WIDTHxHEIGHT at 16:9; gif, mp4: "
                   "WIDTHxHEIGHT or slide, 720p, a4, square (default 1280x720)")  # fmt: skip
    p.add_argument("--step", choices=("day", "week"), help="gif, mp4: one frame per day (default) or per week")
    p.add_argument("--assessor", help="gif, mp4: whose assessment of control (default: the first by name)")
    p.add_argument("--store", help=store_help)
    p.add_argument(
        "--url",
        action="append",
        default=[],
        help="take the filter from a copied dashboard link (flags override it); repeat it for a briefing of "
        "several views (pdf, pptx), in order",
    )
    p.add_argument("--lang", help="language of the briefing or page (default: English)")
    p.set_defaults(func=_cmd_export)

    from geo.control.cli import add_commands as _control_commands

    _control_commands(sub)  # control import|change, check
    from geo.store.commands import add_commands as _store_commands

    _store_commands(sub, store_help)  # store migrate, store copy
    from geo.auth.commands import add_commands as _users_commands

    _users_commands(sub, store_help)  # users add|list|set-role|passwd|remove
    from geo.audit import add_commands as _audit_commands

    _audit_commands(sub, store_help)  # audit
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit code: 0 success, 1 a user error or nothing found, 2 usage.
    """
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ValidationError as err:
        print(f"error: {err.one_line()}", file=sys.stderr)
    except GeoError as err:
        print(f"error: {err}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:  # a full disk, a folder that refuses files, an unreadable file: the system's word
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{_reason(err)}", file=sys.stderr)
    except sqlite3.OperationalError as err:  # the store's file: full disk, read-only, locked
        print(f"error: the store could not be used: {err}", file=sys.stderr)
    return 1


_REASONS = {
    errno.ENOSPC: "the disk is full (no space left on device)",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "the file system is read-only",
    errno.EISDIR: "it is a folder",
}


def _reason(err: OSError, target: str | None = None) -> str:
    """Why an operation failed, in words; for a write to ``target`` through a temporary file, names its folder."""
    reason = _REASONS.get(err.errno or 0) or err.strerror or str(err)
    name = err.filename
    if target and isinstance(name, str) and Path(name).name != Path(target).name:
        return f"no file can be created in {str(Path(name).parent)!r} ({reason})"
    return reason
