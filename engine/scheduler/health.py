"""Operational health and metrics, free of any web framework.

`/healthz` is unhealthy when the database or the broker cannot be reached, or when the
last completed tick is older than three tick intervals: a stopped beat must be noticed,
since nothing else would say that reminders have stopped.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from engine.persistence.db import transaction
from engine.persistence.models import Clock, OutboxMessage, Petition, TickRun
from engine.deadlines.timeutil import local_date, utcnow


def check_broker(url: str, timeout: float = 3.0) -> tuple[bool, str]:
    from kombu import Connection
    try:
        with Connection(url, connect_timeout=timeout, transport_options={"max_retries": 0}) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return False, f"{type(exc).__name__}: {exc}"[:200]


def health(engine: Engine, settings, now: datetime | None = None, broker: bool = True) -> dict:
    now = now or utcnow()
    out: dict = {"status": "ok", "checks": {}}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        out["checks"]["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001
        out["checks"]["database"] = {"ok": False, "error": f"{type(exc).__name__}"}
    if broker:
        ok, detail = check_broker(settings.resolved_broker_url)
        out["checks"]["broker"] = {"ok": ok} if ok else {"ok": False, "error": detail}
    limit = timedelta(seconds=3 * settings.tick_interval_seconds)
    last = None
    if out["checks"]["database"]["ok"]:
        with transaction(engine) as s:
            last = s.scalar(select(func.max(TickRun.finished_at)))
    age = (now - last).total_seconds() if last else None
    out["checks"]["scheduler"] = {"ok": last is not None and now - last <= limit,
                                  "last_tick": last.isoformat() if last else None,
                                  "age_seconds": round(age, 1) if age is not None else None,
                                  "limit_seconds": limit.total_seconds()}
    if not all(c["ok"] for c in out["checks"].values()):
        out["status"] = "unhealthy"
    return out


def _label(v) -> str:
    return str(v).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _last_fired(next_rung: str | None) -> str:
    """The rung before `next_rung` in the default ladder; every later weekly rung is one label."""
    order = ["T-3", "T-1", "T0", "T+1", "T+5"]
    if next_rung in order:
        i = order.index(next_rung)
        return order[i - 1] if i else "none"
    return "weekly" if next_rung and next_rung != "T+10" else "T+5"


def metrics_text(engine: Engine, now: datetime | None = None) -> str:
    """Prometheus text exposition (version 0.0.4)."""
    now = now or utcnow()
    today = local_date(now)
    lines = []

    def family(name, help_, kind, samples):
        lines.append(f"# HELP {name} {help_}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            lab = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
            lines.append(f"{name}{{{lab}}} {value}" if lab else f"{name} {value}")

    with transaction(engine) as s:
        by_state = s.execute(select(Petition.state, func.count()).group_by(Petition.state)).all()
        overdue = s.execute(select(Clock.name, Clock.next_rung, func.count())
                            .where(Clock.status == "running", Clock.due_date < today)
                            .group_by(Clock.name, Clock.next_rung)).all()
        outbox = {st: n for st, n in s.execute(select(OutboxMessage.status, func.count())
                                                  .group_by(OutboxMessage.status))}
        last = s.scalars(select(TickRun).order_by(TickRun.finished_at.desc()).limit(1)).first()
    family("petitions_total", "Petitions by workflow state.", "gauge",
           [({"state": st}, n) for st, n in sorted(by_state)])
    by_rung: dict[tuple[str, str], int] = {}
    for c, r, n in overdue:
        key = (c, _last_fired(r))
        by_rung[key] = by_rung.get(key, 0) + n
    family("petitions_overdue_clocks", "Running clocks past their due date, by clock and the last reminder rung fired.",
           "gauge", [({"clock": c, "rung": r}, n) for (c, r), n in sorted(by_rung.items())])
    family("petitions_outbox_messages", "Outbox rows by status.", "gauge",
           [({"status": st}, outbox.get(st, 0)) for st in ("pending", "sending", "sent", "failed", "skipped", "held")])
    family("petitions_tick_duration_seconds", "Duration of the last completed scheduler tick.", "gauge",
           [({}, round(last.duration_ms / 1000, 3) if last else 0)])
    family("petitions_tick_last_run_timestamp_seconds", "When the last scheduler tick finished (Unix time).", "gauge",
           [({}, round(last.finished_at.timestamp(), 3) if last else 0)])
    family("petitions_tick_last_claimed", "Rungs claimed by the last tick.", "gauge", [({}, last.claimed if last else 0)])
    return "\n".join(lines) + "\n"
