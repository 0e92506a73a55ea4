"""Quality indicators, the standards guaranteed, and yearly monitoring results."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from carta.model.base import Amount, Model, Slug
from carta.model.text import Text


class Unit(StrEnum):
    """What a numeric standard counts."""

    minutes = "minutes"
    hours = "hours"
    days = "days"
    working_days = "working_days"
    percent = "percent"
    count = "count"
    users_per_operator = "users_per_operator"
    operators_per_user = "operators_per_user"
    euro = "euro"


class Period(StrEnum):
    """The period a count or a duration refers to (hours per week, meetings per year)."""

    day = "day"
    week = "week"
    month = "month"
    year = "year"


class Comparison(StrEnum):
    """How a measured value is compared with the target."""

    at_least = "at_least"
    at_most = "at_most"
    exactly = "exactly"
    between = "between"


class Target(Model):
    """Machine-readable form of a numeric standard, e.g. 90% of cases within 45 minutes."""

    value: Amount
    unit: Unit
    comparison: Comparison = Comparison.at_least
    max: Amount | None = None
    period: Period | None = None
    share: Amount | None = None  # percent of cases that must meet it

    @model_validator(mode="after")
    def _range(self) -> Target:
        if self.comparison is Comparison.between:
            if self.max is None:
                raise ValueError("comparison 'between' needs max, e.g. {value: 30, max: 60}")
            if self.max < self.value:
                raise ValueError(f"max {self.max} is below value {self.value}")
        elif self.max is not None:
            raise ValueError("max is only used with comparison: between")
        if self.share is not None and not (0 < self.share <= 100):
            raise ValueError(f"share must be a percent between 0 and 100, got {self.share}")
        if self.unit is Unit.percent and self.value > 100:
            raise ValueError(f"a percent cannot exceed 100, got {self.value}")
        return self


class Event(StrEnum):
    """A moment in the life of a domanda or reclamo that a standard is measured from or to.

    The backend derives them from what it records (``form_backend.events``): the submission's
    arrival and the office's status changes."""

    received = "received"  # the submission arrived
    taken_in_charge = "taken_in_charge"  # first put under examination (in-istruttoria)
    call_in = "call_in"  # the citizen was invited to a meeting (convocazione)
    meeting = "meeting"  # the meeting (colloquio) took place: the office records its day
    activation = "activation"  # the service started for the person: the office records it
    integration_requested = "integration_requested"  # documents or information asked for
    integration_received = "integration_received"  # … and received (examination resumed)
    decision = "decision"  # a domanda concluded
    complaint_answer = "complaint_answer"  # a reclamo answered (concluded)
    closure = "closure"  # the case closed, whatever its kind


class CaseKind(StrEnum):
    """What the backend receives: applications and complaints."""

    domanda = "domanda"
    reclamo = "reclamo"


TIME_UNITS = (Unit.minutes, Unit.hours, Unit.days, Unit.working_days)


def _known_event(value: Any) -> Any:
    if isinstance(value, str) and value not in Event.__members__:
        raise ValueError(f'unknown event "{value}"; known: ' + ", ".join(Event))
    return value


EventName = Annotated[Event, BeforeValidator(_known_event)]


class Measure(Model):
    """How a standard is measured from the backend's events, e.g. ``{from: received, to:
    decision, within: 30, unit: working_days}``; from the citizens' answers, ``{survey:
    overall}`` (a question of ``content/satisfaction.yaml``, or ``ease``, the receipt's
    ease-of-use answer, or ``page-feedback``, the site pages' rating: the share of satisfied
    answers); or ``elsewhere`` (measured outside carta).

    ``within`` and ``unit`` default to the indicator's target (``at_most`` a duration);
    ``share`` (percent of cases that must meet it) to the target's share, else 100.  A scheda's
    rule counts the domande of that scheda unless ``all_services``; ``min_cases`` is the
    fewest cases worth a percentage (fewer: "too few cases")."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: EventName | None = Field(None, alias="from")
    to: EventName | None = None
    within: Amount | None = None
    unit: Unit | None = None
    kind: CaseKind | None = None
    all_services: bool = False
    share: Amount | None = None
    min_cases: int | None = None
    factor: Text | None = None  # the quality factor of the results table (default Tempestività)
    elsewhere: bool = False
    survey: Slug | None = None

    @property
    def from_answers(self) -> bool:
        """Whether the standard is measured from the citizens' answers (``survey``)."""
        return self.survey is not None

    @model_validator(mode="after")
    def _rule(self) -> Measure:
        if self.elsewhere:
            if self.from_ or self.to or self.within is not None or self.unit or self.survey:
                raise ValueError("measure: elsewhere takes no rule; write either "
                                 "measure: elsewhere or {from: …, to: …}")
            return self
        if self.survey is not None:
            if self.from_ or self.to or self.within is not None or self.unit or self.kind:
                raise ValueError("a survey is measured from answers, not events: write "
                                 "{survey: overall, share: 80} without from, to, within, "
                                 "unit or kind")
            if self.share is not None and not (0 < self.share <= 100):
                raise ValueError(f"share must be a percent between 0 and 100, got "
                                 f"{self.share}")
            if self.min_cases is not None and self.min_cases < 1:
                raise ValueError("min_cases must be at least 1")
            return self
        if self.from_ is None or self.to is None:
            raise ValueError("give from and to, e.g. {from: received, to: decision}, "
                             "or write measure: elsewhere")
        if self.from_ == self.to:
            raise ValueError(f"from and to are the same event ({self.from_})")
        if self.unit is not None and self.unit not in TIME_UNITS:
            raise ValueError(f"unit must be a duration ({', '.join(TIME_UNITS)}), "
                             f"got {self.unit}")
        if self.within is not None:
            if self.within <= 0:
                raise ValueError("within must be more than 0")
            if self.unit in (Unit.days, Unit.working_days) and self.within != int(self.within):
                raise ValueError(f"within {self.within} {self.unit}: use whole days")
        if self.share is not None and not (0 < self.share <= 100):
            raise ValueError(f"share must be a percent between 0 and 100, got {self.share}")
        if self.min_cases is not None and self.min_cases < 1:
            raise ValueError("min_cases must be at least 1")
        return self


def _measure_input(value: Any) -> Any:
    if isinstance(value, str):
        if value.strip() == "elsewhere":
            return {"elsewhere": True}
        raise ValueError(f"{value!r}: write measure: elsewhere, or a rule like "
                         "{from: received, to: decision, within: 30, unit: working_days}")
    return value


MeasureField = Annotated[Measure | None, BeforeValidator(
    _measure_input, json_schema_input_type=Measure | Literal["elsewhere"] | None)]


def derived_id(text: str) -> str:
    """A slug of an indicator's Italian text (at most 60 characters, whole words)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = ""
    for word in re.findall(r"[a-z0-9]+", plain):
        if len(out) + len(word) + 1 > 60:
            break
        out = f"{out}-{word}" if out else word
    return out or "indicatore"


class Indicator(Model):
    """One row of a quality table: what is measured → what is guaranteed.

    Results refer to it by ``id`` (``indicator_ref``); without one written, by a slug of the
    Italian indicator text (see :func:`indicator_refs`; write an id to keep it stable when
    the text changes)."""

    id: Slug | None = None
    indicator: Text
    standard: Text
    target: Target | None = None
    measure: MeasureField = None

    @model_validator(mode="after")
    def _measurable(self) -> Indicator:
        m = self.measure
        if m is not None and m.from_answers:
            t = self.target
            if m.share is None and not (t and t.unit is Unit.percent):
                raise ValueError("a survey measure needs the share of satisfied answers to "
                                 "reach: share: 80, or a target like {value: 80, unit: "
                                 "percent}")
            return self
        if m is not None and not m.elsewhere and (m.within is None or m.unit is None):
            t = self.target
            if not (t and t.comparison is Comparison.at_most and t.unit in TIME_UNITS
                    and t.period is None):
                raise ValueError("measure needs within and unit (e.g. within: 30, unit: "
                                 "working_days), or a target like {value: 30, unit: "
                                 "working_days, comparison: at_most}")
        return self


def indicator_refs(indicators: list[Indicator]) -> list[str]:
    """What results call each of ``indicators``, in order: its ``id``, else a slug of its
    Italian text, with ``-2``, ``-3`` … where two rows of one table read the same."""
    taken = {q.id for q in indicators if q.id}
    out = []
    for q in indicators:
        if q.id:
            out.append(q.id)
            continue
        stem = derived_id(q.indicator.it)
        ref, n = stem, 1
        while ref in taken:
            n += 1
            ref = f"{stem}-{n}"
        taken.add(ref)
        out.append(ref)
    return out


class ComplaintDeadline(StrEnum):
    """The deadlines of ``content/complaints.yaml`` a measurement rule can stand for."""

    call_in_days = "call_in_days"
    meeting_within_working_days = "meeting_within_working_days"
    urgent_action_days = "urgent_action_days"
    user_protection_days = "user_protection_days"


class ComplaintMeasure(Measure):
    """A deadline of the complaint procedure and how it is measured; ``within`` and ``unit``
    are the deadline's own (``call_in_days: 5`` → 5 days)."""

    id: Slug
    deadline: ComplaintDeadline
    indicator: Text | None = None  # default: carta's wording for the deadline
    standard: Text | None = None

    @model_validator(mode="after")
    def _own_numbers(self) -> ComplaintMeasure:
        if self.within is not None or self.unit is not None:
            raise ValueError(f"within and unit come from {self.deadline}: remove them")
        if self.kind not in (None, CaseKind.reclamo) or self.all_services:
            raise ValueError("a complaint deadline measures reclami (all of them)")
        if self.survey is not None:
            raise ValueError("a complaint deadline is measured from events, not a survey")
        return self


class QualityArea(Model):
    """A system-level quality area (Accessibilità …) with its verification method."""

    id: Slug
    name: Text
    description: Text
    verification: Text
    indicators: list[Indicator]


class SystemQuality(Model):
    """File ``content/system_quality.yaml``."""

    intro: Text | None = None
    areas: list[QualityArea]


class Result(Model):
    """One indicator's realized value in a monitoring year (the shape of a yearly report)."""

    service: Slug | None = None
    scope: Literal["system", "complaints"] | None = None  # a row of no scheda: which table
    indicator_ref: Slug | None = None
    service_name: Text | None = None
    factor: Text
    indicator: Text
    guaranteed: Text
    realized_pct: Amount | None = None
    not_measurable: bool = False
    too_few_cases: bool = False  # not_measurable because fewer cases than a percent needs
    met: bool | None = None
    numerator: Amount | None = None
    denominator: Amount | None = None
    formula: Text | None = None
    reason: Text | None = None
    source: Text | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _value(self) -> Result:
        if self.not_measurable == (self.realized_pct is not None):
            raise ValueError("give either realized_pct (e.g. 100) or not_measurable: true")
        if self.service is None and self.service_name is None:
            raise ValueError("name the service: service (a scheda's slug) or service_name")
        if self.indicator_ref is not None and self.service is None and self.scope is None:
            raise ValueError("indicator_ref needs service (the scheda it belongs to) or "
                             "scope (system or complaints)")
        if self.too_few_cases and not self.not_measurable:
            raise ValueError("too_few_cases goes with not_measurable: true")
        if self.denominator == 0:
            raise ValueError("denominator is 0")
        return self

    @property
    def outcome(self) -> str:
        """``met``, ``not_met`` or ``not_measurable``."""
        if self.not_measurable:
            return "not_measurable"
        met = self.met if self.met is not None else self.realized_pct >= Decimal(100)
        return "met" if met else "not_met"


class Action(Model):
    """An improvement action and what came of it."""

    action: Text
    outcome: Text | None = None


class Monitoring(Model):
    """File ``content/monitoring/<year>.yaml``: one year's published results."""

    year: int
    published: dt.date | None = None
    title: Text | None = None
    results: list[Result]
    actions: list[Action] = []
