"""/healthz, /metrics, request ids and JSON logs."""
from __future__ import annotations

import io
import json
import logging
import re
from datetime import timedelta

import pytest


from config.settings import Settings
from engine.persistence.db import transaction
from engine.observability.logs import ContextFilter, JsonFormatter
from engine.persistence.models import TickRun
from engine.scheduler.tick import tick
from engine.deadlines.timeutil import utcnow


def app_with(org, tmp_path, **env):
    from web import create_app
    settings = Settings(var_dir=tmp_path / "var", secret_key="test-secret", **env)
    return create_app(engine=org, settings=settings, testing=True)


def embedded(tmp_path):
    return {"BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.db'}"}


def test_healthz_needs_a_recent_tick(org, tmp_path, data):
    client = app_with(org, tmp_path, **embedded(tmp_path)).test_client()
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json["checks"]["scheduler"]["ok"] is False  # beat never ran
    assert r.json["checks"]["database"]["ok"] and r.json["checks"]["broker"]["ok"]
    tick(org)
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json["status"] == "ok"
    with transaction(org) as s:  # the last tick is four intervals old: beat has stopped
        for run in s.query(TickRun):
            run.finished_at = utcnow() - timedelta(seconds=4 * 300)
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json["checks"]["scheduler"]["age_seconds"] > 900


def test_healthz_reports_an_unreachable_broker(org, tmp_path, unused_port):
    tick(org)
    client = app_with(org, tmp_path, BROKER_URL=f"redis://127.0.0.1:{unused_port}/0").test_client()
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json["checks"]["broker"]["ok"] is False and r.json["checks"]["scheduler"]["ok"]


SAMPLE = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+$')


def test_metrics_are_prometheus_text(org, tmp_path, data):
    tick(org)
    r = app_with(org, tmp_path, **embedded(tmp_path)).test_client().get("/metrics")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    body = r.get_data(as_text=True)
    for line in body.splitlines():
        assert line.startswith("# HELP ") or line.startswith("# TYPE ") or SAMPLE.match(line), line
    assert 'petitions_total{state="received"} 1' in body
    assert 'petitions_total{state="in_resolution"} 3' in body
    assert "petitions_tick_last_run_timestamp_seconds" in body and 'petitions_outbox_messages{status="pending"}' in body
    assert "Nguyễn" not in body  # no personal data


def test_request_id_and_json_log_lines(org, tmp_path, data):
    from tests.conftest import PASSWORD
    app = app_with(org, tmp_path, **embedded(tmp_path))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    old = logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)
    try:
        client = app.test_client()
        r = client.get("/login", headers={"X-Request-ID": "req-abc123"})
        assert r.headers["X-Request-ID"] == "req-abc123"
        r = client.get("/login", headers={"X-Request-ID": "bad id with spaces"})
        assert re.fullmatch(r"[0-9a-f]{16}", r.headers["X-Request-ID"])
        # a state change logs the petition's code under the request's id
        from engine.services import petitions as svc
        from engine.observability.logs import request_id
        token = request_id.set("req-xyz")
        with transaction(org) as s:
            svc.act(s, svc.Context(now=None), data["R"], "refer", "clerk1", {"agency": "Tòa án"}, on="2026-11-10")
        request_id.reset(token)
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(old)
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    web = [x for x in lines if x.get("path") == "/login"]
    assert web and web[0]["request_id"] == "req-abc123" and web[0]["status"] == 200
    acted = [x for x in lines if x.get("action") == "refer"]
    assert acted and acted[0]["petition"] == data["R"] and acted[0]["request_id"] == "req-xyz"
    assert PASSWORD not in stream.getvalue()


@pytest.mark.parametrize("target,expected", [
    ("/petitions/KN-1", "/petitions/KN-1"), ("//evil.example/x", "/"), ("/\\evil.example", "/"),
    ("https://evil.example", "/"), ("", "/"), (None, "/"), ("/ok\r\nSet-Cookie: x", "/"),
])
def test_redirect_targets_stay_on_site(target, expected):
    from web.security import local_target
    assert local_target(target, "/") == expected
