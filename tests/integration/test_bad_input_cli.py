"""Issue 11 from the command line: the demo refuses a database with data or a production
configuration unless forced, `petition add --by` follows the rules of `act`, huge numbers
and arguments that are not UTF-8 are one clear line and exit 2 (never a traceback)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.fixture
def env(tmp_path):
    """A fresh SQLite database with one commune, a department and users of several roles."""
    e = dict(os.environ, PETITIONS_VAR_DIR=str(tmp_path / "var"), PETITIONS_LANG="en",
             DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
    for k in ("PETITIONS_ENV", "PUBLIC_URL"):
        e.pop(k, None)
    return e


def run(env, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "engine", *args], env=env, capture_output=True, text=True, input=stdin)


def setup_org(env, tmp_path):
    assert run(env, "db", "upgrade").returncode == 0
    units = tmp_path / "units.csv"
    units.write_text("code,name,level,parent_code\nHT,Tỉnh Hà Tĩnh,province,\nKT,Xã Kỳ Thượng,commune,HT\n"
                     "KT-DC,Phòng Địa chính,department,KT\nKL,Xã Kỳ Lạc,commune,HT\n", encoding="utf-8")
    assert run(env, "units", "load", str(units)).returncode == 0
    for username, role, unit in [("vanthu", "clerk", "KT"), ("ubkt", "auditor", "HT"), ("vanthu.kl", "clerk", "KL")]:
        assert run(env, "users", "add", "--username", username, "--role", role, "--unit", unit).returncode == 0


def one_line_error(r, code=2):
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    return r.stderr


def count_petitions(env) -> int:
    r = run(env, "petition", "list", "--json")
    assert r.returncode == 0, r.stderr
    return len(json.loads(r.stdout))


def test_demo_refuses_a_database_with_data(env, tmp_path):
    setup_org(env, tmp_path)
    err = one_line_error(run(env, "demo"))
    assert "--force-demo-data-with-known-passwords" in err and "already has units or users" in err
    # nothing was created: no 'admin' with the published password (the name is still free)
    r = run(env, "users", "add", "--username", "admin", "--role", "admin", "--unit", "HT")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("setting", [{"PETITIONS_ENV": "production"}, {"PUBLIC_URL": "https://kiennghi.hatinh.gov.vn"}])
def test_demo_refuses_production_unless_forced(env, setting):
    env.update(setting)
    assert run(env, "db", "upgrade").returncode == 0
    err = one_line_error(run(env, "demo"))
    assert "production" in err and "--force-demo-data-with-known-passwords" in err
    assert count_petitions(env) == 0
    if "PETITIONS_ENV" in setting:  # the explicit flag does what it says (once is enough: it is slow)
        env["PETITIONS_AUDIT_KEY"] = "Lm7-Qw2eRt5yUi8oPa1sDf4gHj6kZx9cVb3n"  # production writes the log only with a real key
        r = run(env, "demo", "--force-demo-data-with-known-passwords", "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["petitions"] > 0


@pytest.mark.parametrize("by, unit, words", [
    ("ubkt", "KT", "may not record a petition"),     # an auditor
    ("vanthu.kl", "KT", "not their unit"),           # another commune's clerk
    ("vanthu", "KT-DC", "is a department"),          # a department as the receiving unit
])
def test_petition_add_by_follows_the_rules_of_act(env, tmp_path, by, unit, words):
    setup_org(env, tmp_path)
    err = one_line_error(run(env, "petition", "add", "--unit", unit, "--summary", "Đề nghị", "--by", by))
    assert words in err
    assert count_petitions(env) == 0
    r = run(env, "petition", "add", "--unit", "KT", "--summary", "Đề nghị", "--by", "vanthu")
    assert r.returncode == 0, r.stderr


def test_cli_text_limits_email_and_huge_numbers(env, tmp_path):
    setup_org(env, tmp_path)
    err = one_line_error(run(env, "petition", "add", "--unit", "KT", "--summary", "x" * 100_000))
    assert "summary is too long" in err
    err = one_line_error(run(env, "petition", "add", "--unit", "KT", "--summary", "\u200b\u200d\ufeff"))
    assert "summary" in err
    err = one_line_error(run(env, "petition", "add", "--unit", "KT", "--summary", "Đề nghị", "--petitioner", "An",
                             "--petitioner-email", "an@localhost"))
    assert "e-mail" in err and "email" in err
    err = one_line_error(run(env, "petition", "add", "--unit", "KT", "--summary", "Đề nghị",
                             "--group-size", str(10 ** 30)))
    assert "group_size is too large" in err
    err = one_line_error(run(env, "session", "add", "--unit", "KT", "--kind", "reception_periodic",
                             "--held-on", "2026-01-05", "--people", "99999999999999999999999"))
    assert "people is too large" in err
    one_line_error(run(env, "petition", "list", "--limit", str(10 ** 30)))
    assert count_petitions(env) == 0


def test_argument_that_is_not_utf8_is_one_line_exit_2(env, tmp_path):
    setup_org(env, tmp_path)
    argv = [os.fsencode(sys.executable), b"-m", b"engine", b"petition", b"add", b"--unit", b"KT",
            b"--summary", b"\xff\xfe ok \xc3"]
    r = subprocess.run(argv, env=env, capture_output=True)
    assert r.returncode == 2, r
    err = r.stderr.decode("utf-8")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "UTF-8" in err and "\\xff\\xfe" in err
    assert count_petitions(env) == 0


@pytest.mark.parametrize("name,value", [("REPORT_CACHE_SECONDS", "-5"), ("PETITIONS_TICK_INTERVAL", "năm phút"),
                                        ("REPORT_CACHE_SIZE", "")])
def test_a_refused_setting_is_one_line_naming_it(env, tmp_path, name, value):
    """A setting from the environment that does not parse is named in one line, in both
    languages (the language setting may be the refused one), and no command runs."""
    err = one_line_error(run(dict(env, **{name: value}), "db", "upgrade"))
    assert name in err and "biến môi trường" in err and "environment variable" in err
    assert not (tmp_path / "cli.db").exists()  # nothing ran: not even the migration
