"""The report pages read the replica when one is configured (issue 20), and never write there:
with DATABASE_REPLICA_URL pointing at a read-only connection to the same data, every report
page and download an auditor and a leader reach answers as it does on the primary, with the
same figures (a page that wrote during a GET, or read its own write, would fail here)."""
from __future__ import annotations

import re

import pytest

from config.settings import Settings
from tests.conftest import NOW

TOKEN = re.compile(rb'name="csrf_token" value="[^"]+"')
PAGES = ("/reports/ontime?from=2026-01-01&to=2026-12-31", "/reports/appendix2?from=2026-01-01&to=2026-12-31",
         "/reports/appendix2?from=2026-01-01&to=2026-12-31&format=csv",
         "/reports/ontime?from=2026-01-01&to=2026-12-31&format=xlsx",
         "/reports/compliance?from=2026-01-01&to=2026-12-31", "/reports/annexes?from=2026-01-01&to=2026-12-31",
         "/reports/review.docx?from=2026-01-01&to=2026-12-31")


def _app(org, tmp_path, replica: bool):
    from web import create_app
    url = org.url.render_as_string(hide_password=False)
    settings = Settings(var_dir=tmp_path / "var", secret_key="t" * 40,
                        replica_database_url=url if replica else None)
    return create_app(engine=org, settings=settings, now=NOW, testing=True)


@pytest.mark.parametrize("who", ["auditor", "leader1"])
def test_report_pages_on_a_read_only_replica_match_the_primary(org, data, tmp_path, who):
    from tests.web.conftest import Browser
    from tests.conftest import PASSWORD
    answers = {}
    for replica in (False, True):
        app = _app(org, tmp_path, replica)
        assert (app.extensions["petitions_report_engine"] is not None) is replica
        b = Browser(app.test_client())
        assert b.login(who, PASSWORD).status_code == 302
        for url in PAGES:
            r = b.c.get(url)
            assert r.status_code == 200, (replica, url, r.status_code)
            if url.endswith("csv") or ("format" not in url and "docx" not in url):
                # the page as read, less what differs per session (the CSRF token)
                answers.setdefault(url, []).append(TOKEN.sub(b"", r.get_data()))
    for url, (primary, routed) in answers.items():
        assert primary == routed, url
