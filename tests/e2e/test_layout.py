"""Phones and desktops (issue 12): in Chromium, one demo user of every role opens the pages
its navigation offers, and the first page of every other kind those pages link to (a case,
a session, a report's drill-down, a print view...), in Vietnamese and in English, at 390 px
(a phone) and 1,366 px (a laptop). On every page the document is no wider than the window
(nothing scrolls sideways), and where a list shows petitions, the first row's code and
deadline badge lie inside the window. The pages are discovered from the links, so a page
added tomorrow is measured without editing this file."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from engine.intake.demo import DEMO_PASSWORD, USERS

pytestmark = pytest.mark.e2e

WIDTHS = (390, 1366)
MAX_PAGES = 30  # per user and language
CODE_SEG = re.compile(r"^KN-[A-Za-z0-9-]+$")
DOWNLOAD = re.compile(r"\.(ics|csv|xlsx|json|pdf|docx|zip)(\?|$)|^/api/")  # files and machine interfaces

MEASURE = """() => {
  const W = window.innerWidth, doc = document.documentElement;
  const inside = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
    return r.width > 0 && r.left >= 0 && r.right <= W + 0.5; };
  const badge = document.querySelector('table [data-deadline]');
  const row = badge && badge.closest('tr');
  const code = row && row.querySelector('a[href^="/petitions/KN-"], label[for^="pick-"]');
  return {scroll: doc.scrollWidth, inner: W,
          badge: badge ? inside(badge) : null, code: code ? inside(code) : null};
}"""

LINKS = """() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"""


def shape(href: str) -> tuple:
    parts = urlsplit(href)
    segs = tuple("<code>" if CODE_SEG.match(s) else "<n>" if s.isdigit() else s for s in parts.path.split("/"))
    keys = tuple(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return segs, keys


def one_user_per_role() -> list[str]:
    seen, out = set(), []
    for username, role, *_ in USERS:
        if role not in seen:
            seen.add(role)
            out.append(username)
    return out


def pages_of(page, base) -> list[str]:
    """The navigation's links, then the first link of every other shape they show (no
    downloads: a browser saves those, it does not lay them out)."""
    nav = [h for h in page.eval_on_selector_all("nav.main a", "els => els.map(e => e.getAttribute('href'))")]
    out, shapes = ["/"], {shape("/")}
    for h in nav:
        if shape(h) not in shapes:
            shapes.add(shape(h))
            out.append(h)
    for h in list(out):
        page.goto(base + h)
        for link in page.evaluate(LINKS):
            if not link.startswith("/") or link.startswith("/static/") or "format=" in link or DOWNLOAD.search(link):
                continue
            if shape(link) not in shapes and len(out) < MAX_PAGES:
                shapes.add(shape(link))
                out.append(link)
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_page_scrolls_sideways_and_the_deadline_stays_in_view(chromium, demo_server, shots, lang):
    base, _engine = demo_server
    problems, measured, badges_seen, kinds = [], 0, {w: 0 for w in WIDTHS}, set()
    for username in one_user_per_role():
        ctx = chromium.new_context(viewport={"width": WIDTHS[0], "height": 800})
        page = ctx.new_page()
        page.goto(f"{base}/login")
        page.click(f"#lang-{lang}")
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("#signin")
        page.wait_for_load_state()
        assert "/login" not in page.url, (username, page.content()[:300])
        urls = pages_of(page, base)
        assert len(urls) >= 4, (username, urls)
        kinds.update("/".join(shape(u)[0][:3]) for u in urls)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            for url in urls:
                resp = page.goto(base + url)
                if resp is None or resp.status >= 400:
                    problems.append((username, width, url, f"HTTP {resp.status if resp else '?'}"))
                    continue
                m = page.evaluate(MEASURE)
                measured += 1
                if m["scroll"] > m["inner"]:
                    problems.append((username, width, url, f"document {m['scroll']} px wide in a {m['inner']} px window"))
                if m["badge"] is not None:
                    badges_seen[width] += 1
                    if not m["badge"]:
                        problems.append((username, width, url, "the first row's deadline badge is outside the window"))
                    if m["code"] is False:
                        problems.append((username, width, url, "the first row's code is outside the window"))
                if width == 390 and username == "vanthu" and url in ("/desk", "/sessions/new"):
                    shots(page, f"{username}-{url.strip('/').replace('/', '-')}-{width}")
        ctx.close()
    assert not problems, "\n".join(map(str, problems))
    assert measured >= 40, measured
    assert {"/petitions/<code>", "/sessions/<n>", "/reports/ontime", "/reports/appendix2", "/inbox"} <= kinds, kinds
    assert all(badges_seen.values()), ("no list with a deadline badge was measured", badges_seen)
