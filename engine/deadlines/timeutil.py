"""Instants and local dates.

Instants are stored in UTC; deadlines are counted on the local date in Vietnam
(Asia/Ho_Chi_Minh, UTC+7, no daylight saving) of the triggering event.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

import pendulum

from engine.language.errors import ValidationError

TZ_NAME = "Asia/Ho_Chi_Minh"
LOCAL_TZ = pendulum.timezone(TZ_NAME)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def to_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetime: instants must carry a time zone")
    return instant.astimezone(timezone.utc)


def local_date(instant: datetime) -> date:
    """The calendar date in Vietnam of an instant (a naive instant is taken as UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return pendulum.instance(instant).in_timezone(LOCAL_TZ).date()


def local_datetime(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return pendulum.instance(instant).in_timezone(LOCAL_TZ)


def local_midnight(d: date) -> datetime:
    """00:00 local of `d`, as an aware UTC instant."""
    return pendulum.datetime(d.year, d.month, d.day, tz=LOCAL_TZ).in_timezone("UTC")


def local_at(d: date, t: time) -> datetime:
    """The instant of wall-clock time `t` in Vietnam on `d`, in UTC."""
    return pendulum.datetime(d.year, d.month, d.day, t.hour, t.minute, t.second, tz=LOCAL_TZ).in_timezone("UTC")


def end_of_day(d: date) -> datetime:
    """The deadline of a period that ends on `d`: 24:00 local (Civil Code art. 148.1).

    Written as 23:59:59 local so that it reads as the same date; verdicts compare local
    dates, never this instant, so the missing second cannot make anything late.
    """
    return pendulum.datetime(d.year, d.month, d.day, 23, 59, 59, tz=LOCAL_TZ)


def parse_date(value, field: str = "date") -> date:
    """A local date from `YYYY-MM-DD` or `dd/mm/yyyy` (or a date object)."""
    if isinstance(value, datetime):
        return local_date(value)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        m = _VN_DATE.match(text)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        pass
    raise ValidationError("bad_date", field=field, value=text)


def parse_instant(value, field: str = "at") -> datetime:
    """An aware UTC instant from ISO 8601 with an offset (`Z` or `+07:00`)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError("bad_instant", field=field, value=value.isoformat())
        return to_utc(value)
    text = str(value).strip()
    if "T" not in text and " " not in text:
        raise ValidationError("bad_instant", field=field, value=text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("bad_instant", field=field, value=text) from None
    if parsed.tzinfo is None:
        raise ValidationError("bad_instant", field=field, value=text)
    return to_utc(parsed)


def parse_date_or_instant(value, field: str = "from") -> tuple[date, datetime | None]:
    """`YYYY-MM-DD` → (that date, None); an instant → (its date in Vietnam, the instant)."""
    text = str(value).strip()
    if _ISO_DATE.match(text) or _VN_DATE.match(text):
        try:
            return parse_date(text, field), None
        except ValidationError:
            raise ValidationError("bad_from", field=field, value=text) from None
    try:
        instant = parse_instant(text, field)
    except ValidationError:
        raise ValidationError("bad_from", field=field, value=text) from None
    return local_date(instant), instant
