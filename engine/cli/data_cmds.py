"""`petitions db|units|users|session|petition|demo`."""
from __future__ import annotations

import json
import sys
from datetime import date

import click
from sqlalchemy.exc import OperationalError

from engine.persistence import eventlog
from engine.cli import cli, lang, t
from engine.persistence.db import default_engine, transaction
from engine.language.errors import ValidationError
from engine.services import petitions as svc
from engine.services import sessions as sessions_svc
from engine.services.sessions import add_session, session_to_dict
from engine.services.units import load_units_csv
from engine.services.users import add_user
from engine.deadlines.timeutil import local_date, parse_instant, utcnow
from engine.workflow.definition import load_workflow


def echo_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


class Tx:
    """A transaction on the configured database (database errors become one line in
    engine.cli.main)."""

    def __enter__(self):
        self._cm = transaction(default_engine())
        return self._cm.__enter__()

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


class ReportTx(Tx):
    """A report's read-only transaction: on the read replica when DATABASE_REPLICA_URL is
    set (the replica refuses writes), otherwise on the configured database."""

    def __enter__(self):
        from engine.persistence.db import report_engine
        self._cm = transaction(report_engine() or default_engine())
        return self._cm.__enter__()


def dispatch_after_commit(ids: list[int]) -> None:
    """Hand new outbox rows to the worker; if the broker is down the relay sends them later."""
    if not ids:
        return
    try:
        from engine.scheduler.tasks import enqueue_dispatch
        enqueue_dispatch(ids)
    except Exception:  # noqa: BLE001 - the outbox row is the truth; the relay will pick it up
        pass


# -- db -------------------------------------------------------------------------------
@cli.group()
def db():
    """The database schema (Alembic)."""


@db.command("upgrade")
def db_upgrade():
    """Create or upgrade the schema on DATABASE_URL."""
    from engine.persistence.migrate import current, upgrade
    engine = default_engine()
    try:
        upgrade(engine)
    except OperationalError as exc:
        raise click.ClickException(t("không kết nối được cơ sở dữ liệu: ", "cannot reach the database: ")
                                   + str(exc.orig).splitlines()[0]) from None
    click.echo(t("Lược đồ ở phiên bản ", "Schema at revision ") + str(current(engine))
               + f" ({engine.url.render_as_string(hide_password=True)})")


# -- units, users, sessions -------------------------------------------------------------
@cli.group()
def units():
    """Org units."""


@units.command("load")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def units_load(file, as_json):
    """Load units from CSV (code,name,level,parent_code): all or nothing."""
    with Tx() as s:
        res = load_units_csv(s, file)
    echo_json(res) if as_json else click.echo(
        t(f"Đã nạp {res['total']} đơn vị ({res['created']} mới, {res['updated']} cập nhật)",
          f"Loaded {res['total']} units ({res['created']} new, {res['updated']} updated)"))


@cli.group()
def users():
    """Users."""


@users.command("add")
@click.option("--username", required=True)
@click.option("--role", required=True, help="clerk | department | leader | auditor | admin")
@click.option("--unit", "unit_code", required=True)
@click.option("--email")
@click.option("--full-name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--notify", default="immediate", help="immediate (one message per reminder) | digest (one a working morning)")
@click.option("--lang", "user_lang", default="vi", help="vi | en (language of the user's notifications)")
@click.option("--json", "as_json", is_flag=True)
def users_add(username, role, unit_code, email, full_name, password_stdin, notify, user_lang, as_json):
    """Add a user (without --password-stdin the user cannot sign in until one is set)."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with Tx() as s:
        u = add_user(s, username, role, unit_code, password, email=email, full_name=full_name, notify_mode=notify,
                     lang=user_lang)
        out = {"id": u.id, "username": u.username, "role": u.role, "unit": u.unit.code, "email": u.email,
               "can_sign_in": bool(u.password_hash)}
    echo_json(out) if as_json else click.echo(t(f"Đã thêm người dùng {out['username']} ({out['role']}, {out['unit']})",
                                                f"Added user {out['username']} ({out['role']}, {out['unit']})"))


@cli.group("session")
def session_group():
    """Reception sessions and dialogues."""


@session_group.command("add")
@click.option("--unit", "unit_code", required=True)
@click.option("--kind", required=True,
              help="reception_periodic | reception_adhoc | dialogue_periodic | dialogue_adhoc | dialogue_thematic")
@click.option("--held-on", required=True, help="YYYY-MM-DD or dd/mm/yyyy")
@click.option("--people", default="0")
@click.option("--groups", default="0")
@click.option("--refused", default="0")
@click.option("--chair", default="")
@click.option("--chair-role", default=None, help="party_secretary | ubnd_chair | hdnd_chair | standing_team | other | …")
@click.option("--place", default="")
@click.option("--bodies", default="", help="codes of the bodies that took part, e.g. mttq,hdnd")
@click.option("--json", "as_json", is_flag=True)
def session_add(unit_code, kind, held_on, people, groups, refused, chair, chair_role, place, bodies, as_json):
    """Record a reception or a dialogue that was held (a date in the future is refused: plan it)."""
    with Tx() as s:
        rs = add_session(s, unit_code, kind, held_on, people, groups, refused, chair=chair, chair_role=chair_role,
                         place=place, bodies=bodies)
        out = session_to_dict(rs)
    echo_json(out) if as_json else click.echo(t(f"Đã ghi buổi {out['kind']} số {out['id']} ngày {out['held_on']}",
                                                f"Recorded {out['kind']} #{out['id']} on {out['held_on']}"))


def _warn(outcomes) -> None:
    from engine.language.messages import render
    for o in outcomes:
        for code, params in o.warnings:
            click.echo(render(code, lang(), **params), err=True)


def _vn(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


@session_group.command("plan")
@click.option("--unit", "unit_code", required=True)
@click.option("--kind", default="reception_periodic", show_default=True,
              help="reception_periodic | dialogue_periodic | dialogue_thematic | …")
@click.option("--on", "dates", multiple=True, help="a date (repeat for several): YYYY-MM-DD or dd/mm/yyyy")
@click.option("--monthly", help="every month of --year on these days, e.g. '10,25' (a day off moves to the next working day)")
@click.option("--year", type=int)
@click.option("--from", "starts_at", help="HH:MM")
@click.option("--to", "ends_at", help="HH:MM")
@click.option("--place", required=True)
@click.option("--chair", required=True, help="the person who chairs")
@click.option("--chair-role", required=True, help="party_secretary | ubnd_chair | hdnd_chair | standing_team | other | …")
@click.option("--topic", default="")
@click.option("--json", "as_json", is_flag=True)
def session_plan(unit_code, kind, dates, monthly, year, starts_at, ends_at, place, chair, chair_role, topic, as_json):
    """Plan receptions or dialogues (one date, several, or every month of a year)."""
    from engine.deadlines.calendar import default_calendar
    from engine.services.common import count
    today = local_date(utcnow())
    all_dates = list(dates)
    if monthly:
        if year is None:
            raise ValidationError("missing_field", field="year")
        days = [count(d, "monthly") for d in monthly.replace(";", ",").split(",") if d.strip()]
        all_dates += sessions_svc.monthly_dates(year, days, cal=default_calendar(), after=today)
    with Tx() as s:
        outs = sessions_svc.plan_series(s, unit_code, kind, all_dates, starts_at=starts_at, ends_at=ends_at,
                                        place=place, chair=chair, chair_role=chair_role, topic=topic, today=today)
        out = [session_to_dict(o.session) for o in outs]
    _warn(outs)
    echo_json(out) if as_json else click.echo(t(
        f"Đã lên lịch {len(out)} buổi: " + ", ".join(_vn(o['held_on']) for o in out),
        f"Planned {len(out)} session(s): " + ", ".join(_vn(o['held_on']) for o in out)))


@session_group.command("reschedule")
@click.argument("session_id")
@click.option("--on", required=True)
@click.option("--from", "starts_at", default=None)
@click.option("--to", "ends_at", default=None)
@click.option("--place", default=None)
@click.option("--reason", required=True)
def session_reschedule(session_id, on, starts_at, ends_at, place, reason):
    """Move a planned session (journaled; its published schedule is republished)."""
    kw = {k: v for k, v in (("starts_at", starts_at), ("ends_at", ends_at)) if v is not None}
    with Tx() as s:
        o = sessions_svc.reschedule(s, session_id, on, reason=reason, place=place, **kw)
        d = session_to_dict(o.session)
    _warn([o])
    click.echo(t(f"Đã dời buổi số {d['id']} sang ngày {_vn(d['held_on'])}", f"Moved session {d['id']} to {_vn(d['held_on'])}"))


@session_group.command("cancel")
@click.argument("session_id")
@click.option("--reason", required=True)
def session_cancel(session_id, reason):
    """Cancel a planned session, with a reason."""
    with Tx() as s:
        rs = sessions_svc.cancel(s, session_id, reason=reason)
        d = session_to_dict(rs)
    click.echo(t(f"Đã hủy buổi số {d['id']} ngày {_vn(d['held_on'])}", f"Cancelled session {d['id']} of {_vn(d['held_on'])}"))


@session_group.command("held")
@click.argument("session_id")
@click.option("--held-on", default=None, help="the real date, if not the planned one")
@click.option("--people", default="0")
@click.option("--groups", default="0")
@click.option("--refused", default="0")
@click.option("--bodies", default="", help="codes of the bodies that took part, e.g. mttq,hdnd")
def session_held(session_id, held_on, people, groups, refused, bodies):
    """Record a planned session as held."""
    with Tx() as s:
        o = sessions_svc.record_held(s, session_id, held_on=held_on, people=people, groups=groups, refused=refused,
                                     bodies=bodies)
        d = session_to_dict(o.session)
    click.echo(t(f"Đã ghi nhận buổi số {d['id']} đã tổ chức ngày {_vn(d['held_on'])}",
                 f"Recorded session {d['id']} as held on {_vn(d['held_on'])}"))


@session_group.command("publish")
@click.option("--unit", "unit_code", required=True)
@click.option("--period", required=True, help="a month YYYY-MM or a year YYYY")
def session_publish(unit_code, period):
    """Publish the schedule of a month or a year (public page and iCalendar feed)."""
    with Tx() as s:
        pub = sessions_svc.publish_schedule(s, unit_code, period)
        n, rev, per = len(pub.sessions), pub.revision, pub.period
    click.echo(t(f"Đã công bố lịch kỳ {per} (lần {rev}): {n} buổi", f"Published the schedule of {per} (revision {rev}): {n} session(s)"))


# -- petitions ----------------------------------------------------------------------------
@cli.group()
def petition():
    """Petitions and their workflow."""


@petition.command("add")
@click.option("--unit", "unit_code", required=True)
@click.option("--session", "session_id")
@click.option("--received-on")
@click.option("--received-at", help="ISO 8601 instant with offset")
@click.option("--summary", required=True)
@click.option("--petitioner", "petitioners", multiple=True, help="Name (repeatable)")
@click.option("--petitioner-email", default="")
@click.option("--petitioner-address", default="")
@click.option("--category", default="other")
@click.option("--kind", default="petition")
@click.option("--group-size")
@click.option("--complex", "complex_prolonged", is_flag=True)
@click.option("--by", "by", help="Username of the clerk recording it")
@click.option("--workflow", default=None, help="regulation11 (default), letter, complaint, denunciation")
@click.option("--flag", "flags", multiple=True, help="A case flag: second, complex, several_places… (repeatable)")
@click.option("--contested-on", default=None, help="A complaint: the date the contested decision was received")
@click.option("--channel", default="post", help="A letter: post, in_person, online, transferred")
@click.option("--transferred-from", default="", help="A transferred letter: the body that sent it")
@click.option("--signers", default="1", help="A letter: how many people signed it")
@click.option("--json", "as_json", is_flag=True)
def petition_add(unit_code, session_id, received_on, received_at, summary, petitioners, petitioner_email,
                 petitioner_address, category, kind, group_size, complex_prolonged, by, workflow, flags, contested_on,
                 channel, transferred_from, signers, as_json):
    """Record a petition (or a letter, complaint, denunciation with --workflow); its first clock starts."""
    from engine.services import casework
    ctx = svc.Context()
    with Tx() as s:
        actor = svc.user_by_name(s, by) if by else None
        people = [{"name": n, "email": petitioner_email if i == 0 else "", "address": petitioner_address if i == 0 else ""}
                  for i, n in enumerate(petitioners)]
        if workflow == "letter":
            p = casework.register_letter(s, ctx, unit_code, summary, channel, transferred_from=transferred_from,
                                         signers=signers, petitioners=people, received_on=received_on,
                                         received_at=received_at, category=category, actor=actor)
        else:
            p = svc.add_petition(s, ctx, unit_code, summary, received_on=received_on, received_at=received_at,
                                 session_id=session_id, petitioners=people, category=category, kind=kind,
                                 group_size=group_size, complex_prolonged=complex_prolonged, actor=actor,
                                 workflow=workflow, flags=list(flags), contested_on=contested_on)
        out = svc.petition_to_dict(s, p, casework.workflow_of(p, ctx.workflow), lang(), events=False)
    if as_json:
        echo_json(out)
    elif out["clocks"]:
        c = out["clocks"][0]
        click.echo(t(f"Đã tiếp nhận {out['code']}; hạn {c['label'].lower()} {_d(c['due_date'])}",
                     f"Received {out['code']}; {c['label'].lower()} due {_d(c['due_date'])}")
                   if (workflow or "regulation11") != "regulation11" else
                   t(f"Đã tiếp nhận {out['code']}; hạn thông báo kết luận {c['due_date']}",
                     f"Received {out['code']}; conclusion notice due {c['due_date']}"))
    else:
        click.echo(t(f"Đã tiếp nhận {out['code']}", f"Received {out['code']}"))


@petition.command("act")
@click.argument("code")
@click.argument("action")
@click.option("--by", required=True)
@click.option("--on", "on")
@click.option("--at", "at")
@click.option("--department")
@click.option("--notice-no")
@click.option("--document-no")
@click.option("--days")
@click.option("--until")
@click.option("--reason")
@click.option("--note")
@click.option("--outcome")
@click.option("--agency")
@click.option("--expect-version")
@click.option("--field", "extra", multiple=True, help="Another field of the action as name=value "
              "(content=complaint, condition=eligible, competent=yes, decision_no=…, complex=yes…)")
@click.option("--json", "as_json", is_flag=True)
def petition_act(code, action, by, on, at, department, notice_no, document_no, days, until, reason, note, outcome,
                 agency, expect_version, extra, as_json):
    """Apply a workflow action (conclude, extend, resolve, escalate, refer, reopen, close, answer_at_meeting;
    for letters, complaints and denunciations: classify, accept, transfer, guide, file, suspend, resume…)."""
    params = dict(department=department, notice_no=notice_no, document_no=document_no, days=days, until=until,
                  reason=reason, note=note, outcome=outcome, agency=agency)
    for item in extra:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValidationError("bad_choice", field="--field", value=item, choices="name=value")
        params[name.strip()] = value
    if expect_version is not None:
        try:
            expect_version = int(expect_version)
        except ValueError:
            raise ValidationError("bad_int", field="--expect-version", value=expect_version) from None
    ctx = svc.Context()
    with Tx() as s:
        res = svc.act(s, ctx, code, action, by, params, on=on, at=at, expect_version=expect_version)
        from engine.services.casework import workflow_of
        out = svc.petition_to_dict(s, res.petition, workflow_of(res.petition, ctx.workflow), lang(), events=False)
        if res.created is not None:
            out["created"] = res.created.code
        ids = res.outbox_ids
    dispatch_after_commit(ids)
    if as_json:
        echo_json(out)
    else:
        click.echo(f"{out['code']}: {out['state_label']} (v{out['version']})"
                   + (t(f"; đã mở đơn {out['created']} ở cấp trên", f"; opened {out['created']} at the level above")
                      if "created" in out else ""))


@petition.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
def petition_show(code, as_json):
    """A petition with its clocks and its event log."""
    ctx = svc.Context()
    with Tx() as s:
        p = svc.get_for(s, code, None)
        from engine.services.casework import workflow_of
        wf = workflow_of(p, ctx.workflow)
        out = svc.petition_to_dict(s, p, wf, lang())
    if as_json:
        echo_json(out)
        return
    lg = lang()
    click.echo(f"{out['code']} — {out['state_label']} (v{out['version']}) — {out['unit_name']}")
    click.echo(f"  {out['summary']}")
    if out["department_name"]:
        click.echo(t("  Phòng ban: ", "  Department: ") + out["department_name"])
    for c in out["clocks"]:
        click.echo(f"  [{c['label']}] {_d(c['started_on'])} → {_d(c['due_date'])} ({wf.clock_status_label(c['status'], lg)})"
                   + (t(" — dự kiến", " — provisional") if c["provisional"] else "")
                   + (t(f" — hạn ban đầu {_d(c['original_due_date'])}", f" — originally {_d(c['original_due_date'])}")
                      if c["extended_due_date"] else ""))
    for e in out["events"]:
        click.echo(f"  #{e['seq']} {_d(e['on'])} {wf.event_label(e['action'], lg)} — {e['actor']}")


def _d(iso: str | None) -> str:
    """An ISO date as a person reads it: dd/mm/yyyy."""
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(x) for x in col) for col in zip(headers, *rows)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


@petition.command("list")
@click.option("--unit", "unit_code")
@click.option("--state")
@click.option("--overdue-at", help="ISO 8601 instant: petitions with a running clock past due then")
@click.option("--limit", default=1000, type=click.IntRange(0, 1_000_000))
@click.option("--json", "as_json", is_flag=True)
def petition_list(unit_code, state, overdue_at, limit, as_json):
    """List petitions."""
    overdue_on = local_date(parse_instant(overdue_at, "overdue-at")) if overdue_at else None
    with Tx() as s:
        rows = s.scalars(svc.list_query(s, None, unit_code, state, overdue_on).limit(limit)).all()
        out = [{"code": p.code, "unit": p.unit.code, "state": p.state, "version": p.version,
                "department": p.department.code if p.department else None, "received_on": p.received_on.isoformat(),
                "due": {c.name: c.due_date.isoformat() for c in p.clocks if c.status == "running"}} for p in rows]
        names = {p.department.code: p.department.name for p in rows if p.department}
    if as_json:
        echo_json(out)
        return
    wf, lg = load_workflow(), lang()
    headers = [t("Mã đơn", "Code"), t("Ngày nhận", "Received"), t("Trạng thái", "State"),
               t("Phòng ban", "Department"), t("Hạn", "Due")]
    from engine.workflow.definition import any_label
    table = [[r["code"], _d(r["received_on"]), any_label("state", r["state"], lg), names.get(r["department"], "—"),
              "; ".join(f"{any_label('clock', k, lg)} {_d(v)}" for k, v in r["due"].items()) or "—"] for r in out]
    if table:
        for row in _table(headers, table):
            click.echo(row)
    click.echo(t(f"{len(out)} đơn", f"{len(out)} petition" + ("" if len(out) == 1 else "s")))


@petition.command("verify-log")
@click.argument("code", required=False)
@click.option("--unit", "unit_code", help="only this unit and the units below it")
@click.option("--json", "as_json", is_flag=True)
@click.option("--lang", "out_lang", type=click.Choice(["vi", "en"]), default=None,
              help="vi | en (default PETITIONS_LANG, else Vietnamese)")
def petition_verify(code, unit_code, as_json, out_lang):
    """Prove the audit log: keyed chains, heads and checkpoints, and each case's state and
    clocks against its events (docs/audit-log.md). Exit 1 when anything was changed."""
    from engine.persistence.scope import subtree_ids
    from engine.services.common import unit_by_code
    lg = out_lang or lang()
    say = (lambda vi, en: en) if lg == "en" else (lambda vi, en: vi)  # noqa: E731
    with Tx() as s:
        if code:
            svc.get_for(s, code, None)  # an unknown code is refused with its message
            report = eventlog.verify_all(s, code=code.strip())
        else:
            units = set(subtree_ids(s, unit_by_code(s, unit_code).id)) if unit_code else None
            report = eventlog.verify_all(s, unit_ids=units)
    problems = [f.text(lg) for f in report.findings]
    if as_json:
        echo_json({"checked": report.checked, "ok": report.ok, "problems": problems,
                   "findings": [f.to_dict(lg) for f in report.findings], "checkpoint": report.checkpoint})
    else:
        for msg in problems:
            click.echo(msg, err=True)
        if report.ok:
            click.echo(say(f"Đã kiểm tra {report.checked} đơn: nhật ký nguyên vẹn. Không phát hiện thay đổi nào sau khi ghi.",
                           f"Checked {report.checked} petitions: log intact. No change after writing was found."))
        else:
            click.echo(say(f"Đã kiểm tra {report.checked} đơn: phát hiện {len(problems)} thay đổi sau khi ghi",
                           f"Checked {report.checked} petitions: {len(problems)} problems (changes after writing)"))
        if report.checkpoint:
            cp = report.checkpoint
            click.echo(say(f"Điểm kiểm chứng mới nhất: #{cp['seq']} lúc {cp['at']} (MAC {cp['mac'][:16]}…)",
                           f"Latest checkpoint: #{cp['seq']} at {cp['at']} (MAC {cp['mac'][:16]}…)"))
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.option("--seed", default=11, type=click.IntRange(0, 2**31 - 1))
@click.option("--force-demo-data-with-known-passwords", "force", is_flag=True,
              help="Load the demo even into a database that has data or is configured for production: "
                   "it creates users (admin among them) whose password is published in the README.")
@click.option("--json", "as_json", is_flag=True)
def demo(seed, force, as_json):
    """Load a realistic demo: one province, three communes, departments, a user per role,
    about 200 petitions over 2025–2026 in every state. Only into an empty database that is not
    configured for production (PETITIONS_ENV=production or an https PUBLIC_URL), unless forced."""
    from config import get_settings
    from engine.intake.demo import demo_loaded, is_empty, load_demo
    with Tx() as s:
        if not force:
            if get_settings().production:
                raise ValidationError("demo_production", field="--force-demo-data-with-known-passwords")
            if not is_empty(s) and not demo_loaded(s):
                raise ValidationError("demo_not_empty", field="--force-demo-data-with-known-passwords")
        out = load_demo(s, svc.Context(), seed=seed)
    if as_json:
        echo_json(out)
        return
    click.echo(t(f"Đã tạo {out['petitions']} đơn, {out['sessions']} buổi tiếp ở {out['units']} đơn vị.",
                 f"Created {out['petitions']} petitions, {out['sessions']} sessions in {out['units']} units."))
    click.echo(t("Tài khoản thử (mật khẩu chung: ", "Demo sign-ins (shared password: ") + out["password"] + "):")
    for u in out["users"]:
        click.echo(f"  {u['username']:<12} {u['role']:<11} {u['unit']}")



@cli.command()
@click.option("--at", "at", help="ISO 8601 instant to tick at (backfills, tests); default now")
@click.option("--json", "as_json", is_flag=True)
def tick(at, as_json):
    """Claim the reminder rungs due at AT and write them to the outbox (what beat runs)."""
    from config import get_settings
    from engine.scheduler.tick import tick as run_tick
    now = parse_instant(at, "at") if at else None
    settings = get_settings()
    res = run_tick(default_engine(), now, public_url=settings.public_url, webhook=bool(settings.webhook_url))
    dispatch_after_commit(res.outbox_ids)
    if as_json:
        echo_json(res.to_dict())
    else:
        click.echo(t(f"{res.at.isoformat()}: {res.claimed} mốc, {res.created} thông báo mới, {res.skipped} bỏ qua",
                     f"{res.at.isoformat()}: {res.claimed} rungs, {res.created} new notifications, {res.skipped} skipped"))
