"""What we keep: org units, users, sessions, petitions, clocks, the event log, the outbox.

SQLAlchemy 2.0 typed models. Instants are stored in UTC; dates are local (Vietnam) dates.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Time,
                        UniqueConstraint, event, inspect)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.persistence.db import Base, NFCString, NFCText, UTCDateTime
from engine.language.text import fold
from engine.deadlines.timeutil import utcnow

UNIT_LEVELS = ("province", "commune", "ward", "special_zone", "district", "department")
ROLES = ("clerk", "department", "leader", "auditor", "admin")
SESSION_KINDS = ("reception_periodic", "reception_adhoc", "dialogue_periodic", "dialogue_adhoc", "dialogue_thematic")
# planned -> held | cancelled. "missed" is never stored: a planned session whose date has passed.
SESSION_STATUSES = ("planned", "held", "cancelled")
LABEL_LISTS = ("chair_role", "body")  # the lists an admin extends (session_labels)
CATEGORIES = ("land", "compensation", "resettlement", "social_policy", "infrastructure", "party_building",
              "cadre_degradation", "other")
PETITION_KINDS = ("feedback", "petition", "complaint", "denunciation")
CLOCK_STATUSES = ("running", "paused", "met", "late", "cancelled")


TZDateTime = UTCDateTime


class OrgUnit(Base):
    """A node of the organisation tree. Effective dates keep pre-2025 district history."""
    __tablename__ = "org_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(NFCString(255))
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    # The heading of its official documents (migration 0011); empty = derived from name and
    # level by engine/documents/heading.py.
    doc_format: Mapped[str | None] = mapped_column(String(8))  # party | state
    doc_issuing_body: Mapped[str | None] = mapped_column(NFCString(255))
    doc_parent_body: Mapped[str | None] = mapped_column(NFCString(255))
    doc_place: Mapped[str | None] = mapped_column(NFCString(128))
    doc_issuer_abbr: Mapped[str | None] = mapped_column(NFCString(32))
    doc_signer_name: Mapped[str | None] = mapped_column(NFCString(255))
    doc_signer_title: Mapped[str | None] = mapped_column(NFCString(128))
    doc_signing_form: Mapped[str | None] = mapped_column(String(8))  # tm | kt | tl | none
    doc_signing_for: Mapped[str | None] = mapped_column(NFCString(255))
    # remote or especially difficult area: longer complaint periods (Luật Khiếu nại art. 28, 37)
    remote_area: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id", lazy="joined", join_depth=1)

    @property
    def is_department(self) -> bool:
        return self.level == "department"

    @property
    def tier(self) -> str:
        """The annex column: 'province' or 'commune' (departments take their parent's)."""
        if self.level in ("province",):
            return "province"
        if self.level == "department" and self.parent is not None:
            return self.parent.tier
        return "commune"


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(NFCString(255), default="")
    email: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_mode: Mapped[str] = mapped_column(String(16), default="immediate")  # immediate | digest
    lang: Mapped[str] = mapped_column(String(2), default="vi")
    # Bumped to end every session of the user server-side (sign-out, password, role or unit
    # change, deactivation): a session cookie carries the epoch it was issued under.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")


class ReceptionSession(Base):
    """A citizen reception (tiếp dân) or a dialogue (đối thoại)."""
    __tablename__ = "reception_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    chair: Mapped[str] = mapped_column(NFCString(255), default="")
    people: Mapped[int] = mapped_column(Integer, default=0)
    groups: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(NFCText, default="")
    external_ref: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    # Planning (migration 0007). `held_on` is the session's date: the date it was held when
    # status is "held", the (current) planned date when "planned" or "cancelled" — so every
    # count of what was held filters on status == "held" (see `held_only`).
    status: Mapped[str] = mapped_column(String(16), default="held", server_default="held", index=True)
    planned_on: Mapped[date | None] = mapped_column(Date)     # first planned date; None = never planned (ad hoc)
    starts_at: Mapped[time | None] = mapped_column(Time)       # local time
    ends_at: Mapped[time | None] = mapped_column(Time)
    place: Mapped[str] = mapped_column(NFCString(255), default="", server_default="")
    chair_role: Mapped[str | None] = mapped_column(String(32))  # a code of session_labels (list chair_role)
    topic: Mapped[str] = mapped_column(NFCText, default="", server_default="")
    bodies: Mapped[list | None] = mapped_column(JSON, default=list)  # codes of session_labels (list body) that took part
    invited: Mapped[str] = mapped_column(NFCText, default="", server_default="")  # a dialogue's invitation list
    published_at: Mapped[datetime | None] = mapped_column(TZDateTime())  # last time it went out in a schedule notice
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime | None] = mapped_column(TZDateTime(), onupdate=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")

    def is_missed(self, today: date) -> bool:
        """Planned, and its date has passed without being recorded as held or cancelled."""
        return self.status == "planned" and self.held_on < today

    @property
    def was_planned(self) -> bool:
        return self.planned_on is not None


def held_only(stmt):
    """Restrict a select over reception_sessions to the sessions actually held."""
    return stmt.where(ReceptionSession.status == "held")


class SessionEvent(Base):
    """The journal of a session: planned, rescheduled, cancelled, held, published, edited."""
    __tablename__ = "session_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(NFCText, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # what changed: {"held_on": [old, new], ...}

    actor: Mapped[User | None] = relationship(lazy="joined")


class SessionLabel(Base):
    """An entry of a list the admin extends: chair roles, bodies that attend. Seeded by 0007."""
    __tablename__ = "session_labels"
    __table_args__ = (UniqueConstraint("list", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    list: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32))
    label_vi: Mapped[str] = mapped_column(NFCString(255))
    label_en: Mapped[str] = mapped_column(NFCString(255))
    position: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SchedulePublication(Base):
    """'Publish the schedule for month M (or year Y)': what went out and when. A change to a
    published session republishes its period (revision + 1)."""
    __tablename__ = "schedule_publications"
    __table_args__ = (UniqueConstraint("unit_id", "period", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # "2026-03" (a month) or "2026" (a year)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    published_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(NFCText, default="")
    sessions: Mapped[list] = mapped_column(JSON, default=list)  # the published lines, as published

    unit: Mapped[OrgUnit] = relationship(lazy="joined")


class PetitionCounter(Base):
    """The last number given per unit and year: codes are gapless because the counter is
    bumped in the same transaction as the insert and rolls back with it."""
    __tablename__ = "petition_counters"
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Petition(Base):
    __tablename__ = "petitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    received_at: Mapped[datetime] = mapped_column(TZDateTime())
    summary: Mapped[str] = mapped_column(NFCText)
    category: Mapped[str] = mapped_column(String(32), default="other")
    kind: Mapped[str] = mapped_column(String(32), default="petition")
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    group_size: Mapped[int] = mapped_column(Integer, default=1)
    complex_prolonged: Mapped[bool] = mapped_column(Boolean, default=False)
    incited: Mapped[bool] = mapped_column(Boolean, default=False)  # "bị lợi dụng, kích động"
    department_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # What the workflow recorded (kept as columns because reports filter on them).
    notice_no: Mapped[str | None] = mapped_column(NFCString(64))
    notice_on: Mapped[date | None] = mapped_column(Date)
    document_no: Mapped[str | None] = mapped_column(NFCString(64))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(NFCText)
    referred_agency: Mapped[str | None] = mapped_column(NFCString(255))
    closed_on: Mapped[date | None] = mapped_column(Date)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    escalated_from_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    # a duplicate letter (đơn trùng) points at its master case; reports count it once
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"), index=True)
    search_text: Mapped[str] = mapped_column(NFCText, default="")  # accent-folded, for search
    external_ref: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)
    # issue 17: the workflow the case follows, its flags (complex, second_instance, several_places…)
    # and, for a complaint, the date the contested decision was received or learned of
    workflow: Mapped[str] = mapped_column(String(32), default="regulation11", server_default="regulation11", index=True)
    flags: Mapped[list | None] = mapped_column(JSON, default=list)
    contested_on: Mapped[date | None] = mapped_column(Date)

    unit: Mapped[OrgUnit] = relationship(foreign_keys=[unit_id], lazy="joined")
    department: Mapped[OrgUnit | None] = relationship(foreign_keys=[department_id], lazy="joined")
    session: Mapped[ReceptionSession | None] = relationship(lazy="select")
    petitioners: Mapped[list[Petitioner]] = relationship(back_populates="petition", cascade="all, delete-orphan",
                                                         order_by="Petitioner.id", lazy="selectin")
    clocks: Mapped[list[Clock]] = relationship(back_populates="petition", order_by="Clock.id", lazy="selectin")
    escalated_from: Mapped[Petition | None] = relationship(foreign_keys=[escalated_from_id], remote_side="Petition.id")
    escalated_to: Mapped[Petition | None] = relationship(foreign_keys=[escalated_to_id], remote_side="Petition.id")
    duplicate_of: Mapped[Petition | None] = relationship(foreign_keys=[duplicate_of_id], remote_side="Petition.id")

    handlers: Mapped[list[CaseHandler]] = relationship(
        order_by="CaseHandler.id", lazy="select",
        primaryjoin="and_(Petition.id == CaseHandler.petition_id, CaseHandler.removed_at.is_(None))", viewonly=True)

    @property
    def handler_ids(self) -> frozenset[int]:
        """The users named to handle this case (a denouncer's identity is theirs only)."""
        return frozenset(h.user_id for h in self.handlers)

    def clock(self, name: str) -> Clock | None:
        """The latest clock of that name (a reopening starts a new resolution clock)."""
        found = [c for c in self.clocks if c.name == name]
        return found[-1] if found else None

    __table_args__ = (Index("ix_petitions_unit_state", "unit_id", "state"),)


class CaseHandler(Base):
    """A person named to handle a case: for a denunciation, the only people who see who
    denounced (Luật Tố cáo 2018 art. 47–48). A removal keeps the row (removed_at)."""
    __tablename__ = "case_handlers"
    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    petition: Mapped[Petition] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class IdentityReveal(Base):
    """Each time a denouncer's identity was shown (page, print, export, API), to whom and when."""
    __tablename__ = "identity_reveals"
    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(255), default="")

    __table_args__ = (Index("ix_identity_reveals_petition_at", "petition_id", "at"),)


class Petitioner(Base):
    """Personal data: shown only to the roles that need it."""
    __tablename__ = "petitioners"
    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(NFCString(255))
    address: Mapped[str] = mapped_column(NFCString(255), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    petition: Mapped[Petition] = relationship(back_populates="petitioners")


def petition_search_text(p: Petition, unit: OrgUnit | None, exclude=()) -> str:
    """What search matches: code, summary, petitioners' names and unit name, accent-folded.
    The database indexes this column (FTS5 trigram on SQLite, pg_trgm on PostgreSQL)."""
    names = " ".join(x.name for x in p.petitioners if x not in exclude)
    return fold(f"{p.code} {p.summary} {names} {unit.name if unit is not None else ''}")


_SEARCHED = ("code", "summary", "unit_id", "unit")


@event.listens_for(Session, "before_flush")
def _refresh_search_text(session: Session, _flush_context, _instances) -> None:
    """Keep search_text in step when the ORM changes what it is made of (a summary edited,
    a petitioner added or renamed); the database triggers then re-index it in the same
    transaction. Core writes (a bulk import) must set search_text themselves."""
    stale = set()
    for obj in session.new:
        if isinstance(obj, Petition) and not obj.search_text:
            stale.add(obj)
    for obj in session.dirty:
        if isinstance(obj, Petition):
            state = inspect(obj)
            if any(state.attrs[a].history.has_changes() for a in _SEARCHED):
                stale.add(obj)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Petitioner) and obj.petition is not None:
            if obj in session.dirty and not inspect(obj).attrs.name.history.has_changes():
                continue
            stale.add(obj.petition)
    for p in stale:
        if p in session.deleted:
            continue
        unit = p.unit
        if p.unit_id is not None and (unit is None or (unit.id != p.unit_id and not inspect(p).attrs.unit.history.has_changes())):
            unit = session.get(OrgUnit, p.unit_id)  # unit_id was set directly
        text = petition_search_text(p, unit, exclude=session.deleted)
        if text != p.search_text:
            p.search_text = text


class Clock(Base):
    """A statutory deadline of one petition. The verdict is frozen when it stops."""
    __tablename__ = "clocks"
    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(32))  # conclusion | resolution
    rule_days: Mapped[int] = mapped_column(Integer)
    working: Mapped[bool] = mapped_column(Boolean, default=True)
    rule_source: Mapped[str] = mapped_column(NFCText, default="")
    trigger_on: Mapped[date] = mapped_column(Date)
    trigger_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    due_date: Mapped[date] = mapped_column(Date, index=True)
    deadline_at: Mapped[datetime] = mapped_column(TZDateTime())
    original_due_date: Mapped[date] = mapped_column(Date)
    extended_due_date: Mapped[date | None] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    stopped_on: Mapped[date | None] = mapped_column(Date)
    stopped_by_action: Mapped[str | None] = mapped_column(String(32))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_version: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by extensions and re-projection
    next_rung_at: Mapped[datetime | None] = mapped_column(TZDateTime(), index=True)
    next_rung: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    # issue 17: which rule variant counted it (complex, remote, second…; None = the plain rule)
    variant: Mapped[str | None] = mapped_column(String(64))

    petition: Mapped[Petition] = relationship(back_populates="clocks")

    @property
    def running(self) -> bool:
        return self.status == "running"


class ClockJournal(Base):
    """Every move of a due date after it was first set: extensions and re-projections."""
    __tablename__ = "clock_journal"
    id: Mapped[int] = mapped_column(primary_key=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("clocks.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    old_due: Mapped[date] = mapped_column(Date)
    new_due: Mapped[date] = mapped_column(Date)
    cause: Mapped[str] = mapped_column(String(32))  # extension | calendar_change
    detail: Mapped[str] = mapped_column(NFCText, default="")
    calendar_version: Mapped[str] = mapped_column(String(32))


class Event(Base):
    """Append-only, hash-chained per petition: auditors can verify nothing was rewritten."""
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(NFCString(64))
    at: Mapped[datetime] = mapped_column(TZDateTime())
    effective_on: Mapped[date] = mapped_column(Date)
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("petition_id", "seq", name="uq_events_petition_seq"),)


class EventHead(Base):
    """The keyed head of one petition's chain, written in the transaction that appends an
    event (`engine.persistence.eventlog`): its last seq and hash and the petition's sealed
    state (state, numbers, clocks), under an HMAC. No foreign key on purpose: a head outlives
    a petition deleted behind the application's back, and says so."""
    __tablename__ = "event_heads"
    petition_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    legacy_upto: Mapped[int] = mapped_column(Integer, default=0)  # events 1..n are plain SHA-256 (before 0006)
    sealed: Mapped[dict] = mapped_column(JSON, default=dict)
    key_id: Mapped[str] = mapped_column(String(16))
    mac: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class AuditCheckpoint(Base):
    """A keyed, chained record of how many petitions and events each unit had: deleting a
    whole case (and its head) leaves fewer than a checkpoint counted."""
    __tablename__ = "audit_checkpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(TZDateTime())
    units: Mapped[dict] = mapped_column(JSON, default=dict)  # unit id -> [petitions, events]
    key_id: Mapped[str] = mapped_column(String(16))
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class OutboxMessage(Base):
    """A notification to send. The outbox, not the broker, is the truth: a row is written
    in the transaction that decides it, and the relay re-sends rows left pending."""
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    # (clock, rung, recipient, clock version) for reminders; (event, kind, recipient) for notices.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))  # email | inbox | webhook | letter
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_email: Mapped[str | None] = mapped_column(String(255))
    lang: Mapped[str] = mapped_column(String(2), default="vi")
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"), index=True)
    clock_id: Mapped[int | None] = mapped_column(ForeignKey("clocks.id"), index=True)
    rung: Mapped[str | None] = mapped_column(String(16))
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|sent|failed|skipped|held
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(NFCText)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, index=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime())


class InboxItem(Base):
    """The in-app inbox shown by the admin."""
    __tablename__ = "inbox_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(NFCText)
    body: Mapped[str] = mapped_column(NFCText, default="")
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(TZDateTime())


class SignIn(Base):
    """Every sign-in attempt, kept for audit and for the failed-attempt limit."""
    __tablename__ = "sign_ins"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    address: Mapped[str] = mapped_column(String(64), default="")
    ok: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, index=True)


class TickRun(Base):
    """One completed scheduler tick: /healthz reads the last one to notice a stopped beat."""
    __tablename__ = "tick_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(TZDateTime())
    started_at: Mapped[datetime] = mapped_column(TZDateTime())
    finished_at: Mapped[datetime] = mapped_column(TZDateTime(), index=True)
    claimed: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    calendar_version: Mapped[str | None] = mapped_column(String(32))  # a change triggers re-projection


class ReprojectionBatch(Base):
    """One committed batch of a re-projection after calendar data changed (issue 20): where
    it got to (`last_clock_id`) and with which instant, so a run cut short is continued
    from there with the same instant and ends as an uninterrupted one would."""
    __tablename__ = "reprojection_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_version: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(TZDateTime())  # the run's instant: journal rows, rungs, seals
    batch: Mapped[int] = mapped_column(Integer)
    last_clock_id: Mapped[int] = mapped_column(Integer)
    looked: Mapped[int] = mapped_column(Integer)  # stale running clocks taken by this batch
    moved: Mapped[int] = mapped_column(Integer)   # journal rows written (due date moved)
    sealed: Mapped[int] = mapped_column(Integer)  # petitions re-sealed
    done: Mapped[bool] = mapped_column(Boolean)
    written_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class DataVersion(Base):
    """One number that moves whenever data may have changed (issue 20): every transaction that
    writes a table other than the delivery and access logs adds one to it, in the same
    transaction, just before its COMMIT (engine/persistence/versions.py). Report results kept
    between requests are filed under it, so a result is never served after a write it predates."""
    __tablename__ = "data_versions"
    id: Mapped[int] = mapped_column(primary_key=True)  # one row, id 1
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class ApiToken(Base):
    """A personal access token for the JSON API (`web.api`): created by a user in the admin,
    it acts as that user, never more. Only the SHA-256 of the secret is kept (the secret is
    high-entropy, so a fast hash is enough and lets a lookup use the unique index); the
    secret is shown once. The role and unit at creation are kept: a token whose user has
    since changed role or unit (or was deactivated) is refused, and so is one expired or
    revoked (`engine.services.tokens`)."""
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(NFCString(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists to tell tokens apart
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    uses: Mapped[int] = mapped_column(Integer, default=0)
    # The rate limit's window: when the current minute began and how many requests it served
    # (taken by one conditional UPDATE, so concurrent requests cannot all slip through).
    rate_window_start: Mapped[datetime | None] = mapped_column(TZDateTime())
    rate_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApiTokenUse(Base):
    """Every request made with a token (refused ones too): what, when, from where, answer."""
    __tablename__ = "api_token_uses"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))
    status: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_api_token_uses_token_at", "token_id", "at"),)


# -- the public face (issue 18): tracking slips, online submissions, public rate limits ------------
class TrackingSlip(Base):
    """A receipt slip's tracking secret (giấy biên nhận). Only an Argon2 hash of the secret is
    kept, so a slip cannot be printed again with the same secret: a reprint issues a new one
    and revokes the previous (`revoked_at`). Every issue stays as a row: who printed which
    slip and when is the audit trail of the credential."""
    __tablename__ = "tracking_slips"
    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(16))  # online | desk
    issued_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime())


class OnlineSubmission(Base):
    """A petition sent through the public form (Luật 136/2025, online reception): what the
    sender gave and from where, beside the petition it opened."""
    __tablename__ = "online_submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, index=True)
    address: Mapped[str] = mapped_column(String(64), default="")  # the sender's network address (abuse limits)
    lang: Mapped[str] = mapped_column(String(2), default="vi")

    attachments: Mapped[list[OnlineAttachment]] = relationship(order_by="OnlineAttachment.id", lazy="selectin")


class OnlineAttachment(Base):
    """A file sent with an online submission, kept outside the web root under var/; the
    stored name is its SHA-256, never the sender's name."""
    __tablename__ = "online_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("online_submissions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(NFCString(255))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class PublicAttempt(Base):
    """A public request that counts against a limit (tracking look-ups, online submissions),
    as `SignIn` does for sign-ins: `kind` is the limit, `key` the address or the case code."""
    __tablename__ = "public_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(96))
    ok: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    __table_args__ = (Index("ix_public_attempts_kind_key_at", "kind", "key", "at"),)
class UnitSuccession(Base):
    """Unit `successor` took over `predecessor` from `effective_on` (a merge, a split, a unit
    dissolved into its parent): open work followed, history stayed (migration 0014)."""
    __tablename__ = "unit_successions"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    successor_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # merge | split
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    predecessor: Mapped[OrgUnit] = relationship(foreign_keys=[predecessor_id], lazy="joined")
    successor: Mapped[OrgUnit] = relationship(foreign_keys=[successor_id], lazy="joined")


class UserInvitation(Base):
    """A one-time link to set one's password (an invitation or a reset): only the SHA-256 of
    its secret is kept; it works once, until `expires_at` (migration 0014)."""
    __tablename__ = "user_invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16), default="invite", server_default="invite")  # invite | reset
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class AdminEvent(Base):
    """The audit log of administrators' changes to units and users: a chain keyed with the
    audit key (engine.persistence.adminlog), like the petitions' event log (migration 0014)."""
    __tablename__ = "admin_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(64), default="", server_default="")
    action: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    target: Mapped[str] = mapped_column(String(64), default="", server_default="")
    data: Mapped[dict | None] = mapped_column(JSON, default=dict)
    key_id: Mapped[str] = mapped_column(String(16))
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
# -- issue 18: calendar decisions and per-unit workflow parameters entered in the browser (0015) --
ADMIN_LISTS = ("category", "chair_role", "body")  # the lists of session_labels the admin pages edit


class CalendarDecision(Base):
    """A day off or a (swapped) working day decided by the government and entered by an
    administrator. Read together with config/calendar/*.toml into one calendar
    (`engine.services.calendar_decisions`); a row is never edited, so the calendar version
    that counted a deadline can always be rebuilt."""
    __tablename__ = "calendar_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # day_off | working_day
    name: Mapped[str] = mapped_column(NFCString(255))
    name_en: Mapped[str] = mapped_column(NFCString(255), default="")
    source_no: Mapped[str] = mapped_column(NFCString(64))   # the document's number, e.g. 1234/TB-BNV
    source_on: Mapped[date] = mapped_column(Date)            # the document's date
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class UnitParam(Base):
    """A unit's own deadline for a clock (e.g. 7 working days for the conclusion notice),
    in force for cases of the unit and the units below it from `effective_from`."""
    __tablename__ = "unit_params"
    __table_args__ = (UniqueConstraint("unit_id", "clock", "effective_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    clock: Mapped[str] = mapped_column(String(32))
    days: Mapped[int] = mapped_column(Integer)
    working: Mapped[bool] = mapped_column(Boolean, default=True)
    effective_from: Mapped[date] = mapped_column(Date)
    source_no: Mapped[str] = mapped_column(NFCString(64))
    source_on: Mapped[date] = mapped_column(Date)
    source_title: Mapped[str] = mapped_column(NFCString(255), default="")  # e.g. "Quy chế tiếp công dân của Tỉnh ủy"
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
from sqlalchemy import LargeBinary  # noqa: E402  (kept beside the one table that stores file bytes)


class DocumentTemplate(Base):
    """A unit's own template for a kind of document in a format (a DOCX edited in Word and
    uploaded by its admin; placeholders checked on upload). The newest active one is used;
    older uploads stay for the record."""
    __tablename__ = "document_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    kind: Mapped[str] = mapped_column(String(32))
    fmt: Mapped[str] = mapped_column(String(8))
    docx: Mapped[bytes] = mapped_column(LargeBinary)
    file_name: Mapped[str] = mapped_column(NFCString(255), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    unit: Mapped[OrgUnit] = relationship(lazy="joined")

    __table_args__ = (Index("ix_document_templates_unit_kind_fmt", "unit_id", "kind", "fmt"),)


DOCUMENT_STATUSES = ("draft", "issued", "registered")  # registered = produced elsewhere, uploaded as PDF


class Document(Base):
    """An official document of a unit (issue 15): drafted from the data (`kind`) or produced
    elsewhere and registered with its PDF. The number is given at issue, never at draft
    (NĐ 30/2020/NĐ-CP art. 15), from `document_counters`; once issued it is immutable and a
    correction is a new document naming the one it corrects (`corrects_id`)."""
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)  # the issuing body
    kind: Mapped[str | None] = mapped_column(String(32))  # engine/documents/kinds.KINDS; None: produced elsewhere
    doc_type: Mapped[str] = mapped_column(String(16))     # kinds.DOC_TYPES: the register's series
    fmt: Mapped[str] = mapped_column(String(8))           # party | state
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    number_text: Mapped[str | None] = mapped_column(NFCString(64))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    summary: Mapped[str] = mapped_column(NFCText, default="")  # trích yếu
    signer_name: Mapped[str] = mapped_column(NFCString(255), default="")
    signer_title: Mapped[str] = mapped_column(NFCString(255), default="")
    recipients: Mapped[str] = mapped_column(NFCText, default="")  # one per line (Nơi nhận)
    issued_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(NFCString(255))
    file_size: Mapped[int | None] = mapped_column(Integer)
    mime: Mapped[str | None] = mapped_column(String(100))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # the draft's parameters
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
    corrects: Mapped[Document | None] = relationship(remote_side="Document.id", lazy="select")
    items: Mapped[list[DocumentItem]] = relationship(back_populates="document", cascade="all, delete-orphan",
                                                     order_by="DocumentItem.position", lazy="selectin")

    __table_args__ = (
        # two documents can never carry the same number, whatever a bug upstream does
        UniqueConstraint("unit_id", "year", "fmt", "doc_type", "number", name="uq_documents_number"),
        Index("ix_documents_unit_year_type", "unit_id", "year", "doc_type"),
    )


class DocumentItem(Base):
    """A line of a conclusion notice: the petition, the responsible department, the chair's
    direction and the due date of the resolution clock that `conclude` starts."""
    __tablename__ = "document_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(NFCText, default="")
    version: Mapped[int | None] = mapped_column(Integer)  # the petition's version when it was picked

    document: Mapped[Document] = relationship(back_populates="items")
    petition: Mapped[Petition] = relationship(lazy="joined")
    department: Mapped[OrgUnit | None] = relationship(lazy="joined")


class DocumentCounter(Base):
    """The last number given per issuing body (a unit in a format: a commune's party committee
    and its people's committee number apart), year and document type: gapless because it is
    bumped (an atomic upsert) in the transaction that issues, and rolls back with it."""
    __tablename__ = "document_counters"
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    fmt: Mapped[str] = mapped_column(String(8), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class DocumentEvent(Base):
    """What happened to a document (drafted, issued with its file's SHA-256, registered,
    corrected): chained per document under the audit key like the petitions' events."""
    __tablename__ = "document_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(NFCString(64))
    at: Mapped[datetime] = mapped_column(TZDateTime())
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("document_id", "seq", name="uq_document_events_seq"),)
LETTER_CHANNELS = ("post", "in_person", "online", "transferred")
LETTER_CONTENTS = ("complaint", "denunciation", "petition", "mixed")
LETTER_CONDITIONS = ("eligible", "ineligible", "duplicate", "anonymous", "resolved_no_new")
LETTER_RESULTS = ("accept", "transfer", "guide", "file")


class ClockSuspension(Base):
    """The ledger of a clock's suspensions: why, by which document, from and to, and what
    the resumption did to the due date (continue with the days left, or restart)."""
    __tablename__ = "clock_suspensions"
    id: Mapped[int] = mapped_column(primary_key=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("clocks.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(NFCText)
    document: Mapped[str] = mapped_column(NFCString(64))
    from_on: Mapped[date] = mapped_column(Date)
    to_on: Mapped[date | None] = mapped_column(Date)
    resume_document: Mapped[str | None] = mapped_column(NFCString(64))
    mode: Mapped[str] = mapped_column(String(16))  # continue | restart
    due_before: Mapped[date] = mapped_column(Date)
    due_after: Mapped[date | None] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class Letter(Base):
    """A letter's register entry and classification (Thông tư 05/2021/TT-TTCP): the letter
    itself is a case of the `letter` workflow; `case_id` is the complaint or denunciation
    case its acceptance opened."""
    __tablename__ = "letters"
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))             # LETTER_CHANNELS
    transferred_from: Mapped[str] = mapped_column(NFCString(255), default="", server_default="")
    signers: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    content: Mapped[str | None] = mapped_column(String(16))      # LETTER_CONTENTS
    condition: Mapped[str | None] = mapped_column(String(24))    # LETTER_CONDITIONS
    competent: Mapped[bool | None] = mapped_column(Boolean)
    classified_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(16))       # LETTER_RESULTS
    result_on: Mapped[date | None] = mapped_column(Date)
    transferred_to: Mapped[str | None] = mapped_column(NFCString(255))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"), unique=True, index=True)

    petition: Mapped[Petition] = relationship(foreign_keys=[petition_id], lazy="joined")
    case: Mapped[Petition | None] = relationship(foreign_keys=[case_id], lazy="joined")
class OutreachActivity(Base):
    """Phụ lục 1 (issue 16): a conference or training session on Regulation 11 that a unit's
    office held — how many cadres and members took part, how many materials it handed out.
    The office enters it; documents issued are counted from the documents register."""
    __tablename__ = "outreach_activities"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # conference | training
    title: Mapped[str] = mapped_column(NFCString(255))
    participants: Mapped[int] = mapped_column(Integer, default=0)
    materials: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(NFCText, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")


class Inspection(Base):
    """Phụ lục 3 (issue 16): an inspection (kiểm tra) or supervision (giám sát) of how heads of
    party committees receive citizens, recorded by an auditor with its findings."""
    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)  # who inspected
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # inspection | supervision
    planned: Mapped[bool] = mapped_column(Boolean, default=True)  # in the programme / plan, or ad hoc
    bodies: Mapped[int] = mapped_column(Integer, default=0)  # bodies, organisations, units inspected or supervised
    heads_disciplined: Mapped[int] = mapped_column(Integer, default=0)
    heads_violating: Mapped[int] = mapped_column(Integer, default=0)  # in violation, not to the level of discipline
    subject: Mapped[str] = mapped_column(NFCString(255), default="")
    findings: Mapped[str] = mapped_column(NFCText, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")


class AnnexRecordLog(Base):
    """Who added, changed or removed an outreach activity or an inspection, and what it held."""
    __tablename__ = "annex_record_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    record: Mapped[str] = mapped_column(String(16))  # outreach | inspection
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(16))  # add | delete
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
