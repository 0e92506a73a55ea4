"""Every kind of editor mistake is refused with its file, line and key path — all at once."""

from __future__ import annotations

import pytest

from carta.errors import CharterError
from carta.load.charter import load_charter
from tests.factory import base, write_charter

SERVICE = "services/telesoccorso.yaml"


def problems_of(root) -> list[str]:
    with pytest.raises(CharterError) as info:
        load_charter(root)
    return [str(p) for p in info.value.problems]


def test_base_charter_loads(tmp_path):
    charter = load_charter(write_charter(tmp_path))
    service = charter.service_by_slug["telesoccorso"]
    assert service.title.it == "Telesoccorso" and service.title.resolve("fr") == (
        "Telesoccorso", "it")
    assert charter.offices_for(["servizi-sociali"])[0].id == "alfa"
    assert str(service.quality[0].target.value) == "45"


RAW_SERVICE = """\
code: B1
area: B
title: Telesoccorso
summary: Breve.
what: Cosa.
where: Casa.
who_for: Anziani.
cost: {text: Gratuito, free: true}
responsible: {role: Responsabile}
operator: {text: Ufficio di Piano}
access:
  type: Libero
  how: Telefonando
  contact: Ufficio
quality:
  - indicator: Tempo
    standard: Entro 45 minuti
    target: {value: quaranta, unit: minutes}
revised: 2024-01-01
"""


def test_wrong_type_is_reported_at_file_line_column_and_key_path(tmp_path):
    root = write_charter(tmp_path, raw={SERVICE: RAW_SERVICE})
    assert problems_of(root) == [
        "services/telesoccorso.yaml:18:14: quality[0].target.value: expected a number like "
        "18.42 (a dot for decimals, no € sign), got 'quaranta'"]


@pytest.mark.parametrize(("before", "after", "expected"), [
    ("revised: 2024-01-01", "revised: 30/04/2010",
     "19:1: revised: expected a date written YYYY-MM-DD, like 2011-01-01, got '30/04/2010'"),
    ("cost: {text: Gratuito, free: true}", "cost: {text: Gratuito, free: forse}",
     "8:24: cost.free: expected yes or no (true/false), got 'forse'"),
    ("summary: Breve.", "summary: [a, b]", "4:1: summary: expected text, or a mapping of "
     "languages like {it: …, en: …}"),
    ("title: Telesoccorso", "title: {en: Telecare}",
     "3:1: title: the Italian text is missing: write e.g. {it: Asilo nido, en: Nursery}"),
    ("area: B", "area: B\nstatus: chiuso",
     "3:1: status: expected one of 'active', 'suspended' or 'withdrawn', got 'chiuso'"),
    ("who_for: Anziani.", "who_for: Anziani.\nwho: x",
     "8:1: who: unknown key"),
    ("what: Cosa.\n", "", "1:1: what: required: add this key"),
])
def test_each_kind_of_field_error_is_named(tmp_path, before, after, expected):
    text = RAW_SERVICE.replace("target: {value: quaranta, unit: minutes}",
                               "target: {value: 45, unit: minutes}").replace(before, after)
    root = write_charter(tmp_path, raw={SERVICE: text})
    found = problems_of(root)
    assert len(found) == 1, found
    assert found[0].startswith(f"{SERVICE}:{expected}"), found[0]


def test_unknown_key_lists_the_allowed_keys(tmp_path):
    text = RAW_SERVICE.replace("value: quaranta", "value: 45").replace(
        "unit: minutes}", "unit: minutes, limit: 3}")
    found = problems_of(write_charter(tmp_path, raw={SERVICE: text}))
    assert "Allowed here: comparison, max, period, share, unit, value" in found[0]


@pytest.mark.parametrize(("opens", "closes", "message"), [
    ("25:00", "23:00", "opens: '25:00' is not a time of day: write HH:MM from 00:00 to 23:59"),
    ("14:00", "13:00", "closes 13:00 is not after opens 14:00"),
    ("8h30", "12:00", "opens: '8h30' is not a time of day"),
])
def test_impossible_hours_are_refused(tmp_path, opens, closes, message):
    offices = base("content/offices.yaml")
    offices["offices"][0]["hours"] = [{"days": ["mon"], "opens": opens, "closes": closes}]
    found = problems_of(write_charter(tmp_path, {"content/offices.yaml": offices}))
    assert len(found) == 1 and message in found[0]
    assert found[0].startswith("content/offices.yaml:")
    assert "offices[0].hours[0]" in found[0]


def test_overlapping_hours_on_the_same_day_are_refused(tmp_path):
    offices = base("content/offices.yaml")
    offices["offices"][0]["hours"] = [
        {"days": ["mon", "tue"], "opens": "09:00", "closes": "13:00"},
        {"days": ["tue"], "opens": "12:00", "closes": "14:00"}]
    found = problems_of(write_charter(tmp_path, {"content/offices.yaml": offices}))
    assert "hours overlap on tue: 09:00–13:00 and 12:00–14:00" in found[0]


def test_unpadded_hour_is_read_as_a_time(tmp_path):
    offices = base("content/offices.yaml")
    offices["offices"][0]["hours"] = [{"days": ["mon"], "opens": "8:30", "closes": "12:00"}]
    charter = load_charter(write_charter(tmp_path, {"content/offices.yaml": offices}))
    assert charter.offices[0].hours[0].opens.strftime("%H:%M") == "08:30"


@pytest.mark.parametrize(("key", "value", "where", "message"), [
    ("area", "Z", "area", "unknown area 'Z'; known: A, B"),
    ("cost", {"text": "x", "tariff": "telesoccoso"}, "cost.tariff",
     "unknown tariff 'telesoccoso'; did you mean 'telesoccorso'?"),
    ("responsible", {"role": "x", "office": "nowhere"}, "responsible.office",
     "unknown office 'nowhere'"),
    ("operator", {"text": "x", "providers": ["coop", "ghost"]}, "operator.providers[1]",
     "unknown ente gestore 'ghost'"),
])
def test_dangling_references_are_refused(tmp_path, key, value, where, message):
    service = base(SERVICE)
    service[key] = value
    found = problems_of(write_charter(tmp_path, {SERVICE: service}))
    assert len(found) == 1, found
    assert found[0].startswith(SERVICE + ":") and f": {where}: {message}" in found[0]


def test_access_office_may_be_an_id_or_a_kind_but_must_exist(tmp_path):
    service = base(SERVICE)
    service["access"]["offices"] = ["alfa", "ufficio-di-piano", "sportello"]
    found = problems_of(write_charter(tmp_path, {SERVICE: service}))
    assert len(found) == 1 and "access.offices[2]: unknown office id or kind 'sportello'" in found[0]


def test_duplicate_codes_are_reported_in_both_schede(tmp_path):
    other = base(SERVICE)
    found = problems_of(write_charter(tmp_path, {"services/altro.yaml": other}))
    assert len(found) == 2
    assert all("code 'B1' is used by 2 schede" in f for f in found)
    assert {f.split(":")[0] for f in found} == {"services/altro.yaml", SERVICE}


def test_duplicate_ids_name_the_first_use(tmp_path):
    offices = base("content/offices.yaml")
    offices["offices"][1]["id"] = "alfa"
    found = problems_of(write_charter(tmp_path, {"content/offices.yaml": offices}))
    assert any("offices[1].id: duplicate office id 'alfa' (first used at line" in f for f in found)


def test_slug_comes_from_the_file_name(tmp_path):
    bad_name = problems_of(write_charter(tmp_path, {"services/Tele Soccorso.yaml": base(SERVICE),
                                                     SERVICE: None}))
    assert "is not a valid slug" in bad_name[0]


def test_slug_key_in_the_file_is_refused(tmp_path):
    service = base(SERVICE)
    service["slug"] = "altro"
    found = problems_of(write_charter(tmp_path / "b", {SERVICE: service}))
    assert "remove this key: the slug is the file name (telesoccorso)" in found[0]


def test_comune_of_office_and_capofila_must_exist(tmp_path):
    district = base("content/district.yaml")
    district["capofila"] = "gamma"
    offices = base("content/offices.yaml")
    offices["offices"][0]["comune"] = "delta"
    found = problems_of(write_charter(tmp_path, {"content/district.yaml": district,
                                                 "content/offices.yaml": offices}))
    assert any("capofila: unknown comune 'gamma'" in f for f in found)
    assert any("offices[0].comune: unknown comune 'delta'" in f for f in found)


def test_text_in_a_language_the_district_does_not_offer(tmp_path):
    service = base(SERVICE)
    service["title"] = {"it": "Telesoccorso", "de": "Hausnotruf"}
    found = problems_of(write_charter(tmp_path, {SERVICE: service}))
    assert found == [f"{SERVICE}:3:3: title.de: language 'de' is not in the district's "
                     "languages (en, it)"] or "title.de: language 'de'" in found[0]


def test_fee_columns_must_be_band_tiers(tmp_path):
    service = base(SERVICE)
    service["sites"] = [{"name": "Nido", "fee_tables": [{"rows": [
        {"label": "8 ore", "fees": {"1": "164.61", "7": "200"}}]}]}]
    found = problems_of(write_charter(tmp_path, {SERVICE: service}))
    assert len(found) == 1 and "fees.7: unknown band tier '7'" in found[0]


def test_every_problem_is_reported_at_once(tmp_path):
    service = base(SERVICE)
    service["area"] = "Z"
    offices = base("content/offices.yaml")
    offices["offices"][0]["hours"][0]["closes"] = "25:00"
    root = write_charter(tmp_path, {SERVICE: service, "content/offices.yaml": offices},
                         raw={"services/rotto.yaml": "code: [\n"})
    found = problems_of(root)
    files = {f.split(":")[0] for f in found}
    assert files == {"content/offices.yaml", "services/rotto.yaml"}
    # cross-file checks run once the files themselves are valid; fix and rerun reveals them
    offices["offices"][0]["hours"][0]["closes"] = "13:30"
    root = write_charter(tmp_path / "2", {SERVICE: service, "content/offices.yaml": offices})
    assert any("unknown area 'Z'" in f for f in problems_of(root))


def test_missing_required_file_and_unknown_file(tmp_path):
    root = write_charter(tmp_path, {"content/complaints.yaml": None},
                         raw={"content/tarifs.yaml": "tariffs: []\n"})
    found = problems_of(root)
    assert "content/complaints.yaml:1:1: required file is missing" in found
    assert any(f.startswith("content/tarifs.yaml:1:1: unknown charter file") for f in found)


def test_not_a_charter_folder(tmp_path):
    found = problems_of(tmp_path)
    assert "no content/ or services/ folder" in found[0]


def test_monitoring_results_must_point_to_real_indicators(tmp_path):
    service = base(SERVICE)
    service["quality"][0]["id"] = "tempo"
    report = {"year": 2023, "results": [
        {"service": "telesoccorso", "indicator_ref": "tempo", "factor": "Tempestività",
         "indicator": "Tempo", "guaranteed": "45 minuti", "realized_pct": 100},
        {"service": "telesoccorso", "indicator_ref": "rapidita", "factor": "Tempestività",
         "indicator": "Tempo", "guaranteed": "45 minuti", "not_measurable": True},
        {"service": "fantasma", "factor": "x", "indicator": "y", "guaranteed": "z",
         "realized_pct": 90}]}
    found = problems_of(write_charter(tmp_path, {SERVICE: service,
                                                 "content/monitoring/2023.yaml": report}))
    assert len(found) == 2
    assert "results[1].indicator_ref: unknown indicator of telesoccorso 'rapidita'" in found[0]
    assert "results[2].service: unknown scheda 'fantasma'" in found[1]


def test_monitoring_outcomes(tmp_path):
    report = {"year": 2023, "results": [
        {"service_name": "Accoglienza", "factor": "f", "indicator": "i", "guaranteed": "g",
         "realized_pct": 100},
        {"service_name": "Accoglienza", "factor": "f", "indicator": "i", "guaranteed": "g",
         "realized_pct": "87.5"},
        {"service_name": "Accoglienza", "factor": "f", "indicator": "i", "guaranteed": "g",
         "not_measurable": "yes", "reason": "manca il software"}]}
    charter = load_charter(write_charter(tmp_path, {"content/monitoring/2023.yaml": report}))
    assert [r.outcome for r in charter.monitoring[0].results] == [
        "met", "not_met", "not_measurable"]


def test_monitoring_result_needs_exactly_one_value(tmp_path):
    report = {"year": 2023, "results": [
        {"service_name": "A", "factor": "f", "indicator": "i", "guaranteed": "g"}]}
    found = problems_of(write_charter(tmp_path, {"content/monitoring/2023.yaml": report}))
    assert found == ["content/monitoring/2023.yaml:3:3: results[0]: give either realized_pct "
                     "(e.g. 100) or not_measurable: true"]


def test_monitoring_year_must_match_file_name(tmp_path):
    report = {"year": 2023, "results": []}
    found = problems_of(write_charter(tmp_path, {"content/monitoring/2022.yaml": report}))
    assert found == ["content/monitoring/2022.yaml:1:1: year: year 2023 does not match the "
                     "file name 2022.yaml"]


def test_comune_membership_by_date(tmp_path):
    district = base("content/district.yaml")
    district["comuni"].append({"id": "gamma", "name": "Gamma", "left": "2011-01-01"})
    charter = load_charter(write_charter(tmp_path, {"content/district.yaml": district}))
    import datetime as dt

    assert [c.id for c in charter.district.members()] == ["alfa", "beta"]
    assert "gamma" in [c.id for c in charter.district.members(dt.date(2010, 6, 1))]


# --- only what the charter states: derived codes, schedules, tax ids ------------------------

def test_area_codes_and_colours_are_derived_around_the_stated_ones(tmp_path):
    from carta.model.organisation import AREA_PALETTE

    areas = {"areas": [{"slug": "uno", "name": "Uno"}, {"code": "A", "slug": "due", "name": "Due"},
                       {"slug": "tre", "name": "Tre", "colour": AREA_PALETTE[0]}]}
    service = base(SERVICE)
    service["area"] = "tre"  # by slug
    del service["code"]
    charter = load_charter(write_charter(tmp_path, {"content/areas.yaml": areas,
                                                    SERVICE: service}))
    assert [(a.code, a.colour) for a in charter.areas] == [
        ("B", AREA_PALETTE[1]), ("A", AREA_PALETTE[2]), ("C", AREA_PALETTE[0])]
    assert (charter.services[0].area, charter.services[0].code) == ("C", "C1")


def test_a_derived_scheda_code_skips_a_stated_one(tmp_path):
    other = base(SERVICE) | {"code": "B1"}
    service = base(SERVICE)
    del service["code"]
    charter = load_charter(write_charter(tmp_path, {SERVICE: service,
                                                    "services/altro.yaml": other}))
    assert sorted(s.code for s in charter.services) == ["B1", "B2"]


@pytest.mark.parametrize(("office", "where", "message"), [
    ({"rotation": [{"comune": "alfa", "days": ["mon"], "opens": "09:00", "closes": "12:00"},
                   {"comune": "beta", "days": ["mon"], "opens": "11:00", "closes": "13:00"}]},
     "offices[1]", "on mon the desk is in alfa 09:00–12:00 and in beta 11:00–13:00"),
    ({"rotation": [{"comune": "gamma", "days": ["mon"], "opens": "09:00", "closes": "12:00"}]},
     "offices[1].rotation[0].comune", "unknown comune 'gamma'"),
    ({"comuni": ["alfa", "omega"]}, "offices[1].comuni[1]", "unknown comune 'omega'"),
    ({"always_open": True, "hours": [{"days": ["mon"], "opens": "09:00", "closes": "12:00"}]},
     "offices[1]", "always_open: true is open at every hour"),
    ({"by_appointment": {}}, "offices[1].by_appointment", "say how to book"),
    ({"seasons": [{"start": "06-31", "end": "09-15"}]}, "offices[1].seasons[0].start",
     "'06-31' is not a real day of the year"),
])
def test_office_schedules_are_checked(tmp_path, office, where, message):
    offices = base("content/offices.yaml")
    offices["offices"][1].update(office)
    found = problems_of(write_charter(tmp_path, {"content/offices.yaml": offices}))
    assert len(found) == 1 and found[0].startswith("content/offices.yaml:"), found
    assert f": {where}: " in found[0] and message in found[0], found


@pytest.mark.parametrize(("changes", "message"), [
    ({"suspension_max_working_days": 0}, "suspension_max_working_days: 0 is not a number of days"),
    ({"filing_window_days": None, "measure": [
        {"id": "convocazione", "deadline": "call_in_days", "from": "received",
         "to": "call_in"}], "call_in_days": None},
     "measure 'convocazione' measures call_in_days, which this file does not state"),
])
def test_complaint_numbers_are_optional_but_never_zero(tmp_path, changes, message):
    complaints = base("content/complaints.yaml")
    complaints.update(changes)
    complaints = {k: v for k, v in complaints.items() if v is not None}
    found = problems_of(write_charter(tmp_path, {"content/complaints.yaml": complaints}))
    assert any(message in f for f in found), found


@pytest.mark.parametrize(("key", "value", "message"), [
    ("vat_number", "01234567890", "not a valid partita IVA"),
    ("tax_code", "RSSMRA80A01F839X", "not a valid codice fiscale"),
    ("rea", "123456", "not a REA number"),
])
def test_provider_tax_ids_are_validated(tmp_path, key, value, message):
    providers = base("content/providers.yaml")
    providers["providers"][0][key] = value
    found = problems_of(write_charter(tmp_path, {"content/providers.yaml": providers}))
    assert len(found) == 1 and f"providers[0].{key}: " in found[0] and message in found[0], found


def test_a_charter_without_capofila_or_ufficio_di_piano_checks(tmp_path):
    district = base("content/district.yaml")
    del district["capofila"], district["ufficio_di_piano"]
    charter = load_charter(write_charter(tmp_path, {"content/district.yaml": district}))
    assert charter.district.capofila is None and charter.district.ufficio_di_piano is None


def test_the_export_holds_the_schedules_as_stated(tmp_path):
    from carta.export.opendata import export_data
    from tests.factory import write_thin

    data = export_data(load_charter(write_thin(tmp_path)))
    (office,) = data["offices"]
    assert office["served_comuni"] == ["alfa", "beta", "gamma", "delta"]
    assert [(r["weekday"], r["comune"], r["opens"], r["closes"]) for r in office["rotation"]] == [
        ("mon", "alfa", "09:00", "12:30"), ("wed", "beta", "15:00", "18:00"),
        ("fri", "gamma", "09:30", "11:45")]
    assert office["rotation"][0]["place"] == {"it": "Municipio"}
    assert office["by_appointment"]["phones"] == ["0999 111 222"]
    assert office["hours"] == [] and office["always_open"] is False
    assert set(data["complaints"]) == {"channels", "offices", "emails",
                                       "user_protection_members", "steps", "measure"}
    assert data["services"][0]["code"] == "A1" and data["areas"][0]["colour"]


def test_the_area_palette_keeps_white_text_readable():
    from carta.model.organisation import AREA_PALETTE

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert len(set(AREA_PALETTE)) == len(AREA_PALETTE) >= 10
    assert [c for c in AREA_PALETTE if 1.05 / (luminance(c) + 0.05) < 4.5] == []


def test_offices_serving_a_comune_include_itinerant_and_district_wide_ones(tmp_path):
    from tests.factory import write_thin

    charter = load_charter(write_thin(tmp_path))
    assert [o.id for o in charter.offices_serving("delta")] == ["sportello"]  # listed
    assert [o.id for o in charter.offices_serving("gamma")] == ["sportello"]  # visited
    assert charter.offices_serving("omega") == []


def _many_schede(root, n: int) -> list[str]:
    """``n`` more schede, copies of the first under new names and codes; their file names."""
    import yaml

    source = sorted((root / "services").glob("*.yaml"))[0]
    text = source.read_text(encoding="utf-8")
    code_line = next(line for line in text.splitlines() if line.startswith("code:"))
    code = yaml.safe_load(code_line)["code"]
    names = []
    for i in range(n):
        name = f"copia-{i:03d}.yaml"
        (root / "services" / name).write_text(text.replace(code_line, f"code: {code}-{i}", 1),
                                              encoding="utf-8")
        names.append(name)
    return names


def test_a_large_charter_read_on_two_cores_is_the_same_charter(tmp_path, monkeypatch):
    # hundreds of schede are read half in a second process: the same charter, and a problem
    # in a file read there keeps its file, line and column
    import os

    from carta.load import charter as loader

    root = write_charter(tmp_path)
    names = _many_schede(root, 240)
    readers = tmp_path / "readers"
    read_source = loader.read_source

    def reading(file, rel):
        with open(readers, "a") as out:  # which process read it
            out.write(f"{os.getpid()}\n")
        return read_source(file, rel)

    monkeypatch.setattr(loader, "read_source", reading)
    monkeypatch.setattr(loader, "_may_fork", lambda: True)  # pytest may run other threads
    together = load_charter(root)
    assert len(set(readers.read_text().split())) == 2, "read by two processes"
    bad = root / "services" / names[-1]
    text = bad.read_text(encoding="utf-8")
    bad.write_text(text + "title: [unclosed\n", encoding="utf-8")
    two_processes = problems_of(root)
    monkeypatch.setattr(loader, "_READ_BESIDE", 10**6)
    assert problems_of(root) == two_processes
    assert any(p.startswith(f"services/{names[-1]}:") for p in two_processes), two_processes
    bad.write_text(text, encoding="utf-8")
    assert load_charter(root) == together
