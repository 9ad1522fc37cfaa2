"""Benchmark: reports on 1,000,000 petitions and the import of 100,000 rows (PostgreSQL).

    python benchmarks/bench_reports.py                      # full size
    python benchmarks/bench_reports.py --petitions 200000 --import-rows 20000
    python benchmarks/bench_reports.py --only import --petitions 0     # the import alone

Targets (issue "What auditors need"): on-time report for a province over a year ≤ 2 s,
the annex ≤ 2 s, import of 100,000 rows ≤ 60 s. The data is generated inside PostgreSQL
with generate_series (a province, --communes communes with two departments each, petitions
spread over 2024–2025 with conclusion and resolution clocks in every state), in a separate
database (default `petitions_bench`, created if missing) whose schema is dropped and
rebuilt: never point it at a database you care about.
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.persistence.db import make_engine, transaction  # noqa: E402
from engine.persistence.migrate import upgrade  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/petitions_bench"
TARGETS = {"ontime": 2.0, "ontime_by_month": 2.0, "appendix2": 2.0, "import": 60.0}


def ensure_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url
    u = make_url(url)
    with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password, dbname="postgres",
                         autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)).fetchone():
            c.execute(f'CREATE DATABASE "{u.database}"')


def fresh_database(url: str):
    """The benchmark's own database (created if missing), emptied and migrated: an engine on it."""
    ensure_database(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


GENERATE = """
INSERT INTO org_units (id, code, name, level, parent_id, created_at)
VALUES (1, 'BP', 'Tỉnh Thử nghiệm', 'province', NULL, now()), (2, 'BP-D', 'Ban Nội chính', 'department', 1, now());
INSERT INTO org_units (id, code, name, level, parent_id, created_at)
SELECT 10 + c, 'BX' || c, 'Xã ' || c, 'commune', 1, now() FROM generate_series(1, :communes) c;
INSERT INTO org_units (id, code, name, level, parent_id, created_at)
SELECT 100000 + c * 2 + d, 'BX' || c || '-D' || d, 'Phòng ' || d || ' xã ' || c, 'department', 10 + c, now()
FROM generate_series(1, :communes) c, generate_series(0, 1) d;
INSERT INTO users (id, username, full_name, role, unit_id, active, notify_mode, lang, created_at)
VALUES (1, 'benchadmin', 'Bench', 'admin', 1, true, 'immediate', 'vi', now());

INSERT INTO petitions (id, code, unit_id, received_on, received_at, summary, category, kind, is_group, group_size,
                       complex_prolonged, incited, department_id, state, version, reopen_count, search_text,
                       created_at, updated_at, notice_on, resolved_on)
SELECT i, 'B-' || i, u, r, r::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', 'Kiến nghị ' || i,
       (ARRAY['land','compensation','resettlement','social_policy','infrastructure','party_building',
              'cadre_degradation','other'])[1 + i % 8],
       'petition', i % 97 = 0, CASE WHEN i % 97 = 0 THEN 6 ELSE 1 END, i % 53 = 0, i % 211 = 0,
       CASE WHEN st IN ('in_resolution','resolved','closed') THEN
            CASE WHEN u = 1 THEN 2 ELSE 100000 + (u - 10) * 2 + (i % 2) END END,
       st, 1, CASE WHEN i % 41 = 0 AND st IN ('resolved','closed','in_resolution') THEN 1 ELSE 0 END, '',
       now(), now(),
       CASE WHEN st IN ('in_resolution','resolved','closed') THEN r + (i % 18) END,
       CASE WHEN st IN ('resolved','closed') THEN r + (i % 18) + (i % 50) END
FROM (
  SELECT i, CASE WHEN i % 40 = 0 THEN 1 ELSE 11 + (i::bigint * 7919) % :communes END AS u,
         date '2024-01-01' + ((i::bigint * 37) % 731)::int AS r,
         CASE WHEN i % 20 < 2 THEN 'received' WHEN i % 20 < 5 THEN 'in_resolution' WHEN i % 20 < 12 THEN 'resolved'
              WHEN i % 20 < 16 THEN 'closed' WHEN i % 20 < 18 THEN 'answered' WHEN i % 20 < 19 THEN 'referred'
              ELSE 'escalated' END AS st
  FROM generate_series(1, :n) i) g;

INSERT INTO clocks (petition_id, name, rule_days, working, rule_source, trigger_on, due_date, deadline_at,
                    original_due_date, extensions, status, stopped_on, provisional, calendar_version, version, created_at)
SELECT p.id, 'conclusion', 10, true, 'bench', p.received_on, p.received_on + 14,
       (p.received_on + 14)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', p.received_on + 14, 0,
       CASE WHEN p.state = 'received' THEN 'running' WHEN p.id % 18 <= 14 THEN 'met' ELSE 'late' END,
       CASE WHEN p.state = 'received' THEN NULL ELSE p.received_on + (p.id % 18) END, false, 'bench', 1, now()
FROM petitions p;

INSERT INTO clocks (petition_id, name, rule_days, working, rule_source, trigger_on, due_date, deadline_at,
                    original_due_date, extensions, status, stopped_on, provisional, calendar_version, version, created_at)
SELECT p.id, 'resolution', 30, true, 'bench', p.notice_on, p.notice_on + 42,
       (p.notice_on + 42)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', p.notice_on + 42, 0,
       CASE WHEN p.state = 'in_resolution' THEN 'running' WHEN p.resolved_on <= p.notice_on + 42 THEN 'met' ELSE 'late' END,
       p.resolved_on, false, 'bench', 1, now()
FROM petitions p WHERE p.notice_on IS NOT NULL;

INSERT INTO reception_sessions (unit_id, kind, held_on, chair, people, groups, refused, note, created_at)
SELECT 11 + (s % :communes), CASE WHEN s % 7 = 0 THEN 'reception_adhoc' WHEN s % 11 = 0 THEN 'dialogue_periodic'
       ELSE 'reception_periodic' END, date '2024-01-01' + (s % 731), 'Chủ tịch', 1 + s % 5, (s % 13 = 0)::int,
       (s % 29 = 0)::int, '', now()
FROM generate_series(1, :sessions) s;

SELECT setval(pg_get_serial_sequence('org_units', 'id'), (SELECT max(id) FROM org_units));
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
SELECT setval(pg_get_serial_sequence('petitions', 'id'), (SELECT max(id) FROM petitions));
"""


def generate(engine, n: int, communes: int) -> float:
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for stmt in [s.strip() for s in GENERATE.split(";\n") if s.strip()]:
            params = {k: v for k, v in {"n": n, "communes": communes, "sessions": max(n // 20, 100)}.items()
                      if f":{k}" in stmt}
            conn.execute(text(stmt), params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - t0


def timed(label: str, fn, repeat: int = 3):
    best, out = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best, out


def write_import_file(path: Path, rows: int, communes: int) -> None:
    header = ["ref", "record", "unit", "date", "session_kind", "people", "summary", "category", "petitioner"]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(rows):
            unit = f"BX{1 + i % communes}"
            day = f"{1 + i % 28:02d}/{1 + (i // 28) % 12:02d}/2025"
            if i % 10 == 0:
                w.writerow([f"IMP-S-{i}", "buổi tiếp", unit, day, "định kỳ", str(1 + i % 4), "", "", ""])
            else:
                w.writerow([f"IMP-P-{i}", "đơn", unit, day, "", "", f"Kiến nghị nhập {i}", "đất đai", f"Công dân {i}"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--petitions", type=int, default=1_000_000)
    ap.add_argument("--communes", type=int, default=300)
    ap.add_argument("--import-rows", type=int, default=100_000)
    ap.add_argument("--skip-generate", action="store_true", help="Reuse the data of a previous run.")
    ap.add_argument("--only", choices=["all", "reports", "import"], default="all",
                    help="Time only the reports or only the import.")
    args = ap.parse_args(argv)

    from engine.deadlines.calendar import default_calendar
    from engine.intake.importer import import_file
    from engine.reports import appendix2, ontime_report
    from engine.services.petitions import Context

    if args.skip_generate:
        ensure_database(args.url)
        engine = make_engine(args.url)
    else:
        engine = fresh_database(args.url)
        print(f"generating {args.petitions:,} petitions in {args.communes} communes …", flush=True)
        print(f"  generated in {generate(engine, args.petitions, args.communes):.1f} s", flush=True)
    with engine.connect() as conn:
        n_pet = conn.execute(text("SELECT count(*) FROM petitions")).scalar()
        n_clk = conn.execute(text("SELECT count(*) FROM clocks")).scalar()
    print(f"data: {n_pet:,} petitions, {n_clk:,} clocks")
    cal = default_calendar()
    today = datetime(2026, 6, 1).date()
    results = {}

    def run_ontime(by=None):
        with transaction(engine) as s:
            return ontime_report(s, "BP", "2025-01-01", "2025-12-31", by=by, today=today, cal=cal)

    def run_annex():
        with transaction(engine) as s:
            return appendix2(s, "BP", "2025-01-01", "2025-12-31")

    if args.only in ("all", "reports"):
        results["ontime"], rep = timed("ontime", run_ontime)
        tot = rep.row("conclusion")
        print(f"ontime (province, 2025): {results['ontime']:.3f} s — conclusion judged {tot.judged:,}, "
              f"rate {tot.rate}, median {tot.median_days} wd")
        results["ontime_by_month"], _ = timed("ontime_by_month", lambda: run_ontime("month"))
        print(f"ontime by month: {results['ontime_by_month']:.3f} s")
        results["appendix2"], annex = timed("appendix2", run_annex)
        print(f"appendix2 (province, 2025): {results['appendix2']:.3f} s — receptions "
              f"{annex['receptions_periodic']['total']:,}, in progress {annex['in_progress']['total']:,}")

    if args.import_rows and args.only in ("all", "import"):
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "import.csv"
            write_import_file(f, args.import_rows, args.communes)
            ctx = replace(Context(), now=datetime(2026, 6, 1, 3, tzinfo=timezone.utc))
            t0 = time.perf_counter()
            with transaction(engine) as s:
                res = import_file(s, ctx, f, by="benchadmin")
            results["import"] = time.perf_counter() - t0
            print(f"import {args.import_rows:,} rows: {results['import']:.1f} s "
                  f"({res.sessions:,} sessions, {res.petitions:,} petitions)")
            t0 = time.perf_counter()
            with transaction(engine) as s:
                again = import_file(s, ctx, f, by="benchadmin")
            print(f"re-import (all duplicates): {time.perf_counter() - t0:.1f} s, {again.duplicates:,} skipped")
            with engine.connect() as conn:
                gaps = conn.execute(text(
                    "SELECT count(*) FROM (SELECT unit_id, extract(year FROM received_on) y, count(*) n, "
                    "max(split_part(code, '-', 4)::int) m FROM petitions WHERE external_ref LIKE 'IMP-%' "
                    "GROUP BY 1, 2) g WHERE n <> m")).scalar()
            print(f"(unit, year) sequences with a gap among imported codes: {gaps}")

    scale = args.petitions / 1_000_000
    print("\nfigure              seconds  target  verdict")
    ok = True
    for k, v in results.items():
        target = TARGETS[k]
        if k == "import":
            target *= args.import_rows / 100_000
        verdict = "PASS" if v <= target else "FAIL"
        ok &= verdict == "PASS"
        print(f"{k:<18} {v:8.3f} {target:7.1f}  {verdict}")
    if scale < 1 and args.only != "import":
        print(f"(reduced run: {args.petitions:,} petitions; the report targets are for 1,000,000)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
