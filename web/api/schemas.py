"""The API's schemas (pydantic): the OpenAPI document is generated from these by spectree,
and every response is serialized through them, so nothing undeclared leaves the API."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.persistence.models import CATEGORIES, PETITION_KINDS, SESSION_KINDS

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Kind = Literal[PETITION_KINDS]  # type: ignore[valid-type]
SessionKind = Literal[SESSION_KINDS]  # type: ignore[valid-type]
Code = Field(min_length=1, max_length=64)
# Every date the API takes: a real calendar day of this era (Python dates reach year 1 and
# 9999, where a local midnight overflows; the working calendar has its own narrower range).
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2100, 12, 31))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An error as RFC 9457 problem details, in Vietnamese or English (Accept-Language)."""
    type: str = Field(description="about:blank, or a URI naming the kind of problem")
    title: str
    status: int
    detail: str
    code: str = Field(description="the stable error code (engine.language.messages)")
    field: str | None = None
    instance: str | None = None


# -- cases ---------------------------------------------------------------------------------
class CaseQuery(Strict):
    q: str | None = Field(None, max_length=200, description="search words or a case code")
    unit: str | None = Field(None, max_length=32, description="a unit code: that unit and the units below it")
    department: str | None = Field(None, max_length=32)
    state: str | None = Field(None, max_length=32)
    category: Category | None = None
    date_from: Day | None = Field(None, description="received on or after")
    date_to: Day | None = Field(None, description="received on or before")
    overdue: bool | None = Field(None, description="only cases with a running clock past due")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$",
                               description="`next_cursor` of the previous page")


class Petitioner(BaseModel):
    name: str
    address: str
    phone: str
    email: str


class Rule(BaseModel):
    days: int
    working: bool
    source: str


class ClockOut(BaseModel):
    name: str
    label: str
    started_on: date
    due_date: date
    deadline: str | None
    status: str
    stopped_on: date | None
    original_due_date: date
    extended_due_date: date | None
    extensions: int
    provisional: bool
    rule: Rule


class CaseSummary(BaseModel):
    code: str
    unit: str
    unit_name: str
    state: str
    state_label: str
    version: int
    department: str | None
    received_on: date
    summary: str
    category: str
    kind: str
    clocks: list[ClockOut]


class EventOut(BaseModel):
    seq: int
    action: str
    actor: str
    at: str
    on: date
    data: dict[str, Any]
    hash: str


class Case(CaseSummary):
    department_name: str | None
    session: int | None
    is_group: bool
    group_size: int
    complex_prolonged: bool
    notice_no: str | None
    notice_on: date | None
    document_no: str | None
    resolved_on: date | None
    outcome: str | None
    referred_agency: str | None
    reopen_count: int
    escalated_to: str | None
    escalated_from: str | None
    personal_data: bool = Field(description="whether `petitioners` is given: only to readers the policy allows "
                                            "(never to auditors; never for a denunciation)")
    identity_protected: bool = Field(default=False, description="a denunciation: the denouncer's identity is "
                                     "never given through the API (Luật Tố cáo 2018 art. 47-48); those named to "
                                     "handle the case read it on the case page, where each showing is recorded")
    petitioners: list[Petitioner] | None = None
    petitioner_count: int
    actions: list[str] = Field(description="the workflow actions this reader may take now")
    events: list[EventOut]


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")


class PetitionerIn(Strict):
    name: str = Field(min_length=1, max_length=255)
    address: str = Field("", max_length=255)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=255)


class CaseIn(Strict):
    unit: str = Field(min_length=1, max_length=32, description="the receiving unit's code (a clerk: their own)")
    summary: str = Field(min_length=1, max_length=4000)
    received_on: Day | None = Field(None, description="default: today (or the session's day)")
    session: int | None = Field(None, ge=1, le=2**31 - 1, description="the reception session it was raised at")
    category: Category = "other"
    kind: Kind = "petition"
    group_size: int = Field(1, ge=1, le=100000)
    complex_prolonged: bool = False
    incited: bool = False
    external_ref: str | None = Field(None, max_length=128)
    petitioners: list[PetitionerIn] = Field(default_factory=list, max_length=50)


class ActionIn(Strict):
    params: dict[str, str | int | bool] = Field(default_factory=dict,
                                                description="the action's fields, as the workflow names them")
    on: Day | None = Field(None, description="the day it happened (default today); not with `at`")
    at: str | None = Field(None, max_length=40, description="the instant it happened, ISO 8601 with an offset")


# -- sessions ------------------------------------------------------------------------------
class SessionQuery(Strict):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")


class SessionOut(BaseModel):
    id: int
    unit: str
    kind: str
    status: str = Field(description="planned | held | cancelled")
    held_on: date = Field(description="the day held, or the planned day while planned")
    planned_on: date | None
    starts_at: str | None
    ends_at: str | None
    place: str
    chair: str
    chair_role: str | None
    topic: str
    people: int
    groups: int
    refused: int
    version: int
    warnings: list[str] = Field(default_factory=list, description="what the writer should read (a chair booked twice)")


class SessionPage(BaseModel):
    items: list[SessionOut]
    next_cursor: str | None


Hour = Field(None, max_length=5, pattern=r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, local time")


class SessionIn(Strict):
    """A session that was held without a plan."""
    unit: str | None = Field(None, max_length=32, description="default: the token user's unit (a clerk: only it)")
    kind: SessionKind
    held_on: Day
    chair: str = Field("", max_length=255)
    chair_role: str | None = Field(None, max_length=64, description="a code of the admin's chair-role list")
    place: str = Field("", max_length=255)
    topic: str = Field("", max_length=2000)
    starts_at: str | None = Hour
    ends_at: str | None = Hour
    people: int = Field(0, ge=0, le=100000)
    groups: int = Field(0, ge=0, le=100000)
    refused: int = Field(0, ge=0, le=100000)
    note: str = Field("", max_length=4000)
    external_ref: str | None = Field(None, max_length=128)


class PlanIn(Strict):
    """A reception or dialogue planned for a day to come."""
    unit: str | None = Field(None, max_length=32, description="default: the token user's unit (a clerk: only it)")
    kind: SessionKind
    on: Day
    chair: str = Field(min_length=1, max_length=255)
    chair_role: str = Field(min_length=1, max_length=64,
                            description="a code of the admin's chair-role list, e.g. party_secretary")
    place: str = Field(min_length=1, max_length=255)
    topic: str = Field("", max_length=2000)
    starts_at: str | None = Hour
    ends_at: str | None = Hour
    note: str = Field("", max_length=4000)


class HeldIn(Strict):
    """A planned session recorded as held."""
    held_on: Day | None = Field(None, description="default: the planned day")
    people: int = Field(0, ge=0, le=100000)
    groups: int = Field(0, ge=0, le=100000)
    refused: int = Field(0, ge=0, le=100000)
    note: str | None = Field(None, max_length=4000)
    chair: str | None = Field(None, max_length=255)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="the version read: refused if it moved")


# -- calendar, units, reports --------------------------------------------------------------
class DeadlineQuery(Strict):
    start: Day = Field(description="the day of the event (not counted)")
    days: int = Field(ge=0, le=3650)
    working: bool = Field(True, description="working days (true) or calendar days (false)")


class DayNoteOut(BaseModel):
    date: date
    kind: str
    reason: str
    source: str
    reason_en: str
    source_en: str
    file: str | None = None


class DeadlineOut(BaseModel):
    start_date: date
    days: int
    working_days: bool
    due_date: date
    deadline: str
    skipped: list[DayNoteOut]
    worked_weekend_days: list[DayNoteOut]
    decision_files: list[str]
    provisional: bool
    provisional_years: list[int]
    calendar_version: str


class UnitOut(BaseModel):
    code: str
    name: str
    level: str
    parent: str | None
    valid_from: date | None
    valid_to: date | None


class UnitList(BaseModel):
    items: list[UnitOut]


class ReportQuery(Strict):
    unit: str | None = Field(None, max_length=32, description="default: the reader's unit (a department's parent)")
    date_from: Day = Field(alias="from")
    date_to: Day = Field(alias="to")


class OntimeQuery(ReportQuery):
    by: Literal["unit", "department", "category", "month"] | None = None
    clock: Literal["conclusion", "resolution"] | None = None


class Tiers(BaseModel):
    """A figure per level (issue 16): commune and province always (0 when the scope has no
    such level), district when the period has district-level units, and the total; with
    one column per unit below, the units' codes (extra keys)."""
    model_config = ConfigDict(extra="allow")
    commune: int = 0
    province: int = 0
    total: int


class Period(BaseModel):
    """Output with `from` and `to` (Python names date_from, date_to)."""
    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)


class Appendix2Out(Period):
    unit: str
    unit_name: str
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    figures: dict[str, Tiers]


class OntimeRowOut(BaseModel):
    clock: str
    key: str | None
    label: str
    met_on_time: int
    met_late: int
    open_overdue: int
    open_on_track: int
    answered_at_meeting: int = Field(description="conclusion clocks stopped by an answer at the meeting: no notice "
                                                 "was needed, not judged")
    extended: int
    judged: int
    total: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    median_days: float | None
    p90_days: float | None


class OntimeOut(Period):
    unit: str
    unit_name: str
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    as_of: date
    by: str | None
    definition: str
    totals: list[OntimeRowOut]
    rows: list[OntimeRowOut]


# -- webhooks (what the dispatcher POSTs: notifications/dispatcher.py, channels/webhook.py) --
class WebhookPetition(BaseModel):
    code: str
    summary: str
    unit_name: str
    department_name: str
    state_label: str


class WebhookClock(BaseModel):
    name: Literal["conclusion", "resolution"]
    due_date: date
    working_days_left: int
    overdue_working_days: int
    extended: bool


class ReminderContext(BaseModel):
    recipient_name: str = Field(description="the first recipient of the reminder (a gateway addresses them)")
    petition: WebhookPetition
    clock: WebhookClock
    rung: str = Field(description="the reminder ladder's rung (config/workflow.toml), e.g. 'T-3', 'T0', 'T+1'")
    url: str = Field(description="the case in the admin")


class WebhookEvent(BaseModel):
    """One signed POST per reminder rung of a clock (WEBHOOK_URL, WEBHOOK_SECRET)."""
    kind: Literal["due_soon", "due_today", "overdue"]
    id: int = Field(description="the outbox row: the same id on every retry and replay (deduplicate on it)")
    subject: str = Field(description="the rendered subject, in the first recipient's language")
    text: str = Field(description="the rendered plain-text body")
    context: ReminderContext


# -- interchange: a case with its full history ---------------------------------------------
class ExportEvent(BaseModel):
    seq: int
    action: str
    actor: str
    at: str
    on: date
    before: dict[str, Any]
    after: dict[str, Any]
    data: dict[str, Any]
    prev_hash: str
    hash: str


class ExportSource(BaseModel):
    system: str = Field(description="'petitions' for this software")
    unit: str
    unit_name: str
    exported_at: str
    exported_by: str


class CaseExport(BaseModel):
    """`petitions.case` version 1: a case and its whole history, for moving it between units
    or systems (docs/api.md, "Interchange")."""
    format: Literal["petitions.case"]
    version: Literal[1]
    source: ExportSource
    case: Case
    external_ref: str | None
    incited: bool
    clocks_full: list[dict[str, Any]] = Field(description="every clock as the engine keeps it (extensions, "
                                                          "rule, calendar version)")
    history: list[ExportEvent] = Field(description="the hash-chained event log, oldest first; each hash is "
                                                   "keyed (HMAC) by the source's audit key: the chain's links "
                                                   "(prev_hash) are checkable by anyone, the hashes only by the source")


class ComplianceQuery(ReportQuery):
    pass


class ComplianceRowOut(BaseModel):
    unit: str
    unit_name: str
    level: str
    obligation: str
    chair_role: str
    per: str
    minimum: int
    source: str
    required: int
    planned: int
    held: int
    missed: int
    cancelled: int
    shortfall: int
    short_periods: list[str]


class ComplianceOut(Period):
    unit: str
    unit_name: str
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    as_of: date
    rows: list[ComplianceRowOut]
    totals: list[ComplianceRowOut]


class ImportedCase(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    summary: str = Field(min_length=1, max_length=4000)
    category: Category = "other"
    kind: Kind = "petition"
    group_size: int = Field(1, ge=1, le=100000)
    complex_prolonged: bool = False
    received_on: Day
    petitioners: list[PetitionerIn] | None = Field(None, max_length=50)


class ImportDocument(BaseModel):
    format: Literal["petitions.case"]
    version: Literal[1]
    source: ExportSource
    case: ImportedCase
    incited: bool = False
    history: list[ExportEvent] = Field(max_length=10000)


class ImportIn(Strict):
    """A `petitions.case` document to receive as a new case of the receiving unit."""
    unit: str = Field(min_length=1, max_length=32, description="the receiving unit (a clerk: their own)")
    received_on: Day | None = Field(None, description="default: today; the clocks start from it")
    document: ImportDocument


class RescheduleIn(Strict):
    """A planned session moved to another day (and hours, place)."""
    on: Day
    reason: str = Field(min_length=1, max_length=2000)
    starts_at: str | None = Hour
    ends_at: str | None = Hour
    place: str | None = Field(None, max_length=255)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="the version read: refused if it moved")


class CancelIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="the version read: refused if it moved")
