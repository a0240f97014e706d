"""Command line of the users: ``python -m geo users add|list|set-role|passwd|remove``.

:func:`add_commands` adds ``users`` to the subparsers of ``geo.cli``; each handler takes the parsed arguments and
returns the exit code, and a :class:`~geo.errors.GeoError` it raises is printed by ``geo.cli.main`` as one line.
The commands act as the operator at the server's command line (:data:`geo.auth.SYSTEM`, recorded as ``cli`` in
the audit trail): whoever can run them can open the store anyway.

.. code-block:: text

    python -m geo users add NAME --role ROLE [--password-stdin]   a local account (password asked twice)
    python -m geo users add EMAIL --role ROLE --oidc              the role of an OpenID Connect sign-in
    python -m geo users list [--json]                             name, role, password or not, dates
    python -m geo users set-role NAME ROLE                        another role (the last admin keeps theirs)
    python -m geo users passwd NAME [--password-stdin]            a new password
    python -m geo users remove NAME                               (not the last admin)

The first admin: ``python -m geo users add alice --role admin``. A password is typed twice at a terminal (not
shown), or read from the first line of standard input with ``--password-stdin`` (for scripts:
``printf '%s\\n' "$PW" | python -m geo users add bob --role editor --password-stdin``); it is never printed,
logged or passed on the command line.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from geo.auth import accounts
from geo.auth.roles import ROLES, SYSTEM
from geo.errors import GeoError, NotFoundError
from geo.i18n import t

__all__ = ["add_commands", "cmd_add", "cmd_list", "cmd_passwd", "cmd_remove", "cmd_set_role", "read_password"]


def _open(store_arg: str | None) -> Any:
    """The store of ``--store`` (which must exist), or the default one (built on first use)."""
    from geo.store import open_store

    explicit = store_arg is not None
    try:
        return open_store(store_arg, create=not explicit, seed=not explicit)
    except NotFoundError as err:
        if not explicit:
            raise
        raise GeoError(t("{error}; omit --store to use the default store", error=str(err))) from None


def read_password(*, from_stdin: bool, stdin: Any = None, prompt: Any = None) -> str:
    """A new password: the first line of standard input, or typed twice at the terminal (not echoed).

    Parameters
    ----------
    from_stdin : bool
        Read the first line of ``stdin`` (``--password-stdin``); its line ending is dropped, nothing else.
    stdin : file, optional
        Default :data:`sys.stdin`.
    prompt : callable, optional
        Asks for a password without echoing it (default :func:`getpass.getpass`).

    Returns
    -------
    str
        The password.

    Raises
    ------
    GeoError
        Nothing on standard input, no terminal to ask at, or the two typings differ.
    """
    stdin = sys.stdin if stdin is None else stdin
    if from_stdin:
        line = stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            raise GeoError(t("no password on standard input (--password-stdin reads its first line)"))
        return password
    if not (hasattr(stdin, "isatty") and stdin.isatty()):
        raise GeoError(t("no terminal to type the password at; pass it on standard input with --password-stdin"))
    prompt = getpass.getpass if prompt is None else prompt
    try:
        first = prompt(t("Password: "))
        second = prompt(t("Password again: "))
    except EOFError:  # Ctrl-D at the prompt
        raise GeoError(t("no password typed; nothing was changed")) from None
    if first != second:
        raise GeoError(t("the two passwords differ; nothing was changed"))
    return str(first)


def cmd_add(args: argparse.Namespace) -> int:
    """``users add NAME --role ROLE [--oidc] [--password-stdin]``."""
    if args.oidc and args.password_stdin:
        raise GeoError(t("--oidc adds a user without a password; leave out --password-stdin"))
    store = _open(args.store)
    if not args.oidc:
        # refuse early (before a password is typed) what add_user would refuse after
        name = accounts.check_name(args.name)
        if store.user(name) is not None:
            raise GeoError(
                t("there is a user {name!r} already; change it with users set-role or users passwd", name=name)
            )
    password = None if args.oidc else read_password(from_stdin=args.password_stdin)
    name = accounts.add_user(store, SYSTEM, args.name, args.role, password)
    del password
    if args.oidc:
        print(t("added {name} ({role}), who signs in with the organisation's provider", name=name, role=args.role))
    else:
        print(t("added {name} ({role}), who signs in with a password", name=name, role=args.role))
    return 0


def _iso(value: Any) -> str | None:
    """A timestamp as ISO 8601 text; None when missing."""
    if value is None or value != value:  # None or NaT/NaN
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def cmd_list(args: argparse.Namespace) -> int:
    """``users list [--json]``."""
    users = accounts.list_users(_open(args.store), SYSTEM)
    rows = [
        {
            "name": str(row["name"]),
            "role": str(row["role"]),
            "has_password": bool(row["has_password"]),
            "created_at": _iso(row.get("created_at")),
            "updated_at": _iso(row.get("updated_at")),
        }
        for row in users.to_dict("records")
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print(t("no users yet; add the first admin with: python -m geo users add NAME --role admin"))
        return 0
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        how = t("password") if row["has_password"] else t("organisation's sign-in")
        print(f"{row['name']:<{width}}  {row['role']:<6}  {how}")
    return 0


def cmd_set_role(args: argparse.Namespace) -> int:
    """``users set-role NAME ROLE``."""
    name = accounts.check_name(args.name)
    done = accounts.set_role(_open(args.store), SYSTEM, name, args.role)
    if done == "unchanged":
        print(t("{name} is {role} already; nothing changed", name=name, role=args.role))
    else:
        print(t("{name} is now {role}", name=name, role=args.role))
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    """``users passwd NAME [--password-stdin]``."""
    store = _open(args.store)
    name = accounts.check_name(args.name)
    if store.user(name) is None:
        raise NotFoundError(t("there is no user {name!r}", name=name))
    password = read_password(from_stdin=args.password_stdin)
    accounts.set_password(store, SYSTEM, name, password)
    del password
    print(t("the password of {name} was changed", name=name))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    """``users remove NAME``."""
    name = accounts.check_name(args.name)
    accounts.remove_user(_open(args.store), SYSTEM, name)
    print(t("removed {name}", name=name))
    return 0


def add_commands(subparsers: Any, store_help: str) -> None:
    """Add ``users`` (with ``add``, ``list``, ``set-role``, ``passwd`` and ``remove``) to ``geo.cli``'s subparsers.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned; each command sets ``func`` to its handler.
    store_help : str
        The help of ``--store`` shared by every command.
    """
    users = subparsers.add_parser("users", help="the dashboard's users: add, list, change the role or password, remove")
    sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    p = sub.add_parser("add", help="add a user: a local account with a password, or an e-mail address with --oidc")
    p.add_argument("name", metavar="NAME", help="account name (an e-mail address with --oidc); any case, kept lower")
    p.add_argument("--role", required=True, choices=ROLES, help="viewer, editor or admin")
    p.add_argument(
        "--oidc", action="store_true", help="no password: the role of whoever signs in with this e-mail address"
    )
    p.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of standard input"
    )
    p.add_argument("--store", help=store_help)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("list", help="the users: name, role, whether they have a password")
    p.add_argument("--json", action="store_true", help="print them as JSON")
    p.add_argument("--store", help=store_help)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("set-role", help="give a user another role")
    p.add_argument("name", metavar="NAME")
    p.add_argument("role", metavar="ROLE", choices=ROLES, help="viewer, editor or admin")
    p.add_argument("--store", help=store_help)
    p.set_defaults(func=cmd_set_role)

    p = sub.add_parser("passwd", help="set a user's password")
    p.add_argument("name", metavar="NAME")
    p.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of standard input"
    )
    p.add_argument("--store", help=store_help)
    p.set_defaults(func=cmd_passwd)

    p = sub.add_parser("remove", help="remove a user (the audit trail keeps what they did)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--store", help=store_help)
    p.set_defaults(func=cmd_remove)
