"""The real shipped charter (seed 003) and the example charter (seed 004)."""

from __future__ import annotations

import json
import subprocess
import sys

from carta.export.opendata import export_data
from carta.load.charter import load_charter
from carta.load.translations import coverage
from tests.factory import REPO

CODES = ["A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "B5", "C1", "C2", "C3", "C4",
         "C5", "C6", "D1", "D2", "E1", "E2", "T1"]


def test_all_21_schede_in_code_order(shipped):
    assert [s.code for s in shipped.services] == CODES
    assert all(s.revised.isoformat() == "2010-04-30" for s in shipped.services)


def test_every_scheda_has_its_quality_table_or_says_why_not(shipped):
    for s in shipped.services:
        assert s.quality or s.quality_text, s.slug
    assert sum(len(s.quality) for s in shipped.services) == 69
    telesoccorso = shipped.service_by_slug["telesoccorso"]
    emergency = telesoccorso.quality[4].target
    assert (emergency.value, emergency.unit.value, emergency.share) == (45, "minutes", 90)


def test_offices_hours_are_structured(shipped):
    anacapri = shipped.office_by_id["anacapri"]
    monday = [(f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in anacapri.hours
              if any(d.value == "mon" for d in h.days)]
    assert monday == [("11:00", "13:30"), ("16:30", "17:30")]
    assert shipped.office_by_id["pronto-intervento-sociale"].toll_free == "800 984395"


def test_district_numbers_of_the_seed(shipped):
    c = shipped.complaints
    assert (c.filing_window_days, c.call_in_days, c.meeting_within_working_days,
            c.suspension_max_working_days, c.user_protection_days) == (15, 5, 30, 30, 40)
    assert (c.compensation_min, c.compensation_max) == (100, 300)
    assert [c.id for c in shipped.district.members()] == [
        "anacapri", "capri", "massa-lubrense", "piano-di-sorrento", "sant-agnello", "sorrento"]
    assert all(c.patron for c in shipped.district.members())
    assert [b.isee_max_pct for b in shipped.bands.bands][:2] == [50, 100]
    assert {f.id for f in shipped.forms} == {"domanda", "reclamo"}
    nursery = shipped.service_by_slug["prima-infanzia"].sites[0].fee_tables[0].rows[0]
    assert str(nursery.fees["1"]) == "164.61"


def test_every_text_is_translated_into_every_language(shipped):
    assert [(c.lang, c.percent) for c in coverage(shipped)] == [
        ("en", 100.0), ("fr", 100.0), ("ar", 100.0)]


def test_export_holds_every_scheda_with_quality_and_hours(shipped):
    data = export_data(shipped)
    assert [s["code"] for s in data["services"]] == CODES
    assert len(data["indicators"]) == 69 + sum(
        len(a.indicators) for a in shipped.system_quality.areas)
    assert all(set(o) >= {"comune", "hours"} for o in data["offices"])
    json.dumps(data)


def test_example_charter_passes_carta_check():
    result = subprocess.run([sys.executable, "-m", "carta", "check", "--root",
                             str(REPO / "examples" / "accoglienza")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    example = load_charter(REPO / "examples" / "accoglienza")
    report = example.monitoring[0]
    assert report.year == 2023 and len(report.results) == 12
    assert [r.outcome for r in report.results].count("not_measurable") == 1
    assert example.district.name.it != shipped_name()


def shipped_name() -> str:
    return load_charter(REPO).district.name.it


# Every age the seed (003) states for a scheda, and the people it lets in and keeps out:
# (slug, the seed's words, [(age in completed years, months), allowed]).  A scheda whose seed
# states no number (pension age, "minori e famiglie", "senza limiti di età") has no bound.
SEED_AGES = {
    "prima-infanzia": ("Bambini di età tra i tre mesi e i tre anni",
                       [((0, 2), False), ((0, 3), True), ((2, 11), True), ((3, 0), True),
                        ((3, 1), False)]),
    "centri-ricreativi": ("tra i tre mesi e i cinque; tra i 5 e gli 11 anni",
                          [((0, 2), False), ((0, 3), True), ((5, 0), True), ((11, 0), True),
                           ((11, 6), True), ((11, 11), True), ((12, 0), False)]),
    "centri-diurni-anziani": ("abbiano compiuto il 57 esimo anno di età",
                              [((56, 11), False), ((57, 0), True), ((90, 0), True)]),
    "servizi-diurni-disabili": ("hanno raggiunto il sedicesimo anno d'età",
                                [((15, 11), False), ((16, 0), True), ((70, 0), True)]),
}


def _born(today, years, months):
    month = today.month - months
    year = today.year - years + (month - 1) // 12
    return today.replace(year=year, month=(month - 1) % 12 + 1)


def test_every_age_bound_is_the_seeds(shipped):
    import datetime as dt

    from carta.present import age_allows

    today = dt.date(2025, 6, 15)
    assert {s.slug for s in shipped.services if s.age} == set(SEED_AGES)
    for slug, (words, cases) in SEED_AGES.items():
        age = shipped.service_by_slug[slug].age
        for (years, months), allowed in cases:
            born = _born(today, years, months)
            assert age_allows(age, born, today) is allowed, (slug, words, years, months)


def test_no_scheda_points_at_the_paper_binder_without_a_link(shipped):
    import re

    from carta.load.references import walk_texts
    from carta.model.crossref import links_in

    bare = re.compile(r"(?i)\b(vedi|see|voir)\s+(la\s+)?(scheda|sheet|fiche|allegato|annexe?)\s+"
                      r"[A-E0-9]\b|انظر\s+(البطاقة|الملحق)")
    found, links = [], 0
    holders = [*shipped.services, shipped.tariffs, shipped.complaints, *shipped.sections]
    for holder in holders:
        for path, text in walk_texts(holder):
            for lang in text:
                links += len(list(links_in(text[lang])))
                if bare.search(re.sub(r"\[[^\]]*\]\(see:[^)]*\)", "", text[lang])):
                    found.append((getattr(holder, "slug", ""), path, lang))
    assert not found
    assert links >= 80  # 45 "vedi scheda" and 35 "vedi Allegato" in Italian alone


def test_english_and_arabic_texts_write_numbers_their_way(shipped):
    """No "€ 5.000,00" (five euros to an English reader), "93.081" or "6,50" outside Italian."""
    import re

    from carta.load.references import walk_texts

    italian = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.,])|(?<![\d.,])\d+,\d{2}(?![\d.,])"
                         r"|€\s?\d+(?:\.\d{3})*,\d{2}(?![\d.,])")
    holders = [*shipped.services, shipped.tariffs, shipped.complaints, *shipped.sections,
               shipped.access_parameters, shipped.bands, shipped.system_quality]
    found = [(getattr(h, "slug", type(h).__name__), path, lang, m.group(0))
             for h in holders for path, text in walk_texts(h) for lang in ("en", "ar")
             if lang in text for m in italian.finditer(text[lang])]
    assert not found
