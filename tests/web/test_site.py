"""Sign-in, the failed-attempt limit, cookies and headers, both languages, the catalog."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from engine.persistence.db import transaction
from engine.persistence.models import SignIn


def test_sign_in_and_out_are_recorded(browser, org):
    r = browser.login("clerk1")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    body = browser.get("/").get_data(as_text=True)
    assert "Bàn tiếp công dân" in body
    assert browser.post("/logout").status_code == 302
    assert browser.get("/").status_code == 302
    with transaction(org) as s:
        assert s.scalar(select(func.count(SignIn.id)).where(SignIn.username == "clerk1", SignIn.ok.is_(True))) == 1


def test_wrong_password_and_limit(browser, org):
    for _ in range(3):
        r = browser.login("clerk1", "wrong-password")
        assert r.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in r.get_data(as_text=True)
    r = browser.login("clerk1")  # right password, but it must wait after three failures (app clock fixed)
    assert r.status_code == 429 and "Hãy chờ 2 giây" in r.get_data(as_text=True) and r.headers["Retry-After"] == "2"
    assert browser.login("leader1").status_code == 302  # another user is not slowed
    with transaction(org) as s:  # the refused attempt is not stored (nor counted)
        assert s.scalar(select(func.count(SignIn.id)).where(SignIn.username == "clerk1", SignIn.ok.is_(False))) == 3


def test_login_form_errors_next_to_fields(browser, org):
    browser.get("/login")
    r = browser.post("/login", {"username": "", "password": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and 'data-field="username">Nhập tên đăng nhập.' in body


def test_open_redirect_refused(browser, org):
    browser.get("/login")
    r = browser.post("/login?next=//evil.example/", {"username": "clerk1", "password": "correct-horse-battery"})
    assert r.headers["Location"] == "/"


def test_security_headers(browser, org):
    r = browser.get("/login")
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert "<script>" not in r.get_data(as_text=True)  # no inline scripts


def test_secure_cookie_over_https(org, tmp_path):
    from config.settings import Settings
    from web import create_app
    app = create_app(engine=org, settings=Settings(var_dir=tmp_path, secret_key="Xq3v9-pL2rT8kWm4ZbN6yHc1JfD5sGaE7uVo0iRt",
                                                         audit_key="Lm7-Qw2eRt5yUi8oPa1sDf4gHj6kZx9cVb3n",
                                                         public_url="https://x.gov.vn"))
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_dev_secret_key_is_generated_once_with_0600(org, tmp_path):
    from config.settings import Settings
    from web import create_app
    s = Settings(var_dir=tmp_path / "v", secret_key=None)
    a, b = create_app(engine=org, settings=s), create_app(engine=org, settings=s)
    assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"]
    assert ((tmp_path / "v" / "secret_key").stat().st_mode & 0o777) == 0o600


def test_both_languages_render(as_user, data):
    b = as_user("leader1")
    vi = b.get(f"/petitions/{data['A1']}").get_data(as_text=True)
    assert 'lang="vi"' in vi and "Vì sao là ngày này?" in vi and "Lịch sử xử lý" in vi and "Thứ " in vi
    assert "Đang giải quyết" in vi
    b.lang("en")
    en = b.get(f"/petitions/{data['A1']}").get_data(as_text=True)
    assert 'lang="en"' in en and "Why this date?" in en and "History" in en and "Being resolved" in en
    assert any(d in en for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"))
    for url in ["/", "/backlog", "/petitions", "/inbox", "/overview", "/logbook", "/conclusions"]:
        assert b.get(url).status_code == 200, url


def test_dates_are_dd_mm_yyyy(as_user, data):
    body = as_user("clerk1").get(f"/petitions/{data['A1']}").get_data(as_text=True)
    assert "02/11/2026" in body and "2026-11-02" not in body.split("<main>")[1]


def test_why_this_date_lists_skipped_days(as_user, data):
    body = as_user("clerk1").get(f"/petitions/{data['A1']}").get_data(as_text=True)
    # weekends are summed up in one line, their dates on demand (holidays, if any, lead)
    assert 'data-skipped="weekends"' in body and "ngày cuối tuần (Thứ Bảy, Chủ nhật)" in body


def test_vietnamese_catalog_is_complete():
    """Every message in the code and templates has a Vietnamese translation."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po
    root = Path(__file__).resolve().parents[2] / "web"
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {m[2] if isinstance(m[2], str) else m[2][0]
             for m in extract_from_dir(str(root), method_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2),
                                                                         "lazy_gettext": None, "_l": None})}
    with open(root / "translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        cat = read_po(f, locale="vi")
    missing = [m for m in found if cat.get(m) is None or not cat.get(m).string]
    assert not missing, missing


def test_catalog_compiles_into_var_when_package_is_read_only(tmp_path):
    import shutil

    from config.settings import Settings
    from web.i18n import PACKAGE_TRANSLATIONS, compile_catalogs
    src = tmp_path / "ro"
    shutil.copytree(PACKAGE_TRANSLATIONS, src)
    for mo in src.rglob("*.mo"):
        mo.unlink()
    for d in [src, *src.rglob("*")]:
        if d.is_dir():
            d.chmod(0o555)
    try:
        out = compile_catalogs(Settings(var_dir=tmp_path / "var"), source=src)
    finally:
        for d in [src, *src.rglob("*")]:
            if d.is_dir():
                d.chmod(0o755)
    import os
    if os.geteuid() == 0:  # root can write anywhere: the package dir was used
        assert Path(out) == src
    else:
        assert (Path(out) / "vi/LC_MESSAGES/messages.mo").exists()
