"""Security headers on every response."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

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


_PATH = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*")
_MAX_DECODES = 4
_NEVER = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # controls, format, unassigned, line breaks


def local_target(value: str | None, default: str) -> str:
    """A redirect target from user input, kept on this site, else `default`.

    Browsers forgive a lot: they drop tabs and newlines, read `\\` as `/`, fold
    fullwidth `／` to `/`, and some proxies decode `%2F` once more; `/\t/evil.example`,
    `/%5Cevil.example` or `/／evil.example` all become `//evil.example`, another host. So
    the value is judged after all of that: percent-decoded until stable (double encoding
    included), NFKC-folded, and then accepted only as a plain path that starts with one
    "/" followed by neither "/" nor "\\", with no control or format character and no
    backslash anywhere, no white space in the path, no empty, "." or ".." segment, ASCII path
    characters only (the query may hold any printable text). The original value is
    returned, since it decodes to this safe form."""
    if not isinstance(value, str) or not value or len(value) > 2048:
        return default
    decoded = value
    for _ in range(_MAX_DECODES):
        once = unicodedata.normalize("NFKC", unquote(decoded))  # "％2F" folds to "%2F": decode again
        if once == decoded:
            break
        decoded = once
    else:
        return default  # still changing after several rounds: nobody links like that
    if "\\" in decoded or any(unicodedata.category(c) in _NEVER for c in decoded):
        return default
    path = re.split(r"[?#]", decoded, maxsplit=1)[0]  # a search query may hold spaces, the path not
    if not _PATH.fullmatch(path) or path[1:2] == "/":
        return default
    segments = path.split("/")[1:]
    if any(seg in ("", ".", "..") for seg in segments[:-1]) or segments[-1] in (".", ".."):
        return default
    return value
