"""The audit log of administration: who changed which unit or user, when, and how.

One chain for the whole installation (administrators' changes are rare): each entry's MAC is
HMAC-SHA256, under the audit key (`engine.persistence.auditkey`, never in the database), of
its content and the previous entry's MAC. `seq` is unique, so two writers racing for the
same place in the chain cannot both commit. `verify_admin_log` recomputes the chain:
an edited, inserted or deleted entry (other than the newest) breaks it.
"""
from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.persistence.auditkey import key_id
from engine.persistence.eventlog import GENESIS, _canon, _instant, _mac, current_key
from engine.persistence.models import AdminEvent


def _text(seq: int, at: datetime, actor: str, action: str, target: str, unit_id, data, kid: str, prev: str) -> str:
    return "admin|" + _canon({"seq": seq, "at": _instant(at), "actor": actor, "action": action, "target": target,
                              "unit_id": unit_id, "data": data or {}, "key_id": kid, "prev": prev})


def record(session: Session, action: str, actor, target: str, at: datetime, unit_id: int | None = None,
           data: dict | None = None) -> AdminEvent:
    """Append one entry in the caller's transaction (it commits or rolls back with the change)."""
    key = current_key()
    kid = key_id(key)
    last = session.execute(select(AdminEvent.seq, AdminEvent.mac).order_by(AdminEvent.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    actor_name = getattr(actor, "username", None) or (actor if isinstance(actor, str) else "")
    data = data or {}
    ev = AdminEvent(seq=seq, at=at, actor_id=getattr(actor, "id", None), actor=actor_name[:64], action=action,
                    unit_id=unit_id, target=(target or "")[:64], data=data, key_id=kid, prev_mac=prev,
                    mac=_mac(key, _text(seq, at, actor_name[:64], action, (target or "")[:64], unit_id, data, kid, prev)))
    session.add(ev)
    session.flush()
    return ev


def verify_admin_log(session: Session) -> list[int]:
    """The seq of every entry whose MAC or link does not hold (empty: the chain is intact)."""
    key = current_key()
    bad, prev, expected = [], GENESIS, 1
    for ev in session.scalars(select(AdminEvent).order_by(AdminEvent.seq)):
        good = ev.seq == expected and ev.prev_mac == prev and hmac.compare_digest(
            _mac(key, _text(ev.seq, ev.at, ev.actor, ev.action, ev.target, ev.unit_id, ev.data, ev.key_id, ev.prev_mac)),
            ev.mac)
        if not good:
            bad.append(ev.seq)
        prev, expected = ev.mac, ev.seq + 1
    return bad
