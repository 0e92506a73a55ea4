"""One scheda as a site page, in the Designers Italia "Scheda servizio" order."""

from __future__ import annotations

import json

from carta import present
from carta.model.charter import Charter
from carta.present.site_extra import standard_results
from carta.model.service import Service, Status
from carta.site.jsonld import json_ld  # moved there; callers may still import it from here
from carta.site.page import (
    Page,
    attr,
    bdi,
    cell,
    contact_md,
    fees_md,
    hours_md,
    ltr,
    partners_md,
    schedule_md,
)


def service_page(charter: Charter, service: Service, lang: str, links: dict[str, str]) -> str:
    """Markdown of the page ``servizi/<slug>`` in ``lang``; every fact comes formatted from
    :mod:`carta.present`, and a section the charter gives nothing for is left out.

    ``links`` holds site-relative targets the page points to: ``apply``, ``complain``,
    ``pdf`` (absent when there is no PDF), ``area``, ``offices``, ``tariffs`` (absent when
    the site has no tariffs page).
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
        who += f"\n\n**{p.t('service_age')}:** {cell(present.age_range(charter, s.age, lang))}"
    section("a-chi-e-rivolto", p.t("service_who_for"), "service-addressed", who)

    # Come fare
    how_to = [f"**{p.t('service_access_type')}:** {p.flow(s.access.type)}", "",
              p.text(s.access.how), "",
              f"**{p.t('service_contact')}:** {p.flow(s.access.contact)}"]
    section("come-fare", p.t("service_how_to"), "service-how-to", "\n".join(how_to))

    # Cosa serve: as the scheda states it (the AgID checks want the section on every page)
    if s.access.documents:
        needed = "\n".join(f"- {p.inline(d.name)}" for d in s.access.documents)
    else:
        needed = p.text(s.access.no_documents_text) or p.t("service_no_documents")
    section("cosa-serve", p.t("service_needed"), "service-needed", needed)

    # Cosa si ottiene: what, its parts, how it works, the team
    achieved = [p.text(s.what)]
    for part in present.parts(s, lang):
        achieved += ["", f"### {p.shown(part.title)}", ""]
        if part.body:
            achieved += [p.block(part.body), ""]
        achieved += [f"- {p.shown(x)}" for x in part.items]
    if s.how:
        achieved += ["", f"### {p.t('service_how')}", "", p.text(s.how)]
    if s.community_resources:
        achieved += ["", f"### {p.t('service_resources')}", "", p.text(s.community_resources)]
    roles = present.staff_roles(s, lang)
    if s.staff or roles:
        achieved += ["", f"### {p.t('service_staff')}", ""]
        achieved += [f"- {p.inline(x)}" for x in s.staff]
        achieved += [f"- **{p.shown(r.role)}**" + (f" ({ltr(r.count)})" if r.count else "")
                     + "".join(f"\n    - {p.shown(t)}" for t in r.tasks) for r in roles]
    section("cosa-si-ottiene", p.t("service_achieved"), "service-achieved", "\n".join(achieved))

    # Dove
    section("dove", p.t("service_where"), None, p.text(s.where))

    # Tempi e scadenze
    calendar = [p.text(s.access.when)] if s.access.when else []
    timed = [q for q in s.quality if q.target and q.target.unit.value in
             ("minutes", "hours", "days", "working_days")]
    calendar += [f"- {p.inline(q.indicator)}: {p.inline(q.standard)}" for q in timed]
    if not calendar:  # the section is always there, for citizens and for the AgID checks
        calendar = [f"{p.t('service_calendar_ask')} {p.flow(s.access.contact)}"]
    section("tempi-e-scadenze", p.t("service_calendar"), "service-calendar-text",
            "\n\n".join(calendar[:1]) + ("\n\n" + "\n".join(calendar[1:]) if calendar[1:] else ""))

    # Quanto costa: a tariff only when the citizen pays it
    cost = present.cost(charter, s, lang)
    costs = [p.block(cost.text)]
    if cost.tariff:
        costs += ["", f"**{cost.tariff.label}:** {p.shown(cost.tariff.text)}"]
        if cost.tariff.note:
            costs += ["", p.block(cost.tariff.note)]
    if cost.tariffs_link and links.get("tariffs"):
        costs += ["", f'[{p.t("tariffs_title")}]({links["tariffs"]})']
    section("quanto-costa", p.t("service_cost"), "service-cost", "\n".join(costs))

    # Accedi al servizio, and when each office can be reached
    if s.takes_applications:
        access = (f'[{p.t("service_apply_online")}]({links["apply"]})'
                  '{ .md-button .md-button--primary data-element="service-online-access" }')
    else:
        # a contact written as a list is listed under "Come fare"; a paragraph holds no list
        contact = p.flow(s.access.contact)
        contact = "" if "\n" in contact else f" {contact}"
        access = (f'<p data-element="service-generic-access" markdown="span">'
                  f'{p.t("service_no_online")}{contact}</p>')
    offices = charter.offices_for(s.access.offices)
    if offices:
        access += f"\n\n### {p.t('service_offices')}\n\n"
        access += "\n".join(f'- [{p.inline(o.name)}]({links["offices"]}#{o.id})'
                            + (f" — <bdi>{p.inline(o.address)}</bdi>" if o.address else "")
                            for o in offices) + "\n"
        # an office that is not a door with weekly hours: its schedule is on the scheda too
        # (as on the printed sheet); weekly hours are one link away, on the offices page
        for o in offices:
            if o.rotation or o.by_appointment or o.always_open or o.seasons:
                access += f"\n#### {p.inline(o.name)}\n\n"
                access += contact_md(p, present.contact_lines(charter, o, lang)) + "\n"
                access += schedule_md(p, present.schedule(charter, o, lang))
            if o.by_appointment:  # AgID C.SI.2.1: how to book, from the service page
                access += (f'\n[{p.t("service_book")}]({links["offices"]}#{o.id})'
                           '{ data-element="service-booking-access" }\n')
    section("accedi", p.t("service_access"), None, access)

    # Sedi
    if s.sites:
        section("sedi", p.inline(s.sites_title) if s.sites_title else p.t("service_sites"),
                "service-sites", _sites(p, charter, s))

    # Partner e rete dei servizi
    section("partner", p.t("service_partners"), None,
            partners_md(p, present.partners(charter, s, lang)) if s.partners else "")
    section("rete", p.t("service_referrals"), None,
            partners_md(p, present.partners(charter, s, lang, referrals=True))
            if s.referrals else "")

    # Condizioni: qualità garantita, with what was realized beside each standard
    quality = ""
    if s.quality:
        quality = _quality(p, charter, s)
    elif s.quality_text:
        quality = p.text(s.quality_text)
    # AgID's "Condizioni di servizio" with a document (service-file): the scheda's PDF, or
    # the charter itself, whose terms every service is delivered under
    if links.get("pdf"):
        conditions = (f'<p><a data-element="service-file" href="{links["pdf"]}">'
                      f'{p.t("service_print")}</a></p>')
    elif charter.sections:  # carta.md exists only when the charter has a general part
        conditions = (f'[{p.t("service_conditions_file")}](../carta.md)'
                      '{ data-element="service-file" }')
    else:
        conditions = ""
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
    providers = [charter.provider_by_id[x] for x in s.operator.providers]
    if providers:
        operator += " — " + ", ".join(
            f"[{cell(x.name)}](../enti-gestori.md#{x.id})" for x in providers)
    contacts += ["", f"**{p.t('service_operator')}:** {operator}"]
    section("contatti", p.t("service_contacts"), "service-area", "\n".join(contacts))

    # Argomenti: each tag once (an activity area or keyword often repeats the area's name)
    topics: dict[str, str] = {}
    for value in [area.name, s.activity_area, *s.keywords]:
        if value is not None:
            topics.setdefault(p.plain(value).casefold().strip(), p.inline(value))
    section("argomenti", p.t("service_topics"), "topic-list",
            " ".join(f'<span class="carta-topic" data-element="service-topic">{t}</span>'
                     for t in topics.values()))

    actions = [f'[{p.t("service_complain")}]({links["complain"]}){{ .md-button }}']
    if links.get("pdf"):
        actions.append(f'<a class="md-button" href="{links["pdf"]}">{p.t("service_print")}</a>')
    footer = (f'<div class="carta-actions" markdown="1">\n\n{" ".join(actions)}\n\n</div>\n\n'
              f'<p class="carta-updated">{p.t("service_updated")} '
              f'<time datetime="{s.revised.isoformat()}">{bdi(present.date(s.revised, lang))}'
              "</time></p>\n")

    jsonld = json_ld(charter, s, offices, p,
                     links.get("apply") if s.takes_applications else None)
    title_meta = f"---\ntitle: {json.dumps(s.code + ' ' + p.plain(s.title), ensure_ascii=False)}\n---\n\n"
    body = "\n".join(head) + "\n" + "\n".join(out) + "\n" + footer + "\n" + jsonld
    return title_meta + p.notice() + body


def _sites(p: Page, charter: Charter, s: Service) -> str:
    out = []
    if s.sites_updated:
        out.append(f"*{p.t('service_updated')} {bdi(present.date(s.sites_updated, p.lang))}*\n")
    for site in s.sites:
        out.append(f"### {p.inline(site.name)}\n")
        out.append(contact_md(p, present.contact_lines(charter, site, p.lang)))
        if site.hours_text:
            out.append(f"{p.t('office_hours')}: {p.inline(site.hours_text)}\n")
        if site.hours:
            out.append(hours_md(p, present.weekly_hours(charter, site.hours, p.lang)))
        if site.note:
            out.append(p.text(site.note) + "\n")
        for table in site.fee_tables:
            out.append(fees_md(p, present.fee_table(charter, table, p.lang)))
    return "\n".join(out)


def _quality(p: Page, charter: Charter, s: Service) -> str:
    """Indicator, guaranteed standard and, beside it, what was realized in the latest
    published year (a phone shows three columns without scrolling); every year, the formula
    and the source below, and a trend chart where a standard has more than one year."""
    rows = standard_results(charter, s, p.lang)
    latest = max((y.year for r in rows for y in r.years), default=None)
    head = f"| {p.t('quality_indicator')} | {p.t('result_guaranteed')} |"
    if latest is not None:
        head += f" {p.t('result_realized')} {ltr(str(latest))} |"
    out = [head, "|---|---|" + ("---|" if latest is not None else "")]
    for r in rows:
        row = f"| {p.shown(r.indicator)} | {p.shown(r.standard)} |"
        if latest is not None:
            y = next((y for y in r.years if y.year == latest), None)
            row += f" {_realized(p, y)} |" if y else " — |"
        out.append(row)
    out.append("")
    if latest is None:
        out.append(f'<p class="carta-not-stated">{p.t("results_none")}</p>\n')
        return "\n".join(out)
    for r in rows:
        if not r.years:
            continue
        last = r.years[-1]
        out.append(f"**{p.shown(r.indicator)}**\n")
        out += [f"- {ltr(str(y.year))}: {_realized(p, y)}"
                + (f" — {p.t('result_reason')}: {p.shown(y.reason)}" if y.reason else "")
                for y in r.years]
        out += [f"- {k}: {p.shown(v)}" for k, v in ((p.t("result_formula"), last.formula),
                                                     (p.t("result_source"), last.source)) if v]
        out.append("")
        if sum(y.value is not None for y in r.years) > 1:
            out.append(trend_svg(p, r))
    return "\n".join(out)


def _realized(p: Page, y) -> str:
    text = ltr(y.text) if y.value is not None else cell(y.text)
    if y.cases:
        text += f" ({ltr(y.cases)})"
    return (f'<span class="carta-outcome carta-{y.outcome}">{text}</span> '
            f"{p.t('outcome_' + y.outcome)}")


def trend_svg(p: Page, r) -> str:
    """A standard's realized percent across years as a line chart: inline SVG, no script,
    named by its title and described by a text alternative (the values, year by year)."""
    points = [(y.year, y.value) for y in r.years if y.value is not None]
    width, height, left, top, span = 320, 160, 60, 24, 110
    step = (width - left - 20) / max(1, len(points) - 1)
    xy = [(left + i * step, top + span * (1 - max(0.0, min(v, 100.0)) / 100))
          for i, (_, v) in enumerate(points)]
    alt = p.t("result_trend", indicator=p.plain_shown(r.indicator)) + ": " + ", ".join(
        f"{y.year} {y.text}" for y in r.years)
    marks = "".join(
        f'<circle cx="{x:.0f}" cy="{y:.0f}" r="4" class="carta-point"/>'
        f'<text x="{x:.0f}" y="{height - 4}" class="carta-axis" text-anchor="middle">{year}</text>'
        f'<text x="{x:.0f}" y="{y - 8:.0f}" class="carta-value" text-anchor="middle">'
        f"{attr(text)}</text>"
        for (x, y), (year, _), text in zip(
            xy, points, [y.text for y in r.years if y.value is not None], strict=True))
    grid = "".join(f'<line x1="{left}" x2="{width - 10}" y1="{top + span * (1 - g / 100):.0f}" '
                   f'y2="{top + span * (1 - g / 100):.0f}" class="carta-grid"/>'
                   f'<text x="{left - 24}" y="{top + span * (1 - g / 100) + 4:.0f}" '
                   f'class="carta-axis" text-anchor="end">{g}</text>' for g in (0, 50, 100))
    line = " ".join(f"{x:.0f},{y:.0f}" for x, y in xy)
    return (f'<figure class="carta-chart carta-trend" dir="ltr"><svg role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'aria-label="{attr(alt)}"><title>{attr(alt)}</title>{grid}'
            f'<polyline points="{line}" class="carta-line"/>{marks}</svg>'
            f'<figcaption dir="{p.dir}">{cell(alt)}</figcaption></figure>\n')

