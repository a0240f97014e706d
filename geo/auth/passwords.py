"""Passwords of local accounts: Argon2 hashes, the policy a new password must meet, and slowing down guessing.

A password is hashed with Argon2id (``argon2-cffi``'s defaults, RFC 9106's low-memory profile) and only the hash
is stored; :func:`verify_password` answers yes or no and never raises for a wrong password or a damaged hash.
Nothing here logs a password, puts one in an error message, or keeps one after the call.

:class:`Throttle` slows down guessing: each failed sign-in for an account name, and each from a client (its
address), doubles the wait before the next try is even checked (0.5 s, 1 s, 2 s … up to 8 s); a successful
sign-in clears the account's and the client's count. It lives in the server's process (every session shares it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.i18n import t

__all__ = [
    "MIN_LENGTH",
    "Throttle",
    "hash_password",
    "needs_rehash",
    "password_problems",
    "verify_password",
]

MIN_LENGTH: Final = 10
"""Fewest characters of a password."""
MAX_LENGTH: Final = 1_024
"""Most characters of a password (a longer one only costs the server time to hash)."""

_HASHER: Final = PasswordHasher()


def password_problems(password: str, *, name: str = "") -> list[str]:
    """What is wrong with a new password, in words; empty when it may be used.

    Parameters
    ----------
    password : str
        The password proposed.
    name : str, optional
        The account's name: a password equal to it is refused.

    Returns
    -------
    list of str
        One sentence per problem (never quoting the password).
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            t("the password has {n} characters; it needs at least {least}", n=len(password), least=MIN_LENGTH)
        )
    if len(password) > MAX_LENGTH:
        problems.append(t("the password is longer than {most} characters", most=MAX_LENGTH))
    if password and not password.strip():
        problems.append(t("the password is only spaces"))
    elif password != password.strip():
        problems.append(t("the password begins or ends with a space (easily mistyped)"))
    if name and password.strip().casefold() == name.strip().casefold():
        problems.append(t("the password is the account's name"))
    if len(password) >= MIN_LENGTH and len(set(password)) == 1:
        problems.append(t("the password is one character repeated"))
    return problems


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (salted; a different string each call).

    Parameters
    ----------
    password : str
        The password.

    Returns
    -------
    str
        The encoded hash (``$argon2id$v=19$…``), which is all that is stored.
    """
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash.

    Parameters
    ----------
    password_hash : str or None
        The stored hash; ``None`` (an account without a password, such as one that signs in with the
        organisation's provider) never matches.
    password : str
        The password given.

    Returns
    -------
    bool
        True when it matches; False when it does not or the hash cannot be read.
    """
    if not password_hash or not password or len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's (hash the password again after sign-in).

    Parameters
    ----------
    password_hash : str
        The stored hash.

    Returns
    -------
    bool
        True when it should be replaced.
    """
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return False


class Throttle:
    """Slows down password guessing, per account name and per client, in this process.

    Each failure doubles the wait before that name's (or client's) next try is checked: ``base``, ``2 * base``,
    … up to ``cap`` seconds; the longer of the two waits applies. Success clears both counts. Counts older than
    ``forget`` seconds are dropped.

    Parameters
    ----------
    base : float, optional
        Wait after the first failure, in seconds.
    cap : float, optional
        Longest wait.
    forget : float, optional
        A count left alone this long starts again from nothing.
    clock : callable, optional
        Seconds now (default :func:`time.monotonic`); tests pass a fake one.
    sleep : callable, optional
        Waits a number of seconds (default :func:`time.sleep`); tests pass one that only records it.
    max_keys : int, optional
        Most names and clients remembered (the oldest are forgotten first), so a flood of made-up names cannot
        fill the server's memory.
    """

    def __init__(
        self,
        *,
        base: float = 0.5,
        cap: float = 8.0,
        forget: float = 15 * 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_keys: int = 10_000,
    ) -> None:
        self.base, self.cap, self.forget = base, cap, forget
        self._clock, self._sleep, self._max_keys = clock, sleep, max_keys
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (failures, time of the last one)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Throttle(base={self.base}, cap={self.cap}, remembered={len(self._failures)})"

    @staticmethod
    def _keys(name: str, client: str) -> list[str]:
        keys = [f"name:{name.strip().casefold()}"]
        if client:
            keys.append(f"client:{client}")
        return keys

    def _count(self, key: str, now: float) -> int:
        failures, last = self._failures.get(key, (0, now))
        if failures and now - last > self.forget:
            self._failures.pop(key, None)
            return 0
        return failures

    def delay(self, name: str, client: str = "") -> float:
        """Seconds to wait before checking the next try of ``name`` from ``client``.

        Parameters
        ----------
        name : str
            The account name tried.
        client : str, optional
            Who tries (the client's address); empty: by name only.

        Returns
        -------
        float
            0 when neither has failed lately; else ``base * 2 ** (failures - 1)``, at most ``cap``.
        """
        with self._lock:
            now = self._clock()
            failures = max(self._count(key, now) for key in self._keys(name, client))
        return 0.0 if failures == 0 else min(self.cap, self.base * 2 ** (failures - 1))

    def wait(self, name: str, client: str = "") -> float:
        """Wait as long as :meth:`delay` says (called before a password is checked).

        Parameters
        ----------
        name : str
            The account name tried.
        client : str, optional
            Who tries.

        Returns
        -------
        float
            The seconds waited.
        """
        seconds = self.delay(name, client)
        if seconds > 0:
            self._sleep(seconds)
        return seconds

    def failed(self, name: str, client: str = "") -> None:
        """Count a failed try of ``name`` from ``client``.

        Parameters
        ----------
        name : str
            The account name tried (whether or not it exists).
        client : str, optional
            Who tried.
        """
        with self._lock:
            now = self._clock()
            for key in self._keys(name, client):
                failures = self._count(key, now)
                self._failures.pop(key, None)  # re-inserted last: the dict's order is oldest first
                self._failures[key] = (failures + 1, now)
            while len(self._failures) > self._max_keys:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, name: str, client: str = "") -> None:
        """Clear the counts of ``name`` and ``client`` after a successful sign-in.

        Parameters
        ----------
        name : str
            The account name.
        client : str, optional
            Who signed in.
        """
        with self._lock:
            for key in self._keys(name, client):
                self._failures.pop(key, None)
