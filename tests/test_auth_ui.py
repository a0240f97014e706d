"""AppTest of the sign-in: the sidebar's form, a wrong password, sessions that expire, anonymous access switched off."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.auth import SYSTEM, accounts, passwords
from geo.auth.passwords import Throttle

ROOT = Path(__file__).resolve().parents[1]
PW = "editor's long password"


def _script() -> None:
    """A page with only the sign-in: the sidebar, the gate, and who the run acts for."""
    import streamlit as st

    from ui import auth

    auth.sidebar()
    who = auth.gate()
    st.write(f"acting as {who.name} / {who.role} / {who.via}")


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def users_env(store_env, monkeypatch):
    """An empty store at $CONFLICTMAP_STORE with an editor ``ed`` and an admin; a throttle that does not sleep."""
    from geo.store import open_store

    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(accounts, "_DUMMY", [])
    store = open_store(str(store_env), create=True, seed=False)
    accounts.add_user(store, SYSTEM, "ed", "editor", PW)
    accounts.add_user(store, SYSTEM, "root", "admin", PW + " root")
    clock = _Clock()
    monkeypatch.setattr(accounts, "THROTTLE", Throttle(clock=clock, sleep=clock.sleep))
    monkeypatch.setattr("ui.auth.clock", clock)
    return store, clock


def _at() -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.sidebar.text_input[0].input(name)
    at.sidebar.text_input[1].input(password)
    next(b for b in at.sidebar.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    return "\n".join(
        str(getattr(el, "value", "") or getattr(el, "label", ""))
        for kind in ("markdown", "error", "warning", "info", "text_input", "button", "expander")
        for el in at.get(kind)
    )


def test_sign_in_as_editor_then_out(users_env, caplog):
    caplog.set_level(logging.DEBUG)
    store, _ = users_env
    at = _at()
    assert "acting as anonymous / viewer / anonymous" in _texts(at)
    assert at.sidebar.expander[0].label == "Sign in (reading as a visitor)"

    _sign_in(at, "Ed", PW)
    text = _texts(at)
    assert "acting as ed / editor / local" in text
    assert any(m.value == "Signed in as **ed** (editor)" for m in at.sidebar.markdown)
    assert not at.sidebar.text_input  # no form while signed in
    assert PW not in text and PW not in repr(at.session_state) and PW not in caplog.text

    store.put_user("ed", "viewer", None, actor="test")  # a changed role applies on the next run
    at.run()
    assert "acting as ed / viewer / local" in _texts(at)

    next(b for b in at.sidebar.button if b.label == "Sign out").click()
    at.run()
    assert "acting as anonymous / viewer / anonymous" in _texts(at)
    assert at.sidebar.text_input[0].label == "Name"


def test_wrong_password_says_one_thing(users_env, caplog):
    caplog.set_level(logging.DEBUG)
    _, clock = users_env
    at = _at()
    _sign_in(at, "ed", "not the password")
    assert [e.value for e in at.sidebar.error] == ["Name or password is wrong."]
    assert "not the password" not in repr(at.session_state)  # not kept (the browser clears the field on submit)
    _sign_in(at, "nobody", PW)
    assert [e.value for e in at.sidebar.error] == ["Name or password is wrong."]  # same for an unknown name
    _sign_in(at, "ed", "still not it")
    assert [e.value for e in at.sidebar.error] == ["Name or password is wrong."]
    _sign_in(at, "ed", PW)
    assert clock.slept == [0.5, 1.0]  # each try of "ed" waited for its failures (no client address here)
    assert "acting as ed / editor" in _texts(at)
    next(b for b in at.sidebar.button if b.label == "Sign out").click()
    at.run()
    assert "acting as anonymous" in _texts(at)
    assert "not the password" not in caplog.text + _texts(at) and PW not in caplog.text
    assert "ed" not in [r.getMessage() for r in caplog.records if r.name == "ui.auth"]


def test_session_expires_when_idle_and_when_old(users_env):
    _, clock = users_env
    at = _sign_in(_at(), "ed", PW)
    assert "acting as ed / editor" in _texts(at)
    runs = 0
    while "acting as ed" in _texts(at) and runs < 20:  # used every 59 minutes: never idle too long …
        clock.now += 59 * 60
        at.run()
        runs += 1
    assert runs == 13  # … but more than 12 hours old at the 13th run
    assert [w.value for w in at.sidebar.warning] == ["Your session expired; sign in again."]
    assert "acting as anonymous" in _texts(at)

    at = _sign_in(at, "ed", PW)
    clock.now += 61 * 60  # idle for longer than 60 minutes
    at.run()
    assert [w.value for w in at.sidebar.warning] == ["Your session expired; sign in again."]
    at.run()
    assert not at.sidebar.warning  # said once


def test_removed_account_is_signed_out(users_env):
    store, _ = users_env
    at = _sign_in(_at(), "ed", PW)
    store.remove_user("ed", actor="test")
    at.run()
    assert "acting as anonymous" in _texts(at)
    assert [w.value for w in at.sidebar.warning] == ["You were signed out: the account no longer exists."]


@pytest.fixture
def no_anonymous(users_env, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_ANONYMOUS", "none")
    settings.reload()
    yield users_env
    monkeypatch.delenv("CONFLICTMAP_ANONYMOUS")
    settings.reload()


def test_anonymous_none_shows_only_the_form(no_anonymous):
    at = _at()
    assert [i.value for i in at.info] == ["Sign in to see the dashboard."]
    assert [ti.label for ti in at.main.text_input] == ["Name", "Password"]
    assert "acting as" not in _texts(at)
    assert not at.sidebar.text_input and not at.sidebar.markdown  # one form, on the page
    at.main.text_input[0].input("ed")
    at.main.text_input[1].input(PW)
    next(b for b in at.main.button if b.label == "Sign in").click()
    at.run()
    assert "acting as ed / editor / local" in _texts(at)


def test_app_with_anonymous_none_reads_no_data(no_anonymous, monkeypatch):
    """The real app.py: only the sign-in form, and the store is not even opened (no data read)."""
    from ui import data

    def _refuse(*args, **kwargs):
        raise AssertionError("the data was read before sign-in")

    monkeypatch.setattr(data, "load", _refuse)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == ["Sign in to see the dashboard."]
    assert [ti.label for ti in at.text_input] == ["Name", "Password"]
    assert not at.error and not at.dataframe and not at.metric
    assert at.title[0].value == "Conflict claims map"


def test_a_test_can_sign_a_session_in(users_env):
    """How other AppTests act as an editor: the session record of an account that exists in the store."""
    from ui import auth

    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state[auth.SESSION_KEY] = auth.session_record("ed")
    at.run()
    assert "acting as ed / editor / local" in _texts(at)
