"""Properties that must hold for every date and every N (hypothesis)."""
from datetime import date, timedelta

from hypothesis import given, settings, strategies as st

from engine.deadlines.calendar import default_calendar

CAL = default_calendar()
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2098, 12, 31))  # room for N=400 before 2100
ns = st.integers(min_value=0, max_value=400)


@given(dates, ns)
def test_result_is_a_working_day_after_the_start(d, n):
    r = CAL.add_working_days(d, n)
    assert CAL.is_working_day(r)
    assert r > d or (n == 0 and r >= d)


@given(dates, ns, ns)
def test_monotonic_in_n(d, a, b):
    lo, hi = sorted((a, b))
    assert CAL.add_working_days(d, lo) <= CAL.add_working_days(d, hi)
    if lo < hi:
        assert CAL.add_working_days(d, lo) < CAL.add_working_days(d, hi)


@given(dates, st.integers(min_value=0, max_value=60), ns)
def test_monotonic_in_start(d, shift, n):
    assert CAL.add_working_days(d, n) <= CAL.add_working_days(d + timedelta(days=shift), n)


@given(dates, st.integers(min_value=1, max_value=400))
def test_between_inverts_add(d, n):
    assert CAL.working_days_between(d, CAL.add_working_days(d, n)) == n


@given(dates, st.integers(min_value=1, max_value=400))
def test_due_is_the_first_day_reaching_n(d, n):
    r = CAL.add_working_days(d, n)
    assert CAL.working_days_between(d, r - timedelta(days=1)) == n - 1


@given(dates, ns)
def test_calendar_days_land_on_a_working_day_not_before_d_plus_n(d, n):
    r = CAL.add_days(d, n)
    assert CAL.is_working_day(r) and r >= d + timedelta(days=n)
    # every day between d+n and r is a day off (nothing rolled past a working day)
    day = d + timedelta(days=n)
    while day < r:
        assert not CAL.is_working_day(day)
        day += timedelta(days=1)


@settings(max_examples=50)
@given(dates, st.integers(min_value=0, max_value=60))
def test_explain_agrees_with_add_and_lists_every_day_off(d, n):
    ex = CAL.explain(d, n)
    assert ex.due_date == CAL.add_working_days(d, n)
    first = d if n == 0 else d + timedelta(days=1)
    off = [first + timedelta(days=i) for i in range((ex.due_date - first).days)
           if not CAL.is_working_day(first + timedelta(days=i))]
    assert [s.date for s in ex.skipped] == off
