"""Helpers the site renderers share: one page's language, fallbacks and Markdown escaping."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from carta.model.charter import Charter
from carta.present.links import site_markdown, unlinked
from carta.present.text import Shown
from carta.model.text import AUTHORITATIVE, Text

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

    @property
    def dir(self) -> str:
        """The page's writing direction."""
        return direction(self.lang)

    def plain_shown(self, value: Shown | None) -> str:
        """A fact from :mod:`carta.present` as unmarked text (attributes, chart labels)."""
        return unlinked(value.text) if value else ""

    def shown(self, value: Shown | None) -> str:
        """A fact from :mod:`carta.present` on one line, HTML-safe, its fallback marked."""
        if not value:
            return ""
        if value.fallback:
            self.fallback = True
            return (f'<span lang="{value.lang}" dir="{value.dir}">'
                    f"{self._linked(cell(value.text))}</span>")
        return self._linked(cell(value.text))

    def block(self, value: Shown | None) -> str:
        """A fact from :mod:`carta.present` as block Markdown (lists stay lists)."""
        if not value:
            return ""
        body = site_markdown(self.charter, html.escape(value.text, quote=False), self.lang,
                             self.path)
        if value.fallback:
            self.fallback = True
            return (f'<div lang="{value.lang}" dir="{value.dir}" class="carta-fallback" '
                    f'markdown="1">\n\n{body}\n\n</div>')
        return body

    def flow(self, value: Text | None) -> str:
        """Text that is usually one line but may be a list ("- …;\n- …"): a list stays a list
        (block), anything else is inline."""
        if value is None:
            return ""
        if re.search(r"^\s*[-*] ", value.resolve(self.lang)[0], re.M):
            return "\n\n" + self.text(value) + "\n\n"
        return self.inline(value)

    def _linked(self, markdown: str) -> str:
        return site_markdown(self.charter, markdown, self.lang, self.path)

    def plain(self, value: Text | None) -> str:
        """Unmarked text in the page language (for attributes, JSON-LD, titles)."""
        if value is None:
            return ""
        return unlinked(value.resolve(self.lang)[0])

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



def bdi(text: str) -> str:
    """A date or period from :mod:`carta.present`, isolated in its own direction: Arabic
    dates carry right-to-left marks that a forced ``dir="ltr"`` would scramble."""
    return f"<bdi>{html.escape(text)}</bdi>"


# --- carta.present's view data as Markdown: the site formats no fact itself ---------------

def contact_md(p: Page, lines) -> str:
    """Contact lines (:func:`carta.present.contact_lines`) as a Markdown list; phones and
    e-mail addresses are links, kept left-to-right on right-to-left pages."""
    out = []
    for line in lines:
        values = []
        for v in line.values:
            # an Italian address on an Arabic page keeps its own order ("Via X, 1 - Comune")
            text = ltr(v.text.text) if v.ltr else f"<bdi>{p.shown(v.text)}</bdi>"
            values.append(f'<a href="{attr(v.href)}">{text}</a>' if v.href else text)
        out.append(f"- {line.label}: " + ", ".join(values))
    return "\n".join(out) + ("\n" if out else "")


def hours_md(p: Page, days) -> str:
    """A weekly table (:func:`carta.present.weekly_hours`): one row per weekday."""
    rows = [f"| {p.t('weekday')} | {p.t('hours')} |", "|---|---|"]
    for d in days:
        value = ", ".join(ltr(x) for x in d.slots) if d.slots else p.t("office_closed")
        value += "".join(f" <bdi>({p.shown(n)})</bdi>" for n in d.note)
        rows.append(f"| {d.day} | {value} |")
    return "\n".join(rows) + "\n"


def schedule_md(p: Page, v) -> str:
    """Everything :func:`carta.present.schedule` says of when an office can be reached."""
    out = []
    if v.comuni:
        out.append(f"**{p.t('schedule_comuni_served')}:** " + ", ".join(cell(c) for c in v.comuni))
    if v.always_open:
        out.append(f"**{v.always_open}**")
    if v.weekly:
        out.append(hours_md(p, v.weekly))
    if v.text:
        out.append(p.block(v.text))
    if v.rotation:
        rows = [f"**{p.t('schedule_rotation')}**", "",
                f"| {p.t('weekday')} | {p.t('schedule_comune')} | {p.t('hours')} |",
                "|---|---|---|"]
        for x in v.rotation:
            place = f" — {p.shown(x.place)}" if x.place else ""
            # isolated with its brackets: an Italian note on an Arabic page keeps them in place
            note = f" <bdi>({p.shown(x.note)})</bdi>" if x.note else ""
            rows.append(f"| {x.day} | <bdi>{cell(x.comune)}{place}</bdi> | {ltr(x.time)}{note} |")
        out.append("\n".join(rows) + "\n")
    if v.appointment:
        a = v.appointment
        text = f"**{a.text}**" + (f" {p.shown(a.note)}" if a.note else "")
        out.append(text)
        if a.lines:
            out.append(f"{a.book}:\n\n" + contact_md(p, a.lines))
    for x in v.seasons:
        head = f"**{x.dates}" + (f" — {p.shown(x.name)}" if x.name else "") + "**"
        if x.closed:
            head += f": {p.t('office_closed')}"
        if x.note:
            head += f" <bdi>({p.shown(x.note)})</bdi>"
        out.append(head)
        if x.days:
            out.append(hours_md(p, x.days))
    if v.closures:
        out.append(f'<div class="carta-closures" markdown="1">\n\n**{p.t("office_closures")}**\n\n'
                   + "\n".join(f"- {bdi(c.dates)}: {p.shown(c.reason)}" for c in v.closures)
                   + "\n\n</div>")
    if v.not_stated:
        out.append(f'<p class="carta-not-stated">{cell(v.not_stated)}</p>')
    return "\n\n".join(out) + "\n"


def fees_md(p: Page, table) -> str:
    """A fee table (:func:`carta.present.fee_table`), amounts in the page's language."""
    caption = p.shown(table.caption) + (f" ({p.shown(table.period)})" if table.period else "")
    rows = [f"**{caption}**", "", "| | " + " | ".join(table.heads) + " |",
            "|---" * (len(table.heads) + 1) + "|"]
    for row in table.rows:
        rows.append(f"| {p.shown(row.label)} | "
                    + " | ".join(ltr(a) if a else "" for a in row.amounts) + " |")
    return "\n".join(rows) + "\n"


def points_md(p: Page, par) -> str:
    """An access parameter's points (:func:`carta.present.parameter_points`) for a table
    cell: each step's condition with its points, and the extra per minor."""
    if par.steps:
        text = "<br>".join(f"{p.shown(s.condition)}: {ltr(s.points)}" for s in par.steps)
    elif par.requirement:
        text = par.points
    else:
        text = ltr(par.points)
    if par.extra:
        text += f"<br>{cell(par.extra)}"
    return text


def staff_md(p: Page, people) -> str:
    """Staff (:func:`carta.present.staff`): a person's name only where the charter gives one."""
    out = []
    for x in people:
        if x.name:
            line = f"**{cell(x.name)}**" + (f", {p.shown(x.qualification)}"
                                           if x.qualification else "") + f" — {p.shown(x.role)}"
        else:
            line = f"**{p.shown(x.role)}**" + (f" ({p.shown(x.qualification)})"
                                              if x.qualification else "")
        line += "".join(f' — <a href="mailto:{attr(m)}">{ltr(m)}</a>' for m in x.email)
        out.append(f"- {line}" + "".join(f"\n    - {p.shown(t)}" for t in x.tasks))
    return "\n".join(out) + "\n"


def partners_md(p: Page, items) -> str:
    """Partners or the referral network (:func:`carta.present.partners`) as a list."""
    out = []
    for x in items:
        line = f"- **{p.shown(x.name)}**" + (f": {p.shown(x.role)}" if x.role else "")
        for c in contact_md(p, x.lines).splitlines():
            line += f"\n    {c}"
        out.append(line)
    return "\n".join(out) + "\n"
