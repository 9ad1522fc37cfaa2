"""Letters, complaints and denunciations in the one engine (issue 17), on SQLite and
PostgreSQL: every clock of every workflow against dates computed by hand (working days and
calendar days, ending in Tết, on a swapped Saturday, on a swapped-off Friday), suspensions
that continue or restart, capped extensions, the 01/07/2026 change of the acceptance time,
the letter's outcomes and the overdue denunciation at the superior."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.language.errors import IllegalTransition, ValidationError
from engine.persistence.db import transaction
from engine.persistence.models import ClockJournal, ClockSuspension, Letter, OrgUnit, Petition
from engine.services import casework
from engine.services import petitions as svc

D = date


def letter(db, ctx, received, channel="post", unit="C1", transferred_from=""):
    with transaction(db) as s:
        return casework.register_letter(s, ctx, unit, "Đơn của công dân về đất đai", channel,
                                        transferred_from=transferred_from,
                                        petitioners=[{"name": "Trần Thị Hoa"}], received_on=received).code


def case(db, ctx, workflow, received, unit="C1", flags=None, contested_on=None):
    with transaction(db) as s:
        return svc.add_petition(s, ctx, unit, "Vụ việc thử", received_on=received, workflow=workflow,
                                flags=flags, contested_on=contested_on, petitioners=[{"name": "Lê Văn Nam"}]).code


def act(db, ctx, code, action, on, by="leader1", **params):
    with transaction(db) as s:
        return svc.act(s, ctx, code, action, by, params, on=on)


def clocks(db, code):
    with transaction(db) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        return {c.name: (c.due_date, c.status) for c in p.clocks}


def due(db, code, name):
    return clocks(db, code)[name][0]


# -- letter handling ------------------------------------------------------------------
@pytest.mark.parametrize("content, several, expected", [
    ("complaint", "no", D(2026, 4, 15)),      # 10 working days: 2,3,6,…,15/4 (TT 05/2021)
    ("petition", "no", D(2026, 4, 15)),
    ("denunciation", "no", D(2026, 4, 10)),   # 7 working days (Luật Tố cáo art. 24.1)
    ("denunciation", "yes", D(2026, 4, 15)),  # 10 working days when several places are involved
])
def test_letter_handling_clock_follows_the_classification(org, ctx, content, several, expected):
    code = letter(org, ctx, "01/04/2026")
    assert due(org, code, "letter_handling") == D(2026, 4, 15)
    act(org, ctx, code, "classify", "02/04/2026", by="clerk1", content=content, condition="eligible",
        competent="yes", several_places=several)
    assert clocks(org, code)["letter_handling"] == (expected, "running")
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        moved = s.scalars(select(ClockJournal).where(ClockJournal.clock_id == p.clocks[0].id)).all()
        # a denunciation is counted by another rule (journaled even when the date is the same)
        assert [j.cause for j in moved] == (["reclassified"] if content == "denunciation" else [])


def test_accepting_a_letter_opens_the_linked_case_counted_from_the_letter(org, ctx):
    code = letter(org, ctx, "30/06/2026")
    act(org, ctx, code, "classify", "01/07/2026", by="clerk1", content="complaint", condition="eligible",
        competent="yes", signers="7")
    res = act(org, ctx, code, "accept", "02/07/2026", by="clerk1")
    opened = res.created.code
    with transaction(org) as s:
        lt = s.get(Letter, s.scalar(select(Petition.id).where(Petition.code == code)))
        p = s.scalar(select(Petition).where(Petition.code == opened))
        assert (lt.result, lt.signers, lt.case_id, lt.result_on) == ("accept", 7, p.id, D(2026, 7, 2))
        assert (p.workflow, p.kind, p.state, p.received_on) == ("complaint", "complaint", "received", D(2026, 6, 30))
        assert casework.letter_for_case(s, p).petition.code == code
        assert [x.name for x in p.petitioners] == ["Trần Thị Hoa"]
    # received on 30/06/2026: the old rule, 10 working days (1,2,3,6,…,14/7)
    assert due(org, opened, "complaint_acceptance") == D(2026, 7, 14)
    assert clocks(org, code)["letter_handling"] == (D(2026, 7, 14), "met")


def test_the_acceptance_time_changes_on_1_july_2026(org, ctx):
    old = case(org, ctx, "complaint", "30/06/2026")
    new = case(org, ctx, "complaint", "01/07/2026")
    assert due(org, old, "complaint_acceptance") == D(2026, 7, 14)   # 10 working days
    assert due(org, new, "complaint_acceptance") == D(2026, 7, 10)   # 7 working days: 2,3,6,7,8,9,10/7
    with transaction(org) as s:
        src = {p.code: p.clocks[0].rule_source for p in s.scalars(select(Petition).where(Petition.code.in_((old, new))))}
    assert "155/2026" in src[new] and "155/2026" not in src[old]


@pytest.mark.parametrize("content, condition, competent, channel, action, params, message", [
    ("mixed", "eligible", "yes", "post", "accept", {}, "letter_mixed"),
    ("complaint", "anonymous", "yes", "post", "accept", {}, "letter_not_eligible"),
    ("complaint", "eligible", "no", "post", "accept", {}, "letter_not_eligible"),
    ("denunciation", "eligible", "no", "transferred", "transfer", {"agency": "Thanh tra tỉnh"},
     "denunciation_transfer_once"),
])
def test_letter_refusals_change_nothing(org, ctx, content, condition, competent, channel, action, params, message):
    code = letter(org, ctx, "01/04/2026", channel=channel, transferred_from="UBND huyện cũ" if channel == "transferred" else "")
    act(org, ctx, code, "classify", "02/04/2026", by="clerk1", content=content, condition=condition, competent=competent)
    with pytest.raises(ValidationError) as e:
        act(org, ctx, code, action, "03/04/2026", by="clerk1", **params)
    assert e.value.code == message
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        assert p.state == "classified" and s.get(Letter, p.id).result is None
        assert s.scalar(select(Petition).where(Petition.workflow != "letter")) is None


@pytest.mark.parametrize("action, params, state, result", [
    ("transfer", {"agency": "Thanh tra tỉnh"}, "transferred", "transfer"),
    ("guide", {"note": "Gửi Tòa án nhân dân"}, "guided", "guide"),
    ("file", {}, "filed", "file"),
])
def test_letter_outcomes(org, ctx, action, params, state, result):
    code = letter(org, ctx, "01/04/2026")
    act(org, ctx, code, "classify", "02/04/2026", by="clerk1", content="denunciation", condition="eligible", competent="no")
    act(org, ctx, code, action, "20/04/2026", by="clerk1", **params)
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        assert p.state == state and s.get(Letter, p.id).result == result
    assert clocks(org, code)["letter_handling"] == (D(2026, 4, 10), "late")


def test_bad_letter_input_is_refused(org, ctx):
    with pytest.raises(ValidationError) as e:
        letter(org, ctx, "01/04/2026", channel="pigeon")
    assert e.value.field == "channel"
    with pytest.raises(ValidationError) as e:
        letter(org, ctx, "01/04/2026", channel="transferred")  # from which body?
    code = letter(org, ctx, "01/04/2026")
    with pytest.raises(ValidationError) as e:
        act(org, ctx, code, "classify", "02/04/2026", by="clerk1", content="x", condition="eligible", competent="yes")
    assert e.value.field == "content"
    with pytest.raises(ValidationError) as e:
        act(org, ctx, code, "classify", "02/04/2026", by="clerk1", content="complaint", condition="eligible",
            competent="maybe")
    assert e.value.code == "bad_yes_no"


# -- complaint --------------------------------------------------------------------------
@pytest.mark.parametrize("flags, remote, complex_, expected", [
    ([], False, "no", D(2026, 2, 23)),              # 16/1 + 30 = Sun 15/2 in Tết (14–22/2) → Mon 23/2
    ([], False, "yes", D(2026, 3, 2)),              # + 45 = Mon 2/3
    ([], True, "no", D(2026, 3, 2)),                # remote area: 45
    ([], True, "yes", D(2026, 3, 17)),              # remote and complex: 60 → Tue 17/3
    (["second"], False, "no", D(2026, 3, 2)),       # second instance: 45
    (["second"], False, "yes", D(2026, 3, 17)),     # 60
    (["second"], True, "no", D(2026, 3, 17)),       # 60
    (["second"], True, "yes", D(2026, 3, 27)),      # 70 → Fri 27/3
])
def test_complaint_resolution_periods(org, ctx, flags, remote, complex_, expected):
    if remote:
        with transaction(org) as s:
            s.scalar(select(OrgUnit).where(OrgUnit.code == "C1")).remote_area = True
    code = case(org, ctx, "complaint", "12/01/2026", flags=flags)
    act(org, ctx, code, "accept", "16/01/2026", decision_no="01/QĐ-UBND", complex=complex_)
    assert clocks(org, code)["complaint_resolution"] == (expected, "running")
    assert clocks(org, code)["complaint_acceptance"][1] == "met"


def test_complaint_lodging_limit(org, ctx):
    # 90 days from 01/01/2026 = Wed 01/04/2026
    on_time = case(org, ctx, "complaint", "01/04/2026", contested_on="01/01/2026")
    act(org, ctx, on_time, "accept", "02/04/2026", decision_no="02/QĐ")
    late = case(org, ctx, "complaint", "02/04/2026", contested_on="01/01/2026")
    with pytest.raises(ValidationError) as e:
        act(org, ctx, late, "accept", "03/04/2026", decision_no="03/QĐ")
    assert e.value.code == "complaint_out_of_time" and "01/04/2026" in str(e.value)
    act(org, ctx, late, "refuse", "03/04/2026", reason="Quá thời hiệu khiếu nại")


def test_second_instance_needs_a_dialogue_before_the_decision(org, ctx):
    code = case(org, ctx, "complaint", "01/04/2026", flags=["second"])
    act(org, ctx, code, "accept", "02/04/2026", decision_no="04/QĐ")
    with pytest.raises(ValidationError) as e:
        act(org, ctx, code, "resolve", "10/04/2026", document_no="05/QĐ")
    assert e.value.code == "action_needs_flag"
    act(org, ctx, code, "dialogue", "08/04/2026", note="Đối thoại tại trụ sở UBND")
    act(org, ctx, code, "resolve", "10/04/2026", document_no="05/QĐ")
    assert clocks(org, code)["complaint_resolution"][1] == "met"


def test_complaint_suspension_continues_before_and_restarts_after_1_july_2026(org, ctx):
    before = case(org, ctx, "complaint", "27/02/2026")
    act(org, ctx, before, "accept", "02/03/2026", decision_no="06/QĐ")
    assert due(org, before, "complaint_resolution") == D(2026, 4, 1)
    act(org, ctx, before, "suspend", "10/03/2026", reason="Chờ kết quả giám định", decision_no="07/QĐ")
    assert clocks(org, before)["complaint_resolution"][1] == "paused"
    act(org, ctx, before, "resume", "20/03/2026", decision_no="08/QĐ")
    # continue: 01/04 + 10 suspended days = Sat 11/04 → Mon 13/04
    assert clocks(org, before)["complaint_resolution"] == (D(2026, 4, 13), "running")

    after = case(org, ctx, "complaint", "30/06/2026")
    act(org, ctx, after, "accept", "01/07/2026", decision_no="09/QĐ")
    assert due(org, after, "complaint_resolution") == D(2026, 7, 31)
    act(org, ctx, after, "suspend", "10/07/2026", reason="Chờ kết quả giám định", decision_no="10/QĐ")
    act(org, ctx, after, "resume", "20/07/2026", decision_no="11/QĐ")
    # restart from the continuation decision (NĐ 155/2026): 20/07 + 30 = Wed 19/08
    assert clocks(org, after)["complaint_resolution"] == (D(2026, 8, 19), "running")
    with transaction(org) as s:
        ledger = s.scalars(select(ClockSuspension).order_by(ClockSuspension.id)).all()
        assert [(x.from_on, x.to_on, x.mode, x.document, x.resume_document, x.due_before, x.due_after)
                for x in ledger] == [
            (D(2026, 3, 10), D(2026, 3, 20), "continue", "07/QĐ", "08/QĐ", D(2026, 4, 1), D(2026, 4, 13)),
            (D(2026, 7, 10), D(2026, 7, 20), "restart", "10/QĐ", "11/QĐ", D(2026, 7, 31), D(2026, 8, 19))]


def test_resuming_a_clock_that_is_not_suspended_is_refused(org, ctx):
    code = case(org, ctx, "complaint", "01/04/2026")
    act(org, ctx, code, "accept", "02/04/2026", decision_no="12/QĐ")
    with pytest.raises(IllegalTransition):
        act(org, ctx, code, "resume", "03/04/2026", decision_no="13/QĐ")


# -- denunciation -----------------------------------------------------------------------
@pytest.mark.parametrize("accepted, expected", [
    ("11/12/2025", D(2026, 1, 10)),   # + 30 = Sat 10/01/2026, a make-up working day: it stays
    ("03/12/2025", D(2026, 1, 5)),    # + 30 = Fri 02/01/2026, swapped off → Mon 05/01
    ("16/01/2026", D(2026, 2, 23)),   # + 30 = Sun 15/02/2026 in Tết → Mon 23/02
])
def test_denunciation_resolution_calendar_days(org, ctx, accepted, expected):
    code = case(org, ctx, "denunciation", "01/12/2025")
    act(org, ctx, code, "accept", accepted, decision_no="14/QĐ")
    assert clocks(org, code)["denunciation_resolution"] == (expected, "running")


def test_denunciation_notice_and_suspension_across_a_weekend_and_a_holiday(org, ctx):
    code = case(org, ctx, "denunciation", "30/03/2026")
    act(org, ctx, code, "accept", "01/04/2026", decision_no="15/QĐ")
    # notify within 5 working days: 2,3,6,7,8/4; resolve in 30 days: Fri 01/05 holiday → Mon 04/05
    assert clocks(org, code) == {"denunciation_notice": (D(2026, 4, 8), "running"),
                                 "denunciation_resolution": (D(2026, 5, 4), "running")}
    act(org, ctx, code, "notify", "07/04/2026", letter_no="16/TB")
    with pytest.raises(IllegalTransition):  # done: no longer offered
        act(org, ctx, code, "notify", "08/04/2026", letter_no="17/TB")
    # suspended Fri 24/04 → Tue 28/04 (weekend 25–26/4, Giỗ Tổ compensatory day Mon 27/4):
    # 4 days do not count, the period ends 01/05 + 4 = Tue 05/05
    act(org, ctx, code, "suspend", "24/04/2026", reason="Chờ cơ quan điều tra", decision_no="18/QĐ")
    act(org, ctx, code, "resume", "28/04/2026", decision_no="19/QĐ")
    assert clocks(org, code)["denunciation_resolution"] == (D(2026, 5, 5), "running")
    assert clocks(org, code)["denunciation_notice"] == (D(2026, 4, 8), "met")


@pytest.mark.parametrize("flag, allowed", [(None, 0), ("complex", 1), ("especially_complex", 2)])
def test_denunciation_extensions_are_capped(org, ctx, flag, allowed):
    code = case(org, ctx, "denunciation", "30/03/2026")
    act(org, ctx, code, "accept", "01/04/2026", decision_no="20/QĐ", **({flag: "yes"} if flag else {}))
    expected = D(2026, 5, 4)
    with pytest.raises(ValidationError) as e:  # more than 30 days at once
        act(org, ctx, code, "extend", "20/04/2026", reason="Phức tạp", days="31")
    assert e.value.code == ("extension_cap_count" if allowed == 0 else "extension_cap_days")
    for _ in range(allowed):
        act(org, ctx, code, "extend", "20/04/2026", reason="Phức tạp", days="30")
        expected = ctx.cal.add_days(expected, 30)
    assert expected == {0: D(2026, 5, 4), 1: D(2026, 6, 3), 2: D(2026, 7, 3)}[allowed]
    with pytest.raises(ValidationError) as e:
        act(org, ctx, code, "extend", "21/04/2026", reason="Phức tạp", until="01/08/2026")
    assert e.value.code == "extension_cap_count" and "30.1" in str(e.value)
    assert clocks(org, code)["denunciation_resolution"] == (expected, "running")


def test_overdue_denunciation_goes_to_the_superior(org, ctx):
    code = case(org, ctx, "denunciation", "30/03/2026")
    act(org, ctx, code, "accept", "01/04/2026", decision_no="21/QĐ")
    res = act(org, ctx, code, "go_to_superior", "10/11/2026", by="clerk1", reason="Quá hạn chưa giải quyết")
    up = res.created.code
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == up))
        assert (p.workflow, p.unit.code, p.escalated_from.code, p.state) == ("denunciation_followup", "P", code, "received")
    # the superior asks for a report within 5 working days: 11,12,13,16,17/11
    assert clocks(org, up) == {"superior_request": (D(2026, 11, 17), "running")}
    act(org, ctx, up, "request_report", "12/11/2026", by="pleader", letter_no="22/CV")
    assert clocks(org, up)["subordinate_report"] == (D(2026, 11, 19), "running")  # 13,16,17,18,19/11
    with pytest.raises(IllegalTransition):  # once only
        act(org, ctx, code, "go_to_superior", "12/11/2026", by="clerk1", reason="Lần nữa")


def test_go_to_superior_is_offered_only_once_overdue(org, ctx):
    code = case(org, ctx, "denunciation", "01/11/2026")
    act(org, ctx, code, "accept", "02/11/2026", decision_no="23/QĐ")  # due 02/12/2026, after today (20/11)
    with pytest.raises(IllegalTransition):
        act(org, ctx, code, "go_to_superior", "10/11/2026", by="clerk1", reason="Chưa quá hạn")


def test_regulation11_cases_keep_their_workflow(org, ctx):
    with transaction(org) as s:
        p = svc.add_petition(s, ctx, "C1", "Đề nghị sửa đường", received_on="05/10/2026")
        assert p.workflow == "regulation11" and [c.name for c in p.clocks] == ["conclusion"]
    with pytest.raises(ValidationError):
        case(org, ctx, "no_such_workflow", "05/10/2026")


def test_the_tick_reminds_of_the_new_clocks_and_not_while_suspended(org, ctx, tmp_path):
    from config.settings import Settings
    from engine.deadlines.timeutil import local_at
    from engine.persistence.models import OutboxMessage
    from engine.scheduler.tick import tick
    from notifications.dispatcher import dispatch
    from datetime import time
    code = letter(org, ctx, "01/04/2026")                    # letter handling due Wed 15/04/2026
    case_code = case(org, ctx, "denunciation", "30/03/2026")
    act(org, ctx, case_code, "accept", "01/04/2026", decision_no="50/QĐ")
    act(org, ctx, case_code, "notify", "02/04/2026", letter_no="51/TB")
    act(org, ctx, case_code, "suspend", "03/04/2026", reason="Chờ giám định", decision_no="52/QĐ")
    res = tick(org, local_at(D(2026, 4, 14), time(7, 35)))   # T-1 of the letter
    with transaction(org) as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "inbox")).all()
        by_case = {(r.petition_id, r.rung) for r in rows}
        inbox_ids = [r.id for r in rows]
        ids = {p.code: p.id for p in s.scalars(select(Petition))}
    assert (ids[code], "T-1") in by_case
    assert not any(pid == ids[case_code] for pid, _ in by_case)  # paused: no reminder
    assert set(inbox_ids) <= set(res.outbox_ids)
    out = dispatch(org, inbox_ids, settings=Settings(var_dir=tmp_path / "var", smtp_host=None),
                   now=local_at(D(2026, 4, 14), time(7, 40)))
    assert out.failed == 0 and not out.errors
    with transaction(org) as s:
        from engine.persistence.models import InboxItem
        bodies = [r.title + " " + r.body for r in s.scalars(select(InboxItem).where(InboxItem.petition_id == ids[code]))]
    assert bodies and all("xử lý đơn" in b for b in bodies), bodies[:1]
