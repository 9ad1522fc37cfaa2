"""The whole scheduler: `tick(now)` claims the reminder rungs that are due.

Level-triggered and idempotent: it selects running clocks whose `next_rung_at` has come,
writes outbox rows under a unique key (clock, clock version, rung, recipient, channel)
with insert-or-ignore, advances `next_rung_at`, and commits, batch by batch. Running it
twice, from two processes, or after a week of downtime claims every rung once. After
downtime only the latest due rung of a clock is sent; the earlier ones are recorded as
skipped so nobody gets "due in 3 days" and "overdue" in the same minute.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from engine.deadlines.calendar import WorkingCalendar
from engine.persistence.db import transaction
from engine.persistence import eventlog
from engine.services import reprojection
from engine.services.calendar_decisions import calendar_from_engine
from engine.services.unit_params import params_from_engine
from engine.deadlines.ladder import rung_instant, rungs_from
from engine.persistence.models import Clock, Petition, TickRun, User
from engine.persistence.outbox import insert_ignore
from engine.deadlines.params import Params, Rung
from engine.deadlines.obligations import Obligations, load_obligations
from engine.scheduler import obligations as obligation_reminders
from engine.deadlines.timeutil import local_date, utcnow
from engine.workflow.definition import WorkflowDef, load_workflow
from engine.workflow.policy import mask_personal

log = logging.getLogger("petitions.scheduler")


@dataclass
class TickResult:
    at: datetime
    claimed: int = 0
    created: int = 0
    skipped: int = 0
    reprojected: int = 0  # running clocks whose due date moved with new calendar data
    by_rung: Counter = field(default_factory=Counter)
    outbox_ids: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(), "claimed": self.claimed, "created": self.created, "skipped": self.skipped,
                "reprojected": self.reprojected,
                "by_rung": dict(self.by_rung), "outbox_ids": self.outbox_ids}


def kind_of(rung: Rung) -> str:
    return "due_soon" if rung.offset < 0 else ("due_today" if rung.offset == 0 else "overdue")


def recipients(session: Session, p: Petition, rung: Rung, cache: dict | None = None) -> list[User]:
    """The assigned department's users (the unit's clerks when none is assigned), plus the
    unit's leaders and the parent unit's auditors on the rungs that name them."""
    cache = {} if cache is None else cache

    def active(unit_id, role):
        key = (unit_id, role)
        if key not in cache:  # thousands of clocks share a handful of departments
            cache[key] = list(session.scalars(select(User).where(User.unit_id == unit_id, User.role == role,
                                                                 User.active.is_(True)).order_by(User.id)))
        return cache[key]
    people = active(p.department_id, "department") if p.department_id else active(p.unit_id, "clerk")
    if "unit_leaders" in rung.to:
        people += active(p.unit_id, "leader")
    if "parent_auditors" in rung.to and p.unit.parent_id:
        people += active(p.unit.parent_id, "auditor")
    seen, out = set(), []
    for u in people:
        if u.id not in seen:
            seen.add(u.id)
            out.append(u)
    return out


def reminder_context(p: Petition, clock: Clock, rung: Rung, cal: WorkingCalendar, wf: WorkflowDef,
                     user: User, public_url: str, fire_on) -> dict:
    left = cal.working_days_between(fire_on, clock.due_date) if rung.offset < 0 else 0
    over = cal.working_days_between(clock.due_date, fire_on) if rung.offset > 0 else 0
    return {
        "recipient_name": user.full_name or user.username,
        "petition": {"code": p.code, "summary": p.summary, "unit_name": p.unit.name,
                     "department_name": p.department.name if p.department else "",
                     "state_label": wf.state_label(p.state, user.lang)},
        "clock": {"name": clock.name, "due_date": clock.due_date.isoformat(), "working_days_left": left,
                  "overdue_working_days": over, "extended": clock.extensions > 0},
        "rung": rung.key,
        "url": f"{public_url.rstrip('/')}/petitions/{p.code}",
    }


def _claim_clock(session: Session, clock: Clock, now: datetime, cal: WorkingCalendar, params: Params,
                 wf: WorkflowDef, public_url: str, result: TickResult, webhook: bool = False,
                 cache: dict | None = None) -> list[dict]:
    ladder = params.ladder
    due = []
    walk = rungs_from(ladder, clock.next_rung)
    rung, at = next(walk), clock.next_rung_at
    while at <= now:
        due.append((rung, at))
        rung = next(walk)
        at = rung_instant(clock.due_date, rung, cal, ladder)
    # Recorded without dirtying the ORM object: the batch writes every advance in a few
    # grouped UPDATEs instead of one statement per clock.
    set_committed_value(clock, "next_rung", rung.key)
    set_committed_value(clock, "next_rung_at", at)
    if not due:
        return []
    fire, superseded = due[-1], due[:-1]
    p = clock.petition
    base = f"clock:{clock.id}:v{clock.version}"
    rows = [dict(key=f"{base}:{r.key}:skipped", kind=kind_of(r), channel="none", status="skipped",
                 petition_id=p.id, clock_id=clock.id, rung=r.key,
                 context={"reason": f"superseded by {fire[0].key}"}) for r, _ in superseded]
    rung = fire[0]
    fire_on = local_date(fire[1])
    for user in recipients(session, p, rung, cache):
        own = wf if wf.name == (p.workflow or "regulation11") else load_workflow(p.workflow)  # the case's own labels
        ctx = mask_personal(user, reminder_context(p, clock, rung, cal, own, user, public_url, fire_on))
        common = dict(kind=kind_of(rung), recipient_user_id=user.id, lang=user.lang, petition_id=p.id,
                      clock_id=clock.id, rung=rung.key, context=ctx)
        rows.append(dict(common, key=f"{base}:{rung.key}:user:{user.id}:inbox", channel="inbox"))
        if user.email:
            # digest readers get one message a working morning: their rows wait for the digest
            rows.append(dict(common, key=f"{base}:{rung.key}:user:{user.id}:email", channel="email",
                             to_email=user.email, status="held" if user.notify_mode == "digest" else "pending"))
    if webhook and rows:
        # one signed POST per rung for an SMS/Zalo gateway, addressed to the first recipient
        first = next((r for r in rows if r.get("channel") == "inbox"), None)
        if first is not None:
            rows.append(dict(first, key=f"{base}:{rung.key}:webhook", channel="webhook", recipient_user_id=None,
                             status="pending"))
    result.claimed += 1
    result.by_rung[rung.key] += 1
    result.skipped += len(superseded)
    return rows


def tick(engine: Engine, now: datetime | None = None, cal: WorkingCalendar | None = None,
         params: Params | None = None, wf: WorkflowDef | None = None, batch: int = 500,
         public_url: str = "http://127.0.0.1:5000", webhook: bool = False,
         obligations: Obligations | None = None) -> TickResult:
    now = now or utcnow()
    started = utcnow()
    # The calendar of the decision files and of the decisions entered in the browser, and the
    # parameters with the units' own (issue 18): the same ones the pages count with.
    cal, params, wf = cal or calendar_from_engine(engine), params or params_from_engine(engine), wf or load_workflow()
    result = TickResult(at=now)
    # Reception and dialogue obligations (issue 14): checked once per working morning, in
    # their own transaction; every other tick of the day returns here without a query.
    # A failure there (a bad override, a database hiccup) is logged and retried next tick; it
    # never holds back the deadline reminders below.
    try:
        _, ids = obligation_reminders.run(engine, now, obligations or load_obligations(), cal, public_url)
    except Exception:  # noqa: BLE001
        log.exception("obligations check failed at %s; retried at the next tick", now.isoformat())
        ids = []
    result.created += len(ids)
    result.outbox_ids.extend(ids)
    cache: dict = {}  # (unit, role) -> users, shared by every batch of this tick
    with transaction(engine) as s:
        last = s.scalar(select(TickRun.calendar_version).order_by(TickRun.id.desc()).limit(1))
    if last != cal.version:
        # New calendar data (a decision file added or changed, or a run a crash cut short):
        # move the due dates of running clocks counted with another calendar, journaled,
        # before claiming; in committed batches, so claims wait for one batch at most.
        result.reprojected = reprojection.run(engine, cal, params.ladder, now).moved
    while True:
        with transaction(engine) as s:
            q = (select(Clock).where(Clock.status == "running", Clock.next_rung_at <= now)
                 .options(selectinload(Clock.petition).options(lazyload(Petition.clocks), lazyload(Petition.petitioners)))
                 .order_by(Clock.next_rung_at, Clock.id).limit(batch))
            if engine.dialect.name == "postgresql":
                # two ticks at once each take different clocks instead of waiting or doubling
                q = q.with_for_update(skip_locked=True, of=Clock)
            clocks = s.scalars(q).all()
            rows = []
            for clock in clocks:
                rows += _claim_clock(s, clock, now, cal, params, wf, public_url, result, webhook, cache)
            groups: dict[tuple, list[int]] = {}
            for clock in clocks:
                groups.setdefault((clock.next_rung, clock.next_rung_at), []).append(clock.id)
            for (key, at), ids_ in groups.items():
                s.execute(update(Clock).where(Clock.id.in_(ids_)).values(next_rung=key, next_rung_at=at)
                          .execution_options(synchronize_session=False))
            ids = insert_ignore(s, rows)
            result.created += len(ids)
            result.outbox_ids.extend(ids)
        if len(clocks) < batch:
            break
    finished = utcnow()
    with transaction(engine) as s:
        s.add(TickRun(at=now, started_at=started, finished_at=finished, claimed=result.claimed,
                      created=result.created, skipped=result.skipped, calendar_version=cal.version,
                      duration_ms=int((finished - started).total_seconds() * 1000)))
        # the audit log's keyed checkpoint: how many cases and events each unit has now
        eventlog.checkpoint(s, finished)
    return result

