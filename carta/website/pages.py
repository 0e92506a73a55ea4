"""Every file of the site's docs folder, generated from the model (pure: no I/O here).

The layout is mkdocs-static-i18n's folder structure: ``<lang>/…md`` per language, Italian
served at the site root.  Nothing here imports MkDocs, so another engine needs one new module.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from carta.model.charter import Charter
from carta.website import general as pages
from carta.website.scheda import service_page

STYLESHEET = "assets/carta.css"
AREA_STYLESHEET = "assets/areas.css"
EXPORT_JSON = "assets/carta.json"
EXPORT_CSV = "assets/indicatori.csv"


def page_paths(charter: Charter) -> list[str]:
    """Paths (per language) of every page, in navigation order; schede come last."""
    paths = ["index.md"] + [f"aree/{a.slug}.md" for a in charter.areas]
    paths.append("uffici.md")
    if has_tariffs(charter):
        paths.append("tariffe.md")
    if charter.system_quality:
        paths.append("qualita.md")
    paths.append("reclami.md")
    if charter.monitoring:
        paths.append("risultati.md")
    if charter.sections:
        paths.append("carta.md")
    if charter.providers:
        paths.append("enti-gestori.md")
    paths += ["download.md", "accessibilita.md", "privacy.md", "note-legali.md"]
    return paths + [f"servizi/{s.slug}.md" for s in charter.services]


def has_tariffs(charter: Charter) -> bool:
    """Whether the charter states tariffs, access bands or access parameters (else no
    "Tariffe e fasce" page: an empty page is left out)."""
    return bool(charter.tariffs.tariffs or charter.bands or charter.access_parameters)


def nav(charter: Charter) -> list[str]:
    """The navigation: general pages and areas; schede are listed on their area page."""
    return [p for p in page_paths(charter) if not p.startswith("servizi/")]


def site_files(charter: Charter, pdfs_by_lang: dict[str, dict[str, str]] | None = None,
               shared: dict[str, Callable[[], str]] | None = None) -> dict[str, str]:
    """Docs-folder path → file text for every language of the district.

    ``pdfs_by_lang[lang]`` maps a scheda slug (and ``carta`` for the whole binder,
    ``modulo-<form>`` for blank forms) to its PDF path under the docs folder, when the print
    sheets were made. ``shared`` adds site-wide files other outputs make (the open-data
    export): :func:`carta.website.build.shared_files` composes them, so no renderer imports another.
    """
    return {path: render() for path, render in page_renderers(charter, pdfs_by_lang, shared).items()}


def page_renderers(charter: Charter, pdfs_by_lang: dict[str, dict[str, str]] | None = None,
                   shared: dict[str, Callable[[], str]] | None = None) -> dict[str, Callable[[], str]]:
    """Docs-folder path → a function making that file's text, in :func:`site_files` order.

    Lets the live preview make only the pages an edit touches."""
    pdfs_by_lang = pdfs_by_lang or {}
    files: dict[str, Callable[[], str]] = {
        AREA_STYLESHEET: partial(area_css, charter),
        **(shared or {}),
        EXPORT_CSV: partial(pages.indicators_csv, charter),
    }
    for lang in charter.district.languages:
        pdfs = pdfs_by_lang.get(lang, {})
        query = "" if lang == "it" else f"?lang={lang}"

        def put(rel: str, render: Callable[..., str], *args, lang: str = lang,
                **values) -> None:
            files[f"{lang}/{rel}"] = partial(render, charter, lang, *args, **values)

        general = pages.general_page
        put("index.md", general, "home")
        for area in charter.areas:
            put(f"aree/{area.slug}.md", pages.area_page, area)
        put("uffici.md", general, "offices", path="uffici.md")
        if has_tariffs(charter):
            put("tariffe.md", general, "tariffs")
        if charter.system_quality:
            put("qualita.md", general, "quality")
        put("reclami.md", general, "complaints", complaint_link=f"/reclamo{query}")
        if charter.monitoring:
            put("risultati.md", pages.results_page)
        if charter.sections:
            put("carta.md", general, "charter")
        if charter.providers:
            put("enti-gestori.md", general, "providers")
        # Shared files sit at the site root; MkDocs only resolves links within one language,
        # so these are plain HTML links computed from the page's output URL.
        up = "../" if lang == charter.district.languages[0] else "../../"
        downloads = {"download_json": up + EXPORT_JSON, "download_csv": up + EXPORT_CSV}
        if shared:  # the open-data files other outputs make (carta.website.build.shared_files)
            downloads.update({f"download_{Path(path).suffix[1:]}": up + path for path in shared
                              if path.endswith((".ttl", ".jsonld"))})
        if "carta" in pdfs:
            downloads["download_pdf"] = up + pdfs["carta"]
        for form in charter.forms:
            if f"modulo-{form.id}" in pdfs:
                downloads[f"download_form_{form.id}"] = up + pdfs[f"modulo-{form.id}"]
        put("download.md", general, "downloads", files=downloads)
        put("accessibilita.md", general, "accessibility")
        put("privacy.md", general, "privacy")
        put("note-legali.md", general, "legal")
        for s in charter.services:
            links = {"area": f"../aree/{charter.area_by_code[s.area].slug}.md",
                     "offices": "../uffici.md",
                     "apply": f"/domanda/{s.slug}{query}",
                     "complain": f"/reclamo{query}{'&' if query else '?'}servizio={s.slug}"}
            if has_tariffs(charter):
                links["tariffs"] = "../tariffe.md"
            if s.slug in pdfs:
                links["pdf"] = up + "../" + pdfs[s.slug]
            files[f"{lang}/servizi/{s.slug}.md"] = partial(service_page, charter, s, lang, links)
    return files


def area_css(charter: Charter) -> str:
    """One CSS class per area carrying its colour (no inline styles: the CSP forbids them)."""
    return "".join(f".carta-area-{a.code} {{ --carta-area: {a.colour}; }}\n"
                   for a in charter.areas)
