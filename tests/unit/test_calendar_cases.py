"""Deadlines worked out by hand from the official notices, 2024–2026.

Each case: (start, n working days, expected due date, why). The start day is never
counted (Civil Code art. 147); the due date is the n-th working day after it.
"""
from datetime import date

import pytest

from engine.deadlines.calendar import default_calendar

D = date
CASES = [
    # 2024 — Tết Giáp Thìn: off Thu 08/02 – Wed 14/02
    (D(2024, 2, 7), 1, D(2024, 2, 15), "Tết 2024 window 08–14/02"),
    (D(2023, 12, 29), 1, D(2024, 1, 2), "New Year 2024 (Mon 01/01)"),
    (D(2024, 4, 17), 1, D(2024, 4, 19), "Giỗ Tổ Thu 18/04/2024"),
    (D(2024, 4, 26), 1, D(2024, 5, 2), "swap: Mon 29/04 off, 30/04, 01/05"),
    (D(2024, 5, 3), 1, D(2024, 5, 4), "Sat 04/05/2024 worked (2450/VPCP-KGVX)"),
    (D(2024, 8, 30), 1, D(2024, 9, 4), "Quốc khánh 2024: Mon 02/09 + Tue 03/09"),
    # 2025 — Tết Ất Tỵ: off Mon 27/01 – Sat 01/02 (window 25/01 – 02/02)
    (D(2025, 1, 20), 10, D(2025, 2, 10), "the issue's reference case"),
    (D(2025, 1, 24), 1, D(2025, 2, 3), "Tết 2025 window"),
    (D(2025, 4, 4), 1, D(2025, 4, 8), "Giỗ Tổ Mon 07/04/2025"),
    (D(2025, 4, 25), 1, D(2025, 4, 26), "Sat 26/04/2025 worked"),
    (D(2025, 4, 26), 1, D(2025, 4, 28), "from a worked Saturday"),
    (D(2025, 4, 29), 1, D(2025, 5, 5), "30/04, 01/05 and Fri 02/05 off (swapped)"),
    (D(2025, 8, 29), 1, D(2025, 9, 3), "Quốc khánh 2025: Mon 01/09 + Tue 02/09"),
    # 2026 — 12729/VPCP-KGVX: Fri 02/01 off, Sat 10/01 worked; Tết Bính Ngọ 16–20/02
    (D(2025, 12, 31), 1, D(2026, 1, 5), "01/01 holiday, Fri 02/01 swapped off"),
    (D(2026, 1, 9), 1, D(2026, 1, 10), "Sat 10/01/2026 worked"),
    (D(2026, 1, 1), 7, D(2026, 1, 12), "counts the worked Saturday"),
    (D(2026, 2, 13), 1, D(2026, 2, 23), "Tết 2026 window 14–22/02"),
    (D(2026, 2, 10), 10, D(2026, 3, 3), "a conclusion notice across Tết 2026"),
    (D(2026, 4, 24), 1, D(2026, 4, 28), "Giỗ Tổ Sun 26/04 → Mon 27/04 off"),
    (D(2026, 4, 29), 1, D(2026, 5, 4), "30/04 Thu, 01/05 Fri"),
    (D(2026, 8, 21), 1, D(2026, 8, 22), "Sat 22/08/2026 worked"),
    (D(2026, 8, 28), 1, D(2026, 9, 3), "Mon 31/08 swapped off, 01–02/09"),
    (D(2026, 11, 23), 1, D(2026, 11, 25), "Ngày Văn hóa Việt Nam Tue 24/11/2026"),
]


@pytest.fixture(scope="module")
def cal():
    return default_calendar()


@pytest.mark.parametrize("start,n,due,why", CASES, ids=[c[3] for c in CASES])
def test_add_working_days(cal, start, n, due, why):
    assert cal.add_working_days(start, n) == due, why
    assert cal.working_days_between(start, due) == n
    assert cal.is_working_day(due)


@pytest.mark.parametrize("day,working", [
    (D(2026, 1, 2), False), (D(2026, 1, 10), True), (D(2025, 4, 26), True), (D(2025, 5, 2), False),
    (D(2026, 8, 22), True), (D(2026, 8, 31), False), (D(2026, 11, 24), False), (D(2026, 2, 16), False),
    (D(2026, 2, 20), False), (D(2026, 2, 23), True), (D(2026, 4, 27), False), (D(2024, 5, 4), True),
    (D(2026, 1, 17), False), (D(2026, 1, 5), True),
])
def test_is_working_day(cal, day, working):
    assert cal.is_working_day(day) is working


def test_n_zero_rolls_forward_only_off_a_day_off(cal):
    assert cal.add_working_days(D(2026, 1, 5), 0) == D(2026, 1, 5)
    assert cal.add_working_days(D(2026, 2, 14), 0) == D(2026, 2, 23)


def test_calendar_days_roll_forward(cal):
    # Civil Code art. 148.5: a period ending on a day off ends on the next working day.
    assert cal.add_days(D(2026, 2, 10), 5) == D(2026, 2, 23)  # Sun 15/02 in the Tết window
    assert cal.add_days(D(2025, 4, 25), 1) == D(2025, 4, 26)  # a worked Saturday is not a day off
    assert cal.add_days(D(2026, 3, 2), 30) == D(2026, 4, 1)


def test_working_days_in_january_2026(cal):
    # 05–09 (5) + Sat 10 (1) + 12–16, 19–23, 26–30 (15)
    assert cal.working_days_between(D(2025, 12, 31), D(2026, 1, 31)) == 21


def test_explain_names_the_tet_days_and_sources(cal):
    ex = cal.explain(D(2025, 1, 20), 10)
    assert ex.due_date == D(2025, 2, 10)
    reasons = {n.date: n.reason for n in ex.skipped}
    assert "Tết Nguyên Đán" in reasons[D(2025, 1, 29)]
    assert "29 Tết" in reasons[D(2025, 1, 27)]
    assert all(n.source for n in ex.skipped)
    assert [n.date for n in ex.skipped if n.kind == "weekend"] == [
        D(2025, 1, 25), D(2025, 1, 26), D(2025, 2, 2), D(2025, 2, 8), D(2025, 2, 9)]
    assert not ex.provisional
    assert ex.deadline.isoformat() == "2025-02-10T23:59:59+07:00"


def test_explain_counts_the_make_up_saturday_with_its_source(cal):
    ex = cal.explain(D(2026, 1, 1), 7)
    assert [n.date for n in ex.worked_weekend_days] == [D(2026, 1, 10)]
    assert ex.worked_weekend_days[0].source.startswith("12729/VPCP-KGVX")
    off = [n for n in ex.skipped if n.date == D(2026, 1, 2)][0]
    assert off.kind == "decision" and off.file.endswith("2026.toml")
    assert any(f.endswith("2026.toml") for f in ex.files)


def test_unconfirmed_year_is_provisional(cal):
    ex = cal.explain(D(2026, 12, 20), 30)
    assert ex.provisional and ex.provisional_years == (2027,)
    assert not cal.explain(D(2026, 3, 2), 30).provisional


def test_calendar_version_changes_with_decisions(cal, tmp_path):
    from engine.deadlines.calendar import WorkingCalendar, load_decisions
    from config import Settings
    extra = tmp_path / "x.toml"
    extra.write_text('[[confirmed_year]]\nyear = 2027\nsource = "test"\n', encoding="utf-8")
    other = WorkingCalendar(load_decisions(Settings().calendar_paths + [extra]))
    assert other.version != cal.version
    assert not other.explain(D(2026, 12, 20), 30).provisional


@pytest.mark.parametrize("call", [
    lambda c: c.add_working_days(D(1999, 12, 31), 1),
    lambda c: c.add_working_days(D(2101, 1, 1), 1),
    lambda c: c.add_working_days(D(2100, 12, 20), 30),
    lambda c: c.add_days(D(2100, 12, 30), 5),
    lambda c: c.is_working_day(D(1990, 1, 1)),
])
def test_out_of_range_is_a_clear_error(cal, call):
    from engine.language.errors import CalendarError
    with pytest.raises(CalendarError) as err:
        call(cal)
    assert "2100" in str(err.value) and "2100" in err.value.message("en")


@pytest.mark.parametrize("n", [-1, -30])
def test_negative_n_is_a_clear_error(cal, n):
    from engine.language.errors import ValidationError
    with pytest.raises(ValidationError, match="không âm"):
        cal.add_working_days(D(2026, 1, 5), n)
    with pytest.raises(ValidationError):
        cal.add_days(D(2026, 1, 5), n)
