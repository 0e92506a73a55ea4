"""The built site, read as HTML: every scheda in every language, metadata, links, fallbacks."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from carta.website.build import project_mkdocs_yml, write_changed
from carta.website.pages import page_paths
from tests.conftest import build
from tests.factory import REPO, base, write_charter
from tests.htmlcheck import broken_links, page, primary_nav

LANGS = ["it", "en", "fr", "ar"]
HOOKS = ["service-category", "service-title", "service-status", "service-description",
         "service-addressed", "service-how-to", "service-needed", "service-achieved",
         "service-calendar-text", "service-cost", "service-conditions", "service-area",
         "topic-list"]


def url(lang: str, path: str) -> str:
    prefix = "" if lang == "it" else f"{lang}/"
    path = path.removesuffix(".md")
    return prefix + ("" if path == "index" else path + "/")


def test_every_page_exists_in_every_language(site, shipped):
    expected = {url(lang, p) + "index.html" for lang in LANGS for p in page_paths(shipped)}
    built = {p.relative_to(site).as_posix() for p in site.rglob("index.html")
             if not p.relative_to(site).as_posix().startswith(("search/", "assets/"))}
    assert expected <= built
    assert len([p for p in expected if "/servizi/" in "/" + p]) == 21 * 4


@pytest.mark.parametrize("lang", LANGS)
def test_html_has_lang_and_direction(site, lang):
    html = page(site, url(lang, "servizi/telesoccorso")).first("html")
    assert html["lang"] == lang
    assert html["dir"] == ("rtl" if lang == "ar" else "ltr")


def test_the_not_found_page_speaks_the_default_language(site, shipped):
    """One 404 page answers every missing address: in the district's first language, not
    in whichever language was built last (it was Arabic, without right-to-left)."""
    from tests.htmlcheck import Html

    text = (site / "404.html").read_text(encoding="utf-8")
    not_found = Html(text)
    default = shipped.district.languages[0]
    assert not_found.first("html")["lang"] == default
    assert not_found.first("html")["dir"] == "ltr"
    assert shipped.t(default, "not_found_title") in text
    assert "404 - Not found" not in text  # Material's English


def test_every_scheda_has_json_ld_and_data_element_hooks(site, shipped):
    for lang in LANGS:
        for service in shipped.services:
            doc = page(site, url(lang, f"servizi/{service.slug}"))
            hooks = {a["data-element"] for a in doc.with_attr("data-element")}
            missing = set(HOOKS) - hooks
            assert not missing, f"{lang} {service.slug}: missing {missing}"
            assert hooks & {"service-online-access", "service-generic-access"}
            assert len(doc.jsonld) == 1
            ld = doc.jsonld[0]
            assert ld["@type"] == "GovernmentService" and ld["identifier"] == service.code
            for key in ("name", "serviceType", "provider", "serviceOperator", "areaServed",
                        "audience"):
                assert ld.get(key), f"{service.slug}: JSON-LD lacks {key}"


def test_json_ld_channels_carry_structured_hours(site):
    # one channel, as AgID's metatag schema wants (tests/test_agid.py): the lead comune's desk
    ld = page(site, "servizi/telesoccorso/").jsonld[0]
    place = ld["availableChannel"]["serviceLocation"]
    assert place["name"] == "Ufficio Servizi Sociali di Sorrento"
    assert {"@type": "OpeningHoursSpecification", "dayOfWeek": "https://schema.org/Tuesday",
            "opens": "09:00", "closes": "12:00"} in place["openingHoursSpecification"]
    assert place["address"]["postalCode"] == "80067"
    assert [a["name"] for a in ld["areaServed"]["containsPlace"]] == [
        "Anacapri", "Capri", "Massa Lubrense", "Piano di Sorrento", "Sant'Agnello", "Sorrento"]
    assert ld["serviceOperator"]["name"].startswith("Il Pellicano")


def test_apply_button_only_where_the_scheda_takes_applications(site, shipped):
    for service in shipped.services:
        doc = page(site, f"servizi/{service.slug}/")
        online = [a for a in doc.with_attr("data-element")
                  if a["data-element"] == "service-online-access"]
        if service.takes_applications:
            assert online and online[0]["href"] == f"/domanda/{service.slug}"
        else:
            assert not online
    en = page(site, "en/servizi/telesoccorso/")
    assert any(a.get("href") == "/domanda/telesoccorso?lang=en" for _, a in en.tags)


def test_no_broken_links(site):
    assert broken_links(site) == []


def _primary_nav(site: Path, url: str) -> str:
    return primary_nav((site / url / "index.html").read_text("utf-8"))


@pytest.mark.parametrize("lang", ["", "ar/"])
def test_the_navigation_is_each_pages_own(site, lang):
    # rendered once for the schede of a folder (carta.website.hooks._nav_key), it must still
    # mark the page it lists and link from where each page is
    area = _primary_nav(site, f"{lang}aree/anziani")
    assert "md-nav__link--active" in area
    assert 'href="../famiglia-infanzia/"' in area
    scheda = _primary_nav(site, f"{lang}servizi/telesoccorso")
    assert "md-nav__link--active" not in scheda
    assert 'href="../../aree/famiglia-infanzia/"' in scheda
    assert scheda == _primary_nav(site, f"{lang}servizi/assistenza-domiciliare-anziani")
    top = _primary_nav(site, f"{lang}uffici")
    assert 'href="../aree/famiglia-infanzia/"' in top


def test_language_switcher_keeps_the_page(site):
    doc = page(site, "en/servizi/telesoccorso/")
    targets = {a.get("hreflang"): a["href"] for t, a in doc.tags
               if t == "a" and a.get("hreflang")}
    assert set(targets) >= set(LANGS)
    assert targets["en"] == "./"
    for lang in ("it", "fr", "ar"):
        prefix = "" if lang == "it" else f"{lang}/"
        assert targets[lang] == f"../../../{prefix}servizi/telesoccorso/"


def test_area_pages_list_their_schede_in_the_area_colour(site, shipped):
    css = (site / "assets" / "areas.css").read_text()
    for area in shipped.areas:
        assert f".carta-area-{area.code} {{ --carta-area: {area.colour}; }}" in css
        doc = page(site, f"aree/{area.slug}/")
        classes = " ".join(a.get("class", "") for _, a in doc.tags)
        assert f"carta-area-{area.code}" in classes
        links = {a["href"] for t, a in doc.tags if t == "a" and "servizi/" in a.get("href", "")}
        for service in shipped.services_in(area):
            assert f"../../servizi/{service.slug}/" in links


def test_offices_page_shows_a_weekly_table(site):
    text = (site / "uffici" / "index.html").read_text()
    anacapri = text[text.index('id="anacapri"'):text.index('id="capri"')]
    assert re.search(r"Lunedì</td>\s*<td>.*11:00–13:30.*16:30–17:30", anacapri)
    assert re.search(r"Martedì</td>\s*<td>.*11:00–13:30</bdi></td>", anacapri)


def test_search_index_finds_a_scheda_by_its_words(site):
    index = json.loads((site / "search" / "search_index.json").read_text())
    hits = [d["location"] for d in index["docs"] if "centrale operativa" in d["text"]]
    assert any(loc.startswith("servizi/telesoccorso/") for loc in hits)
    assert index["config"]["lang"] == ["it"]  # each language its own index (test_search.py)
    index = json.loads((site / "en" / "search" / "search_index.json").read_text())
    english = [d["location"] for d in index["docs"] if "alarm" in d["text"].lower()]
    assert any(loc.startswith("servizi/telesoccorso/") for loc in english)


def test_downloads_are_built(site):
    data = json.loads((site / "assets" / "carta.json").read_text())
    assert len(data["services"]) == 21
    csv = (site / "assets" / "indicatori.csv").read_text()
    assert csv.splitlines()[0].startswith("scope,code,service,indicator,standard")


def site_with(tmp_path, service: dict) -> Path:
    """Build the shipped charter with ``service`` as its telesoccorso scheda."""
    root = write_charter(tmp_path / "charter", {"services/telesoccorso.yaml": service})
    result = build(root, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-2000:]
    return tmp_path / "site"


def test_untranslated_text_is_marked_italian_with_a_notice(tmp_path):
    service = base("services/telesoccorso.yaml")
    service["summary"] = "Solo in italiano."
    site_with(tmp_path, service)
    en = (tmp_path / "site" / "en" / "servizi" / "telesoccorso" / "index.html").read_text()
    assert re.search(r'<div class="carta-fallback" dir="ltr" lang="it">|'
                     r'<div lang="it" dir="ltr" class="carta-fallback">', en)
    assert "carta-notice" in en
    it = (tmp_path / "site" / "servizi" / "telesoccorso" / "index.html").read_text()
    assert "carta-notice" not in it


def test_example_charter_builds_with_its_results_page(tmp_path):
    result = build(REPO / "examples" / "accoglienza", tmp_path / "site")
    assert result.returncode == 0, result.stderr[-2000:]
    text = (tmp_path / "site" / "risultati" / "index.html").read_text()
    assert "non rilevabile" in text and "<svg" in text
    assert (tmp_path / "site" / "en" / "risultati" / "index.html").exists()
    assert not (tmp_path / "site" / "fr").exists()


def test_broken_reference_fails_the_build_with_the_editor_message(tmp_path):
    service = base("services/telesoccorso.yaml")
    service["area"] = "Z"
    root = write_charter(tmp_path / "charter", {"services/telesoccorso.yaml": service})
    result = build(root, tmp_path / "site")
    assert result.returncode == 1
    assert "services/telesoccorso.yaml:" in result.stderr and "unknown area 'Z'" in result.stderr


def test_a_page_mkdocs_refuses_fails_the_build_and_leaves_no_half_site(tmp_path):
    # strict mode: a link to no page fails its language's build; the languages that built
    # must not be left in the site as if it were whole
    service = base("services/telesoccorso.yaml")
    service["where"] = {"it": "Vedi [la pagina](non-esiste.md).", "en": "Somewhere."}
    root = write_charter(tmp_path / "charter", {"services/telesoccorso.yaml": service})
    (tmp_path / "site" / "old").mkdir(parents=True)  # a site built earlier
    result = build(root, tmp_path / "site")
    assert result.returncode == 1
    assert "non-esiste.md" in result.stderr
    assert not (tmp_path / "site").exists()
    assert not list(tmp_path.glob(".site*")), "the earlier site is deleted, not left aside"


def test_hook_writes_only_changed_files(tmp_path):
    files = {"it/index.md": "# Ciao\n", "assets/x.css": "a{}"}
    assert write_changed(tmp_path, files) == 2
    assert write_changed(tmp_path, files) == 0
    (tmp_path / ".gitignore").write_text("*\n")
    assert write_changed(tmp_path, {"it/index.md": "# Ciao\n"}) == 1  # x.css removed
    assert (tmp_path / ".gitignore").exists() and not (tmp_path / "assets").exists()


def test_committed_mkdocs_yml_is_current(shipped):
    assert (REPO / "mkdocs.yml").read_text(encoding="utf-8") == project_mkdocs_yml(shipped), (
        "run `carta mkdocs-yml > mkdocs.yml`")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    assert config["strict"] is True
    assert [x["locale"] for x in config["plugins"][1]["i18n"]["languages"]] == LANGS


def test_interface_strings_are_all_used_and_all_defined():
    # carta's default strings and the shipped charter's overrides: what a renderer can ask for
    table = {**yaml.safe_load((REPO / "carta" / "strings" / "it.yaml").read_text()),
             **yaml.safe_load((REPO / "content" / "strings" / "it.yaml").read_text())}
    # print sheets are Jinja2 templates under carta/print/templates
    sources = [*(REPO / "carta").rglob("*.py"), *(REPO / "carta").rglob("*.html"),
               *(REPO / "form_backend").rglob("*.py"), *(REPO / "form_backend").rglob("*.html"),
               *(REPO / "carta" / "website" / "templates").rglob("*.md")]  # site pages: "key"|t
    code = "\n".join(p.read_text() for p in sources)
    literals = set(re.findall(r'"([a-z][a-z0-9_]+)"', code)) | set(
        re.findall(r"'([a-z][a-z0-9_]+)'", code))
    # keys built in code: "day_" + weekday, "outcome_" + outcome, "receipt_title_" ~ kind …
    dynamic = ("day_", "outcome_", "receipt_title_", "receipt_next_",
               # any prefix a template or f-string completes: t("bo_status_" ~ s), f"day_{d}"
               *re.findall(r'["\']([a-z][a-z0-9_]*_)["\']\s*(?:~|\+)', code),
               *re.findall(r'f["\']([a-z][a-z0-9_]*_)\{', code))

    def used(key: str) -> bool:
        if key in literals or any(key.startswith(p) and p in code for p in dynamic):
            return True
        if key.endswith("_title") and key.removesuffix("_title") in literals:
            return '~ "_title"' in code  # error pages: t(key ~ "_title")
        return key.startswith("receipt_") and key.removeprefix("receipt_") in literals
    assert [k for k in table if not used(k)] == []
    # lang.t("toc") is Material's own table; t("en", key) passes a language, not a key
    called = set(re.findall(r'(?<![\w.])t\(\s*(?:lang,\s*)?["\']([a-z0-9_]+)["\']', code))
    templates = "\n".join(p.read_text() for p in (REPO / "carta" / "website" / "templates").rglob("*.md"))
    called |= set(re.findall(r'["\']([a-z0-9_]+)["\']\s*\|\s*t\b', templates))
    assert {k for k in called if not k.endswith("_")} - set(table) - {"it", "en", "fr", "ar"} \
        == set()


def test_html_in_the_yaml_is_shown_as_text_not_run(tmp_path):
    service = base("services/telesoccorso.yaml")
    service["what"] = "Testo **importante** <script>alert(1)</script> <img src=x onerror=alert(2)>"
    site_with(tmp_path, service)
    html = (tmp_path / "site" / "servizi" / "telesoccorso" / "index.html").read_text()
    assert "<strong>importante</strong>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<script>alert" not in html


# --- the parallel build gives the site the sequential one gives --------------------------------

_JSON_LD = re.compile(r'(<script type="application/ld\+json">)\s*(.*?)\s*(</script>)', re.S)
_LASTMOD = re.compile(r"<lastmod>[0-9-]+</lastmod>")


def site_texts(site: Path) -> dict[str, bytes]:
    """Every file of a built site, keyed by path, normalised where builds may differ without
    a reader seeing it: JSON-LD layout (compact since issue 19), the sitemap's dates (the day
    of the build), the gzip header, and the language links of the 404 page (static-i18n's
    sequential build left there the last page it had built in the previous language)."""
    import gzip

    texts = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        data = path.read_bytes()
        if rel.endswith(".gz"):
            data = gzip.decompress(data)
        if rel.startswith("sitemap.xml"):
            data = _LASTMOD.sub("<lastmod/>", data.decode()).encode()
        elif rel.endswith(".html"):
            text = _JSON_LD.sub(lambda m: m[1] + json.dumps(json.loads(m[2])) + m[3],
                                data.decode())
            if rel == "404.html":
                text = re.sub(r'(<link rel="alternate" href|<a href)="[^"]*"(?= hreflang)',
                              r'\1=""', text)
            data = text.encode()
        texts[rel] = data
    return texts


def differences(a: Path, b: Path) -> list[str]:
    """What differs between two built sites: missing files, then files with other content."""
    ta, tb = site_texts(a), site_texts(b)
    return ([f"only in {a.name}: {p}" for p in sorted(ta.keys() - tb.keys())]
            + [f"only in {b.name}: {p}" for p in sorted(tb.keys() - ta.keys())]
            + [f"differs: {p}" for p in sorted(ta.keys() & tb.keys()) if ta[p] != tb[p]])


def static_i18n_site(root: Path, site: Path, build_dir: Path) -> Path:
    """The site as static-i18n builds it by itself: every language in turn, in one process."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from carta.load.charter import load_charter
    from carta.website.build import generated_files, prepare

    config_file = prepare(root, build_dir, site)
    write_changed(build_dir / "docs", generated_files(load_charter(root)))
    mkdocs_build(load_config(str(config_file)))
    return site


def example(tmp_path: Path) -> Path:
    import shutil

    shutil.copytree(REPO / "examples" / "accoglienza", tmp_path / "charter")
    return tmp_path / "charter"


@pytest.mark.system
@pytest.mark.parametrize("jobs", [1, 2])
def test_build_gives_static_i18n_own_site(tmp_path, jobs):
    from carta.website.build import build as site_build

    root = example(tmp_path)
    static_i18n_site(root, tmp_path / "one", tmp_path / "b1")
    site_build(root, tmp_path / "two", build_dir=tmp_path / "b2", pdfs=False, jobs=jobs)
    assert differences(tmp_path / "one", tmp_path / "two") == []
    # the one 404 page, for every missing address, speaks the default language
    assert '<html lang="it" dir="ltr"' in (tmp_path / "one" / "404.html").read_text()
    for lang in ("", "en/"):
        index = json.loads((tmp_path / "two" / lang / "search" / "search_index.json").read_text())
        assert "servizi" in {d["location"].split("/")[0] for d in index["docs"]}


def rename_scheda(root: Path) -> None:
    """An editor's change to one scheda: a new Italian title for segretariato-sociale."""
    scheda = root / "services" / "segretariato-sociale.yaml"
    text = scheda.read_text()
    new = text.replace("title:\n  it: ", "title:\n  it: Nuovo ", 1)
    assert new != text
    scheda.write_text(new)


@pytest.mark.system
@pytest.mark.parametrize("edit", ["scheda", "navigation title", "new scheda"])
def test_incremental_build_gives_the_clean_build(tmp_path, edit):
    from carta.website.build import build as site_build

    root = example(tmp_path)
    build_dir = tmp_path / "build"
    site_build(root, tmp_path / "first", build_dir=build_dir, pdfs=False, jobs=2)
    untouched = build_dir / "languages" / "en" / "site" / "en" / "servizi" / "accoglienza" / "index.html"
    before = untouched.stat().st_mtime_ns
    scheda = root / "services" / "segretariato-sociale.yaml"
    if edit == "scheda":
        rename_scheda(root)
    elif edit == "navigation title":
        areas = root / "content" / "areas.yaml"
        areas.write_text(areas.read_text().replace("Access and reception", "Access and welcome"))
    else:
        text = scheda.read_text().replace("code: W2", "code: W3", 1)
        (root / "services" / "sportello.yaml").write_text(text)
    (tmp_path / "again" / "stale.html").parent.mkdir()
    (tmp_path / "again" / "stale.html").write_text("from an earlier build")
    site_build(root, tmp_path / "again", build_dir=build_dir, pdfs=False, jobs=2)
    site_build(root, tmp_path / "clean", build_dir=tmp_path / "clean-build", pdfs=False, jobs=2)
    assert differences(tmp_path / "clean", tmp_path / "again") == []
    assert not list(tmp_path.glob(".again*")), "the earlier site is deleted, not left aside"
    skipped = untouched.stat().st_mtime_ns == before
    assert skipped == (edit == "scheda"), "only a scheda's own edit leaves other pages alone"


@pytest.mark.system
@pytest.mark.skipif(not os.environ.get("CARTA_REFERENCE_SITE"),
                    reason="set CARTA_REFERENCE_SITE (and CARTA_REFERENCE_ROOT) to a site "
                           "built by an earlier carta from the same charter")
def test_build_gives_the_reference_site(tmp_path):
    """Today's build against one made by earlier code from the same charter, e.g.:
    git archive REV | tar -x -C /tmp/old; PYTHONPATH=/tmp/old python -m carta build --no-pdf
    --root /tmp/old --site-dir /tmp/old-site; then CARTA_REFERENCE_SITE=/tmp/old-site
    CARTA_REFERENCE_ROOT=/tmp/old pytest -k reference_site."""
    from carta.website.build import build as site_build

    root = Path(os.environ.get("CARTA_REFERENCE_ROOT") or REPO)
    site_build(root, tmp_path / "site", build_dir=tmp_path / "build", pdfs=False)
    assert differences(Path(os.environ["CARTA_REFERENCE_SITE"]), tmp_path / "site") == []


@pytest.mark.system
@pytest.mark.parametrize("earlier", ["no earlier build", "an earlier build"])
def test_open_data_made_after_the_pages_are_still_this_build_s(tmp_path, monkeypatch, earlier):
    """The open-data files are made while the languages build: the site must never get the
    docs folder's placeholder (empty, or the last build's) even when they come last."""
    import time

    from carta.export.rdf import render_jsonld, render_turtle
    from carta.load.charter import load_charter
    from carta.website import build as site

    root = example(tmp_path)
    build_dir = tmp_path / "build"
    if earlier == "an earlier build":
        site.build(root, tmp_path / "first", build_dir=build_dir, pdfs=False, jobs=2)
        rename_scheda(root)
    make = site._make_shared

    def slowly(charter):
        time.sleep(6)  # after the pages are read, when MkDocs would copy the files
        return make(charter)

    monkeypatch.setattr(site, "_make_shared", slowly)
    site.build(root, tmp_path / "site", build_dir=build_dir, pdfs=False, jobs=2)
    charter = load_charter(root)
    assert (tmp_path / "site" / "assets" / "carta.ttl").read_text() == render_turtle(charter)
    assert (tmp_path / "site" / "assets" / "carta.jsonld").read_text() == render_jsonld(charter)


@pytest.mark.system
def test_two_builds_of_one_charter_at_once_both_succeed(tmp_path):
    import subprocess
    import sys

    root = example(tmp_path)
    runs = [subprocess.Popen([sys.executable, "-m", "carta", "build", "--no-pdf", "--root",
                              str(root), "--site-dir", str(tmp_path / name)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in ("a", "b")]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err[-2000:]
    assert differences(tmp_path / "a", tmp_path / "b") == []
