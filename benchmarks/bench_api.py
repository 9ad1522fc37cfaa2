"""Benchmark: listing cases through the JSON API (/api/v1/cases) with 1,000,000 cases on
PostgreSQL, beside the admin's list page on the same data (issue 19).

    python benchmarks/bench_api.py                        # 1,000,000 cases, PostgreSQL
    python benchmarks/bench_api.py --petitions 100000 --runs 50

Target: p95 < 100 ms server time for the API's list (Flask test client, after a warm-up;
the time includes the token lookup, the rate-limit count and the recorded use). The data is
`benchmarks/bench_web.populate` (a province, 20 communes with two departments each, one
running clock per open case). The rate limit is lifted for the run (it has its own test).
The PostgreSQL database (default `petitions_bench_api`) is dropped and rebuilt.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_web import NOW, PASSWORD, populate  # noqa: E402
from engine.persistence.db import make_engine, transaction  # noqa: E402
from engine.persistence.migrate import upgrade  # noqa: E402
from engine.persistence.models import User  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/petitions_bench_api"
TARGET_MS = 100.0


def p95(times: list[float]) -> float:
    xs = sorted(times)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def measure(engine, runs: int) -> list[tuple[str, float, float, bool]]:
    from config.settings import Settings
    from engine.services.tokens import create_token
    from web import create_app
    import web.api
    web.api.RATE_LIMIT = 10**9
    app = create_app(engine=engine, settings=Settings(var_dir=Path(tempfile.mkdtemp()), secret_key="bench" * 8,
                                                      LOG_LEVEL="WARNING"), now=NOW, testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    tokens = {}
    with transaction(engine) as s:
        for name in ("bauditor", "bclerk", "bdept", "bleader"):
            tokens[name] = create_token(s, s.scalar(select(User).where(User.username == name)), "bench", 30, now=NOW)[1]
    api = app.test_client()

    def cursor_after(user, pages):
        cur = None
        for _ in range(pages):
            cur = api.get("/api/v1/cases", query_string={"limit": 50, **({"cursor": cur} if cur else {})},
                          headers={"Authorization": f"Bearer {tokens[user]}"}).get_json()["next_cursor"]
        return cur

    deep = cursor_after("bauditor", 20)
    cases = [("API auditor /cases", "bauditor", "/api/v1/cases", True),
             ("API auditor /cases page 21 (cursor)", "bauditor", f"/api/v1/cases?cursor={deep}", True),
             ("API auditor overdue", "bauditor", "/api/v1/cases?overdue=true", True),
             ("API auditor unit+state", "bauditor", "/api/v1/cases?unit=BX3&state=in_resolution", True),
             ("API clerk /cases", "bclerk", "/api/v1/cases", True),
             ("API leader /cases", "bleader", "/api/v1/cases", True),
             ("API department /cases", "bdept", "/api/v1/cases", True),
             ("API auditor search by code", "bauditor", "/api/v1/cases?q=KN-BX1-2026-000123", True),
             ("admin auditor /petitions", "bauditor", "/petitions", False),
             ("admin auditor /petitions page 21", "bauditor", "/petitions?page=21", False),
             ("admin auditor overdue", "bauditor", "/petitions?overdue=1", False),
             ("admin clerk /petitions", "bclerk", "/petitions", False)]
    out, pages = [], {}
    for label, user, url, is_api in cases:
        if is_api:
            client, headers = api, {"Authorization": f"Bearer {tokens[user]}"}
        else:
            client = pages.get(user)
            if client is None:
                client = pages[user] = app.test_client()
                assert client.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
            headers = {}
        assert client.get(url, headers=headers).status_code == 200, url
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            r = client.get(url, headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (url, r.status_code)
        out.append((label, statistics.median(times), p95(times), is_api))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--petitions", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--pg-url", default=PG_URL)
    ap.add_argument("--reuse", action="store_true", help="measure again on the data of the previous run")
    args = ap.parse_args()
    from benchmarks.bench_reports import ensure_database
    ensure_database(args.pg_url)
    engine = make_engine(args.pg_url)
    if args.reuse:
        with engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM petitions")).scalar_one()
        print(f"== PostgreSQL: {n:,} cases (from the previous run); {args.runs} runs each")
    else:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        t0 = time.perf_counter()
        upgrade(engine)
        populate(engine, args.petitions)
        print(f"== PostgreSQL: {args.petitions:,} cases inserted in {time.perf_counter() - t0:.1f} s; {args.runs} runs each")
    ok = True
    for label, med, p, is_api in measure(engine, args.runs):
        verdict = ("PASS" if p < TARGET_MS else "FAIL") if is_api else "(beside)"
        ok &= (p < TARGET_MS) or not is_api
        print(f"  {label:<38} median {med:7.1f} ms   p95 {p:7.1f} ms  {verdict}")
    engine.dispose()
    print("\nPASS" if ok else "\nFAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
