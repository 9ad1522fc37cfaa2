"""/healthz and /metrics: for the container healthcheck and Prometheus (no sign-in, no
personal data)."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from engine.scheduler.health import health, metrics_text

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
def healthz():
    app = current_app
    result = health(app.extensions["petitions_engine"], app.config["PETITIONS_SETTINGS"])
    return jsonify(result), (200 if result["status"] == "ok" else 503)


@bp.route("/metrics")
def metrics():
    body = metrics_text(current_app.extensions["petitions_engine"])
    return Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8")
