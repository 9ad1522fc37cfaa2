"""A unit's published reception schedule as an iCalendar feed (RFC 5545), with `icalendar`.

One VEVENT per published session: a stable UID (`session-<id>@<host>`), SEQUENCE = the
session's version (a reschedule bumps it, so subscribed calendars update the event),
STATUS CONFIRMED or CANCELLED, local times in Asia/Ho_Chi_Minh with its VTIMEZONE; a session
without hours is an all-day event. Nothing personal: the place, the chair in office, the
kind and the topic only.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from engine.persistence.models import OrgUnit, ReceptionSession

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
KIND_VI = {"reception_periodic": "Tiếp công dân định kỳ", "reception_adhoc": "Tiếp công dân đột xuất",
           "dialogue_periodic": "Đối thoại định kỳ", "dialogue_adhoc": "Đối thoại đột xuất",
           "dialogue_thematic": "Đối thoại chuyên đề"}
KIND_EN = {"reception_periodic": "Periodic citizen reception", "reception_adhoc": "Ad-hoc citizen reception",
           "dialogue_periodic": "Periodic dialogue", "dialogue_adhoc": "Ad-hoc dialogue",
           "dialogue_thematic": "Thematic dialogue"}


def build_ics(unit: OrgUnit, sessions: list[ReceptionSession], roles: dict[str, str], host: str,
              stamp: datetime, lang: str = "vi") -> bytes:
    kinds = KIND_EN if lang == "en" else KIND_VI
    cal = Calendar()
    cal.add("prodid", "-//petitions//Lich tiep cong dan//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = (f"Reception schedule — {unit.name}" if lang == "en" else f"Lịch tiếp công dân — {unit.name}")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for rs in sessions:
        ev = Event()
        ev.add("uid", f"session-{rs.id}@{host}")
        ev.add("dtstamp", stamp)
        ev.add("sequence", max(0, rs.version - 1))
        role = roles.get(rs.chair_role or "", "")
        chair = ", ".join(x for x in (role, rs.chair) if x)
        summary = kinds.get(rs.kind, rs.kind) + (f": {rs.topic}" if rs.topic else "")
        ev.add("summary", summary)
        if rs.starts_at is not None:
            ev.add("dtstart", datetime.combine(rs.held_on, rs.starts_at, TZ))
            end = rs.ends_at or (datetime.combine(rs.held_on, rs.starts_at) + timedelta(hours=4)).time()
            ev.add("dtend", datetime.combine(rs.held_on, end, TZ))
        else:
            ev.add("dtstart", rs.held_on)
            ev.add("dtend", rs.held_on + timedelta(days=1))
        if rs.place:
            ev.add("location", rs.place)
        lines = [(("Chaired by: " if lang == "en" else "Chủ trì: ") + chair) if chair else "", unit.name]
        ev.add("description", "\n".join(x for x in lines if x))
        ev.add("status", "CANCELLED" if rs.status == "cancelled" else "CONFIRMED")
        ev.add("transp", "OPAQUE")
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
