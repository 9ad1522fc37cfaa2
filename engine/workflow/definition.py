"""The generic workflow runtime's vocabulary: a workflow is data (states, actions, who may
take them, which clocks start, stop or move). Concrete workflows live in `workflows/` and
are found through the `petitions.workflows` entry point group, so the engine does not
import them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points


@dataclass(frozen=True)
class ActionDef:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    label: tuple[str, str]                       # (vi, en)
    required: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()     # exactly one of each group
    optional: tuple[str, ...] = ()
    stop: tuple[str, ...] = ()                   # clocks stopped, verdict frozen
    start: tuple[str, ...] = ()                  # clocks started on the action date
    extend: str | None = None                    # clock whose due date moves
    escalate: bool = False                       # creates a linked petition at the parent unit
    own_assignment_roles: tuple[str, ...] = ("department",)  # may act only on their assignments
    tell_petitioner: str | None = None           # notice kind sent to the petitioner
    # issue 17 (several workflows):
    flag_fields: tuple[str, ...] = ()            # yes/no fields that add a case flag (complex, second…)
    adds_flags: tuple[str, ...] = ()             # flags the action itself adds (dialogue_held)
    requires_flags: tuple[tuple[str, str], ...] = ()  # (if the case has flag A, it must have flag B)
    suspend: str | None = None                   # clock suspended (ledger entry opened)
    resume: str | None = None                    # clock resumed (continue or restart: the parameters' rule)
    needs_running: str | None = None             # offered only while this clock runs
    needs_overdue: str | None = None             # offered only once this clock is past its due date
    escalate_workflow: str | None = None         # the linked case's workflow (default: the same)
    hook: str | None = None                      # a named engine step (engine.services.casework)

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + tuple(f for group in self.one_of for f in group) + self.optional


@dataclass(frozen=True)
class ClockDef:
    name: str
    label: tuple[str, str]
    # the case flags (in this order, joined by "+") that choose the rule's variant in
    # config/workflow.toml; "remote" is the unit's remote-area flag
    variant_flags: tuple[str, ...] = ()


CLOCK_STATUS_LABELS = {"running": ("đang tính", "running"), "paused": ("tạm dừng", "paused"),
                       "met": ("đúng hạn", "met on time"), "late": ("trễ hạn", "late"),
                       "cancelled": ("đã hủy", "cancelled")}
# Events that are not actions of a workflow: how a petition entered the system.
EVENT_LABELS = {"receive": ("Tiếp nhận", "Received"),
                "receive_escalated": ("Tiếp nhận do cấp dưới báo cáo lên", "Received from the level below"),
                "import": ("Nhập từ sổ tiếp dân", "Imported from a register"),
                # the dialogue it was collected for moved: its clocks run from the new date (issue 14)
                "session_moved": ("Dời ngày buổi tiếp/đối thoại", "The session's date moved"),
                # a duplicate letter points at its master case (engine/services/duplicates.py)
                "mark_duplicate": ("Đánh dấu đơn trùng", "Marked as a duplicate"),
                "unmark_duplicate": ("Bỏ đánh dấu đơn trùng", "Duplicate mark withdrawn"),
                # who handles a denunciation, by name (engine/services/handlers.py)
                "assign_handler": ("Giao người xử lý đơn tố cáo", "Handler named"),
                "withdraw_handler": ("Thôi giao người xử lý đơn tố cáo", "Handler withdrawn"),
                # the unit was merged or split: the open case followed its successor (issue 18)
                "unit_transferred": ("Chuyển sang đơn vị kế thừa", "Moved to the successor unit"),
                # issue 17: a complaint or denunciation case opened by accepting a letter
                "receive_letter": ("Thụ lý từ đơn", "Opened from a letter"),
                "reclassified": ("Tính lại thời hạn theo phân loại", "Deadline recounted after classification")}


@dataclass(frozen=True)
class WorkflowDef:
    name: str
    initial_state: str
    states: dict[str, tuple[str, str]]           # state -> (vi, en)
    actions: dict[str, ActionDef]
    clocks: dict[str, ClockDef]
    start_on_receipt: tuple[str, ...] = ()       # clocks started when a petition is received
    open_states: tuple[str, ...] = field(default=())
    # who records a petition as received (an admin always may), for their own unit only:
    # the reception desk, as on the web's session form
    receive_roles: tuple[str, ...] = ("clerk",)
    label: tuple[str, str] = ("", "")            # the workflow's own name (vi, en)
    kind: str | None = None                      # the petition kind its cases carry
    source: str = ""                             # the law it follows

    def name_label(self, lang: str = "vi") -> str:
        vi, en = self.label
        return (en if lang == "en" else vi) or self.name

    def state_label(self, state: str, lang: str = "vi") -> str:
        vi, en = self.states.get(state, (state, state))
        return en if lang == "en" else vi

    def action_label(self, action: str, lang: str = "vi") -> str:
        a = self.actions.get(action)
        if a is None:
            return action
        return a.label[1] if lang == "en" else a.label[0]

    def clock_label(self, clock: str, lang: str = "vi") -> str:
        c = self.clocks.get(clock)
        if c is None:
            return clock
        return c.label[1] if lang == "en" else c.label[0]

    def clock_status_label(self, status: str, lang: str = "vi") -> str:
        """A clock's status as a person reads it; 'met'/'late' are the frozen verdict."""
        vi, en = CLOCK_STATUS_LABELS.get(status, (status, status))
        return en if lang == "en" else vi

    def event_label(self, action: str, lang: str = "vi") -> str:
        """A history entry: a workflow action, or one of the events that open a petition."""
        if action in EVENT_LABELS:
            vi, en = EVENT_LABELS[action]
            return en if lang == "en" else vi
        return self.action_label(action, lang)

    def actions_from(self, state: str) -> list[ActionDef]:
        return [a for a in self.actions.values() if state in a.sources]


@lru_cache(maxsize=8)
def load_workflow(name: str = "regulation11") -> WorkflowDef:
    for ep in entry_points(group="petitions.workflows"):
        if ep.name == name:
            return ep.load()
    raise LookupError(f"no workflow named {name!r} is installed")


def workflow_names() -> list[str]:
    """The installed workflows, Regulation 11 first."""
    return list(_workflow_names())


@lru_cache(maxsize=1)
def _workflow_names() -> tuple[str, ...]:
    # Read once per process: entry_points() reads every installed package's metadata (7 ms),
    # and a list page asks for a label per row — the leader's backlog had spent a second on it.
    # What is installed does not change while the process runs.
    names = sorted({ep.name for ep in entry_points(group="petitions.workflows")})
    return tuple(sorted(names, key=lambda n: (n != "regulation11", n)))


def any_label(kind: str, key: str, lang: str = "vi") -> str:
    """A state, action or clock label from whichever installed workflow names it (lists and
    reports show cases of several workflows side by side)."""
    for name in workflow_names():
        wf = load_workflow(name)
        table = {"state": wf.states, "action": wf.actions, "clock": wf.clocks}[kind]
        if key in table:
            return {"state": wf.state_label, "action": wf.event_label, "clock": wf.clock_label}[kind](key, lang)
    if kind == "action":
        return load_workflow().event_label(key, lang)
    if kind == "clock" and key in RULE_LABELS:
        vi, en = RULE_LABELS[key]
        return en if lang == "en" else vi
    return key


# Deadline rules that are not a case's clock but a limit checked once (config/workflow.toml):
# shown by name wherever the rules are listed (the admin's parameters page).
RULE_LABELS = {"complaint_lodging": ("Thời hiệu khiếu nại (kể từ ngày biết quyết định)",
                                     "Time limit to lodge a complaint (from learning of the decision)")}
