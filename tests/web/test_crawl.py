"""The safety net (issue 12): on the demo data (the `petitions demo` seed after a tick, so the
inbox has items), EVERY demo user signs in and crawls - GET only - what the navigation and
each page link to (lists, case pages, sessions, reports, drill-downs, print views, downloads,
the inbox) and what each page's GET forms ask for, in Vietnamese and in English, on SQLite
and PostgreSQL. The crawl fails on:

- a server error (5xx or an exception) and a link the page offers that does not open (4xx);
- an error or template artefact in the page: a traceback, an unformatted placeholder ("%(n)d",
  "{{", "%%");
- "None", "NaN", True/False, a long float (0,8571428) or a programme key (in_resolution,
  dialogue_periodic) in what the reader sees; in a CSV or a spreadsheet's text cells, "None",
  "nan" or a long float;
- in Vietnamese pages: English words of the interface (a list below) in what the reader sees;
- in English pages: Vietnamese in the interface's chrome (headings, labels, buttons, table
  headers, the navigation and header, options, placeholders), once the people's and units'
  own names and texts (every NFC text column in the database: they are data) are taken out;
- a page whose <html lang> is not the language chosen.

The URLs are discovered, so a page added later is crawled without editing this file. The
crawl is breadth-first and bounded: at most PER_SHAPE URLs of one shape (the path with codes
and ids replaced, the query's parameter names and its mode values) and MAX_PAGES per user.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from sqlalchemy import select

from engine.persistence.db import make_engine, transaction
from engine.persistence.migrate import upgrade
from tests.conftest import NOW, fresh_pg_engine

PER_SHAPE = 2
MAX_PAGES = 60
MODE_PARAMS = ("format", "print", "by", "period", "show")  # their values make a page of another kind
CODE_SEG = re.compile(r"^KN-[A-Za-z0-9-]+$")
MISSING = "/no-such-page"
NOT_FOLLOWED = re.compile(r"/(logout|lang|static)(/|$)|/act/|/mark")  # POST-only or not a page

# What the reader must never see, in either language.
ARTEFACTS = [
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"\b(?:nan|NaN)\b"), "NaN"),
    (re.compile(r"\b(?:True|False)\b"), "True/False"),
    (re.compile(r"\d+[.,]\d{5,}"), "a long float"),
    (re.compile(r"\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d\S*)?"), "a date not written dd/mm/yyyy"),
    (re.compile(r"(?<![\w@./-])[a-z]+(?:_[a-z0-9]+)+(?![\w@/-])"), "a programme key"),
]
TEMPLATE_ERRORS = re.compile(r"Traceback \(most recent|jinja2\.|UndefinedError|\{\{|\{%|%\(\w+\)[sdif]|\d%%|%% ")
DOWNLOAD_ARTEFACTS = [(re.compile(r"\bNone\b"), "None"), (re.compile(r"\b(?:nan|NaN)\b"), "NaN"),
                      (re.compile(r"\d+[.,]\d{5,}"), "a long float")]
# English words of the interface that must not show through a Vietnamese page (whole words,
# any case). Usernames (admin, vanthu...), codes and format names (CSV, XLSX) are not in it.
ENGLISH = re.compile(r"\b(?:" + "|".join([
    "province", "department", "commune", "received", "resolved", "overdue", "met", "late",
    "extended", "provisional", "escalated", "closed", "reopened", "referred", "withdrawn",
    "Page", "Next", "Previous", "None", "True", "False", "null", "yes",
    "petition", "petitions", "dialogue", "reception", "session", "deadline", "due", "summary",
    "category", "unit", "state", "clerk", "leader", "auditor", "search", "filter", "download",
    "print", "back", "total", "month", "year", "report", "interval", "median", "percentile",
    "working days", "on time", "unread", "inbox", "sign out", "success", "failed", "nothing here",
]) + r")\b", re.IGNORECASE)
# A letter only Vietnamese writes. The name of the regulation and the language switch are
# Vietnamese on purpose.
VIETNAMESE = re.compile(r"[^\W\d_]*[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ][^\W\d_]*",
                        re.IGNORECASE)
MEANT_VIETNAMESE = re.compile(r"\S*[-/]QĐ\S*|\S*QĐ[-/]\S*|Tiếng Việt")  # 11-QĐi/TW, 188/1999/QĐ-TTg

URL = re.compile(r"https?://\S+")
CHROME = {"th", "label", "button", "legend", "caption", "summary", "dt", "h1", "h2", "h3", "nav", "header",
          "title", "option"}
SHOWN_ATTRS = ("placeholder", "title", "aria-label", "data-label", "alt")
SKIPPED = {"script", "style", "code", "kbd", "samp"}  # commands and codes are not words
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """The reader's text of a page (all of it, and the chrome's part of it), its links, its
    GET forms and its <html lang>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.options: list[str] = []
        self.chrome: list[str] = []
        self.links: list[str] = []
        self.forms: list[dict] = []
        self.lang = None
        self._select = None

    def _shown(self, value, tag=None):
        stack = self.stack + ([tag] if tag else [])
        if not value.strip() or any(t in SKIPPED for t in stack):
            return
        self.text.append(value)
        if any(t in CHROME for t in stack):
            self.chrome.append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for name in SHOWN_ATTRS:
            if a.get(name):
                self._shown(a[name], tag="label" if name in ("placeholder", "aria-label", "data-label") else tag)
        if tag == "form" and (a.get("method") or "get").lower() == "get":
            self.forms.append({"action": a.get("action") or "", "fields": [], "selects": []})
        form = self.forms[-1] if self.forms and "form" in self.stack + [tag] else None
        if form is not None and tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind not in ("checkbox", "radio", "submit", "button") or "checked" in a:
                form["fields"].append((a["name"], a.get("value") or ""))
        if form is not None and tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "options": [], "selected": None}
            form["selects"].append(self._select)
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a or self._select["selected"] is None:
                self._select["selected"] = value if "selected" in a or self._select["selected"] is None else self._select["selected"]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag in self.stack:
            while self.stack:
                if self.stack.pop() == tag:
                    break

    def handle_data(self, data):
        self._shown(data)
        if self.stack and self.stack[-1] == "option":
            self.options.append(data.strip())


def form_urls(base: str, form: dict) -> list[str]:
    """A GET form as sent with what it shows, and once with each other option of each
    short select (a report grouped by unit, by month...)."""
    action = urljoin(base, form["action"] or urlsplit(base).path)  # a GET form replaces the query
    fields = list(form["fields"]) + [(s["name"], s["selected"] or "") for s in form["selects"]]
    out = [f"{action}?{urlencode(fields)}"]
    for s in form["selects"]:
        if len(s["options"]) <= 8:
            for value in s["options"]:
                if value != s["selected"]:
                    changed = [(k, value if k == s["name"] else v) for k, v in fields]
                    out.append(f"{action}?{urlencode(changed)}")
    return out


def local(url: str, href: str) -> str | None:
    href = html.unescape(href)
    if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
        return None
    parts = urlsplit(urljoin(url, href))
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost") or NOT_FOLLOWED.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def shape(url: str) -> tuple:
    parts = urlsplit(url)
    segs = tuple("<code>" if CODE_SEG.match(s) else "<n>" if s.isdigit() else s for s in parts.path.split("/"))
    q = dict(parse_qsl(parts.query, keep_blank_values=True))
    return segs, tuple(sorted(q)), tuple(q.get(k) for k in MODE_PARAMS)


def download_text(resp) -> str | None:
    """A CSV's text, or the text cells of a spreadsheet (numbers in a spreadsheet are
    numbers: its cell format shows them). None for other downloads (JSON is for machines)."""
    ctype = resp.headers.get("Content-Type", "")
    data = resp.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                           if n.endswith("sharedStrings.xml") or n.startswith("xl/worksheets/"))
        return html.unescape(" ".join(re.findall(r"<t[^>]*>([^<]*)</t>", xml)))
    if "csv" in ctype:
        return data.decode("utf-8-sig", "replace")
    return None


def data_pattern(engine) -> re.Pattern:
    """Every value of every NFC text column (names, addresses, summaries, chairs, notes,
    notice numbers...): what people typed, which may be Vietnamese in an English page."""
    from engine.persistence.models import Base
    values = set()
    with transaction(engine) as s:
        for table in Base.metadata.sorted_tables:
            for col in table.columns:
                if type(col.type).__name__.startswith("NFC"):
                    values.update(v.strip() for v in s.scalars(select(col).distinct()) if v and v.strip())
    ordered = sorted(values, key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in ordered))


def check_page(url: str, lang: str, resp, data: re.Pattern) -> list[str]:
    body = resp.get_data(as_text=True)
    found = []
    m = TEMPLATE_ERRORS.search(body)
    if m:
        found.append(f"template artefact {m.group(0)!r} near {body[max(0, m.start() - 60):m.end() + 60]!r}")
    page = Page()
    page.feed(body)
    if page.lang != lang:
        found.append(f"<html lang={page.lang!r}> in a {lang} page")
    text = URL.sub(" ", " ".join(page.text))  # a link written out (in a notice's text) is not words
    if lang == "en" and "None" in page.options:  # "Group by: None" is English, not an artefact
        text = text.replace("None", " ")
    for pattern, what in ARTEFACTS:
        for hit in sorted(set(pattern.findall(text)))[:5]:
            found.append(f"{what}: {hit!r}")
    if lang == "vi":
        for hit in sorted({h.lower() for h in ENGLISH.findall(text)})[:8]:
            found.append(f"English in a Vietnamese page: {hit!r}")
    else:
        chrome = MEANT_VIETNAMESE.sub(" ", data.sub(" ", " ".join(page.chrome)))
        for hit in sorted(set(VIETNAMESE.findall(chrome)))[:8]:
            found.append(f"Vietnamese in an English page's chrome: {hit!r}")
    return found


def crawl(browser, lang: str, data: re.Pattern) -> tuple[dict, list]:
    """Breadth-first from the home page (and a page that does not exist: the error page is
    read like any other). Returns ({url: status}, [(url, problem)])."""
    seen_shapes: dict[tuple, int] = {}
    queue, queued = deque(["/", MISSING]), {"/", MISSING}
    statuses, problems = {}, []
    while queue and len(statuses) < MAX_PAGES:
        url = queue.popleft()
        key = shape(url)
        if seen_shapes.get(key, 0) >= PER_SHAPE:
            continue
        seen_shapes[key] = seen_shapes.get(key, 0) + 1
        try:
            resp = browser.c.get(url)
        except Exception as exc:  # noqa: BLE001 - the app raised: a server error
            statuses[url] = 500
            problems.append((url, f"raised {type(exc).__name__}: {exc}"))
            continue
        statuses[url] = resp.status_code
        if url == MISSING:
            if resp.status_code != 404:
                problems.append((url, f"HTTP {resp.status_code} for a page that does not exist"))
        elif resp.status_code >= 400:
            problems.append((url, f"HTTP {resp.status_code}"))
        ctype = resp.headers.get("Content-Type", "")
        if "text/html" not in ctype:
            text = download_text(resp)
            if text is not None:
                for pattern, what in DOWNLOAD_ARTEFACTS:
                    for hit in sorted(set(pattern.findall(text)))[:5]:
                        problems.append((url, f"download: {what}: {hit!r}"))
            continue
        if resp.status_code != 200 and url != MISSING:
            continue
        problems.extend((url, p) for p in check_page(url, lang, resp, data))
        page = Page()
        page.feed(resp.get_data(as_text=True))
        found = [local(url, h) for h in page.links]
        for form in page.forms:
            found += [local(url, u) for u in form_urls(url, form)]
        for link in found:
            if link and link not in queued:
                queued.add(link)
                queue.append(link)
    return statuses, problems


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def demo(request, tmp_path_factory):
    """The demo data at the tests' clock after one tick and its dispatch, once per backend."""
    from config.settings import Settings
    from engine.intake.demo import load_demo
    from engine.scheduler.tick import tick
    from engine.services.petitions import Context
    from notifications.dispatcher import dispatch
    path = tmp_path_factory.mktemp("demo-crawl")
    engine = make_engine(f"sqlite:///{path / 'demo.db'}") if request.param == "sqlite" else fresh_pg_engine()
    upgrade(engine)
    with transaction(engine) as s:
        load_demo(s, Context(now=NOW))
    res = tick(engine, now=NOW)
    dispatch(engine, res.outbox_ids, settings=Settings(var_dir=path / "var", smtp_host=None), now=NOW)
    yield engine, path, data_pattern(engine)
    engine.dispose()


# The sweep grows with every page the product gains (that is its point): the timeout is a
# guard against a hang, not a speed target, so it is wider than the suite's 300 s.
@pytest.mark.timeout(1200)
def test_every_page_every_user_both_languages(demo):
    """One app for all: a template compiled while someone read Vietnamese is read in English
    next (and the other way round), as on a server."""
    from config.settings import Settings
    from engine.intake.demo import DEMO_PASSWORD, USERS
    from tests.web.conftest import Browser
    from web import create_app
    engine, path, data = demo
    app = create_app(engine=engine, settings=Settings(var_dir=path / "var", secret_key="c" * 40),
                     now=NOW, testing=True)
    report, kinds = [], set()
    for username, role, *_ in USERS:
        b = Browser(app.test_client())
        assert b.login(username, DEMO_PASSWORD).status_code == 302, username
        for lang in ("vi", "en"):
            assert b.post("/lang", {"lang": lang, "next": "/"}).status_code == 302
            statuses, problems = crawl(b, lang, data)
            assert len(statuses) >= 6, (username, lang, statuses)  # the crawl went somewhere: it can fail
            kinds.update(shape(u)[0][1] for u in statuses)
            report += [f"{username} ({role}) [{lang}] {url}: {what}" for url, what in problems]
    # every kind of page the demo has was reached by someone
    assert {"", "petitions", "sessions", "reports", "inbox", "logbook"} <= kinds, kinds
    assert not report, f"{len(report)} problems:\n" + "\n".join(report)


class _Resp:
    def __init__(self, body):
        self.body = body

    def get_data(self, as_text=False):
        return self.body


PLAIN = ('<!doctype html><html lang="{lang}"><head><title>{title}</title></head><body><header><nav class="main">'
         '<a href="/x">{nav}</a></nav></header><main><h1>{h1}</h1><table><tr><th>{th}</th></tr><tr><td>{td}</td></tr>'
         '</table><select name="by"><option value="">{option}</option></select>'
         '<p>{p}</p><code>in_resolution None</code></main></body></html>')


@pytest.mark.parametrize("lang, fields, expected", [
    ("vi", {}, None),
    ("en", {}, None),
    ("vi", {"td": "None"}, "None"),
    ("vi", {"p": "Tỉ lệ 0,8571428"}, "a long float"),
    ("en", {"td": "rate 0.8571428 %"}, "a long float"),
    ("vi", {"td": "nan"}, "NaN"),
    ("vi", {"td": "False"}, "True/False"),
    ("en", {"td": "in_resolution"}, "a programme key"),
    ("vi", {"td": "ngày 2026-11-20"}, "a date not written dd/mm/yyyy"),
    ("en", {"p": "checkpoint 2026-12-03T10:15:14.566628Z"}, "a date not written dd/mm/yyyy"),
    ("vi", {"p": "Có 3 hồ sơ %(n)d"}, "template artefact"),
    ("vi", {"p": "95%% khoảng"}, "template artefact"),
    ("vi", {"td": "Xã Một — commune"}, "English in a Vietnamese page: 'commune'"),
    ("vi", {"nav": "Next"}, "English in a Vietnamese page: 'next'"),
    ("vi", {"th": "Overdue"}, "English in a Vietnamese page: 'overdue'"),
    ("en", {"th": "Quá hạn"}, "Vietnamese in an English page's chrome"),
    ("en", {"h1": "Reception desk of Phòng Ma"}, "Vietnamese in an English page's chrome: 'Phòng'"),
    ("en", {"option": "Không"}, "Vietnamese in an English page's chrome: 'Không'"),
    ("en", {"title": "Petitions · Tra cứu"}, "Vietnamese in an English page's chrome"),
    ("vi", {"lang_attr": "en"}, "<html lang='en'> in a vi page"),
])
def test_the_checks_catch_what_they_are_for(lang, fields, expected):
    """The net itself: each check fires on a page made to trip it, and a clean page in each
    language passes. Data in an English page (a unit's name in a cell or a heading), the
    regulation's name, "None" as an English option, and code spans are not defects."""
    clean = {"vi": dict(title="Tra cứu", nav="Hộp thư", h1="Bàn tiếp công dân – Xã Một", th="Hạn",
                        td="Xã Một · 77,4 % · 20/11/2026", option="Không", p="Quy định 11-QĐi/TW"),
             "en": dict(title="Search", nav="Inbox", h1="Reception desk of Xã Một", th="Due",
                        td="Phòng Địa chính xã Một · 77.4% · 20/11/2026", option="None",
                        p="Regulation 11-QĐi/TW, Decision 188/1999/QĐ-TTg")}[lang]
    values = {**clean, **fields}
    page_lang = values.pop("lang_attr", lang)
    data = re.compile("Xã Một|Phòng Địa chính xã Một")
    found = check_page("/x", lang, _Resp(PLAIN.format(lang=page_lang, **values)), data)
    if expected is None:
        assert found == []
    else:
        assert any(f.startswith(expected) for f in found), found
