"""``/ufficio/`` sign-in: the password, the second factor (enrolment and code), one's own
password and sessions, logout."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import quote

from flask import current_app, g, make_response, redirect, render_template, request, session
from sqlalchemy import select

from form_backend import auth, flow, totp
from form_backend.auth import OfficeSession, OperatorAuth, record
from form_backend.extensions import limiter
from form_backend.i18n import t
from form_backend.office import bp
from form_backend.office.access import requires
from form_backend.operators import set_password
from form_backend.passwords import MAX_LENGTH, context_words, password_problem
from form_backend.store import ROME

log = logging.getLogger("carta.office")
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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@requires("public")
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
@requires("second-step")
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
@requires("second-step")
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
@requires("signed-in")
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
@requires("signed-in")
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
@requires("second-step")
def logout():
    """End the operator's session, here and for any copy of its cookie."""
    with _writer().begin() as s:
        auth.end_session(s, g.office.session_id)
        record(s, "logout", user=g.operator)
    session.clear()
    response = redirect("/ufficio/login", 303)
    auth.clear_cookie(response)
    return response
