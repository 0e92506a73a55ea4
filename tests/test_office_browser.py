"""The back-office in Debian's Chromium, as each role (issue 16): find a submission by name,
filter by service, assign, change the status with a message, download an attachment with its
proper name, open the ranking page, manage operators; a role without health access never sees
a health answer on any page.  Screenshots in build/screenshots/office-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from form_backend.db import Submission
from tests.payloads import PDF, domanda, reclamo
from tests.servers import http_server
from tests.test_backend import sqlite_backend, submit  # noqa: F401
from tests.test_office_roles import PASSWORD, make_people

SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.mark.system
def test_each_role_runs_its_day_in_chromium(sqlite_backend):  # noqa: F811
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-system-deps)")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    app = sqlite_backend(RATELIMIT_ENABLED=False)
    codes = make_people(app)
    charter = app.extensions["carta"]
    health = next(p for g in charter.access_parameters.groups for p in g.parameters
                  if p.sensitive and p.points is not None and not p.per_person)
    health_text = health.text.resolve("it")[0]
    problems: list[str] = []

    def axe(page):
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
            "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        problems.extend(f"{page.url}: {v['id']}" for v in result.response["violations"])

    def sign_in(browser, name):
        page = browser.new_context(locale="it-IT", accept_downloads=True).new_page()
        page.goto(base + "/ufficio/")
        page.fill("#name", name)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        if name in codes:
            assert "/ufficio/codice" in page.url
            page.fill("#code", codes[name].now())
            page.click("text=Conferma")
        assert page.url.startswith(base + "/ufficio/"), page.url
        return page

    def nav(page, selector):
        with page.expect_navigation():
            page.click(selector)

    def key_of(record_id: int) -> str:
        with app.extensions["carta_sessions"]() as s:
            return s.execute(select(Submission.idempotency_key)
                             .where(Submission.id == record_id)).scalar_one()

    def no_health(page, where):
        assert health_text not in page.inner_text("body"), where

    with http_server(app) as base, sync_playwright() as p:
        submit(requests.Session(), base, "/domanda/telesoccorso",
               domanda(**{f"par-{health.id}": "y"}),
               files={"doc-isee": ("isee.pdf", PDF, "application/pdf"),
                      "doc-altri": ("referto.pdf", PDF, "application/pdf")})
        submit(requests.Session(), base, "/domanda/telesoccorso",
               domanda(cognome="Esposito", nome="Lucia"),
               files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
        submit(requests.Session(), base, "/reclamo", reclamo())
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

        # an operator: search, open, assign, change status with a message, download, rank
        page = sign_in(browser, "operatrice")
        page.screenshot(path=str(SHOTS / "office-list.png"), full_page=True)
        axe(page)
        no_health(page, "list")
        page.fill("#q", "rossi")
        nav(page, "form.office-filters button")
        assert page.locator("table.office-list tbody tr").count() == 1
        nav(page, "table.office-list >> text=Rossi Mario")
        assert page.url.endswith("/ufficio/1")
        no_health(page, "detail without health access")
        assert "visibili solo agli operatori abilitati" in page.content()
        page.select_option("#operator", "operatrice")
        nav(page, "form[action$='/assegna'] button")
        page.select_option("#status", "in-istruttoria")
        page.fill("#message", "Stiamo esaminando la sua domanda.")
        nav(page, "form[action$='/stato'] button")
        assert "ricevuta → in-istruttoria" in page.content()
        assert "In istruttoria" in page.locator("dl.summary").first.inner_text()
        page.screenshot(path=str(SHOTS / "office-detail-operator.png"), full_page=True)
        citizen = browser.new_page(locale="it-IT")  # the citizen's status page shows it
        citizen.goto(f"{base}/ricevuta/{key_of(1)}")
        assert "Stiamo esaminando la sua domanda." in citizen.inner_text("body")
        citizen.screenshot(path=str(SHOTS / "office-citizen-status.png"), full_page=True)
        citizen.close()
        axe(page)
        with page.expect_download() as got:
            page.click("a[href*='/allegati/'] >> nth=0")
        assert got.value.suggested_filename.endswith("-0000001-isee.pdf")
        assert page.locator("text=può contenere dati sanitari").count() == 1  # the referto
        nav(page, "a:text-is('Graduatoria')")
        assert "/ufficio/graduatoria/telesoccorso" in page.url
        assert page.locator("table tbody tr").count() == 2
        no_health(page, "ranking")
        page.screenshot(path=str(SHOTS / "office-ranking.png"), full_page=True)
        axe(page)
        page.emulate_media(media="print")
        page.screenshot(path=str(SHOTS / "office-ranking-print.png"), full_page=True)
        page.emulate_media(media="screen")
        page.goto(base + "/ufficio/oggi")
        no_health(page, "day")
        page.screenshot(path=str(SHOTS / "office-today.png"), full_page=True)
        axe(page)

        # a reader: filter by service, read, no buttons that change anything
        page = sign_in(browser, "lettrice")
        page.select_option("#service", "telesoccorso")
        page.select_option("#kind", "domanda")
        nav(page, "form.office-filters button")
        assert page.locator("table.office-list tbody tr").count() == 2
        nav(page, "table.office-list >> text=Esposito Lucia")
        assert page.locator("text=Cambia stato").count() == 0
        assert page.locator("#operator").count() == 0
        no_health(page, "reader")
        page.screenshot(path=str(SHOTS / "office-detail-reader.png"), full_page=True)

        # health access (with the second factor): the answer and the possibly-health document
        page = sign_in(browser, "sanitaria")
        page.goto(base + "/ufficio/1")
        assert health_text in page.inner_text("body")
        with page.expect_download() as got:
            page.click("a[download$='-altri.pdf']")
        assert got.value.suggested_filename.endswith("-0000001-altri.pdf")
        page.screenshot(path=str(SHOTS / "office-detail-health.png"), full_page=True)

        # an administrator: add an operator, then disable them
        page = sign_in(browser, "capo")
        nav(page, "nav.office-nav >> text=Operatori")
        page.fill("#name", "nuova")
        page.fill("#password", "pioggia leggera sul tetto")
        page.select_option("#role", "reader")
        page.select_option("#services", ["telesoccorso"])
        nav(page, "form.office-form >> text=Aggiungi un operatore")
        page.screenshot(path=str(SHOTS / "office-staff.png"), full_page=True)
        assert "Operatore nuova aggiunto" in page.content()
        page.screenshot(path=str(SHOTS / "office-staff.png"), full_page=True)
        axe(page)
        nav(page, "button:has-text('Disattiva'):has-text('nuova')")
        assert page.locator("tr:has-text('nuova') >> text=disattivato").count() == 1
        browser.close()
    assert not problems, problems
