"""MkDocs hooks: generate the docs from the charter before MkDocs reads them.

Referenced from ``mkdocs.yml`` so that plain ``mkdocs build`` and ``mkdocs serve`` work from a
clean checkout, and reload when ``content/`` or ``services/`` change.  ``carta build`` and
``carta preview`` write the docs themselves (``extra.carta_generated``); then only the page
fix-up below runs.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from carta.errors import CharterError
from carta.load.charter import load_cached
from carta.site.pages import nav
from carta.site.build import generated_files, write_changed
from carta.site.page import direction

_HTML = re.compile(r'<html lang="([a-zA-Z-]+)"')
# static-i18n runs the whole build once per language, hooks included: generate the docs once
# per version of the charter, not once per language
_WRITTEN: dict[str, tuple[str, str | None]] = {}


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
    return config


def on_env(env, config, files):
    # every language's build compiles Material's templates again (0.4 s a language); carta's
    # builds keep the compiled templates between languages, processes and builds
    cache = config.extra.get("carta_template_cache")
    if cache:
        from jinja2 import FileSystemBytecodeCache

        Path(cache).mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = FileSystemBytecodeCache(cache)
    return env


def on_post_page(output, page, config):
    # Material sets dir on <body>; screen readers and the validator read it on <html>.
    return _HTML.sub(lambda m: f'<html lang="{m.group(1)}" dir="{direction(m.group(1)[:2])}"',
                     output, count=1)


def on_serve(server, config, builder):
    # on_config writes the docs folder from content/ and services/, which are watched; watching
    # the docs folder as well made `mkdocs serve` rebuild the whole site twice per save
    if not config.extra.get("carta_generated"):
        server.unwatch(config.docs_dir)
    return server
