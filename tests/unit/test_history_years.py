"""The seeds' review period (2019–2023), where imports of old registers land, is history, not
"provisional": each year is confirmed by a decision file citing its legal source. Years with no
confirmed decisions (2027 on) stay provisional."""
from datetime import date

import pytest

from engine.deadlines.calendar import default_calendar


@pytest.fixture(scope="module")
def cal():
    return default_calendar()


def test_a_deadline_in_2021_is_not_provisional(cal):
    ex = cal.explain(date(2021, 3, 1), 30)
    assert not ex.provisional and ex.provisional_years == ()
    assert any(f.endswith("2021.toml") for f in ex.files)


def test_a_deadline_in_2027_is_provisional(cal):
    assert cal.explain(date(2027, 3, 1), 30).provisional
    assert cal.explain(date(2026, 12, 20), 30).provisional_years == (2027,)


@pytest.mark.parametrize("year", range(2019, 2024))
def test_each_review_year_is_confirmed_by_the_labour_code(cal, year):
    assert not cal.is_provisional_year(year)
    source, path = cal.decisions.confirmed[year]
    assert path.endswith(f"{year}.toml")
    assert "Bộ luật Lao động " + ("2012, Điều 115" if year < 2021 else "2019, Điều 11") in source
    assert "holidays" not in source  # the legal source, not a package name


def test_the_seeds_period_spanning_deadline_names_no_provisional_year(cal):
    ex = cal.explain(date(2019, 12, 20), 30)  # crosses into 2020
    assert not ex.provisional
