"""``/ricevuta/<key>``: the receipt (protocol number, date, next steps, deadlines) and, on
the same page, the application's status, its history, the reply to a request for documents
and the ease-of-use question (form_backend.follow).

The key is a capability: found in constant time (``follow.find_by_capability``), never
logged (route patterns only), and the page is rate-limited like the sends.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, make_response, render_template, request

from form_backend import citizen_mail, flow, follow
from form_backend.extensions import limiter, submit_limit
from form_backend.forms import label_of

bp = Blueprint("receipt", __name__)


def _status_limit() -> str:
    return current_app.config.get("RATELIMIT_STATUS") or "60 per minute;600 per hour"


def context(record) -> dict:
    """The receipt's facts in the request's language (dates by carta.present)."""
    charter = flow.charter()
    service = charter.service_by_slug.get(record.service) if record.service else None
    definition = charter.form_by_id[record.kind]
    return {"record": record, "service": service,
            "deadlines": citizen_mail.deadline_rows(charter, g.lang, record.deadlines, service),
            "received": citizen_mail.moment(record.created_at, g.lang),
            "form_title": label_of(definition.title, g.lang),
            "title": f"{charter.t(g.lang, 'receipt_title_' + record.kind)} {record.protocol}"}


@bp.get("/ricevuta/<key>")
@limiter.limit(_status_limit)
def receipt(key: str):
    """The receipt and status page."""
    record = follow.record_or_404(key)
    return render_template("receipt.html", **context(record),
                           **follow.status_context(record, key),
                           reply_sent=request.args.get("inviata") == "1")


@bp.get("/ricevuta/<key>.pdf")
@limiter.limit(submit_limit)  # rendered on each request: as many as sends, not more
def receipt_pdf(key: str):
    """The receipt as a PDF to keep (never cached: see form_backend.security)."""
    from carta.print.build import render_pdf

    record = follow.record_or_404(key)
    html = render_template("receipt_print.html", **context(record))
    response = make_response(render_pdf(html))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ricevuta-{record.protocol.replace("/", "-")}.pdf"')
    return response


__all__ = ["bp", "context", "g"]
