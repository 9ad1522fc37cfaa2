"""The thin Flask admin.

Every state change goes through `engine.services`; views only parse input, call a service
inside `engine.persistence.db.transaction`, and render. Arrows point one way: web → engine, workflows.

* `create_app(engine=None, settings=None, now=None)` builds the app. Without an engine it
  uses `engine.persistence.db.default_engine()` (SQLite under var/ unless DATABASE_URL is set).
  `now` (a callable or an aware datetime) fixes "today" for tests.
* Translations: message ids are English; `web/translations/vi/LC_MESSAGES/messages.po`
  holds the Vietnamese text (the default locale). There is no manual compile step: at app
  start `web.i18n.compile_catalogs()` compiles every .po whose .mo is missing or older,
  next to the .po when the package directory is writable, otherwise into
  `<var_dir>/translations`, and points Flask-Babel there. .mo files are gitignored.
* Secret key: `engine.services.secrets.signing_key`. In production (PETITIONS_ENV=production
  or an https PUBLIC_URL) SECRET_KEY must be set, ≥ 32 bytes and no placeholder, else the
  factory raises `StartupRefused` (one clear message; `web.wsgi` exits with it). In
  development a random key is generated once and kept in `<var_dir>/secret_key` (mode 0600).
* Production: `gunicorn web.wsgi:app`; development: `petitions web [--host H] [--port P]`.
"""
from __future__ import annotations

from flask import Flask

from web.extensions import babel, csrf, login_manager


def create_app(engine=None, settings=None, now=None, testing: bool = False) -> Flask:
    from config import get_settings
    from engine.persistence.db import default_engine, report_engine
    from engine.persistence.auditkey import audit_key
    from engine.services.secrets import signing_key

    settings = settings or get_settings()
    secret = signing_key(settings)
    if settings.production:
        audit_key(settings)  # refused now, with its message, rather than at the first action
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=testing,
        PETITIONS_SETTINGS=settings,
        PREFERRED_URL_SCHEME="https" if settings.public_url.startswith("https://") else "http",
    )
    app.extensions["petitions_engine"] = engine if engine is not None else default_engine(settings)
    # read-only report queries go to a replica when one is configured (web.dbsession.report_db)
    app.extensions["petitions_report_engine"] = report_engine(settings)
    app.extensions["petitions_now"] = now

    from web.i18n import compile_catalogs, select_locale
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = compile_catalogs(settings)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)

    from web import access, auth, dbsession, errors, filters, security
    dbsession.init_app(app)
    access.init_app(app)
    auth.init_login(app)
    filters.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    from engine.observability.logs import configure as configure_logging
    from web import requestlog
    configure_logging(settings)
    requestlog.init_app(app)
    from web.blueprints import admin, audit, inbox, ops, petitions, reports, sessions
    csrf.exempt(ops.bp)  # read-only GET endpoints for probes
    for bp in (auth.bp, petitions.bp, sessions.bp, inbox.bp, reports.bp, audit.bp, admin.bp, ops.bp):
        app.register_blueprint(bp)
    from web import api
    from web.blueprints import deliveries, duplicates, handlers, tokens
    csrf.exempt(api.bp)  # Bearer tokens only, never the session cookie: nothing for CSRF to forge
    app.register_blueprint(api.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(deliveries.bp)
    app.register_blueprint(duplicates.bp)
    app.register_blueprint(handlers.bp)
    from web.blueprints import citizens
    app.register_blueprint(citizens.bp)  # the public face (issue 18)
    from web.blueprints import account, units_admin, users_admin  # issue 18: administration, self-service
    for bp in (units_admin.bp, users_admin.bp, account.bp):
        app.register_blueprint(bp)
    from web.blueprints import office  # issue 18: lists, calendar decisions, unit parameters
    app.register_blueprint(office.bp)
    from web.blueprints import doc_templates
    app.register_blueprint(doc_templates.bp)
    from web.blueprints import documents
    app.register_blueprint(documents.bp)
    from web.blueprints import letters  # issue 17: the letters register
    app.register_blueprint(letters.bp)
    return app
