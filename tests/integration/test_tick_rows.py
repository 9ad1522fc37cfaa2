"""The tick's outbox rows and clock advances on random clocks, against an expectation built
here from the raw data (issue 20: the tick reads plain columns and writes in bulk now).

Random due dates around the tick (some clocks with one rung due, some after a long downtime
with many, some with none), random next rungs and clock versions, departments with and
without users, no department (the unit's clerks), digest readers, users without e-mail, an
English reader, an inactive user, paused and stopped clocks, petitions of other workflows,
the webhook row. The expectation walks the ladder from the configuration with the calendar's
day-by-day answers, counts working days one day at a time, and picks recipients from the
users table with the rule as written in `recipients`' docstring; it shares no code with the
tick beyond the calendar's `is_working_day`.
"""
from __future__ import annotations

import random
import tomllib
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine.deadlines.calendar import default_calendar
from engine.persistence.db import transaction
from engine.persistence.models import Clock, OrgUnit, OutboxMessage, Petition, User
from engine.scheduler.tick import tick
from engine.services.users import add_user
from engine.workflow.definition import load_workflow, workflow_names

CAL = default_calendar()
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 1, 5, tzinfo=timezone.utc)  # Monday 23/11/2026 08:05 in Vietnam
LADDER = tomllib.loads((Path(__file__).parents[2] / "config" / "workflow.toml").read_text(encoding="utf-8"))["ladder"]
URL = "http://tick.test"


def shift(d: date, n: int) -> date:
    """`n` working days after `d` (before it when negative), one day at a time."""
    step = 1 if n > 0 else -1
    while n:
        d += timedelta(days=step)
        if CAL.is_working_day(d):
            n -= step
    return d


def between(a: date, b: date) -> int:
    """Working days in (a, b], counted one by one."""
    return sum(CAL.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


def ladder(limit: int = 40):
    """(key, offset, to) of the configured rungs, then the weekly ones."""
    out = [(r["key"], r["offset"], tuple(r["to"])) for r in LADDER["rungs"]]
    while len(out) < limit:
        out.append((f"T+{out[-1][1] + LADDER['weekly_after']}", out[-1][1] + LADDER["weekly_after"], out[-1][2]))
    return out


def instant(due: date, offset: int) -> datetime:
    h, m = map(int, LADDER["fire_at"].split(":"))
    return datetime.combine(shift(due, offset), time(h, m), tzinfo=VN).astimezone(timezone.utc)


def kind(offset: int) -> str:
    return "due_soon" if offset < 0 else ("due_today" if offset == 0 else "overdue")


def more_users(s):
    """Beside the org's: a digest reader, an English reader without e-mail, an inactive one."""
    add_user(s, "dept1digest", "department", "C1-D1", None, email="digest@example.test", full_name="Đọc tóm tắt",
             notify_mode="digest")
    add_user(s, "dept2en", "department", "C1-D2", None, email=None, full_name="", lang="en")
    add_user(s, "leader1en", "leader", "C1", None, email="leader1en@example.test", full_name="Leader En", lang="en",
             notify_mode="digest")
    gone = add_user(s, "dept1gone", "department", "C1-D1", None, email="gone@example.test")
    gone.active = False


def seed(s, rng: random.Random, n: int) -> None:
    units = {u.code: u for u in s.scalars(select(OrgUnit))}
    homes = {"C1": ["C1-D1", "C1-D2", None], "C2": ["C2-D1", None], "P": ["P-D", None]}  # P-D has nobody
    flows = workflow_names()
    rungs = ladder()
    for i in range(n):
        unit = rng.choice(sorted(homes))
        dept = rng.choice(homes[unit])
        flow = rng.choice(flows)
        state = rng.choice(sorted(load_workflow(flow).states))
        p = Petition(code=f"R-{i:04d}", unit_id=units[unit].id, received_on=date(2026, 10, 1),
                     received_at=datetime(2026, 10, 1, 2, tzinfo=timezone.utc), summary=f"Việc thứ {i}", state=state,
                     department_id=units[dept].id if dept else None, workflow=flow)
        s.add(p)
        s.flush()
        due = shift(NOW.astimezone(VN).date(), rng.randint(-45, 12))
        j = rng.randrange(8)  # the stored next rung: any of the first eight
        status = rng.choices(["running", "paused", "met"], weights=[8, 1, 1])[0]
        s.add(Clock(petition_id=p.id, name=rng.choice(["conclusion", "resolution"]), rule_days=10,
                    trigger_on=date(2026, 10, 1), due_date=due,
                    deadline_at=datetime.combine(due, time(16, 59), tzinfo=timezone.utc), original_due_date=due, extensions=rng.choice([0, 0, 1]), status=status,
                    calendar_version=CAL.version, version=rng.randint(1, 3),
                    next_rung=rungs[j][0] if status == "running" else None,
                    next_rung_at=instant(due, rungs[j][1]) if status == "running" else None))


def expected(s, webhook: bool):
    """The rows, the advances and the figures, from the tables as seeded."""
    units = {u.id: u for u in s.scalars(select(OrgUnit))}
    users = list(s.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
    rungs = ladder()
    rows, moves, figures = set(), {}, Counter()
    by_rung = Counter()
    for c in s.scalars(select(Clock).order_by(Clock.id)):
        if c.status != "running":
            moves[c.id] = (c.next_rung, c.next_rung_at)
            continue
        p = s.get(Petition, c.petition_id)
        j, at, due = [r[0] for r in rungs].index(c.next_rung), c.next_rung_at, []
        while at <= NOW:  # the stored instant first, then each following rung's
            due.append(rungs[j])
            j += 1
            at = instant(c.due_date, rungs[j][1])
        moves[c.id] = (rungs[j][0], at)
        if not due:
            continue
        base = f"clock:{c.id}:v{c.version}"
        (key, offset, to), skipped = due[-1], due[:-1]
        for k, o, _ in skipped:
            rows.add((f"{base}:{k}:skipped", kind(o), "none", "skipped", None, None, "vi", p.id, c.id, k,
                      (("reason", f"superseded by {key}"),)))
        fire_on = instant(c.due_date, offset).astimezone(VN).date()
        if p.department_id:
            people = [u for u in users if u.unit_id == p.department_id and u.role == "department"]
        else:
            people = [u for u in users if u.unit_id == p.unit_id and u.role == "clerk"]
        if "unit_leaders" in to:
            people += [u for u in users if u.unit_id == p.unit_id and u.role == "leader"]
        parent = units[p.unit_id].parent_id
        if "parent_auditors" in to and parent:
            people += [u for u in users if u.unit_id == parent and u.role == "auditor"]
        first = None
        for u in dict.fromkeys(people):
            label = load_workflow(p.workflow).states[p.state][1 if u.lang == "en" else 0]
            ctx = repr({"recipient_name": u.full_name or u.username,
                        "petition": {"code": p.code, "summary": p.summary, "unit_name": units[p.unit_id].name,
                                     "department_name": units[p.department_id].name if p.department_id else "",
                                     "state_label": label},
                        "clock": {"name": c.name, "due_date": c.due_date.isoformat(),
                                  "working_days_left": between(fire_on, c.due_date) if offset < 0 else 0,
                                  "overdue_working_days": between(c.due_date, fire_on) if offset > 0 else 0,
                                  "extended": c.extensions > 0},
                        "rung": key, "url": f"{URL}/petitions/{p.code}"})
            inbox = (f"{base}:{key}:user:{u.id}:inbox", kind(offset), "inbox", "pending", u.id, None, u.lang, p.id,
                     c.id, key, ctx)
            rows.add(inbox)
            first = first or inbox
            if u.email:
                rows.add((f"{base}:{key}:user:{u.id}:email", kind(offset), "email",
                          "held" if u.notify_mode == "digest" else "pending", u.id, u.email, u.lang, p.id, c.id, key,
                          ctx))
        if webhook and first:
            rows.add((f"{base}:{key}:webhook", first[1], "webhook", "pending", None, None) + first[6:])
        figures["claimed"] += 1
        figures["skipped"] += len(skipped)
        by_rung[key] += 1
    figures["created"] = len(rows)
    return rows, moves, figures, by_rung


def actual(s):
    rows = set()
    for r in s.scalars(select(OutboxMessage)):
        ctx = r.context
        ctx = tuple(ctx.items()) if set(ctx) == {"reason"} else repr(ctx)
        rows.add((r.key, r.kind, r.channel, r.status, r.recipient_user_id, r.to_email, r.lang, r.petition_id,
                  r.clock_id, r.rung, ctx))
    moves = {c.id: (c.next_rung, c.next_rung_at) for c in s.scalars(select(Clock))}
    return rows, moves


@pytest.mark.parametrize("seed_no", [1, 2])
def test_tick_rows_match_an_independent_expectation(org, seed_no):
    rng = random.Random(seed_no)
    webhook = seed_no == 2
    with transaction(org) as s:
        more_users(s)
        seed(s, rng, 160)
    with transaction(org) as s:
        rows, moves, figures, by_rung = expected(s, webhook)
    assert figures["claimed"] > 50 and figures["skipped"] > 50  # the seed reaches what it is meant to
    assert {r[3] for r in rows} == {"pending", "held", "skipped"} and any(r[6] == "en" for r in rows)
    res = tick(org, NOW, batch=7, public_url=URL, webhook=webhook)  # many batches (on PostgreSQL, two at once)
    with transaction(org) as s:
        got_rows, got_moves = actual(s)
    assert got_rows == rows
    assert got_moves == moves
    assert (res.claimed, res.skipped, res.created) == (figures["claimed"], figures["skipped"], figures["created"])
    assert res.by_rung == by_rung
    assert sorted(res.outbox_ids) == res.outbox_ids and len(set(res.outbox_ids)) == len(rows)
    again = tick(org, NOW, batch=7, public_url=URL, webhook=webhook)  # idempotent: nothing left to claim
    assert (again.claimed, again.created) == (0, 0)
