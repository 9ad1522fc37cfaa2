"""The one Celery app. Tasks are thin calls into services; beat only triggers them.

Reminders are never ETA/countdown messages: beat calls `tick` every few minutes and the
database decides what is due (a Redis visibility timeout can replay ETA messages, and a
flushed broker loses them). Task modules of outer layers (the dispatcher lives in
`notifications`) are found through the `petitions.tasks` entry point group, so the engine
does not import them.
"""
from __future__ import annotations

from importlib.metadata import entry_points

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

from config import get_settings


DISPATCH_QUEUE = "dispatch"
SCHEDULER_QUEUE = "scheduler"
SCHEDULER_TASKS = ("petitions.tick", "petitions.relay", "petitions.digest")


def task_modules() -> list[str]:
    return ["engine.scheduler.tasks"] + [ep.value for ep in entry_points(group="petitions.tasks")]


def make_celery(settings=None) -> Celery:
    settings = settings or get_settings()
    settings.ensure_var_dir()  # the embedded broker and beat's schedule file live there
    hh, mm = (int(x) for x in settings.reminder_hour.split(":"))
    app = Celery("petitions", broker=settings.resolved_broker_url, include=task_modules())
    app.conf.update(
        timezone="Asia/Ho_Chi_Minh",
        enable_utc=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        # Dispatch is idempotent (it re-checks the outbox row), so a redelivery is harmless
        # and a worker killed mid-task leaves its message to be redelivered.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        beat_schedule_filename=str(settings.var_dir / "celerybeat-schedule"),
        # Two queues: dispatch (the mail) and scheduler (tick, relay, digest), each with a
        # consumer of its own, so a backlog of mail never delays the relay or the tick.
        task_default_queue=DISPATCH_QUEUE,
        task_routes={name: {"queue": SCHEDULER_QUEUE} for name in SCHEDULER_TASKS},
        beat_schedule={
            # A periodic task that waited longer than its period is dropped, not run late:
            # the next one does the same work, so they never pile up behind a backlog.
            "tick": {"task": "petitions.tick", "schedule": float(settings.tick_interval_seconds),
                     "options": {"expires": float(settings.tick_interval_seconds)}},
            "relay": {"task": "petitions.relay", "schedule": float(settings.relay_interval_seconds),
                      "options": {"expires": float(settings.relay_interval_seconds)}},
            "digest": {"task": "petitions.digest", "schedule": crontab(hour=hh, minute=mm)},
        },
    )
    if settings.broker_url and settings.broker_url.startswith(("redis://", "rediss://")):
        # longer than any dispatch batch, so acks_late never sees a running task redelivered
        app.conf.broker_transport_options = {"visibility_timeout": 3600}
    return app


@setup_logging.connect(weak=False)
def _one_log_format(**_):
    # Connecting this signal stops Celery installing its own handlers: worker and beat
    # then log like the web and the CLI (one line per event, JSON with LOG_FORMAT=json).
    from engine.observability.logs import configure
    configure(get_settings())


app = make_celery()
