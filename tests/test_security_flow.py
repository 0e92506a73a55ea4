"""Issue 12, part A: the citizen-facing flow against an attacker (fill in → check → send).

Each test does what the attack review did, through real HTTP against the real app, and checks
what an attacker or a citizen would notice: the status, the page, what was stored or mailed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil

import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text, update

from form_backend import create_app
from form_backend.db import Attachment, Draft, Outbox, Submission
from tests.factory import REPO
from tests.payloads import PDF, TODAY, cf_born, domanda, reclamo
from tests.servers import http_server
from tests.test_backend import _errors, send, token

COOKIE = "carta_draft"
HEALTH = "par-invalidita-oltre-72"  # sensitive, and asked only by progetto-benessere


def make_app(tmp_path, root=REPO, **config):
    return create_app({
        "CARTA_ROOT": str(root), "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "TESTING": True, "ENCRYPTION_KEY": KEY, "OUTBOX_SENDER": False, "SECRET_KEY": "test",
        "OFFICE_EMAIL": "ufficio@example.org", "RATELIMIT_SUBMIT": "10000 per minute",
        "CARTA_SITE_DIR": str(tmp_path / "no-site"), **config})


KEY = Fernet.generate_key().decode()


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    app.extensions["carta_engine"].dispose()


def fill(s: requests.Session, base: str, path: str, data: dict, files=None) -> str:
    """Fill in the form at ``path``; return the check page's path (no query)."""
    r = send(s, base, path, data, files)
    assert r.status_code == 303, _errors(r.text)
    return r.headers["Location"].split("?")[0]


def binding(s: requests.Session, check: str) -> str:
    """The draft cookie the browser holds for the check page at ``check`` ('' if none)."""
    return next((c.value for c in s.cookies if c.name == COOKIE and c.path == check), "")


def stored(app) -> int:
    with app.extensions["carta_sessions"]() as s:
        return s.execute(select(func.count(Submission.id))).scalar()


def isee() -> dict:
    return {"doc-isee": ("isee.pdf", PDF, "application/pdf")}


def benessere_files() -> dict:
    return {**isee(), "doc-richiesta-prestazioni-agevolate": ("r.pdf", PDF, "application/pdf")}


def post_as(s: requests.Session, url: str, secret: str, csrf: str) -> requests.Response:
    """Send a draft from ``s`` to ``url``, handing over the draft cookie whatever its path
    (an attacker's client does not honour cookie paths)."""
    return s.post(url, data={"csrf_token": csrf}, cookies={COOKIE: secret},
                  allow_redirects=False)


# --- finding 2: the send step re-validates the draft against the URL and the current YAML ---


@pytest.mark.parametrize(("made_at", "data", "files", "sent_to"), [
    # a disability parameter asked only by progetto-benessere, sent under telesoccorso
    ("/domanda/progetto-benessere", domanda(**{HEALTH: "y"}), benessere_files(),
     "/domanda/telesoccorso"),
    # an adult sent under prima-infanzia (3-36 months)
    ("/domanda/telesoccorso", domanda(), isee(), "/domanda/prima-infanzia"),
    # a service without online applications
    ("/domanda/telesoccorso", domanda(), isee(), "/domanda/segretariato-sociale"),
    # a reclamo as a domanda, and a domanda as a reclamo
    ("/reclamo", reclamo(), None, "/domanda/telesoccorso"),
    ("/domanda/telesoccorso", domanda(), isee(), "/reclamo"),
], ids=["other-service-health", "adult-under-prima-infanzia", "not-online", "reclamo-as-domanda",
        "domanda-as-reclamo"])
def test_a_draft_sent_under_another_form_or_service_is_refused_and_nothing_stored(
        app, made_at, data, files, sent_to):
    with http_server(app) as base:
        s = requests.Session()
        check = fill(s, base, made_at, data, files)
        draft_id = check.rsplit("/", 1)[1]
        secret = binding(s, check)
        csrf = token(s, base + check)
        for r in (s.get(f"{base}{sent_to}/controlla/{draft_id}", cookies={COOKIE: secret}),
                  post_as(s, f"{base}{sent_to}/controlla/{draft_id}", secret, csrf)):
            assert r.status_code == 404, r.status_code
            assert "Mario" not in r.text and "Anna" not in r.text
        assert stored(app) == 0
        # the draft still goes where it was made
        assert post_as(s, base + check, secret, csrf).status_code == 303
    with app.extensions["carta_sessions"]() as session:
        record = session.execute(select(Submission)).scalar_one()
    assert not any(k.startswith("par-invalidita") for k in record.data)


def charter_copy(tmp_path, edit: dict[str, tuple[str, str]]):
    """The shipped charter copied to ``tmp_path/charter`` with text replaced in some files."""
    root = tmp_path / "charter"
    for folder in ("content", "services"):
        shutil.copytree(REPO / folder, root / folder)
    for name, (old, new) in edit.items():
        path = root / name
        source = path.read_text()
        assert old in source
        path.write_text(source.replace(old, new))
    return root


@pytest.mark.parametrize(("edit", "message"), [
    ({"services/prima-infanzia.yaml": ("age: {min: 3, max: 36, unit: months}",
                                       "age: {min: 3, max: 6, unit: months}")},
     "età da 3 a 6 mesi"),
    ({"services/prima-infanzia.yaml": ("online_application: true", "online_application: false")},
     "non prevede una domanda online"),
])
def test_the_send_step_applies_the_charter_as_it_is_now(app, tmp_path, edit, message):
    """The YAML changed between filling in and sending (a new age limit, applications closed):
    the check page and the send say so, and nothing is stored."""
    born = TODAY - dt.timedelta(days=400)
    child = domanda(**{"data-nascita": born.isoformat(), "codice-fiscale": cf_born(born)})
    changed = make_app(tmp_path, root=charter_copy(tmp_path, edit))
    with http_server(app) as base, http_server(changed) as later:
        s = requests.Session()
        check = fill(s, base, "/domanda/prima-infanzia", child, isee())
        csrf = token(s, base + check)
        page = s.get(later + check)
        sent = s.post(later + check, data={"csrf_token": csrf}, allow_redirects=False)
    changed.extensions["carta_engine"].dispose()
    for r in (page, sent):
        assert 400 <= r.status_code < 500 and message in r.text, (r.status_code, _errors(r.text))
        if r.status_code == 422:  # the page it fails on, its answers and files kept, saved
            # into the same draft, then back to the check page
            assert f'action="{check}/passo/destinatario?lang=it&amp;cambia=1"' in r.text
            assert 'value="Rossi"' in r.text and "file caricati sono conservati" in r.text
    assert stored(app) == 0


def test_a_tampered_draft_is_checked_again_and_health_data_never_stored_in_clear(app):
    """Whatever the draft row holds, the send stores only what the form of the URL accepts,
    and the scheda's health answers only encrypted."""
    with http_server(app) as base:
        s = requests.Session()
        check = fill(s, base, "/domanda/progetto-benessere", domanda(**{HEALTH: "y"}),
                     benessere_files())
        with app.extensions["carta_sessions"].begin() as db:  # planted: bad choice, stray key
            row = db.get(Draft, check.rsplit("/", 1)[1])
            row.data = {**row.data, "comune": "<script>x</script>", "extra": "zzz"}
        csrf = token(s, base + "/reclamo")
        r = s.post(base + check, data={"csrf_token": csrf}, allow_redirects=False)
        assert r.status_code == 422 and any("Comune" in e for e in _errors(r.text))
        assert stored(app) == 0
        with app.extensions["carta_sessions"].begin() as db:
            row = db.get(Draft, check.rsplit("/", 1)[1])
            row.data = {**row.data, "comune": "sorrento"}
        r = s.post(base + check, data={"csrf_token": csrf}, allow_redirects=False)
        assert r.status_code == 303
    with app.extensions["carta_sessions"]() as db:
        record = db.execute(select(Submission)).scalar_one()
    assert HEALTH not in record.data and "extra" not in record.data
    assert record.sensitive and HEALTH.encode() not in record.sensitive


# --- finding 6: drafts belong to the browser that made them, and expire ---


def test_another_browser_with_the_check_url_gets_404_never_the_health_answers(app):
    with http_server(app) as base:
        mine = requests.Session()
        check = fill(mine, base, "/domanda/progetto-benessere",
                     domanda(**{HEALTH: "y"}), benessere_files())
        assert "Rossi" in mine.get(base + check).text
        other = requests.Session()
        csrf = token(other, base + "/reclamo")
        seen = other.get(base + check)
        forged = post_as(other, base + check, "x" * 43, csrf)
        plain = other.post(base + check, data={"csrf_token": csrf}, allow_redirects=False)
        for r in (seen, forged, plain):
            assert r.status_code == 404
            assert "Rossi" not in r.text and "72%" not in r.text
        assert stored(app) == 0
        done = mine.post(base + check, data={"csrf_token": token(mine, base + check)},
                         allow_redirects=False)
        assert done.status_code == 303
        assert not any(c.name == COOKIE for c in mine.cookies)  # sent: the cookie is dropped
    assert stored(app) == 1


def test_the_draft_cookie_is_httponly_strict_and_scoped_to_its_check_page(app):
    with http_server(app) as base:
        s = requests.Session()
        r = send(s, base, "/reclamo", reclamo())
        assert r.status_code == 303
        check = r.headers["Location"].split("?")[0]
        header = next(v for k, v in r.raw.headers.items() if k.lower() == "set-cookie"
                      and v.startswith(COOKIE + "="))
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in header.split(";")[1:]}
    assert "httponly" in attributes and attributes["samesite"].lower() == "samesite=strict"
    assert attributes["path"] == f"Path={check}"
    assert int(attributes["max-age"].split("=")[1]) == 24 * 3600
    assert len(header.split(";")[0].split("=", 1)[1]) >= 40  # a random secret, not the id


def test_behind_https_the_draft_cookie_is_secure_and_prefixed(tmp_path):
    app = make_app(tmp_path, SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    page = client.get("/reclamo", base_url="https://servizi.example.it").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/reclamo", data={**reclamo(), "csrf_token": csrf},
                    base_url="https://servizi.example.it",
                    headers={"Referer": "https://servizi.example.it/reclamo"})
    app.extensions["carta_engine"].dispose()
    assert r.status_code == 303
    header = next(v for v in r.headers.getlist("Set-Cookie")
                  if v.startswith("__Secure-carta_draft="))
    assert "Secure" in [a.strip() for a in header.split(";")]


def test_an_expired_draft_says_to_start_again_and_is_gone(app):
    """Opened or sent a day later: a 410 page that says to start again, links to the form,
    shows none of the answers; the draft and its attachments are deleted."""
    with http_server(app) as base:
        s = requests.Session()
        opened = fill(s, base, "/domanda/telesoccorso", domanda(), isee())
        sent = fill(s, base, "/domanda/telesoccorso", domanda(nome="Bice"), isee())
        csrf = token(s, base + sent)
        with app.extensions["carta_sessions"].begin() as db:
            db.execute(update(Draft).values(created_at=dt.datetime.now(dt.UTC)
                                            - dt.timedelta(hours=24, minutes=1)))
        answers = [s.get(base + opened),
                   s.post(base + sent, data={"csrf_token": csrf}, allow_redirects=False)]
    for r in answers:
        assert r.status_code == 410
        assert "Ricomincia" in r.text and 'href="/domanda/telesoccorso?lang=it"' in r.text
        assert "Rossi" not in r.text and "Bice" not in r.text
    assert stored(app) == 0
    with app.extensions["carta_sessions"]() as db:
        assert db.execute(select(func.count()).select_from(Draft)).scalar() == 0
        assert db.execute(select(func.count()).select_from(Attachment)).scalar() == 0


def test_draft_lifetime_is_a_setting(tmp_path):
    app = make_app(tmp_path, DRAFT_TTL_HOURS=2)
    with http_server(app) as base:
        s = requests.Session()
        check = fill(s, base, "/reclamo", reclamo())
        with app.extensions["carta_sessions"].begin() as db:
            db.execute(update(Draft).values(created_at=dt.datetime.now(dt.UTC)
                                            - dt.timedelta(hours=2, minutes=1)))
        assert s.get(base + check).status_code == 410
    app.extensions["carta_engine"].dispose()


def test_no_draft_or_receipt_url_reaches_any_log(app, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    with http_server(app) as base:
        s = requests.Session()
        check = fill(s, base, "/reclamo?lang=en", reclamo())
        s.get(base + check + "?lang=it")
        done = s.post(base + check, data={"csrf_token": token(s, base + check)},
                      allow_redirects=False)
        receipt = done.headers["Location"].split("?")[0]
        s.get(base + receipt)
        s.get(base + receipt + ".pdf")
    draft_id = check.rsplit("/", 1)[1]
    logged = capfd.readouterr().err + "\n".join(  # everything but the test's own HTTP client
        r.getMessage() for r in caplog.records if not r.name.startswith("urllib3"))
    assert "/reclamo/controlla/<draft_id>" in logged  # the route is logged, never the path
    assert draft_id not in logged and "lang=" not in logged


# --- finding 7: every choice is checked against the YAML; no input gives a 5xx ---


@pytest.mark.parametrize(("path", "answers", "field"), [
    ("/domanda/telesoccorso", {"comune": "<script>alert(1)</script>"}, "comune"),
    ("/domanda/telesoccorso", {"par-fascia-isee": "99"}, "par-fascia-isee"),
    ("/domanda/telesoccorso", {"par-fascia-isee": "abc"}, "par-fascia-isee"),
    ("/domanda/telesoccorso", {"par-fascia-isee": "-1"}, "par-fascia-isee"),
    ("/domanda/telesoccorso", {"par-partner-detenuto": "abc"}, "par-partner-detenuto"),
    ("/domanda/telesoccorso", {"nuovo-utente": "forse"}, "nuovo-utente"),
    ("/reclamo", {"servizio": "<img src=x onerror=alert(1)>"}, "servizio"),
    ("/reclamo", {"ufficio": "zzz"}, "ufficio"),
    ("/reclamo", {"standard": "telesoccorso#99"}, "standard"),
])
def test_every_choice_is_checked_against_the_charter_with_a_field_message(
        app, path, answers, field):
    data = domanda(**answers) if path.startswith("/domanda") else reclamo(**answers)
    with http_server(app) as base:
        r = send(requests.Session(), base, path, data,
                 isee() if path.startswith("/domanda") else None)
    assert r.status_code == 422
    assert f'<li><a href="#{field}">' in r.text and f'id="{field}-error"' in r.text
    message = re.search(rf'<li><a href="#{field}">([^<]+)<', r.text).group(1)
    assert "Not a valid" not in message and ("«" in message or "0 a 20" in message), message
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert stored(app) == 0


@pytest.mark.parametrize(("lang", "word"), [("en", "Choose"), ("fr", "Choisissez"),
                                            ("ar", "اختر")])
def test_choice_messages_speak_the_citizens_language(app, lang, word):
    with http_server(app) as base:
        s = requests.Session()
        r = send(s, base, f"/reclamo?lang={lang}", reclamo(ufficio="zzz"))
    assert r.status_code == 422
    assert any(word in e for e in _errors(r.text)), _errors(r.text)


def multipart(fields: list[tuple[str, bytes, bytes | None]]) -> tuple[bytes, str]:
    """A multipart body written byte by byte (clients escape what an attacker would not):
    (name, value, file name or None)."""
    boundary = "carta-hostile-boundary"
    body = b""
    for name, value, filename in fields:
        disposition = b'form-data; name="' + name.encode() + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
        body += b"--" + boundary.encode() + b"\r\nContent-Disposition: " + disposition
        if filename is not None:
            body += b"\r\nContent-Type: application/pdf"
        body += b"\r\n\r\n" + value + b"\r\n"
    body += b"--" + boundary.encode() + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"


def _as_fields(data: dict, csrf: str) -> list[tuple[str, bytes, None]]:
    return [(k, v.encode(), None) for k, v in {**data, "csrf_token": csrf}.items()]


# Each entry: an id, then a function (session, base URL, CSRF token) → response, and the
# statuses that answer it correctly.  Nothing may be a 5xx.
def _get(path, **kw):
    return lambda s, base, csrf: s.get(base + path, allow_redirects=False, **kw)


def _raw(method, path, body: bytes, content_type: str, **headers):
    def go(s, base, csrf):
        return s.request(method, base + path, data=body.replace(b"@CSRF@", csrf.encode()),
                         headers={"Content-Type": content_type, "X-CSRFToken": csrf,
                                  **headers}, allow_redirects=False)
    return go


def _form(path, data, files=None):
    return lambda s, base, csrf: s.post(base + path, data={**data, "csrf_token": csrf},
                                        files=files, allow_redirects=False)


def _multipart(path, fields):
    def go(s, base, csrf):
        body, ctype = multipart([*fields, ("csrf_token", csrf.encode(), None)])
        return s.post(base + path, data=body, headers={"Content-Type": ctype},
                      allow_redirects=False)
    return go


D = {k: v for k, v in domanda().items()}
LONG = "a" * 256
HOSTILE = [
    ("fascia-isee-99", _form("/domanda/telesoccorso", {**D, "par-fascia-isee": "99"}, isee()),
     {422}),
    ("fascia-isee-abc", _form("/domanda/telesoccorso", {**D, "par-fascia-isee": "abc"}, isee()),
     {422}),
    ("count-huge", _form("/domanda/telesoccorso", {**D, "par-partner-detenuto": "9" * 400},
                         isee()), {422}),
    ("file-in-a-text-field", _multipart("/domanda/telesoccorso", [
        *[(k, v.encode(), None) for k, v in D.items() if k != "cognome"],
        ("cognome", b"Rossi", b"cognome.txt"), ("doc-isee", PDF, b"isee.pdf")]), {422}),
    ("file-in-a-date-field", _multipart("/domanda/telesoccorso", [
        *[(k, v.encode(), None) for k, v in D.items() if k != "data-nascita"],
        ("data-nascita", b"1980-01-01", b"d.txt"), ("doc-isee", PDF, b"isee.pdf")]), {422}),
    ("text-in-a-file-field", _form("/domanda/telesoccorso", {**D, "doc-isee": "isee.pdf"}),
     {422}),
    ("nul-in-upload-name", _multipart("/domanda/telesoccorso", [
        *[(k, v.encode(), None) for k, v in D.items()],
        ("doc-isee", PDF, b"is\x00ee.pdf")]), {303, 422}),
    ("control-and-bidi-in-upload-name", _multipart("/domanda/telesoccorso", [
        *[(k, v.encode(), None) for k, v in D.items()],
        ("doc-isee", PDF, "\u202egpj.exe\x01\x1b.pdf".encode())]), {303, 422}),
    ("long-upload-name", _multipart("/domanda/telesoccorso", [
        *[(k, v.encode(), None) for k, v in D.items()],
        ("doc-isee", PDF, ("é" * 400 + ".pdf").encode())]), {303, 422}),
    ("repeated-fields", lambda s, base, csrf: s.post(
        base + "/domanda/telesoccorso", data=[*[(k, v) for k, v in D.items()] * 3,
                                              ("comune", "<x>"), ("csrf_token", csrf)],
        files=isee(), allow_redirects=False), {303, 422}),
    ("invalid-utf8-body", _raw("POST", "/reclamo", b"nome=\xff\xfe&cognome=%C0%AF&"
                                                   b"csrf_token=@CSRF@",
                               "application/x-www-form-urlencoded"), {400, 422}),
    ("invalid-utf8-multipart", _raw("POST", "/reclamo",
                                    multipart([("nome", b"\xff\xfe\xfd", None),
                                               ("csrf_token", b"@CSRF@", None)])[0],
                                    multipart([])[1]), {400, 422}),
    ("json-list", _raw("POST", "/reclamo", b"[1, 2, 3]", "application/json"), {400, 422}),
    ("json-nested", _raw("POST", "/reclamo", b'{"nome": {"a": [1]}, "privacy": [true]}',
                         "application/json"), {400, 422}),
    ("json-broken", _raw("POST", "/reclamo", b'{"nome": ', "application/json"), {400, 422}),
    ("get-nul", _get("/%00"), {404}),
    ("get-nul-in-form", _get("/domanda/%00"), {404}),
    ("get-nul-draft", _get("/reclamo/controlla/%00"), {404}),
    ("get-nul-receipt", _get("/ricevuta/%00.pdf"), {404}),
    ("get-long-segment", _get("/" + LONG), {404}),
    ("get-long-nested", _get(f"/servizi/{LONG}/{LONG}/"), {404}),
    ("get-long-form", _get("/domanda/" + LONG), {404}),
    ("get-long-draft", _get("/reclamo/controlla/" + LONG), {404}),
    ("get-long-receipt", _get(f"/ricevuta/{LONG}.pdf"), {404}),
    ("get-long-static", _get("/_carta/" + LONG), {404}),
    ("get-invalid-utf8-path", _get("/%ff%fe/%c0%af"), {404}),
    ("get-unicode-draft", _get("/reclamo/controlla/" + "é" * 20), {404}),
    ("get-invalid-utf8-query", _get("/reclamo?lang=%ff&servizio=%fe%00"), {200}),
    ("get-repeated-query", _get("/reclamo?lang=en&lang=zz&servizio=a&servizio=b"), {200}),
    ("get-traversal", _get("/..%2f..%2fetc%2fpasswd"), {404}),
    ("huge-accept-language", _get("/reclamo", headers={"Accept-Language": "x;q=0.1," * 500}),
     {200}),
    ("broken-session-cookie", _get("/reclamo", cookies={"session": "\x00garbage"}), {200}),
    ("send-unknown-draft", _form("/reclamo/controlla/" + "a" * 32, {}), {404}),
    ("trace", lambda s, base, csrf: s.request("TRACE", base + "/reclamo"), {405}),
    ("put-on-a-form", lambda s, base, csrf: s.put(base + "/domanda/telesoccorso",
                                                  data={"csrf_token": csrf}), {405}),
    ("odd-draft-cookie", _get("/reclamo/controlla/" + "a" * 32,
                              cookies={COOKIE: "\u00ff\x7f", "session": "%ed%a0%80"}), {404}),
    ("send-nul-draft", _form("/domanda/telesoccorso/controlla/%00", {}), {404}),
]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql",
                                                               marks=pytest.mark.system)])
def hostile_server(request, tmp_path_factory):
    """The app on each database, with a built site directory to serve (so site paths are
    reached too); yields (base URL, app)."""
    tmp = tmp_path_factory.mktemp(request.param)
    site = tmp / "site"
    (site / "servizi").mkdir(parents=True)
    (site / "index.html").write_text("<!DOCTYPE html><title>x</title><p>home</p>")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'c.db'}"
    else:
        url = request.getfixturevalue("postgres").new_database("hostile")
    app = make_app(tmp, DATABASE_URL=url, CARTA_SITE_DIR=str(site))
    with http_server(app) as base:
        yield base, app
    app.extensions["carta_engine"].dispose()


@pytest.mark.parametrize(("attack", "expected"), [(a, e) for _, a, e in HOSTILE],
                         ids=[name for name, _, _ in HOSTILE])
def test_hostile_input_never_gets_a_server_error(hostile_server, attack, expected):
    base, app = hostile_server
    s = requests.Session()
    csrf = token(s, base + "/reclamo")
    r = attack(s, base, csrf)
    assert r.status_code < 500 and r.status_code in expected, (r.status_code, r.text[:300])
    assert "<h1" in r.text
    if r.status_code == 303:  # accepted: the check page and the send work too
        check = r.headers["Location"].split("?")[0]
        assert s.get(base + check).status_code == 200
        done = s.post(base + check, data={"csrf_token": csrf}, allow_redirects=False)
        assert done.status_code == 303
        with app.extensions["carta_sessions"]() as db:
            names = db.execute(select(Attachment.filename)).scalars().all()
        assert all(len(n) <= 255 and not any(ord(c) < 32 or 0x202A <= ord(c) <= 0x202E
                                             for c in n) for n in names), names


# --- finding 4: absolute links from PUBLIC_URL, other hosts refused ---


def office_mail(app) -> str:
    with app.extensions["carta_sessions"]() as db:
        return db.execute(select(Outbox.body).where(
            Outbox.recipient == "ufficio@example.org")).scalars().one()


def test_with_a_public_url_other_hosts_are_refused_and_mails_link_to_it(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://servizi.example.it")
    with http_server(app) as base:
        evil = requests.get(base + "/reclamo", headers={"Host": "ufficio-login.evil.example"})
        assert evil.status_code == 400 and "<h1" in evil.text
        s = requests.Session()
        s.headers["Host"] = "servizi.example.it"
        check = fill(s, base, "/reclamo", reclamo())
        csrf = token(s, base + check)
        hijacked = s.post(base + check, data={"csrf_token": csrf}, allow_redirects=False,
                          headers={"Host": "ufficio-login.evil.example"})
        assert hijacked.status_code == 400 and stored(app) == 0
        done = s.post(base + check, data={"csrf_token": csrf}, allow_redirects=False)
        assert done.status_code == 303
    body = office_mail(app)
    assert "https://servizi.example.it/ufficio/1" in body and "evil" not in body
    app.extensions["carta_engine"].dispose()


def test_a_public_url_that_is_not_absolute_stops_the_start(tmp_path):
    from form_backend.config import ConfigError

    with pytest.raises(ConfigError, match=r"https://servizi\.example\.it"):
        make_app(tmp_path, PUBLIC_URL="servizi.example.it")


def test_without_a_public_url_only_loopback_hosts_make_links(app):
    with http_server(app) as base:
        s = requests.Session()
        s.headers["Host"] = "ufficio-login.evil.example"
        check = fill(s, base, "/reclamo", reclamo())
        done = s.post(base + check, data={"csrf_token": token(s, base + check)},
                      allow_redirects=False)
        assert done.status_code == 303
        body = office_mail(app)
        assert "evil" not in body and "://" not in body  # no absolute link at all
        local = requests.Session()  # carta serve on 127.0.0.1 keeps its link
        check = fill(local, base, "/reclamo", reclamo(nome="Bice"))
        local.post(base + check, data={"csrf_token": token(local, base + check)})
    with app.extensions["carta_sessions"]() as db:
        bodies = db.execute(select(Outbox.body).where(
            Outbox.recipient == "ufficio@example.org").order_by(Outbox.id)).scalars().all()
    assert f"{base}/ufficio/2" in bodies[1]


# --- finding 9: headers ---


def test_receipt_pdf_attachments_and_exports_are_never_cached(app):
    from form_backend.office import add_user

    add_user(app.extensions["carta_sessions"], "operatrice", "una-password-lunga")
    with http_server(app) as base:
        s = requests.Session()
        check = fill(s, base, "/domanda/telesoccorso", domanda(), isee())
        assert s.get(base + check).headers["Cache-Control"] == "no-store"
        done = s.post(base + check, data={"csrf_token": token(s, base + check)},
                      allow_redirects=False)
        receipt = base + done.headers["Location"].split("?")[0]
        pdf = s.get(receipt + ".pdf")
        assert pdf.headers["Content-Type"] == "application/pdf"
        responses = [pdf, s.get(receipt)]
        op = requests.Session()
        t = token(op, base + "/ufficio/login")
        op.post(base + "/ufficio/login", data={"csrf_token": t, "name": "operatrice",
                                               "password": "una-password-lunga"})
        with app.extensions["carta_sessions"]() as db:
            attachment = db.execute(select(Attachment.id)).scalar_one()
        responses += [op.get(f"{base}/ufficio/1/allegati/{attachment}"),
                      op.get(base + "/ufficio/export.csv"),
                      op.get(base + "/ufficio/graduatoria/telesoccorso.csv")]
    for r in responses:
        assert r.status_code == 200, r.url
        assert r.headers["Cache-Control"] == "no-store", (r.url, r.headers.get("Cache-Control"))


def test_csp_allows_no_inline_style_or_script_and_hsts_is_a_setting(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><title>x</title><script>var a=1</script>")
    plain = make_app(tmp_path, CARTA_SITE_DIR=str(site))
    strict = make_app(tmp_path, HSTS_SECONDS=31536000)
    with http_server(plain) as base, http_server(strict) as strict_base:
        pages = [requests.get(base + p) for p in ("/reclamo", "/", "/domanda/telesoccorso",
                                                  "/non-esiste")]
        hsts = requests.get(strict_base + "/reclamo")
    for r in pages:
        csp = dict(d.strip().split(" ", 1) for d in r.headers["Content-Security-Policy"]
                   .split(";"))
        assert "unsafe-inline" not in r.headers["Content-Security-Policy"], csp
        assert csp["style-src"] == "'self'" and csp["default-src"] == "'self'"
        assert csp["base-uri"] == "'none'" and csp["object-src"] == "'none'"
        assert "Strict-Transport-Security" not in r.headers
    assert hsts.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    for app in (plain, strict):
        app.extensions["carta_engine"].dispose()


def test_the_receipt_pdf_is_throttled(tmp_path):
    """Each PDF is rendered on request: a client gets as many as it may send forms."""
    app = make_app(tmp_path, RATELIMIT_SUBMIT="2 per minute")
    with http_server(app) as base:
        s = requests.Session()
        check = fill(s, base, "/reclamo", reclamo())
        done = s.post(base + check, data={"csrf_token": token(s, base + check)},
                      allow_redirects=False)
        pdf = base + done.headers["Location"].split("?")[0] + ".pdf"
        statuses = [s.get(pdf).status_code for _ in range(3)]
    app.extensions["carta_engine"].dispose()
    assert statuses == [200, 200, 429]


def test_the_app_sends_no_server_banner(app):
    response = app.test_client().get("/reclamo")
    assert "Server" not in response.headers and "X-Powered-By" not in response.headers


@pytest.mark.system
def test_site_and_forms_render_under_the_strict_csp_in_chromium(site, tmp_path):
    """Material's pages and the forms in headless Chromium with the CSP the app sends: no
    violation reported, the pages styled (screenshots kept in tmp_path for a look)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed")
    app = make_app(tmp_path, CARTA_SITE_DIR=str(site))
    problems = []
    with http_server(app) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text)
                if "Content Security Policy" in m.text else None)
        for path in ("/", "/servizi/telesoccorso/", "/uffici/", "/en/", "/ar/", "/reclamo",
                     "/domanda/telesoccorso?lang=ar"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(tmp_path / (path.strip("/").replace("/", "_").replace(
                "?", "_") or "home")) + ".png", full_page=False)
            styled = page.evaluate("getComputedStyle(document.body).margin")
            assert styled == "0px", (path, styled)  # both stylesheets set the body margin
        page.goto(base + "/reclamo")
        page.click("button[type=submit]")
        assert page.locator(".error-summary").is_visible()
        assert page.evaluate("getComputedStyle(document.querySelector('.error-summary'))"
                             ".borderTopStyle") == "solid"
        browser.close()
    app.extensions["carta_engine"].dispose()
    assert problems == []


def test_expired_drafts_are_swept_when_new_ones_are_made(app):
    with http_server(app) as base:
        s = requests.Session()
        fill(s, base, "/reclamo", reclamo())
        with app.extensions["carta_sessions"].begin() as db:
            db.execute(update(Draft).values(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
        app.extensions["carta_draft_sweep"] = 0.0  # the last sweep was long ago
        fill(s, base, "/reclamo", reclamo(nome="Bice"))
    with app.extensions["carta_sessions"]() as db:
        left = db.execute(text("select count(*) from drafts")).scalar()
    assert left == 1
