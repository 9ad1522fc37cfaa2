"""Error pages in the user's language; never a traceback, never data outside scope."""
from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError


def init_app(app) -> None:
    def page(code, title, message):
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def _csrf(_e):
        return page(400, _("The form has expired"), _("Reload the page and submit the form again."))

    @app.errorhandler(400)
    def _bad_request(e):
        detail = getattr(e, "description", None)
        if not isinstance(detail, str) or detail.startswith("The browser (or proxy)"):  # werkzeug's default
            detail = _("The request is not valid.")
        return page(400, _("Bad request"), detail)

    @app.errorhandler(403)
    def _forbidden(_e):
        return page(403, _("Not allowed"), _("Your role or unit may not open this page."))

    @app.errorhandler(404)
    def _not_found(_e):
        return page(404, _("Not found"), _("This page does not exist, or it is outside your scope."))

    @app.errorhandler(405)
    def _method(_e):
        return page(405, _("Not allowed"), _("This address does not accept that request."))

    @app.errorhandler(500)
    def _error(_e):
        return page(500, _("Something went wrong"), _("The error was logged. Try again in a moment."))
