"""Celery tasks of the engine: three-line calls into services."""
from __future__ import annotations

import logging

from config import get_settings
from engine.scheduler.celery_app import app
from engine.persistence.db import default_engine

log = logging.getLogger("petitions.scheduler")
DISPATCH_TASK = "petitions.dispatch"
CHUNK = 100


def enqueue_dispatch(ids: list[int], celery_app=None) -> None:
    """Hand outbox rows to the dispatcher in batches. May raise when the broker is down:
    callers treat that as "the relay will send them"."""
    ids = list(ids)
    target = celery_app or app
    for i in range(0, len(ids), CHUNK):
        target.send_task(DISPATCH_TASK, args=[ids[i:i + CHUNK]])


@app.task(name="petitions.tick")
def tick_task():
    from engine.scheduler.tick import tick
    settings = get_settings()
    res = tick(default_engine(), public_url=settings.public_url, webhook=bool(settings.webhook_url))
    log.info("tick at %s: %d rungs, %d notifications, %d skipped", res.at.isoformat(), res.claimed, res.created,
             res.skipped, extra={"rungs_claimed": res.claimed, "rows_created": res.created})
    _enqueue_quietly(res.outbox_ids)
    return {"claimed": res.claimed, "created": res.created}


@app.task(name="petitions.relay")
def relay_task():
    from datetime import timedelta
    from engine.scheduler.relay import unsent
    settings = get_settings()
    ids = unsent(default_engine(), fresh=timedelta(seconds=settings.outbox_fresh_seconds),
                 stale_claim=timedelta(seconds=settings.outbox_stale_seconds))
    _enqueue_quietly(ids)
    return len(ids)


@app.task(name="petitions.digest")
def digest_task():
    from engine.scheduler.digest import build_digests
    ids = build_digests(default_engine(), public_url=get_settings().public_url)
    _enqueue_quietly(ids)
    return len(ids)


def _enqueue_quietly(ids):
    try:
        enqueue_dispatch(ids)
    except Exception:  # noqa: BLE001 - the rows stay pending; the relay sends them
        log.warning("broker unavailable: %d outbox rows left for the relay", len(ids))
