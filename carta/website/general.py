"""The site's general pages: home, areas, offices, standards, tariffs, complaints, results …

Each page is a template in ``templates/`` (named after the page kind); this module picks the
page's language and title and hands the template what it cannot compute itself."""

from __future__ import annotations

from carta.model.charter import Charter
from carta.present.site_extra import result_text
from carta.website.page import Page
from carta.website.render import page


def home_page(charter: Charter, lang: str) -> str:
    """What the carta is, how to use it, the areas, principles, the district and its comuni."""
    p = Page(charter, lang)
    return page(p, "home.md", p.t("home_title"))


def area_page(charter: Charter, lang: str, area) -> str:
    """One area in its colour, with its schede."""
    p = Page(charter, lang, path=f"aree/{area.slug}.md")
    return page(p, "area.md", p.plain(area.name), area=area)


def offices_page(charter: Charter, lang: str) -> str:
    """Every office with its contacts, its schedule as the charter states it and its staff;
    then the health authority's contacts citizens may need."""
    p = Page(charter, lang, path="uffici.md")
    return page(p, "offices.md", p.t("offices_title"))


def quality_page(charter: Charter, lang: str) -> str:
    """System-level quality areas with indicators and standards."""
    p = Page(charter, lang)
    return page(p, "quality.md", p.t("quality_title"))


def tariffs_page(charter: Charter, lang: str) -> str:
    """Tariffs (Allegato 2), ISEE bands (Allegato 1) and extra access parameters (Allegato 4)."""
    p = Page(charter, lang)
    return page(p, "tariffs.md", p.t("tariffs_title"))


def complaints_page(charter: Charter, lang: str, complaint_link: str) -> str:
    """The complaint procedure with its deadlines and the link to the online form."""
    p = Page(charter, lang)
    return page(p, "complaints.md", p.t("complaints_title"), complaint_link=complaint_link)


def results_page(charter: Charter, lang: str) -> str:
    """Monitoring results: guaranteed vs realized per indicator, a bar chart, actions."""
    p = Page(charter, lang)
    return page(p, "results.md", p.t("results_title"), bar_chart=bar_chart)


def bar_chart(p: Page, report) -> dict:
    """Geometry of a report's bar chart of realized values (``templates/results.md`` draws
    it): one bar per result, its value written beside it."""
    bars = []
    for i, r in enumerate(report.results):
        value = float(r.realized_pct) if r.realized_pct is not None else 0.0
        width = max(0.0, min(value, 100.0)) * 3
        bars.append({"y": 5 + 22 * i, "width": f"{width:.0f}", "label_x": f"{44 + width:.0f}",
                     "outcome": r.outcome, "label": result_text(p.charter, r, p.lang)[0]})
    return {"height": 22 * len(report.results) + 10, "bars": bars}


def charter_page(charter: Charter, lang: str) -> str:
    """The prose of the charter's general part, in reading order."""
    p = Page(charter, lang)
    return page(p, "charter.md", p.t("charter_title"))


def providers_page(charter: Charter, lang: str) -> str:
    """Enti gestori (Allegato 3) and the schede each runs."""
    p = Page(charter, lang)
    return page(p, "providers.md", p.t("providers_title"))


def downloads_page(charter: Charter, lang: str, files: dict[str, str]) -> str:
    """Links to the open-data files (and the PDFs when they exist)."""
    p = Page(charter, lang)
    return page(p, "downloads.md", p.t("downloads_title"), files=files)


def accessibility_page(charter: Charter, lang: str) -> str:
    """The accessibility statement."""
    p = Page(charter, lang)
    return page(p, "accessibility.md", p.t("accessibility_title"))


def privacy_page(charter: Charter, lang: str) -> str:
    """The privacy notice for the site and the online forms."""
    p = Page(charter, lang)
    return page(p, "privacy.md", p.t("privacy_title"))


def legal_notes_page(charter: Charter, lang: str) -> str:
    """Note legali: the content licence, the privacy notice, the accessibility statement."""
    p = Page(charter, lang)
    return page(p, "legal.md", p.t("legal_title"))


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
