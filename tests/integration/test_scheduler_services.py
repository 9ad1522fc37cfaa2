"""The scheduler against real services: a redis-server of the test's own (so it can be
stopped and restarted), a real Celery worker process (not eager mode), a real SMTP server
(aiosmtpd) and a local webhook receiver."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import date, time as dtime, timedelta

import pytest
from sqlalchemy import func, select

from config import Settings
from engine.scheduler.celery_app import make_celery
from engine.persistence.db import transaction
from engine.persistence.models import OutboxMessage
from engine.scheduler.relay import unsent
from engine.services import petitions as svc
from engine.scheduler.tasks import enqueue_dispatch
from engine.scheduler.tick import tick
from engine.deadlines.timeutil import local_at
from tests.conftest import service_unreachable

pytestmark = pytest.mark.integration
T3 = local_at(date(2026, 2, 24), dtime(7, 35))  # the T-3 morning of a petition received 06/02/2026


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            service_unreachable("redis-server binary", FileNotFoundError("redis-server"))
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.dir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def redis(tmp_path):
    r = RedisServer(tmp_path)
    r.start()
    yield r
    r.stop()


class Worker:
    def __init__(self, env, log):
        self.env, self.log_path, self.proc = env, log, None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "engine", "worker", "--pool=solo", "--without-heartbeat",
                                      "--without-gossip", "--without-mingle"],
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if b"ready." in open(self.log_path, "rb").read():
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("worker did not start:\n" + open(self.log_path, "rb").read().decode()[-3000:])

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def services(org, redis, smtp_server, tmp_path):
    """Environment for a worker process: the test's database, Redis and SMTP server."""
    env = dict(os.environ, DATABASE_URL=org.url.render_as_string(hide_password=False), BROKER_URL=redis.url,
               SMTP_HOST=smtp_server.host, SMTP_PORT=str(smtp_server.port), PETITIONS_VAR_DIR=str(tmp_path / "var"),
               PETITIONS_OUTBOX_STALE_SECONDS="2", MAIL_FROM="Văn phòng <vp@example.test>")
    env.pop("SMTP_USER", None)
    env.pop("SMTP_PASSWORD", None)
    workers = []

    def worker(**extra):
        w = Worker(dict(env, **extra), tmp_path / f"worker{len(workers)}.log").start()
        workers.append(w)
        return w

    app = make_celery(Settings(BROKER_URL=redis.url, PETITIONS_VAR_DIR=str(tmp_path / "var")))
    yield {"env": env, "worker": worker, "app": app, "db": org, "smtp": smtp_server, "redis": redis}
    for w in workers:
        w.stop()


def received_before_tet(db, ctx, n=1):
    with transaction(db) as s:
        return [svc.add_petition(s, ctx, "C1", f"Đề nghị sửa cầu tràn số {i}", received_on=date(2026, 2, 6)).code
                for i in range(n)]


def wait_until(predicate, timeout=60, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def statuses(db):
    with transaction(db) as s:
        return dict(s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())


def test_reminder_email_received_exactly_once(services, ctx):
    db, smtp = services["db"], services["smtp"]
    (code,) = received_before_tet(db, ctx)
    services["worker"]()
    res = tick(db, T3)
    assert res.claimed == 1 and res.created == 2  # clerk1: inbox + email
    enqueue_dispatch(res.outbox_ids, celery_app=services["app"])
    again = tick(db, T3)  # a second beat at the same moment
    assert again.created == 0
    enqueue_dispatch(res.outbox_ids, celery_app=services["app"])  # even a duplicate message changes nothing
    wait_until(lambda: statuses(db).get("sent") == 2, what="both rows sent")
    time.sleep(2)
    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["To"] == "clerk1@example.test" and code in msg["Subject"] and "Còn 3 ngày làm việc" in msg["Subject"]
    assert msg.get_body(("plain",)) and msg.get_body(("html",))


def test_redis_down_during_tick_rows_wait_then_go(services, ctx):
    db, smtp, redis = services["db"], services["smtp"], services["redis"]
    received_before_tet(db, ctx, n=3)
    services["worker"]()
    redis.stop()
    res = tick(db, T3)
    with pytest.raises(Exception):
        enqueue_dispatch(res.outbox_ids, celery_app=services["app"])
    assert statuses(db) == {"pending": 6}
    redis.start()  # same port: the worker reconnects
    ids = unsent(db, fresh=timedelta(0))
    assert sorted(ids) == sorted(res.outbox_ids)
    enqueue_dispatch(ids, celery_app=services["app"])
    wait_until(lambda: statuses(db).get("sent") == 6, what="rows sent after Redis came back")
    assert len(smtp.messages) == 3


def test_worker_killed_mid_batch_the_relay_sends_the_rest(services, ctx):
    db, smtp = services["db"], services["smtp"]
    received_before_tet(db, ctx, n=12)
    smtp.delay = 0.5
    w = services["worker"]()
    res = tick(db, T3)
    enqueue_dispatch(res.outbox_ids, celery_app=services["app"])  # one task: 24 rows, 12 emails
    wait_until(lambda: len(smtp.messages) >= 3, what="a few emails out")
    w.kill()
    st = statuses(db)
    assert st.get("sending", 0) > 0, st  # claimed by the dead worker
    smtp.delay = 0
    time.sleep(2.5)  # the claim goes stale (PETITIONS_OUTBOX_STALE_SECONDS=2)
    services["worker"]()
    ids = unsent(db, stale_claim=timedelta(seconds=2), fresh=timedelta(0))
    assert ids
    enqueue_dispatch(ids, celery_app=services["app"])
    wait_until(lambda: statuses(db).get("sent") == 24, what="every row sent")
    subjects = [m["Subject"] for m in smtp.messages]
    assert len(set(subjects)) == 12  # every petition's reminder arrived
    assert len(subjects) <= 13       # at most the one in flight when the worker died, twice


def test_bad_smtp_password_fails_rows_with_the_error(services, ctx, smtp_auth_server):
    db = services["db"]
    received_before_tet(db, ctx, n=2)
    services["worker"](SMTP_PORT=str(smtp_auth_server.port), SMTP_USER="mailer", SMTP_PASSWORD="wrong-password")
    res = tick(db, T3)
    enqueue_dispatch(res.outbox_ids, celery_app=services["app"])
    wait_until(lambda: statuses(db).get("failed") == 2 and statuses(db).get("sent") == 2, what="emails failed")
    with transaction(db) as s:
        failed = s.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed")).all()
        assert all(r.channel == "email" and "535" in r.last_error for r in failed)
    assert smtp_auth_server.messages == []


def test_two_tick_processes_at_once(services, ctx):
    db = services["db"]
    received_before_tet(db, ctx, n=40)
    env = services["env"]
    cmd = [sys.executable, "-m", "engine", "tick", "--at", T3.isoformat(), "--json"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    import json
    results = [json.loads(o) for o, _ in outs]
    assert sum(r["claimed"] for r in results) == 40
    assert sum(r["created"] for r in results) == 80
    with transaction(db) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 80


def test_unreachable_webhook_is_retried_then_failed_nothing_lost(org, ctx, unused_port):
    from notifications.dispatcher import MAX_ATTEMPTS, dispatch
    received_before_tet(org, ctx)
    res = tick(org, T3, webhook=True)
    settings = Settings(WEBHOOK_URL=f"http://127.0.0.1:{unused_port}/hook", WEBHOOK_SECRET="s3cret")
    with transaction(org) as s:
        hook = s.scalar(select(OutboxMessage).where(OutboxMessage.channel == "webhook"))
        hook_id = hook.id
    assert hook_id in res.outbox_ids
    out = dispatch(org, [hook_id], settings=settings, now=T3)
    assert out.retried == 1
    with transaction(org) as s:
        row = s.get(OutboxMessage, hook_id)
        assert row.status == "pending" and row.last_error and row.next_attempt_at > T3
        row.attempts = MAX_ATTEMPTS - 1
    later = T3 + timedelta(days=1)
    assert dispatch(org, [hook_id], settings=settings, now=later).failed == 1
    with transaction(org) as s:
        row = s.get(OutboxMessage, hook_id)
        assert row.status == "failed" and row.attempts == MAX_ATTEMPTS
        assert "refused" in row.last_error.lower() or "errno" in row.last_error.lower()


def test_webhook_is_signed(org, ctx, webhook_receiver):
    from notifications.channels.webhook import verify_signature
    from notifications.dispatcher import dispatch
    received_before_tet(org, ctx)
    res = tick(org, T3, webhook=True)
    settings = Settings(WEBHOOK_URL=webhook_receiver.url, WEBHOOK_SECRET="s3cret")
    out = dispatch(org, res.outbox_ids, settings=settings, now=T3)
    assert out.sent == 2 and len(webhook_receiver.requests) == 1
    req = webhook_receiver.requests[0]
    h = {k.lower(): v for k, v in req.headers.items()}
    assert verify_signature("s3cret", h["x-petitions-timestamp"], req.body, h["x-petitions-signature"])


def test_worker_with_beat_sends_an_overdue_alert_by_itself(services, ctx):
    """Beat alone (every 2 s here) drives tick and dispatch: nobody calls anything."""
    db, smtp = services["db"], services["smtp"]
    with transaction(db) as s:  # long overdue in real time: its latest rung is due whatever the hour
        code = svc.add_petition(s, ctx, "C1", "Đề nghị cấp giấy chứng nhận", received_on=date(2026, 6, 1)).code
    services["worker"](PETITIONS_TICK_INTERVAL="2")  # without --beat: nothing happens
    time.sleep(5)
    assert smtp.messages == []
    log = services["env"]["PETITIONS_VAR_DIR"] + "-beat.log"
    w = Worker(dict(services["env"], PETITIONS_TICK_INTERVAL="2"), log)
    w.log = open(log, "ab")
    w.proc = subprocess.Popen([sys.executable, "-m", "engine", "worker", "--beat", "--pool=solo"],
                              env=dict(services["env"], PETITIONS_TICK_INTERVAL="2"), stdout=w.log, stderr=subprocess.STDOUT)
    try:
        try:
            wait_until(lambda: any(code in (m["Subject"] or "") for m in smtp.messages), timeout=90,
                       what="an overdue alert sent by beat")
        except AssertionError:
            raise AssertionError(open(log, encoding="utf-8", errors="replace").read()[-4000:]) from None
        assert any("Quá hạn" in m["Subject"] for m in smtp.messages)
    finally:
        w.stop()
