"""Office sign-in and audit (issue 12, part C): server-side sessions, lockout, TOTP, password
policy, trusted proxies, the users commands and the audit log, through real HTTP, real argon2
and real TOTP codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import statistics
import time
from pathlib import Path

import pyotp
import pytest
import requests
from sqlalchemy import select, update

from carta.cli import main as carta_main
from form_backend import create_app
from form_backend.auth import OfficeLog, OfficeSession, OperatorAuth
from form_backend.db import User
from form_backend.operators import PasswordRefused, add_user, set_active, set_password
from tests.factory import write_charter
from tests.payloads import PDF, domanda
from tests.servers import http_server
from tests.test_backend import backend, sqlite_backend, submit, token  # noqa: F401

NAME, PASSWORD = "operatrice", "una-password-lunga"
HEALTH_NAME, HEALTH_PASSWORD = "sanitaria", "cavallo batteria graffetta"


def login(base: str, name: str = NAME, password: str = PASSWORD,
          session: requests.Session | None = None) -> tuple[requests.Session, requests.Response]:
    s = session or requests.Session()
    t = token(s, base + "/ufficio/login")
    r = s.post(base + "/ufficio/login", data={"csrf_token": t, "name": name,
                                              "password": password}, allow_redirects=False)
    return s, r


def logout(s: requests.Session, base: str) -> requests.Response:
    page = s.get(base + "/ufficio/")
    t = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return s.post(base + "/ufficio/logout", data={"csrf_token": t}, allow_redirects=False)


def copy(s: requests.Session) -> requests.Session:
    other = requests.Session()
    for c in s.cookies:
        other.cookies.set_cookie(c)
    return other


def attachment_link(s: requests.Session, base: str, record: int = 1) -> str:
    page = s.get(f"{base}/ufficio/{record}").text
    return re.search(rf'href="(/ufficio/{record}/allegati/\d+)"', page).group(1)


def opens(s: requests.Session, base: str, path: str = "/ufficio/") -> bool:
    r = s.get(base + path, allow_redirects=False)
    assert r.status_code in (200, 302), r.status_code
    return r.status_code == 200


def log_rows(app) -> list[OfficeLog]:
    with app.extensions["carta_sessions"]() as s:
        return s.execute(select(OfficeLog).order_by(OfficeLog.id)).scalars().all()


def sensitive_parameter(app):
    charter = app.extensions["carta"]
    return next(p for g in charter.access_parameters.groups for p in g.parameters
                if p.sensitive and p.points is not None and not p.per_person)


def health_label(app) -> str:
    """How the office pages name the health answer (its label in the YAML, not its id), as
    it appears in the HTML."""
    from markupsafe import escape

    return str(escape(sensitive_parameter(app).text.resolve("it")[0]))


def with_health_record(app, base):
    """One domanda with a health answer and an attachment; returns the answer's key."""
    key = f"par-{sensitive_parameter(app).id}"
    submit(requests.Session(), base, "/domanda/telesoccorso", domanda(**{key: "y"}),
           files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    return key


@pytest.fixture
def unlimited():
    """RATELIMIT_ENABLED=False for this test only: Flask-Limiter's one shared Limiter keeps
    the flag of the last app that set it, so every later app in the process would lose its
    limits too."""
    from form_backend.extensions import limiter

    yield {"RATELIMIT_ENABLED": False}
    limiter.enabled = True


@pytest.fixture
def office(sqlite_backend):  # noqa: F811
    """The app with one operator without health access; yields (base, app)."""
    app = sqlite_backend()
    add_user(app.extensions["carta_sessions"], NAME, PASSWORD)
    with http_server(app) as base:
        yield base, app


# --- finding 3: server-side sessions ---------------------------------------------------

def test_a_cookie_copied_before_logout_opens_nothing_after_it(office):
    base, _app = office
    submit(requests.Session(), base, "/domanda/telesoccorso", domanda(),
           files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    s, r = login(base)
    assert r.status_code == 303
    stolen = copy(s)
    link = attachment_link(s, base)
    assert opens(stolen, base) and opens(stolen, base, "/ufficio/1") and opens(stolen, base, link)
    out = logout(s, base)
    assert out.status_code == 303 and out.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert not opens(stolen, base) and not opens(stolen, base, "/ufficio/1")
    assert not opens(stolen, base, link)
    assert not opens(s, base)


def test_disabling_an_operator_ends_their_open_sessions(office):
    base, app = office
    s, _ = login(base)
    assert opens(s, base)
    set_active(app.extensions["carta_sessions"], NAME, False)
    assert not opens(s, base)
    assert login(base)[1].status_code == 401  # and no new one
    set_active(app.extensions["carta_sessions"], NAME, True)
    assert login(base)[1].status_code == 303


def test_a_new_password_ends_every_session_of_the_operator(office):
    base, app = office
    first, _ = login(base)
    second, _ = login(base)
    set_password(app.extensions["carta_sessions"], NAME, "un'altra frase segreta")
    assert not opens(first, base) and not opens(second, base)
    assert login(base)[1].status_code == 401
    assert login(base, password="un'altra frase segreta")[1].status_code == 303


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(office):
    base, _app = office
    mine, _ = login(base)
    other, _ = login(base)
    t = token(mine, base + "/ufficio/password")
    weak = mine.post(base + "/ufficio/password", data={
        "csrf_token": t, "current": PASSWORD, "new": "aaaaaaaaaaaa", "repeat": "aaaaaaaaaaaa"})
    assert weak.status_code == 400 and "stessi caratteri" in weak.text
    wrong = mine.post(base + "/ufficio/password", data={
        "csrf_token": t, "current": "sbagliata!!!!", "new": "nuova frase lunga", "repeat":
        "nuova frase lunga"})
    assert wrong.status_code == 400 and opens(other, base)
    done = mine.post(base + "/ufficio/password", data={
        "csrf_token": t, "current": PASSWORD, "new": "nuova frase lunga",
        "repeat": "nuova frase lunga"})
    assert done.status_code == 200 and "Password cambiata" in done.text
    assert opens(mine, base) and not opens(other, base)
    assert login(base, password="nuova frase lunga")[1].status_code == 303


def test_operators_see_their_sessions_and_close_the_others_with_their_password(office):
    base, _app = office
    mine, _ = login(base)
    other, _ = login(base)
    page = mine.get(base + "/ufficio/sessioni")
    assert page.text.count("<tr><td dir=\"ltr\">") == 2 and "questa sessione" in page.text
    t = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    wrong = mine.post(base + "/ufficio/sessioni", data={"csrf_token": t, "password": "no" * 7})
    assert wrong.status_code == 400 and opens(other, base)
    done = mine.post(base + "/ufficio/sessioni", data={"csrf_token": t, "password": PASSWORD})
    assert done.status_code == 200 and "Le altre sessioni sono state chiuse" in done.text
    assert done.text.count("<tr><td dir=\"ltr\">") == 1
    assert opens(mine, base) and not opens(other, base)


def test_sessions_end_after_the_idle_and_the_absolute_timeout(sqlite_backend):  # noqa: F811
    app = sqlite_backend(OFFICE_IDLE_MINUTES=0.03, OFFICE_MAX_HOURS=0.001)  # 1.8 s, 3.6 s
    add_user(app.extensions["carta_sessions"], NAME, PASSWORD)
    with http_server(app) as base:
        idle, _ = login(base)
        time.sleep(2.0)
        assert not opens(idle, base)
        busy, _ = login(base)
        started = time.monotonic()
        while time.monotonic() - started < 3.0:  # never idle, yet…
            with app.extensions["carta_sessions"].begin() as s:  # (the once-a-minute touch)
                s.execute(update(OfficeSession).values(last_seen_at=dt.datetime.now(dt.UTC)))
            assert opens(busy, base)
            time.sleep(0.5)
        time.sleep(1.0)
        assert not opens(busy, base)  # …the absolute limit ends it
    with app.extensions["carta_sessions"]() as s:
        assert s.execute(select(OfficeSession)).first() is None  # expired rows are deleted
    assert [(r.action, r.detail) for r in log_rows(app) if r.action == "session-expired"] == [
        ("session-expired", "idle"), ("session-expired", "lifetime")]


def test_the_session_cookie_is_random_stored_hashed_httponly_strict_and_office_only(office):
    base, app = office
    s, r = login(base)
    cookie = next(c for c in r.headers["Set-Cookie"].split(", ") if "carta_office=" in c)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/ufficio" in cookie and "Secure" not in cookie
    value = s.cookies.get("carta_office")
    assert len(value) >= 40
    with app.extensions["carta_sessions"]() as db:
        stored = db.execute(select(OfficeSession.token_hash)).scalars().all()
    assert value not in stored and hashlib.sha256(value.encode()).hexdigest() in stored


def test_over_https_the_session_cookie_is_secure_and_host_only(sqlite_backend):  # noqa: F811
    from form_backend.auth import current_operator, set_cookie

    app = sqlite_backend(SESSION_COOKIE_SECURE=True)
    add_user(app.extensions["carta_sessions"], NAME, PASSWORD)
    client = app.test_client()
    t = re.search(r'name="csrf_token" value="([^"]+)"',
                  client.get("https://localhost/ufficio/login").text).group(1)
    r = client.post("https://localhost/ufficio/login",
                    data={"csrf_token": t, "name": NAME, "password": PASSWORD},
                    headers={"Referer": "https://localhost/ufficio/login"})  # CSRF over HTTPS
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if "carta_office" in c)
    # __Host-: Secure, Path=/ and no Domain, or the browser refuses it
    assert cookie.startswith("__Host-carta_office=") and "Domain" not in cookie
    assert "Secure" in cookie and "SameSite=Strict" in cookie and "Path=/;" in cookie
    assert client.get("https://localhost/ufficio/").status_code == 200
    with app.test_request_context("/ufficio/", headers={"Cookie": "carta_office=" + "x" * 43}):
        assert current_operator() is None  # the unprefixed name is not read over HTTPS
    with app.test_request_context("/"):
        response = app.make_response("")
        set_cookie(response, "x" * 43)
    assert response.headers["Set-Cookie"].startswith("__Host-carta_office=")


# --- finding 5: login -------------------------------------------------------------------

def test_unknown_names_take_as_long_as_known_ones(sqlite_backend, unlimited):  # noqa: F811
    app = sqlite_backend(OFFICE_LOCKOUT_AFTER=1000, **unlimited)
    add_user(app.extensions["carta_sessions"], NAME, PASSWORD)
    with http_server(app) as base:
        s = requests.Session()
        t = token(s, base + "/ufficio/login")

        def took(name):
            started = time.perf_counter()
            r = s.post(base + "/ufficio/login", data={"csrf_token": t, "name": name,
                                                      "password": "sbagliata-davvero"})
            assert r.status_code == 401
            return time.perf_counter() - started

        took(NAME), took("nessuno")  # warm both paths
        pairs = [(took(NAME), took("nessuno")) for _ in range(9)]  # interleaved: same load
        known = statistics.median(k for k, _ in pairs)
        unknown = statistics.median(u for _, u in pairs)
    # before: 800 ms against 24 ms (a ratio of 0.03); now both verify one argon2 hash
    assert 0.5 < unknown / known < 2, (known, unknown)


def database(request, tmp_path, name: str) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / (name + '.db')}"
    return request.getfixturevalue("postgres").new_database(
        f"{name}{abs(hash(request.node.nodeid)) % 10**9}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty database on SQLite and on a real PostgreSQL server."""
    return database(request, tmp_path, "office")


def test_wrong_passwords_lock_the_account_for_every_process_with_back_off(tmp_path, db_url,
                                                                          unlimited):
    url = db_url
    from cryptography.fernet import Fernet

    from tests.factory import REPO

    config = {"CARTA_ROOT": str(REPO), "DATABASE_URL": url, "TESTING": True,
              "ENCRYPTION_KEY": Fernet.generate_key().decode(), "OUTBOX_SENDER": False,
              "SECRET_KEY": "test", "CARTA_SITE_DIR": str(tmp_path / "no-site"),
              **unlimited}
    one, two = create_app(config), create_app(config)  # two processes' worth of state
    add_user(one.extensions["carta_sessions"], NAME, PASSWORD)
    with http_server(one) as a, http_server(two) as b:
        for i in range(5):
            assert login(a if i % 2 else b, password=f"sbagliata-{i}")[1].status_code == 401
        refused = login(b)[1]  # the right password, on the other process
        assert refused.status_code == 401 and "Nome utente o password" in refused.text
        with one.extensions["carta_sessions"]() as s:
            row = s.execute(select(OperatorAuth)).scalar_one()
        first = row.locked_until.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
        assert dt.timedelta(minutes=14) < first <= dt.timedelta(minutes=15)

        def unlock():
            with one.extensions["carta_sessions"].begin() as s:
                s.execute(update(OperatorAuth).values(locked_until=None))

        unlock()
        assert login(a, password="ancora-sbagliata")[1].status_code == 401
        with one.extensions["carta_sessions"]() as s:
            row = s.execute(select(OperatorAuth)).scalar_one()
        second = row.locked_until.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
        assert dt.timedelta(minutes=29) < second <= dt.timedelta(minutes=30)  # doubled
        unlock()
        s, r = login(b)
        assert r.status_code == 303 and opens(s, a)  # a session opened on b works on a
        with one.extensions["carta_sessions"]() as db:
            assert db.execute(select(OperatorAuth.failed_count)).scalar() == 0
        stolen = copy(s)
        assert logout(s, a).status_code == 303 and not opens(stolen, b)
    actions = [r.action for r in log_rows(one)]
    assert actions.count("login-failed") == 6 and "login-locked" in actions
    for app in (one, two):
        app.extensions["carta_engine"].dispose()


def test_a_lockout_lasts_at_most_four_hours_however_many_failures(office):
    base, app = office
    with app.extensions["carta_sessions"].begin() as s:
        s.execute(update(OperatorAuth).values(failed_count=5000))
    assert login(base, password="ancora sbagliata")[1].status_code == 401
    with app.extensions["carta_sessions"]() as s:
        until = s.execute(select(OperatorAuth.locked_until)).scalar().replace(tzinfo=dt.UTC)
    assert dt.timedelta(hours=3, minutes=59) < until - dt.datetime.now(dt.UTC) <= \
        dt.timedelta(hours=4)


@pytest.mark.parametrize("password, why", [
    ("aaaaaaaaaaaa", "office_pw_repeated"),  # accepted before
    ("abcabcabcabc", "office_pw_repeated"),
    ("ciaociaociaociao", "office_pw_repeated"),
    ("123456789012", "office_pw_sequence"),
    ("qwertyuiopasdf", "office_pw_sequence"),
    ("Password2024!", "office_pw_common"),
    ("P@ssw0rd12345", "office_pw_common"),
    ("juventus1897!!", "office_pw_common"),
    ("operatrice-2026", "office_pw_name"),
    ("corta", "office_pw_short"),
])
def test_password_policy_refuses_common_and_trivial_passwords(sqlite_backend, password, why):  # noqa: F811
    app = sqlite_backend()
    with pytest.raises(PasswordRefused) as refused:
        add_user(app.extensions["carta_sessions"], NAME, password)
    assert refused.value.key == why
    assert app.extensions["carta"].t("it", why, n=12)  # every reason has its message


@pytest.mark.parametrize("password", ["Sorrento2026!!", "massalubrense1", "SanCataldo-1981"])
def test_password_policy_refuses_the_districts_own_words(sqlite_backend, password):  # noqa: F811
    from form_backend.passwords import context_words

    app = sqlite_backend()
    words = context_words(app.extensions["carta"])  # from the charter: comuni, patrons, names
    assert {"sorrento", "massalubrense", "cataldo"} <= words
    add_user(app.extensions["carta_sessions"], "primo", password)  # not a common word
    with pytest.raises(PasswordRefused) as refused:
        add_user(app.extensions["carta_sessions"], NAME, password, context=words)
    assert refused.value.key == "office_pw_common"


def test_password_policy_accepts_a_phrase(sqlite_backend):  # noqa: F811
    app = sqlite_backend()
    add_user(app.extensions["carta_sessions"], NAME, "cavallo batteria graffetta")


@pytest.mark.parametrize("hops, expected", [(0, {"127.0.0.1"}),
                                            (1, {"203.0.113.7", "198.51.100.9"})])
def test_trusted_proxies_decide_the_client_address(sqlite_backend, hops, expected):  # noqa: F811
    app = sqlite_backend(TRUSTED_PROXIES=hops, RATELIMIT_ENABLED=True)
    add_user(app.extensions["carta_sessions"], NAME, PASSWORD)
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    with http_server(app) as base:
        s = requests.Session()
        t = token(s, base + "/ufficio/login")
        statuses = [s.post(base + "/ufficio/login", headers=forwarded,
                           data={"csrf_token": t, "name": "nessuno", "password": "x" * 12}
                           ).status_code for _ in range(11)]
        other = s.post(base + "/ufficio/login", headers={"X-Forwarded-For": "198.51.100.9"},
                       data={"csrf_token": t, "name": "nessuno", "password": "x" * 12})
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    # with a trusted proxy every client has its own limit; without, a forged header is ignored
    assert other.status_code == (401 if hops else 429)
    assert {r.address for r in log_rows(app) if r.action == "login-failed"} == expected


# --- finding 5: second factor -----------------------------------------------------------

def enrol(base: str, s: requests.Session, r: requests.Response) -> tuple[pyotp.TOTP, str]:
    assert r.status_code == 303 and r.headers["Location"].startswith("/ufficio/due-fattori")
    page = s.get(base + r.headers["Location"])
    assert page.status_code == 200 and 'src="data:image/svg+xml;base64,' in page.text
    secret = re.search(r'<code class="secret" dir="ltr">([A-Z2-7 ]+)</code>', page.text)
    uri = re.search(r'(otpauth://totp/[^"<]+)', page.text).group(1)
    totp = pyotp.TOTP(secret.group(1).replace(" ", ""))
    assert "secret=" + totp.secret in uri.replace("&amp;", "&")
    return totp, re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_health_access_needs_a_second_factor_enrolled_then_used_once_per_code(backend):  # noqa: F811
    base, app = backend  # SQLite and PostgreSQL
    add_user(app.extensions["carta_sessions"], HEALTH_NAME, HEALTH_PASSWORD, health_access=True)
    key = with_health_record(app, base)
    s, r = login(base, HEALTH_NAME, HEALTH_PASSWORD)
    assert not opens(s, base) and not opens(s, base, "/ufficio/1")  # not before the code
    totp, t = enrol(base, s, r)
    wrong = s.post(base + "/ufficio/due-fattori", data={"csrf_token": t, "code": "000000"})
    assert wrong.status_code == 401 and not opens(s, base)
    pending = copy(s)
    code = totp.now()
    ok = s.post(base + "/ufficio/due-fattori", data={"csrf_token": t, "code": code},
                allow_redirects=False)
    assert ok.status_code == 303 and ok.headers["Location"] == "/ufficio/"
    detail = s.get(base + "/ufficio/1").text
    assert health_label(app) in detail and "Verifica in due passaggi attiva" in detail
    assert key not in detail  # labels from the YAML, not ids
    assert not opens(pending, base)  # the token seen before the code is not promoted
    assert logout(s, base).status_code == 303

    s, r = login(base, HEALTH_NAME, HEALTH_PASSWORD)
    assert r.headers["Location"].startswith("/ufficio/codice")
    t = token(s, base + r.headers["Location"])
    replay = s.post(base + "/ufficio/codice", data={"csrf_token": t, "code": code})
    assert replay.status_code == 401 and not opens(s, base)
    following = totp.at(time.time() + 30)  # the next time step: not used yet
    ok = s.post(base + "/ufficio/codice", data={"csrf_token": t, "code": following},
                allow_redirects=False)
    assert ok.status_code == 303 and opens(s, base, "/ufficio/1")
    actions = [(r.user, r.action) for r in log_rows(app)]
    assert (HEALTH_NAME, "totp-enrolled") in actions and (HEALTH_NAME, "totp-failed") in actions
    with app.extensions["carta_sessions"]() as db:
        stored = db.execute(select(OperatorAuth.totp_secret)).scalar()
    assert totp.secret.encode() not in stored  # encrypted at rest


def test_every_operator_enrols_when_a_second_factor_is_required(sqlite_backend):  # noqa: F811
    app = sqlite_backend(OFFICE_TOTP_REQUIRED=True)
    add_user(app.extensions["carta_sessions"], NAME, PASSWORD)
    with http_server(app) as base:
        s, r = login(base)
        assert r.headers["Location"].startswith("/ufficio/due-fattori") and not opens(s, base)
        totp, t = enrol(base, s, r)
        s.post(base + "/ufficio/due-fattori", data={"csrf_token": t, "code": totp.now()})
        assert opens(s, base)
        page = s.get(base + "/ufficio/").text
    assert "/ufficio/due-fattori" not in page  # nothing more to enrol


def test_enrolling_from_a_signed_in_session_asks_for_the_password_again(office):
    base, _app = office
    s, r = login(base)
    assert r.headers["Location"] == "/ufficio/"  # no health access: no second factor needed
    page = s.get(base + "/ufficio/due-fattori")
    totp = pyotp.TOTP(re.search(r'<code class="secret" dir="ltr">([A-Z2-7 ]+)</code>',
                                page.text).group(1).replace(" ", ""))
    t = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    hijacked = s.post(base + "/ufficio/due-fattori", data={"csrf_token": t, "code": totp.now()})
    assert hijacked.status_code == 401 and "password attuale" in hijacked.text.lower()
    done = s.post(base + "/ufficio/due-fattori", data={
        "csrf_token": t, "code": totp.now(), "password": PASSWORD}, allow_redirects=False)
    assert done.status_code == 303
    logout(s, base)
    s, r = login(base)
    assert r.headers["Location"].startswith("/ufficio/codice")  # from now on, always


def test_health_answers_are_hidden_from_operators_without_health_access(office):
    base, app = office
    key = with_health_record(app, base)
    s, _ = login(base)
    page = s.get(base + "/ufficio/1").text
    assert key not in page and health_label(app) not in page
    assert "visibili solo agli operatori abilitati" in page


def test_totp_failures_count_towards_the_lockout(sqlite_backend, unlimited):  # noqa: F811
    app = sqlite_backend(**unlimited)
    add_user(app.extensions["carta_sessions"], HEALTH_NAME, HEALTH_PASSWORD, health_access=True)
    with http_server(app) as base:
        s, r = login(base, HEALTH_NAME, HEALTH_PASSWORD)
        totp, t = enrol(base, s, r)
        s.post(base + "/ufficio/due-fattori", data={"csrf_token": t, "code": totp.now()})
        logout(s, base)
        s, r = login(base, HEALTH_NAME, HEALTH_PASSWORD)  # the password does not reset it
        t = token(s, base + r.headers["Location"])
        for _ in range(5):
            bad = s.post(base + "/ufficio/codice", data={"csrf_token": t, "code": "123456"})
            assert bad.status_code == 401
        good = s.post(base + "/ufficio/codice", data={
            "csrf_token": t, "code": totp.at(time.time() + 30)}, allow_redirects=False)
        assert good.status_code == 401  # locked: even the right code waits
        assert login(base, HEALTH_NAME, HEALTH_PASSWORD)[1].status_code == 401


# --- the users commands --------------------------------------------------------------

@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run ``carta users …`` in this process against a small charter; yields (run, app)."""
    import os

    for name in [n for n in os.environ if n.startswith("CARTA_")]:
        monkeypatch.delenv(name)
    root = write_charter(tmp_path / "charter")

    def run(*args: str, password: str | None = None) -> int:
        if password:
            monkeypatch.setenv("CARTA_NEW_PASSWORD", password)
        return carta_main(list(args))

    def app():
        return create_app({"CARTA_ROOT": str(root), "OUTBOX_SENDER": False, "TESTING": True,
                           "SECRET_KEY": "test", "CARTA_SITE_DIR": str(tmp_path / "no-site")})

    yield run, root, app


def test_users_commands_add_list_disable_enable_passwd_and_totp_reset(cli, capsys):
    run, root, make = cli
    r = str(root)
    assert run("users", "add", "anna", "--root", r, password="aaaaaaaaaaaa") == 2
    assert "repeats the same characters" in capsys.readouterr().err
    assert run("users", "--root", r, "add", "anna", "--health-access", password=PASSWORD) == 0
    assert run("users", "add", "bruno", "--root", r, password="bruno ha una frase") == 2
    assert run("users", "add", "bruno", "--root", r, password="una frase di bruno?") == 2
    assert run("users", "add", "carlo", "--root", r, password="SanPrimo2026!!") == 2  # patron
    assert run("users", "add", "carlo", "--root", r, password=HEALTH_PASSWORD) == 0
    capsys.readouterr()
    assert run("users", "list", "--root", r) == 0
    listing = capsys.readouterr().out.splitlines()
    assert re.match(r"anna\s+active\s+yes\s+no\s+-\s+-", listing[1])
    assert re.match(r"carlo\s+active\s+no\s+no", listing[2])

    app = make()
    with http_server(app) as base:
        s, r_ = login(base, "anna", PASSWORD)
        totp, t = enrol(base, s, r_)
        s.post(base + "/ufficio/due-fattori", data={"csrf_token": t, "code": totp.now()})
        assert opens(s, base)
        other, _ = login(base, "carlo", HEALTH_PASSWORD)
        assert opens(other, base)

        assert run("users", "--root", r, "totp-reset", "anna") == 0
        assert not opens(s, base)  # sessions end with the second factor
        s, r_ = login(base, "anna", PASSWORD)
        assert r_.headers["Location"].startswith("/ufficio/due-fattori")  # enrol again

        assert run("users", "disable", "carlo", "--root", r) == 0
        assert not opens(other, base) and login(base, "carlo", HEALTH_PASSWORD)[1].status_code == 401
        capsys.readouterr()
        run("users", "list", "--root", r)
        assert re.search(r"^carlo\s+disabled", capsys.readouterr().out, re.M)
        assert run("users", "enable", "carlo", "--root", r) == 0
        other, r_ = login(base, "carlo", HEALTH_PASSWORD)
        assert r_.status_code == 303 and opens(other, base)

        assert run("users", "passwd", "carlo", "--root", r, password="password1234") == 2
        assert run("users", "--root", r, "passwd", "carlo", password="nuova frase lunga") == 0
        assert not opens(other, base)
        assert login(base, "carlo", "nuova frase lunga")[1].status_code == 303

        assert run("users", "health-access", "carlo", "on", "--root", r) == 0
        s, r_ = login(base, "carlo", "nuova frase lunga")
        assert r_.headers["Location"].startswith("/ufficio/due-fattori")

        first, _ = login(base, "carlo", "nuova frase lunga")
        second, _ = login(base, "anna", PASSWORD)
        assert run("users", "logout", "carlo", "--root", r) == 0
        assert "ended 2 sessions of carlo" in capsys.readouterr().out
        assert not opens(first, base, "/ufficio/due-fattori")
        assert opens(second, base, "/ufficio/due-fattori")
        assert run("users", "--root", r, "logout") == 2
        assert run("users", "--root", r, "logout", "--all") == 0
        assert not opens(second, base, "/ufficio/due-fattori")
    assert run("users", "disable", "nessuno", "--root", r) == 1
    capsys.readouterr()
    assert run("users", "log", "carlo", "--root", r, "--limit", "3") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("when (Europe/Rome)") and len(lines) == 4
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d carlo ", x) for x in lines[1:])
    assert "sessions-ended" in lines[1] and " cli " in lines[1]  # newest first
    actions = [(x.user, x.action, x.address) for x in log_rows(app)]
    for done in ("user-added", "totp-reset", "user-disabled", "user-enabled", "password-changed",
                 "health-access", "sessions-ended"):
        assert any(a == done and where == "cli" for _, a, where in actions), done
    app.extensions["carta_engine"].dispose()


# --- finding 11: audit ------------------------------------------------------------------

def test_logins_downloads_and_exports_leave_an_audit_record_without_personal_data(office, capfd):
    base, app = office
    submit(requests.Session(), base, "/domanda/telesoccorso", domanda(cognome="Esposito"),
           files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    capfd.readouterr()
    login(base, password="sbagliata-davvero")
    login(base, "nessuno", "mia-password-segreta")
    s, _ = login(base)
    download = s.get(base + attachment_link(s, base))
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    assert s.get(base + "/ufficio/export.csv").status_code == 200
    assert s.get(base + "/ufficio/graduatoria/telesoccorso.csv").status_code == 200
    logout(s, base)
    rows = [(r.user, r.action, r.submission_id) for r in log_rows(app)]
    assert rows[-7:] == [(NAME, "login-failed", None), (None, "login-failed", None),
                         (NAME, "login", None), (NAME, "download", 1), (NAME, "export", None),
                         (NAME, "export", None), (NAME, "logout", None)]
    stored = json.dumps([[str(v) for v in vars(r).values()] for r in log_rows(app)])
    for secret in ("sbagliata-davvero", "mia-password-segreta", PASSWORD, "Esposito",
                   "nessuno"):
        assert secret not in stored
    lines = [json.loads(x) for x in capfd.readouterr().err.splitlines() if x.startswith("{")]
    logins = [x for x in lines if x["msg"].startswith("office login")]
    assert [x.get("operator") for x in logins] == [NAME, None, NAME]
    assert not any(p in json.dumps(lines) for p in ("sbagliata-davvero", PASSWORD, "Esposito"))
    detail = s.get(base + "/ufficio/1")  # signed out: the history needs a new login
    assert detail.url.endswith("/ufficio/login?next=/ufficio/1")
    s, _ = login(base)
    assert "allegato scaricato doc-isee" in s.get(base + "/ufficio/1").text


def test_operators_from_before_keep_health_access_and_enrol_at_their_next_login(tmp_path,
                                                                                db_url):
    from cryptography.fernet import Fernet
    from sqlalchemy import text

    from form_backend.db import make_engine
    from form_backend.migrate import downgrade, upgrade
    from tests.factory import REPO

    url = db_url
    engine = make_engine(url)
    upgrade(engine, "0004")
    with engine.begin() as c:
        c.execute(text("insert into users (name, password_hash, active, created_at) values "
                       "(:n, :h, true, '2025-01-01')"),
                  {"n": NAME, "h": __import__("argon2").PasswordHasher().hash(PASSWORD)})
    engine.dispose()
    app = create_app({"CARTA_ROOT": str(REPO), "DATABASE_URL": url, "TESTING": True,
                      "ENCRYPTION_KEY": Fernet.generate_key().decode(), "OUTBOX_SENDER": False,
                      "SECRET_KEY": "test", "CARTA_SITE_DIR": str(tmp_path / "no-site")})
    with http_server(app) as base:
        _, r = login(base)
    assert r.headers["Location"].startswith("/ufficio/due-fattori")
    with app.extensions["carta_sessions"]() as s:
        assert s.execute(select(OperatorAuth.health_access)).scalar() is True
        assert s.execute(select(User.name)).scalar() == NAME
    app.extensions["carta_engine"].dispose()
    downgrade(engine, "0004")  # and back: the users stay, the new tables go
    with engine.connect() as c:
        assert c.execute(text("select name from users")).scalar() == NAME
    engine.dispose()


# --- in a browser -----------------------------------------------------------------------

@pytest.mark.system
def test_login_enrolment_and_logout_in_chromium(sqlite_backend, tmp_path):  # noqa: F811
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-system-deps)")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    found = []

    def axe_check(page):
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
            "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        found.extend(f"{page.url}: {v['id']}" for v in result.response["violations"])

    app = sqlite_backend()
    add_user(app.extensions["carta_sessions"], HEALTH_NAME, HEALTH_PASSWORD, health_access=True)
    shots = Path(__file__).resolve().parent.parent / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with http_server(app) as base, sync_playwright() as p:
        key = with_health_record(app, base)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(locale="it-IT")
        page.goto(base + "/ufficio/1")
        assert page.url.endswith("/ufficio/login?next=/ufficio/1")
        page.fill("#name", HEALTH_NAME)
        page.fill("#password", HEALTH_PASSWORD)
        page.screenshot(path=str(shots / "office-login.png"), full_page=True)
        page.click("main button[type=submit]")
        assert "/ufficio/due-fattori" in page.url
        qr = page.locator("img[alt^='Codice QR']")
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
        secret = page.locator("code.secret").inner_text().replace(" ", "")
        page.screenshot(path=str(shots / "office-enrol.png"), full_page=True)
        axe_check(page)
        page.fill("#code", pyotp.TOTP(secret).now())
        page.click("text=Conferma")
        assert page.url == base + "/ufficio/1"
        assert sensitive_parameter(app).text.resolve("it")[0] in page.inner_text("body")
        assert key not in page.content()
        cookie = next(c for c in page.context.cookies() if c["name"] == "carta_office")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/ufficio"
        page.screenshot(path=str(shots / "office-detail.png"), full_page=True)
        page.click("text=Sessioni aperte")
        assert page.locator("table tbody tr").count() == 1
        page.screenshot(path=str(shots / "office-sessions.png"), full_page=True)
        axe_check(page)
        page.goto(base + "/ufficio/password")
        axe_check(page)
        page.click("button >> text=Esci")
        assert page.url.endswith("/ufficio/login")
        page.goto(base + "/ufficio/1")
        assert "/ufficio/login" in page.url and key not in page.content()
        page.screenshot(path=str(shots / "office-after-logout.png"), full_page=True)
        browser.close()
    assert not found, found
