"""The webhook delivery log (issue 19): every signed POST the dispatcher made or will make
(outbox rows of the webhook channel) with its status, attempts and last error; an
administrator may replay one (it goes back to the queue with its attempts reset, and keeps
its id, so a receiver deduplicates it)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.persistence.models import OutboxMessage, Petition
from notifications.dispatcher import retry
from web.access import allow
from web.dbsession import after_commit, db, engine

bp = Blueprint("deliveries", __name__, url_prefix="/admin/webhooks")
SHOWN = 200


@bp.route("/")
@allow()
def index():
    rows = db().execute(select(OutboxMessage, Petition.code).outerjoin(Petition, Petition.id == OutboxMessage.petition_id)
                        .where(OutboxMessage.channel == "webhook").order_by(OutboxMessage.id.desc()).limit(SHOWN)).all()
    kinds = {"due_soon": _("due soon"), "due_today": _("due today"), "overdue": _("overdue")}
    statuses = {"pending": _("waiting"), "sending": _("sending"), "sent": _("delivered"), "failed": _("failed"),
                "skipped": _("skipped"), "held": _("held")}
    return render_template("deliveries.html", rows=rows, shown=SHOWN, kinds=kinds, statuses=statuses)


@bp.route("/<int:outbox_id>/replay", methods=["POST"])
@allow()
def replay(outbox_id: int):
    row = db().get(OutboxMessage, outbox_id)
    if row is None or row.channel != "webhook":
        abort(404)
    db().commit()  # end the read transaction before the write (SQLite takes the write lock)
    retry(engine(), outbox_id)  # one transaction: back to pending, attempts reset
    after_commit([outbox_id])
    flash(_("Delivery %(id)s is queued again.", id=outbox_id), "info")
    return redirect(url_for("deliveries.index"))
