"""Reorganising units (issue 18), with the reform of 01/07/2025 as the test case: a district
with its communes becomes communes under the province. The preview counts exactly what the
save moves; open work follows the successor; closed cases and held sessions stay on the old
units, so a report for 2023 still shows the district; the audit log stays intact."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from engine.language.errors import DomainError, Forbidden, NotFound
from engine.persistence.adminlog import verify_admin_log
from engine.persistence.db import transaction
from engine.persistence.eventlog import verify_all
from engine.persistence.models import (AdminEvent, Event, OrgUnit, Petition, ReceptionSession, SchedulePublication,
                                       UnitSuccession, User)
from engine.services import unit_admin as ua

AT = datetime(2025, 6, 20, 3, 0, tzinfo=timezone.utc)
REFORM = "01/07/2025"

ORG = [("P", "Tỉnh Thử", "province", None), ("H", "Huyện Cũ", "district", "P"),
       ("H-D", "Phòng Tư pháp huyện Cũ", "department", "H"),
       ("X1", "Xã Đông", "commune", "H"), ("X1-D", "Ban Địa chính xã Đông", "department", "X1"),
       ("X2", "Xã Tây", "commune", "H"), ("X3", "Xã Bắc", "commune", "H"), ("Q", "Xã Khác", "commune", "P")]
USERS = [("admin", "admin", "P"), ("hclerk", "clerk", "H"), ("x1clerk", "clerk", "X1"), ("x2leader", "leader", "X2"),
         ("x1admin", "admin", "X1"), ("hadmin", "admin", "H")]


@pytest.fixture
def reform(db):
    """Closed cases of 2023 at the district and a commune; open cases; a held and planned sessions."""
    from engine.services.petitions import Context, act, add_petition
    from engine.services.sessions import add_session, plan_session
    from engine.services.units import add_unit
    from engine.services.users import add_user
    ctx = Context(now=AT)
    out = {}
    with transaction(db) as s:
        for code, name, level, parent in ORG:
            add_unit(s, code, name, level, parent)
        for username, role, unit in USERS:
            add_user(s, username, role, unit, "correct-horse-battery")
        for key, unit, on, dept in [("h2023", "H", "2023-03-01", "H-D"), ("x2023", "X1", "2023-05-02", "X1-D")]:
            p = add_petition(s, ctx, unit, "Tranh chấp đất năm 2023", received_on=on)
            clerk = "hclerk" if unit == "H" else "x1clerk"
            act(s, ctx, p.code, "conclude", clerk, {"notice_no": "1-TB", "department": dept}, on=on)
            act(s, ctx, p.code, "resolve", clerk, {"document_no": "2/QĐ", "outcome": "Đã giải quyết"}, on=on)
            act(s, ctx, p.code, "close", clerk, {}, on=on)
            out[key] = p.code
        out["x_open"] = add_petition(s, ctx, "X1", "Đường làng hỏng", received_on="2025-06-02").code
        p = add_petition(s, ctx, "H", "Chế độ chính sách", received_on="2025-06-10")
        act(s, ctx, p.code, "conclude", "hclerk", {"notice_no": "9-TB", "department": "H-D"}, on="2025-06-12")
        out["h_open"] = p.code
        out["held"] = add_session(s, "H", "reception_periodic", "2023-04-05", people=3).id
        out["planned_july"] = plan_session(s, "X1", "reception_periodic", "2025-07-15", chair_role="ubnd_chair", place="Trụ sở xã", chair="Ông A", today=date(2025, 6, 20)).session.id
        out["planned_june"] = plan_session(s, "X1", "reception_periodic", "2025-06-25", chair_role="ubnd_chair", place="Trụ sở xã", chair="Ông A", today=date(2025, 6, 20)).session.id
        x1 = s.scalar(select(OrgUnit).where(OrgUnit.code == "X1"))
        s.add_all([SchedulePublication(unit_id=x1.id, period="2025-07", revision=1, published_at=AT, sessions=[]),
                   SchedulePublication(unit_id=x1.id, period="2025-05", revision=1, published_at=AT, sessions=[])])
    return db, out


def _admin(s, name="admin"):
    return s.scalar(select(User).where(User.username == name))


def _unit(s, code):
    return s.scalar(select(OrgUnit).where(OrgUnit.code == code))


def test_the_reform_from_preview_to_a_2023_report(reform):
    from engine.reports.ontime import ontime_report
    engine, d = reform
    with transaction(engine) as s:
        epochs = {u.username: u.session_epoch for u in s.scalars(select(User))}
        plan = ua.plan_reorganisation(s, _admin(s), "merge", "X1, X2", REFORM, new_code="XN", new_name="Xã Đông Tây",
                                      new_level="commune", new_parent="P")
        by = {m.unit.code: m for m in plan.sources}
        assert (len(by["X1"].open_cases), len(by["X1"].planned_sessions), len(by["X1"].users),
                len(by["X1"].schedules), len(by["X1"].child_units)) == (1, 1, 2, 1, 1)  # x1clerk and x1admin
        assert (by["X1"].cases_staying, by["X1"].sessions_staying) == (1, 1)  # 2023 closed case; the June plan
        assert len(by["X2"].users) == 1 and not by["X2"].open_cases
        # the preview wrote nothing
        assert _unit(s, "XN") is None and _unit(s, "X1").valid_to is None
    with transaction(engine) as s:
        plan = ua.plan_reorganisation(s, _admin(s), "merge", "X1, X2", REFORM, new_code="XN", new_name="Xã Đông Tây",
                                      new_level="commune", new_parent="P")
        ua.apply_reorganisation(s, _admin(s), plan, at=AT)
    with transaction(engine) as s:
        xn, x1 = _unit(s, "XN"), _unit(s, "X1")
        assert xn.valid_from == date(2025, 7, 1) and xn.parent.code == "P"
        assert x1.valid_to == date(2025, 6, 30) and x1.parent.code == "H"  # history keeps the old tree
        pet = lambda code: s.scalar(select(Petition).where(Petition.code == code))  # noqa: E731
        assert pet(d["x_open"]).unit_id == xn.id and pet(d["x2023"]).unit_id == x1.id
        assert s.get(ReceptionSession, d["planned_july"]).unit_id == xn.id
        assert s.get(ReceptionSession, d["planned_june"]).unit_id == x1.id
        assert {p.period for p in s.scalars(select(SchedulePublication).where(SchedulePublication.unit_id == xn.id))} \
            == {"2025-07"}
        assert _unit(s, "X1-D").parent_id == xn.id
        for name in ("x1clerk", "x2leader", "x1admin"):
            u = s.scalar(select(User).where(User.username == name))
            assert u.unit_id == xn.id and u.session_epoch == epochs[name] + 1, name
        assert s.scalar(select(User).where(User.username == "hclerk")).session_epoch == epochs["hclerk"]
        ev = s.scalar(select(Event).where(Event.petition_id == pet(d["x_open"]).id).order_by(Event.seq.desc()))
        assert ev.action == "unit_transferred" and ev.before == {"unit": "X1"} and ev.after == {"unit": "XN"}
        assert {(x.predecessor.code, x.successor.code) for x in s.scalars(select(UnitSuccession))} == {("X1", "XN"), ("X2", "XN")}
    # step 2: the district itself goes; the province takes its open work; X3 comes under the province
    with transaction(engine) as s:
        plan = ua.plan_reorganisation(s, _admin(s), "merge", "H", REFORM, target_code="P")
        assert [len(m.open_cases) for m in plan.sources] == [1]
        assert sorted(s.get(OrgUnit, i).code for i in plan.sources[0].child_units) == ["H-D", "X3"]  # X1, X2 closed
        ua.apply_reorganisation(s, _admin(s), plan, at=AT)
    with transaction(engine) as s:
        h, p = _unit(s, "H"), _unit(s, "P")
        assert h.valid_to == date(2025, 6, 30) and _unit(s, "X3").parent_id == p.id
        assert s.scalar(select(Petition.unit_id).where(Petition.code == d["h_open"])) == p.id
        assert s.scalar(select(Petition.unit_id).where(Petition.code == d["h2023"])) == h.id
        assert s.get(ReceptionSession, d["held"]).unit_id == h.id
        # the audit log still verifies: moved cases carry an event and a new checkpoint counts them
        report = verify_all(s)
        assert report.ok, [f.text("en") for f in report.findings]
        assert verify_admin_log(s) == []
        assert s.scalar(select(func.count(AdminEvent.id)).where(AdminEvent.action == "units_reorganised")) == 2
        rep = ontime_report(s, "P", "2023-01-01", "2023-12-31", by="unit")
        keys = {r.key for r in rep.rows}
        assert "H" in keys and "X1" in keys, keys  # the 2023 report still shows the district and the old commune
        labels = {r.key: r.label for r in rep.rows}
        assert labels["H"] == "Huyện Cũ"


def test_split_gives_open_work_to_the_first_new_unit(reform):
    engine, d = reform
    with transaction(engine) as s:
        plan = ua.plan_reorganisation(s, _admin(s), "split", "X1", "01/07/2025",
                                      new_units="X1A; Xã Đông A\nX1B; Xã Đông B")
        ua.apply_reorganisation(s, _admin(s), plan, at=AT)
    with transaction(engine) as s:
        a, b = _unit(s, "X1A"), _unit(s, "X1B")
        assert a.parent.code == b.parent.code == "H" and a.level == "commune"
        assert s.scalar(select(Petition.unit_id).where(Petition.code == d["x_open"])) == a.id
        assert {x.successor.code for x in s.scalars(select(UnitSuccession))} == {"X1A", "X1B"}


BAD = [  # (arguments, the field blamed)
    (dict(kind="merge", sources="", effective_on=REFORM, target_code="P"), "sources"),
    (dict(kind="merge", sources="X1", effective_on="31/02/2025", target_code="P"), "effective_on"),
    (dict(kind="merge", sources="X1", effective_on="", target_code="P"), "effective_on"),
    (dict(kind="annex", sources="X1", effective_on=REFORM, target_code="P"), "kind"),
    (dict(kind="merge", sources="NOPE", effective_on=REFORM, target_code="P"), "sources"),
    (dict(kind="merge", sources="X1, X1", effective_on=REFORM, target_code="P"), "sources"),
    (dict(kind="merge", sources="X1", effective_on=REFORM, target_code="X1"), "target"),
    (dict(kind="merge", sources="H", effective_on=REFORM, target_code="X1"), "target"),  # below a source
    (dict(kind="merge", sources="X1", effective_on=REFORM, new_code="X2", new_name="Trùng", new_level="commune",
          new_parent="P"), "new_code"),
    (dict(kind="merge", sources="X1", effective_on=REFORM, new_code="N 1", new_name="x", new_level="commune",
          new_parent="P"), "new_code"),
    (dict(kind="merge", sources="X1", effective_on=REFORM, new_code="N1", new_name="", new_level="commune",
          new_parent="P"), "new_name"),
    (dict(kind="merge", sources="X1", effective_on=REFORM, new_code="N1", new_name="x" * 300, new_level="commune",
          new_parent="P"), "new_name"),
    (dict(kind="merge", sources="X1", effective_on=REFORM, new_code="N1", new_name="x", new_level="hamlet",
          new_parent="P"), "new_level"),
    (dict(kind="split", sources="X1, X2", effective_on=REFORM, new_units="A; a\nB; b"), "sources"),
    (dict(kind="split", sources="X1", effective_on=REFORM, new_units="A; a"), "new_units"),
    (dict(kind="split", sources="X1", effective_on=REFORM, new_units="A a\nB; b"), "new_units"),
    (dict(kind="split", sources="X1", effective_on=REFORM, new_units="A; a\nA; b"), "new_units"),
    (dict(kind="merge", sources=",".join(f"U{i}" for i in range(60)), effective_on=REFORM, target_code="P"), "sources"),
]


@pytest.mark.parametrize("args,field", BAD)
def test_bad_reorganisations_are_refused_with_a_message_and_change_nothing(reform, args, field):
    engine, _ = reform
    with transaction(engine) as s:
        before = [(u.code, u.parent_id, u.valid_to) for u in s.scalars(select(OrgUnit).order_by(OrgUnit.code))]
    with pytest.raises(DomainError) as err, transaction(engine) as s:
        plan = ua.plan_reorganisation(s, _admin(s), **args)
        ua.apply_reorganisation(s, _admin(s), plan, at=AT)
    assert err.value.field == field, (err.value.code, err.value.field)
    vi, en = err.value.message("vi"), err.value.message("en")
    assert vi and en and vi != en and err.value.code not in vi
    with transaction(engine) as s:
        assert before == [(u.code, u.parent_id, u.valid_to) for u in s.scalars(select(OrgUnit).order_by(OrgUnit.code))]


def test_a_closed_unit_cannot_be_reorganised_again(reform):
    engine, _ = reform
    with transaction(engine) as s:
        ua.apply_reorganisation(s, _admin(s), ua.plan_reorganisation(s, _admin(s), "merge", "X1", REFORM, target_code="X2"), at=AT)
    with pytest.raises(DomainError) as err, transaction(engine) as s:
        ua.plan_reorganisation(s, _admin(s), "merge", "X1", "01/08/2025", target_code="X3")
    assert err.value.code == "unit_not_valid_on"


@pytest.mark.parametrize("who,args,error", [
    ("x1admin", dict(kind="merge", sources="X1", effective_on=REFORM, target_code="X1-D"), Forbidden),  # own unit
    ("x1admin", dict(kind="merge", sources="X2", effective_on=REFORM, target_code="X1"), NotFound),  # sibling
    ("hadmin", dict(kind="merge", sources="X1", effective_on=REFORM, target_code="Q"), NotFound),   # outside H
    ("hadmin", dict(kind="merge", sources="X1", effective_on=REFORM, new_code="N", new_name="n",
                    new_level="commune", new_parent="P"), NotFound),                                  # above H
    ("hadmin", dict(kind="merge", sources="H", effective_on=REFORM, target_code="P"), Forbidden),  # own unit
])
def test_scope_refusals(reform, who, args, error):
    engine, _ = reform
    with pytest.raises(error), transaction(engine) as s:
        ua.plan_reorganisation(s, _admin(s, who), **args)


def test_add_rename_move_within_scope(reform):
    engine, _ = reform
    with transaction(engine) as s:
        hadmin = _admin(s, "hadmin")
        u = ua.create_unit(s, hadmin, "X4", "Xã Nam", "commune", "H", "01/01/2024", at=AT)
        assert u.valid_from == date(2024, 1, 1)
        ua.rename_unit(s, hadmin, "X4", "Xã Nam Mới", at=AT)
        ua.move_unit(s, hadmin, "X1-D", "X4", at=AT)
    with transaction(engine) as s:
        assert _unit(s, "X1-D").parent.code == "X4" and _unit(s, "X4").name == "Xã Nam Mới"
        assert [e.action for e in s.scalars(select(AdminEvent).order_by(AdminEvent.seq))] == \
            ["unit_created", "unit_renamed", "unit_moved"]
    for call, error in [
        (lambda s, a: ua.create_unit(s, a, "X5", "Xã", "commune", "P"), NotFound),       # above its scope
        (lambda s, a: ua.create_unit(s, a, "X1", "Xã", "commune", "H"), DomainError),    # code used
        (lambda s, a: ua.move_unit(s, a, "H", "X1"), Forbidden),                          # its own unit
        (lambda s, a: ua.move_unit(s, a, "X4", "X1-D"), DomainError),                     # under a unit below it
        (lambda s, a: ua.move_unit(s, a, "X1", "Q"), NotFound),                           # out of scope
        (lambda s, a: ua.rename_unit(s, a, "X1", "   "), DomainError),
        (lambda s, a: ua.rename_unit(s, a, "Q", "Xã"), NotFound),
    ]:
        with pytest.raises(error), transaction(engine) as s:
            call(s, _admin(s, "hadmin"))


def test_a_department_merged_hands_its_assigned_cases_to_the_successor_department(reform):
    engine, d = reform
    with transaction(engine) as s:
        with pytest.raises(DomainError) as err:
            ua.plan_reorganisation(s, _admin(s), "merge", "H-D", REFORM, target_code="P")
        assert err.value.code == "department_successor"
        plan = ua.plan_reorganisation(s, _admin(s), "merge", "H-D", REFORM, new_code="P-TP", new_name="Sở Tư pháp",
                                      new_level="department", new_parent="P")
        assert len(plan.sources[0].open_cases) == 1 and plan.sources[0].cases_staying == 1
        ua.apply_reorganisation(s, _admin(s), plan, at=AT)
    with transaction(engine) as s:
        p = s.scalar(select(Petition).where(Petition.code == d["h_open"]))
        assert p.department.code == "P-TP" and p.unit.code == "H"
        assert s.scalar(select(Petition).where(Petition.code == d["h2023"])).department.code == "H-D"
        report = verify_all(s)
        assert report.ok, [f.text("en") for f in report.findings]
