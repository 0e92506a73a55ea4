"""Helpers the site's templates share: one page's language, fallbacks and Markdown escaping.

Every helper returns :class:`markupsafe.Markup`: text it has made safe for the page.  The
templates (:mod:`carta.website.render`) are autoescaped, so a raw value that reaches a template
without going through one of these helpers is escaped, never injected.  ``plain`` and
``plain_shown`` are the exception: they give unmarked text (titles, attributes, JSON-LD) that
the caller escapes for where it goes."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from markupsafe import Markup

from carta.model.charter import Charter
from carta.model.text import AUTHORITATIVE, Text
from carta.present.links import site_markdown, unlinked
from carta.present.text import Shown

RTL = {"ar", "fa", "he", "ur"}

# The only markup made here: a fallback's language and direction, and direction isolation
# (filled with language codes, directions and text these helpers have escaped).
_FALLBACK_SPAN = '<span lang="%s" dir="%s">%s</span>'
_FALLBACK_DIV = '<div lang="%s" dir="%s" class="carta-fallback" markdown="1">\n\n%s\n\n</div>'
_LTR = '<bdi dir="ltr">%s</bdi>'
_BDI = "<bdi>%s</bdi>"
_NEWLINE = re.compile(r"\s*\n\s*")


def direction(lang: str) -> str:
    """``rtl`` for right-to-left languages, else ``ltr``."""
    return "rtl" if lang in RTL else "ltr"


@dataclass
class Page:
    """The language of the page being rendered, and whether it fell back to Italian."""

    charter: Charter
    lang: str
    fallback: bool = field(default=False)
    # where the page sits under its language folder: cross-references become links relative
    # to it (carta.present.site_markdown), which MkDocs then checks like any other link
    path: str = "index.md"
    _strings: dict[str, Markup] = field(default_factory=dict, init=False, repr=False)

    def t(self, key: str, **values: object) -> Markup:
        """An interface string in the page's language (carta's or the charter's wording,
        trusted as written: strings may carry Markdown)."""
        if values:
            return Markup(self.charter.t(self.lang, key, **values))
        found = self._strings.get(key)
        if found is None:
            found = self._strings[key] = Markup(self.charter.t(self.lang, key))
        return found

    def text(self, value: Text | None) -> Markup:
        """Block text (Markdown) in the page language, marked up when shown in Italian.

        Raw HTML in the YAML is escaped: editors write Markdown, and nothing they write can
        put markup or script into the site."""
        if value is None:
            return Markup("")
        body, used = value.resolve(self.lang)
        body = site_markdown(self.charter, html.escape(body, quote=False), self.lang, self.path)
        if used != self.lang:
            self.fallback = True
            return Markup(_FALLBACK_DIV % (_lang(used), direction(used), body))
        return Markup(body)

    def inline(self, value: Text | str | None) -> Markup:
        """Single-line text (table cells, list items) in the page language, HTML-safe."""
        if value is None:
            return Markup("")
        if isinstance(value, str):
            return Markup(self._linked(_cell(value)))
        body, used = value.resolve(self.lang)
        if used != self.lang:
            self.fallback = True
            return Markup(_FALLBACK_SPAN % (_lang(used), direction(used),
                                          self._linked(_cell(body))))
        return Markup(self._linked(_cell(body)))

    @property
    def dir(self) -> str:
        """The page's writing direction."""
        return direction(self.lang)

    def plain_shown(self, value: Shown | None) -> str:
        """A fact from :mod:`carta.present` as unmarked text (attributes, chart labels):
        not safe, escape it for where it goes."""
        return unlinked(value.text) if value else ""

    def shown(self, value: Shown | None) -> Markup:
        """A fact from :mod:`carta.present` on one line, HTML-safe, its fallback marked."""
        if not value:
            return Markup("")
        body = self._linked(_cell(value.text))
        if value.fallback:
            self.fallback = True
            return Markup(_FALLBACK_SPAN % (_lang(value.lang), _lang(value.dir), body))
        return Markup(body)

    def block(self, value: Shown | None) -> Markup:
        """A fact from :mod:`carta.present` as block Markdown (lists stay lists)."""
        if not value:
            return Markup("")
        body = site_markdown(self.charter, html.escape(value.text, quote=False), self.lang,
                             self.path)
        if value.fallback:
            self.fallback = True
            return Markup(_FALLBACK_DIV % (_lang(value.lang), _lang(value.dir), body))
        return Markup(body)

    def flow(self, value: Text | None) -> Markup:
        """Text that is usually one line but may be a list ("- …;\n- …"): a list stays a list
        (block), anything else is inline."""
        if value is None:
            return Markup("")
        if re.search(r"^\s*[-*] ", value.resolve(self.lang)[0], re.M):
            return Markup("\n\n") + self.text(value) + Markup("\n\n")
        return self.inline(value)

    def _linked(self, markdown: str) -> str:
        return site_markdown(self.charter, markdown, self.lang, self.path)

    def plain(self, value: Text | None) -> str:
        """Unmarked text in the page language (for attributes, JSON-LD, titles): not safe,
        escape it for where it goes."""
        if value is None:
            return ""
        return unlinked(value.resolve(self.lang)[0])

    @property
    def notice(self) -> bool:
        """Whether the page shows the notice that part of it is in Italian (ask once the
        body is rendered: rendering is what finds the fallbacks)."""
        return self.fallback and self.lang != AUTHORITATIVE


def _lang(code: str) -> str:
    """A language code or direction as an attribute value (they come from the charter)."""
    return html.escape(code, quote=True)


def _cell(text: str) -> str:
    text = html.escape(str(text), quote=False).strip()
    if "\n" in text:  # one line: a table row or an inline element
        text = _NEWLINE.sub(" ", text)
    return text.replace("|", "&#124;")


def cell(text: str) -> Markup:
    """Text safe inside a Markdown table cell or an inline HTML element."""
    return Markup(_cell(text))


def attr(text: str) -> Markup:
    """Text safe inside a double-quoted HTML attribute."""
    return Markup(html.escape(str(text), quote=True))


def ltr(text: str) -> Markup:
    """Numbers, hours and phone numbers kept left-to-right inside right-to-left pages."""
    return Markup(_LTR % html.escape(str(text)))


def bdi(text: str) -> Markup:
    """A date or period from :mod:`carta.present`, isolated in its own direction: Arabic
    dates carry right-to-left marks that a forced ``dir="ltr"`` would scramble."""
    return Markup(_BDI % html.escape(str(text)))
