"""`petitions import`: Vietnamese and English headers, both date styles, all-or-nothing,
--skip-invalid, idempotent re-import, on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from engine.persistence.db import transaction
from engine.intake.importer import ImportRejected, import_file
from engine.persistence.models import Clock, Event, Petition, ReceptionSession
from engine.reports import appendix2

VI = ["mã", "Loại bản ghi", "Đơn vị", "Ngày", "Hình thức", "Số lượt người", "Mã buổi tiếp", "Nội dung", "Lĩnh vực",
      "Người gửi", "Số người trong đoàn", "Phức tạp kéo dài", "Số thông báo", "Ngày thông báo", "Phòng ban",
      "Số văn bản trả lời", "Ngày giải quyết", "Ghi chú"]
VI_ROWS = [
    ["BT1", "buổi tiếp", "C1", "07/09/2026", "định kỳ", "4", "", "", "", "", "", "", "", "", "", "", "", "sổ 1"],
    ["BT2", "buổi tiếp", "C1", "08/09/2026", "đột xuất", "2", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["", "đơn", "C1", "07/09/2026", "", "", "BT1", "Đề nghị cấp sổ đỏ", "đất đai", "Nguyễn Văn A", "", "không",
     "1-TB/ĐU", "09/09/2026", "C1-D1", "15/UBND", "20/09/2026", ""],
    ["", "đơn", "C1", "08/09/2026", "", "", "BT2", "Đường liên thôn xuống cấp", "hạ tầng", "Trần Thị B", "6", "có",
     "", "", "", "", "", ""],
]
EN = ["ref", "record", "unit", "date", "session_kind", "people", "summary", "category", "petitioner", "referred_agency",
      "referred_on"]
EN_ROWS = [
    ["S-1", "session", "C2", "2026-09-10", "reception_periodic", "3", "", "", "", "", ""],
    ["P-1", "petition", "C2", "2026-09-10", "", "", "Tranh chấp đất", "land", "Le Van C", "Tòa án", "2026-09-11"],
]


def write_csv(path: Path, header, rows, delimiter=","):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, header, rows):
    wb = Workbook()
    wb.active.append(header)
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def totals(db):
    with transaction(db) as s:
        return (s.scalar(select(func.count()).select_from(ReceptionSession)),
                s.scalar(select(func.count()).select_from(Petition)),
                s.scalar(select(func.count()).select_from(Clock)),
                s.scalar(select(func.count()).select_from(Event)))


def test_vietnamese_headers_and_dates(org, ctx, tmp_path):
    f = write_csv(tmp_path / "so_tiep_dan.csv", VI, VI_ROWS, delimiter=";")
    with transaction(org) as s:
        res = import_file(s, ctx, f, by="admin")
    assert (res.sessions, res.petitions, res.duplicates, res.rejected) == (2, 2, 0, [])
    assert res.ignored_columns == ["Ghi chú"]
    with transaction(org) as s:
        first = s.scalar(select(Petition).where(Petition.summary == "Đề nghị cấp sổ đỏ"))
        assert first.state == "resolved" and first.session.external_ref == "BT1" and first.category == "land"
        assert [c.status for c in first.clocks] == ["met", "met"]
        second = s.scalar(select(Petition).where(Petition.summary == "Đường liên thôn xuống cấp"))
        assert second.is_group and second.complex_prolonged and second.state == "received"
        a = appendix2(s, "C1", "2026-09-01", "2026-09-30")
        assert a["receptions_periodic"]["commune"] == 1 and a["people_adhoc"]["commune"] == 2
        assert a["resolved_no_further"]["commune"] == 1 and a["in_progress"]["commune"] == 1


def test_english_headers_xlsx_iso_dates(org, ctx, tmp_path):
    f = write_xlsx(tmp_path / "register.xlsx", EN, EN_ROWS)
    with transaction(org) as s:
        res = import_file(s, ctx, f, by="admin")
    assert (res.sessions, res.petitions) == (1, 1)
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.external_ref == "P-1"))
        assert p.state == "referred" and p.referred_agency == "Tòa án" and p.petitioners[0].name == "Le Van C"


BAD = VI_ROWS + [
    ["", "đơn", "C9", "10/09/2026", "", "", "", "Đơn vị không có", "", "", "", "", "", "", "", "", "", ""],
    ["", "đơn", "C1", "31/02/2026", "", "", "", "Ngày sai", "", "", "", "", "", "", "", "", "", ""],
    ["", "đơn", "C1", "10/09/2026", "", "", "", "Thiếu phòng ban", "", "", "", "", "3/TB", "11/09/2026", "", "", "", ""],
]


def test_all_or_nothing_by_default(org, ctx, tmp_path):
    f = write_csv(tmp_path / "bad.csv", VI, BAD)
    before = totals(org)
    with pytest.raises(ImportRejected) as err:
        with transaction(org) as s:
            import_file(s, ctx, f, by="admin")
    lines = dict(err.value.rejected)
    assert sorted(lines) == [6, 7, 8]
    assert "C9" in lines[6] and "31/02/2026" in lines[7] and "department" in lines[8]
    assert totals(org) == before


def test_skip_invalid_loads_good_rows(org, ctx, tmp_path):
    f = write_csv(tmp_path / "bad.csv", VI, BAD)
    with transaction(org) as s:
        res = import_file(s, ctx, f, by="admin", skip_invalid=True)
    assert (res.sessions, res.petitions) == (2, 2) and [line for line, _ in res.rejected] == [6, 7, 8]
    assert totals(org)[:2] == (2, 2)


def test_write_phase_errors_are_all_or_nothing_too(org, ctx, tmp_path):
    # Passes validation, fails in the workflow: C2-D1 is not a department of C1.
    rows = VI_ROWS[:1] + [["", "đơn", "C1", "07/09/2026", "", "", "", "Sai phòng ban", "", "", "", "", "1/TB",
                           "09/09/2026", "C2-D1", "", "", ""]]
    f = write_csv(tmp_path / "x.csv", VI, rows)
    before = totals(org)
    with pytest.raises(ImportRejected) as err:
        with transaction(org) as s:
            import_file(s, ctx, f, by="admin")
    assert [line for line, _ in err.value.rejected] == [3] and "C2-D1" in err.value.rejected[0][1]
    assert totals(org) == before


def test_import_twice_does_not_duplicate(org, ctx, tmp_path):
    f = write_csv(tmp_path / "so.csv", VI, VI_ROWS)
    with transaction(org) as s:
        import_file(s, ctx, f, by="admin")
    once = totals(org)
    with transaction(org) as s:
        res = import_file(s, ctx, f, by="admin")
    assert (res.sessions, res.petitions, res.duplicates) == (0, 0, 4)
    assert totals(org) == once


def run_cli(db, *args):
    env = dict(os.environ, DATABASE_URL=db.url.render_as_string(hide_password=False), PETITIONS_LANG="en")
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, env=env, timeout=120)


def test_cli_import(org, tmp_path):
    bad = write_csv(tmp_path / "bad.csv", VI, BAD)
    r = run_cli(org, "import", str(bad), "--by", "admin")
    assert r.returncode == 2
    err = r.stderr.strip().splitlines()
    assert err[0].startswith("Line 6:") and err[-1].startswith("Error:") and "nothing loaded" in err[-1]
    assert totals(org)[:2] == (0, 0)
    r = run_cli(org, "import", str(bad), "--by", "admin", "--skip-invalid")
    assert r.returncode == 0 and "Loaded 2 sessions and 2 petitions" in r.stdout
    r = run_cli(org, "import", str(bad), "--by", "admin", "--skip-invalid")
    assert "Loaded 0 sessions and 0 petitions; skipped 4" in r.stdout
    template = Path(__file__).resolve().parents[2] / "config" / "import_template.csv"
    r = run_cli(org, "import", str(template), "--by", "admin")
    assert r.returncode == 0, r.stderr
    r = run_cli(org, "import", str(tmp_path / "nope.txt"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


# -- the bulk path gives what the services give ----------------------------------------------------
CLOCK_COLUMNS = ("name", "rule_days", "working", "rule_source", "trigger_on", "trigger_at", "due_date", "deadline_at",
                 "original_due_date", "extended_due_date", "extensions", "status", "provisional", "calendar_version",
                 "version", "next_rung", "next_rung_at", "stopped_on")
PETITION_COLUMNS = ("unit_id", "received_on", "received_at", "summary", "category", "kind", "is_group", "group_size",
                    "complex_prolonged", "incited", "state", "version", "department_id", "reopen_count")


def _shape(s, p):
    from engine.persistence.models import Event
    ev = s.scalars(select(Event).where(Event.petition_id == p.id).order_by(Event.seq)).all()
    return ({k: getattr(p, k) for k in PETITION_COLUMNS},
            [{k: getattr(c, k) for k in CLOCK_COLUMNS} for c in p.clocks],
            [(x.name, x.address) for x in p.petitioners],
            [(e.seq, e.actor, e.effective_on, e.before, e.after, {k: v for k, v in e.data.items() if k != "session"})
             for e in ev])


def test_bulk_import_matches_add_petition(org, ctx, tmp_path):
    """Same state, clocks (due dates, rungs), search text and event chain as svc.add_petition;
    codes continue the unit's gapless sequence; verify-log passes."""
    from engine.persistence import eventlog
    from engine.services import petitions as svc
    from engine.services.sessions import add_session
    cases = [  # unit, date, summary, petitioner, group size, session?
        ("C1", "2026-09-04", "Đề nghị cấp sổ đỏ", "Nguyễn Văn Đức", 1, False),
        ("C1", "2026-04-29", "Đường liên thôn xuống cấp", "", 6, False),   # before the 30/4 holidays
        ("C2", "2025-12-31", "Ô nhiễm tiếng ồn", "Phạm Thị Dung", 1, False),  # another year
        ("C1", "2026-09-08", "Kiến nghị tại buổi tiếp", "Lê Văn Cường", 1, True),  # clock from the session day
    ]
    with transaction(org) as s:
        live_session = add_session(s, "C1", "reception_periodic", "2026-09-07", people=3)
        live = [svc.add_petition(s, ctx, u, summ, received_on=d, petitioners=[{"name": n, "address": "Thôn 3"}] if n else [],
                                 group_size=g, session_id=live_session.id if sess else None, action="import").code
                for u, d, summ, n, g, sess in cases]
    header = ["ref", "record", "unit", "date", "session_kind", "people", "session_ref", "summary", "petitioner",
              "address", "group_size"]
    rows = [["S-1", "session", "C1", "2026-09-07", "định kỳ", "3", "", "", "", "", ""]]
    rows += [[f"P-{i}", "petition", u, d, "", "", "S-1" if sess else "", summ, n, "Thôn 3" if n else "", str(g)]
             for i, (u, d, summ, n, g, sess) in enumerate(cases)]
    f = write_csv(tmp_path / "same.csv", header, rows)
    with transaction(org) as s:
        res = import_file(s, ctx, f)
    assert (res.sessions, res.petitions) == (1, len(cases))
    with transaction(org) as s:
        for i, code in enumerate(live):
            a = s.scalar(select(Petition).where(Petition.code == code))
            b = s.scalar(select(Petition).where(Petition.external_ref == f"P-{i}"))
            assert _shape(s, a) == _shape(s, b), cases[i]
            assert b.code.rsplit("-", 1)[0] == code.rsplit("-", 1)[0]  # same unit and year
            assert b.search_text == a.search_text.replace(a.code.lower(), b.code.lower())
            assert eventlog.verify(s, b) == []
        imported = s.scalars(select(Petition.code).where(Petition.external_ref.is_not(None))).all()
        c1 = sorted(c for c in live + imported if c.startswith("KN-C1-2026-"))
        assert c1 == [f"KN-C1-2026-{i:06d}" for i in range(1, 7)]  # gapless across both paths
        assert sorted(c for c in live + imported if c.startswith("KN-C2-2025-")) == ["KN-C2-2025-000001",
                                                                                    "KN-C2-2025-000002"]
        b_session = s.scalar(select(ReceptionSession).where(ReceptionSession.external_ref == "S-1"))
        assert s.scalar(select(Petition.session_id).where(Petition.external_ref == "P-3")) == b_session.id
    r = run_cli(org, "petition", "verify-log")
    assert r.returncode == 0 and "log intact" in r.stdout, r.stderr


def test_bulk_import_refuses_like_the_services(org, ctx, tmp_path):
    header = ["ref", "record", "unit", "date", "session_ref", "summary"]
    rows = [["S-9", "session", "C2", "2026-09-07", "", ""],
            ["P-9", "petition", "C1", "2026-09-07", "S-9", "Buổi tiếp của xã khác"],
            ["P-10", "petition", "C1", "2026-09-07", "S-404", "Buổi tiếp không có"],
            ["P-11", "petition", "C1", "2026-09-07", "", "Đơn hợp lệ"]]
    f = write_csv(tmp_path / "refs.csv", header, rows)
    before = totals(org)
    with pytest.raises(ImportRejected) as err:
        with transaction(org) as s:
            import_file(s, ctx, f)
    assert [line for line, _ in err.value.rejected] == [3, 4]
    assert totals(org) == before
    with transaction(org) as s:
        res = import_file(s, ctx, f, skip_invalid=True)
    assert (res.sessions, res.petitions, [line for line, _ in res.rejected]) == (1, 1, [3, 4])
    with transaction(org) as s:
        assert s.scalar(select(Petition.code).where(Petition.external_ref == "P-11")) == "KN-C1-2026-000001"


def test_a_row_that_is_neither_is_refused_not_guessed(org, ctx, tmp_path):
    """A petition row whose summary was left blank must not become a reception session."""
    path = tmp_path / "blank.csv"
    path.write_text("đơn vị,ngày,nội dung\nC1,2026-02-10,\n", encoding="utf-8")
    with transaction(org) as s:
        with pytest.raises(ImportRejected) as err:
            import_file(s, ctx, path)
    (line, reason), = err.value.rejected
    assert line == 2 and "buổi tiếp hay đơn" in reason
    with transaction(org) as s:
        assert s.scalar(select(func.count(ReceptionSession.id))) == 0
    path.write_text("đơn vị,ngày,số lượt người\nC1,2026-02-10,3\n", encoding="utf-8")
    with transaction(org) as s:
        assert import_file(s, ctx, path).sessions == 1  # a session column says what it is
