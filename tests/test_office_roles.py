"""Back-office roles and least privilege (issue 16): every office route declares what it needs,
and every route is walked with every role; scopes hide other services' cases; health answers
and attachments that may be health documents open only with health access."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
import requests
from sqlalchemy import select

from form_backend import auth, totp
from form_backend.auth import OperatorAuth
from form_backend.db import Attachment, User
from form_backend.office.access import NEEDS, PERMISSIONS, can
from form_backend.operators import add_user
from tests.payloads import PDF, cf_born, domanda, reclamo
from tests.servers import http_server
from tests.test_backend import sqlite_backend, submit  # noqa: F401

PASSWORD = "cavallo batteria graffetta"
ESPOSITO = {"data-nascita": "1950-05-05", "codice-fiscale": cf_born(dt.date(1950, 5, 5), 40)}
# name -> (role, health access, scope services)
PEOPLE = {"lettrice": ("reader", False, ()), "operatrice": ("operator", False, ()),
          "sanitaria": ("operator", True, ()), "capo": ("admin", False, ()),
          "bersaglio": ("operator", False, ()),
          "ristretta": ("operator", False, ("assistenza-domiciliare-anziani",))}


def make_people(app) -> dict[str, pyotp.TOTP]:
    """The operators of PEOPLE; those who need a second factor (health access, admin) with
    one already enrolled, returned by name."""
    sessions = app.extensions["carta_sessions"]
    for name, (role, health, services) in PEOPLE.items():
        add_user(sessions, name, PASSWORD, health_access=health, role=role, services=services)
    codes = {}
    with app.app_context(), sessions.begin() as s:
        for row, name in s.execute(select(OperatorAuth, User.name).join(
                User, User.id == OperatorAuth.user_id)):
            if row.health_access or row.role == "admin":
                secret = pyotp.random_base32()
                row.totp_secret, codes[name] = totp.seal(secret), pyotp.TOTP(secret)
    return codes


def signed_in(app, base: str, name: str) -> requests.Session:
    """A browser with a full office session of ``name`` (sign-in itself is tested in
    test_security_office) and a CSRF token in ``.token``."""
    with app.app_context(), app.extensions["carta_sessions"].begin() as s:
        user_id = s.execute(select(User.id).where(User.name == name)).scalar_one()
        token = auth.start_session(s, user_id, "full")
    b = requests.Session()
    b.cookies.set(auth.COOKIE, token, path="/ufficio")
    page = b.get(base + "/ufficio/sessioni")
    assert page.status_code == 200, (name, page.status_code)
    b.token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return b


def operator_of(app, name: str) -> auth.Operator:
    role, health, services = PEOPLE[name]
    return auth.Operator(0, 0, name, "full", health, health, role, tuple(services), ())


@pytest.fixture
def office(sqlite_backend):  # noqa: F811
    """Two domande (telesoccorso with a health answer and the ISEE; assistenza domiciliare),
    one reclamo, the operators of PEOPLE; yields (base, app)."""
    app = sqlite_backend(RATELIMIT_ENABLED=False)
    make_people(app)
    charter = app.extensions["carta"]
    health = next(p for g in charter.access_parameters.groups for p in g.parameters
                  if p.sensitive and p.points is not None and not p.per_person)
    with http_server(app) as base:
        submit(requests.Session(), base, "/domanda/telesoccorso",
               domanda(**{f"par-{health.id}": "y"}),
               files={"doc-isee": ("isee.pdf", PDF, "application/pdf"),
                      "doc-altri": ("referto.pdf", PDF, "application/pdf")})
        submit(requests.Session(), base, "/domanda/assistenza-domiciliare-anziani",
               domanda(cognome="Esposito", nome="Lucia", **ESPOSITO),
               files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
        submit(requests.Session(), base, "/reclamo", reclamo())
        yield base, app
    from form_backend.extensions import limiter

    limiter.enabled = True


def office_routes(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("office.")]


def test_every_office_route_declares_what_it_needs(sqlite_backend):  # noqa: F811
    app = sqlite_backend()
    routes = office_routes(app)
    assert len(routes) >= 18
    for rule in routes:
        need = getattr(app.view_functions[rule.endpoint], "office_needs", None)
        assert need in NEEDS, f"{rule.rule} declares no need: decorate it with requires()"


def _path(rule, app) -> str:
    with app.app_context(), app.extensions["carta_sessions"]() as s:
        attachment = s.execute(select(Attachment.id).where(Attachment.document == "doc-isee",
                                                           Attachment.submission_id == 1)
                               ).scalar_one()
    values = {"record_id": "1", "attachment_id": str(attachment), "slug": "telesoccorso",
              "name": "bersaglio", "action": "attiva"}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: values[m.group(1)], rule.rule)


@pytest.mark.parametrize("name", ["lettrice", "operatrice", "sanitaria", "capo"])
def test_every_office_route_with_every_role_is_allowed_or_refused_as_declared(office, name):
    base, app = office
    operator = operator_of(app, name)
    for rule in office_routes(app):
        need = app.view_functions[rule.endpoint].office_needs
        if need in ("public", "second-step"):
            continue  # the login and second-factor steps: test_security_office
        path = _path(rule, app)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            b = signed_in(app, base, name)  # a fresh session: some routes end it
            r = b.request(method, base + path, data={"csrf_token": b.token},
                          allow_redirects=False)
            allowed = can(operator, need)
            assert (r.status_code != 403) == allowed, (name, method, path, need, r.status_code)
            assert r.status_code < 500, (name, method, path, r.status_code)
            if allowed:
                assert not r.headers.get("Location", "").startswith("/ufficio/login"), path


def test_roles_grant_what_the_table_says():
    assert PERMISSIONS["reader"] == {"read"}
    assert PERMISSIONS["operator"] == {"read", "act"}
    assert PERMISSIONS["admin"] == {"read", "act", "admin"}
    plain = auth.Operator(0, 0, "x", "full", True, False, "admin")
    assert not can(plain, "health")  # health access without a second factor: nothing
    assert can(auth.Operator(0, 0, "x", "full", True, True, "reader"), "health")
    assert not can(auth.Operator(0, 0, "x", "code", True, True, "admin"), "read")


def test_health_answers_and_documents_open_only_with_health_access(office):
    base, app = office
    charter = app.extensions["carta"]
    from markupsafe import escape

    label = str(escape(next(p for g in charter.access_parameters.groups for p in g.parameters
                            if p.sensitive and p.points is not None and not p.per_person)
                       .text.resolve("it")[0]))
    with app.extensions["carta_sessions"]() as s:
        ids = dict(s.execute(select(Attachment.document, Attachment.id)
                             .where(Attachment.submission_id == 1)).all())
    assert set(ids) == {"doc-isee", "doc-altri"}
    isee, other = f"/ufficio/1/allegati/{ids['doc-isee']}", f"/ufficio/1/allegati/{ids['doc-altri']}"
    for name in ("lettrice", "operatrice", "capo"):
        b = signed_in(app, base, name)
        page = b.get(base + "/ufficio/1").text
        assert label not in page and "visibili solo agli operatori abilitati" in page
        assert other not in page  # the free "other documents": may be health ones
        assert b.get(base + other).status_code == 403
        isee_file = b.get(base + isee)
        assert isee_file.status_code == 200
        assert isee_file.headers["Content-Disposition"].endswith('-0000001-isee.pdf"')
        for export in ("/ufficio/export.csv", "/ufficio/graduatoria/telesoccorso.csv",
                       "/ufficio/graduatoria/telesoccorso", "/ufficio/", "/ufficio/oggi"):
            text = b.get(base + export).content.decode("utf-8-sig")
            assert label not in text and "referto" not in text, export
    b = signed_in(app, base, "sanitaria")
    page = b.get(base + "/ufficio/1").text
    assert label in page
    other_file = b.get(base + other)
    assert other_file.status_code == 200 and other_file.content == PDF
    assert re.search(r'filename="\d{4}-0000001-altri\.pdf"',
                     other_file.headers["Content-Disposition"])


def test_an_operator_sees_only_the_services_of_their_scope(office):
    base, app = office
    b = signed_in(app, base, "ristretta")
    listing = b.get(base + "/ufficio/").text
    assert "Esposito Lucia" in listing and "Rossi Mario" not in listing
    assert b.get(base + "/ufficio/1").status_code == 404  # telesoccorso: not theirs
    assert b.get(base + "/ufficio/2").status_code == 200
    assert b.post(base + "/ufficio/1/stato", data={"csrf_token": b.token,
                                                   "status": "in-istruttoria"}).status_code == 404
    assert b.get(base + "/ufficio/graduatoria/telesoccorso").status_code == 404
    csv = b.get(base + "/ufficio/export.csv").content.decode("utf-8-sig")
    assert "Esposito" in csv and "Rossi" not in csv
    everyone = signed_in(app, base, "lettrice").get(base + "/ufficio/").text
    assert "Esposito Lucia" in everyone and "Rossi Mario" in everyone


def test_medical_certificates_named_by_a_scheda_are_health_documents(shipped):
    """A scheda marks the documents that carry health data; the office treats them as such
    (only health access opens them), and an ordinary document such as the ISEE stays open."""
    from form_backend.office.answers import may_be_health_document

    assert may_be_health_document(shipped, "attivita-socialmente-utili", "doc-certificato-idoneita")
    assert may_be_health_document(shipped, "progetto-benessere",
                                  "doc-richiesta-prestazioni-agevolate")
    assert not may_be_health_document(shipped, "attivita-socialmente-utili", "doc-isee")
