"""The Wilson score interval and the weighted percentile used by the on-time report."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.reports.ontime import OntimeRow, weighted_percentile, wilson_interval


def test_reference_values():
    # Reference values (Wilson 1927; e.g. statsmodels proportion_confint(method="wilson")).
    lo, hi = wilson_interval(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson_interval(10, 10)
    assert lo == pytest.approx(0.7225, abs=1e-4) and hi == 1.0
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=1e-4) and hi == pytest.approx(0.3662, abs=1e-4)


def test_nothing_to_judge():
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_small_sample_does_not_outrank_large_one():
    lucky = OntimeRow(clock="resolution", key="small", met_on_time=3)
    steady = OntimeRow(clock="resolution", key="big", met_on_time=285, met_late=15)
    assert lucky.rate == 1.0 and steady.rate == 0.95
    assert steady.rank_key > lucky.rank_key  # ranked by the lower bound


def test_backlog_is_in_the_denominator():
    r = OntimeRow(clock="conclusion", met_on_time=8, met_late=1, open_overdue=1, open_on_track=50)
    assert r.judged == 10 and r.rate == 0.8 and r.total == 60


@given(st.integers(min_value=1, max_value=5000), st.data())
def test_interval_contains_the_proportion(n, data):
    k = data.draw(st.integers(min_value=0, max_value=n))
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= k / n + 1e-12 and k / n - 1e-12 <= hi <= 1.0
    # narrower with more data at the same proportion
    lo2, hi2 = wilson_interval(k * 4, n * 4)
    assert hi2 - lo2 <= hi - lo + 1e-12


def test_weighted_percentile_matches_expanded_list():
    pairs = [(3, 2), (1, 1), (10, 1), (5, 4)]
    flat = sorted(v for v, c in pairs for _ in range(c))  # 1 3 3 5 5 5 5 10
    assert weighted_percentile(pairs, 0.5) == 5.0
    # numpy-style linear interpolation: position 0.9 * 7 = 6.3 → 5 + 0.3 * (10 - 5)
    assert weighted_percentile(pairs, 0.9) == pytest.approx(6.5)
    assert weighted_percentile([], 0.5) is None
    assert weighted_percentile([(4, 1)], 0.9) == 4.0
    assert math.isclose(weighted_percentile(pairs, 0.0), flat[0])
