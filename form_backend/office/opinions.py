"""``/ufficio/gradimento``: what citizens said, in aggregate: the site's "how clear is this page"
ratings per page, the receipt's "how easy was it" per form, and the satisfaction questionnaire
per form and question. Anonymous data only: counts, means and the comments people chose to
write; nothing leads back to a person or a submission."""

from __future__ import annotations

import datetime as dt

from flask import current_app, render_template, request
from sqlalchemy import func, select

from form_backend.follow import ease_counts
from form_backend.i18n import t
from form_backend.office import bp
from form_backend.office.access import requires
from form_backend.satisfaction import SatisfactionAnswer

PAGE_PREFIX = "pagina:"


def _month(value: str) -> str | None:
    """``YYYY-MM`` as a month input sends it, or None (no filter) for anything else."""
    try:
        return dt.datetime.strptime(value, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        return None


@bp.get("/gradimento")
@requires("read")
def opinions():
    since = _month(request.args.get("dal", ""))
    with current_app.extensions["carta_sessions"]() as s:
        ease = ease_counts(s, since)
        q = select(SatisfactionAnswer.form, SatisfactionAnswer.question,
                   func.count(), func.avg(SatisfactionAnswer.score)).group_by(
            SatisfactionAnswer.form, SatisfactionAnswer.question).order_by(
            SatisfactionAnswer.form, SatisfactionAnswer.question)
        if since:
            q = q.where(SatisfactionAnswer.month >= since)
        survey = [{"form": f, "question": qn, "answers": n, "mean": round(float(m), 2)}
                  for f, qn, n, m in s.execute(q)]
    pages = {k[len(PAGE_PREFIX):] or "/": v for k, v in sorted(ease.items())
             if k.startswith(PAGE_PREFIX)}
    forms = {k: v for k, v in sorted(ease.items()) if not k.startswith(PAGE_PREFIX)}
    return render_template("office/opinions.html", pages=pages, forms=forms, survey=survey,
                           since=since or "", title=t("bo_opinions_title"))
