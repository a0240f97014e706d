"""Local accounts: Argon2 hashes, the password policy, the throttle, admin-only account changes, the ``users`` CLI."""

from __future__ import annotations

import argparse
import io
import json
import logging
import threading

import pandas as pd
import pytest
from argon2 import PasswordHasher

from geo import settings
from geo.auth import ANONYMOUS, SYSTEM, Actor, NotAllowedError, accounts, commands, passwords
from geo.auth.passwords import Throttle
from geo.errors import GeoError, NotFoundError, ValidationError

PW = "correct horse battery"
ADMIN = Actor("root", "admin", "local")


class FakeClock:
    """Seconds that move only when told; ``sleep`` records the waits and moves the clock."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def cheap_hashes(request, monkeypatch):
    """Argon2 at its cheapest (the real cost is about half a second a hash here); the hash test keeps the real one."""
    if request.node.name != "test_hash_and_verify":
        monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        monkeypatch.setattr(accounts, "_DUMMY", [])


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def throttle(clock) -> Throttle:
    return Throttle(clock=clock, sleep=clock.sleep)


@pytest.fixture
def store(tmp_store):
    """The real GeoPackage store with its users table; one admin, ``root``."""
    tmp_store.put_user("root", "admin", passwords.hash_password(PW + " root"), actor="test")
    return tmp_store


def _audit_users(store) -> pd.DataFrame:
    audit = store.audit()
    return audit[audit["action"].str.startswith("user_")]


# -- passwords ----------------------------------------------------------------------------------------------------


def test_hash_and_verify():
    h = passwords.hash_password(PW)
    assert h.startswith("$argon2id$") and PW not in h
    assert h != passwords.hash_password(PW)  # salted
    assert passwords.verify_password(h, PW)
    assert not passwords.verify_password(h, PW + "x")
    assert not passwords.verify_password(h, "")
    assert not passwords.verify_password(None, PW)
    assert not passwords.verify_password("not a hash", PW)
    assert not passwords.needs_rehash(h)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PW)
    assert passwords.verify_password(weak, PW) and passwords.needs_rehash(weak)


def test_policy_says_what_is_wrong_without_quoting():
    assert passwords.password_problems(PW) == []
    short = passwords.password_problems("abc123")
    assert short == ["the password has 6 characters; it needs at least 10"]
    assert passwords.password_problems("aaaaaaaaaaaa") == ["the password is one character repeated"]
    assert passwords.password_problems("alice.smith", name="Alice.Smith") == ["the password is the account's name"]
    assert passwords.password_problems(" " * 12) == [
        "the password is only spaces",
        "the password is one character repeated",
    ]
    assert "space" in passwords.password_problems(" leading space pw")[0]
    assert passwords.password_problems("x" * 1025)[0] == "the password is longer than 1024 characters"
    for problems in (short, passwords.password_problems("hunter2hunter2", name="hunter2hunter2")):
        assert all("hunter2" not in p and "abc123" not in p for p in problems)


def test_throttle_doubles_caps_and_resets(clock, throttle):
    assert throttle.delay("bob") == 0
    waits = []
    for _ in range(7):
        waits.append(throttle.wait("bob", "10.0.0.1"))
        throttle.failed("bob", "10.0.0.1")
    assert waits == [0, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert clock.slept == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]  # slept for real only through the injected sleep
    # the client is slowed down for another name too, and another client for this name
    assert throttle.delay("carol", "10.0.0.1") == 8.0
    assert throttle.delay("bob", "10.0.0.2") == 8.0
    assert throttle.delay("carol", "10.0.0.2") == 0
    throttle.succeeded("bob", "10.0.0.1")
    assert throttle.delay("bob", "10.0.0.1") == 0
    throttle.failed("dave")
    assert throttle.delay("DAVE ") == 0.5  # names compared as accounts are
    clock.now += throttle.forget + 1
    assert throttle.delay("dave") == 0  # forgotten after a quiet while
    assert "PW" not in repr(throttle) and "dave" not in repr(throttle)


def test_throttle_threads_and_memory_bound(clock):
    t = Throttle(clock=clock, sleep=clock.sleep, max_keys=50)

    def fail(i: int) -> None:
        for j in range(20):
            t.failed("shared", f"c{i}-{j}")

    threads = [threading.Thread(target=fail, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(t._failures) <= 50
    assert t.delay("shared") == t.cap  # 160 failures counted without a lost update making it 0


# -- accounts -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [Actor("ed", "editor"), Actor("vi", "viewer"), ANONYMOUS, None])
def test_only_admins_manage_users(store, who):
    before, audit_before = store.users(), len(store.audit())
    calls = [
        lambda: accounts.add_user(store, who, "mallory", "admin", PW),
        lambda: accounts.set_role(store, who, "root", "viewer"),
        lambda: accounts.set_password(store, who, "root", PW),
        lambda: accounts.remove_user(store, who, "root"),
        lambda: accounts.list_users(store, who),
    ]
    for call in calls:
        with pytest.raises(NotAllowedError, match="not allowed: manage users needs the admin role"):
            call()
    pd.testing.assert_frame_equal(store.users(), before)
    assert len(store.audit()) == audit_before
    assert passwords.verify_password(store.user("root")["password_hash"], PW + " root")


def test_add_change_remove(store):
    assert accounts.add_user(store, ADMIN, "Alice", "editor", PW) == "alice"
    row = store.user("alice")
    assert row["role"] == "editor" and passwords.verify_password(row["password_hash"], PW)
    assert accounts.add_user(store, ADMIN, "Ana@Example.org", "viewer", None) == "ana@example.org"
    assert store.user("ana@example.org")["password_hash"] is None
    with pytest.raises(GeoError, match="there is a user 'alice' already"):
        accounts.add_user(store, ADMIN, "ALICE", "viewer", PW)
    with pytest.raises(ValidationError) as err:
        accounts.add_user(store, ADMIN, "bob", "editor", "short")
    assert "at least 10" in str(err.value) and "short" not in str(err.value).replace("short", "", 0)
    assert store.user("bob") is None
    with pytest.raises(ValidationError, match="no spaces"):
        accounts.add_user(store, ADMIN, "bob smith", "editor", PW)
    with pytest.raises(GeoError, match="unknown role 'boss'"):
        accounts.add_user(store, ADMIN, "bob", "boss", PW)

    assert accounts.set_role(store, ADMIN, "alice", "admin") == "changed"
    assert accounts.set_role(store, ADMIN, "alice", "admin") == "unchanged"
    assert passwords.verify_password(store.user("alice")["password_hash"], PW)  # kept by set-role
    accounts.set_password(store, ADMIN, "alice", PW + " new")
    assert passwords.verify_password(store.user("alice")["password_hash"], PW + " new")
    with pytest.raises(NotFoundError, match="there is no user 'nobody'"):
        accounts.set_role(store, ADMIN, "nobody", "viewer")

    users = accounts.list_users(store, ADMIN)
    assert list(users["name"]) == ["alice", "ana@example.org", "root"]
    assert list(users["has_password"]) == [True, False, True]
    assert not any("argon2" in str(v) for v in users.to_numpy().ravel())

    accounts.remove_user(store, ADMIN, "ana@example.org")
    assert store.user("ana@example.org") is None
    audit = _audit_users(store)
    assert set(audit["actor"]) >= {"root"}
    assert list(audit["action"])[:1] == ["user_remove"]
    assert not audit["detail"].str.contains("argon2").any()
    assert not audit["detail"].str.contains(PW).any()


def test_last_admin_stays(store):
    with pytest.raises(GeoError, match="'root' is the last admin"):
        accounts.set_role(store, ADMIN, "root", "editor")
    with pytest.raises(GeoError, match="'root' is the last admin"):
        accounts.remove_user(store, ADMIN, "root")
    assert store.user("root")["role"] == "admin"
    accounts.add_user(store, ADMIN, "second", "admin", PW)
    accounts.set_role(store, ADMIN, "root", "editor")  # another admin exists now
    with pytest.raises(GeoError, match="'second' is the last admin"):
        accounts.remove_user(store, ADMIN, "second")


def test_authenticate(store, clock, throttle):
    accounts.add_user(store, ADMIN, "ed", "editor", PW)
    accounts.add_user(store, ADMIN, "oidc@example.org", "editor", None)
    assert accounts.authenticate(store, "ED", PW, client="1.2.3.4", throttle=throttle) == Actor("ed", "editor", "local")
    for name, pw in [("ed", PW + "!"), ("nobody", PW), ("oidc@example.org", ""), ("", PW), ("a b", PW)]:
        assert accounts.authenticate(store, name, pw, client="1.2.3.4", throttle=throttle) is None
    assert clock.slept == [0.5, 1.0, 2.0, 4.0]  # the client's failures slow each next try
    assert accounts.authenticate(store, "ed", PW, client="1.2.3.4", throttle=throttle) is not None
    assert clock.slept[-1] == 8.0 and throttle.delay("ed", "1.2.3.4") == 0  # waited, then reset by success


def test_oidc_actor(store, monkeypatch):
    accounts.add_user(store, ADMIN, "ana@example.org", "editor", None)
    assert accounts.oidc_actor(store, "Ana@Example.org") == Actor("ana@example.org", "editor", "oidc")
    assert accounts.oidc_actor(store, "zed@example.org") == Actor("zed@example.org", "viewer", "oidc")
    monkeypatch.setenv("CONFLICTMAP_OIDC_ROLE", "editor")
    settings.reload()
    try:
        assert accounts.oidc_actor(store, "zed@example.org").role == "editor"
    finally:
        monkeypatch.delenv("CONFLICTMAP_OIDC_ROLE")
        settings.reload()


def test_local_actor_follows_the_store(store):
    accounts.add_user(store, ADMIN, "ed", "editor", PW)
    assert accounts.local_actor(store, "ed") == Actor("ed", "editor", "local")
    accounts.set_role(store, ADMIN, "ed", "viewer")
    assert accounts.local_actor(store, "ed").role == "viewer"
    accounts.remove_user(store, ADMIN, "ed")
    assert accounts.local_actor(store, "ed") is None


# -- settings -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CONFLICTMAP_ANONYMOUS": "everyone"},
            "CONFLICTMAP_ANONYMOUS='everyone' is not a choice; use one of: viewer, none",
        ),
        ({"CONFLICTMAP_SESSION_MINUTES": "ten"}, "CONFLICTMAP_SESSION_MINUTES='ten' is not a whole number"),
        ({"CONFLICTMAP_SESSION_HOURS_MAX": "0"}, "CONFLICTMAP_SESSION_HOURS_MAX=0 is out of range; use 1 to 744"),
        ({"CONFLICTMAP_OIDC_ROLE": "root"}, "CONFLICTMAP_OIDC_ROLE='root' is not a choice"),
    ],
)
def test_settings_refuse_bad_values(monkeypatch, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    try:
        with pytest.raises(GeoError, match=message.replace("(", r"\(").replace("[", r"\[")):
            settings.reload()
    finally:
        for key in env:
            monkeypatch.delenv(key)
        settings.reload()


def test_settings_defaults_and_values(monkeypatch):
    s = settings.reload()
    assert (s.anonymous, s.session_minutes, s.session_hours_max, s.oidc_role) == ("viewer", 60, 12, "viewer")
    monkeypatch.setenv("CONFLICTMAP_ANONYMOUS", " None ")
    monkeypatch.setenv("CONFLICTMAP_SESSION_MINUTES", "15")
    monkeypatch.setenv("CONFLICTMAP_OIDC_ROLE", "Editor")
    try:
        s = settings.reload()
        assert (s.anonymous, s.session_minutes, s.oidc_role) == ("none", 15, "editor")
    finally:
        monkeypatch.undo()
        settings.reload()


# -- the users command line ---------------------------------------------------------------------------------------


def _run(store, monkeypatch, argv: list[str], stdin: str = "") -> int:
    """Run ``python -m geo users …`` on ``store`` the way geo.cli.main does (a GeoError: one line, exit 1)."""
    parser = argparse.ArgumentParser(prog="geo")
    commands.add_commands(parser.add_subparsers(dest="command", required=True), "the store")
    args = parser.parse_args(argv)
    monkeypatch.setattr(commands, "_open", lambda arg: store)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        return int(args.func(args))
    except ValidationError as err:
        print(f"error: {err.one_line()}", file=__import__("sys").stderr)
    except GeoError as err:
        print(f"error: {err}", file=__import__("sys").stderr)
    return 1


def test_cli_users(store, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "s3cret-Pass-phrase"
    assert (
        _run(store, monkeypatch, ["users", "add", "Alice", "--role", "admin", "--password-stdin"], secret + "\n") == 0
    )
    assert passwords.verify_password(store.user("alice")["password_hash"], secret)
    assert _run(store, monkeypatch, ["users", "add", "ana@example.org", "--role", "editor", "--oidc"]) == 0
    assert _run(store, monkeypatch, ["users", "add", "bob", "--role", "editor", "--password-stdin"], "short\n") == 1
    assert _run(store, monkeypatch, ["users", "add", "bob", "--role", "editor"], secret) == 1  # no terminal
    assert _run(store, monkeypatch, ["users", "set-role", "ana@example.org", "viewer"]) == 0
    assert _run(store, monkeypatch, ["users", "set-role", "root", "editor"]) == 0  # alice is an admin too
    assert _run(store, monkeypatch, ["users", "passwd", "alice", "--password-stdin"], secret + "-2\r\n") == 0
    assert passwords.verify_password(store.user("alice")["password_hash"], secret + "-2")
    assert _run(store, monkeypatch, ["users", "remove", "alice"]) == 1  # the last admin now
    assert _run(store, monkeypatch, ["users", "remove", "root"]) == 0
    out, err = capsys.readouterr()
    assert "added alice (admin), who signs in with a password" in out
    assert "added ana@example.org (editor), who signs in with the organisation's provider" in out
    assert "ana@example.org is now viewer" in out and "removed root" in out
    assert "the password of alice was changed" in out
    assert "the password has 5 characters; it needs at least 10" in err
    assert "no terminal to type the password at" in err
    assert "'alice' is the last admin" in err

    assert _run(store, monkeypatch, ["users", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["name"], u["role"], u["has_password"]) for u in listed] == [
        ("alice", "admin", True),
        ("ana@example.org", "viewer", False),
    ]
    assert listed[0]["created_at"].startswith("20")
    assert _run(store, monkeypatch, ["users", "list"]) == 0
    text = capsys.readouterr().out
    assert "alice" in text and "password" in text and "organisation's sign-in" in text

    everything = text + out + err + caplog.text + json.dumps(listed) + store.audit().to_json(date_format="iso")
    for word in (secret, "short", "argon2"):
        assert word not in everything.replace("'short'", "")


def test_cli_password_typed_twice(monkeypatch):
    tty = io.StringIO()
    tty.isatty = lambda: True  # type: ignore[method-assign]
    typed = iter(["one password", "one password"])
    assert commands.read_password(from_stdin=False, stdin=tty, prompt=lambda p: next(typed)) == "one password"
    typed = iter(["one password", "another one"])
    with pytest.raises(GeoError, match="the two passwords differ"):
        commands.read_password(from_stdin=False, stdin=tty, prompt=lambda p: next(typed))
    with pytest.raises(GeoError, match="no password on standard input"):
        commands.read_password(from_stdin=True, stdin=io.StringIO(""))


def test_cli_runs_as_the_operator(store, monkeypatch):
    _run(store, monkeypatch, ["users", "add", "carol", "--role", "viewer", "--oidc"])
    row = store.audit(actions=["user_add"]).iloc[0]
    assert row["actor"] == SYSTEM.name == "cli" and row["target"] == "carol"
    assert json.loads(row["detail"]) == {"role": "viewer", "password": False}
