"""Who may do what in the office: roles, the health-data permission, scopes, and the one
decorator every office route declares its need with.

=========  ======================================================================
role       may
=========  ======================================================================
reader     read the list, the day's view, a submission, the ranking, the exports
operator   and act: assign, add notes, change the status (with a message)
admin      and manage the operators; sees the whole district
=========  ======================================================================

``health_access`` is a permission beside the role: health and disability answers, and the
attachments that may be health documents, open only to operators who have it *and* signed in
with their second factor.  A reader's or operator's *scope* is a list of services and of
offices (both empty: the whole district); submissions outside it do not exist for them (404).
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from flask import abort, g, request

from form_backend import auth

ROLES = ("reader", "operator", "admin")
PERMISSIONS: dict[str, frozenset[str]] = {
    "reader": frozenset({"read"}),
    "operator": frozenset({"read", "act"}),
    "admin": frozenset({"read", "act", "admin"}),
}
# what a route may declare: "public" (the login page), "second-step" (between password and
# code), "signed-in" (one's own account), or a permission above, or "health"
NEEDS = ("public", "second-step", "signed-in", "read", "act", "admin", "health")


def can(operator: auth.Operator | None, need: str) -> bool:
    """Whether ``operator`` (with a full session) has ``need``."""
    if need == "public":
        return True
    if operator is None:
        return False
    if need == "second-step":
        return operator.stage in ("code", "enrol", "full")
    if operator.stage != "full":
        return False
    if need == "signed-in":
        return True
    if need == "health":
        return operator.health_access and operator.totp and "read" in PERMISSIONS.get(
            operator.role, frozenset())
    return need in PERMISSIONS.get(operator.role, frozenset())


def health(operator: auth.Operator | None = None) -> bool:
    """Whether the request's operator may see health data."""
    return can(operator or g.office, "health")


def requires(need: str):
    """Declare what a route needs.  Without a session, GETs go to the login page and other
    methods get 403; with one that lacks the need, 403.  ``g.office`` is the operator,
    ``g.operator`` their name.  The need is kept on the view (``office_needs``) for the test
    that walks every route with every role."""
    if need not in NEEDS:
        raise ValueError(need)

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if need != "public":
                operator = auth.current_operator()
                signed = operator is not None and (
                    operator.stage == "full" or (need == "second-step" and can(operator, need)))
                if not signed:
                    if request.method == "GET":
                        from flask import redirect

                        return redirect(f"/ufficio/login?next={quote(request.path)}", 302)
                    abort(403)
                if not can(operator, need):
                    abort(403)
                g.office, g.operator = operator, operator.name
            return view(*args, **kwargs)

        wrapped.office_needs = need
        return wrapped

    return decorate


# --- scope --------------------------------------------------------------------------------

def services_of_office(charter, office_id: str) -> set[str]:
    """The schede an office handles: those whose access names the office or its kind."""
    office = charter.office_by_id.get(office_id)
    if office is None:
        return set()
    return {s.slug for s in charter.services
            if office.id in s.access.offices or office.kind in s.access.offices}


def scope(charter, operator: auth.Operator) -> tuple[set[str], set[str]] | None:
    """``(services, offices)`` the operator works on, or ``None`` for the whole district."""
    if operator.role == "admin" or not (operator.services or operator.offices):
        return None
    services = set(operator.services)
    for office in operator.offices:
        services |= services_of_office(charter, office)
    return services, set(operator.offices)


def in_scope(charter, operator: auth.Operator, service: str | None, office: str | None) -> bool:
    """Whether a submission about ``service`` (naming ``office``) is the operator's."""
    limits = scope(charter, operator)
    if limits is None:
        return True
    return (service in limits[0]) or (office is not None and office in limits[1])
