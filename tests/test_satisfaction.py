"""Issue 18: the citizens' satisfaction questionnaire (content/satisfaction.yaml), offered once
a case is closed on its status page and in the closing e-mail, kept without any link to the
submission, and feeding the standards measured from a survey; the office's record of a
meeting's day."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, inspect, select

from carta.errors import CharterError
from carta.load.charter import load_charter
from carta.model.satisfaction import EASE, PAGE_FEEDBACK
from carta.monitoring.measure import Answer, compute
from form_backend.db import AuditEvent, Outbox, Submission
from form_backend.office import add_user
from form_backend.satisfaction import SatisfactionAnswer, SatisfactionGiven
from tests.factory import REPO, base, write_charter
from tests.servers import http_server
from tests.test_backend import PDF, backend, domanda, reclamo, sqlite_backend, submit, token  # noqa: F401

KEY = re.compile(r"/ricevuta/([0-9a-f]{32})")
PASSWORD = "Questionario-del-2025!"
QUESTIONNAIRE = {
    "title": {"it": "Come è andata?", "en": "How did it go?"},
    "scales": [{"id": "accordo", "satisfied_from": 3, "options": [
        {"value": 1, "label": "No"}, {"value": 2, "label": "Poco"},
        {"value": 3, "label": "Sì"}, {"value": 4, "label": "Molto"}]}],
    "questions": [{"id": "complessivo", "scale": "accordo", "text": "Soddisfatto?"},
                  {"id": "cortesia", "scale": "accordo", "text": "Cortesia?",
                   "asked": ["reclamo"]}]}


def problems_of(root) -> list[str]:
    with pytest.raises(CharterError) as info:
        load_charter(root)
    return [str(p) for p in info.value.problems]


# --- the questionnaire in the YAML -------------------------------------------------------------

def test_the_shipped_questionnaire_speaks_the_four_languages():
    q = load_charter(REPO).satisfaction
    assert len(q.questions) >= 3
    for text in [q.title, *(x.text for x in q.questions),
                 *(o.label for s in q.scales for o in s.options)]:
        assert set(text) == {"it", "en", "fr", "ar"}


def test_a_question_on_an_unknown_scale_is_refused_at_its_line(tmp_path):
    bad = {**QUESTIONNAIRE, "questions": [{"id": "complessivo", "scale": "acordo",
                                           "text": "Soddisfatto?"}]}
    found = problems_of(write_charter(tmp_path, {"content/satisfaction.yaml": bad}))
    assert len(found) == 1 and re.match(r"content/satisfaction\.yaml:\d+:\d+: "
                                        r"questions\[0\]\.scale: unknown scale 'acordo'; "
                                        r"did you mean 'accordo'\?", found[0]), found


@pytest.mark.parametrize(("scale", "message"), [
    ({"satisfied_from": 5}, "satisfied_from 5 is not one of the values (1, 2, 3, 4)"),
    ({"options": [{"value": 2, "label": "a"}, {"value": 1, "label": "b"}],
      "satisfied_from": 2}, "options must go from the lowest value to the highest"),
])
def test_a_scale_that_cannot_say_who_is_satisfied_is_refused(tmp_path, scale, message):
    bad = {**QUESTIONNAIRE, "scales": [{**QUESTIONNAIRE["scales"][0], **scale}]}
    found = problems_of(write_charter(tmp_path, {"content/satisfaction.yaml": bad}))
    assert any(f.startswith("content/satisfaction.yaml:") and message in f for f in found), found


def with_survey_row(tmp_path, measure, **row):
    service = base("services/telesoccorso.yaml")
    service["quality"].append({"id": "gradimento", "indicator": "Utenti soddisfatti",
                               "standard": "Almeno l'80%", "measure": measure, **row})
    return write_charter(tmp_path, {"services/telesoccorso.yaml": service,
                                    "content/satisfaction.yaml": QUESTIONNAIRE})


def test_a_survey_rule_must_name_a_question_and_a_share(tmp_path):
    found = problems_of(with_survey_row(tmp_path / "a", {"survey": "complesivo", "share": 80}))
    assert len(found) == 1 and re.match(
        r"services/telesoccorso\.yaml:\d+:\d+: quality\[\d\]\.measure\.survey: unknown survey "
        r"question 'complesivo'; did you mean 'complessivo'\?", found[0]), found
    found = problems_of(with_survey_row(tmp_path / "b", {"survey": "complessivo"}))
    assert any("a survey measure needs the share of satisfied answers" in f for f in found)
    found = problems_of(with_survey_row(tmp_path / "c", {"survey": "complessivo",
                                                         "from": "received"}))
    assert any("a survey is measured from answers, not events" in f for f in found)
    load_charter(with_survey_row(tmp_path / "d", {"survey": "complessivo"},
                                 target={"value": 80, "unit": "percent"}))


def test_survey_standards_count_satisfied_answers_of_their_scheda(tmp_path):
    service = base("services/telesoccorso.yaml")
    service["quality"] += [
        {"id": "gradimento", "indicator": "Utenti soddisfatti", "standard": "Almeno l'80%",
         "measure": {"survey": "complessivo", "share": 80, "min_cases": 1}},
        {"id": "facilita", "indicator": "Modulo facile", "standard": "Almeno il 50%",
         "measure": {"survey": EASE, "share": 50, "min_cases": 1}},
        {"id": "pagine", "indicator": "Pagina chiara", "standard": "Almeno il 50%",
         "measure": {"survey": PAGE_FEEDBACK, "share": 50}}]
    charter = load_charter(write_charter(tmp_path, {"services/telesoccorso.yaml": service,
                                                    "content/satisfaction.yaml": QUESTIONNAIRE}))
    answers = [Answer("complessivo", "telesoccorso", 4), Answer("complessivo", "telesoccorso", 3),
               Answer("complessivo", "telesoccorso", 2), Answer("complessivo", "altro", 1),
               Answer("cortesia", "telesoccorso", 1),
               Answer(EASE, "telesoccorso", 5), Answer(EASE, "telesoccorso", 3),
               Answer(PAGE_FEEDBACK, "en/servizi/telesoccorso/", 4),
               Answer(PAGE_FEEDBACK, "servizi/telesoccorso/", 2),
               Answer(PAGE_FEEDBACK, "uffici/", 1)]
    rows, _ = compute(charter, [], 2025, dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                      answers=answers)
    by_ref = {c.standard.ref: c.row for c in rows}
    # 4 and 3 of 4, 3 and 2: two of three answers about this scheda
    overall = by_ref["gradimento"]
    assert (overall["realized_pct"], overall["numerator"], overall["denominator"],
            overall["met"]) == (Decimal("66.7"), 2, 3, False)
    assert overall["formula"]["it"] == "risposte da «Sì» in su / risposte ricevute " \
        "(Soddisfatto?)"
    assert overall["source"]["en"].startswith("carta: citizens' answers")
    assert overall["factor"]["en"] == "User satisfaction"
    ease = by_ref["facilita"]
    assert (ease["realized_pct"], ease["met"]) == (50, True)
    assert ease["formula"]["en"] == "answers of «Easy» or better / answers received (ease " \
        "of use of the online forms)"
    pages = by_ref["pagine"]  # two ratings of the scheda's page: fewer than five
    assert pages["too_few_cases"] and (pages["numerator"], pages["denominator"]) == (1, 2)


# --- the citizen's side ------------------------------------------------------------------------

def office_session(base_url: str) -> requests.Session:
    office = requests.Session()
    t = token(office, base_url + "/ufficio/login")
    login = office.post(base_url + "/ufficio/login", data={
        "csrf_token": t, "name": "operatrice", "password": PASSWORD})
    assert login.status_code == 200, login.text[:300]
    return office


def move(office: requests.Session, base_url: str, record_id: int, *statuses: str) -> None:
    for status in statuses:
        t = token(office, f"{base_url}/ufficio/{record_id}")
        moved = office.post(f"{base_url}/ufficio/{record_id}/stato",
                            data={"csrf_token": t, "status": status}, allow_redirects=False)
        assert moved.status_code == 303, (status, moved.status_code)


def answer(citizen, base_url, key, lang, t=None, **scores):
    url = f"{base_url}/ricevuta/{key}/soddisfazione?lang={lang}"
    t = t or token(citizen, url)
    return citizen.post(url, data={"csrf_token": t, **{f"q-{k}": v for k, v in scores.items()}},
                        allow_redirects=False)


def test_a_closed_case_offers_the_questionnaire_once_in_the_citizen_s_language(backend):  # noqa: F811
    base_url, app = backend
    add_user(app.extensions["carta_sessions"], "operatrice", PASSWORD)
    charter = app.extensions["carta"]
    citizen = requests.Session()
    receipt, page = submit(citizen, base_url, "/reclamo?lang=fr", reclamo(**{"copia-email": "y"}))
    key = KEY.search(receipt).group(1)
    with app.extensions["carta_sessions"]() as s:
        record = s.execute(select(Submission).where(Submission.idempotency_key == key)
                           ).scalar_one()
    survey_url = f"{base_url}/ricevuta/{key}/soddisfazione?lang=fr"
    # open: no questionnaire yet, and its address leads back to the status page
    assert 'id="questionario"' not in page
    early = citizen.get(survey_url, allow_redirects=False)
    assert early.status_code == 303 and early.headers["Location"].startswith(f"/ricevuta/{key}")

    office = office_session(base_url)
    move(office, base_url, record.id, "in-istruttoria", "conclusa")
    with app.extensions["carta_sessions"]() as s:
        last = s.execute(select(Outbox).where(Outbox.recipient == "anna@example.org")
                         .order_by(Outbox.id.desc())).scalars().first()
    assert charter.t("fr", "email_survey") in last.body
    assert f"/ricevuta/{key}/soddisfazione?lang=fr" in last.body

    page = html.unescape(citizen.get(f"{base_url}/ricevuta/{key}?lang=fr").text)
    q = charter.satisfaction
    assert q.title["fr"] in page and q.questions[0].text["fr"] in page
    # one fieldset per question, its text as legend, the scale as labelled radios
    survey = page.split('aria-labelledby="questionario"', 1)[1].split("</section>", 1)[0]
    fieldsets = re.findall(r"<fieldset[^>]*>\s*<legend>(.*?)</legend>(.*?)</fieldset>", survey,
                           re.S)
    assert [legend.split(". ", 1)[1] for legend, _ in fieldsets] == [
        x.text["fr"] for x in q.questions_for("reclamo")]
    first = fieldsets[0][1]
    assert re.findall(r'<label for="q-[a-z-]+-(\d+)">', first) == ["1", "2", "3", "4"]
    assert q.scales[0].options[0].label["fr"] in first

    # no token, no answer; nothing chosen: a message, nothing kept
    refused = citizen.post(survey_url, data={"q-complessivo": "4"}, allow_redirects=False)
    assert refused.status_code == 400
    empty = answer(citizen, base_url, key, "fr")
    assert empty.status_code == 422 and charter.t("fr", "survey_required") in html.unescape(
        empty.text)
    out_of_scale = answer(citizen, base_url, key, "fr", complessivo="9")
    assert out_of_scale.status_code == 422

    t = token(citizen, survey_url)
    done = answer(citizen, base_url, key, "fr", t, complessivo="4", cortesia="2", tempi="3")
    assert done.status_code == 303
    thanks = html.unescape(citizen.get(base_url + done.headers["Location"]).text)
    assert charter.t("fr", "survey_thanks") in thanks and "<fieldset" not in thanks
    again = answer(citizen, base_url, key, "fr", t, complessivo="1")  # a second time: ignored
    assert again.status_code == 303

    with app.extensions["carta_sessions"]() as s:
        rows = s.execute(select(SatisfactionAnswer)).scalars().all()
        assert sorted((r.question, r.score, r.form) for r in rows) == [
            ("complessivo", 4, "reclamo"), ("cortesia", 2, "reclamo"), ("tempi", 3, "reclamo")]
        assert {r.month for r in rows} == {dt.datetime.now(dt.UTC).strftime("%Y-%m")}
        assert s.execute(select(func.count()).select_from(SatisfactionGiven)).scalar() == 1
    # anonymous by construction: the answers' table has nothing that leads to a case
    columns = {c["name"] for c in inspect(app.extensions["carta_engine"]).get_columns(
        "satisfaction_answers")}
    assert columns == {"id", "form", "month", "question", "score"}


def test_the_questionnaire_is_rate_limited_like_other_public_posts(sqlite_backend):  # noqa: F811
    app = sqlite_backend(RATELIMIT_SUBMIT="2 per minute")
    with http_server(app) as base_url:
        receipt, _ = submit(requests.Session(), base_url, "/reclamo", reclamo())
        key = KEY.search(receipt).group(1)
        with app.extensions["carta_sessions"].begin() as s:
            s.execute(select(Submission)).scalar_one().status = "conclusa"
        citizen = requests.Session()
        t = token(citizen, f"{base_url}/ricevuta/{key}/soddisfazione")
        codes = [answer(citizen, base_url, key, "it", t).status_code for _ in range(3)]
    assert codes == [422, 422, 429]


# --- the office records a meeting's day ----------------------------------------------------------

def test_the_office_records_the_day_of_a_meeting_and_readers_cannot(sqlite_backend):  # noqa: F811
    app = sqlite_backend(RATELIMIT_SUBMIT="1000 per minute")
    add_user(app.extensions["carta_sessions"], "operatrice", PASSWORD)
    add_user(app.extensions["carta_sessions"], "lettrice", PASSWORD, role="reader")
    with http_server(app) as base_url:
        submit(requests.Session(), base_url, "/domanda/telesoccorso", domanda(),
               files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
        office = office_session(base_url)
        page = office.get(f"{base_url}/ufficio/1").text
        assert 'action="/ufficio/1/evento"' in page and 'value="activation"' in page
        today = dt.date.today()
        t = token(office, f"{base_url}/ufficio/1")
        late = office.post(f"{base_url}/ufficio/1/evento", data={
            "csrf_token": t, "event": "meeting",
            "date": (today + dt.timedelta(days=2)).isoformat()})
        assert late.status_code == 422 and "2025-04-22" in late.text  # the example
        ok = office.post(f"{base_url}/ufficio/1/evento", data={
            "csrf_token": t, "event": "meeting", "date": today.isoformat()},
            allow_redirects=False)
        assert ok.status_code == 303
        unknown = office.post(f"{base_url}/ufficio/1/evento", data={
            "csrf_token": t, "event": "decision", "date": today.isoformat()})
        assert unknown.status_code == 400

        reader = requests.Session()
        t = token(reader, base_url + "/ufficio/login")
        reader.post(base_url + "/ufficio/login", data={"csrf_token": t, "name": "lettrice",
                                                         "password": PASSWORD})
        t = token(reader, f"{base_url}/ufficio/1")
        assert 'action="/ufficio/1/evento"' not in reader.get(f"{base_url}/ufficio/1").text
        denied = reader.post(f"{base_url}/ufficio/1/evento", data={
            "csrf_token": t, "event": "meeting", "date": today.isoformat()})
        assert denied.status_code == 403
    with app.extensions["carta_sessions"]() as s:
        rows = s.execute(select(AuditEvent.action, AuditEvent.note, AuditEvent.user).where(
            AuditEvent.action.startswith("evento:"))).all()
    assert rows == [("evento:meeting", today.isoformat(), "operatrice")]
