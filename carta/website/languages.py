"""The languages of the site built side by side, each skipping the pages it already built.

static-i18n builds the languages one after the other in one process.  Here each language is
one MkDocs build of its own (static-i18n told to build that language only), in a pool of
worker processes, into a folder of its own that is kept for the next build.  Each worker
then puts its language into the site, as the sequential build leaves it: the files every
language has (theme, assets) are the same in each; each language has its own search index in
its folder; the 404 page is the default language's, as the hooks leave it, and one sitemap
lists every language in order (both put in last).  A test compares the result with
static-i18n's own build, file for file.

Incremental: a page is rendered again only when its Markdown changed since the last build of
its language; everything is rendered again when anything all pages show may have changed (the
configuration, the hooks and theme, the package versions, the set of pages, the titles in the
navigation).  The search entries of a skipped page are the ones it had last time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import multiprocessing
import os
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
STATE = "state.json"


def build_languages(config_file: Path, languages: list[str], site_dir: Path, work_dir: Path,
                    jobs: int, ready: Callable[[], object] | None = None) -> None:
    """Build ``languages`` (of the MkDocs configuration in ``config_file``) with ``jobs``
    processes, keeping each language's output under ``work_dir``; each worker puts its
    language into ``site_dir``, and the 404 page and the sitemap come last.  ``ready``
    finishes the docs folder's static files while the workers read and render the pages;
    they copy those files only after it returned."""
    global _READY
    from mkdocs.exceptions import Abort

    args = ([str(config_file)] * len(languages), languages,
            [str(work_dir / lang) for lang in languages], [str(site_dir)] * len(languages),
            [languages] * len(languages))
    methods = multiprocessing.get_all_start_methods()
    if (jobs <= 1 or "fork" not in methods) and ready is not None:
        ready()  # the workers could not wait for it
    if jobs <= 1:
        results = list(map(_build_language, *args))
    else:
        # fork: the workers start with MkDocs, Material and the charter already imported, and
        # share the event that says the static files are ready
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        _READY = context.Event() if "fork" in methods else None
        try:
            with ProcessPoolExecutor(jobs, mp_context=context) as pool:
                futures = pool.map(_build_language, *args)
                try:
                    if ready is not None and _READY is not None:
                        ready()
                finally:
                    if _READY is not None:
                        _READY.set()  # on failure too: no worker is left waiting
                results = list(futures)
        finally:
            _READY = None
    failed = [error for _, error in results if error]
    if failed:
        shutil.rmtree(site_dir, ignore_errors=True)  # no site with some languages only
        raise Abort("\n".join(failed))
    # the site's one 404 page is the default language's (each language's build writes one)
    not_found = work_dir / languages[0] / "site" / "404.html"
    if not_found.is_file():
        _link_file(not_found, site_dir / "404.html")
    _write_sitemap(site_dir, [sitemap for sitemap, _ in results])


# set while the language workers build: the docs folder's static files are final (a worker
# inherits it when forked)
_READY = None


def wait_until_ready() -> None:
    """In a language worker, wait until :func:`build_languages`'s ``ready`` has returned
    (the hooks call it before MkDocs copies the static files)."""
    if _READY is not None:
        _READY.wait()


def _build_language(config_file: str, lang: str, work_dir: str, site_dir: str,
                    languages: list[str]) -> tuple[str, str]:
    """Build one language into ``work_dir/site`` and put it into ``site_dir`` (all but the
    files :func:`build_languages` merges), with its search index: (its sitemap, error or
    "")."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    work = Path(work_dir)
    out = work / "site"
    config = load_config(config_file, site_dir=str(out))
    docs_dir = Path(config.docs_dir)
    pages = {p.relative_to(docs_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted((docs_dir / lang).rglob("*.md"))}
    every_page = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md"))
    key = _key(config_file, every_page)
    state = _read_state(work / STATE)
    nav_pages = {f"{lang}/{p}" for p in _nav_paths(config.nav)}
    skip: set[str] = set()
    if state.get("key") == key and out.is_dir():
        skip = {rel for rel, digest in pages.items() if state["pages"].get(rel) == digest}
    elif work.exists():
        shutil.rmtree(work)
    try:
        nav = {str(docs_dir / rel) for rel in nav_pages}
        result = _run(config, lang, {str(docs_dir / rel) for rel in skip}, nav, state)
        if skip and result["titles"] != state.get("titles"):
            # a title in the navigation changed: every page shows it
            shutil.rmtree(work)
            config = load_config(config_file, site_dir=str(out))
            result = _run(config, lang, set(), nav, {})
    except (MkDocsException, SystemExit) as exc:
        shutil.rmtree(work, ignore_errors=True)  # no half-built language next time
        return "", f"{lang}: {exc}"
    work.mkdir(parents=True, exist_ok=True)
    (work / STATE).write_text(json.dumps({
        "key": key, "pages": pages, "titles": result["titles"], "search": result["search"]}))
    # into the site while the other languages build: the files each language has are the same
    # in every language's folder, but for those build_languages merges and the search indexes
    site = Path(site_dir)
    _link_tree(out, site, leave=_MERGED)
    # one search index per language, in its folder (carta.website.search), as the hooks write
    # them after static-i18n's own build; a worker's hooks saw only the pages it rendered
    from carta.website.search import write_index

    write_index(site, lang, languages,
                [e for url in result["order"] for e in result["search"][url]])
    return (out / "sitemap.xml").read_text("utf-8"), ""


# made by build_languages from every language's, or written by write_index: not linked from a
# language's folder ("*" for any folder)
_MERGED = {"404.html", "sitemap.xml", "sitemap.xml.gz", "*/search_index.json"}


def _run(config, lang: str, skip: set[str], nav: set[str], state: dict) -> dict:
    """One MkDocs build of ``lang``, leaving out the pages whose source is in ``skip``; the
    search entries of every page, and the titles of the pages in ``nav``."""
    from mkdocs.commands.build import build as mkdocs_build

    i18n = config.plugins["i18n"]
    i18n.current_language = lang
    i18n.building = True  # static-i18n: do not go on to build the other languages here
    with _skipping(skip, state.get("titles", {})):
        mkdocs_build(config)
    search = next(plugin for name, plugin in config.plugins.items()
                  if name in ("search", "material/search"))
    fresh: dict[str, list[dict]] = {}
    for entry in search.search_index.entries:
        fresh.setdefault(entry["location"].split("#")[0], []).append(entry)
    files = i18n.i18n_files_per_language[lang]
    old = state.get("search", {})

    def location(file) -> str:  # as the search index writes it: the home page is ""
        return file.url.removeprefix("./")

    return {
        "order": [location(f) for f in files],
        "search": {location(f): fresh.get(location(f), []) if f.abs_src_path not in skip
                   else old.get(location(f), []) for f in files},
        "titles": {location(f): f.page.title for f in files if f.abs_src_path in nav},
        # (a skipped page in the navigation has the title it had, set by _skipping)
    }


@contextlib.contextmanager
def _skipping(skip: set[str], titles: dict[str, str]):
    """Within this process, MkDocs neither reads nor renders the pages in ``skip`` (a page in
    the navigation gets its title from ``titles``, by URL) and does not empty the output
    folder (the pages left there are the skipped pages' output)."""
    from mkdocs import utils
    from mkdocs.commands import build

    populate, render, clean = build._populate_page, build._build_page, utils.clean_directory

    def populate_unless_skipped(page, *args, **kwargs):
        if page.file.abs_src_path not in skip:
            populate(page, *args, **kwargs)
        elif page.file.url.removeprefix("./") in titles:
            page.title = titles[page.file.url.removeprefix("./")]

    def render_unless_skipped(page, *args, **kwargs):
        if page.file.abs_src_path not in skip:
            render(page, *args, **kwargs)

    build._populate_page, build._build_page = populate_unless_skipped, render_unless_skipped
    utils.clean_directory = lambda directory: None
    try:
        yield
    finally:
        build._populate_page, build._build_page, utils.clean_directory = populate, render, clean


def _key(config_file: str, every_page: list[str]) -> str:
    """What every page of a language depends on besides its own text."""
    settings = yaml.safe_load(Path(config_file).read_text("utf-8"))
    settings.pop("site_dir")  # each language is built into its own folder anyway
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for package in ("mkdocs", "mkdocs-material", "mkdocs-static-i18n", "markdown"):
        digest.update(version(package).encode())
    # carta's code reaches a page through its Markdown (hashed page by page), and otherwise
    # only through the hooks that MkDocs runs on every page and the theme
    code = [PACKAGE_DIR / "hooks.py", PACKAGE_DIR / "page.py", Path(__file__),
            PACKAGE_DIR / "search.py", PACKAGE_DIR.parent / "model" / "search.py"]
    for path in sorted([*code, *(PACKAGE_DIR / "theme").rglob("*")]):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    digest.update("\n".join(every_page).encode())
    return digest.hexdigest()


def _nav_paths(nav) -> list[str]:
    """The page paths in a MkDocs ``nav`` setting (strings, or titles mapped to them)."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [p for v in nav.values() for p in _nav_paths(v)]
    if isinstance(nav, list):
        return [p for v in nav for p in _nav_paths(v)]
    return []


def _read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _link_tree(source: Path, target: Path, leave: set[str] = frozenset()) -> None:
    """Put every file under ``source`` into ``target`` (hard links, copies across disks), but
    those whose path (or ``*/`` and name) is in ``leave``."""
    for path in source.rglob("*"):
        rel = path.relative_to(source).as_posix()
        if path.is_file() and rel not in leave and f"*/{path.name}" not in leave:
            _link_file(path, target / rel)


def _link_file(path: Path, dest: Path) -> None:
    """``dest`` becomes ``path`` at once: another worker may be putting the same file there
    (a link under a name of this process's, then renamed over ``dest``)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    temporary = dest.with_name(f".{dest.name}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    try:
        os.link(path, temporary)
    except OSError:
        shutil.copyfile(path, temporary)
    os.replace(temporary, dest)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # may be a link to a language's own copy: never write through
    path.write_bytes(text.encode("utf-8"))


def _write_sitemap(site_dir: Path, sitemaps: list[str]) -> None:
    """One sitemap of every language (each worker's lists its own pages), and its gzip copy
    dated as MkDocs dates it (the latest page's day)."""
    def parts(text: str) -> tuple[str, str, str]:
        body_start = text.index(">", text.index("<urlset")) + 1
        body_end = text.rindex("\n", 0, text.rindex("</urlset>"))
        return text[:body_start], text[body_start:body_end], text[body_end:]

    head, _, tail = parts(sitemaps[0])
    text = head + "".join(parts(t)[1] for t in sitemaps) + tail
    _write(site_dir / "sitemap.xml", text)
    dates = re.findall(r"<lastmod>([0-9-]+)</lastmod>", text)
    stamp = (dt.datetime.fromisoformat(max(dates)).replace(tzinfo=dt.UTC)
             if dates else dt.datetime.now(dt.UTC))
    gz_path = site_dir / "sitemap.xml.gz"
    gz_path.unlink(missing_ok=True)
    with open(gz_path, "wb") as f, gzip.GzipFile(fileobj=f, filename=str(gz_path), mode="wb",
                                                   mtime=int(stamp.timestamp())) as gz:
        gz.write(text.encode("utf-8"))
