"""Checks of the satisfaction questionnaire and of the standards measured from it, located
in the file and line where the editor wrote the reference."""

from __future__ import annotations

from carta.errors import Problem
from carta.load.references import _unique, _unknown, walk_texts
from carta.load.source import Source
from carta.model.charter import Charter
from carta.model.satisfaction import BUILT_IN_SURVEYS

FILE = "content/satisfaction.yaml"


def check_surveys(charter: Charter, sources: dict[str, Source],
                  service_sources: dict[str, Source]) -> list[Problem]:
    """Every problem of ``content/satisfaction.yaml`` and of the ``measure: {survey: …}``
    rules that name its questions."""
    out: list[Problem] = []
    q = charter.satisfaction
    src = sources.get(FILE)
    if q is not None and src is not None:
        _unique(out, src, [(("scales", i, "id"), s.id) for i, s in enumerate(q.scales)],
                "scale id")
        _unique(out, src, [(("questions", i, "id"), x.id) for i, x in enumerate(q.questions)],
                "question id")
        scales = {s.id for s in q.scales}
        for i, question in enumerate(q.questions):
            if question.id in BUILT_IN_SURVEYS:
                out.append(src.problem(("questions", i, "id"), f"{question.id!r} is the name "
                                       "of a built-in survey: give the question another id"))
            if question.scale not in scales:
                out.append(src.problem(("questions", i, "scale"),
                                       _unknown("scale", question.scale, scales)))
        langs = set(charter.district.languages)
        for path, text in walk_texts(q):
            for lang in text:
                if lang not in langs:
                    out.append(src.problem((*path, lang), f"language {lang!r} is not in the "
                                           f"district's languages ({', '.join(sorted(langs))})"))
    known = set(BUILT_IN_SURVEYS) | ({x.id for x in q.questions} if q else set())

    def check(source: Source | None, path: tuple, survey: str | None) -> None:
        if survey is None or source is None or survey in known:
            return
        hint = "" if q else f" ({FILE} is missing: only {', '.join(BUILT_IN_SURVEYS)} exist)"
        out.append(source.problem((*path, "measure", "survey"),
                                  _unknown("survey question", survey, known) + hint))

    for service in charter.services:
        for j, row in enumerate(service.quality):
            if row.measure is not None:
                check(service_sources.get(service.slug), ("quality", j), row.measure.survey)
    if charter.system_quality:
        system_src = sources.get("content/system_quality.yaml")
        for a, area in enumerate(charter.system_quality.areas):
            for j, row in enumerate(area.indicators):
                if row.measure is not None:
                    check(system_src, ("areas", a, "indicators", j), row.measure.survey)
    return out
