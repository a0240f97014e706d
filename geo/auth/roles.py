"""Who may do what: the three roles, the actions they allow, and the check every write makes on the server.

Roles are ordered: an *editor* may do everything a *viewer* may, an *admin*
everything an editor may.

``viewer``
    Reads the dashboard and exports (maps, briefings, data files).
``editor``
    Also imports files and records claims (adds, edits and withdraws them,
    adds events).
``admin``
    Also deletes datasets and restores them, restores withdrawn claims,
    manages users and reads the audit trail.

The check is :func:`require`, called by the library function that does the
action (not by the page that offers a button for it): a viewer who replays an
editor's request reaches the same function and is refused there, before
anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from geo.errors import GeoError

__all__ = ["ACTIONS", "ANONYMOUS", "ROLES", "SYSTEM", "Actor", "NotAllowedError", "can", "check_role", "require"]

ROLES: Final = ("viewer", "editor", "admin")
"""The roles, from least to most allowed."""

ACTIONS: Final = {
    "read": "viewer",
    "export": "viewer",
    "import": "editor",
    "record": "editor",
    "delete_dataset": "admin",
    "restore_dataset": "admin",
    "restore_claim": "admin",
    "manage_users": "admin",
    "read_audit": "admin",
}
"""Each action and the least role that may do it."""


class NotAllowedError(GeoError, PermissionError):
    """The signed-in user's role does not allow the action; nothing was done."""


@dataclass(frozen=True)
class Actor:
    """Who does something: the name the audit trail records, and the role that decides what they may do.

    Parameters
    ----------
    name : str
        The account name (local accounts), the e-mail address (OpenID Connect), ``"anonymous"`` or ``"cli"``
        (an operator on the server's command line).
    role : str or None
        One of :data:`ROLES`; ``None`` for someone who may not even read (anonymous access switched off).
    via : str
        How they are known: ``"local"``, ``"oidc"``, ``"anonymous"`` or ``"cli"``.
    """

    name: str
    role: str | None
    via: str = "local"

    @property
    def signed_in(self) -> bool:
        """Whether this is a signed-in person (not anonymous)."""
        return self.via not in ("anonymous",)


ANONYMOUS: Final = Actor("anonymous", "viewer", "anonymous")
"""A visitor who has not signed in, where anonymous access is ``viewer`` (the default)."""

SYSTEM: Final = Actor("cli", "admin", "cli")
"""The operator at the server's command line (``python -m geo …``): whoever can run it can open the store anyway."""


def check_role(role: object) -> str:
    """Return ``role`` if it is one of :data:`ROLES`.

    Parameters
    ----------
    role : object
        The role given.

    Returns
    -------
    str
        The role.

    Raises
    ------
    GeoError
        Any other value, naming the roles there are.
    """
    if role not in ROLES:
        raise GeoError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    return str(role)


def can(actor: Actor | None, action: str) -> bool:
    """Whether ``actor`` may do ``action``.

    Parameters
    ----------
    actor : Actor or None
        Who asks (``None``: nobody signed in and no anonymous access).
    action : str
        One of :data:`ACTIONS`.

    Returns
    -------
    bool
        True when the actor's role is at least the action's.

    Raises
    ------
    KeyError
        An action that is not in :data:`ACTIONS` (a bug, not a user error).
    """
    needed = ACTIONS[action]
    if actor is None or actor.role not in ROLES:
        return False
    return ROLES.index(actor.role) >= ROLES.index(needed)


def require(actor: Actor | None, action: str) -> Actor:
    """Refuse, before anything is done, an action the actor's role does not allow.

    Parameters
    ----------
    actor : Actor or None
        Who asks.
    action : str
        One of :data:`ACTIONS`.

    Returns
    -------
    Actor
        The actor, when allowed.

    Raises
    ------
    NotAllowedError
        "not allowed: … needs the editor role; you are signed in as … (viewer)".
    """
    if can(actor, action):
        assert actor is not None
        return actor
    needed = ACTIONS[action]
    what = action.replace("_", " ")
    if actor is None or not actor.signed_in:
        raise NotAllowedError(f"not allowed: {what} needs the {needed} role; sign in first")
    raise NotAllowedError(
        f"not allowed: {what} needs the {needed} role; you are signed in as {actor.name!r} ({actor.role or 'no role'})"
    )
