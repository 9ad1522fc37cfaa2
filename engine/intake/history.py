"""The history a register holds, replayed through the workflow on the dates it happened.

A petition's history comes from two places in a register file:

* the progress columns of its own row (answered, conclusion notice, resolution, closing,
  referral) — the short form, one of each, as before;
* **history rows** (``record`` = ``diễn biến`` / ``history``): one row per action taken,
  naming the petition (``petition_ref``: the ``ref`` of a petition row of the file, or of an
  earlier import, or the petition's code), the ``action`` (``gia hạn``, ``mở lại``, ``báo cáo
  cấp trên``… or the workflow's own codes and labels) and its ``date``, with the action's
  fields in the usual columns (notice number and department, resolution number, agency,
  reason, extension days or date). Any number of them: two extensions, a reopening and a
  second resolution, an escalation.

Every step of a petition is applied with ``svc.act`` on its date, in date order; so state
rules, the department's scope, clocks and their verdicts, the petitioner notices and the
hash-chained event log are exactly those of the live action (``effective_on`` = the row's
date). Steps on the same day are taken in file order, except that a step the current
state does not allow yet waits for one that does (a notice and an extension dated the same
day: notice first). A step that no order allows is refused with its line.

Two things the live action does at "now" are set to the action's date, because the
reports read them as of a date: an extension's clock-journal entry (``ClockJournal.at``,
which the on-time report uses to know the due date "as it stood"), and the clock it stops
(``stopped_at``, via ``on``). Events keep ``at`` = when they were recorded (the import).

Escalation (``báo cáo cấp trên``): with ``escalated_ref`` naming the case as the parent
unit's register holds it (a petition row of the same file, or one already loaded), that
case is linked to this one — it is created from its own row at that moment, with its own
date of receipt (not before the escalation) and then its own history; without it, the
linked case is opened at the parent unit as the live action does.

Idempotent: history rows of a petition already loaded are applied only when the petition
has no event of the same action on the same date (such a row counts as a duplicate).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import local_midnight, parse_date
from engine.language.errors import DomainError, ValidationError
from engine.language.text import fold
from engine.persistence.models import ClockJournal, Event, Petition
from engine.services.common import count, text

# Words a register uses for each action, besides the workflow's own codes and labels (folded).
ACTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "conclude": ("thong bao ket luan", "ra thong bao ket luan", "ket luan", "notice", "conclusion"),
    "extend": ("gia han", "extension"),
    "resolve": ("giai quyet", "tra loi bang van ban", "van ban tra loi", "resolution", "resolved"),
    "reopen": ("mo lai", "reopened", "reopening"),
    "escalate": ("bao cao cap tren", "chuyen cap tren", "bao cao len cap tren", "escalation", "escalated"),
    "refer": ("huong dan", "huong dan den co quan co tham quyen", "referral", "referred"),
    "close": ("ket thuc", "dong", "closed", "closing"),
    "answer_at_meeting": ("tra loi tai buoi tiep", "answered", "answer"),
}
# an action's field -> the register column it is read from
PARAM_COLUMNS = {"notice_no": "notice_no", "department": "department", "document_no": "resolution_no",
                 "agency": "referred_agency", "reason": "reason", "days": "extension_days",
                 "until": "extended_until", "note": "answer_note"}
HISTORY_COLUMNS = tuple(PARAM_COLUMNS.values()) + ("escalated_ref",)
# the progress columns of a petition row, as steps: (date column, action, {field: column})
SHORTHAND = (("answered_on", "answer_at_meeting", {"note": "answer_note"}),
             ("notice_on", "conclude", {"notice_no": "notice_no", "department": "department"}),
             ("resolved_on", "resolve", {"document_no": "resolution_no"}),
             ("closed_on", "close", {}),
             ("referred_on", "refer", {"agency": "referred_agency"}))


def action_words(wf) -> dict[str, str]:
    words: dict[str, str] = {}
    for name, adef in wf.actions.items():
        for w in (name, name.replace("_", " "), adef.label[0], adef.label[1], *ACTION_SYNONYMS.get(name, ())):
            words.setdefault(fold(w).strip(), name)
    return words


@dataclass
class Step:
    on: date
    action: str
    params: dict
    line: int
    order: int
    escalated_ref: str | None = None
    history: bool = True  # a history row (counted), or a petition row's progress column


def validate_history_row(v: dict, wf, today: date) -> dict:
    """A clean history record from one raw row; raises a ValidationError naming the field."""
    ref = text(v.get("petition_ref"), "petition_ref", required=False)
    if not ref:
        raise ValidationError("missing_field", field="petition_ref")
    raw_action = v.get("action")
    if raw_action in ("", None):
        raise ValidationError("missing_field", field="action")
    action = action_words(wf).get(fold(str(raw_action)).replace("_", " ").strip())
    if action is None:
        raise ValidationError("import_bad_action", field="action", value=raw_action,
                              choices=", ".join(f"{a.label[0]} ({n})" for n, a in wf.actions.items()))
    if v.get("date") in ("", None):
        raise ValidationError("missing_field", field="date")
    day = parse_date(v["date"], "date")
    if day > today:
        raise ValidationError("date_in_future", field="date", date=day.strftime("%d/%m/%Y"))
    adef = wf.actions[action]
    params = {}
    for name in adef.fields:
        col = PARAM_COLUMNS.get(name)
        value = v.get(col) if col else None
        if value in ("", None):
            continue
        if name == "days":
            params[name] = count(value if isinstance(value, int) else str(value), col)
            if params[name] <= 0:
                raise ValidationError("extend_days_positive", field=col, n=params[name])
        elif name == "until":
            params[name] = parse_date(value, col)
        else:
            params[name] = text(value, col, required=False)
    used = {PARAM_COLUMNS[n] for n in adef.fields if n in PARAM_COLUMNS}
    if adef.escalate:
        used.add("escalated_ref")
    for col in HISTORY_COLUMNS:  # a filled column the action does not take is a mistake, not noise
        if col not in used and v.get(col) not in ("", None):
            raise ValidationError("unexpected_field", field=col, action=wf.action_label(action))
    for name in adef.required:
        if not params.get(name):
            raise ValidationError("missing_field", field=PARAM_COLUMNS.get(name, name))
    for group in adef.one_of:
        if len([n for n in group if params.get(n) not in (None, "")]) != 1:
            raise ValidationError("one_of_fields", field=PARAM_COLUMNS.get(group[0], group[0]),
                                  fields=" | ".join(PARAM_COLUMNS.get(n, n) for n in group))
    return {"record": "history", "petition_ref": ref, "action": action, "date": day, "params": params,
            "escalated_ref": text(v.get("escalated_ref"), "escalated_ref", required=False) or None, "ref": None}


def shorthand_steps(rec: dict, line: int) -> list[Step]:
    steps = []
    for k, (col, action, fields) in enumerate(SHORTHAND):
        if rec.get(col):
            params = {f: rec[c] or "-" if f == "note" else rec[c] for f, c in fields.items()}
            steps.append(Step(rec[col], action, params, line, k, history=False))
    return steps


def find_petition(session: Session, ref: str) -> Petition | None:
    """A petition already in the database, by the reference it was imported with or its code."""
    return (session.scalar(select(Petition).where(Petition.external_ref == ref))
            or session.scalar(select(Petition).where(Petition.code == ref)))


def already_taken(session: Session, petition_id: int, action: str, on: date) -> bool:
    return session.scalar(select(Event.id).where(Event.petition_id == petition_id, Event.action == action,
                                                 Event.effective_on == on).limit(1)) is not None


class StepRefused(Exception):
    """A row of a chain was refused: its line and the domain error."""

    def __init__(self, line: int, error: DomainError):
        super().__init__(line, error)
        self.line, self.error = line, error


@dataclass
class Chain:
    """A petition and its steps; created from `rec` unless it is already in the database."""
    line: int
    rec: dict | None
    petition: Petition | None = None
    steps: list[Step] = field(default_factory=list)


class Replayer:
    """Creates petitions that carry history and applies their steps with `svc.act`."""

    def __init__(self, session: Session, ctx, by: str, session_ids: dict[str, int], targets: dict[str, Chain],
                 lang: str = "vi"):
        self.s, self.ctx, self.by, self.lang = session, ctx, by, lang
        self.session_ids, self.targets = session_ids, targets
        self.created = 0   # petitions created from rows
        self.applied = 0   # history rows applied

    def create(self, rec: dict, escalated_from: Petition | None = None) -> Petition:
        from engine.services import petitions as svc
        sid = None
        if rec["session_ref"]:
            sid = self.session_ids.get(rec["session_ref"])
            if sid is None:
                from engine.persistence.models import ReceptionSession
                sid = self.s.scalar(select(ReceptionSession.id).where(ReceptionSession.external_ref == rec["session_ref"]))
            if sid is None:
                raise ValidationError("import_unknown_session_ref", field="session_ref", ref=rec["session_ref"])
        people = [{"name": rec["petitioner"], "address": rec["address"]}] if rec["petitioner"] else []
        p = svc.add_petition(self.s, self.ctx, rec["unit"], rec["summary"], received_on=rec["date"], session_id=sid,
                             petitioners=people, category=rec["category"], kind=rec["kind"],
                             group_size=rec["group_size"], complex_prolonged=rec["complex"], incited=rec["incited"],
                             external_ref=rec["ref"], action="import", escalated_from=escalated_from)
        self.created += 1
        return p

    def run(self, chain: Chain) -> list[Chain]:
        """Create the chain's petition if needed and apply its steps; returns the chains of
        the cases it escalated to (created on the way). Raises `StepRefused`."""
        try:
            p = chain.petition = chain.petition or self.create(chain.rec)
        except DomainError as exc:
            raise StepRefused(chain.line, exc) from None
        followers: list[Chain] = []
        wf = self.ctx.workflow
        pending = sorted(chain.steps, key=lambda st: (st.on, st.line, st.order))
        while pending:
            same_day = [st for st in pending if st.on == pending[0].on]
            step = next((st for st in same_day if p.state in wf.actions[st.action].sources), same_day[0])
            pending.remove(step)
            try:
                target = self._apply(p, step)
            except DomainError as exc:
                raise StepRefused(step.line, exc) from None
            if target is not None:
                followers.append(target)
        return followers

    def _apply(self, p: Petition, step: Step) -> Chain | None:
        from engine.services import petitions as svc
        wf = self.ctx.workflow
        adef = wf.actions[step.action]
        clock = None
        if adef.extend:
            clock = p.clock(adef.extend)
            if clock is None or clock.status not in ("running", "paused"):
                raise ValidationError("import_extend_no_clock", field="action", code=p.code,
                                      clock=wf.clock_label(adef.extend, self.lang),
                                      state=wf.state_label(p.state, self.lang))
        follower, escalate_to = None, None
        if adef.escalate and step.escalated_ref:
            follower = self.targets.get(step.escalated_ref)
            if follower is not None:
                if follower.rec["date"] < step.on:
                    raise ValidationError("escalate_target_date", field="escalated_ref", target=step.escalated_ref,
                                          received=follower.rec["date"].strftime("%d/%m/%Y"),
                                          date=step.on.strftime("%d/%m/%Y"))
                escalate_to = follower.petition = self.create(follower.rec, escalated_from=p)
            else:
                escalate_to = find_petition(self.s, step.escalated_ref)
                if escalate_to is None:
                    raise ValidationError("import_unknown_petition_ref", field="escalated_ref", ref=step.escalated_ref)
        svc.act(self.s, self.ctx, p.code, step.action, self.by, step.params, on=step.on, escalate_to=escalate_to)
        if clock is not None:
            # the due date moved on the action's date, not when the register was loaded
            j = self.s.scalars(select(ClockJournal).where(ClockJournal.clock_id == clock.id)
                               .order_by(ClockJournal.id.desc()).limit(1)).first()
            if j is not None:
                j.at = local_midnight(step.on)
        if step.history:
            self.applied += 1
        return follower
