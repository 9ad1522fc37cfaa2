"""Real-browser fixtures: the system Chromium driven by Playwright, the admin served by
werkzeug in a thread on a demo database (the `petitions demo` data).

Without Chromium the journeys skip locally and FAIL under CI=true."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def _need_chromium():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        msg = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        if IN_CI:
            pytest.fail(f"playwright is not installed: {exc}")
        pytest.skip(f"playwright is not installed: {exc}")


@pytest.fixture(scope="session")
def chromium():
    _need_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def demo_server(tmp_path):
    """A demo database (as after `petitions demo`) served on a free port."""
    from werkzeug.serving import make_server

    from config.settings import Settings
    from engine.persistence.db import make_engine, transaction
    from engine.intake.demo import load_demo
    from engine.persistence.migrate import upgrade
    from engine.services.petitions import Context
    from web import create_app

    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(engine)
    with transaction(engine) as s:
        load_demo(s, Context())
    app = create_app(engine=engine, settings=Settings(var_dir=tmp_path / "var", secret_key="e2e"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", engine
    server.shutdown()
    engine.dispose()


@pytest.fixture
def shots(request):
    """shots(page, name): a full-page screenshot under test-artifacts/e2e/<test>/."""
    folder = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(page, name):
        counter["n"] += 1
        page.screenshot(path=str(folder / f"{counter['n']:02d}-{name}.png"), full_page=True)
    return take
