"""Reception sessions and dialogues."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.persistence.models import SESSION_KINDS, ReceptionSession
from engine.services.common import choice, count, text, unit_by_code
from engine.deadlines.timeutil import parse_date


def add_session(session: Session, unit_code: str, kind: str, held_on, people=0, groups=0, refused=0,
                chair: str = "", note: str = "", external_ref: str | None = None) -> ReceptionSession:
    unit = unit_by_code(session, unit_code)
    s = ReceptionSession(unit_id=unit.id, kind=choice(kind, SESSION_KINDS, "kind"), held_on=parse_date(held_on, "held_on"),
                         people=count(people, "people"), groups=count(groups, "groups"), refused=count(refused, "refused"),
                         chair=text(chair, "chair", required=False), note=text(note, "note", required=False),
                         external_ref=text(external_ref, "ref", required=False) or None)
    session.add(s)
    session.flush()
    return s


def session_to_dict(s: ReceptionSession) -> dict:
    return {"id": s.id, "unit": s.unit.code, "kind": s.kind, "held_on": s.held_on.isoformat(), "chair": s.chair,
            "people": s.people, "groups": s.groups, "refused": s.refused}
