"""Helpers the site renderers share: one page's language, fallbacks and Markdown escaping."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from carta.model import Charter
from carta.present.links import site_markdown, unlinked
from carta.text import AUTHORITATIVE, Text

RTL = {"ar", "fa", "he", "ur"}


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

    def t(self, key: str, **values: object) -> str:
        """An interface string in the page's language."""
        return self.charter.t(self.lang, key, **values)

    def text(self, value: Text | None) -> str:
        """Block text (Markdown) in the page language, marked up when shown in Italian.

        Raw HTML in the YAML is escaped: editors write Markdown, and nothing they write can
        put markup or script into the site."""
        if value is None:
            return ""
        body, used = value.resolve(self.lang)
        body = site_markdown(self.charter, html.escape(body, quote=False), self.lang, self.path)
        if used != self.lang:
            self.fallback = True
            return (f'<div lang="{used}" dir="{direction(used)}" class="carta-fallback" '
                    f'markdown="1">\n\n{body}\n\n</div>')
        return body

    def inline(self, value: Text | str | None) -> str:
        """Single-line text (table cells, list items) in the page language, HTML-safe."""
        if value is None:
            return ""
        if isinstance(value, str):
            return self._linked(cell(value))
        body, used = value.resolve(self.lang)
        if used != self.lang:
            self.fallback = True
            return f'<span lang="{used}" dir="{direction(used)}">{self._linked(cell(body))}</span>'
        return self._linked(cell(body))

    def _linked(self, markdown: str) -> str:
        return site_markdown(self.charter, markdown, self.lang, self.path)

    def plain(self, value: Text | None) -> str:
        """Unmarked text in the page language (for attributes, JSON-LD, titles)."""
        if value is None:
            return ""
        return unlinked(value.resolve(self.lang)[0])

    def band_range(self, band) -> str:
        """An access band's ISEE range as words ("dal 51% al 100%")."""
        lo, hi = band.isee_min_pct, band.isee_max_pct
        if lo is not None and hi is not None:
            return self.t("band_from_to", min=lo, max=hi)
        if lo is not None:
            return self.t("band_over", min=lo)
        return self.t("band_up_to", max=hi)

    def notice(self) -> str:
        """The visible notice shown when part of the page is in Italian."""
        if not self.fallback or self.lang == AUTHORITATIVE:
            return ""
        return (f'<p class="carta-notice" role="note">{html.escape(self.t("skip_notice"))}</p>\n\n')


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell or an inline HTML element."""
    text = html.escape(text, quote=False)
    text = re.sub(r"\s*\n\s*", " ", text.strip())
    return text.replace("|", "&#124;")


def attr(text: str) -> str:
    """Text safe inside a double-quoted HTML attribute."""
    return html.escape(text, quote=True)


def ltr(text: str) -> str:
    """Numbers, hours and phone numbers kept left-to-right inside right-to-left pages."""
    return f'<bdi dir="ltr">{html.escape(text)}</bdi>'


def euro(amount) -> str:
    """An amount the Italian way: € 1.234,50."""
    whole, _, cents = f"{amount:,.2f}".partition(".")
    return "€ " + whole.replace(",", ".") + "," + cents
