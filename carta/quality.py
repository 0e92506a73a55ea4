"""Quality indicators, the standards guaranteed, and yearly monitoring results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import model_validator

from carta.base import Amount, Model, Slug
from carta.text import Text


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


class Indicator(Model):
    """One row of a quality table: what is measured → what is guaranteed."""

    id: Slug | None = None
    indicator: Text
    standard: Text
    target: Target | None = None


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
    indicator_ref: Slug | None = None
    service_name: Text | None = None
    factor: Text
    indicator: Text
    guaranteed: Text
    realized_pct: Amount | None = None
    not_measurable: bool = False
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
        if self.indicator_ref is not None and self.service is None:
            raise ValueError("indicator_ref needs service (the scheda it belongs to)")
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
