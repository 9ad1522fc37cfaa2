"""`petitions users passwd|change|deactivate`: each one transaction that also ends every
session of the user (engine.services.users bumps `session_epoch`)."""
from __future__ import annotations

import sys

import click

from engine.cli import t
from engine.cli.data_cmds import Tx, echo_json, users
from engine.services.users import change_user, deactivate_user, set_password


def _out(u) -> dict:
    return {"id": u.id, "username": u.username, "role": u.role, "unit": u.unit.code, "active": u.active}


@users.command("passwd")
@click.option("--username", required=True)
@click.option("--password-stdin", is_flag=True, required=True, help="Read the new password from standard input.")
@click.option("--json", "as_json", is_flag=True)
def users_passwd(username, password_stdin, as_json):
    """Set a user's password (signs the user out everywhere)."""
    password = sys.stdin.readline().rstrip("\r\n")
    with Tx() as s:
        out = _out(set_password(s, username, password))
    echo_json(out) if as_json else click.echo(t(f"Đã đặt mật khẩu mới cho {out['username']}; mọi phiên đăng nhập đã kết thúc",
                                                f"New password set for {out['username']}; every session has ended"))


@users.command("change")
@click.option("--username", required=True)
@click.option("--role", help="clerk | department | leader | auditor | admin")
@click.option("--unit", "unit_code")
@click.option("--json", "as_json", is_flag=True)
def users_change(username, role, unit_code, as_json):
    """Change a user's role and/or unit (signs the user out everywhere)."""
    with Tx() as s:
        out = _out(change_user(s, username, role=role, unit_code=unit_code))
    echo_json(out) if as_json else click.echo(t(f"Đã cập nhật {out['username']} ({out['role']}, {out['unit']})",
                                                f"Updated {out['username']} ({out['role']}, {out['unit']})"))


@users.command("deactivate")
@click.option("--username", required=True)
@click.option("--json", "as_json", is_flag=True)
def users_deactivate(username, as_json):
    """Disable a user: no more sign-ins, every session ends."""
    with Tx() as s:
        out = _out(deactivate_user(s, username))
    echo_json(out) if as_json else click.echo(t(f"Đã khoá người dùng {out['username']}; mọi phiên đăng nhập đã kết thúc",
                                                f"User {out['username']} disabled; every session has ended"))
