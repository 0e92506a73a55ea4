"""``/ufficio/``: operators list, filter and process submissions; every route needs a login."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from sqlalchemy import select

from form_backend import flow
from form_backend.db import Attachment, AuditEvent, Submission, User, utcnow
from form_backend.extensions import limiter
from form_backend.store import ROME, decrypt

bp = Blueprint("office", __name__, url_prefix="/ufficio")
STATUSES = ["ricevuta", "in-istruttoria", "convocazione", "integrazione-richiesta", "conclusa"]
NEXT = {"ricevuta": ["in-istruttoria"],
        "in-istruttoria": ["convocazione", "integrazione-richiesta", "conclusa"],
        "convocazione": ["in-istruttoria", "conclusa"],
        "integrazione-richiesta": ["in-istruttoria", "conclusa"],
        "conclusa": []}
hasher = PasswordHasher()


def add_user(sessions, name: str, password: str) -> None:
    """Create an operator with an argon2 hash of ``password``."""
    with sessions.begin() as s:
        s.add(User(name=name, password_hash=hasher.hash(password)))


def login_required(view):
    """Refuse anonymous users: GETs go to the login page, anything else gets 403."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not session.get("operator"):
            if request.method == "GET":
                return redirect(f"/ufficio/login?next={request.path}", 302)
            abort(403)
        g.operator = session["operator"]
        return view(*args, **kwargs)

    return wrapped


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    """Operator login."""
    error = None
    if request.method == "POST":
        name = request.form.get("name", "")[:80]
        password = request.form.get("password", "")[:200]
        with current_app.extensions["carta_reader"]() as s:
            user = s.execute(select(User).where(User.name == name, User.active)).scalar()
        try:
            if user is None:
                raise Argon2Error("no such user")
            hasher.verify(user.password_hash, password)
        except Argon2Error:
            error = flow.charter().t(g.lang, "office_login_failed")
        else:
            session.clear()
            session["operator"] = user.name
            target = request.args.get("next", "/ufficio/")
            return redirect(target if target.startswith("/ufficio/") else "/ufficio/", 303)
    return render_template("office/login.html", error=error, title="Login"), 401 if error else 200


@bp.post("/logout")
@login_required
def logout():
    """End the operator's session."""
    session.clear()
    return redirect("/ufficio/login", 303)


def _overdue(record: Submission, today: dt.date) -> bool:
    return record.status != "conclusa" and any(
        dt.date.fromisoformat(d) < today for d in record.deadlines.values())


@bp.get("/")
@login_required
def index():
    """Submissions, overdue first, filterable by kind, status and service."""
    q = select(Submission)
    for name in ("kind", "status", "service"):
        value = request.args.get(name)
        if value:
            q = q.where(getattr(Submission, name) == value)
    with current_app.extensions["carta_reader"]() as s:
        records = s.execute(q.order_by(Submission.created_at.desc()).limit(500)).scalars().all()
    today = dt.datetime.now(ROME).date()
    records.sort(key=lambda r: (not _overdue(r, today), min(r.deadlines.values(), default="9")))
    return render_template("office/index.html", records=records, statuses=STATUSES,
                           overdue={r.id for r in records if _overdue(r, today)},
                           title=flow.charter().t(g.lang, "office_title"))


def _get(record_id: int) -> Submission:
    with current_app.extensions["carta_reader"]() as s:
        record = s.get(Submission, record_id)
        if record is None:
            abort(404)
        _ = (record.events, record.attachments)  # load them before the session closes
        return record


@bp.get("/<int:record_id>")
@login_required
def detail(record_id: int):
    """One submission with its answers (special-category data decrypted here only)."""
    record = _get(record_id)
    secret = decrypt(current_app.extensions["carta_fernet"], record.sensitive)
    with current_app.extensions["carta_sessions"].begin() as s:
        s.add(AuditEvent(submission_id=record.id, user=g.operator, action="consultata"))
    return render_template("office/detail.html", record=record, secret=secret,
                           next_statuses=NEXT.get(record.status, []), title=record.protocol)


@bp.post("/<int:record_id>/stato")
@login_required
def change_status(record_id: int):
    """Move a submission to its next status, with an audit entry."""
    new = request.form.get("status", "")
    note = request.form.get("note", "")[:2000] or None
    with current_app.extensions["carta_sessions"].begin() as s:
        record = s.get(Submission, record_id)
        if record is None:
            abort(404)
        if new not in NEXT.get(record.status, []):
            abort(400)
        s.add(AuditEvent(submission_id=record.id, user=g.operator, action="stato",
                         from_status=record.status, to_status=new, note=note))
        record.status = new
        record.updated_at = utcnow()
    return redirect(f"/ufficio/{record_id}", 303)


@bp.get("/<int:record_id>/allegati/<int:attachment_id>")
@login_required
def attachment(record_id: int, attachment_id: int):
    """Download an attachment (served as a download, never rendered inline)."""
    with current_app.extensions["carta_reader"]() as s:
        a = s.get(Attachment, attachment_id)
        if a is None or a.submission_id != record_id:
            abort(404)
    response = make_response(a.content)
    response.headers["Content-Type"] = a.content_type or "application/octet-stream"
    response.headers["Content-Disposition"] = f'attachment; filename="allegato-{a.id}"'
    return response


def neutralise(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


def _csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(x) for x in row])
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def _download(data: bytes, name: str):
    response = make_response(data)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/export.csv")
@login_required
def export():
    """Every submission as CSV (';', UTF-8 with BOM for Excel); no special-category data."""
    with current_app.extensions["carta_reader"]() as s:
        records = s.execute(select(Submission).order_by(Submission.year, Submission.seq)
                            ).scalars().all()
    rows = [["protocollo", "tipo", "ricevuta", "stato", "servizio", "comune", "cognome", "nome",
             "punti", "fascia", "scadenze"]]
    for r in records:
        rows.append([r.protocol, r.kind, r.created_at.astimezone(ROME).strftime("%d/%m/%Y %H:%M"),
                     r.status, r.service, r.comune, r.data.get("cognome"), r.data.get("nome"),
                     r.points, r.band, " ".join(sorted(r.deadlines.values()))])
    return _download(_csv(rows), "submissions.csv")


@bp.get("/graduatoria/<slug>.csv")
@login_required
def ranking(slug: str):
    """The ranking of a service's applications by points and band, without health data."""
    if slug not in flow.charter().service_by_slug:
        abort(404)
    bands = {b.id: i for i, b in enumerate(flow.charter().bands.bands)} \
        if flow.charter().bands else {}
    with current_app.extensions["carta_reader"]() as s:
        records = s.execute(select(Submission).where(Submission.kind == "domanda",
                                                     Submission.service == slug)).scalars().all()
    records.sort(key=lambda r: (-(r.points or 0), bands.get(r.band or "", 99), r.year, r.seq))
    rows = [["posizione", "protocollo", "cognome", "nome", "comune", "punti", "fascia"]]
    rows += [[i, r.protocol, r.data.get("cognome"), r.data.get("nome"), r.comune, r.points,
              r.band] for i, r in enumerate(records, 1)]
    return _download(_csv(rows), f"graduatoria-{slug}.csv")
