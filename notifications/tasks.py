"""The dispatch task (registered on the engine's Celery app through an entry point)."""
from __future__ import annotations

from engine.scheduler.celery_app import app
from engine.persistence.db import default_engine
from notifications.dispatcher import dispatch


@app.task(name="petitions.dispatch")
def dispatch_task(ids: list[int]):
    res = dispatch(default_engine(), ids)
    return {"sent": res.sent, "retried": res.retried, "failed": res.failed}
