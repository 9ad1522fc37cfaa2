"""Online reception (Luật 136/2025/QH15, from 01/07/2026): a petition sent through the
public form becomes a case in the receiving unit's queue, "received online", with its clocks
started as the workflow says for any receipt, and a tracking secret for the sender.

One transaction: the petition, its clocks and event, the submission record, the
attachments' rows and the slip commit together or not at all (the files themselves are
written first, under their hash, so a rolled-back submission leaves at most an unreferenced
file, never a row without its file)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from engine.deadlines.online_reception import ONLINE_RECEPTION
from engine.deadlines.timeutil import local_date
from engine.language.errors import ValidationError
from engine.persistence.models import PETITION_KINDS, OnlineAttachment, OnlineSubmission, Petition
from engine.services import attachments as files
from engine.services import tracking
from engine.services.common import choice, email, text, unit_by_code
from engine.services.petitions import Context, add_petition

_PHONE = re.compile(r"\+?[0-9][0-9 .\-]{6,18}[0-9]")
KINDS_ONLINE = ("petition", "feedback", "complaint", "denunciation")
assert set(KINDS_ONLINE) <= set(PETITION_KINDS)


@dataclass
class Submitted:
    petition: Petition
    secret: str


def contact_fields(value: str) -> dict:
    """A phone number or an e-mail address, whichever the sender gave."""
    v = text(value, "contact", limit=255)
    if "@" in v:
        return {"email": email(v, "contact", required=True)}
    if not _PHONE.fullmatch(v):
        raise ValidationError("bad_contact", field="contact", value=v[:40])
    return {"phone": v}


def submit(session: Session, ctx: Context, *, unit_code: str, name: str, contact: str, content: str,
           address: str = "", kind: str = "petition", attachments: list[tuple[str, bytes]] | None = None,
           storage: Path, sender_address: str = "", lang: str = "vi") -> Submitted:
    today = local_date(ctx.instant())
    if not ONLINE_RECEPTION.in_force(today):
        raise ValidationError("online_not_yet", field="form", date=ONLINE_RECEPTION.applies_from.strftime("%d/%m/%Y"),
                              source=ONLINE_RECEPTION.source(lang))
    unit = unit_by_code(session, unit_code)
    if unit.level == "department" or (unit.valid_to is not None and unit.valid_to < today):
        raise ValidationError("online_unit", field="unit", code=unit.code)
    person = {"name": text(name, "name"), "address": text(address, "address", required=False)}
    person.update(contact_fields(contact))
    kind = choice(kind or "petition", KINDS_ONLINE, "kind")
    checked = files.check(attachments or [])
    stored = [(f, files.store(storage, f)) for f in checked]
    p = add_petition(session, ctx, unit.code, content, petitioners=[person], kind=kind, actor=None,
                     received_at=ctx.instant())
    sub = OnlineSubmission(petition_id=p.id, submitted_at=ctx.instant(), address=(sender_address or "")[:64],
                           lang="en" if lang == "en" else "vi")
    session.add(sub)
    session.flush()
    for f, digest in stored:
        session.add(OnlineAttachment(submission_id=sub.id, filename=f.filename, mime=f.mime, size=len(f.data),
                                     sha256=digest))
    secret = tracking.issue(session, p, "online", None, ctx.instant())
    session.flush()
    return Submitted(p, secret)
