"""The 2025 reform in a real browser (issue 18): on the demo, the province's administrator
builds a district with its communes as they were before 01/07/2025 (add, move), merges two
communes into a new commune under the province (preview, then save), then merges the
district into the province; an auditor of the province then opens Phụ lục 2 for 2023, which
still shows the district with its 2023 figures, and for 2026, which shows the successor.
Every page is laid out on a phone (390 px) and no page raises a script error."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.intake.demo import DEMO_PASSWORD
from engine.persistence.db import transaction
from engine.persistence.models import AdminEvent, OrgUnit, Petition, ReceptionSession, UnitSuccession, User
from tests.e2e.test_admin_journeys import sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 800}
REFORM = "01/07/2025"
DISTRICT, DISTRICT_NAME = "HKYANH", "Huyện Kỳ Anh"
KEPT, KEPT_NAME = "KYXUAN", "Xã Kỳ Xuân"           # a commune of the district that is not merged
MERGED = ("KYLAC", "KYTHUONG")                       # demo communes, moved under the district first
NEW, NEW_NAME = "KYLACTHUONG", "Xã Kỳ Lạc Thượng"    # their successor from 01/07/2025
WIDE = "() => [document.documentElement.scrollWidth, window.innerWidth]"


class Journey:
    """One browser page with the checks every page gets: no script error, no sideways scroll
    at 390 px (as tests/e2e/test_admin_journeys.py measures it), a screenshot."""

    def __init__(self, page, shots):
        self.page, self.shots, self.errors, self.wide = page, shots, [], []
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def check(self, name):
        self.page.wait_for_load_state()
        size = self.page.evaluate(WIDE)
        if size[0] > size[1]:
            self.wide.append((name, self.page.url, size))
        self.shots(self.page, name)


def _db_state(engine):
    """What a reorganisation may change: units (parent, dates), where cases, sessions and
    users belong, successions and the admin log."""
    with transaction(engine) as s:
        return ([(u.code, u.parent_id, u.valid_from, u.valid_to) for u in s.scalars(select(OrgUnit).order_by(OrgUnit.id))],
                list(s.execute(select(Petition.id, Petition.unit_id, Petition.department_id).order_by(Petition.id))),
                list(s.execute(select(ReceptionSession.id, ReceptionSession.unit_id).order_by(ReceptionSession.id))),
                list(s.execute(select(User.id, User.unit_id, User.session_epoch).order_by(User.id))),
                s.scalar(select(func.count(UnitSuccession.id))), s.scalar(select(func.count(AdminEvent.id))))


def _expected_moves(engine, code, effective: date):
    """Counted here from the tables, independently of the service the page calls."""
    from engine.workflow.definition import load_workflow
    open_states = tuple(load_workflow().open_states)
    with transaction(engine) as s:
        uid = s.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
        cases = s.scalar(select(func.count()).select_from(Petition)
                         .where(Petition.unit_id == uid, Petition.state.in_(open_states)))
        planned = s.scalar(select(func.count()).select_from(ReceptionSession)
                           .where(ReceptionSession.unit_id == uid, ReceptionSession.status == "planned",
                                  ReceptionSession.held_on >= effective))
        users = s.scalar(select(func.count()).select_from(User).where(User.unit_id == uid))
    return cases, planned, users


def _preview_row(page, code):
    cells = page.locator(f'#preview-table tr[data-unit="{code}"] td.n').all_inner_texts()
    return tuple(int(c) for c in cells[:3])  # open cases, planned sessions, users


def _annex(page, base, year, by_unit):
    page.goto(f"{base}/reports/appendix2")
    page.fill("#report-form input[name=unit]", "HT")
    page.select_option("#report-form select[name=period]", "year")
    page.fill("#report-form input[name=year]", str(year))
    box = page.locator("#report-form input[name=by_unit]")
    box.check() if by_unit else box.uncheck()
    page.click("#report-form button")
    page.wait_for_load_state()
    assert page.locator("#appendix2-table").count() == 1, page.content()[-2000:]


def _cell(page, key, column):
    return int(page.locator(f'#appendix2-table tr[data-key="{key}"] a[data-column="{column}"]').inner_text())


def test_the_2025_reform_from_preview_to_a_2023_report(chromium, demo_server, shots):
    from engine.reports.appendix2 import appendix2
    base, engine = demo_server
    with transaction(engine) as s:  # the demo (2025–2026) has nothing in 2023: the figures below are ours alone
        before = appendix2(s, "HT", "2023-01-01", "2023-12-31")
        assert before["receptions_periodic"]["total"] == 0 and before["resolved_no_further"]["total"] == 0
        assert s.scalar(select(OrgUnit.id).where(OrgUnit.level == "district")) is None  # the demo lacks the old shape

    ctx = chromium.new_context(viewport=PHONE)
    j = Journey(ctx.new_page(), shots)
    page = j.page
    sign_in(page, base, "admin", DEMO_PASSWORD, "vi")
    assert "/login" not in page.url

    # 1. The pre-reform shape, through the administrator's own pages: the district (in force
    # since 2020), a commune added under it, two demo communes moved under it.
    page.goto(f"{base}/admin/units/")
    for code, name, level, parent in [(DISTRICT, DISTRICT_NAME, "district", "HT"), (KEPT, KEPT_NAME, "commune", DISTRICT)]:
        page.goto(f"{base}/admin/units/")
        page.fill("#unit-add #code", code)
        page.fill("#unit-add #name", name)
        page.select_option("#unit-add #level", level)
        page.select_option("#unit-add #parent", parent)
        page.fill("#unit-add #valid_from", "01/01/2020")
        page.click("#unit-add button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == name
    for code in MERGED:
        page.goto(f"{base}/admin/units/")
        page.click(f'#unit-tree tr:has(code:text-is("{code}")) a')
        page.wait_for_load_state()
        page.select_option("#unit-move #parent", DISTRICT)
        page.click("#unit-move button[type=submit]")
        page.wait_for_load_state()
    j.check("pre-reform-unit")
    # The cases and sessions of 2023 have no page of their own here (the desk receives today's
    # letters): they go in through the engine's services, on the server's own database.
    from engine.services.petitions import Context, act, add_petition
    from engine.services.sessions import add_session
    ctx_now = Context()
    with transaction(engine) as s:
        p = add_petition(s, ctx_now, "KYLAC", "Tranh chấp ranh giới đất năm 2023", received_on="2023-03-01")
        act(s, ctx_now, p.code, "conclude", "vanthu.kylac", {"notice_no": "1-TB", "department": "KYLAC-DC"}, on="2023-03-02")
        act(s, ctx_now, p.code, "resolve", "vanthu.kylac", {"document_no": "2/QĐ", "outcome": "Đã giải quyết"}, on="2023-03-10")
        act(s, ctx_now, p.code, "close", "vanthu.kylac", {}, on="2023-03-15")
        case_2023 = p.code
        add_session(s, "KYLAC", "reception_periodic", "2023-04-05", people=3)
        add_session(s, DISTRICT, "reception_periodic", "2023-05-10", people=5)
    with transaction(engine) as s:
        dist = s.scalar(select(OrgUnit).where(OrgUnit.code == DISTRICT))
        assert dist.valid_from == date(2020, 1, 1) and dist.parent.code == "HT"
        assert {u.code for u in s.scalars(select(OrgUnit).where(OrgUnit.parent_id == dist.id))} == {KEPT, *MERGED}

    # 2. The communes merge into a new commune under the province: preview first.
    page.goto(f"{base}/admin/units/")
    page.click("#reorganise-link")
    page.wait_for_load_state()
    page.fill("#sources", ", ".join(MERGED))
    page.fill("#effective_on", REFORM)
    page.select_option("#target", "")
    page.fill("#new_code", NEW)
    page.fill("#new_name", NEW_NAME)
    page.select_option("#new_level", "commune")
    page.select_option("#new_parent", "HT")
    expected = {c: _expected_moves(engine, c, date(2025, 7, 1)) for c in MERGED}
    assert sum(e[0] for e in expected.values()) > 0 and sum(e[2] for e in expected.values()) > 0  # something moves
    state = _db_state(engine)
    page.click("#do-preview")
    page.wait_for_load_state()
    j.check("merge-communes-preview")
    assert page.locator("#preview").count() == 1
    assert NEW_NAME in page.locator("#preview").inner_text() and "01/07/2025" in page.locator("#preview").inner_text()
    for code in MERGED:
        assert _preview_row(page, code) == expected[code], code
    with transaction(engine) as s:  # what stays with Kỳ Lạc: its closed cases, the 2023 one among them
        kylac = s.scalar(select(OrgUnit.id).where(OrgUnit.code == "KYLAC"))
        staying = s.scalar(select(func.count()).select_from(Petition).where(Petition.unit_id == kylac)) - expected["KYLAC"][0]
    assert int(page.locator('#preview-table tr[data-unit="KYLAC"] td').nth(6).inner_text()) == staying >= 1
    assert _db_state(engine) == state  # the preview saved nothing
    with transaction(engine) as s:
        assert s.scalar(select(OrgUnit.id).where(OrgUnit.code == NEW)) is None
    page.click("#do-save")
    page.wait_for_load_state()
    j.check("merge-communes-saved")
    assert page.locator("h1").inner_text() == NEW_NAME
    moved = sum(e[0] for e in expected.values())
    flash = page.locator(".flash-info").inner_text()
    assert flash.startswith("Đã lưu") and f"{moved} " in flash, flash  # the flash counts the open cases that moved
    with transaction(engine) as s:
        new = s.scalar(select(OrgUnit).where(OrgUnit.code == NEW))
        assert new.parent.code == "HT" and new.valid_from == date(2025, 7, 1)
        for code in MERGED:
            old = s.scalar(select(OrgUnit).where(OrgUnit.code == code))
            assert old.valid_to == date(2025, 6, 30) and old.parent.code == DISTRICT  # history keeps the old tree
        assert s.scalar(select(func.count()).select_from(User).where(User.unit_id == new.id)) == \
            sum(e[2] for e in expected.values())
        assert s.scalar(select(Petition).where(Petition.code == case_2023)).unit.code == "KYLAC"

    # 3. The district merges into the province: its remaining commune comes under the province.
    page.goto(f"{base}/admin/units/reorganise")
    page.fill("#sources", DISTRICT)
    page.fill("#effective_on", REFORM)
    page.select_option("#target", "HT")
    state = _db_state(engine)
    page.click("#do-preview")
    page.wait_for_load_state()
    j.check("merge-district-preview")
    assert _preview_row(page, DISTRICT) == _expected_moves(engine, DISTRICT, date(2025, 7, 1))
    assert page.locator(f'#preview-table tr[data-unit="{DISTRICT}"] td').nth(5).inner_text() == "1"  # Kỳ Xuân
    assert page.locator(f'#preview-table tr[data-unit="{DISTRICT}"] td').nth(7).inner_text() == "1"  # 2023 session
    assert _db_state(engine) == state
    page.click("#do-save")
    page.wait_for_load_state()
    j.check("merge-district-saved")
    with transaction(engine) as s:
        ht = s.scalar(select(OrgUnit).where(OrgUnit.code == "HT"))
        dist = s.scalar(select(OrgUnit).where(OrgUnit.code == DISTRICT))
        assert dist.valid_to == date(2025, 6, 30) and dist.parent_id == ht.id
        assert s.scalar(select(OrgUnit.parent_id).where(OrgUnit.code == KEPT)) == ht.id
        assert {(x.predecessor.code, x.successor.code) for x in s.scalars(select(UnitSuccession))} == \
            {("KYLAC", NEW), ("KYTHUONG", NEW), (DISTRICT, "HT")}
    page.goto(f"{base}/admin/units/")
    j.check("units-after-reform")
    assert page.locator("#successions").count() == 1 and DISTRICT_NAME in page.locator("#successions").inner_text()

    # 4. Phụ lục 2 is for auditors and leaders (not the administrator's role): the province's
    # auditor opens it on their own phone.
    actx = chromium.new_context(viewport=PHONE)
    a = Journey(actx.new_page(), shots)
    sign_in(a.page, base, "ubkt", DEMO_PASSWORD, "vi")
    assert "/login" not in a.page.url
    _annex(a.page, base, 2023, by_unit=False)
    a.check("annex-2023-levels")
    header = a.page.locator("#appendix2-table thead").inner_text()
    assert "Cấp huyện" in header
    assert _cell(a.page, "receptions_periodic", "district") == 1      # the district's own session
    assert _cell(a.page, "people_periodic", "district") == 5
    assert _cell(a.page, "receptions_periodic", "commune") == 1       # Kỳ Lạc's, at commune level
    assert _cell(a.page, "resolved_no_further", "commune") == 1
    _annex(a.page, base, 2023, by_unit=True)
    a.check("annex-2023-by-unit")
    header = a.page.locator("#appendix2-table thead").inner_text()
    assert DISTRICT_NAME in header and NEW_NAME not in header  # the successor did not exist in 2023
    assert _cell(a.page, "receptions_periodic", DISTRICT) == 2       # its own and Kỳ Lạc's, below it then
    assert _cell(a.page, "people_periodic", DISTRICT) == 8
    assert _cell(a.page, "resolved_no_further", DISTRICT) == 1
    assert _cell(a.page, "receptions_periodic", "total") == 2
    _annex(a.page, base, 2026, by_unit=True)
    a.check("annex-2026-by-unit")
    header = a.page.locator("#appendix2-table thead").inner_text()
    assert NEW_NAME in header and a.page.locator(f'#appendix2-table a[data-column="{NEW}"]').count() > 0
    assert DISTRICT_NAME not in header  # abolished on 30/06/2025: no column in a 2026 annex
    with transaction(engine) as s:  # the successor's open cases of 2026, as row 7 counts them
        new_id = s.scalar(select(OrgUnit.id).where(OrgUnit.code == NEW))
        in_progress = s.scalar(select(func.count()).select_from(Petition).where(
            Petition.unit_id == new_id, Petition.received_on >= date(2026, 1, 1), Petition.received_on <= date(2026, 12, 31),
            Petition.state.in_(("received", "in_resolution")), Petition.reopen_count == 0,
            Petition.escalated_from_id.is_(None), Petition.duplicate_of_id.is_(None)))
    assert _cell(a.page, "in_progress", NEW) == in_progress

    # 5. No script error, nothing wider than the phone.
    assert not j.errors and not a.errors, (j.errors, a.errors)
    assert not j.wide and not a.wide, (j.wide, a.wide)
    ctx.close()
    actx.close()
