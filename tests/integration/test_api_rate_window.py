"""The API's per-token rate limit holds under concurrent requests (issue 19): one
conditional UPDATE takes each request's slot, so N simultaneous requests on a token with a
budget of 5 serve exactly 5, on SQLite and on PostgreSQL."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.persistence.db import transaction
from engine.persistence.models import ApiToken, User
from engine.services import tokens as tok
from tests.conftest import NOW


def _token(engine) -> int:
    with transaction(engine) as s:
        user = s.scalars(select(User).where(User.username == "clerk1")).one()
        row, _secret = tok.create_token(s, user, "rate test", now=NOW)
        s.flush()
        return row.id


def test_simultaneous_requests_serve_exactly_the_budget(org):
    token_id, limit, callers = _token(org), 5, 16
    start, waits = threading.Barrier(callers), []

    def call():
        with Session(org) as s:
            start.wait()
            waits.append(tok.take_rate_slot(s, token_id, NOW, limit))

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert waits.count(0) == limit
    assert all(w == 60 for w in waits if w)  # the window began at NOW: a full minute to wait
    with Session(org) as s:
        assert s.get(ApiToken, token_id).rate_count == limit


def test_a_new_minute_opens_a_new_window_and_refusals_do_not_count(org):
    token_id = _token(org)
    with Session(org) as s:
        assert [tok.take_rate_slot(s, token_id, NOW, 2) for _ in range(4)] == [0, 0, 60, 60]
        assert tok.take_rate_slot(s, token_id, NOW + timedelta(seconds=45), 2) == 15
        assert tok.take_rate_slot(s, token_id, NOW + timedelta(seconds=60), 2) == 0
        assert s.get(ApiToken, token_id).rate_count == 1
