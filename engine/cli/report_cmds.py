"""`petitions report ontime|appendix2` and `petitions import FILE`."""
from __future__ import annotations

import sys

import click

from engine.cli import cli, lang, t
from engine.cli.data_cmds import ReportTx, Tx, echo_json


def _emit(data, out: str | None) -> None:
    if out:
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(out, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": ""})) as fh:
            fh.write(data)
        click.echo(t(f"Đã ghi {out}", f"Wrote {out}"), err=True)
    elif isinstance(data, bytes):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        click.echo(data)


def _period_options(f):
    f = click.option("--out", "out", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")(f)
    f = click.option("--format", "fmt", default="table", type=click.Choice(["table", "json", "csv", "xlsx", "html"]),
                     show_default=True)(f)
    f = click.option("--to", "date_to", required=True, help="YYYY-MM-DD or dd/mm/yyyy (included)")(f)
    f = click.option("--from", "date_from", required=True, help="YYYY-MM-DD or dd/mm/yyyy")(f)
    f = click.option("--unit", "unit_code", required=True, help="Unit code: the report covers it and its subtree.")(f)
    return f


@cli.group()
def report():
    """Reports for auditors: on-time rates and the statutory annex (Phụ lục 2)."""


@report.command("ontime")
@_period_options
@click.option("--by", type=click.Choice(["unit", "department", "category", "month"]))
@click.option("--clock", type=click.Choice(["conclusion", "resolution"]))
@click.option("--as-of", "as_of", help="Judge open clocks as of this date (default: the period's end or today).")
def report_ontime(unit_code, date_from, date_to, fmt, out, by, clock, as_of):
    """On-time rate per clock (met on time ÷ (on time + late + open overdue)) with a 95% Wilson interval."""
    from engine.reports import export, ontime_report
    from engine.reports.periods import check_range
    check_range(date_from, date_to)
    with ReportTx() as s:
        rep = ontime_report(s, unit_code, date_from, date_to, by=by, clock=clock, as_of=as_of, lang=lang())
    _emit(export(rep, fmt, lang()), out)


@report.command("appendix2")
@_period_options
@click.option("--scope", type=click.Choice(["subtree", "unit"]), default="subtree", show_default=True,
              help="subtree: the unit with the units below it; unit: the unit alone (with its departments).")
@click.option("--by-unit", is_flag=True, help="One column per unit directly below instead of one per level.")
@click.option("--chairs", type=click.Choice(["party_head", "all"]), default="party_head", show_default=True,
              help="Whose sessions rows 1–3 and 5 count: the head of the party committee (Regulation 11) or all.")
def report_appendix2(unit_code, date_from, date_to, fmt, out, scope, by_unit, chairs):
    """Phụ lục 2 (Quy định 11-QĐi/TW) for a unit and its subtree over a period; states as of the period's end."""
    from engine.reports import appendix2, export
    from engine.reports.periods import check_range
    check_range(date_from, date_to)
    with ReportTx() as s:
        rep = appendix2(s, unit_code, date_from, date_to, scope=scope, by_unit=by_unit, chairs=chairs)
    _emit(export(rep, fmt, lang()), out)


def _simple_table(headers: list, rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [min(60, max(len(r[i]) for r in cells)) for i in range(len(headers))]
    return "\n".join("  ".join(c[:w].ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells)


def _annex_command(name: str, doc: str):
    @report.command(name, help=doc)
    @click.option("--format", "fmt", default="table", type=click.Choice(["table", "json"]), show_default=True)
    @click.option("--out", "out", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
    @click.option("--to", "date_to", required=True, help="YYYY-MM-DD or dd/mm/yyyy (included)")
    @click.option("--from", "date_from", required=True, help="YYYY-MM-DD or dd/mm/yyyy")
    @click.option("--unit", "unit_code", required=True, help="Unit code: the report covers it and its subtree.")
    def command(unit_code, date_from, date_to, fmt, out):
        import json
        from engine.reports.periods import check_range
        check_range(date_from, date_to)
        with ReportTx() as s:
            if name == "annex1":
                from engine.reports.annex1 import annex1, annex1_table
                rep = annex1(s, unit_code, date_from, date_to)
                table = annex1_table(rep, lang())
            elif name == "annex3":
                from engine.reports.annex3 import annex3, annex3_table
                rep = annex3(s, unit_code, date_from, date_to)
                table = annex3_table(rep, lang())
            else:
                from engine.reports.figures import text_figures
                rep = text_figures(s, unit_code, date_from, date_to)
                table = None
        if fmt == "json":
            _emit(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2, default=str), out)
        elif table is not None:
            _emit(_simple_table(*table), out)
        else:
            lines = []
            for column in rep.columns:
                lines.append(f"[{rep.annex.column_label(column, lang())}]")
                lines.extend(rep.sentences(column, lang()) or ["—"])
            _emit("\n".join(lines), out)
    return command


_annex_command("annex1", "Phụ lục 1: documents issued (from the documents register), conferences and training "
                         "sessions, participants, materials.")
_annex_command("annex3", "Phụ lục 3: inspections and supervisions of the heads of party committees.")
_annex_command("figures", "The figures the review quotes in its text, per level, written as the seeds write them.")


@report.command("review")
@click.option("--unit", "unit_code", required=True, help="Unit code: the review covers it and its subtree.")
@click.option("--from", "date_from", required=True, help="YYYY-MM-DD or dd/mm/yyyy")
@click.option("--to", "date_to", required=True, help="YYYY-MM-DD or dd/mm/yyyy (included)")
@click.option("--format", "fmt", default="docx", type=click.Choice(["docx"]), show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
@click.option("--link-base", default="", help="The admin's address, to make the figures' sources full links.")
def report_review(unit_code, date_from, date_to, fmt, out, link_base):
    """The drafted review in the seeds' structure (Word), with the three annexes and the sources of its figures."""
    from engine.reports.periods import check_range
    from engine.reports.review import review_docx
    check_range(date_from, date_to)
    with ReportTx() as s:
        data = review_docx(s, unit_code, date_from, date_to, link_base=link_base)
    _emit(data, out)


@cli.group()
def records():
    """Records behind Phụ lục 1 (conferences, training) and Phụ lục 3 (inspections, supervisions)."""


@records.command("outreach")
@click.option("--unit", "unit_code", required=True)
@click.option("--on", "held_on", required=True, help="YYYY-MM-DD or dd/mm/yyyy")
@click.option("--kind", type=click.Choice(["conference", "training"]), required=True)
@click.option("--title", required=True)
@click.option("--participants", default="0")
@click.option("--materials", default="0")
@click.option("--note", default="")
@click.option("--by", "by", required=True, help="Username of the clerk or leader entering it.")
def records_outreach(unit_code, held_on, kind, title, participants, materials, note, by):
    """Record a conference or training session on Regulation 11 (Phụ lục 1)."""
    from engine.services.annex_records import add_outreach
    with Tx() as s:
        r = add_outreach(s, unit_code, held_on, kind, title, participants, materials, note, by=by)
        rid = r.id
    click.echo(t(f"Đã ghi nhận hội nghị, lớp tập huấn số {rid}", f"Recorded conference / training {rid}"))


@records.command("inspection")
@click.option("--unit", "unit_code", required=True)
@click.option("--on", "held_on", required=True, help="YYYY-MM-DD or dd/mm/yyyy")
@click.option("--kind", type=click.Choice(["inspection", "supervision"]), required=True)
@click.option("--adhoc", is_flag=True, help="Ad hoc (đột xuất) rather than in the programme / plan.")
@click.option("--bodies", default="0", help="Bodies, organisations, units inspected or supervised.")
@click.option("--heads-disciplined", default="0")
@click.option("--heads-violating", default="0", help="Heads in violation, not to the level of discipline.")
@click.option("--subject", default="")
@click.option("--findings", default="")
@click.option("--by", "by", required=True, help="Username of the auditor.")
def records_inspection(unit_code, held_on, kind, adhoc, bodies, heads_disciplined, heads_violating, subject,
                       findings, by):
    """Record an inspection or supervision with its findings (Phụ lục 3); auditors only, in their scope."""
    from engine.services.annex_records import add_inspection
    with Tx() as s:
        r = add_inspection(s, unit_code, held_on, kind, not adhoc, bodies, heads_disciplined, heads_violating,
                           subject, findings, by=by)
        rid = r.id
    click.echo(t(f"Đã ghi nhận cuộc kiểm tra, giám sát số {rid}", f"Recorded inspection / supervision {rid}"))


@report.command("compliance")
@_period_options
@click.option("--as-of", "as_of", help="Judge missed sessions and ended months as of this date (default: today).")
def report_compliance(unit_code, date_from, date_to, fmt, out, as_of):
    """Reception and dialogue obligations (config/obligations.toml): required, planned, held, missed,
    cancelled and shortfall per unit and chair role, the unit and every unit below it."""
    from engine.reports.compliance import compliance_report, export_compliance
    from engine.reports.periods import check_range
    check_range(date_from, date_to)
    with ReportTx() as s:
        rep = compliance_report(s, unit_code, date_from, date_to, as_of=as_of, lang=lang())
    _emit(export_compliance(rep, fmt, lang()), out)


@report.command("letters")
@click.option("--unit", "unit_code", required=True, help="Unit code: one row for it and one for every unit below it.")
@click.option("--from", "date_from", required=True, help="YYYY-MM-DD or dd/mm/yyyy")
@click.option("--to", "date_to", required=True, help="YYYY-MM-DD or dd/mm/yyyy (included)")
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json", "csv", "xlsx"]), show_default=True)
@click.option("--scope", type=click.Choice(["subtree", "unit"]), default="subtree", show_default=True,
              help="subtree: the unit and the units below it; unit: the unit alone (with its departments).")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def report_letters(unit_code, date_from, date_to, fmt, scope, out):
    """Letter handling (Thông tư 02/2021/TT-TTCP): carried over, received by channel, eligible, by content,
    by result, duplicates, anonymous, signed by many people, unhandled at the end; states as of the period's end."""
    from engine.reports.letters import export_letters, letters_report
    from engine.reports.periods import check_range
    check_range(date_from, date_to)
    with ReportTx() as s:
        rep = letters_report(s, unit_code, date_from, date_to, scope=scope, lang=lang())
    _emit(export_letters(rep, fmt, lang()), out)


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Load the valid rows and report the rejected ones.")
@click.option("--by", "by", help="Username recorded as acting for petition progress (conclusion, resolution…).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--no-progress", is_flag=True)
def import_cmd(file, skip_invalid, by, as_json, no_progress):
    """Load petitions and sessions from a register kept in a spreadsheet (.xlsx or .csv).

    The template (Vietnamese or English headers) ships as config/import_template.csv.
    All or nothing unless --skip-invalid; re-importing the same file adds nothing."""
    from engine.language.errors import DomainError
    from engine.intake.importer import import_file, read_rows
    from engine.services.petitions import Context

    rows = read_rows(file)
    ctx = Context()
    bar = None
    show = not no_progress and not as_json and len(rows.rows) >= 500 and sys.stderr.isatty()
    try:
        if show:
            bar = click.progressbar(length=len(rows.rows), label=t("Đang nạp", "Importing"), file=sys.stderr)
            bar.__enter__()
        with Tx() as s:
            res = import_file(s, ctx, rows, by=by, skip_invalid=skip_invalid,
                              progress=(lambda n: bar.update(n)) if bar else None, lang=lang())
    except DomainError as exc:
        if getattr(exc, "rejected", None):
            for line, reason in exc.rejected[:200]:
                click.echo(t(f"Dòng {line}: {reason}", f"Line {line}: {reason}"), err=True)
        raise
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        echo_json(res.to_dict())
        return
    for line, reason in res.rejected:
        click.echo(t(f"Dòng {line}: {reason}", f"Line {line}: {reason}"), err=True)
    click.echo(t(f"Đã nạp {res.sessions} buổi tiếp và {res.petitions} đơn; bỏ qua {res.duplicates} dòng đã có; "
                 f"từ chối {len(res.rejected)} dòng",
                 f"Loaded {res.sessions} sessions and {res.petitions} petitions; skipped {res.duplicates} rows "
                 f"already loaded; rejected {len(res.rejected)} rows"))
    if res.history:
        click.echo(t(f"Đã ghi {res.history} bước xử lý theo ngày của sổ", f"Recorded {res.history} history steps on their dates"))
