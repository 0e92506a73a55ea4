"""``/ufficio/``: operators list, filter and process submissions; every route needs a login."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import logging
from urllib.parse import quote

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

from form_backend import auth, flow, totp
from form_backend.auth import OfficeSession, OperatorAuth, record
from form_backend.db import Attachment, AuditEvent, Submission, utcnow
from form_backend.extensions import limiter
from form_backend.i18n import t
from form_backend.operators import add_user, set_password
from form_backend.passwords import MAX_LENGTH, context_words, password_problem
from form_backend.store import ROME, decrypt

__all__ = ["add_user", "bp"]  # add_user: the tests' and the CLI's way to make an operator

log = logging.getLogger("carta.office")
bp = Blueprint("office", __name__, url_prefix="/ufficio")
# the proxy setting concerns the whole app, but only sign-in needed it so far: installed when
# the blueprint is registered, so the app factory needs no line of its own
bp.record_once(lambda state: auth.install(state.app))
STATUSES = ["ricevuta", "in-istruttoria", "convocazione", "integrazione-richiesta", "conclusa"]
NEXT = {"ricevuta": ["in-istruttoria"],
        "in-istruttoria": ["convocazione", "integrazione-richiesta", "conclusa"],
        "convocazione": ["in-istruttoria", "conclusa"],
        "integrazione-richiesta": ["in-istruttoria", "conclusa"],
        "conclusa": []}
SECOND_STEP = {"code": "/ufficio/codice", "enrol": "/ufficio/due-fattori"}


def _writer():
    return current_app.extensions["carta_sessions"]


def _target() -> str:
    """Where to go after signing in: an office page, never another site."""
    target = request.args.get("next", "/ufficio/")
    return target if target.startswith("/ufficio/") and "\\" not in target else "/ufficio/"


def _signed_in(target: str, token: str | None = None):
    response = redirect(target, 303)
    if token:
        auth.set_cookie(response, token)
    return response


def login_required(view, stages: tuple[str, ...] = ("full",)):
    """Refuse requests without a live office session: GETs go to the login page, anything
    else gets 403.  ``g.office`` is the operator, ``g.operator`` their name."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        operator = auth.current_operator()
        if operator is None or operator.stage not in stages:
            if request.method == "GET":
                return redirect(f"/ufficio/login?next={quote(request.path)}", 302)
            abort(403)
        g.office, g.operator = operator, operator.name
        return view(*args, **kwargs)

    return wrapped


def second_step(view):
    """Pages a session reaches between the password and the second factor."""
    return login_required(view, stages=("code", "enrol", "full"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    """Operator login: the password, then (when enrolled or required) the second factor."""
    error = None
    if request.method == "POST":
        name = request.form.get("name", "")[:80]
        password = request.form.get("password", "")[:200]
        user, outcome = auth.check_password(name, password)
        if outcome == "ok":
            with current_app.extensions["carta_reader"]() as s:
                extra = s.get(OperatorAuth, user.id)
            stage = ("code" if extra and extra.totp_secret else
                     "enrol" if totp.second_factor_needed(extra) else "full")
            with _writer().begin() as s:
                if stage == "full":
                    auth.attempt_succeeded(s, user.id)
                record(s, "login" if stage == "full" else "login-password", user=user.name)
                token = auth.start_session(s, user.id, stage)
            log.info("office login", extra={"operator": user.name, "outcome": stage})
            session.clear()  # a new CSRF token, nothing of the old signed-cookie sessions
            return _signed_in(_target() if stage == "full"
                              else f"{SECOND_STEP[stage]}?next={quote(_target())}", token)
        with _writer().begin() as s:
            record(s, "login-locked" if outcome == "locked" else "login-failed",
                   user=user.name if user else None, detail=outcome)
        log.warning("office login refused", extra={"operator": user.name if user else None,
                                                    "outcome": outcome})
        error = t("office_login_failed")
    return render_template("office/login.html", error=error, title=t("office_login")), \
        401 if error else 200


def _code_step(operator, code: str, secret: str | None = None) -> str | None:
    """Check a second-factor code (counted like a password); on success the session becomes
    full under a new token, which is returned."""
    allowed = auth.begin_attempt(operator.user_id)
    with _writer().begin() as s:
        if allowed and totp.confirm_code(s, operator.user_id, code, secret):
            auth.attempt_succeeded(s, operator.user_id)
            if secret:
                record(s, "totp-enrolled", user=operator.name)
            if operator.stage != "full":
                record(s, "login", user=operator.name, detail="totp")
                return auth.promote(s, operator.session_id)
            row = s.get(OfficeSession, operator.session_id)
            row.pending_totp = None
            return ""
        record(s, "totp-failed" if allowed else "login-locked", user=operator.name)
    log.warning("office code refused", extra={"operator": operator.name})
    return None


@bp.route("/codice", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@second_step
def code():
    """The second factor of an enrolled operator."""
    if g.office.stage != "code":  # enrolling, or done: where that stage goes
        return redirect(f"{SECOND_STEP[g.office.stage]}?next={quote(_target())}"
                        if g.office.stage in SECOND_STEP else _target(), 303)
    error = None
    if request.method == "POST":
        token = _code_step(g.office, request.form.get("code", "")[:20])
        if token is not None:
            return _signed_in(_target(), token)
        error = t("office_code_failed")
    return render_template("office/code.html", error=error, title=t("office_code_title")), \
        401 if error else 200


@bp.route("/due-fattori", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@second_step
def enrol():
    """Enrol an authenticator app: required before health data, open to every operator."""
    if g.office.stage == "code":
        return redirect(f"/ufficio/codice?next={quote(_target())}", 303)
    if g.office.totp:
        return render_template("office/enrol.html", enrolled=True, title=t("office_enrol_title"))
    with _writer().begin() as s:
        row = s.get(OfficeSession, g.office.session_id)
        if row.pending_totp is None:
            row.pending_totp = totp.seal(totp.new_totp_secret())
        secret = totp.unseal(row.pending_totp)
    error = None
    if request.method == "POST":
        # from a signed-in session, changing how one signs in asks for the password again
        if g.office.stage == "full" and auth.check_password(
                g.operator, request.form.get("password", "")[:200])[1] != "ok":
            with _writer().begin() as s:
                record(s, "password-refused", user=g.operator, detail="totp enrolment")
            error = t("office_password_wrong")
        else:
            token = _code_step(g.office, request.form.get("code", "")[:20], secret)
            if token is not None:
                return _signed_in(_target(), token or None)
            error = t("office_code_failed")
    issuer = flow.charter().district.short_name.resolve("it")[0]
    uri, qr = totp.provisioning(secret, g.office.name, issuer)
    return render_template("office/enrol.html", enrolled=False, error=error, uri=uri, qr=qr,
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                           title=t("office_enrol_title")), 401 if error else 200


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@login_required
def password():
    """Change one's own password: the current one first; every other session ends."""
    error = None
    if request.method == "POST":
        current = request.form.get("current", "")[:200]
        new = request.form.get("new", "")[:MAX_LENGTH + 1]
        _user, outcome = auth.check_password(g.operator, current)
        problem = password_problem(g.operator, new, context_words(flow.charter()))
        with _writer().begin() as s:
            if outcome == "ok":
                auth.attempt_succeeded(s, g.office.user_id)
            else:
                record(s, "password-refused", user=g.operator, detail=outcome)
        if outcome != "ok":
            error = t("office_password_wrong")
        elif new != request.form.get("repeat", "")[:MAX_LENGTH + 1]:
            error = t("office_password_mismatch")
        elif problem:
            error = t(problem[0], **problem[1])
        else:
            set_password(_writer(), g.operator, new, context_words(flow.charter()))  # all end
            with _writer().begin() as s:
                token = auth.start_session(s, g.office.user_id, "full")
            response = make_response(render_template(
                "office/password.html", done=t("office_password_changed"),
                title=t("office_password_title")))
            auth.set_cookie(response, token)
            return response
    return render_template("office/password.html", error=error,
                           title=t("office_password_title")), 400 if error else 200


@bp.route("/sessioni", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@login_required
def sessions():
    """One's own open sessions; the others can be closed (the password asked again)."""
    error = done = None
    if request.method == "POST":
        _user, outcome = auth.check_password(g.operator, request.form.get("password", "")[:200])
        with _writer().begin() as s:
            if outcome == "ok":
                auth.attempt_succeeded(s, g.office.user_id)
                auth.end_sessions(s, g.office.user_id, keep=g.office.session_id)
                record(s, "sessions-ended", user=g.operator, detail="the others, by the operator")
                done = t("office_sessions_ended")
            else:
                record(s, "password-refused", user=g.operator, detail="closing sessions")
                error = t("office_password_wrong")
    with current_app.extensions["carta_reader"]() as s:
        rows = s.execute(select(OfficeSession).where(OfficeSession.user_id == g.office.user_id)
                         .order_by(OfficeSession.created_at.desc())).scalars().all()

    def rome(value: dt.datetime) -> str:
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value.astimezone(ROME).strftime("%d/%m/%Y %H:%M")

    listed = [{"started": rome(r.created_at), "seen": rome(r.last_seen_at),
               "this": r.id == g.office.session_id} for r in rows]
    return render_template("office/sessions.html", sessions=listed, error=error, done=done,
                           title=t("office_sessions_title")), 400 if error else 200


@bp.post("/logout")
@second_step
def logout():
    """End the operator's session, here and for any copy of its cookie."""
    with _writer().begin() as s:
        auth.end_session(s, g.office.session_id)
        record(s, "logout", user=g.operator)
    session.clear()
    response = redirect("/ufficio/login", 303)
    auth.clear_cookie(response)
    return response


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
    # health data only for operators allowed to see it, who signed in with a second factor
    shown = g.office.health_access and g.office.totp
    secret = decrypt(current_app.extensions["carta_fernet"], record.sensitive) if shown else None
    with current_app.extensions["carta_sessions"].begin() as s:
        s.add(AuditEvent(submission_id=record.id, user=g.operator, action="consultata"))
    return render_template("office/detail.html", record=record, secret=secret,
                           hidden=bool(record.sensitive) and not shown,
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
    with _writer().begin() as s:
        s.add(AuditEvent(submission_id=record_id, user=g.operator, action="allegato scaricato",
                         note=a.document))
        record(s, "download", user=g.operator, submission_id=record_id,
               detail=f"attachment {a.id} ({a.document})")
    response = make_response(a.content)
    response.headers["Cache-Control"] = "no-store"
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
    response.headers["Cache-Control"] = "no-store"
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
    with _writer().begin() as s:
        record(s, "export", user=g.operator, detail=f"submissions.csv, {len(records)} records")
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
    with _writer().begin() as s:
        record(s, "export", user=g.operator, detail=f"graduatoria-{slug}.csv, {len(records)} records")
    return _download(_csv(rows), f"graduatoria-{slug}.csv")
