"""Duplicate letters (đơn trùng, issue 17): how well likely duplicates are found, measured on
two labelled samples of pairs (tests/data/duplicates_sample.csv, on which the rules were
tuned, and tests/data/duplicates_heldout.csv, written afterwards and not tuned on); and
marking a case as a duplicate — its clocks stop, the history says so, a wrong mark is undone,
scope and bad input refused — on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.deadlines.calendar import default_calendar
from engine.deadlines.params import load_params
from engine.language.errors import Forbidden, NotFound, ValidationError, VersionConflict
from engine.persistence.db import transaction
from engine.persistence.models import Event, Petition, User
from engine.services import duplicates as dup
from engine.services import petitions as svc
from tests.conftest import NOW

DATA = Path(__file__).resolve().parents[1] / "data"
RECEIVED = date(2026, 10, 5)


def measure(name: str) -> tuple[float, float, int]:
    tp = fp = fn = 0
    rows = list(csv.DictReader((DATA / name).open(encoding="utf-8")))
    for r in rows:
        a = {k: r[f"{k}_a"] for k in ("name", "address", "phone")}
        b = {k: r[f"{k}_b"] for k in ("name", "address", "phone")}
        likely, _score, _person = dup.judge([a], r["summary_a"], [b], r["summary_b"])
        tp += likely and r["label"] == "1"
        fp += likely and r["label"] == "0"
        fn += (not likely) and r["label"] == "1"
    return tp / (tp + fp), tp / (tp + fn), len(rows)


def test_precision_and_recall_on_the_labelled_samples():
    # The figures stated in the closing note; a change to the rules that lowers them fails here.
    p, r, n = measure("duplicates_sample.csv")
    assert n >= 30 and p >= 0.95 and r >= 0.95, (p, r)
    p, r, n = measure("duplicates_heldout.csv")
    assert n >= 18 and r >= 0.95 and p >= 0.7, (p, r)  # held out: 8 of 8 found, 3 false alarms


def test_the_parts_of_a_judgement():
    assert dup.person_key("  NGUYỄN   Văn  Đức ") == "nguyen van duc"
    assert dup.phone_key("+84 912 345 678") == dup.phone_key("0912-345-678") == "0912345678"
    same = {"name": "Lê Văn Hùng", "phone": "0987000111"}
    assert dup.same_person(same, {"name": "le van hung", "phone": "84987000111"})
    assert not dup.same_person(same, {"name": "Lê Văn Hùng", "phone": "0987000222"})  # namesakes
    # numbers name the matter: parcel 88 is not parcel 301, however alike the words
    assert not dup.judge([same], "Đề nghị cấp giấy chứng nhận thửa đất số 88 tờ bản đồ 7", [same],
                         "Đề nghị cấp giấy chứng nhận thửa đất số 301 tờ bản đồ 9")[0]


def add(db, ctx, name, summary, unit="C1", phone=""):
    with transaction(db) as s:
        return svc.add_petition(s, ctx, unit, summary, received_on=RECEIVED,
                                petitioners=[{"name": name, "phone": phone, "address": "Thôn 3"}]).code


def user(s, name):
    return s.scalars(select(User).where(User.username == name)).one()


def petition(s, code):
    return s.scalars(select(Petition).where(Petition.code == code)).one()


def test_intake_finds_likely_duplicates_within_scope(org, ctx):
    first = add(org, ctx, "Nguyễn Văn An", "Đề nghị cấp giấy chứng nhận quyền sử dụng đất thửa 125 tờ bản đồ 7",
                phone="0912345678")
    add(org, ctx, "Nguyễn Văn An", "Phản ánh trường mầm non thiếu giáo viên", phone="0912345678")
    other_unit = add(org, ctx, "Nguyễn Văn An", "Đề nghị cấp giấy chứng nhận quyền sử dụng đất thửa 125 tờ bản đồ 7",
                     unit="C2", phone="0912345678")
    people = [{"name": "NGUYEN VAN AN", "phone": "+84912345678", "address": ""}]
    summary = "Đề nghị cấp giấy chứng nhận quyền sử dụng đất cho thửa đất số 125, tờ bản đồ số 7"
    with transaction(org) as s:
        found = [c.petition.code for c in dup.likely_duplicates(s, user(s, "clerk1"), summary, people)]
        assert found == [first]  # the other matter of the same man is not offered; C2 is not clerk1's
        wide = [c.petition.code for c in dup.likely_duplicates(s, user(s, "pclerk"), summary, people)]
        assert set(wide) == {first, other_unit}


def test_mark_stops_the_clocks_and_unmark_resumes_them(org, ctx):
    master = add(org, ctx, "Trần Thị Bích", "Phản ánh đường liên thôn bị sạt lở")
    copy = add(org, ctx, "Tran Thi Bich", "Phản ánh đường liên thôn bị sạt lở chưa sửa")
    cal, ladder = default_calendar(), load_params().ladder
    with transaction(org) as s:
        p = petition(s, copy)
        due = p.clock("conclusion").due_date
        ev = dup.mark_duplicate(s, user(s, "clerk1"), p, petition(s, master), "Cùng nội dung, cùng người", NOW,
                                expect_version=p.version)
        assert ev.action == "mark_duplicate" and ev.data["master"] == master
    with transaction(org) as s:
        p = petition(s, copy)
        assert p.duplicate_of.code == master and p.clock("conclusion").status == "cancelled"
        assert petition(s, master).clock("conclusion").status == "running"
        dup.unmark_duplicate(s, user(s, "leader1"), p, "Nhầm: khác thửa đất", NOW, cal, ladder)
    with transaction(org) as s:
        p = petition(s, copy)
        c = p.clock("conclusion")
        assert p.duplicate_of_id is None and c.status == "running" and c.due_date == due and c.next_rung_at
        actions = [e.action for e in s.scalars(select(Event).where(Event.petition_id == p.id).order_by(Event.seq))]
        assert actions[-2:] == ["mark_duplicate", "unmark_duplicate"]


def test_refusals_change_nothing(org, ctx):
    a = add(org, ctx, "Lê Văn Hùng", "Kiến nghị bồi thường giải phóng mặt bằng")
    b = add(org, ctx, "Lê Văn Hùng", "Kiến nghị bồi thường giải phóng mặt bằng đường 551")
    c2 = add(org, ctx, "Lê Văn Hùng", "Kiến nghị bồi thường", unit="C2")
    cases = [
        ("clerk1", b, b, "lý do", ValidationError),      # itself
        ("clerk1", b, a, "   ", ValidationError),        # an empty reason
        ("clerk1", b, c2, "lý do", NotFound),            # a master the clerk cannot see
        ("clerk2", b, a, "lý do", NotFound),             # a case the clerk cannot see
        ("dept1", b, a, "lý do", NotFound),              # a department sees only its assignments
        ("auditor", b, a, "lý do", Forbidden),           # reads everything, marks nothing
    ]
    for who, code, master, reason, error in cases:
        with pytest.raises(error):
            with transaction(org) as s:
                dup.mark_duplicate(s, user(s, who), petition(s, code), petition(s, master), reason, NOW)
    with pytest.raises(VersionConflict):
        with transaction(org) as s:
            dup.mark_duplicate(s, user(s, "clerk1"), petition(s, b), petition(s, a), "lý do", NOW, expect_version=99)
    with pytest.raises(ValidationError):
        with transaction(org) as s:
            dup.unmark_duplicate(s, user(s, "clerk1"), petition(s, b), "lý do", NOW, default_calendar(),
                                 load_params().ladder)
    with transaction(org) as s:
        p = petition(s, b)
        assert p.duplicate_of_id is None and p.version == 1 and p.clock("conclusion").status == "running"


def test_a_chain_is_never_longer_than_one_link(org, ctx):
    a, b, c = (add(org, ctx, "Đỗ Thị Thu", f"Đề nghị cấp lại sổ hộ nghèo bị mất (lần {i})") for i in (1, 2, 3))
    with transaction(org) as s:
        dup.mark_duplicate(s, user(s, "clerk1"), petition(s, c), petition(s, b), "trùng", NOW)
    with transaction(org) as s:  # b becomes a duplicate of a: c follows it to a
        dup.mark_duplicate(s, user(s, "clerk1"), petition(s, b), petition(s, a), "trùng", NOW)
    with transaction(org) as s:
        assert petition(s, c).duplicate_of.code == a and petition(s, b).duplicate_of.code == a
    # marking a case against a duplicate points it at that duplicate's master
    d = add(org, ctx, "Đỗ Thị Thu", "Đề nghị cấp lại sổ hộ nghèo bị mất (lần 4)")
    with transaction(org) as s:
        dup.mark_duplicate(s, user(s, "clerk1"), petition(s, d), petition(s, c), "trùng", NOW)
    with transaction(org) as s:
        assert petition(s, d).duplicate_of.code == a


def test_the_annex_counts_a_duplicate_once_and_says_how_many(org, ctx):
    from engine.reports.appendix2 import appendix2, appendix2_items
    master = add(org, ctx, "Bùi Thị Lan", "Đề nghị hỗ trợ hộ nghèo sửa chữa nhà ở")
    copy = add(org, ctx, "Bùi Thị Lan", "Đề nghị hỗ trợ hộ nghèo sửa chữa nhà ở (lần 2)")
    with transaction(org) as s:
        before = appendix2(s, "C1", "2026-10-01", "2026-10-31")["in_progress"]["total"]
        dup.mark_duplicate(s, user(s, "clerk1"), petition(s, copy), petition(s, master), "trùng", NOW)
    with transaction(org) as s:
        rep = appendix2(s, "C1", "2026-10-01", "2026-10-31")
        assert rep["in_progress"]["total"] == before - 1 and rep.duplicates_excluded == 1
        assert rep.to_dict()["duplicates_excluded"] == 1
        listed = {r["code"] for r in appendix2_items(s, "C1", "2026-10-01", "2026-10-31", "in_progress")}
        assert master in listed and copy not in listed
