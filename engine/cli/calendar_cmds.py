"""`petitions deadline` and `petitions calendar show`."""
from __future__ import annotations

import json
from datetime import date

import click

from engine.deadlines.calendar import default_calendar
from engine.cli import cli, lang, t
from engine.language.errors import ValidationError
from engine.language.messages import format_date, weekday_name
from engine.deadlines.timeutil import parse_date_or_instant


def parse_nonnegative_int(value: str, field: str) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValidationError("bad_int", field=field, value=value) from None
    return n


def _day(d) -> str:
    return f"{weekday_name(d, lang())}, {format_date(d)}"


def render_explanation(ex, details: bool = False) -> str:
    """Holidays and decisions first, one line for the weekends (their dates with `details`)."""
    lines = [
        t("Hạn: ", "Due: ") + _day(ex.due_date)
        + t(" (hết 24:00 giờ Việt Nam)", " (ends 24:00 Vietnam time)")
        + (t(" — DỰ KIẾN", " — PROVISIONAL") if ex.provisional else ""),
        t("Tính từ: ", "Counted from: ") + _day(ex.start) + " — "
        + (t(f"{ex.days} ngày làm việc", f"{ex.days} working days") if ex.working
           else t(f"{ex.days} ngày (theo lịch)", f"{ex.days} calendar days"))
        + t(", không tính ngày bắt đầu", ", the start day not counted"),
    ]
    weekends = [n for n in ex.skipped if n.kind == "weekend"]
    others = [n for n in ex.skipped if n.kind != "weekend"]
    if ex.skipped:
        lines.append(t("Các ngày không tính:", "Days skipped:"))
        for n in others:
            lines.append(f"  {format_date(n.date)} {weekday_name(n.date, lang()):<9} {n.reason_in(lang())}"
                         f" — {n.source_in(lang())}")
        if weekends:
            names = ", ".join(dict.fromkeys(weekday_name(n.date, lang()) for n in weekends))
            k = len(weekends)
            lines.append("  " + t(f"{k} ngày cuối tuần ({names})", f"{k} weekend day{'s' if k != 1 else ''} ({names})")
                         + f" — {weekends[0].source_in(lang())}")
            if details:
                lines.append("    " + ", ".join(format_date(n.date) for n in weekends))
    else:
        lines.append(t("Không bỏ qua ngày nào.", "No day skipped."))
    for n in ex.worked_weekend_days:
        lines.append(t("Ngày làm bù được tính: ", "Make-up working day counted: ")
                     + f"{format_date(n.date)} {weekday_name(n.date, lang())} — {n.reason_in(lang())}"
                       f" — {n.source_in(lang())}")
    if ex.provisional:
        years = ", ".join(str(y) for y in ex.provisional_years)
        lines.append(t(f"Dự kiến: năm {years} chưa có quyết định nghỉ lễ chính thức; hạn có thể thay đổi.",
                       f"Provisional: no official holiday decision yet for {years}; the date may change."))
    lines.append(t("Tệp quyết định: ", "Decision files: ") + (", ".join(ex.files) or "—")
                 + f" · calendar {ex.calendar_version}")
    return "\n".join(lines)


@cli.command()
@click.option("--from", "from_", required=True, metavar="FROM",
              help="YYYY-MM-DD (local date) or an ISO 8601 instant with offset.")
@click.option("--days", required=True, metavar="N", help="Number of days (whole number ≥ 0).")
@click.option("--calendar-days", is_flag=True, help="Count calendar days (rolled forward off a day off).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--details", is_flag=True, help="List the dates of the weekend days skipped as well.")
def deadline(from_, days, calendar_days, as_json, details):
    """When does a period of N (working) days that starts at FROM end?"""
    start, instant = parse_date_or_instant(from_, "from")
    n = parse_nonnegative_int(days, "--days")
    ex = default_calendar().explain(start, n, working=not calendar_days)
    if as_json:
        out = ex.to_dict()
        if instant is not None:
            out["from_instant"] = instant.isoformat()
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        click.echo(render_explanation(ex, details))


@cli.group("calendar")
def calendar_group():
    """The working-day calendar."""


@calendar_group.command("show")
@click.argument("year")
@click.option("--json", "as_json", is_flag=True)
def calendar_show(year, as_json):
    """A year's days off and worked weekend days, each with its source."""
    y = parse_nonnegative_int(year, "YEAR")
    cal = default_calendar()
    notes = cal.year_notes(y)
    provisional = cal.is_provisional_year(y)
    if as_json:
        click.echo(json.dumps({
            "year": y, "provisional": provisional,
            "confirmed_by": cal.decisions.confirmed.get(y, (None,))[0],
            "days_off": [n.to_dict() for n in notes if not n.working],
            "working_days": [n.to_dict() for n in notes if n.working],
            "working_day_count": cal.working_days_between(date(y - 1, 12, 31), date(y, 12, 31)) if y > 2000 else None,
            "calendar_version": cal.version,
        }, ensure_ascii=False, indent=2))
        return
    head = t(f"Lịch năm {y}", f"Calendar {y}")
    head += t(" — DỰ KIẾN (chưa có quyết định chính thức)", " — PROVISIONAL (no official decision yet)") if provisional \
        else t(" — đã xác nhận: ", " — confirmed: ") + cal.decisions.confirmed[y][0]
    click.echo(head)
    for n in notes:
        tag = t("làm việc", "worked") if n.working else t("nghỉ", "off")
        click.echo(f"  {format_date(n.date)} {weekday_name(n.date, lang()):<9} {tag:<9} {n.reason_in(lang())}"
                   f" — {n.source_in(lang())}")
