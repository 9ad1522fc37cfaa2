"""Issue 14 from the command line: `session add --held-on <a future date>` is refused (the
annex never counts it); a year of receptions is planned, published, moved and held."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ, PETITIONS_VAR_DIR=str(tmp_path / "var"), PETITIONS_LANG="vi",
             DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
    for k in ("PETITIONS_ENV", "PUBLIC_URL"):
        e.pop(k, None)
    return e


def run(env, *args):
    return subprocess.run([sys.executable, "-m", "engine", *args], env=env, capture_output=True, text=True)


def test_session_commands(env, tmp_path):
    assert run(env, "db", "upgrade").returncode == 0
    units = tmp_path / "units.csv"
    units.write_text("code,name,level,parent_code\nHT,Tỉnh Hà Tĩnh,province,\nKT,Xã Kỳ Thượng,commune,HT\n",
                     encoding="utf-8")
    assert run(env, "units", "load", str(units)).returncode == 0
    future = (date.today() + timedelta(days=400)).isoformat()
    r = run(env, "session", "add", "--unit", "KT", "--kind", "reception_periodic", "--held-on", future, "--people", "3")
    assert r.returncode == 2 and "tương lai" in r.stderr and "Traceback" not in r.stderr
    year = date.today().year + 1
    r = run(env, "session", "plan", "--unit", "KT", "--monthly", "10,25", "--year", str(year), "--from", "07:30",
            "--to", "11:00", "--place", "Trụ sở Đảng ủy xã", "--chair", "Nguyễn Văn A", "--chair-role",
            "party_secretary", "--json")
    assert r.returncode == 0, r.stderr
    planned = json.loads(r.stdout)
    assert len(planned) == 24 and {p["status"] for p in planned} == {"planned"}
    r = run(env, "session", "plan", "--unit", "KT", "--on", "2001-01-01", "--place", "x", "--chair", "A",
            "--chair-role", "party_secretary")
    assert r.returncode == 2 and "01/01/2001" in r.stderr
    r = run(env, "session", "publish", "--unit", "KT", "--period", f"{year}")
    assert r.returncode == 0 and "24" in r.stdout, r.stderr
    first = planned[0]["id"]
    r = run(env, "session", "reschedule", str(first), "--on", planned[0]["held_on"], "--from", "13:30", "--to", "16:30",
            "--reason", "Trùng lịch họp")
    assert r.returncode == 0, r.stderr
    r = run(env, "session", "held", str(first))  # its date has not come yet
    assert r.returncode == 2 and "tương lai" in r.stderr
    r = run(env, "session", "cancel", str(planned[1]["id"]), "--reason", "")
    assert r.returncode == 2 and "reason" in r.stderr
    r = run(env, "session", "add", "--unit", "KT", "--kind", "reception_adhoc", "--held-on", date.today().isoformat(),
            "--chair-role", "hdnd_chair", "--bodies", "mttq,hdnd", "--json")
    assert r.returncode == 0, r.stderr
    held = json.loads(r.stdout)
    assert (held["status"], held["chair_role"], held["bodies"], held["planned_on"]) == ("held", "hdnd_chair",
                                                                                       ["mttq", "hdnd"], None)
