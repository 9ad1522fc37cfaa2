"""The WSGI entry point for gunicorn: `gunicorn web.wsgi:app`.

An unsafe or broken configuration (a placeholder SECRET_KEY or PETITIONS_AUDIT_KEY in
production, an empty key file) stops the start with one message in Vietnamese and English on stderr and exit code 4,
which gunicorn's arbiter reads as "App failed to load" and halts instead of respawning.
"""
import sys

from engine.language.errors import ConfigurationRefused
from web import create_app

APP_LOAD_ERROR = 4  # gunicorn.arbiter.Arbiter.APP_LOAD_ERROR

try:
    app = create_app()
except ConfigurationRefused as exc:
    print(f"Lỗi cấu hình: {exc.message('vi')}\nConfiguration error: {exc.message('en')}", file=sys.stderr, flush=True)
    sys.exit(APP_LOAD_ERROR)
