"""``/ricevuta/<key>``: the receipt with protocol number, date, next steps and deadlines."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, g, make_response, render_template

from form_backend import flow
from form_backend.db import find_by_key
from form_backend.extensions import limiter, submit_limit
from form_backend.forms import label_of
from form_backend.store import ROME

bp = Blueprint("receipt", __name__)


def _record(key: str):
    if not key.isalnum() or len(key) > 64:
        abort(404)
    with current_app.extensions["carta_reader"]() as session:
        record = find_by_key(session, key)
    if record is None:
        abort(404)
    return record


def _context(record):
    charter = flow.charter()
    service = charter.service_by_slug.get(record.service) if record.service else None
    definition = charter.form_by_id[record.kind]
    deadlines = []
    for name, day in sorted(record.deadlines.items(), key=lambda x: x[1]):
        date = dt.date.fromisoformat(day).strftime("%d/%m/%Y")
        if name.startswith("quality-") and service:
            q = service.quality[int(name.split("-")[1]) - 1]
            deadlines.append((label_of(q.indicator, g.lang), date))
        else:
            deadlines.append((charter.t(g.lang, f"receipt_{name}"), date))
    created = record.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return {"record": record, "service": service, "deadlines": deadlines,
            "received": created.astimezone(ROME).strftime("%d/%m/%Y %H:%M"),
            "title": label_of(definition.title, g.lang)}


@bp.get("/ricevuta/<key>")
def receipt(key: str):
    """The receipt page."""
    return render_template("receipt.html", key=key, **_context(_record(key)))


@bp.get("/ricevuta/<key>.pdf")
@limiter.limit(submit_limit)  # rendered on each request: as many as sends, not more
def receipt_pdf(key: str):
    """The receipt as a PDF to keep (never cached: see form_backend.security)."""
    from carta.print_build import render_pdf

    html = render_template("receipt_print.html", **_context(_record(key)))
    response = make_response(render_pdf(html))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="ricevuta-{key[:8]}.pdf"'
    return response
