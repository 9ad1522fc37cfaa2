"""Benchmark (issue 20): re-projection of 1,000,000 running clocks after a national decision.

    python benchmarks/bench_reprojection.py                       # 1,000,000 clocks + the baseline
    python benchmarks/bench_reprojection.py --clocks 200000 --baseline 20000

Targets: ≤ 10 s and ≤ 500 MB peak RSS (the re-projecting process's max RSS) for 1,000,000
running clocks. The data (benchmarks/reproj_data.py) is generated inside PostgreSQL in the
database `petitions_bench_reproj` (created if missing; its schema is dropped and rebuilt: never
point it at a database you care about): one running clock per petition, each with its
events and head. The decision is a new day off on Friday 27/11/2026, saved on 20/11/2026:
it moves most clocks. Each measurement runs in a fresh subprocess (its own max RSS):

* `new`: `engine.services.reprojection.run`, committed batches;
* `old` (baseline, `--baseline` clocks): the ORM loop in one transaction the engine had
  before issue 20, copied here as it was.

After each run the figures are checked: every running clock counted with the new calendar,
one journal row per moved clock, no clock left stale.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from engine.persistence.db import make_engine  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/petitions_bench_reproj"
AT = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
DAY_OFF = '[[day_off]]\ndate = 2026-11-27\nname = "Nghỉ thử"\nsource = "Thông báo thử 1/TB"\n'
TARGET_S, TARGET_MB = 10.0, 500.0


def old_reproject(session, cal, ladder, at):
    """engine/services/clocks.py `reproject` before issue 20 (the baseline), verbatim but for
    the seal in parts (below)."""
    from sqlalchemy import select
    from engine.deadlines.clocks import due_after, schedule_ladder
    from engine.deadlines.timeutil import end_of_day
    from engine.persistence import eventlog
    from engine.persistence.models import Clock, ClockJournal, ClockSuspension
    moves, touched = [], set()
    stale = session.scalars(select(Clock).where(Clock.status == "running", Clock.calendar_version != cal.version))
    continued = set(session.scalars(select(ClockSuspension.clock_id).where(ClockSuspension.mode == "continue")))
    for clock in stale:
        if clock.id in continued:
            clock.calendar_version = cal.version
            continue
        touched.add(clock.petition_id)
        new_original = due_after(cal, clock.trigger_on, clock.rule_days, clock.working)
        old_due = clock.due_date
        clock.original_due_date = new_original
        if clock.extended_due_date is None:
            clock.due_date = new_original
            clock.deadline_at = end_of_day(new_original)
        clock.provisional = bool(cal.provisional_years(clock.trigger_on, clock.due_date))
        old_version = clock.calendar_version
        clock.calendar_version = cal.version
        if clock.due_date != old_due:
            clock.version += 1
            schedule_ladder(clock, cal, ladder, at)
            j = ClockJournal(clock_id=clock.id, old_due=old_due, new_due=clock.due_date, cause="calendar_change",
                             detail=f"calendar {old_version} → {cal.version}", calendar_version=cal.version, at=at)
            session.add(j)
            moves.append(j)
    if touched:  # the one change: seal in parts, its heads query takes one parameter per petition and
        # PostgreSQL refuses more than 65,535 (the old code failed there beyond 65,535 touched cases)
        ids = sorted(touched)
        for i in range(0, len(ids), 50_000):
            eventlog.seal(session, ids[i:i + 50_000], at=at)
    return moves


def calendars(extra_dir: Path):
    from config import Settings
    from engine.deadlines.calendar import WorkingCalendar, load_decisions
    extra = extra_dir / "bench_day_off.toml"
    extra.write_text(DAY_OFF, encoding="utf-8")
    paths = Settings().calendar_paths
    return WorkingCalendar(load_decisions(paths)), WorkingCalendar(load_decisions(paths + [extra]))


def child(args) -> int:
    """One measured re-projection (run in its own process)."""
    from engine.deadlines.params import load_params
    from engine.persistence.db import transaction
    engine = make_engine(args.url)
    _, new = calendars(Path(tempfile.mkdtemp()))
    ladder = load_params().ladder
    t0 = time.perf_counter()
    if args.child == "new":
        from engine.services import reprojection
        moved = reprojection.run(engine, new, ladder, AT).moved
    else:
        with transaction(engine) as s:
            moved = len(old_reproject(s, new, ladder, AT))
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": dt, "moved": moved, "rss_mb": rss}))
    return 0


def build(url: str, n: int, communes: int) -> float:
    from benchmarks.bench_reports import fresh_database
    from benchmarks.reproj_data import generate
    from engine.deadlines.params import load_params
    engine = fresh_database(url)
    old, _ = calendars(Path(tempfile.mkdtemp()))
    t0 = time.perf_counter()
    generate(engine, n, communes, old, load_params().ladder, AT)
    engine.dispose()
    return time.perf_counter() - t0


def measure(url: str, which: str) -> dict:
    r = subprocess.run([sys.executable, __file__, "--url", url, "--child", which], capture_output=True, text=True,
                       cwd=Path(__file__).resolve().parents[1])
    if r.returncode:
        raise SystemExit(f"{which} failed:\n{r.stderr[-3000:]}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    engine = make_engine(url)
    _, new = calendars(Path(tempfile.mkdtemp()))
    with engine.connect() as conn:
        stale = conn.scalar(text("SELECT count(*) FROM clocks WHERE status = 'running' AND calendar_version <> :v"),
                            {"v": new.version})
        journal = conn.scalar(text("SELECT count(*) FROM clock_journal WHERE cause = 'calendar_change'"))
        running = conn.scalar(text("SELECT count(*) FROM clocks WHERE status = 'running'"))
    engine.dispose()
    if stale or journal != out["moved"]:
        raise SystemExit(f"{which}: {stale} clocks left stale, {journal} journal rows for {out['moved']} moves")
    out["running"] = running
    return out


FLOOR = {
    "UPDATE 1 column of every running clock": "UPDATE clocks SET version = version + 1 WHERE status = 'running'",
    "INSERT a journal row per running clock": "INSERT INTO clock_journal (clock_id, at, old_due, new_due, cause, "
    "detail, calendar_version) SELECT id, now(), due_date, due_date, 'x', 'calendar a → b', 'b' FROM clocks "
    "WHERE status = 'running'",
    "UPDATE the MAC of every head": "UPDATE event_heads SET mac = md5(mac) || md5(mac)",
}


def floor(url: str) -> dict:
    """What the three unavoidable writes cost alone on this machine (each rolled back)."""
    engine, out = make_engine(url), {}
    for label, sql in FLOOR.items():
        with engine.connect() as conn:
            t0 = time.perf_counter()
            conn.execute(text(sql))
            out[label] = time.perf_counter() - t0
            conn.rollback()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM clocks, clock_journal, event_heads"))
    engine.dispose()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--clocks", type=int, default=1_000_000)
    ap.add_argument("--baseline", type=int, default=100_000, help="clocks for the old code (0: skip)")
    ap.add_argument("--communes", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=1, help="measure the new code this many times (data rebuilt)")
    ap.add_argument("--floor", action="store_true",
                    help="also time the bare writes any re-projection needs (rolled back): the machine's floor")
    ap.add_argument("--child", choices=["new", "old"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args)
    rows = []
    if args.baseline:
        for which in ("old", "new"):
            print(f"building {args.baseline:,} running clocks …", flush=True)
            build(args.url, args.baseline, args.communes)
            r = measure(args.url, which)
            rows.append((which, r))
            print(f"  {which}: {r['running']:,} running, {r['moved']:,} moved in {r['seconds']:.2f} s "
                  f"({r['moved'] / r['seconds']:,.0f} moved/s), peak RSS {r['rss_mb']:.0f} MB", flush=True)
    news = []
    for _ in range(args.repeat):
        print(f"building {args.clocks:,} running clocks …", flush=True)
        print(f"  generated in {build(args.url, args.clocks, args.communes):.0f} s", flush=True)
        r = measure(args.url, "new")
        news.append(r)
        print(f"  new: {r['running']:,} running, {r['moved']:,} moved in {r['seconds']:.2f} s "
              f"({r['moved'] / r['seconds']:,.0f} moved/s), peak RSS {r['rss_mb']:.0f} MB", flush=True)
    if args.floor:
        print("floor (bare statements, rolled back): " + ", ".join(f"{k} {v:.1f} s" for k, v in floor(args.url).items()))
    secs = sorted(r["seconds"] for r in news)
    best, median = secs[0], secs[len(secs) // 2]
    rss = max(r["rss_mb"] for r in news)
    ok = best <= TARGET_S and rss <= TARGET_MB
    print(f"{args.clocks:,} clocks: best {best:.2f} s, median {median:.2f} s (target {TARGET_S:.0f} s), "
          f"peak RSS {rss:.0f} MB (target {TARGET_MB:.0f} MB): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
