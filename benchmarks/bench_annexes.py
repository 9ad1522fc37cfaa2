"""Benchmark (issue 16): Phụ lục 1, 2, 3, the text figures and the drafted review for a
province on PostgreSQL. Target: each, and the whole review, under 3 s for 1,000,000 petitions.

    python benchmarks/bench_annexes.py                          # 1,000,000 petitions
    python benchmarks/bench_annexes.py --petitions 200000       # a smaller run (says so)
    python benchmarks/bench_annexes.py --skip-generate          # reuse the last data

The data is bench_reports.py's (a province, --communes communes, petitions over 2024–2025
with clocks in every state, sessions), built by its own generator, plus what issue 16 reads:
an event log for every petition (receipt, then the action that led to its state, dated when
it happened and recorded the next day; ``updated_at`` is the last one), chair roles on the
sessions (one in six chaired by the People's Committee chair), the opinions collected at
dialogues, escalated copies at the province (half of them acted on), conferences and
inspections. A share of 2025's petitions (--late, default 5 %) is worked on in January 2026,
after the period: their state as of 31/12/2025 is replayed from the events. It runs in a
separate database (default `petitions_bench`) whose schema is dropped and rebuilt.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_reports import DEFAULT_URL, ensure_database, fresh_database, generate, timed  # noqa: E402
from engine.persistence.db import make_engine, transaction  # noqa: E402

TARGET = 3.0

ISSUE16 = """
UPDATE reception_sessions SET chair_role = CASE WHEN id % 6 = 0 THEN 'ubnd_chair' ELSE 'party_secretary' END;
INSERT INTO reception_sessions (unit_id, kind, held_on, chair, chair_role, people, groups, refused, note, created_at,
                                status, place, topic, invited, version)
SELECT 11 + (s % :communes), (ARRAY['dialogue_periodic','dialogue_adhoc','dialogue_thematic'])[1 + s % 3],
       date '2024-01-01' + (s * 13 % 731), 'Bí thư', 'party_secretary', 40, 0, 0, '', now(), 'held', '', '', '', 1
FROM generate_series(1, :communes * 8) s;
UPDATE petitions p SET session_id = d.id
FROM (SELECT unit_id, min(id) id FROM reception_sessions WHERE kind LIKE 'dialogue%' GROUP BY unit_id) d
WHERE p.unit_id = d.unit_id AND p.state IN ('answered', 'resolved') AND p.id % 3 = 0;
UPDATE petitions SET escalated_from_id = id - 1 WHERE unit_id = 1 AND id % 80 = 0;
INSERT INTO events (petition_id, seq, action, actor, at, effective_on, before, after, data, prev_hash, hash)
SELECT id, 1, 'receive', 'bench', (received_on + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', received_on,
       '{}', '{}', '{}', 'bench', 'bench' FROM petitions;
INSERT INTO events (petition_id, seq, action, actor, at, effective_on, before, after, data, prev_hash, hash)
SELECT id, 2, CASE state WHEN 'answered' THEN 'answer_at_meeting' WHEN 'referred' THEN 'refer'
                         WHEN 'escalated' THEN 'escalate' ELSE 'conclude' END, 'bench',
       (coalesce(notice_on, received_on + 2) + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh',
       coalesce(notice_on, received_on + 2), '{}', '{}', '{}', 'bench', 'bench'
FROM petitions WHERE (state <> 'received' AND escalated_from_id IS NULL) OR (escalated_from_id IS NOT NULL AND id % 160 = 0);
INSERT INTO events (petition_id, seq, action, actor, at, effective_on, before, after, data, prev_hash, hash)
SELECT id, 3, 'resolve', 'bench', (resolved_on + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', resolved_on,
       '{}', '{}', '{}', 'bench', 'bench' FROM petitions WHERE state IN ('resolved', 'closed');
INSERT INTO events (petition_id, seq, action, actor, at, effective_on, before, after, data, prev_hash, hash)
SELECT id, 4, 'close', 'bench', (resolved_on + 6)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', resolved_on + 5,
       '{}', '{}', '{}', 'bench', 'bench' FROM petitions WHERE state = 'closed';
UPDATE petitions p SET updated_at = e.at FROM (SELECT petition_id, max(at) at FROM events GROUP BY petition_id) e
WHERE e.petition_id = p.id;
INSERT INTO events (petition_id, seq, action, actor, at, effective_on, before, after, data, prev_hash, hash)
SELECT id, 9, 'resolve', 'bench', timestamptz '2026-01-15 03:00+00', date '2026-01-15', '{}', '{}', '{}', 'bench', 'bench'
FROM petitions WHERE state = 'in_resolution' AND received_on >= date '2025-01-01' AND id % 100 < :late;
UPDATE petitions SET state = 'resolved', resolved_on = date '2026-01-15', updated_at = timestamptz '2026-01-15 03:00+00'
WHERE state = 'in_resolution' AND received_on >= date '2025-01-01' AND id % 100 < :late;
INSERT INTO outreach_activities (unit_id, held_on, kind, title, participants, materials, note, created_at)
SELECT 11 + (s % :communes), date '2024-01-01' + (s * 7 % 731), CASE WHEN s % 3 = 0 THEN 'training' ELSE 'conference' END,
       'Hội nghị quán triệt', 50 + s % 100, s % 40, '', now() FROM generate_series(1, :communes * 4) s;
INSERT INTO inspections (unit_id, held_on, kind, planned, bodies, heads_disciplined, heads_violating, subject, findings,
                         created_at)
SELECT 1 + (s % 2) * (10 + s % :communes), date '2024-01-01' + (s * 11 % 731),
       CASE WHEN s % 2 = 0 THEN 'inspection' ELSE 'supervision' END, s % 9 <> 0, 1 + s % 3, 0, (s % 50 = 0)::int,
       'Đảng ủy xã', '', now() FROM generate_series(1, :communes * 3) s
"""


def add_issue16_data(engine, communes: int, late: int) -> float:
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for stmt in [s.strip() for s in ISSUE16.split(";\n") if s.strip()]:
            params = {k: v for k, v in {"communes": communes, "late": late}.items() if f":{k}" in stmt}
            conn.execute(text(stmt), params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--petitions", type=int, default=1_000_000)
    ap.add_argument("--communes", type=int, default=300)
    ap.add_argument("--late", type=int, default=5, help="%% of 2025's open items worked on after the period")
    ap.add_argument("--skip-generate", action="store_true")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)

    from engine.reports import appendix2
    from engine.reports.annex1 import annex1
    from engine.reports.annex3 import annex3
    from engine.reports.figures import text_figures
    from engine.reports.review import review_docx

    if args.skip_generate:
        ensure_database(args.url)
        engine = make_engine(args.url)
    else:
        engine = fresh_database(args.url)
        print(f"generating {args.petitions:,} petitions in {args.communes} communes …", flush=True)
        print(f"  bench_reports data in {generate(engine, args.petitions, args.communes):.1f} s", flush=True)
        print(f"  issue 16 data (events, chairs, opinions, records) in "
              f"{add_issue16_data(engine, args.communes, args.late):.1f} s", flush=True)
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("petitions", "events", "reception_sessions")}
    print("data: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))

    def run(fn, *a, **kw):
        def go():
            with transaction(engine) as s:
                return fn(s, *a, **kw)
        return go

    year, five = ("BP", "2025-01-01", "2025-12-31"), ("BP", "2024-01-01", "2025-12-31")
    results, ok = {}, True
    for label, fn, period in (("Phụ lục 1, 2025", annex1, year), ("Phụ lục 2, 2025 (as of 31/12)", appendix2, year),
                              ("Phụ lục 2, by commune", lambda s, *a: appendix2(s, *a, by_unit=True), year),
                              ("Phụ lục 3, 2025", annex3, year), ("text figures, 2025", text_figures, year),
                              ("review (Word), 2025", review_docx, year),
                              ("Phụ lục 2, 2024–2025", appendix2, five), ("review (Word), 2024–2025", review_docx, five)):
        results[label], out = timed(label, run(fn, *period), repeat=args.repeat)
        if label.startswith("Phụ lục 2, 2025"):
            print(f"  {label}: in progress {out['in_progress']['total']:,}, resolved "
                  f"{out['resolved_no_further']['total']:,}, directed {out['directed']['total']:,}")
        print(f"{label:<32} {results[label]:7.3f} s", flush=True)
    print(f"\nfigure                           seconds  target  verdict")
    for label, v in results.items():
        verdict = "PASS" if v <= TARGET else "FAIL"
        ok &= verdict == "PASS"
        print(f"{label:<32} {v:7.3f} {TARGET:7.1f}  {verdict}")
    if args.petitions < 1_000_000:
        print(f"(reduced run: {args.petitions:,} petitions; the target is for 1,000,000)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
