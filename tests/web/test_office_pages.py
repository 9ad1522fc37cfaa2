"""Issue 18 in the browser: the lists, calendar decisions and unit parameters pages. Each form
with its bad inputs (a clear Vietnamese message next to the field, status 400, nothing saved),
CSRF, role and unit scope; the calendar preview's figures are what saving does."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.language.messages import render
from engine.persistence.db import transaction
from engine.persistence.models import CalendarDecision, ClockJournal, SessionLabel, UnitParam
from engine.services.users import add_user
from tests.conftest import PASSWORD

DECISION = {"step": "preview", "kind": "day_off", "day": "25/11/2026", "name": "Nghỉ thử", "name_en": "Test day off",
            "source_no": "123/TB-BNV", "source_on": "10/11/2026"}
PARAM = {"step": "preview", "unit": "C1", "clock": "conclusion", "days": "7", "effective_from": "20/11/2026",
         "source_title": "Quy chế của Đảng ủy xã Một", "source_no": "05-QC/ĐU", "source_on": "15/11/2026"}


@pytest.fixture
def c1admin(org):
    with transaction(org) as s:
        add_user(s, "c1admin", "admin", "C1", PASSWORD)


def count(org, model):
    with transaction(org) as s:
        return s.scalar(select(func.count()).select_from(model))


def error_of(html: str, field: str) -> str:
    m = re.search(rf'<span class="error" role="alert" data-field="{field}">([^<]*)</span>', html)
    return m.group(1) if m else ""


@pytest.mark.parametrize("url", ["/admin/lists", "/admin/calendar", "/admin/params"])
def test_pages_are_admin_only_and_linked(as_user, data, url):
    assert url in as_user("admin").get("/admin/").get_data(as_text=True)
    assert as_user("admin").get(url).status_code == 200
    for who in ("clerk1", "leader1", "auditor"):
        assert as_user(who).get(url).status_code == 403


@pytest.mark.parametrize("url,form", [("/admin/lists", {"list": "body", "code": "x", "label_vi": "a", "label_en": "b"}),
                                      ("/admin/calendar", dict(DECISION, step="save")),
                                      ("/admin/params", dict(PARAM, step="save"))])
def test_csrf_required(as_user, data, org, url, form):
    b = as_user("admin")
    before = (count(org, SessionLabel), count(org, CalendarDecision), count(org, UnitParam))
    assert b.post(url, form, token=False).status_code == 400
    assert (count(org, SessionLabel), count(org, CalendarDecision), count(org, UnitParam)) == before


BAD_DECISIONS = [
    ({"day": "31/02/2026"}, "day", "Ngày không hợp lệ"),
    ({"day": "21/11/2026"}, "day", "đã là ngày nghỉ"),
    ({"day": "hôm qua"}, "day", "Ngày không hợp lệ"),
    ({"day": "10/11/2026"}, "day", "đã qua"),
    ({"source_no": ""}, "source_no", None),
    ({"source_on": "1/13/2026"}, "source_on", "Ngày không hợp lệ"),
    ({"kind": "working_day", "day": "26/11/2026"}, "day", "đã là ngày làm việc"),
    ({"name": "x" * 256}, "name", None),
]


@pytest.mark.parametrize("step", ["preview", "save"])
@pytest.mark.parametrize("change,field,words", BAD_DECISIONS)
def test_calendar_bad_input(as_user, data, org, step, change, field, words):
    r = as_user("admin").post("/admin/calendar", dict(DECISION, step=step, **change))
    assert r.status_code == 400
    msg = error_of(r.get_data(as_text=True), field)
    assert msg and (words is None or words in msg), msg
    assert count(org, CalendarDecision) == 0 and count(org, ClockJournal) == 0


def test_calendar_preview_then_save(as_user, data, org, c1admin):
    b = as_user("admin")
    r = b.post("/admin/calendar", DECISION)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="preview"' in html
    announced = int(re.search(r'data-moves="(\d+)"', html).group(1))
    assert count(org, CalendarDecision) == 0 and count(org, ClockJournal) == 0
    # every running clock of the demo data falls due after 25/11: each one moves, per unit
    assert announced > 0 and "Xã Một" in html and "Xã Hai" in html
    r = b.post("/admin/calendar", dict(DECISION, step="save"))
    assert r.status_code == 302
    assert count(org, CalendarDecision) == 1 and count(org, ClockJournal) == announced
    page = b.get("/admin/calendar").get_data(as_text=True)
    assert "123/TB-BNV" in page and "25/11/2026" in page
    # the same day again is refused with the source of the first decision
    r = b.post("/admin/calendar", dict(DECISION, step="save"))
    assert r.status_code == 400 and "123/TB-BNV" in error_of(r.get_data(as_text=True), "day")
    # a commune's administrator may read, not decide
    c = as_user("c1admin")
    assert 'id="decision-form"' not in c.get("/admin/calendar").get_data(as_text=True)
    r = c.post("/admin/calendar", dict(DECISION, day="26/11/2026", step="save"))
    assert r.status_code == 403 and render("cal_national_only", "vi") in r.get_data(as_text=True)
    assert count(org, CalendarDecision) == 1


def test_a_long_preview_lists_the_first_moves_and_says_so(as_user, data, org, monkeypatch):
    """A national decision moves more deadlines than a page can list: the preview lists the first
    MAX_LISTED, says that saving moves all of them, and the count is the whole."""
    import engine.services.calendar_decisions as cds
    monkeypatch.setattr(cds, "MAX_LISTED", 1)  # the demo moves a handful
    html = as_user("admin").post("/admin/calendar", DECISION).get_data(as_text=True)
    announced = int(re.search(r'data-moves="(\d+)"', html).group(1))
    assert announced > 1 and html.count('class="lead-code"') == 1
    assert 'id="preview-cut"' in html and f"cả {announced} thời hạn" in html


BAD_PARAMS = [
    ({"days": "11"}, "days", "từ 1 đến 10"),
    ({"days": "0"}, "days", "từ 1 đến 10"),
    ({"days": "mười"}, "days", "không phải là số nguyên"),
    ({"effective_from": "19/11/2026"}, "effective_from", "đã qua"),
    ({"effective_from": "2026-02-30"}, "effective_from", "Ngày không hợp lệ"),
    ({"source_no": " "}, "source_no", None),
    ({"unit": "C2"}, "unit", "không thuộc phạm vi"),
    ({"clock": "x"}, "clock", None),
]


@pytest.mark.parametrize("change,field,words", BAD_PARAMS)
def test_params_bad_input(as_user, data, org, c1admin, change, field, words):
    r = as_user("c1admin").post("/admin/params", dict(PARAM, step="save", **change))
    assert r.status_code == 400
    msg = error_of(r.get_data(as_text=True), field)
    assert msg and (words is None or words in msg), msg
    assert count(org, UnitParam) == 0


def test_params_preview_then_save(as_user, data, org, c1admin):
    b = as_user("c1admin")
    page = b.get("/admin/params").get_data(as_text=True)
    assert 'value="C1"' in page and 'value="C2"' not in page  # its unit and below only
    r = b.post("/admin/params", PARAM)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-units="1"' in html and "05-QC/ĐU" in html
    assert count(org, UnitParam) == 0
    assert b.post("/admin/params", dict(PARAM, step="save")).status_code == 302
    assert count(org, UnitParam) == 1
    assert "05-QC/ĐU" in b.get("/admin/params").get_data(as_text=True)


def test_lists_forms(as_user, data, org, c1admin):
    b = as_user("admin")
    for change, field in [({"code": "Bad Code"}, "code"), ({"code": "land", "list": "category"}, "code"),
                          ({"label_vi": ""}, "label_vi"), ({"list": "colour"}, "list")]:
        form = dict({"list": "category", "code": "environment", "label_vi": "Môi trường", "label_en": "Environment"},
                    **change)
        r = b.post("/admin/lists", form)
        assert r.status_code == 400 and error_of(r.get_data(as_text=True), field)
    n = count(org, SessionLabel)
    r = b.post("/admin/lists", {"list": "category", "code": "environment", "label_vi": "Môi trường",
                                "label_en": "Environment"})
    assert r.status_code == 302 and count(org, SessionLabel) == n + 1
    with transaction(org) as s:
        row = s.scalar(select(SessionLabel).where(SessionLabel.code == "environment"))
    assert b.post(f"/admin/lists/{row.id}", {"do": "edit", "label_vi": "Môi trường sống",
                                              "label_en": "Living environment"}).status_code == 302
    assert "Môi trường sống" in b.get("/sessions/new").get_data(as_text=True)
    assert b.post(f"/admin/lists/{row.id}", {"do": "retire"}).status_code == 302
    assert 'value="environment"' not in b.get("/sessions/new").get_data(as_text=True)
    assert "Môi trường sống" in b.get("/admin/lists").get_data(as_text=True)  # retired, still listed
    # a commune's administrator reads the lists but does not change them
    c = as_user("c1admin")
    assert 'id="entry-form"' not in c.get("/admin/lists").get_data(as_text=True)
    r = c.post("/admin/lists", {"list": "body", "code": "x9", "label_vi": "a", "label_en": "b"})
    assert r.status_code == 403 and count(org, SessionLabel) == n + 1
