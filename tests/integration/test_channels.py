"""Email and webhook channels against real local servers (aiosmtpd, http.server)."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import date

import pytest

from config.settings import Settings
from notifications.channels.email import EmailChannel
from notifications.channels.webhook import WebhookChannel, verify_signature
from notifications.message import Message
from notifications.render import compose

pytest_plugins = ["tests.conftest_smtp"]

pytestmark = pytest.mark.integration

SUMMARY = "Đề nghị sửa chữa đường giao thông nông thôn thôn Trung Thượng bị sạt lở"


def settings(**overrides) -> Settings:
    # Every channel knob is spelled out so that stray SMTP_* / WEBHOOK_* variables in the
    # environment of a CI runner cannot change what is being tested.
    base = dict(
        smtp_host="127.0.0.1", smtp_port=25, smtp_user=None, smtp_password=None, smtp_starttls=False,
        mail_from="Hệ thống đơn thư <petitions@xa-ky-thuong.example.vn>",
        webhook_url=None, webhook_secret=None, public_url="https://petitions.example.vn", lang="vi",
    )
    base.update(overrides)
    return Settings(**base)


def reminder(to_email: str | None, n: int) -> Message:
    context = {
        "recipient_name": f"Cán bộ {n}",
        "petition": {"code": f"KN-XA01-2026-00001{n}", "summary": SUMMARY, "unit_name": "Đảng ủy xã Kỳ Thượng",
                     "department_name": "Văn phòng Đảng ủy", "state_label": "Đang giải quyết"},
        "clock": {"name": "conclusion", "due_date": date(2026, 1, 12), "working_days_left": 3, "extended": False},
        "rung": "T-3",
        "url": f"https://petitions.example.vn/petitions/{n}",
    }
    return compose("due_soon", "vi", to_email, context, meta={"outbox_id": n})


def batch(n: int = 3) -> list[Message]:
    return [reminder(f"canbo{i}@example.vn", i) for i in range(n)]


# --- email -----------------------------------------------------------------------------


def test_batch_is_delivered_over_one_connection(smtp_server):
    channel = EmailChannel(settings(smtp_port=smtp_server.port))
    messages = batch(3)

    results = channel.send_batch(messages)

    assert [r.ok for r in results] == [True, True, True]
    assert all(r.error is None for r in results)
    assert len(smtp_server.messages) == 3
    assert smtp_server.connections == 1
    assert [rcpts for _, rcpts in smtp_server.envelopes] == [[m.to_email] for m in messages]
    assert {sender for sender, _ in smtp_server.envelopes} == {"petitions@xa-ky-thuong.example.vn"}

    for sent, received in zip(messages, smtp_server.messages):
        assert received["Subject"] == sent.subject
        assert received["Subject"].startswith("[Còn 3 ngày làm việc] KN-XA01-2026-00001")
        assert "Đề nghị sửa chữa đường giao thông" in received["Subject"]
        assert received["From"].addresses[0].display_name == "Hệ thống đơn thư"
        assert received["To"] == sent.to_email
        assert received["Message-ID"]
        assert received.get_content_type() == "multipart/alternative"
        plain = received.get_body(preferencelist=("plain",))
        html = received.get_body(preferencelist=("html",))
        assert plain is not None and html is not None
        assert plain.get_content() .replace("\r\n", "\n").strip() == sent.text.strip()
        assert "Kính gửi đồng chí" in html.get_content()
        assert "<!DOCTYPE html>" in html.get_content()
    assert len({m["Message-ID"] for m in smtp_server.messages}) == 3


def test_two_batches_use_two_connections(smtp_server):
    channel = EmailChannel(settings(smtp_port=smtp_server.port))
    channel.send_batch(batch(2))
    channel.send_batch(batch(2))
    assert smtp_server.connections == 2
    assert len(smtp_server.messages) == 4


def test_empty_batch_opens_no_connection(smtp_server):
    assert EmailChannel(settings(smtp_port=smtp_server.port)).send_batch([]) == []
    assert smtp_server.connections == 0


def test_login_with_the_right_password_delivers(smtp_auth_server):
    channel = EmailChannel(settings(smtp_port=smtp_auth_server.port, smtp_user=smtp_auth_server.user,
                                    smtp_password=smtp_auth_server.password))
    results = channel.send_batch(batch(2))
    assert [r.ok for r in results] == [True, True]
    assert len(smtp_auth_server.messages) == 2


def test_wrong_password_fails_the_whole_batch_permanently(smtp_auth_server):
    channel = EmailChannel(settings(smtp_port=smtp_auth_server.port, smtp_user=smtp_auth_server.user,
                                    smtp_password="wrong"))
    results = channel.send_batch(batch(3))
    assert len(results) == 3
    assert len(set(results)) == 1
    result = results[0]
    assert not result.ok and result.permanent
    assert "535" in result.error and "Authentication credentials invalid" in result.error
    assert smtp_auth_server.messages == []


@pytest.mark.parametrize("smtp_server", [{"auth": True}], indirect=True)
def test_server_requiring_auth_rejects_an_anonymous_batch(smtp_server):
    results = EmailChannel(settings(smtp_port=smtp_server.port)).send_batch(batch(2))
    assert [r.ok for r in results] == [False, False]
    assert all(r.permanent for r in results)  # 530: sending without credentials cannot succeed later
    assert smtp_server.messages == []


def test_unreachable_server_is_transient_for_every_message(unused_port):
    channel = EmailChannel(settings(smtp_port=unused_port), timeout=5)
    results = channel.send_batch(batch(3))
    assert len(results) == 3 and len(set(results)) == 1
    assert not results[0].ok and not results[0].permanent
    assert results[0].error


def test_silent_server_times_out_as_transient(silent_port):
    started = time.monotonic()
    results = EmailChannel(settings(smtp_port=silent_port), timeout=0.5).send_batch(batch(2))
    assert time.monotonic() - started < 5
    assert [(r.ok, r.permanent) for r in results] == [(False, False), (False, False)]


def test_missing_address_and_refused_recipients_are_per_message(smtp_server):
    smtp_server.refuse["ghost@example.vn"] = "550 5.1.1 Không có hộp thư này"
    smtp_server.refuse["busy@example.vn"] = "450 4.2.1 Mailbox busy, try later"
    messages = [
        reminder("canbo0@example.vn", 0),
        reminder(None, 1),
        reminder("ghost@example.vn", 2),
        reminder("busy@example.vn", 3),
        reminder("canbo4@example.vn", 4),
    ]
    results = EmailChannel(settings(smtp_port=smtp_server.port)).send_batch(messages)

    assert [r.ok for r in results] == [True, False, False, False, True]
    assert results[1].permanent and "no recipient" in results[1].error
    assert results[2].permanent and "550" in results[2].error
    assert not results[3].permanent and "450" in results[3].error
    assert [m["To"] for m in smtp_server.messages] == ["canbo0@example.vn", "canbo4@example.vn"]
    assert smtp_server.connections == 1


def test_header_injection_is_a_permanent_per_message_failure(smtp_server):
    bad = reminder("canbo9@example.vn\nBcc: everyone@example.vn", 9)
    results = EmailChannel(settings(smtp_port=smtp_server.port)).send_batch([bad, reminder("ok@example.vn", 1)])
    assert not results[0].ok and results[0].permanent
    assert results[1].ok
    assert [m["To"] for m in smtp_server.messages] == ["ok@example.vn"]


# --- webhook ---------------------------------------------------------------------------

SECRET = "bí-mật-chung"
PAYLOAD = {"event": "clock.overdue", "petition": "KN-XA01-2026-000012", "summary": SUMMARY,
           "due_date": date(2026, 1, 9), "overdue_working_days": 2}


def test_webhook_posts_signed_json(webhook_receiver):
    before = int(time.time())
    result = WebhookChannel(settings(webhook_url=webhook_receiver.url, webhook_secret=SECRET)).send(PAYLOAD)

    assert result.ok and not result.permanent and result.error is None
    [request] = webhook_receiver.requests
    assert request.path == "/hooks/petitions"
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["content-type"] == "application/json"
    timestamp = headers["x-petitions-timestamp"]
    assert before <= int(timestamp) <= int(time.time())
    signature = headers["x-petitions-signature"]
    assert signature.startswith("sha256=") and len(signature) == len("sha256=") + 64

    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    assert verify_signature(SECRET, timestamp, request.body, signature)
    assert verify_signature(SECRET, timestamp, request.body.decode("utf-8"), signature)
    assert verify_signature(SECRET, int(timestamp), request.body, signature, max_age_seconds=300)
    assert not verify_signature("other secret", timestamp, request.body, signature)
    assert not verify_signature(SECRET, str(int(timestamp) + 1), request.body, signature)
    assert not verify_signature(SECRET, timestamp, request.body + b" ", signature)
    assert not verify_signature(SECRET, timestamp, request.body, signature, max_age_seconds=300,
                                now=int(timestamp) + 301)
    assert not verify_signature(SECRET, timestamp, request.body, None)

    assert json.loads(request.body) == {**PAYLOAD, "due_date": "2026-01-09"}
    assert SUMMARY.encode("utf-8") in request.body  # sent as UTF-8, not \u escapes


@pytest.mark.parametrize("status,permanent", [(500, False), (503, False), (408, False), (429, False),
                                              (400, True), (404, True), (410, True)])
def test_webhook_failure_classes(webhook_receiver, status, permanent):
    webhook_receiver.status = status
    result = WebhookChannel(settings(webhook_url=webhook_receiver.url, webhook_secret=SECRET)).send(PAYLOAD)
    assert not result.ok
    assert result.permanent is permanent
    assert str(status) in result.error
    assert len(webhook_receiver.requests) == 1


def test_webhook_2xx_other_than_200_is_success(webhook_receiver):
    webhook_receiver.status = 202
    assert WebhookChannel(settings(webhook_url=webhook_receiver.url, webhook_secret=SECRET)).send(PAYLOAD).ok


def test_webhook_redirect_is_not_followed(webhook_receiver):
    webhook_receiver.status = 302
    result = WebhookChannel(settings(webhook_url=webhook_receiver.url, webhook_secret=SECRET)).send(PAYLOAD)
    assert not result.ok and result.permanent and "302" in result.error


def test_webhook_slow_receiver_times_out_as_transient(webhook_receiver):
    webhook_receiver.delay = 1.0
    channel = WebhookChannel(settings(webhook_url=webhook_receiver.url, webhook_secret=SECRET), timeout=0.2)
    result = channel.send(PAYLOAD)
    assert not result.ok and not result.permanent
    assert "timed out" in result.error.lower()


def test_webhook_default_timeout_is_ten_seconds():
    assert WebhookChannel(settings()).timeout == 10


def test_webhook_unreachable_is_transient(unused_port):
    url = f"http://127.0.0.1:{unused_port}/hooks"
    result = WebhookChannel(settings(webhook_url=url, webhook_secret=SECRET)).send(PAYLOAD)
    assert not result.ok and not result.permanent and result.error


def test_webhook_without_url_or_secret_is_permanent(webhook_receiver):
    assert WebhookChannel(settings(webhook_url=None, webhook_secret=SECRET)).send(PAYLOAD).permanent
    result = WebhookChannel(settings(webhook_url=webhook_receiver.url, webhook_secret=None)).send(PAYLOAD)
    assert not result.ok and result.permanent
    assert webhook_receiver.requests == []
