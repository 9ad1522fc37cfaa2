"""The tracking secret of a receipt slip, and what a citizen may read with it.

The secret is short enough to type from paper (10 characters of an alphabet without
look-alikes: 31^10 ≈ 2^49 values) and is stored only as an Argon2id hash, as passwords are
(`engine.services.passwords`): a short secret under a fast hash would fall to an offline
search of a leaked database. Because only the hash is kept, a slip cannot be printed again
with the same secret: a reprint issues a new secret and revokes every earlier one — the
usual reason to reprint is a lost slip, and a lost slip must stop opening the case.

`lookup` answers the same way, with the same work (one Argon2 verification), for an unknown
code and for a wrong secret: the answer never says whether a code exists.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.persistence.models import Event, OnlineSubmission, OrgUnit, Petition, TrackingSlip, User
from engine.services.passwords import hash_password, verify_dummy, verify_password

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read from paper without doubt
SECRET_LENGTH = 10
CODE_MAX = 64


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))


def shown(secret: str) -> str:
    """The secret as printed: two groups of five (ABCDE-FGHJK)."""
    return f"{secret[:5]}-{secret[5:]}"


def normalise_secret(value: str | None) -> str:
    """What the citizen typed, as stored: upper case, without blanks and dashes."""
    return "".join(ch for ch in (value or "").upper() if ch not in " -\t")[:40]


def normalise_code(value: str | None) -> str:
    return (value or "").strip().upper()[:CODE_MAX]


def issue(session: Session, petition: Petition, channel: str, by: User | None, now: datetime) -> str:
    """A new secret for `petition` (returned once, in clear); earlier slips stop working."""
    session.execute(update(TrackingSlip).where(TrackingSlip.petition_id == petition.id,
                                               TrackingSlip.revoked_at.is_(None)).values(revoked_at=now))
    secret = new_secret()
    session.add(TrackingSlip(petition_id=petition.id, secret_hash=hash_password(secret), channel=channel,
                             issued_at=now, issued_by_id=by.id if by is not None else None))
    session.flush()
    return secret


def lookup(session: Session, code: str, secret: str) -> Petition | None:
    """The petition when `secret` opens `code`, else None — after the same work either way."""
    code, secret = normalise_code(code), normalise_secret(secret)
    row = None
    if code:
        row = session.execute(
            select(Petition, TrackingSlip.secret_hash).join(TrackingSlip, TrackingSlip.petition_id == Petition.id)
            .where(Petition.code == code, TrackingSlip.revoked_at.is_(None))
            .order_by(TrackingSlip.id.desc()).limit(1)).first()
    if row is None:
        verify_dummy(secret or "-")
        return None
    return row[0] if verify_password(row[1], secret or "-") else None


def tracking_url(public_url: str, code: str) -> str:
    """The address the slip's QR code opens: the tracking page with the code filled in. The
    secret is not in it (an address ends up in logs and histories); it is typed from the slip."""
    return f"{public_url.rstrip('/')}/public/track?{urlencode({'code': code})}"


# -- what the citizen reads ----------------------------------------------------------------
@dataclass
class PublicNotice:
    """A document addressed to the citizen (what the workflow tells the petitioner)."""
    kind: str           # conclusion | extension | resolved | escalated | referred
    on: date
    number: str = ""
    body: str = ""      # the unit or department named, or the outcome told to the petitioner
    due: date | None = None


@dataclass
class PublicCase:
    code: str
    state: str
    received_on: date
    unit_name: str
    responsible_name: str
    online: bool
    clock: object | None = None          # the running clock (engine.persistence.models.Clock)
    notices: list[PublicNotice] = field(default_factory=list)


def public_case(session: Session, p: Petition, workflow) -> PublicCase:
    """Only what the slip's holder may know: the state, the unit and the department answering
    (by name), the running deadline, and the documents sent to the petitioner. Never the
    petitioners, the summary (it may name others), staff names or the history's notes."""
    running = [c for c in p.clocks if c.status in ("running", "paused")]
    clock = min(running, key=lambda c: c.due_date) if running else None
    responsible = p.department.name if p.department is not None and p.state == "in_resolution" else p.unit.name
    notices: list[PublicNotice] = []
    told = {name for name, a in workflow.actions.items() if a.tell_petitioner} | {"refer"}
    for ev in session.scalars(select(Event).where(Event.petition_id == p.id, Event.action.in_(sorted(told)))
                              .order_by(Event.seq)):
        data = ev.data or {}
        if ev.action == "conclude":
            dept = session.scalar(select(OrgUnit.name).where(OrgUnit.code == (ev.after or {}).get("department")))
            due = ((ev.after or {}).get("clocks", {}).get("resolution") or {}).get("due_date")
            notices.append(PublicNotice("conclusion", ev.effective_on, data.get("notice_no", ""), dept or "",
                                        date.fromisoformat(due) if due else None))
        elif ev.action == "extend":
            new = data.get("new_due")
            notices.append(PublicNotice("extension", ev.effective_on, "", "", date.fromisoformat(new) if new else None))
        elif ev.action == "resolve":
            notices.append(PublicNotice("resolved", ev.effective_on, data.get("document_no", ""), data.get("outcome", "")))
        elif ev.action == "escalate":
            to = session.scalar(select(Petition).where(Petition.code == data.get("escalated_to")))
            notices.append(PublicNotice("escalated", ev.effective_on, "", to.unit.name if to is not None else ""))
        elif ev.action == "refer":
            notices.append(PublicNotice("referred", ev.effective_on, "", data.get("agency", "")))
    online = session.scalar(select(OnlineSubmission.id).where(OnlineSubmission.petition_id == p.id)) is not None
    return PublicCase(code=p.code, state=p.state, received_on=p.received_on, unit_name=p.unit.name,
                      responsible_name=responsible, online=online, clock=clock, notices=notices)
