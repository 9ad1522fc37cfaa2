"""The in-app notifications of the signed-in user, read and unread."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, update

from engine.persistence.models import InboxItem, Petition
from engine.deadlines.timeutil import utcnow
from web.security import local_target
from web import queries as Q
from web.access import ALL_ROLES, allow
from web.dbsession import db, unit_of_work
from web.listing import page_number

bp = Blueprint("inbox", __name__)


def unread_count() -> int:
    return db().scalar(select(func.count(InboxItem.id)).where(InboxItem.user_id == current_user.id,
                                                             InboxItem.read_at.is_(None))) or 0


@bp.app_context_processor
def _unread():
    if current_user and current_user.is_authenticated:
        return {"unread_count": unread_count}
    return {"unread_count": lambda: 0}


@bp.route("/inbox")
@allow(*ALL_ROLES)
def index():
    s = db()
    show = request.args.get("show", "all")
    q = select(InboxItem).where(InboxItem.user_id == current_user.id)
    if show == "unread":
        q = q.where(InboxItem.read_at.is_(None))
    page_no = page_number()
    page = Q.paginate(s, q.order_by(InboxItem.created_at.desc(), InboxItem.id.desc()), page_no)
    ids = {i.petition_id for i in page.items if i.petition_id}
    codes = ({pid: code for pid, code in s.execute(select(Petition.id, Petition.code)
                                                    .where(Petition.id.in_(ids)))}
             if ids else {})
    return render_template("inbox.html", page=page, codes=codes, show=show)


@bp.route("/inbox/<int:item_id>/read", methods=["POST"])
@allow(*ALL_ROLES)
def mark_read(item_id):
    with unit_of_work() as s:
        s.execute(update(InboxItem).where(InboxItem.id == item_id, InboxItem.user_id == current_user.id,
                                              InboxItem.read_at.is_(None)).values(read_at=utcnow()))
        exists = s.scalar(select(InboxItem.id).where(InboxItem.id == item_id, InboxItem.user_id == current_user.id))
    if not exists:
        abort(404)
    return redirect(local_target(request.form.get("next"), url_for("inbox.index")))


@bp.route("/inbox/read-all", methods=["POST"])
@allow(*ALL_ROLES)
def mark_all_read():
    with unit_of_work() as s:
        s.execute(update(InboxItem).where(InboxItem.user_id == current_user.id, InboxItem.read_at.is_(None))
                  .values(read_at=utcnow()))
    return redirect(url_for("inbox.index"))
