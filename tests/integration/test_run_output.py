"""What `petitions run` prints, without a mail server: each thing once — one line that
e-mail is off and reminders go to the in-app inbox, no Celery or development-server
banner, one log line per request — and it ends with the address and the README's sign-ins."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.integration.test_run import free_port

pytestmark = pytest.mark.integration


def test_run_says_each_thing_once_and_ends_with_the_sign_ins(tmp_path):
    from engine.intake.demo import SIGN_INS
    port = free_port()
    env = dict(os.environ, PETITIONS_VAR_DIR=str(tmp_path / "var"), PETITIONS_LANG="en")
    for key in ("DATABASE_URL", "BROKER_URL", "SMTP_HOST", "SMTP_PORT", "LOG_LEVEL", "LOG_FORMAT"):
        env.pop(key, None)
    log_path = tmp_path / "run.log"
    with open(log_path, "w+b") as log:
        proc = subprocess.Popen([sys.executable, "-m", "engine", "run", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
        try:
            deadline = time.time() + 120
            while time.time() < deadline and "Press Ctrl-C" not in log_path.read_text(encoding="utf-8"):
                assert proc.poll() is None, log_path.read_text(encoding="utf-8")[-3000:]
                time.sleep(0.5)
            for _ in range(2):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as r:
                    assert r.status == 200
            time.sleep(8)  # the worker has sent (or failed) the demo's first reminders by now
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(60)
    out = log_path.read_text(encoding="utf-8")
    banner = out[:out.index("Press Ctrl-C to stop.")]
    tail = banner.rstrip().splitlines()
    assert tail[-len(SIGN_INS) - 2] == f"Running: http://127.0.0.1:{port}/", banner
    assert [line.split()[0] for line in tail[-len(SIGN_INS):]] == list(SIGN_INS)
    assert out.count("e-mail is off; reminders go to the in-app inbox") == 1
    assert out.count("SMTP_HOST is not configured") <= 1, out[-3000:]
    for noise in ("celery@", "celery beat v", "-------------- [queues]", "development server", "Serving Flask app",
                  "Task petitions.dispatch"):
        assert noise not in out, noise
    assert len(re.findall(r"GET /login\b", out)) == 2, out[-3000:]
