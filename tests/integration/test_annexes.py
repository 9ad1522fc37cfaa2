"""Issue 16: the three annexes, the text figures and their drill-downs, on SQLite and PostgreSQL.

* Kỳ Thượng 2019–2023 (seed 000): Phụ lục 1, 2 and 3 as printed, from data entered the way
  the commune would enter it (the People's Committee chair's sessions too: they are shown
  apart, not in the annex).
* A Lào Cai-shaped history (seed 002): a province, a city that was a district-level unit
  until 30/06/2025 and wards under it; each figure checked in its column.
* As of: work done after a period leaves the period's annex unchanged.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from engine.persistence.db import transaction
from engine.reports import appendix2, appendix2_items, export
from engine.reports.annex1 import annex1, annex1_items
from engine.reports.annex3 import annex3, annex3_items
from engine.reports.figures import notice_items, text_figures
from engine.services import annex_records as rec
from engine.services import petitions as svc
from engine.services.sessions import add_session
from engine.services.units import add_unit, load_units_csv
from engine.language.errors import DomainError


def at(ctx, d: date):
    return replace(ctx, now=datetime(d.year, d.month, d.day, 3, 0, tzinfo=timezone.utc))


def add(s, ctx, unit, day, summary, **kw):
    return svc.add_petition(s, at(ctx, day), unit, summary, received_on=day, **kw).code


def act(s, ctx, code, action, day, now=None, **params):
    return svc.act(s, at(ctx, now or day), code, action, "admin", params, on=day)


# -- Kỳ Thượng ---------------------------------------------------------------------------------------------
KT_PERIOD = ("2019-02-18", "2023-12-31")


@pytest.fixture
def kythuong(org, ctx):
    """What Kỳ Thượng's office would have entered over 2019–2023."""
    with transaction(org) as s:
        add_unit(s, "KT", "Xã Kỳ Thượng", "commune", "P")
        add_unit(s, "KT-VP", "Văn phòng Đảng ủy xã Kỳ Thượng", "department", "KT")
        from engine.services.users import add_user
        add_user(s, "ktclerk", "clerk", "KT", "correct-horse-battery")
        add_user(s, "ktauditor", "auditor", "KT", "correct-horse-battery")
    days = [date(2019 + i // 12, 3 + i % 10, 10) for i in range(46)]
    with transaction(org) as s:
        for i, d in enumerate(days):  # 46 periodic receptions of the party secretary, 107 people
            add_session(s, "KT", "reception_periodic", d, people=3 if i < 15 else 2, chair="Bí thư Đảng ủy",
                        chair_role="party_secretary")
        for i in range(6):  # the People's Committee chair's: "52 cuộc tiếp" for the leaders together
            add_session(s, "KT", "reception_periodic", date(2020 + i % 4, 6, 20 + i // 4), people=4,
                        chair="Chủ tịch UBND xã", chair_role="ubnd_chair")
        for i in range(8):  # "08 cuộc đối thoại" of the party committee
            add_session(s, "KT", "dialogue_periodic" if i % 2 == 0 else "dialogue_adhoc", date(2019 + i // 2, 6, 15 + i % 2),
                        people=40, chair_role="party_secretary")
        for i in range(3):  # 11 dialogues for the leaders together
            add_session(s, "KT", "dialogue_periodic", date(2020 + i, 11, 12), people=30, chair_role="ubnd_chair")
        received = [date(2019, 6, 10), date(2020, 3, 10), date(2021, 4, 12), date(2022, 7, 11), date(2023, 2, 10),
                    date(2023, 11, 10)]
        for i, d in enumerate(received):  # five resolved with no further complaint, one being resolved
            code = add(s, ctx, "KT", d, f"Kiến nghị số {i + 1}", category="land")
            act(s, ctx, code, "conclude", d + timedelta(days=3), notice_no=f"{i + 1}-TB/ĐU", department="KT-VP")
            if i < 5:
                act(s, ctx, code, "resolve", d + timedelta(days=20), document_no=f"{i + 1}/UBND")
        # Phụ lục 1: 03 conferences, 188 participants
        for d, n, m in ((date(2019, 3, 5), 70, 70), (date(2021, 3, 9), 60, 0), (date(2023, 3, 7), 58, 0)):
            rec.add_outreach(s, "KT", d, "conference", "Hội nghị quán triệt Quy định 11-QĐi/TW", n, m, by="ktclerk")
        # Phụ lục 3: 22 planned checks, 14 bodies inspected, 12 supervised, nobody in violation
        for i in range(22):
            kind = "inspection" if i < 12 else "supervision"
            bodies = (2 if i < 2 else 1) if kind == "inspection" else (2 if i < 14 else 1)
            rec.add_inspection(s, "KT", date(2019 + i % 5, 9, 1 + i), kind, True, bodies, 0, 0,
                               subject="Chi bộ thôn", findings="Thực hiện đúng quy định", by="ktauditor")
    return org


KT_ANNEX2 = dict(receptions_periodic=46, people_periodic=107, resolved_no_further=5, in_progress=1)


def test_kythuong_annexes(kythuong):
    with transaction(kythuong) as s:
        a = appendix2(s, "KT", *KT_PERIOD)
        assert a.columns == ("commune", "district", "total")  # the seed's "Cấp xã | Cấp huyện | Tổng cộng"
        for key in __import__("engine.reports", fromlist=["KEYS"]).KEYS:
            n = KT_ANNEX2.get(key, 0)
            assert a[key] == {"commune": n, "district": 0, "total": n}, key
        assert a["dialogues"]["total"] == 8 and a["receptions_other_chairs"]["total"] == 6
        every = appendix2(s, "KT", *KT_PERIOD, chairs="all")
        assert (every["dialogues"]["total"], every["receptions_periodic"]["total"]) == (11, 52)
        one = annex1(s, "KT", *KT_PERIOD)
        assert (one["conferences"], one["meetings"], one["participants"], one["materials"]) == (3, 3, 188, 70)
        assert len(annex1_items(s, "KT", *KT_PERIOD)) == 3
        three = annex3(s, "KT", *KT_PERIOD)
        assert three.figures == {"checks_planned": 22, "checks_adhoc": 0, "bodies_inspected": 14,
                                 "bodies_supervised": 12, "heads_disciplined": 0, "heads_violating": 0}
        assert sum(x["bodies"] for x in annex3_items(s, "KT", *KT_PERIOD) if x["kind"] == "inspection") == 14
        f = text_figures(s, "KT", *KT_PERIOD)
        text = " ".join(f.sentences("commune"))
    assert "Đã tổ chức 46 cuộc tiếp dân định kỳ với 107 lượt người." in text
    assert "Tổ chức được 08 cuộc đối thoại (04 cuộc định kỳ, 04 cuộc đột xuất)" in text
    out = json.loads(export(a, "json"))
    assert out["receptions_periodic"] == {"commune": 46, "district": 0, "total": 46}


def annex1_register(s, kt):
    from engine.reports.annex1 import documents_register
    return documents_register(s, [kt], date.fromisoformat(KT_PERIOD[0]), date.fromisoformat(KT_PERIOD[1]))


def test_kythuong_annex1_documents(kythuong):
    """05 kế hoạch, 46 thông báo, 02 quyết định — read from issue 15's register of outgoing
    documents through `engine.reports.annex1.documents_by_type` (a receipt slip is not counted)."""
    from sqlalchemy import select
    from engine.persistence.models import Document, OrgUnit
    with transaction(kythuong) as s:
        kt = s.scalar(select(OrgUnit.id).where(OrgUnit.code == "KT"))
        s.add(Document(unit_id=kt, doc_type="receipt", fmt="party", year=2021, number=None, number_text=None,
                       status="issued", summary="Giấy biên nhận", issued_on=date(2021, 3, 1)))
        n = 0
        for doc_type, count in (("plan", 5), ("notice", 46), ("decision", 2)):
            for i in range(count):
                n += 1
                s.add(Document(unit_id=kt, doc_type=doc_type, fmt="party", year=2021, number=i + 1,
                               number_text=f"{i + 1}-{doc_type}/ĐU", status="registered", summary="Văn bản",
                               issued_on=date(2021, 1, 1) + timedelta(days=n)))
    with transaction(kythuong) as s:
        one = annex1(s, "KT", *KT_PERIOD)
    assert one.documents_available
    assert one.documents == {"plan": 5, "notice": 46, "decision": 2}
    assert one.documents_text() == "05 Kế hoạch, 46 Thông báo, 02 Quyết định"
    with transaction(kythuong) as s:
        listed = annex1_register(s, kt)
    assert len(listed) == 53 and listed[0]["issuer"] and listed[0]["number"]


# -- Lào Cai ------------------------------------------------------------------------------------------------
LC_PERIOD = ("2024-01-01", "2025-12-31")


@pytest.fixture
def laocai(org, ctx, tmp_path):
    """A province, the city (district level until 30/06/2025) and two wards under it; the wards
    went on under the province after the reform."""
    units = tmp_path / "units.csv"
    units.write_text("code,name,level,parent_code,valid_from,valid_to\n"
                     "LC,Tỉnh Lào Cai,province,,,\n"
                     "TP,Thành phố Lào Cai,district,LC,1992-01-01,2025-06-30\n"
                     "TP-BTD,Ban Tiếp công dân thành phố,department,TP,1992-01-01,2025-06-30\n"
                     "W1,Phường Cốc Lếu,ward,TP,,\n"
                     "W2,Xã Cam Đường,commune,TP,,\n", encoding="utf-8")
    with transaction(org) as s:
        load_units_csv(s, units)
    c: dict = {}
    with transaction(org) as s:
        # the city: 14 dialogues of the Bí thư Thành ủy (10 periodic, 4 thematic), 25 opinions, 23 answered
        tp_dialogues = [add_session(s, "TP", "dialogue_periodic" if i < 10 else "dialogue_thematic",
                                    date(2024, 1 + i % 12, 5 + i // 12), people=50, chair_role="party_secretary")
                        for i in range(14)]
        c["tp_opinions"] = []
        for i in range(25):
            code = add(s, ctx, "TP", tp_dialogues[i % 14].held_on, f"Ý kiến thành phố {i}",
                       session_id=tp_dialogues[i % 14].id)
            c["tp_opinions"].append(code)
            if i < 23:
                act(s, ctx, code, "answer_at_meeting", tp_dialogues[i % 14].held_on, note="đã trả lời")
            else:  # two needed a conclusion notice; one resolved after the meeting
                act(s, ctx, code, "conclude", tp_dialogues[i % 14].held_on + timedelta(days=1), notice_no=f"{i}-TB/TU",
                    department="TP-BTD")
                if i == 23:
                    act(s, ctx, code, "resolve", tp_dialogues[i % 14].held_on + timedelta(days=10), document_no="9/UBND")
        # the city's receptions: 5 days (3 periodic, 2 ad hoc), 12 people, by the Bí thư Thành ủy
        for i, (kind, people) in enumerate((("reception_periodic", 3), ("reception_periodic", 2),
                                            ("reception_periodic", 2), ("reception_adhoc", 3), ("reception_adhoc", 2))):
            add_session(s, "TP", kind, date(2024, 2, 5 + i), people=people, chair_role="party_secretary")
        add_session(s, "TP", "reception_periodic", date(2024, 3, 1), people=9, chair_role="ubnd_chair")  # apart
        # the wards: 8 dialogues (6 periodic, 2 ad hoc), 18 opinions of which 17 answered; 7 reception days
        ward_dialogues = [add_session(s, "W1" if i % 2 else "W2", "dialogue_periodic" if i < 6 else "dialogue_adhoc",
                                      date(2024, 4, 1 + i), people=20, chair_role="party_secretary")
                          for i in range(8)]
        for i in range(18):
            d = ward_dialogues[i % 8]
            code = add(s, ctx, d.unit.code, d.held_on, f"Ý kiến phường {i}", session_id=d.id)
            if i < 17:
                act(s, ctx, code, "answer_at_meeting", d.held_on, note="đã trả lời")
        for i in range(7):
            add_session(s, "W1", "reception_periodic" if i < 5 else "reception_adhoc", date(2024, 5, 2 + i), people=1,
                        groups=1 if i == 0 else 0, chair_role="party_secretary")
        # after the reform: a ward reception (commune column) and the province's own (province column)
        add_session(s, "W1", "reception_periodic", date(2025, 8, 4), people=2, chair_role="party_secretary")
        add_session(s, "LC", "reception_periodic", date(2025, 8, 5), people=6, chair_role="party_secretary")
        # row 8: two items escalated by W2 to the city; the city acted on one of them
        for i in range(2):
            code = add(s, ctx, "W2", date(2024, 6, 3), f"Vượt thẩm quyền {i}", group_size=8)
            up = act(s, ctx, code, "escalate", date(2024, 6, 4), reason="vượt thẩm quyền").created.code
            c[f"up{i}"] = up
        act(s, ctx, c["up0"], "conclude", date(2024, 6, 10), notice_no="1-TB/TU", department="TP-BTD")
    return org, c


def test_laocai_columns(laocai):
    org, c = laocai
    with transaction(org) as s:
        a = appendix2(s, "LC", *LC_PERIOD)
        assert a.columns == ("commune", "district", "province", "total")
        expect = {  # key: (commune, district, province)
            "receptions_periodic": (6, 3, 1), "receptions_adhoc": (2, 2, 0), "people_periodic": (7, 7, 6),
            "people_adhoc": (2, 5, 0), "groups": (1, 0, 0),
            "dialogues": (8, 14, 0), "dialogues_periodic": (6, 10, 0), "dialogues_adhoc": (2, 0, 0),
            "dialogues_thematic": (0, 4, 0), "opinions_raised": (18, 25, 0), "answered_at_meeting": (17, 23, 0),
            "resolved_after_meeting": (0, 1, 0), "directed": (0, 1, 0), "directed_crowded": (0, 1, 0),
            "receptions_other_chairs": (0, 1, 0), "people_other_chairs": (0, 9, 0),
        }
        for key, (cm, di, pr) in expect.items():
            assert a[key] == {"commune": cm, "district": di, "province": pr, "total": cm + di + pr}, key
        # drill-down: every number, every column, has its items
        for key in expect:
            for col in a.columns:
                items = appendix2_items(s, "LC", *LC_PERIOD, key, col)
                assert sum(x.get("counts", 1) for x in items) == a[key][col], (key, col)
        assert [x["code"] for x in appendix2_items(s, "LC", *LC_PERIOD, "directed", "district")] == [c["up0"]]

        f = text_figures(s, "LC", *LC_PERIOD)
        city, wards = f.level("district"), f.level("commune")
        assert (city["answered_at_meeting"], city["opinions_raised"], city["answered_rate"]) == (23, 25, 92)
        assert (wards["answered_at_meeting"], wards["opinions_raised"], wards["answered_rate"]) == (17, 18, 94)
        assert (city["resolved_after_meeting"], city["resolved_after_rate"]) == (1, 50)
        # conclusion notices: only the items that needed one; those answered at the meeting apart
        # needed: the 2 opinions not answered + the 2 escalated copies (one never concluded: overdue)
        assert city["notices_not_needed"] == 23 and city["notices_needed"] == 4
        assert (city["notices_on_time"], city["notices_open_overdue"], city["notices_on_time_rate"]) == (3, 1, 75)
        assert len(notice_items(s, "LC", *LC_PERIOD, "answered_at_meeting", "district")) == 23
        assert f.reception_days["party_secretary"]["district"]["days"] == 5
        assert f.reception_days["party_secretary"]["commune"]["days"] == 8
        assert f.reception_days["ubnd_chair"]["district"]["people"] == 9
        text = " ".join(f.sentences("district"))
        assert "23/25 ý kiến của Nhân dân được trả lời, giải quyết ngay, đạt 92%" in text
        assert "Tổ chức được 14 cuộc đối thoại (10 cuộc định kỳ, 04 cuộc chuyên đề) với 25 ý kiến" in text
        assert "Bí thư huyện ủy, thành ủy đã tiếp công dân được 05 ngày (định kỳ 03, đột xuất 02)" in text

        # one column per unit below: the province sees the city (with its wards) side by side with itself
        b = appendix2(s, "LC", *LC_PERIOD, by_unit=True)
        assert b.columns == ("LC", "TP", "total")
        assert b["receptions_periodic"] == {"LC": 1, "TP": 9, "total": 10}
        # the city alone, without the wards
        own = appendix2(s, "TP", *LC_PERIOD, scope="unit")
        assert own["receptions_periodic"]["total"] == 3 and own["dialogues"]["total"] == 14
        # a period after the reform has no district column
        assert appendix2(s, "LC", "2025-07-01", "2025-12-31").columns == ("commune", "province", "total")


# -- as of --------------------------------------------------------------------------------------------------
def test_past_period_does_not_change(org, ctx):
    period = (date(2026, 3, 1), date(2026, 3, 31))
    with transaction(org) as s:
        a_ = add(s, ctx, "C1", date(2026, 3, 2), "concluded in March, resolved in April")
        act(s, ctx, a_, "conclude", date(2026, 3, 3), notice_no="1/TB", department="C1-D1")
        b_ = add(s, ctx, "C1", date(2026, 3, 4), "resolved in March, reopened in April")
        act(s, ctx, b_, "conclude", date(2026, 3, 5), notice_no="2/TB", department="C1-D1")
        act(s, ctx, b_, "resolve", date(2026, 3, 20), document_no="5/UBND")
        c_ = add(s, ctx, "C2", date(2026, 3, 6), "escalated in March, acted on by the province in April")
        up = act(s, ctx, c_, "escalate", date(2026, 3, 9), reason="vượt thẩm quyền").created.code
        d_ = add(s, ctx, "C2", date(2026, 3, 10), "open in March, referred in April", category="cadre_degradation")
        # recorded late (in May) but dated in March: it belongs to March
        e_ = add(s, ctx, "C1", date(2026, 3, 12), "answered at the meeting, recorded in May")
        act(s, ctx, e_, "answer_at_meeting", date(2026, 3, 12), now=date(2026, 5, 4), note="đã trả lời")
    with transaction(org) as s:
        before = appendix2(s, "P", *period).to_dict()
    assert before["resolved_no_further"]["total"] == 2 and before["in_progress"]["total"] == 2
    assert before["directed"]["total"] == 0 and before["degradation_unhandled"]["total"] == 1
    with transaction(org) as s:  # the work of April and May
        act(s, ctx, a_, "resolve", date(2026, 4, 10), document_no="6/UBND")
        act(s, ctx, b_, "reopen", date(2026, 4, 12), reason="còn kiến nghị")
        act(s, ctx, up, "conclude", date(2026, 4, 14), notice_no="3/TB", department="P-D")
        act(s, ctx, d_, "refer", date(2026, 5, 2), agency="Tòa án")
    with transaction(org) as s:
        after = appendix2(s, "P", *period).to_dict()
        items = {x["code"]: x["state"] for x in appendix2_items(s, "P", *period, "in_progress")}
        later = appendix2(s, "P", "2026-03-01", "2026-05-31")
    assert after == before
    assert items == {a_: "in_resolution", d_: "received"}  # drill-down lists the states as they stood
    # a period that takes the work in sees it
    assert later["directed"]["total"] == 1 and later["resolved_still_complained"]["total"] == 1
    assert later["guided_elsewhere"]["total"] == 1


# -- records: who may write them, bad input ----------------------------------------------------------------
def test_records_scope_and_input(org):
    with transaction(org) as s:
        rec.add_inspection(s, "C1", "2026-05-04", "inspection", True, 3, 1, 0, by="pauditor")
        rec.add_inspection(s, "C1", "04/05/2026", "supervision", "adhoc", 2, by="c1auditor")
    bad = [
        (lambda s: rec.add_inspection(s, "C2", "2026-05-04", "inspection", by="c1auditor"), "annex_record_out_of_scope"),
        (lambda s: rec.add_inspection(s, "C1", "2026-05-04", "inspection", by="clerk1"), "role_cannot"),
        (lambda s: rec.add_outreach(s, "C1", "2026-05-04", "conference", "Hội nghị", by="auditor"), "role_cannot"),
        (lambda s: rec.add_outreach(s, "C2", "2026-05-04", "conference", "Hội nghị", by="clerk1"),
         "annex_record_out_of_scope"),
        (lambda s: rec.add_inspection(s, "C1", "2026-13-04", "inspection", by="pauditor"), "bad_date"),
        (lambda s: rec.add_inspection(s, "C1", "2099-01-04", "inspection", by="pauditor"), "date_in_future"),
        (lambda s: rec.add_inspection(s, "C1", "2026-05-04", "audit", by="pauditor"), "bad_choice"),
        (lambda s: rec.add_inspection(s, "C1", "2026-05-04", "inspection", True, 1, 1, 1, by="pauditor"),
         "heads_exceed_bodies"),
        (lambda s: rec.add_inspection(s, "C1", "2026-05-04", "inspection", True, -1, by="pauditor"), "negative_count"),
        (lambda s: rec.add_outreach(s, "C1", "2026-05-04", "conference", "", by="clerk1"), "missing_field"),
        (lambda s: rec.add_outreach(s, "C1", "2026-05-04", "conference", "x" * 300, by="clerk1"), "too_long"),
        (lambda s: rec.add_outreach(s, "NOPE", "2026-05-04", "conference", "Hội nghị", by="clerk1"), "unknown_unit"),
        (lambda s: rec.delete_inspection(s, 999999, by="pauditor"), "unknown_annex_record"),
    ]
    for call, code in bad:
        with pytest.raises(DomainError) as exc:
            with transaction(org) as s:
                call(s)
        assert exc.value.code == code, (code, exc.value.code)
        assert exc.value.message("vi") and exc.value.message("en")
    with transaction(org) as s:
        three = annex3(s, "P", "2026-01-01", "2026-12-31")
        assert (three["checks_planned"], three["checks_adhoc"], three["bodies_inspected"],
                three["bodies_supervised"], three["heads_disciplined"]) == (1, 1, 3, 2, 1)
        first = annex3_items(s, "P", "2026-01-01", "2026-12-31")[0]["id"]
        log = s.execute(__import__("sqlalchemy").text("select count(*) from annex_record_log")).scalar()
        assert log == 2
    with pytest.raises(DomainError):  # an auditor of another commune may not remove it
        with transaction(org) as s:
            from engine.services.users import add_user
            add_user(s, "c2auditor", "auditor", "C2", "correct-horse-battery")
        with transaction(org) as s:
            rec.delete_inspection(s, first, by="c2auditor")
    with transaction(org) as s:
        rec.delete_inspection(s, first, by="c1auditor")
        assert annex3(s, "P", "2026-01-01", "2026-12-31")["checks_planned"] == 0


# -- the review and the CLI --------------------------------------------------------------------------------
def run_cli(db, *args):
    import os
    import subprocess
    import sys
    env = dict(os.environ, DATABASE_URL=db.url.render_as_string(hide_password=False), PETITIONS_LANG="vi")
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, env=env, timeout=120)


def _docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    import io
    from docx import Document
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return text, tables


def test_review_cli(kythuong, tmp_path):
    out = tmp_path / "review.docx"
    r = run_cli(kythuong, "report", "review", "--unit", "KT", "--from", KT_PERIOD[0], "--to", "31/12/2023",
                "--format", "docx", "--out", str(out))
    assert r.returncode == 0, r.stderr.decode()
    text, tables = _docx_text(out.read_bytes())
    for heading in ("I. ĐẶC ĐIỂM TÌNH HÌNH", "II. KẾT QUẢ THỰC HIỆN", "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
                    "IV. NHIỆM VỤ, GIẢI PHÁP", "PHỤ LỤC 1", "PHỤ LỤC 2", "PHỤ LỤC 3", "BIỂU TỔNG HỢP"):
        assert heading in text, heading
    assert "Đã tổ chức 46 cuộc tiếp dân định kỳ với 107 lượt người." in text
    assert "11 cuộc đối thoại; 52 cuộc tiếp công dân" in text and "08 cuộc đối thoại, 46 cuộc tiếp công dân" in text
    assert "Tổ chức 03 hội nghị, lớp tập huấn với 188 lượt cán bộ, đảng viên tham gia" in text
    assert "Đã tổ chức 22 cuộc kiểm tra, giám sát (22 cuộc theo chương trình, kế hoạch; 0 cuộc đột xuất); " \
           "kiểm tra 14, giám sát 12 cơ quan" in text
    annex2 = next(t for t in tables if t[0][:3] == ["STT", "Nội dung", "Chi tiết"] and "Cấp huyện" in t[0])
    assert annex2[0][3:] == ["Cấp xã", "Cấp huyện", "Tổng cộng"]
    assert annex2[1][3:] == ["46", "0", "46"] and annex2[3][3:] == ["107", "0", "107"]
    annex3_rows = next(t for t in tables if t[0][3:4] == ["Số cuộc"])
    assert [row[3] for row in annex3_rows[1:]] == ["22", "0", "14", "12", "0", "0"]
    sources = tables[-1]
    assert sources[0] == ["Số liệu", "Giá trị", "Danh sách chi tiết trong hệ thống"]
    # every figure has its list in the admin; the one for 46 receptions lists the 46 sessions
    assert any(row[1] == "46" and "/reports/appendix2/items?" in row[2] and "key=receptions_periodic" in row[2]
               for row in sources[1:])
    assert all(row[2].startswith("/reports/") for row in sources[1:])

    r = run_cli(kythuong, "report", "appendix2", "--unit", "KT", "--from", KT_PERIOD[0], "--to", KT_PERIOD[1],
                "--format", "json", "--chairs", "all")
    assert r.returncode == 0, r.stderr.decode()
    out = json.loads(r.stdout)
    assert out["receptions_periodic"] == {"commune": 52, "district": 0, "total": 52}
    assert out["dialogues_periodic"]["total"] + out["dialogues_adhoc"]["total"] == 11
    for cmd in ("annex1", "annex3", "figures"):
        r = run_cli(kythuong, "report", cmd, "--unit", "KT", "--from", KT_PERIOD[0], "--to", KT_PERIOD[1],
                    "--format", "json")
        assert r.returncode == 0, (cmd, r.stderr.decode())
    r = run_cli(kythuong, "report", "review", "--unit", "NOPE", "--from", KT_PERIOD[0], "--to", KT_PERIOD[1],
                "--out", str(tmp_path / "x.docx"))
    err = r.stderr.decode().strip()
    assert r.returncode == 2 and "NOPE" in err and "Traceback" not in err and not (tmp_path / "x.docx").exists()
    r = run_cli(kythuong, "records", "inspection", "--unit", "KT", "--on", "2023-05-02", "--kind", "inspection",
                "--bodies", "2", "--by", "ktclerk")
    assert r.returncode != 0 and "Traceback" not in r.stderr.decode()
    r = run_cli(kythuong, "records", "inspection", "--unit", "KT", "--on", "2023-05-02", "--kind", "inspection",
                "--bodies", "2", "--adhoc", "--by", "ktauditor")
    assert r.returncode == 0, r.stderr.decode()
    with transaction(kythuong) as s:
        assert annex3(s, "KT", *KT_PERIOD)["checks_adhoc"] == 1
