"""Issue 15: the access criteria are asked online as short plain questions, the regulation's
words shown under each as its hint; a charter that writes no question is asked as before."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from cryptography.fernet import Fernet

from carta.cli import main as carta
from carta.load.charter import load_charter
from form_backend import create_app
from form_backend.office.answers import grouped
from tests.factory import REPO, base, write_charter
from tests.payloads import PDF
from tests.test_journey_forms import PAGES


class Page(HTMLParser):
    """A form page as a screen reader meets it: each control's label, hint and the ids it
    is described by."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.labels: dict[str, str] = {}  # control id → its label's text
        self.texts: dict[str, str] = {}  # element id → its text
        self.described: dict[str, list[str]] = {}  # control id → aria-describedby ids
        self._open: list[tuple[str, str]] = []  # (kind, key) of elements being read
        self._buf: dict[tuple[str, str], list[str]] = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("id"):
            self.described[a["id"]] = (a.get("aria-describedby") or "").split()
        key = ("label", a["for"]) if tag == "label" and a.get("for") else (
            ("id", a["id"]) if tag == "p" and a.get("id") else None)
        if key:
            self._open.append(key)
            self._buf[key] = []

    def handle_data(self, data):
        for key in self._open:
            self._buf[key].append(data)

    def handle_endtag(self, tag):
        if tag in ("label", "p") and self._open:
            kind, key = self._open.pop()
            text = " ".join("".join(self._buf[(kind, key)]).split())
            (self.labels if kind == "label" else self.texts)[key] = text

    def label(self, control: str) -> str:
        return self.labels[control]

    def hint(self, control: str) -> str | None:
        """The hint the control is described by (None when it has none)."""
        hint = f"{control}-hint"
        if hint not in self.texts:
            return None
        assert hint in self.described[control], f"{control} is not described by its hint"
        return self.texts[hint]


def make_app(tmp_path, root):
    return create_app({
        "CARTA_ROOT": str(root), "DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}",
        "TESTING": True, "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "OUTBOX_SENDER": False, "SECRET_KEY": "test", "OFFICE_EMAIL": "ufficio@example.org",
        "RATELIMIT_SUBMIT": "10000 per minute", "CARTA_SITE_DIR": str(tmp_path / "no-site")})


@pytest.fixture
def shipped_app(tmp_path):
    app = make_app(tmp_path, REPO)
    yield app
    app.extensions["carta_engine"].dispose()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)


def criteria_page(client, slug: str, lang: str) -> str:
    """Walk the shipped domanda to its access-criteria page (answering that there are some);
    return that page's HTML."""
    url = f"/domanda/{slug}?lang={lang}"
    for step in ("chi", "destinatario", "documento", "recapiti", "requisiti"):
        data = dict(PAGES[step])
        if step == "requisiti":
            data["requisiti-dichiarati"] = "si"
        page = client.get(url)
        assert page.status_code == 200, url
        r = client.post(url, data={"csrf_token": _token(page.text), "_step": step, **data})
        assert r.status_code == 303, (step, re.findall(r'<li><a href="#[^"]+">([^<]+)</a>',
                                                       r.text))
        url = r.headers["Location"]
    assert "/passo/parametri" in url, url
    page = client.get(url)
    assert page.status_code == 200
    return page.text


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_each_criterion_is_a_plain_question_with_the_regulation_text_as_its_hint(
        shipped_app, lang):
    charter = load_charter(REPO)
    params = {p.id: p for g in charter.access_parameters.groups for p in g.parameters}
    page = Page(criteria_page(shipped_app.test_client(), "telesoccorso", lang))
    # a drop-down (rent), a count of people (disability), a box (over 65, alone)
    for pid in ("fitto-superiore", "invalidita-fino-66", "ultrasessantacinquenne-solo"):
        p, control = params[pid], f"par-{pid}"
        question, text = p.question.resolve(lang)[0], p.text.resolve(lang)[0]
        assert page.label(control) == question
        assert page.hint(control) == text
    # the asked-about children of a separated parent: a question of their own, no clause
    minors = page.label("par-separato-senza-mantenimento-minori")
    assert minors == params["separato-senza-mantenimento"].minors_question.resolve(lang)[0]
    # and no two inputs of the page share a label (the error summary names each one)
    labels = list(page.labels.values())
    assert len(labels) == len(set(labels))
    # no criterion is labelled with the regulation's wording any more
    clauses = {p.text.resolve(lang)[0] for p in params.values()}
    assert not clauses & set(page.labels.values())

    # and the clauses fold away, so the page is a list of short questions on a phone
    html = criteria_page(shipped_app.test_client(), "telesoccorso", lang)
    folded = re.findall(r'<details class="details hint[^"]*"><summary>([^<]+)</summary>'
                        r'<p class="hint" id="par-[a-z0-9-]+-hint">', html)
    assert len(folded) >= 20 and set(folded) == {charter.t(lang, "form_regulation_text")}


def _charter(root, question: dict | None):
    """The factory charter whose domanda asks the access parameters (one page)."""
    forms = base("content/forms.yaml")
    forms["forms"][0]["sections"][0]["fields"].append(
        {"id": "parametri", "label": "Requisiti", "type": "access_parameters"})
    affitto = {"id": "affitto", "text": {"it": "Pagamento di fitti superiori agli accordi",
                                         "en": "Paying a rent above the agreements"},
               "steps": [{"condition": "fino al 25% in più", "points": 1},
                         {"condition": "oltre il 25% in più", "points": 2}]}
    solo = {"id": "solo", "text": "Per le persone di età superiore ai 65 anni sole",
            "points": 2}
    if question:
        affitto["question"] = question
    params = {"groups": [{"id": "tutti", "name": "Per tutti", "parameters": [affitto, solo]}]}
    return write_charter(root, {"content/forms.yaml": forms,
                                "content/access_parameters.yaml": params})


def test_a_charter_without_question_is_asked_the_regulation_text(tmp_path):
    app = make_app(tmp_path, _charter(tmp_path / "c", None))
    page = Page(app.test_client().get("/domanda/telesoccorso?lang=it").text)
    app.extensions["carta_engine"].dispose()
    assert page.label("par-affitto") == "Pagamento di fitti superiori agli accordi"
    assert page.hint("par-affitto") is None  # the same words are not said twice
    assert page.label("par-solo") == "Per le persone di età superiore ai 65 anni sole"


def test_the_citizen_checks_the_question_and_the_office_reads_the_regulation(tmp_path):
    root = _charter(tmp_path / "c", {"it": "Paga un affitto più alto degli accordi?",
                                     "en": "Do you pay more rent than the agreements allow?"})
    app = make_app(tmp_path, root)
    client = app.test_client()
    page = client.get("/domanda/telesoccorso?lang=en")
    shown = Page(page.text)
    assert shown.label("par-affitto") == "Do you pay more rent than the agreements allow?"
    assert shown.hint("par-affitto") == "Paying a rent above the agreements"
    assert shown.label("par-solo") == "Per le persone di età superiore ai 65 anni sole"
    assert shown.hint("par-solo") is None  # this one has no question: asked as before
    sent = client.post("/domanda/telesoccorso?lang=en", data={
        "csrf_token": _token(page.text), "nome": "Mario", "par-affitto": "1",
        "doc-isee": (io.BytesIO(PDF), "isee.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert sent.status_code == 303, sent.text[:2000]
    check = client.get(sent.headers["Location"]).text
    app.extensions["carta_engine"].dispose()
    assert "Do you pay more rent than the agreements allow?" in check  # what they were asked
    assert "oltre il 25% in più" in check
    # the operator scores the criterion as the regulation words it
    labels = [r.label for _, rows in grouped(load_charter(root), "domanda", "telesoccorso",
                                             {"nome": "Mario", "par-affitto": "1"}, None, "en")
              for r in rows]
    assert "Paying a rent above the agreements" in labels
    assert not [label for label in labels if "Do you pay" in label]


def test_carta_check_accepts_a_question_and_refuses_one_without_italian(tmp_path, capsys):
    ok = _charter(tmp_path / "ok", {"it": "Paga un affitto più alto?",
                                    "en": "Do you pay more rent?"})
    assert carta(["check", "--root", str(ok)]) == 0
    bad = _charter(tmp_path / "bad", {"en": "Do you pay more rent?"})
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        carta(["check", "--root", str(bad)])
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert "content/access_parameters.yaml:" in err, err  # file:line
    assert "parameters[0].question: the Italian text is missing" in err, err
