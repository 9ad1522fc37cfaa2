"""`petitions worker`, `petitions beat`, `petitions outbox …` (plugged into the engine's
command group through the `petitions.commands` entry point)."""
from __future__ import annotations

import json

import click
from sqlalchemy import select

from engine.cli import t
from engine.persistence.db import default_engine, transaction
from engine.language.errors import NotFound
from engine.persistence.models import OutboxMessage

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


@click.command("worker", context_settings=PASS_THROUGH)
@click.option("--beat", is_flag=True, help="Also run beat inside this worker (one process only: development).")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker_cmd(beat, celery_args):
    """Start a Celery worker (other options go to `celery worker`)."""
    from engine.scheduler.celery_app import DISPATCH_QUEUE, SCHEDULER_QUEUE, app
    import notifications.tasks  # noqa: F401  (registers the dispatch task)
    args = list(celery_args)
    if not any(a == "-Q" or a.startswith(("-Q", "--queues")) for a in args):
        args += ["-Q", f"{DISPATCH_QUEUE},{SCHEDULER_QUEUE}"]  # one worker for both, unless told
    # Gossip, mingle and heartbeat serve worker-to-worker features this product does not use
    # (remote control, event monitors); without them a broker restart no longer logs
    # "Error on restarting Gossip: AttributeError …" from the gossip step's reconnect.
    quiet = [f for f in ("--without-gossip", "--without-mingle", "--without-heartbeat") if f not in args]
    argv = ["worker", "--loglevel=INFO"] + (["--beat"] if beat else []) + quiet + args
    app.worker_main(argv)


@click.command("beat", context_settings=PASS_THROUGH)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def beat_cmd(celery_args):
    """Start Celery beat: run exactly one (other options go to `celery beat`)."""
    from celery.signals import beat_init

    from engine.scheduler.celery_app import app

    @beat_init.connect(weak=False)
    def _tick_now(sender=None, **_):
        # An interval entry first fires one interval after start; tick at once so that
        # reminders due during a restart go out now and /healthz sees a live scheduler.
        app.send_task("petitions.tick")

    app.start(["beat", "--loglevel=INFO"] + list(celery_args))


@click.group("outbox")
def outbox_cmd():
    """Notifications waiting, sent or failed."""


@outbox_cmd.command("list")
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "failed", "skipped", "held", "digested"]))
@click.option("--limit", default=100, type=int)
@click.option("--json", "as_json", is_flag=True)
def outbox_list(status, limit, as_json):
    """List outbox rows, newest first."""
    with transaction(default_engine()) as s:
        q = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
        if status:
            q = q.where(OutboxMessage.status == status)
        rows = [{"id": r.id, "kind": r.kind, "channel": r.channel, "status": r.status, "to": r.to_email,
                 "user": r.recipient_user_id, "rung": r.rung, "attempts": r.attempts, "error": r.last_error,
                 "created_at": r.created_at.isoformat(), "sent_at": r.sent_at.isoformat() if r.sent_at else None}
                for r in s.scalars(q)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['id']:>7} {r['status']:<8} {r['channel']:<7} {r['kind']:<22} {r['to'] or r['user'] or '-'}"
                   + (f"  {r['error']}" if r["error"] else ""))
    click.echo(t(f"{len(rows)} dòng", f"{len(rows)} rows"))


@outbox_cmd.command("retry")
@click.argument("outbox_id", type=int)
def outbox_retry(outbox_id):
    """Queue a failed notification again (after fixing what made it fail)."""
    from notifications.dispatcher import retry
    engine = default_engine()
    if not retry(engine, outbox_id):
        raise NotFound("unknown_outbox", id=outbox_id)
    try:
        from engine.scheduler.tasks import enqueue_dispatch
        enqueue_dispatch([outbox_id])
        click.echo(t(f"Đã xếp lại thông báo {outbox_id} vào hàng đợi", f"Queued notification {outbox_id} again"))
    except Exception:  # noqa: BLE001
        click.echo(t(f"Thông báo {outbox_id} chờ gửi lại (hàng đợi chưa sẵn sàng; bộ chuyển tiếp sẽ gửi)",
                     f"Notification {outbox_id} is pending (broker unavailable; the relay will send it)"))


@outbox_cmd.command("send")
@click.option("--json", "as_json", is_flag=True)
def outbox_send(as_json):
    """Send every pending notification now, in this process (no worker needed)."""
    from engine.scheduler.relay import unsent
    from notifications.dispatcher import dispatch
    from datetime import timedelta
    engine = default_engine()
    ids = unsent(engine, fresh=timedelta(0))
    res = dispatch(engine, ids)
    out = {"sent": res.sent, "retried": res.retried, "failed": res.failed, "errors": res.errors[:20]}
    click.echo(json.dumps(out, ensure_ascii=False) if as_json else
               t(f"Đã gửi {res.sent}, thử lại sau {res.retried}, lỗi {res.failed}",
                 f"Sent {res.sent}, retry later {res.retried}, failed {res.failed}"))


commands = [worker_cmd, beat_cmd, outbox_cmd]
