"""The site's general pages: home, areas, offices, standards, tariffs, complaints, results …"""

from __future__ import annotations

import json

from carta import present
from carta.model.charter import Charter
from carta.present.site_extra import result_text
from carta.site.page import Page, bdi, cell, contact_md, ltr, points_md, schedule_md, staff_md


def _front(title: str) -> str:
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n\n"


def _finish(p: Page, title: str, body: str) -> str:
    return _front(title) + p.notice() + body


def home_page(charter: Charter, lang: str) -> str:
    """What the carta is, how to use it, the areas, principles, the district and its comuni."""
    p = Page(charter, lang)
    d = charter.district
    out = [f"# {p.inline(d.name)}\n", f'<p class="carta-lead">{p.t("home_intro")}</p>\n']
    if d.subtitle:
        out.insert(1, f"*{p.inline(d.subtitle)}*\n")
    out += [f"## {p.t('home_how_to_use')}\n", p.t("home_how_to_use_text") + "\n",
            f"## {p.t('home_areas')}\n", '<div class="carta-areas" markdown="1">\n']
    for area in charter.areas:
        services = charter.services_in(area)
        out.append(f'<div class="carta-area-card carta-area-{area.code}" markdown="1">\n\n'
                   f"### [{p.inline(area.name)}](aree/{area.slug}.md)\n")
        out += [f"- [{cell(s.code)} {p.inline(s.title)}](servizi/{s.slug}.md)" for s in services]
        out.append("\n</div>\n")
    out.append("</div>\n")
    if d.principles:
        out.append(f"## {p.t('home_principles')}\n")
        out += [f"- **{p.inline(pr.name)}**: {p.inline(pr.text)}" for pr in d.principles]
        out.append("")
    out.append(f"## {p.t('home_district')}\n")
    out.append(f"**{p.t('home_comuni')}:** " + ", ".join(c.name for c in d.members()) + "\n")
    capofila = present.capofila(charter)
    if capofila:
        out.append(f"**{p.t('home_capofila')}:** {cell(capofila)}\n")
    out.append(f"**{p.t('home_edition')}:** {bdi(present.date(d.edition, lang))}\n")
    if d.certification:
        c = d.certification
        out.append(f"**{p.t('home_certification')}:** {cell(c.standard)} "
                   f"(n° {ltr(c.number)}) — {p.inline(c.scope)}\n")
    notes = [c for c in d.comuni if c.note]
    if notes:
        out += [f"- **{cell(c.name)}**: {p.inline(c.note)}" for c in notes] + [""]
    contact = present.district_contact(charter, lang)
    if contact:
        out.append(f"### {p.t('home_contacts')}\n")
        out.append(contact_md(p, contact))
    # what the general part of the printed charter says of the district, only when stated
    for key, items in (("district_partners", d.partners), ("district_legal_basis", d.legal_basis)):
        if items:
            out += [f"### {p.t(key)}\n", *(f"- {p.inline(x)}" for x in items), ""]
    if d.signatories:
        out.append(f"### {p.t('district_signatories')}\n")
        for x in d.signatories:
            line = f"- **{cell(x.name)}** ({p.inline(x.kind)})"
            if x.contact_person:
                line += f" — {cell(x.contact_person)}"
            if x.contact:
                line += "".join(f"\n    {c}" for c in contact_md(
                    p, present.contact_lines(charter, x.contact, lang)).splitlines())
            out.append(line)
        out.append("")
    if d.credits:
        out += [f"### {p.t('district_credits')}\n", *(f"- {p.inline(x)}" for x in d.credits), ""]
    return _finish(p, p.t("home_title"), "\n".join(out))


def area_page(charter: Charter, lang: str, area) -> str:
    """One area in its colour, with its schede."""
    p = Page(charter, lang, path=f"aree/{area.slug}.md")
    out = [f'<div class="carta-area-head carta-area-{area.code}" markdown="1">\n',
           f"# {p.inline(area.name)}\n", "</div>\n"]
    if area.description:
        out.append(p.text(area.description) + "\n")
    out.append(f"## {p.t('area_services')}\n")
    services = charter.services_in(area)
    if not services:
        out.append(p.t("area_no_services") + "\n")
    for s in services:
        out.append(f'<div class="carta-card carta-area-{area.code}" markdown="1">\n\n'
                   f"### [{cell(s.code)} {p.inline(s.title)}](../servizi/{s.slug}.md)\n\n"
                   f"{p.text(s.summary)}\n\n</div>\n")
    return _finish(p, p.plain(area.name), "\n".join(out))


def offices_page(charter: Charter, lang: str) -> str:
    """Every office with its contacts, its schedule as the charter states it and its staff;
    then the health authority's contacts citizens may need."""
    p = Page(charter, lang, path="uffici.md")
    out = [f"# {p.t('offices_title')}\n", p.t("offices_intro") + "\n"]
    for o in charter.offices:
        out.append(f"## {p.inline(o.name)} {{#{o.id}}}\n")
        out.append(contact_md(p, present.contact_lines(charter, o, lang)))
        out.append(f"### {p.t('office_hours')}\n")
        out.append(schedule_md(p, present.schedule(charter, o, lang)))
        if o.staff:
            out.append(f"### {p.t('office_staff')}\n")
            out.append(staff_md(p, present.staff(o.staff, lang)))
    health = present.health_contacts(charter, lang)
    if health:
        out.append(f"## {p.t('health_title')} {{#asl}}\n")
        for authority in health:
            out.append(f"### {cell(authority.name)}\n")
            for unit in authority.units:
                out.append(f"**{p.shown(unit.name)}**"
                           + (f" — {p.t('health_responsible')}: <bdi>{cell(unit.responsible)}</bdi>"
                              if unit.responsible else "") + "\n")
                out.append(contact_md(p, unit.lines))
    return _finish(p, p.t("offices_title"), "\n".join(out))


def quality_page(charter: Charter, lang: str) -> str:
    """System-level quality areas with indicators and standards."""
    p = Page(charter, lang)
    sq = charter.system_quality
    out = [f"# {p.t('quality_title')}\n"]
    if sq.intro:
        out.append(p.text(sq.intro) + "\n")
    for area in sq.areas:
        out += [f"## {p.inline(area.name)} {{#{area.id}}}\n", p.text(area.description) + "\n",
                f"**{p.t('quality_verification')}:** {p.inline(area.verification)}\n",
                f"| {p.t('quality_indicator')} | {p.t('quality_standard')} |", "|---|---|"]
        out += [f"| {p.inline(q.indicator)} | {p.inline(q.standard)} |" for q in area.indicators]
        out.append("")
    return _finish(p, p.t("quality_title"), "\n".join(out))


def tariffs_page(charter: Charter, lang: str) -> str:
    """Tariffs (Allegato 2), ISEE bands (Allegato 1) and extra access parameters (Allegato 4)."""
    p = Page(charter, lang)
    out = [f"# {p.t('tariffs_title')}\n", p.t("tariffs_intro") + "\n"]
    if charter.tariffs.intro:
        out.append(p.text(charter.tariffs.intro) + "\n")
    for area in charter.areas:
        rows = [t for t in charter.tariffs.tariffs if t.area == area.code]
        if not rows:
            continue
        out += [f"## {p.inline(area.name)}\n",
                f"| {p.t('tariff_service')} | {p.t('tariff_cost')} |", "|---|---|"]
        for t in rows:
            link = f"[{p.inline(t.name)}](servizi/{t.id}.md)" if t.id in charter.service_by_slug \
                else p.inline(t.name)
            view = present.tariff_view(charter, t, lang)
            note = f" ({p.shown(view.note)})" if view.note else ""
            out.append(f"| {link} | {p.shown(view.text)}{note} |")
        out.append("")
    if charter.bands:
        b = charter.bands
        out += [f"## {p.t('bands_title')} {{#fasce}}\n", p.text(b.reference) + "\n",
                f"| {p.t('band_name')} | {p.t('band_range')} |", "|---|---|"]
        for band in b.bands:
            rng = present.band_range(charter, band, lang)
            out.append(f"| {p.inline(band.name)} | {ltr(rng) if lang == 'ar' else cell(rng)} |")
        out.append("")
        out += [p.text(n) + "\n" for n in b.notes]
    if charter.access_parameters:
        ap = charter.access_parameters
        out.append(f"## {p.t('parameters_title')} {{#parametri}}\n")
        if ap.intro:
            out.append(p.text(ap.intro) + "\n")
        for g in present.parameter_groups(charter, lang):
            out += [f"### {p.shown(g.name)}\n", f"| | {p.t('parameter_points')} |", "|---|---|"]
            for par in g.parameters:
                out.append(f"| {p.shown(par.text)} | {points_md(p, par)} |")
            out.append("")
        out += [p.text(n) + "\n" for n in ap.notes]
    return _finish(p, p.t("tariffs_title"), "\n".join(out))


def complaints_page(charter: Charter, lang: str, complaint_link: str) -> str:
    """The complaint procedure with its deadlines and the link to the online form."""
    p = Page(charter, lang)
    c = charter.complaints
    out = [f"# {p.t('complaints_title')}\n", p.t("complaints_intro") + "\n",
           f"[{p.t('complaints_form')}]({complaint_link}){{ .md-button .md-button--primary }}\n",
           f"## {p.t('complaints_deadlines')}\n"]
    deadlines = present.complaint_deadlines(charter, lang)
    if deadlines:
        out += [f"- {cell(x.text)}" for x in deadlines]
    else:
        out.append(f'<p class="carta-not-stated">{p.t("complaints_no_deadlines")}</p>')
    if c.channels or c.emails:
        out += ["", f"## {p.t('complaints_how')}\n"]
        out += [f"- {p.inline(x)}" for x in c.channels]
        out += [f'- <a href="mailto:{m}">{ltr(m)}</a>' for m in c.emails]
    where = charter.offices_for(c.offices)
    if where:
        out += ["", f"## {p.t('complaints_where')}\n"]
        out += [f"- [{p.inline(o.name)}](uffici.md#{o.id})" for o in where]
    if c.steps:
        out += ["", f"## {p.t('complaints_steps')}\n"]
        out += [f"{i}. {p.inline(s)}" for i, s in enumerate(c.steps, 1)]
    if c.user_protection_members:
        out += ["", f"### {p.t('complaints_members')}\n"]
        out += [f"- {p.inline(m)}" for m in c.user_protection_members]
    for extra in (c.legal_basis, c.provider_reports, c.appeal):
        if extra:
            out += ["", p.text(extra)]
    return _finish(p, p.t("complaints_title"), "\n".join(out) + "\n")


def results_page(charter: Charter, lang: str) -> str:
    """Monitoring results: guaranteed vs realized per indicator, a bar chart, actions."""
    p = Page(charter, lang)
    out = [f"# {p.t('results_title')}\n", p.t("results_intro") + "\n"]
    for report in reversed(charter.monitoring):
        title = p.inline(report.title) if report.title else str(report.year)
        out.append(f"## {title} {{#anno-{report.year}}}\n")
        counts = {k: sum(r.outcome == k for r in report.results)
                  for k in ("met", "not_met", "not_measurable")}
        out.append(p.t("results_summary", **counts) + "\n")
        out.append(_chart(p, report))
        out += [f"| {p.t('result_service')} | {p.t('result_indicator')} | "
                f"{p.t('result_guaranteed')} | {p.t('result_realized')} | {p.t('result_outcome')} |",
                "|---|---|---|---|---|"]
        for r in report.results:
            service = (charter.service_by_slug[r.service].title if r.service else r.service_name)
            text, cases = result_text(charter, r, lang)
            realized = (ltr(text) if r.realized_pct is not None else cell(text)) + (
                f" ({ltr(cases)})" if cases else "")
            out.append(f"| {p.inline(service)} | {p.inline(r.indicator)} | {p.inline(r.guaranteed)}"
                       f" | {realized} | <span class=\"carta-outcome carta-{r.outcome}\">"
                       f"{p.t('outcome_' + r.outcome)}</span> |")
        out.append("")
        for i, r in enumerate(report.results, 1):
            details = [(k, getattr(r, f)) for k, f in (
                ("result_factor", "factor"), ("result_formula", "formula"), ("result_source", "source"),
                ("result_reason", "reason"), ("result_notes", "notes")) if getattr(r, f)]
            if not details:
                continue
            out.append(f"**{i}. {p.inline(r.indicator)}**\n")
            out += [f"- {p.t(k)}: {p.inline(v)}" for k, v in details]
            out.append("")
        if report.actions:
            out.append(f"### {p.t('results_actions')}\n")
            for a in report.actions:
                out.append(f"- {p.inline(a.action)}"
                           + (f" — **{p.t('action_outcome')}:** {p.inline(a.outcome)}"
                              if a.outcome else ""))
            out.append("")
    return _finish(p, p.t("results_title"), "\n".join(out))


def _chart(p: Page, report) -> str:
    """A plain SVG bar chart of realized values (no script, readable without colour)."""
    rows = report.results
    height = 22 * len(rows) + 10
    bars = []
    for i, r in enumerate(rows):
        y = 5 + 22 * i
        value = float(r.realized_pct) if r.realized_pct is not None else 0.0
        width = max(0.0, min(value, 100.0)) * 3
        label = cell(result_text(p.charter, r, p.lang)[0])
        bars.append(f'<rect x="40" y="{y}" width="{width:.0f}" height="16" '
                    f'class="carta-bar carta-{r.outcome}"/>'
                    f'<text x="0" y="{y + 12}">{i + 1}</text>'
                    f'<text x="{44 + width:.0f}" y="{y + 12}">{label}</text>')
    return (f'<figure class="carta-chart" dir="ltr"><svg role="img" viewBox="0 0 400 {height}" '
            f'width="400" height="{height}" aria-label="{cell(p.t("results_chart"))}">'
            f"<title>{cell(p.t('results_chart'))}</title>{''.join(bars)}</svg>"
            f"<figcaption dir=\"{p.dir}\">{p.t('results_chart')}</figcaption></figure>\n")


def charter_page(charter: Charter, lang: str) -> str:
    """The prose of the charter's general part, in reading order."""
    p = Page(charter, lang)
    out = [f"# {p.t('charter_title')}\n"]
    for s in charter.sections:
        out += [f"## {p.inline(s.title)} {{#{s.id}}}\n", p.text(s.body) + "\n"]
    return _finish(p, p.t("charter_title"), "\n".join(out))


def providers_page(charter: Charter, lang: str) -> str:
    """Enti gestori (Allegato 3) and the schede each runs."""
    p = Page(charter, lang)
    out = [f"# {p.t('providers_title')}\n"]
    for pr in charter.providers:
        out.append(f"## {cell(pr.name)} {{#{pr.id}}}\n")
        if pr.legal_form:
            out.append(p.text(pr.legal_form) + "\n")
        lines = []
        if pr.representative:
            lines.append(f"- {p.t('provider_representative')}: {cell(pr.representative)}")
        if pr.registered_office:
            lines.append(f"- {p.t('provider_registered')}: {p.inline(pr.registered_office)}")
        if pr.operating_office:
            lines.append(f"- {p.t('provider_operating')}: {p.inline(pr.operating_office)}")
        lines += [f"- {x.label}: {ltr(x.value)}" for x in present.provider_ids(charter, pr, lang)]
        out.append("\n".join(lines) + "\n")
        out.append(contact_md(p, present.contact_lines(charter, pr.contact, lang)))
        services = charter.services_of_provider(pr)
        if services:
            out.append(f"**{p.t('providers_services')}:**\n")
            out += [f"- [{cell(s.code)} {p.inline(s.title)}](servizi/{s.slug}.md)" for s in services]
            out.append("")
    return _finish(p, p.t("providers_title"), "\n".join(out))


def downloads_page(charter: Charter, lang: str, files: dict[str, str]) -> str:
    """Links to the open-data files (and the PDFs when they exist)."""
    p = Page(charter, lang)
    out = [f"# {p.t('downloads_title')}\n", p.t("downloads_intro") + "\n"]
    for key, href in files.items():
        if key.startswith("download_form_"):
            form = charter.form_by_id[key.removeprefix("download_form_")]
            label = f"{p.t('download_form')}: {p.inline(form.title)} ({cell(form.code)})"
        else:
            label = p.t(key)
        out.append(f'- <a href="{href}">{label}</a>')
    return _finish(p, p.t("downloads_title"), "\n".join(out) + "\n")


def accessibility_page(charter: Charter, lang: str) -> str:
    """The accessibility statement."""
    p = Page(charter, lang)
    contact = present.district_contact(charter, lang)
    out = [f"# {p.t('accessibility_title')}\n", p.t("accessibility_text") + "\n"]
    if contact:
        out += [f"## {p.t('accessibility_contact')}\n", contact_md(p, contact)]
    return _finish(p, p.t("accessibility_title"), "\n".join(out))


def privacy_page(charter: Charter, lang: str) -> str:
    """The privacy notice for the site and the online forms."""
    p = Page(charter, lang)
    out = [f"# {p.t('privacy_title')}\n", p.t("privacy_intro") + "\n"]
    pr = charter.district.privacy
    if pr:
        out += [f"**{p.t('privacy_controller')}:** {p.inline(pr.controller)}\n",
                f"**{p.t('privacy_processor')}:** {p.inline(pr.processor)}\n",
                f"**{p.t('privacy_law')}:** {p.inline(pr.law)}\n"]
    return _finish(p, p.t("privacy_title"), "\n".join(out))


def indicators_csv(charter: Charter) -> str:
    """Every quality row (schede and system) as CSV for spreadsheets (UTF-8, comma)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["scope", "code", "service", "indicator", "standard", "target_value",
                "target_max", "target_unit", "target_period", "target_comparison", "target_share"])
    for s in charter.services:
        for q in s.quality:
            w.writerow(["service", s.code, s.slug, q.indicator.it, q.standard.it, *_target(q)])
    if charter.system_quality:
        for a in charter.system_quality.areas:
            for q in a.indicators:
                w.writerow(["system", "", a.id, q.indicator.it, q.standard.it, *_target(q)])
    return buf.getvalue()


def _target(q) -> list[str]:
    t = q.target
    if t is None:
        return [""] * 6
    return [str(t.value), "" if t.max is None else str(t.max), t.unit.value,
            t.period.value if t.period else "", t.comparison.value,
            "" if t.share is None else str(t.share)]
