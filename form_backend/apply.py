"""``/domanda/<slug>``: the domanda d'accesso to a scheda that takes online applications."""

from __future__ import annotations

from flask import Blueprint, abort, g, request

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


@bp.route("/domanda/<slug>/controlla/<draft_id>/passo/<page_id>", methods=["GET", "POST"])
@limiter.limit(flow.page_limit, methods=["POST"])
def step(slug: str, draft_id: str, page_id: str):
    """A page of the form, saved into the draft this browser holds."""
    service = _service(slug)
    if not service.takes_applications:
        return flow.not_online(service)
    definition = flow.charter().form_by_id["domanda"]
    if request.method == "POST":
        return flow.step_post(definition, service, "domanda", draft_id, page_id)
    return flow.step_get(definition, service, "domanda", draft_id, page_id)


@bp.route("/domanda/<slug>/controlla/<draft_id>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def check(slug: str, draft_id: str):
    """Check your answers, then send (the draft must have been made here, by this browser)."""
    return flow.check_step(flow.charter().form_by_id["domanda"], _service(slug), draft_id,
                           "domanda", f"/domanda/{slug}?lang={g.lang}")
