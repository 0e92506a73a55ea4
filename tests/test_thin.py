"""A thin charter (one itinerant service; no tariffs, bands, parameters, complaint deadlines,
compensation, codes, colours or strings) checks, and prints only what it states."""

from __future__ import annotations

import html
import io
import re
import subprocess
import sys

import pytest

from carta import present
from carta.load.charter import load_charter
from carta.model.organisation import AREA_PALETTE
from tests.factory import write_thin

LANGS = ["it", "ar"]
# What a charter that states no such fact must never print.
INVENTED = ["0 giorni", "€ 0,00", "0,00 €", "None", "€0.00"]


def invented(text: str) -> list[str]:
    """The invented figures in ``text``, whole: the law's "entro 60 giorni" is not "0 giorni"."""
    return [w for w in INVENTED if re.search(r"(?<![\d.,])" + re.escape(w), text)]


@pytest.fixture(scope="module")
def thin(tmp_path_factory):
    return load_charter(write_thin(tmp_path_factory.mktemp("thin")))


def _documents(charter, lang):
    from carta.print import sheets

    yield "general", sheets.general_document(charter, lang)
    for s in charter.services:
        yield s.slug, sheets.scheda_document(charter, s, lang)
    for f in charter.forms:
        yield f.id, sheets.form_document(charter, f, lang)
    for a in charter.areas:
        yield a.slug, sheets.divider_document(charter, a, lang)


def _text(markup: str) -> str:
    markup = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def _empty_headings(markup: str) -> list[str]:
    """Headings with nothing under them: followed straight by a heading of the same or a
    higher level, or by the end of their part."""
    body = re.sub(r"<style.*?</style>", "", markup, flags=re.S)
    found = []
    for m in re.finditer(r"<h([1-6])[^>]*>(.*?)</h\1>\s*(<h([1-6])|</div>|</body>)", body, re.S):
        nxt = m.group(4)
        if nxt is None or int(nxt) <= int(m.group(1)):
            found.append(_text(m.group(2)).strip())
    found += [m.group(0) for m in re.finditer(r"<h[1-6][^>]*>\s*</h[1-6]>", body)]
    return found


def test_the_thin_charter_checks(tmp_path):
    root = write_thin(tmp_path)
    result = subprocess.run([sys.executable, "-m", "carta", "check", "--root", str(root)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert not (root / "content" / "strings").exists()


def test_codes_and_colours_are_derived(thin):
    (area,) = thin.areas
    assert (area.code, area.colour) == ("A", AREA_PALETTE[0])
    (service,) = thin.services
    assert (service.area, service.code) == ("A", "A1")


def test_nothing_of_the_complaint_procedure_is_invented(thin):
    for lang in ("it", "en", "fr", "ar"):
        assert present.complaint_deadlines(thin, lang) == []
        assert present.complaint_filing(thin, lang) is None
        assert present.compensation(thin, lang) is None
    assert thin.complaints.filing_window_days is None  # the backend enforces no window
    assert present.capofila(thin) is None
    assert present.district_contact(thin, "it") == []


@pytest.mark.parametrize("lang", LANGS)
def test_printed_sheets_state_nothing_the_charter_does_not(thin, lang):
    for name, markup in _documents(thin, lang):
        text = _text(markup)
        assert invented(text) == [], name
        if name not in {a.slug for a in thin.areas}:  # a divider is its heading alone
            assert _empty_headings(markup) == [], name
    scheda = _text(dict(_documents(thin, lang))["sportello-immigrati"])
    assert thin.t(lang, "service_no_documents") not in scheda  # the scheda does not say so
    general = dict(_documents(thin, lang))["general"]
    for key in ("tariffs_title", "bands_title", "parameters_title", "complaints_deadlines",
                "home_capofila", "home_contacts"):
        assert thin.t(lang, key) not in _text(general), key


@pytest.mark.parametrize("lang", LANGS)
def test_the_itinerant_schedule_is_printed(thin, lang):
    docs = dict(_documents(thin, lang))
    for name in ("general", "sportello-immigrati"):
        text = _text(docs[name])
        for comune, day, times in (("Alfa", "mon", ("09:00", "12:30")),
                                   ("Beta", "wed", ("15:00", "18:00")),
                                   ("Gamma", "fri", ("09:30", "11:45"))):
            from carta.model.hours import Weekday

            assert comune in text and present.day_name(Weekday(day), lang) in text, name
            assert all(t in text for t in times), name
        assert "0999 111 222" in text  # how to book in Delta
        assert thin.t(lang, "schedule_by_appointment") in text


@pytest.mark.parametrize("lang", LANGS)
def test_parts_roles_partners_and_staff_without_names_are_printed(thin, lang):
    docs = dict(_documents(thin, lang))
    scheda = _text(docs["sportello-immigrati"])
    for words in ("Permesso di soggiorno", "Prenotazione in questura", "Centri per l'impiego",
                  "Mediatore linguistico", "Accompagna agli uffici", "Associazione Ponti",
                  "Corsi di italiano", "Centro per l'impiego", "0999 333 444",
                  thin.t(lang, "service_partners"), thin.t(lang, "service_referrals")):
        assert words in scheda, words
    general = _text(docs["general"])
    assert "Mediatrice culturale" in general and "Traduce i colloqui" in general


def test_the_schedule_view_says_only_what_is_stated(thin):
    view = present.schedule(thin, thin.offices[0], "it")
    assert view.stated and view.weekly == () and view.always_open is None
    assert [(x.day, x.comune, x.time) for x in view.rotation] == [
        ("Lunedì", "Alfa", "09:00–12:30"), ("Mercoledì", "Beta", "15:00–18:00"),
        ("Venerdì", "Gamma", "09:30–11:45")]
    assert view.comuni == ("Alfa", "Beta", "Gamma", "Delta")
    places = present.rotation_places(thin, thin.offices[0])
    assert [p["name"] for p in places] == ["Alfa", "Beta", "Gamma"]


@pytest.mark.system
def test_printed_pdfs_of_the_thin_charter(tmp_path):
    from pypdf import PdfReader

    root = write_thin(tmp_path / "charter")
    cache = tmp_path / "cache"
    for lang in LANGS:
        result = subprocess.run(
            [sys.executable, "-m", "carta", "print", "--root", str(root), "--lang", lang,
             "--jobs", "1"], capture_output=True, text=True, check=False,
            env={**__import__("os").environ, "XDG_CACHE_HOME": str(cache)})
        assert result.returncode == 0, result.stderr
        (binder,) = cache.glob(f"carta/print/*/{lang}/carta.pdf")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(binder.read_bytes())).pages)
        assert invented(text) == [], lang
        assert "Gamma" in text and "09:30" in text
    # nothing written under the charter folder
    assert sorted(p.name for p in root.iterdir()) == ["content", "services"]


def test_a_charter_without_offices_or_complaint_channels_prints_no_empty_part(tmp_path):
    import copy

    from carta.print.sheets import general_document
    from tests.factory import THIN

    scheda = copy.deepcopy(THIN["services/sportello-immigrati.yaml"])
    scheda["access"]["offices"] = []  # the scheda names no office either
    charter = load_charter(write_thin(tmp_path, {
        "content/offices.yaml": {"offices": []},
        "content/complaints.yaml": {"channels": [], "offices": []},
        "services/sportello-immigrati.yaml": scheda}))
    markup = general_document(charter, "it")
    assert _empty_headings(markup) == []
    for key in ("offices_title", "complaints_title"):
        assert charter.t("it", key) not in _text(markup), key
