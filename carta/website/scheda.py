"""One scheda as a site page, in the Designers Italia "Scheda servizio" order.

The page is ``templates/scheda.md``; this module hands it the view data it cannot compute
itself (which standards are deadlines, the latest year of results, a chart's geometry, the
topics once each)."""

from __future__ import annotations

from markupsafe import Markup

from carta.model.charter import Charter
from carta.model.service import Service
from carta.present.site_extra import standard_results
from carta.website.jsonld import json_ld  # moved there; callers may still import it from here
from carta.website.page import Page
from carta.website.render import page

TIMED_UNITS = ("minutes", "hours", "days", "working_days")


def service_page(charter: Charter, service: Service, lang: str, links: dict[str, str]) -> str:
    """Markdown of the page ``servizi/<slug>`` in ``lang``; every fact comes formatted from
    :mod:`carta.present`, and a section the charter gives nothing for is left out.

    ``links`` holds site-relative targets the page points to: ``apply``, ``complain``,
    ``pdf`` (absent when there is no PDF), ``area``, ``offices``, ``tariffs`` (absent when
    the site has no tariffs page).
    """
    p = Page(charter, lang, path=f"servizi/{service.slug}.md")
    s = service
    area = charter.area_by_code[s.area]
    offices = charter.offices_for(s.access.offices)
    rows = standard_results(charter, s, lang) if s.quality else []
    jsonld = json_ld(charter, s, offices, p, links.get("apply") if s.takes_applications else None)
    return page(
        p, "scheda.md", s.code + " " + p.plain(s.title), s=s, area=area, links=links,
        offices=offices, topics=topics(p, area, s),
        timed=[q for q in s.quality if q.target and q.target.unit.value in TIMED_UNITS],
        quality_rows=rows, latest=max((y.year for r in rows for y in r.years), default=None),
        trend_chart=trend_chart,
        # json_ld escapes "</" in the JSON, so nothing in it can end its <script>
        jsonld=Markup(jsonld))


def topics(p: Page, area, s: Service) -> list[Markup]:
    """The scheda's topic tags, each once: an activity area or keyword often repeats the
    area's name."""
    found: dict[str, Markup] = {}
    for value in [area.name, s.activity_area, *s.keywords]:
        if value is not None:
            found.setdefault(p.plain(value).casefold().strip(), p.inline(value))
    return list(found.values())


def trend_chart(p: Page, r) -> dict:
    """Geometry of a standard's trend chart (``templates/scheda.md`` draws it): realized
    percent across years, and its text alternative (the values, year by year)."""
    points = [(y.year, y.value, y.text) for y in r.years if y.value is not None]
    width, height, left, top, span = 320, 160, 60, 24, 110
    step = (width - left - 20) / max(1, len(points) - 1)
    xy = [(left + i * step, top + span * (1 - max(0.0, min(v, 100.0)) / 100))
          for i, (_, v, _) in enumerate(points)]
    alt = str(p.t("result_trend", indicator=p.plain_shown(r.indicator))) + ": " + ", ".join(
        f"{y.year} {y.text}" for y in r.years)
    return {
        "width": width, "height": height, "left": left, "alt": alt,
        "grid": [{"value": g, "y": f"{top + span * (1 - g / 100):.0f}",
                  "label_y": f"{top + span * (1 - g / 100) + 4:.0f}"} for g in (0, 50, 100)],
        "line": " ".join(f"{x:.0f},{y:.0f}" for x, y in xy),
        "marks": [{"x": f"{x:.0f}", "y": f"{y:.0f}", "label_y": f"{y - 8:.0f}", "year": year,
                   "text": text} for (x, y), (year, _, text) in zip(xy, points, strict=True)],
    }
