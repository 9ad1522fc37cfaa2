"""How long the calendar decision's preview and save take with N running clocks (issue 18).

Both re-project every running clock (the preview does it and rolls back), so this is the wait
an administrator sees after pressing "Preview" and "Save".

    python -m benchmarks.bench_calendar_decision [--cases 2000] [--db sqlite|URL]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from engine.persistence.db import make_engine, transaction
from engine.persistence.migrate import upgrade
from engine.persistence.models import User
from engine.services import calendar_decisions as cds
from engine.services import petitions as svc
from engine.services.units import add_unit
from engine.services.users import add_user

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
DAY_OFF = {"kind": "day_off", "day": "07/12/2026", "name": "Nghỉ thử", "source_no": "1/TB", "source_on": "10/11/2026"}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--db", default="sqlite")
    args = ap.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}" if args.db == "sqlite" else args.db
    engine = make_engine(url)
    upgrade(engine)
    ctx = svc.Context(now=NOW)
    with transaction(engine) as s:
        add_unit(s, "P", "Tỉnh", "province", None)
        add_unit(s, "C1", "Xã", "commune", "P")
        add_user(s, "admin", "admin", "P", "x" * 12)
        for i in range(args.cases):
            svc.add_petition(s, ctx, "C1", f"Việc {i}", received_on=date(2026, 11, 20) - timedelta(days=i % 20))
    with transaction(engine) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
    t0 = time.perf_counter()
    pv = cds.preview_decision(engine, admin, DAY_OFF, NOW)
    t1 = time.perf_counter()
    with transaction(engine) as s:
        saved = cds.add_decision(s, s.get(User, admin.id), DAY_OFF, NOW)
    t2 = time.perf_counter()
    print(f"{args.cases} cases: preview {t1 - t0:.2f} s ({len(pv.moves)} moves), save {t2 - t1:.2f} s "
          f"({len(saved.moves)} moves)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
