"""The wording of the rows carta computes (formula, source, factor, complaint deadlines,
survey formulas), as multilingual texts in the charter's languages.

The words are interface strings (``monitoring_*`` in ``carta/strings/<lang>.yaml``), so a
charter may word them its own way in ``content/strings/``; only the plural rule of durations
is code here.
"""

from __future__ import annotations

from decimal import Decimal

from carta.model.quality import CaseKind, ComplaintDeadline, Event, Unit
from carta.model.text import Text
from carta.strings import REFERENCE, defaults

SOURCE = "monitoring_source"  # rows measured from domande and reclami
SOURCE_ANSWERS = "monitoring_source_answers"  # rows measured from the citizens' answers
TIMELINESS = "monitoring_factor_timeliness"
SATISFACTION = "monitoring_factor_satisfaction"
SCOPE_NAMES = {"system": "monitoring_scope_system", "complaints": "monitoring_scope_complaints"}


def _langs(charter) -> list[str]:
    return ["it", *[lang for lang in charter.district.languages if lang != "it"]]


def text(charter, key: str, **values) -> Text:
    """The interface string ``key`` in each of the charter's languages (Italian always)."""
    return Text({lang: charter.t(lang, key, **values) for lang in _langs(charter)})


def default_italian(key: str) -> str:
    """carta's own Italian for ``key`` (what rows written before a charter's override say)."""
    return defaults()[REFERENCE][key]


def duration(charter, n: Decimal, unit: Unit, lang: str) -> str:
    """``15 giorni lavorativi``, ``1 day``, ``30 يوم عمل``: one, up to ten (other), and
    eleven or more (many: only Arabic words it differently)."""
    count = int(n) if n == int(n) else n
    form = "one" if count == 1 else "other" if count <= 10 else "many"
    return charter.t(lang, f"monitoring_unit_{unit.value}_{form}", n=count)


def formula(charter, kind: CaseKind, start: Event, end: Event, within: Decimal,
            unit: Unit) -> Text:
    """``domande nei tempi / domande misurate (dal ricevimento alla decisione entro 15
    giorni)`` in each language of the charter."""
    return Text({lang: charter.t(
        lang, "monitoring_formula", k=charter.t(lang, f"monitoring_kind_{kind.value}"),
        m=charter.t(lang, f"monitoring_measured_{kind.value}"),
        a=charter.t(lang, f"monitoring_from_{start.value}"),
        b=charter.t(lang, f"monitoring_to_{end.value}"),
        n=duration(charter, within, unit, lang)) for lang in _langs(charter)})


def survey_formula(charter, survey: str, satisfied_from: int) -> Text:
    """``risposte da «Abbastanza soddisfatto» in su / risposte ricevute (Nel complesso …)``:
    the question's own words and its scale's first satisfied answer; for the built-in
    surveys their name and the stars."""
    from carta.model.satisfaction import EASE

    q = charter.satisfaction
    question = next((x for x in q.questions if x.id == survey), None) if q else None
    out = {}
    for lang in _langs(charter):
        if question is not None:
            label = next(o.label for o in q.scale_of(question).options
                         if o.value == satisfied_from)
            what, level = question.text.resolve(lang)[0], label.resolve(lang)[0]
        else:
            what = charter.t(lang, "monitoring_survey_ease" if survey == EASE
                             else "monitoring_survey_page_feedback")
            level = (charter.t(lang, f"follow_ease_score_{satisfied_from}") if survey == EASE
                     else charter.t(lang, "monitoring_survey_stars", n=satisfied_from))
        out[lang] = charter.t(lang, "monitoring_survey_formula", level=level, survey=what)
    return Text(out)


def complaint_texts(charter, deadline: ComplaintDeadline, within: Decimal,
                    unit: Unit) -> tuple[Text, Text]:
    """(indicator, guaranteed) of a deadline of the complaint procedure."""
    key = f"monitoring_complaint_{deadline.value}"
    return (text(charter, f"{key}_indicator"),
            Text({lang: charter.t(lang, f"{key}_standard",
                                  n=duration(charter, within, unit, lang))
                  for lang in _langs(charter)}))
