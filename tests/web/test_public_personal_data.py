"""The public pages on the demo data: crawled without signing in (the same checks as the
signed-in crawl: errors, artefacts, the other language's words), and read for personal data —
no petitioner's name, phone, address or e-mail anywhere, and on the tracking page of every
demo case also no summary, no staff name and no note or reason from the history."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.persistence.db import transaction
from engine.persistence.models import Event, Petition, Petitioner, User
from tests.conftest import NOW
from tests.web.conftest import Browser
from tests.web.test_crawl import check_page, crawl, demo, shape  # noqa: F401 (demo: the module's fixture)

PUBLIC_KINDS = {"public"}


def _app(engine, path):
    from config.settings import Settings
    from web import create_app
    return create_app(engine=engine, settings=Settings(var_dir=path / "var", secret_key="p" * 40), now=NOW, testing=True)


def _petitioners(s) -> set[str]:
    out = set()
    for x in s.scalars(select(Petitioner)):
        out |= {v for v in (x.name, x.phone, x.address, x.email) if v and len(v) >= 4}
    return out


def test_public_pages_crawled_anonymously_in_both_languages(demo):
    engine, path, data = demo
    app = _app(engine, path)
    with transaction(engine) as s:
        personal = _petitioners(s)
    report = []
    for lang in ("vi", "en"):
        b = Browser(app.test_client())
        b.get("/public/")
        assert b.post("/lang", {"lang": lang, "next": "/public/"}).status_code == 302
        statuses, problems = crawl(b, lang, data)
        report += [f"[{lang}] {u}: {w}" for u, w in problems]
        public = [u for u, st in statuses.items() if u.startswith("/public") and st == 200]
        # the crawl reached every public page from the error page's link to the citizens' home
        for page in ("/public/", "/public/track", "/public/deadline", "/public/schedules", "/public/submit"):
            assert any(u.split("?")[0] == page for u in public), (page, sorted(statuses))
        assert any(u.endswith("/schedule") for u in public) and any(u.endswith(".ics") for u in public)
        for u in public:
            body = b.c.get(u).get_data(as_text=True)
            leaked = sorted(v for v in personal if v in body)
            report += [f"[{lang}] {u}: personal data {leaked[:5]}"] if leaked else []
    assert not report, "\n".join(report)


def test_tracking_every_demo_case_shows_nothing_personal(demo):
    from engine.services import tracking
    engine, path, data = demo
    app = _app(engine, path)
    with transaction(engine) as s:
        personal = _petitioners(s)
        staff = {u.full_name for u in s.scalars(select(User)) if u.full_name} | {u.username for u in s.scalars(select(User))}
        notes = {str(v) for e in s.scalars(select(Event)) for k, v in (e.data or {}).items()
                 if k in ("note", "reason") and v}
        summaries = {p.summary for p in s.scalars(select(Petition))}
        cases = {}
        for p in s.scalars(select(Petition).order_by(Petition.id)):
            cases[p.code] = (p.state, tracking.issue(s, p, "desk", None, NOW))
    forbidden = personal | staff | notes | summaries
    b = Browser(app.test_client())
    b.get("/public/track")
    states, report = set(), []
    for code, (state, secret) in cases.items():
        r = b.post("/public/track", {"code": code, "secret": secret})
        body = r.get_data(as_text=True)
        assert r.status_code == 200 and f'data-state="{state}"' in body, code
        states.add(state)
        main = body.split("<main>", 1)[1]
        leaked = sorted(v for v in forbidden if v in main)
        if leaked:
            report.append(f"{code} ({state}): {leaked[:5]}")
        report += [f"{code}: {p}" for p in check_page("/public/track", "vi", r, data)]
    assert len(states) >= 5, states  # the sweep covered the workflow's states
    assert not report, "\n".join(report[:40])
