"""Legal texts as charter data: the privacy notice of each form (GDPR art. 13) with an
acknowledgement instead of consent, the version a submission keeps, and the art. 35 facts
(D.Lgs 33/2013) of every scheda on its printed sheet."""

from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy import select, text

from carta import present
from carta.load.charter import load_charter
from carta.model.rules import FieldRole, Form
from tests.factory import REPO, base, write_charter
from tests.payloads import reclamo

OLD_LAW = re.compile(r"196/0?3\b(?!.*101/2018)|art(?:icolo|\.)\s*7\b|acconsent|autorizz",
                     re.IGNORECASE)


def _plain(html_text: str) -> str:
    import html as html_lib

    body = re.sub(r"<style.*?</style>", " ", html_text, flags=re.S)
    body = re.sub(r"</?(span|bdi|a|strong|em|b|i)\b[^>]*>", "", body)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


# --- the notice ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["it", "en", "fr", "ar"])
def test_shipped_forms_ask_to_acknowledge_the_notice_not_to_consent(shipped, lang):
    for form in shipped.forms:
        box = form.field_with_role(FieldRole.privacy_notice)
        assert box is not None and box.required, form.id
        words = " ".join(x.resolve(lang)[0] for x in (box.label, box.question) if x)
        assert not OLD_LAW.search(words), (form.id, words)
        assert "2016/679" in box.label.resolve(lang)[0]
    raw = (REPO / "content" / "forms.yaml").read_text(encoding="utf-8")
    assert "D.Lgs 196/2003" not in raw and "196/03" not in raw and "Acconsento" not in raw


def test_the_notice_states_the_public_task_and_health_basis_only_where_health_data_are_asked(shipped):
    domanda = present.notice(shipped, shipped.form_by_id["domanda"], "it")
    reclamo_ = present.notice(shipped, shipped.form_by_id["reclamo"], "it")
    basis = {n.form_id: " ".join(x.text for p in n.parts if p.key == "legal_basis" for x in p.lines)
             for n in (domanda, reclamo_)}
    assert "art. 6, par. 1, lett. e)" in basis["domanda"] and "art. 9" in basis["domanda"]
    assert "art. 6, par. 1, lett. e)" in basis["reclamo"] and "art. 9" not in basis["reclamo"]
    for n in (domanda, reclamo_):
        keys = [p.key for p in n.parts]
        assert keys[:2] == ["controller", "dpo"] and {"rights", "complaint", "retention",
                                                       "recipients", "outside_eu"} <= set(keys)
        said = " ".join(x.text for p in n.parts for x in p.lines)
        assert "artt. 15–22" in said and "Garante" in said and "art. 77" in said
        assert "2016/679" in said and "D.Lgs 10 agosto 2018, n. 101" in said


def test_facts_the_seed_does_not_give_are_to_be_completed_not_invented(shipped):
    """The seed names no DPO and says nothing of transfers outside the EU: the notice says
    "da completare" there, on the online form, the printed form and the general part."""
    from carta.print.sheets import form_document, general_document

    n = present.notice(shipped, shipped.form_by_id["domanda"], "it")
    assert set(n.missing) == {"dpo", "outside_eu"}
    for printed in (_plain(form_document(shipped, shipped.form_by_id["domanda"], "it")),
                    _plain(general_document(shipped, "it"))):
        dpo = printed.index("Responsabile della protezione dei dati (RPD)")
        assert printed[dpo:dpo + 120].count("Da completare") == 1
        assert n.version in printed


def test_a_forms_notice_overrides_the_districts_key_by_key(tmp_path):
    data = {f: base(f) for f in ("content/district.yaml", "content/forms.yaml")}
    data["content/district.yaml"]["privacy"] = {
        "controller": "Comune di Prova", "dpo": "RPD del Comune di Prova",
        "dpo_email": ["rpd@prova.example.it"], "recipients": ["Nessuno"], "outside_eu": False}
    data["content/forms.yaml"]["forms"][1]["notice"] = {"purposes": ["Rispondere al reclamo"],
                                                        "recipients": ["L'ente gestore"]}
    charter = load_charter(write_charter(tmp_path, data))
    n = present.notice(charter, charter.form_by_id["reclamo"], "it")
    by_key = {p.key: p for p in n.parts}
    assert by_key["controller"].lines[0].text == "Comune di Prova"
    assert [v.text.text for c in by_key["dpo"].contacts for v in c.values] == [
        "rpd@prova.example.it"]
    assert [x.text for x in by_key["purposes"].lines] == ["Rispondere al reclamo"]
    assert [x.text for x in by_key["recipients"].lines] == ["L'ente gestore"]
    assert by_key["outside_eu"].lines[0].text.startswith("I dati non sono trasferiti")
    assert n.missing == ("categories",)  # neither the form nor the district lists them


def test_the_version_changes_with_the_words_and_only_with_them(tmp_path):
    data = {"content/district.yaml": base("content/district.yaml")}
    data["content/district.yaml"]["privacy"] = {"controller": "Comune di Prova"}
    first = load_charter(write_charter(tmp_path / "a", data))
    again = load_charter(write_charter(tmp_path / "b", data))
    data["content/district.yaml"]["privacy"] = {"controller": "Comune di Altrove"}
    changed = load_charter(write_charter(tmp_path / "c", data))
    v = [present.notice_version(c, c.form_by_id["reclamo"]) for c in (first, again, changed)]
    assert v[0] == v[1] != v[2] and v[0].startswith("reclamo-")


@pytest.mark.parametrize(("field", "message"), [
    ({"type": "text"}, "give it type: checkbox and required: true"),
    ({"type": "checkbox", "required": False}, "give it type: checkbox and required: true"),
])
def test_an_acknowledgement_that_is_not_a_required_box_is_refused(field, message):
    spec = {"id": "prova", "code": "P", "title": "Prova", "sections": [{
        "id": "s", "title": "S", "fields": [{"id": "letto", "label": "Ho letto",
                                             "role": "privacy_notice", "required": True,
                                             **field}]}]}
    with pytest.raises(ValidationError, match=message):
        Form.model_validate(spec)


def test_a_wrong_notice_key_is_reported_with_its_file_and_line(tmp_path):
    data = {"content/district.yaml": base("content/district.yaml")}
    data["content/district.yaml"]["privacy"] = {"controller": "Comune", "dpo_mail": "x"}
    from carta.errors import CharterError

    with pytest.raises(CharterError) as err:
        load_charter(write_charter(tmp_path, data))
    assert any(p.file == "content/district.yaml" and "dpo_mail" in str(p)
               for p in err.value.problems)


# --- the backend keeps the notice that was acknowledged ------------------------------------

@pytest.fixture
def app(tmp_path):
    from form_backend import create_app

    made = create_app({
        "CARTA_ROOT": str(REPO), "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "TESTING": True, "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "OUTBOX_SENDER": False, "SECRET_KEY": "test", "RATELIMIT_SUBMIT": "1000 per minute",
        "CARTA_SITE_DIR": str(tmp_path / "no-site"), "OFFICE_EMAIL": "ufficio@example.org"})
    yield made
    made.extensions["carta_engine"].dispose()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _send_reclamo(client, **answers):
    page = client.get("/reclamo").get_data(as_text=True)
    first = client.post("/reclamo", data={**reclamo(**answers), "csrf_token": _token(page)})
    return first, page


def test_the_reclamo_page_shows_the_notice_by_the_box_and_a_submission_keeps_its_version(app):
    from form_backend.db import PrivacyNotice, Submission

    charter = app.extensions["carta"]
    version = present.notice_version(charter, charter.form_by_id["reclamo"])
    client = app.test_client()
    first, _ = _send_reclamo(client)
    assert first.status_code == 303
    step = first.headers["Location"].split("?")[0] + "/passo/consenso"
    page = client.get(step).get_data(as_text=True)
    notice_at = page.index(f'data-notice-version="{version}"')
    assert notice_at < page.index('name="privacy"')  # on the box's page, above the box
    assert "Ho letto l&#39;informativa sul trattamento dei dati personali" in page
    assert "Acconsento" not in page and "196/03" not in page
    check = client.get(first.headers["Location"]).get_data(as_text=True)
    done = client.post(first.headers["Location"].split("?")[0],
                       data={"csrf_token": _token(check)})
    assert done.status_code == 303
    with app.extensions["carta_sessions"]() as s:
        record = s.execute(select(Submission)).scalar_one()
        stored = s.get(PrivacyNotice, version)
        assert record.privacy_notice == version and record.data["privacy"] is True
        lines = [x for part in stored.notice["it"] for x in part["lines"]]
        assert any("Garante per la protezione dei dati personali" in x for x in lines)
        assert set(stored.notice) == set(charter.district.languages)


def test_without_the_box_ticked_nothing_is_sent(app):
    client = app.test_client()
    first, _ = _send_reclamo(client, privacy=None)
    assert first.status_code == 422
    assert "Ho letto l&#39;informativa" in first.get_data(as_text=True)


def test_migration_0010_keeps_earlier_submissions_readable(app):
    """A submission stored before (the old consent box ticked) keeps its answers; it has no
    notice version, and going down and up again loses nothing."""
    from form_backend.db import Submission
    from form_backend.migrate import downgrade, upgrade

    client = app.test_client()
    first, _ = _send_reclamo(client)
    check = client.get(first.headers["Location"]).get_data(as_text=True)
    client.post(first.headers["Location"].split("?")[0], data={"csrf_token": _token(check)})
    engine = app.extensions["carta_engine"]
    with engine.begin() as c:
        c.execute(text("update submissions set privacy_notice = null"))
        c.execute(text("delete from privacy_notices"))
    downgrade(engine, "0009")
    with engine.begin() as c:
        columns = [r[1] for r in c.execute(text("pragma table_info(submissions)"))]
        assert "privacy_notice" not in columns
    upgrade(engine, "0010")
    with app.extensions["carta_sessions"]() as s:
        record = s.execute(select(Submission)).scalar_one()
        assert record.privacy_notice is None and record.data["descrizione"]


# --- art. 35 D.Lgs 33/2013 on every sheet ---------------------------------------------------

@pytest.mark.parametrize("lang", ["it", "ar"])
def test_every_sheet_names_the_responsible_the_substitute_the_remedies_and_how_to_pay(shipped, lang):
    from carta.print.sheets import scheda_document

    for service in shipped.services:
        printed = _plain(scheda_document(shipped, service, lang))
        p = present.procedure(shipped, service, lang)
        assert shipped.t(lang, "procedure_responsible") in printed
        assert p.substitute is None and p.substitute_by_law.text in printed  # none stated
        assert all(r.text in printed for r in p.remedies) and len(p.remedies) == 2
        assert (shipped.t(lang, "procedure_payment_unstated") in printed) is (
            not service.cost.free), service.slug


def test_a_schedas_substitute_and_payment_override_the_districts(tmp_path):
    from carta.print.sheets import scheda_document

    data = {"content/district.yaml": base("content/district.yaml")}
    data["content/district.yaml"]["substitute"] = {"role": "Segretario generale del Comune",
                                                   "email": ["segretario@prova.example.it"]}
    data["content/district.yaml"]["payment"] = "Con pagoPA dal sito del Comune."
    data["content/district.yaml"]["remedies"] = ["Ricorso al TAR Campania entro 60 giorni."]
    own = base("services/telesoccorso.yaml")
    other = {**base("services/telesoccorso.yaml"), "code": "B2"}
    own["cost"] = {"text": "10 euro al mese", "payment": "Bonifico sul conto del servizio."}
    own["substitute"] = {"role": "Dirigente del Settore Sociale", "office": "piano"}
    data.update({"services/telesoccorso.yaml": own, "services/altro.yaml": other})
    root = write_charter(tmp_path, data)
    charter = load_charter(root)
    service = charter.service_by_slug["telesoccorso"]
    p = present.procedure(charter, service, "it")
    assert p.substitute.role.text == "Dirigente del Settore Sociale"
    assert p.substitute.office.text == "Ufficio di Piano"
    assert p.payment.text == "Bonifico sul conto del servizio."
    assert [r.text for r in p.remedies] == ["Ricorso al TAR Campania entro 60 giorni."]
    printed = _plain(scheda_document(charter, service, "it"))
    assert "Dirigente del Settore Sociale" in printed and "Bonifico sul conto" in printed
    # the site's scheda page says the same as the sheet (one presentation, two renderers)
    from carta.website.scheda import service_page

    site = service_page(charter, service, "it", {"area": "../aree/x.md", "offices": "../uffici.md",
                                                 "apply": "/domanda/x", "complain": "/reclamo"})
    for words in ("Dirigente del Settore Sociale", "Ufficio di Piano", "Bonifico sul conto del servizio.",
                  "Ricorso al TAR Campania entro 60 giorni."):
        assert words in site, words
    q = present.procedure(charter, charter.service_by_slug["altro"], "it")
    assert q.substitute.role.text == "Segretario generale del Comune"
    assert [v.text.text for c in q.substitute.contacts for v in c.values] == [
        "segretario@prova.example.it"]
    assert q.payment.text == "Con pagoPA dal sito del Comune."


def test_a_substitute_in_an_unknown_office_is_reported_where_it_is_written(tmp_path):
    from carta.errors import CharterError

    district = base("content/district.yaml")
    district["substitute"] = {"role": "Dirigente", "office": "ufficio-che-non-esiste"}
    with pytest.raises(CharterError) as err:
        load_charter(write_charter(tmp_path, {"content/district.yaml": district}))
    assert [p.file for p in err.value.problems if "ufficio-che-non-esiste" in str(p)] == [
        "content/district.yaml"]


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_the_sites_privacy_page_carries_every_forms_notice(shipped, lang):
    from carta.website.pages import page_renderers

    page = page_renderers(shipped)[f"{lang}/privacy.md"]()
    for form in shipped.forms:
        n = present.notice(shipped, form, lang)
        assert f'data-notice-version="{n.version}"' in page
        for part in n.parts:
            assert part.label in page
        assert shipped.t(lang, "notice_basis_public_task")[:40] in page
    assert "Acconsento" not in page
