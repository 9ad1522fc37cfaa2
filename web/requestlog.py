"""A request id per request (taken from X-Request-ID when a proxy set one), echoed in the
response and attached to every log line written while the request runs."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

from engine.observability.logs import request_id

log = logging.getLogger("petitions.web")
_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def init_app(app: Flask) -> None:
    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SAFE.match(incoming) else uuid.uuid4().hex[:16]
        g._rid_token = request_id.set(g.request_id)
        g._t0 = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.path not in ("/healthz", "/metrics") and not request.path.startswith("/static"):
            log.info("%s %s %s", request.method, request.path, response.status_code,
                     extra={"method": request.method, "path": request.path, "status": response.status_code,
                            "duration_ms": round((time.perf_counter() - g.get("_t0", time.perf_counter())) * 1000, 1)})
        return response

    @app.teardown_request
    def _reset(_exc):
        token = g.pop("_rid_token", None)
        if token is not None:
            request_id.reset(token)
