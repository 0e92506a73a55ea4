"""The site's general pages: home, areas, offices, standards, tariffs, complaints, results …

Each page is a template in ``templates/`` (named after the page kind); this module picks the
page's language and title and hands the template what it cannot compute itself."""

from __future__ import annotations

from carta.model.charter import Charter
from carta.present.site_extra import result_text
from carta.website.page import Page
from carta.website.render import page


def general_page(charter: Charter, lang: str, name: str, path: str = "index.md",
                 **values: object) -> str:
    """The general page ``name`` in ``lang``: template ``templates/<name>.md`` (its header
    says what the page holds), titled with the string ``<name>_title``. ``path`` is where it
    sits, for the links it makes; ``values`` go to the template."""
    p = Page(charter, lang, path=path)
    return page(p, f"{name}.md", p.t(f"{name}_title"), **values)


def area_page(charter: Charter, lang: str, area) -> str:
    """One area in its colour, with its schede."""
    p = Page(charter, lang, path=f"aree/{area.slug}.md")
    return page(p, "area.md", p.plain(area.name), area=area)


def results_page(charter: Charter, lang: str) -> str:
    """Monitoring results: guaranteed vs realized per indicator, a bar chart, actions."""
    return general_page(charter, lang, "results", bar_chart=bar_chart)


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
