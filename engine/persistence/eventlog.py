"""The append-only event log, hash-chained per petition.

Each event's hash covers its content and the previous event's hash, so rewriting or
deleting any event breaks every hash after it; `verify` recomputes the chain.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.persistence.models import Event, Petition

GENESIS = "0" * 64


def _instant(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(petition_code: str, ev: Event) -> str:
    body = json.dumps({
        "petition": petition_code, "seq": ev.seq, "action": ev.action, "actor": ev.actor,
        "at": _instant(ev.at), "effective_on": ev.effective_on.isoformat(),
        "before": ev.before, "after": ev.after, "data": ev.data,
    }, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((ev.prev_hash + body).encode("utf-8")).hexdigest()


def append(session: Session, petition: Petition, action: str, actor_id: int | None, actor: str, at: datetime,
           effective_on, before: dict, after: dict, data: dict) -> Event:
    last = session.execute(
        select(Event.seq, Event.hash).where(Event.petition_id == petition.id).order_by(Event.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    ev = Event(petition_id=petition.id, seq=seq, action=action, actor_id=actor_id, actor=actor, at=at,
               effective_on=effective_on, before=before, after=after, data=data, prev_hash=prev)
    ev.hash = event_hash(petition.code, ev)
    session.add(ev)
    return ev


def verify(session: Session, petition: Petition) -> list[str]:
    """Problems found in the petition's chain (empty when intact)."""
    problems, prev, expected_seq = [], GENESIS, 1
    for ev in session.scalars(select(Event).where(Event.petition_id == petition.id).order_by(Event.seq)):
        if ev.seq != expected_seq:
            problems.append(f"{petition.code}: event #{expected_seq} is missing (found #{ev.seq})")
        if ev.prev_hash != prev:
            problems.append(f"{petition.code}: event #{ev.seq} does not follow the previous event's hash")
        if event_hash(petition.code, ev) != ev.hash:
            problems.append(f"{petition.code}: event #{ev.seq} ({ev.action}) was altered after it was written")
        prev, expected_seq = ev.hash, ev.seq + 1
    if expected_seq == 1:
        problems.append(f"{petition.code}: no events")
    return problems

