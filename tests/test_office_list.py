"""The back-office's list, day's view, case work, ranking and exports (issue 16), as an
operator meets them: names by field role, Europe/Rome times, search, filters, counts, pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import requests
from sqlalchemy import select, update

from form_backend.cases import OfficeCase, SearchTerm, backfill, normalise, terms_for
from form_backend.db import AuditEvent, Submission
from form_backend.office.answers import current_roles, download_name
from form_backend.office.queries import PAGE_SIZE
from form_backend.store import ROME
from tests.payloads import PDF, cf_born, domanda, reclamo
from tests.servers import http_server
from tests.test_backend import sqlite_backend, submit  # noqa: F401
from tests.test_office_roles import make_people, signed_in

BIANCHI = {"cognome": "De Sanctis", "nome": "Àngela", "data-nascita": "1950-05-05",
           "codice-fiscale": cf_born(dt.date(1950, 5, 5), 40)}


@pytest.fixture
def office(sqlite_backend):  # noqa: F811
    app = sqlite_backend(RATELIMIT_ENABLED=False)
    make_people(app)
    with http_server(app) as base:
        isee = {"doc-isee": ("isee.pdf", PDF, "application/pdf")}
        submit(requests.Session(), base, "/domanda/telesoccorso", domanda(isee="30000"),
               files=isee)
        submit(requests.Session(), base, "/domanda/telesoccorso",
               domanda(**BIANCHI, **{"par-collocazione-in-graduatoria": "y"}), files=isee)
        submit(requests.Session(), base, "/domanda/assistenza-domiciliare-anziani",
               domanda(cognome="Esposito", nome="Lucia", **{
                   k: v for k, v in BIANCHI.items() if k not in ("cognome", "nome")}),
               files=isee)
        submit(requests.Session(), base, "/reclamo", reclamo())
        yield base, app
    from form_backend.extensions import limiter

    limiter.enabled = True


def names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/ufficio/\d+">([^<]+)</a>', html)


def test_search_terms_are_normalised_and_come_from_roles_not_ids():
    roles = {"surname": "x-cognome", "given_name": "x-nome", "tax_code": "cf"}
    terms = terms_for("2026/0000042", {"x-cognome": "D'Àmico", "x-nome": "Maria Grazia",
                                       "cf": "DMCMRG80A41F839X", "cognome": "Ignorato"}, roles)
    assert terms == {"d", "amico", "maria", "grazia", "dmcmrg80a41f839x", "2026/0000042", "42"}
    assert normalise("  Ñúñez-Pérez ") == "nunez perez"
    assert download_name("2026/0000042", "doc-isee", "Mia ISEE.PDF") == "2026-0000042-isee.pdf"
    assert download_name("2026/0000042", "doc-altri", "senza") == "2026-0000042-altri.bin"


def test_the_list_shows_names_services_rome_times_and_human_statuses(office):
    base, app = office
    page = signed_in(app, base, "operatrice").get(base + "/ufficio/").text
    assert names(page) == ["Bianchi Anna", "Esposito Lucia", "De Sanctis Àngela", "Rossi Mario"]
    with app.extensions["carta_sessions"]() as s:
        first = s.execute(select(Submission).where(Submission.id == 1)).scalar_one()
    received = first.created_at.replace(tzinfo=dt.UTC).astimezone(ROME)
    assert received.strftime("%d/%m/%Y %H:%M") in page  # Europe/Rome, not UTC
    assert "Telesoccorso" in page and "Ricevuta: <strong>4</strong>" in page
    assert "in-istruttoria" not in re.sub(r'<[^>]+>', "", page).split("Pratiche per stato")[0]
    assert "/ufficio/graduatoria/telesoccorso" in page  # the ranking is linked from the list


@pytest.mark.parametrize(("query", "expected"), [
    ("rossi", ["Rossi Mario"]), ("ROSS", ["Rossi Mario"]), ("angela de", ["De Sanctis Àngela"]),
    ("sanctis", ["De Sanctis Àngela"]), (cf_born(dt.date(1950, 5, 5), 40).lower(),
                                         ["Esposito Lucia", "De Sanctis Àngela"]),
    ("RSSMRA80A01F839W", ["Rossi Mario"]), ("2", ["De Sanctis Àngela"]),
    (f"{dt.date.today().year}/0000003", ["Esposito Lucia"]), ("nessuno", []),
    ("'; drop table submissions; --", []), ("%", []), ("_" * 300, [])])
def test_search_finds_by_name_codice_fiscale_or_protocol(office, query, expected):
    base, app = office
    page = signed_in(app, base, "lettrice").get(base + "/ufficio/", params={"q": query})
    assert page.status_code == 200 and names(page.text) == expected


def test_filters_counts_and_pages(office):
    base, app = office
    b = signed_in(app, base, "operatrice")
    assert names(b.get(base + "/ufficio/?service=telesoccorso").text) == [
        "Bianchi Anna", "De Sanctis Àngela", "Rossi Mario"]  # the reclamo is about telesoccorso
    assert names(b.get(base + "/ufficio/?service=telesoccorso&kind=domanda").text) == [
        "De Sanctis Àngela", "Rossi Mario"]
    b.post(base + "/ufficio/1/stato", data={"csrf_token": b.token, "status": "in-istruttoria"})
    page = b.get(base + "/ufficio/?status=in-istruttoria").text
    assert names(page) == ["Rossi Mario"]
    assert "In istruttoria: <strong>1</strong>" in page and "Ricevuta: <strong>3</strong>" in page
    for junk in ("?service=nessuno", "?status=%00", "?office=zzz", "?page=-1", "?page=abc",
                 "?page=99999999999", "?assigned=" + "x" * 500, "?kind=<script>"):
        r = b.get(base + "/ufficio/" + junk)
        assert r.status_code == 200 and "<script>" not in r.text.split("</header>")[1], junk
    with app.extensions["carta_sessions"].begin() as s:  # overdue: a deadline in the past
        s.execute(update(OfficeCase).where(OfficeCase.submission_id == 3)
                  .values(due="2020-01-01"))
    assert names(b.get(base + "/ufficio/?overdue=1").text) == ["Esposito Lucia"]
    offices = {o.id: o for o in app.extensions["carta"].offices}
    for office_id in offices:
        assert b.get(base + f"/ufficio/?office={office_id}").status_code == 200
    assert PAGE_SIZE == 50


def test_the_day_puts_complaints_first(office):
    base, app = office
    with app.extensions["carta_sessions"].begin() as s:
        s.execute(update(OfficeCase).values(due=(dt.date.today() + dt.timedelta(days=2))
                                            .isoformat()))
    page = signed_in(app, base, "lettrice").get(base + "/ufficio/oggi").text
    week = page.split('id="week"')[1].split('id="new"')[0]
    assert names(week)[0] == "Bianchi Anna" and len(names(week)) == 4
    assert len(names(page.split('id="new"')[1])) == 4


def test_assign_note_and_status_with_a_message_leave_a_trail(office):
    base, app = office
    b = signed_in(app, base, "operatrice")
    t = {"csrf_token": b.token}
    assert b.post(base + "/ufficio/4/assegna", data={**t, "operator": "bersaglio"}).ok
    assert b.post(base + "/ufficio/4/assegna", data={**t, "operator": "nessuno"}
                  ).status_code == 400
    assert b.post(base + "/ufficio/4/note", data={**t, "text": "Chiamare dopo le 15"}).ok
    moved = b.post(base + "/ufficio/4/stato", data={**t, "status": "in-istruttoria",
                                                    "message": "Stiamo esaminando il reclamo.",
                                                    "note": "priorità alta"})
    assert moved.ok
    page = moved.text
    assert "Chiamare dopo le 15" in page and "bersaglio" in page and "priorità alta" in page
    assert "In istruttoria" in page
    assert names(b.get(base + "/ufficio/?assigned=bersaglio").text) == ["Bianchi Anna"]
    # the complaint's procedure: call-in, meeting, answer, each the date the charter states
    for label in ("Convocazione di chi ha presentato il reclamo", "Incontro", "Risposta al reclamo"):
        assert label in page
    assert "Giorni lavorativi che restano" in page
    with app.extensions["carta_sessions"]() as s:
        actions = [e.action for e in s.execute(select(AuditEvent).where(
            AuditEvent.submission_id == 4)).scalars()]
    assert actions[:1] == ["ricevuta"] and {"assegnata", "stato"} <= set(actions)
    with app.extensions["carta_sessions"]() as s:  # the citizen's status page shows it
        key = s.execute(select(Submission.idempotency_key).where(Submission.id == 4)).scalar()
    status_page = requests.get(f"{base}/ricevuta/{key}").text
    assert "Stiamo esaminando il reclamo." in status_page
    assert "priorità alta" not in status_page and "Chiamare dopo le 15" not in status_page
    reader = signed_in(app, base, "lettrice")
    assert reader.post(base + "/ufficio/4/note", data={"csrf_token": reader.token,
                                                       "text": "x"}).status_code == 403
    assert 'action="/ufficio/4/stato"' not in reader.get(base + "/ufficio/4").text


def test_detail_shows_yaml_labels_grouped_as_the_form(office):
    base, app = office
    page = signed_in(app, base, "operatrice").get(base + "/ufficio/1").text
    assert "<h2>Destinatario</h2>" in page and "Codice fiscale" in page
    assert "<dt>cognome</dt>" not in page and "Sorrento" in page
    assert 'download="' in page and re.search(r"\d{4}-0000001-isee\.pdf", page)


def test_ranking_orders_by_band_then_points_then_arrival(office):
    base, app = office
    b = signed_in(app, base, "lettrice")
    page = b.get(base + "/ufficio/graduatoria/telesoccorso")
    assert page.status_code == 200
    ranked = re.findall(r'<td>(\d+)(?: <span class="tag">[^<]+</span>)?</td><td dir="ltr">'
                        r'<a href="/ufficio/(\d+)">', page.text)
    assert [r[1] for r in ranked] == ["2", "1"]  # same band (none stated), one more point
    assert "pari merito" not in page.text and "ordine di arrivo" in page.text
    csv = b.get(base + "/ufficio/graduatoria/telesoccorso.csv")
    text = csv.content.decode("utf-8-sig")
    assert csv.content.startswith("\ufeff".encode()) and text.splitlines()[0].startswith(
        "posizione;protocollo;richiedente")
    assert text.splitlines()[1].startswith("1;") and "De Sanctis" in text.splitlines()[1]
    assert b.get(base + "/ufficio/graduatoria/nessuno").status_code == 404


def test_export_keeps_excel_format_and_takes_the_lists_filters(office):
    base, app = office
    b = signed_in(app, base, "operatrice")
    all_ = b.get(base + "/ufficio/export.csv")
    assert all_.headers["Cache-Control"] == "no-store"
    text = all_.content.decode("utf-8-sig")
    assert all_.content.startswith("\ufeff".encode()) and "\r\n" in text
    lines = text.splitlines()
    assert lines[0].startswith("protocollo;tipo;ricevuta;stato;servizio") and len(lines) == 5
    filtered = b.get(base + "/ufficio/export.csv?q=esposito").content.decode("utf-8-sig")
    assert len(filtered.splitlines()) == 2 and "Esposito" in filtered
    assert "Ricevuta" in filtered  # the status as people read it


def test_a_formula_in_a_name_is_neutralised_in_every_export(office):
    base, app = office
    submit(requests.Session(), base, "/domanda/telesoccorso",
           domanda(cognome="=HYPERLINK(\"http://x\")", isee="100"),
           files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    b = signed_in(app, base, "operatrice")
    for path in ("/ufficio/export.csv", "/ufficio/graduatoria/telesoccorso.csv"):
        text = b.get(base + path).content.decode("utf-8-sig")
        assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text, path


def test_old_submissions_get_their_search_terms_at_start_up(office):
    base, app = office
    engine = app.extensions["carta_engine"]
    with app.extensions["carta_sessions"].begin() as s:
        s.execute(SearchTerm.__table__.delete())
        s.execute(OfficeCase.__table__.delete())
    assert backfill(engine, current_roles(app.extensions["carta"])) == 4
    page = signed_in(app, base, "lettrice").get(base + "/ufficio/?q=esposito").text
    assert names(page) == ["Esposito Lucia"]
    assert backfill(engine, current_roles(app.extensions["carta"])) == 0
