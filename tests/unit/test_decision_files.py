"""Every decision-file error stops with a message naming the file and the entry."""
import pytest

from engine.deadlines.calendar import WorkingCalendar, load_decisions
from engine.language.errors import CalendarError


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


GOOD = '[[day_off]]\ndate = 2027-01-04\nname = "Nghỉ bù"\nsource = "QĐ 1/2026"\n'


@pytest.mark.parametrize("text,code,entry", [
    ("[[day_off]\n", "cal_malformed", None),
    ('[[holiday]]\ndate = 2027-01-04\nname = "x"\nsource = "y"\n', "cal_unknown_section", None),
    ('[[day_off]]\ndate = 2027-01-04\nname = "x"\nsource = "y"\nreason = "z"\n', "cal_unknown_key", "[[day_off]] #1 (2027-01-04)"),
    ('[[day_off]]\ndate = 2027-01-04\nname = "x"\n', "cal_missing_key", "[[day_off]] #1 (2027-01-04)"),
    ('[[day_off]]\ndate = "2027-01-04"\nname = "x"\nsource = "y"\n', "cal_not_a_date", "[[day_off]] #1"),
    ('[[working_day]]\ndate = 2027-01-09T08:00:00\nname = "x"\nsource = "y"\n', "cal_not_a_date", "[[working_day]] #1"),
    ('[[day_off]]\ndate = 2027-01-04\nname = ""\nsource = "y"\n', "cal_bad_text", "[[day_off]] #1"),
    ('[[confirmed_year]]\nyear = "2027"\nsource = "y"\n', "cal_bad_year", "[[confirmed_year]] #1"),
    ('[[day_off]]\ndate = 2150-01-04\nname = "x"\nsource = "y"\n', "cal_out_of_range", "[[day_off]] #1"),
    (GOOD + '[[working_day]]\ndate = 2027-01-04\nname = "x"\nsource = "y"\n', "cal_conflict", "[[working_day]] #1"),
    ("day_off = 3\n", "cal_unknown_section", None),
])
def test_errors_name_file_and_entry(tmp_path, text, code, entry):
    p = write(tmp_path, "ops.toml", text)
    with pytest.raises(CalendarError) as err:
        load_decisions([p])
    assert err.value.code == code
    for lang in ("vi", "en"):
        msg = err.value.message(lang)
        assert str(p) in msg
        if entry:
            assert entry in msg


def test_conflict_across_files_names_both(tmp_path):
    a = write(tmp_path, "a.toml", GOOD)
    b = write(tmp_path, "b.toml", '[[working_day]]\ndate = 2027-01-04\nname = "x"\nsource = "y"\n')
    with pytest.raises(CalendarError) as err:
        load_decisions([a, b])
    assert str(a) in str(err.value) and str(b) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(CalendarError) as err:
        load_decisions([tmp_path / "nope.toml"])
    assert "nope.toml" in str(err.value)


def test_undecodable_file(tmp_path):
    p = tmp_path / "latin.toml"
    p.write_bytes(b'[[day_off]]\nname = "Ngh\xe9"\n')
    with pytest.raises(CalendarError):
        load_decisions([p])


def test_operator_overlay_moves_days(tmp_path):
    p = write(tmp_path, "ops.toml", GOOD + '[[working_day]]\ndate = 2027-01-09\nname = "Làm bù"\nsource = "QĐ 1/2026"\n'
              '[[confirmed_year]]\nyear = 2027\nsource = "QĐ 1/2026"\n')
    from datetime import date
    cal = WorkingCalendar(load_decisions([p]))
    assert not cal.is_working_day(date(2027, 1, 4)) and cal.is_working_day(date(2027, 1, 9))
    assert cal.add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 5)
    assert not cal.is_provisional_year(2027)


def test_default_calendar_picks_up_env_files(tmp_path, monkeypatch):
    from config import Settings
    from engine.deadlines.calendar import calendar_for
    p = write(tmp_path, "ops.toml", GOOD)
    s = Settings(PETITIONS_CALENDAR_FILES=str(p))
    from datetime import date
    assert not calendar_for(s.calendar_paths).is_working_day(date(2027, 1, 4))
    p.write_text(GOOD.replace("2027-01-04", "2027-01-05"), encoding="utf-8")  # an edit is seen without restart
    import os
    os.utime(p, ns=(1, 10**18))
    cal = calendar_for(s.calendar_paths)
    assert cal.is_working_day(date(2027, 1, 4)) and not cal.is_working_day(date(2027, 1, 5))
