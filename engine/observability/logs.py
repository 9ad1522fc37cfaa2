"""Logging: one line per event; JSON when LOG_FORMAT=json. A request id (web) and a
petition code (services) ride along through a context variable and `extra`."""
from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import datetime, timezone

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# (names that LogRecord itself uses, such as "created", must not appear here)
_FIELDS = ("petition", "action", "actor", "outbox_ids", "rungs_claimed", "rows_created", "method", "path", "status",
           "duration_ms")


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class SayOnceFilter(logging.Filter):
    """A missing setting ("SMTP_HOST is not configured") is the same fact for every message
    the worker fails to send: say it once per process, not once per outbox row (each row
    still records the reason; `petitions outbox list --status failed` lists them)."""

    def __init__(self) -> None:
        super().__init__()
        self.said: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is the formatter's business
            return True
        if "is not configured" not in text:
            return True
        key = text[text.rfind(":") + 1:].strip() if ":" in text else text
        if key in self.said:
            return False
        self.said.add(key)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        rid = getattr(record, "request_id", None)
        if rid:
            out["request_id"] = rid
        for key in _FIELDS:
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{k}={getattr(record, k)}" for k in ("request_id",) + _FIELDS if getattr(record, k, None) is not None]
        return line + (" " + " ".join(extras) if extras else "")


def configure(settings) -> None:
    root = logging.getLogger()
    if getattr(root, "_petitions_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.addFilter(SayOnceFilter())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json"
                         else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    root._petitions_configured = True
