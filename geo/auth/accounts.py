"""Local accounts and who a sign-in is: add, change and remove users, check a password, map an OIDC e-mail to a role.

Every function that changes or lists users calls :func:`geo.auth.require` with ``"manage_users"`` first, before
the store is touched, so a viewer or editor who reaches it (a replayed request, a script) is refused and nothing
changes. The store records each change in its audit trail under the actor's name, in the same transaction.

Account names are compared without regard to case and stored in lower case (``Alice`` and ``alice`` are one
account); a name may be an e-mail address, which is how a user who signs in with the organisation's provider
(OpenID Connect) is given a role: ``python -m geo users add ana@example.org --role editor --oidc``.

The last admin cannot be removed or given a lesser role, so the users can always be managed from the dashboard as
well as from the command line.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Final

import pandas as pd

from geo import settings
from geo.auth.passwords import Throttle, hash_password, password_problems, verify_password
from geo.auth.roles import Actor, check_role, require
from geo.errors import GeoError, NotFoundError, ValidationError
from geo.i18n import t

__all__ = [
    "MAX_NAME",
    "THROTTLE",
    "add_user",
    "authenticate",
    "check_name",
    "list_users",
    "local_actor",
    "oidc_actor",
    "remove_user",
    "set_password",
    "set_role",
]

MAX_NAME: Final = 254
"""Longest account name (an e-mail address may be this long)."""

THROTTLE: Final = Throttle()
"""The server's throttle of failed sign-ins (shared by every session of the process)."""

_DUMMY: list[str] = []
"""A hash checked against when the name is unknown, so an unknown name takes as long to refuse as a wrong password
(made on first use: hashing takes a few tens of milliseconds)."""


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_password("not a password of anybody's 0f3c"))
    return _DUMMY[0]


def check_name(name: object) -> str:
    """The account name, trimmed and in lower case, if it may be used.

    Parameters
    ----------
    name : object
        The name given.

    Returns
    -------
    str
        The name as stored.

    Raises
    ------
    ValidationError
        An empty name, one with spaces or control characters, or a longer one than :data:`MAX_NAME`.
    """
    text = str(name if name is not None else "").strip()
    if not text:
        raise ValidationError(t("an account needs a name"))
    if len(text) > MAX_NAME:
        raise ValidationError(t("an account's name has at most {most} characters", most=MAX_NAME))
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in text):
        raise ValidationError(t("an account's name has no spaces or control characters"))
    return text.casefold()


def _admins(store: Any) -> list[str]:
    """Names of the users with the admin role."""
    users = store.users()
    return sorted(users.loc[users["role"] == "admin", "name"]) if len(users) else []


def _existing(store: Any, name: str) -> dict:
    """The stored user ``name``; NotFoundError naming it when there is none."""
    row = store.user(name)
    if row is None:
        raise NotFoundError(t("there is no user {name!r}", name=name))
    return row


def _checked_password(password: str, name: str) -> str:
    """The Argon2 hash of ``password`` if it meets the policy; else ValidationError with every problem."""
    problems = password_problems(password, name=name)
    if problems:
        raise ValidationError(problems, context=t("the password was not accepted"))
    return hash_password(password)


def add_user(store: Any, actor: Actor, name: str, role: str, password: str | None) -> str:
    """Add a user (admins only).

    Parameters
    ----------
    store : Store
        Where the users are.
    actor : Actor
        Who adds (needs the admin role).
    name : str
        The new account's name (an e-mail address for a user who signs in with the organisation's provider).
    role : str
        ``viewer``, ``editor`` or ``admin``.
    password : str or None
        The password (checked against the policy, stored only as a hash); ``None`` for an account that signs in
        with the organisation's provider only.

    Returns
    -------
    str
        The stored name (lower case).

    Raises
    ------
    NotAllowedError
        ``actor`` is not an admin; nothing changed.
    ValidationError
        A bad name, or a password that does not meet the policy (every problem).
    GeoError
        An unknown role, or a user of that name exists already.
    """
    require(actor, "manage_users")
    name = check_name(name)
    role = check_role(role)
    password_hash = None if password is None else _checked_password(password, name)
    if store.user(name) is not None:
        raise GeoError(t("there is a user {name!r} already; change it with users set-role or users passwd", name=name))
    store.put_user(name, role, password_hash, actor=actor.name, keep_password=False)
    return name


def set_role(store: Any, actor: Actor, name: str, role: str) -> str:
    """Give a user another role (admins only); the password is kept.

    Parameters
    ----------
    store : Store
        Where the users are.
    actor : Actor
        Who changes it (needs the admin role).
    name : str
        The account.
    role : str
        The new role.

    Returns
    -------
    str
        What the store did: ``"changed"`` or ``"unchanged"``.

    Raises
    ------
    NotAllowedError
        ``actor`` is not an admin; nothing changed.
    NotFoundError
        No such user.
    GeoError
        An unknown role, or the last admin would lose the admin role.
    """
    require(actor, "manage_users")
    name = check_name(name)
    role = check_role(role)
    row = _existing(store, name)
    if row["role"] == "admin" and role != "admin" and _admins(store) == [name]:
        raise GeoError(t("{name!r} is the last admin; make another admin first", name=name))
    return str(store.put_user(name, role, None, actor=actor.name, keep_password=True))


def set_password(store: Any, actor: Actor, name: str, password: str) -> None:
    """Set a user's password (admins only).

    Parameters
    ----------
    store : Store
        Where the users are.
    actor : Actor
        Who sets it (needs the admin role).
    name : str
        The account.
    password : str
        The new password (checked against the policy, stored only as a hash).

    Raises
    ------
    NotAllowedError
        ``actor`` is not an admin; nothing changed.
    NotFoundError
        No such user.
    ValidationError
        The password does not meet the policy (every problem).
    """
    require(actor, "manage_users")
    name = check_name(name)
    row = _existing(store, name)
    store.put_user(name, row["role"], _checked_password(password, name), actor=actor.name, keep_password=False)


def remove_user(store: Any, actor: Actor, name: str) -> None:
    """Remove a user (admins only); the audit trail keeps what they did.

    Parameters
    ----------
    store : Store
        Where the users are.
    actor : Actor
        Who removes (needs the admin role).
    name : str
        The account.

    Raises
    ------
    NotAllowedError
        ``actor`` is not an admin; nothing changed.
    NotFoundError
        No such user.
    GeoError
        It is the last admin.
    """
    require(actor, "manage_users")
    name = check_name(name)
    row = _existing(store, name)
    if row["role"] == "admin" and _admins(store) == [name]:
        raise GeoError(t("{name!r} is the last admin; make another admin first", name=name))
    store.remove_user(name, actor=actor.name)


def list_users(store: Any, actor: Actor) -> pd.DataFrame:
    """The users (admins only), by name; never a password or its hash.

    Parameters
    ----------
    store : Store
        Where the users are.
    actor : Actor
        Who asks (needs the admin role).

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``role``, ``has_password``, ``created_at``, ``updated_at``.

    Raises
    ------
    NotAllowedError
        ``actor`` is not an admin.
    """
    require(actor, "manage_users")
    users = store.users()
    return users.sort_values("name", kind="stable").reset_index(drop=True) if len(users) else users


def authenticate(
    store: Any, name: str, password: str, *, client: str = "", throttle: Throttle | None = None
) -> Actor | None:
    """Check a local sign-in: the signed-in actor, or ``None`` (the same for an unknown name and a wrong password).

    The throttle's wait for this name and client comes first; a failure is counted, a success clears the counts.

    Parameters
    ----------
    store : Store
        Where the users are.
    name : str
        The account name typed (any case).
    password : str
        The password typed (never kept, logged or shown).
    client : str, optional
        Who signs in (the client's address), for the throttle.
    throttle : Throttle, optional
        Default :data:`THROTTLE`, the process's.

    Returns
    -------
    Actor or None
        ``Actor(name, role, "local")``, or ``None`` when the name is unknown, has no password, or the password is
        wrong.
    """
    throttle = THROTTLE if throttle is None else throttle
    typed = str(name or "").strip().casefold()
    throttle.wait(typed, client)
    try:
        key = check_name(typed)
    except ValidationError:
        key = ""
    row = store.user(key) if key else None
    stored = row.get("password_hash") if row else None
    ok = verify_password(stored or _dummy_hash(), password or "") and bool(stored)
    if not ok or row is None or row.get("role") is None:
        throttle.failed(typed, client)
        return None
    throttle.succeeded(typed, client)
    return Actor(key, check_role(row["role"]), "local")


def local_actor(store: Any, name: str) -> Actor | None:
    """The local account ``name`` as it is now (its role re-read), or ``None`` when it was removed.

    Parameters
    ----------
    store : Store
        Where the users are.
    name : str
        The account name.

    Returns
    -------
    Actor or None
        ``Actor(name, role, "local")``.
    """
    row = store.user(name)
    if row is None or row.get("role") is None:
        return None
    return Actor(str(row["name"]), check_role(row["role"]), "local")


def oidc_actor(store: Any, email: str) -> Actor:
    """Who someone signed in with the organisation's provider is: their users row's role, else the setting's.

    Parameters
    ----------
    store : Store
        Where the users are.
    email : str
        The e-mail address the provider gave.

    Returns
    -------
    Actor
        ``Actor(email, role, "oidc")``: the role of the user of that name (``users add EMAIL --role editor
        --oidc``), else ``settings.get().oidc_role`` (``viewer`` unless set).
    """
    key = str(email or "").strip().casefold()
    row = None
    try:
        row = store.user(check_name(key))
    except ValidationError:
        row = None
    role = row["role"] if row and row.get("role") else settings.get().oidc_role
    return Actor(key, check_role(role), "oidc")
