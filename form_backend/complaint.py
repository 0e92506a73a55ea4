"""``/reclamo``: a complaint about a scheda (optionally the standard not met) or an office."""

from __future__ import annotations

from flask import Blueprint, abort, g, request

from form_backend import flow
from form_backend.extensions import limiter, submit_limit

bp = Blueprint("complaint", __name__)


@bp.route("/reclamo", methods=["GET", "POST"])
@bp.route("/reclamo/", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def complaint():
    """The form; on valid answers, on to the check page."""
    definition = flow.charter().form_by_id["reclamo"]
    form = flow.form_class(definition, None)()
    if request.method == "POST":
        if form.validate():
            return flow.receive(definition, None, form, "reclamo")
        if form.website.data:
            abort(400)
        return flow.show_form(definition, None, form, 422)
    asked = request.args.get("servizio")
    if asked in flow.charter().service_by_slug and "servizio" in form._fields:
        form.servizio.data = asked
    return flow.show_form(definition, None, form)


@bp.route("/reclamo/controlla/<draft_id>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def check(draft_id: str):
    """Check your answers, then send."""
    return flow.check_step(flow.charter().form_by_id["reclamo"], None, draft_id, "reclamo",
                           f"/reclamo?lang={g.lang}")
