"""One submission: its answers under the YAML's labels (health answers only with health
access), attachments named ``<protocol>-<document>.<ext>``, assignment, internal notes, status
changes with a message to the citizen, the deadlines in working days, the history."""

from __future__ import annotations

from flask import abort, current_app, g, make_response, redirect, render_template, request
from sqlalchemy import select

from form_backend.auth import record
from form_backend.cases import CaseNote, OfficeCase, next_due
from form_backend.db import Attachment, AuditEvent, Submission, User, utcnow
from form_backend.flow import charter
from form_backend.office import bp
from form_backend.office.access import can, health, in_scope, requires
from form_backend.office.answers import (
    NEXT,
    deadlines,
    document_name,
    download_name,
    grouped,
    may_be_health_document,
    rome,
    service_label,
)
from form_backend.store import decrypt


def _writer():
    return current_app.extensions["carta_sessions"]


def _load(record_id: int) -> tuple[Submission, OfficeCase | None, list[CaseNote]]:
    """The record, its case and notes, or 404 (also when outside the operator's scope)."""
    with current_app.extensions["carta_reader"]() as s:
        found = s.get(Submission, record_id)
        if found is None:
            abort(404)
        case = s.get(OfficeCase, record_id)
        if not in_scope(charter(), g.office, found.service, case.office if case else None):
            abort(404)
        _ = (found.events, found.attachments, found.form_definition)  # loaded while open
        notes = s.execute(select(CaseNote).where(CaseNote.submission_id == record_id)
                          .order_by(CaseNote.id)).scalars().all()
        return found, case, notes


@bp.get("/<int:record_id>")
@requires("read")
def detail(record_id: int):
    """A submission as the citizen gave it, with what the office can do next."""
    found, case, notes = _load(record_id)
    c = charter()
    allowed = health()
    secret = decrypt(current_app.extensions["carta_fernet"], found.sensitive) if allowed else None
    reached = {e.to_status for e in found.events if e.to_status} | {found.status}
    files = [{"id": a.id, "name": document_name(c, found.service, a.document, g.lang),
              "file": download_name(found.protocol, a.document, a.filename),
              "original": a.filename, "size": a.size,
              "open": allowed or not may_be_health_document(c, found.service, a.document)}
             for a in found.attachments]
    with _writer().begin() as s:
        s.add(AuditEvent(submission_id=found.id, user=g.operator, action="consultata"))
    with current_app.extensions["carta_reader"]() as s:
        people = s.execute(select(User.name).where(User.active).order_by(User.name)
                           ).scalars().all()
    return render_template(
        "office/detail.html", record=found, case=case, notes=notes, files=files,
        sections=grouped(c, found.kind, found.service, found.data or {}, secret, g.lang),
        hidden=bool(found.sensitive) and not allowed,
        deadlines=deadlines(c, found, reached, g.lang), rome=rome,
        service=service_label(c, found.service, g.lang), people=people,
        can_act=can(g.office, "act"), next_statuses=NEXT.get(found.status, []),
        title=found.protocol)


def _case(s, record_id: int) -> OfficeCase:
    case = s.get(OfficeCase, record_id)
    if case is None:  # stored by a process that did not index it: indexed by the next start
        case = OfficeCase(submission_id=record_id, updated_at=utcnow())
        s.add(case)
    return case


@bp.post("/<int:record_id>/assegna")
@requires("act")
def assign(record_id: int):
    """Give the case to an operator (or to nobody)."""
    _load(record_id)
    who = request.form.get("operator", "")[:80]
    with _writer().begin() as s:
        if who and s.execute(select(User.id).where(User.name == who, User.active)).scalar() \
                is None:
            abort(400)
        case = _case(s, record_id)
        case.assigned_to, case.updated_at = who or None, utcnow()
        s.add(AuditEvent(submission_id=record_id, user=g.operator, action="assegnata",
                         note=who or "—"))
    return redirect(f"/ufficio/{record_id}", 303)


@bp.post("/<int:record_id>/note")
@requires("act")
def add_note(record_id: int):
    """An internal note (never shown to the citizen)."""
    _load(record_id)
    text = request.form.get("text", "").strip()[:4000]
    if not text:
        abort(400)
    with _writer().begin() as s:
        s.add(CaseNote(submission_id=record_id, user=g.operator, text=text))
    return redirect(f"/ufficio/{record_id}#note", 303)


def tell_citizen(s, found: Submission, old: str, new: str, message: str | None) -> int:
    """The one call site of the citizen journey's notice (form_backend.follow), in the status
    change's transaction: the message is kept for the status page and the e-mail queued."""
    from form_backend.follow import notify_status_change

    return notify_status_change(s, found, old, new, message)


@bp.post("/<int:record_id>/stato")
@requires("act")
def change_status(record_id: int):
    """Move a submission to a next status, with a message to the citizen (``message``) and
    an internal note (``note``), and an audit entry."""
    _load(record_id)
    new = request.form.get("status", "")
    message = request.form.get("message", "").strip()[:2000] or None
    note = request.form.get("note", "").strip()[:2000] or None
    with _writer().begin() as s:
        found = s.get(Submission, record_id)
        if found is None:
            abort(404)
        old = found.status
        if new not in NEXT.get(old, []):
            abort(400)
        reached = set(s.execute(select(AuditEvent.to_status).where(
            AuditEvent.submission_id == record_id)).scalars()) | {old, new}
        s.add(AuditEvent(submission_id=found.id, user=g.operator, action="stato",
                         from_status=old, to_status=new, note=note))
        found.status = new
        found.updated_at = utcnow()
        case = _case(s, record_id)
        case.due, case.updated_at = next_due(found.deadlines or {}, reached), utcnow()
        tell_citizen(s, found, old, new, message)
    return redirect(f"/ufficio/{record_id}", 303)


@bp.get("/<int:record_id>/allegati/<int:attachment_id>")
@requires("read")
def attachment(record_id: int, attachment_id: int):
    """Download an attachment as ``<protocol>-<document>.<ext>`` (never rendered inline);
    one that may be a health document needs health access."""
    found, _case_row, _notes = _load(record_id)
    with current_app.extensions["carta_reader"]() as s:
        a = s.get(Attachment, attachment_id)
        if a is None or a.submission_id != record_id:
            abort(404)
    if may_be_health_document(charter(), found.service, a.document) and not health():
        with _writer().begin() as s:
            record(s, "download-refused", user=g.operator, submission_id=record_id,
                   detail=f"attachment {a.id} ({a.document}): health access needed")
        abort(403)
    name = download_name(found.protocol, a.document, a.filename)
    with _writer().begin() as s:
        s.add(AuditEvent(submission_id=record_id, user=g.operator, action="allegato scaricato",
                         note=a.document))
        record(s, "download", user=g.operator, submission_id=record_id,
               detail=f"attachment {a.id} ({a.document})")
    response = make_response(a.content)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Type"] = a.content_type or "application/octet-stream"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
