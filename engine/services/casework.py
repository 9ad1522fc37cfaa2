"""Several workflows in one engine (issue 17): which workflow a case follows, its flags and
the rule variant they choose, suspensions and resumptions, capped extensions, and the
steps particular to letters and complaints that the workflows name as `hook`s.

Called inside `engine.services.petitions.act` / `add_petition`, so every step is part of
that action's one transaction; a refusal raises before anything is committed.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.clocks import due_after, extension_length
from engine.deadlines.params import Params
from engine.language.errors import NotFound, ValidationError
from engine.persistence.models import (LETTER_CHANNELS, LETTER_CONDITIONS, LETTER_CONTENTS, Clock, ClockSuspension,
                                       Letter, Petition)
from engine.services.clocks import rerule_clock, resume_clock, suspend_clock
from engine.services.common import choice, count, text
from engine.deadlines.timeutil import parse_date
from engine.workflow.definition import ActionDef, ClockDef, WorkflowDef, load_workflow, workflow_names

YES = ("1", "yes", "true", "on", "co", "có")
NO = ("0", "no", "false", "off", "khong", "không")
# what an accepted letter opens, by its content
CASE_WORKFLOW = {"complaint": "complaint", "denunciation": "denunciation", "petition": "regulation11"}


def workflow_named(name: str | None) -> WorkflowDef:
    names = workflow_names()
    if name not in names:
        raise ValidationError("unknown_workflow", field="workflow", value=name, choices=", ".join(names))
    return load_workflow(name)


def workflow_of(p: Petition, default: WorkflowDef | None = None) -> WorkflowDef:
    name = p.workflow or "regulation11"
    if default is not None and default.name == name:
        return default
    return load_workflow(name)


def yes_no(value, field: str) -> bool:
    v = str(value).strip().lower()
    if v in YES:
        return True
    if v in NO:
        return False
    raise ValidationError("bad_yes_no", field=field, value=value)


def flags_of(p: Petition) -> list[str]:
    return list(p.flags or [])


def variant_for(p: Petition, cdef: ClockDef | None) -> str | None:
    """The rule variant of a clock for this case: its flags (and the unit's remote-area
    flag) in the order the clock names them, joined by "+"."""
    if cdef is None or not cdef.variant_flags:
        return None
    have = set(flags_of(p))
    if p.unit is not None and p.unit.remote_area:
        have.add("remote")
    parts = [f for f in cdef.variant_flags if f in have]
    return "+".join(parts) or None


def rule_for_case(params: Params, p: Petition, wf: WorkflowDef, clock: str, on: date, chain: list[str]):
    return params.rule_for(clock, on, chain, variant=variant_for(p, wf.clocks.get(clock)))


def apply_flags(p: Petition, adef: ActionDef, fields: dict) -> bool:
    """Set the flags an action carries; True when they changed."""
    before = flags_of(p)
    now = list(before)
    for f in adef.flag_fields:
        if f in fields:
            on = yes_no(fields[f], f)
            if on and f not in now:
                now.append(f)
            if not on and f in now:
                now.remove(f)
    for f in adef.adds_flags:
        if f not in now:
            now.append(f)
    if now != before:
        p.flags = now
        return True
    return False


def check_required_flags(p: Petition, adef: ActionDef, wf: WorkflowDef) -> None:
    have = set(flags_of(p))
    for when, needed in adef.requires_flags:
        if when in have and needed not in have:
            raise ValidationError("action_needs_flag", field="form", action=wf.action_label(adef.name),
                                  flag=when, needed=needed)


def offered(adef: ActionDef, p: Petition, today: date) -> str | None:
    """Why an action the state allows is not offered now (None when it is)."""
    if adef.escalate and adef.target == p.state and p.escalated_to_id is not None:
        return "needs_overdue"  # the superior already has the linked case
    if adef.needs_running:
        c = p.clock(adef.needs_running)
        if c is None or c.status not in ("running", "paused"):
            return "needs_running"
    if adef.needs_overdue:
        c = p.clock(adef.needs_overdue)
        if c is None or c.status != "running" or c.due_date >= today:
            return "needs_overdue"
    return None


def rerule_running(session: Session, p: Petition, wf: WorkflowDef, params: Params, cal, chain: list[str],
                   at: datetime) -> list[tuple[str, date, date]]:
    """After a case's flags change, recount its running clocks whose variant depends on them."""
    moved = []
    for c in p.clocks:
        cdef = wf.clocks.get(c.name)
        if c.status != "running" or cdef is None or not cdef.variant_flags:
            continue
        rule = params.rule_for(c.name, c.trigger_on, chain, variant=variant_for(p, cdef))
        res = rerule_clock(session, c, rule, cal, params.ladder, at)
        if res is not None:
            moved.append((c.name, *res))
    return moved


# -- extensions -------------------------------------------------------------------------
def check_extension_cap(params: Params, p: Petition, clock: Clock, wf: WorkflowDef, cal, days: int | None,
                        until: date | None, new_due: date) -> None:
    """Refuse an extension past the clock's cap (count, then length), with the law that caps
    it. The cap follows the case's flags (a complex denunciation: once; especially complex:
    twice), the strongest flag first."""
    cap = None
    variant = variant_for(p, wf.clocks.get(clock.name))
    variants = [variant] if variant else []
    if variant and "+" in variant:
        variants += list(reversed(variant.split("+")))
    for v in variants + [None]:
        cap = params.cap_for(clock.name, clock.trigger_on, v)
        if cap is not None and (cap.variant == v):
            break
    if cap is None:
        return
    label = wf.clock_label(clock.name)
    if clock.extensions >= cap.max_count:
        raise ValidationError("extension_cap_count", field="days" if days is not None else "until", clock=label,
                              n=clock.extensions, max=cap.max_count, source=cap.source)
    if cap.max_days is not None:
        n = days if days is not None else extension_length(cal, clock.due_date, new_due, clock.working)
        if n > cap.max_days:
            raise ValidationError("extension_cap_days", field="days" if days is not None else "until",
                                  n=n, max=cap.max_days, source=cap.source)


# -- suspensions ------------------------------------------------------------------------
def suspend(session: Session, p: Petition, wf: WorkflowDef, name: str, day: date, at: datetime, fields: dict):
    c = p.clock(name)
    if c is None or c.status != "running":
        raise ValidationError("clock_not_running", field="form", clock=wf.clock_label(name))
    session.flush()
    return suspend_clock(session, c, day, at, text(fields["reason"], "reason"),
                         text(fields["decision_no"], "document_no"), mode="pending")


def resume(session: Session, p: Petition, wf: WorkflowDef, name: str, day: date, at: datetime, fields: dict,
           params: Params, cal) -> tuple[date, date, str]:
    c = p.clock(name)
    if c is None or c.status != "paused":
        raise ValidationError("clock_not_paused", field="form", clock=wf.clock_label(name))
    entry = session.scalar(select(ClockSuspension).where(ClockSuspension.clock_id == c.id,
                                                         ClockSuspension.to_on.is_(None))
                           .order_by(ClockSuspension.id.desc()))
    rule = params.resume_rule(name, day)  # the rule in force on the continuation decision
    old, new = resume_clock(session, c, entry, day, at, text(fields["decision_no"], "document_no"), rule.mode,
                            rule.source, cal, params.ladder)
    return old, new, rule.mode


def suspensions(session: Session, clock_ids: list[int]) -> dict[int, list[ClockSuspension]]:
    out: dict[int, list[ClockSuspension]] = {}
    if not clock_ids:
        return out
    for s in session.scalars(select(ClockSuspension).where(ClockSuspension.clock_id.in_(clock_ids))
                             .order_by(ClockSuspension.id)):
        out.setdefault(s.clock_id, []).append(s)
    return out


# -- letters ----------------------------------------------------------------------------
def letter_of(session: Session, p: Petition) -> Letter:
    letter = session.get(Letter, p.id)
    if letter is None:
        raise NotFound("unknown_petition", field="code", code=p.code)
    return letter


def letter_for_case(session: Session, case: Petition) -> Letter | None:
    """The letter whose acceptance opened this case, if any."""
    return session.scalar(select(Letter).where(Letter.case_id == case.id))


def new_letter(p: Petition, channel: str, transferred_from: str = "", signers=1) -> Letter:
    channel = choice(channel or "", LETTER_CHANNELS, "channel")
    source = text(transferred_from, "agency", required=channel == "transferred")
    return Letter(petition_id=p.id, channel=channel, transferred_from=source,
                  signers=max(count(signers if signers not in (None, "") else 1, "signers"), 1))


def classify_letter(session: Session, ctx, p: Petition, wf: WorkflowDef, fields: dict, day: date, **_) -> None:
    letter = letter_of(session, p)
    letter.content = choice(fields["content"], LETTER_CONTENTS, "content")
    letter.condition = choice(fields["condition"], LETTER_CONDITIONS, "condition")
    letter.competent = yes_no(fields["competent"], "competent")
    letter.classified_on = day
    if "signers" in fields:
        letter.signers = max(count(fields["signers"], "signers"), 1)
    flags = [f for f in flags_of(p) if f != "denunciation"]
    if letter.content == "denunciation":
        flags.insert(0, "denunciation")  # the initial handling of a denunciation: 7/10 working days
    p.flags = flags
    p.kind = {"complaint": "complaint", "denunciation": "denunciation"}.get(letter.content, "petition")


def accept_letter(session: Session, ctx, p: Petition, wf: WorkflowDef, fields: dict, day: date, actor=None,
                  **_) -> Petition:
    """Open the case the letter's content calls for, at the letter's unit, received on the
    day the letter was (the law counts acceptance from the receipt of the letter), linked."""
    from engine.services.petitions import add_petition  # the service that opens any case
    letter = letter_of(session, p)
    if letter.content is None:
        raise ValidationError("letter_not_classified", field="form", code=p.code)
    if letter.condition != "eligible" or not letter.competent:
        raise ValidationError("letter_not_eligible", field="form", code=p.code)
    if letter.content == "mixed":
        raise ValidationError("letter_mixed", field="form", code=p.code)
    second = yes_no(fields["second"], "second") if "second" in fields else False
    contested = parse_date(fields["contested_on"], "contested_on") if "contested_on" in fields else None
    case = add_petition(session, ctx, p.unit.code, p.summary, received_at=p.received_at,
                        petitioners=[{"name": x.name, "address": x.address, "phone": x.phone, "email": x.email}
                                     for x in p.petitioners],
                        category=p.category, group_size=p.group_size, actor=actor, action="receive_letter",
                        workflow=CASE_WORKFLOW[letter.content], flags=["second"] if second else [],
                        contested_on=contested, received_from={"letter": p.code})
    letter.case_id = case.id
    letter.result, letter.result_on = "accept", day
    return case


def transfer_letter(session: Session, ctx, p: Petition, wf: WorkflowDef, fields: dict, day: date, **_) -> None:
    letter = letter_of(session, p)
    if letter.content is None:
        raise ValidationError("letter_not_classified", field="form", code=p.code)
    if letter.content == "denunciation" and letter.channel == "transferred":
        raise ValidationError("denunciation_transfer_once", field="agency", code=p.code)
    letter.result, letter.result_on = "transfer", day
    letter.transferred_to = text(fields["agency"], "agency")


def close_letter(session: Session, ctx, p: Petition, wf: WorkflowDef, fields: dict, day: date, action: str = "",
                 **_) -> None:
    letter = letter_of(session, p)
    letter.result, letter.result_on = {"guide": "guide", "file": "file"}[action], day


# -- complaints -------------------------------------------------------------------------
def accept_complaint(session: Session, ctx, p: Petition, wf: WorkflowDef, fields: dict, day: date,
                     chain: list[str] = (), **_) -> None:
    """The 90-day limit for lodging (30/45 at second instance): refuse to accept a complaint
    lodged after it, when the date of the contested decision is known."""
    if "contested_on" in fields:
        p.contested_on = parse_date(fields["contested_on"], "contested_on")
    text(fields["decision_no"], "document_no")  # measured like any document number (kept in the event)
    if p.contested_on is None:
        return
    have = set(flags_of(p)) | ({"remote"} if p.unit.remote_area else set())
    variant = "+".join(f for f in ("second", "remote") if f in have) or None
    rule = ctx.params.rule_for("complaint_lodging", p.contested_on, list(chain), variant=variant)
    limit = due_after(ctx.cal, p.contested_on, rule.days, rule.working)
    if p.received_on > limit:
        raise ValidationError("complaint_out_of_time", field="contested_on",
                              since=p.contested_on.strftime("%d/%m/%Y"), due=limit.strftime("%d/%m/%Y"),
                              received=p.received_on.strftime("%d/%m/%Y"), source=rule.source)


HOOKS = {"classify_letter": classify_letter, "accept_letter": accept_letter, "transfer_letter": transfer_letter,
         "close_letter": close_letter, "accept_complaint": accept_complaint}


def register_letter(session: Session, ctx, unit_code: str, summary: str, channel: str, transferred_from: str = "",
                    signers=1, petitioners: list[dict] | None = None, received_on=None, received_at=None,
                    category: str = "other", actor=None, external_ref: str | None = None) -> Petition:
    """Enter a letter in the unit's register (post, in person, online, transferred from
    another body): a case of the `letter` workflow whose handling clock starts on receipt."""
    from engine.services.petitions import add_petition
    channel = choice(channel or "", LETTER_CHANNELS, "channel")  # checked before anything is written
    p = add_petition(session, ctx, unit_code, summary, received_on=received_on, received_at=received_at,
                     petitioners=petitioners, category=category, actor=actor, workflow="letter",
                     external_ref=external_ref)
    session.add(new_letter(p, channel, transferred_from, signers))
    session.flush()
    return p
