"""The events standards are measured from that are not status changes: the office records
the day a meeting (colloquio) took place or the service started for the person, on the
case's page (role ``operator`` or ``admin``, within the operator's scope, like every other
action).  Kept as audit rows ``evento:<event>`` with the day as note; read by
:func:`form_backend.events.read_cases` for ``carta monitoring compute``."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, g, redirect, render_template, request

from form_backend.db import AuditEvent
from form_backend.events import ACTION_PREFIX, OFFICE_RECORDED
from form_backend.flow import charter
from form_backend.office import bp
from form_backend.office.access import requires
from form_backend.office.casework import _load
from form_backend.store import ROME

# which submissions each event belongs to: a meeting follows a domanda or a reclamo; a
# service starts only after a domanda
KINDS = {"meeting": ("domanda", "reclamo"), "activation": ("domanda",)}


@bp.app_template_global("event_choices")
def choices(kind: str) -> list[str]:
    """The events the office may record on a submission of ``kind``."""
    return [e.value for e in OFFICE_RECORDED if kind in KINDS.get(e.value, ())]


@bp.post("/<int:record_id>/evento")
@requires("act")
def record_event(record_id: int):
    """Record the day an event took place (between the submission's arrival and today);
    a wrong day is refused with a message naming the field, the page shown again."""
    found, _case, _notes = _load(record_id)
    event = request.form.get("event", "")
    if event not in choices(found.kind):
        abort(400)
    received = found.created_at if found.created_at.tzinfo else found.created_at.replace(
        tzinfo=dt.UTC)
    first, today = received.astimezone(ROME).date(), dt.datetime.now(ROME).date()
    try:
        day = dt.date.fromisoformat(request.form.get("date", "").strip())
    except ValueError:
        day = None
    if day is None or not first <= day <= today:
        return render_template(
            "office/event_error.html", record=found, title=found.protocol,
            message=charter().t(g.lang, "bo_event_bad_date", received=first.isoformat())), 422
    with current_app.extensions["carta_sessions"].begin() as s:
        s.add(AuditEvent(submission_id=found.id, user=g.operator,
                         action=f"{ACTION_PREFIX}{event}", note=day.isoformat()))
    return redirect(f"/ufficio/{record_id}#eventi", 303)
