"""`petitions import` carries the whole history a register holds: notices, departments,
extensions, resolutions, reopenings, referrals, escalations (linked or opened at the parent
unit), closing, and the chair's role — on SQLite and PostgreSQL, one transaction per file.

The register below (Xã Một, June–August 2026, no public holiday in it) was worked out by
hand; the due dates are written next to each case (10 working days for the notice, 30 for
the written resolution, Regulation 11)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from engine.deadlines.timeutil import local_date
from engine.intake.importer import ImportRejected, import_file
from engine.persistence import eventlog
from engine.persistence.db import transaction
from engine.persistence.models import Clock, ClockJournal, Event, OutboxMessage, Petition, ReceptionSession
from engine.reports import appendix2
from engine.reports.ontime import ontime_report

HEADER = ["mã", "loại bản ghi", "đơn vị", "ngày", "hình thức", "số lượt người", "người chủ trì", "vai trò chủ trì",
          "mã buổi tiếp", "nội dung", "người gửi", "ngày trả lời tại buổi tiếp", "nội dung trả lời", "số thông báo",
          "ngày thông báo", "phòng ban", "số văn bản trả lời", "ngày giải quyết", "thuộc đơn", "bước xử lý", "lý do",
          "số ngày gia hạn", "gia hạn đến ngày", "cơ quan hướng dẫn", "mã đơn cấp trên"]
COL = {h: i for i, h in enumerate(HEADER)}


def row(**kw) -> list[str]:
    names = {"ref": "mã", "record": "loại bản ghi", "unit": "đơn vị", "date": "ngày", "kind": "hình thức",
             "people": "số lượt người", "chair": "người chủ trì", "role": "vai trò chủ trì", "session": "mã buổi tiếp",
             "summary": "nội dung", "petitioner": "người gửi", "answered": "ngày trả lời tại buổi tiếp",
             "answer": "nội dung trả lời", "notice_no": "số thông báo", "notice_on": "ngày thông báo",
             "dept": "phòng ban", "doc": "số văn bản trả lời", "resolved": "ngày giải quyết", "of": "thuộc đơn",
             "action": "bước xử lý", "reason": "lý do", "days": "số ngày gia hạn", "until": "gia hạn đến ngày",
             "agency": "cơ quan hướng dẫn", "up": "mã đơn cấp trên"}
    out = [""] * len(HEADER)
    for k, v in kw.items():
        out[COL[names[k]]] = v
    return out


def step(of, action, date, **kw):
    return row(record="diễn biến", of=of, action=action, date=date, **kw)


def petition(ref, unit, date, summary, **kw):
    return row(ref=ref, record="đơn", unit=unit, date=date, summary=summary, petitioner="Người gửi " + ref, **kw)


SESSIONS = [
    row(ref="S1", record="buổi tiếp", unit="C1", date="01/06/2026", kind="định kỳ", people="5", chair="Bí thư Đảng ủy"),
    row(ref="S2", record="buổi tiếp", unit="C1", date="02/06/2026", kind="đột xuất", people="2",
        chair="Đ/c Lê Văn Hùng - Chủ tịch UBND xã"),
    row(ref="S3", record="buổi tiếp", unit="P", date="03/06/2026", kind="định kỳ", people="7", chair="Bí thư Tỉnh ủy"),
    # a column, when filled, says the role (here by its label); the chair is then only a name
    row(ref="S4", record="buổi tiếp", unit="C2", date="04/06/2026", kind="định kỳ", people="1", chair="Nguyễn Văn X",
        role="Chủ tịch HĐND"),
    row(ref="S5", record="buổi tiếp", unit="C2", date="05/06/2026", kind="định kỳ", people="1",
        chair="Bí thư Đảng ủy, Chủ tịch HĐND xã"),
]
REGISTER = SESSIONS + [
    # A: notice on time (due 15/06), resolution due 17/07 extended by 10 days to 31/07, resolved
    # 28/07 (on time), reopened 10/08, resolved again 25/08 (due 23/09), closed 28/08.
    petition("A", "C1", "01/06/2026", "Tranh chấp ranh giới đất", session="S1"),
    step("A", "thông báo kết luận", "05/06/2026", notice_no="1-TB/ĐU", dept="C1-D1"),
    step("A", "gia hạn", "10/07/2026", reason="Cần đo đạc lại", days="10"),
    step("A", "giải quyết", "28/07/2026", doc="15/UBND"),
    step("A", "mở lại", "10/08/2026", reason="Công dân còn kiến nghị"),
    step("A", "giải quyết", "25/08/2026", doc="22/UBND"),
    step("A", "kết thúc", "28/08/2026"),
    # B: notice due 16/06, issued 22/06 (late); resolution due 03/08, still open on 31/08.
    petition("B", "C1", "02/06/2026", "Đường liên thôn xuống cấp", session="S2"),
    step("B", "conclude", "22/06/2026", notice_no="2-TB/ĐU", dept="C1-D2"),
    # C: escalated on 08/06 to the province, which holds it as PC (received 09/06): notice
    # 12/06 (due 23/06, on time), resolution due 24/07, resolved 30/07 (late), closed 05/08.
    petition("C", "C1", "03/06/2026", "Khiếu nại quyết định thu hồi đất"),
    step("C", "báo cáo cấp trên", "08/06/2026", reason="Vượt thẩm quyền cấp xã", up="PC"),
    petition("PC", "P", "09/06/2026", "Khiếu nại quyết định thu hồi đất (xã Một báo cáo)"),
    step("PC", "Ra thông báo kết luận", "12/06/2026", notice_no="5-TB/TU", dept="P-D"),
    step("PC", "trả lời bằng văn bản", "30/07/2026", doc="88/UBND"),
    step("PC", "close", "05/08/2026"),
    # E: answered at the meeting (the old progress columns)
    petition("E", "C1", "01/06/2026", "Hỏi về chế độ chính sách", session="S1", answered="01/06/2026",
             answer="Đã giải thích tại buổi tiếp"),
    # F: guided to the court on 12/06
    petition("F", "C1", "10/06/2026", "Tranh chấp thừa kế"),
    step("F", "hướng dẫn", "12/06/2026", agency="Tòa án nhân dân huyện"),
    # G: the old progress columns only: notice 18/06, resolution due 30/07, resolved 20/07
    petition("G", "C1", "15/06/2026", "Cấp giấy chứng nhận quyền sử dụng đất", notice_no="3-TB/ĐU",
             notice_on="18/06/2026", dept="C1-D2", doc="31/UBND", resolved="20/07/2026"),
    # H: resolution due 14/08, extended by 5 days (21/08), then to 15/09: on track on 31/08
    petition("H", "C1", "01/07/2026", "Ô nhiễm từ cơ sở chăn nuôi"),
    step("H", "conclude", "03/07/2026", notice_no="4-TB/ĐU", dept="C1-D1"),
    step("H", "gia hạn", "10/08/2026", reason="Chờ kết quả quan trắc", days="5"),
    step("H", "gia hạn", "20/08/2026", reason="Chờ ý kiến sở", until="15/09/2026"),
    # I: extension written before the notice of the same day: the notice goes first.
    # Resolution due 19/08, extended by 10 days to 04/09.
    petition("I", "C1", "06/07/2026", "Thu hồi đất làm đường"),
    step("I", "gia hạn", "08/07/2026", reason="Vụ việc phức tạp", days="10"),
    step("I", "conclude", "08/07/2026", notice_no="6-TB/ĐU", dept="C1-D1"),
]


def write_csv(path: Path, rows, header=HEADER) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def totals(db):
    with transaction(db) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in
                     (ReceptionSession, Petition, Clock, Event, ClockJournal, OutboxMessage))


def by_ref(s, ref) -> Petition:
    return s.scalar(select(Petition).where(Petition.external_ref == ref))


def test_a_register_with_every_kind_of_history(org, ctx, tmp_path):
    f = write_csv(tmp_path / "so.csv", REGISTER)
    with transaction(org) as s:
        res = import_file(s, ctx, f, by="admin")
    assert (res.sessions, res.petitions, res.history, res.rejected) == (5, 9, 17, [])
    with transaction(org) as s:
        roles = dict(s.execute(select(ReceptionSession.external_ref, ReceptionSession.chair_role)).all())
        assert roles == {"S1": "party_secretary", "S2": "ubnd_chair", "S3": "party_secretary", "S4": "hdnd_chair",
                         "S5": "party_secretary"}
        a = by_ref(s, "A")
        assert (a.state, a.reopen_count, a.notice_no, a.notice_on.isoformat(), a.department.code, a.document_no,
                a.resolved_on.isoformat(), a.closed_on.isoformat()) == (
            "closed", 1, "1-TB/ĐU", "2026-06-05", "C1-D1", "22/UBND", "2026-08-25", "2026-08-28")
        assert [(c.name, c.status, c.due_date.isoformat(), c.original_due_date.isoformat(), c.extensions)
                for c in a.clocks] == [("conclusion", "met", "2026-06-15", "2026-06-15", 0),
                                       ("resolution", "met", "2026-07-31", "2026-07-17", 1),
                                       ("resolution", "met", "2026-09-23", "2026-09-23", 0)]
        events = s.scalars(select(Event).where(Event.petition_id == a.id).order_by(Event.seq)).all()
        assert [(e.action, e.effective_on.isoformat()) for e in events] == [
            ("import", "2026-06-01"), ("conclude", "2026-06-05"), ("extend", "2026-07-10"), ("resolve", "2026-07-28"),
            ("reopen", "2026-08-10"), ("resolve", "2026-08-25"), ("close", "2026-08-28")]
        assert events[2].data["reason"] == "Cần đo đạc lại" and events[2].data["new_due"] == "2026-07-31"
        # the due date moved on the day of the extension, not on the day of the import
        j = s.scalar(select(ClockJournal).where(ClockJournal.clock_id == a.clocks[1].id))
        assert (j.old_due.isoformat(), j.new_due.isoformat(), j.cause) == ("2026-07-17", "2026-07-31", "extension")
        assert local_date(j.at).isoformat() == "2026-07-10"

        c, pc = by_ref(s, "C"), by_ref(s, "PC")
        assert c.state == "escalated" and c.escalated_to_id == pc.id and pc.escalated_from_id == c.id
        assert pc.unit.code == "P" and pc.received_on.isoformat() == "2026-06-09" and pc.state == "closed"
        assert [(x.name, x.status) for x in pc.clocks] == [("conclusion", "met"), ("resolution", "late")]
        c_events = s.scalars(select(Event).where(Event.petition_id == c.id).order_by(Event.seq)).all()
        assert c_events[-1].action == "escalate" and c_events[-1].data["escalated_to"] == pc.code
        pc_first = s.scalar(select(Event).where(Event.petition_id == pc.id, Event.seq == 1))
        assert pc_first.data["escalated_from"] == c.code
        assert s.scalar(select(func.count()).select_from(Petition).where(Petition.unit_id == pc.unit_id)) == 1

        i = by_ref(s, "I")
        assert i.state == "in_resolution" and i.clock("resolution").due_date.isoformat() == "2026-09-04"
        h = by_ref(s, "H")
        assert h.clock("resolution").due_date.isoformat() == "2026-09-15" and h.clock("resolution").extensions == 2
        assert by_ref(s, "F").referred_agency == "Tòa án nhân dân huyện"
        for p in s.scalars(select(Petition)):
            assert eventlog.verify(s, p) == [], p.code

        # Phụ lục 2, Xã Một, June–August 2026
        x = appendix2(s, "C1", "2026-06-01", "2026-08-31")
        # the annex counts the party head's receptions (issue 16): S2, chaired by the People's
        # Committee chair (read from the title), is counted apart, and with every chair
        assert x["receptions_periodic"]["total"] == 1 and x["receptions_adhoc"]["total"] == 0
        assert x["people_periodic"]["total"] == 5 and x["people_adhoc"]["total"] == 0
        every = appendix2(s, "C1", "2026-06-01", "2026-08-31", chairs="all")
        assert every["receptions_adhoc"]["total"] == 1 and every["people_adhoc"]["total"] == 2
        assert x["resolved_no_further"]["total"] == 2          # E answered, G resolved
        assert x["resolved_still_complained"]["total"] == 1    # A reopened
        assert x["in_progress"]["total"] == 3                  # B, H, I
        assert x["guided_elsewhere"]["total"] == 1             # F
        assert x["directed"]["total"] == 0
        # … and the province: the case the commune escalated, directed there (row 8)
        y = appendix2(s, "P", "2026-06-01", "2026-08-31")
        assert y["directed"]["province"] == 1 and y["directed"]["commune"] == 0
        # S1 and S5 are the party head's; S4 (the People's Council chair, from the role column) is apart
        assert y["receptions_periodic"]["province"] == 1 and y["receptions_periodic"]["commune"] == 2
        assert appendix2(s, "P", "2026-06-01", "2026-08-31", chairs="all")["receptions_periodic"]["commune"] == 3

        # on time, as of the period's end
        rep = ontime_report(s, "C1", "2026-06-01", "2026-08-31", today=ctx.instant().date())
        got = {row.clock: {k: getattr(row, k) for k in ("met_on_time", "met_late", "open_overdue", "open_on_track",
                                                          "answered_at_meeting", "extended")} for row in rep.totals}
        # E was answered at the meeting: no notice was needed, it is counted apart
        assert got["conclusion"] == {"met_on_time": 6, "met_late": 1, "open_overdue": 0, "open_on_track": 0,
                                     "answered_at_meeting": 1, "extended": 0}
        assert got["resolution"] == {"met_on_time": 3, "met_late": 0, "open_overdue": 1, "open_on_track": 2,
                                     "answered_at_meeting": 0, "extended": 3}
        # as of 20/07 the extension of A (10/07) had been granted: A is on track, not overdue
        mid = ontime_report(s, "C1", "2026-06-01", "2026-07-20", as_of="2026-07-20", today=ctx.instant().date())
        res_mid = next(r for r in mid.totals if r.clock == "resolution")
        assert (res_mid.met_on_time, res_mid.open_overdue, res_mid.open_on_track, res_mid.extended) == (1, 0, 4, 2)

    # importing the same file again adds nothing
    once = totals(org)
    with transaction(org) as s:
        again = import_file(s, ctx, f, by="admin")
    assert (again.sessions, again.petitions, again.history, again.rejected) == (0, 0, 0, [])
    assert totals(org) == once


def test_history_in_a_later_file_and_escalation_opened_at_the_parent(org, ctx, tmp_path):
    """Rows of an earlier import (or a code) take history later; an escalation that names no
    case of the parent's register opens one there, as the live action does."""
    first = write_csv(tmp_path / "1.csv", [petition("D", "C1", "04/06/2026", "Đề nghị hỗ trợ nhà ở")])
    with transaction(org) as s:
        import_file(s, ctx, first)
        code = by_ref(s, "D").code
    later = write_csv(tmp_path / "2.csv", [step(code, "báo cáo cấp trên", "09/06/2026", reason="Vượt thẩm quyền")])
    with transaction(org) as s:
        res = import_file(s, ctx, later, by="admin")
    assert (res.petitions, res.history) == (0, 1)
    with transaction(org) as s:
        d = by_ref(s, "D")
        up = s.get(Petition, d.escalated_to_id)
        assert d.state == "escalated" and up.unit.code == "P" and up.escalated_from_id == d.id
        assert up.received_on.isoformat() == "2026-06-09" and up.clock("conclusion").due_date.isoformat() == "2026-06-23"
        assert s.scalar(select(Event.action).where(Event.petition_id == up.id)) == "receive_escalated"
    with transaction(org) as s:
        assert import_file(s, ctx, later, by="admin").duplicates == 1


# -- every bad row kind: refused with its line, nothing written --------------------------------------
GOOD = [petition("K", "C1", "01/06/2026", "Đơn hợp lệ"), petition("L", "C1", "02/06/2026", "Đơn thứ hai"),
        step("L", "conclude", "04/06/2026", notice_no="9-TB/ĐU", dept="C1-D1")]
BAD_ROWS = {  # kind: (row, words of the Vietnamese reason, words of the English reason)
    "unknown state transition": (step("K", "mở lại", "05/06/2026", reason="Còn kiến nghị"),
                                 ("Không thể", "Đã tiếp nhận"), ("Cannot", "reopen")),
    "unknown action": (step("K", "phê duyệt", "05/06/2026"), ("bước xử lý «phê duyệt»",), ("invalid action",)),
    "date before receipt": (step("K", "conclude", "20/05/2026", notice_no="1/TB", dept="C1-D1"),
                            ("20/05/2026", "trước ngày tiếp nhận"), ("before the petition was received",)),
    "unknown department": (step("K", "conclude", "05/06/2026", notice_no="1/TB", dept="C9-D9"),
                           ("C9-D9", "phòng ban"), ("C9-D9", "not a department")),
    "department of another unit": (step("K", "conclude", "05/06/2026", notice_no="1/TB", dept="C2-D1"),
                                   ("C2-D1",), ("C2-D1",)),
    "unknown title": (row(ref="S9", record="buổi tiếp", unit="C1", date="03/06/2026", people="2",
                          chair="Phó Chủ tịch Ủy ban MTTQ xã"), ("Phó Chủ tịch", "vai trò"), ("fits no role",)),
    "a name, no title": (row(ref="S9", record="buổi tiếp", unit="C1", date="03/06/2026", people="2",
                             chair="Nguyễn Văn Bình"), ("Nguyễn Văn Bình",), ("fits no role",)),
    "unknown role": (row(ref="S9", record="buổi tiếp", unit="C1", date="03/06/2026", people="2", role="trưởng thôn"),
                     ("trưởng thôn",), ("trưởng thôn",)),
    "extension without a running clock": (step("K", "gia hạn", "05/06/2026", reason="x", days="5"),
                                          ("không thể gia hạn", "không đang tính"), ("is not running",)),
    "malformed extension date": (step("L", "gia hạn", "05/06/2026", reason="x", until="31/13/2026"),
                                 ("31/13/2026",), ("31/13/2026",)),
    "malformed date": (step("K", "conclude", "31/02/2026", notice_no="1/TB", dept="C1-D1"),
                       ("31/02/2026",), ("31/02/2026",)),
    "date in the future": (step("K", "conclude", "01/01/2027", notice_no="1/TB", dept="C1-D1"),
                           ("01/01/2027",), ("01/01/2027",)),
    "unknown petition": (step("ZZ", "conclude", "05/06/2026", notice_no="1/TB", dept="C1-D1"),
                         ("ZZ",), ("ZZ",)),
    "missing field": (step("K", "conclude", "05/06/2026", dept="C1-D1"), ("notice_no",), ("notice_no",)),
    "field the action does not take": (step("K", "hướng dẫn", "05/06/2026", agency="Tòa án", days="3"),
                                       ("extension_days",), ("extension_days",)),
    "escalation to a case of another unit": (step("K", "báo cáo cấp trên", "05/06/2026", reason="x", up="L"),
                                             ("không phải đơn vị cấp trên",), ("not to P",)),
    "parent's case received before the escalation": (
        step("K", "báo cáo cấp trên", "05/06/2026", reason="x", up="PK"), ("trước ngày báo cáo lên",),
        ("before the escalation",)),
}


@pytest.mark.parametrize("kind", list(BAD_ROWS))
def test_every_bad_row_is_refused_by_line_and_nothing_is_written(org, ctx, tmp_path, kind):
    bad, vi_words, en_words = BAD_ROWS[kind]
    extra = [petition("PK", "P", "04/06/2026", "Đơn tỉnh")] if "parent's case" in kind else []
    rows = GOOD + extra + [bad]
    f = write_csv(tmp_path / "bad.csv", rows)
    line = len(rows) + 1  # the header is line 1
    before = totals(org)
    for lang, words in (("vi", vi_words), ("en", en_words)):
        with pytest.raises(ImportRejected) as err:
            with transaction(org) as s:
                import_file(s, ctx, f, by="admin", lang=lang)
        assert [n for n, _ in err.value.rejected] == [line], err.value.rejected
        reason = err.value.rejected[0][1]
        assert all(w in reason for w in words), reason
        assert totals(org) == before
    with transaction(org) as s:  # with --skip-invalid the rest goes in; what depends on the bad row is named
        res = import_file(s, ctx, f, by="admin", skip_invalid=True)
    rejected = dict(res.rejected)
    assert line in rejected and all(f"dòng {line}" in why for n, why in rejected.items() if n != line), rejected
    kept = [r for n, r in enumerate(rows, start=2) if r[COL["loại bản ghi"]] == "đơn" and n not in rejected]
    assert res.petitions == len(kept)
    with transaction(org) as s:
        assert sorted(s.scalars(select(Petition.external_ref))) == sorted(r[COL["mã"]] for r in kept)


def test_refusals_in_the_workflow_are_all_listed(org, ctx, tmp_path):
    """Errors only the workflow finds (state, department, clock) are listed together, each
    with its line, and a refused escalation takes the parent's case with it."""
    rows = GOOD + [
        step("K", "mở lại", "05/06/2026", reason="x"),                               # 5: not resolved
        petition("M", "C1", "03/06/2026", "Đơn M"),
        step("M", "conclude", "05/06/2026", notice_no="1/TB", dept="C2-D1"),       # 7: other unit's department
        petition("N", "C1", "03/06/2026", "Đơn N"),
        step("N", "gia hạn", "05/06/2026", reason="x", days="2"),                   # 9: no running clock
        petition("O", "C1", "03/06/2026", "Đơn O", answered="03/06/2026", answer="Đã trả lời"),
        step("O", "báo cáo cấp trên", "05/06/2026", reason="x", up="PO"),           # 11: answered already
        petition("PO", "P", "06/06/2026", "Đơn O ở tỉnh"),                          # 12: never reached
    ]
    f = write_csv(tmp_path / "bad.csv", rows)
    before = totals(org)
    with pytest.raises(ImportRejected) as err:
        with transaction(org) as s:
            import_file(s, ctx, f, by="admin", lang="en")
    assert [n for n, _ in err.value.rejected] == [5, 7, 9, 11, 12], err.value.rejected
    assert "line 11" in dict(err.value.rejected)[12]
    assert totals(org) == before


def test_history_needs_by(org, ctx, tmp_path):
    f = write_csv(tmp_path / "x.csv", GOOD)
    with pytest.raises(ImportRejected) as err:
        with transaction(org) as s:
            import_file(s, ctx, f)
    assert [n for n, _ in err.value.rejected] == [4]


# -- a large file is one transaction ---------------------------------------------------------------------
def test_a_large_file_is_one_transaction(org, ctx, tmp_path):
    n_plain, n_hist = 1500, 40
    rows = [petition(f"Q{i}", "C1" if i % 2 else "C2", "01/06/2026", f"Đơn số {i}") for i in range(n_plain)]
    for i in range(n_hist):
        rows.append(petition(f"R{i}", "C1", "01/06/2026", f"Đơn có diễn biến {i}"))
        rows.append(step(f"R{i}", "conclude", "05/06/2026", notice_no=f"{i}-TB/ĐU", dept="C1-D1"))
        rows.append(step(f"R{i}", "gia hạn", "10/07/2026", reason="Phức tạp", days="5"))
    bad = rows + [step("R7", "mở lại", "20/07/2026", reason="x")]  # the very last row is illegal
    commits = []

    def count_commit(conn):
        commits.append(1)
    event.listen(org, "commit", count_commit)
    try:
        with pytest.raises(ImportRejected) as err:
            with transaction(org) as s:
                import_file(s, ctx, write_csv(tmp_path / "bad.csv", bad), by="admin")
        assert [n for n, _ in err.value.rejected] == [len(bad) + 1]
        assert commits == []
        assert totals(org) == (0, 0, 0, 0, 0, 0)
        commits.clear()
        with transaction(org) as s:
            res = import_file(s, ctx, write_csv(tmp_path / "good.csv", rows), by="admin")
        assert (res.petitions, res.history, res.rejected) == (n_plain + n_hist, 2 * n_hist, [])
        assert commits == [1]  # the whole file: one commit
    finally:
        event.remove(org, "commit", count_commit)
    with transaction(org) as s:
        assert s.scalar(select(func.count()).select_from(ClockJournal)) == n_hist


# -- the shipped templates show every kind of row, and load -------------------------------------------
@pytest.mark.parametrize("name,refs", [("import_template.csv", ("KN-2025-02", "KN-2025-03", "KN-2025-04")),
                                       ("import_template_en.csv", ("P-2025-02", "P-2025-03", "P-2025-04"))])
def test_the_templates_load_with_their_history(org, ctx, name, refs):
    path = Path(__file__).resolve().parents[2] / "config" / name
    with transaction(org) as s:
        res = import_file(s, ctx, path, by="admin")
    assert (res.sessions, res.petitions, res.history, res.rejected) == (2, 4, 8, [])
    with transaction(org) as s:
        assert sorted(s.scalars(select(ReceptionSession.chair_role))) == ["party_secretary", "ubnd_chair"]
        reopened, escalated, referred = (by_ref(s, r) for r in refs)
        assert (reopened.state, reopened.reopen_count, reopened.clock("resolution").status) == ("closed", 1, "met")
        assert [c.extensions for c in reopened.clocks if c.name == "resolution"] == [1, 0]
        assert escalated.state == "escalated" and s.get(Petition, escalated.escalated_to_id).unit.code == "P"
        assert referred.state == "referred"
