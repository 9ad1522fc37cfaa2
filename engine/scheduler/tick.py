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
import weakref
from concurrent.futures import ThreadPoolExecutor
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.deadlines.calendar import WorkingCalendar
from engine.persistence.db import transaction
from engine.persistence import eventlog
from engine.services import reprojection
from engine.services.calendar_decisions import calendar_from_engine
from engine.services.unit_params import params_from_engine
from engine.deadlines.ladder import rung_instant, rungs_from
from engine.persistence.models import TickRun
from engine.persistence.outbox import insert_ignore
from engine.deadlines.params import Ladder, Params, Rung
from engine.deadlines.obligations import Obligations, load_obligations
from engine.scheduler import claim, obligations as obligation_reminders
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


class Reminders:
    """Composes a tick's outbox rows from claimed clock rows (`claim.due_clocks`), with the
    lookups the clocks of one tick share cached: the ladder walk per (due date, rung, instant),
    working-day counts per (due date, day), recipients per (unit, department, rung), labels
    per (workflow, state, language). Plain rows in, plain dicts out: no ORM object is loaded."""

    def __init__(self, cal: WorkingCalendar, ladder: Ladder, wf: WorkflowDef, public_url: str, webhook: bool):
        self.cal, self.ladder, self.wf, self.webhook = cal, ladder, wf, webhook
        self.base_url = public_url.rstrip("/")
        self.users: dict[tuple[int, str], list] = {}  # (unit, role) -> active users, filled by `need_users`
        self._walks: dict = {}
        self._people: dict = {}
        self._spans: dict = {}
        self._labels: dict = {}

    def need_users(self, session: Session, clocks) -> None:
        """Load, in one query, the users of the units these clocks may reach and not seen yet
        (thousands of clocks share a handful of departments)."""
        units = {u for c in clocks for u in (c.unit_id, c.department_id, c.parent_id) if u is not None}
        missing = {u for u in units if (u, "clerk") not in self.users}
        if missing:
            self.users.update(claim.active_users(session, missing))

    def walk(self, due_date, next_rung: str, next_at: datetime, now: datetime):
        """The rungs due by `now` from the stored next rung on (with their instants), the local
        date the last of them fires on, then the first rung still ahead and its instant."""
        key = (due_date, next_rung, next_at)
        hit = self._walks.get(key)
        if hit is None:
            due = []
            walk = rungs_from(self.ladder, next_rung)
            rung, at = next(walk), next_at
            while at <= now:
                due.append((rung, at))
                rung = next(walk)
                at = rung_instant(due_date, rung, self.cal, self.ladder)
            # the day the sent rung fires on, in Vietnam (its working-day counts are from that day)
            fire_on = local_date(due[-1][1]) if due else None
            hit = self._walks[key] = (due, fire_on, rung, at)
        return hit

    def recipients(self, c, rung: Rung) -> list:
        """The assigned department's users (the unit's clerks when none is assigned), plus the
        unit's leaders and the parent unit's auditors on the rungs that name them; each once."""
        leaders, auditors = "unit_leaders" in rung.to, "parent_auditors" in rung.to and c.parent_id is not None
        key = (c.unit_id, c.department_id, c.parent_id, leaders, auditors)
        hit = self._people.get(key)
        if hit is None:
            people = list(self.users[(c.department_id, "department")] if c.department_id
                          else self.users[(c.unit_id, "clerk")])
            if leaders:
                people += self.users[(c.unit_id, "leader")]
            if auditors:
                people += self.users[(c.parent_id, "auditor")]
            seen, hit = set(), []
            for u in people:
                if u.id not in seen:
                    seen.add(u.id)
                    hit.append(u)
            self._people[key] = hit
        return hit

    def span(self, a, b) -> int:
        """Working days in (a, b]."""
        key = (a, b)
        n = self._spans.get(key)
        if n is None:
            n = self._spans[key] = self.cal.working_days_between(a, b)
        return n

    def label(self, workflow: str | None, state: str, lang: str) -> str:
        key = (workflow, state, lang)
        hit = self._labels.get(key)
        if hit is None:
            name = workflow or "regulation11"
            own = self.wf if self.wf.name == name else load_workflow(name)  # the case's own labels
            hit = self._labels[key] = own.state_label(state, lang)
        return hit

    def rows(self, c, now: datetime, result: TickResult) -> tuple[list[dict], str, datetime]:
        """The outbox rows of one claimed clock row, and its next rung and instant."""
        due, fire_on, nxt, nxt_at = self.walk(c.due_date, c.next_rung, c.next_rung_at, now)
        if not due:
            return [], nxt.key, nxt_at
        (rung, _), superseded = due[-1], due[:-1]
        base = f"clock:{c.id}:v{c.version}"
        rows = [dict(key=f"{base}:{r.key}:skipped", kind=kind_of(r), channel="none", status="skipped",
                     petition_id=c.petition_id, clock_id=c.id, rung=r.key,
                     context={"reason": f"superseded by {rung.key}"}) for r, _ in superseded]
        kind = kind_of(rung)
        clock = {"name": c.name, "due_date": c.due_date.isoformat(),
                 "working_days_left": self.span(fire_on, c.due_date) if rung.offset < 0 else 0,
                 "overdue_working_days": self.span(c.due_date, fire_on) if rung.offset > 0 else 0,
                 "extended": c.extensions > 0}
        url = f"{self.base_url}/petitions/{c.code}"
        petition: dict[str, dict] = {}  # by language: only the state's label differs
        first = None
        for user in self.recipients(c, rung):
            p = petition.get(user.lang)
            if p is None:
                p = petition[user.lang] = {"code": c.code, "summary": c.summary, "unit_name": c.unit_name,
                                           "department_name": c.department_name or "",
                                           "state_label": self.label(c.workflow, c.state, user.lang)}
            ctx = mask_personal(user, {"recipient_name": user.full_name or user.username, "petition": p,
                                       "clock": clock, "rung": rung.key, "url": url})
            inbox = {"key": f"{base}:{rung.key}:user:{user.id}:inbox", "kind": kind, "channel": "inbox",
                     "recipient_user_id": user.id, "lang": user.lang, "petition_id": c.petition_id,
                     "clock_id": c.id, "rung": rung.key, "context": ctx}
            rows.append(inbox)
            first = first or inbox
            if user.email:
                # digest readers get one message a working morning: their rows wait for the digest
                rows.append({**inbox, "key": f"{base}:{rung.key}:user:{user.id}:email", "channel": "email",
                             "to_email": user.email, "status": "held" if user.notify_mode == "digest" else "pending"})
        if self.webhook and first is not None:
            # one signed POST per rung for an SMS/Zalo gateway, addressed to the first recipient
            rows.append({**first, "key": f"{base}:{rung.key}:webhook", "channel": "webhook",
                         "recipient_user_id": None, "status": "pending"})
        result.claimed += 1
        result.by_rung[rung.key] += 1
        result.skipped += len(superseded)
        return rows, nxt.key, nxt_at


def tick(engine: Engine, now: datetime | None = None, cal: WorkingCalendar | None = None,
         params: Params | None = None, wf: WorkflowDef | None = None, batch: int = 500,
         public_url: str = "http://127.0.0.1:5000", webhook: bool = False,
         obligations: Obligations | None = None, workers: int | None = None) -> TickResult:
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
        _, obligation_ids = obligation_reminders.run(engine, now, obligations or load_obligations(), cal, public_url)
    except Exception:  # noqa: BLE001
        log.exception("obligations check failed at %s; retried at the next tick", now.isoformat())
        obligation_ids = []
    result.created += len(obligation_ids)
    result.outbox_ids.extend(obligation_ids)
    with transaction(engine) as s:
        last = s.scalar(select(TickRun.calendar_version).order_by(TickRun.id.desc()).limit(1))
    if last != cal.version:
        # New calendar data (a decision file added or changed, or a run a crash cut short):
        # move the due dates of running clocks counted with another calendar, journaled,
        # before claiming; in committed batches, so claims wait for one batch at most.
        result.reprojected = reprojection.run(engine, cal, params.ladder, now).moved
    reminders = Reminders(cal, params.ladder, wf, public_url, webhook)  # its caches serve every batch

    def claim_batch(result: TickResult) -> int:
        """One transaction: claim up to `batch` due clocks, write their rows, advance them."""
        with transaction(engine) as s:
            clocks = claim.due_clocks(s, now, batch)
            reminders.need_users(s, clocks)
            rows, moves = [], []
            for c in clocks:
                more, key, at = reminders.rows(c, now, result)
                rows += more
                moves.append((c.id, key, at))
            claim.advance(s, moves)
            ids = insert_ignore(s, rows)
            result.created += len(ids)
            result.outbox_ids.extend(ids)
        return len(clocks)

    def claim_until_done(result: TickResult) -> None:
        while claim_batch(result) == batch:
            pass

    if claim_batch(result) == batch:
        if workers is None:
            workers = 2 if engine.dialect.name == "postgresql" else 1
        if workers <= 1:
            claim_until_done(result)
        else:
            # More than one batch due (a busy morning, the end of a downtime): on PostgreSQL
            # the rest is claimed over `workers` connections at once, as that many ticks would
            # (SKIP LOCKED gives each its own clocks); one connection's statements leave the
            # database idle while Python composes rows, and the other way round.
            parts = [TickResult(at=now) for _ in range(workers)]
            with ThreadPoolExecutor(workers, thread_name_prefix="tick") as pool:
                for done in [pool.submit(claim_until_done, part) for part in parts]:
                    done.result()  # a worker's error is the tick's error, as it was with one
            reminder_ids = result.outbox_ids[len(obligation_ids):]
            for part in parts:
                result.claimed += part.claimed
                result.created += part.created
                result.skipped += part.skipped
                result.by_rung.update(part.by_rung)
                reminder_ids += part.outbox_ids
            result.outbox_ids[len(obligation_ids):] = sorted(reminder_ids)
    finished = utcnow()
    with transaction(engine) as s:
        s.add(TickRun(at=now, started_at=started, finished_at=finished, claimed=result.claimed,
                      created=result.created, skipped=result.skipped, calendar_version=cal.version,
                      duration_ms=int((finished - started).total_seconds() * 1000)))
        # the audit log's keyed checkpoint: how many cases and events each unit has now
        if _checkpoint_due(engine, now):
            eventlog.checkpoint(s, finished)
    return result


# Counting every unit's cases and events costs 70–150 ms at 1,000,000 petitions: done on every
# tick (each minute) it made the idle tick 86 ms, against the 50 ms it must stay under. Once per
# CHECKPOINT_EVERY of the ticks' own time per process is enough: a case deleted behind the
# application's back is still caught at the next checkpoint, and `petitions audit verify`
# counts afresh whenever it runs.
CHECKPOINT_EVERY = timedelta(minutes=10)
_checkpointed: "weakref.WeakKeyDictionary[Engine, datetime]" = weakref.WeakKeyDictionary()  # per engine object


def _checkpoint_due(engine: Engine, now: datetime) -> bool:
    last = _checkpointed.get(engine)
    if last is not None and timedelta(0) <= now - last < CHECKPOINT_EVERY:
        return False
    _checkpointed[engine] = now
    return True

