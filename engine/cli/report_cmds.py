"""`petitions report ontime|appendix2` and `petitions import FILE`."""
from __future__ import annotations

import sys

import click

from engine.cli import cli, lang, t
from engine.cli.data_cmds import Tx, echo_json


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
    with Tx() as s:
        rep = ontime_report(s, unit_code, date_from, date_to, by=by, clock=clock, as_of=as_of, lang=lang())
    _emit(export(rep, fmt, lang()), out)


@report.command("appendix2")
@_period_options
def report_appendix2(unit_code, date_from, date_to, fmt, out):
    """Phụ lục 2 (Quy định 11-QĐi/TW) for a unit and its subtree over a period."""
    from engine.reports import appendix2, export
    from engine.reports.periods import check_range
    check_range(date_from, date_to)
    with Tx() as s:
        rep = appendix2(s, unit_code, date_from, date_to)
    _emit(export(rep, fmt, lang()), out)


@report.command("compliance")
@_period_options
@click.option("--as-of", "as_of", help="Judge missed sessions and ended months as of this date (default: today).")
def report_compliance(unit_code, date_from, date_to, fmt, out, as_of):
    """Reception and dialogue obligations (config/obligations.toml): required, planned, held, missed,
    cancelled and shortfall per unit and chair role, the unit and every unit below it."""
    from engine.reports.compliance import compliance_report, export_compliance
    from engine.reports.periods import check_range
    check_range(date_from, date_to)
    with Tx() as s:
        rep = compliance_report(s, unit_code, date_from, date_to, as_of=as_of, lang=lang())
    _emit(export_compliance(rep, fmt, lang()), out)


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
