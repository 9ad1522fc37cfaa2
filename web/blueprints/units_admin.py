"""Units in the browser (role admin, its unit and below): the tree with effective dates; add,
rename, move; reorganise (merge, split) with a preview of what moves before anything is saved.
Every change is one transaction through `engine.services.unit_admin`."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.deadlines.timeutil import local_date
from engine.language.errors import DomainError, NotFound
from engine.persistence.models import UNIT_LEVELS, OrgUnit, User
from engine.services import unit_admin as svc
from web import queries as Q
from web.access import allow
from web.adminforms import actor, open_units, refused, tree
from web.dbsession import db, unit_of_work

bp = Blueprint("unitadmin", __name__, url_prefix="/admin/units")

ADD_FIELDS = ("code", "name", "level", "parent", "valid_from")
REORG_FIELDS = ("kind", "sources", "effective_on", "target", "new_code", "new_name", "new_level", "new_parent",
                "new_units")


def _today():
    return local_date(Q.now())


def _index(errors=None, values=None, status=200):
    s = db()
    rows = tree(s)
    ids = [u.id for u, _ in rows]
    return render_template("admin_units.html", rows=rows, users=svc.user_count_by_unit(s),
                           successions=svc.successions_of(s, ids), levels=UNIT_LEVELS,
                           parents=open_units(_today(), s), errors=errors or {}, values=values or {},
                           today=_today()), status


@bp.route("/")
@allow()
def index():
    return _index()[0]


@bp.route("/add", methods=["POST"])
@allow()
def add():
    values = {k: request.form.get(k, "") for k in ADD_FIELDS}
    try:
        with unit_of_work() as w:
            u = svc.create_unit(w, w.get(User, actor().id), values["code"], values["name"], values["level"],
                                values["parent"], values["valid_from"] or None, at=Q.now())
            code, unit_id = u.code, u.id
    except DomainError as exc:
        return _index(refused(exc, ADD_FIELDS), values, 400)
    flash(_("Unit %(code)s was added.", code=code), "info")
    return redirect(url_for("unitadmin.show", unit_id=unit_id))


def _unit_or_404(unit_id: int) -> OrgUnit:
    """Units are addressed by id in the pages' addresses (the code is data)."""
    unit = db().get(OrgUnit, unit_id)
    try:
        return svc.scoped_unit(db(), actor(), unit.code if unit is not None else "")
    except DomainError:
        abort(404)


def _show(unit: OrgUnit, errors=None, values=None, status=200):
    s = db()
    below = svc.scope_ids(s, actor())
    from engine.persistence.scope import subtree_ids
    mine = subtree_ids(s, unit.id)
    parents = [u for u in open_units(_today(), s) if u.id not in mine and u.id in below]
    members = sorted((u for u in s.query(User).filter(User.unit_id == unit.id)), key=lambda u: u.username)
    return render_template("admin_unit.html", unit=unit, parents=parents, members=members,
                           successions=svc.successions_of(s, [unit.id]), errors=errors or {}, values=values or {},
                           own=unit.id == actor().unit_id), status


@bp.route("/<int:unit_id>")
@allow()
def show(unit_id: int):
    return _show(_unit_or_404(unit_id))[0]


@bp.route("/<int:unit_id>/rename", methods=["POST"])
@allow()
def rename(unit_id: int):
    unit = _unit_or_404(unit_id)
    values = {"name": request.form.get("name", "")}
    try:
        with unit_of_work() as w:
            svc.rename_unit(w, w.get(User, actor().id), unit.code, values["name"], at=Q.now())
    except DomainError as exc:
        return _show(unit, refused(exc, ("name",)), values, 400)
    flash(_("The unit was renamed."), "info")
    return redirect(url_for("unitadmin.show", unit_id=unit.id))


@bp.route("/<int:unit_id>/move", methods=["POST"])
@allow()
def move(unit_id: int):
    unit = _unit_or_404(unit_id)
    values = {"parent": request.form.get("parent", "")}
    try:
        with unit_of_work() as w:
            svc.move_unit(w, w.get(User, actor().id), unit.code, values["parent"], at=Q.now())
    except DomainError as exc:
        return _show(unit, refused(exc, ("parent",)), values, 400)
    flash(_("The unit was moved."), "info")
    return redirect(url_for("unitadmin.show", unit_id=unit.id))


def _reorg(values, errors=None, plan=None, status=200):
    s = db()
    return render_template("admin_reorganise.html", values=values, errors=errors or {}, plan=plan,
                           units=open_units(_today(), s), levels=UNIT_LEVELS, kinds=svc.KINDS,
                           names={u.id: u.name for u, _ in tree(s)}), status


@bp.route("/reorganise", methods=["GET", "POST"])
@allow()
def reorganise():
    if request.method == "GET":
        return _reorg({"kind": "merge", "sources": request.args.get("sources", "")})[0]
    values = {k: request.form.get(k, "") for k in REORG_FIELDS}
    values["sources"] = ", ".join(request.form.getlist("sources")) if len(request.form.getlist("sources")) > 1 \
        else values["sources"]
    args = dict(kind=values["kind"], sources=values["sources"], effective_on=values["effective_on"],
                target_code=values["target"] or None, new_code=values["new_code"], new_name=values["new_name"],
                new_level=values["new_level"], new_parent=values["new_parent"], new_units=values["new_units"])
    save = request.form.get("step") == "save"
    try:
        if not save:  # the preview reads and writes nothing
            plan = svc.plan_reorganisation(db(), actor(), **args)
            return _reorg(values, plan=plan)[0]
        with unit_of_work() as w:
            me = w.get(User, actor().id)
            plan = svc.plan_reorganisation(w, me, **args)  # counted again inside the transaction that moves
            successors = svc.apply_reorganisation(w, me, plan, at=Q.now())
            unit_id, moved = successors[0].id, plan.totals()
    except NotFound as exc:
        return _reorg(values, refused(exc, REORG_FIELDS), status=400)
    except DomainError as exc:
        return _reorg(values, refused(exc, REORG_FIELDS), status=400)
    flash(_("Reorganisation saved: %(cases)d open cases, %(sessions)d planned sessions, %(users)d users and "
            "%(schedules)d schedules now belong to the successor.", cases=moved["open_cases"],
            sessions=moved["planned_sessions"], users=moved["users"], schedules=moved["schedules"]), "info")
    return redirect(url_for("unitadmin.show", unit_id=unit_id))
