"""Issue 11: the audit log's key comes from the environment, never the database; production
refuses a missing, short, placeholder key or one equal to SECRET_KEY, with a clear message."""
from __future__ import annotations

import os
import stat

import pytest

from config.settings import Settings
from engine.persistence.auditkey import AuditKeyRefused, audit_key, key_id

GOOD = "q8Vd2-Lm4Zx0rT7wYk1NbH3sGf6Jc9Pa"
SECRET = "Zt5-Wq9mKx2Lr8Vb3Nc7Hd1Fg6Js4Pe0y"


def _prod(tmp_path, **kw):
    return Settings(var_dir=tmp_path, environment="production", secret_key=SECRET, **kw)


@pytest.mark.parametrize("key, code", [(None, "audit_key_missing"), ("  ", "audit_key_missing"),
                                       ("change-me-change-me-change-me-change-me", "audit_key_placeholder"),
                                       ("a" * 40, "audit_key_placeholder"), ("Xk3-b9Qz", "audit_key_short"),
                                       (SECRET, "audit_key_same_as_secret")])
def test_production_refuses_an_unsafe_key(tmp_path, key, code):
    with pytest.raises(AuditKeyRefused) as err:
        audit_key(_prod(tmp_path, audit_key=key))
    assert err.value.code == code and "PETITIONS_AUDIT_KEY" in err.value.message("vi")
    assert "PETITIONS_AUDIT_KEY" in err.value.message("en")
    assert not (tmp_path / "audit_key").exists()  # production never falls back to a generated file


def test_production_takes_a_good_key(tmp_path):
    assert audit_key(_prod(tmp_path, audit_key=GOOD)) == GOOD.encode()


def test_elsewhere_a_key_file_is_generated_once_private_and_reused(tmp_path):
    k1 = audit_key(Settings(var_dir=tmp_path / "v"))
    path = tmp_path / "v" / "audit_key"
    assert len(k1) >= 32 and path.read_text().strip().encode() == k1
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert audit_key(Settings(var_dir=tmp_path / "v", lang="en")) == k1
    assert key_id(k1) != key_id(audit_key(Settings(var_dir=tmp_path / "w")))  # another place, another key


def test_a_broken_key_file_is_a_clear_error(tmp_path):
    (tmp_path / "audit_key").write_text("short")
    with pytest.raises(AuditKeyRefused) as err:
        audit_key(Settings(var_dir=tmp_path))
    assert err.value.code == "audit_key_file_bad" and str(tmp_path / "audit_key") in err.value.message("en")
