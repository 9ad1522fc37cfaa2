"""`petitions`: one console command built on click.

Errors are one clear line on stderr and exit code 2, never a traceback. Commands of the
outer layers (notifications, web) are plugged in through the `petitions.commands` entry
point group, so the engine does not import them.
"""
from __future__ import annotations

import re
import sys
from importlib.metadata import entry_points

import click

from config import get_settings
from sqlalchemy.exc import DBAPIError, OperationalError

from engine.language.errors import DomainError


def lang() -> str:
    return get_settings().lang


def t(vi: str, en: str) -> str:
    """Pick the CLI text in the operator's language (PETITIONS_LANG, Vietnamese by default)."""
    return en if lang() == "en" else vi


class PluginGroup(click.Group):
    """A group that also lists commands registered by other packages."""

    def _plugins(self) -> dict[str, click.Command]:
        found = {}
        for ep in entry_points(group="petitions.commands"):
            obj = ep.load()
            for cmd in (obj if isinstance(obj, (list, tuple)) else [obj]):
                found[cmd.name] = cmd
        return found

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx, name):
        return super().get_command(ctx, name) or self._plugins().get(name)


@click.group(cls=PluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Petitions: deadlines and workflow for citizens' petitions (Quy định 11-QĐi/TW)."""


# click ≥8.2 raises this when a group is called with no arguments (name changed across releases)
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", None) or getattr(click.exceptions, "NoArgsIsHelp")


def _fail(message: str, code: int = 2) -> None:
    click.echo(t("Lỗi: ", "Error: ") + message, err=True)
    sys.exit(code)


def _database_message(exc: DBAPIError) -> str:
    first = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(getattr(exc, "orig", exc)).strip() else repr(exc)
    if "no such table" in first or ("relation" in first and "does not exist" in first):
        return t("cơ sở dữ liệu chưa được khởi tạo: hãy chạy `petitions db upgrade`",
                 "the database has no schema yet: run `petitions db upgrade`")
    if isinstance(exc, OperationalError):
        return t("không kết nối được cơ sở dữ liệu: ", "cannot reach the database: ") + first
    return t("lỗi cơ sở dữ liệu: ", "database error: ") + first


_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, as Python escapes them in argv


def _check_arguments(args) -> None:
    """An argument that is not valid UTF-8 (a terminal in another encoding, a mangled
    paste) is refused whole, naming it, before anything reads it."""
    for a in args:
        if isinstance(a, str) and _UNDECODABLE.search(a):
            shown = a.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            # both languages: the terminal that sent it may be the one that cannot show the other
            _fail(f"đối số «{shown}» không phải văn bản UTF-8 hợp lệ (hãy đặt terminal dùng UTF-8) / "
                  f"the argument '{shown}' is not valid UTF-8 text (set the terminal to UTF-8)", 2)


def _settings():
    """The settings, or one line naming each environment variable whose value is refused
    (a malformed number, a negative cache age…) — in both languages, since the language
    setting itself may be the one refused."""
    from pydantic import ValidationError
    try:
        return get_settings()
    except ValidationError as exc:
        bad = "; ".join(f"{'.'.join(map(str, e['loc']))}={e.get('input')!r} ({e['msg']})" for e in exc.errors())
        click.echo(f"Lỗi: biến môi trường có giá trị không hợp lệ / Error: an environment variable has a value "
                   f"that is refused: {bad}", err=True)
        sys.exit(2)


def main(argv=None) -> None:
    from engine.observability.logs import configure
    _check_arguments(sys.argv[1:] if argv is None else argv)
    configure(_settings())
    try:
        rv = cli.main(args=argv, prog_name="petitions", standalone_mode=False)
    except DomainError as exc:
        _fail(exc.message(lang()), exc.exit_code)
    except _NO_ARGS_IS_HELP as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click.UsageError as exc:
        _fail(exc.format_message().replace("\n", " "), 2)
    except click.ClickException as exc:
        _fail(exc.format_message().replace("\n", " "), exc.exit_code or 1)
    except DBAPIError as exc:
        _fail(_database_message(exc), 1)
    except OverflowError:  # a number too large for the database or a date, wherever it came from
        _fail(t("số quá lớn", "a number is too large"), 2)
    except click.exceptions.Abort:
        _fail(t("đã huỷ", "aborted"), 130)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(rv if isinstance(rv, int) else 0)


from engine.cli import calendar_cmds, data_cmds, report_cmds, run_cmd  # noqa: E402,F401  (registers commands)
from engine.cli import user_cmds  # noqa: E402,F401  (users passwd|change|deactivate)
