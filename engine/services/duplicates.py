"""Duplicate letters (đơn trùng, issue 17): the same person raising the same matter again, or
the same letter sent to several places. At intake the clerk sees likely duplicates among the
cases they can read; a case marked as a duplicate points to its master, its own clocks stop
running (the master's govern), and the reports count it once and say how many.

How a pair is judged (measured on the labelled sample in tests/integration/test_duplicates.py):
* the same person — the name equal once accents, case and spacing are folded, and either
  the phone number equal (digits, +84 read as 0) or the address alike;
* similar content — the accent-folded summaries compared word set against word set
  (rapidfuzz's token_set_ratio: word order and extra words do not hide a repeat).
A pair is a likely duplicate when the same person raises similar content (≥ PERSON_CONTENT),
or, whoever signs, when a specific content (≥ SPECIFIC_WORDS words) is nearly the same
(≥ CONTENT_ONLY: a letter copied to many places or signed by many people) — short generic
requests ("đề nghị cấp lại sổ hộ nghèo bị mất") are raised by many different people.
Numbers name the matter (a land parcel, a decision): two summaries whose numbers are
disjoint are different matters, however alike their words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz, utils
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.deadlines.calendar import WorkingCalendar
from engine.deadlines.clocks import schedule_ladder
from engine.deadlines.params import Ladder
from engine.deadlines.timeutil import local_date
from engine.language.errors import Forbidden, NotFound, ValidationError, VersionConflict
from engine.language.text import fold
from engine.persistence import eventlog
from engine.persistence.models import Petition, Petitioner, User
from engine.persistence.scope import can_read, petition_scope
from engine.services.common import text
# the optimistic lock and history snapshot every change of a case takes
from engine.services.petitions import _claim_version, _snapshot
from engine.workflow.policy import can_act_on, sees_personal_data

PERSON_CONTENT = 60     # same person: summaries this alike (0–100) make a likely duplicate
CONTENT_ONLY = 90       # anyone: specific summaries this alike make a likely duplicate
SPECIFIC_WORDS = 12     # …when both have at least this many words
ADDRESS_ALIKE = 85      # two addresses this alike are the same place
RECENT = 2000           # content-only candidates: the most recent cases in scope compared
MARK_ROLES = ("clerk", "leader", "admin")


def person_key(name: str | None) -> str:
    return " ".join(fold(name).split())


def phone_key(phone: str | None) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return "0" + digits[2:] if digits.startswith("84") and len(digits) >= 11 else digits


def same_person(a: Petitioner | dict, b: Petitioner | dict) -> bool:
    get = (lambda x, k: x.get(k, "") if isinstance(x, dict) else getattr(x, k, ""))
    if not person_key(get(a, "name")) or person_key(get(a, "name")) != person_key(get(b, "name")):
        return False
    pa, pb = phone_key(get(a, "phone")), phone_key(get(b, "phone"))
    if pa and pb:
        return pa == pb
    aa, ab = fold(get(a, "address")), fold(get(b, "address"))
    return bool(aa and ab) and fuzz.token_set_ratio(aa, ab, processor=utils.default_process) >= ADDRESS_ALIKE


@dataclass
class Candidate:
    petition: Petition
    content: float
    same_person: bool
    reasons: list[str] = field(default_factory=list)


def _numbers(folded: str) -> set[str]:
    return set(re.findall(r"\d+", folded))


def judge(people_a, summary_a: str, people_b, summary_b: str) -> tuple[bool, float, bool]:
    """(likely duplicate, content score, same person) for two cases."""
    fa, fb = fold(summary_a), fold(summary_b)
    score = fuzz.token_set_ratio(fa, fb, processor=utils.default_process)
    person = any(same_person(x, y) for x in people_a for y in people_b)
    na, nb = _numbers(fa), _numbers(fb)
    if na and nb and not na & nb:
        return False, score, person
    specific = min(len(fa.split()), len(fb.split())) >= SPECIFIC_WORDS
    return (person and score >= PERSON_CONTENT) or (specific and score >= CONTENT_ONLY), score, person


def likely_duplicates(session: Session, user: User, summary: str, people: list, exclude_id: int | None = None,
                      limit: int = 5, wide: bool = True) -> list[Candidate]:
    """The cases `user` can read that look like the same matter (best first). `people` are
    Petitioner rows or dicts with name, address, phone. Candidates are the cases naming the
    same person (an indexed search) and, when `wide`, the RECENT latest cases in scope too
    (a letter copied by someone else); the case page asks the cheap question only."""
    scope = petition_scope(session, user)
    ids: set[int] = set()
    for person in people:
        key = person_key(person.get("name") if isinstance(person, dict) else person.name)
        if len(key) >= 4:  # the folded name is part of search_text (indexed on both databases)
            ids.update(session.scalars(select(Petition.id).where(scope, Petition.search_text.contains(key))
                                       .order_by(Petition.id.desc()).limit(200)))
    if wide:
        ids.update(session.scalars(select(Petition.id).where(scope).order_by(Petition.id.desc()).limit(RECENT)))
    ids.discard(exclude_id)
    found = []
    for chunk in _chunks(sorted(ids), 500):
        for p in session.scalars(select(Petition).where(Petition.id.in_(chunk))
                                 .options(selectinload(Petition.petitioners))):
            # a denouncer's identity is not compared for a reader who may not know it: "same
            # person" would tell them who denounced
            theirs = p.petitioners if sees_personal_data(user, p) else []
            likely, score, person = judge(people, summary, theirs, p.summary)
            if likely:
                reasons = (["same_person"] if person else []) + ["similar_content"]
                found.append(Candidate(p, score, person, reasons))
    found.sort(key=lambda c: (not c.same_person, -c.content, -c.petition.id))
    return found[:limit]


def _chunks(ids, n):
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


def _check(session: Session, actor: User, p: Petition) -> None:
    if not can_read(session, actor, p):
        raise NotFound("unknown_petition", field="code", code=p.code)
    if actor.role not in MARK_ROLES:
        raise Forbidden("role_cannot", role=actor.role, action="mark_duplicate")
    if not can_act_on(actor, p):
        raise Forbidden("out_of_scope", username=actor.username, code=p.code)


def _claim(session: Session, p: Petition, expect_version: int | None) -> dict:
    if expect_version is not None and int(expect_version) != p.version:
        raise VersionConflict("version_conflict", code=p.code, actual=p.version, expected=expect_version)
    before = _snapshot(p)
    _claim_version(session, p)
    return before


def mark_duplicate(session: Session, actor: User, p: Petition, master: Petition, reason: str, at: datetime,
                   expect_version: int | None = None):
    """Point `p` at `master` (the master of a duplicate is its own master), stop `p`'s
    running clocks as cancelled, and record it in the case's history. One transaction."""
    _check(session, actor, p)
    if not can_read(session, actor, master):
        raise NotFound("unknown_petition", field="master", code=master.code)
    master = master.duplicate_of or master
    if master.id == p.id:
        raise ValidationError("duplicate_of_itself", field="master", code=p.code)
    if p.duplicate_of_id is not None:
        raise ValidationError("already_duplicate", field="master", code=p.code, master=p.duplicate_of.code)
    reason = text(reason, "reason")
    before = _claim(session, p, expect_version)
    # the duplicates of p follow it to the master: a chain never grows longer than one link
    for child in session.scalars(select(Petition).where(Petition.duplicate_of_id == p.id)):
        child.duplicate_of_id = master.id
    p.duplicate_of_id, p.duplicate_of = master.id, master
    for c in p.clocks:  # the clock rows say which ones the mark stopped (stopped_by_action)
        if c.status in ("running", "paused"):
            c.status, c.stopped_at, c.stopped_on, c.stopped_by_action = "cancelled", at, local_date(at), "mark_duplicate"
            c.next_rung = c.next_rung_at = None
    p.updated_at = at
    session.flush()
    return eventlog.append(session, p, "mark_duplicate", actor.id, actor.username, at, local_date(at), before,
                           _snapshot(p), {"master": master.code, "reason": reason})


def unmark_duplicate(session: Session, actor: User, p: Petition, reason: str, at: datetime, cal: WorkingCalendar,
                     ladder: Ladder, expect_version: int | None = None):
    """Undo a wrong mark: the clocks the mark cancelled run again on their own due dates
    (time did not stop for the citizen), their reminders rescheduled from now."""
    _check(session, actor, p)
    if p.duplicate_of_id is None:
        raise ValidationError("not_duplicate", field="code", code=p.code)
    reason = text(reason, "reason")
    before = _claim(session, p, expect_version)
    master = p.duplicate_of.code
    p.duplicate_of_id, p.duplicate_of = None, None
    for c in p.clocks:
        if c.status == "cancelled" and c.stopped_by_action == "mark_duplicate":
            c.status, c.stopped_at, c.stopped_on, c.stopped_by_action = "running", None, None, None
            schedule_ladder(c, cal, ladder, at)
    p.updated_at = at
    session.flush()
    return eventlog.append(session, p, "unmark_duplicate", actor.id, actor.username, at, local_date(at), before,
                           _snapshot(p), {"master": master, "reason": reason})
