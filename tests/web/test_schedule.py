"""Issue 14 in the browser: a clerk plans a year of receptions, publishes it, moves, cancels
and records sessions; missed ones show on the desk and the schedule; citizens read the
public page and subscribe to the iCalendar feed without signing in, and see nothing personal."""
from __future__ import annotations

from datetime import date, datetime

from icalendar import Calendar
from sqlalchemy import func, select

from engine.persistence.db import transaction
from engine.persistence.models import ReceptionSession, SchedulePublication, SessionEvent
from engine.services import sessions as S

# the app's today is Fri 20/11/2026 (tests.conftest.NOW)


def _counts(org):
    with transaction(org) as s:
        return (s.scalar(select(func.count(ReceptionSession.id))), s.scalar(select(func.count(SessionEvent.id))))


def test_a_clerk_plans_a_year_publishes_and_citizens_subscribe(org, as_user, browser):
    b = as_user("clerk1")
    r = b.get("/schedule/plan")
    assert r.status_code == 200 and "Lập lịch" in r.get_data(as_text=True)
    r = b.post("/schedule/plan", {"kind": "reception_periodic", "monthly": "10, 25", "year": "2027",
                                  "starts_at": "07:30", "ends_at": "11:00", "place": "Trụ sở Đảng ủy xã Một",
                                  "chair": "Nguyễn Văn An", "chair_role": "party_secretary"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with transaction(org) as s:
        rows = s.scalars(select(ReceptionSession).order_by(ReceptionSession.held_on)).all()
        assert len(rows) == 24 and {x.status for x in rows} == {"planned"}
        first = rows[0].id
    page = b.get("/schedule?year=2027").get_data(as_text=True)
    assert "Trụ sở Đảng ủy xã Một" in page and "Bí thư cấp ủy" in page and "Dự kiến" in page
    r = b.post("/schedule/publish", {"period": "2027-01"})
    assert r.status_code == 302
    # the public page, without signing in
    pub = browser.get("/public/C1/schedule")
    html = pub.get_data(as_text=True)
    assert pub.status_code == 200 and "<script" not in html and "public" in pub.headers["Cache-Control"]
    # 10/01/2027 is a Sunday: moved to Monday 11/01; the page shows the coming 8 weeks (to 15/01/2027)
    assert "Trụ sở Đảng ủy xã Một" in html and "<strong>Thứ Hai, 11/01/2027</strong>, 07:30–11:00" in html
    assert "25/01/2027" not in html and "Bí thư cấp ủy, Nguyễn Văn An" in html
    ics = browser.get("/public/C1/schedule.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    cal = Calendar.from_ical(ics.data)
    evs = list(cal.walk("VEVENT"))
    assert len(evs) == 2  # January's two published sessions; the rest of the year is not published yet
    starts = sorted(e.decoded("dtstart") for e in evs)
    assert [d.date() for d in starts] == [date(2027, 1, 11), date(2027, 1, 25)]
    assert all(str(e["location"]) == "Trụ sở Đảng ủy xã Một" for e in evs)
    assert all(str(e["status"]) == "CONFIRMED" for e in evs)
    # reschedule with a reason: journaled, republished, and the feed's SEQUENCE moves
    r = b.post(f"/sessions/{first}/reschedule", {"on": "12/01/2027", "starts_at": "13:30", "ends_at": "16:30",
                                                 "place": "", "reason": "Trùng hội nghị", "version": "1"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with transaction(org) as s:
        assert s.scalar(select(func.max(SchedulePublication.revision)).where(SchedulePublication.period == "2027-01")) == 2
    ev = {e.decoded("dtstart").date(): e for e in Calendar.from_ical(browser.get("/public/C1/schedule.ics").data).walk("VEVENT")}
    assert ev[date(2027, 1, 12)].decoded("dtstart").replace(tzinfo=None) == datetime(2027, 1, 12, 13, 30)
    assert int(ev[date(2027, 1, 12)]["sequence"]) == 1
    show = b.get(f"/sessions/{first}").get_data(as_text=True)
    assert "Trùng hội nghị" in show and "11/01/2027 → 12/01/2027" in show


def test_bad_input_on_the_plan_form_names_the_field_and_changes_nothing(org, as_user):
    b = as_user("clerk1")
    before = _counts(org)
    base = {"kind": "reception_periodic", "dates": "15/12/2026", "starts_at": "07:30", "ends_at": "11:00",
            "place": "Trụ sở", "chair": "A", "chair_role": "party_secretary"}
    for change, needle in [({"dates": "01/11/2026"}, "đã qua"), ({"ends_at": "07:00"}, "phải sau giờ bắt đầu"),
                           ({"starts_at": "7 giờ"}, "Giờ không hợp lệ"), ({"place": ""}, "bắt buộc"),
                           ({"dates": "31/02/2027"}, "Ngày không hợp lệ"), ({"dates": ""}, "ít nhất một ngày")]:
        r = b.post("/schedule/plan", dict(base, **change))
        assert r.status_code == 400 and needle in r.get_data(as_text=True), (change, r.get_data(as_text=True)[:3000])
    assert _counts(org) == before


def test_missed_sessions_show_to_the_clerk_and_the_leader_and_can_be_recorded(org, as_user):
    with transaction(org) as s:
        rs = S.plan_session(s, "C1", "reception_periodic", "2026-11-18", place="Trụ sở", chair="A",
                            chair_role="party_secretary", today="2026-11-10").session
        sid = rs.id
    clerk = as_user("clerk1")
    assert "Bỏ lỡ" in clerk.get("/desk").get_data(as_text=True)
    assert "Bỏ lỡ" in as_user("leader1").get("/schedule?year=2026").get_data(as_text=True)
    r = clerk.post(f"/sessions/{sid}/held", {"held_on": "21/11/2026", "people": "3", "version": "1"})
    assert r.status_code == 400 and "tương lai" in r.get_data(as_text=True)  # 21/11 is tomorrow
    r = clerk.post(f"/sessions/{sid}/held", {"held_on": "18/11/2026", "people": "3", "bodies": ["mttq", "hdnd"],
                                             "version": "1"})
    assert r.status_code == 302
    with transaction(org) as s:
        rs = s.get(ReceptionSession, sid)
        assert rs.status == "held" and rs.bodies == ["mttq", "hdnd"] and rs.people == 3
    page = clerk.get(f"/sessions/{sid}").get_data(as_text=True)
    assert "Ủy ban MTTQ Việt Nam" in page and "Bỏ lỡ" not in page


def test_auditors_and_other_units_cannot_change_sessions(org, as_user):
    with transaction(org) as s:
        sid = S.plan_session(s, "C1", "reception_periodic", "2026-12-15", place="Trụ sở", chair="A",
                             chair_role="party_secretary", today="2026-11-20").session.id
    assert as_user("auditor").post(f"/sessions/{sid}/cancel", {"reason": "x"}).status_code == 403
    assert as_user("clerk2").post(f"/sessions/{sid}/cancel", {"reason": "x"}).status_code == 404
    assert as_user("clerk1").post(f"/sessions/{sid}/cancel", {"reason": ""}).status_code == 400
    with transaction(org) as s:
        assert s.get(ReceptionSession, sid).status == "planned"


def test_public_pages_carry_nothing_personal_and_unknown_units_are_404(org, browser, data):
    with transaction(org) as s:
        S.plan_session(s, "C1", "dialogue_thematic", "2026-12-03", place="Nhà văn hóa thôn 3", chair="Bí thư",
                       chair_role="party_secretary", topic="Đường liên thôn", today="2026-11-20")
        S.publish_schedule(s, "C1", "2026-12")
    html = browser.get("/public/C1/schedule").get_data(as_text=True)
    ics = browser.get("/public/C1/schedule.ics").get_data(as_text=True)
    assert "Nhà văn hóa thôn 3" in html and "Đường liên thôn" in ics.replace("\r\n ", "")
    for personal in ("Nguyễn Văn Đức", "Trần Thị Bích", "0912345678", "Thôn 3,", "Đề nghị sửa đường"):
        assert personal not in html and personal not in ics
    assert browser.get("/public/NOPE/schedule").status_code == 404
    assert browser.get("/public/C1-D1/schedule.ics").status_code == 404


def test_opinions_collected_before_a_dialogue(org, as_user):
    from engine.persistence.models import Petition
    with transaction(org) as s:
        sid = S.plan_session(s, "C1", "dialogue_thematic", "2026-12-15", place="Nhà văn hóa", chair="A",
                             chair_role="party_secretary", topic="Đất đai", today="2026-11-20").session.id
    clerk = as_user("clerk1")
    r = clerk.post(f"/sessions/{sid}/opinion", {"summary": "", "name": "Hồ Thị Lan"})
    assert r.status_code == 400 and "bắt buộc" in r.get_data(as_text=True)
    r = clerk.post(f"/sessions/{sid}/opinion", {"summary": "Cấp giấy chứng nhận chậm", "name": "Hồ Thị Lan",
                                                "category": "land"})
    assert r.status_code == 302
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.session_id == sid))
        assert p.summary == "Cấp giấy chứng nhận chậm" and p.clock("conclusion").trigger_on == date(2026, 12, 15)
    assert "Cấp giấy chứng nhận chậm" in clerk.get(f"/sessions/{sid}").get_data(as_text=True)
    audit = as_user("auditor").get(f"/sessions/{sid}").get_data(as_text=True)
    assert "Cấp giấy chứng nhận chậm" in audit and "Hồ Thị Lan" not in audit
    with transaction(org) as s:  # a reception takes no opinions beforehand
        rid = S.plan_session(s, "C1", "reception_periodic", "2026-12-16", place="Trụ sở", chair="B",
                             chair_role="party_secretary", today="2026-11-20").session.id
    assert clerk.post(f"/sessions/{rid}/opinion", {"summary": "x"}).status_code == 404


def test_an_unplanned_session_records_its_chair_role_place_and_bodies(org, as_user, data):
    clerk = as_user("clerk1")
    r = clerk.post("/sessions/new", {"kind": "reception_adhoc", "held_on": "19/11/2026", "chair": "Nguyễn Văn An",
                                     "chair_role": "ubnd_chair", "place": "Thôn 5", "bodies": ["mttq", "police"],
                                     "people": "12", "groups": "1", "refused": "0"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with transaction(org) as s:
        rs = s.scalar(select(ReceptionSession).order_by(ReceptionSession.id.desc()))
        assert (rs.status, rs.planned_on, rs.chair_role, rs.place, rs.bodies) == ("held", None, "ubnd_chair", "Thôn 5",
                                                                                   ["mttq", "police"])
    before = _counts(org)
    r = clerk.post("/sessions/new", {"kind": "reception_adhoc", "held_on": "19/11/2026", "bodies": ["army"]})
    assert r.status_code == 400 and "army" in r.get_data(as_text=True) and _counts(org) == before
    # the follow-up line of the session of the fixture: A1 and A2 concluded (in writing), R waiting
    page = clerk.get(f"/sessions/{data['session']}").get_data(as_text=True)
    assert "Trả lời tại buổi: 0/3 nội dung; chờ thông báo kết luận: 1; đã hoặc sẽ trả lời bằng văn bản: 2." in page
