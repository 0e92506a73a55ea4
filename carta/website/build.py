"""Build the static site with MkDocs + Material + mkdocs-static-i18n.

It writes the generated docs folder (only files whose content changed), produces the MkDocs
configuration from the charter, and runs the build in strict mode, the languages side by side
and incrementally (:mod:`carta.website.languages`).  :mod:`carta.website.preview` renders single pages
through the same configuration.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from carta.load.charter import load_cached
from carta.model.charter import Charter
from carta.website.page import direction
from carta.website.pages import EXPORT_JSON, STYLESHEET, nav, page_renderers

PACKAGE_DIR = Path(__file__).resolve().parent
THEME_DIR = PACKAGE_DIR / "theme"
LANGUAGE_NAMES = {"it": "Italiano", "en": "English", "fr": "Français", "ar": "العربية",
                  "de": "Deutsch", "es": "Español"}


def write_changed(docs_dir: Path, files: dict[str, str | bytes], keep: Iterable[str] = ()
                  ) -> int:
    """Write ``files`` under ``docs_dir``, touching only changed ones; remove stale ones
    (but not those in ``keep``, left as they are).

    Returns how many files were written or removed.
    """
    changed = len(write_files(docs_dir, files))
    wanted = {docs_dir / rel for rel in (*files, *keep)}
    for path in sorted(docs_dir.rglob("*"), reverse=True):
        if path.name.startswith("."):  # .gitignore and editors' files are not ours
            continue
        if path.is_file() and path not in wanted:
            path.unlink()
            changed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return changed


def write_files(docs_dir: Path, files: dict[str, str | bytes]) -> list[str]:
    """Write those of ``files`` whose content differs from what is under ``docs_dir``;
    return their paths.  An unchanged file keeps its modification time."""
    written = []
    docs_dir.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = docs_dir / rel
        data = content.encode("utf-8") if isinstance(content, str) else content
        try:
            if path.read_bytes() == data:
                continue
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(rel)
    return written


def shared_files(charter: Charter) -> dict[str, Callable[[], str]]:
    """Site-wide files made by other outputs: the open-data exports, downloadable from the site
    (carta's JSON; the CPSV-AP_IT services with their DCAT-AP_IT record as Turtle and JSON-LD)."""
    from carta.export.opendata import render_json
    from carta.export.rdf import render_jsonld, render_turtle

    return {EXPORT_JSON: partial(render_json, charter),
            "assets/carta.ttl": partial(render_turtle, charter),
            "assets/carta.jsonld": partial(render_jsonld, charter)}


def generated_files(charter: Charter, pdf_dir: Path | None = None,
                    shared: bool = True) -> dict[str, str | bytes]:
    """The docs folder: generated pages plus the theme's static assets and any PDFs
    (``pdf_dir/<lang>/<name>.pdf``, as :func:`print_for_site` leaves them), and the open-data
    files unless ``shared`` is false (:func:`build` makes them beside the pages)."""
    pdfs: dict[str, dict[str, str]] = {}
    files: dict[str, str | bytes] = {}
    for lang in charter.district.languages:
        folder = pdf_dir / lang if pdf_dir else None
        if folder and folder.is_dir():
            for pdf in sorted(folder.glob("*.pdf")):
                rel = f"pdf/{lang}/{pdf.name}"
                files[rel] = pdf.read_bytes()
                pdfs.setdefault(lang, {})[pdf.stem] = rel
    makers = shared_files(charter)
    renderers = page_renderers(charter, pdfs, makers)  # the download page links the makers'
    files.update({path: render() for path, render in renderers.items() if path not in makers})
    if shared:
        files.update({path: make() for path, make in makers.items()})
    files[STYLESHEET] = (THEME_DIR / "carta.css").read_text(encoding="utf-8")
    return files


def mkdocs_config(charter: Charter, docs_dir: Path, site_dir: Path,
                  site_url: str | None = None) -> dict[str, Any]:
    """The MkDocs configuration for ``charter`` (languages and nav come from the model)."""
    d = charter.district
    default = d.languages[0]
    languages = []
    for lang in d.languages:
        entry: dict[str, Any] = {
            "locale": lang, "name": LANGUAGE_NAMES.get(lang, lang), "build": True,
            "default": lang == default,
            "site_name": d.short_name.resolve(lang)[0] + " — " + charter.t(lang, "home_title"),
            "extra": {"carta_footer": [
                {"label": charter.t(lang, k), "path": p} for k, p in (
                    ("footer_complaint", "reclami/"), ("footer_privacy", "privacy/"),
                    ("footer_accessibility", "accessibilita/"), ("footer_contacts", "uffici/"),
                    ("footer_legal", "note-legali/"))],
                "carta_dir": direction(lang),
                # the 404 page (theme: 404.html), the default language's serving the site
                "carta_not_found": {k: charter.t(lang, f"not_found_{k}")
                                    for k in ("title", "text", "home")},
                "carta_feedback": feedback_strings(charter, lang),
                # the district's own pages for AgID's footer checks (theme: copyright.html)
                "carta_agid": {k: v for k, v in (
                    ("accessibility_statement_url", d.accessibility_statement_url),
                    ("legal_notes_url", d.legal_notes_url),
                    ("privacy_url", d.privacy_url)) if v}},
        }
        languages.append(entry)
    return {
        "site_name": d.short_name.it + " — " + charter.t(default, "home_title"),
        "site_url": site_url or "",
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "strict": True,
        "use_directory_urls": True,
        "nav": nav(charter),
        "theme": {
            "name": "material",
            "custom_dir": str(THEME_DIR / "overrides"),
            "language": default,
            "font": False,
            # no navigation.prune: the schede are listed on their area pages, not in the
            # navigation, so every page carries the same ~16 links whatever the charter's size
            "features": ["navigation.sections", "navigation.top", "search.highlight",
                         "toc.follow", "content.code.copy"],
            "palette": {"scheme": "default", "primary": "custom", "accent": "custom"},
        },
        "extra_css": [STYLESHEET, "assets/areas.css"],
        # carta.website.quickinline: Python-Markdown's inline patterns, not tried on text
        # they cannot match (same output, a language builds ~7 % faster); toc: no [TOC]
        # marker (the theme shows the contents; looking for it in every text of every page
        # was 1 % of a build)
        "markdown_extensions": ["attr_list", "md_in_html", "tables", "admonition", "def_list",
                                {"toc": {"permalink": True, "marker": ""}},
                                "carta.website.quickinline"],
        "plugins": [
            # one index per language, each in its language's folder and stemmed for it
            # (carta.website.search, written by the hooks and carta.website.languages); static-i18n's
            # own search reconfiguration de-duplicates entries in quadratic time (56 s at 300
            # schede)
            {"search": {"lang": [default]}},
            {"i18n": {"docs_structure": "folder", "fallback_to_default": False,
                      "reconfigure_material": True, "reconfigure_search": False,
                      "languages": languages}},
        ],
        "hooks": [str(PACKAGE_DIR / "hooks.py")],
        "validation": {"omitted_files": "info", "absolute_links": "info",
                       "unrecognized_links": "warn", "anchors": "warn"},
        "watch": [str(charter.root / "content"), str(charter.root / "services")],
        "extra": {"carta_root": ".", "generator": False},
    }


def feedback_strings(charter: Charter, lang: str) -> dict[str, Any]:
    """The page-clarity widget's words in ``lang`` (theme: partials/carta-feedback.html)."""
    def word(key: str) -> str:
        return charter.t(lang, f"feedback_{key}")

    return {"title": word("title"), "rate": word("rate"), "star": word("star"),
            "pos": word("positive"), "pos_a": [word(f"positive_{i}") for i in range(1, 6)],
            "neg": word("negative"), "neg_a": [word(f"negative_{i}") for i in range(1, 6)],
            "text": word("details"), "hint": word("hint"), "send": word("send"), "thanks": word("thanks"),
            "error": word("error"), "required": word("required")}


def synonyms(charter: Charter) -> dict[str, list[list[str]]]:
    """The groups of ``content/search.yaml`` per language, for the hooks (``extra``)."""
    return {lang: charter.search.groups(lang) for lang in charter.district.languages
            if charter.search.groups(lang)}


def project_mkdocs_yml(charter: Charter) -> str:
    """Text of the committed ``mkdocs.yml`` for a charter that sits at a project's root.

    Paths are relative so that plain ``mkdocs build`` / ``mkdocs serve`` work from a checkout;
    a test keeps the committed file equal to this.
    """
    config = mkdocs_config(charter, Path("docs/generated"), Path("site"))
    config["theme"]["custom_dir"] = "carta/website/theme/overrides"
    config["hooks"] = ["carta/website/hooks.py"]
    config["watch"] = ["content", "services"]
    header = ("# Generated by `carta mkdocs-yml > mkdocs.yml` from the charter; the pages are\n"
              "# generated into docs/generated/ by carta/website/hooks.py at build time.\n")
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def prepare(root: Path, build_dir: Path, site_dir: Path, pdf_dir: Path | None = None,
            site_url: str | None = None) -> Path:
    """Write ``mkdocs.yml`` for the charter at ``root`` into ``build_dir``; return its path.

    The docs go to ``build_dir/docs``, written by :func:`build` (or the preview) before MkDocs
    runs.
    """
    charter = load_cached(root)
    docs_dir = build_dir / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    config = mkdocs_config(charter, docs_dir.resolve(), site_dir.resolve(), site_url)
    config["extra"]["carta_root"] = str(charter.root)
    config["extra"]["carta_generated"] = True  # this module writes the docs, not the hook
    config["extra"]["carta_template_cache"] = str((build_dir / "templates").resolve())
    config["extra"]["carta_synonyms"] = synonyms(charter)
    if pdf_dir:
        config["extra"]["carta_pdf_dir"] = str(pdf_dir.resolve())
    config_file = build_dir / "mkdocs.yml"
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    if not config_file.exists() or config_file.read_text(encoding="utf-8") != text:
        config_file.write_text(text, encoding="utf-8")
    return config_file


def print_for_site(charter: Charter, pdf_dir: Path, jobs: int | None = None,
                   progress=None) -> None:
    """Print every language's sheets into ``pdf_dir/<lang>``, unless nothing that shapes
    them changed since the last time (a stamp with :func:`carta.print.cache_key` sits beside
    the PDFs: charter, print and presentation code, templates, CSS, fonts, library versions).
    ``progress`` gets one line per sheet, with the language."""
    from carta import print as printing
    from carta.print import build as print_build

    version = printing.cache_key(charter)
    languages = charter.district.languages
    for n, lang in enumerate(languages, 1):
        out = pdf_dir / lang
        stamp = out / ".content-hash"
        if stamp.exists() and stamp.read_text() == version:
            continue
        say = (lambda msg, lang=lang, n=n: progress(f"PDFs {lang} ({n} of {len(languages)}): {msg}")
               ) if progress else None
        print_build.print_charter(charter, out, lang, jobs=jobs, progress=say)
        stamp.write_text(version)


def default_build_dir(root: Path) -> Path:
    """Where a build keeps its work files (generated docs, per-language state, PDFs): a cache
    folder named after the charter's path, never inside the charter folder
    (``$XDG_CACHE_HOME/carta/website/<hash of ROOT>``, else ``~/.cache/…``)."""
    import hashlib

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "carta" / "site" / hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]


def build(root: Path, site_dir: Path, build_dir: Path | None = None,
          pdfs: bool = True, jobs: int | None = None, progress=None) -> Path:
    """Build the whole site of the charter at ``root`` into ``site_dir`` (strict mode),
    with the printable PDFs of every scheda unless ``pdfs`` is false.

    ``jobs`` worker processes (default: one per core, at most one per language) build the
    languages side by side; each skips the pages whose text is the one it built last time
    in ``build_dir``."""
    from carta.website.languages import build_languages

    build_dir = build_dir or default_build_dir(root)
    charter = load_cached(root)  # a charter with problems leaves the last site as it was
    with _exclusive(build_dir), _removed(site_dir):
        pdf_dir = None
        if pdfs:
            pdf_dir = build_dir / "pdf"
            print_for_site(charter, pdf_dir, jobs, progress)
        config_file = prepare(root, build_dir, site_dir, pdf_dir)
        docs = build_dir / "docs"
        languages = list(charter.district.languages)
        with _beside(_make_shared, charter, jobs) as shared:
            files = generated_files(charter, pdf_dir, shared=False)
            # the open-data files (~12 s of CPU at 1000 schede) are made in a second process
            # while the languages build: MkDocs lists them now (the last build's, or empty) and
            # copies them once build_languages has called ready(), which writes this build's
            later = list(shared_files(charter))
            files.update({path: b"" for path in later if not (docs / path).is_file()})
            write_changed(docs, files, keep=later)
            del files  # not copied into the workers (each page is read from the docs folder)
            build_languages(config_file, languages, site_dir, build_dir / "languages",
                            min(jobs or os.cpu_count() or 1, len(languages)),
                            ready=lambda: write_files(docs, shared()))
    return site_dir


def _make_shared(charter: Charter) -> dict[str, str]:
    return {path: make() for path, make in shared_files(charter).items()}


@contextlib.contextmanager
def _beside(make, charter: Charter, jobs: int | None):
    """``make(charter)`` in a second process (forked: the charter is already parsed) while
    this one goes on; yields the function that waits for its result. The open-data RDF takes
    ~12 s of CPU at 1000 schede, while writing the pages uses one core only."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if (jobs or os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: make(charter)
        return
    global _FORKED
    _FORKED = (make, charter)  # inherited by the forked worker, never pickled
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            yield pool.submit(_forked).result
    finally:
        _FORKED = None


_FORKED = None


def _forked():
    make, charter = _FORKED
    return make(charter)


@contextlib.contextmanager
def _removed(site_dir: Path):
    """The last build's site out of the way: renamed at once, and deleted (4,000 folders at
    1000 schede, a second or two) by a second process while this one writes the pages;
    removed in place where it cannot be renamed."""
    import multiprocessing

    if not site_dir.exists():
        yield
        return
    old = site_dir.with_name(f".{site_dir.name}.old-{os.getpid()}")
    try:
        site_dir.rename(old)
    except OSError:
        shutil.rmtree(site_dir)
        yield
        return
    if "fork" not in multiprocessing.get_all_start_methods():
        shutil.rmtree(old, ignore_errors=True)
        yield
        return
    remover = multiprocessing.get_context("fork").Process(
        target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True})
    remover.start()
    try:
        yield
    finally:
        remover.join()
        shutil.rmtree(old, ignore_errors=True)  # if the process could not


@contextlib.contextmanager
def _exclusive(build_dir: Path):
    """Hold the build folder alone: two builds of one charter (two test runs, a build while
    ``carta serve`` rebuilds) take turns instead of writing into each other's files."""
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "w") as lock:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            yield
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
