"""Turn a message kind and a plain-dict context into (subject, text, html).

Templates live in notifications/templates/<lang>/<kind>.{subject.txt,txt,html}.
StrictUndefined is deliberate: a notice to a citizen with a blank where the deadline
should be is worse than no notice, so a missing key must fail loudly at render time.
"""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Undefined,
    pass_context,
    select_autoescape,
)

from notifications.labels import CLOCK_NAMES, NOTICE_KINDS, SESSION_KINDS, WEEKDAYS, pick_lang
from notifications.message import Message

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

REMINDER_KINDS = ("due_soon", "due_today", "overdue")
PETITIONER_KINDS = (
    "petitioner_conclusion",
    "petitioner_extension",
    "petitioner_resolved",
    "petitioner_escalated",
)
# the reception and dialogue obligations (issue 14): engine/scheduler/obligations.py
OBLIGATION_KINDS = ("obligation_unscheduled", "obligation_short", "session_unrecorded")
# a department told of the items a conclusion notice assigned it (issue 15): engine/documents/register.py
DOCUMENT_KINDS = ("assignment",)
KINDS = REMINDER_KINDS + ("digest",) + PETITIONER_KINDS + ("letter_task",) + OBLIGATION_KINDS + DOCUMENT_KINDS


def as_date(value: Any) -> date:
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises here, naming the missing key
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            return datetime.fromisoformat(text).date()
    raise TypeError(f"not a date: {value!r}")


def ddmmyyyy(value: Any) -> str:
    return as_date(value).strftime("%d/%m/%Y")


def clip(value: Any, width: int = 60) -> str:
    # Summaries are typed by clerks and may carry line breaks; a subject must stay one line.
    # NFC first: text pasted from Word is often decomposed, which would count every
    # Vietnamese tone mark as a character and could split a letter from its mark.
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if text[width - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # half a Vietnamese syllable reads as a different word
    return cut.rstrip(" ,;:-—") + "…"


def _lookup(table: dict[str, dict[str, str]], lang: str, key: Any, what: str) -> str:
    try:
        return table[lang][str(key)]
    except KeyError:
        raise ValueError(f"unknown {what}: {key!r}") from None


@pass_context
def weekday(ctx, value: Any) -> str:
    return WEEKDAYS[pick_lang(ctx.get("lang"))][as_date(value).weekday()]


@pass_context
def clock_label(ctx, value: Any) -> str:
    return _lookup(CLOCK_NAMES, pick_lang(ctx.get("lang")), value, "clock name")


@pass_context
def notice_label(ctx, value: Any) -> str:
    return _lookup(NOTICE_KINDS, pick_lang(ctx.get("lang")), value, "notice kind")


@pass_context
def session_kind_label(ctx, value: Any) -> str:
    return _lookup(SESSION_KINDS, pick_lang(ctx.get("lang")), value, "session kind")


def month_label(value: Any) -> str:
    """'2026-02' → '02/2026' (the office's way to name a month, in both languages)."""
    text = str(value)
    year, month = text.split("-")[:2]
    return f"{int(month):02d}/{int(year):04d}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates ship with the package and change only with a new release: checking every
        # file's modification time at each message cost a quarter of a message's rendering.
        auto_reload=False,
    )
    env.filters.update(ddmmyyyy=ddmmyyyy, weekday=weekday, clip=clip, clock_label=clock_label, notice_label=notice_label,
                       session_kind_label=session_kind_label, month_label=month_label)
    return env


def render(kind: str, lang: str, context: dict) -> tuple[str, str, str]:
    if kind not in KINDS:
        raise ValueError(f"unknown message kind: {kind!r}")
    lang = pick_lang(lang)
    env = environment()
    ctx = {**context, "lang": lang}
    subject = env.get_template(f"{lang}/{kind}.subject.txt").render(ctx)
    text = env.get_template(f"{lang}/{kind}.txt").render(ctx)
    html = env.get_template(f"{lang}/{kind}.html").render(ctx)
    return " ".join(subject.split()), text, html


def compose(kind: str, lang: str, to_email: str | None, context: dict, meta: dict | None = None) -> Message:
    lang = pick_lang(lang)
    subject, text, html = render(kind, lang, context)
    return Message(kind=kind, lang=lang, to_email=to_email, subject=subject, text=text, html=html, meta=dict(meta or {}))
