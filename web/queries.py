"""Read-side queries of the list pages: scoped, filtered, paginated without COUNT(*).

Pagination fetches one row more than a page to know whether a next page exists, so a list
stays fast with 100,000 petitions (no full count on every page view).
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, g
from sqlalchemy import String, and_, case, column, exists, false, func, literal_column, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import Session, aliased

from engine.persistence.models import Clock, OrgUnit, Petition
from engine.persistence.scope import petition_scope, subtree_ids
from engine.services.petitions import Context
from engine.language.text import fold
from engine.deadlines.timeutil import local_date, utcnow
from engine.workflow.definition import load_workflow, workflow_names

PER_PAGE = 50
CODE = re.compile(r"^KN-[A-Za-z0-9-]+-\d{4}-\d{6}$")
RUNNING = ("running", "paused")
OPEN = ("received", "in_resolution")  # the backlog's states
# issue 17: and the open states of every other installed workflow (a letter being classified,
# a suspended complaint, a superior waiting for a report)
OPEN = OPEN + tuple(sorted({st for n in workflow_names() for st in load_workflow(n).open_states} - set(OPEN)))


def now() -> datetime:
    """The app's notion of now: tests and demos may fix it (`app.extensions["petitions_now"]`)."""
    fixed = current_app.extensions.get("petitions_now")
    if fixed is None:
        return utcnow()
    return fixed() if callable(fixed) else fixed


def today() -> date:
    return local_date(now())


def context() -> Context:
    """The request's context: the calendar of the decision files and of the decisions entered
    in the browser, the parameters with the units' own (issue 18), read once per request."""
    if "petitions_ctx" not in g:
        from engine.services.calendar_decisions import current_calendar
        from engine.services.unit_params import current_params
        from web.dbsession import db
        g.petitions_ctx = (current_calendar(db(), current_app.config.get("PETITIONS_SETTINGS")), current_params(db()))
    cal, params = g.petitions_ctx
    return Context(now=now(), cal=cal, params=params)


@dataclass
class Page:
    items: list
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(session: Session, q, page: int, per_page: int = PER_PAGE) -> Page:
    page = max(1, page)
    rows = list(session.scalars(q.limit(per_page + 1).offset((page - 1) * per_page)).unique())
    return Page(rows[:per_page], page, len(rows) > per_page)


def sees_every_unit(session: Session, user) -> bool:
    from sqlalchemy import func
    if user.role == "admin":
        return True
    if user.role == "department":
        return False
    return len(subtree_ids(session, user.unit_id)) == session.scalar(select(func.count(OrgUnit.id)))


def scope_clause(session: Session, user):
    """engine.persistence.scope.petition_scope, simplified to TRUE when the scope is every unit (a
    province-level auditor): the planner then uses the plain indexes instead of 60 ranges."""
    if sees_every_unit(session, user):
        from sqlalchemy import true
        return true()
    return petition_scope(session, user)


def scoped(session: Session, user):
    return select(Petition).where(scope_clause(session, user))


def overdue_clause(on: date):
    c = aliased(Clock)  # the outer query may already join Clock (by_deadline)
    return exists().where(and_(c.petition_id == Petition.id, c.status.in_(RUNNING), c.due_date < on))


def overdue_count(session: Session, user, on: date) -> int:
    """Petitions in the user's scope with a running clock past due. When the scope is every
    unit, the clocks' (status, due_date) index alone answers; otherwise count from the
    scope's petitions (one running clock per petition, so no DISTINCT is needed)."""
    from sqlalchemy import func
    if sees_every_unit(session, user):
        return session.scalar(select(func.count()).select_from(Clock)
                              .where(Clock.status.in_(RUNNING), Clock.due_date < on)) or 0
    return session.scalar(select(func.count(Petition.id)).where(petition_scope(session, user), overdue_clause(on))) or 0


def backlog(session: Session, user, on: date, page: int, limit: int = 100, per_page: int = PER_PAGE):
    """The leader's backlog: (overdue, awaiting, page of open petitions), each by deadline.

    Walking the running clocks in due-date order and probing each petition's scope is right
    when the scope is every unit (nearly every probe matches), so that case keeps the three
    LIMITed queries. A narrower scope (a commune) would reject most probes - the "awaiting"
    list went through ~10,000 clocks for 100 rows on PostgreSQL - so there one query ranks
    the scope's running clocks in the database and returns only the rows of the three lists
    (same filters, order and limits), and their petitions are loaded with one query."""
    if sees_every_unit(session, user):
        base = scoped(session, user)
        overdue = list(session.scalars(by_deadline(base.where(overdue_clause(on))).limit(limit)).unique())
        awaiting = list(session.scalars(by_deadline(base.where(Petition.state == "received")).limit(limit)).unique())
        open_page = paginate(session, by_deadline(base.where(Petition.state.in_(OPEN))), page, per_page)
        return overdue, awaiting, open_page
    # One pass over the scope's running clocks in the database: each petition once (its earliest
    # running clock), ranked in deadline order within each list by running counts, and only the
    # rows the three lists show come back (it had returned all of a commune's 35,000 at 1,000,000
    # petitions, 230 ms of Python a page, to be cut here).
    page = max(1, page)
    first = (select(Petition.id.label("id"), Petition.state.label("state"), func.min(Clock.due_date).label("due"))
             .join(Clock, and_(Clock.petition_id == Petition.id, Clock.status.in_(RUNNING)))
             .where(petition_scope(session, user)).group_by(Petition.id, Petition.state).subquery())
    order = (first.c.due, first.c.id)

    def running_count(cond):
        return func.sum(case((cond, 1), else_=0)).over(order_by=order, rows=(None, 0))
    is_over, is_new, is_open = first.c.due < on, first.c.state == "received", first.c.state.in_(OPEN)
    ranked = select(first.c.id, first.c.due, is_over.label("over"), is_new.label("new"), is_open.label("open"),
                    running_count(is_over).label("r_over"), running_count(is_new).label("r_new"),
                    running_count(is_open).label("r_open")).subquery()
    lo, hi = (page - 1) * per_page, page * per_page + 1
    keys = session.execute(select(ranked).where(
        (ranked.c.over & (ranked.c.r_over <= limit)) | (ranked.c.new & (ranked.c.r_new <= limit))
        | (ranked.c.open & (ranked.c.r_open > lo) & (ranked.c.r_open <= hi)))
        .order_by(ranked.c.due, ranked.c.id)).all()
    overdue_ids = [k.id for k in keys if k.over and k.r_over <= limit]
    awaiting_ids = [k.id for k in keys if k.new and k.r_new <= limit]
    open_ids = [k.id for k in keys if k.open and lo < k.r_open <= hi]
    wanted = set(overdue_ids) | set(awaiting_ids) | set(open_ids)
    rows = {p.id: p for p in session.scalars(select(Petition).where(Petition.id.in_(wanted))).unique()} if wanted else {}

    def pick(ids):
        return [rows[i] for i in ids if i in rows]
    return pick(overdue_ids), pick(awaiting_ids), Page(pick(open_ids)[:per_page], page, len(open_ids) > per_page)


def by_deadline(q):
    """Open petitions ordered by their running clock's due date (one running clock each)."""
    return (q.join(Clock, and_(Clock.petition_id == Petition.id, Clock.status.in_(RUNNING)))
            .order_by(Clock.due_date, Petition.id))


def apply_filters(session: Session, q, f: dict, on: date):
    """f: q (search), unit, department, state, category, date_from, date_to, overdue, and
    personal (may the reader see personal data; `web.listing.read_filters` asks the policy).
    Without it, search matches only non-personal text."""
    if f.get("workflow"):  # issue 17
        q = q.where(Petition.workflow == f["workflow"])
    raw = (f.get("q") or "").strip()
    text = fold(raw)
    if CODE.match(raw):  # a petition code: the unique index answers, no scan
        q = q.where(Petition.code == raw.upper())
    elif text:
        words = text.split()[:6]
        q = q.where(*search_clauses(session, words))
        if not f.get("personal"):
            # A reader who may not see personal data (engine.workflow.policy) searches only
            # what is not personal: search_text also holds petitioners' names, so a name
            # would otherwise pick out exactly that person's cases.
            q = q.where(*impersonal_clauses(words))
        else:
            guard = denouncer_guard(words)
            if guard is not None:
                q = q.where(guard)
    if f.get("unit"):
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == f["unit"]))
        q = q.where(Petition.unit_id.in_(subtree_ids(session, unit.id) if unit else {-1}))
    if f.get("department"):
        dept = session.scalar(select(OrgUnit.id).where(OrgUnit.code == f["department"]))
        q = q.where(Petition.department_id == (dept or -1))
    if f.get("state"):
        q = q.where(Petition.state == f["state"])
    if f.get("category"):
        q = q.where(Petition.category == f["category"])
    if f.get("date_from"):
        q = q.where(Petition.received_on >= f["date_from"])
    if f.get("date_to"):
        q = q.where(Petition.received_on <= f["date_to"])
    if f.get("overdue"):
        q = q.where(overdue_clause(on))
    return q


# SQLite: the FTS5 trigram index over search_text, kept by migration 0003's triggers.
FTS_TABLE = "petitions_fts"
_fts = table(FTS_TABLE, column("rowid"))
_fts_engines: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
TRIGRAM = 3  # a trigram index answers substrings of 3 characters or more
FTS_DENSE = 2000  # more matches than this: scan in list order with LIKE (see search_clauses)


def _uses_fts(session: Session) -> bool:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    engine = getattr(bind, "engine", bind)
    if not _fts_engines.get(engine):
        found = session.scalar(select(literal_column("1")).select_from(table("sqlite_master"))
                               .where(column("type") == "table", column("name") == FTS_TABLE))
        if not found:  # not migrated to 0003 (or no trigram tokenizer): LIKE still answers
            return False
        _fts_engines[engine] = True
    return True


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def search_clauses(session: Session, words: list[str]) -> list:
    """Every folded word must occur in search_text as a substring (accent-insensitive: both
    sides are folded).

    PostgreSQL: LIKE '%word%', answered by the pg_trgm GIN index when the planner sees
    fewer matches than a scan in list order would read.
    SQLite: words of 3+ characters go to the FTS5 trigram index (a quoted trigram phrase
    matches any substring), read up to FTS_DENSE + 1 row ids. Up to FTS_DENSE matches: the
    list is filtered to those ids (a rare or absent word no longer scans 100,000 rows).
    More: the words are common, so the list's own order (received date) scanned with LIKE
    finds a page of matches within a few thousand rows, sooner than sorting every match.
    Words shorter than a trigram are always checked with LIKE."""
    long = [w for w in words if len(w) >= TRIGRAM]
    out = []
    if long and _uses_fts(session):
        match = " AND ".join(_fts_phrase(w) for w in long)
        ids = session.scalars(select(_fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(match))
                              .limit(FTS_DENSE + 1)).all()
        if len(ids) <= FTS_DENSE:
            out.append(Petition.id.in_(ids) if ids else false())
            words = [w for w in words if len(w) < TRIGRAM]
    for word in words:
        out.append(Petition.search_text.like(f"%{_escape(word)}%", escape="\\"))
    return out


# -- search without personal data -------------------------------------------------------
# Accent folding in SQL, the same as engine.language.text.fold. PostgreSQL: lower() for ASCII,
# then translate() maps every accented Vietnamese letter (both cases) to its base letter.
# SQLite: fold() itself, registered as a function on each connection (engine.persistence.db).
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_BASES = "aăâeêioôơuưy"


def _fold_pairs() -> list[tuple[str, str]]:
    import unicodedata
    out = []
    for base in _BASES + _BASES.upper():
        for tone in _TONES:
            ch = unicodedata.normalize("NFC", base + tone)
            if len(ch) == 1 and not ch.isascii():
                out.append((ch, fold(ch)))
    return out + [("đ", "d"), ("Đ", "d")]


FOLD_PAIRS = _fold_pairs()


class folded(FunctionElement):
    """fold(text) computed by the database (the column is stored as written)."""
    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded_default(element, compiler, **kw):
    # SQLite has no translate(): engine.persistence.db registers fold() on every connection
    return f"petitions_fold({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_pg(element, compiler, **kw):
    src = "".join(a for a, _ in FOLD_PAIRS)
    dst = "".join(b for _, b in FOLD_PAIRS)
    return f"translate(lower({compiler.process(element.clauses, **kw)}), '{src}', '{dst}')"


def impersonal_text():
    """What a reader without personal data may search: code, summary and unit name."""
    unit_name = select(OrgUnit.name).where(OrgUnit.id == Petition.unit_id).scalar_subquery()
    return folded(Petition.code + " " + Petition.summary + " " + func.coalesce(unit_name, ""))


def impersonal_clauses(words: list[str]) -> list:
    """Every folded word must occur in the non-personal text (added to search_clauses, which
    narrow the rows through the index first: the non-personal text is part of search_text)."""
    text = impersonal_text()
    return [text.like(f"%{_escape(w)}%", escape="\\") for w in words]


def denouncer_guard(words: list[str], user=None):
    """A denouncer's identity is seen only by those named to handle the case
    (engine.workflow.policy.handles): on a denunciation the reader is not named for, the
    words must match its non-personal text, so a search by name cannot pick it out."""
    from flask_login import current_user
    from sqlalchemy import and_ as _and, or_
    from engine.persistence.models import CaseHandler
    user = current_user if user is None else user
    named = select(CaseHandler.petition_id).where(CaseHandler.user_id == user.id, CaseHandler.removed_at.is_(None))
    # letters too: one may be classified a denunciation (a flag the database cannot index
    # the same way on both engines), so a letter is found by a name only by those named to it
    maybe_denounced = or_(Petition.kind == "denunciation", Petition.workflow.in_(PROTECTED_WORKFLOWS))
    return or_(~maybe_denounced, Petition.id.in_(named), _and(*impersonal_clauses(words)))


PROTECTED_WORKFLOWS = ("denunciation", "denunciation_followup", "letter")


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def departments_under(session: Session, unit_id: int) -> list[OrgUnit]:
    ids = subtree_ids(session, unit_id)
    return list(session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids), OrgUnit.level == "department")
                                .order_by(OrgUnit.code)))


def units_in(session: Session, ids) -> list[OrgUnit]:
    q = select(OrgUnit).order_by(OrgUnit.code)
    if ids is not None:
        q = q.where(OrgUnit.id.in_(ids))
    return list(session.scalars(q))
