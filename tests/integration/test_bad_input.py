"""Issue 11, "bad input that changed data": limits, invisible characters, e-mail addresses,
huge numbers, who may receive a petition, formulas in exports — each refusal names its
field and changes nothing."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select, update

from engine.language.errors import Forbidden, ValidationError
from engine.persistence.db import transaction
from engine.persistence.models import OrgUnit, Petition, Petitioner, ReceptionSession, User
from engine.services import petitions as svc
from engine.services.common import LIMITS, MAX_COUNT, clean, count, email, text
from engine.services.sessions import add_session
from engine.services.users import add_user

ZW = "\u200b\u200c\u200d\ufeff\u00ad\u202e\u2066"  # zero-width space/non-joiner/joiner, BOM, soft hyphen, bidi


def n_petitions(org) -> int:
    with transaction(org) as s:
        return s.scalar(select(func.count(Petition.id)))


def refused(org, fn, code, field):
    with pytest.raises(ValidationError) as e:
        with transaction(org) as s:
            fn(s)
    assert (e.value.code, e.value.field) == (code, field), (e.value.code, e.value.field)
    assert field in e.value.message("vi") and field in e.value.message("en")
    return e.value


# -- the rules, one place -------------------------------------------------------------------
def test_clean_strips_invisible_characters_and_composes():
    assert clean(f"  Ngu{ZW}yê\u0303n\u200b ") == "Nguyễn"  # decomposed ễ composed (NFC)
    assert clean("a\tb\nc") == "a b c" and clean("a\nb", multiline=True) == "a\nb"
    assert clean("x\x00y") == "xy"  # NUL would break PostgreSQL
    with pytest.raises(ValidationError) as e:
        text(ZW, "summary")
    assert (e.value.code, e.value.field) == ("missing_field", "summary")
    with pytest.raises(ValidationError) as e:
        text("x" * 256, "name")
    assert (e.value.code, e.value.field, e.value.params["max"]) == ("too_long", "name", 255)
    assert text("x" * 255, "name") == "x" * 255
    assert LIMITS["notice_no"] == LIMITS["document_no"] == 64 and LIMITS["email"] == 254


@pytest.mark.parametrize("value", ["a b@c.vn", "a@@b.vn", "a@b", "@b.vn", "a@", "a@b..vn", "a@.b.vn", "a.@b.vn",
                                   "a@-b.vn", "<a@b.vn>", "x" * 65 + "@b.vn", "a@" + "b" * 250 + ".vn"])
def test_bad_email_addresses(value):
    with pytest.raises(ValidationError) as e:
        email(value, "email")
    assert e.value.field == "email"


def test_good_email_addresses():
    assert email(" an.nguyen+kn@ubnd.hatinh.gov.vn\u200b ") == "an.nguyen+kn@ubnd.hatinh.gov.vn"
    assert email("") == "" and email(None) == ""


def test_count_bounds():
    assert count(str(MAX_COUNT), "people") == MAX_COUNT
    for bad, code in [(str(MAX_COUNT + 1), "count_too_large"), ("9" * 40, "count_too_large"), (10 ** 30, "count_too_large"),
                      ("9" * 5000, "count_too_large"), ("-1", "negative_count"), ("1e3", "bad_int"), (True, "bad_int")]:
        with pytest.raises(ValidationError) as e:
            count(bad, "people")
        assert (e.value.code, e.value.field) == (code, "people")


# -- receiving a petition ---------------------------------------------------------------------
def test_add_petition_refuses_bad_text_and_changes_nothing(org, ctx):
    before = n_petitions(org)
    add = svc.add_petition
    refused(org, lambda s: add(s, ctx, "C1", "x" * 100_000), "too_long", "summary")
    refused(org, lambda s: add(s, ctx, "C1", ZW), "missing_field", "summary")
    refused(org, lambda s: add(s, ctx, "C1", "Đề nghị", petitioners=[{"name": "N" * 300}]), "too_long", "name")
    refused(org, lambda s: add(s, ctx, "C1", "Đề nghị", petitioners=[{"name": "An", "address": "A" * 256}]),
            "too_long", "address")
    refused(org, lambda s: add(s, ctx, "C1", "Đề nghị", petitioners=[{"name": "An", "email": "an at example.vn"}]),
            "bad_email", "email")
    refused(org, lambda s: add(s, ctx, "C1", "Đề nghị", group_size=10 ** 30), "count_too_large", "group_size")
    assert n_petitions(org) == before


def test_invisible_characters_inside_a_name_do_not_break_search(org, ctx):
    with transaction(org) as s:
        p = svc.add_petition(s, ctx, "C1", f"Tranh{ZW} chấp đất", received_on="2026-11-02",
                             petitioners=[{"name": f"Ngu\u200byễn Văn\u00ad Đức", "email": "duc@example.vn"}])
        code = p.code
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        assert p.summary == "Tranh chấp đất"
        assert p.petitioners[0].name == "Nguyễn Văn Đức"
        assert "nguyen van duc" in p.search_text


def test_action_fields_are_cleaned_and_limited(org, ctx):
    with transaction(org) as s:
        code = svc.add_petition(s, ctx, "C1", "Đề nghị", received_on="2026-11-02").code
    act = svc.act
    refused(org, lambda s: act(s, ctx, code, "conclude", "clerk1", {"notice_no": "1" * 65, "department": "C1-D1"}),
            "too_long", "notice_no")
    refused(org, lambda s: act(s, ctx, code, "conclude", "clerk1", {"notice_no": ZW, "department": "C1-D1"}),
            "missing_field", "notice_no")
    refused(org, lambda s: act(s, ctx, code, "refer", "clerk1", {"agency": "A" * 256}), "too_long", "agency")
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        assert (p.state, p.version) == ("received", 1)
    with transaction(org) as s:
        act(s, ctx, code, "conclude", "clerk1", {"notice_no": f" 12-TB/ĐU{ZW}", "department": "C1-D1"})
    with transaction(org) as s:
        assert s.scalar(select(Petition.notice_no).where(Petition.code == code)) == "12-TB/ĐU"


@pytest.mark.parametrize("by, unit, error, code", [
    ("auditor", "P", Forbidden, "role_cannot_receive"),        # an auditor reads, never records
    ("c1auditor", "C1", Forbidden, "role_cannot_receive"),
    ("dept1", "C1", Forbidden, "role_cannot_receive"),        # a department answers, it does not receive
    ("clerk2", "C1", Forbidden, "out_of_scope_receive"),       # another commune's clerk
    ("pclerk", "C1", Forbidden, "out_of_scope_receive"),       # the province's clerk for a commune
    ("clerk1", "C1-D1", ValidationError, "receiving_unit_department"),
    (None, "C1-D1", ValidationError, "receiving_unit_department"),
])
def test_receiver_role_and_scope(org, ctx, by, unit, error, code):
    before = n_petitions(org)
    with pytest.raises(error) as e:
        with transaction(org) as s:
            actor = svc.user_by_name(s, by) if by else None
            svc.add_petition(s, ctx, unit, "Đề nghị", actor=actor)
    assert e.value.code == code
    assert n_petitions(org) == before


def test_receiver_allowed(org, ctx):
    with transaction(org) as s:
        for by, unit in [("clerk1", "C1"), ("clerk2", "C2"), ("pclerk", "P"), ("admin", "C2")]:
            p = svc.add_petition(s, ctx, unit, "Đề nghị", actor=svc.user_by_name(s, by))
            assert p.unit.code == unit


# -- sessions, users, units ------------------------------------------------------------------
def test_session_text_and_counts(org):
    refused(org, lambda s: add_session(s, "C1", "reception_periodic", "2026-11-02", chair="C" * 256), "too_long", "chair")
    refused(org, lambda s: add_session(s, "C1", "reception_periodic", "2026-11-02", people=10 ** 30),
            "count_too_large", "people")
    refused(org, lambda s: add_session(s, "C1", "reception_periodic", "2026-11-02", note="n" * 100_000),
            "too_long", "note")
    with transaction(org) as s:
        assert s.scalar(select(func.count(ReceptionSession.id))) == 0


def test_user_email_and_name(org):
    refused(org, lambda s: add_user(s, "newuser", "clerk", "C1", None, email="new user@x.vn"), "bad_email", "email")
    refused(org, lambda s: add_user(s, "newuser", "clerk", "C1", None, full_name="F" * 256), "too_long", "full_name")
    refused(org, lambda s: add_user(s, ZW, "clerk", "C1", None), "missing_field", "username")
    with transaction(org) as s:
        assert s.scalar(select(User.id).where(User.username == "newuser")) is None


def test_units_csv_names(org, tmp_path):
    from engine.services.units import load_units_csv
    f = tmp_path / "units.csv"
    f.write_text("code,name,level,parent_code\nC3,%s,commune,P\n" % ("X" * 256), encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        with transaction(org) as s:
            load_units_csv(s, f)
    assert "name" in e.value.message("vi") and "255" in e.value.message("vi")
    f.write_text(f"code,name,level,parent_code\nC3,{ZW},commune,P\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        with transaction(org) as s:
            load_units_csv(s, f)
    with transaction(org) as s:
        assert s.scalar(select(OrgUnit.id).where(OrgUnit.code == "C3")) is None


# -- the register importer ------------------------------------------------------------------
HEAD = "record,unit,date,summary,petitioner,address,group_size\n"


def test_importer_applies_the_same_rules(org, ctx, tmp_path):
    from engine.intake.importer import ImportRejected, import_file
    f = tmp_path / "register.csv"
    f.write_text(HEAD + f"petition,C1,2026-11-02,{'x' * 100_000},An,Thôn 1,1\n"
                 f"petition,C1,2026-11-02,{ZW},An,Thôn 1,1\n"
                 f"petition,C1,2026-11-02,Đề nghị,{'N' * 256},Thôn 1,1\n"
                 f"petition,C1,2026-11-02,Đề nghị,An,Thôn 1,{'9' * 30}\n"
                 f"petition,C1-D1,2026-11-02,Đề nghị,An,Thôn 1,1\n"
                 f"petition,C1,2026-11-02,Đề nghị hợp lệ,Ngu{ZW}yễn Văn An,Thôn 1,1\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as e:
        with transaction(org) as s:
            import_file(s, ctx, f, lang="en")
    reasons = dict(e.value.rejected)
    assert "summary is too long" in reasons[2]
    assert "summary" in reasons[3]
    assert "petitioner is too long" in reasons[4]
    assert "group_size is too large" in reasons[5]
    assert "department" in reasons[6]
    assert 7 not in reasons
    assert n_petitions(org) == 0
    with transaction(org) as s:
        res = import_file(s, ctx, f, skip_invalid=True)
    assert res.petitions == 1
    with transaction(org) as s:
        assert s.scalar(select(Petitioner.name)) == "Nguyễn Văn An"


# -- exports: text stays text -----------------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "-1+2", "+1"]


def test_exports_write_names_as_text_never_formulas(org, ctx):
    from openpyxl import load_workbook

    from engine.reports import export, ontime_report
    from engine.reports.export import csv_safe
    with transaction(org) as s:
        for code, name in zip(["P", "C1", "C2", "C1-D1"], FORMULAS):
            s.execute(update(OrgUnit).where(OrgUnit.code == code).values(name=name))
        for unit in ("C1", "C2"):
            p = svc.add_petition(s, ctx, unit, "Đề nghị", received_on="2026-11-02")
            if unit == "C1":
                svc.act(s, ctx, p.code, "conclude", "clerk1", {"notice_no": "1", "department": "C1-D1"}, on="2026-11-03")
    for by in ("unit", "department"):
        with transaction(org) as s:
            rep = ontime_report(s, "P", "2026-11-01", "2026-11-20", by=by, today=ctx.instant().date(), cal=ctx.cal)
        text_csv = export(rep, "csv").decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text_csv)) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
        wb = load_workbook(io.BytesIO(export(rep, "xlsx")))
        ws = wb.active
        values = [c for row in ws.iter_rows() for c in row if c.value is not None]
        assert not [c.coordinate for c in values if c.data_type == "f"]
        strings = [c.value for c in values if isinstance(c.value, str)]
        assert any(v.startswith(FORMULAS[0]) for v in strings)  # the period line (the unit's name), as written
        named = FORMULAS[1:3] if by == "unit" else FORMULAS[3:]
        for name in named:
            assert any(v.startswith(name) for v in strings), (name, strings)
            assert any(c.startswith("'" + name) for c in cells), name
        assert any(isinstance(c.value, int) for c in values)  # figures stay numbers
    # numbers are never touched: a negative figure is a number, a formatted one stays as it is
    assert csv_safe(-3) == -3 and csv_safe(-1.5) == -1.5 and csv_safe("-1,5") == "-1,5" and csv_safe("-12 %") == "-12 %"
    assert csv_safe("-1+2") == "'-1+2" and csv_safe("\tx") == "'\tx"
