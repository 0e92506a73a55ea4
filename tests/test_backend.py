"""The form backend through real HTTP, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from form_backend import create_app
from form_backend.db import Outbox, Submission
from form_backend.office import add_user
from tests.factory import REPO
from tests.payloads import CF, PDF, PNG, TODAY, cf_born, domanda, reclamo
from tests.servers import http_server


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    """The app on a real database, served over HTTP; yields (url, app)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'carta.db'}"
    else:
        pg = request.getfixturevalue("postgres")
        url = pg.new_database(f"t{abs(hash(request.node.nodeid)) % 10**9}")
    app = create_app({
        "CARTA_ROOT": str(REPO), "DATABASE_URL": url, "TESTING": True,
        "ENCRYPTION_KEY": Fernet.generate_key().decode(), "OUTBOX_SENDER": False,
        "SECRET_KEY": "test", "RATELIMIT_SUBMIT": "1000 per minute",
        "CARTA_SITE_DIR": str(tmp_path / "no-site"), "OFFICE_EMAIL": "ufficio@example.org",
        **getattr(request, "param_config", {})})
    with http_server(app) as base:
        yield base, app
    app.extensions["carta_engine"].dispose()


@pytest.fixture
def sqlite_backend(tmp_path):
    def make(**config):
        app = create_app({
            "CARTA_ROOT": str(REPO), "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
            "TESTING": True, "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "OUTBOX_SENDER": False, "SECRET_KEY": "test", "OFFICE_EMAIL": "ufficio@example.org",
            "CARTA_SITE_DIR": str(tmp_path / "no-site"), **config})
        return app
    return make


def token(session: requests.Session, url: str) -> str:
    page = session.get(url)
    assert page.status_code == 200, page.text[:500]
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                      r'name="csrf_token" value="([^"]+)"', page.text)
    return found.group(1) or found.group(2)


def send(session, base, path, data, files=None):
    """Fill in the form at ``path`` (GET for the token, POST the answers)."""
    t = token(session, base + path)
    return session.post(base + path, data={**data, "csrf_token": t}, files=files,
                        allow_redirects=False)


def submit(session, base, path, data, files=None) -> tuple[str, str]:
    """Fill in, check, send; return (receipt URL, receipt page)."""
    first = send(session, base, path, data, files)
    assert first.status_code == 303, _errors(first.text)
    check = base + first.headers["Location"]
    t = token(session, check)
    done = session.post(check.split("?")[0], data={"csrf_token": t}, allow_redirects=False)
    assert done.status_code == 303
    receipt = base + done.headers["Location"]
    return receipt, session.get(receipt).text


def _errors(html: str) -> list[str]:
    return re.findall(r'<li><a href="#[^"]+">([^<]+)</a>', html)


def count(app, model) -> int:
    with app.extensions["carta_sessions"]() as s:
        return s.execute(select(func.count(model.id))).scalar()


def test_domanda_end_to_end_with_upload_and_receipt(backend):
    base, app = backend
    s = requests.Session()
    receipt, page = submit(s, base, "/domanda/telesoccorso", domanda(),
                           files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    year = dt.datetime.now().year
    assert f"{year}/0000001" in page and "Domanda ricevuta" in page
    pdf = s.get(receipt.split("?")[0] + ".pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    with app.extensions["carta_sessions"]() as session:
        record = session.execute(select(Submission)).scalar_one()
        assert record.service == "telesoccorso" and record.comune == "sorrento"
        assert record.charter_hash == app.extensions["carta"].content_hash
        assert record.form_version.startswith("MOD. 07.07.46 rev 1.1")
        assert len(record.content_sha256) == 64 and record.form_definition.definition["id"] == "domanda"
        assert [a.filename for a in record.attachments] == ["isee.pdf"]
    # the office's notice and the applicant's confirmation (issue 15)
    assert count(app, Outbox) == 2


def test_sending_twice_creates_one_record(backend):
    base, app = backend
    s = requests.Session()
    first = send(s, base, "/domanda/telesoccorso", domanda(),
                 files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    check = base + first.headers["Location"]
    t = token(s, check)
    answers = [s.post(check.split("?")[0], data={"csrf_token": t}, allow_redirects=False)
               for _ in range(3)]
    assert {a.status_code for a in answers} == {303}
    assert len({a.headers["Location"] for a in answers}) == 1
    assert count(app, Submission) == 1


def test_protocol_numbers_are_gapless_under_concurrency(backend):
    """24 confirmations at once, shared between two app instances on the same database (as
    two gunicorn workers would be), on a database that has not stored any submission yet."""
    base, app = backend
    twin = create_app({k: app.config[k] for k in (
        "CARTA_ROOT", "DATABASE_URL", "TESTING", "ENCRYPTION_KEY", "OUTBOX_SENDER",
        "SECRET_KEY", "RATELIMIT_SUBMIT", "CARTA_SITE_DIR", "OFFICE_EMAIL")})
    s = requests.Session()
    checks = []
    for i in range(24):
        r = send(s, base, "/reclamo", reclamo(nome=f"Persona{i}"))
        assert r.status_code == 303
        checks.append(r.headers["Location"].split("?")[0])
    t = token(s, base + checks[0])

    with http_server(twin) as twin_base:
        def confirm(i_path):
            i, path = i_path
            return requests.post((base, twin_base)[i % 2] + path, data={"csrf_token": t},
                                 cookies=s.cookies, allow_redirects=False).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(confirm, enumerate(checks)))
    twin.extensions["carta_engine"].dispose()
    assert statuses == [303] * 24
    with app.extensions["carta_sessions"]() as session:
        seqs = sorted(session.execute(select(Submission.seq)).scalars())
    assert seqs == list(range(1, 25))


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"cognome": ""}, "cognome", "Compila il campo «Cognome»."),
    ({"comune": ""}, "comune", "Scegli una risposta per"),
    ({"codice-fiscale": "RSSMRA80A01F839X"}, "codice-fiscale",
     "Scrivi un codice fiscale valido di 16 caratteri, come RSSMRA80A01F839W."),
    ({"codice-fiscale": "01234567890"}, "codice-fiscale",
     "Hai scritto una partita IVA di 11 cifre"),
    ({"data-nascita": "1980-02-01"}, "codice-fiscale",
     "Il codice fiscale non corrisponde alla data di nascita"),
    ({"data-nascita": "1980-02-31"}, "data-nascita", "come una data reale"),
    ({"data-nascita": (TODAY + dt.timedelta(days=2)).isoformat()}, "data-nascita",
     "deve essere oggi o una data passata"),
    ({"documento-scadenza": "2001-01-01"}, "documento-scadenza", "il documento è scaduto"),
    ({"email": "mario@"}, "email", "Scrivi un indirizzo e-mail valido"),
    ({"telefono": "chiamami"}, "telefono", "Scrivi un numero di telefono valido"),
    ({"isee": "molto"}, "isee", "come numero, per esempio 7500,50"),
    ({"cognome": "Rossi\u202e"}, "cognome", "contiene caratteri non ammessi"),
    ({"cognome": "R" * 200}, "cognome", "al massimo"),
    ({"privacy": None}, "privacy", "Per continuare seleziona"),
])
def test_each_validation_message_names_the_field(sqlite_backend, overrides, field, message):
    app = sqlite_backend()
    with http_server(app) as base:
        r = send(requests.Session(), base, "/domanda/telesoccorso", domanda(**overrides),
                 files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    assert r.status_code == 422
    assert any(message in e for e in _errors(r.text)), _errors(r.text)
    assert f'<li><a href="#{field}">' in r.text
    assert f'id="{field}-error"' in r.text


@pytest.mark.parametrize(("files", "message"), [
    ({}, "Allega il documento"),
    ({"doc-isee": ("isee.pdf", b"GIF89a<script>", "application/pdf")}, "PDF, un JPEG o un PNG"),
    ({"doc-isee": ("isee.png", PNG + b"\0" * (2 << 20), "image/png")}, "troppo grande"),
])
def test_uploads_are_checked_by_content_size_and_presence(sqlite_backend, files, message):
    app = sqlite_backend(UPLOAD_MAX_BYTES=1 << 20)
    with http_server(app) as base:
        r = send(requests.Session(), base, "/domanda/telesoccorso", domanda(), files=files)
    assert r.status_code == 422 and any(message in e for e in _errors(r.text)), _errors(r.text)


def test_age_eligibility_from_the_scheda(sqlite_backend):
    app = sqlite_backend()
    adult = domanda()  # prima-infanzia is for children from 3 to 36 months
    with http_server(app) as base:
        r = send(requests.Session(), base, "/domanda/prima-infanzia", adult,
                 files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
        assert any("età da 3 a 36 mesi" in e for e in _errors(r.text)), _errors(r.text)
        born = TODAY - dt.timedelta(days=400)
        child = domanda(**{"data-nascita": born.isoformat(), "codice-fiscale": cf_born(born)})
        r = send(requests.Session(), base, "/domanda/prima-infanzia", child,
                 files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
        assert r.status_code == 303, _errors(r.text)


def test_complaint_window_and_deadlines_in_working_days(sqlite_backend):
    app = sqlite_backend()
    with http_server(app) as base:
        late = (TODAY - dt.timedelta(days=40)).isoformat()
        r = send(requests.Session(), base, "/reclamo", reclamo(**{"data-disservizio": late}))
        assert any("entro 15 giorni dal disservizio" in e for e in _errors(r.text))
        _, page = submit(requests.Session(), base, "/reclamo", reclamo())
    assert "Reclamo ricevuto" in page
    with app.extensions["carta_sessions"]() as s:
        record = s.execute(select(Submission)).scalar_one()
    from carta.model.calendar import add_working_days

    assert record.service == "telesoccorso"  # filed under the scheda it is about
    from form_backend.store import ROME

    created = record.created_at
    received = (created if created.tzinfo else created.replace(tzinfo=dt.UTC)).astimezone(ROME).date()
    assert record.deadlines["call_in"] == (received + dt.timedelta(days=5)).isoformat()
    assert record.deadlines["meeting"] == add_working_days(received, 30).isoformat()
    assert record.deadlines["user_protection"] == (received + dt.timedelta(days=40)).isoformat()


def test_service_without_online_applications_explains_how_to_access(sqlite_backend):
    app = sqlite_backend()
    with http_server(app) as base:
        page = requests.get(base + "/domanda/segretariato-sociale")
        assert page.status_code == 200 and "non prevede una domanda online" in page.text
        assert "Il cittadino non deve presentare moduli" in page.text
        assert requests.get(base + "/domanda/non-esiste").status_code == 404


@pytest.mark.parametrize(("lang", "text", "direction"), [
    ("en", "Enter", "ltr"), ("fr", "", "ltr"), ("ar", "", "rtl")])
def test_messages_in_the_citizens_language(sqlite_backend, lang, text, direction):
    app = sqlite_backend()
    with http_server(app) as base:
        s = requests.Session()
        s.get(base + f"/reclamo?lang={lang}")
        r = send(s, base, f"/reclamo?lang={lang}", reclamo(cognome=""))
    assert r.status_code == 422
    assert f'<html lang="{lang}" dir="{direction}">' in r.text
    errors = _errors(r.text)
    assert errors and all(text in e for e in errors)
    assert not any("Compila il campo" in e for e in errors)


def test_rate_limit_answers_429_with_a_retry_hint(sqlite_backend):
    app = sqlite_backend(RATELIMIT_SUBMIT="2 per minute")
    with http_server(app) as base:
        s = requests.Session()
        statuses = [send(s, base, "/reclamo", reclamo(cognome="")).status_code
                    for _ in range(3)]
        assert statuses == [422, 422, 429]
        limited = send(s, base, "/reclamo", reclamo())
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
        assert "Troppe richieste" in limited.text
    assert count(app, Submission) == 0


def test_csrf_honeypot_and_size_limit(sqlite_backend):
    app = sqlite_backend(MAX_CONTENT_LENGTH=200_000)
    with http_server(app) as base:
        s = requests.Session()
        forged = s.post(base + "/reclamo", data=reclamo())
        assert forged.status_code == 400 and "pagina è scaduta" in forged.text
        bot = send(s, base, "/reclamo", reclamo(website="http://spam.example"))
        assert bot.status_code == 400
        big = send(s, base, "/reclamo", reclamo(descrizione="x" * 300_000))
        assert big.status_code == 413 and "File troppo grandi" in big.text
    assert count(app, Submission) == 0


def test_security_headers(sqlite_backend):
    app = sqlite_backend()
    with http_server(app) as base:
        r = requests.get(base + "/reclamo")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # no inline script: only same-origin files (the error summary's focus, form.js)
    assert re.findall(r"<script[^>]*>", r.text) == ['<script src="/_carta/form.js" defer>']


def test_health_data_is_encrypted_and_kept_out_of_emails(sqlite_backend):
    app = sqlite_backend()
    charter = app.extensions["carta"]
    sensitive = next(p for g in charter.access_parameters.groups for p in g.parameters
                     if p.sensitive and p.points is not None and not p.per_person)
    with http_server(app) as base:
        submit(requests.Session(), base, "/domanda/telesoccorso",
               domanda(**{f"par-{sensitive.id}": "y"}),
               files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    with app.extensions["carta_sessions"]() as s:
        record = s.execute(select(Submission)).scalar_one()
        mail, confirmation = s.execute(select(Outbox).order_by(Outbox.id)).scalars().all()
    assert f"par-{sensitive.id}" not in record.data
    assert record.sensitive and sensitive.id.encode() not in record.sensitive
    assert record.points >= sensitive.points
    assert sensitive.id not in mail.body and "Dati sanitari" in mail.body
    assert sensitive.id not in confirmation.body and "sanitari" not in confirmation.body
    assert mail.subject.startswith(f"[{record.protocol}]")


def test_every_office_route_refuses_anonymous_users(sqlite_backend):
    app = sqlite_backend()
    routes = [r for r in app.url_map.iter_rules() if r.rule.startswith("/ufficio")
              and r.endpoint != "office.login"]
    assert len(routes) >= 7
    with http_server(app) as base:
        for rule in routes:
            path = re.sub(r"<int:[a-z_]+>", "1", rule.rule)
            path = re.sub(r"<[a-z_]+>", "telesoccorso", path)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                r = requests.request(method, base + path, allow_redirects=False)
                assert r.status_code in (302, 400, 403), (method, path, r.status_code)
                if r.status_code == 302:
                    assert r.headers["Location"].startswith("/ufficio/login")


def test_office_processes_a_submission_with_an_audit_trail(sqlite_backend):
    app = sqlite_backend()
    add_user(app.extensions["carta_sessions"], "operatrice", "una-password-lunga")
    with http_server(app) as base:
        submit(requests.Session(), base, "/domanda/telesoccorso",
               domanda(cognome="=HYPERLINK(\"http://x\")"),
               files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
        op = requests.Session()
        t = token(op, base + "/ufficio/login")
        bad = op.post(base + "/ufficio/login", data={"csrf_token": t, "name": "operatrice",
                                                      "password": "sbagliata"})
        assert bad.status_code == 401
        ok = op.post(base + "/ufficio/login", data={"csrf_token": t, "name": "operatrice",
                                                     "password": "una-password-lunga"})
        assert ok.status_code == 200 and "/0000001" in ok.text
        detail = op.get(base + "/ufficio/1")
        t = re.search(r'name="csrf_token" value="([^"]+)"', detail.text).group(1)
        moved = op.post(base + "/ufficio/1/stato", data={"csrf_token": t,
                                                         "status": "in-istruttoria"})
        assert moved.status_code == 200 and "ricevuta → in-istruttoria" in moved.text
        skip = op.post(base + "/ufficio/1/stato", data={"csrf_token": t, "status": "ricevuta"})
        assert skip.status_code == 400
        csv = op.get(base + "/ufficio/export.csv")
        assert csv.content.startswith("\ufeff".encode())
        text = csv.content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("protocollo;tipo;ricevuta")
        assert "'=HYPERLINK" in text
        ranking = op.get(base + "/ufficio/graduatoria/telesoccorso.csv").content.decode("utf-8-sig")
        assert ranking.splitlines()[1].startswith("1;")
        assert "invalid" not in ranking.lower()


def test_outbox_waits_for_smtp_then_delivers_each_message_once(sqlite_backend):
    from form_backend.outbox import deliver_due, retry_now
    from tests.servers import free_port, smtp_sink

    port = free_port()
    app = sqlite_backend()
    with http_server(app) as base:
        for i in range(3):
            submit(requests.Session(), base, "/reclamo", reclamo(nome=f"P{i}",
                                                                copia_email=None))
    sessions = app.extensions["carta_sessions"]
    assert deliver_due(sessions, "127.0.0.1", port, "carta@example.org") == (0, 1)
    with sessions() as s:
        assert s.execute(select(func.count(Outbox.id)).where(Outbox.sent_at.is_(None))).scalar() == 3

    with smtp_sink(port) as received:
        assert retry_now(sessions) == 1  # the refused one was waiting out its back-off
        assert deliver_due(sessions, "127.0.0.1", port, "carta@example.org") == (3, 0)
        assert deliver_due(sessions, "127.0.0.1", port, "carta@example.org") == (0, 0)
    assert len(received) == 3
    assert all(re.search(rb"Subject: \[\d{4}/\d{7}\] Reclamo", m) for m in received)


def test_retry_now_after_an_smtp_outage_sends_everything_once_even_while_a_sender_holds_a_row(
        sqlite_backend, tmp_path, monkeypatch, capsys):
    """Office staff fix the mail server and run ``carta outbox send --now``: every waiting
    e-mail goes at once, and a row another sender is delivering at that moment is left to it
    (no second copy)."""
    from carta.cli import main
    from tests.servers import free_port, smtp_sink

    port = free_port()
    db = tmp_path / "c.db"
    app = sqlite_backend()
    with http_server(app) as base:
        for i in range(5):
            submit(requests.Session(), base, "/reclamo", reclamo(nome=f"P{i}",
                                                                copia_email=None))
    sessions = app.extensions["carta_sessions"]
    monkeypatch.setenv("CARTA_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("CARTA_SMTP_PORT", str(port))
    monkeypatch.setenv("CARTA_ENCRYPTION_KEY", app.config["ENCRYPTION_KEY"])
    assert main(["outbox", "send", "--root", str(REPO)]) == 1  # nobody listening yet
    assert "refused" in capsys.readouterr().err
    with sessions.begin() as s:  # another sender is delivering the last one right now
        held = s.execute(select(Outbox).order_by(Outbox.id.desc())).scalars().first()
        held.claimed_until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
        held_id = held.id

    with smtp_sink(port) as received:
        capsys.readouterr()
        assert main(["outbox", "send", "--root", str(REPO)]) == 0
        assert len(received) == 3  # the first one, refused before, waits out its back-off
        assert capsys.readouterr().out.splitlines() == ["sent 3, failed 0"]
        assert main(["outbox", "send", "--root", str(REPO), "--now"]) == 0
        assert capsys.readouterr().out.splitlines() == ["brought forward: 1", "sent 1, failed 0"]
        assert len(received) == 4  # the held row is still the other sender's
        assert main(["outbox", "send", "--root", str(REPO), "--now"]) == 0
        assert len(received) == 4
    with sessions() as s:
        unsent = s.execute(select(Outbox.id).where(Outbox.sent_at.is_(None))).scalars().all()
    assert unsent == [held_id]


def test_health_endpoint(sqlite_backend):
    app = sqlite_backend()
    with http_server(app) as base:
        body = requests.get(base + "/healthz").json()
    assert body == {"status": "ok", "database": "ok", "outbox_backlog": 0,
                    "outbox_oldest_unsent_seconds": None}


def test_purge_removes_old_submissions(sqlite_backend):
    from form_backend.retention import purge

    app = sqlite_backend()
    with http_server(app) as base:
        submit(requests.Session(), base, "/reclamo", reclamo())
    sessions = app.extensions["carta_sessions"]
    assert purge(sessions, 30) == 0
    with sessions.begin() as s:
        s.query(Submission).update({Submission.created_at: dt.datetime(2000, 1, 1,
                                                                        tzinfo=dt.UTC)})
    assert purge(sessions, 30) == 1
    assert count(app, Submission) == 0 and count(app, Outbox) == 0


def test_junk_never_causes_a_server_error(sqlite_backend):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    app = sqlite_backend(RATELIMIT_SUBMIT="100000 per minute")
    names = ["nome", "cognome", "data-disservizio", "servizio", "standard", "ufficio",
             "descrizione", "email", "telefono", "privacy", "lang", "website", "extra"]
    with http_server(app) as base:
        s = requests.Session()
        t = token(s, base + "/reclamo")
        lock = threading.Lock()

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.dictionaries(st.sampled_from(names), st.text(max_size=300), max_size=12))
        def post(data):
            with lock:
                r = s.post(base + "/reclamo", data={**data, "csrf_token": t},
                           allow_redirects=False)
            assert r.status_code < 500, (data, r.status_code)

        post()


def test_backup_while_serving_then_restore_finds_every_record(sqlite_backend, tmp_path):
    import subprocess
    import sys

    app = sqlite_backend()
    url = app.config["DATABASE_URL"]
    from form_backend.backup import backup, restore

    with http_server(app) as base:
        for i in range(5):
            submit(requests.Session(), base, "/reclamo", reclamo(nome=f"P{i}"))
        copy = tmp_path / "copia.db"
        assert backup(url, copy) == 5
        submit(requests.Session(), base, "/reclamo", reclamo(nome="dopo"))
    assert count(app, Submission) == 6
    app.extensions["carta_engine"].dispose()
    assert restore(url, copy) == 5
    with app.extensions["carta_reader"]() as s:
        protocols = sorted(s.execute(select(Submission.protocol)).scalars())
    assert [p[-7:] for p in protocols] == ["0000001", "0000002", "0000003", "0000004", "0000005"]
    bad = subprocess.run([sys.executable, "-m", "carta", "restore", str(tmp_path / "nessuno.db"),
                          "--root", str(REPO)], capture_output=True, text=True)
    assert bad.returncode == 1 and "restore failed" in bad.stderr


def test_logs_are_json_lines_without_personal_data(sqlite_backend, capfd):
    import json as jsonlib

    app = sqlite_backend()
    with http_server(app) as base:
        submit(requests.Session(), base, "/domanda/telesoccorso", domanda(),
               files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    err = capfd.readouterr().err
    lines = [jsonlib.loads(x) for x in err.splitlines() if x.startswith("{")]
    routes = {x.get("route") for x in lines}
    assert "/domanda/<slug>" in routes and "/domanda/<slug>/controlla/<draft_id>" in routes
    assert any(x["msg"] == "submission stored" and x["protocol"].endswith("/0000001")
               for x in lines)
    for secret in ("Rossi", CF, "mario@example.org", "Via Roma", "081 1234567", "7500"):
        assert secret not in err


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_upgrading_keeps_the_definitions_stored_with_old_records(db, tmp_path, request):
    """0001 kept the form definition in every record; 0002 keeps each version once: a record
    stored before the upgrade still finds the definition it was checked against, and a
    downgrade puts it back in the record."""
    from sqlalchemy import text

    from form_backend.db import make_engine
    from form_backend.migrate import downgrade, upgrade

    url = (f"sqlite:///{tmp_path / 'old.db'}" if db == "sqlite"
           else request.getfixturevalue("postgres").new_database("migr"))
    engine = make_engine(url)
    upgrade(engine, "0001")
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as c:
        for i, version in enumerate(["MOD A rev 1 abc", "MOD A rev 1 abc", "MOD B rev 2 def"]):
            c.execute(text(
                "insert into submissions (kind, year, seq, protocol, idempotency_key, created_at,"
                " lang, status, charter_hash, form_version, definition, data, content_sha256,"
                " deadlines, updated_at) values ('reclamo', 2026, :i, :p, :k, :t, 'it',"
                " 'ricevuta', 'h', :v, :d, '{}', 'x', '{}', :t)"),
                {"i": i + 1, "p": f"2026/{i + 1:07d}", "k": f"k{i}", "t": now, "v": version,
                 "d": json.dumps({"id": version[4]})})
    upgrade(engine)
    with engine.connect() as c:
        kept = dict(c.execute(text("select version, definition from form_definitions")).all())
        assert {v: (d if isinstance(d, dict) else json.loads(d))["id"]
                for v, d in kept.items()} == {"MOD A rev 1 abc": "A", "MOD B rev 2 def": "B"}
        assert c.execute(text("select count(*) from submissions")).scalar() == 3
    downgrade(engine, "0001")
    with engine.connect() as c:
        back = c.execute(text("select definition from submissions order by seq")).scalars().all()
        assert ["B" in str(d) for d in back] == [False, False, True]
    engine.dispose()


def test_one_failing_submission_does_not_sink_the_others_in_its_batch(tmp_path):
    """The group-commit writer shares one transaction between waiting submissions; when one
    of them breaks a constraint, the others are still stored and answered, and only that one
    gets the error."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from form_backend.db import make_engine
    from form_backend.writer import GroupWriter

    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as c:
        c.execute(text("create table t (k text primary key)"))
    writer = GroupWriter(engine)
    gate, started = threading.Event(), threading.Event()

    def job(key):
        def run(connection):
            if key == "a":  # the first job holds the writer until every other one is queued
                started.set()
                gate.wait(10)
            connection.execute(text("insert into t values (:k)"), {"k": key})
            return key
        return run

    keys = ["a", "b", "dup", "c", "dup", "d"]
    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        futures = [pool.submit(writer.run, job("a"))]
        assert started.wait(10)
        futures += [pool.submit(writer.run, job(k)) for k in keys[1:]]
        for _ in range(1000):
            if writer._queue.qsize() == len(keys) - 1:
                break
            time.sleep(0.01)
        gate.set()
        outcomes = []
        for f in futures:
            try:
                outcomes.append(f.result())
            except IntegrityError:
                outcomes.append("refused")
    assert sorted(outcomes) == ["a", "b", "c", "d", "dup", "refused"]
    with engine.connect() as c:
        assert sorted(c.execute(text("select k from t")).scalars()) == ["a", "b", "c", "d", "dup"]
    assert writer.largest == len(keys) - 1  # the waiting ones were tried together
    engine.dispose()


def test_a_send_that_times_out_is_stored_once_when_sent_again(sqlite_backend, tmp_path):
    """While another process holds the database's write lock longer than the writer timeout,
    the send gets a 503 saying it could not be confirmed; the record is stored as soon as the
    lock is free, and sending again shows its receipt instead of making a second one."""
    import fcntl
    import sqlite3

    app = sqlite_backend(WRITER_TIMEOUT=0.5)
    db = tmp_path / "c.db"
    with http_server(app) as base:
        s = requests.Session()
        first = send(s, base, "/reclamo", reclamo())
        check = base + first.headers["Location"]
        t = token(s, check)
        lock = open(f"{db}.writer-lock", "a+")  # noqa: SIM115 - held across the requests
        fcntl.flock(lock, fcntl.LOCK_EX)
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        slow = s.post(check.split("?")[0], data={"csrf_token": t}, allow_redirects=False)
        assert slow.status_code == 503 and slow.headers["Retry-After"]
        assert "Invialo di nuovo" in slow.text or "Inviala di nuovo" in slow.text
        other.execute("ROLLBACK")
        other.close()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
        again = s.post(check.split("?")[0], data={"csrf_token": t}, allow_redirects=False)
        assert again.status_code == 303
    assert count(app, Submission) == 1


def test_the_backend_finds_answers_by_role_not_by_id(tmp_path):
    """A district names its fields as it likes: the ISEE amount (for the band) and the comune
    are found by the role the YAML gives them, whatever their ids."""
    import shutil

    from form_backend.db import Submission

    root = tmp_path / "charter"
    for folder in ("content", "services"):
        shutil.copytree(REPO / folder, root / folder)
    forms = root / "content" / "forms.yaml"
    text = forms.read_text(encoding="utf-8")
    text = text.replace("- id: isee\n", "- id: valore-isee\n").replace(
        "fields: [isee, ", "fields: [valore-isee, ").replace(
        "- id: comune\n            role: comune", "- id: residenza\n            role: comune").replace(
        "fields: [indirizzo, comune, ", "fields: [indirizzo, residenza, ")
    forms.write_text(text, encoding="utf-8")
    bands = root / "content" / "bands.yaml"  # a district that states its reference amount
    bands.write_text(bands.read_text(encoding="utf-8").replace(
        "\nreference:", "\nreference_amount: '10000'\nreference:", 1), encoding="utf-8")
    app = create_app({
        "CARTA_ROOT": str(root), "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "TESTING": True, "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "OUTBOX_SENDER": False, "SECRET_KEY": "test", "CARTA_SITE_DIR": str(tmp_path / "s")})
    data = domanda()
    data["valore-isee"], data["residenza"] = data.pop("isee"), data.pop("comune")
    with http_server(app) as base:
        submit(requests.Session(), base, "/domanda/telesoccorso", data,
               files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    with app.extensions["carta_sessions"]() as s:
        record = s.execute(select(Submission)).scalar_one()
    assert record.comune == "sorrento"
    assert record.band is not None  # computed from the amount in the field with role isee
