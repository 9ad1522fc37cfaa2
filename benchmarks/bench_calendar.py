"""Calls per second of `add_working_days` against holidays' `get_nth_working_day`.

Same inputs, same process, interleaved rounds (so machine noise hits both alike); the
figure that matters is the ratio. Target: ≥30×.

    python -m benchmarks.bench_calendar [--calls 20000] [--rounds 5]
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

import holidays

from engine.deadlines.calendar import default_calendar


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--target", type=float, default=30.0)
    args = ap.parse_args()

    rng = random.Random(11)
    inputs = [(date(2024, 1, 1) + timedelta(days=rng.randrange(0, 3 * 365)), rng.choice((1, 3, 5, 10, 30, 45)))
              for _ in range(args.calls)]
    cal = default_calendar()
    vn = holidays.country_holidays("VN", categories=("public",), years=range(2023, 2030))
    for d, n in inputs[:200]:  # the two agree wherever the baseline has no local decision
        if not (date(2025, 12, 20) <= d <= date(2026, 1, 20)):
            assert cal.add_working_days(d, n) == vn.get_nth_working_day(d, n), (d, n)

    ours, theirs = [], []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for d, n in inputs:
            vn.get_nth_working_day(d, n)
        theirs.append(args.calls / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        for d, n in inputs:
            cal.add_working_days(d, n)
        ours.append(args.calls / (time.perf_counter() - t0))

    o, h = statistics.median(ours), statistics.median(theirs)
    ratio = o / h
    print(f"add_working_days (ordinal table):   {o:>12,.0f} calls/s")
    print(f"holidays.get_nth_working_day:       {h:>12,.0f} calls/s")
    print(f"ratio: {ratio:.1f}x  (target ≥{args.target:.0f}x) {'PASS' if ratio >= args.target else 'FAIL'}")
    return 0 if ratio >= args.target else 1


if __name__ == "__main__":
    raise SystemExit(main())
