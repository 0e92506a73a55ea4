"""The list of submissions (search, filters, counts, pages), the day's view and the CSV
export with the list's filters.  Nothing here reads health data."""

from __future__ import annotations

from flask import current_app, g, render_template, request
from sqlalchemy import select

from form_backend.auth import record
from form_backend.db import User
from form_backend.flow import charter
from form_backend.forms import label_of
from form_backend.i18n import t
from form_backend.office import bp
from form_backend.office.access import can, requires, scope
from form_backend.office.answers import STATUSES, day, roles_for, rome, service_label, today
from form_backend.office.csvfile import csv_bytes, download
from form_backend.office.queries import Filters, all_rows, day_view, list_page


def _reader():
    return current_app.extensions["carta_reader"]


def choices() -> dict:
    """What the filters offer: the services and offices of the operator's scope, the
    statuses, the active operators."""
    c = charter()
    limits = scope(c, g.office)
    services = [(s.slug, service_label(c, s.slug, g.lang)) for s in c.services
                if limits is None or s.slug in limits[0]]
    offices = [(o.id, label_of(o.name, g.lang)) for o in c.offices
               if limits is None or o.id in limits[1]
               or any(s.slug in limits[0] for s in c.services
                      if o.id in s.access.offices or o.kind in s.access.offices)]
    with _reader()() as s:
        people = s.execute(select(User.name).where(User.active).order_by(User.name)
                           ).scalars().all()
    return {"services": services, "offices": offices, "statuses": STATUSES,
            "operators": people}


def shown(row) -> dict:
    """A list row as the pages show it."""
    due = row.due if row.status != "conclusa" else None
    return {"id": row.id, "protocol": row.protocol, "kind": row.kind,
            "applicant": row.applicant or "—", "received": rome(row.created_at),
            "service": service_label(charter(), row.service, g.lang), "status": row.status,
            "due": day(due), "overdue": bool(due and due < today().isoformat()),
            "assigned": row.assigned_to or ""}


@bp.get("/")
@requires("read")
def index():
    """Submissions, newest first: search, filters, counts per status, pages."""
    f = Filters.from_args(request.args)
    with _reader()() as s:
        page = list_page(s, charter(), g.office, f)
    return render_template("office/index.html", rows=[shown(r) for r in page.rows],
                           page=page, f=f, choices=choices(), can_act=can(g.office, "act"),
                           title=charter().t(g.lang, "office_title"))


@bp.get("/oggi")
@requires("read")
def today_view():
    """The day's work: overdue, due this week, new since yesterday; complaints first."""
    with _reader()() as s:
        groups = day_view(s, charter(), g.office)
    return render_template("office/today.html",
                           groups={k: [shown(r) for r in v] for k, v in groups.items()},
                           title=t("bo_today_title"))


EXPORT_HEADER = ["protocollo", "tipo", "ricevuta", "stato", "servizio", "comune", "cognome",
                 "nome", "codice fiscale", "assegnata a", "punti", "fascia", "scadenza"]


@bp.get("/export.csv")
@requires("read")
def export():
    """The submissions the list's filters select, as CSV; no special-category data (the
    encrypted answers are never read here)."""
    f = Filters.from_args(request.args)
    c = charter()
    rows = [EXPORT_HEADER]
    roles_cache: dict[str, dict[str, str]] = {}
    with _reader()() as s:
        for r in all_rows(s, c, g.office, f, with_data=True):
            roles = roles_cache.get(r.kind)
            if roles is None:
                roles = roles_cache[r.kind] = roles_for(c, r.kind, None)
            data = r.data or {}
            surname, given = data.get(roles.get("surname", "")), data.get(
                roles.get("given_name", ""))
            if not surname and roles.get("full_name"):
                surname = data.get(roles["full_name"])
            rows.append([r.protocol, r.kind, rome(r.created_at), t(f"bo_status_{r.status}"),
                         service_label(c, r.service, g.lang), r.comune or "", surname, given,
                         data.get(roles.get("tax_code", "")), r.assigned_to, r.points, r.band,
                         day(r.due) if r.status != "conclusa" else ""])
    with current_app.extensions["carta_sessions"].begin() as s:
        record(s, "export", user=g.operator,
               detail=f"submissions.csv, {len(rows) - 1} records, {f.query_string() or 'all'}")
    return download(csv_bytes(rows), "submissions.csv")

