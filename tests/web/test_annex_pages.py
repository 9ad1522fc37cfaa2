"""Issue 16 in the admin: Phụ lục 1 and 3 pages, the records auditors and clerks enter (role,
unit scope, CSRF, bad input changes nothing), the drill-downs and the review download."""
from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from engine.persistence.db import transaction
from engine.persistence.models import AnnexRecordLog, Inspection, OutreachActivity

ARGS = "unit=P&period=custom&from=2026-01-01&to=2026-12-31"


def count(org, model) -> int:
    with transaction(org) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_auditor_records_inspections_in_scope(org, as_user):
    auditor = as_user("auditor")
    url = f"/reports/annexes/inspections?{ARGS}"
    r = auditor.post(url, data={"unit": "C1", "held_on": "04/05/2026", "kind": "inspection", "planned": "planned",
                                "bodies": "3", "heads_disciplined": "0", "heads_violating": "1",
                                "subject": "Đảng ủy xã Một", "findings": "Chưa niêm yết lịch tiếp dân"})
    assert r.status_code == 302
    assert count(org, Inspection) == 1 and count(org, AnnexRecordLog) == 1
    page = auditor.get(f"/reports/annexes?{ARGS}").get_data(as_text=True)
    row = re.search(r'<tr data-key="bodies_inspected">.*?<a href="([^"]+)">(\d+)</a>', page, re.S)
    assert row and row.group(2) == "3"
    listing = auditor.get(row.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Chưa niêm yết lịch tiếp dân" in listing and "Xã Một" in listing
    # bad input: a clear message, nothing written
    for bad, expect in (({"held_on": "31/02/2026"}, "31/02/2026"), ({"bodies": "-1"}, "không âm"),
                        ({"heads_violating": "9"}, "lớn hơn số cơ quan"), ({"kind": "audit"}, "audit")):
        data = {"unit": "C1", "held_on": "04/05/2026", "kind": "inspection", "bodies": "3", **bad}
        r = auditor.post(url, data=data)
        assert r.status_code == 400 and expect in r.get_data(as_text=True), bad
    assert count(org, Inspection) == 1
    # no CSRF token: refused
    assert auditor.post(url, data={"unit": "C1", "held_on": "04/05/2026", "kind": "inspection"},
                        token=False).status_code == 400
    # other roles may not write inspections; an auditor of a commune may not record for another one
    assert as_user("clerk1").post(url, data={"unit": "C1", "held_on": "04/05/2026",
                                             "kind": "inspection"}).status_code == 403
    c1 = as_user("c1auditor")
    assert c1.post("/reports/annexes/inspections?unit=C1", data={"unit": "C2", "held_on": "04/05/2026",
                                                                   "kind": "inspection"}).status_code == 403
    assert count(org, Inspection) == 1
    rid = listing and re.search(r'data-id="(\d+)"', listing).group(1)
    assert as_user("clerk1").post(f"/reports/annexes/inspections/{rid}/delete").status_code == 403
    assert auditor.post(f"/reports/annexes/inspections/{rid}/delete").status_code == 302
    assert count(org, Inspection) == 0 and count(org, AnnexRecordLog) == 2


def test_clerk_records_conferences_and_review_download(org, as_user):
    clerk = as_user("clerk1")
    r = clerk.post("/reports/annexes/outreach?unit=C1", data={
        "unit": "C1", "held_on": "10/03/2026", "kind": "conference", "title": "Hội nghị quán triệt Quy định 11",
        "participants": "120", "materials": "40"})
    assert r.status_code == 302 and count(org, OutreachActivity) == 1
    assert clerk.post("/reports/annexes/outreach?unit=C2", data={
        "unit": "C2", "held_on": "10/03/2026", "kind": "conference", "title": "x"}).status_code == 403
    assert as_user("auditor").post("/reports/annexes/outreach", data={
        "unit": "C1", "held_on": "10/03/2026", "kind": "conference", "title": "x"}).status_code == 403
    assert count(org, OutreachActivity) == 1
    page = as_user("auditor").get(f"/reports/annexes?{ARGS}").get_data(as_text=True)
    assert re.search(r'<tr data-key="participants">.*?>120</a>', page, re.S)
    assert 'id="download-review"' in page
    r = as_user("auditor").c.get(f"/reports/review.docx?{ARGS}")  # binary: not decoded as a page
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    from docx import Document
    text = "\n".join(p.text for p in Document(io.BytesIO(r.data)).paragraphs)
    assert "Tổ chức 01 hội nghị, lớp tập huấn với 120 lượt cán bộ, đảng viên tham gia; phát hành 40 tài liệu" in text
    # scope: a commune's leader cannot draft the province's review; a clerk cannot draft one
    assert as_user("leader1").get(f"/reports/review.docx?{ARGS}").status_code == 404
    assert as_user("clerk1").get("/reports/review.docx?unit=C1").status_code == 403
    assert as_user("auditor").get("/reports/review.docx?unit=NOPE").status_code == 400


def test_notice_drilldown(org, as_user, data):
    auditor = as_user("auditor")
    page = auditor.get(f"/reports/annexes?{ARGS}").get_data(as_text=True)
    links = re.findall(r'href="(/reports/notices/items\?[^"]+)"', page)
    assert links
    for link in links:
        assert auditor.get(link.replace("&amp;", "&")).status_code == 200
    assert auditor.get(f"/reports/notices/items?{ARGS}&figure=bogus").status_code == 400
    assert auditor.get(f"/reports/notices/items?{ARGS}&column=nowhere").status_code == 400
