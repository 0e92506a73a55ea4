"""Office operators' accounts: add, list, disable, enable, change the password, reset the
second factor, grant health-data access (``carta users …``; issue 16 brings the same to an
administrators' page).  Every change is written to the office's audit log, and every change
that takes something away ends the operator's sessions in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from form_backend.auth import (
    OfficeLog,
    OfficeSession,
    OperatorAuth,
    end_sessions,
    hasher,
    record,
)
from form_backend.db import User, utcnow
from form_backend.passwords import password_problem


class PasswordRefused(ValueError):
    """The password policy refused a password; ``key`` and ``values`` name the interface
    string that says why (``office_pw_*``)."""

    def __init__(self, key: str, values: dict):
        super().__init__(key)
        self.key, self.values = key, values


class NoSuchOperator(LookupError):
    """No operator has this name."""


def _checked(name: str, password: str, context: frozenset[str]) -> str:
    problem = password_problem(name, password, context)
    if problem:
        raise PasswordRefused(*problem)
    return hasher.hash(password)


ROLES = ("reader", "operator", "admin")


class BadRole(ValueError):
    """An unknown role."""


def _role(role: str) -> str:
    if role not in ROLES:
        raise BadRole(role)
    return role


def add_user(sessions: sessionmaker[Session], name: str, password: str,
             health_access: bool = False, context: frozenset[str] = frozenset(),
             role: str = "operator", services: tuple[str, ...] | list[str] = (),
             offices: tuple[str, ...] | list[str] = (), totp_required: bool = False,
             by: str | None = None) -> None:
    """Create an operator with an argon2 hash of ``password`` (which must pass the policy,
    with the district's ``context`` words), a role (reader, operator, admin) and a scope of
    services and offices (none: the whole district); ``health_access`` operators, admins and
    those ``totp_required`` of must enrol a second factor at their first login.  ``by``: the
    administrator who did it (the audit log says so)."""
    password_hash = _checked(name, password, context)
    _role(role)
    with sessions.begin() as s:
        user = User(name=name, password_hash=password_hash)
        s.add(user)
        s.flush()
        s.add(OperatorAuth(user_id=user.id, health_access=health_access, failed_count=0,
                           password_changed_at=utcnow(), role=role,
                           services=" ".join(services), offices=" ".join(offices),
                           totp_required=totp_required))
        detail = ", ".join(x for x in (role, "health access" if health_access else "",
                                       f"by {by}" if by else "") if x)
        record(s, "user-added", user=name, detail=detail if detail != "operator" else None)


def _change(sessions: sessionmaker[Session], name: str, action: str, change) -> None:
    with sessions.begin() as s:
        user = s.execute(select(User).where(User.name == name)).scalar()
        if user is None:
            raise NoSuchOperator(name)
        extra = s.get(OperatorAuth, user.id)
        if extra is None:
            extra = OperatorAuth(user_id=user.id, health_access=False, failed_count=0)
            s.add(extra)
        detail = change(s, user, extra)
        record(s, action, user=name, detail=detail)


def set_active(sessions: sessionmaker[Session], name: str, active: bool) -> None:
    """Disable an operator (their sessions end now) or enable them again (and clear a
    lockout)."""
    def change(s, user, extra):
        user.active = active
        if active:
            extra.failed_count, extra.locked_until = 0, None
        else:
            end_sessions(s, user.id)

    _change(sessions, name, "user-enabled" if active else "user-disabled", change)


def set_password(sessions: sessionmaker[Session], name: str, password: str,
                 context: frozenset[str] = frozenset()) -> None:
    """Give an operator a new password (policy checked); their sessions end, a lockout is
    cleared."""
    password_hash = _checked(name, password, context)

    def change(s, user, extra):
        user.password_hash = password_hash
        extra.password_changed_at = utcnow()
        extra.failed_count, extra.locked_until = 0, None
        end_sessions(s, user.id)

    _change(sessions, name, "password-changed", change)


def reset_totp(sessions: sessionmaker[Session], name: str) -> None:
    """Forget an operator's second factor (a lost phone): they enrol again at their next
    login; their sessions end."""
    def change(s, user, extra):
        extra.totp_secret, extra.totp_last_step = None, None
        end_sessions(s, user.id)

    _change(sessions, name, "totp-reset", change)


def set_health_access(sessions: sessionmaker[Session], name: str, allowed: bool) -> None:
    """Grant or withdraw health-data access; either way the operator signs in again (with
    a second factor when granted)."""
    def change(s, user, extra):
        extra.health_access = allowed
        end_sessions(s, user.id)
        return "granted" if allowed else "withdrawn"

    _change(sessions, name, "health-access", change)


def end_all_sessions(sessions: sessionmaker[Session], name: str | None) -> int:
    """End every session of operator ``name``, or of every operator (``None``); returns how
    many ended.  They sign in again; nothing else changes."""
    with sessions.begin() as s:
        q = select(func.count(OfficeSession.id))
        if name is not None:
            user = s.execute(select(User).where(User.name == name)).scalar()
            if user is None:
                raise NoSuchOperator(name)
            q = q.where(OfficeSession.user_id == user.id)
        n = s.execute(q).scalar()
        s.execute(delete(OfficeSession).where(OfficeSession.user_id == user.id)
                  if name is not None else delete(OfficeSession))
        record(s, "sessions-ended", user=name, detail=f"{n} sessions")
    return n


def list_users(sessions: sessionmaker[Session]) -> list[dict]:
    """Every operator: name, active, role and scope, health access, second factor (required,
    enrolled), lockout, last login."""
    with sessions() as s:
        rows = s.execute(select(User, OperatorAuth)
                         .outerjoin(OperatorAuth, OperatorAuth.user_id == User.id)
                         .order_by(User.name)).all()
    return [{"name": u.name, "active": u.active, "id": u.id,
             "role": (a.role if a else None) or "operator",
             "services": (a.services or "").split() if a else [],
             "offices": (a.offices or "").split() if a else [],
             "totp_required": bool(a and a.totp_required),
             "health_access": bool(a and a.health_access),
             "totp": bool(a and a.totp_secret),
             "locked_until": a.locked_until if a else None,
             "last_login_at": a.last_login_at if a else None} for u, a in rows]


def audit_log(sessions: sessionmaker[Session], name: str | None = None,
              limit: int = 50) -> list[OfficeLog]:
    """The office's audit log, newest first (of operator ``name`` only, when given)."""
    q = select(OfficeLog).order_by(OfficeLog.id.desc()).limit(limit)
    if name is not None:
        q = q.where(OfficeLog.user == name)
    with sessions() as s:
        return list(s.execute(q).scalars())


def set_role(sessions: sessionmaker[Session], name: str, role: str,
             services: tuple[str, ...] | list[str] = (),
             offices: tuple[str, ...] | list[str] = ()) -> None:
    """Give an operator a role and a scope (services and offices; none: the whole district);
    their sessions end, so the change holds from their next request."""
    _role(role)

    def change(s, user, extra):
        extra.role, extra.services, extra.offices = role, " ".join(services), " ".join(offices)
        end_sessions(s, user.id)
        return f"{role}: {' '.join(services) or '-'} / {' '.join(offices) or '-'}"[:200]

    _change(sessions, name, "role-changed", change)


def set_totp_required(sessions: sessionmaker[Session], name: str, required: bool) -> None:
    """Require a second factor of an operator (they enrol at their next login), or stop
    requiring it (an enrolled one stays); their sessions end."""
    def change(s, user, extra):
        extra.totp_required = required
        end_sessions(s, user.id)
        return "required" if required else "not required"

    _change(sessions, name, "totp-required", change)
