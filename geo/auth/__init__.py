"""Sign-in, roles and who may do what (no Streamlit here: the dashboard's sign-in forms are in ``ui/auth.py``).

:mod:`geo.auth.roles` holds the roles and the server-side check every write
makes (:func:`require`); :mod:`geo.auth.passwords` the Argon2 hashes, the
password policy and the throttle of failed sign-ins; :mod:`geo.auth.accounts`
the local accounts (admins only), the password check and the role of an
OpenID Connect sign-in; :mod:`geo.auth.commands` the ``users`` command line.
"""

from __future__ import annotations

from geo.auth.roles import ACTIONS, ANONYMOUS, ROLES, SYSTEM, Actor, NotAllowedError, can, check_role, require

from geo.auth import accounts, passwords  # isort: skip  (they import geo.auth.roles)
from geo.auth.accounts import (  # isort: skip
    add_user,
    authenticate,
    list_users,
    oidc_actor,
    remove_user,
    set_password,
    set_role,
)

__all__ = [
    "ACTIONS",
    "ANONYMOUS",
    "ROLES",
    "SYSTEM",
    "Actor",
    "NotAllowedError",
    "accounts",
    "add_user",
    "authenticate",
    "can",
    "check_role",
    "list_users",
    "oidc_actor",
    "passwords",
    "remove_user",
    "require",
    "set_password",
    "set_role",
]
