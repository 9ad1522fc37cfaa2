"""Benchmark: the admin's list pages with 100,000 petitions (SQLite file and PostgreSQL).

    python benchmarks/bench_web.py                     # SQLite under a temp dir, PG if reachable
    python benchmarks/bench_web.py --petitions 20000 --runs 5 --no-pg

Target (issue "thin Flask admin"): every list page ≤ 200 ms server time (median of --runs
requests through the Flask test client, after one warm-up). The data is bulk-inserted
with SQLAlchemy Core: a province, 20 communes with two departments each, petitions spread
over 2026 with one running clock each (a quarter of them overdue). The PostgreSQL run uses
a separate database (default `petitions_bench_web`) whose schema is dropped and rebuilt.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.persistence.db import make_engine, transaction  # noqa: E402
from engine.persistence.migrate import upgrade  # noqa: E402
from engine.persistence.models import Clock, OrgUnit, Petition, Petitioner  # noqa: E402
from engine.language.text import fold  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/petitions_bench_web"
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
TARGET_MS = 200.0
PASSWORD = "bench-password-2026"
NAMES = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Võ Thị Giang",
         "Đặng Văn Hải", "Bùi Thị Khánh", "Đỗ Văn Lực", "Hồ Thị Minh", "Ngô Văn Nghĩa", "Dương Thị Oanh"]


def populate(engine, n: int) -> None:
    from engine.services.units import add_unit
    from engine.services.users import add_user
    rng = random.Random(7)
    with transaction(engine) as s:
        add_unit(s, "BP", "Tỉnh Thử", "province", None)
        for c in range(1, 21):
            add_unit(s, f"BX{c}", f"Xã {c}", "commune", "BP")
            for d in (1, 2):
                add_unit(s, f"BX{c}-D{d}", f"Phòng {d} xã {c}", "department", f"BX{c}")
        add_user(s, "bdept", "department", "BX1-D1", PASSWORD)
        add_user(s, "bleader", "leader", "BX1", PASSWORD)
        add_user(s, "bclerk", "clerk", "BX1", PASSWORD)
        add_user(s, "bauditor", "auditor", "BP", PASSWORD)
        ids = {u.code: u.id for u in s.query(OrgUnit)}
    batch = 5000
    states = ["received"] * 3 + ["in_resolution"] * 4 + ["resolved", "closed", "answered"]
    for start in range(0, n, batch):
        prows, crows, nrows = [], [], []
        for i in range(start, min(n, start + batch)):
            pid = i + 1
            c = rng.randrange(1, 21)
            state = rng.choice(states)
            day = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 315))
            name = rng.choice(NAMES)
            summary = f"Kiến nghị số {i} về đất đai và hạ tầng"
            dept = ids[f"BX{c}-D{rng.randrange(1, 3)}"] if state != "received" and state != "answered" else None
            code = f"KN-BX{c}-2026-{i:06d}"
            prows.append(dict(id=pid, code=code, unit_id=ids[f"BX{c}"], received_on=day,
                              received_at=datetime(day.year, day.month, day.day, tzinfo=timezone.utc),
                              summary=summary, category="land", kind="petition", is_group=False, group_size=1,
                              complex_prolonged=False, incited=False, department_id=dept, state=state, version=2,
                              reopen_count=0, search_text=fold(f"{code} {summary} {name} Xã {c}"),
                              created_at=NOW, updated_at=NOW))
            nrows.append(dict(petition_id=pid, name=name, address="Thôn 1", phone="", email=""))
            running = state in ("received", "in_resolution")
            due = day + timedelta(days=rng.randrange(14, 60))
            crows.append(dict(petition_id=pid, name="conclusion" if state == "received" else "resolution",
                              rule_days=10, working=True, rule_source="bench", trigger_on=day, due_date=due,
                              deadline_at=datetime(due.year, due.month, due.day, 16, 59, tzinfo=timezone.utc),
                              original_due_date=due, extensions=0, status="running" if running else "met",
                              provisional=False, calendar_version="bench", version=1, created_at=NOW))
        with transaction(engine) as s:
            s.execute(insert(Petition), prows)
            s.execute(insert(Petitioner), nrows)
            s.execute(insert(Clock), crows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval('petitions_id_seq', (SELECT max(id) FROM petitions))"))
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def measure(engine, runs: int) -> list[tuple[str, float]]:
    from config.settings import Settings
    from web import create_app
    app = create_app(engine=engine, settings=Settings(var_dir=Path(tempfile.mkdtemp()), secret_key="bench", LOG_LEVEL="WARNING"),
                     now=NOW, testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    pages = [("department /work", "bdept", "/work"),
             ("leader /backlog", "bleader", "/backlog"),
             ("clerk /desk", "bclerk", "/desk"),
             ("auditor /overview", "bauditor", "/overview"),
             ("auditor /petitions", "bauditor", "/petitions"),
             ("auditor /petitions page 20", "bauditor", "/petitions?page=20"),
             ("auditor overdue filter", "bauditor", "/petitions?overdue=1"),
             ("auditor unit+state filter", "bauditor", "/overview?unit=BX3&state=in_resolution"),
             ("search 'nguyen van an'", "bauditor", "/petitions?q=nguyen+van+an"),
             ("search by code", "bauditor", "/petitions?q=KN-BX1-2026-000123"),
             ("search, no match (full scan)", "bauditor", "/petitions?q=zzzz"),
             ("clerk search 'dang van hai'", "bclerk", "/petitions?q=dang+van+hai")]
    out = []
    clients = {}
    for label, user, url in pages:
        client = clients.get(user)
        if client is None:
            client = clients[user] = app.test_client()
            r = client.post("/login", data={"username": user, "password": PASSWORD})
            assert r.status_code == 302, r.status_code
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
        out.append((label, statistics.median(times)))
    return out


def run(name: str, engine, n: int, runs: int) -> bool:
    t0 = time.perf_counter()
    upgrade(engine)
    populate(engine, n)
    print(f"\n== {name}: {n:,} petitions inserted in {time.perf_counter() - t0:.1f} s")
    ok = True
    for label, ms in measure(engine, runs):
        verdict = "PASS" if ms <= TARGET_MS else "FAIL"
        ok &= ms <= TARGET_MS
        print(f"  {label:<32} {ms:8.1f} ms  {verdict} (≤ {TARGET_MS:.0f} ms)")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--petitions", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--pg-url", default=PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        ok &= run("SQLite", engine, args.petitions, args.runs)
        engine.dispose()
    if not args.no_pg:
        try:
            from benchmarks.bench_reports import ensure_database
            ensure_database(args.pg_url)
            engine = make_engine(args.pg_url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        except Exception as exc:  # noqa: BLE001
            print(f"\n== PostgreSQL skipped: {exc}")
        else:
            ok &= run("PostgreSQL", engine, args.petitions, args.runs)
            engine.dispose()
    print("\nPASS" if ok else "\nFAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
