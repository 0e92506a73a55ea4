"""Every fact of every scheda reaches its site page, formatted by carta.present as in print;
a thin charter's site states only what it states; results stand beside the standards."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import markdown
import pytest

from carta import present
from carta.load.charter import load_charter
from carta.website.pages import page_paths, page_renderers, site_files
from carta.website.scheda import service_page
from tests.factory import base, write_charter, write_thin

LANGS = ["it", "ar"]
INVENTED = ["0 giorni", "€ 0,00", "0,00 €", "None", "€0.00", "0 days"]
LINKS = {"area": "../aree/x.md", "offices": "../uffici.md", "tariffs": "../tariffe.md",
         "apply": "/domanda/x", "complain": "/reclamo?servizio=x"}

# Fields of a scheda that the site page does not show as words, and why.
INTERNAL = {
    "slug": "the page's own address (servizi/<slug>/)",
    "first_published": "tells 'insert' from 'replace' in update bundles",
    "operator.outsourced": "the operator's text says it ('in affidamento a terzi')",
    "cost.free": "the cost's text says it ('Gratuito')",
    "access.online_application": "the 'Fai domanda online' button (test_site: apply button)",
    "access.documents.kind": "how the backend receives a document",
    "access.documents.id": "the backend's upload field",
    "access.documents.sensitive": "who in the office may open the document (health access)",
    "quality.id": "monitoring reports refer to it",
    "quality.target": "machine-readable form of the standard's text, for monitoring",
    "quality.measure": "how the backend measures the standard from its events",
    "sites.fee_tables.rows.days": "machine-readable form of the row's label",
    "sites.fee_tables.rows.opens": "machine-readable form of the row's label",
    "sites.fee_tables.rows.closes": "machine-readable form of the row's label",
    "sites.fee_tables.rows.hours_per_day": "machine-readable form of the row's label",
}


def plain(html_text: str) -> str:
    import html as html_lib

    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html_text, flags=re.S)
    text = re.sub(r"</?(span|bdi|a|strong|em|b|i|time)\b[^>]*>", "", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


def page_text(md: str) -> str:
    """The words a citizen reads on a page rendered from the site's Markdown."""
    md = re.sub(r"\A---\n.*?\n---\n", "", md, flags=re.S)
    return plain(markdown.markdown(md, extensions=["tables", "md_in_html", "attr_list",
                                                   "sane_lists"]))


def md_plain(text: str) -> str:
    return plain(markdown.markdown(present.unlinked(text), extensions=["sane_lists"]))


def expected_facts(charter, service, lang):
    """(field path, words that must be on the page) for every fact of ``service``."""
    from pydantic import BaseModel

    from carta.model.text import Text

    out = []

    def walk(obj, path):
        name = ".".join(p for p in path if not isinstance(p, int))
        if name in INTERNAL or obj is None or obj == [] or obj == {}:
            return
        if isinstance(obj, Text):
            out.append((path, md_plain(obj.resolve(lang)[0])))
        elif isinstance(obj, BaseModel):
            if name == "age":
                return
            for field in type(obj).model_fields:
                walk(getattr(obj, field), (*path, field))
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(item, (*path, i))
        elif name == "sites.fee_tables.rows.fees":
            out.extend(((*path, tier), present.money(amount, lang)) for tier, amount in obj.items())
        elif isinstance(obj, dt.date):
            out.append((path, present.date(obj, lang)))
        elif isinstance(obj, dt.time):
            out.append((path, present.time(obj, lang)))
        elif name == "sites.hours.days":
            out.append((path, charter.t(lang, f"day_{obj.value}")))
        elif name == "status":
            out.append((path, charter.t(lang, f"status_{obj.value}")))
        elif name == "area":
            out.append((path, charter.area_by_code[obj].name.resolve(lang)[0]))
        elif name == "cost.tariff":
            if not service.cost.free:
                out.append((path, md_plain(charter.tariff_by_id[obj].text.resolve(lang)[0])))
        elif name == "responsible.office":
            out.append((path, charter.office_by_id[obj].name.resolve(lang)[0]))
        elif name == "access.offices":
            out.extend((path, o.name.resolve(lang)[0]) for o in charter.offices_for([obj]))
        elif name == "operator.providers":
            out.append((path, charter.provider_by_id[obj].name))
        elif name == "staff_roles.count":
            out.append((path, present.number(obj, lang)))
        else:
            out.append((path, str(obj)))

    for field in type(service).model_fields:
        walk(getattr(service, field), (field,))
    if service.age:
        out.append((("age",), present.age_range(charter, service.age, lang)))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_every_fact_of_every_scheda_reaches_its_site_page(shipped, lang):
    missing = []
    for service in shipped.services:
        text = page_text(service_page(shipped, service, lang, LINKS))
        for path, words in expected_facts(shipped, service, lang):
            words = re.sub(r"\s+", " ", words)
            if path[0] in ("activity_area", "keywords"):  # a topic tag is shown once, any case
                words, text_ = words.casefold(), text.casefold()
            else:
                text_ = text
            if words not in text_:
                missing.append(f"{service.slug}: {'.'.join(map(str, path))}: {words[:60]!r}")
    assert not missing, "\n".join(missing)


def test_the_night_shelter_says_where_it_is(shipped):
    shelter = shipped.service_by_slug["senza-fissa-dimora"]
    text = page_text(service_page(shipped, shelter, "it", LINKS))
    assert "Dove" in text and "Centro Beata Madre Teresa di Calcutta" in text


def test_a_contact_written_as_a_list_stays_a_list(shipped):
    shelter = shipped.service_by_slug["senza-fissa-dimora"]
    md = service_page(shipped, shelter, "it", LINKS)
    html = markdown.markdown(re.sub(r"\A---\n.*?\n---\n", "", md, flags=re.S),
                             extensions=["tables", "md_in_html", "attr_list", "sane_lists"])
    assert "- Ufficio" not in plain(html) and "; - numero" not in plain(html)
    assert re.search(r"<li>\s*Ufficio Servizi Sociali del Piano Sociale di Zona", html)


def test_each_topic_tag_appears_once(shipped):
    doubled = []
    for service in shipped.services:
        for lang in shipped.district.languages:
            md = service_page(shipped, service, lang, LINKS)
            tags = [plain(t).casefold() for t in re.findall(
                r'<span class="carta-topic">(.*?)</span>(?= |\n|$)', md)]
            if len(tags) != len(set(tags)):
                doubled.append(f"{service.slug} ({lang}): {tags}")
    assert not doubled, "\n".join(doubled)


def test_free_schede_show_no_tariff_under_gratuito(shipped):
    for service in shipped.services:
        if service.cost.free and service.cost.tariff:
            text = page_text(service_page(shipped, service, "it", LINKS))
            tariff = shipped.tariff_by_id[service.cost.tariff]
            assert f"Tariffa: {md_plain(tariff.text.it)}" not in text, service.slug


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_money_on_english_and_arabic_pages_is_in_their_format(shipped, lang):
    prima = shipped.service_by_slug["prima-infanzia"]
    text = page_text(service_page(shipped, prima, lang, LINKS))
    amount = prima.sites[0].fee_tables[0].rows[0].fees
    first = next(iter(amount.values()))
    assert re.sub(r"\s+", " ", present.money(first, lang)) in text
    # "€ 164,61" is not how English reads an amount
    assert re.sub(r"\s+", " ", present.money(first, "it")) not in text


def test_site_and_print_show_the_same_parameter_points_and_conditions(shipped):
    from carta.print.sheets import general_document
    from tests.test_print import _plain as print_plain

    site = page_text(page_renderers(shipped)["it/tariffe.md"]())
    printed = print_plain(general_document(shipped, "it"))
    views = [par for g in present.parameter_groups(shipped, "it") for par in g.parameters]
    assert any(par.steps for par in views) and any(par.extra for par in views)
    for par in views:
        words = [par.text.text, par.extra or ""] + [f"{s.condition.text}: {s.points}"
                                                   for s in par.steps]
        if not par.steps:
            words.append(par.points)
        for w in filter(None, words):
            w = re.sub(r"\s+", " ", w)
            assert w in site, (par.id, w)
            assert w in printed, (par.id, w)


# --- a thin charter -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def thin(tmp_path_factory):
    return load_charter(write_thin(tmp_path_factory.mktemp("thin")))


@pytest.mark.parametrize("lang", LANGS)
def test_thin_site_states_only_what_the_charter_states(thin, lang):
    files = site_files(thin)
    assert f"{lang}/tariffe.md" not in files  # no tariffs, bands or parameters: no page
    assert "tariffe.md" not in page_paths(thin)
    for path, text in files.items():
        if not path.startswith(f"{lang}/"):
            continue
        words = page_text(text)
        for bad in INVENTED:  # a whole figure: "entro 60 giorni" (the law's) is not "0 giorni"
            assert not re.search(r"(?<![\d.,])" + re.escape(bad), words), (path, bad)
    home = page_text(files[f"{lang}/index.md"])
    assert thin.t(lang, "home_capofila") not in home
    complaints = page_text(files[f"{lang}/reclami.md"])
    assert thin.t(lang, "complaints_no_deadlines") in complaints
    service = thin.services[0]
    page = page_text(files[f"{lang}/servizi/{service.slug}.md"])
    office = thin.offices_for(service.access.offices)[0]
    for stop in present.schedule(thin, office, lang).rotation:
        assert stop.day in page and stop.comune in page and stop.time in page
    assert "tariffe" not in files[f"{lang}/servizi/{service.slug}.md"]


@pytest.mark.system
def test_thin_charter_builds_its_site(tmp_path):
    root = write_thin(tmp_path / "charter")
    out = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "carta", "build", "--root", str(root),
                             "--site-dir", str(out), "--no-pdf"], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    slug = load_charter(root).services[0].slug
    for lang_dir in ("", "ar/"):
        html = (out / f"{lang_dir}servizi/{slug}/index.html").read_text(encoding="utf-8")
        article = plain(html[html.index("<article"):html.index("</article>")])
        for bad in INVENTED:
            assert not re.search(r"(?<![\d.,])" + re.escape(bad), article), (lang_dir, bad)
    assert not (out / "tariffe").exists()


# --- results beside standards (issue 18) ----------------------------------------------------

def _with_results(tmp_path, years):
    service = base("services/telesoccorso.yaml")
    service["quality"][0]["id"] = "tempo"
    changes = {"services/telesoccorso.yaml": service}
    for year, row in years.items():
        changes[f"content/monitoring/{year}.yaml"] = {"year": year, "results": [
            {"service": "telesoccorso", "indicator_ref": "tempo", "factor": "Tempestività",
             "indicator": "Tempo d'intervento", "guaranteed": "Entro 45 minuti",
             "formula": "interventi entro 45 minuti / interventi", "source": "carta", **row}]}
    return load_charter(write_charter(tmp_path, changes))


def test_scheda_shows_realized_beside_the_standard_with_a_trend(tmp_path):
    charter = _with_results(tmp_path, {
        2023: {"realized_pct": 90, "numerator": 18, "denominator": 20},
        2024: {"realized_pct": 97.5, "numerator": 39, "denominator": 40},
        2025: {"not_measurable": True, "too_few_cases": True}})
    service = charter.service_by_slug["telesoccorso"]
    for lang in ("it", "en"):
        md = service_page(charter, service, lang, LINKS)
        text = page_text(md)
        row = re.search(r"^\|.*Tempo d'intervento.*Entro 45 minuti.*\|$", md, re.M).group(0)
        # beside the standard: the latest year, whose sample was too small for a percent
        assert charter.t(lang, "result_too_few") in row and "100" not in row
        for words in ("2023: 90% (18/20)", f"2024: {present.number(97.5, lang)}% (39/40)",
                      f"2025: {charter.t(lang, 'result_too_few')}"):
            assert words in text, words
        assert "interventi entro 45 minuti / interventi" in text and "carta" in text
        svg = re.search(r"<svg\b.*?</svg>", md, re.S).group(0)
        assert 'role="img"' in svg and "<title>" in svg
        # no script but the JSON-LD data block
        assert "<script" not in re.sub(r"<script[^>]*ld\+json[^>]*>.*?</script>", "", md,
                                       flags=re.S)
        assert svg.count("<circle") == 2  # the year with too few cases is no point of the line
        assert charter.t(lang, "result_trend", indicator="Tempo d'intervento")[:10] in text


def test_a_single_year_gives_a_table_and_no_chart(tmp_path):
    charter = _with_results(tmp_path, {2024: {"realized_pct": 80}})
    md = service_page(charter, charter.service_by_slug["telesoccorso"], "it", LINKS)
    assert "80%" in md and "<svg" not in md


def test_a_charter_without_results_says_so_beside_its_standards(shipped):
    assert not shipped.monitoring
    service = next(s for s in shipped.services if s.quality)
    text = page_text(service_page(shipped, service, "it", LINKS))
    assert shipped.t("it", "results_none") in text


def test_results_page_uses_the_same_words_for_too_few_cases(tmp_path):
    from carta.website.general import results_page

    charter = _with_results(tmp_path, {2025: {"not_measurable": True, "too_few_cases": True}})
    text = page_text(results_page(charter, "it"))
    assert charter.t("it", "result_too_few") in text and "100%" not in text


# --- offices, providers and the district reach the general pages ---------------------------

OFFICE_INTERNAL = {
    "id": "the anchor that cross-references point to",
    "kind": "groups offices for the schede that send citizens to 'the social services office'",
    "comune": "an id; the address names the place",
    "accepts_complaints": "the complaints page lists the offices that take complaints",
    "hours.note": "none of the shipped offices has one; shown beside the slot",
}
DISTRICT_INTERNAL = {
    "short_name": "the site's name in its header (mkdocs.yml), not page text",
    "languages": "the site's language switcher",
    "capofila": "an id; its comune's name is shown",
    "capofila_tax_code": "for invoices and the privacy register, not for citizens",
    "comuni.id": "an id", "comuni.patron": "local holidays in working-day counts",
    "comuni.joined": "membership dates: the comuni of the edition are shown",
    "comuni.left": "membership dates: the comuni of the edition are shown",
    "comuni.province": "the comuni are named without their province on the site",
    "paper_notice": "for the printed sheets: how to find the charter on the web",
    "site_url": "the site itself",
    "region": "part of the district's name for the printed cover",
    "province": "part of the district's name for the printed cover",
    "commitments": "in the charter's prose (carta.md) as the district wrote it",
    "privacy": "the privacy page (test_site checks it)",
    "accessibility_statement_url": "the footer (AgID's checks in test_agid)",
    "legal_notes_url": "the footer (AgID's checks in test_agid)",
    "privacy_url": "the footer (AgID's checks in test_agid)",
    "content_licence": "the footer (AgID's checks in test_agid)",
}


@pytest.mark.parametrize("lang", LANGS)
def test_every_office_and_provider_fact_reaches_the_site(shipped, lang):
    from tests.test_print import _facts

    pages = page_renderers(shipped)
    offices = page_text(pages[f"{lang}/uffici.md"]())
    providers = page_text(pages[f"{lang}/enti-gestori.md"]())
    missing = [f"{holder}: {'.'.join(map(str, path))}: {words[:60]!r}"
               for holder, text, items in
               [(o.id, offices, _facts(shipped, o, lang, OFFICE_INTERNAL)) for o in shipped.offices]
               + [(p.id, providers, _facts(shipped, p, lang, {"id": "the anchor"}))
                  for p in shipped.providers]
               for path, words in items if re.sub(r"\s+", " ", words) not in text]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("lang", LANGS)
def test_every_district_fact_reaches_the_site(shipped, lang):
    from tests.test_print import _facts

    pages = page_renderers(shipped)  # the general pages only: they are the district's
    text = " ".join(page_text(pages[f"{lang}/{p}"]()) for p in page_paths(shipped)
                    if not p.startswith("servizi/"))
    missing = [f"{'.'.join(map(str, path))}: {words[:60]!r}"
               for path, words in _facts(shipped, shipped.district, lang, DISTRICT_INTERNAL)
               if re.sub(r"\s+", " ", words) not in text]
    assert not missing, "\n".join(missing)
