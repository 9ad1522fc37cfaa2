"""Issue 11, part 4: sign-in limits that stop password spraying, cannot be used to lock a
user out, and answers that take the same time for unknown and known user names."""
from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest

from engine.persistence.db import transaction
from tests.conftest import NOW, PASSWORD
from tests.web.conftest import Browser


@pytest.fixture
def clock(app):
    """The app's clock, moved by the test (no sleeping)."""
    t = [NOW]
    app.extensions["petitions_now"] = lambda: t[0]

    def advance(seconds: float):
        t[0] += timedelta(seconds=seconds)
    return advance


def _from(app, address: str) -> Browser:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)


def test_spraying_many_names_from_one_address_is_limited(app, org, clock):
    sprayer = _from(app, "203.0.113.7")
    statuses = [sprayer.login(f"user{i}", "Password123!").status_code for i in range(15)]
    assert 429 in statuses  # one attempt per name, still limited
    first = statuses.index(429)
    assert first <= 10 and all(s == 401 for s in statuses[:first])
    r = sprayer.login("never-tried-name", "Password123!")
    assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 300
    assert "Đăng nhập sai quá nhiều lần" in r.get_data(as_text=True)
    # the wait is bounded: after it, the address may try again
    clock(int(r.headers["Retry-After"]))
    assert sprayer.login("user99", "Password123!").status_code == 401
    # another address is not slowed by the sprayer
    assert _from(app, "198.51.100.20").login("clerk1").status_code == 302


def _stranger_hammers(app, clock, address: str, attempts: int = 30) -> int:
    """A stranger guessing clerk1's password as fast as the limit lets them; returns failures."""
    stranger, failures = _from(app, address), 0
    for _ in range(attempts):
        r = stranger.login("clerk1", "guess-guess-guess")
        if r.status_code == 429:
            clock(int(r.headers["Retry-After"]))
        else:
            assert r.status_code == 401
            failures += 1
    return failures


@pytest.mark.parametrize("same_proxy", [False, True], ids=["other-address", "same-proxy"])
def test_a_strangers_failures_cannot_lock_the_user_out(app, org, clock, same_proxy):
    failures = _stranger_hammers(app, clock, "10.0.0.5")
    assert failures >= 10  # the stranger did fail many times
    user = _from(app, "10.0.0.5" if same_proxy else "10.9.9.9")
    r = user.login("clerk1")
    if r.status_code == 429:  # a bounded wait: a minute for the name, five for a shared address
        wait = int(r.headers["Retry-After"])
        assert 0 < wait <= (300 if same_proxy else 60)
        clock(wait)
        r = user.login("clerk1")
    assert r.status_code == 302


def test_refused_attempts_do_not_extend_the_wait(app, org, clock):
    b = _from(app, "10.1.1.1")
    for _ in range(3):
        assert b.login("clerk1", "wrong-password").status_code == 401
    waits = [int(b.login("clerk1", "wrong-password").headers["Retry-After"]) for _ in range(20)]
    assert max(waits) == waits[0] <= 2  # twenty refused tries later, still the first short wait
    clock(waits[0])
    assert b.login("clerk1").status_code == 302


def test_unknown_and_known_user_names_answer_in_the_same_time(app, org, clock, monkeypatch):
    """With Argon2 at a real cost, an unknown name used to answer ~10x faster than a known one."""
    from argon2 import PasswordHasher
    import engine.services.passwords as pw
    from engine.services.users import set_password
    monkeypatch.setattr(pw, "_hasher", PasswordHasher(time_cost=2, memory_cost=32 * 1024, parallelism=1))
    with transaction(org) as s:
        set_password(s, "clerk1", PASSWORD)  # a hash at this cost
    b = _from(app, "10.2.2.2")

    def timed(username: str) -> float:
        clock(3600)  # past every limit: measure the verification, not the refusal
        b.get("/login")
        t0 = time.perf_counter()
        r = b.post("/login", {"username": username, "password": "not-the-password"})
        elapsed = time.perf_counter() - t0
        assert r.status_code == 401
        return elapsed

    timed("nobody-here")  # warm up (the dummy hash is made once)
    known, unknown = [], []
    for _ in range(7):
        known.append(timed("clerk1"))
        unknown.append(timed("nobody-here"))
    k, u = statistics.median(known), statistics.median(unknown)
    assert 0.5 < u / k < 2, (k, u)
