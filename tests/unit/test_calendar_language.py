"""Issue 12: the calendar's reasons and sources name the law and the decision (never the
Python package), in Vietnamese and in English; decision files may carry `name_en`."""
from __future__ import annotations

from datetime import date

import pytest

from engine.deadlines.calendar import WorkingCalendar, load_decisions
from engine.language.errors import CalendarError


def _cal(tmp_path, text):
    f = tmp_path / "d.toml"
    f.write_text(text, encoding="utf-8")
    return WorkingCalendar(load_decisions([f]))


def test_sources_name_the_law_not_the_package(tmp_path):
    cal = _cal(tmp_path, "")
    for year in (2019, 2024, 2026):
        for n in cal.year_notes(year):
            for lang in ("vi", "en"):
                assert "holidays" not in n.source_in(lang) and "dữ liệu" not in n.source_in(lang), n
    national = cal.note(date(2026, 9, 2))
    assert national.source_in("vi") == "Bộ luật Lao động 2019, Điều 112"
    assert national.source_in("en") == "Labour Code 2019, Article 112"
    assert cal.note(date(2019, 9, 2)).source_in("vi") == "Bộ luật Lao động 2012, Điều 115"


def test_reasons_in_english(tmp_path):
    cal = _cal(tmp_path, "")
    national = cal.note(date(2026, 9, 2))
    assert national.reason_in("vi") == "Quốc khánh" and national.reason_in("en") == "National Day"
    swap = cal.note(date(2026, 8, 31))
    assert swap.reason_in("en") == "Day off (in exchange for working 22/08/2026)"
    assert cal.note(date(2026, 8, 22)).reason_in("en") == "Make-up working day for 31/08/2026"
    sat = cal.note(date(2026, 11, 21))
    assert sat.reason_in("vi") == "Nghỉ cuối tuần (Thứ Bảy)" and sat.reason_in("en") == "Weekend (Saturday)"
    assert sat.source_in("en").startswith("Monday–Friday working week")


def test_decision_name_en_is_optional_and_used_in_english(tmp_path):
    cal = _cal(tmp_path, '[[day_off]]\ndate = 2027-01-04\nname = "Nghỉ bù Tết Dương lịch"\n'
                         'name_en = "New Year compensatory day off"\nsource = "1/VPCP"\n'
                         '[[day_off]]\ndate = 2027-01-05\nname = "Nghỉ thêm"\nsource = "1/VPCP"\n')
    assert cal.note(date(2027, 1, 4)).reason_in("en") == "New Year compensatory day off"
    assert cal.note(date(2027, 1, 4)).reason_in("vi") == "Nghỉ bù Tết Dương lịch"
    assert cal.note(date(2027, 1, 5)).reason_in("en") == "Nghỉ thêm"  # falls back to the Vietnamese name
    assert cal.note(date(2027, 1, 4)).to_dict()["reason_en"] == "New Year compensatory day off"


def test_name_en_must_be_text(tmp_path):
    with pytest.raises(CalendarError) as e:
        _cal(tmp_path, '[[day_off]]\ndate = 2027-01-04\nname = "x"\nname_en = ""\nsource = "y"\n')
    assert e.value.code == "cal_bad_text"
    with pytest.raises(CalendarError) as e:
        _cal(tmp_path, '[[confirmed_year]]\nyear = 2027\nsource = "y"\nname_en = "z"\n')
    assert e.value.code == "cal_unknown_key"


def test_shipped_2026_decisions_have_english_names():
    from engine.deadlines.calendar import default_calendar
    cal = default_calendar()
    assert cal.note(date(2026, 1, 2)).reason_in("en") == "New Year day off (swapped)"


def test_cli_deadline_leads_with_holidays_and_sums_up_weekends():
    from engine.cli.calendar_cmds import render_explanation
    from engine.deadlines.calendar import default_calendar
    ex = default_calendar().explain(date(2026, 8, 5), 30)
    out = render_explanation(ex)
    assert "  11 ngày cuối tuần (Thứ Bảy, Chủ nhật) — Tuần làm việc Thứ Hai–Thứ Sáu" in out
    assert "Nghỉ cuối tuần" not in out and "05/09" not in out and "holidays 0." not in out
    assert out.index("Quốc khánh") < out.index("ngày cuối tuần")
    assert "05/09/2026, 06/09/2026" in render_explanation(ex, details=True)
