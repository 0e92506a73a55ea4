"""Printed sheets for the ring binder, as HTML + print CSS (pure: model in, text out).

One document per scheda, the general part, area dividers, the blank forms and the cover of a
changed-sheets bundle.  :mod:`carta.print_build` turns them into PDFs with WeasyPrint.
"""

from __future__ import annotations

import datetime as dt
import html

import markdown as md

from carta.model import Charter
from carta.organisation import Area
from carta.render_site_service import hours_table
from carta.rules import FieldType, Form
from carta.service import Service
from carta.site_text import Page, direction, euro

PAGE_CSS = """
@page {{
  size: A4 portrait;
  margin: 24mm 16mm 20mm 26mm;
  @top-left {{ content: string(sheet-code) "  " string(sheet-title); font-weight: 700;
              font-size: 9pt; color: #1b1b1b; width: 70%; {rtl} }}
  @top-right {{ content: "{district}"; font-size: 8pt; color: #3f4a52; }}
  @bottom-left {{ content: "{revised}"; font-size: 8pt; {rtl} }}
  @bottom-right {{ content: {page_of}; font-size: 8pt; {rtl} }}
}}
html {{ font-family: "Noto Sans", "DejaVu Sans", sans-serif; font-size: 10pt; color: #1b1b1b;
  line-height: 1.35; }}
html[lang="ar"] {{ font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", sans-serif; }}
.band {{ position: fixed; top: -24mm; left: -26mm; width: 11mm; height: 297mm;
  background: var(--area); }}
.band span {{ display: block; color: #ffffff; font-weight: 700; font-size: 14pt;
  text-align: center; margin-top: 8mm; }}
.sheet-code {{ string-set: sheet-code content(); display: inline-block; background: var(--area);
  color: #fff; font-weight: 700; padding: 0 2mm; margin-inline-end: 2mm; }}
h1 {{ string-set: sheet-title content(); font-size: 18pt; margin: 2mm 0 1mm; }}
h2 {{ font-size: 12pt; border-bottom: 0.6pt solid var(--area); margin: 5mm 0 1.5mm;
  break-after: avoid; }}
h3 {{ font-size: 10.5pt; margin: 3mm 0 1mm; break-after: avoid; }}
.meta {{ color: #3f4a52; margin: 0 0 2mm; }}
table {{ width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
th, td {{ border: 0.5pt solid #8a949b; padding: 1.2mm 1.6mm; vertical-align: top;
  text-align: start; }}
th {{ background: #eef1f3; }}
.num {{ direction: ltr; unicode-bidi: embed; white-space: nowrap; }}
.notice {{ margin-top: 6mm; padding: 2mm 3mm; border: 0.6pt solid #8a949b; font-size: 8.5pt;
  break-inside: avoid; }}
.notice img {{ float: right; width: 22mm; height: 22mm; margin-inline-start: 3mm; }}
.lang-it {{ font-style: italic; }}
.cover {{ break-after: page; text-align: center; padding-top: 60mm; }}
.cover h1 {{ string-set: none; font-size: 26pt; }}
.toc a {{ color: inherit; text-decoration: none; }}
.toc a::after {{ content: leader(".") target-counter(attr(href), page); }}
.part {{ break-before: page; }}
.field {{ border-bottom: 0.5pt solid #1b1b1b; min-height: 7mm; margin-bottom: 1.5mm;
  break-inside: avoid; }}
.field span {{ font-size: 8.5pt; color: #3f4a52; }}
.field.tall {{ min-height: 40mm; border: 0.5pt solid #1b1b1b; }}
.box {{ display: inline-block; width: 3.2mm; height: 3.2mm; border: 0.6pt solid #1b1b1b;
  margin-inline-end: 2mm; vertical-align: middle; }}
.small {{ font-size: 8.5pt; }}
.caption, h3 {{ break-after: avoid; }}
"""


def _css(charter: Charter, lang: str, revised: dt.date | None) -> str:
    p = Page(charter, lang)
    template = p.t("print_page_of")
    before, _, rest = template.partition("{n}")
    middle, _, after = rest.partition("{m}")
    page_of = " ".join(x for x in (
        _css_str(before), "counter(page)", _css_str(middle), "counter(pages)", _css_str(after))
        if x)
    rev = f"{p.t('print_revised')} {revised:%d/%m/%Y}" if revised else ""
    return PAGE_CSS.format(district=_css_text(p.plain(charter.district.short_name)),
                           revised=_css_text(rev), page_of=page_of,
                           rtl="direction: rtl;" if direction(lang) == "rtl" else "")


def _css_str(text: str) -> str:
    return f'"{_css_text(text)}"' if text else ""


def _css_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _doc(charter: Charter, lang: str, body: str, title: str, colour: str | None = None,
         revised: dt.date | None = None) -> str:
    area = f":root {{ --area: {colour or '#1d4e6b'}; }}"
    return (f'<!DOCTYPE html><html lang="{lang}" dir="{direction(lang)}"><head>'
            f'<meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_css(charter, lang, revised)}{area}</style></head><body>{body}</body></html>")


def _md(p: Page, value) -> str:
    """Markdown text of ``value`` as HTML, marked as Italian when shown untranslated."""
    if value is None:
        return ""
    text, used = value.resolve(p.lang)
    out = md.markdown(html.escape(text, quote=False), extensions=["sane_lists"])
    if used != p.lang:
        return f'<div lang="{used}" dir="ltr" class="lang-it">{out}</div>'
    return out


def _esc(p: Page, value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return html.escape(value)
    text, used = value.resolve(p.lang)
    if used != p.lang:
        return f'<span lang="{used}" dir="ltr" class="lang-it">{html.escape(text)}</span>'
    return html.escape(text)


def _num(text: str) -> str:
    return f'<span class="num">{html.escape(text)}</span>'


def sheet_url(charter: Charter, service: Service, lang: str) -> str | None:
    """The scheda's web address, printed (and as a QR code) on every sheet."""
    base = charter.district.site_url
    if not base:
        return None
    prefix = "" if lang == charter.district.languages[0] else f"{lang}/"
    return f"{base.rstrip('/')}/{prefix}servizi/{service.slug}/"


def _qr(url: str) -> str:
    import base64
    import io

    import qrcode
    import qrcode.image.svg

    buf = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=1).save(buf)
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img alt="QR" src="data:image/svg+xml;base64,{data}">'


def scheda_body(charter: Charter, service: Service, lang: str) -> str:
    """The body of one scheda's sheets (also used inside the binder)."""
    p = Page(charter, lang)
    s = service
    area = charter.area_by_code[s.area]
    out = [f'<div class="band"><span>{html.escape(area.code)}</span></div>',
           f'<p class="meta"><span class="sheet-code">{html.escape(s.code)}</span>'
           f"{_esc(p, area.name)}"
           + (f" — {_esc(p, s.activity_area)}" if s.activity_area else "") + "</p>",
           f'<h1 id="scheda-{s.slug}">{_esc(p, s.title)}</h1>',
           f"<p><strong>{_esc(p, s.summary)}</strong></p>"]

    def sec(key: str, body: str) -> None:
        if body.strip():
            out.append(f"<h2>{html.escape(p.t(key))}</h2>{body}")

    sec("service_what", _md(p, s.what))
    sec("service_how", _md(p, s.how))
    sec("service_where", _md(p, s.where))
    who = _md(p, s.who_for)
    if s.age:
        unit = p.t("unit_months" if s.age.unit.value == "months" else "unit_years")
        bounds = [f"{p.t('age_from')} {_num(str(s.age.min))}" if s.age.min is not None else "",
                  f"{p.t('age_to')} {_num(str(s.age.max))}" if s.age.max is not None else ""]
        who += f"<p>{html.escape(p.t('service_age'))}: {' '.join(b for b in bounds if b)} {unit}</p>"
    sec("service_who_for", who)
    sec("service_resources", _md(p, s.community_resources))
    cost = _md(p, s.cost.text)
    tariff = charter.tariff_by_id.get(s.cost.tariff or "")
    if tariff:
        cost += f"<p>{html.escape(p.t('service_tariff'))}: {_esc(p, tariff.text)}</p>"
        if tariff.note:
            cost += _md(p, tariff.note)
    sec("service_cost", cost)
    if s.staff:
        sec("service_staff", "<ul>" + "".join(f"<li>{_esc(p, x)}</li>" for x in s.staff) + "</ul>")
    resp = _esc(p, s.responsible.role)
    sec("service_responsible", f"<p>{resp}</p>")
    operator = _esc(p, s.operator.text)
    names = [charter.provider_by_id[x].name for x in s.operator.providers]
    if names:
        operator += " — " + ", ".join(html.escape(n) for n in names)
    sec("service_operator", f"<p>{operator}</p>")
    a = s.access
    rows = [("service_access_type", _esc(p, a.type)), ("service_how_to", _md(p, a.how)),
            ("service_contact", _esc(p, a.contact)), ("service_when", _esc(p, a.when)),
            ("service_needed", "<ul>" + "".join(f"<li>{_esc(p, d.name)}</li>"
                                                for d in a.documents) + "</ul>"
             if a.documents else _esc(p, a.no_documents_text) or html.escape(
                 p.t("service_no_documents")))]
    sec("service_access", "<table>" + "".join(
        f"<tr><th>{html.escape(p.t(k))}</th><td>{v}</td></tr>" for k, v in rows if v) + "</table>")
    if s.quality:
        sec("service_quality", _quality(p, s.quality))
    elif s.quality_text:
        sec("service_quality", _md(p, s.quality_text))
    if s.sites:
        title = _esc(p, s.sites_title) if s.sites_title else html.escape(p.t("service_sites"))
        out.append(f"<h2>{title}</h2>")
        for site in s.sites:
            out.append(_site(p, site))
    notice = _esc(p, charter.district.paper_notice) if charter.district.paper_notice else ""
    url = sheet_url(charter, s, lang)
    if notice or url:
        out.append(f'<div class="notice">{_qr(url) if url else ""}<p>{notice}</p>'
                   + (f"<p>{_num(url)}</p>" if url else "") + "</div>")
    return "\n".join(out)


def _site(p: Page, site) -> str:
    out = [f"<h3>{_esc(p, site.name)}</h3><p>"]
    parts = [x for x in (_esc(p, site.address), _esc(p, site.comune)) if x]
    if parts:
        out.append(", ".join(parts) + "<br>")
    if site.phones:
        out.append(f"{html.escape(p.t('office_phone'))}: "
                   + ", ".join(_num(x) for x in site.phones) + "<br>")
    if site.fax:
        out.append(f"{html.escape(p.t('office_fax'))}: " + ", ".join(_num(x) for x in site.fax))
    out.append("</p>")
    if site.hours_text:
        out.append(f"<p>{_esc(p, site.hours_text)}</p>")
    if site.hours:
        out.append(_table_from_hours(p, site.hours))
    if site.note:
        out.append(_md(p, site.note))
    for table in site.fee_tables:
        tiers = sorted({t for row in table.rows for t in row.fees}, key=int)
        caption = _esc(p, table.name) if table.name else html.escape(p.t("site_fees"))
        head = "".join(f"<th>{t}ª {html.escape(p.t('fee_band'))}</th>" for t in tiers)
        body = "".join(
            f"<tr><td>{_esc(p, row.label)}</td>"
            + "".join(f"<td>{_num(euro(row.fees[t])) if t in row.fees else ''}</td>" for t in tiers)
            + "</tr>" for row in table.rows)
        out.append(f"<p class='caption'><strong>{caption}</strong></p><table><thead><tr><th></th>{head}</tr>"
                   f"</thead><tbody>{body}</tbody></table>")
    return "".join(out)


def _table_from_hours(p: Page, openings) -> str:
    """The site's Markdown timetable, as HTML for print."""
    return md.markdown(hours_table(p, openings), extensions=["tables"])


def scheda_document(charter: Charter, service: Service, lang: str) -> str:
    """The complete HTML document of one scheda's sheets."""
    area = charter.area_by_code[service.area]
    return _doc(charter, lang, scheda_body(charter, service, lang),
                f"{service.code} {service.title.resolve(lang)[0]}", area.colour, service.revised)


def form_body(charter: Charter, form: Form, lang: str) -> str:
    """A blank paper form, from the same definition the online form uses."""
    p = Page(charter, lang)
    out = ['<div class="band"><span></span></div>',
           f'<p class="meta"><span class="sheet-code">{html.escape(form.code)}</span>'
           + (f"REV. {html.escape(form.revision)} " if form.revision else "")
           + (f"{form.date:%d/%m/%Y}" if form.date else "") + "</p>",
           f'<h1 id="form-{form.id}">{_esc(p, form.title)}</h1>']
    out += [f"<p class='small'>{_esc(p, a)}</p>" for a in form.addressees]
    parameters = charter.access_parameters
    for section in form.sections:
        out.append(f"<h2>{_esc(p, section.title)}</h2>")
        if section.intro:
            out.append(f"<p class='small'>{_esc(p, section.intro)}</p>")
        for f in section.fields:
            out.append(_field(p, f, parameters))
    if form.declarations:
        out.append("<h2>" + html.escape(p.t("print_declarations")) + "</h2>")
        out += [f"<p class='small'>{_esc(p, d)}</p>" for d in form.declarations]
    if form.attachments:
        out.append("<h2>" + html.escape(p.t("print_attachments")) + "</h2><ul>"
                   + "".join(f"<li><span class='box'></span>{_esc(p, x)}</li>"
                             for x in form.attachments) + "</ul>")
    out.append(f"<h2>{html.escape(p.t('privacy_title'))}</h2><p class='small'>"
               f"{_esc(p, form.privacy)}</p>")
    out.append(f"<div class='field'><span>{html.escape(p.t('print_place_date'))}</span></div>"
               f"<div class='field'><span>{html.escape(p.t('print_signature'))}</span></div>")
    if form.id == "reclamo":
        out.append(f"<p class='small'><strong>"
                   f"{html.escape(p.t('complaint_filing', days=charter.complaints.filing_window_days))}"
                   "</strong></p>")
    out += [f"<p class='small'>{_esc(p, x)}</p>" for x in form.sending + form.footnotes]
    if charter.district.paper_notice:
        out.append(f"<div class='notice'><p>{_esc(p, charter.district.paper_notice)}</p></div>")
    return "\n".join(out)


def _field(p: Page, f, parameters) -> str:
    label = _esc(p, f.label) + (" *" if f.required else "")
    if f.type in (FieldType.checkbox,):
        return f"<p><span class='box'></span>{label}</p>"
    if f.type is FieldType.yes_no:
        return (f"<p>{label}: <span class='box'></span>{html.escape(p.t('print_yes'))} "
                f"<span class='box'></span>{html.escape(p.t('print_no'))}</p>")
    if f.type is FieldType.choice:
        return f"<p>{label}: " + " ".join(f"<span class='box'></span>{_esc(p, o.label)}"
                                          for o in f.options) + "</p>"
    if f.type is FieldType.access_parameters and parameters:
        rows = []
        for g in parameters.groups:
            rows.append(f"<tr><th colspan='2'>{_esc(p, g.name)}</th></tr>")
            for par in g.parameters:
                pts = (str(par.points) if par.points is not None else
                       f"{par.points_min or 0}–{par.points_max}" if par.points_max else
                       "/".join(str(s.points) for s in par.steps) if par.steps else "")
                rows.append(f"<tr><td><span class='box'></span>{_esc(p, par.text)}</td>"
                            f"<td>{_num(pts)}</td></tr>")
        return (f"<p>{label}</p><table><thead><tr><th></th>"
                f"<th>{html.escape(p.t('parameter_points'))}</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")
    if f.type is FieldType.documents:
        return (f"<p>{label}</p>" + "".join("<div class='field'></div>" for _ in range(3)))
    tall = " tall" if f.type is FieldType.textarea else ""
    return f"<div class='field{tall}'><span>{label}</span></div>"


def form_document(charter: Charter, form: Form, lang: str) -> str:
    """A blank form as a complete HTML document."""
    return _doc(charter, lang, form_body(charter, form, lang), form.code, None, form.date)


def since_cover_document(charter: Charter, lang: str, since: dt.date,
                         changed: list[Service], withdrawn: list[Service]) -> str:
    """The cover of a changed-sheets bundle: which sheets to insert, replace or remove."""
    p = Page(charter, lang)
    rows = []
    for s in changed:
        first = s.first_published
        action = "print_insert" if first and first > since else "print_replace"
        rows.append((p.t(action), s))
    rows += [(p.t("print_remove"), s) for s in withdrawn]
    body = [f"<h1>{html.escape(p.t('print_update_title'))}</h1>",
            f"<p>{html.escape(p.t('print_update_intro', date=since.strftime('%d/%m/%Y')))}</p>",
            "<table><thead><tr>"
            f"<th>{html.escape(p.t('print_action'))}</th><th>{html.escape(p.t('print_sheet'))}</th>"
            f"<th>{html.escape(p.t('print_revised'))}</th></tr></thead><tbody>"]
    body += [f"<tr><td>{html.escape(a)}</td><td>{html.escape(s.code)} {_esc(p, s.title)}</td>"
             f"<td>{_num(s.revised.strftime('%d/%m/%Y'))}</td></tr>" for a, s in rows]
    body.append("</tbody></table>")
    return _doc(charter, lang, "\n".join(body), p.t("print_update_title"), None, None)


def divider_document(charter: Charter, area: Area, lang: str) -> str:
    """An area divider: one full page in the area's colour."""
    p = Page(charter, lang)
    style = (f"@page {{ size: A4; margin: 0; background: {area.colour}; }}"
             "html { font-family: 'Noto Sans', 'Noto Naskh Arabic', sans-serif; }"
             "div { padding: 120mm 30mm 0 40mm; color: #ffffff; }"
             "h1 { font-size: 32pt; margin: 0; } p { font-size: 60pt; margin: 0; }")
    return (f'<!DOCTYPE html><html lang="{lang}" dir="{direction(lang)}"><head>'
            f'<meta charset="utf-8"><title>{html.escape(area.code)}</title><style>{style}</style>'
            f"</head><body><div><p>{html.escape(area.code)}</p>"
            f"<h1>{_esc(p, area.name)}</h1></div></body></html>")


def cover_document(charter: Charter, lang: str) -> str:
    """The binder's cover with the edition date."""
    p = Page(charter, lang)
    d = charter.district
    body = ['<div class="cover">', f"<p>{_esc(p, d.subtitle)}</p>" if d.subtitle else "",
            f"<h1>{html.escape(p.t('home_title'))}</h1>", f"<h2>{_esc(p, d.name)}</h2>",
            f"<p>{html.escape(p.t('home_edition'))} {_num(d.edition.strftime('%d/%m/%Y'))}</p>"]
    if d.certification:
        body.append(f"<p class='small'>{html.escape(d.certification.standard)} — "
                    f"n° {_num(d.certification.number)}</p>")
    body.append("</div>")
    return _doc(charter, lang, "".join(body), p.t("home_title"), None, None)


def contents_document(charter: Charter, lang: str, entries: list[tuple], offset: int) -> str:
    """The contents page: entries are (level, code, title, page relative to the first part)."""
    p = Page(charter, lang)
    rows = "".join(
        f"<tr class='level-{lvl}'><td>{html.escape(code)}</td><td>{html.escape(title)}</td>"
        f"<td>{_num(str(offset + page)) if offset else ''}</td></tr>"
        for lvl, code, title, page in entries)
    body = (f"<h1>{html.escape(p.t('print_contents'))}</h1>"
            "<style>td { border: none; border-bottom: 0.3pt dotted #8a949b; } "
            "tr.level-0 td { font-weight: 700; padding-top: 3mm; }</style>"
            f"<table><tbody>{rows}</tbody></table>")
    return _doc(charter, lang, body, p.t("print_contents"), None, None)


def general_document(charter: Charter, lang: str) -> str:
    """The general part: the carta, principles, organisation, offices and hours, standards,
    complaint procedure, bands, tariffs, access parameters and enti gestori."""
    p = Page(charter, lang)
    d = charter.district
    out = [f"<h1>{html.escape(p.t('charter_title'))}</h1>"]
    for s in charter.sections:
        out.append(f"<h2>{_esc(p, s.title)}</h2>{_md(p, s.body)}")
    if d.principles:
        out.append(f"<h2>{html.escape(p.t('home_principles'))}</h2><ul>" + "".join(
            f"<li><strong>{_esc(p, x.name)}</strong>: {_esc(p, x.text)}</li>"
            for x in d.principles) + "</ul>")
    for group in d.commitments:
        out.append(f"<p>{_esc(p, group.intro)}</p><ul>"
                   + "".join(f"<li>{_esc(p, x)}</li>" for x in group.items) + "</ul>")

    out.append(f"<div class='part'><h1>{html.escape(p.t('offices_title'))}</h1>")
    for o in charter.offices:
        lines = [x for x in (
            _esc(p, o.address),
            f"{html.escape(p.t('office_toll_free'))}: {_num(o.toll_free)}" if o.toll_free else "",
            f"{html.escape(p.t('office_phone'))}: " + ", ".join(_num(x) for x in o.phones)
            if o.phones else "",
            f"{html.escape(p.t('office_fax'))}: " + ", ".join(_num(x) for x in o.fax)
            if o.fax else "") if x]
        out.append(f"<h2>{_esc(p, o.name)}</h2><p>{'<br>'.join(lines)}</p>")
        if o.hours:
            out.append(_table_from_hours(p, o.hours))
        if o.hours_text:
            out.append(f"<p>{_esc(p, o.hours_text)}</p>")
        if o.closures:
            out.append(f"<p><strong>{html.escape(p.t('office_closures'))}</strong></p><ul>"
                       + "".join(f"<li>{_num(f'{c.start:%d/%m/%Y}–{c.end:%d/%m/%Y}')}: "
                                 f"{_esc(p, c.reason)}</li>" for c in o.closures) + "</ul>")
        if o.staff:
            out.append("<ul>" + "".join(
                f"<li>{html.escape(x.name)}"
                + (f", {_esc(p, x.qualification)}" if x.qualification else "")
                + f" — {_esc(p, x.role)}</li>" for x in o.staff) + "</ul>")
    out.append("</div>")

    if charter.system_quality:
        out.append(f"<div class='part'><h1>{html.escape(p.t('quality_title'))}</h1>")
        for area in charter.system_quality.areas:
            out.append(f"<h2>{_esc(p, area.name)}</h2>{_md(p, area.description)}"
                       f"<p><em>{html.escape(p.t('quality_verification'))}: "
                       f"{_esc(p, area.verification)}</em></p>" + _quality(p, area.indicators))
        out.append("</div>")

    c = charter.complaints
    out.append(f"<div class='part'><h1>{html.escape(p.t('complaints_title'))}</h1><ul>")
    out += [f"<li>{html.escape(x)}</li>" for x in (
        p.t("complaint_filing", days=c.filing_window_days),
        p.t("complaint_call_in", days=c.call_in_days),
        p.t("complaint_meeting", days=c.meeting_within_working_days),
        p.t("complaint_urgent", days=c.urgent_action_days),
        p.t("complaint_suspension", days=c.suspension_max_working_days),
        p.t("complaint_compensation", min=euro(c.compensation_min), max=euro(c.compensation_max)),
        p.t("complaint_protection", days=c.user_protection_days))]
    out.append("</ul><ol>" + "".join(f"<li>{_esc(p, s)}</li>" for s in c.steps) + "</ol></div>")

    out.append(f"<div class='part'><h1>{html.escape(p.t('tariffs_title'))}</h1>")
    if charter.bands:
        out.append(f"<h2>{html.escape(p.t('bands_title'))}</h2>{_md(p, charter.bands.reference)}"
                   "<table><tbody>" + "".join(
                       f"<tr><td>{_esc(p, b.name)}</td><td>{_num(p.band_range(b))}</td></tr>"
                       for b in charter.bands.bands) + "</tbody></table>")
    out.append("<table><thead><tr>"
               f"<th>{html.escape(p.t('tariff_service'))}</th>"
               f"<th>{html.escape(p.t('tariff_cost'))}</th></tr></thead><tbody>"
               + "".join(f"<tr><td>{_esc(p, t.name)}</td><td>{_esc(p, t.text)}"
                         + (f" ({_esc(p, t.note)})" if t.note else "") + "</td></tr>"
                         for t in charter.tariffs.tariffs) + "</tbody></table>")
    if charter.access_parameters:
        out.append(f"<h2>{html.escape(p.t('parameters_title'))}</h2>")
        for g in charter.access_parameters.groups:
            out.append(f"<h3>{_esc(p, g.name)}</h3><ul>" + "".join(
                f"<li>{_esc(p, par.text)}</li>" for par in g.parameters) + "</ul>")
    out.append("</div>")

    if charter.providers:
        out.append(f"<div class='part'><h1>{html.escape(p.t('providers_title'))}</h1>")
        for pr in charter.providers:
            services = ", ".join(f"{s.code} {_esc(p, s.title)}"
                                 for s in charter.services_of_provider(pr))
            out.append(f"<h2>{html.escape(pr.name)}</h2><p>"
                       + "<br>".join(x for x in (
                           html.escape(pr.representative or ""), _esc(p, pr.registered_office),
                           _esc(p, pr.operating_office),
                           ", ".join(_num(x) for x in pr.contact.phones)) if x)
                       + f"</p><p>{html.escape(p.t('providers_services'))}: {services}</p>")
        out.append("</div>")
    return _doc(charter, lang, "\n".join(out), p.t("print_general_part"), None, d.edition)


def _quality(p: Page, indicators) -> str:
    return ("<table><thead><tr>"
            f"<th>{html.escape(p.t('quality_indicator'))}</th>"
            f"<th>{html.escape(p.t('quality_standard'))}</th></tr></thead><tbody>"
            + "".join(f"<tr><td>{_esc(p, q.indicator)}</td><td>{_esc(p, q.standard)}</td></tr>"
                      for q in indicators) + "</tbody></table>")
