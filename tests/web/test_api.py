"""The JSON API (/api/v1, issue 19) with a token of each role of the `org` fixture: the
pages' scope and personal-data rules, tokens (hashed, expiring, revocable, every use
recorded), ETag/If-Match, problem+json in Vietnamese and English, the rate limit."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.persistence.db import transaction
from engine.persistence.models import ApiToken, ApiTokenUse, Petition, Petitioner, User
from tests.conftest import NOW, USERS


def make_token(org, username, days=30, now=NOW):
    from engine.services.tokens import create_token
    with transaction(org) as s:
        user = s.scalar(select(User).where(User.username == username))
        _row, secret = create_token(s, user, f"test {username}", days, now=now)
    return secret


class Api:
    def __init__(self, app, secret, lang=None):
        self.c, self.secret, self.lang = app.test_client(), secret, lang

    def _h(self, extra=None):
        h = {"Authorization": f"Bearer {self.secret}"}
        if self.lang:
            h["Accept-Language"] = self.lang
        h.update(extra or {})
        return h

    def get(self, url, headers=None, **kw):
        return self.c.get(url, headers=self._h(headers), **kw)

    def post(self, url, json=None, headers=None, **kw):
        return self.c.post(url, json=json, headers=self._h(headers), **kw)


@pytest.fixture
def api(app, org):
    def make(username, lang=None):
        return Api(app, make_token(org, username), lang)
    return make


def codes(resp):
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {x["code"] for x in resp.get_json()["items"]}


def is_problem(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == status and body["detail"] and body["code"]
    return body


# -- scope: the same cases as the pages ----------------------------------------------------
SEES = {"clerk1": {"R", "A1", "A2"}, "leader1": {"R", "A1", "A2"}, "dept1": {"A1"}, "dept2": {"A2"},
        "auditor": {"R", "A1", "A2", "B"}, "admin": {"R", "A1", "A2", "B"}, "clerk2": {"B"}, "leader2": {"B"},
        "deptc2": {"B"}, "pclerk": {"R", "A1", "A2", "B"}, "pleader": {"R", "A1", "A2", "B"},
        "pauditor": {"R", "A1", "A2", "B"}, "c1auditor": {"R", "A1", "A2"}}


def test_every_role_lists_and_reads_exactly_its_scope(api, data):
    assert set(SEES) == {u for u, *_ in USERS}
    for username in SEES:
        a = api(username)
        want = {data[k] for k in SEES[username]}
        assert codes(a.get("/api/v1/cases")) == want, username
        for key in ("R", "A1", "A2", "B"):
            r = a.get(f"/api/v1/cases/{data[key]}")
            if key in SEES[username]:
                assert r.status_code == 200, (username, key)
                assert r.headers["ETag"] == f'"{r.get_json()["version"]}"'
            else:  # outside scope reads as not existing
                body = is_problem(r, 404)
                assert data[key] in body["detail"]


def test_filters_and_cursor_pages(api, data):
    a = api("admin")
    assert codes(a.get("/api/v1/cases", query_string={"unit": "C2"})) == {data["B"]}
    assert codes(a.get("/api/v1/cases", query_string={"state": "received"})) == {data["R"]}
    assert codes(a.get("/api/v1/cases", query_string={"department": "C1-D2"})) == {data["A2"]}
    seen, cursor, pages = [], None, 0
    while True:
        r = a.get("/api/v1/cases", query_string={"limit": 1, **({"cursor": cursor} if cursor else {})})
        body = r.get_json()
        seen += [x["code"] for x in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == 4 and len(seen) == 4 and set(seen) == {data[k] for k in ("R", "A1", "A2", "B")}
    is_problem(a.get("/api/v1/cases", query_string={"cursor": "not-a-cursor"}), 400)
    is_problem(a.get("/api/v1/cases", query_string={"state": "nonsense"}), 400)


# -- personal data and denouncers ----------------------------------------------------------
def test_auditors_never_see_personal_data(api, data):
    for username in ("auditor", "pauditor", "c1auditor"):
        a = api(username)
        r = a.get(f"/api/v1/cases/{data['A1']}")
        body = r.get_json()
        assert body["personal_data"] is False and body["petitioners"] is None and body["petitioner_count"] == 1
        text = r.get_data(as_text=True)
        assert "Trần Thị Bích" not in text and "0912345678" not in text and "Thôn 3" not in text
        # search does not reach petitioners' names for them
        assert codes(a.get("/api/v1/cases", query_string={"q": "Trần Thị Bích"})) == set()
    clerk = api("clerk1")
    body = clerk.get(f"/api/v1/cases/{data['A1']}").get_json()
    assert body["personal_data"] is True and body["petitioners"][0]["name"] == "Trần Thị Bích"
    assert codes(clerk.get("/api/v1/cases", query_string={"q": "Trần Thị Bích"})) == {data["A1"]}


def test_a_denouncer_never_leaves_through_the_api(api, data, org):
    """Not even to someone named to handle the case (issue 17): they read it on the case page,
    where each showing is recorded; the API carries `identity_protected` instead."""
    from engine.persistence.models import CaseHandler
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == data["A1"]))
        p.kind = "denunciation"
        s.add(CaseHandler(petition_id=p.id, user_id=s.scalar(select(User.id).where(User.username == "clerk1")),
                          added_at=NOW))
    for username in ("clerk1", "leader1", "dept1", "admin", "pleader", "pclerk", "auditor"):
        r = api(username).get(f"/api/v1/cases/{data['A1']}")
        assert r.status_code == 200
        assert "Trần Thị Bích" not in r.get_data(as_text=True), username
        assert r.get_json()["personal_data"] is False and r.get_json()["identity_protected"] is True
    # nor found by the denouncer's name by someone reading but not named to handle it
    assert codes(api("pleader").get("/api/v1/cases", query_string={"q": "Trần Thị Bích"})) == set()
    assert codes(api("leader1").get("/api/v1/cases", query_string={"q": "Trần Thị Bích"})) == set()
    # the one named finds the case by that name (search is not a showing of the identity)
    assert codes(api("clerk1").get("/api/v1/cases", query_string={"q": "Trần Thị Bích"})) == {data["A1"]}


# -- writes, ETag / If-Match ---------------------------------------------------------------
def test_an_action_needs_the_current_etag(api, data, org):
    a = api("clerk1")
    url = f"/api/v1/cases/{data['R']}"
    r = a.get(url)
    tag = r.headers["ETag"]
    act = f"{url}/actions/conclude"
    body = {"params": {"notice_no": "15-TB/ĐU", "department": "C1-D1"}, "on": "2026-11-10"}
    is_problem(a.post(act, json=body), 428)
    is_problem(a.post(act, json=body, headers={"If-Match": '"999"'}), 412)
    is_problem(a.post(act, json=body, headers={"If-Match": "*"}), 428)
    with transaction(org) as s:  # the refusals changed nothing
        assert s.scalar(select(Petition.state).where(Petition.code == data["R"])) == "received"
    ok = a.post(act, json=body, headers={"If-Match": tag})
    assert ok.status_code == 200, ok.get_data(as_text=True)
    assert ok.get_json()["state"] == "in_resolution" and ok.headers["ETag"] != tag
    assert ok.get_json()["department"] == "C1-D1"
    # the same request again with the old ETag: someone (we) acted first
    body412 = is_problem(a.post(act, json=body, headers={"If-Match": tag}), 412)
    assert data["R"] in body412["detail"]
    # the role and scope rules of the pages: an auditor may not act, another unit's clerk cannot see it
    is_problem(api("auditor").post(f"/api/v1/cases/{data['A1']}/actions/resolve", json={},
                                   headers={"If-Match": '"1"'}), 412)
    a_tag = api("auditor").get(f"/api/v1/cases/{data['A1']}").headers["ETag"]
    is_problem(api("auditor").post(f"/api/v1/cases/{data['A1']}/actions/resolve", json={},
                                   headers={"If-Match": a_tag}), 403)
    is_problem(api("clerk2").post(act, json=body, headers={"If-Match": ok.headers["ETag"]}), 404)


def test_receive_a_case(api, data, org):
    a = api("clerk1")
    body = {"unit": "C1", "summary": "Đề nghị lắp đèn đường", "received_on": "2026-11-19",
            "petitioners": [{"name": "Võ Văn Em", "phone": "0987000111"}]}
    r = a.post("/api/v1/cases", json=body)
    assert r.status_code == 201, r.get_data(as_text=True)
    created = r.get_json()
    assert r.headers["Location"] == f"/api/v1/cases/{created['code']}" and r.headers["ETag"] == '"1"'
    assert created["state"] == "received" and created["petitioners"][0]["name"] == "Võ Văn Em"
    assert [c["name"] for c in created["clocks"]] == ["conclusion"]
    is_problem(a.post("/api/v1/cases", json={**body, "unit": "C2"}), 403)   # not their unit
    is_problem(api("auditor").post("/api/v1/cases", json=body), 403)       # auditors do not receive
    is_problem(a.post("/api/v1/cases", json={**body, "summary": ""}), 400)  # nothing changed
    bad = is_problem(a.post("/api/v1/cases", json={**body, "received_on": "2027-01-01"}), 400)
    assert bad["field"] == "received_on"
    with transaction(org) as s:
        assert s.scalar(select(func.count(Petition.id))) == 5  # the four of `data` and this one: refusals added none


# -- errors in the reader's language -------------------------------------------------------
def test_problems_in_vietnamese_or_english(app, api, data):
    vi = is_problem(api("clerk1").get("/api/v1/cases", query_string={"limit": 0}), 400)
    en = is_problem(api("clerk1", "en").get("/api/v1/cases", query_string={"limit": 0}), 400)
    assert vi["title"] == "Yêu cầu không hợp lệ" and "không hợp lệ" in vi["detail"] and vi["field"] == "limit"
    assert en["title"] == "Bad request" and en["detail"].startswith("The request is not valid")
    nf = is_problem(api("clerk1", "en").get("/api/v1/cases/KN-C1-2026-999999"), 404)
    assert nf["detail"] == "Unknown petition 'KN-C1-2026-999999' (or outside your scope)"
    is_problem(api("clerk1").get("/api/v1/nothing-here"), 404)
    assert is_problem(api("clerk1").c.delete("/api/v1/units", headers={"Authorization": "Bearer x"}), 401)
    r = api("clerk1").c.put("/api/v1/units", headers=api("clerk1")._h())
    assert is_problem(r, 405)["code"] == "api_method"
    noauth = is_problem(app.test_client().get("/api/v1/cases", headers={"Accept-Language": "en"}), 401)
    assert noauth["detail"].startswith("Missing access token")


# -- tokens ---------------------------------------------------------------------------------
def test_refused_tokens(app, org, data):
    def status(secret):
        return app.test_client().get("/api/v1/units", headers={"Authorization": f"Bearer {secret}"})
    good = make_token(org, "clerk1")
    assert status(good).status_code == 200
    is_problem(status("pt_" + "x" * 43), 401)
    is_problem(status(good + "x"), 401)
    expired = make_token(org, "clerk1", days=1, now=NOW - timedelta(days=2))
    is_problem(status(expired), 401)
    from engine.services import tokens as tok
    with transaction(org) as s:  # revoked
        revoked = make_token(org, "leader1")
        row = tok.find_token(s, revoked)
        tok.revoke_token(s, s.get(User, row.user_id), row.id)
    is_problem(status(revoked), 401)
    from engine.services.users import change_user, set_password
    moved = make_token(org, "dept1")
    with transaction(org) as s:
        change_user(s, "dept1", unit_code="C1-D2")  # a new unit: the token would see more than it was made for
    is_problem(status(moved), 401)
    with transaction(org) as s:
        set_password(s, "clerk1", "another-long-password")  # a new password revokes every token
    is_problem(status(good), 401)
    with transaction(org) as s:  # each refused use of a known token is in the log too
        statuses = [u.status for u in s.scalars(select(ApiTokenUse).join(ApiToken).where(
            ApiToken.token_hash == tok.digest(good)).order_by(ApiTokenUse.id))]
    assert statuses == [200, 401]


def test_every_use_is_recorded_and_only_the_hash_is_kept(api, org, data):
    a = api("auditor")
    a.get("/api/v1/units")
    a.get(f"/api/v1/cases/{data['R']}")
    a.get("/api/v1/cases/KN-X-2026-000001")
    with transaction(org) as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == hashlib.sha256(a.secret.encode()).hexdigest()))
        assert row is not None and a.secret not in (row.name, row.prefix, row.token_hash) and row.uses == 3
        assert row.last_used_at is not None and row.role == "auditor"
        uses = [(u.method, u.path, u.status) for u in
                s.scalars(select(ApiTokenUse).where(ApiTokenUse.token_id == row.id).order_by(ApiTokenUse.id))]
    assert uses == [("GET", "/api/v1/units", 200), ("GET", f"/api/v1/cases/{data['R']}", 200),
                    ("GET", "/api/v1/cases/KN-X-2026-000001", 404)]


def test_rate_limit_per_token(app, api, monkeypatch, data):
    import web.api
    monkeypatch.setattr(web.api, "RATE_LIMIT", 3)
    a, b = api("clerk1"), api("leader1")
    assert [a.get("/api/v1/units").status_code for _ in range(3)] == [200, 200, 200]
    r = a.get("/api/v1/units")
    body = is_problem(r, 429)
    assert 1 <= int(r.headers["Retry-After"]) <= 60 and "3" in body["detail"]
    assert b.get("/api/v1/units").status_code == 200  # another token has its own budget
    # refused requests do not count: once the minute has passed the token works again,
    # however often it was refused meanwhile (the app's clock moves, the use log is real)
    app.extensions["petitions_now"] = NOW + timedelta(seconds=30)
    for _ in range(5):
        r = a.get("/api/v1/units")
        is_problem(r, 429)
    assert r.headers["Retry-After"] == "30"  # when the first served use leaves the minute
    app.extensions["petitions_now"] = NOW + timedelta(seconds=61)
    assert a.get("/api/v1/units").status_code == 200


def test_tokens_page_creates_shows_once_and_revokes(as_user, browser, app, org):
    b = as_user("dept1")
    page = b.get("/tokens")
    assert page.status_code == 200
    assert b.post("/tokens", {"name": "Hệ thống một cửa", "days": "30"}, token=False).status_code == 400  # no CSRF
    r = b.post("/tokens", {"name": "Hệ thống một cửa", "days": "30"})
    assert r.status_code == 201
    import re
    secret = re.search(r'id="token-secret">(pt_[\w-]+)<', r.get_data(as_text=True)).group(1)
    listing = b.get("/tokens").get_data(as_text=True)
    assert "Hệ thống một cửa" in listing and secret not in listing and secret[:10] in listing
    assert b.post("/tokens", {"name": "x", "days": "0"}).status_code == 400
    assert b.post("/tokens", {"name": "", "days": "5"}).status_code == 400
    c = app.test_client()
    assert c.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    with transaction(org) as s:
        row = s.scalar(select(ApiToken).where(ApiToken.name == "Hệ thống một cửa"))
        assert row.role == "department" and row.expires_at == NOW + timedelta(days=30)
        token_id = row.id
    # another user cannot revoke it
    other = as_user("clerk1")
    assert other.post(f"/tokens/{token_id}/revoke", {}).status_code == 404
    assert c.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert b.post(f"/tokens/{token_id}/revoke", {}).status_code == 302
    is_problem(c.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}), 401)


# -- the rest: calendar, org tree, reports, sessions ---------------------------------------
def test_calendar_units_reports_sessions(api, data, org):
    from engine.reports.appendix2 import appendix2
    r = api("dept1").get("/api/v1/calendar/deadline", query_string={"start": "2026-04-24", "days": 10})
    assert r.status_code == 200, r.get_data(as_text=True)
    d = r.get_json()
    assert d["due_date"] > "2026-05-08" and any(x["date"] == "2026-04-30" for x in d["skipped"])
    assert {u["code"] for u in api("clerk1").get("/api/v1/units").get_json()["items"]} == {"C1", "C1-D1", "C1-D2"}
    assert {u["code"] for u in api("deptc2").get("/api/v1/units").get_json()["items"]} == {"C2-D1"}
    q = {"from": "2026-01-01", "to": "2026-11-20"}
    rep = api("auditor").get("/api/v1/reports/appendix2", query_string=q).get_json()
    with transaction(org) as s:
        want = appendix2(s, "P", "2026-01-01", "2026-11-20")
    assert rep["unit"] == "P" and rep["from"] == "2026-01-01"
    assert rep["figures"] == {k: dict(v) for k, v in want.figures.items()}
    is_problem(api("clerk1").get("/api/v1/reports/appendix2", query_string=q), 403)
    is_problem(api("leader1").get("/api/v1/reports/appendix2", query_string={**q, "unit": "C2"}), 404)
    is_problem(api("auditor").get("/api/v1/reports/appendix2", query_string={"from": "2026-02-01", "to": "2026-01-01"}), 400)
    ot = api("leader1").get("/api/v1/reports/ontime", query_string={**q, "by": "department"})
    assert ot.status_code == 200 and ot.get_json()["unit"] == "C1"
    assert {t["clock"] for t in ot.get_json()["totals"]} == {"conclusion", "resolution"}
    conclusion = next(t for t in ot.get_json()["totals"] if t["clock"] == "conclusion")
    assert conclusion["met_on_time"] == 2  # A1, A2 concluded within 10 working days
    s1 = api("clerk1")
    assert [x["unit"] for x in s1.get("/api/v1/sessions").get_json()["items"]] == ["C1"]
    assert api("clerk2").get("/api/v1/sessions").get_json()["items"] == []
    new = s1.post("/api/v1/sessions", json={"kind": "reception_periodic", "held_on": "2026-11-16", "people": 3,
                                            "chair": "Bí thư"})
    assert new.status_code == 201 and new.get_json()["unit"] == "C1" and new.get_json()["people"] == 3
    is_problem(s1.post("/api/v1/sessions", json={"kind": "reception_periodic", "held_on": "2026-11-16",
                                                 "unit": "C2"}), 403)
    is_problem(api("dept1").post("/api/v1/sessions", json={"kind": "reception_periodic", "held_on": "2026-11-16"}), 403)
    is_problem(s1.post("/api/v1/sessions", json={"kind": "party", "held_on": "2026-11-16"}), 400)
    # an external reference names one record: the second is a 409 problem, not a server error
    ref = {"kind": "reception_periodic", "held_on": "2026-11-17", "external_ref": "MC-2026-1"}
    assert s1.post("/api/v1/sessions", json=ref).status_code == 201
    assert is_problem(s1.post("/api/v1/sessions", json=ref), 409)["field"] == "external_ref"
    case = {"unit": "C1", "summary": "Hỏi về trợ cấp", "received_on": "2026-11-19", "external_ref": "MC-2026-2"}
    assert s1.post("/api/v1/cases", json=case).status_code == 201
    is_problem(s1.post("/api/v1/cases", json=case), 409)


def test_export_a_case_with_its_history(api, data):
    clerk = api("clerk1").get(f"/api/v1/cases/{data['A1']}/export")
    assert clerk.status_code == 200, clerk.get_data(as_text=True)
    doc = clerk.get_json()
    assert doc["format"] == "petitions.case" and doc["version"] == 1 and doc["source"]["unit"] == "C1"
    assert [e["action"] for e in doc["history"]] == ["receive", "conclude"]
    first, second = doc["history"]
    assert second["prev_hash"] == first["hash"] and second["seq"] == 2  # the chain's links travel with it
    assert doc["case"]["petitioners"][0]["name"] == "Trần Thị Bích"
    audit = api("auditor").get(f"/api/v1/cases/{data['A1']}/export")
    assert audit.status_code == 200 and "Trần Thị Bích" not in audit.get_data(as_text=True)
    is_problem(api("clerk2").get(f"/api/v1/cases/{data['A1']}/export"), 404)


def test_plan_record_read_sessions_and_the_compliance_report(api, data, org):
    from engine.reports.compliance import compliance_report
    clerk = api("clerk1")
    planned = clerk.post("/api/v1/sessions/plan", json={"kind": "reception_periodic", "on": "2026-11-25",
                                                         "chair": "Bí thư", "chair_role": "party_secretary", "place": "Trụ sở xã",
                                                         "starts_at": "07:30", "ends_at": "11:00"})
    assert planned.status_code == 201, planned.get_data(as_text=True)
    p = planned.get_json()
    assert (p["status"], p["held_on"], p["unit"], p["starts_at"]) == ("planned", "2026-11-25", "C1", "07:30")
    is_problem(clerk.post("/api/v1/sessions/plan", json={"kind": "reception_periodic", "on": "2026-11-02",
                                                         "chair": "Bí thư", "chair_role": "party_secretary", "place": "Trụ sở xã"}), 400)  # passed
    is_problem(clerk.post("/api/v1/sessions/plan", json={"kind": "reception_periodic", "on": "2026-11-25",
                                                         "chair": "Bí thư", "chair_role": "party_secretary", "place": "X", "unit": "C2"}), 403)
    is_problem(api("leader1").post("/api/v1/sessions/plan", json={"kind": "reception_periodic", "on": "2026-11-25",
                                                                  "chair": "Bí thư", "chair_role": "party_secretary", "place": "X"}), 403)
    sid = p["id"]
    assert api("auditor").get(f"/api/v1/sessions/{sid}").get_json()["id"] == sid
    is_problem(api("clerk2").get(f"/api/v1/sessions/{sid}"), 404)  # another commune's
    # a planned day still to come cannot be recorded as held; a past one can, with the version read
    is_problem(clerk.post(f"/api/v1/sessions/{sid}/held", json={"people": 4}), 400)
    earlier = clerk.post("/api/v1/sessions/plan", json={"kind": "reception_periodic", "on": "2026-11-20",
                                                        "chair": "Bí thư", "chair_role": "party_secretary", "place": "Trụ sở xã"}).get_json()
    is_problem(clerk.post(f"/api/v1/sessions/{earlier['id']}/held", json={"people": 4, "version": 99}), 400)
    done = clerk.post(f"/api/v1/sessions/{earlier['id']}/held", json={"people": 4, "version": earlier["version"]})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert (done.get_json()["status"], done.get_json()["people"]) == ("held", 4)
    moved = clerk.post(f"/api/v1/sessions/{sid}/reschedule", json={"on": "2026-11-27", "reason": "Trùng lịch họp",
                                                                    "version": p["version"]})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert (moved.get_json()["held_on"], moved.get_json()["status"]) == ("2026-11-27", "planned")
    is_problem(clerk.post(f"/api/v1/sessions/{sid}/cancel", json={"reason": "x", "version": p["version"]}), 400)
    is_problem(api("clerk2").post(f"/api/v1/sessions/{sid}/cancel", json={"reason": "x"}), 404)
    gone = clerk.post(f"/api/v1/sessions/{sid}/cancel", json={"reason": "Bí thư đi công tác",
                                                             "version": moved.get_json()["version"]})
    assert gone.status_code == 200 and gone.get_json()["status"] == "cancelled"
    is_problem(clerk.post(f"/api/v1/sessions/{sid}/cancel", json={"reason": "again"}), 400)  # not planned any more
    q = {"from": "2026-01-01", "to": "2026-11-20"}
    rep = api("auditor").get("/api/v1/reports/compliance", query_string=q)
    assert rep.status_code == 200, rep.get_data(as_text=True)
    with transaction(org) as s:
        want = compliance_report(s, "P", "2026-01-01", "2026-11-20", as_of=NOW.date()).to_dict()
    got = rep.get_json()
    assert got["totals"] == want["totals"] and got["rows"] == want["rows"] and got["from"] == "2026-01-01"
    assert any(r["held"] for r in got["rows"])  # the numbers are not all zero: the comparison can fail
    is_problem(api("dept1").get("/api/v1/reports/compliance", query_string=q), 403)
    is_problem(api("clerk1").get("/api/v1/reports/compliance", query_string={**q, "unit": "C2"}), 404)


def test_a_case_moves_to_another_unit_by_export_and_import(api, data, org):
    doc = api("clerk1").get(f"/api/v1/cases/{data['A1']}/export").get_json()
    doc["case"]["received_on"] = doc["case"]["received_on"]
    clerk2 = api("clerk2")
    r = clerk2.post("/api/v1/cases/import", json={"unit": "C2", "received_on": "2026-11-19", "document": doc})
    assert r.status_code == 201, r.get_data(as_text=True)
    new = r.get_json()
    assert new["code"].startswith("KN-C2-2026-") and new["unit"] == "C2" and new["state"] == "received"
    assert new["summary"] == "Tranh chấp ranh giới đất" and new["petitioners"][0]["name"] == "Trần Thị Bích"
    first = new["events"][0]
    moved = first["data"]["received_from"]
    assert moved["code"] == data["A1"] and [e["action"] for e in moved["history"]] == ["receive", "conclude"]
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == new["code"]))
        assert p.external_ref == f"petitions:{data['A1']}"
        from engine.persistence import eventlog
        assert eventlog.verify(s, p) == []  # the new case's own chain holds
    is_problem(clerk2.post("/api/v1/cases/import", json={"unit": "C2", "document": doc}), 409)  # once only
    is_problem(api("clerk1").post("/api/v1/cases/import", json={"unit": "C2", "document": doc}), 403)
    is_problem(api("auditor").post("/api/v1/cases/import", json={"unit": "P", "document": doc}), 403)
    bad = dict(doc, format="something.else")
    is_problem(clerk2.post("/api/v1/cases/import", json={"unit": "C2", "document": bad}), 400)


def test_nul_characters_are_bad_input_on_every_database(api, data):
    a = api("admin")
    is_problem(a.get("/api/v1/cases", query_string={"q": "ab\x00c"}), 400)
    is_problem(a.get("/api/v1/cases", query_string={"unit": "C\x001"}), 400)
    is_problem(a.get("/api/v1/cases/KN-C1\x00"), 400)
    is_problem(a.post("/api/v1/sessions", json={"kind": "reception_periodic", "held_on": "2026-11-16",
                                                "unit": "C1", "chair": "B\u0000"}), 400)


def test_an_admin_sees_and_revokes_every_users_tokens(as_user, app, org):
    secret = make_token(org, "leader1")
    c = app.test_client()
    assert c.get("/api/v1/units", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    page = as_user("clerk1").get("/tokens").get_data(as_text=True)
    assert "all-tokens" not in page and secret[:10] not in page  # a user sees only their own
    admin = as_user("admin")
    page = admin.get("/tokens").get_data(as_text=True)
    assert 'id="all-tokens"' in page and "leader1" in page and secret[:10] in page and secret not in page
    with transaction(org) as s:
        from engine.services.tokens import find_token
        tid = find_token(s, secret).id
    assert admin.post(f"/tokens/{tid}/revoke", {}).status_code == 302
    is_problem(c.get("/api/v1/units", headers={"Authorization": f"Bearer {secret}"}), 401)


def test_dates_outside_this_era_are_bad_input(api, data):
    clerk = api("clerk1")
    is_problem(clerk.post("/api/v1/cases", json={"unit": "C1", "summary": "x", "received_on": "0001-01-01"}), 400)
    is_problem(clerk.get("/api/v1/calendar/deadline", query_string={"start": "9999-12-31", "days": 1}), 400)
    r = clerk.post(f"/api/v1/cases/{data['R']}/actions/conclude", json={"params": {}, "at": "0001-01-01T00:00:00+14:00"},
                   headers={"If-Match": '"1"'})
    assert r.status_code == 400, r.get_data(as_text=True)
