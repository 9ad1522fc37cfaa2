"""The letter-handling report (TT 02/2021/TT-TTCP, issue 17) on SQLite and PostgreSQL, against
figures counted by hand: letters across two quarters (carried over), every channel, content
and result, a duplicate counted once, an anonymous letter, letters signed by many people, a
letter classified after the period's end; drill-downs that agree with every figure; exports
without a denouncer's name; bad input refused; the command line."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine.language.errors import DomainError
from engine.persistence.db import transaction
from engine.persistence.models import Petition, User
from engine.reports.letters import FIGURES, MANY_SIGNERS, export_letters, letters_items, letters_report
from engine.services import casework
from engine.services import duplicates as dup
from engine.services import petitions as svc
from tests.conftest import NOW
from tests.integration.test_cli_lifecycle import cli_env, run  # noqa: F401 (the fixture)

Q1 = ("2026-01-01", "2026-03-31")
Q2 = ("2026-04-01", "2026-06-30")
DENOUNCERS = ("Đặng Tố Giác", "Hoàng Bí Mật", "Vũ Mật Danh")


def _letter(s, ctx, unit, on, channel, name, summary, signers=1, transferred_from=""):
    return casework.register_letter(s, ctx, unit, summary, channel, transferred_from=transferred_from,
                                    signers=signers, petitioners=[{"name": name, "address": "Thôn 2",
                                                                   "phone": "0912000111"}],
                                    received_on=on).code


@pytest.fixture
def letters(org, ctx):
    """The letters, by the figures they count for in Q2 (01/04–30/06/2026) at C1."""
    codes = {}
    with transaction(org) as s:
        add = lambda key, *a, **k: codes.__setitem__(key, _letter(s, ctx, *a, **k))  # noqa: E731
        add("L1", "C1", "2026-03-10", "post", "Ngô Văn Một", "Khiếu nại quyết định thu hồi đất")
        add("L2", "C1", "2026-03-15", "in_person", DENOUNCERS[0], "Tố cáo cán bộ địa chính nhận tiền")
        add("L3", "C1", "2026-03-25", "online", "Lý Thị Ba", "Kiến nghị sửa đường liên thôn")
        add("L4", "C1", "2026-03-28", "post", "Phan Văn Bốn", "Phản ánh ô nhiễm lò gạch")
        add("L5", "C1", "2026-04-03", "transferred", "Trịnh Văn Năm", "Khiếu nại bồi thường giải phóng mặt bằng",
            signers=6, transferred_from="Thanh tra tỉnh")
        add("L6", "C1", "2026-04-20", "post", "Không rõ", "Đơn không ký tên về nhiều việc")
        add("L7", "C1", "2026-05-05", "in_person", DENOUNCERS[2], "Tố cáo trưởng thôn lập danh sách sai",
            signers=5)
        add("L8", "C1", "2026-05-10", "online", "Đỗ Thị Tám", "Kiến nghị lắp đèn đường thôn Đông", signers=4)
        add("L9", "C1", "2026-05-11", "post", "Đỗ Thị Tám", "Kiến nghị lắp đèn đường thôn Đông (gửi lại)")
        add("L10", "C2", "2026-06-30", "post", "Mai Văn Mười", "Phản ánh chợ tạm lấn đường")
        add("L11", "C1", "2026-07-01", "post", "Tạ Văn Mười Một", "Kiến nghị sau kỳ báo cáo")
        add("L12", "P", "2026-04-08", "online", DENOUNCERS[1], "Tố cáo lãnh đạo xã Hai")

    def act(code, action, on, **fields):
        with transaction(org) as s:
            svc.act(s, ctx, codes[code], action, "clerk1" if code not in ("L10", "L12") else
                    ("clerk2" if code == "L10" else "pclerk"), fields, on=on)

    def classify(code, on, content, condition="eligible", competent="yes", **more):
        act(code, "classify", on, content=content, condition=condition, competent=competent, **more)

    classify("L1", "2026-03-12", "complaint")
    act("L1", "accept", "2026-03-20")                      # handled in Q1
    classify("L2", "2026-03-20", "denunciation")
    act("L2", "transfer", "2026-04-01", agency="Thanh tra tỉnh")  # handled on Q2's first day
    classify("L3", "2026-04-02", "petition", condition="ineligible", competent="no")
    act("L3", "guide", "2026-04-10", note="Hướng dẫn gửi UBND tỉnh")
    classify("L5", "2026-04-06", "complaint")
    act("L5", "accept", "2026-04-15")
    classify("L6", "2026-04-22", "mixed", condition="anonymous")
    act("L6", "file", "2026-04-25")
    classify("L7", "2026-07-03", "denunciation")            # after Q2's end: not classified at the end
    act("L7", "accept", "2026-07-06")
    classify("L8", "2026-05-12", "petition")
    classify("L12", "2026-04-09", "denunciation")
    classify("L10", "2026-06-30", "petition")               # on the period's last day: classified at the end
    with transaction(org) as s:
        clerk = s.scalar(select(User).where(User.username == "clerk1"))
        p, master = (s.scalar(select(Petition).where(Petition.code == codes[k])) for k in ("L9", "L8"))
        dup.mark_duplicate(s, clerk, p, master, "Cùng người, cùng nội dung", NOW)
    return codes


def nonzero(row) -> dict:
    return {k: v for k, v in row.figures.items() if v}


C1_Q2 = {"carried_over": 3, "received": 4, "received_in_person": 1, "received_post": 1, "received_online": 1,
         "received_transferred": 1, "total": 7, "eligible": 3, "not_eligible": 2, "not_classified": 2,
         "content_complaint": 1, "content_denunciation": 1, "content_petition": 2, "content_mixed": 1,
         "anonymous": 1, "many_signers": 2, "handled": 4, "result_accept": 1, "result_transfer": 1,
         "result_guide": 1, "result_file": 1, "unhandled_end": 3, "duplicates": 1}
C2_Q2 = {"received": 1, "received_post": 1, "total": 1, "eligible": 1, "content_petition": 1, "unhandled_end": 1}
P_Q2 = {"received": 1, "received_online": 1, "total": 1, "eligible": 1, "content_denunciation": 1,
        "unhandled_end": 1}
C1_BEHIND = {  # which letters each Q2 figure of C1 lists
    "carried_over": {"L2", "L3", "L4"}, "received": {"L5", "L6", "L7", "L8"}, "received_transferred": {"L5"},
    "eligible": {"L2", "L5", "L8"}, "not_eligible": {"L3", "L6"}, "not_classified": {"L4", "L7"},
    "content_petition": {"L3", "L8"}, "anonymous": {"L6"}, "many_signers": {"L5", "L7"},
    "handled": {"L2", "L3", "L5", "L6"}, "result_transfer": {"L2"}, "unhandled_end": {"L4", "L7", "L8"},
    "duplicates": {"L9"}}


def test_a_quarter_counted_by_hand(letters, org):
    with transaction(org) as s:
        rep = letters_report(s, "P", *Q2)
    rows = {r.unit: r for r in rep.rows}
    assert list(rows) == ["P", "C1", "C2"]  # the unit, then every unit below it; departments in their unit
    assert nonzero(rows["C1"]) == C1_Q2
    assert nonzero(rows["C2"]) == C2_Q2
    assert nonzero(rows["P"]) == P_Q2
    for f in FIGURES:
        assert rep.total.figures[f] == sum(r.figures[f] for r in rep.rows), f
    t = rep.total.figures
    # the splits add up: the period's letters are the carried over plus the received ones
    assert t["total"] == t["carried_over"] + t["received"] == 9
    assert t["received"] == sum(t[k] for k in ("received_in_person", "received_post", "received_online",
                                               "received_transferred"))
    assert t["total"] == t["eligible"] + t["not_eligible"] + t["not_classified"]
    assert t["total"] == sum(t[k] for k in FIGURES if k.startswith("content_")) + t["not_classified"]
    assert t["handled"] == sum(t[k] for k in FIGURES if k.startswith("result_"))
    assert t["unhandled_end"] == t["total"] - t["handled"]
    assert MANY_SIGNERS.value == 5 and "Điều 29" in MANY_SIGNERS.source[0]


def test_what_one_quarter_leaves_the_next_one_carries_over(letters, org):
    with transaction(org) as s:
        q1 = letters_report(s, "C1", *Q1, scope="unit")
        q2 = letters_report(s, "C1", *Q2, scope="unit")
    assert [r.unit for r in q1.rows] == ["C1"]
    assert nonzero(q1.rows[0]) == {"received": 4, "received_in_person": 1, "received_post": 2, "received_online": 1,
                                   "total": 4, "eligible": 2, "not_classified": 2, "content_complaint": 1,
                                   "content_denunciation": 1, "handled": 1, "result_accept": 1, "unhandled_end": 3}
    assert q1.rows[0]["unhandled_end"] == q2.rows[0]["carried_over"] == 3


def test_every_figure_lists_the_letters_behind_it(letters, org):
    names = {v: k for k, v in letters.items()}
    with transaction(org) as s:
        rep = letters_report(s, "P", *Q2)
        for row in rep.rows:
            for f in FIGURES:
                items = letters_items(s, row.unit, *Q2, f)
                assert len(items) == row.figures[f], (row.unit, f)
                if row.unit == "C1" and f in C1_BEHIND:
                    assert {names[i["code"]] for i in items} == C1_BEHIND[f], f
        for f in FIGURES:
            assert len(letters_items(s, "P", *Q2, f, scope="subtree")) == rep.total.figures[f], f
        dupe = letters_items(s, "C1", *Q2, "duplicates")[0]
        late = {i["code"]: i for i in letters_items(s, "C1", *Q2, "unhandled_end")}[letters["L7"]]
    assert dupe["duplicate_of"] == letters["L8"]
    # as of the period's end L7 was neither classified nor accepted
    assert late["content"] is None and late["condition"] is None


def test_no_denouncer_name_in_any_export_or_drill_down(letters, org):
    with transaction(org) as s:
        rep = letters_report(s, "P", *Q2)
        texts = [export_letters(rep, "csv").decode("utf-8-sig"), export_letters(rep, "json"),
                 export_letters(rep, "text")]
        ws = load_workbook(io.BytesIO(export_letters(rep, "xlsx"))).active
        texts.append(" ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None))
        for f in FIGURES:
            texts.append(json.dumps(letters_items(s, "P", *Q2, f, scope="subtree"), ensure_ascii=False, default=str))
    blob = "\n".join(texts)
    for name in DENOUNCERS:
        assert name not in blob and name.split()[-1] not in blob


def test_exports_carry_the_figures(letters, org):
    with transaction(org) as s:
        rep = letters_report(s, "P", *Q2)
    table = list(csv.reader(io.StringIO(export_letters(rep, "csv").decode("utf-8-sig"))))
    assert table[0][0] == "Đơn vị" and table[0][1] == "Kỳ trước chuyển sang"
    c1 = next(r for r in table if r[0] == "Xã Một (C1)")
    assert [int(v) for v in c1[1:]] == [C1_Q2.get(f, 0) for f in FIGURES]
    assert table[-1][0] == "Tổng cộng" and int(table[-1][1 + FIGURES.index("total")]) == 9
    ws = load_workbook(io.BytesIO(export_letters(rep, "xlsx", "en"))).active
    assert ws.cell(4, 1).value == "Unit" and ws.cell(4, 2).value == "Carried over from the previous period"
    assert "5 signers or more" in ws.cell(3, 1).value and "art. 29" in ws.cell(3, 1).value
    assert ws.cell(6, 1).value == "Xã Một (C1)" and ws.cell(6, 2).value == 3
    data = json.loads(export_letters(rep, "json"))
    assert data["total"]["duplicates"] == 1 and data["many_signers"]["min"] == 5
    assert "tính đến ngày 30/06/2026" in export_letters(rep, "text")


@pytest.mark.parametrize("args, code", [
    (("C1", "2026-06-30", "2026-04-01"), "bad_period"),
    (("ZZ", *Q2), "unknown_unit"),
    (("C1", "31/02/2026", "2026-06-30"), "bad_date"),
])
def test_bad_input_is_refused_with_a_clear_message(org, args, code):
    with transaction(org) as s:
        with pytest.raises(DomainError) as e:
            letters_report(s, *args)
    if code != "bad_date":
        assert e.value.code == code
    assert e.value.message("vi") and e.value.message("en") != e.value.message("vi")
    with transaction(org) as s:
        with pytest.raises(DomainError) as e:
            letters_items(s, "C1", *Q2, "nonsense")
        assert e.value.code == "bad_report_bucket"
        with pytest.raises(DomainError):
            letters_report(s, "C1", *Q2, scope="everything")


def test_the_command_line(cli_env, tmp_path):  # noqa: F811
    env = cli_env
    run(env, "db", "upgrade")
    units = tmp_path / "units.csv"
    units.write_text("code,name,level,parent_code\nHT,Tỉnh Hà Tĩnh,province,\nKT,Xã Kỳ Thượng,commune,HT\n",
                     encoding="utf-8")
    run(env, "units", "load", str(units))
    run(env, "users", "add", "--username", "vanthu", "--role", "clerk", "--unit", "KT", "--password-stdin",
        stdin="mat-khau-rat-dai\n")
    for on, channel in (("2026-03-30", "post"), ("2026-04-02", "online")):
        run(env, "petition", "add", "--unit", "KT", "--workflow", "letter", "--channel", channel, "--received-on", on,
            "--summary", "Tố cáo cán bộ", "--petitioner", "Lê Văn Kín", "--by", "vanthu")
    out = json.loads(run(env, "report", "letters", "--unit", "HT", "--from", "01/04/2026", "--to", "30/06/2026",
                         "--format", "json").stdout)
    assert (out["total"]["carried_over"], out["total"]["received"], out["total"]["received_online"],
            out["total"]["unhandled_end"]) == (1, 1, 1, 2)
    assert [r["unit"] for r in out["rows"]] == ["HT", "KT"]
    text = run(env, "report", "letters", "--unit", "HT", "--from", "2026-04-01", "--to", "2026-06-30").stdout
    assert "Kỳ trước chuyển sang" in text and "Xã Kỳ Thượng (KT)" in text and "Lê Văn Kín" not in text
    target = tmp_path / "r.xlsx"
    run(env, "report", "letters", "--unit", "KT", "--from", "2026-04-01", "--to", "2026-06-30", "--format", "xlsx",
        "--out", str(target))
    assert load_workbook(target).active.cell(5, 1).value == "Xã Kỳ Thượng (KT)"
    csv_out = run(env, "report", "letters", "--unit", "KT", "--from", "2026-04-01", "--to", "2026-06-30",
                  "--format", "csv").stdout
    assert csv_out.lstrip("\ufeff").startswith("Đơn vị,Kỳ trước chuyển sang")
    for args, words in ((("--unit", "KT", "--from", "2026-06-30", "--to", "2026-04-01"), "Khoảng thời gian"),
                        (("--unit", "ZZ", "--from", "2026-04-01", "--to", "2026-06-30"), "ZZ")):
        r = run(env, "report", "letters", *args, ok=False)
        assert r.returncode == 2 and "Traceback" not in r.stderr and words in r.stderr
