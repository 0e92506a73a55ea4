"""The site's search: one index per language (a reader finds the pages of the language they
are reading), stemmed for it, with the synonyms of content/search.yaml, and a scheda's summary
as its snippet.  The browser tests type in Material's search box in Chromium."""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from carta.errors import CharterError
from carta.load.charter import load_charter
from carta.model.search import mentioned
from tests.factory import write_charter
from tests.test_site import LANGS, url

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not "
                                    "installed (scripts/install-system-deps installs it)")

# a word per language, and a synonym the charter's text never uses (content/search.yaml)
WORDS = {"it": "disabili", "en": "disabilities", "fr": "tarif", "ar": "الإعاقة"}
SYNONYMS = {"it": "badante", "en": "elderly", "fr": "aînés", "ar": "المسنين"}
FOUND_BY_SYNONYM = "servizi/assistenza-domiciliare-anziani/"


# --- the charter file ----------------------------------------------------------------------

def test_synonyms_load_per_language(tmp_path):
    root = write_charter(tmp_path, {"content/search.yaml": {"synonyms": {
        "it": [["anziani", "terza età"]], "en": [["elderly", "older people"]]}}})
    search = load_charter(root).search
    assert search.groups("it") == [["anziani", "terza età"]]
    assert search.groups("fr") == []


def test_a_charter_without_the_file_has_no_synonyms(tmp_path):
    assert load_charter(write_charter(tmp_path)).search.synonyms == {}


@pytest.mark.parametrize(("text", "message"), [
    ("synonyms:\n  it:\n    - [anziani]\n", "content/search.yaml:3"),
    ("synonyms:\n  it:\n    - [anziani, terza età, Anziani]\n", "twice in this group"),
    ("synonyms:\n  it:\n    - [anziani, terza età]\n  de:\n    - [Senioren, Alte]\n",
     "content/search.yaml:4:3: synonyms.de: 'de' is not one of the site's languages"),
    ("synonym:\n  it: []\n", "content/search.yaml:1"),
])
def test_carta_check_refuses_a_bad_search_file(tmp_path, text, message):
    root = write_charter(tmp_path, raw={"content/search.yaml": text})
    with pytest.raises(CharterError) as info:
        load_charter(root)
    assert any(message in str(p) for p in info.value.problems), info.value.problems


def test_a_group_is_found_by_whole_words_and_phrases_in_any_case():
    groups = [["anziani", "terza età"], ["disabili", "persone con disabilità"]]
    assert mentioned(groups, "Servizi per la Terza  età", "it") == ["anziani", "terza età"]
    assert mentioned(groups, "per PERSONE con disabilità", "it") == groups[1]
    assert mentioned(groups, "i disabilissimi e gli anzianissimi", "it") == []
    # Arabic writes "and", "for", "with" joined to the next word
    assert mentioned([["كبار السن", "المسنين"]], "الخدمات ولكبار السن", "ar") == []
    assert mentioned([["كبار السن", "المسنين"]], "الخدمات وكبار السن", "ar") == [
        "كبار السن", "المسنين"]


def test_a_term_that_is_not_a_plain_word_is_found_too():
    # the words of a text rule groups out before their pattern runs; "a.s.l." is no word
    groups = [["a.s.l.", "azienda sanitaria"], ["anziani", "terza età"]]
    assert mentioned(groups, "Rivolgersi all'A.S.L. di zona", "it") == groups[0]
    assert mentioned(groups, "L'azienda sanitaria locale", "it") == groups[0]
    assert mentioned(groups, "la terza fascia di età", "it") == []


# --- the built site's indexes ---------------------------------------------------------------

def index_of(site: Path, lang: str) -> dict:
    prefix = "" if lang == "it" else f"{lang}/"
    return json.loads((site / prefix / "search" / "search_index.json").read_text("utf-8"))


def page_language(site: Path, lang: str, location: str) -> str:
    html = (site / url(lang, "index") / location.split("#")[0] / "index.html").read_text("utf-8")
    return re.search(r'<html lang="([a-z]+)', html).group(1)


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_its_own_stemmed_index_of_its_pages_only(site, lang):
    index = index_of(site, lang)
    assert index["config"]["lang"] == [lang]
    assert "stemmer" in index["config"]["pipeline"]
    pages = {d["location"].split("#")[0] for d in index["docs"]}
    assert len(pages) > 30
    assert {page_language(site, lang, p) for p in pages} == {lang}


def test_a_schedas_result_shows_its_summary(site, shipped):
    scheda = shipped.service_by_slug["assistenza-domiciliare-anziani"]
    for lang in LANGS:
        docs = {d["location"]: d for d in index_of(site, lang)["docs"]}
        entry = docs["servizi/assistenza-domiciliare-anziani/"]
        assert entry["text"] == f"<p>{html.escape(scheda.summary[lang], quote=False)}</p>"
        assert not any(d["text"] == entry["text"] for loc, d in docs.items()
                       if loc.startswith("servizi/assistenza-domiciliare-anziani/#"))


def test_synonyms_are_indexed_where_a_term_of_their_group_is_used(site):
    for lang, word in SYNONYMS.items():
        docs = {d["location"]: d for d in index_of(site, lang)["docs"]}
        entry = docs[FOUND_BY_SYNONYM]
        assert word not in entry["text"] and word in entry["synonyms"], lang


def test_pages_load_the_index_of_their_language(site):
    for lang in LANGS:
        html = (site / url(lang, "servizi/telesoccorso") / "index.html").read_text("utf-8")
        config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)'
                                      r"</script>", html, re.S).group(1))
        expected = "../.." + ("" if lang == "it" else f"/../{lang}/")
        assert config["base"] == expected
        worker, material = config["search"].split("?material=")
        worker = (site / url(lang, "servizi/telesoccorso") / worker).resolve()
        assert worker.is_file()
        assert (worker.parent.parent / "workers" / material).is_file()


# --- typing in the search box ----------------------------------------------------------------

@pytest.fixture(scope="module")
def server(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def search(chromium, server: str, lang: str, words: str) -> list[tuple[str, str]]:
    """Type ``words`` in the search box of ``lang``'s home page: (link, text) of each result
    (pages and their sections), as the reader sees them."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = chromium.new_page()
    try:
        for _ in range(4):
            # Material (its own worker as well) now and then misses words typed while it loads
            # the index, and then waits for the next: open the page again
            page.goto(server + url(lang, "index"))
            box = page.locator("input[data-md-component=search-query]")
            box.click()
            box.fill(words)
            try:
                page.wait_for_selector(".md-search-result__item", timeout=15000)
                break
            except PlaywrightTimeout:
                continue
        page.wait_for_timeout(300)  # every result in
        items = page.locator(".md-search-result__item > a")
        links = [urlsplit(a.get_attribute("href")) for a in items.all()]
        return [(link.path.removeprefix("/") + (f"#{link.fragment}" if link.fragment else ""),
                 a.inner_text()) for link, a in zip(links, items.all(), strict=True)]
    finally:
        page.close()


def language_of(link: str) -> str:
    first = link.split("/")[0]
    return first if first in LANGS else "it"


@pytest.mark.system
@needs_chromium
@pytest.mark.parametrize("lang", LANGS)
def test_a_word_finds_only_pages_of_the_readers_language(chromium, server, lang):
    results = search(chromium, server, lang, WORDS[lang])
    assert len(results) >= 3, results
    assert {language_of(link) for link, _ in results} == {lang}, results


@pytest.mark.system
@needs_chromium
@pytest.mark.parametrize("lang", LANGS)
def test_a_synonym_finds_the_pages_that_use_another_term(chromium, server, lang):
    results = search(chromium, server, lang, SYNONYMS[lang])
    links = [link for link, _ in results]
    assert url(lang, FOUND_BY_SYNONYM.rstrip("/")) in links, links
    assert {language_of(link) for link in links} == {lang}


@pytest.mark.system
@needs_chromium
def test_stemming_finds_another_form_of_the_word(chromium, server):
    # the charter writes "vacanza", never "vacanze": the Italian stemmer makes both "vacanz"
    links = [link for link, _ in search(chromium, server, "it", "vacanze")]
    assert "servizi/turismo-sociale/" in links, links


@pytest.mark.system
@needs_chromium
def test_the_snippet_under_a_scheda_is_its_summary(chromium, server, shipped):
    scheda = shipped.service_by_slug["telesoccorso"]
    for lang in ("it", "ar"):
        results = dict(search(chromium, server, lang, scheda.title[lang].split()[0]))
        text = results[url(lang, "servizi/telesoccorso")]
        assert scheda.summary[lang][:60] in " ".join(text.split()), text
