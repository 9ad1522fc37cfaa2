"""Scheduler benchmark on PostgreSQL (and Redis for dispatch).

1. A tick when nothing is due, with N open petitions (default 1,000,000).   target ≤ 50 ms
2. A tick that claims 10,000 due rungs and writes the outbox.               target ≤ 5 s
   and its rate, best of --tick-runs (median printed beside it):        target ≥ 10,000 rungs/s
   With --baseline-ref, that commit's tick is measured in the same run, alternating.
3. Email dispatch to a local SMTP sink with two worker processes, compared with Celery's
   one-task-per-message no-op rate measured in the same run.               target: ratio ≥ 1
   With --baseline-ref REF (a commit, e.g. the previous release 66d8382), the dispatcher of
   that commit is measured in the same run too, so a change to the dispatcher is judged
   against what it replaced on the same machine at the same moment.     target: ≥ 0.95×

    python -m benchmarks.bench_scheduler [--petitions 1000000] [--due 10000] [--emails 2000]
        [--db postgresql+psycopg://postgres@127.0.0.1:5432/petitions_bench] [--redis redis://127.0.0.1:6379/14]
        [--dispatch-only | --tick-only] [--baseline-ref 66d8382] [--tick-runs 3]

The database named by --db is dropped and recreated. Needs a running PostgreSQL and Redis.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import text

from engine.deadlines.calendar import default_calendar
from engine.persistence.db import make_engine, transaction
from engine.persistence.migrate import upgrade
from engine.deadlines.timeutil import end_of_day, local_at

UNITS = 100          # communes, each with two departments
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # Mon 23/11/2026 08:00 in Vietnam


def recreate(url: str):
    base, name = url.rsplit("/", 1)
    admin = make_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(url)
    upgrade(engine)
    return engine


def copy(conn, table: str, columns: list[str], rows):
    with conn.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)


def load(engine, n: int) -> None:
    """Bulk-load n open petitions (in resolution at a department) with a running clock each,
    all rungs in the future."""
    cal = default_calendar()
    t0 = time.perf_counter()
    raw = engine.raw_connection()
    conn = raw.driver_connection
    now = datetime.now(timezone.utc)
    units = [(1, "P", "Tỉnh Thử", "province", None)]
    users = []
    uid = 1
    for i in range(UNITS):
        cid = 2 + i * 3
        units += [(cid, f"C{i}", f"Xã {i}", "commune", 1), (cid + 1, f"C{i}-D1", f"Phòng 1 xã {i}", "department", cid),
                  (cid + 2, f"C{i}-D2", f"Phòng 2 xã {i}", "department", cid)]
        for unit, role in ((cid, "clerk"), (cid, "leader"), (cid + 1, "department"), (cid + 2, "department")):
            users.append((uid, f"u{uid}", f"User {uid}", f"u{uid}@bench.test", role, unit, True, "immediate", "vi", now))
            uid += 1
    users.append((uid, "auditor", "Auditor", "auditor@bench.test", "auditor", 1, True, "immediate", "vi", now))
    copy(conn, "org_units", ["id", "code", "name", "level", "parent_id", "created_at"], [u + (now,) for u in units])
    copy(conn, "users", ["id", "username", "full_name", "email", "role", "unit_id", "active", "notify_mode", "lang",
                         "created_at"], users)
    trigger = date(2026, 11, 2)
    due = cal.add_working_days(trigger, 30)
    first_rung = local_at(cal.sub_working_days(due, 3), datetime.min.time().replace(hour=7, minute=30))
    deadline = end_of_day(due)

    def petitions():
        for i in range(1, n + 1):
            u = 2 + (i % UNITS) * 3
            yield (i, f"KN-C{i % UNITS}-2026-{i:07d}", u, trigger, local_at(trigger, datetime.min.time()),
                   f"Kiến nghị số {i}", "land", "petition", False, 1, False, False, u + 1 + (i % 2),
                   "in_resolution", 2, 0, f"kn-c{i % UNITS}-2026-{i:07d} kien nghi so {i}", now, now)

    copy(conn, "petitions", ["id", "code", "unit_id", "received_on", "received_at", "summary", "category", "kind",
                             "is_group", "group_size", "complex_prolonged", "incited", "department_id", "state",
                             "version", "reopen_count", "search_text", "created_at", "updated_at"], petitions())

    def clocks():
        for i in range(1, n + 1):
            yield (i, i, "resolution", 30, True, "bench", trigger, due, deadline, due, 0, "running", False,
                   cal.version, 1, first_rung, "T-3", now)

    copy(conn, "clocks", ["id", "petition_id", "name", "rule_days", "working", "rule_source", "trigger_on", "due_date",
                          "deadline_at", "original_due_date", "extensions", "status", "provisional", "calendar_version",
                          "version", "next_rung_at", "next_rung", "created_at"], clocks())
    conn.commit()
    with conn.cursor() as cur:
        for seq, value in (("petitions_id_seq", n), ("clocks_id_seq", n), ("users_id_seq", uid),
                           ("org_units_id_seq", len(units) + 1)):
            cur.execute(f"SELECT setval('{seq}', {int(value)})")
    conn.commit()
    conn.autocommit = True  # VACUUM outside a transaction; this connection is discarded below
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # the visibility map a live database has: index-only counts
    raw.invalidate()  # never hand an autocommit connection back to the pool
    raw.close()
    print(f"loaded {n:,} petitions and clocks in {time.perf_counter() - t0:.1f} s "
          f"(first rung {first_rung.isoformat()}, due {due})")


BASELINE_TICK = """
import sys, time
from datetime import datetime
sys.path.insert(0, sys.argv[1])
from engine.persistence.db import make_engine
from engine.scheduler.tick import tick
engine = make_engine(sys.argv[2])
t0 = time.perf_counter()
r = tick(engine, datetime.fromisoformat(sys.argv[3]), batch=2000)
print(time.perf_counter() - t0, r.claimed, r.created)
"""


def make_due(engine, due_count: int) -> None:
    """`due_count` rungs due now, an empty outbox, and both tables vacuumed, so that every
    measured tick starts from the same state."""
    with transaction(engine) as s:
        s.execute(text("DELETE FROM outbox"))
        s.execute(text("UPDATE clocks SET next_rung_at = :at, next_rung = 'T-3' WHERE id <= :n"),
                  {"at": NOW - timedelta(minutes=1), "n": due_count})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE clocks, outbox"))


def bench_ticks(engine, due_count: int, runs: int = 3, baseline_tree: str | None = None) -> dict:
    """The idle tick (median of 15), the audit checkpoint inside it, and `runs` busy ticks;
    with `baseline_tree`, that commit's tick too, in a process of its own, alternating."""
    from engine.persistence import eventlog
    from engine.scheduler.tick import tick
    idle = []
    for _ in range(15):
        t0 = time.perf_counter()
        r = tick(engine, NOW)
        idle.append(time.perf_counter() - t0)
        assert r.claimed == 0
    checkpoint = []
    for _ in range(5):
        with transaction(engine) as s:
            t0 = time.perf_counter()
            eventlog.unit_counts(s)
            checkpoint.append(time.perf_counter() - t0)
    busy, before, created = [], [], 0
    for _ in range(runs):
        if baseline_tree:
            make_due(engine, due_count)
            out = subprocess.run([sys.executable, "-c", BASELINE_TICK, baseline_tree,
                                  engine.url.render_as_string(hide_password=False), NOW.isoformat()],
                                 capture_output=True, text=True, check=True).stdout.split()
            assert int(out[1]) == due_count, out
            before.append(float(out[0]))
        make_due(engine, due_count)
        t0 = time.perf_counter()
        r = tick(engine, NOW, batch=2000)
        busy.append(time.perf_counter() - t0)
        assert r.claimed == due_count, r.claimed
        created = r.created
    return {"idle": statistics.median(idle), "checkpoint": statistics.median(checkpoint), "busy": busy,
            "before": before, "created": created}


class Sink:
    """benchmarks.smtp_sink in a process of its own."""

    def __init__(self, redis_url):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.proc = subprocess.Popen([sys.executable, "-m", "benchmarks.smtp_sink", str(self.port), redis_url],
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


POOL = ["--pool=solo"]


def start_workers(env, n, log_dir, extra=(), cwd=None):
    procs = []
    for i in range(n):
        log = open(os.path.join(log_dir, f"w{i}.log"), "wb")
        procs.append(subprocess.Popen([sys.executable, "-m", "engine", "worker", *POOL, "-n", f"bench{i}@%h",
                                       "--without-gossip", "--without-mingle", "--without-heartbeat", *extra],
                                      env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd))
    deadline = time.time() + 60
    for i in range(n):
        while b"ready." not in open(os.path.join(log_dir, f"w{i}.log"), "rb").read():
            if time.time() > deadline:
                raise RuntimeError("worker did not start")
            time.sleep(0.2)
    return procs


def stop(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(30)


def checkout(ref: str) -> str:
    """The tree of commit `ref`, extracted to a temporary folder (git archive)."""
    import io
    import tarfile
    out = tempfile.mkdtemp(prefix=f"bench-{ref}-")
    blob = subprocess.run(["git", "archive", "--format=tar", ref], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(out, filter="data")
    return out


def noop_rate(redis_url: str, emails: int) -> float:
    """Celery's one-task-per-message rate for a task that does nothing: the baseline."""
    import redis as redis_lib

    from config import Settings
    from engine.scheduler.celery_app import make_celery
    r = redis_lib.Redis.from_url(redis_url)
    r.flushdb()
    log_dir = tempfile.mkdtemp(prefix="bench-sched-")
    env = dict(os.environ, BROKER_URL=redis_url, PETITIONS_VAR_DIR=log_dir, PYTHONPATH=os.getcwd())
    app = make_celery(Settings(BROKER_URL=redis_url, PETITIONS_VAR_DIR=log_dir))
    procs = start_workers(env, 2, log_dir, extra=("--include", "benchmarks.noop_task"))
    t0 = time.perf_counter()
    for _ in range(emails):
        app.send_task("bench.noop", args=[redis_url])
    while int(r.get("bench:noop") or 0) < emails:
        time.sleep(0.02)
    rate = emails / (time.perf_counter() - t0)
    stop(procs)
    return rate


def bench_dispatch(url: str, redis_url: str, emails: int, tree: str | None = None) -> float:
    """Messages a second through the outbox, two worker processes, batches of 100; the
    dispatcher of this checkout, or of `tree` (another commit's code) when given."""
    import redis as redis_lib

    from config import Settings
    from engine.scheduler.celery_app import make_celery
    r = redis_lib.Redis.from_url(redis_url)
    r.flushdb()
    sink = Sink(redis_url)
    log_dir = tempfile.mkdtemp(prefix="bench-sched-")
    env = dict(os.environ, DATABASE_URL=url, BROKER_URL=redis_url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(sink.port),
               PETITIONS_VAR_DIR=log_dir, PYTHONPATH=tree or os.getcwd())
    app = make_celery(Settings(BROKER_URL=redis_url, PETITIONS_VAR_DIR=log_dir))
    engine = make_engine(url)
    with transaction(engine) as s:
        s.execute(text("DELETE FROM outbox"))
        s.execute(text(
            "INSERT INTO outbox (key, kind, channel, to_email, lang, context, status, attempts, created_at) "
            "SELECT 'bench:' || g, 'overdue', 'email', 'u' || g || '@bench.test', 'vi', CAST(:ctx AS JSON), 'pending', 0, now() "
            "FROM generate_series(1, :n) g"),
            {"n": emails, "ctx": '{"recipient_name": "A", "petition": {"code": "KN-1", "summary": "x", "unit_name": "Xã",'
             ' "department_name": "P", "state_label": "Đang giải quyết"}, "clock": {"name": "resolution",'
             ' "due_date": "2026-11-02", "working_days_left": 0, "overdue_working_days": 2, "extended": false},'
             ' "rung": "T+1", "url": "http://x"}'})
        ids = [row[0] for row in s.execute(text("SELECT id FROM outbox ORDER BY id"))]
    procs = start_workers(env, 2, log_dir, cwd=tree)
    t0 = time.perf_counter()
    # the previous release's workers consume Celery's default queue; this one's, "dispatch"
    queue = "celery" if tree else None
    for i in range(0, len(ids), 100):
        app.send_task("petitions.dispatch", args=[ids[i:i + 100]], queue=queue)
    while True:
        with engine.connect() as c:
            sent = c.execute(text("SELECT count(*) FROM outbox WHERE status = 'sent'")).scalar()
        if sent >= emails:
            break
        time.sleep(0.05)
    rate = emails / (time.perf_counter() - t0)
    stop(procs)
    sink.stop()
    received = int(r.get("bench:smtp") or 0)
    assert received == emails, received
    return rate


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--petitions", type=int, default=1_000_000)
    ap.add_argument("--due", type=int, default=10_000)
    ap.add_argument("--emails", type=int, default=2_000)
    ap.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/petitions_bench")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    ap.add_argument("--threads", default="1,4",
                    help="tasks each worker process runs at once, one run per value (1 = solo pool, "
                         "N = Celery thread pool); the no-op baseline runs with the same setting")
    ap.add_argument("--dispatch-only", action="store_true", help="skip the tick measurements")
    ap.add_argument("--tick-only", action="store_true", help="skip the dispatch measurements (no Redis needed)")
    ap.add_argument("--baseline-ref", help="also measure the tick and the dispatcher of this commit, in the same run")
    ap.add_argument("--tick-runs", type=int, default=3, help="busy ticks measured (and of the baseline, alternating)")
    args = ap.parse_args()
    global POOL
    engine = recreate(args.db)
    ok = []
    baseline_tree = checkout(args.baseline_ref) if args.baseline_ref else None
    if not args.dispatch_only:
        load(engine, args.petitions)
        t = bench_ticks(engine, args.due, args.tick_runs, baseline_tree)
        best, median = min(t["busy"]), statistics.median(t["busy"])
        ok += [t["idle"] <= 0.05, best <= 5.0, args.due / best >= 10_000]
        print(f"tick, nothing due ({args.petitions:,} open):   {t['idle'] * 1000:8.1f} ms   (target ≤ 50 ms)  "
              f"{'PASS' if ok[0] else 'FAIL'}   median of 15; once per 10 minutes a tick also counts the audit "
              f"checkpoint: +{t['checkpoint'] * 1000:.1f} ms")
        print(f"tick claiming {args.due:,} rungs ({t['created']:,} rows): {best:8.2f} s    (target ≤ 5 s)    "
              f"{'PASS' if ok[1] else 'FAIL'}   best of {len(t['busy'])}, median {median:.2f} s")
        print(f"rungs claimed per second:             {args.due / best:8.0f}      (target ≥ 10,000) "
              f"{'PASS' if ok[2] else 'FAIL'}   median {args.due / median:.0f}")
        if t["before"]:
            b_best, b_median = min(t["before"]), statistics.median(t["before"])
            print(f"  the same, tick of {args.baseline_ref}: {args.due / b_best:8.0f} rungs/s ({b_best:.2f} s best, "
                  f"{b_median:.2f} s median)   this one {b_median / median:.2f}x faster (medians)")
    for threads in ([] if args.tick_only else (int(x) for x in args.threads.split(","))):
        POOL = ["--pool=solo"] if threads <= 1 else ["--pool=threads", f"--concurrency={threads}"]
        noop = noop_rate(args.redis, args.emails)
        rate = bench_dispatch(args.db, args.redis, args.emails)
        ok.append(rate >= noop)
        print(f"2 worker processes, {' '.join(POOL)}:")
        print(f"  Celery no-op, one task per message: {noop:8.0f} msg/s")
        print(f"  email dispatch, batches of 100:     {rate:8.0f} msg/s   ratio {rate / noop:.2f}x "
              f"(target ≥ 1)  {'PASS' if ok[-1] else 'FAIL'}")
        if baseline_tree:
            before = bench_dispatch(args.db, args.redis, args.emails, tree=baseline_tree)
            ok.append(rate >= 0.95 * before)
            print(f"  the same, dispatcher of {args.baseline_ref}: {before:8.0f} msg/s   this one {rate / before:.2f}x "
                  f"(target ≥ 0.95)  {'PASS' if ok[-1] else 'FAIL'}")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
