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

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                "(scripts/install-system-deps installs it)")


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
