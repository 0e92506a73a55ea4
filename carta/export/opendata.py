"""The public open-data export of a charter (JSON), with a versioned shape."""

from __future__ import annotations

import json
from typing import Any

from carta.model.charter import Charter
from carta.model.hours import weekly

EXPORT_FORMAT = "carta-export"
EXPORT_VERSION = 1


def export_data(charter: Charter) -> dict[str, Any]:
    """The whole charter as plain JSON-ready data.

    Shape version 1: ``services`` (each with ``code``, ``slug``, ``area``, ``title``,
    ``revised`` and everything else of the scheda), ``areas`` (``code``, ``colour`` …),
    ``offices`` (``comune``, ``hours`` as ``{weekday, opens, closes}`` rows, ``served_comuni``
    (ids: its own, those listed, those its rotation visits), ``rotation`` as ``{weekday,
    comune, opens, closes, place?, note?}`` rows, ``always_open``, ``by_appointment`` (how to
    book), ``seasons`` (``start``/``end`` as ``MM-DD``, their ``hours`` as rows; none: closed)
    …), ``complaints`` (only the deadlines the charter states), ``indicators``
    (every quality row of every scheda, flattened, plus the system standards), ``tariffs``,
    and the rest of the charter under its own keys.  New keys may be added; existing keys keep
    their meaning until the version changes.
    """

    def dump(obj: Any) -> Any:
        return obj.model_dump(mode="json", exclude_none=True)

    services = []
    indicators = []
    for s in charter.services:
        row = dump(s)
        services.append(row)
        for i, q in enumerate(s.quality):
            indicators.append({"scope": "service", "service": s.slug, "code": s.code,
                               "position": i + 1, **dump(q)})
    if charter.system_quality:
        for area in charter.system_quality.areas:
            for i, q in enumerate(area.indicators):
                indicators.append({"scope": "system", "quality_area": area.id,
                                   "position": i + 1, **dump(q)})
    offices = []
    for o in charter.offices:
        row = dump(o)
        row["hours"] = weekly(o.hours)
        row.setdefault("comune", None)
        row["served_comuni"] = o.served_comuni
        row["rotation"] = [
            {"weekday": d.value, "comune": stop.comune, "opens": f"{stop.opens:%H:%M}",
             "closes": f"{stop.closes:%H:%M}",
             **{k: v for k, v in dump(stop).items() if k in ("place", "note")}}
            for d, stop in sorted(((d, x) for x in o.rotation for d in x.days),
                                  key=lambda pair: (pair[0].index, pair[1].opens))]
        row["seasons"] = [{**dump(season), "hours": weekly(season.hours)}
                          for season in o.seasons]
        offices.append(row)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "content_hash": charter.content_hash,
        "district": dump(charter.district),
        "areas": [dump(a) for a in charter.areas],
        "services": services,
        "offices": offices,
        "indicators": indicators,
        "tariffs": [dump(t) for t in charter.tariffs.tariffs],
        "bands": dump(charter.bands) if charter.bands else None,
        "access_parameters": dump(charter.access_parameters) if charter.access_parameters else None,
        "providers": [dump(p) for p in charter.providers],
        "forms": [dump(f) for f in charter.forms],
        "complaints": dump(charter.complaints),
        "system_quality": dump(charter.system_quality) if charter.system_quality else None,
        "health": dump(charter.health) if charter.health else None,
        "sections": [dump(s) for s in charter.sections],
        "monitoring": [dump(m) for m in charter.monitoring],
    }


def render_json(charter: Charter) -> str:
    """The export as indented JSON text."""
    return json.dumps(export_data(charter), ensure_ascii=False, indent=2) + "\n"
