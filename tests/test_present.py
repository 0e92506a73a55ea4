"""The presentation layer: every fact formatted once, per language, from the factory charter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from carta import present
from carta.load.charter import load_charter
from carta.model.service import Age
from carta.present.ages import age_bounds, completed_months
from tests.factory import REPO, base, write_charter

LANGS = ["it", "en", "fr", "ar"]


@pytest.fixture(scope="module")
def charter(tmp_path_factory):
    """The factory charter in four languages, with a graded parameter and a fee table."""
    root = tmp_path_factory.mktemp("present")
    district = base("content/district.yaml")
    district["languages"] = LANGS
    service = base("services/telesoccorso.yaml")
    service["title"] = {"it": "Telesoccorso", "en": "Telecare", "ar": "المساعدة عن بعد"}
    service["age"] = {"min": 3, "max": 143, "unit": "months"}
    service["what"] = "Collegamento, [vedi Allegato 1](see:fasce) e [scheda B](see:uffici)."
    service["sites"] = [{"name": "Nido Alfa", "address": "Via Roma 2", "comune": "Alfa",
                         "phones": ["081 1234567"], "fee_tables": [{"rows": [
                             {"label": "8 ore", "fees": {"1": "5000", "2": "16.07"}}]}]}]
    free = base("services/telesoccorso.yaml")
    free.update(code="B2", title="Affido", cost={"text": "Gratuito", "free": True,
                                                  "tariff": "telesoccorso"})
    params = {"groups": [{"id": "tutti", "name": "Per tutti", "parameters": [
        {"id": "affitto", "text": "Affitto", "steps": [
            {"condition": "fino al 25% in più", "points": 1},
            {"condition": "oltre il 25% in più", "points": 2}]},
        {"id": "nucleo", "text": "Genitore solo", "points": 3, "extra_per_minor": 1},
        {"id": "ricetta", "text": "Prescrizione medica"},
        {"id": "reddito", "text": "Reddito", "points_min": 0, "points_max": 5}]}]}
    raw = {f"content/strings/{lang}.yaml": (REPO / "content" / "strings" / f"{lang}.yaml")
           .read_text(encoding="utf-8") for lang in ("fr", "ar")}
    return load_charter(write_charter(root, {
        "content/district.yaml": district, "services/telesoccorso.yaml": service,
        "services/affido.yaml": free, "content/access_parameters.yaml": params}, raw=raw))


@pytest.mark.parametrize(("lang", "amount", "expected"), [
    ("it", "5000", "€\u00a05.000,00"), ("en", "5000", "€5,000.00"),
    ("fr", "5000", "5\u202f000,00\u00a0€"), ("it", "16.07", "€\u00a016,07"),
    ("en", "16.07", "€16.07"), ("en", "6.5", "€6.50")])
def test_money_follows_the_language(lang, amount, expected):
    assert present.money(Decimal(amount), lang) == expected


def test_arabic_money_has_latin_digits_and_no_italian_separators():
    text = present.money(Decimal("5000"), "ar")
    assert "5,000.00" in text and "€" in text and "5.000,00" not in text


@pytest.mark.parametrize(("lang", "expected"), [
    ("it", "30/04/2010"), ("en", "30/04/2010"), ("fr", "30/04/2010"),
    ("ar", "30\u200f/4\u200f/2010")])
def test_dates_are_day_first_with_the_full_year(lang, expected):
    assert present.date(dt.date(2010, 4, 30), lang) == expected


def test_numbers_group_thousands_per_language():
    assert [present.number(93081, lang) for lang in LANGS] == [
        "93.081", "93,081", "93\u202f081", "93,081"]


@pytest.mark.parametrize(("lang", "expected"), [
    ("it", "da 3 mesi a 11 anni"), ("en", "from 3 months to 11 years")])
def test_age_range_in_months_reads_as_years_when_exact(charter, lang, expected):
    age = charter.service_by_slug["telesoccorso"].age
    assert present.age_range(charter, age, lang) == expected


def test_age_range_with_one_bound_or_one_unit(charter):
    assert present.age_range(charter, Age(min=16), "it") == "da 16 anni"
    assert present.age_range(charter, Age(min=5, max=11), "it") == "da 5 a 11 anni"
    assert present.age_range(charter, Age(min=3, max=36, unit="months"), "it") == "da 3 a 36 mesi"
    assert age_bounds(Age(max=23, unit="months"))[1].value == 1


@pytest.mark.parametrize(("born", "allowed"), [
    (dt.date(2013, 12, 1), True),  # 11 years and 6 months: still "11"
    (dt.date(2013, 6, 2), True),  # the day before turning 12
    (dt.date(2013, 6, 1), False),  # 12 today
    (dt.date(2025, 3, 2), False),  # 2 months and 30 days
    (dt.date(2025, 3, 1), True)])  # 3 months today
def test_age_allows_the_whole_last_year_of_the_range(charter, born, allowed):
    age = charter.service_by_slug["telesoccorso"].age
    assert present.age_allows(age, born, dt.date(2025, 6, 1)) is allowed


def test_completed_months_count_a_birthday_on_its_day():
    assert completed_months(dt.date(2020, 1, 31), dt.date(2020, 2, 29)) == 0
    assert completed_months(dt.date(2020, 1, 15), dt.date(2021, 1, 15)) == 12


def test_weekly_hours_list_weekdays_with_slots_in_order(charter):
    office = charter.office_by_id["alfa"]
    days = present.weekly_hours(charter, office.hours, "it")
    assert [d.weekday for d in days] == ["mon", "tue", "wed", "thu", "fri"]
    assert days[0].day == "Lunedì" and days[0].slots == ("11:00–13:30", "16:30–17:30")
    assert days[1].closed and days[2].slots == ("11:00–13:30",)
    assert present.weekly_hours(charter, office.hours, "en")[0].day == "Monday"


def test_contact_lines_keep_numbers_left_to_right_with_links(charter):
    site = charter.service_by_slug["telesoccorso"].sites[0]
    lines = present.contact_lines(charter, site, "it")
    assert [line.kind for line in lines] == ["address", "phone"]
    assert lines[0].values[0].text.text == "Via Roma 2, Alfa"
    phone = lines[1].values[0]
    assert phone.ltr and phone.href == "tel:+390811234567" and lines[1].label == "Telefono"


def test_a_paid_service_shows_its_tariff(charter):
    view = present.cost(charter, charter.service_by_slug["telesoccorso"], "en")
    assert view.tariff.text.text == "€ 27,31 al mese" and view.tariff.text.fallback
    assert view.tariff.label == "Fee" and not view.free


def test_a_free_service_never_shows_a_tariff_under_free(charter):
    view = present.cost(charter, charter.service_by_slug["affido"], "it")
    assert view.free and view.tariff is None and view.tariffs_link == "tariffe"
    assert view.text.text == "Gratuito"


@pytest.mark.parametrize(("lang", "amounts"), [
    ("it", ("€\u00a05.000,00", "€\u00a016,07")), ("en", ("€5,000.00", "€16.07"))])
def test_fee_tables_format_amounts_per_language(charter, lang, amounts):
    table = charter.service_by_slug["telesoccorso"].sites[0].fee_tables[0]
    view = present.fee_table(charter, table, lang)
    assert view.rows[0].amounts == amounts


def test_parameter_points_show_steps_conditions_and_extra_per_minor(charter):
    groups = present.parameter_groups(charter, "it")
    rent, single, recipe, income = groups[0].parameters
    assert [(s.condition.text, s.points) for s in rent.steps] == [
        ("fino al 25% in più", "1"), ("oltre il 25% in più", "2")]
    assert rent.points == "1/2"
    assert single.points == "3" and single.extra == "+1 per ogni figlio minore a carico"
    assert recipe.requirement and recipe.points == "requisito"
    assert income.points == "da 0 a 5"


def test_complaint_deadlines_in_order_with_money_per_language(charter):
    it = present.complaint_deadlines(charter, "it")
    assert [d.key for d in it][:2] == ["complaint_filing", "complaint_call_in"]
    assert it[0].text == "Presenta il reclamo entro 15 giorni dal disservizio."
    assert "€\u00a0100,00" in it[5].text and "€\u00a0300,00" in it[5].text
    en = present.complaint_deadlines(charter, "en")
    assert "€100.00" in en[5].text and "100,00" not in en[5].text


def test_band_range_formats_the_percentages(charter):
    first, second = charter.bands.bands
    assert present.band_range(charter, first, "it") == "dal 0% al 100%"
    assert present.band_range(charter, second, "it") == "oltre il 101%"


def test_text_falls_back_to_italian_and_says_so(charter):
    title = charter.service_by_slug["telesoccorso"].title
    assert present.shown(title, "fr") == present.Shown("Telesoccorso", "it", fallback=True)
    assert not present.shown(title, "ar").fallback and present.shown(title, "ar").dir == "rtl"
    assert present.shown("081 1234567", "ar").fallback is False
    assert present.any_fallback([present.shown(title, "en"), present.shown(title, "fr")])


def test_crossrefs_become_site_paths_and_binder_anchors(charter):
    text = charter.service_by_slug["telesoccorso"].what.it
    refs = present.crossrefs(charter, text, "it")
    assert [(r.label, r.site_path, r.anchor, r.part) for r in refs] == [
        ("vedi Allegato 1", "tariffe.md#fasce", "fasce", "generale"),
        ("scheda B", "uffici.md", "uffici", "generale")]
    assert refs[0].title.text == charter.t("it", "bands_title")
    site = present.rewrite(charter, text, "it", lambda r: f"[{r.label}](../{r.site_path})")
    assert site == "Collegamento, [vedi Allegato 1](../tariffe.md#fasce) e [scheda B](../uffici.md)."
    assert present.unlinked(text) == "Collegamento, vedi Allegato 1 e scheda B."


@pytest.mark.parametrize(("target", "path", "anchor"), [
    ("servizi/telesoccorso", "servizi/telesoccorso.md", "scheda-telesoccorso"),
    ("servizi/telesoccorso#sedi", "servizi/telesoccorso.md#sedi", "sedi-telesoccorso"),
    ("uffici/alfa", "uffici.md#alfa", "ufficio-alfa"),
    ("uffici/servizi-sociali", "uffici.md#alfa", "ufficio-alfa"),
    ("tariffe", "tariffe.md", "tariffe"), ("parametri", "tariffe.md#parametri", "parametri"),
    ("enti-gestori", "enti-gestori.md", "enti-gestori"), ("reclami", "reclami.md", "reclami"),
    ("moduli/reclamo", "reclami.md", "form-reclamo")])
def test_every_kind_of_target_resolves(charter, target, path, anchor):
    ref = present.crossref(charter, target, "en")
    assert (ref.site_path, ref.anchor) == (path, anchor)
    assert ref.title.text


def test_an_unknown_crossref_target_is_reported_with_its_place(tmp_path):
    from carta.errors import CharterError

    service = base("services/telesoccorso.yaml")
    service["what"] = "Vedi [scheda C](see:servizi/nidi#sedi)."
    root = write_charter(tmp_path, {"services/telesoccorso.yaml": service})
    with pytest.raises(CharterError) as info:
        load_charter(root)
    found = [str(p) for p in info.value.problems]
    assert len(found) == 1 and found[0].startswith("services/telesoccorso.yaml:")
    assert "what.it: unknown cross-reference target (see:…) 'servizi/nidi#sedi'" in found[0]


@pytest.mark.parametrize(("lang", "head"), [("it", "1ª fascia"), ("en", "Band 1"),
                                            ("ar", "الفئة 1")])
def test_fee_table_heads_name_the_band_in_each_language(charter, lang, head):
    table = charter.service_by_slug["telesoccorso"].sites[0].fee_tables[0]
    assert present.fee_table(charter, table, lang).heads[0] == head


def test_site_markdown_links_relative_to_the_page(charter):
    from carta.present.links import relative

    text = charter.service_by_slug["telesoccorso"].what.it
    assert present.site_markdown(charter, text, "it", "servizi/telesoccorso.md") == (
        "Collegamento, [vedi Allegato 1](../tariffe.md#fasce) e [scheda B](../uffici.md).")
    assert relative("uffici.md", "tariffe.md#fasce") == "tariffe.md#fasce"
    assert relative("servizi/a.md", "servizi/b.md#sedi") == "b.md#sedi"


# --- only what the charter states ---------------------------------------------------------

def _complaints(tmp_path, **numbers):
    data = {"channels": ["e-mail"], "offices": ["servizi-sociali"], **numbers}
    return load_charter(write_charter(tmp_path, {"content/complaints.yaml": data}))


def test_unstated_complaint_deadlines_are_left_out(tmp_path):
    charter = _complaints(tmp_path, call_in_days=5)
    assert [(d.key, d.days) for d in present.complaint_deadlines(charter, "it")] == [
        ("complaint_call_in", 5)]
    assert present.complaint_filing(charter, "it") is None
    assert "0 giorni" not in " ".join(d.text for d in present.complaint_deadlines(charter, "it"))


@pytest.mark.parametrize(("numbers", "expected"), [
    ({"compensation_max": 300}, "fino a € 300,00"),
    ({"compensation_min": 50}, "almeno € 50,00"),
    ({"compensation_min": 100, "compensation_max": 300}, "da € 100,00 a € 300,00"),
    ({"compensation_min": 0, "compensation_max": 0}, None),
    ({}, None),
])
def test_compensation_only_as_stated(tmp_path, numbers, expected):
    text = present.compensation(_complaints(tmp_path, **numbers), "it")
    assert text is None if expected is None else expected in text.replace("\xa0", " ")


def test_the_shipped_procedure_keeps_all_seven_promises():
    charter = load_charter(REPO)
    assert [d.days for d in present.complaint_deadlines(charter, "it")] == [
        15, 5, 30, 5, 30, None, 40]


def test_a_schedule_with_appointment_always_open_and_seasons(tmp_path):
    offices = base("content/offices.yaml")
    offices["offices"][1].update({
        "comuni": ["beta"],
        "by_appointment": {"email": ["piano@example.org"], "url": "example.org/prenota"},
        "seasons": [{"start": "07-15", "end": "08-31", "name": "Orario estivo",
                     "hours": [{"days": ["tue"], "opens": "09:00", "closes": "12:00"}]},
                    {"start": "12-24", "end": "01-06"}]})
    offices["offices"].append({"id": "linea", "kind": "linea", "name": "Linea 24 ore",
                               "toll_free": "800 123 456", "always_open": True})
    charter = load_charter(write_charter(tmp_path, {"content/offices.yaml": offices}))
    piano = present.schedule(charter, charter.office_by_id["piano"], "it")
    assert piano.appointment.text == "Solo su appuntamento."
    assert [x.kind for x in piano.appointment.lines] == ["email", "website"]
    assert [(s.dates, s.closed) for s in piano.seasons] == [
        ("Dal 15 luglio al 31 agosto", False), ("Dal 24 dicembre al 6 gennaio", True)]
    assert piano.comuni == ()  # one comune only: nothing to list
    en = present.schedule(charter, charter.office_by_id["piano"], "en")
    assert en.seasons[0].dates == "From 15 July to 31 August"
    line = present.schedule(charter, charter.office_by_id["linea"], "ar")
    assert line.always_open and line.stated and line.weekly == ()
    spec = present.opening_hours_specification(charter, charter.office_by_id["piano"])
    assert {"validFrom": "2024-12-24", "validThrough": "2025-01-06"}.items() <= spec[-1].items()
    assert len(present.opening_hours_specification(charter, charter.office_by_id["linea"])) == 7


def test_an_office_with_no_schedule_says_so(charter):
    view = present.schedule(charter, charter.office_by_id["piano"], "it")
    assert not view.stated and view.not_stated == charter.t("it", "office_no_hours")


def test_staff_without_a_name_and_provider_tax_ids(tmp_path):
    from stdnum import luhn

    vat = "0000001063" + luhn.calc_check_digit("0000001063")
    offices = base("content/offices.yaml")
    offices["offices"][1]["staff"] = [{"role": "Assistente sociale", "tasks": ["Colloqui"]}]
    providers = base("content/providers.yaml")
    providers["providers"][0].update({"tax_code": vat, "vat_number": vat, "rea": "na-123456"})
    charter = load_charter(write_charter(tmp_path, {"content/offices.yaml": offices,
                                                    "content/providers.yaml": providers}))
    (person,) = present.staff(charter.office_by_id["piano"].staff, "it")
    assert person.name is None and person.role.text == "Assistente sociale"
    ids = present.provider_ids(charter, charter.providers[0], "it")
    assert [(x.kind, x.value) for x in ids] == [("tax_code", vat), ("rea", "NA-123456")]
    assert ids[0].label == "Codice fiscale e partita IVA"


def test_capofila_by_name_or_none(charter, tmp_path):
    assert present.capofila(charter) == "Alfa"
    district = base("content/district.yaml")
    del district["capofila"]
    assert present.capofila(load_charter(write_charter(
        tmp_path, {"content/district.yaml": district}))) is None
