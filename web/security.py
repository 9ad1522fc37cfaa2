"""Security headers on every response."""
from __future__ import annotations

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")


def init_app(app) -> None:
    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("Content-Security-Policy", CSP)
        if app.config.get("SESSION_COOKIE_SECURE"):
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp


def local_target(value: str | None, default: str) -> str:
    """A redirect target from user input, kept on this site: a path, never `//host` or
    `/\\host` (which browsers read as another host), else `default`."""
    value = value or ""
    if not value.startswith("/") or value[1:2] in ("/", "\\") or any(c in value for c in "\r\n"):
        return default
    return value
