"""`petitions web`: serve the admin for development (production: gunicorn web.wsgi:app)."""
from __future__ import annotations

import click


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--debug", is_flag=True, help="Flask debug mode (never in production).")
def web_cmd(host, port, debug):
    """Serve the web admin (development server)."""
    import logging

    from web import create_app
    app = create_app()
    # Each request is logged once, by the app (with its request id); werkzeug's own access
    # line and its development-server banner would say it again.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    click.echo(f"http://{host}:{port}/")
    app.run(host=host, port=port, debug=debug, use_reloader=False)


commands = [web_cmd]
