"""Issue 15 (register): numbers given at issue, gapless per unit/year/type and restarting on
1 January, distinct under concurrent issuers; the conclusion notice concludes all its items
or none and tells the departments; issued documents are immutable; uploads are checked;
scope holds — on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import threading
from datetime import date, datetime, timezone

import pytest
from docx import Document as Docx
from pypdf import PdfWriter
from sqlalchemy import select

from engine.documents import register as R
from engine.documents import store
from engine.language.errors import DomainError, Forbidden, NotFound, ValidationError, VersionConflict
from engine.persistence.db import transaction
from engine.persistence.models import Document, DocumentCounter, DocumentEvent, Event, OutboxMessage, Petition, User
from engine.services import petitions as P
from engine.services import sessions as S
from engine.services.common import user_by_name

HELD = date(2026, 11, 10)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def files(tmp_path, monkeypatch):
    from config import get_settings
    monkeypatch.setenv("PETITIONS_FILES_DIR", str(tmp_path / "files"))
    get_settings.cache_clear()
    yield tmp_path / "files"
    get_settings.cache_clear()


def pdf_bytes(pages: int = 1, password: str | None = None) -> bytes:
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    if password:
        w.encrypt(password)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.fixture
def held(org, ctx):
    """A held reception at C1 with three open petitions."""
    with transaction(org) as s:
        rec = S.add_session(s, "C1", "reception_periodic", HELD, people=5, chair="Nguyễn Văn Bình",
                            place="Hội trường", today=date(2026, 11, 20))
        made = [P.add_petition(s, ctx, "C1", summary, received_on=HELD, session_id=rec.id,
                               petitioners=[{"name": "Trần Thị Bích"}])
                for summary in ("Đề nghị cấp giấy chứng nhận quyền sử dụng đất", "Phản ánh đường liên thôn xuống cấp",
                                "Kiến nghị chế độ người có công")]
        dept1 = s.scalar(select(User.unit_id).where(User.username == "dept1"))
        dept2 = s.scalar(select(User.unit_id).where(User.username == "dept2"))
        return {"session": rec.id, "codes": [p.code for p in made], "ids": [p.id for p in made],
                "dept1": dept1, "dept2": dept2}


def _draft_conclusion(engine, ctx, held, n=2, who="clerk1"):
    with transaction(engine) as s:
        items = [{"petition_id": pid, "department_id": held["dept1"] if i % 2 == 0 else held["dept2"],
                  "direction": f"Chỉ đạo số {i + 1}: kiểm tra, trả lời công dân"}
                 for i, pid in enumerate(held["ids"][:n])]
        doc = R.draft(s, ctx, user_by_name(s, who), "conclusion_notice", session_id=held["session"], items=items,
                      directions="Các phòng, ban khẩn trương giải quyết")
        return doc.id


def _issue(engine, ctx, doc_id, who="clerk1", on=None):
    with transaction(engine) as s:
        res = R.issue(s, ctx, user_by_name(s, who), s.get(Document, doc_id), on=on)
        return res.document.number_text, res.outbox_ids, res.concluded


def _draft_schedule(engine, ctx, who="clerk1", kind="schedule_notice", **params):
    with transaction(engine) as s:
        if kind == "schedule_notice":
            params.setdefault("period", "2026-11")
        return R.draft(s, ctx, user_by_name(s, who), kind, **params).id


# -- numbers ------------------------------------------------------------------------------
def test_a_draft_has_no_number_and_numbers_run_gapless_per_type_restarting_each_year(org, ctx):
    drafts = [_draft_schedule(org, ctx) for _ in range(3)]
    with transaction(org) as s:
        assert all(s.get(Document, d).number is None and s.get(Document, d).status == "draft" for d in drafts)
    got = [_issue(org, ctx, d)[0] for d in drafts]
    assert got == ["01-TB/ĐU", "02-TB/ĐU", "03-TB/ĐU"]  # HD 36: hyphen, no colon, leading zero
    # another series (a report) starts at 01 for the same unit and year
    with transaction(org) as s:
        assert R.next_number(s, s.scalar(select(User.unit_id).where(User.username == "clerk1")), 2026, "report", "party") == 1
    # 1 January: the notice series restarts (NĐ 30 art. 15)
    ctx27 = P.Context(now=datetime(2027, 1, 4, 3, 0, tzinfo=timezone.utc))
    d27 = _draft_schedule(org, ctx27, period="2027-01")
    assert _issue(org, ctx27, d27)[0] == "01-TB/ĐU"
    with transaction(org) as s:
        assert s.get(Document, d27).year == 2027 and s.get(Document, d27).issued_on == date(2027, 1, 4)
        # another unit's series is its own
    # the same unit in the state format is another issuing body (its people's committee): its
    # own series and the NĐ 30 form "01/TB-UBND"
    ds = _draft_schedule(org, ctx, fmt="state")
    assert _issue(org, ctx, ds)[0] == "01/TB-UBND"
    d2 = _draft_schedule(org, ctx, who="clerk2")
    assert _issue(org, ctx, d2, who="clerk2")[0] == "01-TB/ĐU"


def test_concurrent_issuers_get_consecutive_distinct_numbers(org, ctx):
    drafts = [_draft_schedule(org, ctx) for _ in range(6)]
    got, errors = [], []
    barrier = threading.Barrier(len(drafts))

    def run(doc_id):
        try:
            barrier.wait(timeout=30)
            got.append(_issue(org, ctx, doc_id)[0])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in drafts]
    [t.start() for t in threads]
    [t.join(timeout=120) for t in threads]
    assert not errors, errors
    assert sorted(got) == [f"{n:02d}-TB/ĐU" for n in range(1, 7)]
    with transaction(org) as s:
        assert s.scalar(select(DocumentCounter.last)) == 6


def test_the_same_draft_issued_twice_at_once_gets_one_number(org, ctx):
    d = _draft_schedule(org, ctx)
    results, barrier = [], threading.Barrier(2)

    def run():
        barrier.wait(timeout=30)
        try:
            results.append(_issue(org, ctx, d)[0])
        except DomainError as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=run) for _ in range(2)]
    [t.start() for t in threads]
    [t.join(timeout=60) for t in threads]
    assert sorted(results) == ["01-TB/ĐU", "reg_not_draft"]


# -- the conclusion notice -----------------------------------------------------------------
def test_issuing_the_conclusion_notice_concludes_every_item_and_tells_the_departments(org, ctx, held, files):
    doc_id = _draft_conclusion(org, ctx, held, n=3)
    number, outbox, concluded = _issue(org, ctx, doc_id)
    assert number == "01-TB/ĐU" and concluded == sorted(concluded, key=held["codes"].index) and len(concluded) == 3
    with transaction(org) as s:
        doc = s.get(Document, doc_id)
        assert doc.status == "issued" and doc.issued_on == NOW.date()
        for it in doc.items:
            p = s.get(Petition, it.petition_id)
            assert p.state == "in_resolution" and p.notice_no == "01-TB/ĐU" and p.notice_on == NOW.date()
            assert p.department_id == it.department_id
            assert p.clock("resolution").due_date == it.due_date  # the paper promises what the engine keeps
            ev = s.scalar(select(Event).where(Event.petition_id == p.id, Event.action == "conclude"))
            assert ev.data["note"] == it.direction
        # the file: stored outside the web root under its hash, the hash in the keyed chain
        data = store.get(doc.file_sha256)
        assert data is not None and len(data) == doc.file_size
        assert any(f.name == f"{doc.file_sha256}.bin" for f in files.rglob("*.bin"))
        issued = s.scalar(select(DocumentEvent).where(DocumentEvent.document_id == doc_id,
                                                      DocumentEvent.action == "issued"))
        assert issued.data["sha256"] == doc.file_sha256 and R.verify_events(s, doc)
        body = "\n".join(p.text for p in Docx(io.BytesIO(data)).paragraphs)
        tables = "\n".join(c.text for t in Docx(io.BytesIO(data)).tables for r in t.rows for c in r.cells)
        assert "01-TB/ĐU" in body + tables and "ngày 20 tháng 11 năm 2026" in body + tables
        for it in doc.items:
            assert it.due_date.strftime("%d/%m/%Y") in body + tables
        # departments: each active user of dept C1-D1 and C1-D2, in the inbox and by e-mail
        rows = list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "assignment")))
        who = {(s.get(User, r.recipient_user_id).username, r.channel) for r in rows}
        assert who == {("dept1", "inbox"), ("dept1", "email"), ("dept2", "inbox"), ("dept2", "email")}
        assert {r.id for r in rows} <= set(outbox)
        d1 = next(r for r in rows if r.channel == "email" and s.get(User, r.recipient_user_id).username == "dept1")
        assert d1.context["notice_no"] == "01-TB/ĐU" and len(d1.context["items"]) == 2  # items 1 and 3
        assert d1.to_email == "dept1@example.test"


def test_a_stale_item_refuses_the_whole_notice_and_names_it(org, ctx, held):
    doc_id = _draft_conclusion(org, ctx, held, n=3)
    stale = held["codes"][1]
    with transaction(org) as s:  # someone answers item 2 at the meeting after the draft was made
        P.act(s, ctx, stale, "answer_at_meeting", "clerk1", {"note": "Đã trả lời trực tiếp"}, on=HELD)
    with pytest.raises(VersionConflict) as err:
        _issue(org, ctx, doc_id)
    assert err.value.code == "reg_item_stale" and stale in err.value.message("vi") and stale in err.value.message("en")
    with transaction(org) as s:
        assert s.get(Document, doc_id).status == "draft" and s.get(Document, doc_id).number is None
        assert [s.scalar(select(Petition.state).where(Petition.code == c)) for c in held["codes"]] == \
            ["received", "answered", "received"]
        assert s.scalar(select(DocumentCounter.last)) is None  # the number went back with the transaction
        assert not list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "assignment")))
    # a notice without the stale item takes number 01: no gap was left
    with transaction(org) as s:
        doc = s.get(Document, doc_id)
        R.update_draft(s, ctx, user_by_name(s, "clerk1"), doc,
                       items=[{"petition_id": held["ids"][0], "department_id": held["dept1"], "direction": ""}])
    assert _issue(org, ctx, doc_id)[0] == "01-TB/ĐU"


def test_an_item_that_fails_late_in_the_loop_rolls_back_the_ones_before(org, ctx, held, monkeypatch):
    doc_id = _draft_conclusion(org, ctx, held, n=3)
    real = R.act

    def failing(session, c, code, action, by, params, **kw):
        if code == held["codes"][2]:
            raise ValidationError("unknown_petition", field="code", code=code)
        return real(session, c, code, action, by, params, **kw)

    monkeypatch.setattr(R, "act", failing)
    with pytest.raises(ValidationError) as err:
        _issue(org, ctx, doc_id)
    assert err.value.code == "reg_item_refused" and held["codes"][2] in str(err.value)
    with transaction(org) as s:
        assert {s.scalar(select(Petition.state).where(Petition.code == c)) for c in held["codes"]} == {"received"}
        assert s.scalar(select(Event.id).where(Event.action == "conclude")) is None


def test_a_conclusion_item_needs_a_department(org, ctx, held):
    with transaction(org) as s:
        doc = R.draft(s, ctx, user_by_name(s, "clerk1"), "conclusion_notice", session_id=held["session"],
                      items=[{"petition_id": held["ids"][0], "department_id": None, "direction": ""}])
        doc_id = doc.id
    with pytest.raises(ValidationError) as err:
        _issue(org, ctx, doc_id)
    assert err.value.code == "reg_item_no_department" and held["codes"][0] in str(err.value)


# -- immutability and corrections ------------------------------------------------------------
def test_an_issued_document_is_immutable_and_a_correction_names_it(org, ctx, held):
    d = _draft_schedule(org, ctx)
    _issue(org, ctx, d)
    with transaction(org) as s:
        doc = s.get(Document, d)
        sha = doc.file_sha256
        for attempt in (lambda: R.issue(s, ctx, user_by_name(s, "clerk1"), doc),
                        lambda: R.update_draft(s, ctx, user_by_name(s, "clerk1"), doc, summary="khác")):
            with pytest.raises(ValidationError) as err:
                attempt()
            assert err.value.code == "reg_not_draft"
    with transaction(org) as s:
        doc = s.get(Document, d)
        assert doc.summary != "khác" and doc.file_sha256 == sha
        fix = R.correct(s, ctx, user_by_name(s, "clerk1"), doc)
        fix_id = fix.id
        assert fix.corrects_id == d and fix.status == "draft" and fix.number is None
    assert _issue(org, ctx, fix_id)[0] == "02-TB/ĐU"
    # a conclusion notice has concluded its items: its correction is an uploaded document
    c = _draft_conclusion(org, ctx, held, n=1)
    _issue(org, ctx, c)
    with transaction(org) as s:
        with pytest.raises(ValidationError) as err:
            R.correct(s, ctx, user_by_name(s, "clerk1"), s.get(Document, c))
        assert err.value.code == "reg_correction_upload"
        up = R.register_upload(s, ctx, user_by_name(s, "clerk1"), data=pdf_bytes(), file_name="dinh-chinh.pdf",
                               doc_type="notice", summary="Đính chính thông báo kết luận", corrects_id=c)
        assert up.corrects_id == c and up.number_text == "04-TB/ĐU"


# -- documents produced elsewhere ----------------------------------------------------------
def test_an_uploaded_pdf_is_checked_numbered_and_stored(org, ctx, monkeypatch):
    good = pdf_bytes(2)
    with transaction(org) as s:
        clerk = user_by_name(s, "clerk1")
        assert R.peek_number(s, clerk.unit_id, 2026, "invitation", "party") == 1
        doc = R.register_upload(s, ctx, clerk, data=good, file_name="giay-moi.pdf", doc_type="invitation",
                                summary="Giấy mời dự hội nghị đối thoại", issued_on="18/11/2026",
                                signer_name="Nguyễn Văn Bình", recipients="Các chi bộ\nCác phòng, ban")
        assert (doc.status, doc.number_text, doc.issued_on, doc.data["pages"]) == \
            ("registered", "01-GM/ĐU", date(2026, 11, 18), 2)
        assert store.get(doc.file_sha256) == good
        assert R.read_file(s, clerk, doc)[2] == "application/pdf"
    broken = good[: len(good) // 3]
    cases = [(b"", "reg_pdf_empty"), (b"PK\x03\x04 a docx renamed", "reg_pdf_not_pdf"),
             (b"%PDF-1.7\n garbage without any object", "reg_pdf_broken"), (broken, "reg_pdf_broken"),
             (pdf_bytes(1, password="x"), "reg_pdf_encrypted")]
    cases.append((good, "reg_pdf_too_big"))
    for data, code in cases:
        if code == "reg_pdf_too_big":
            monkeypatch.setattr(R, "MAX_PDF_BYTES", len(good) - 1)
        with transaction(org) as s:
            with pytest.raises(ValidationError) as err:
                R.register_upload(s, ctx, user_by_name(s, "clerk1"), data=data, file_name="x.pdf",
                                  doc_type="invitation", summary="Giấy mời")
            assert err.value.code == code, (code, err.value.code)
            assert err.value.message("en") != err.value.message("vi")
    monkeypatch.setattr(R, "MAX_PDF_BYTES", 20 * 1024 * 1024)
    with transaction(org) as s:
        for bad in ({"doc_type": "receipt"}, {"doc_type": "memo"}, {"issued_on": "31/02/2026"},
                    {"issued_on": "01/01/2027"}, {"summary": "   "}):
            kw = {"doc_type": "invitation", "summary": "Giấy mời", **bad}
            with pytest.raises(ValidationError):
                R.register_upload(s, ctx, user_by_name(s, "clerk1"), data=good, file_name="x.pdf", **kw)
        with pytest.raises(Forbidden):
            R.register_upload(s, ctx, user_by_name(s, "auditor"), data=good, file_name="x.pdf",
                              doc_type="invitation", summary="Giấy mời")
        assert s.scalar(select(DocumentCounter.last).where(DocumentCounter.doc_type == "invitation")) == 1


# -- scope, the register, Phụ lục 1 -----------------------------------------------------------
def test_scope_and_personal_data_of_documents(org, ctx, held):
    notice = _draft_conclusion(org, ctx, held, n=1)  # item 1 -> dept1
    _issue(org, ctx, notice)
    with transaction(org) as s:
        slip = R.draft(s, ctx, user_by_name(s, "clerk1"), "receipt_slip", petition_id=held["ids"][1]).id
    _issue(org, ctx, slip)
    with transaction(org) as s:
        for who in ("clerk1", "leader1", "dept1", "auditor", "c1auditor", "admin"):
            assert R.get_for(s, user_by_name(s, who), notice).id == notice
        for who in ("clerk2", "leader2", "deptc2", "dept2"):
            with pytest.raises(NotFound):
                R.get_for(s, user_by_name(s, who), notice)
        for bad in ("abc", -1, 10**12, None):
            with pytest.raises(NotFound):
                R.get_for(s, user_by_name(s, "clerk1"), bad)
        # the receipt slip names the petitioner: not for auditors, even in scope
        doc = R.get_for(s, user_by_name(s, "c1auditor"), slip)
        with pytest.raises(NotFound):
            R.read_file(s, user_by_name(s, "c1auditor"), doc)
        assert R.read_file(s, user_by_name(s, "clerk1"), doc)[0][:2] == b"PK"
        listed = {d.id for d in s.scalars(R.register_query(s, user_by_name(s, "clerk2")))}
        assert notice not in listed and slip not in listed
        assert {notice, slip} <= {d.id for d in s.scalars(R.register_query(s, user_by_name(s, "leader1")))}
        assert [d.id for d in s.scalars(R.register_query(s, user_by_name(s, "leader1"), q="01-tb"))] == [notice]
        assert list(s.scalars(R.register_query(s, user_by_name(s, "leader1"), q="%"))) == []  # not a wildcard
        assert [d.id for d in s.scalars(R.register_query(s, user_by_name(s, "leader1"), doc_type="receipt"))] == [slip]
        with pytest.raises(ValidationError):
            list(s.scalars(R.register_query(s, user_by_name(s, "leader1"), doc_type="nope")))
        c1 = s.scalar(select(User.unit_id).where(User.username == "clerk1"))
        counts = R.count_by_type(s, {c1}, date(2026, 1, 1), date(2026, 12, 31))
        assert counts["notice"] == 1 and counts["receipt"] == 1 and counts["plan"] == 0
        assert R.count_by_type(s, {c1}, date(2025, 1, 1), date(2025, 12, 31))["notice"] == 0
        assert R.count_by_type(s, None, date(2026, 1, 1), date(2026, 12, 31))["notice"] == 1


def test_roles_that_may_not_draft_or_issue(org, ctx, held):
    with transaction(org) as s:
        for who in ("auditor", "dept1"):
            with pytest.raises(Forbidden):
                R.draft(s, ctx, user_by_name(s, who), "schedule_notice", period="2026-11")
    d = _draft_schedule(org, ctx)
    for who in ("clerk2", "dept1", "auditor"):
        with pytest.raises((Forbidden, NotFound)):
            _issue(org, ctx, d, who=who)
    with transaction(org) as s:
        assert s.get(Document, d).status == "draft"
