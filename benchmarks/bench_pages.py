"""Benchmark (issue 20): the heavy pages under load, served as production serves them.

    python benchmarks/bench_pages.py                          # 1,000,000 petitions, PostgreSQL
    python benchmarks/bench_pages.py --petitions 100000       # a smaller run (says so)
    python benchmarks/bench_pages.py --skip-generate          # reuse the last data
    python benchmarks/bench_pages.py --pages backlog,work --concurrency 1,10

gunicorn as docker-compose runs it (`web.wsgi:app`, 3 sync workers, production settings) on
loopback, over PostgreSQL with benchmarks/bench_web.py's data (a province, 20 communes with
two departments each, one running or stopped clock per petition); the load comes from `wrk`
(`apt-get install wrk`), signed in as the user each page is for. For each page and each
concurrency it prints requests per second, p50/p95/p99 latency, and the CPU each request
cost — the gunicorn workers' and PostgreSQL's separately, read from /proc before and after
(so it is the work per request, whatever else the machine does). Targets (issue 20): CPU per
request ≤ 30 ms, p95 ≤ 300 ms at 10 concurrent requests, ≥ 60 requests a second.
The reports and the deadline lists are kept under the data version (engine/reports/cache.py),
so a page costs its whole computation only on the first request after a write: that figure is
printed first for each page, and `--writes 1` keeps a write a second going during the loads.
The data lives in its own database (default `petitions_bench_pages`), dropped and rebuilt.
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_reports import ensure_database, fresh_database  # noqa: E402
from benchmarks.bench_web import PASSWORD, populate  # noqa: E402
from engine.persistence.db import make_engine  # noqa: E402

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/petitions_bench_pages"
CPU_TARGET_MS, P95_TARGET_MS, RPS_TARGET = 30.0, 300.0, 60.0
PAGES = {  # name -> (user, path)
    "backlog": ("bleader", "/backlog"),
    "work": ("bdept", "/work"),
    "ontime": ("bauditor", "/reports/ontime?unit=BP&from=2026-01-01&to=2026-11-30"),
    "appendix2": ("bauditor", "/reports/appendix2?unit=BP&period=year&year=2026"),
    "compliance": ("bauditor", "/reports/compliance?unit=BP&period=year&year=2026"),
    "letters": ("bauditor", "/reports/letters?unit=BP&period=year&year=2026"),
    "case": ("bauditor", "/petitions/{code}"),  # the first case's page
}
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %f %f %f\\n", summary.requests, summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / tick


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def postgres_backends(database: str) -> list[int]:
    # the backends serving the benchmark's connections ("postgres: [cluster: ]USER DB …"), not autovacuum's
    out = subprocess.run(["pgrep", "-f", rf"postgres: (\S+: )?\S+ {re.escape(database)} "], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def sign_in(base: str, user: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    opener.open(f"{base}/login", urllib.parse.urlencode(
        {"csrf_token": token, "username": user, "password": PASSWORD}).encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def load(base: str, path: str, cookie: str, connections: int, seconds: int, script: str) -> dict:
    cmd = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
           "-s", script, "-H", f"Cookie: {cookie}", base + path]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    m = re.search(r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    if not m:
        raise RuntimeError(f"wrk said: {out}")
    n, errors, micros = int(m[1]), int(m[2]), int(m[3])
    return {"requests": n, "errors": errors, "rps": n / (micros / 1e6), "p50": float(m[4]), "p95": float(m[5]),
            "p99": float(m[6])}


def write_one(engine) -> None:
    """One committed write, as any clerk's would be: the data version moves and every kept
    report and list is computed again on its next request."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE petitions SET summary = summary WHERE id = (SELECT min(id) FROM petitions)"))


def first_after_write(base: str, path: str, cookie: str, engine) -> float:
    """Milliseconds of the first request after a write: the whole computation, nothing kept."""
    write_one(engine)
    t0 = time.perf_counter()
    urllib.request.urlopen(urllib.request.Request(base + path, headers={"Cookie": cookie}), timeout=120).read()
    return (time.perf_counter() - t0) * 1000


class Writer(threading.Thread):
    """`per_second` writes a second during the loads (--writes): what a busy office does to the
    kept results while the pages are read."""
    def __init__(self, engine, per_second: float):
        super().__init__(daemon=True)
        self.engine, self.pause, self.stop, self.count = engine, 1 / per_second, threading.Event(), 0

    def run(self) -> None:
        while not self.stop.wait(self.pause):
            write_one(self.engine)
            self.count += 1


def drain(base: str) -> None:
    """Wait until the server has worked through what the last load left queued: wrk stops at
    its deadline, but gunicorn still serves every request already accepted (at 50 concurrent
    on a slow page, seconds of them), which would be billed to the next measurement."""
    for _ in range(600):
        t0 = time.perf_counter()
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=120).read()
        except urllib.error.HTTPError:
            pass  # 503 without a worker and beat: an answer all the same, and a quick one
        if time.perf_counter() - t0 < 0.05:
            return
        time.sleep(0.2)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=URL)
    ap.add_argument("--petitions", type=int, default=1_000_000)
    ap.add_argument("--skip-generate", action="store_true")
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--concurrency", default="1,10,50")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--writes", type=float, default=0,
                    help="committed writes a second during the loads (each makes the kept results stale)")
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk")
        return 2
    database = make_url(args.url).database
    if args.skip_generate:
        ensure_database(args.url)
        engine = make_engine(args.url)
    else:
        engine = fresh_database(args.url)
        t0 = time.perf_counter()
        populate(engine, args.petitions)
        print(f"{args.petitions:,} petitions in {time.perf_counter() - t0:.0f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # as a live database is: visibility maps set, statistics fresh — and no autovacuum of the
        # freshly loaded tables running through the measurements
        conn.execute(text("VACUUM ANALYZE"))
        code = conn.execute(text("SELECT code FROM petitions ORDER BY id LIMIT 1")).scalar()

    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    script = tmp / "report.lua"
    script.write_text(LUA)
    env = dict(os.environ, DATABASE_URL=args.url, SECRET_KEY=secrets.token_hex(32),
               PETITIONS_AUDIT_KEY=secrets.token_hex(32), PETITIONS_ENV="production", PETITIONS_VAR_DIR=str(tmp),
               LOG_LEVEL="WARNING", PUBLIC_URL=f"http://127.0.0.1:{args.port}")
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{args.port}", "--workers", "3",
                                 "web.wsgi:app"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    ok = True
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        cookies = {}
        rows = []
        writer = None
        if args.writes > 0:
            writer = Writer(engine, args.writes)
            print(f"with {args.writes:g} committed write(s) a second during the loads", flush=True)
        print(f"\n{'page':<11} {'conc':>4} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'CPU ms/req':>10} {'(web':>6} {'+ db)':>6} {'errors':>6}", flush=True)
        for name in args.pages.split(","):
            user, path = PAGES[name]
            path = path.format(code=code)
            cookie = cookies.get(user) or cookies.setdefault(user, sign_in(base, user))
            load(base, path, cookie, 3, 2, str(script))  # warm every worker's caches
            drain(base)
            cold = first_after_write(base, path, cookie, engine)
            print(f"{name:<11} first request after a write: {cold:.0f} ms (nothing kept)", flush=True)
            load(base, path, cookie, 3, 2, str(script))
            drain(base)
            if writer is not None and not writer.is_alive():
                writer.start()
            for c in (int(x) for x in args.concurrency.split(",")):
                web_pids = children(gunicorn.pid)
                db_pids = postgres_backends(database)
                w0, d0 = cpu_seconds(web_pids), cpu_seconds(db_pids)
                r = load(base, path, cookie, c, args.seconds, str(script))
                drain(base)  # what was accepted is served, and counted in the CPU below
                web_ms = (cpu_seconds(web_pids) - w0) * 1000 / max(1, r["requests"])
                db_ms = (cpu_seconds(postgres_backends(database)) - d0) * 1000 / max(1, r["requests"])
                cpu = web_ms + db_ms
                rows.append((name, c, r, cpu))
                print(f"{name:<11} {c:>4} {r['rps']:>7.1f} {r['p50']:>8.0f} {r['p95']:>8.0f} {r['p99']:>8.0f} "
                      f"{cpu:>10.1f} {web_ms:>6.1f} {db_ms:>6.1f} {r['errors']:>6}", flush=True)
        print("\nverdicts (targets: CPU per request ≤ 30 ms; at 10 concurrent: p95 ≤ 300 ms and ≥ 60 req/s)")
        for name, c, r, cpu in rows:
            if c != 10:
                continue
            good = cpu <= CPU_TARGET_MS and r["p95"] <= P95_TARGET_MS and r["rps"] >= RPS_TARGET and not r["errors"]
            ok &= good
            print(f"  {name:<11} {'PASS' if good else 'FAIL'}  {cpu:.1f} ms CPU, p95 {r['p95']:.0f} ms, "
                  f"{r['rps']:.1f} req/s")
        if args.petitions < 1_000_000:
            print(f"(reduced run: {args.petitions:,} petitions; the targets are for 1,000,000)")
    finally:
        if writer is not None:
            writer.stop.set()
        engine.dispose()
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
