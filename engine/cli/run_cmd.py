"""`petitions run`: the whole product in one command, for a new user.

Runs the migrations, loads the demo data on first start, ticks once, then starts the
admin, a Celery worker and beat as child processes (the embedded defaults need no server;
with DATABASE_URL and BROKER_URL set, the same command runs against PostgreSQL and
Redis), prints the address and the demo sign-ins, and stops every child cleanly on
Ctrl-C or SIGTERM. It launches the other commands by name, so the engine still imports
nothing of the web layer.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import click

from config import get_settings
from engine.cli import cli, lang, t


def _wait_for(host: str, port: int, procs, seconds: float = 30.0) -> None:
    """Until the admin answers (or a child died, or time is up): the address is printed
    when it can be opened."""
    import socket
    deadline = time.time() + seconds
    while time.time() < deadline and all(p.poll() is None for _, p in procs):
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)


def _children(host: str, port: int, embedded: bool) -> list[tuple[str, list[str]]]:
    py = [sys.executable, "-m", "engine"]
    # SQLite is one writer at a time: one task at a time keeps the worker out of its way
    pool = ["--pool=solo"] if embedded else ["--concurrency=2"]
    # The mail and the scheduler's tasks (tick, relay, digest) have a consumer each, so a
    # backlog of mail never holds the relay back.
    return [("web", py + ["web", "--host", host, "--port", str(port)]),
            ("worker", py + ["worker", "-Q", "dispatch"] + pool),
            ("scheduler", py + ["worker", "-Q", "scheduler", "--pool=solo"]),
            ("beat", py + ["beat"])]


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--no-demo", is_flag=True, help="Do not load the demo data into an empty database.")
def run(host, port, no_demo):
    """Start the admin, a worker and beat (with demo data on first start)."""
    from sqlalchemy import func, select

    from engine.persistence.db import default_engine, transaction
    from engine.intake.demo import DEMO_PASSWORD, demo_sign_in_lines, load_demo
    from engine.persistence.migrate import upgrade
    from engine.persistence.models import OrgUnit
    from engine.services.petitions import Context
    from engine.scheduler.tasks import _enqueue_quietly
    from engine.scheduler.tick import tick

    settings = get_settings()
    settings.ensure_var_dir()
    engine = default_engine()
    upgrade(engine)
    with transaction(engine) as s:
        empty = not s.scalar(select(func.count(OrgUnit.id)))
    demo = empty and not no_demo
    if demo:
        click.echo(t("Đang nạp dữ liệu mẫu…", "Loading the demo data…"))
        quiet = logging.getLogger("petitions.workflow")
        level = quiet.level
        quiet.setLevel(logging.WARNING)  # ~400 demo actions would bury the banner
        try:
            with transaction(engine) as s:
                load_demo(s, Context())
        finally:
            quiet.setLevel(level)
    res = tick(engine, public_url=settings.public_url, webhook=bool(settings.webhook_url))

    procs: list[tuple[str, subprocess.Popen]] = []
    stopping = {"flag": False}

    def stop(*_):
        stopping["flag"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for name, argv in _children(host, port, settings.embedded_broker):
        # Banners (Celery's, Flask's) go to stdout and are dropped; logs go to stderr, and
        # the worker and beat log warnings only: what `run` prints below is what matters.
        env = os.environ if name == "web" or "LOG_LEVEL" in os.environ else dict(os.environ, LOG_LEVEL="WARNING")
        procs.append((name, subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=env)))
    _enqueue_quietly(res.outbox_ids)
    _wait_for(host, port, procs)

    url = f"http://{host}:{port}/"
    click.echo("")
    click.echo(t("Cơ sở dữ liệu: ", "Database: ") + engine.url.render_as_string(hide_password=True))
    click.echo(t("Hàng đợi: ", "Broker: ") + ("SQLite (nhúng)" if settings.embedded_broker else "Redis"))
    if not settings.smtp_host:
        click.echo(t("Chưa cấu hình máy chủ thư (SMTP_HOST): không gửi thư điện tử; nhắc việc được gửi vào "
                     "hộp thư trong hệ thống.",
                     "No mail server configured (SMTP_HOST): e-mail is off; reminders go to the in-app inbox."))
    click.echo("")
    click.echo(t(f"Hệ thống đang chạy: {url}", f"Running: {url}"))
    if demo or not empty:
        click.echo(t(f"Tài khoản thử (mật khẩu {DEMO_PASSWORD}):", f"Demo sign-ins (password {DEMO_PASSWORD}):"))
        for line in demo_sign_in_lines(lang()):
            click.echo("  " + line)
    click.echo(t("Nhấn Ctrl-C để dừng.", "Press Ctrl-C to stop."))

    code = 0
    while not stopping["flag"]:
        for name, p in procs:
            if p.poll() is not None:
                click.echo(t(f"Tiến trình {name} đã dừng (mã {p.returncode}); dừng toàn bộ.",
                             f"The {name} process stopped (code {p.returncode}); stopping everything."), err=True)
                stopping["flag"], code = True, 1
                break
        time.sleep(0.3)

    click.echo(t("Đang dừng…", "Stopping…"))
    for _, p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.time() + 30
    for _, p in procs:
        try:
            p.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    click.echo(t("Đã dừng.", "Stopped."))
    sys.exit(code)
