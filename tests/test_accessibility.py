"""axe-core (WCAG 2.1 A and AA rules) in headless Chromium over every page type and language."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest

from tests.test_site import LANGS, url

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGE_TYPES = ["index", "aree/anziani", "servizi/telesoccorso", "servizi/prima-infanzia",
              "uffici", "tariffe", "qualita", "reclami", "carta", "enti-gestori", "download",
              "accessibilita", "privacy"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [pytest.mark.system,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                 "(scripts/install-system-deps installs it)")]


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.log_message = lambda *a, **k: None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.mark.parametrize("lang", LANGS)
def test_no_axe_violations(server, browser, lang):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page()
    found = []
    for path in PAGE_TYPES:
        page.goto(server + url(lang, path))
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        for v in result.response["violations"]:
            targets = [n["target"] for n in v["nodes"][:3]]
            found.append(f"{url(lang, path)}: {v['id']} ({v['impact']}) {targets}")
    page.close()
    assert found == []


def test_phone_width_has_no_horizontal_scroll(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    for path in ("servizi/prima-infanzia", "uffici"):
        page.goto(server + url("ar", path))
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path}: {overflow}px wider than a phone screen"
    page.close()


def test_forms_have_no_axe_violations_even_with_errors(browser, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from cryptography.fernet import Fernet

    from form_backend import create_app
    from tests.factory import REPO
    from tests.servers import http_server

    app = create_app({"CARTA_ROOT": str(REPO), "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
                      "TESTING": True, "OUTBOX_SENDER": False, "SECRET_KEY": "t",
                      "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                      "CARTA_SITE_DIR": str(tmp_path)})
    axe, found = Axe(), []
    with http_server(app) as base:
        page = browser.new_page()
        for path in ("/domanda/telesoccorso", "/reclamo?lang=ar", "/reclamo?lang=en",
                     "/domanda/segretariato-sociale?lang=fr", "/ufficio/login"):
            page.goto(base + path)
            if "reclamo" in path:
                page.click("button[type=submit]")  # submit empty: the error summary shows
                assert page.locator(".error-summary").count() == 1
            result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
            found += [f"{path}: {v['id']} {[n['target'] for n in v['nodes'][:3]]}"
                      for v in result.response["violations"]]
        page.close()
    assert found == []
