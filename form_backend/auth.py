"""Office sign-in: server-side sessions, per-account lockout, TOTP, and the office's audit log.

A session is a row (``office_sessions``): the browser holds a random token, the database only
its SHA-256, so a copied database opens no session and a deleted row closes it everywhere at
once (logout, an operator disabled, a password changed).  Sessions end after
``OFFICE_IDLE_MINUTES`` without a request and ``OFFICE_MAX_HOURS`` after the login.

Wrong passwords and codes count per account in the database (``operator_auth``), so every
process and every instance sees the same count: after ``OFFICE_LOCKOUT_AFTER`` the account
waits ``OFFICE_LOCKOUT_MINUTES``, doubled at each further failure.  Unknown names cost the
same argon2 verification as known ones, so timing tells nobody which names exist.

Operators who see health data (``health_access``, a permission beside the role: reader,
operator, admin, see :mod:`form_backend.office.access`) need a TOTP second factor
(:mod:`form_backend.totp`); the others may enrol too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import logging
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error
from flask import Flask, current_app, has_request_context, request
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from form_backend.db import Base, User, utcnow

log = logging.getLogger("carta.office")
hasher = PasswordHasher()
COOKIE = "carta_office"  # over HTTPS: __Host-carta_office (see cookie())
PENDING_MINUTES = 10  # between a right password and the code (or the enrolment)
TOUCH_SECONDS = 60  # a session's last-seen time is written at most once a minute


class OperatorAuth(Base):
    """What sign-in needs beyond ``users``: the second factor, the failure count, the
    health-data permission, the role and its scope."""

    __tablename__ = "operator_auth"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, autoincrement=False)
    health_access: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # Fernet-encrypted
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code is used once
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # issue 16: reader, operator or admin; the services and offices an operator or reader
    # works on (space-separated slugs; both empty: the whole district)
    role: Mapped[str] = mapped_column(String(20), default="operator")
    services: Mapped[str] = mapped_column(String(2000), default="")
    offices: Mapped[str] = mapped_column(String(2000), default="")
    totp_required: Mapped[bool] = mapped_column(Boolean, default=False)  # by an administrator


class OfficeSession(Base):
    """A signed-in browser.  ``stage``: ``full``, or ``code`` / ``enrol`` while the second
    factor is still to come (those open nothing but the code and enrolment pages)."""

    __tablename__ = "office_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    pending_totp: Mapped[bytes | None] = mapped_column(LargeBinary)  # enrolment in progress


class OfficeLog(Base):
    """The office's audit log: sign-ins (both outcomes), downloads, exports, account changes.
    Operator names and record ids only: no citizen's data, never a password."""

    __tablename__ = "office_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user: Mapped[str | None] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    submission_id: Mapped[int | None] = mapped_column(Integer)  # kept after a purge: no FK
    detail: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(64))


@dataclass(frozen=True)
class Operator:
    """The signed-in operator of a request."""

    session_id: int
    user_id: int
    name: str
    stage: str
    health_access: bool
    totp: bool
    role: str = "operator"
    services: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()


def install(app: Flask) -> None:
    """Trust ``TRUSTED_PROXIES`` reverse proxies for the client's address and scheme (what
    rate limits, lockout logs and Secure cookies rely on); with 0, none is trusted and a
    client's ``X-Forwarded-For`` is ignored."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0 and not app.extensions.get("carta_proxy_fix"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
        app.extensions["carta_proxy_fix"] = hops


def _now() -> dt.datetime:
    return utcnow()


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _setting(name: str) -> float:
    return float(current_app.config[name])


def record(s: Session, action: str, user: str | None = None, submission_id: int | None = None,
           detail: str | None = None) -> None:
    """Add an audit entry in the caller's transaction (the client's address when a request
    is being answered, ``cli`` otherwise)."""
    address = (request.remote_addr if has_request_context() else "cli") or None
    s.add(OfficeLog(user=user, action=action, submission_id=submission_id,
                    detail=detail[:200] if detail else None, address=address))


# --- sessions ---------------------------------------------------------------------------

def start_session(s: Session, user_id: int, stage: str) -> str:
    """A new session for ``user_id``; returns the token for the cookie (never stored)."""
    now = _now()
    token = secrets.token_urlsafe(32)
    lasts = (dt.timedelta(hours=_setting("OFFICE_MAX_HOURS")) if stage == "full"
             else dt.timedelta(minutes=PENDING_MINUTES))
    s.execute(delete(OfficeSession).where(OfficeSession.expires_at < now))  # housekeeping
    s.add(OfficeSession(token_hash=_hash(token), user_id=user_id, stage=stage, created_at=now,
                        last_seen_at=now, expires_at=now + lasts))
    return token


def promote(s: Session, session_id: int) -> str:
    """The second factor is done: the session becomes ``full`` under a new token (the one
    seen before the code opens nothing more than it did)."""
    now = _now()
    row = s.get(OfficeSession, session_id)
    token = secrets.token_urlsafe(32)
    row.token_hash, row.stage, row.pending_totp = _hash(token), "full", None
    row.created_at = row.last_seen_at = now
    row.expires_at = now + dt.timedelta(hours=_setting("OFFICE_MAX_HOURS"))
    return token


def end_session(s: Session, session_id: int) -> None:
    """Delete one session (logout)."""
    s.execute(delete(OfficeSession).where(OfficeSession.id == session_id))


def end_sessions(s: Session, user_id: int, keep: int | None = None) -> None:
    """Delete every session of ``user_id`` (except ``keep``)."""
    q = delete(OfficeSession).where(OfficeSession.user_id == user_id)
    if keep is not None:
        q = q.where(OfficeSession.id != keep)
    s.execute(q)


def current_operator() -> Operator | None:
    """The operator whose live session the request's cookie names, or ``None``.  An expired
    session (idle or absolute) is deleted on sight."""
    token = request.cookies.get(cookie()[0])
    if not token or len(token) > 100:
        return None
    now = _now()
    with current_app.extensions["carta_reader"]() as s:
        row = s.execute(
            select(OfficeSession, User, OperatorAuth)
            .join(User, User.id == OfficeSession.user_id)
            .outerjoin(OperatorAuth, OperatorAuth.user_id == User.id)
            .where(OfficeSession.token_hash == _hash(token))).first()
    if row is None:
        return None
    session, user, extra = row
    idle = dt.timedelta(minutes=_setting("OFFICE_IDLE_MINUTES"))
    if (not user.active or now >= _aware(session.expires_at)
            or now - _aware(session.last_seen_at) >= idle):
        with current_app.extensions["carta_sessions"].begin() as w:
            end_session(w, session.id)
            record(w, "session-expired", user=user.name,
                   detail="idle" if now < _aware(session.expires_at) else "lifetime")
        return None
    if (now - _aware(session.last_seen_at)).total_seconds() >= TOUCH_SECONDS:
        with current_app.extensions["carta_sessions"].begin() as w:
            found = w.get(OfficeSession, session.id)
            if found is not None:
                found.last_seen_at = now
    return Operator(session.id, user.id, user.name, session.stage,
                    bool(extra and extra.health_access), bool(extra and extra.totp_secret),
                    (extra.role or "operator") if extra else "operator",
                    tuple((extra.services or "").split()) if extra else (),
                    tuple((extra.offices or "").split()) if extra else ())


def cookie() -> tuple[str, str]:
    """``(name, path)`` of the session cookie.  Over HTTPS (``SESSION_COOKIE_SECURE``) it is
    ``__Host-carta_office`` on ``/``: the browser then refuses it from any other host or
    subdomain (no cookie tossing), which the prefix requires ``Path=/`` for; over plain HTTP
    (development, tests) ``carta_office`` on ``/ufficio``."""
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        return "__Host-" + COOKIE, "/"
    return COOKIE, "/ufficio"


def set_cookie(response, token: str) -> None:
    """The session cookie: never to scripts, never sent cross-site, Secure over HTTPS."""
    name, path = cookie()
    response.set_cookie(name, token, path=path, httponly=True, samesite="Strict",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


def clear_cookie(response) -> None:
    """Tell the browser to forget the session cookie and what it kept of the office pages."""
    name, path = cookie()
    response.delete_cookie(name, path=path, httponly=True, samesite="Strict",
                           secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'


# --- passwords, lockout ---------------------------------------------------------------

@functools.cache
def _dummy_hash() -> str:
    """What unknown names are checked against, so that they take as long as known ones."""
    return hasher.hash(secrets.token_urlsafe(24))


def sign_in_row(s: Session, user_id: int) -> OperatorAuth:
    """The user's sign-in row, locked for this transaction (made if missing)."""
    row = s.execute(select(OperatorAuth).where(OperatorAuth.user_id == user_id)
                    .with_for_update()).scalar()
    if row is None:
        row = OperatorAuth(user_id=user_id, health_access=False, failed_count=0,
                           role="operator", services="", offices="", totp_required=False)
        s.add(row)
        s.flush()
    return row


def begin_attempt(user_id: int | None) -> bool:
    """Count one attempt (password or code) before checking it; ``False`` while the account
    is locked.  The attempt that reaches the limit locks the account before it is checked,
    so parallel guesses cannot slip in while it is; a success unlocks it again."""
    now = _now()
    with current_app.extensions["carta_sessions"].begin() as s:
        if user_id is None:  # the same transaction for unknown names: same timing
            s.execute(select(OperatorAuth.user_id).where(OperatorAuth.user_id == -1))
            return False
        row = sign_in_row(s, user_id)
        if row.locked_until is not None and _aware(row.locked_until) > now:
            return False
        row.failed_count = (row.failed_count or 0) + 1
        after = int(_setting("OFFICE_LOCKOUT_AFTER"))
        if row.failed_count >= after:
            minutes = _setting("OFFICE_LOCKOUT_MINUTES") * 2 ** min(row.failed_count - after, 16)
            # at most 4 hours: whoever keeps failing on purpose locks a colleague out for
            # no longer (an administrator ends it sooner: carta users enable)
            row.locked_until = now + dt.timedelta(minutes=min(minutes, 4 * 60))
        return True


def attempt_succeeded(s: Session, user_id: int) -> None:
    """Reset the failure count (in the caller's transaction)."""
    row = sign_in_row(s, user_id)
    row.failed_count, row.locked_until, row.last_login_at = 0, None, _now()


def check_password(name: str, password: str) -> tuple[User | None, str]:
    """``(user, outcome)`` for a login attempt: outcome ``ok``, ``wrong`` (or an unknown or
    disabled name: the same answer), ``locked``.  Constant in time whatever the name."""
    with current_app.extensions["carta_reader"]() as s:
        user = s.execute(select(User).where(User.name == name)).scalar()
    known = user if user is not None and user.active else None
    allowed = begin_attempt(known.id if known else None)
    ok = False
    with contextlib.suppress(Argon2Error):
        ok = hasher.verify(known.password_hash if known and allowed else _dummy_hash(),
                           password) and allowed
    if known is None:
        return None, "unknown" if user is None else "disabled"
    return known, "ok" if ok else ("wrong" if allowed else "locked")
