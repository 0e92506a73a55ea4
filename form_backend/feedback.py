"""``POST /feedback``: the "Quanto sono chiare le informazioni su questa pagina?" widget that
every page of the static site carries (AgID C.SI.2.5/2.6; carta/website/theme/overrides/partials/
carta-feedback.html).

Anonymous: nothing but the page, the month, the rating (1–5), the follow-up answer's code and
up to 200 characters of text, in the ``ease_ratings`` table the receipt's ease question uses
(form id ``pagina:<page>``), so :func:`form_backend.follow.ease_counts` gives the office the
aggregates per page.  The static site has no session and sets no cookie, so there is nothing a
forged request could act with; what is kept out is other sites posting through a visitor's
browser (an ``Origin`` that is neither the backend's nor its ``CARTA_PUBLIC_URL``'s) and floods
(the submission rate limit).  Only pages the site has are accepted.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, redirect, request

from form_backend.extensions import csrf, limiter, submit_limit
from form_backend.follow_db import EaseRating

bp = Blueprint("feedback", __name__)
ROME = ZoneInfo("Europe/Rome")
ANSWERS = {f"{kind}{i}" for kind in "pn" for i in range(1, 6)}
_PAGE = re.compile(r"^(?:[a-z]{2}/)?(?:[a-z0-9-]+/){0,2}$")


def _origin_allowed() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # not a browser's cross-site form: no ambient authority to borrow
        return True
    allowed = {f"{request.scheme}://{request.host}"}
    public = current_app.config.get("PUBLIC_URL")
    if public:
        u = urlparse(public)
        allowed.add(f"{u.scheme}://{u.netloc}")
    return origin in allowed


def _known_page(page: str) -> bool:
    from carta.website.pages import page_paths

    charter = current_app.extensions["carta"]
    if not _PAGE.match(page):
        return False
    langs = charter.district.languages
    lang, _, rest = page.partition("/") if page[:3].rstrip("/") in langs[1:] else ("", "", page)
    paths = {"" if p == "index.md" else p.removesuffix(".md") + "/" for p in page_paths(charter)}
    return (rest if lang else page) in paths


@bp.post("/feedback")
@csrf.exempt  # no session, no cookie: the Origin check stands in for the token
@limiter.limit(submit_limit)
def feedback():
    """Keep one anonymous rating of a page; 303 back to the page (204 for fetch)."""
    if not _origin_allowed():
        return jsonify(error="origin", message="Feedback is accepted from the site only."), 403
    page = request.form.get("page", "").strip().lstrip("/")
    rating = request.form.get("rating", "")
    answer = request.form.get("answer", "")
    if not _known_page(page) or rating not in {"1", "2", "3", "4", "5"}:
        return jsonify(error="invalid", message="Choose from 1 to 5 stars."), 422
    if answer and (answer not in ANSWERS or (answer[0] == "p") != (int(rating) > 3)):
        answer = ""
    details = re.sub(r"\s+", " ", request.form.get("details", "")).strip()[:200]
    comment = " ".join(x for x in (f"[{answer}]" if answer else "", details) if x) or None
    with current_app.extensions["carta_sessions"].begin() as session:
        session.add(EaseRating(id=secrets.token_hex(16), form=f"pagina:{page}"[:80],
                               month=dt.datetime.now(ROME).strftime("%Y-%m"),
                               score=int(rating), comment=comment))
    if request.accept_mimetypes.best == "application/json":
        return "", 204
    return redirect(f"/{page}#carta-feedback-title", 303)
