"""``carta preview``: the editors' live preview of a charter.

A save in ``content/`` or ``services/`` regenerates the pages the change can touch in the
language being viewed (a scheda's own page and the general pages that list it; every page
after a change under ``content/``), and renders through MkDocs just those whose text changed;
the browser reloads then.  In the background every other page is regenerated, and rendered
where its text changed: the other languages, and any page the first pass did not foresee.
Generated docs and the built site live in a cache folder outside the charter, so writing them
never triggers another rebuild.  When the charter does
not validate, every page shows the problems (``file:line:col: message``) above the last good
version of the page.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from mkdocs.livereload import LiveReloadServer

import carta.load.charter
from carta.errors import CharterError
from carta.load.charter import charter_files, load_charter
from carta.model.charter import Charter
from carta.website.build import build, write_files
from carta.website.pages import page_renderers

log = logging.getLogger("carta.website.preview")
SERVICES = "servizi/"


def cache_dir(root: Path) -> Path:
    """Where the preview of the charter at ``root`` keeps its docs and site (not in the charter:
    the watcher must not see them)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return base / "carta" / "preview" / key


class LanguageSite:
    """One language of the site held open in MkDocs, so that single pages can be rendered again
    without rebuilding the others (files, navigation, theme and plugins are set up once)."""

    def __init__(self, config_file: Path, lang: str) -> None:
        from mkdocs.commands.build import _populate_page
        from mkdocs.config import load_config
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.nav import get_navigation
        from mkdocs.structure.pages import Page

        config = load_config(str(config_file))
        i18n = config.plugins["i18n"]
        i18n.current_language = lang
        i18n.building = True  # static-i18n: this language only
        config.plugins.on_startup(command="serve", dirty=True)
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        self.docs = files.documentation_pages()
        for file in self.docs:
            if file.page is None:
                Page(None, file, config)
        for page in nav.pages:  # titles for the navigation of every page
            _populate_page(page, config, files)
        self.env = config.plugins.on_env(env, config=config, files=files)
        self.config, self.files, self.nav = config, files, nav
        docs_dir = Path(config.docs_dir)
        self.by_path = {Path(f.abs_src_path).relative_to(docs_dir).as_posix(): f
                        for f in self.docs}

    def render(self, paths: list[str]) -> None:
        """Render the pages at these docs paths (``en/servizi/x.md``) into the site."""
        from mkdocs.commands.build import _build_page, _populate_page

        pages = [self.by_path[p].page for p in paths if p in self.by_path]
        for page in pages:
            _populate_page(page, self.config, self.files)
        for page in pages:
            # the built site may share its files with the full build's (hard links): replace
            # a page, never write into it
            Path(page.file.abs_dest_path).unlink(missing_ok=True)
            _build_page(page, self.config, self.docs, self.nav, self.env)


class Preview:
    """The state of one preview: the charter's last good version, what is still to render
    for each language, and the problems to show when the charter does not validate."""

    def __init__(self, root: Path, cache: Path) -> None:
        self.root = root.resolve()
        self.cache = cache
        self.docs = cache / "docs"
        self.site = cache / "site"
        self.config_file = cache / "mkdocs.yml"
        self.error: str | None = None
        self.viewed = ""  # language of the page last opened in a browser
        self.languages: list[str] = []
        self.pending: dict[str, set[str]] = {}  # docs paths to regenerate, per language
        self.paths: set[str] = set()
        self.sites: dict[str, LanguageSite] = {}
        self.charter: Charter | None = None
        self.snapshot = self._snapshot()
        self.lock = threading.Lock()
        self._parsed: dict[tuple[str, bytes], tuple] = {}
        self._background: threading.Thread | None = None

    def _snapshot(self) -> dict[str, bytes]:
        return {f.relative_to(self.root).as_posix(): f.read_bytes()
                for f in charter_files(self.root)}

    def _load(self) -> Charter | None:
        try:
            with _parsed_once(self._parsed):
                charter = load_charter(self.root)
        except CharterError as exc:
            self.error = "\n".join(str(p) for p in exc.problems)
            log.warning("the charter does not validate:\n%s", self.error)
            return None
        self.error = None
        return charter

    def start(self) -> None:
        """Build the whole site into the cache; after the first time, only what changed since
        the last preview is rendered again (the build is incremental)."""
        charter = self._load()
        if charter is None:
            return
        log.info("building the site into %s …", self.site)
        try:
            build(self.root, self.site, build_dir=self.cache, pdfs=False)
        except (Exception, SystemExit) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            return
        self._adopt(charter)
        self.sites[self.languages[0]] = LanguageSite(self.config_file, self.languages[0])

    def _adopt(self, charter: Charter) -> None:
        self.charter = charter
        self.languages = list(charter.district.languages)
        self.paths = set(page_renderers(charter))

    def language_of(self, url_path: str) -> str:
        """The language of a page of the site, from its URL."""
        first = url_path.lstrip("/").split("/", 1)[0]
        if first in self.languages[1:]:
            return first
        return self.languages[0] if self.languages else ""

    def rebuild(self) -> None:
        """React to a save: the viewed language now, the others in the background."""
        snapshot = self._snapshot()
        changed = {p for p in snapshot.keys() | self.snapshot.keys()
                   if snapshot.get(p) != self.snapshot.get(p)}
        self.snapshot = snapshot
        if not changed:
            return
        started = time.perf_counter()
        charter = self._load()
        if charter is None:
            return
        if self.charter is None:  # the first good version since the preview started
            self.start()
            return
        with self.lock:
            renderers = page_renderers(charter)
            touched = self._touched(changed, renderers)
            # now the pages the change touches in the viewed language; then, in the background,
            # every page (a page this did not foresee may show the change too), rendered again
            # only where its text changed
            for path in renderers:
                lang = path.split("/")[0]
                self.pending.setdefault(lang if lang in self.languages else "", set()).add(path)
            removed = self.paths - set(renderers)
            if set(renderers) != self.paths:
                self.sites.clear()  # pages came or went: MkDocs' file list changes
                self._remove(removed)
            self._adopt(charter)
            first = self.viewed if self.viewed in self.languages else self.languages[0]
            n = self._render_language(first, renderers, touched)
        log.info("%s: %d page%s rendered in %.2f s", first, n, "" if n == 1 else "s",
                 time.perf_counter() - started)
        print(f"carta: rebuilt {', '.join(sorted(changed))}: {n} page{'' if n == 1 else 's'} "
              f"in {first} in {time.perf_counter() - started:.2f} s", file=sys.stderr, flush=True)
        if self._background is None or not self._background.is_alive():
            self._background = threading.Thread(target=self._render_rest, daemon=True)
            self._background.start()

    def _touched(self, changed: set[str], renderers) -> set[str]:
        """Docs paths a change can touch: a scheda's own pages and every general page (which
        may list it) when only schede changed; everything otherwise."""
        if not all(p.startswith("services/") for p in changed):
            return set(renderers)
        slugs = {Path(p).stem for p in changed}
        return {p for p in renderers
                if f"/{SERVICES}" not in p or Path(p).stem in slugs}

    def _remove(self, paths: set[str]) -> None:
        for path in paths:
            (self.docs / path).unlink(missing_ok=True)
            lang, _, rest = path.partition("/")
            prefix = "" if lang == self.languages[0] else lang
            shutil.rmtree(self.site / prefix / rest.removesuffix(".md"), ignore_errors=True)

    def _render_language(self, lang: str, renderers, only: set[str] | None = None) -> int:
        """Regenerate the pending pages of ``lang`` (``""``: the shared assets), or those of
        them in ``only``; render those whose text changed."""
        waiting = self.pending.get(lang, set())
        pending = sorted(waiting & set(renderers) & (waiting if only is None else only))
        waiting.difference_update(pending)
        written = write_files(self.docs, {p: renderers[p]() for p in pending})
        if not written:
            return 0
        if not lang:
            for path in written:
                target = self.site / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.unlink(missing_ok=True)
                shutil.copyfile(self.docs / path, target)
            return len(written)
        if lang not in self.sites:
            self.sites[lang] = LanguageSite(self.config_file, lang)
        self.sites[lang].render(written)
        return len(written)

    def _render_rest(self) -> None:
        while True:
            with self.lock:
                viewed = [self.viewed] if self.viewed in self.languages else []
                rest = [lang for lang in [*viewed, *self.languages, ""] if self.pending.get(lang)]
                if not rest or self.charter is None:
                    return
                try:
                    self._render_language(rest[0], page_renderers(self.charter))
                except Exception as exc:  # shown in the browser like a charter problem
                    self.error = f"{type(exc).__name__}: {exc}"
                    return


class PreviewServer(LiveReloadServer):
    """MkDocs' live-reload server over the preview's site, with the charter's problems shown
    on every page and the viewed language recorded."""

    def __init__(self, preview: Preview, host: str, port: int) -> None:
        preview.site.mkdir(parents=True, exist_ok=True)
        super().__init__(self._build, host, port, str(preview.site), polling_interval=0.1)
        self.preview = preview
        self.error_handler = self._error_page

    def listen(self) -> None:
        """Take the port now, so that once "preview of …" is printed the browser (or a
        script) that opens the address finds the server, however slow the machine."""
        super().server_bind()
        super().server_activate()
        self._listening = True

    def server_bind(self) -> None:
        if not getattr(self, "_listening", False):
            super().server_bind()

    def server_activate(self) -> None:
        if not getattr(self, "_listening", False):
            super().server_activate()

    def _build(self) -> None:
        try:
            self.preview.rebuild()
        except Exception as exc:  # never leave the browser waiting on a dead build
            log.exception("preview rebuild failed")
            self.preview.error = f"{type(exc).__name__}: {exc}"

    def serve_request(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.endswith(("/", ".html")) and not path.startswith("/livereload/"):
            self.preview.viewed = self.preview.language_of(path)
        return super().serve_request(environ, start_response)

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        content = super()._inject_js_into_html(content, epoch)
        if not self.preview.error:
            return content
        start = content.find(b"<body")
        start = content.index(b">", start) + 1 if start >= 0 else 0
        return content[:start] + _problems(self.preview.error) + content[start:]

    def _error_page(self, code: int) -> bytes:
        body = (_problems(self.preview.error) if self.preview.error
                else b"<p>Not found.</p>")
        page = b"<!doctype html><html><head><meta charset=utf-8><title>carta preview</title>" \
               b"</head><body>" + body + b"</body></html>"
        return LiveReloadServer._inject_js_into_html(self, page, self._visible_epoch)


@contextmanager
def _parsed_once(parsed: dict[tuple[str, bytes], tuple]):
    """While loading, parse each file's YAML only when its bytes changed since the last load.

    The YAML parse is most of a load (0.9 s of 1.2 s at 300 schede); validation and the
    cross-file checks still run every time, so the charter is what a fresh load gives.  The
    parsed sources are shared, not copied: loading only reads them."""
    original = carta.load.charter.read_source
    used: set[tuple[str, bytes]] = set()

    def read_source(file: Path, rel: str):
        try:
            key = (rel, file.read_bytes())
        except OSError:
            return original(file, rel)
        if key not in parsed:
            parsed[key] = original(file, rel)
        used.add(key)
        return parsed[key]

    carta.load.charter.read_source = read_source
    try:
        yield
    finally:
        carta.load.charter.read_source = original
        for key in parsed.keys() - used:  # keep only the files' current versions
            del parsed[key]


def _problems(text: str) -> bytes:
    return ('<div id="carta-preview-problems" role="alert" style="background:#fde8e8;'
            'color:#7a0b0b;border:3px solid #b00020;padding:1em;margin:0;font:14px/1.4 '
            'monospace;white-space:pre-wrap;position:relative;z-index:1000" dir="ltr">'
            '<strong>carta: below is the last good version of this page; fix these problems '
            'and save again:</strong>\n' + html.escape(text) + "</div>").encode("utf-8")


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000,
          cache: Path | None = None) -> None:
    """Build (or reuse) the preview of the charter at ``root`` and serve it until Ctrl+C."""
    preview = Preview(root, cache or cache_dir(root))
    preview.start()
    server = PreviewServer(preview, host, port)
    for folder in ("content", "services"):
        if (preview.root / folder).is_dir():
            server.watch(str(preview.root / folder))
    server.listen()
    print(f"carta: preview of {preview.root} on http://{host}:{port}/ (Ctrl+C to stop)",
          file=sys.stderr, flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
