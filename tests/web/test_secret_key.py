"""Issue 11, part 1: production refuses a missing, short or placeholder signing key; the
development key file is generated once and a broken one is a clear start-up error."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import Settings
from engine.services.secrets import StartupRefused, signing_key

ROOT = Path(__file__).resolve().parents[2]
GOOD = "Xq3v9-pL2rT8kWm4ZbN6yHc1JfD5sGaE7uVo0iRt"  # 40 random-looking bytes

PLACEHOLDERS = ["change-me", "changeme", "CHANGE_ME", "secret", "dev", "please-change", "please-change-me",
                "your-secret-key", "test-secret",
                "change-me-change-me-change-me-change-me",  # long enough, still the placeholder
                "a" * 48]  # long enough, no randomness


def _prod(**kw):
    return Settings(**{"var_dir": kw.pop("var_dir", Path("/nonexistent")), "public_url": "https://petitions.example.gov.vn",
                       **kw})


@pytest.mark.parametrize("key", PLACEHOLDERS)
def test_production_refuses_placeholders(key):
    with pytest.raises(StartupRefused) as e:
        signing_key(_prod(secret_key=key))
    assert e.value.code == "secret_key_placeholder"


@pytest.mark.parametrize("key", [None, "", "   "])
def test_production_refuses_a_missing_key_and_does_not_fall_back_to_a_file(key, tmp_path):
    with pytest.raises(StartupRefused) as e:
        signing_key(_prod(secret_key=key, var_dir=tmp_path))
    assert e.value.code == "secret_key_missing"
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_a_short_key():
    with pytest.raises(StartupRefused) as e:
        signing_key(_prod(secret_key="Xq3v9-pL2rT8kWm4ZbN6"))
    assert e.value.code == "secret_key_short" and "20" in e.value.message("en")


def test_production_by_setting_as_well_as_by_https():
    s = Settings(var_dir=Path("/nonexistent"), secret_key="change-me", environment="production")
    assert s.production
    with pytest.raises(StartupRefused):
        signing_key(s)
    assert not Settings(secret_key="x").production
    assert signing_key(_prod(secret_key=GOOD)) == GOOD


def test_the_env_example_key_is_refused():
    line = next(ln for ln in (ROOT / ".env.example").read_text().splitlines() if ln.startswith("SECRET_KEY="))
    with pytest.raises(StartupRefused):
        signing_key(_prod(secret_key=line.split("=", 1)[1]))


def test_app_factory_refuses_change_me_in_production(org, tmp_path):
    from web import create_app
    audit = "Zr8-kT2q" + GOOD[::-1]
    with pytest.raises(StartupRefused):
        create_app(engine=org, settings=_prod(secret_key="change-me", audit_key=audit, var_dir=tmp_path))
    app = create_app(engine=org, settings=_prod(secret_key=GOOD, audit_key=audit, var_dir=tmp_path))
    assert app.config["SECRET_KEY"] == GOOD and app.config["SESSION_COOKIE_SECURE"] is True


def test_app_factory_refuses_a_missing_or_placeholder_audit_key_in_production(org, tmp_path):
    """The web writes the audit log: production refuses its key at start, not at the first action."""
    from engine.persistence.auditkey import AuditKeyRefused
    from web import create_app
    for bad in (None, "change-me", GOOD):  # missing, a placeholder, the session key itself
        with pytest.raises(AuditKeyRefused):
            create_app(engine=org, settings=_prod(secret_key=GOOD, audit_key=bad, var_dir=tmp_path))


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PETITIONS_ENV", "SECRET_KEY", "PUBLIC_URL")}
    env.update(PETITIONS_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT),
               DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", **extra)
    return env


def test_gunicorn_entry_point_exits_with_one_bilingual_message(tmp_path):
    env = _env(tmp_path, SECRET_KEY="change-me", PUBLIC_URL="https://petitions.example.gov.vn")
    r = subprocess.run([sys.executable, "-c", "import web.wsgi"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 4  # gunicorn's "App failed to load": the arbiter halts, no respawn loop
    assert "Traceback" not in r.stderr
    assert "SECRET_KEY đang là giá trị mẫu" in r.stderr and "SECRET_KEY is a placeholder" in r.stderr


def test_petitions_web_exits_with_the_message(tmp_path):
    env = _env(tmp_path, SECRET_KEY="", PETITIONS_ENV="production", PETITIONS_LANG="en")
    r = subprocess.run([sys.executable, "-m", "engine", "web", "--port", "1"], env=env, capture_output=True, text=True,
                       cwd=ROOT, timeout=20)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "SECRET_KEY is not set" in r.stderr


def test_dev_key_file_is_generated_once_with_0600(tmp_path):
    s = Settings(var_dir=tmp_path / "v", secret_key=None)
    a, b = signing_key(s), signing_key(s)
    assert a == b and len(a) >= 32
    assert ((tmp_path / "v" / "secret_key").stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize("content", ["", "\n", "short"])
def test_an_empty_key_file_is_a_clear_start_up_error(org, tmp_path, content):
    from web import create_app
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "secret_key").write_text(content)
    with pytest.raises(StartupRefused) as e:
        create_app(engine=org, settings=Settings(var_dir=tmp_path / "v", secret_key=None))
    assert e.value.code == "secret_key_file_bad" and "secret_key" in e.value.message("vi")


def test_development_keeps_an_explicit_short_key(tmp_path):
    assert signing_key(Settings(var_dir=tmp_path, secret_key="test-secret")) == "test-secret"
