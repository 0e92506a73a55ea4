"""The graduatoria of a service: the domande in order, as a page to print and as CSV.

The order is the charter's: applications are divided into access bands (``bands.yaml``, in
the order it lists them, the priority band first), and the further access parameters' points
are *added to* the bands (``access_parameters.yaml``: "aggiuntivi alle fasce d'accesso"), so
within a band more points come first.  The charter states no further tie-break: equal band and
points keep the order of arrival (the protocol number), and the page says so.  Applications
without a band (no ISEE declared) come after every band.

Only the position, protocol, applicant, comune, points and band are shown: no answer, no
health datum (the encrypted answers are never read here).
"""

from __future__ import annotations

from flask import abort, current_app, g, render_template
from sqlalchemy import select

from form_backend.auth import record
from form_backend.cases import OfficeCase
from form_backend.db import Submission
from form_backend.flow import charter
from form_backend.forms import label_of
from form_backend.office import bp
from form_backend.office.access import in_scope, requires
from form_backend.office.answers import rome, service_label
from form_backend.office.csvfile import csv_bytes, download


def ranked(slug: str) -> list[dict]:
    """The domande of service ``slug`` in ranking order, with position and band name."""
    c = charter()
    bands = c.bands.bands if c.bands else []
    order = {b.id: i for i, b in enumerate(bands)}
    names = {b.id: label_of(b.name, g.lang) for b in bands}
    with current_app.extensions["carta_reader"]() as s:
        rows = s.execute(
            select(Submission.id, Submission.protocol, Submission.year, Submission.seq,
                   Submission.points, Submission.band, Submission.comune, Submission.created_at,
                   Submission.status, OfficeCase.applicant)
            .outerjoin(OfficeCase, OfficeCase.submission_id == Submission.id)
            .where(Submission.kind == "domanda", Submission.service == slug)).all()
    rows = sorted(rows, key=lambda r: (order.get(r.band or "", len(order)), -(r.points or 0),
                                       r.year, r.seq))
    comuni = {x.id: x.name for x in c.district.comuni}
    out, previous, position = [], None, 0
    for i, r in enumerate(rows, 1):
        key = (r.band, r.points)
        position = position if key == previous else i
        out.append({"position": i, "tied": key == previous, "id": r.id,
                    "protocol": r.protocol, "applicant": r.applicant or "—",
                    "comune": comuni.get(r.comune or "", r.comune or ""),
                    "points": r.points if r.points is not None else 0,
                    "band": names.get(r.band or "", r.band or "—"),
                    "received": rome(r.created_at), "status": r.status})
        previous = key
    return out


def _service_or_404(slug: str):
    service = charter().service_by_slug.get(slug)
    if service is None or not in_scope(charter(), g.office, slug, None):
        abort(404)
    return service


@bp.get("/graduatoria/<slug>")
@requires("read")
def ranking_page(slug: str):
    """The ranking of a service, printable (the print style hides the office's controls)."""
    _service_or_404(slug)
    return render_template("office/ranking.html", rows=ranked(slug), slug=slug,
                           service=service_label(charter(), slug, g.lang),
                           title=service_label(charter(), slug, g.lang))


@bp.get("/graduatoria/<slug>.csv")
@requires("read")
def ranking(slug: str):
    """The ranking as CSV (``;``, BOM, formulas neutralised), without health data."""
    _service_or_404(slug)
    rows = ranked(slug)
    table = [["posizione", "protocollo", "richiedente", "comune", "punti", "fascia",
              "ricevuta"]]
    table += [[r["position"], r["protocol"], r["applicant"], r["comune"], r["points"],
               r["band"], r["received"]] for r in rows]
    with current_app.extensions["carta_sessions"].begin() as s:
        record(s, "export", user=g.operator, detail=f"graduatoria-{slug}.csv, {len(rows)} records")
    return download(csv_bytes(table), f"graduatoria-{slug}.csv")
