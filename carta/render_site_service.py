"""One scheda as a site page, in the Designers Italia "Scheda servizio" order."""

from __future__ import annotations

import json

from carta.hours import Weekday
from carta.model import Charter
from carta.service import Service, Status
from carta.site_jsonld import json_ld  # moved there; callers may still import it from here
from carta.site_text import Page, attr, cell, euro, ltr


def service_page(charter: Charter, service: Service, lang: str, links: dict[str, str]) -> str:
    """Markdown of the page ``servizi/<slug>`` in ``lang``.

    ``links`` holds site-relative targets the page points to: ``apply``, ``complain``,
    ``pdf`` (absent when there is no PDF), ``area``, ``offices``, ``tariffs``.
    """
    p = Page(charter, lang, path=f"servizi/{service.slug}.md")
    area = charter.area_by_code[service.area]
    s = service
    out: list[str] = []

    def section(anchor: str, title: str, element: str | None, body: str) -> None:
        if not body.strip():
            return
        data = f' data-element="{element}"' if element else ""
        out.append(f'<section class="carta-section" id="sec-{anchor}"{data} markdown="1">\n\n'
                   f"## {title} {{#{anchor}}}\n\n{body.strip()}\n\n</section>\n")

    status_key = {Status.active: "status_active", Status.suspended: "status_suspended",
                  Status.withdrawn: "status_withdrawn"}[s.status]
    head = [
        # AgID's breadcrumb: Home / Servizi / the category (pa-website-validator-ng C.SI.1.3)
        f'<nav class="carta-breadcrumb" aria-label="{attr(p.t("breadcrumb_label"))}" '
        f'markdown="1"><ol data-element="breadcrumb" markdown="1">'
        f'<li markdown="span">[{p.t("breadcrumb_home")}](../index.md)</li>'
        f'<li markdown="span">[{p.t("breadcrumb_services")}]'
        f'({links.get("services", "../index.md")})</li>'
        f'<li markdown="span">[{p.inline(area.name)}]({links["area"]})</li></ol></nav>\n\n',
        f'<div class="carta-scheda-head carta-area-{area.code}" markdown="1">\n',
        f'<p class="carta-category" data-element="service-category" markdown="span">'
        f'<span class="carta-code">{cell(s.code)}</span> '
        f'[{p.inline(area.name)}]({links["area"]})</p>\n',
        f'# {p.inline(s.title)} {{#titolo data-element="service-title"}}\n',
        f'<p class="carta-status carta-status-{s.status.value}" data-element="service-status">'
        f"{p.t(status_key)}</p>\n",
        f'<div class="carta-summary" data-element="service-description" markdown="1">\n\n'
        f"{p.text(s.summary)}\n\n</div>\n",
        "</div>\n",
    ]

    # A chi è rivolto
    who = p.text(s.who_for)
    if s.age:
        unit = p.t("unit_months" if s.age.unit.value == "months" else "unit_years")
        parts = []
        if s.age.min is not None:
            parts.append(f"{p.t('age_from')} {ltr(str(s.age.min))}")
        if s.age.max is not None:
            parts.append(f"{p.t('age_to')} {ltr(str(s.age.max))}")
        who += f"\n\n**{p.t('service_age')}:** {' '.join(parts)} {unit}"
    section("a-chi-e-rivolto", p.t("service_who_for"), "service-addressed", who)

    # Come fare
    how_to = [f"**{p.t('service_access_type')}:** {p.inline(s.access.type)}", "",
              p.text(s.access.how), "",
              f"**{p.t('service_contact')}:** {p.inline(s.access.contact)}"]
    section("come-fare", p.t("service_how_to"), "service-how-to", "\n".join(how_to))

    # Cosa serve
    if s.access.documents:
        needed = "\n".join(f"- {p.inline(d.name)}" for d in s.access.documents)
    else:
        needed = p.text(s.access.no_documents_text) or p.t("service_no_documents")
    section("cosa-serve", p.t("service_needed"), "service-needed", needed)

    # Cosa si ottiene
    achieved = [p.text(s.what)]
    if s.how:
        achieved += ["", f"### {p.t('service_how')}", "", p.text(s.how)]
    if s.community_resources:
        achieved += ["", f"### {p.t('service_resources')}", "", p.text(s.community_resources)]
    if s.staff:
        achieved += ["", f"### {p.t('service_staff')}", ""]
        achieved += [f"- {p.inline(x)}" for x in s.staff]
    section("cosa-si-ottiene", p.t("service_achieved"), "service-achieved", "\n".join(achieved))

    # Tempi e scadenze
    calendar = [p.text(s.access.when)] if s.access.when else []
    timed = [q for q in s.quality if q.target and q.target.unit.value in
             ("minutes", "hours", "days", "working_days")]
    calendar += [f"- {p.inline(q.indicator)}: {p.inline(q.standard)}" for q in timed]
    if not calendar:  # the section is always there, for citizens and for the AgID checks
        calendar = [f"{p.t('service_calendar_ask')} {p.inline(s.access.contact)}"]
    section("tempi-e-scadenze", p.t("service_calendar"), "service-calendar-text",
            "\n\n".join(calendar[:1]) + ("\n\n" + "\n".join(calendar[1:]) if calendar[1:] else ""))

    # Quanto costa
    cost = [p.text(s.cost.text)]
    tariff = charter.tariff_by_id.get(s.cost.tariff or "")
    if tariff:
        cost += ["", f"**{p.t('service_tariff')}:** {p.inline(tariff.text)}"]
        if tariff.note:
            cost += ["", p.text(tariff.note)]
        cost += ["", f'[{p.t("tariffs_title")}]({links["tariffs"]})']
    section("quanto-costa", p.t("service_cost"), "service-cost", "\n".join(cost))

    # Accedi al servizio
    if s.takes_applications:
        access = (f'[{p.t("service_apply_online")}]({links["apply"]})'
                  '{ .md-button .md-button--primary data-element="service-online-access" }')
    else:
        access = (f'<p data-element="service-generic-access" markdown="span">'
                  f'{p.t("service_no_online")} {p.inline(s.access.contact)}</p>')
    offices = charter.offices_for(s.access.offices)
    if offices:
        access += f"\n\n### {p.t('service_offices')}\n\n"
        access += "\n".join(f'- [{p.inline(o.name)}]({links["offices"]}#{o.id})'
                            + (f" — {p.inline(o.address)}" if o.address else "")
                            for o in offices)
    section("accedi", p.t("service_access"), None, access)

    # Sedi
    if s.sites:
        section("sedi", p.inline(s.sites_title) if s.sites_title else p.t("service_sites"),
                "service-sites", _sites(p, s))

    # Condizioni: qualità garantita
    quality = ""
    if s.quality:
        rows = [f"| {p.t('quality_indicator')} | {p.t('quality_standard')} |", "|---|---|"]
        rows += [f"| {p.inline(q.indicator)} | {p.inline(q.standard)} |" for q in s.quality]
        quality = "\n".join(rows)
    elif s.quality_text:
        quality = p.text(s.quality_text)
    # AgID's "Condizioni di servizio" with a document (service-file): the scheda's PDF, or
    # the charter itself, whose terms every service is delivered under
    if links.get("pdf"):
        conditions = (f'<p><a data-element="service-file" href="{links["pdf"]}">'
                      f'{p.t("service_print")}</a></p>')
    else:
        conditions = (f'[{p.t("service_conditions_file")}](../carta.md)'
                      '{ data-element="service-file" }')
    if quality.strip():
        conditions += (f'\n\n<div data-element="service-conditions" markdown="1">\n\n'
                       f"### {p.t('service_quality')} {{#qualita}}\n\n{quality.strip()}\n\n</div>")
    if quality.strip():
        conditions += (f'\n\n<div data-element="service-conditions" markdown="1">\n\n'
                       f"### {p.t('service_quality')} {{#qualita}}\n\n{quality.strip()}\n\n</div>")
    section("condizioni", p.t("service_conditions"), None, conditions)

    # Contatti
    contacts = [f"**{p.t('service_responsible')}:** {p.inline(s.responsible.role)}"]
    if s.responsible.office and s.responsible.office in charter.office_by_id:
        office = charter.office_by_id[s.responsible.office]
        contacts[-1] += f' — [{p.inline(office.name)}]({links["offices"]}#{office.id})'
    operator = p.inline(s.operator.text)
    names = [charter.provider_by_id[x].name for x in s.operator.providers]
    if names:
        operator += " — " + ", ".join(cell(n) for n in names)
    contacts += ["", f"**{p.t('service_operator')}:** {operator}"]
    section("contatti", p.t("service_contacts"), "service-area", "\n".join(contacts))

    # Argomenti, buttons, date
    topics = [p.inline(area.name)] + [p.inline(k) for k in s.keywords]
    if s.activity_area:
        topics.insert(1, p.inline(s.activity_area))
    section("argomenti", p.t("service_topics"), "topic-list",
            " ".join(f'<span class="carta-topic" data-element="service-topic">{t}</span>'
                     for t in topics))

    actions = [f'[{p.t("service_complain")}]({links["complain"]}){{ .md-button }}']
    if links.get("pdf"):
        actions.append(f'<a class="md-button" href="{links["pdf"]}">{p.t("service_print")}</a>')
    footer = (f'<div class="carta-actions" markdown="1">\n\n{" ".join(actions)}\n\n</div>\n\n'
              f'<p class="carta-updated">{p.t("service_updated")} '
              f'<time datetime="{s.revised.isoformat()}">{ltr(s.revised.strftime("%d/%m/%Y"))}'
              "</time></p>\n")

    jsonld = json_ld(charter, s, offices, p,
                     links.get("apply") if s.takes_applications else None)
    title_meta = f"---\ntitle: {json.dumps(s.code + ' ' + p.plain(s.title), ensure_ascii=False)}\n---\n\n"
    body = "\n".join(head) + "\n" + "\n".join(out) + "\n" + footer + "\n" + jsonld
    return title_meta + p.notice() + body


def _sites(p: Page, s: Service) -> str:
    out = []
    if s.sites_updated:
        out.append(f"*{p.t('service_updated')} {ltr(s.sites_updated.strftime('%d/%m/%Y'))}*\n")
    for site in s.sites:
        out.append(f"### {p.inline(site.name)}\n")
        lines = []
        where = ", ".join(x for x in (p.inline(site.address), p.inline(site.comune)) if x)
        if where:
            lines.append(f"- {p.t('office_address')}: {where}")
        if site.phones:
            lines.append(f"- {p.t('office_phone')}: " + ", ".join(ltr(x) for x in site.phones))
        if site.fax:
            lines.append(f"- {p.t('office_fax')}: " + ", ".join(ltr(x) for x in site.fax))
        for mail in site.email:
            lines.append(f"- {p.t('office_email')}: <{mail}>")
        if site.hours_text:
            lines.append(f"- {p.t('office_hours')}: {p.inline(site.hours_text)}")
        out.append("\n".join(lines) + "\n")
        if site.hours:
            out.append(hours_table(p, site.hours) + "\n")
        if site.note:
            out.append(p.text(site.note) + "\n")
        for table in site.fee_tables:
            out.append(_fees(p, table))
    return "\n".join(out)


def _fees(p: Page, table) -> str:
    tiers = sorted({t for row in table.rows for t in row.fees}, key=int)
    caption = p.inline(table.name) if table.name else p.t("site_fees")
    if table.period:
        caption += f" ({p.inline(table.period)})"
    head = "| | " + " | ".join(f"{t}ª {p.t('fee_band')}" for t in tiers) + " |"
    rows = [f"**{caption}**", "", head, "|---" * (len(tiers) + 1) + "|"]
    for row in table.rows:
        rows.append(f"| {p.inline(row.label)} | " + " | ".join(
            ltr(euro(row.fees[t])) if t in row.fees else "" for t in tiers) + " |")
    return "\n".join(rows) + "\n"


def hours_table(p: Page, openings) -> str:
    """A weekly table: one row per weekday with its opening slots."""
    by_day: dict[Weekday, list[str]] = {d: [] for d in Weekday}
    for o in sorted(openings, key=lambda o: o.opens):
        for d in o.days:
            by_day[d].append(f"{o.opens:%H:%M}–{o.closes:%H:%M}")
    rows = [f"| {p.t('weekday')} | {p.t('hours')} |", "|---|---|"]
    for day in Weekday:
        slots = by_day[day]
        if not slots and day in (Weekday.sat, Weekday.sun):
            continue
        value = ", ".join(ltr(x) for x in slots) if slots else p.t("office_closed")
        rows.append(f"| {p.t('day_' + day.value)} | {value} |")
    return "\n".join(rows)

