"""Read built HTML pages the way a browser and a link checker would (stdlib only)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class Html(HTMLParser):
    """Tags with attributes, element ids, links and JSON-LD blocks of one page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.ids: set[str] = set()
        self.jsonld: list[dict] = []
        self._script: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "script" and a.get("type") == "application/ld+json":
            self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.jsonld.append(json.loads("".join(self._script)))
            self._script = None

    def first(self, tag: str) -> dict:
        return next(a for t, a in self.tags if t == tag)

    def with_attr(self, name: str) -> list[dict]:
        return [a for _, a in self.tags if name in a]


def page(site: Path, url_path: str) -> Html:
    """The parsed page at ``url_path`` (a directory URL like ``en/servizi/x/``)."""
    return Html((site / url_path / "index.html").read_text(encoding="utf-8"))


def broken_links(site: Path) -> list[str]:
    """Every relative href/src in the site that points to a missing file or anchor."""
    parsed: dict[Path, Html] = {}

    def load(file: Path) -> Html:
        if file not in parsed:
            parsed[file] = Html(file.read_text(encoding="utf-8"))
        return parsed[file]

    bad = []
    for file in sorted(site.rglob("*.html")):
        doc = load(file)
        for tag, attrs in doc.tags:
            for name in ("href", "src"):
                url = attrs.get(name)
                if not url or (tag == "link" and attrs.get("rel") in ("canonical", "alternate")
                               and url.startswith("http")):
                    continue
                parts = urlsplit(url)
                if parts.scheme or parts.netloc or url.startswith(("mailto:", "tel:", "data:")):
                    continue
                if parts.path.startswith("/"):
                    continue  # the form backend's routes (/domanda, /reclamo)
                target = (file.parent / unquote(parts.path)).resolve() if parts.path else file
                if target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    bad.append(f"{file.relative_to(site)}: {name}={url}")
                    continue
                if parts.fragment and target.suffix == ".html" \
                        and unquote(parts.fragment) not in load(target).ids:
                    bad.append(f"{file.relative_to(site)}: {name}={url} (no such anchor)")
    return bad


def primary_nav(html: str) -> str:
    """The site navigation (Material's primary sidebar) of a built page's HTML."""
    start = html.index('<nav class="md-nav md-nav--primary"')
    return html[start:html.index("</nav>", start)]
