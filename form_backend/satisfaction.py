"""The citizens' satisfaction questionnaire (``content/satisfaction.yaml``), offered once a
submission is closed: on its status page and through the link of the closing e-mail
(``/ricevuta/<key>/soddisfazione``), in the citizen's language.

Anonymous by construction (migration 0008): each answer is kept as the form (a domanda's
scheda slug, ``reclamo`` for every complaint), the month, the question and the score, under
a random id; the submission is remembered apart, in ``satisfaction_given``, only so that a
closed case is asked once.  A
POST needs the receipt key (a capability), the CSRF token, and is rate-limited like every
public POST.  :func:`read_answers` gives ``carta monitoring compute`` the year's answers,
the ease-of-use answers and the site's page ratings, for the standards measured from them.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Blueprint, current_app, g, redirect, render_template, request
from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from carta.model.charter import Charter
from carta.model.satisfaction import EASE, PAGE_FEEDBACK
from carta.monitoring.measure import Answer
from form_backend import flow
from form_backend.db import Base, Submission
from form_backend.extensions import limiter, submit_limit
from form_backend.store import ROME

bp = Blueprint("satisfaction", __name__)
CLOSED = "conclusa"
PAGE_PREFIX = "pagina:"  # page ratings in ease_ratings (form_backend.feedback)


class SatisfactionAnswer(Base):
    """One answer: form id, month, question, score; nothing that leads back to a person."""

    __tablename__ = "satisfaction_answers"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: no order to match
    form: Mapped[str] = mapped_column(String(80), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # 2026-11
    question: Mapped[str] = mapped_column(String(80))
    score: Mapped[int] = mapped_column(Integer)


class SatisfactionGiven(Base):
    """A submission whose citizen has answered (not what they answered)."""

    __tablename__ = "satisfaction_given"
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               primary_key=True, autoincrement=False)


def offered(record: Submission) -> bool:
    """Whether the questionnaire is offered for ``record``: the charter has one with
    questions for its kind, and the case is closed."""
    q = flow.charter().satisfaction
    return bool(q and record.status == CLOSED and q.questions_for(record.kind))


def given(record: Submission) -> bool:
    """Whether the citizen of ``record`` has answered already."""
    with current_app.extensions["carta_reader"]() as session:
        return session.get(SatisfactionGiven, record.id) is not None


def view(charter: Charter, kind: str, lang: str, chosen: dict[str, str] | None = None) -> dict:
    """What the questionnaire's template shows, in ``lang``: title, intro, and per question
    its text and the scale's (value, label), ``chosen`` ticked again after an error."""
    from carta import present

    q = charter.satisfaction
    chosen = chosen or {}

    def text(value) -> str:
        return present.shown(value, lang).text if value else ""

    return {"title": text(q.title), "intro": text(q.intro),
            "questions": [{"id": x.id, "text": text(x.text), "chosen": chosen.get(x.id),
                           "options": [(str(o.value), text(o.label))
                                       for o in q.scale_of(x).options]}
                          for x in q.questions_for(kind)]}


def context(record: Submission, key: str, **extra) -> dict:
    """The status page's part: ``survey`` (None when not offered), whether it was answered."""
    if not offered(record):
        return {"survey": None, "survey_done": False}
    done = given(record)
    return {"survey": None if done else view(flow.charter(), record.kind, g.lang,
                                             extra.get("chosen")),
            "survey_done": done, "survey_title": flow.charter().satisfaction.title.resolve(
                g.lang)[0], "survey_error": extra.get("error")}


def link(base: str, key: str, lang: str) -> str:
    """The questionnaire's absolute address for the closing e-mail ("" without a public
    address)."""
    return f"{base.rstrip('/')}/ricevuta/{key}/soddisfazione?lang={lang}" if base else ""


def _page(record: Submission, key: str, status: int = 200, **extra):
    return render_template("satisfaction.html", key=key, record=record,
                           title=flow.charter().satisfaction.title.resolve(g.lang)[0],
                           **context(record, key, **extra)), status


@bp.route("/ricevuta/<key>/soddisfazione", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
@limiter.limit("30 per minute", methods=["GET"])
def questionnaire(key: str):
    """GET: the questionnaire alone (the e-mail's link); POST: keep the answers, once."""
    from form_backend.follow import record_or_404

    record = record_or_404(key)
    if not offered(record):  # not closed yet, or no questionnaire: the status page says why
        return redirect(f"/ricevuta/{key}?lang={g.lang}", 303)
    if request.method == "GET":
        return _page(record, key)
    questions = flow.charter().satisfaction.questions_for(record.kind)
    scale_of = flow.charter().satisfaction.scale_of
    chosen = {}
    for x in questions:
        value = request.form.get(f"q-{x.id}", "")
        if value in {str(o.value) for o in scale_of(x).options}:
            chosen[x.id] = value
    if not chosen:
        return _page(record, key, 422, chosen=chosen, error=flow.charter().t(
            g.lang, "survey_required"))
    month = dt.datetime.now(ROME).strftime("%Y-%m")
    # a domanda's answers speak of its scheda; a reclamo's of the complaint procedure
    form = (record.service if record.kind == "domanda" and record.service else record.kind)[:80]
    with current_app.extensions["carta_sessions"].begin() as session:
        if session.get(SatisfactionGiven, record.id) is None:
            session.add(SatisfactionGiven(submission_id=record.id))
            for question, score in chosen.items():
                session.add(SatisfactionAnswer(id=secrets.token_hex(16), form=form, month=month,
                                               question=question, score=int(score)))
    return redirect(f"/ricevuta/{key}/soddisfazione?lang={g.lang}#questionario", 303)


def read_answers(engine: Engine, year: int) -> list[Answer]:
    """Every answer of ``year`` for the standards measured from a survey: the
    questionnaire's, the receipt's ease of use (``ease``) and the site's page ratings
    (``page-feedback``, the page's path as form).  Reads only."""
    from form_backend.follow_db import EaseRating

    month = f"{year}-"
    a, e = SatisfactionAnswer.__table__, EaseRating.__table__
    out = []
    with engine.connect() as conn:
        for form, question, score in conn.execute(
                select(a.c.form, a.c.question, a.c.score).where(a.c.month.startswith(month))):
            out.append(Answer(survey=question, form=form, score=score))
        for form, score in conn.execute(
                select(e.c.form, e.c.score).where(e.c.month.startswith(month))):
            if form.startswith(PAGE_PREFIX):
                out.append(Answer(survey=PAGE_FEEDBACK, form=form[len(PAGE_PREFIX):],
                                  score=score))
            else:
                out.append(Answer(survey=EASE, form=form, score=score))
    return out
