"""MkDocs hooks: generate the docs from the charter before MkDocs reads them.

Referenced from ``mkdocs.yml`` so that plain ``mkdocs build`` and ``mkdocs serve`` work from a
clean checkout, and reload when ``content/`` or ``services/`` change.  ``carta build`` and
``carta preview`` write the docs themselves (``extra.carta_generated``); then only the page
fix-up below runs.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from carta.errors import CharterError
from carta.load.charter import load_cached
from carta.website import search as site_search
from carta.website.build import generated_files, synonyms, write_changed
from carta.website.languages import wait_until_ready
from carta.website.page import direction
from carta.website.pages import nav

_HTML = re.compile(r'<html lang="([a-zA-Z-]+)"')
# static-i18n runs the whole build once per language, hooks included: generate the docs once
# per version of the charter, not once per language
_WRITTEN: dict[str, tuple[str, str | None]] = {}
# how many search entries there were before the search plugin indexed a page
_INDEXED: dict[str, int] = {}
# the default language's 404 page, per site folder, written again once every language is built
_NOT_FOUND: dict[str, str] = {}


@event_priority(100)  # before mkdocs-static-i18n reads the nav and the docs
def on_config(config):
    if config.extra.get("carta_generated"):
        return config
    base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    root = (base / config.extra.get("carta_root", ".")).resolve()
    try:
        charter = load_cached(root)
    except CharterError as exc:
        raise PluginError("the charter does not validate:\n" + str(exc)) from None
    pdf_dir = config.extra.get("carta_pdf_dir")
    version = (charter.content_hash, pdf_dir)
    if _WRITTEN.get(config.docs_dir) != version:
        write_changed(Path(config.docs_dir), generated_files(
            charter, (base / pdf_dir).resolve() if pdf_dir else None))
        _WRITTEN[config.docs_dir] = version
    config.nav = nav(charter)
    config.extra["carta_synonyms"] = synonyms(charter)  # carta's build writes them itself
    return config


@event_priority(-150)  # after static-i18n has replaced the files with its own
def on_files(files, config):
    # every link of every page is looked up by path: static-i18n's lookup tries the page's
    # language and then the path as written, with pathlib (1 s a language at 1000 schede,
    # each scheda linking to the same dozen pages); the answers are kept until the files
    # change
    _remember_lookups(files)
    return files


def _remember_lookups(files) -> None:
    lookup, answers = files.get_file_from_path, {}
    plugin = getattr(files, "plugin", None)

    def get_file_from_path(path):
        key = (path, getattr(plugin, "current_language", None))
        try:
            return answers[key]
        except KeyError:
            answers[key] = found = lookup(path)
            return found

    def changing(method):
        def call(*args, **kwargs):
            answers.clear()
            return method(*args, **kwargs)
        return call

    files.get_file_from_path = get_file_from_path
    files.append, files.remove = changing(files.append), changing(files.remove)


def on_env(env, config, files):
    # the pages are read; MkDocs copies the static files next: in carta's build, the open-data
    # files are written meanwhile by the parent process (carta.website.build)
    wait_until_ready()
    # the navigation is rendered once per folder for the pages it does not list (the
    # schede): theme main.html, block site_nav
    env.globals["carta_nav_key"] = _nav_key
    env.globals["carta_nav_cache"] = {}
    # every language's build compiles Material's templates again (0.4 s a language); carta's
    # builds keep the compiled templates between languages, processes and builds
    cache = config.extra.get("carta_template_cache")
    if cache:
        from jinja2 import FileSystemBytecodeCache

        Path(cache).mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = FileSystemBytecodeCache(cache)
    return env


def _nav_key(page, nav):
    """For a page the navigation does not list, the folder its relative links start from:
    every such page of that folder shows the same navigation.  None for the others (a page
    in the navigation, or one with pages of the navigation below it)."""
    if page is None or nav is None or not isinstance(getattr(page, "url", None), str):
        return None
    pages = list(nav.pages)
    items = list(_nav_items(nav.items))
    if page in pages or any(item.active for item in items):
        return None
    if any(p.url.startswith(page.url) for p in pages):
        return None
    # the titles and targets too: the preview renders pages again after a title changed
    return (posixpath.dirname(page.url.rstrip("/")), page.url.endswith("/"),
            tuple((item.title, getattr(item, "url", None)) for item in items))


def _nav_items(items):
    for item in items:
        yield item
        yield from _nav_items(getattr(item, "children", None) or [])


def _languages(config) -> list[str]:
    """The site's languages, the default first (none without static-i18n)."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return []
    default = i18n.default_language
    return [default, *(x for x in i18n.build_languages if x != default)]


def _search_plugin(config):
    return next((plugin for name, plugin in config.plugins.items()
                 if name in ("search", "material/search")), None)


@event_priority(50)  # before Material's search plugin indexes the page
def on_page_context(context, page, config, nav):
    search = _search_plugin(config)
    if search is not None and hasattr(search, "search_index"):
        _INDEXED[page.url] = len(search.search_index.entries)
    return context


def _with_direction(output: str) -> str:
    """Material sets dir on <body>; screen readers and the validator read it on <html>."""
    return _HTML.sub(lambda m: f'<html lang="{m.group(1)}" dir="{direction(m.group(1)[:2])}"',
                     output, count=1)


def on_post_page(output, page, config):
    output = _with_direction(output)
    languages = _languages(config)
    lang = getattr(page.file, "locale", None)
    if languages and lang in languages:
        _improve_search_entries(page, config, lang)
        # Material's search loads the index of the page's language
        output = site_search.page_search(output, site_search.language_prefix(lang, languages[0]))
    return output


def on_post_template(output, template_name, config):
    if template_name != "404.html":
        return output
    # one 404 page serves the whole site, in the default language (static-i18n leaves the
    # last language's there): its search uses the default language's index, as its pages do
    output = site_search.page_search(_with_direction(output), "")
    i18n = config.plugins.get("i18n")
    if i18n is not None and i18n.current_language == i18n.default_language:
        _NOT_FOUND[config.site_dir] = output
    return output


def _improve_search_entries(page, config, lang: str) -> None:
    """The entries Material's search made of ``page`` (in its on_page_context, before this
    page's on_post_page) with the summary first and the synonyms."""
    search = _search_plugin(config)
    start = _INDEXED.pop(page.url, None)
    if search is None or start is None:
        return
    entries = search.search_index.entries
    entries[start:] = site_search.improve_entries(
        entries[start:], page.url, page.content or "",
        (config.extra.get("carta_synonyms") or {}).get(lang, []), lang)


@event_priority(-200)  # after static-i18n has built the other languages
def on_post_build(config):
    # static-i18n has gathered every language's entries into the search plugin's index, and
    # written them into one file: one index per language instead.  (carta's own build runs
    # each language on its own and writes the indexes itself: carta.website.languages.)
    i18n = config.plugins.get("i18n")
    if i18n is None or i18n.building:
        return
    not_found = _NOT_FOUND.pop(config.site_dir, None)
    if not_found is not None:
        (Path(config.site_dir) / "404.html").write_text(not_found, encoding="utf-8")
    search = _search_plugin(config)
    if search is None or not hasattr(search, "search_index"):
        return
    languages = _languages(config)
    for lang in languages:
        site_search.write_index(Path(config.site_dir), lang, languages,
                                search.search_index.entries)


def on_serve(server, config, builder):
    # on_config writes the docs folder from content/ and services/, which are watched; watching
    # the docs folder as well made `mkdocs serve` rebuild the whole site twice per save
    if not config.extra.get("carta_generated"):
        server.unwatch(config.docs_dir)
    return server
