"""``/domanda/<slug>``: the domanda d'accesso to a scheda that takes online applications."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from form_backend import flow
from form_backend.extensions import limiter, submit_limit
from form_backend.forms import label_of

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
        return render_template("not_online.html", service=service,
                               title=label_of(service.title, g.lang))
    definition = flow.charter().form_by_id["domanda"]
    form = flow.form_class(definition, service)()
    if request.method == "POST":
        if form.validate():
            return flow.receive(definition, service, form, "domanda")
        if form.website.data:
            abort(400)
        return flow.show_form(definition, service, form, 422)
    return flow.show_form(definition, service, form)


@bp.route("/domanda/<slug>/controlla/<draft_id>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def check(slug: str, draft_id: str):
    """Check your answers, then send."""
    service = _service(slug)
    definition = flow.charter().form_by_id["domanda"]
    if request.method == "POST":
        response = flow.confirm(definition, service, draft_id, "domanda")
        return response or abort(404)
    loaded = flow.load_draft(draft_id)
    if loaded is None:
        abort(404)
    _, answers, files = loaded
    rows = flow.summary(definition, service, answers, files)
    return render_template("check.html", rows=rows, service=service, definition=definition,
                           back=f"/domanda/{slug}?lang={g.lang}",
                           title=label_of(definition.title, g.lang))
