"""``/reclamo``: a complaint about a scheda (optionally the standard not met) or an office."""

from __future__ import annotations

from flask import Blueprint, g, request

from form_backend import flow
from form_backend.extensions import limiter, submit_limit

bp = Blueprint("complaint", __name__)


@bp.route("/reclamo", methods=["GET", "POST"])
@bp.route("/reclamo/", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def complaint():
    """The form; on valid answers, on to the check page."""
    asked = request.args.get("servizio")
    prefill = {"servizio": asked} if asked in flow.charter().service_by_slug else None
    return flow.fill_step(flow.charter().form_by_id["reclamo"], None, "reclamo", prefill)


@bp.route("/reclamo/controlla/<draft_id>/passo/<page_id>", methods=["GET", "POST"])
@limiter.limit(flow.page_limit, methods=["POST"])
def step(draft_id: str, page_id: str):
    """A page of the form, saved into the draft this browser holds."""
    definition = flow.charter().form_by_id["reclamo"]
    if request.method == "POST":
        return flow.step_post(definition, None, "reclamo", draft_id, page_id)
    return flow.step_get(definition, None, "reclamo", draft_id, page_id)


@bp.route("/reclamo/controlla/<draft_id>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def check(draft_id: str):
    """Check your answers, then send."""
    return flow.check_step(flow.charter().form_by_id["reclamo"], None, draft_id, "reclamo",
                           f"/reclamo?lang={g.lang}")
