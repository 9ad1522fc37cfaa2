"""Obligations as data (issue 14): the file's rules, their sources and dates, overrides for a
subtree, and how months, weeks and years are due — with Tết 2026 removing a whole week."""
from __future__ import annotations

import tomllib
from datetime import date

import pytest

from engine.deadlines.calendar import default_calendar
from engine.deadlines.obligations import (OBLIGATIONS_FILE, ObligationsError, due_weeks, load_obligations,
                                          nth_working_day_of_month, parse_obligations, unit_buckets)

CAL = default_calendar()


def test_every_rule_names_its_source_and_date():
    obs = load_obligations()
    assert {r.key for r in obs.rules} >= {"party_head_reception_commune", "party_head_reception_province",
                                          "ubnd_chair_reception_commune", "party_head_dialogue"}
    for r in obs.rules:
        assert r.source and r.source_en and isinstance(r.effective_from, date)
    assert obs.rule("party_head_reception_commune").minimum == 2
    assert obs.rule("party_head_reception_province").minimum == 1
    ubnd = obs.rule("ubnd_chair_reception_commune")
    assert (ubnd.per, ubnd.minimum) == ("week", 1) and "15.2.d" in ubnd.source
    assert obs.rule("party_head_dialogue").per == "year" and obs.rule("party_head_dialogue").minimum == 2


def test_february_2026_has_three_weeks_due_because_tet_removes_one():
    weeks = due_weeks(date(2026, 2, 1), date(2026, 2, 28), CAL)
    assert [m for m, _ in weeks] == [date(2026, 2, 2), date(2026, 2, 9), date(2026, 2, 23)]
    assert not any(CAL.is_working_day(date(2026, 2, d)) for d in range(16, 21))  # the Tết week


def test_a_week_across_two_months_belongs_to_the_month_of_its_first_working_day():
    # 29/12/2025–04/01/2026: Mon 29/12 is a working day, so the week is December's
    jan = due_weeks(date(2026, 1, 1), date(2026, 1, 31), CAL)
    dec = due_weeks(date(2025, 12, 1), date(2025, 12, 31), CAL)
    assert date(2025, 12, 29) in [m for m, _ in dec] and date(2025, 12, 29) not in [m for m, _ in jan]
    # months add up to the quarter: no week counted twice, none lost
    q1 = due_weeks(date(2026, 1, 1), date(2026, 3, 31), CAL)
    months = sum(len(due_weeks(date(2026, m, 1), end, CAL))
                 for m, end in ((1, date(2026, 1, 31)), (2, date(2026, 2, 28)), (3, date(2026, 3, 31))))
    assert len(q1) == months == 4 + 3 + 5


def test_a_commune_year_and_a_quarter():
    obs = load_obligations()
    year = unit_buckets(obs, "commune", ["C1", "P"], date(2026, 1, 1), date(2026, 12, 31), CAL)
    assert len(year["party_head_reception_commune"]) == 12
    assert len(year["party_head_dialogue"]) == 1
    q1 = unit_buckets(obs, "commune", ["C1", "P"], date(2026, 1, 1), date(2026, 3, 31), CAL)
    assert "party_head_dialogue" not in q1  # a year's obligation is due in the period holding 31/12
    assert sum(b.minimum for b in q1["party_head_reception_commune"]) == 6
    assert sum(b.minimum for b in q1["ubnd_chair_reception_commune"]) == 12
    prov = unit_buckets(obs, "province", ["P"], date(2026, 1, 1), date(2026, 3, 31), CAL)
    assert sum(b.minimum for b in prov["party_head_reception_province"]) == 3
    assert unit_buckets(obs, "department", ["C1-D1", "C1", "P"], date(2026, 1, 1), date(2026, 3, 31), CAL) == {}


def _doc(extra: str = "") -> dict:
    return tomllib.loads(OBLIGATIONS_FILE.read_text(encoding="utf-8") + extra)


def test_an_override_applies_to_the_subtree_from_its_date():
    obs = parse_obligations(_doc("""
[[override]]
unit = "P"
key = "party_head_reception_commune"
minimum = 4
source = "Quy chế của Tỉnh ủy"
effective_from = 2026-02-01
"""))
    before = obs.for_unit("commune", ["C1", "P"], date(2026, 1, 31))
    after = obs.for_unit("commune", ["C1", "P"], date(2026, 2, 28))
    assert {r.key: r.minimum for r in before}["party_head_reception_commune"] == 2
    assert {r.key: r.minimum for r in after}["party_head_reception_commune"] == 4
    assert {r.key: r.minimum for r in obs.for_unit("commune", ["X", "Q"], date(2026, 2, 28))}[
        "party_head_reception_commune"] == 2
    q1 = unit_buckets(obs, "commune", ["C1", "P"], date(2026, 1, 1), date(2026, 3, 31), CAL)
    assert [b.minimum for b in q1["party_head_reception_commune"]] == [2, 4, 4]


def test_an_override_of_zero_exempts_and_a_bad_file_is_refused():
    obs = parse_obligations(_doc("""
[[override]]
unit = "C2"
key = "ubnd_chair_reception_commune"
minimum = 0
source = "Miễn"
effective_from = 2019-01-01
"""))
    assert "ubnd_chair_reception_commune" not in {r.key for r in obs.for_unit("commune", ["C2", "P"], date(2026, 2, 1))}
    with pytest.raises(ObligationsError):
        parse_obligations(_doc('\n[[override]]\nunit = "P"\nkey = "nope"\nminimum = 1\nsource = "x"\neffective_from = 2020-01-01\n'))
    with pytest.raises(ObligationsError):
        parse_obligations({"obligation": [{"key": "x", "per": "fortnight", "minimum": 1, "source": "s",
                                           "effective_from": date(2020, 1, 1)}]})


def test_the_fifth_working_day():
    assert nth_working_day_of_month(2026, 2, 5, CAL) == date(2026, 2, 6)
    assert nth_working_day_of_month(2026, 1, 1, CAL) == date(2026, 1, 5)  # 1–4/1 off (Fri 2/1 swapped)


def test_periods_are_named_as_an_office_writes_them():
    from engine.deadlines.obligations import period_label
    assert period_label("2026-02") == "02/2026"
    assert period_label("2026-W09") == "tuần 23/02–01/03/2026"
    assert period_label("2026-W09", "en") == "week of 23/02–01/03/2026"
    assert period_label("2026") == "2026"
