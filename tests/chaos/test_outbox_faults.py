"""The outbox under faults, against the real stack: PostgreSQL (reached through a proxy the
test can cut), a redis-server of the test's own (killed and restarted), real Celery worker
processes killed with SIGKILL, real beat driving the relay, and an SMTP server that takes
tens of milliseconds a message so that a kill lands mid-batch. Every setting is the
default except where a scenario says otherwise.

Each scenario asserts exact figures: messages expected, distinct received, lost (0), extra
copies (≤ the number of kills; 0 for a database or Redis outage), rows not final (0), and
the time from the end of the fault to the last row final (≤ 30 s).
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time as dtime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from engine.deadlines.timeutil import local_at
from engine.persistence.db import make_engine, transaction
from engine.persistence.models import Clock, OutboxMessage
from engine.scheduler.tick import tick
from engine.services import petitions as svc
from engine.services.petitions import Context
from tests.conftest import fresh_pg_engine, service_unreachable

pytestmark = [pytest.mark.integration, pytest.mark.chaos]

T3 = local_at(date(2026, 2, 24), dtime(7, 35))  # T-3 of petitions received 06/02/2026
PETITIONS = 160          # one e-mail and one inbox row each
SMTP_DELAY = 0.02        # seconds the server takes for a message
DRAIN_BOUND = 30.0       # seconds from the end of a fault to the last row final


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- pieces of the stack ---------------------------------------------------------------------------
class Proc:
    """A `petitions …` process with its own log."""

    def __init__(self, name: str, args: list[str], env: dict, logdir: Path, ready: bytes | None = b"ready."):
        self.name, self.args, self.env, self.ready = name, args, env, ready
        self.log_path = logdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Proc":
        self.log = open(self.log_path, "ab")
        mark = self.log_path.stat().st_size
        self.proc = subprocess.Popen([sys.executable, "-m", "engine", *self.args], env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        if self.ready:
            deadline = time.time() + 60
            while time.time() < deadline:
                with open(self.log_path, "rb") as f:
                    f.seek(mark)
                    if self.ready in f.read():
                        return self
                assert self.proc.poll() is None, self.tail()
                time.sleep(0.1)
            raise AssertionError(f"{self.name} did not start:\n{self.tail()}")
        return self

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()

    def tail(self) -> str:
        return self.log_path.read_bytes().decode("utf-8", "replace")[-3000:]


class Redis:
    def __init__(self, workdir: Path, extra: list[str] | None = None):
        import shutil
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            service_unreachable("redis-server binary", FileNotFoundError("redis-server"))
        self.port, self.dir, self.extra = free_port(), workdir, extra or ["--save", "", "--appendonly", "no"]
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                                      *self.extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def command(self, *parts: str) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as c:
            c.sendall(("*%d\r\n" % len(parts) + "".join(f"${len(p)}\r\n{p}\r\n" for p in parts)).encode())
            return c.recv(256)


class Cuttable:
    """A TCP proxy in front of PostgreSQL: `cut()` drops every connection and refuses new
    ones (the database is unreachable), `restore()` lets them through again. It stands in
    for stopping the server, which other tests on this machine share."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target, self.port = target, free_port()
        self.up = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError):  # either side went away: the pair is done
            while data := a.recv(65536):
                b.sendall(data)
        for s in (a, b):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):  # already closed by its pump
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.server.close()
        self.cut()


@dataclass
class Stack:
    db: object
    env: dict
    smtp: object
    logdir: Path
    procs: list = field(default_factory=list)
    expected: set = field(default_factory=set)
    ids: list = field(default_factory=list)
    redis: "Redis | None" = None
    proxy: "Cuttable | None" = None

    def proc(self, name: str, *args: str, ready: bytes | None = b"ready.") -> Proc:
        p = Proc(name, list(args), self.env, self.logdir, ready).start()
        self.procs.append(p)
        return p

    def received(self) -> Counter:
        return Counter(str(m["Message-ID"]).strip() for m in list(self.smtp.messages))

    def statuses(self) -> dict:
        with transaction(self.db) as s:
            return {k: n for k, n in s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))}

    def wait_final(self, since: float, bound: float = DRAIN_BOUND + 30) -> float:
        """Seconds from `since` until no row is pending or sending."""
        deadline = time.time() + bound
        while time.time() < deadline:
            st = self.statuses()
            if not st.get("pending") and not st.get("sending"):
                return time.time() - since
            time.sleep(0.25)
        raise AssertionError(f"rows not final {bound:.0f} s after the fault: {self.statuses()}\n"
                             + "\n".join(p.tail() for p in self.procs if p.name.startswith("worker")))

    def report(self, kills: int, drain: float) -> dict:
        got = self.received()
        figures = {"expected": len(self.expected), "distinct": len(set(got) & self.expected),
                   "lost": len(self.expected - set(got)), "extra": sum(got.values()) - len(got),
                   "not_final": sum(n for k, n in self.statuses().items() if k not in ("sent", "failed")),
                   "kills": kills, "drain_s": round(drain, 1)}
        print(f"\nchaos figures: {figures}")
        return figures

    def close(self) -> None:
        for p in reversed(self.procs):
            p.stop()
        if self.redis:
            self.redis.stop()
        self.db.dispose()


def _fill_outbox(db) -> tuple[set[str], list[int]]:
    """PETITIONS petitions whose T-3 rung is claimed now: one e-mail and one inbox row each.
    Their clocks are then parked, so that beat's ticks during the test add nothing."""
    from engine.services.units import add_unit
    from engine.services.users import add_user
    from tests.conftest import ORG, PASSWORD, USERS
    with transaction(db) as s:
        for code, name, level, parent in ORG:
            add_unit(s, code, name, level, parent)
        for username, role, unit in USERS:
            add_user(s, username, role, unit, PASSWORD, email=f"{username}@example.test", full_name=username.title())
    ctx = Context(now=T3)
    with transaction(db) as s:
        for i in range(PETITIONS):
            svc.add_petition(s, ctx, "C1", f"Đề nghị sửa cầu tràn số {i}", received_on=date(2026, 2, 6))
    res = tick(db, T3)
    with transaction(db) as s:
        s.execute(update(Clock).values(next_rung_at=None, next_rung=None))
        emails = s.scalars(select(OutboxMessage.id).where(OutboxMessage.channel == "email")).all()
    assert len(emails) == PETITIONS and res.created == 2 * PETITIONS
    return {f"<outbox-{i}@petitions>" for i in emails}, res.outbox_ids


@pytest.fixture
def build(request, tmp_path, smtp_server):
    """build(database, broker) -> Stack: the small org with its outbox full, a Redis of the
    test's own (or the embedded SQLite broker), and the environment every process shares —
    default settings throughout, except a tick interval long enough that beat never ticks."""
    made: list = []

    def _build(database: str = "postgresql", broker: str = "redis") -> Stack:
        from engine.persistence.migrate import upgrade
        if database == "sqlite":
            db = make_engine(f"sqlite:///{tmp_path / 'chaos.db'}")
            url = db.url.render_as_string(hide_password=False)
        else:
            db = fresh_pg_engine()
            url = db.url.render_as_string(hide_password=False)
            if database == "postgresql-behind-proxy":
                proxy = Cuttable()
                made.append(proxy)
                url = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        upgrade(db)
        smtp_server.delay = SMTP_DELAY
        env = dict(os.environ, DATABASE_URL=url, SMTP_HOST=smtp_server.host, SMTP_PORT=str(smtp_server.port),
                   PETITIONS_VAR_DIR=str(tmp_path / "var"), MAIL_FROM="Văn phòng <vp@example.test>",
                   PETITIONS_TICK_INTERVAL="3600")
        for k in ("SMTP_USER", "SMTP_PASSWORD", "BROKER_URL", "PETITIONS_OUTBOX_STALE_SECONDS", "PETITIONS_RELAY_INTERVAL",
                  "PETITIONS_OUTBOX_FRESH_SECONDS", "PETITIONS_OUTBOX_CLAIM_CHUNK", "PETITIONS_DB_RETRY_SECONDS"):
            env.pop(k, None)
        st = Stack(db=db, env=env, smtp=smtp_server, logdir=tmp_path)
        if broker == "redis":
            st.redis = Redis(tmp_path)
            st.redis.start()
            env["BROKER_URL"] = st.redis.url
        st.proxy = made[-1] if database == "postgresql-behind-proxy" else None
        st.expected, st.ids = _fill_outbox(db)
        made.append(st)
        return st

    yield _build
    for thing in reversed(made):
        thing.close()


def _enqueue(stack: Stack) -> None:
    from config import Settings
    from engine.scheduler.celery_app import make_celery
    from engine.scheduler.tasks import enqueue_dispatch
    app = make_celery(Settings(BROKER_URL=stack.env.get("BROKER_URL"), PETITIONS_VAR_DIR=stack.env["PETITIONS_VAR_DIR"]))
    enqueue_dispatch(stack.ids, celery_app=app)


def _start(stack: Stack, workers: int) -> list[Proc]:
    """The relay's own consumer and beat, then the mail workers (solo pools, as deployed)."""
    stack.proc("scheduler", "worker", "-Q", "scheduler", "--pool=solo")
    stack.proc("beat", "beat", ready=None)
    return [stack.proc(f"worker{i}", "worker", "-Q", "dispatch", "--pool=solo") for i in range(workers)]


def _wait_received(stack: Stack, n: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and sum(stack.received().values()) < n:
        time.sleep(0.01)
    assert sum(stack.received().values()) >= n, "sending did not start"


def _kill_scenario(stack: Stack, kills: int, workers: int) -> dict:
    ws = _start(stack, workers)
    _enqueue(stack)
    fault_end = time.time()
    for k in range(kills):
        _wait_received(stack, (k + 1) * PETITIONS // (kills + 2))
        victim = ws[k % len(ws)]
        victim.kill()
        fault_end = time.time()
        ws[k % len(ws)] = stack.proc(victim.name, *victim.args)  # restarted, as a supervisor would
    f = stack.report(kills, stack.wait_final(fault_end))
    assert f["lost"] == 0 and f["not_final"] == 0 and f["distinct"] == PETITIONS, f
    assert f["extra"] <= kills, f
    assert f["drain_s"] <= DRAIN_BOUND, f
    return f


# -- scenarios -----------------------------------------------------------------------------------------
def test_workers_killed_mid_dispatch_send_at_most_the_message_in_flight_twice(build):
    _kill_scenario(build("postgresql", "redis"), kills=4, workers=2)


def test_embedded_default_worker_killed_twice(build):
    _kill_scenario(build("sqlite", "embedded"), kills=2, workers=1)


def test_redis_killed_and_restarted_loses_nothing_and_doubles_nothing(build):
    st = build("postgresql", "redis")
    _start(st, 2)
    _enqueue(st)
    _wait_received(st, PETITIONS // 4)
    st.redis.kill()  # no persistence in this one: every queued task is gone
    time.sleep(3)
    st.redis.start()
    fault_end = time.time()
    f = st.report(0, st.wait_final(fault_end))
    assert f["lost"] == 0 and f["not_final"] == 0 and f["extra"] == 0, f
    assert f["drain_s"] <= DRAIN_BOUND, f


def test_database_outage_sends_nothing_twice_and_loses_nothing(build):
    st = build("postgresql-behind-proxy", "redis")
    _start(st, 2)
    _enqueue(st)
    _wait_received(st, PETITIONS // 4)
    st.proxy.cut()
    time.sleep(10)
    st.proxy.restore()
    fault_end = time.time()
    f = st.report(0, st.wait_final(fault_end))
    assert f["lost"] == 0 and f["not_final"] == 0 and f["extra"] == 0, f
    assert f["drain_s"] <= DRAIN_BOUND, f


def test_the_compose_redis_keeps_queued_tasks_across_a_restart(build, tmp_path):
    """docker-compose.yml's Redis command (append-only file) and no relay running: every row
    is sent only if every queued task survived the crash of Redis."""
    import yaml
    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text(encoding="utf-8"))
    args = compose["services"]["redis"]["command"][1:]
    st = build("postgresql", "redis")
    st.redis.stop()
    (tmp_path / "aof").mkdir()
    st.redis = Redis(tmp_path / "aof", extra=args)
    st.redis.start()
    st.env["BROKER_URL"] = st.redis.url
    _enqueue(st)
    queued = int(st.redis.command("LLEN", "dispatch").split(b"\r\n")[0][1:])
    assert queued == -(-len(st.ids) // 100)
    time.sleep(1.5)  # appendfsync everysec: what was written a second ago is on disk
    st.redis.kill()
    st.redis.start()
    assert int(st.redis.command("LLEN", "dispatch").split(b"\r\n")[0][1:]) == queued
    st.proc("worker0", "worker", "-Q", "dispatch", "--pool=solo")  # no beat: no relay to cover a loss
    f = st.report(0, st.wait_final(time.time()))
    assert f["lost"] == 0 and f["not_final"] == 0 and f["extra"] == 0, f
