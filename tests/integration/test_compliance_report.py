"""The compliance report (issue 14) on SQLite and PostgreSQL: required, planned, held, missed,
cancelled and shortfall per unit and obligation, across months where Tết removes a week
(February 2026), with a province and its communes side by side, drill-down and exports."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from engine.persistence.db import transaction
from engine.persistence.models import OrgUnit, ReceptionSession
from engine.reports.compliance import compliance_items, compliance_report, export_compliance
from sqlalchemy import select

AS_OF = date(2026, 4, 15)


def add(s, unit, kind, on, role, status="held", planned=True):
    uid = s.scalar(select(OrgUnit.id).where(OrgUnit.code == unit))
    s.add(ReceptionSession(unit_id=uid, kind=kind, held_on=date.fromisoformat(on), chair_role=role, status=status,
                           planned_on=date.fromisoformat(on) if planned else None))


@pytest.fixture
def sessions(org):
    with transaction(org) as s:
        # C1's party secretary: 2 in January, 1 in February, 2 in March (one of them ad hoc-recorded)
        for on in ("2026-01-08", "2026-01-22", "2026-02-05", "2026-03-05", "2026-03-19"):
            add(s, "C1", "reception_periodic", on, "party_secretary", planned=on != "2026-03-19")
        add(s, "C1", "reception_periodic", "2026-02-26", "party_secretary", status="cancelled")
        # C1's People's Committee chair: every due week of Q1 except the one of 23/02, whose
        # planned Friday 27/02 passed unrecorded; Monday 02/03 belongs to March's first week
        for on in ("2026-01-06", "2026-01-13", "2026-01-20", "2026-01-27", "2026-02-03", "2026-02-11",
                   "2026-03-02", "2026-03-10", "2026-03-17", "2026-03-24", "2026-03-31"):
            add(s, "C1", "reception_periodic", on, "ubnd_chair")
        add(s, "C1", "reception_periodic", "2026-02-27", "ubnd_chair", status="planned")
        add(s, "C1", "reception_periodic", "2026-04-20", "ubnd_chair", status="planned")  # future: not missed
        # a session with no chair role (recorded before roles existed) counts for nothing
        add(s, "C1", "reception_periodic", "2026-02-19", None)
        # the province's secretary: one a month; C2 held nothing
        for on in ("2026-01-15", "2026-02-12", "2026-03-12"):
            add(s, "P", "reception_periodic", on, "party_secretary")
        add(s, "P", "dialogue_periodic", "2026-03-25", "party_secretary")
    return org


def rows_by(rep):
    return {(r.unit, r.obligation): r for r in rep.rows}


def test_february_2026_with_tet(sessions):
    with transaction(sessions) as s:
        rep = compliance_report(s, "C1", "2026-02-01", "2026-02-28", as_of=AS_OF)
    r = rows_by(rep)
    party = r[("C1", "party_head_reception_commune")]
    assert (party.required, party.planned, party.held, party.missed, party.cancelled, party.shortfall) == (2, 1, 1, 0, 1, 1)
    assert party.short_periods == ["2026-02"]
    ubnd = r[("C1", "ubnd_chair_reception_commune")]
    # 3 weeks due (the Tết week 16–22/02 has no working day); the week of 23/02 was missed
    assert (ubnd.required, ubnd.planned, ubnd.held, ubnd.missed, ubnd.shortfall) == (3, 3, 2, 1, 1)
    assert ubnd.short_periods == ["2026-W09"]
    assert ("C1", "party_head_dialogue") not in r  # a year's obligation is not due in a month


def test_a_quarter_is_the_sum_of_its_months_and_the_province_sees_its_communes(sessions):
    with transaction(sessions) as s:
        months = [compliance_report(s, "P", a, b, as_of=AS_OF) for a, b in
                  (("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31"))]
        q1 = compliance_report(s, "P", "2026-01-01", "2026-03-31", as_of=AS_OF)
    got = rows_by(q1)
    assert sorted({u for u, _ in got}) == ["C1", "C2", "P"]  # side by side; departments have no obligation
    for key, row in got.items():
        for f in ("required", "held", "missed", "shortfall"):
            assert getattr(row, f) == sum(getattr(rows_by(m)[key], f) for m in months), (key, f)
    assert got[("C1", "ubnd_chair_reception_commune")].required == 12
    assert got[("C1", "ubnd_chair_reception_commune")].shortfall == 1
    assert got[("C1", "party_head_reception_commune")].shortfall == 1  # Feb short; Jan and Mar met
    assert got[("C2", "party_head_reception_commune")].shortfall == 6
    assert got[("C2", "ubnd_chair_reception_commune")].shortfall == 12
    assert got[("P", "party_head_reception_province")].shortfall == 0
    assert got[("P", "ubnd_chair_reception_province")].shortfall == 3
    totals = {t.obligation: t for t in q1.totals}
    assert totals["party_head_reception_commune"].required == 12
    assert totals["party_head_reception_commune"].held == 5


def test_the_running_month_is_not_short_yet_and_a_year_carries_the_dialogues(sessions):
    with transaction(sessions) as s:
        april = compliance_report(s, "C1", "2026-04-01", "2026-04-30", as_of=AS_OF)
        year = compliance_report(s, "P", "2026-01-01", "2026-12-31", as_of=date(2027, 1, 10))
    r = rows_by(april)[("C1", "party_head_reception_commune")]
    assert (r.required, r.held, r.shortfall) == (2, 0, 0)
    dlg = rows_by(year)
    assert (dlg[("P", "party_head_dialogue")].held, dlg[("P", "party_head_dialogue")].shortfall) == (1, 1)
    assert dlg[("C1", "party_head_dialogue")].shortfall == 2


def test_drill_down_lists_the_sessions_behind_a_figure(sessions):
    with transaction(sessions) as s:
        missed = compliance_items(s, "C1", "2026-02-01", "2026-02-28", "ubnd_chair_reception_commune", "missed",
                                  as_of=AS_OF)
        held = compliance_items(s, "C1", "2026-01-01", "2026-03-31", "party_head_reception_commune", "held",
                                as_of=AS_OF)
        cancelled = compliance_items(s, "C1", "2026-02-01", "2026-02-28", "party_head_reception_commune",
                                     "cancelled", as_of=AS_OF)
    assert [(x["held_on"], x["status"]) for x in missed] == [("2026-02-27", "missed")]
    assert [x["held_on"] for x in held] == ["2026-01-08", "2026-01-22", "2026-02-05", "2026-03-05", "2026-03-19"]
    assert [x["held_on"] for x in cancelled] == ["2026-02-26"]
    from engine.language.errors import DomainError
    with transaction(sessions) as s, pytest.raises(DomainError):
        compliance_items(s, "C1", "2026-02-01", "2026-02-28", "party_head_reception_commune", "nonsense")


def test_exports_xlsx_csv_and_formula_names(sessions):
    with transaction(sessions) as s:
        s.execute(OrgUnit.__table__.update().where(OrgUnit.code == "C2").values(name="=HYPERLINK(\"http://x\")"))
    with transaction(sessions) as s:
        rep = compliance_report(s, "P", "2026-01-01", "2026-03-31", as_of=AS_OF)
    text = export_compliance(rep, "csv", "vi").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["Đơn vị", "Nghĩa vụ", "Vai trò chủ trì", "Mức tối thiểu", "Phải tổ chức"]
    assert any(r[0].startswith("'=HYPERLINK") for r in rows)
    assert any("tuần 23/02–01/03/2026" in r[-1] for r in rows)
    wb = load_workbook(io.BytesIO(export_compliance(rep, "xlsx", "en")))
    ws = wb.active
    assert ws.cell(4, 5).value == "Required"
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    c1 = [v for v in values if v[0] == "Xã Một (C1)" and v[1].startswith("Commune People")][0]
    assert c1[4:10] == [12, 12, 11, 1, 0, 1]
    names = [c for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("=")]
    assert names and all(c.data_type == "s" for c in names)
    assert "Tổng cộng" in export_compliance(rep, "table", "vi")


def test_the_command(tmp_path):
    """`petitions report compliance`: a year planned from the command line is counted; bad
    input is a bilingual message and exit code 2, never a traceback."""
    import json
    import os
    import subprocess
    import sys
    env = dict(os.environ, PETITIONS_VAR_DIR=str(tmp_path / "var"), PETITIONS_LANG="vi",
               DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")

    def run(*args, **extra):
        return subprocess.run([sys.executable, "-m", "engine", *args], env=dict(env, **extra), capture_output=True,
                              text=True)
    assert run("db", "upgrade").returncode == 0
    units = tmp_path / "units.csv"
    units.write_text("code,name,level,parent_code\nHT,Tỉnh Hà Tĩnh,province,\nKT,Xã Kỳ Thượng,commune,HT\n",
                     encoding="utf-8")
    assert run("units", "load", str(units)).returncode == 0
    year = date.today().year + 1
    r = run("session", "plan", "--unit", "KT", "--monthly", "10,25", "--year", str(year), "--place", "Trụ sở",
            "--chair", "Nguyễn Văn A", "--chair-role", "party_secretary")
    assert r.returncode == 0, r.stderr
    r = run("report", "compliance", "--unit", "HT", "--from", f"01/01/{year}", "--to", f"31/12/{year}",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    kt = {x["obligation"]: x for x in rep["rows"] if x["unit"] == "KT"}
    party = kt["party_head_reception_commune"]
    assert (party["required"], party["planned"], party["held"], party["missed"], party["shortfall"]) == (24, 24, 0, 0, 0)
    assert kt["party_head_dialogue"]["required"] == 2
    out = tmp_path / "c.xlsx"
    r = run("report", "compliance", "--unit", "HT", "--from", f"{year}-01-01", "--to", f"{year}-03-31", "--format",
            "xlsx", "--out", str(out))
    assert r.returncode == 0 and load_workbook(out).active.cell(5, 1).value == "Tỉnh Hà Tĩnh (HT)"
    r = run("report", "compliance", "--unit", "HT", "--from", f"{year}-03-31", "--to", f"{year}-01-01")
    assert r.returncode == 2 and "31/03" in r.stderr and "Traceback" not in r.stderr
    r = run("report", "compliance", "--unit", "NOPE", "--from", f"{year}-01-01", "--to", f"{year}-01-31",
            PETITIONS_LANG="en")
    assert r.returncode == 2 and "Unknown unit 'NOPE'" in r.stderr and "Traceback" not in r.stderr
