"""On-time metrics, Phụ lục 2, exports and the report CLI, on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from engine.persistence.db import transaction
from engine.reports import (FIGURES, KEYS, appendix2, appendix2_items, backlog_chart, export, month_ends, ontime_items,
                            ontime_rate_chart, ontime_report, overdue_backlog)
from engine.services import petitions as svc
from engine.services.sessions import add_session
from engine.services.units import add_unit

SEPT = (date(2026, 9, 1), date(2026, 9, 30))
TODAY = date(2026, 11, 20)  # the ctx fixture's "now", in Vietnam


def at(ctx, d: date):
    """A context whose 'now' is 10:00 Vietnam time on `d` (journals record this instant)."""
    return replace(ctx, now=datetime(d.year, d.month, d.day, 3, 0, tzinfo=timezone.utc))


def add(s, ctx, unit, day, summary, **kw):
    return svc.add_petition(s, at(ctx, day), unit, summary, received_on=day, **kw).code


def act(s, ctx, code, action, day, **params):
    return svc.act(s, at(ctx, day), code, action, "admin", params, on=day)


@pytest.fixture
def data(org, ctx):
    """September 2026 at C1/C2/P, as of the end of September (see the expected figures in the tests)."""
    cal = ctx.cal
    c = {}
    with transaction(org) as s:
        add_session(s, "C1", "reception_periodic", "2026-09-07", people=4, groups=1, refused=1)
        add_session(s, "C1", "reception_adhoc", "2026-09-08", people=2)
        add_session(s, "P", "reception_periodic", "2026-09-10", people=5)
        add_session(s, "C2", "dialogue_periodic", "2026-09-10", people=30)
        add_session(s, "C1", "reception_periodic", "2026-10-05", people=9)  # outside the period

        c["A"] = add(s, ctx, "C1", date(2026, 9, 7), "A: concluded on time, extended, open at period end")
        act(s, ctx, c["A"], "conclude", date(2026, 9, 9), notice_no="1/TB", department="C1-D1")
        act(s, ctx, c["A"], "extend", date(2026, 9, 20), days=10, reason="phức tạp")

        c["B"] = add(s, ctx, "C1", date(2026, 9, 8), "B: concluded late")
        due_b = svc.get_for(s, c["B"], None).clock("conclusion").due_date
        c["B_late_on"] = cal.add_working_days(due_b, 2)
        act(s, ctx, c["B"], "conclude", c["B_late_on"], notice_no="2/TB", department="C1-D1")

        c["C"] = add(s, ctx, "C1", date(2026, 9, 1), "C: never concluded in September")
        c["D"] = add(s, ctx, "C1", date(2026, 9, 28), "D: open, not yet due", complex_prolonged=True)

        c["E"] = add(s, ctx, "C2", date(2026, 9, 10), "E: answered at the meeting")
        act(s, ctx, c["E"], "answer_at_meeting", date(2026, 9, 10), note="đã trả lời")

        c["H"] = add(s, ctx, "C1", date(2026, 9, 2), "H: concluded and resolved on time")
        act(s, ctx, c["H"], "conclude", date(2026, 9, 3), notice_no="3/TB", department="C1-D2")
        act(s, ctx, c["H"], "resolve", date(2026, 9, 15), document_no="10/UBND")

        c["G"] = add(s, ctx, "C1", date(2026, 9, 11), "G: degradation, open", category="cadre_degradation")

        c["I"] = add(s, ctx, "C2", date(2026, 9, 14), "I: group, beyond authority", group_size=6)
        c["I_up"] = act(s, ctx, c["I"], "escalate", date(2026, 9, 15), reason="vượt thẩm quyền").created.code

        c["J"] = add(s, ctx, "C2", date(2026, 9, 16), "J: referred")
        act(s, ctx, c["J"], "refer", date(2026, 9, 17), agency="Tòa án")

        c["K"] = add(s, ctx, "C1", date(2026, 9, 3), "K: resolved, reopened, resolved again")
        act(s, ctx, c["K"], "conclude", date(2026, 9, 4), notice_no="4/TB", department="C1-D1")
        act(s, ctx, c["K"], "resolve", date(2026, 9, 8), document_no="11/UBND")
        act(s, ctx, c["K"], "reopen", date(2026, 9, 9), reason="còn kiến nghị")
        act(s, ctx, c["K"], "resolve", date(2026, 9, 11), document_no="12/UBND")

        c["F"] = add(s, ctx, "C1", date(2026, 8, 20), "F: August, outside the period")
    return c


def report(db, ctx, **kw):
    with transaction(db) as s:
        return ontime_report(s, "P", *SEPT, today=TODAY, cal=ctx.cal, **kw)


def counts(row):
    return (row.met_on_time, row.met_late, row.open_overdue, row.open_on_track, row.extended)


# -- on-time ------------------------------------------------------------------------------------------
def test_ontime_counts_and_open_overdue_in_denominator(org, ctx, data):
    r = report(org, ctx)
    assert r.as_of == SEPT[1]
    concl = r.row("conclusion")
    # met on time: A, H, I (escalated), J (referred), K; late: B;
    # open and overdue at 30/09: C, G and I_up (the province's copy of I, received 15/09); on track: D.
    # E was answered at the meeting: it needed no notice, so it is counted apart and not judged
    # (issue 16: answers at the meeting had made 14 notices "95.7 % on time").
    assert counts(concl) == (5, 1, 3, 1, 0)
    assert concl.answered_at_meeting == 1 and concl.total == 11
    assert concl.judged == 9 and concl.rate == pytest.approx(5 / 9)
    lo, hi = concl.interval
    assert lo < 5 / 9 < hi
    with transaction(org) as s:
        assert [i["code"] for i in ontime_items(s, "P", *SEPT, clock="conclusion", figure="answered_at_meeting",
                                                today=TODAY)] == [data["E"]]
    res = r.row("resolution")
    # started in September: A (extended, open), B (open), H (met), K twice (met, met)
    assert counts(res) == (3, 0, 0, 2, 1)
    assert res.rate == 1.0


def test_working_day_percentiles(org, ctx, data):
    cal = ctx.cal
    spans = sorted([cal.working_days_between(date(2026, 9, 7), date(2026, 9, 9)),   # A
                    cal.working_days_between(date(2026, 9, 8), data["B_late_on"]),  # B
                    # E, answered at the meeting, needed no notice: not among the durations
                    cal.working_days_between(date(2026, 9, 2), date(2026, 9, 3)),   # H
                    cal.working_days_between(date(2026, 9, 14), date(2026, 9, 15)),  # I
                    cal.working_days_between(date(2026, 9, 16), date(2026, 9, 17)),  # J
                    cal.working_days_between(date(2026, 9, 3), date(2026, 9, 4))])  # K
    concl = report(org, ctx).row("conclusion")
    mid = (len(spans) - 1) * 0.5
    assert concl.median_days == pytest.approx(spans[int(mid)])
    pos = (len(spans) - 1) * 0.9
    lo = spans[int(pos)]
    assert concl.p90_days == pytest.approx(lo + (spans[int(pos) + 1] - lo) * (pos - int(pos)))
    assert concl.p90_days > concl.median_days  # B's late conclusion pulls the tail


def test_frozen_verdicts_same_numbers_later(org, ctx, data):
    before = report(org, ctx, by="month")
    before_totals = [r.to_dict() for r in before.totals]
    before_rows = [r.to_dict() for r in before.rows]
    with transaction(org) as s:
        # October: C is finally concluded (late), A resolved, B's resolution clock extended.
        act(s, ctx, data["C"], "conclude", date(2026, 10, 20), notice_no="9/TB", department="C1-D2")
        act(s, ctx, data["A"], "resolve", date(2026, 10, 22), document_no="20/UBND")
        act(s, ctx, data["B"], "extend", date(2026, 10, 26), days=5, reason="chờ đo đạc")
    after = report(org, ctx, by="month")
    assert [r.to_dict() for r in after.totals] == before_totals
    assert [r.to_dict() for r in after.rows] == before_rows
    # ...while a report judged today sees the new facts.
    today = report(org, ctx, as_of=TODAY)
    assert today.row("conclusion").met_late == 2 and today.row("conclusion").open_overdue == 3  # G, I_up, D


def test_grouping_and_drill_down(org, ctx, data):
    r = report(org, ctx, by="department")
    d1 = next(x for x in r.rows if x.clock == "conclusion" and x.key == "C1-D1")
    assert (d1.met_on_time, d1.met_late) == (2, 1)  # A, K on time; B late
    with transaction(org) as s:
        late = ontime_items(s, "P", *SEPT, "conclusion", "met_late", by="department", key="C1-D1", today=TODAY)
        assert [x["code"] for x in late] == [data["B"]]
        overdue = ontime_items(s, "P", *SEPT, "conclusion", "open_overdue", today=TODAY)
        assert {x["code"] for x in overdue} == {data["C"], data["G"], data["I_up"]}
        ext = ontime_items(s, "P", *SEPT, "resolution", "extended", today=TODAY)
        assert [x["code"] for x in ext] == [data["A"]]
        # every figure's drill-down has exactly as many items as the figure
        for clock in ("conclusion", "resolution"):
            row = ontime_report(s, "P", *SEPT, today=TODAY).row(clock)
            for fig in FIGURES:
                assert len(ontime_items(s, "P", *SEPT, clock, fig, today=TODAY)) == getattr(row, fig)
        # scope: C2 alone
        c2 = ontime_report(s, "C2", *SEPT, today=TODAY).row("conclusion")
        assert counts(c2) == (2, 0, 0, 0, 0) and c2.answered_at_meeting == 1  # I, J; E answered at the meeting
        by_cat = ontime_report(s, "P", *SEPT, by="category", today=TODAY)
        assert {x.key for x in by_cat.rows} >= {"other", "cadre_degradation"}


def test_backlog_and_charts(org, ctx, data):
    with transaction(org) as s:
        points = overdue_backlog(s, "P", month_ends(date(2026, 8, 1), date(2026, 10, 31)), clock="conclusion")
        r = ontime_report(s, "P", *SEPT, by="month", today=TODAY)
    assert points[0] == (date(2026, 8, 31), 0)
    assert points[1][1] == 4  # C, G, I_up and F (received in August, due in September)
    assert points[2][1] == 5  # ... and D
    svg = backlog_chart(points)
    assert svg.startswith("<svg") and "<title" in svg and "30/09/2026: 4" in svg
    bar = ontime_rate_chart(r, "conclusion")
    assert "<title" in bar and "56 %" in bar and "http" not in bar.replace("http://www.w3.org/2000/svg", "")  # 5 of 9 judged (E, answered at the meeting, apart)
    assert "56%" in ontime_rate_chart(r, "conclusion", "en")  # the reader's convention, per language


# -- the annex -------------------------------------------------------------------------------------------
EXPECTED = {  # key: (commune, province)
    "receptions_periodic": (1, 1), "receptions_adhoc": (1, 0), "people_periodic": (4, 5), "people_adhoc": (2, 0),
    "groups": (1, 0), "complex_prolonged": (1, 0), "refused": (1, 0),
    "degradation_handled": (0, 0), "degradation_unhandled": (1, 0),
    "resolved_no_further": (2, 0), "resolved_still_complained": (1, 0), "in_progress": (5, 0),
    # I_up (the province's copy of I) was never acted on: escalated to P, not yet directed by it (issue 16)
    "directed": (0, 0), "directed_crowded": (0, 0), "directed_incited": (0, 0), "guided_elsewhere": (1, 0),
}


def test_appendix2_rows(org, ctx, data):
    with transaction(org) as s:
        a = appendix2(s, "P", *SEPT)
        for key, (commune, province) in EXPECTED.items():
            assert a[key] == {"commune": commune, "province": province, "total": commune + province}, key
        assert a["dialogues"]["total"] == 1 and a["people_dialogue"]["total"] == 30
        # drill-down: every number has its items
        for key in KEYS:
            for col in ("commune", "province", "total"):
                items = appendix2_items(s, "P", *SEPT, key, col)
                assert sum(x.get("counts", 1) for x in items) == a[key][col], (key, col)
        prog = {x["code"] for x in appendix2_items(s, "P", *SEPT, "in_progress")}
        assert prog == {data[k] for k in "ABCDG"}
        assert appendix2_items(s, "P", *SEPT, "directed", "province") == []
        c1 = appendix2(s, "C1", *SEPT)
        assert c1["people_periodic"] == {"commune": 4, "province": 0, "total": 4}  # the two levels since 2025
        assert set(c1.to_dict()) >= set(KEYS)


def test_kythuong_seed(org, ctx, tmp_path):
    """Kỳ Thượng 2019–2023 (seed 000, PHỤ LỤC 2): 46 periodic receptions, 107 people, nothing
    ad hoc; six petitions within its authority, five resolved with no further complaint and
    one being resolved; every other row 0."""
    with transaction(org) as s:
        add_unit(s, "KT", "Xã Kỳ Thượng", "commune", "P")
        add_unit(s, "KT-VP", "Văn phòng Đảng ủy xã Kỳ Thượng", "department", "KT")
    days = []
    for year in range(2019, 2024):
        for month in range(1, 13):
            if len(days) < 46 and (month % 5 != 0 or year == 2023):
                days.append(date(year, month, 10))
    assert len(days) == 46
    with transaction(org) as s:
        for i, d in enumerate(days):
            add_session(s, "KT", "reception_periodic", d, people=3 if i < 15 else 2, chair="Bí thư Đảng ủy")
        received = [date(2019, 6, 10), date(2020, 3, 10), date(2021, 4, 12), date(2022, 7, 11), date(2023, 2, 10),
                    date(2023, 11, 10)]
        for i, d in enumerate(received):
            code = add(s, ctx, "KT", d, f"Kiến nghị số {i + 1}", category="land")
            act(s, ctx, code, "conclude", d + timedelta(days=3), notice_no=f"{i + 1}-TB/ĐU", department="KT-VP")
            if i < 5:
                act(s, ctx, code, "resolve", d + timedelta(days=20), document_no=f"{i + 1}/UBND")
                if i % 2 == 0:
                    act(s, ctx, code, "close", d + timedelta(days=25))
    seed = dict.fromkeys(KEYS, 0)
    seed.update(receptions_periodic=46, people_periodic=107, resolved_no_further=5, in_progress=1)
    with transaction(org) as s:
        a = appendix2(s, "KT", "2019-01-01", "2023-12-31")
    out = json.loads(export(a, "json"))
    for key in KEYS:  # the seed's columns: Cấp xã | Cấp huyện | Tổng cộng
        assert out[key] == {"commune": seed[key], "district": 0, "total": seed[key]}, key
    if org.dialect.name == "sqlite":  # the spreadsheet is the same on both databases: open it once
        text, pages = libreoffice_pdf(export(a, "xlsx"), tmp_path)
        assert pages == 1  # the annex prints on one A4 page, like the seed's
        for needed in ("PHỤ LỤC 2", "STT", "Nội dung", "Cấp xã", "Cấp huyện", "Tổng cộng", "Số cuộc tiếp dân",
                       "Số lượt người được tiếp", "46", "107"):
            assert needed in text, needed


def libreoffice_pdf(xlsx: bytes, tmp_path) -> tuple[str, int]:
    """Open the workbook in LibreOffice (headless), print it to PDF, read the PDF back."""
    import shutil
    import subprocess
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not (soffice and pdftotext):
        from tests.conftest import service_unreachable
        service_unreachable("LibreOffice (soffice) and poppler-utils", FileNotFoundError("soffice/pdftotext"))
    src = tmp_path / "phu-luc-2.xlsx"
    src.write_bytes(xlsx)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "phu-luc-2.pdf"
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return text, text.count("\f") or 1


# -- exports and CLI ---------------------------------------------------------------------------------------
def test_exports(org, ctx, data):
    with transaction(org) as s:
        a = appendix2(s, "P", *SEPT)
        r = ontime_report(s, "P", *SEPT, by="department", today=TODAY)
    wb = load_workbook(io.BytesIO(export(a, "xlsx")))
    cells = {str(c.value) for row in wb.active.iter_rows() for c in row if c.value is not None}
    assert {"Cấp xã", "Cấp tỉnh", "Tổng cộng", "STT", "Số cuộc tiếp dân", "Định kỳ"} <= cells
    assert any(v.startswith("PHỤ LỤC 2") for v in cells)
    ws = wb.active
    row = next(i for i in range(1, ws.max_row + 1) if ws.cell(i, 3).value == "Định kỳ")
    assert (ws.cell(row, 4).value, ws.cell(row, 5).value, ws.cell(row, 6).value) == (1, 1, 2)
    wb2 = load_workbook(io.BytesIO(export(r, "xlsx")))
    assert "Tỷ lệ đúng hạn" in {str(c.value) for row in wb2.active.iter_rows() for c in row}
    for rep in (a, r):
        data_csv = export(rep, "csv")
        assert data_csv.startswith(b"\xef\xbb\xbf")
        assert data_csv.decode("utf-8-sig").splitlines()[0].split(",")[0] in ("STT", "Thời hạn")
    html = export(a, "html")
    assert "size: A4" in html and "Cấp xã" in html and "<script" not in html and "http" not in html
    linked = __import__("engine.reports.export", fromlist=["to_html"]).to_html(
        a, link=lambda key, col: f"/reports/appendix2/{key}/{col}")
    assert 'href="/reports/appendix2/people_periodic/total"' in linked
    assert json.loads(export(r, "json"))["totals"][0]["clock"] == "conclusion"


def run_cli(db, *args):
    env = dict(os.environ, DATABASE_URL=db.url.render_as_string(hide_password=False), PETITIONS_LANG="vi")
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, env=env, timeout=120)


def test_cli(org, ctx, data, tmp_path):
    r = run_cli(org, "report", "appendix2", "--unit", "P", "--from", "2026-09-01", "--to", "30/09/2026",
                "--format", "json")
    assert r.returncode == 0, r.stderr.decode()
    out = json.loads(r.stdout)
    assert set(KEYS) <= set(out) and out["people_periodic"] == {"commune": 4, "province": 5, "total": 9}
    r = run_cli(org, "report", "ontime", "--unit", "P", "--from", "2026-09-01", "--to", "2026-09-30",
                "--by", "department", "--format", "csv")
    assert r.returncode == 0 and r.stdout.startswith(b"\xef\xbb\xbf")
    xlsx = tmp_path / "a.xlsx"
    r = run_cli(org, "report", "appendix2", "--unit", "C1", "--from", "2026-09-01", "--to", "2026-09-30",
                "--format", "xlsx", "--out", str(xlsx))
    assert r.returncode == 0 and load_workbook(xlsx).active["A1"].value.startswith("PHỤ LỤC 2")
    r = run_cli(org, "report", "ontime", "--unit", "P", "--from", "2026-09-01", "--to", "2026-09-30")
    assert r.returncode == 0 and "Tỷ lệ đúng hạn" in r.stdout.decode()
    for args, expect in ((("--unit", "NOPE", "--from", "2026-09-01", "--to", "2026-09-30"), "NOPE"),
                         (("--unit", "P", "--from", "2026-13-01", "--to", "2026-09-30"), "2026-13-01"),
                         (("--unit", "P", "--from", "2026-10-01", "--to", "2026-09-30"), "01/10/2026")):
        for cmd in ("ontime", "appendix2"):
            r = run_cli(org, "report", cmd, *args)
            err = r.stderr.decode().strip()
            assert r.returncode == 2, (cmd, args, err)
            assert len(err.splitlines()) == 1 and expect in err and "Traceback" not in err
