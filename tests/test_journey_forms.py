"""Issue 15, part A: the forms as short pages built from the YAML, answers never lost, the
language of the URL, accessible errors (through real HTTP; a phone-sized Chromium at the end)."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
import requests
from cryptography.fernet import Fernet
from pydantic import ValidationError

from carta.model.rules import Form
from form_backend import create_app
from tests.factory import REPO
from tests.payloads import CF, PDF, TODAY
from tests.servers import http_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EXPIRY = TODAY + dt.timedelta(days=400)


def make_app(tmp_path, root=REPO, **config):
    return create_app({
        "CARTA_ROOT": str(root), "DATABASE_URL": f"sqlite:///{tmp_path / 'j.db'}",
        "TESTING": True, "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "OUTBOX_SENDER": False, "SECRET_KEY": "test", "OFFICE_EMAIL": "ufficio@example.org",
        "RATELIMIT_SUBMIT": "10000 per minute", "CARTA_SITE_DIR": str(tmp_path / "no-site"),
        **config})


@pytest.fixture
def base(tmp_path):
    app = make_app(tmp_path)
    with http_server(app) as url:
        yield url
    app.extensions["carta_engine"].dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, tmp_path):
    """The app on each database, served over HTTP; yields its URL."""
    config = {}
    if request.param == "postgresql":
        config["DATABASE_URL"] = request.getfixturevalue("postgres").new_database(
            f"j{abs(hash(request.node.nodeid)) % 10**9}")
    app = make_app(tmp_path, **config)
    with http_server(app) as url:
        yield url
    app.extensions["carta_engine"].dispose()


def date(name: str, day: dt.date) -> dict:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month),
            f"{name}-year": str(day.year)}


PAGES = {  # the domanda's pages as a citizen fills them in (content/forms.yaml)
    "chi": {},
    "segnalante": {"segnalante-rapporto": "figlia", "segnalante-cognome": "Verdi",
                   "segnalante-nome": "Lia", "segnalante-luogo-nascita": "Napoli",
                   **date("segnalante-data-nascita", dt.date(1980, 1, 1)),
                   "segnalante-cittadinanza": "italiana",
                   "segnalante-documento-tipo": "passaporto",
                   "segnalante-documento-numero": "YA1234567",
                   **date("segnalante-documento-scadenza", EXPIRY),
                   "segnalante-codice-fiscale": CF},
    "destinatario": {"cognome": "Rossi", "nome": "Mario", "luogo-nascita": "Napoli",
                     **date("data-nascita", dt.date(1980, 1, 1)),
                     "cittadinanza": "italiana", "codice-fiscale": CF},
    "documento": {"documento-tipo": "carta d'identità", "documento-numero": "CA12345",
                  **date("documento-scadenza", EXPIRY)},
    "recapiti": {"indirizzo": "Via Roma 1", "comune": "sorrento", "telefono": "081 1234567",
                 "email": "mario@example.org"},
    "requisiti": {"isee": "7500,50", "requisiti-dichiarati": "no"},
    "allegati": {},
    "servizi-ricevuti": {"nuovo-utente": "si"},
    "dichiarazioni": {"dichiarazione-dpr445": "y", "privacy": "y"},
}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)


def errors(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>', html)


def post_page(s: requests.Session, base: str, url: str, page: str, data: dict, files=None):
    html = s.get(base + url).text
    return s.post(base + url, data={"csrf_token": csrf(html), "_step": page, **data},
                  files=files, allow_redirects=False)


def walk(s, base, url, pages: dict, files=None) -> str:
    """Post each page in turn (following where the app sends); return the URL reached."""
    for page, data in pages.items():
        current = re.search(r"/passo/([a-z0-9-]+)", url)
        assert (current.group(1) if current else "chi") == page, (url, page)
        r = post_page(s, base, url, page, data, files if page == "allegati" else None)
        assert r.status_code == 303, errors(r.text)
        url = r.headers["Location"]
    return url


def isee():
    return {"doc-isee": ("isee.pdf", PDF, "application/pdf")}


# --- the model: pages and conditions are checked like every other part of the YAML ---


def _form(**extra) -> dict:
    return {"id": "prova", "code": "P1", "title": "Prova", "privacy": "Informativa",
            "sections": [{"id": "s", "title": "S", "fields": [
                {"id": "per-altri", "label": "Per un altro", "type": "checkbox"},
                {"id": "nome", "label": "Nome", "type": "text", "autocomplete": "given-name"},
            ]}], **extra}


@pytest.mark.parametrize(("pages", "message"), [
    ([{"id": "a", "title": "A", "fields": ["per-altri", "zzz"]}], "no field 'zzz'"),
    ([{"id": "a", "title": "A", "fields": ["per-altri", "nome"]},
      {"id": "b", "title": "B", "fields": ["nome"]}], "already on page 'a'"),
    ([{"id": "a", "title": "A", "fields": ["per-altri"]}], "fields on no page: nome"),
    ([{"id": "a", "title": "A", "fields": ["nome"]},
      {"id": "b", "title": "B", "fields": ["per-altri"], "when": {"field": "nome"}}], None),
    ([{"id": "a", "title": "A", "fields": ["nome"], "when": {"field": "per-altri"}},
      {"id": "b", "title": "B", "fields": ["per-altri"]}], "must be a field on an earlier"),
])
def test_pages_name_every_field_once_and_conditions_look_back(pages, message):
    if message is None:
        assert [p.id for p in Form.model_validate(_form(pages=pages)).steps()] == ["a", "b"]
        return
    with pytest.raises(ValidationError, match=re.escape(message)):
        Form.model_validate(_form(pages=pages))


def test_a_form_without_pages_is_one_page_and_autocomplete_tokens_are_checked():
    form = Form.model_validate(_form())
    assert [(p.id, p.fields) for p in form.steps()] == [("modulo", ["per-altri", "nome"])]
    bad = _form()
    bad["sections"][0]["fields"][1]["autocomplete"] = "nickname-ish"
    with pytest.raises(ValidationError, match="autocomplete"):
        Form.model_validate(bad)


# --- the journey over HTTP ---


def test_a_domanda_page_by_page_with_progress_titles_and_the_check_page(base):
    s = requests.Session()
    first = s.get(base + "/domanda/telesoccorso")
    assert "Passo 1 di 9" in first.text  # the delegate's page is not counted: not asked
    assert "<title>Per chi è la domanda — Domanda d&#39;accesso ai servizi" in first.text
    assert "segnalante-cognome" not in first.text and "codice-fiscale" not in first.text
    pages = {k: v for k, v in PAGES.items() if k != "segnalante"}
    check = walk(s, base, "/domanda/telesoccorso", pages, isee())
    assert re.fullmatch(r"/domanda/telesoccorso/controlla/[0-9a-f]{32}\?lang=it", check)
    page = s.get(base + check).text
    assert "<title>Controlla le risposte prima di inviare — Domanda" in page
    assert '<bdi dir="ltr">081 1234567</bdi>' in page  # phone numbers read left to right
    assert '<bdi dir="ltr">RSSMRA80A01F839W</bdi>' in page
    assert "isee.pdf" in page and "Verdi" not in page
    sent = s.post(base + check.split("?")[0], data={"csrf_token": csrf(page)},
                  allow_redirects=False)
    assert sent.status_code == 303 and sent.headers["Location"].startswith("/ricevuta/")


def test_the_delegate_page_is_asked_only_on_behalf_and_dropped_when_unticked(base):
    s = requests.Session()
    r = post_page(s, base, "/domanda/telesoccorso", "chi", {"per-conto-di": "y"})
    assert "/passo/segnalante?" in r.headers["Location"]
    delegate = s.get(base + r.headers["Location"]).text
    assert "Passo 2 di 10" in delegate and 'autocomplete="family-name"' in delegate
    check = walk(s, base, r.headers["Location"], dict(list(PAGES.items())[1:]), isee())
    assert "Verdi" in s.get(base + check).text
    # Cambia on the first page, untick: the delegate's answers go, back to the check page
    draft = check.split("?")[0]
    r = post_page(s, base, f"{draft}/passo/chi?lang=it&cambia=1", "chi", {})
    assert r.headers["Location"] == check
    page = s.get(base + check).text
    assert "Verdi" not in page and "Rossi" in page


def test_an_error_keeps_what_was_typed_and_the_upload_which_can_be_removed(any_db):
    base = any_db
    s = requests.Session()
    url = walk(s, base, "/domanda/telesoccorso",
               {k: PAGES[k] for k in ("chi", "destinatario", "documento", "recapiti",
                                      "requisiti")})
    assert "/passo/allegati" in url
    # the ISEE is fine, the other file is not: the page says so, and keeps the good one
    r = post_page(s, base, url, "allegati", {}, files={
        **isee(), "doc-altri": ("note.pdf", b"not a pdf", "application/pdf")})
    assert r.status_code == 422
    assert [name for name, _ in errors(r.text)] == ["doc-altri"]
    assert "File caricato: <bdi>isee.pdf</bdi>" in r.text
    again = s.get(base + url).text
    assert "File caricato: <bdi>isee.pdf</bdi>" in again  # kept in the draft, not the page
    attachment = re.search(r'name="_remove" value="(\d+)"', again).group(1)
    removed = s.post(base + url, data={"csrf_token": csrf(again), "_step": "allegati",
                                       "_remove": attachment}, allow_redirects=False)
    assert removed.status_code == 303
    empty = post_page(s, base, url, "allegati", {})
    assert empty.status_code == 422 and errors(empty.text)[0][0] == "doc-isee"
    # typed answers with an error stay in the draft too
    r = post_page(s, base, url.replace("allegati", "recapiti"), "recapiti",
                  {**PAGES["recapiti"], "telefono": "chiamami"})
    assert r.status_code == 422 and 'value="Via Roma 1"' in r.text
    assert 'value="Via Roma 1"' in s.get(base + url.replace("allegati", "recapiti")).text


def test_cambia_opens_the_page_with_its_answers_and_returns_to_the_check_page(base):
    s = requests.Session()
    check = walk(s, base, "/domanda/telesoccorso",
                 {k: v for k, v in PAGES.items() if k != "segnalante"}, isee())
    page = s.get(base + check).text
    links = re.findall(r'href="([^"]*passo/recapiti[^"]*)"', page)
    assert links and all("cambia=1" in x for x in links)
    change = links[0].replace("&amp;", "&").split("#")[0]
    form = s.get(base + change).text
    assert 'value="Via Roma 1"' in form and 'value="081 1234567"' in form
    r = post_page(s, base, change, "recapiti", {**PAGES["recapiti"], "indirizzo": "Via Capo 3"})
    assert r.headers["Location"] == check
    assert "Via Capo 3" in s.get(base + check).text
    # "Modifica le risposte" opens the first page with its answers, never an empty form
    restart = re.search(r'href="([^"]*passo/chi[^"]*)">Modifica le risposte', page).group(1)
    assert "/controlla/" in restart


def test_the_language_is_the_urls_and_switching_keeps_the_draft(base):
    s = requests.Session()
    s.headers["Accept-Language"] = "en"  # the browser's preference does not choose
    assert '<html lang="it" dir="ltr">' in s.get(base + "/domanda/telesoccorso").text
    s.get(base + "/reclamo?lang=ar")  # nor does an earlier visit
    assert '<html lang="it"' in s.get(base + "/reclamo").text
    r = post_page(s, base, "/domanda/telesoccorso?lang=ar", "chi", {})
    step = r.headers["Location"]
    assert step.endswith("/passo/destinatario?lang=ar")
    r = post_page(s, base, step, "destinatario", {"cognome": "Rossi", "nome": "Mario"})
    assert r.status_code == 422 and '<html lang="ar" dir="rtl">' in r.text
    assert "الخطوة 2 من 9" in r.text
    switch = re.search(r'<a href="([^"]+)" lang="fr"', r.text).group(1).replace("&amp;", "&")
    assert switch == step.replace("lang=ar", "lang=fr")
    french = s.get(base + switch).text
    assert '<html lang="fr"' in french and 'value="Rossi"' in french
    assert "Étape 2 sur 9" in french


def test_dates_are_three_boxes_and_personal_fields_autofill(base):
    page = requests.get(base + "/reclamo").text
    for part in ("day", "month", "year"):
        assert f'name="data-nascita-{part}"' in page
        assert f'autocomplete="bday-{part}"' in page
    assert 'type="date"' not in page
    assert 'id="data-nascita"' in page  # the error summary's link lands on the day box
    assert 'autocomplete="given-name"' in page and 'autocomplete="family-name"' in page
    assert '<script src="/_carta/form.js" defer></script>' in page
    s = requests.Session()
    r = post_page(s, base, "/reclamo", "reclamante",
                  {"nome": "Anna", "cognome": "Bianchi", **date("data-nascita", TODAY)})
    contact = s.get(base + r.headers["Location"]).text
    for token in ("address-level2", "address-line1", "postal-code", "tel", "email"):
        assert f'autocomplete="{token}"' in contact
    assert "(facoltativo)" in contact and "Comune di residenza *" in contact
    bad = post_page(s, base, "/reclamo", "reclamante",
                    {"nome": "Anna", "cognome": "Bianchi", "data-nascita-day": "31",
                     "data-nascita-month": "2", "data-nascita-year": "1980"})
    assert bad.status_code == 422
    assert errors(bad.text) == [("data-nascita", "Scrivi «Data di nascita» come una data "
                                 "reale, per esempio 25/12/1980.")]
    assert 'value="31"' in bad.text and 'value="1980"' in bad.text


def test_a_complaint_about_a_scheda_keeps_it_through_the_pages(base):
    s = requests.Session()
    r = post_page(s, base, "/reclamo?servizio=telesoccorso", "reclamante",
                  {"nome": "Anna", "cognome": "Bianchi"})
    r = post_page(s, base, r.headers["Location"], "recapiti",
                  {"comune-residenza": "Sorrento", "indirizzo": "Via Capo 2"})
    page = s.get(base + r.headers["Location"]).text
    assert '<option selected value="telesoccorso">' in page


def test_a_charter_without_pages_asks_everything_on_one_page(tmp_path):
    app = make_app(tmp_path, root=REPO / "examples" / "accoglienza")
    with http_server(app) as base:
        s = requests.Session()
        page = s.get(base + "/domanda/segretariato-sociale").text
        assert "Passo 1 di 1" in page and 'name="_step" value="modulo"' in page
        assert 'autocomplete="name"' in page  # from the field's role: full_name
        r = post_page(s, base, "/domanda/segretariato-sociale", "modulo", {"nome": "Neri Ada"})
        assert r.status_code == 422 and 'value="Neri Ada"' in r.text
    app.extensions["carta_engine"].dispose()


# --- in Chromium, on a phone: Italian and Arabic, keyboard only, axe on every page ---

PHONE = {"width": 375, "height": 812}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _answers(on_behalf: bool) -> list[tuple[str, list[tuple[str, str]]]]:
    """(page, [(element id, value)]) in order; "check" ticks a box, "radio" picks one."""
    def dates(name, day):
        return [(name, str(day.day)), (f"{name}-month", str(day.month)),
                (f"{name}-year", str(day.year))]
    pages = [("chi", [("per-conto-di", "check")] if on_behalf else [])]
    if on_behalf:
        pages.append(("segnalante", [
            ("segnalante-rapporto", "figlia"), ("segnalante-cognome", "Verdi"),
            ("segnalante-nome", "Lia"), ("segnalante-luogo-nascita", "Napoli"),
            *dates("segnalante-data-nascita", dt.date(1980, 1, 1)),
            ("segnalante-cittadinanza", "italiana"), ("segnalante-documento-tipo", "passaporto"),
            ("segnalante-documento-numero", "YA1234567"),
            *dates("segnalante-documento-scadenza", EXPIRY), ("segnalante-codice-fiscale", CF)]))
    pages += [
        ("destinatario", [("cognome", "Rossi"), ("nome", "Mario"),
                          *dates("data-nascita", dt.date(1980, 1, 1)),
                          ("luogo-nascita", "Napoli"), ("cittadinanza", "italiana"),
                          ("codice-fiscale", CF)]),
        ("documento", [("documento-tipo", "carta"), ("documento-numero", "CA12345"),
                       *dates("documento-scadenza", EXPIRY)]),
        ("recapiti", [("indirizzo", "Via Roma 1"), ("comune", "select:sorrento"),
                      ("telefono", "081 1234567"), ("email", "mario@example.org")]),
        ("requisiti", [("isee", "7500,50"),
                       ("requisiti-dichiarati-0" if on_behalf else "requisiti-dichiarati-1",
                        "radio")]),
        *([("parametri", [("par-ultrasessantacinquenne-solo", "check")])] if on_behalf else []),
        ("allegati", []),
        ("servizi-ricevuti", [("nuovo-utente-1", "radio"), ("servizi-precedenti", "ADI")]),
        ("dichiarazioni", [("dichiarazione-dpr445", "check"), ("privacy", "check")]),
    ]
    return pages


def _tab_to(page, selector: str) -> None:
    """Press Tab until ``selector`` has the focus (the keyboard reaches it, in order)."""
    for _ in range(120):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reaches {selector}")


def _fill(page, answers, keyboard: bool) -> None:
    for element, value in answers:
        target = f"#{element}"
        if not keyboard:
            if value == "check" or value == "radio":
                page.check(target)
            elif value.startswith("select:"):
                page.select_option(target, value.split(":", 1)[1])
            else:
                page.fill(target, value)
            continue
        if value == "radio":  # into the group on its first answer, then the arrow to ours
            _tab_to(page, f"[name='{element.rsplit('-', 1)[0]}']")
            page.keyboard.press("Space" if element.endswith("-0") else "ArrowDown")
            assert page.is_checked(target)
            continue
        _tab_to(page, target)
        if value == "check":
            page.keyboard.press("Space")
            assert page.is_checked(target)
        elif value.startswith("select:"):
            page.keyboard.type(value.split(":", 1)[1][:4])
            assert page.input_value(target) == value.split(":", 1)[1]
        else:
            page.keyboard.press("Control+A")
            page.keyboard.type(value)


def _continue(page, keyboard: bool) -> None:
    if keyboard:
        _tab_to(page, "#step-form button.button")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        with page.expect_navigation():
            page.click("#step-form button.button")


class Journey:
    """One citizen's domanda in the browser, checking every page as it goes."""

    def __init__(self, page, lang: str, shots, axe):
        self.page, self.lang, self.shots, self.axe = page, lang, shots, axe
        self.heights: dict[str, int] = {}
        self.titles: list[str] = []
        self.violations: list[str] = []

    def look(self, name: str) -> None:
        page = self.page
        self.titles.append(page.title())
        self.heights[name] = page.evaluate("document.documentElement.scrollHeight")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{self.lang} {name}: {overflow}px wider than the phone"
        result = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        self.violations += [f"{self.lang} {name}: {v['id']} {[n['target'] for n in v['nodes'][:3]]}"
                            for v in result.response["violations"]]
        if self.shots is not None:
            page.screenshot(path=str(self.shots / f"{self.lang}-{name}.png"), full_page=True)


def _journey(j: Journey, base: str, on_behalf: bool, keyboard: bool, tmp_path) -> str:
    page = j.page
    page.goto(f"{base}/domanda/telesoccorso?lang={j.lang}")
    for name, answers in _answers(on_behalf):
        assert f"/passo/{name}?" in page.url or (name == "chi" and "/passo/" not in page.url)
        j.look(name)
        if name == "destinatario":  # an error first: the summary takes the focus …
            _fill(page, [a for a in answers if a[0] != "nome"], keyboard)
            _continue(page, keyboard)
            assert page.evaluate("document.activeElement.className") == "error-summary"
            j.look("destinatario-errore")
            page.keyboard.press("Tab")  # … its link puts the focus in the box, label in view
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.id") == "nome"
            box = page.evaluate("document.querySelector('label[for=nome]')"
                                ".getBoundingClientRect().top")
            assert -1 < box < PHONE["height"], box  # the label at the top of the screen
            assert page.input_value("#cognome") == "Rossi"  # what was typed is still there
            answers = [a for a in answers if a[0] == "nome"]
        if name == "allegati":  # a good file and a bad one: the good one stays
            bad = tmp_path / "appunti.pdf"
            bad.write_bytes(b"not a pdf at all")
            good = tmp_path / "isee.pdf"
            good.write_bytes(PDF)
            page.set_input_files("#doc-isee", str(good))  # (a file chooser needs a mouse)
            page.set_input_files("#doc-altri", str(bad))
            _continue(page, keyboard)
            assert page.locator(".error-summary").count() == 1
            kept = page.locator(".kept").first.inner_text()
            assert "isee.pdf" in kept
            j.look("allegati-errore")
            page.set_input_files("#doc-altri", [])
        _fill(page, answers, keyboard)
        _continue(page, keyboard)
    assert "/controlla/" in page.url and "/passo/" not in page.url
    j.look("controlla")
    return page.url


@pytest.mark.system
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_a_citizen_applies_on_a_phone_in_italian_and_arabic_keyboard_only(tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    app = make_app(tmp_path)
    shots = tmp_path / "shots"
    shots.mkdir()
    journeys = {}
    with http_server(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for lang, on_behalf in (("it", False), ("ar", True)):
            page = browser.new_page(viewport=PHONE, locale=lang)
            j = journeys[lang] = Journey(page, lang, shots, Axe())
            check = _journey(j, base, on_behalf, keyboard=True, tmp_path=tmp_path)
            assert f"lang={lang}" in check
            text = page.inner_text("main")
            assert "isee.pdf" in text and ("Verdi" in text) == on_behalf
            if lang == "ar":  # the phone number reads as written, inside the Arabic page
                phone = page.locator("bdi", has_text="081 1234567").first
                assert phone.get_attribute("dir") == "ltr"
                assert phone.evaluate("e => getComputedStyle(e).direction") == "ltr"
            # Cambia: the phone number's page, with its answers, then back to the check page
            page.locator(".summary-action a[href*='passo/recapiti']").nth(2).click()
            assert "/passo/recapiti" in page.url
            assert page.input_value("#telefono") == "081 1234567"
            assert page.input_value("#comune") == "sorrento"
            _fill(page, [("telefono", "081 7654321")], keyboard=True)
            _continue(page, keyboard=True)
            assert page.url == check and "081 7654321" in page.inner_text("main")
            _tab_to(page, "main form button.button")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "/ricevuta/" in page.url and f"lang={lang}" in page.url
            page.close()
        for lang in ("en", "fr"):  # every page in the other two languages too (mouse)
            page = browser.new_page(viewport=PHONE)
            j = journeys[lang] = Journey(page, lang, None, Axe())
            _journey(j, base, lang == "fr", keyboard=False, tmp_path=tmp_path)
            page.close()
        # the whole form on one page, as it was before (still what a POST of every answer
        # at once gets back with its errors): its height, to compare
        page = browser.new_page(viewport=PHONE)
        page.goto(f"{base}/domanda/telesoccorso")
        with page.expect_navigation():
            page.evaluate("""() => { const f = document.getElementById('step-form');
                f.querySelector('[name=_step]').remove(); f.submit(); }""")
        assert page.locator(".error-summary li").count() > 10
        whole = page.evaluate("document.documentElement.scrollHeight")
        page.close()
        browser.close()
    app.extensions["carta_engine"].dispose()
    violations = [v for j in journeys.values() for v in j.violations]
    assert violations == []
    for j in journeys.values():  # a title per page: step, its error, the check page
        assert len(set(j.titles)) == len(j.titles), j.titles
    tallest = max(h for j in journeys.values() for h in j.heights.values())
    report = {lang: j.heights for lang, j in journeys.items()} | {"whole_form": whole}
    (tmp_path / "heights.json").write_text(__import__("json").dumps(report, indent=1))
    print("page heights on a 375x812 phone:", report)
    assert tallest < whole / 2, report


# --- the pages of a draft belong to the browser that made it, like its check page ---


def test_a_drafts_pages_are_404_to_another_browser_and_under_another_form(base):
    mine = requests.Session()
    r = post_page(mine, base, "/domanda/telesoccorso", "chi", {})
    step = r.headers["Location"].split("?")[0]
    draft_id = step.split("/controlla/")[1].split("/")[0]
    assert "Passo 2 di 9" in mine.get(base + step).text
    other = requests.Session()
    token = csrf(other.get(base + "/reclamo").text)
    planted = {"csrf_token": token, "_step": "destinatario", "cognome": "Intruso"}
    for r in (other.get(base + step),
              other.post(base + step, data=planted, allow_redirects=False),
              other.post(base + step, data={**planted, "_remove": "1"}, allow_redirects=False),
              mine.get(f"{base}/domanda/prima-infanzia/controlla/{draft_id}/passo/destinatario"),
              mine.get(f"{base}/reclamo/controlla/{draft_id}/passo/recapiti"),
              mine.get(f"{base}{step.rsplit('/', 1)[0]}/nessuna")):
        assert r.status_code == 404, r.status_code
    assert "Intruso" not in mine.get(base + step).text
    # junk in the page's own controls never gets a server error
    token = csrf(mine.get(base + step).text)
    for data in ({"_step": "zzz"}, {"_step": "destinatario", "_remove": "x' OR 1=1"},
                 {"_step": "destinatario", "data-nascita-day": "\x00", "data-nascita-year": "9" * 40},
                 {"_step": "destinatario", "website": "http://spam.example"}):
        r = mine.post(base + step, data={"csrf_token": token, **data}, allow_redirects=False)
        assert r.status_code in (303, 400, 404, 422), (data, r.status_code)


def test_the_check_page_lets_an_unticked_box_be_changed(base):
    s = requests.Session()
    check = walk(s, base, "/domanda/telesoccorso",
                 {k: v for k, v in PAGES.items() if k != "segnalante"}, isee())
    page = s.get(base + check).text
    row = re.search(r"<dt>Presento la domanda per conto del destinatario</dt>\s*<dd><bdi>No</bdi>"
                    r'</dd>\s*<dd class="summary-action"><a href="([^"]+)"', page)
    assert row and "/passo/chi?" in row.group(1)


def test_the_access_criteria_are_asked_only_of_who_says_there_are_some(base):
    s = requests.Session()
    url = walk(s, base, "/domanda/telesoccorso",
               {k: PAGES[k] for k in ("chi", "destinatario", "documento", "recapiti")})
    r = post_page(s, base, url, "requisiti", {"isee": "7500", "requisiti-dichiarati": "si"})
    assert "/passo/parametri?" in r.headers["Location"]
    criteria = s.get(base + r.headers["Location"]).text
    assert "Passo 6 di 9" in criteria and 'name="par-ultrasessantacinquenne-solo"' in criteria
    assert 'name="par-ex-detenuto-sei-mesi"' in criteria  # a count, with its number box
    check = walk(s, base, r.headers["Location"],
                 {"parametri": {"par-ultrasessantacinquenne-solo": "y"},
                  **{k: PAGES[k] for k in ("allegati", "servizi-ricevuti", "dichiarazioni")}},
                 isee())
    before = s.get(base + check).text
    assert '<h2 class="summary-title">Ulteriori parametri d&#39;accesso</h2>' in before
    assert "passo/parametri?lang=it&amp;cambia=1#par-ultrasessantacinquenne-solo" in before
    # changed to "no": the criteria page and its answers go
    draft = check.split("?")[0]
    r = post_page(s, base, f"{draft}/passo/requisiti?lang=it&cambia=1", "requisiti",
                  {"isee": "7500", "requisiti-dichiarati": "no"})
    assert r.headers["Location"] == check
    page = s.get(base + check).text
    assert "passo/parametri" not in page and "Passo" not in page


def test_a_drafts_pages_are_limited_ten_times_less_than_new_forms(tmp_path):
    app = make_app(tmp_path, RATELIMIT_SUBMIT="2 per minute")
    with http_server(app) as base:
        s = requests.Session()
        r = post_page(s, base, "/domanda/telesoccorso", "chi", {})
        step = r.headers["Location"]
        pages = [post_page(s, base, step, "destinatario", {"cognome": "Rossi"}).status_code
                 for _ in range(6)]
        assert pages == [422] * 6  # each saved, none refused
        news = [post_page(s, base, "/reclamo", "reclamante", {}).status_code for _ in range(3)]
        assert news[-1] == 429  # the first page (a new draft) counts as a send
    app.extensions["carta_engine"].dispose()


def test_the_delegates_page_marks_what_it_requires(base):
    s = requests.Session()
    r = post_page(s, base, "/domanda/telesoccorso", "chi", {"per-conto-di": "y"})
    page = s.get(base + r.headers["Location"]).text
    assert ">Cognome *</label>" in page and ">Indirizzo e-mail (facoltativo)</label>" in page
    assert ">Indirizzo di residenza (facoltativo)</label>" in page
