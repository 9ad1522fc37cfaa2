"""Benchmark: a conclusion notice with 50 items drafted to DOCX (issue 15), and its PDF.

    python benchmarks/bench_documents.py                       # SQLite in a temp dir
    python benchmarks/bench_documents.py --url postgresql+psycopg://postgres@127.0.0.1:5432/petitions_bench_documents

Target: the draft — `build_context` (50 due dates from the working-day calendar, read from
the database) plus `render_docx` (docxtpl) — under 1 s. The PDF conversion by LibreOffice
headless is reported, cold (a fresh profile, as every conversion runs) and again; it has
no target: it is LibreOffice's start-up more than the document.
A PostgreSQL URL's schema is dropped and rebuilt: never point it at a database you care about.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.persistence.db import make_engine, transaction  # noqa: E402
from engine.persistence.migrate import upgrade  # noqa: E402

TARGET = 1.0
HELD = date(2026, 11, 10)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)


def prepare(engine, items: int) -> tuple[int, int, list[dict]]:
    from engine.services import petitions as P
    from engine.services import sessions as S
    from engine.services.units import add_unit
    ctx = P.Context(now=NOW)
    with transaction(engine) as s:
        add_unit(s, "BP", "Tỉnh Thử nghiệm", "province", None)
        commune = add_unit(s, "BX", "Xã Kỳ Thượng", "commune", "BP")
        depts = [add_unit(s, f"BX-D{i}", f"Phòng chuyên môn số {i} xã Kỳ Thượng", "department", "BX") for i in range(5)]
        rec = S.add_session(s, "BX", "reception_periodic", HELD, people=items, chair="Nguyễn Văn Bình",
                            place="Hội trường Đảng ủy xã", today=date(2026, 11, 20))
        lines = []
        for i in range(items):
            p = P.add_petition(s, ctx, "BX", f"Kiến nghị số {i + 1} về đất đai, đường giao thông và chính sách xã hội",
                               received_on=HELD, session_id=rec.id, category="land")
            lines.append({"petition_id": p.id, "department_id": depts[i % 5].id,
                          "direction": "Kiểm tra, xác minh và trả lời công dân bằng văn bản đúng thời hạn."})
        return commune.id, rec.id, lines


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=None)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-pdf", action="store_true")
    args = ap.parse_args()

    from engine.documents.contexts import build_context
    from engine.documents.render import render_docx
    from engine.persistence.models import OrgUnit
    from engine.services.petitions import Context

    tmp = tempfile.TemporaryDirectory(prefix="bench-documents-")
    url = args.url or f"sqlite:///{tmp.name}/bench.db"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    upgrade(engine)
    unit_id, session_id, items = prepare(engine, args.items)
    ctx = Context(now=NOW)

    timings, render_only, docx = [], [], b""
    for fmt in ("party", "state") * ((args.runs + 1) // 2):
        with transaction(engine) as s:
            unit = s.get(OrgUnit, unit_id)
            t0 = time.perf_counter()
            c = build_context(s, "conclusion_notice", unit, ctx=ctx, fmt=fmt, session_id=session_id, items=items,
                              issued_on=date(2026, 11, 12), number_text="06-TB/ĐU" if fmt == "party" else "12/TB-UBND",
                              directions="Giao các phòng chuyên môn giải quyết dứt điểm.")
            t1 = time.perf_counter()
            docx = render_docx("conclusion_notice", fmt, c).docx
            t2 = time.perf_counter()
        assert len(c["items"]) == args.items
        timings.append(t2 - t0)
        render_only.append(t2 - t1)
    best, median = min(timings), statistics.median(timings)
    print(f"{engine.dialect.name}: conclusion notice, {args.items} items → DOCX ({len(docx) // 1024} KB)")
    print(f"  draft (context + render): best {best * 1000:.0f} ms, median {median * 1000:.0f} ms "
          f"(render alone median {statistics.median(render_only) * 1000:.0f} ms) over {len(timings)} runs"
          f"  target < {TARGET:g} s  {'PASS' if median < TARGET else 'FAIL'}")
    if not args.no_pdf:
        from engine.documents.pdf import PdfUnavailable, docx_to_pdf
        try:
            pdf_times = []
            for _ in range(2):
                t0 = time.perf_counter()
                pdf = docx_to_pdf(docx)
                pdf_times.append(time.perf_counter() - t0)
            print(f"  PDF by LibreOffice headless: {pdf_times[0]:.2f} s, again {pdf_times[1]:.2f} s "
                  f"({len(pdf) // 1024} KB)")
        except PdfUnavailable as exc:
            print(f"  PDF: {exc.message('en')}")
    engine.dispose()
    tmp.cleanup()
    return 0 if median < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
