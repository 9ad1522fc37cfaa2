"""/healthz and /metrics: for the container healthcheck and Prometheus (no sign-in, no
personal data)."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, send_from_directory

from engine.scheduler.health import health, metrics_text
from web.access import public

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


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico on every page; answer with the SVG icon instead of a 404."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
