"""Identification through OpenID Connect where the district configures it (issue 15): against a
real provider (pyop, tests/oidc_provider.py) over HTTP, Authlib on the app's side unmocked."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import func, select

from form_backend.db import Draft, Submission
from form_backend.operators import add_user
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, IdentityProvider
from tests.servers import free_port, http_server
from tests.test_journey_forms import CHROMIUM, PAGES, PHONE, _tab_to, csrf, errors, isee, make_app, post_page
from tests.test_security_office import NAME, PASSWORD
from tests.test_security_office import login as office_login

CF = "RSSMRA80A01F839W"  # the provider's TINIT-RSSMRA80A01F839W, prefix dropped
FORGED = {"cognome": "Bianchi", "nome": "Laura", "codice-fiscale": "BNCLRA85M41F839X",
          "data-nascita-day": "1", "data-nascita-month": "8", "data-nascita-year": "1985"}


@pytest.fixture
def idp():
    provider = IdentityProvider()
    with provider.running():
        yield provider


def _configured(tmp_path, issuer: str, **config):
    return make_app(tmp_path, OIDC_ISSUER=issuer, OIDC_CLIENT_ID=CLIENT_ID,
                    OIDC_CLIENT_SECRET=CLIENT_SECRET, **config)


@pytest.fixture
def served(tmp_path, idp):
    app = _configured(tmp_path, idp.issuer)
    with http_server(app) as base:
        idp.redirect_uris.append(base + "/identificazione/ritorno")
        yield app, base
    app.extensions["carta_engine"].dispose()


def drafts_count(app) -> int:
    with app.extensions["carta_sessions"]() as s:
        return s.execute(select(func.count()).select_from(Draft)).scalar()


def start(s: requests.Session, base: str) -> str:
    """The login page's button, as a browser follows it: the provider's authorize URL."""
    page = s.get(base + "/domanda/telesoccorso")
    assert page.status_code == 200 and "Si identifichi per continuare" in page.text
    link = re.search(r'id="oidc-login" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    r = s.get(base + link, allow_redirects=False)
    assert r.status_code == 302, r.text
    return r.headers["Location"]


def at_provider(authorize: str) -> str:
    """The provider answers (it logs the user in at once): the callback URL it sends back."""
    r = requests.get(authorize, allow_redirects=False)
    assert r.status_code == 302, r.text
    return r.headers["Location"]


def log_in(s: requests.Session, base: str) -> str:
    """Log in from the domanda's first page; return the first step's URL (a draft's)."""
    welcome = s.get(at_provider(start(s, base)))
    assert welcome.status_code == 200, welcome.text
    assert "Identificazione riuscita" in welcome.text and "Mario Rossi" in welcome.text
    return re.search(r'id="oidc-continue" href="([^"]+)"', welcome.text).group(1).replace(
        "&amp;", "&")


def walk_identified(s, base, url: str, destinatario: dict) -> str:
    """The pages after the login, the identity's page with ``destinatario``; the check URL."""
    pages = {k: v for k, v in PAGES.items() if k != "segnalante"}
    pages["destinatario"] = destinatario
    names = list(pages)
    here = re.search(r"/passo/([a-z0-9-]+)", url).group(1)
    for page, data in list(pages.items())[names.index(here):]:
        assert f"/passo/{page}?" in url, (url, page)
        r = post_page(s, base, url, page, data, isee() if page == "allegati" else None)
        assert r.status_code == 303, errors(r.text)
        url = r.headers["Location"]
    return url


def send(s, base, check: str) -> requests.Response:
    page = s.get(base + check).text
    return s.post(base + check.split("?")[0], data={"csrf_token": csrf(page)},
                  allow_redirects=False)


def stored(app) -> Submission:
    with app.extensions["carta_sessions"]() as s:
        return s.execute(select(Submission)).scalar_one()


# --- without the setting nothing changes ---


def test_without_the_setting_the_forms_ask_no_login_and_its_routes_are_not_there(tmp_path):
    app = make_app(tmp_path)
    with http_server(app) as base:
        s = requests.Session()
        first = s.get(base + "/domanda/telesoccorso")
        assert first.status_code == 200 and "Passo 1 di 9" in first.text
        assert "/identificazione/" not in first.text
        assert s.get(base + "/identificazione/accedi?modulo=domanda&servizio=telesoccorso"
                     ).status_code == 404
        assert s.get(base + "/identificazione/ritorno?state=x&code=y").status_code == 404
    app.extensions["carta_engine"].dispose()


# --- the login fills and locks ---


def test_the_login_fills_and_locks_the_identitys_fields_and_the_office_sees_by_whom(served, idp):
    app, base = served
    s = requests.Session()
    token = csrf(s.get(base + "/reclamo").text)  # (the reclamo asks for no login)
    r = s.post(base + "/domanda/telesoccorso", data={"csrf_token": token, "_step": "chi"},
               allow_redirects=False)  # no draft without the login
    assert r.status_code == 403 and "Si identifichi" in r.text and drafts_count(app) == 0
    url = log_in(s, base)
    assert re.fullmatch(r"/domanda/telesoccorso/controlla/[0-9a-f]{32}/passo/chi\?lang=it", url)
    r = post_page(s, base, url, "chi", {})
    page = s.get(base + r.headers["Location"]).text  # destinatario: the identity's data shown
    assert "Dati della sua identità digitale" in page
    for shown in ("Rossi", "Mario", "01/01/1980", CF):
        assert f'<bdi dir="ltr">{shown}</bdi>' in page
    for asked in ("cognome", "nome", "codice-fiscale", "data-nascita"):
        assert f'name="{asked}"' not in page and f'name="{asked}-day"' not in page
    assert 'name="luogo-nascita"' in page and 'name="cittadinanza"' in page
    check = walk_identified(s, base, r.headers["Location"], {
        "luogo-nascita": "Napoli", "cittadinanza": "italiana"})
    page = s.get(base + check).text
    assert "Dall&#39;identità digitale" in page and "passo/destinatario?lang=it&amp;cambia=1#cognome" \
        not in page and "#luogo-nascita" in page
    assert send(s, base, check).status_code == 303
    record = stored(app)
    assert record.identified_by == idp.issuer
    assert (record.data["cognome"], record.data["nome"], record.data["codice-fiscale"],
            record.data["data-nascita"]) == ("Rossi", "Mario", CF, "1980-01-01")
    add_user(app.extensions["carta_sessions"], NAME, PASSWORD)
    office, _ = office_login(base)
    detail = office.get(f"{base}/ufficio/{record.id}").text
    assert f"identificata/o tramite {idp.issuer}" in detail


def test_a_forged_post_cannot_change_what_the_identity_gives(served):
    app, base = served
    s = requests.Session()
    url = log_in(s, base)
    # every page of the draft, the identity's own included, posted with other values
    check = walk_identified(s, base, url, {"luogo-nascita": "Napoli", "cittadinanza": "italiana",
                                           **FORGED})
    r = post_page(s, base, check.split("?")[0] + "/passo/destinatario?lang=it&cambia=1",
                  "destinatario", {"luogo-nascita": "Napoli", "cittadinanza": "italiana",
                                   **FORGED})
    assert r.status_code == 303
    page = s.get(base + check).text
    assert "Bianchi" not in page and "BNCLRA85M41F839X" not in page and CF in page
    assert send(s, base, check).status_code == 303
    record = stored(app)
    assert (record.data["cognome"], record.data["nome"], record.data["codice-fiscale"],
            record.data["data-nascita"]) == ("Rossi", "Mario", CF, "1980-01-01")


# --- what must be refused, on a clear page (never 5xx), storing nothing ---


def test_a_callback_opened_in_another_browser_gets_nothing(served):
    app, base = served
    mine, other = requests.Session(), requests.Session()
    callback = at_provider(start(mine, base))
    theirs = other.get(callback, allow_redirects=False)
    assert theirs.status_code == 400 and "Identificazione non riuscita" in theirs.text
    assert "carta_draft" not in theirs.headers.get("Set-Cookie", "") and drafts_count(app) == 0
    # the code was not spent by the other browser: the one that asked still logs in
    assert mine.get(callback).status_code == 200 and drafts_count(app) == 1
    assert mine.get(callback).status_code == 400  # and only once
    assert drafts_count(app) == 1


@pytest.mark.parametrize(("tamper", "page"), [
    ({"nonce": "not-the-one-sent"}, "Identificazione non riuscita"),
    ({"token_issuer": "http://127.0.0.1:9/another-provider"}, "Identificazione non riuscita"),
    ({"error": "access_denied"}, "Identificazione annullata"),
], ids=["wrong-nonce", "token-from-another-issuer", "refused-at-the-provider"])
def test_an_id_token_that_does_not_hold_or_a_refusal_stores_nothing(served, idp, tamper, page):
    app, base = served
    idp.tamper.update(tamper)
    s = requests.Session()
    r = s.get(at_provider(start(s, base)))
    assert r.status_code == 400 and page in r.text and drafts_count(app) == 0
    assert 'href="/domanda/telesoccorso?lang=it"' in r.text  # a way to start again


def test_a_provider_whose_discovery_names_another_issuer_is_never_used(served, idp):
    _app, base = served
    idp.tamper["discovery_issuer"] = "http://127.0.0.1:9/another-provider"
    s = requests.Session()
    page = s.get(base + "/domanda/telesoccorso").text
    link = re.search(r'id="oidc-login" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    r = s.get(base + link, allow_redirects=False)
    assert r.status_code == 400 and "Identificazione non riuscita" in r.text
    assert idp.authorizations == 0


def test_a_provider_that_does_not_answer_gets_a_page_saying_so(tmp_path):
    app = _configured(tmp_path, f"http://127.0.0.1:{free_port()}")
    with http_server(app) as base:
        r = requests.get(base + "/identificazione/accedi?modulo=domanda&servizio=telesoccorso",
                         allow_redirects=False)
        assert r.status_code == 400 and "Identificazione non disponibile" in r.text
    app.extensions["carta_engine"].dispose()


def test_logging_out_deletes_the_draft_and_its_pages_ask_for_the_login_again(served):
    app, base = served
    s = requests.Session()
    url = log_in(s, base)
    page = s.get(base + url).text
    assert "Identificata/o con SPID / CIE:" in page and "Mario Rossi" in page
    logout = re.search(r'action="([^"]+/esci[^"]*)"', page).group(1).replace("&amp;", "&")
    r = s.post(base + logout, data={"csrf_token": csrf(page)})
    assert r.status_code == 200 and "Le risposte di questa domanda" in r.text
    assert drafts_count(app) == 0
    assert s.get(base + url).status_code == 404


def test_a_draft_moved_to_another_browser_asks_that_browser_to_log_in(served):
    app, base = served
    s = requests.Session()
    url = log_in(s, base)
    draft_id = re.search(r"/controlla/([0-9a-f]{32})/", url).group(1)
    # "Salva e continua più tardi" moves a draft to whichever browser opens the link: the
    # identity stays with the browser that logged in
    with app.extensions["carta_sessions"].begin() as db:
        row = db.get(Draft, draft_id)
        row.data = {**row.data, "_browser": "0" * 64}
    s.cookies.clear()
    s.cookies.set("carta_draft", "x", path=url.split("/passo/")[0])
    assert s.get(base + url).status_code == 404  # not this browser's, as before
    from form_backend.drafts import _digest

    with app.extensions["carta_sessions"].begin() as db:
        row = db.get(Draft, draft_id)
        row.data = {**row.data, "_browser": _digest("x")}
    page = s.get(base + url)
    assert page.status_code == 200 and "Si identifichi per continuare" in page.text
    assert f"bozza={draft_id}" in page.text


# --- in Chromium on a phone, keyboard only ---


@pytest.mark.system
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_a_citizen_logs_in_and_completes_a_domanda_on_a_phone_with_the_keyboard(served, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from tests.test_journey_forms import WCAG, _answers, _continue, _fill

    axe, violations = Axe(), []

    def look(page, name):  # axe on the pages this feature adds or changes
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        violations.extend(f"{name}: {v['id']}" for v in result.response["violations"])

    app, base = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport=PHONE, locale="it")
        page.goto(f"{base}/domanda/telesoccorso")
        look(page, "login")
        _tab_to(page, "#oidc-login")
        with page.expect_navigation(url=re.compile(r".*/identificazione/ritorno.*")):
            page.keyboard.press("Enter")
        assert "Mario Rossi" in page.inner_text("main")
        look(page, "welcome")
        _tab_to(page, "#oidc-continue")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        for name, answers in _answers(on_behalf=False):
            assert f"/passo/{name}?" in page.url, page.url
            if name == "destinatario":
                page.screenshot(path=str(tmp_path / "destinatario.png"), full_page=True)
                look(page, "destinatario")
                assert "RSSMRA80A01F839W" in page.inner_text(".locked")
                assert page.locator("#cognome").count() == 0
                answers = [a for a in answers if a[0] in ("luogo-nascita", "cittadinanza")]
            if name == "allegati":
                good = tmp_path / "isee.pdf"
                good.write_bytes(isee()["doc-isee"][1])
                page.set_input_files("#doc-isee", str(good))
            _fill(page, answers, keyboard=True)
            _continue(page, keyboard=True)
        assert "/controlla/" in page.url and "/passo/" not in page.url
        assert "Rossi" in page.inner_text("main")
        look(page, "controlla")
        _tab_to(page, "main form button.button:not(.link)")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/ricevuta/" in page.url
        browser.close()
    assert stored(app).identified_by
    assert violations == []


def test_applying_on_someones_behalf_locks_the_identity_into_the_applicants_fields(served):
    """A daughter identified with SPID applies for her mother: the identity is hers, so it
    fills and locks the applicant's (segnalante's) fields, and the beneficiary's are hers to
    write."""
    import datetime as dt

    from tests.payloads import cf_born
    from tests.test_journey_forms import date

    app, base = served
    s = requests.Session()
    url = log_in(s, base)
    r = post_page(s, base, url, "chi", {"per-conto-di": "y"})
    assert r.status_code == 303, errors(r.text)
    url = r.headers["Location"]
    assert "/passo/segnalante" in url
    page = s.get(base + url).text
    for locked in ("segnalante-cognome", "segnalante-nome", "segnalante-codice-fiscale",
                   "segnalante-data-nascita-day"):
        assert f'name="{locked}"' not in page, locked
    assert 'name="segnalante-rapporto"' in page and "Dati della sua identità digitale" in page
    own = ("segnalante-cognome", "segnalante-nome", "segnalante-codice-fiscale",
           "segnalante-data-nascita")
    r = post_page(s, base, url, "segnalante",
                  {k: v for k, v in PAGES["segnalante"].items() if not k.startswith(own)})
    assert r.status_code == 303, errors(r.text)
    url = r.headers["Location"]
    page = s.get(base + url).text
    for asked in ("cognome", "nome", "codice-fiscale"):  # the beneficiary's: not locked
        assert f'name="{asked}"' in page, asked
    born = dt.date(1950, 5, 5)
    check = walk_identified(s, base, url, {
        "cognome": "Esposito", "nome": "Anna", "luogo-nascita": "Napoli",
        **date("data-nascita", born), "cittadinanza": "italiana",
        "codice-fiscale": cf_born(born, 40)})
    assert send(s, base, check).status_code == 303
    data = stored(app).data
    assert (data["segnalante-cognome"], data["segnalante-nome"], data["segnalante-codice-fiscale"],
            data["segnalante-data-nascita"]) == ("Rossi", "Mario", CF, "1980-01-01")
    assert (data["cognome"], data["nome"], data["codice-fiscale"]) == (
        "Esposito", "Anna", cf_born(born, 40))
