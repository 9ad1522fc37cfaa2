"""The demo data (as `petitions run` loads it) at the tests' fixed clock, after one tick and
its dispatch: a module-scoped database shared by the tests that read the demo."""
from __future__ import annotations

import pytest

from engine.persistence.db import make_engine, transaction
from engine.persistence.migrate import upgrade
from tests.conftest import NOW


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from config.settings import Settings
    from engine.intake.demo import USERS, load_demo
    from engine.scheduler.tick import tick
    from engine.services.petitions import Context
    from notifications.dispatcher import dispatch
    path = tmp_path_factory.mktemp("demo")
    engine = make_engine(f"sqlite:///{path / 'demo.db'}")
    upgrade(engine)
    with transaction(engine) as s:
        load_demo(s, Context(now=NOW))
    res = tick(engine, now=NOW)
    dispatch(engine, res.outbox_ids, settings=Settings(var_dir=path / "var", smtp_host=None), now=NOW)
    yield engine, [u for u, *_ in USERS]
    engine.dispose()


@pytest.fixture
def demo_app(demo, tmp_path):
    from config.settings import Settings
    from web import create_app
    return create_app(engine=demo[0], settings=Settings(var_dir=tmp_path / "var", secret_key="t"), now=NOW, testing=True)


@pytest.fixture
def demo_user(demo_app):
    """demo_user('ubkt') -> a signed-in Browser on the demo data."""
    from engine.intake.demo import DEMO_PASSWORD
    from tests.web.conftest import Browser

    def make(username):
        b = Browser(demo_app.test_client())
        assert b.login(username, DEMO_PASSWORD).status_code == 302
        return b
    return make
