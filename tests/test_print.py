"""Printed sheets read back from the PDFs: size, header, date, page counter, band, forms."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from carta.print.build import binder_parts
from tests.factory import REPO, base, write_charter

A4 = (595.28, 841.89)
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                   reason="poppler-utils not installed")


def carta_print(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "carta", "print", *args], capture_output=True,
                          text=True, timeout=900)


def texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    result = carta_print("--root", str(REPO), "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return out, result


@pytest.mark.system
def test_one_pdf_per_scheda_plus_forms_and_binder(printed, shipped):
    out, result = printed
    names = {p.name for p in out.glob("*.pdf")}
    assert names == {f"{s.slug}.pdf" for s in shipped.services} | {
        "modulo-domanda.pdf", "modulo-reclamo.pdf", "carta.pdf"}
    assert "[1/" in result.stderr and "wrote 24 files" in result.stderr  # progress shown


@pytest.mark.system
def test_every_sheet_is_a4_with_code_revision_and_page_counter(printed, shipped):
    out, _ = printed
    for s in shipped.services:
        reader = PdfReader(out / f"{s.slug}.pdf")
        n = len(reader.pages)
        for i, page in enumerate(reader.pages, 1):
            box = page.mediabox
            assert (round(float(box.width), 1), round(float(box.height), 1)) == (595.3, 841.9)
            text = page.extract_text()
            assert s.code in text, f"{s.slug} p.{i}: no code"
            assert s.revised.strftime("%d/%m/%Y") in text, f"{s.slug} p.{i}: no revision date"
            assert f"pagina {i} di {n}" in text, f"{s.slug} p.{i}: no page counter"
            assert "Ambito Napoli 13" in text


@pytest.mark.system
def test_long_table_repeats_its_header_and_never_cuts_a_row(tmp_path):
    service = base("services/telesoccorso.yaml")
    service["quality"] = [{"indicator": f"Indicatore numero {i} " + "parola " * 12,
                           "standard": f"Standard numero {i} " + "garanzia " * 10}
                          for i in range(1, 81)]
    root = write_charter(tmp_path / "c", {"services/telesoccorso.yaml": service})
    result = carta_print("--root", str(root), "--out", str(tmp_path / "o"),
                         "--since", "2000-01-01", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    pages = [re.sub(r"\s+", " ", t) for t in texts(tmp_path / "o" / "telesoccorso.pdf")]
    assert len(pages) >= 3
    for text in pages:
        if "Indicatore numero" in text:
            assert "La qualità offerta (indicatore)" in text
    for i in range(1, 81):
        holder = [n for n, t in enumerate(pages) if f"Indicatore numero {i} " in t]
        assert len(holder) == 1 and f"Standard numero {i} " in pages[holder[0]], i


def _left_band_colour(pdf: Path, page: int, tmp: Path) -> tuple[int, int, int]:
    subprocess.run(["pdftoppm", "-r", "20", "-png", "-f", str(page), "-l", str(page),
                    str(pdf), str(tmp / "p")], check=True)
    png = next(tmp.glob("p*.png"))
    from PIL import Image

    with Image.open(png) as im:
        colour = im.convert("RGB").getpixel((3, im.height // 2))
    png.unlink()
    return colour


@pytest.mark.system
@needs_poppler
def test_colour_band_of_the_area_on_every_page(printed, shipped, tmp_path):
    out, _ = printed
    for slug in ("prima-infanzia", "telesoccorso"):
        s = shipped.service_by_slug[slug]
        hexcol = shipped.area_by_code[s.area].colour.lstrip("#")
        want = tuple(int(hexcol[i:i + 2], 16) for i in (0, 2, 4))
        for page in range(1, len(PdfReader(out / f"{slug}.pdf").pages) + 1):
            got = _left_band_colour(out / f"{slug}.pdf", page, tmp_path)
            assert all(abs(a - b) <= 8 for a, b in zip(got, want, strict=True)), (slug, page, got)


@pytest.mark.system
def test_binder_holds_every_part_in_order_with_a_contents_page(printed, shipped):
    out, _ = printed
    binder = PdfReader(out / "carta.pdf")
    parts = binder_parts(shipped)
    singles = sum(len(PdfReader(out / p.filename).pages) for p in parts if p.filename)
    assert len(binder.pages) > singles + len(shipped.areas)  # + cover, contents, general part
    cover = binder.pages[0].extract_text()
    assert "Carta dei Servizi" in cover and "01/01/2011" in cover
    contents = binder.pages[1].extract_text()
    assert "Indice" in contents and "B3" in contents and "Telesoccorso" in contents
    # the contents' page number for B3 points to the page that starts the B3 sheet
    number = int(re.search(r"B3\s*Telesoccorso\s*(\d+)", contents).group(1))
    assert "Telesoccorso" in binder.pages[number - 1].extract_text()
    assert "B3" in binder.pages[number - 1].extract_text()


@pytest.mark.system
def test_blank_forms_list_the_fields_of_the_online_form(printed, shipped):
    out, _ = printed
    for form in shipped.forms:
        text = re.sub(r"\s+", " ", " ".join(texts(out / f"modulo-{form.id}.pdf")))
        for field in form.fields():
            label = re.sub(r"\s+", " ", field.label.it)
            assert label[:40] in text, f"{form.id}: field {field.id} ({label}) not printed"
    domanda = " ".join(texts(out / "modulo-domanda.pdf"))
    first = shipped.access_parameters.groups[0].parameters[0]
    assert first.text.it[:30] in re.sub(r"\s+", " ", domanda)
    reclamo = " ".join(texts(out / "modulo-reclamo.pdf"))
    assert "15 giorni" in reclamo


@pytest.mark.system
def test_arabic_sheets_are_shaped_right_to_left_and_extractable(tmp_path, shipped):
    result = carta_print("--root", str(REPO), "--out", str(tmp_path), "--lang", "ar",
                         "--since", "2000-01-01", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    pages = texts(tmp_path / "telesoccorso.pdf")
    title = shipped.service_by_slug["telesoccorso"].title["ar"]
    first_word = title.split()[0]
    assert first_word in pages[0] or first_word[::-1] in pages[0]
    # Arabic writes the date with right-to-left marks (CLDR): read right to left, 30/4/2010
    assert ("2010/4/30" in pages[0] or "30/4/2010" in pages[0]) and "B3" in pages[0]
    assert "27.31" in " ".join(pages) and "27,31" not in " ".join(pages)


@pytest.mark.system
def test_since_prints_only_changed_sheets_with_a_cover(tmp_path):
    old = base("services/telesoccorso.yaml")
    new = base("services/telesoccorso.yaml")
    new.update(code="B2", revised="2024-06-01", first_published="2024-06-01")
    gone = base("services/telesoccorso.yaml")
    gone.update(code="B3", revised="2024-07-01", status="withdrawn")
    root = write_charter(tmp_path / "c", {"services/nuovo.yaml": new,
                                          "services/ritirato.yaml": gone,
                                          "services/telesoccorso.yaml": old})
    out = tmp_path / "out"
    result = carta_print("--root", str(root), "--out", str(out), "--since", "2024-03-01")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == ["aggiornamento-2024-03-01.pdf",
                                                         "nuovo.pdf"]
    cover = " ".join(texts(out / "aggiornamento-2024-03-01.pdf"))
    assert "Inserire" in cover and "B2" in cover
    assert "Togliere" in cover and "B3" in cover

    nothing = tmp_path / "none"
    result = carta_print("--root", str(root), "--out", str(nothing), "--since", "2025-01-01")
    assert result.returncode == 0
    assert "nothing changed since 01/01/2025" in result.stderr
    assert list(nothing.glob("*.pdf")) == []


@pytest.mark.system
def test_bad_since_or_language_is_a_clear_error(tmp_path):
    root = write_charter(tmp_path / "c")
    bad = carta_print("--root", str(root), "--since", "ieri")
    assert bad.returncode == 2 and "--since 'ieri' is not a date" in bad.stderr
    bad = carta_print("--root", str(root), "--lang", "de")
    assert bad.returncode == 2 and "--lang 'de' is not offered" in bad.stderr


@pytest.mark.system
def test_pdf_bytes_are_a_real_pdf(printed):
    out, _ = printed
    data = (out / "telesoccorso.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and PdfReader(io.BytesIO(data)).pages


# --- every fact of a scheda reaches its printed sheet -------------------------------------

# Fields of a scheda that are not printed, and why.
INTERNAL = {
    "slug": "the file name; printed as part of the sheet's web address when the site has one",
    "keywords": "the site's topic tags, for navigation only",
    "first_published": "tells 'insert' from 'replace' in update bundles",
    "operator.outsourced": "the operator's text says it ('in affidamento a terzi')",
    "cost.free": "the cost's text says it ('Gratuito')",
    "access.online_application": "shown as the web address to apply at (checked below)",
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
    "sites.hours.note": "none of the shipped sites has one; printed beside the slot",
}


def _plain(html_text: str) -> str:
    import html as html_lib

    text = re.sub(r"<style.*?</style>", " ", html_text, flags=re.S)
    text = re.sub(r"</?(span|bdi|a|strong|em|b|i)\b[^>]*>", "", text)  # inline: no word break
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


def _md_plain(text: str) -> str:
    import markdown

    from carta.present import unlinked

    return _plain(markdown.markdown(unlinked(text), extensions=["sane_lists"]))


def _expected_facts(charter, service, lang):
    """(field path, words that must be printed) for every printed fact of ``service``."""
    from pydantic import BaseModel

    from carta import present
    from carta.model.text import Text

    out = []

    def walk(obj, path):
        name = ".".join(p for p in path if not isinstance(p, int))
        if name in INTERNAL or obj is None or obj == [] or obj == {}:
            return
        if isinstance(obj, Text):
            out.append((path, _md_plain(obj.resolve(lang)[0])))
        elif isinstance(obj, BaseModel):
            if name == "age":  # as a whole, below
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
            if obj.value != "active":
                out.append((path, charter.t(lang, f"status_{obj.value}")))
        elif name == "area":
            out.append((path, charter.area_by_code[obj].name.resolve(lang)[0]))
        elif name == "cost.tariff":
            if not service.cost.free:
                out.append((path, _md_plain(charter.tariff_by_id[obj].text.resolve(lang)[0])))
        elif name == "responsible.office":
            out.append((path, charter.office_by_id[obj].name.resolve(lang)[0]))
        elif name == "access.offices":
            out.extend((path, o.name.resolve(lang)[0]) for o in charter.offices_for([obj]))
        elif name == "operator.providers":
            out.append((path, charter.provider_by_id[obj].name))
        else:
            out.append((path, str(obj)))

    for field in type(service).model_fields:
        walk(getattr(service, field), (field,))
    if service.age:
        out.append((("age",), present.age_range(charter, service.age, lang)))
    if service.takes_applications and charter.district.site_url:
        out.append((("access", "online_application"), f"{charter.district.site_url}"))
    return out


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_every_fact_of_every_scheda_reaches_its_printed_sheet(shipped, lang):
    from carta.print.sheets import scheda_document

    missing = []
    for service in shipped.services:
        document = scheda_document(shipped, service, lang)
        printed = _plain(document)
        page_css = document[:document.index("</style>")]  # the running header and footer
        for path, words in _expected_facts(shipped, service, lang):
            words = re.sub(r"\s+", " ", words)
            if words not in (page_css if path == ("revised",) else printed):
                missing.append(f"{service.slug}: {'.'.join(map(str, path))}: {words[:60]!r}")
    assert not missing, "\n".join(missing)


@pytest.mark.system
def test_the_real_pdfs_hold_the_facts_the_old_sheets_lost(printed, shipped):
    def text_of(name):
        return re.sub(r"\s+", " ", " ".join(texts(printed[0] / name)))

    night_shelter = text_of("senza-fissa-dimora.pdf")  # D2: a list, not "- … ; - …"
    assert "- numero verde" not in night_shelter and "numero verde del Servizio" in night_shelter
    foster = text_of("contributi-affido.pdf")  # A5: free, and nothing under it says a price
    assert "Gratuito" in foster and "Tariffa" not in foster
    assert "da 3 mesi a 11 anni" in text_of("centri-ricreativi.pdf")  # A2, as the seed says
    binder = text_of("carta.pdf")
    assert "+1 per ogni figlio minore a carico" in binder  # extra_per_minor
    steps = next(p for g in shipped.access_parameters.groups for p in g.parameters if p.steps)
    assert steps.steps[0].condition.it[:25] in binder  # a step's condition
    # a cross-reference in the binder gives the page where its target starts
    page = int(re.search(r"vedi Allegato 1 → (\d+)", binder).group(1))
    assert "Fasce d'accesso per ISEE" in PdfReader(printed[0] / "carta.pdf").pages[page - 1].extract_text()


def test_everything_an_editor_writes_is_escaped_on_the_sheet(tmp_path):
    from carta.load.charter import load_charter
    from carta.print.sheets import general_document, scheda_document

    service = base("services/telesoccorso.yaml")
    service.update(code="B<1>", what="Testo <script>alert(1)</script> e **grassetto**",
                   title="Tele & <i>soccorso</i>")
    charter = load_charter(write_charter(tmp_path / "c", {"services/telesoccorso.yaml": service}))
    html = scheda_document(charter, charter.service_by_slug["telesoccorso"], "it")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "B&lt;1&gt;" in html and "<i>soccorso" not in html and "Tele &amp; &lt;i&gt;" in html
    assert "<strong>grassetto</strong>" in html  # Markdown still works
    assert "<script>" not in general_document(charter, "it")


def test_cache_key_follows_templates_and_charter(tmp_path, monkeypatch):
    import shutil as sh

    import carta.print as printing
    from carta.load.charter import load_charter

    code = tmp_path / "carta"
    sh.copytree(REPO / "carta" / "print", code / "print")
    sh.copytree(REPO / "carta" / "present", code / "present")
    monkeypatch.setattr(printing, "_CARTA", code)
    printing._code_and_tools.cache_clear()
    charter = load_charter(write_charter(tmp_path / "c"))
    first = printing.cache_key(charter)
    assert printing.cache_key(charter) == first
    template = code / "print" / "templates" / "scheda.html"
    template.write_text(template.read_text() + "\n<!-- changed -->\n")
    printing._code_and_tools.cache_clear()
    assert printing.cache_key(charter) != first
    changed = load_charter(write_charter(tmp_path / "d", {"content/areas.yaml": {"areas": [
        {"code": "A", "slug": "famiglia", "name": "Famiglie", "colour": "#A3245E"},
        {"code": "B", "slug": "anziani", "name": "Anziani", "colour": "#1D6A96"}]}}))
    assert printing.cache_key(changed) != printing.cache_key(charter)
    printing._code_and_tools.cache_clear()


OFFICE_INTERNAL = {
    "id": "the anchor that cross-references point to",
    "kind": "groups offices for the schede that send citizens to 'the social services office'",
    "comune": "an id; the address names the place",
    "accepts_complaints": "the complaint procedure lists the offices that take complaints",
    "hours.note": "none of the shipped offices has one; printed beside the slot",
}


def _facts(charter, obj, lang, internal, path=()):
    """(path, printed words) of every leaf of a model object, generically."""
    from pydantic import BaseModel

    from carta import present
    from carta.model.hours import Weekday
    from carta.model.text import Text

    name = ".".join(p for p in path if not isinstance(p, int))
    if name in internal or obj is None or isinstance(obj, bool):
        return []
    if isinstance(obj, Text):
        return [(path, _md_plain(obj.resolve(lang)[0]))]
    if isinstance(obj, BaseModel):
        return [f for field in type(obj).model_fields
                for f in _facts(charter, getattr(obj, field), lang, internal, (*path, field))]
    if isinstance(obj, list):
        return [f for i, item in enumerate(obj) for f in _facts(charter, item, lang, internal,
                                                                  (*path, i))]
    if isinstance(obj, Weekday):
        return [(path, charter.t(lang, f"day_{obj.value}"))]
    if isinstance(obj, dt.date):
        return [(path, present.date(obj, lang))]
    if isinstance(obj, dt.time):
        return [(path, present.time(obj, lang))]
    return [(path, str(obj))]


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_every_office_and_provider_fact_reaches_the_general_part(shipped, lang):
    from carta.print.sheets import general_document

    printed = _plain(general_document(shipped, lang))
    missing = [f"{holder}: {'.'.join(map(str, path))}: {words[:60]!r}"
               for holder, items in [(o.id, _facts(shipped, o, lang, OFFICE_INTERNAL))
                                     for o in shipped.offices]
               + [(p.id, _facts(shipped, p, lang, {"id": "the anchor"}))
                  for p in shipped.providers]
               for path, words in items if re.sub(r"\s+", " ", words) not in printed]
    assert not missing, "\n".join(missing)


DISTRICT_INTERNAL = {
    "short_name": "the running header of every page (checked by the PDF tests)",
    "languages": "which languages the charter is printed in",
    "capofila": "an id; its comune's name is printed",
    "capofila_tax_code": "for invoices and the privacy register, not for citizens",
    "comuni.id": "an id", "comuni.patron": "local holidays in working-day counts",
    "comuni.joined": "membership dates: the comuni of the edition are printed",
    "comuni.left": "membership dates: the comuni of the edition are printed",
    "paper_notice": "on every sheet (checked with the schede)",
    "site_url": "on every sheet as the web address and its QR code",
    "principles": "printed above; a principle's text repeats in the sections' prose",
}


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_every_district_fact_reaches_the_general_part(shipped, lang):
    from carta.print.sheets import general_document

    printed = _plain(general_document(shipped, lang))
    missing = [f"{'.'.join(map(str, path))}: {words[:60]!r}"
               for path, words in _facts(shipped, shipped.district, lang, DISTRICT_INTERNAL)
               if re.sub(r"\s+", " ", words) not in printed]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_sections_without_data_are_left_out(lang):
    from carta.load.charter import load_charter
    from carta.print.sheets import general_document

    example = load_charter(REPO / "examples" / "accoglienza")
    assert not example.tariffs.tariffs and not example.bands
    printed = _plain(general_document(example, lang))
    assert example.t(lang, "tariffs_title") not in printed
    assert example.t(lang, "tariff_service") not in printed


def test_print_writes_outside_the_charter_by_default(tmp_path, monkeypatch):
    from carta.print import default_out

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = default_out(REPO, "ar")
    assert out.is_relative_to(tmp_path / "cache" / "carta" / "print") and out.name == "ar"
    assert default_out(REPO / "examples" / "accoglienza", "ar") != out
