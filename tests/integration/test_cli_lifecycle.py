"""Issue 3's "done when": the whole lifecycle driven from the command line, from a fresh
SQLite file and from an empty PostgreSQL database."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PG_URL, fresh_pg_engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def cli_env(request, tmp_path):
    env = dict(os.environ, PETITIONS_VAR_DIR=str(tmp_path / "var"), PETITIONS_LANG="vi")
    env.pop("DATABASE_URL", None)
    if request.param == "postgresql":
        fresh_pg_engine().dispose()
        env["DATABASE_URL"] = PG_URL
    return env


def run(env, *args, stdin=None, ok=True):
    r = subprocess.run([sys.executable, "-m", "engine", *args], env=env, capture_output=True, text=True, input=stdin)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def run_json(env, *args):
    return json.loads(run(env, *args, "--json").stdout)


def test_lifecycle_from_the_command_line(cli_env, tmp_path):
    env = cli_env
    r = run(env, "petition", "list", ok=False)
    assert r.returncode != 0 and "petitions db upgrade" in r.stderr  # a clear hint, not a traceback
    run(env, "db", "upgrade")
    units = tmp_path / "units.csv"
    units.write_text("code,name,level,parent_code\nHT,Tỉnh Hà Tĩnh,province,\nKT,Xã Kỳ Thượng,commune,HT\n"
                     "KT-DC,Phòng Địa chính,department,KT\n", encoding="utf-8")
    assert run_json(env, "units", "load", str(units))["created"] == 3
    for username, role, unit in [("vanthu", "clerk", "KT"), ("bithu", "leader", "KT"), ("diachinh", "department", "KT-DC"),
                                 ("ubkt", "auditor", "HT")]:
        run(env, "users", "add", "--username", username, "--role", role, "--unit", unit, "--password-stdin",
            stdin="mat-khau-rat-dai\n")
    sess = run_json(env, "session", "add", "--unit", "KT", "--kind", "reception_periodic", "--held-on", "2026-02-10",
                    "--people", "3")
    assert isinstance(sess["id"], int)
    p = run_json(env, "petition", "add", "--unit", "KT", "--session", str(sess["id"]), "--received-on", "2026-02-10",
                 "--summary", "Đề nghị cấp giấy chứng nhận quyền sử dụng đất", "--petitioner", "Nguyễn Văn Đức",
                 "--category", "land")
    code = p["code"]
    assert code == "KN-KT-2026-000001"
    concl = p["clocks"][0]
    dl = run_json(env, "deadline", "--from", "2026-02-10", "--days", "10")
    assert concl["due_date"] == dl["due_date"] == "2026-03-03"  # across Tết 2026

    # refused actions: exit 2, one line, version unchanged
    for args in (["resolve", "--by", "diachinh", "--document-no", "1"],                 # illegal from received
                 ["conclude", "--by", "ubkt", "--notice-no", "1", "--department", "KT-DC"],  # auditor acts on nothing
                 ["conclude", "--by", "vanthu", "--notice-no", "1"],                      # missing department
                 ["conclude", "--by", "vanthu", "--notice-no", "1", "--department", "KT-DC", "--on", "2026-02-30"],
                 ["fly", "--by", "vanthu"]):
        r = run(env, "petition", "act", code, *args, ok=False)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
        assert run_json(env, "petition", "show", code)["version"] == 1

    run(env, "petition", "act", code, "conclude", "--by", "vanthu", "--on", "2026-02-27", "--notice-no", "05-TB/ĐU",
        "--department", "KT-DC", "--expect-version", "1")
    r = run(env, "petition", "act", code, "extend", "--by", "bithu", "--days", "10", "--reason", "x",
            "--expect-version", "1", ok=False)
    assert r.returncode == 2 and "phiên bản" in r.stderr
    run(env, "petition", "act", code, "extend", "--by", "bithu", "--on", "2026-03-20", "--days", "10",
        "--reason", "Cần đo đạc lại")
    run(env, "petition", "act", code, "resolve", "--by", "diachinh", "--on", "2026-04-20", "--document-no", "88/UBND")
    run(env, "petition", "act", code, "reopen", "--by", "bithu", "--on", "2026-04-22", "--reason", "Còn kiến nghị")
    run(env, "petition", "act", code, "escalate", "--by", "bithu", "--on", "2026-04-23", "--reason", "Vượt thẩm quyền")
    shown = run_json(env, "petition", "show", code)
    assert shown["state"] == "escalated" and shown["version"] == 6 and shown["escalated_to"] == "KN-HT-2026-000001"
    names = [c["name"] for c in shown["clocks"]]
    assert names == ["conclusion", "resolution", "resolution"]
    first_res = shown["clocks"][1]
    assert first_res["original_due_date"] == run_json(env, "deadline", "--from", "2026-02-27", "--days", "30")["due_date"]
    assert first_res["due_date"] == run_json(env, "deadline", "--from", first_res["original_due_date"], "--days", "10")["due_date"]
    assert {"code", "unit", "state", "version", "department", "clocks", "events", "escalated_to", "escalated_from"} <= shown.keys()
    for c in shown["clocks"]:
        assert {"name", "started_on", "due_date", "deadline", "status", "stopped_at", "original_due_date", "provisional"} <= c.keys()
    up = run_json(env, "petition", "show", "KN-HT-2026-000001")
    assert up["escalated_from"] == code and up["state"] == "received"
    assert up["clocks"][0]["started_on"] == "2026-04-23"
    listed = run_json(env, "petition", "list", "--unit", "HT", "--overdue-at", "2026-11-20T03:00:00Z")
    assert [x["code"] for x in listed] == ["KN-HT-2026-000001"]
    assert run_json(env, "petition", "verify-log")["ok"] is True


def test_units_load_is_all_or_nothing(cli_env, tmp_path):
    env = cli_env
    run(env, "db", "upgrade")
    bad = tmp_path / "u.csv"
    bad.write_text("code,name,level,parent_code\nHT,Tỉnh,province,\nX1,Xã,commune,HT\nX2,Xã Hai,village,HT\n", encoding="utf-8")
    r = run(env, "units", "load", str(bad), ok=False)
    assert r.returncode == 2 and "dòng 4" in r.stderr and "village" in r.stderr
    r = run(env, "session", "add", "--unit", "HT", "--kind", "reception_periodic", "--held-on", "2026-01-05", ok=False)
    assert r.returncode == 2 and "HT" in r.stderr  # nothing was loaded
