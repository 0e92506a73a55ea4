"""Operators' administration (issue 16): roles and scopes from the command line and from the
administrators' page, each change in the audit log and ending the operator's sessions."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from form_backend.auth import OfficeLog, OfficeSession, OperatorAuth
from form_backend.db import User
from form_backend.operators import BadRole, add_user, list_users, set_role
from tests.servers import http_server
from tests.test_backend import sqlite_backend  # noqa: F401
from tests.test_office_roles import PASSWORD, make_people, signed_in
from tests.test_security_office import cli  # noqa: F401


def test_users_commands_give_roles_scopes_and_second_factors(cli, capsys):  # noqa: F811
    run, root, app = cli
    r = str(root)
    assert run("users", "add", "anna", "--root", r, "--role", "reader", "--service",
               "telesoccorso", password=PASSWORD) == 0
    assert run("users", "add", "bruno", "--root", r, "--service", "nessuno",
               password=PASSWORD) == 2
    assert "unknown service 'nessuno'" in capsys.readouterr().err
    assert run("users", "role", "anna", "operator", "--office", "piano",
               "--root", r) == 0
    assert run("users", "totp-required", "anna", "on", "--root", r) == 0
    assert run("users", "role", "nessuno", "admin", "--root", r) == 1
    capsys.readouterr()
    assert run("users", "list", "--root", r) == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert re.match(r"anna\s+active\s+no\s+req\s+-\s+-\s+operator\s+office:piano",
                    line), line
    actions = [x.action for x in app().extensions["carta_sessions"]().execute(
        select(OfficeLog)).scalars()]
    assert {"user-added", "role-changed", "totp-required"} <= set(actions)


def test_an_unknown_role_is_refused(sqlite_backend):  # noqa: F811
    app = sqlite_backend()
    with pytest.raises(BadRole):
        add_user(app.extensions["carta_sessions"], "x", PASSWORD, role="boss")
    add_user(app.extensions["carta_sessions"], "y", PASSWORD)
    with pytest.raises(BadRole):
        set_role(app.extensions["carta_sessions"], "y", "root")


def test_administrators_manage_operators_in_the_interface(sqlite_backend):  # noqa: F811
    app = sqlite_backend(RATELIMIT_ENABLED=False)
    make_people(app)
    sessions = app.extensions["carta_sessions"]
    with http_server(app) as base:
        admin = signed_in(app, base, "capo")
        t = {"csrf_token": admin.token}
        weak = admin.post(base + "/ufficio/operatori", data={**t, "name": "nuovo",
                                                             "password": "aaaaaaaaaaaa",
                                                             "role": "reader"})
        assert weak.status_code == 400 and "stessi caratteri" in weak.text
        made = admin.post(base + "/ufficio/operatori", data={
            **t, "name": "nuovo", "password": "nuvole basse a marzo", "role": "reader",
            "services": ["telesoccorso", "nessuno"], "totp": "1"})
        assert made.status_code == 200 and "Operatore nuovo aggiunto" in made.text
        again = admin.post(base + "/ufficio/operatori", data={
            **t, "name": "nuovo", "password": "nuvole basse a marzo", "role": "reader"})
        assert again.status_code == 400
        victim = signed_in(app, base, "operatrice")
        for action in ("dati-sanitari-concedi", "secondo-fattore-richiedi", "disattiva",
                       "attiva"):
            assert admin.post(base + f"/ufficio/operatori/operatrice/{action}", data=t,
                              allow_redirects=False).status_code == 303
        assert victim.get(base + "/ufficio/", allow_redirects=False).status_code == 302
        assert admin.post(base + "/ufficio/operatori/operatrice/ruolo",
                          data={**t, "role": "admin"}, allow_redirects=False).status_code == 303
        assert admin.post(base + "/ufficio/operatori/operatrice/password",
                          data={**t, "password": "un'altra frase lunga"},
                          allow_redirects=False).status_code == 303
        assert admin.post(base + "/ufficio/operatori/capo/disattiva", data=t).status_code == 400
        assert admin.post(base + "/ufficio/operatori/nessuno/attiva", data=t).status_code == 404
        assert admin.post(base + "/ufficio/operatori/operatrice/boh", data=t).status_code == 404
        assert signed_in(app, base, "lettrice").get(base + "/ufficio/operatori").status_code \
            == 403
    people = {p["name"]: p for p in list_users(sessions)}
    assert people["nuovo"]["role"] == "reader" and people["nuovo"]["services"] == [
        "telesoccorso"] and people["nuovo"]["totp_required"]
    assert people["operatrice"]["role"] == "admin" and people["operatrice"]["health_access"]
    with sessions() as s:
        log = [(x.user, x.action, x.detail) for x in s.execute(select(OfficeLog)).scalars()]
        ended = s.execute(select(OfficeSession).join(User, User.id == OfficeSession.user_id)
                          .where(User.name == "operatrice")).first()
        extra = s.execute(select(OperatorAuth).join(User, User.id == OperatorAuth.user_id)
                          .where(User.name == "operatrice")).scalar_one()
    assert ended is None and extra.totp_required
    assert ("capo", "admin-change", "disattiva operatrice") in log
    assert ("nuovo", "user-added", "reader, by capo") in log
    assert not any(PASSWORD in str(x) or "nuvole" in str(x) for x in log)


def test_a_new_administrator_must_enrol_a_second_factor(sqlite_backend):  # noqa: F811
    app = sqlite_backend(RATELIMIT_ENABLED=False)
    add_user(app.extensions["carta_sessions"], "nuova-capo", PASSWORD, role="admin")
    with http_server(app) as base:
        s = requests.Session()
        page = s.get(base + "/ufficio/login").text
        t = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = s.post(base + "/ufficio/login", data={"csrf_token": t, "name": "nuova-capo",
                                                   "password": PASSWORD}, allow_redirects=False)
        assert r.headers["Location"].startswith("/ufficio/due-fattori")
        assert s.get(base + "/ufficio/operatori", allow_redirects=False).status_code == 302
