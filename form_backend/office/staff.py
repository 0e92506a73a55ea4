"""Administrators manage operators in the interface, as ``carta users`` does on the command
line: add, list, disable, enable, a new password, require or reset the second factor, role and
scope, health-data access.  Every change goes to the office's audit log (by whom), and every
change that takes something away ends the operator's sessions."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, request

from form_backend import operators
from form_backend.auth import record
from form_backend.flow import charter
from form_backend.forms import label_of
from form_backend.i18n import t
from form_backend.office import bp
from form_backend.office.access import ROLES, requires
from form_backend.office.answers import rome, service_label
from form_backend.passwords import MAX_LENGTH, context_words


def _sessions():
    return current_app.extensions["carta_sessions"]


def _scope_from_form() -> tuple[list[str], list[str]]:
    c = charter()
    services = [x for x in request.form.getlist("services") if x in c.service_by_slug]
    offices = [x for x in request.form.getlist("offices") if x in c.office_by_id]
    return services, offices


def _page(error: str | None = None, done: str | None = None, status: int = 200):
    c = charter()
    people = operators.list_users(_sessions())
    for p in people:
        p["last"] = rome(p["last_login_at"]) if p["last_login_at"] else ""
    return render_template(
        "office/staff.html", people=people, roles=ROLES, error=error, done=done,
        services=[(s.slug, service_label(c, s.slug, g.lang)) for s in c.services],
        offices=[(o.id, label_of(o.name, g.lang)) for o in c.offices],
        title=t("bo_staff_title")), status


@bp.get("/operatori")
@requires("admin")
def staff():
    """The operators, and the form to add one."""
    return _page()


@bp.post("/operatori")
@requires("admin")
def staff_add():
    """Add an operator with a first password (they change it from their own page)."""
    name = request.form.get("name", "").strip()[:80]
    role = request.form.get("role", "")
    if not name or role not in ROLES:
        return _page(t("bo_staff_bad_input"), status=400)
    services, offices = _scope_from_form()
    try:
        operators.add_user(_sessions(), name, request.form.get("password", "")[:MAX_LENGTH + 1],
                           health_access=bool(request.form.get("health")),
                           context=context_words(charter()), role=role, services=services,
                           offices=offices, totp_required=bool(request.form.get("totp")),
                           by=g.operator)
    except operators.PasswordRefused as exc:
        return _page(t(exc.key, **exc.values), status=400)
    except Exception as exc:  # the name exists: the unique constraint says so
        from sqlalchemy.exc import IntegrityError

        if not isinstance(exc, IntegrityError):
            raise
        return _page(t("bo_staff_exists"), status=400)
    return _page(done=t("bo_staff_added", name=name))


ACTIONS = {
    "disattiva": lambda s, n, f: operators.set_active(s, n, False),
    "attiva": lambda s, n, f: operators.set_active(s, n, True),
    "secondo-fattore-azzera": lambda s, n, f: operators.reset_totp(s, n),
    "secondo-fattore-richiedi": lambda s, n, f: operators.set_totp_required(s, n, True),
    "secondo-fattore-non-richiedere": lambda s, n, f: operators.set_totp_required(s, n, False),
    "dati-sanitari-concedi": lambda s, n, f: operators.set_health_access(s, n, True),
    "dati-sanitari-revoca": lambda s, n, f: operators.set_health_access(s, n, False),
}


@bp.post("/operatori/<name>/<action>")
@requires("admin")
def staff_change(name: str, action: str):
    """One change to one operator (``ACTIONS``, ``ruolo`` or ``password``)."""
    if name == g.operator and action in ("disattiva", "ruolo"):
        return _page(t("bo_staff_not_yourself"), status=400)  # the last admin stays one
    try:
        if action == "ruolo":
            role = request.form.get("role", "")
            if role not in ROLES:
                return _page(t("bo_staff_bad_input"), status=400)
            operators.set_role(_sessions(), name, role, *_scope_from_form())
        elif action == "password":
            operators.set_password(_sessions(), name,
                                   request.form.get("password", "")[:MAX_LENGTH + 1],
                                   context_words(charter()))
        elif action in ACTIONS:
            ACTIONS[action](_sessions(), name, request.form)
        else:
            abort(404)
    except operators.NoSuchOperator:
        abort(404)
    except operators.PasswordRefused as exc:
        return _page(t(exc.key, **exc.values), status=400)
    with _sessions().begin() as s:  # who did it (the change's own entry names the operator)
        record(s, "admin-change", user=g.operator, detail=f"{action} {name}")
    return redirect("/ufficio/operatori", 303)
