"""Signed JSON webhook.

The signature covers "<timestamp>.<body>" so a receiver can reject replays by age
without trusting anything outside the signed bytes.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from datetime import date, datetime
from typing import Any

from config.settings import Settings
from notifications.message import SendResult

TIMEOUT_SECONDS = 10.0
SIGNATURE_HEADER = "X-Petitions-Signature"
TIMESTAMP_HEADER = "X-Petitions-Timestamp"
# Throttling and request timeouts are the receiver saying "later", not "never".
RETRYABLE_4XX = frozenset({408, 429})


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def sign(secret: str | bytes, timestamp: int | str, body: str | bytes) -> str:
    signed = _as_bytes(str(timestamp)) + b"." + _as_bytes(body)
    return "sha256=" + hmac.new(_as_bytes(secret), signed, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str | bytes,
    timestamp: int | str,
    body: str | bytes,
    header: str | None,
    *,
    max_age_seconds: int | None = None,
    now: float | None = None,
) -> bool:
    if not header or not secret:
        return False
    if max_age_seconds is not None:
        try:
            age = (time.time() if now is None else now) - int(timestamp)
        except (TypeError, ValueError):
            return False
        if abs(age) > max_age_seconds:
            return False
    return hmac.compare_digest(_as_bytes(sign(secret, timestamp, body)), _as_bytes(header.strip()))


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would replay a redirected POST as a bodiless GET and report success.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def classify_status(status: int, detail: str) -> SendResult:
    if 200 <= status < 300:
        return SendResult.success()
    error = f"HTTP {status}{': ' + detail if detail else ''}"
    transient = status >= 500 or status in RETRYABLE_4XX
    return SendResult.failed(error, permanent=not transient)


class WebhookChannel:
    def __init__(self, settings: Settings, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.timeout = timeout

    def send(self, payload: dict) -> SendResult:
        url, secret = self.settings.webhook_url, self.settings.webhook_secret
        if not url:
            return SendResult.failed("WEBHOOK_URL is not configured", permanent=True)
        if not secret:
            # An unsigned webhook lets anyone forge deadline events; refuse rather than degrade.
            return SendResult.failed("WEBHOOK_SECRET is not configured", permanent=True)
        try:
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode("utf-8")
        except (TypeError, ValueError) as err:
            return SendResult.failed(f"payload is not JSON: {err}", permanent=True)
        timestamp = str(int(time.time()))
        try:
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    TIMESTAMP_HEADER: timestamp,
                    SIGNATURE_HEADER: sign(secret, timestamp, body),
                    "User-Agent": "petitions-webhook/1",
                },
            )
        except ValueError as err:
            return SendResult.failed(f"bad WEBHOOK_URL: {err}", permanent=True)
        return self._post(request)

    def _post(self, request: urllib.request.Request) -> SendResult:
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                return classify_status(response.status, "")
        except urllib.error.HTTPError as err:
            with err:
                detail = _snippet(err)
            return classify_status(err.code, detail or str(err.reason or ""))
        except urllib.error.URLError as err:
            if isinstance(err.reason, str) and err.reason.startswith("unknown url type"):
                return SendResult.failed(f"bad WEBHOOK_URL: {err.reason}", permanent=True)
            return SendResult.failed(f"connection failed: {err.reason}", permanent=False)
        except (TimeoutError, OSError, http.client.HTTPException) as err:
            return SendResult.failed(f"connection failed: {type(err).__name__}: {err}", permanent=False)
        except ValueError as err:
            return SendResult.failed(f"bad WEBHOOK_URL: {err}", permanent=True)


def _snippet(err: urllib.error.HTTPError) -> str:
    try:
        text = err.read(300).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the status code already tells the story
        return ""
    return " ".join(text.split())


__all__ = ["WebhookChannel", "verify_signature", "sign", "classify_status"]
