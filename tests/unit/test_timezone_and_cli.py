"""The time-zone boundary and the `deadline` / `calendar show` commands."""
import json
import os
import subprocess
import sys
from datetime import date

import pytest

from engine.language.errors import ValidationError
from engine.deadlines.timeutil import local_date, parse_date, parse_date_or_instant, parse_instant


@pytest.mark.parametrize("instant,expected", [
    ("2025-01-20T16:59:59Z", date(2025, 1, 20)),   # 23:59:59 in Vietnam
    ("2025-01-20T17:00:00Z", date(2025, 1, 21)),   # midnight in Vietnam
    ("2025-01-20T20:00:00Z", date(2025, 1, 21)),
    ("2025-01-21T00:30:00+07:00", date(2025, 1, 21)),
    ("2025-01-20T23:30:00-05:00", date(2025, 1, 21)),
])
def test_instant_counts_from_its_date_in_vietnam(instant, expected):
    assert local_date(parse_instant(instant)) == expected


def test_date_formats():
    assert parse_date("2026-02-03") == date(2026, 2, 3)
    assert parse_date("3/2/2026") == date(2026, 2, 3)
    for bad in ("2025-02-30", "31/02/2026", "yesterday", ""):
        with pytest.raises(ValidationError):
            parse_date(bad)
    with pytest.raises(ValidationError):
        parse_date_or_instant("2025-01-20T10:00:00")  # no offset: ambiguous


def run(*args, env=None):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, env=e)


def test_cli_reference_case():
    r = run("deadline", "--from", "2025-01-20", "--days", "10")
    assert r.returncode == 0, r.stderr
    assert "10/02/2025" in r.stdout and "Thứ Hai" in r.stdout
    assert "Tết Nguyên Đán" in r.stdout and "29 Tết" in r.stdout


def test_cli_json_from_an_instant():
    r = run("deadline", "--from", "2025-01-20T20:00:00Z", "--days", "10", "--json")
    out = json.loads(r.stdout)
    assert out["start_date"] == "2025-01-21"
    assert out["due_date"] == "2025-02-11"
    assert out["deadline"] == "2025-02-11T23:59:59+07:00"
    assert out["working_days"] is True and out["days"] == 10 and out["provisional"] is False
    by_date = {d["date"]: d for d in out["skipped"]}
    assert by_date["2025-01-29"]["reason"] == "Tết Nguyên Đán" and by_date["2025-01-29"]["source"]


def test_cli_provisional_and_calendar_days():
    r = run("deadline", "--from", "2026-12-20", "--days", "30", "--calendar-days", "--json")
    out = json.loads(r.stdout)
    assert out["working_days"] is False and out["due_date"] == "2027-01-19" and out["provisional"] is True
    r = run("deadline", "--from", "2026-12-20", "--days", "30")
    assert "DỰ KIẾN" in r.stdout


@pytest.mark.parametrize("args,needle", [
    (["deadline", "--from", "2025-02-30", "--days", "3"], "2025-02-30"),
    (["deadline", "--from", "2025-02-03", "--days", "ten"], "ten"),
    (["deadline", "--from", "2025-02-03", "--days", "-2"], "-2"),
    (["deadline", "--from", "1990-01-01", "--days", "2"], "1990-01-01"),
    (["deadline", "--days", "2"], "--from"),
    (["calendar", "show", "abc"], "abc"),
])
def test_cli_bad_input_is_one_line_exit_2(args, needle):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr


def test_cli_english():
    r = run("deadline", "--from", "2025-02-03", "--days", "x", env={"PETITIONS_LANG": "en"})
    assert r.stderr.startswith("Error: 'x' is not a whole number")


def test_cli_broken_decision_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[day_off]]\ndate = 2026-13-01\n", encoding="utf-8")
    r = run("deadline", "--from", "2026-01-05", "--days", "1", env={"PETITIONS_CALENDAR_FILES": str(bad)})
    assert r.returncode == 2 and str(bad) in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_calendar_show_json_lists_sources():
    r = run("calendar", "show", "2026", "--json")
    out = json.loads(r.stdout)
    assert out["provisional"] is False
    off = {d["date"]: d for d in out["days_off"]}
    assert off["2026-01-02"]["source"].startswith("12729/VPCP-KGVX")
    assert off["2026-11-24"]["reason"] == "Ngày Văn hóa Việt Nam"
    worked = {d["date"] for d in out["working_days"]}
    assert worked == {"2026-01-10", "2026-08-22"}
    # 261 weekdays − 14 weekday days off + 2 worked Saturdays
    assert out["working_day_count"] == 249


def test_calendar_show_text_marks_provisional_years():
    r = run("calendar", "show", "2027")
    assert r.returncode == 0 and "DỰ KIẾN" in r.stdout
