"""``/domanda/<slug>``: the domanda d'accesso to a scheda that takes online applications."""

from __future__ import annotations

from flask import Blueprint, abort, g

from form_backend import flow
from form_backend.extensions import limiter, submit_limit

bp = Blueprint("apply", __name__)


def _service(slug: str):
    service = flow.charter().service_by_slug.get(slug)
    if service is None:
        abort(404)
    return service


@bp.route("/domanda/<slug>", methods=["GET", "POST"])
@bp.route("/domanda/<slug>/", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def apply(slug: str):
    """The form; on valid answers, on to the check page."""
    service = _service(slug)
    if not service.takes_applications:
        return flow.not_online(service)
    return flow.fill_step(flow.charter().form_by_id["domanda"], service, "domanda")


@bp.route("/domanda/<slug>/controlla/<draft_id>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def check(slug: str, draft_id: str):
    """Check your answers, then send (the draft must have been made here, by this browser)."""
    return flow.check_step(flow.charter().form_by_id["domanda"], _service(slug), draft_id,
                           "domanda", f"/domanda/{slug}?lang={g.lang}")
