"""Standards measured from the backend's records: which standards of a charter can be
measured, and their results in a year, computed from plain cases (no database here).

A case counts in the year of its ``from`` event (local date, Europe/Rome).  It meets the
standard when its ``to`` event came within the deadline (calendar days, Italian working days
of its comune, hours or minutes); a case closed without the ``to`` event is judged by its
closure; an open case misses once its deadline has passed and is left out ("pending") until
then.  Below ``min_cases`` cases the row says "too few cases" instead of a percentage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from carta.model.calendar import add_days, add_working_days
from carta.model.quality import (
    CaseKind,
    Event,
    Indicator,
    Measure,
    Result,
    Unit,
    indicator_refs,
)
from carta.model.text import Text
from carta.monitoring import wording as words

if TYPE_CHECKING:
    from carta.model.charter import Charter
    from carta.model.organisation import Comune
    from carta.model.service import Service

ROME = ZoneInfo("Europe/Rome")
MIN_CASES = 5


@dataclass(frozen=True)
class Case:
    """One domanda or reclamo as a standard sees it: what, where, and when each event was."""

    kind: str  # domanda | reclamo
    service: str | None
    comune: str | None
    events: Mapping[Event, dt.datetime]  # aware datetimes
    ref: str = ""  # for messages only


@dataclass(frozen=True)
class Answer:
    """One anonymous answer as a standard sees it: which survey (a question id of the
    questionnaire, ``ease`` or ``page-feedback``), which form (a scheda's slug, ``reclamo``;
    for page ratings the page's path) and the score."""

    survey: str
    form: str
    score: int


@dataclass(frozen=True)
class SurveyRule:
    """A standard measured from answers: the share of them at or above ``satisfied_from``."""

    survey: str
    satisfied_from: int
    share: Decimal
    all_services: bool = False
    min_cases: int | None = None


@dataclass(frozen=True)
class Rule:
    """A measurement rule with every default filled in."""

    start: Event
    end: Event
    within: Decimal
    unit: Unit
    kind: CaseKind
    all_services: bool = False
    share: Decimal = Decimal(100)
    min_cases: int | None = None


@dataclass(frozen=True)
class Standard:
    """A standard of the charter as the results table shows it, with its rule if carta can
    measure it; otherwise ``why_not`` says why."""

    service: str | None
    scope: str | None  # system | complaints, for rows of no scheda
    ref: str
    factor: Text
    indicator: Text
    guaranteed: Text
    service_name: Text | None = None
    rule: Rule | None = None
    why_not: str | None = None
    survey: SurveyRule | None = None

    @property
    def key(self) -> tuple[str, str]:
        """How a results row is matched to it: (scheda or scope, indicator_ref)."""
        return (self.service or self.scope or "", self.ref)


def _rule(measure: Measure, target, kind: CaseKind, within=None, unit=None) -> Rule:
    share = measure.share if measure.share is not None else (
        target.share if target is not None and target.share is not None else Decimal(100))
    return Rule(start=measure.from_, end=measure.to,
                within=within if within is not None else (
                    measure.within if measure.within is not None else target.value),
                unit=unit or measure.unit or target.unit,
                kind=measure.kind or kind, all_services=measure.all_services,
                share=share, min_cases=measure.min_cases)


def _why_not(measure: Measure | None, recorded: frozenset[Event]) -> str | None:
    if measure is None:
        return "no measurement rule (measure:) in the charter"
    if measure.elsewhere:
        return "measured outside carta (measure: elsewhere)"
    missing = [e.value for e in (measure.from_, measure.to) if e not in recorded]
    if missing:
        return f"the backend does not record {', '.join(missing)} yet"
    return None


def _survey_rule(charter: Charter, measure: Measure, target) -> SurveyRule:
    from carta.model.satisfaction import BUILT_IN_SATISFIED_FROM

    q = charter.satisfaction
    share = measure.share if measure.share is not None else target.value
    return SurveyRule(survey=measure.survey,
                      satisfied_from=(q.satisfied_from(measure.survey) if q
                                      else BUILT_IN_SATISFIED_FROM),
                      share=share, all_services=measure.all_services,
                      min_cases=measure.min_cases)


def _indicator_standard(charter: Charter, q: Indicator, ref: str, recorded,
                        **where) -> Standard:
    m = q.measure
    if m is not None and m.from_answers:
        return Standard(ref=ref, factor=m.factor or words.text(charter, words.SATISFACTION),
                        indicator=q.indicator, guaranteed=q.standard,
                        survey=_survey_rule(charter, m, q.target), **where)
    why = _why_not(m, recorded)
    rule = None if why else _rule(m, q.target, CaseKind.domanda)
    factor = m.factor if m and m.factor else words.text(charter, words.TIMELINESS)
    return Standard(ref=ref, factor=factor, indicator=q.indicator, guaranteed=q.standard,
                    rule=rule, why_not=why, **where)


def standards(charter: Charter, recorded: Iterable[Event] = frozenset(Event)) -> list[Standard]:
    """Every standard of the charter — the schede's, the complaint procedure's and the
    system's — in charter order; those carta can measure carry their rule."""
    recorded = frozenset(recorded)
    out = []
    for s in charter.services:
        for q, ref in zip(s.quality, indicator_refs(s.quality), strict=True):
            out.append(_indicator_standard(charter, q, ref, recorded, service=s.slug,
                                           scope=None))
    c = charter.complaints
    for m in c.measure:
        unit = Unit.working_days if m.deadline.endswith("working_days") else Unit.days
        within = Decimal(getattr(c, m.deadline))
        indicator, guaranteed = words.complaint_texts(charter, m.deadline, within, unit)
        why = _why_not(m, recorded)
        out.append(Standard(
            service=None, scope="complaints", ref=m.id,
            service_name=words.text(charter, words.SCOPE_NAMES["complaints"]),
            factor=m.factor or words.text(charter, words.TIMELINESS),
            indicator=m.indicator or indicator, guaranteed=m.standard or guaranteed,
            rule=None if why else _rule(m, None, CaseKind.reclamo, within, unit),
            why_not=why))
    if charter.system_quality:
        name = words.text(charter, words.SCOPE_NAMES["system"])
        rows = [(a, q) for a in charter.system_quality.areas for q in a.indicators]
        for (area, q), ref in zip(rows, indicator_refs([q for _, q in rows]), strict=True):
            std = _indicator_standard(charter, q, ref, recorded, service=None, scope="system",
                                      service_name=name)
            if not (q.measure and q.measure.factor):
                std = replace(std, factor=area.name)  # the system table's quality areas
            out.append(std)
    return out


@dataclass
class Tally:
    """The cases of one standard in one year."""

    met: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    @property
    def measured(self) -> int:
        """Cases with an outcome (met or missed)."""
        return len(self.met) + len(self.missed)


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ROME)


def outcome(rule: Rule, case: Case, as_of: dt.datetime,
            comune: Comune | None = None) -> str | None:
    """``met``, ``missed`` or ``pending`` for one case, or None when it has no ``from``
    event (it is not a case of this standard)."""
    start = case.events.get(rule.start)
    if start is None:
        return None
    end = case.events.get(rule.end) or case.events.get(Event.closure)
    if rule.unit in (Unit.days, Unit.working_days):
        first = _local(start).date()
        n = int(rule.within)
        due = (add_working_days(first, n, comune) if rule.unit is Unit.working_days
               else add_days(first, n))
        if end is not None:
            return "met" if _local(end).date() <= due else "missed"
        return "missed" if _local(as_of).date() > due else "pending"
    span = dt.timedelta(hours=float(rule.within)) if rule.unit is Unit.hours else \
        dt.timedelta(minutes=float(rule.within))
    if end is not None:
        return "met" if end - start <= span else "missed"
    return "missed" if as_of - start > span else "pending"


def tally(rule: Rule, standard_service: str | None, cases: Iterable[Case], year: int,
          as_of: dt.datetime, comuni: Mapping[str, Comune]) -> Tally:
    """Sort the cases of ``year`` into met, missed and pending."""
    out = Tally()
    for case in cases:
        if case.kind != rule.kind:
            continue
        if standard_service and not rule.all_services and case.service != standard_service:
            continue
        start = case.events.get(rule.start)
        if start is None or _local(start).year != year:
            continue
        result = outcome(rule, case, as_of, comuni.get(case.comune or ""))
        getattr(out, result).append(case.ref)
    return out


def percent(part: int, whole: int) -> Decimal:
    """``part / whole`` as a percentage with at most one decimal (66.7, 100)."""
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


@dataclass(frozen=True)
class Computed:
    """One standard's computed row (plain data in the results format) and its tally."""

    standard: Standard
    row: dict[str, Any]
    tally: Tally


def survey_tally(rule: SurveyRule, standard_service: str | None,
                 answers: Iterable[Answer]) -> Tally:
    """Sort the year's answers of one survey into satisfied (met) and not (missed): a
    scheda's standard counts the answers about that scheda (its page, for page ratings)
    unless ``all_services``; the system's every answer."""
    from carta.model.satisfaction import PAGE_FEEDBACK

    out = Tally()
    for i, answer in enumerate(answers):
        if answer.survey != rule.survey:
            continue
        if standard_service and not rule.all_services:
            form = answer.form
            if rule.survey == PAGE_FEEDBACK:  # "en/servizi/telesoccorso/" → telesoccorso
                parts = [p for p in form.split("/") if p]
                form = parts[-1] if len(parts) >= 2 and parts[-2] == "servizi" else ""
            if form != standard_service:
                continue
        (out.met if answer.score >= rule.satisfied_from else out.missed).append(str(i))
    return out


def compute(charter: Charter, cases: list[Case], year: int, as_of: dt.datetime,
            recorded: Iterable[Event] = frozenset(Event), min_cases: int = MIN_CASES,
            answers: Iterable[Answer] = ()) -> tuple[list[Computed], list[Standard]]:
    """The rows of every measurable standard for ``year``, and the standards carta cannot
    measure (for editors to report by hand); ``answers`` are the year's anonymous answers
    (questionnaire, ease of use, page ratings) for the standards measured from a survey."""
    comuni = {c.id: c for c in charter.district.comuni}
    answers = list(answers)
    rows, unmeasured = [], []
    for std in standards(charter, recorded):
        if std.rule is None and std.survey is None:
            unmeasured.append(std)
            continue
        rule = std.rule or std.survey
        if std.survey is not None:
            counted = survey_tally(std.survey, std.service, answers)
            formula = words.survey_formula(charter, std.survey.survey,
                                           std.survey.satisfied_from)
            source = words.text(charter, words.SOURCE_ANSWERS)
        else:
            counted = tally(std.rule, std.service, cases, year, as_of, comuni)
            formula = words.formula(charter, std.rule.kind, std.rule.start, std.rule.end,
                                    std.rule.within, std.rule.unit)
            source = words.text(charter, words.SOURCE)
        row: dict[str, Any] = {"service": std.service, "scope": std.scope,
                               "service_name": std.service_name, "indicator_ref": std.ref,
                               "factor": std.factor, "indicator": std.indicator,
                               "guaranteed": std.guaranteed}
        fewest = rule.min_cases or min_cases
        if counted.measured < fewest:
            row |= {"not_measurable": True, "too_few_cases": True}
        else:
            realized = percent(len(counted.met), counted.measured)
            row |= {"realized_pct": realized, "met": realized >= rule.share}
        if counted.measured:
            row |= {"numerator": len(counted.met), "denominator": counted.measured}
        row["formula"] = formula
        if row.get("met") is False:
            row["reason"] = None  # for the editors to fill in
        row["source"] = source
        rows.append(Computed(std, {k: v for k, v in row.items()
                                   if v is not None or k == "reason"}, counted))
    return rows, unmeasured


@dataclass(frozen=True)
class Track:
    """One quality row of a scheda: what is guaranteed, and what was realized each year."""

    indicator: Indicator
    ref: str
    guaranteed: Text
    results: dict[int, Result]  # year → that year's published row


def tracks(charter: Charter, service: Service) -> list[Track]:
    """Guaranteed vs realized by year for each quality row of ``service``, in order (for the
    site and print: ``result.realized_pct``, ``result.outcome``, ``result.too_few_cases``,
    ``result.numerator``/``denominator``, ``result.formula`` and ``result.source``)."""
    refs = indicator_refs(service.quality)
    by_ref: dict[str, dict[int, Result]] = {ref: {} for ref in refs}
    for report in charter.monitoring:
        for result in report.results:
            if result.service == service.slug and result.indicator_ref in by_ref:
                by_ref[result.indicator_ref][report.year] = result
    return [Track(q, ref, q.standard, by_ref[ref])
            for q, ref in zip(service.quality, refs, strict=True)]


__all__ = ["Answer", "Case", "Computed", "Rule", "Standard", "SurveyRule", "Tally", "Track",
           "compute", "outcome", "percent", "standards", "survey_tally", "tally", "tracks"]
