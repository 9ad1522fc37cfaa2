"""The pages' personal-data and scope sweep (tests/web/test_personal_data.py), run against
the API: on the demo data every demo user, with a token of their own, lists every case the
API gives them (all cursor pages), reads and exports cases, lists sessions and searches by a
petitioner's name. The list is exactly the scope the pages use (engine.persistence.scope);
no petitioner's name, address, phone or e-mail reaches a reader the policy hides it from
(auditors: nowhere), and no denouncer's identity reaches a reader who does not handle the
case. Roles that may see personal data must see some, so the sweep can fail."""
from __future__ import annotations

from sqlalchemy import select

from engine.persistence.db import transaction
from tests.conftest import NOW
from tests.web.test_personal_data import demo, denouncers_hidden_from, personal_values  # noqa: F401 (fixture)

READS = 40  # case reads and exports per user, besides the denunciations they may read


def test_the_api_keeps_the_pages_scope_and_personal_data_rules(demo, tmp_path):  # noqa: F811
    from config.settings import Settings
    from engine.intake.demo import USERS
    from engine.persistence.models import Petition, User
    from engine.persistence.scope import petition_scope
    from engine.services.tokens import create_token
    from engine.workflow.policy import sees_personal_data
    import web.api
    from web import create_app
    engine, _ = demo
    web.api.RATE_LIMIT, saved = 10**6, web.api.RATE_LIMIT
    try:
        pattern, kinds = personal_values(engine)
        app = create_app(engine=engine, settings=Settings(var_dir=tmp_path / "var", secret_key="t" * 40),
                         now=NOW, testing=True)
        a_name = sorted(kinds["name"])[0]
        seen_by_role: dict[str, set] = {}
        readers_of_denunciations = set()
        for username, role, _unit, _full in USERS:
            with transaction(engine) as s:
                user = s.scalar(select(User).where(User.username == username))
                secret = create_token(s, user, "sweep", 1, now=NOW)[1]
                in_scope = set(s.scalars(select(Petition.code).where(petition_scope(s, user))))
            c, h = app.test_client(), {"Authorization": f"Bearer {secret}"}
            texts, listed, cursor = [], [], None
            while True:
                r = c.get("/api/v1/cases", query_string={"limit": 200, **({"cursor": cursor} if cursor else {})},
                          headers=h)
                assert r.status_code == 200, (username, r.get_data(as_text=True))
                texts.append(r.get_data(as_text=True))
                listed += [x["code"] for x in r.get_json()["items"]]
                cursor = r.get_json()["next_cursor"]
                if not cursor:
                    break
            assert len(listed) == len(set(listed)) and set(listed) == in_scope, username
            hidden, pages = (denouncers_hidden_from(engine, username) if sees_personal_data(role) else (None, []))
            codes = listed[:READS] + [p.rsplit("/", 1)[1] for p in pages]
            for code in codes:
                for url in (f"/api/v1/cases/{code}", f"/api/v1/cases/{code}/export"):
                    r = c.get(url, headers=h)
                    assert r.status_code == 200, (username, url)
                    texts.append(r.get_data(as_text=True))
            for url in (f"/api/v1/cases?q={a_name}", "/api/v1/sessions?limit=200"):
                r = c.get(url, headers=h)
                assert r.status_code in (200, 403), (username, url)
                texts.append(r.get_data(as_text=True))
            found = {m.group(0) for t in texts for m in pattern.finditer(t)}
            seen_by_role.setdefault(role, set()).update(found)
            if not sees_personal_data(role):
                assert not found, (username, role, sorted(found)[:10])
            if hidden is not None:
                readers_of_denunciations.add(username)
                leaked = {m.group(0) for t in texts for m in hidden.finditer(t)}
                assert not leaked, (username, role, "a denouncer's identity outside those handling the case", leaked)
        assert {"auditor", "clerk", "department", "leader", "admin"} <= set(seen_by_role)
        assert readers_of_denunciations, "no reader was checked against denunciations they do not handle"
        for role in ("clerk", "department", "leader", "admin"):
            assert seen_by_role[role], f"no {role} saw any personal data: the sweep would not notice a leak"
    finally:
        web.api.RATE_LIMIT = saved
