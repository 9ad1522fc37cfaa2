"""Phụ lục 2's petition rows on random histories equal two recounts (issue 16, issue 20).

The annex groups petitions in two passes and replays the touched ones from one packed probe
of their events (engine/reports/asof.py `replayed_as_of`). Two independent counts must agree
with it, figure by figure, column by column, for periods that end before, during and after
the work: the drill-down (`appendix2_items`: one row per petition, correlated look-ups), and
a recount here in Python from the event log itself (last state event dated by the period's
end, reopenings, "acted on"). Histories are random but seeded, so a failure reproduces.
"""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.language.errors import DomainError
from engine.persistence.db import transaction
from engine.persistence.models import Event, Petition
from engine.reports import appendix2, appendix2_items
from engine.reports.appendix2 import _opinion_keys, _row_keys
from engine.reports.asof import state_of_action, workflow_actions
from engine.services import petitions as svc
from engine.services.sessions import add_session

PARAMS = {"conclude": {"notice_no": "1/TB", "department": None}, "answer_at_meeting": {"note": "đã trả lời"},
          "resolve": {"document_no": "2/UBND"}, "reopen": {"reason": "còn kiến nghị"},
          "escalate": {"reason": "vượt thẩm quyền"}, "refer": {"agency": "Tòa án"}, "close": {},
          "extend": {"days": 5, "reason": "phức tạp"}}
DEPARTMENT = {"C1": "C1-D1", "C2": "C2-D1", "P": "P-D"}
PERIODS = [(date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 1, 1), date(2026, 3, 31)),
           (date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 1, 1), date(2026, 6, 30))]


def at(ctx, d: date):
    return replace(ctx, now=datetime(d.year, d.month, d.day, 3, 0, tzinfo=timezone.utc))


def _history(db, ctx, seed: int) -> None:
    rng = random.Random(seed)
    with transaction(db) as s:
        sessions = {u: [add_session(s, u, rng.choice(("dialogue_periodic", "reception_periodic")), date(2026, 1, 5 + i),
                                    people=3, chair_role=rng.choice(("party_secretary", "ubnd_chair"))).id
                        for i in range(3)] for u in ("C1", "C2")}
    for i in range(45):
        unit = rng.choice(("C1", "C2", "C2", "P"))
        day = date(2026, 1, 2) + timedelta(days=rng.randrange(70))
        with transaction(db) as s:
            code = svc.add_petition(
                s, at(ctx, day), unit, f"đơn {i}", received_on=day,
                session_id=rng.choice(sessions[unit]) if unit in sessions and rng.random() < 0.4 else None,
                category=rng.choice(("other", "land", "cadre_degradation")), complex_prolonged=rng.random() < 0.2,
                group_size=6 if rng.random() < 0.15 else None, incited=rng.random() < 0.1).code
        codes = [code]
        for _ in range(rng.randrange(6)):  # a few actions, each on a later day, some recorded weeks later
            day += timedelta(days=rng.randrange(1, 25))
            recorded = day + timedelta(days=rng.choice((0, 0, 0, 9, 40)))
            target = rng.choice(codes)
            action = rng.choice(tuple(PARAMS))
            params = dict(PARAMS[action])
            if "department" in params:
                with transaction(db) as s:
                    unit_code = s.scalar(select(Petition).where(Petition.code == target)).unit.code
                params["department"] = DEPARTMENT[unit_code]
            try:
                with transaction(db) as s:
                    result = svc.act(s, at(ctx, recorded), target, action, "admin", params, on=day)
                    if result.created is not None:  # the escalated copy at the level above
                        codes.append(result.created.code)
            except DomainError:
                pass  # not allowed from this state (or not yet): nothing changed


def _recount(s, start: date, end: date, chairs: str = "party_head") -> dict[tuple[str, str], int]:
    """(key, unit code) -> count, from the event log in Python."""
    targets, actions = state_of_action(), set(workflow_actions())
    events: dict[int, list[Event]] = {}
    for e in s.scalars(select(Event).order_by(Event.petition_id, Event.seq)):
        events.setdefault(e.petition_id, []).append(e)
    out: dict[tuple[str, str], int] = {}
    for p in s.scalars(select(Petition).where(Petition.received_on >= start, Petition.received_on <= end,
                                              Petition.duplicate_of_id.is_(None))):
        done = [e for e in events.get(p.id, []) if e.effective_on <= end and e.action in targets]
        state = targets[done[-1].action] if done else "received"
        reopens = sum(e.action == "reopen" for e in done)
        acted = any(e.action in actions for e in done)
        keys = _row_keys(state, reopens > 0, acted, p.escalated_from_id is not None, p.category == "cadre_degradation",
                         bool(p.complex_prolonged), bool(p.is_group), bool(p.incited))
        sess = p.session
        if (sess is not None and p.escalated_from_id is None and sess.status == "held"
                and (chairs == "all" or sess.chair_role in (None, "party_secretary"))):
            keys += [k for k, holds in _opinion_keys(state).items() if holds]
        for k in keys:
            out[(k, p.unit.code)] = out.get((k, p.unit.code), 0) + 1
    return out


PETITION_KEYS = ("complex_prolonged", "degradation_handled", "degradation_unhandled", "resolved_no_further",
                 "resolved_still_complained", "in_progress", "directed", "directed_crowded", "directed_incited",
                 "guided_elsewhere", "opinions_raised", "answered_at_meeting", "resolved_after_meeting")


@pytest.mark.parametrize("seed", [11, 29])
def test_annex_equals_drilldown_and_event_recount(org, ctx, seed):
    _history(org, ctx, seed)
    checked = 0
    with transaction(org) as s:
        assert s.scalar(select(Petition.id).where(Petition.escalated_from_id.is_not(None)).limit(1)) is not None
        for start, end in PERIODS:
            for chairs in ("party_head", "all"):
                annex = appendix2(s, "P", start, end, by_unit=True, chairs=chairs)
                recount = _recount(s, start, end, chairs)
                for key in PETITION_KEYS:
                    for column in annex.columns:
                        if column == "total":
                            want = sum(n for (k, _), n in recount.items() if k == key)
                        else:
                            want = recount.get((key, column), 0)
                        got = annex[key][column]
                        assert got == want, (start, end, chairs, key, column, got, want)
                        items = appendix2_items(s, "P", start, end, key, column, by_unit=True, chairs=chairs)
                        assert len(items) == got, (start, end, chairs, key, column)
                        checked += got
    assert checked > 100  # the histories did reach every kind of row
