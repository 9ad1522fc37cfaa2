"""Benchmark (issue 20): a country on one database.

    python benchmarks/bench_national.py                       # 34 provinces, 3,321 communes, 5,000,000 cases
    python benchmarks/bench_national.py --cases 500000        # a smaller run (says so)
    python benchmarks/bench_national.py --skip-generate       # reuse the last data

Builds 34 provinces and 3,321 communes (two departments each) with 5,000,000 cases received
over five years up to 20/11/2026, inside PostgreSQL (generate_series), in the database
`petitions_bench_national` (created if missing; its schema is dropped and rebuilt: never
point it at a database you care about), and prints how long that took and the disk it uses.
Cases older than two months are settled (resolved, closed, answered at the meeting, referred,
escalated), with a backlog of 1 % still in resolution; the last two months are received or in
resolution with their clocks running, due dates and reminder rungs those of the calendar.
Every case has its events and its audit head.

Then, each the best of --repeat runs, with nothing kept between requests (the computation
itself, as the first request after a write pays it):
* the national Phụ lục 2 and on-time report for 2025 (target ≤ 2 s) — the product has no
  central level yet, so the 34 provinces hang under one root unit (level province, "Toàn
  quốc") and the national report is that root's;
* one province's (≤ 0.5 s);
* the tick with nothing due (median of 15, ≤ 50 ms);
* the re-projection of every running clock after a new national day off (≤ 60 s), in its
  own process (peak RSS printed).
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from benchmarks.bench_reprojection import AT, calendars  # noqa: E402
from benchmarks.bench_reports import ensure_database, fresh_database  # noqa: E402
from benchmarks.reproj_data import due_rows  # noqa: E402
from engine.persistence.db import make_engine, transaction  # noqa: E402

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/petitions_bench_national"
PROVINCES, COMMUNES = 34, 3321
FIRST, LAST = date(2021, 11, 21), date(2026, 11, 20)  # five years of receptions, to the benchmark's "now"
TARGETS = {"national": 2.0, "province": 0.5, "idle_tick": 0.050, "reprojection": 60.0}

GENERATE = """
INSERT INTO org_units (id, code, name, level, parent_id, created_at)
VALUES (1, 'VN', 'Toàn quốc (gốc thử của 34 tỉnh)', 'province', NULL, now());
INSERT INTO org_units (id, code, name, level, parent_id, created_at)
SELECT 1 + p, 'T' || lpad(p::text, 2, '0'), 'Tỉnh ' || p, 'province', 1, now() FROM generate_series(1, :provinces) p;
INSERT INTO org_units (id, code, name, level, parent_id, created_at)
SELECT 100 + p, 'T' || lpad(p::text, 2, '0') || '-D', 'Ban Nội chính tỉnh ' || p, 'department', 1 + p, now()
FROM generate_series(1, :provinces) p;
INSERT INTO org_units (id, code, name, level, parent_id, created_at)
SELECT 1000 + c, 'X' || c, 'Xã ' || c, 'commune', 2 + (c - 1) % :provinces, now() FROM generate_series(1, :communes) c;
INSERT INTO org_units (id, code, name, level, parent_id, created_at)
SELECT 100000 + c * 2 + d, 'X' || c || '-D' || d, 'Phòng ' || d || ' xã ' || c, 'department', 1000 + c, now()
FROM generate_series(1, :communes) c, generate_series(0, 1) d;
INSERT INTO users (id, username, full_name, role, unit_id, active, notify_mode, lang, created_at)
VALUES (1, 'benchadmin', 'Bench', 'admin', 1, true, 'immediate', 'vi', now());

-- age in days at the benchmark's "now" decides the state: the last 20 days received, the
-- 20 to 60 before in resolution, older ones settled (1 % still in resolution: the backlog)
INSERT INTO petitions (id, code, unit_id, received_on, received_at, summary, category, kind, is_group, group_size,
                       complex_prolonged, incited, department_id, state, version, reopen_count, search_text,
                       created_at, updated_at, notice_no, notice_on, resolved_on)
SELECT i, 'N-' || i, u, r, r::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', 'Kiến nghị ' || i,
       (ARRAY['land','compensation','resettlement','social_policy','infrastructure','party_building',
              'cadre_degradation','other'])[1 + i % 8],
       'petition', i % 97 = 0, CASE WHEN i % 97 = 0 THEN 6 ELSE 1 END, i % 53 = 0, i % 211 = 0,
       CASE WHEN st IN ('in_resolution','resolved','closed') THEN
            CASE WHEN u < 1000 THEN 100 + u - 1 ELSE 100000 + (u - 1000) * 2 + (i % 2) END END,
       st, 1, 0, '', now(),
       -- updated_at: the last event's instant (the events below), written here rather than by a
       -- second pass over 5,000,000 rows (that UPDATE alone took 14 minutes)
       CASE WHEN st = 'received' THEN r::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
            WHEN st IN ('resolved','closed') THEN (n + 10 + i % 40 + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
            WHEN st = 'in_resolution' THEN (n + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
            ELSE (r + 6)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' END,
       CASE WHEN st IN ('in_resolution','resolved','closed') THEN 'TB-' || i END,
       CASE WHEN st IN ('in_resolution','resolved','closed') THEN n END,
       CASE WHEN st IN ('resolved','closed') THEN n + 10 + i % 40 END
FROM (
  SELECT i, u, r, n,
         CASE WHEN CAST(:last AS date) - r < 20 THEN 'received'
              WHEN CAST(:last AS date) - r < 60 OR i % 100 = 0 THEN 'in_resolution'
              WHEN i % 20 < 9 THEN 'resolved' WHEN i % 20 < 15 THEN 'closed' WHEN i % 20 < 18 THEN 'answered'
              WHEN i % 20 < 19 THEN 'referred' ELSE 'escalated' END AS st
  FROM (SELECT i, CASE WHEN i % 40 = 0 THEN 2 + i % :provinces ELSE 1001 + (i::bigint * 7919) % :communes END AS u,
               CAST(:first AS date) + ((i::bigint * 37) % :span)::int AS r,
               least(CAST(:first AS date) + ((i::bigint * 37) % :span)::int + 5 + i % 10, CAST(:last AS date)) AS n
        FROM generate_series(1, :n) i) a) g;

INSERT INTO clocks (petition_id, name, rule_days, working, rule_source, trigger_on, due_date, deadline_at,
                    original_due_date, extensions, status, stopped_on, provisional, calendar_version, version,
                    next_rung, next_rung_at, created_at)
SELECT p.id, 'conclusion', 10, true, 'bench', p.received_on, m.due, m.deadline_at, m.due, 0,
       CASE WHEN p.state = 'received' THEN 'running' WHEN p.notice_on <= m.due THEN 'met' ELSE 'late' END,
       CASE WHEN p.state = 'received' THEN NULL ELSE coalesce(p.notice_on, p.received_on + 5) END, m.provisional,
       :version, 1, CASE WHEN p.state = 'received' THEN m.rung END,
       CASE WHEN p.state = 'received' THEN m.rung_at END, now()
FROM petitions p JOIN bench_due m ON m.trigger_on = p.received_on AND m.days = 10;

INSERT INTO clocks (petition_id, name, rule_days, working, rule_source, trigger_on, due_date, deadline_at,
                    original_due_date, extensions, status, stopped_on, provisional, calendar_version, version,
                    next_rung, next_rung_at, created_at)
SELECT p.id, 'resolution', 30, true, 'bench', p.notice_on, m.due, m.deadline_at, m.due, 0,
       CASE WHEN p.state = 'in_resolution' THEN 'running' WHEN p.resolved_on <= m.due THEN 'met' ELSE 'late' END,
       p.resolved_on, m.provisional, :version, 1, CASE WHEN p.state = 'in_resolution' THEN m.rung END,
       CASE WHEN p.state = 'in_resolution' THEN m.rung_at END, now()
FROM petitions p JOIN bench_due m ON m.trigger_on = p.notice_on AND m.days = 30
WHERE p.notice_on IS NOT NULL;

INSERT INTO reception_sessions (unit_id, kind, held_on, chair, chair_role, people, groups, refused, note, created_at,
                                status, place, topic, invited, version)
SELECT 1001 + s % :communes, CASE WHEN s % 7 = 0 THEN 'reception_adhoc' WHEN s % 11 = 0 THEN 'dialogue_periodic'
       ELSE 'reception_periodic' END, CAST(:first AS date) + (s * 13 % :span), 'Bí thư',
       CASE WHEN s % 6 = 0 THEN 'ubnd_chair' ELSE 'party_secretary' END, 1 + s % 5, (s % 13 = 0)::int,
       (s % 29 = 0)::int, '', now(), 'held', '', '', '', 1
FROM generate_series(1, :sessions) s;

INSERT INTO events (petition_id, seq, action, actor, at, effective_on, before, after, data, prev_hash, hash)
SELECT id, 1, 'receive', 'bench', received_at, received_on, '{}', '{}', '{}', repeat('0', 64),
       md5(code) || md5(code || 'x') FROM petitions;
INSERT INTO events (petition_id, seq, action, actor, at, effective_on, before, after, data, prev_hash, hash)
SELECT id, 2, CASE state WHEN 'answered' THEN 'answer_at_meeting' WHEN 'referred' THEN 'refer'
                         WHEN 'escalated' THEN 'escalate' ELSE 'conclude' END, 'bench',
       (coalesce(notice_on, received_on + 5) + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh',
       coalesce(notice_on, received_on + 5), '{}', '{}', '{}', md5(code) || md5(code || 'x'),
       md5(code || 'y') || md5(code || 'z')
FROM petitions WHERE state <> 'received';
INSERT INTO events (petition_id, seq, action, actor, at, effective_on, before, after, data, prev_hash, hash)
SELECT id, 3, 'resolve', 'bench', (resolved_on + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', resolved_on,
       '{}', '{}', '{}', md5(code || 'y') || md5(code || 'z'), md5(code || 'r') || md5(code || 's')
FROM petitions WHERE state IN ('resolved', 'closed');

-- heads as the application writes them (the MAC is the benchmark's own: only the cost matters)
INSERT INTO event_heads (petition_id, code, unit_id, seq, hash, legacy_upto, sealed, key_id, mac, sealed_at)
SELECT p.id, p.code, p.unit_id, e.seq, e.hash, 0,
       json_build_object('state', p.state, 'department_id', p.department_id, 'notice_no', p.notice_no,
                         'notice_on', p.notice_on, 'resolved_on', p.resolved_on, 'received_on', p.received_on),
       'bench', md5(p.code || 'mac') || md5(p.code || 'mac2'), now()
FROM petitions p JOIN (SELECT petition_id, max(seq) seq, (array_agg(hash ORDER BY seq DESC))[1] hash
                       FROM events GROUP BY petition_id) e ON e.petition_id = p.id;

SELECT setval(pg_get_serial_sequence('org_units', 'id'), (SELECT max(id) FROM org_units));
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
SELECT setval(pg_get_serial_sequence('petitions', 'id'), (SELECT max(id) FROM petitions))
"""


def generate(url: str, n: int) -> tuple[float, str]:
    from engine.deadlines.params import load_params
    engine = fresh_database(url)
    old, _ = calendars(Path(tempfile.mkdtemp()))
    spans = [(days, FIRST, LAST + timedelta(days=20)) for days in (10, 30)]
    params = {"n": n, "provinces": PROVINCES, "communes": COMMUNES, "sessions": max(n // 25, 1000),
              "first": FIRST.isoformat(), "last": LAST.isoformat(), "span": (LAST - FIRST).days + 1,
              "version": old.version}
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE bench_due (trigger_on date, days int, due date, deadline_at timestamptz,"
                          " rung varchar(16), rung_at timestamptz, provisional boolean)"))
        conn.execute(text("INSERT INTO bench_due VALUES (:trigger_on, :days, :due, :deadline_at, :rung, :rung_at,"
                          " :provisional)"), due_rows(old, load_params().ladder, AT, spans))
        for stmt in [s.strip() for s in GENERATE.split(";\n") if s.strip()]:
            t1 = time.perf_counter()
            conn.execute(text(stmt), {k: v for k, v in params.items() if f":{k}" in stmt})
            head = " ".join(stmt.split("\n")[0].split()[:4])
            print(f"  {time.perf_counter() - t1:6.1f} s  {head}", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        size = conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
    engine.dispose()
    return time.perf_counter() - t0, size


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def child_reprojection(url: str) -> int:
    """One re-projection of every running clock with a new day off (in its own process)."""
    from engine.deadlines.params import load_params
    from engine.services import reprojection
    engine = make_engine(url)
    _, new = calendars(Path(tempfile.mkdtemp()))
    t0 = time.perf_counter()
    out = reprojection.run(engine, new, load_params().ladder, AT)
    print(json.dumps({"seconds": time.perf_counter() - t0, "looked": out.looked, "moved": out.moved,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=URL)
    ap.add_argument("--cases", type=int, default=5_000_000)
    ap.add_argument("--skip-generate", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child-reprojection", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_reprojection:
        return child_reprojection(args.url)
    if args.skip_generate:
        ensure_database(args.url)
    else:
        took, size = generate(args.url, args.cases)
        print(f"built {PROVINCES} provinces, {COMMUNES:,} communes, {args.cases:,} cases in {took:.0f} s; "
              f"the database takes {size}", flush=True)
    from engine.reports import appendix2, ontime_report
    from engine.scheduler.tick import tick
    engine = make_engine(args.url)
    old, _ = calendars(Path(tempfile.mkdtemp()))
    with engine.connect() as conn:
        cases, running = conn.execute(text(
            "SELECT (SELECT count(*) FROM petitions), (SELECT count(*) FROM clocks WHERE status = 'running')")).one()
    print(f"{cases:,} cases, {running:,} running clocks", flush=True)
    results, ok = {}, True
    for label, unit in (("national", "VN"), ("province", "T01")):
        with transaction(engine) as s:
            results[f"{label} Phụ lục 2, 2025"] = (best(lambda: appendix2(s, unit, date(2025, 1, 1),
                                                                            date(2025, 12, 31)), args.repeat), label)
            results[f"{label} on-time report, 2025"] = (best(lambda: ontime_report(
                s, unit, date(2025, 1, 1), date(2025, 12, 31), today=LAST, cal=old), args.repeat), label)
    tick(engine, AT, cal=old)  # the first tick of a process checkpoints the audit log: not the idle figure
    idle = []
    for _ in range(15):
        t0 = time.perf_counter()
        r = tick(engine, AT, cal=old)
        idle.append(time.perf_counter() - t0)
        assert r.claimed == 0, r.claimed
    results["tick with nothing due (median of 15)"] = (statistics.median(idle), "idle_tick")
    engine.dispose()
    r = subprocess.run([sys.executable, __file__, "--url", args.url, "--child-reprojection"], capture_output=True,
                       text=True, cwd=Path(__file__).resolve().parents[1])
    if r.returncode:
        raise SystemExit(f"re-projection failed:\n{r.stderr[-3000:]}")
    rp = json.loads(r.stdout.strip().splitlines()[-1])
    results[f"re-projection of {rp['looked']:,} running clocks ({rp['moved']:,} moved, peak RSS "
            f"{rp['rss_mb']:.0f} MB)"] = (rp["seconds"], "reprojection")
    print()
    for label, (seconds, kind) in results.items():
        good = seconds <= TARGETS[kind]
        ok &= good
        shown = f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
        target = TARGETS[kind]
        print(f"{label:<72} {shown:>10}  target ≤ {target * 1000:.0f} ms" if target < 1 else
              f"{label:<72} {shown:>10}  target ≤ {target:g} s", "PASS" if good else "FAIL")
    if args.cases < 5_000_000:
        print(f"(reduced run: {args.cases:,} cases; the targets are for 5,000,000)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
