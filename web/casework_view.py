"""What the pages share about several workflows (issue 17): the case's own workflow, the
actions offered now, the suspension ledger, the extension cap, the letter block. Blueprints
do not import each other, so the case page and the letters pages both read it from here."""
from __future__ import annotations

from engine.persistence.scope import can_read
from engine.services import casework
from engine.workflow.definition import load_workflow, workflow_names
from web.access import allowed_actions


def workflow_of(p, ctx):
    return casework.workflow_of(p, ctx.workflow)


def offered_actions(wf, user, p, today) -> list:
    """The actions this user may take now: the role and scope rules, and the workflow's
    own conditions (a clock still running, a clock overdue)."""
    return [a for a in allowed_actions(wf, user, p) if casework.offered(a, p, today) is None]


def suspensions(session, clock_ids):
    return casework.suspensions(session, clock_ids)


def cap_of(ctx, p, clock, wf):
    """The extension cap of a clock as the page explains it (None when there is none)."""
    cdef = wf.clocks.get(clock.name)
    if cdef is None or not any(a.extend == clock.name for a in wf.actions.values()):
        return None
    variant = casework.variant_for(p, cdef)
    for v in ([variant] + list(reversed(variant.split("+"))) if variant else []) + [None]:
        cap = ctx.params.cap_for(clock.name, clock.trigger_on, v)
        if cap is not None and cap.variant == v:
            return cap
    return None


def letter_block(session, user, p) -> dict | None:
    """The letter this case was opened from, or the case this letter opened (with whether
    the reader may open it)."""
    from engine.persistence.models import Letter
    letter = session.get(Letter, p.id)
    if letter is not None:
        case = letter.case
        return {"letter": letter, "case": case, "case_readable": case is not None and can_read(session, user, case)}
    origin = casework.letter_for_case(session, p)
    if origin is not None:
        return {"origin": origin.petition, "origin_readable": can_read(session, user, origin.petition)}
    return None


def workflow_choices(lang: str) -> list[tuple[str, str]]:
    return [(n, load_workflow(n).name_label(lang)) for n in workflow_names()]
