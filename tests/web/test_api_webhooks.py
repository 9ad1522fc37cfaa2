"""Webhooks as a documented contract (issue 19): what the tick and the dispatcher really
POST is valid against the `webhooks` section of the served OpenAPI document, and the
signature it carries verifies as the document says (HMAC-SHA256 over "<timestamp>.<body>")."""
from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from engine.persistence.db import transaction
from engine.persistence.models import OutboxMessage
from tests.conftest import NOW


@pytest.fixture
def db(sqlite_db):
    return sqlite_db


def test_a_real_reminder_payload_matches_the_spec(app, org, data, monkeypatch):
    from datetime import timedelta
    from config.settings import Settings
    from engine.scheduler.tick import tick
    from notifications import dispatcher
    from notifications.channels import webhook as wh
    sent = []

    class Capture:
        def __init__(self, request, timeout=None):
            sent.append((dict(request.header_items()), request.data))

        def __enter__(self):
            return type("R", (), {"status": 204})()

        def __exit__(self, *exc):
            return False
    monkeypatch.setattr(wh._opener, "open", lambda request, timeout=None: Capture(request))
    later = NOW + timedelta(days=40)  # every clock of `data` is overdue by then
    res = tick(org, now=later, webhook=True)
    with transaction(org) as s:
        ids = list(s.scalars(select(OutboxMessage.id).where(OutboxMessage.channel == "webhook")))
    assert ids and set(ids) <= set(res.outbox_ids)
    settings = Settings(webhook_url="http://gateway.invalid/hook", webhook_secret="s3cret-for-tests", smtp_host=None)
    dispatcher.dispatch(org, ids, settings=settings, now=later)
    assert len(sent) == len(ids)
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    hook = spec["webhooks"]["reminder"]["post"]
    ref = hook["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    import jsonschema_rs
    validator = jsonschema_rs.validator_for({"$ref": f"#/components/schemas/{ref}", "components": spec["components"]})
    for headers, body in sent:
        payload = json.loads(body)
        errors = [e.message for e in validator.iter_errors(payload)]
        assert not errors, (errors, payload)
        h = {k.lower(): v for k, v in headers.items()}
        ts, sig = h["x-petitions-timestamp"], h["x-petitions-signature"]
        want = "sha256=" + hmac.new(b"s3cret-for-tests", ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        assert sig == want
        assert payload["kind"] in ("due_soon", "due_today", "overdue")
    # and a payload that breaks the contract is caught by the same validator: the test can fail
    bad = json.loads(sent[0][1])
    del bad["context"]["clock"]
    assert list(validator.iter_errors(bad))


def test_the_delivery_log_and_replay_are_for_the_admin(app, org, data, as_user):
    from datetime import timedelta
    from engine.scheduler.tick import tick
    tick(org, now=NOW + timedelta(days=40), webhook=True)
    with transaction(org) as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).first()
        row.status, row.attempts, row.last_error = "failed", 8, "HTTP 400: bad gateway config"
        oid = row.id
    for username in ("clerk1", "leader1", "auditor"):
        b = as_user(username)
        assert b.get("/admin/webhooks/").status_code == 403
        assert b.post(f"/admin/webhooks/{oid}/replay", {}).status_code == 403
    admin = as_user("admin")
    page = admin.get("/admin/webhooks/")
    assert page.status_code == 200 and "HTTP 400: bad gateway config" in page.get_data(as_text=True)
    assert admin.post(f"/admin/webhooks/{oid}/replay", {}, token=False).status_code == 400  # CSRF
    assert admin.post(f"/admin/webhooks/{oid}/replay", {}).status_code == 302
    with transaction(org) as s:
        row = s.get(OutboxMessage, oid)
        assert (row.status, row.attempts) == ("pending", 0)
    assert admin.post("/admin/webhooks/999999/replay", {}).status_code == 404
