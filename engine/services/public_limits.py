"""Limits on what anyone may do without signing in, kept in `public_attempts`.

The approach of the sign-in limit (web/auth.py): counters over a recent window in the
database (so they hold across workers and restarts), back-offs that double rather than
lock-outs, and refused attempts not counted (a stranger cannot extend someone's wait).
The numbers are set so that a real citizen never meets them: a person looks a case up a
few times and sends one or two petitions a day.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.persistence.models import PublicAttempt

BASE_DELAY = timedelta(seconds=2)


@dataclass(frozen=True)
class Limit:
    kind: str
    window: timedelta
    free: int          # attempts (failures only, when `failures_only`) allowed before any wait
    cap: timedelta     # the longest wait
    failures_only: bool = True


# Tracking: wrong code/secret pairs from one address (guessing, or scraping codes), and
# wrong secrets tried on one code from anywhere (guessing one slip from many addresses).
TRACK_ADDRESS = Limit("track_addr", timedelta(minutes=15), free=10, cap=timedelta(minutes=5))
TRACK_CODE = Limit("track_code", timedelta(minutes=15), free=5, cap=timedelta(minutes=10))
# Online submissions from one address, counted whether accepted or not.
SUBMIT_ADDRESS = Limit("submit_addr", timedelta(hours=1), free=5, cap=timedelta(minutes=30), failures_only=False)


def backoff(n: int, free: int, cap: timedelta) -> timedelta:
    if n < free:
        return timedelta(0)
    return min(BASE_DELAY * 2 ** min(n - free, 20), cap)


def wait_seconds(session: Session, limit: Limit, key: str, now: datetime) -> int:
    """Seconds this attempt must still wait under `limit` for `key` (0: go ahead)."""
    q = select(func.count(PublicAttempt.id), func.max(PublicAttempt.at)).where(
        PublicAttempt.kind == limit.kind, PublicAttempt.key == key[:96], PublicAttempt.at >= now - limit.window)
    if limit.failures_only:
        q = q.where(PublicAttempt.ok.is_(False))
    n, last = session.execute(q).one()
    if not last:
        return 0
    left = (last + backoff(n, limit.free, limit.cap) - now).total_seconds()
    return max(0, math.ceil(left))


def record(session: Session, limit: Limit, key: str, ok: bool, now: datetime) -> None:
    session.add(PublicAttempt(kind=limit.kind, key=key[:96], ok=ok, at=now))
