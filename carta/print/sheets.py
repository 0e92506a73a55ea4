"""Printed sheets as HTML for WeasyPrint: Jinja2 templates (autoescaped) fed by carta.present.

Pure: model and language in, HTML text out.  One document per scheda, the general part, area
dividers, the blank forms, the binder's cover and contents, the cover of an update bundle.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import jinja2
import markdown as md
from markupsafe import Markup

from carta import present
from carta.model.charter import Charter
from carta.model.organisation import Area
from carta.model.rules import Form
from carta.model.service import Service
from carta.present.links import CrossRef
from carta.present.text import Shown

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
CSS = HERE / "print.css"

# page numbers of cross-reference anchors in the binder; None: a sheet printed on its own
Pages = Mapping[str, int] | None


def _css_string(text: str) -> Markup:
    """``text`` as a double-quoted CSS string, safe inside <style> (no markup can end it)."""
    escaped = "".join(f"\\{ord(ch):X} " if ch in '"\\<>&\n' else ch for ch in text)
    return Markup(f'"{escaped}"')


@cache
def environment() -> jinja2.Environment:
    """The templates, autoescaped; one environment per process."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["css_string"] = _css_string
    return env


class Sheet:
    """What every template needs: the charter, the language, strings and text helpers."""

    def __init__(self, charter: Charter, lang: str, pages: Pages = None):
        self.charter, self.lang, self.pages = charter, lang, pages
        self.dir = present.direction(lang)
        self.fallback = False

    def t(self, key: str, **values: object) -> str:
        """An interface string in the sheet's language."""
        return self.charter.t(self.lang, key, **values)

    def shown(self, value) -> Shown | None:
        """``value`` in the sheet's language (marks the sheet when it falls back)."""
        s = present.shown(value, self.lang)
        if s is not None and s.fallback:
            self.fallback = True
        return s

    def text(self, value) -> Markup:
        """One line of text: escaped, wrapped in lang/dir when it is an Italian fallback,
        cross-references reduced to links with their page in the binder."""
        s = value if isinstance(value, Shown) else self.shown(value)
        if not s:
            return Markup("")
        body = present.rewrite(self.charter, str(html.escape(s.text, quote=False)), self.lang,
                               self._link_html)
        return self._mark(s, Markup(body), "span")

    def block(self, value) -> Markup:
        """Block text (Markdown: paragraphs, lists, emphasis) as HTML; raw HTML in the YAML
        is escaped first, so nothing an editor writes becomes markup."""
        s = value if isinstance(value, Shown) else self.shown(value)
        if not s:
            return Markup("")
        source = present.rewrite(self.charter, html.escape(s.text, quote=False), self.lang,
                                 self._link_md)
        body = md.markdown(source, extensions=["sane_lists"])
        return self._mark(s, Markup(body), "div")

    def _mark(self, s: Shown, body: Markup, tag: str) -> Markup:
        if not s.fallback:
            return body
        return Markup(f'<{tag} lang="{s.lang}" dir="{s.dir}" class="lang-it">') + body + \
            Markup(f"</{tag}>")

    def page_ref(self, ref: CrossRef) -> Markup:
        """" → 12" after a reference in the binder (", p. 12" once the interface strings have
        ``print_see_page``); on a sheet printed alone, nothing.  Either way the reference's
        anchor is marked (``data-anchor``), so the binder knows which pages a part cites."""
        words = ""
        if self.pages and ref.anchor in self.pages:
            n = present.number(self.pages[ref.anchor], self.lang)
            table = self.charter.strings.get(self.lang) or self.charter.strings.get("it") or {}
            if "print_see_page" in table:  # e.g. "p. {n}"
                words = ", " + table["print_see_page"].format(n=n)
            else:
                words = f" {'←' if self.dir == 'rtl' else '→'} {n}"
        return Markup('<span class="page-ref" data-anchor="{}">{}</span>').format(ref.anchor, words)

    def page_ref_of(self, target: str) -> Markup:
        """The page reference to a cross-reference target (e.g. ``uffici``) in the binder."""
        return self.page_ref(present.crossref(self.charter, target, self.lang))

    # Each part of the binder is its own PDF, so a reference is words plus a page number,
    # never an internal link that WeasyPrint could not resolve.
    def _link_html(self, ref: CrossRef) -> str:
        return f'<span class="xref">{ref.label}</span>{self.page_ref(ref)}'

    _link_md = _link_html

    def num(self, text: str) -> Markup:
        """Numbers, codes, phone numbers and addresses: kept left-to-right in RTL sheets."""
        return Markup('<bdi dir="ltr" class="num">') + text + Markup("</bdi>")

    def date(self, day: dt.date) -> str:
        """A date in the sheet's language."""
        return present.date(day, self.lang)


def _render(template: str, sheet: Sheet, title: str, colour: str | None = None,
            revised: dt.date | None = None, **context) -> str:
    body = environment().get_template(template).render(s=sheet, c=sheet.charter, **context)
    page_of = sheet.t("print_page_of")
    before, _, rest = page_of.partition("{n}")
    middle, _, after = rest.partition("{m}")
    return environment().get_template("document.html").render(
        s=sheet, c=sheet.charter, body=Markup(body), title=title, css=Markup(_css_text()),
        colour=colour or "#1d4e6b",
        revised=f"{sheet.t('print_revised')} {sheet.date(revised)}" if revised else "",
        page_of=(before, middle, after),
        district=present.shown(sheet.charter.district.short_name, sheet.lang).text)


@cache
def _css_text() -> str:
    return CSS.read_text(encoding="utf-8")


def sheet_url(charter: Charter, service: Service, lang: str) -> str | None:
    """The scheda's web address, printed (and as a QR code) on every sheet."""
    base = charter.district.site_url
    if not base:
        return None
    prefix = "" if lang == charter.district.languages[0] else f"{lang}/"
    return f"{base.rstrip('/')}/{prefix}servizi/{service.slug}/"


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI."""
    import qrcode
    import qrcode.image.svg

    buf = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=1).save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def scheda_context(charter: Charter, service: Service, lang: str) -> dict:
    """The view data of one scheda's sheets (everything the template shows, from present)."""
    s = service
    offices = charter.offices_for(s.access.offices)
    responsible_office = charter.office_by_id.get(s.responsible.office or "")
    url = sheet_url(charter, s, lang)
    return {
        "service": s,
        "parts": present.parts(s, lang),
        "roles": present.staff_roles(s, lang),
        "partners": present.partners(charter, s, lang),
        "referrals": present.partners(charter, s, lang, referrals=True),
        # an office that is not a door with weekly hours: its schedule is on the scheda too
        "schedules": [(o, present.schedule(charter, o, lang)) for o in offices
                      if o.rotation or o.by_appointment or o.always_open],
        "area": charter.area_by_code[s.area],
        "age": present.age_range(charter, s.age, lang) if s.age else None,
        "cost": present.cost(charter, s, lang),
        "procedure": present.procedure(charter, s, lang),
        "providers": [charter.provider_by_id[x] for x in s.operator.providers],
        "responsible_office": responsible_office,
        "offices": offices,
        "sites": [(site, present.contact_lines(charter, site, lang),
                   present.weekly_hours(charter, site.hours, lang) if site.hours else [],
                   [present.fee_table(charter, t, lang) for t in site.fee_tables])
                  for site in s.sites],
        "url": url,
        "qr": qr_data_uri(url) if url else None,
    }


def scheda_body(charter: Charter, service: Service, lang: str, pages: Pages = None) -> str:
    """The body of one scheda's sheets (HTML fragment)."""
    sheet = Sheet(charter, lang, pages)
    return environment().get_template("scheda.html").render(
        s=sheet, c=charter, **scheda_context(charter, service, lang))


def scheda_document(charter: Charter, service: Service, lang: str, pages: Pages = None) -> str:
    """The complete HTML document of one scheda's sheets; with ``pages`` (anchor → page of
    the binder), cross-references say on which page their target is."""
    sheet = Sheet(charter, lang, pages)
    area = charter.area_by_code[service.area]
    return _render("scheda.html", sheet, f"{service.code} {service.title.resolve(lang)[0]}",
                   area.colour, service.revised, **scheda_context(charter, service, lang))


def form_document(charter: Charter, form: Form, lang: str, pages: Pages = None) -> str:
    """A blank paper form, from the same definition the online form uses."""
    sheet = Sheet(charter, lang, pages)
    return _render("form.html", sheet, form.code, None, form.date, form=form,
                   notice=present.notice(charter, form, lang),
                   parameters=present.parameter_groups(charter, lang),
                   filing=present.complaint_filing(charter, lang))


def general_document(charter: Charter, lang: str, pages: Pages = None) -> str:
    """The general part: the carta, principles, offices and hours, standards, complaint
    procedure, bands, tariffs, access parameters and enti gestori."""
    sheet = Sheet(charter, lang, pages)
    return _render(
        "general.html", sheet, sheet.t("print_general_part"), None, charter.district.edition,
        offices=[(o, present.contact_lines(charter, o, lang), present.schedule(charter, o, lang),
                  present.staff(o.staff, lang)) for o in charter.offices],
        deadlines=present.complaint_deadlines(charter, lang),
        complaint_offices=charter.offices_for(charter.complaints.offices),
        comuni=charter.district.members(),
        capofila=present.capofila(charter),
        district_contact=present.district_contact(charter, lang),
        bands=[(b, present.band_range(charter, b, lang)) for b in charter.bands.bands]
        if charter.bands else [],
        tariffs=[present.tariff_view(charter, t, lang) for t in charter.tariffs.tariffs],
        parameters=present.parameter_groups(charter, lang),
        health=present.health_contacts(charter, lang),
        providers=[(p, present.contact_lines(charter, p.contact, lang),
                    charter.services_of_provider(p), present.provider_ids(charter, p, lang))
                   for p in charter.providers],
        signatories=[(x, present.contact_lines(charter, x.contact, lang) if x.contact else [])
                     for x in charter.district.signatories],
        notices=[present.notice(charter, f, lang) for f in charter.forms])


def divider_document(charter: Charter, area: Area, lang: str) -> str:
    """An area divider: one full page in the area's colour."""
    sheet = Sheet(charter, lang)
    return environment().get_template("divider.html").render(s=sheet, c=charter, area=area)


def cover_document(charter: Charter, lang: str) -> str:
    """The binder's cover with the edition date."""
    sheet = Sheet(charter, lang)
    return _render("cover.html", sheet, sheet.t("home_title"))


def contents_document(charter: Charter, lang: str, entries: list[tuple], offset: int) -> str:
    """The contents page: entries are (level, code, title, page relative to the first part)."""
    sheet = Sheet(charter, lang)
    rows = [(lvl, code, title, present.number(offset + page, lang) if offset else "")
            for lvl, code, title, page in entries]
    return _render("contents.html", sheet, sheet.t("print_contents"), rows=rows)


def since_cover_document(charter: Charter, lang: str, since: dt.date,
                         changed: list[Service], withdrawn: list[Service]) -> str:
    """The cover of a changed-sheets bundle: which sheets to insert, replace or remove."""
    sheet = Sheet(charter, lang)
    rows = []
    for s in changed:
        first = s.first_published
        rows.append((sheet.t("print_insert" if first and first > since else "print_replace"), s))
    rows += [(sheet.t("print_remove"), s) for s in withdrawn]
    return _render("since_cover.html", sheet, sheet.t("print_update_title"),
                   since=present.date(since, lang), rows=rows)
