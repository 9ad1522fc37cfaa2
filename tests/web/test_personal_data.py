"""Personal data, swept: on the demo data every demo user crawls what the navigation and each
page's links reach (pages, drill-downs, print views, downloads; the log book over a wide range;
search by a petitioner's name) and no petitioner's name, address, phone or e-mail - taken from
the database - appears where the policy (engine.workflow.policy) hides it: for auditors,
nowhere. The URLs are discovered by crawling, so pages added later are swept too. Roles that
may see personal data must actually see some, so the sweep can fail; they must not see the
identity of a denouncer in a case they read but do not handle. The e-mails and digest
built for an auditor are checked the same way.

The crawl is breadth-first and bounded: at most PER_SHAPE URLs of one shape (the path with
codes and ids replaced, the query's parameter names, the download format) and MAX_PAGES per user.
"""
from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections import deque
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import pytest
from sqlalchemy import select, update

from engine.persistence.db import make_engine, transaction
from engine.persistence.migrate import upgrade
from tests.conftest import NOW

PER_SHAPE = 2
MAX_PAGES = 90
HREF = re.compile(r'href="([^"]*)"')
CODE_SEG = re.compile(r"^KN-[A-Za-z0-9-]+$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The `petitions demo` data after a tick (inbox items, reminders), with phone numbers on
    some petitioners (the demo gives none) and every auditor reading a digest."""
    from config.settings import Settings
    from engine.intake.demo import load_demo
    from engine.persistence.models import Petitioner, User
    from engine.scheduler.tick import tick
    from engine.services.petitions import Context
    from notifications.dispatcher import dispatch
    path = tmp_path_factory.mktemp("demo-personal")
    engine = make_engine(f"sqlite:///{path / 'demo.db'}")
    upgrade(engine)
    with transaction(engine) as s:
        load_demo(s, Context(now=NOW))
        for i, person in enumerate(s.scalars(select(Petitioner).order_by(Petitioner.id))):
            if i % 3 == 0:
                person.phone = f"09{person.id:08d}"
                if i % 2 == 0:  # some of them denounced: their identity is for the handlers only
                    person.petition.kind = "denunciation"
        s.execute(update(User).where(User.role == "auditor").values(notify_mode="digest"))
    res = tick(engine, now=NOW)
    dispatch(engine, res.outbox_ids, settings=Settings(var_dir=path / "var", smtp_host=None), now=NOW)
    yield engine, path
    engine.dispose()


def personal_values(engine) -> tuple[re.Pattern, dict]:
    """Every petitioner's name, address, phone and e-mail in the database, as one pattern
    (whole words: 'Thôn 1' does not match inside 'Thôn 10'), and the values by kind."""
    from engine.persistence.models import Petitioner
    with transaction(engine) as s:
        rows = s.execute(select(Petitioner.name, Petitioner.address, Petitioner.phone, Petitioner.email)).all()
    kinds = {"name": set(), "address": set(), "phone": set(), "email": set()}
    for row in rows:
        for kind, value in zip(kinds, row):
            if value and value.strip():
                kinds[kind].add(value.strip())
    values = sorted(set().union(*kinds.values()), key=len, reverse=True)
    assert kinds["name"] and kinds["address"] and kinds["phone"] and kinds["email"], kinds
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in values) + r")(?!\w)"), kinds


def denouncers_hidden_from(engine, username: str) -> tuple[re.Pattern | None, list[str]]:
    """For a reader who may see personal data: the phones and e-mails (unique to a person)
    of denouncers in cases the reader may read but does not handle, and those cases' pages."""
    from engine.persistence.models import Petition, Petitioner, User
    from engine.persistence.scope import can_read
    from engine.workflow.policy import sees_personal_data
    with transaction(engine) as s:
        user = s.scalar(select(User).where(User.username == username))
        hidden, shown, pages = set(), set(), []
        for p in s.scalars(select(Petition).order_by(Petition.id)):
            values = {v for x in p.petitioners for v in (x.phone, x.email) if v}
            if p.kind == "denunciation" and can_read(s, user, p) and not sees_personal_data(user, p):
                hidden |= values
                if len(pages) < 3:
                    pages.append(f"/petitions/{p.code}")
            elif p.kind != "denunciation" or sees_personal_data(user, p):
                shown |= values
    hidden -= shown
    if not hidden:
        return None, []
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in sorted(hidden)) + r")(?!\w)"), pages


def readable_text(resp) -> str:
    """What the reader gets: HTML/CSV/JSON as text (entities and \\u escapes decoded), an
    XLSX as the text of its sheets and shared strings."""
    ctype = resp.headers.get("Content-Type", "")
    data = resp.get_data()
    if data[:2] == b"PK":  # xlsx (a zip of XML parts)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return html.unescape(" ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                                          if n.endswith(".xml")))
    text = data.decode("utf-8-sig", "replace")
    if "json" in ctype:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return html.unescape(text)


def shape(url: str) -> tuple:
    parts = urlsplit(url)
    segs = tuple("<code>" if CODE_SEG.match(s) else "<n>" if s.isdigit() else s for s in parts.path.split("/"))
    q = dict(parse_qsl(parts.query))
    return segs, tuple(sorted(q)), q.get("format"), q.get("print")


def links(url: str, body: str) -> list[str]:
    out = []
    for href in HREF.findall(body):
        href = html.unescape(href)
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        full = urljoin(url, href)
        parts = urlsplit(full)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
            continue
        if parts.path.startswith("/static/"):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def crawl(browser, seeds: list[str], pattern: re.Pattern, hidden: re.Pattern | None = None) -> dict:
    """Breadth-first over same-site links from the seeds. Returns {url: (status, found
    personal values, found `hidden` values)} for every URL fetched. What the reader typed into the URL (a search
    for a name) is echoed back, not disclosed: the URL's own query values are removed from
    the text before it is checked."""
    seen_shapes: dict[tuple, int] = {}
    queue = deque(seeds)
    queued = set(seeds)
    out: dict[str, tuple[int, set]] = {}
    while queue and len(out) < MAX_PAGES:
        url = queue.popleft()
        key = shape(url)
        if seen_shapes.get(key, 0) >= PER_SHAPE and url not in seeds:
            continue
        seen_shapes[key] = seen_shapes.get(key, 0) + 1
        resp = browser.c.get(url)  # raw: a download is not text
        text = readable_text(resp)
        for _, value in parse_qsl(urlsplit(url).query):
            if value.strip():
                text = text.replace(value, " ").replace(html.escape(value), " ")
        out[url] = (resp.status_code, set(pattern.findall(text)), set(hidden.findall(text)) if hidden else set())
        if resp.status_code == 200 and "text/html" in resp.headers.get("Content-Type", ""):
            for link in links(url, resp.get_data(as_text=True)):
                if link not in queued:
                    queued.add(link)
                    queue.append(link)
    return out


# The sweep grows with every page the product gains (that is its point): the timeout is a
# guard against a hang, not a speed target, so it is wider than the suite's 300 s.
@pytest.mark.timeout(1200)
def test_no_personal_data_where_the_policy_hides_it(demo, tmp_path):
    from config.settings import Settings
    from engine.intake.demo import DEMO_PASSWORD, USERS
    from engine.workflow.policy import sees_personal_data
    from web import create_app
    from tests.web.conftest import Browser
    engine, _ = demo
    pattern, kinds = personal_values(engine)
    app = create_app(engine=engine, settings=Settings(var_dir=tmp_path / "var", secret_key="t" * 40),
                     now=NOW, testing=True)
    a_name = sorted(kinds["name"])[0]
    seeds = ["/", "/logbook?date_from=01/01/2025&date_to=31/12/2026", f"/petitions?q={a_name}",
             f"/overview?q={a_name}"]
    seen_by_role: dict[str, set] = {}
    readers_of_denunciations: set[str] = set()
    checked_roles = set()
    for username, role, _unit, _full in USERS:
        b = Browser(app.test_client())
        assert b.login(username, DEMO_PASSWORD).status_code == 302, username
        hidden, denunciations = (denouncers_hidden_from(engine, username) if sees_personal_data(role)
                                 else (None, []))
        pages = crawl(b, seeds + denunciations, pattern, hidden)
        assert len(pages) >= 5, (username, pages)
        shown_but_closed = {u: st for u, (st, _, _) in pages.items() if st in (403, 404, 500)
                            and u not in seeds}
        assert not shown_but_closed, (username, "links that do not open", shown_but_closed)
        found = set().union(*(f for _, f, _ in pages.values()))
        denouncers = {u: sorted(d) for u, (_, _, d) in pages.items() if d}
        assert not denouncers, (username, role, "a denouncer's identity outside those handling the case", denouncers)
        if denunciations:
            readers_of_denunciations.add(username)
        checked_roles.add(role)
        seen_by_role.setdefault(role, set()).update(found)
        if not sees_personal_data(role):
            leaks = {u: sorted(f) for u, (_, f, _) in pages.items() if f}
            assert not leaks, (username, role, leaks)
            downloads = [u for u in pages if "format=" in u]
            assert downloads, (username, "the crawl reached no download", sorted(pages))
            assert any("items" in u for u in pages), (username, "no drill-down reached", sorted(pages))
            assert any("print=" in u for u in pages), (username, "no print view reached", sorted(pages))
    assert {"auditor", "clerk", "department", "leader", "admin"} <= checked_roles
    assert readers_of_denunciations, "no reader was checked against denunciations they do not handle"
    for role in ("clerk", "department", "leader", "admin"):
        assert seen_by_role[role], f"no {role} saw any personal data: the sweep would not notice a leak"


def _rows(body: str) -> set[str]:
    return set(re.findall(r'href="/petitions/(KN-[^"]+)"', body))


def test_auditor_search_by_a_name_finds_nothing_personal(demo, tmp_path):
    """The demo's petitioners' names pick out their cases for a leader; for an auditor a
    name matches nothing, while words of the summary still do (accent-insensitively)."""
    from config.settings import Settings
    from engine.intake.demo import DEMO_PASSWORD
    from engine.language.text import fold
    from web import create_app
    from tests.web.conftest import Browser
    engine, _ = demo
    app = create_app(engine=engine, settings=Settings(var_dir=tmp_path / "var", secret_key="t" * 40),
                     now=NOW, testing=True)
    leader, auditor = Browser(app.test_client()), Browser(app.test_client())
    assert leader.login("bithu.tinh", DEMO_PASSWORD).status_code == 302
    assert auditor.login("ubkt", DEMO_PASSWORD).status_code == 302
    for q in ("Đỗ Văn Lực", fold("Đỗ Văn Lực"), "Lực", "LUC"):
        for url in (f"/petitions?q={q}", f"/overview?q={q}"):
            assert _rows(leader.get(url).get_data(as_text=True)), (url, "the leader finds the person's cases")
            assert not _rows(auditor.get(url).get_data(as_text=True)), (url, "an auditor re-identifies a person")
    for q in ("ô nhiễm", "O NHIEM", "tiếng ồn"):
        assert _rows(auditor.get(f"/petitions?q={q}").get_data(as_text=True)), q


def test_mail_and_digest_for_an_auditor_carry_no_personal_data(demo):
    """Every message the tick and the digest built for an auditor (reminders, the daily
    digest), rendered as sent, has no petitioner's data."""
    from engine.persistence.models import OutboxMessage, User
    from engine.scheduler.digest import build_digests
    from notifications.render import compose
    engine, _ = demo
    pattern, _kinds = personal_values(engine)
    build_digests(engine, now=NOW)
    with transaction(engine) as s:
        rows = s.execute(select(OutboxMessage.kind, OutboxMessage.lang, OutboxMessage.to_email, OutboxMessage.context)
                         .join(User, User.id == OutboxMessage.recipient_user_id)
                         .where(User.role == "auditor", OutboxMessage.kind != "letter_task")).all()
    assert any(r.kind == "digest" for r in rows), "no digest was built for an auditor"
    for kind, lang, to, context in rows:
        if not context or "reason" in context:  # a skipped rung carries no message
            continue
        msg = compose(kind, lang, to, context)
        found = pattern.findall(html.unescape(msg.subject + msg.text + msg.html))
        assert not found, (kind, found)


def test_policy_masks_personal_fields_for_auditors_only():
    """The policy itself: an auditor's copy of a context loses every personal field, at any
    depth; the roles that handle cases get it unchanged."""
    from engine.workflow.policy import mask_personal, sees_personal_data
    ctx = {"recipient_name": "Võ Thị Lan", "petitioner_name": "Đỗ Văn Lực", "petitioner_address": "Thôn 10",
           "items": [{"code": "KN-1", "petitioners": [{"name": "Đỗ Văn Lực"}]}], "clock": {"name": "resolution"}}
    masked = mask_personal("auditor", ctx)
    assert "Lực" not in json.dumps(masked, ensure_ascii=False) and "Thôn 10" not in json.dumps(masked, ensure_ascii=False)
    assert masked["clock"] == {"name": "resolution"} and masked["items"][0]["code"] == "KN-1"
    assert ctx["petitioner_name"] == "Đỗ Văn Lực"  # the original is not changed
    for role in ("clerk", "department", "leader", "admin"):
        assert sees_personal_data(role) and mask_personal(role, ctx) == ctx
    assert not sees_personal_data("auditor")
