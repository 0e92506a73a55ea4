"""Age limits of a scheda: how they read, and whether a person of a given birth date fits.

Bounds are inclusive and counted in completed units, as people say their age: "fino a 11 anni"
includes a child of 11 years and 6 months.  In months that bound is 143 (11 × 12 + 11), and it
reads as "11 anni" again here, so editors can write exact months without citizens reading them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carta.model.charter import Charter
from carta.model.service import Age, AgeUnit
from carta.present.formats import number


@dataclass(frozen=True)
class AgeBound:
    """One bound as shown: the number and its unit (``years`` or ``months``)."""

    value: int
    unit: AgeUnit


def completed_months(born: dt.date, today: dt.date) -> int:
    """Whole months lived from ``born`` to ``today`` (a birthday counts on its day)."""
    return (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)


def completed(age: Age, born: dt.date, today: dt.date) -> int:
    """The age of someone born on ``born``, on ``today``, in the unit of ``age``."""
    months = completed_months(born, today)
    return months if age.unit is AgeUnit.months else months // 12


def age_allows(age: Age | None, born: dt.date, today: dt.date) -> bool:
    """Whether a person born on ``born`` is within ``age`` on ``today`` (no limits: yes)."""
    if age is None:
        return True
    value = completed(age, born, today)
    return (age.min is None or value >= age.min) and (age.max is None or value <= age.max)


def _readable(value: int, unit: AgeUnit, upper: bool) -> AgeBound:
    if unit is AgeUnit.months and value >= 12:
        if not upper and value % 12 == 0:
            return AgeBound(value // 12, AgeUnit.years)
        if upper and (value + 1) % 12 == 0:  # 143 months = up to the day before turning 12
            return AgeBound((value + 1) // 12 - 1, AgeUnit.years)
    return AgeBound(value, unit)


def age_bounds(age: Age) -> tuple[AgeBound | None, AgeBound | None]:
    """The lower and upper bound as people read them (months turned into years when exact)."""
    lo = _readable(age.min, age.unit, False) if age.min is not None else None
    hi = _readable(age.max, age.unit, True) if age.max is not None else None
    return lo, hi


def age_range(charter: Charter, age: Age, lang: str) -> str:
    """"da 3 mesi a 11 anni", "da 16 anni", "da 5 a 11 anni": the unit is said once when both
    bounds share it."""
    lo, hi = age_bounds(age)

    def unit(b: AgeBound) -> str:
        return charter.t(lang, "unit_months" if b.unit is AgeUnit.months else "unit_years")

    parts = []
    if lo is not None:
        parts.append(f"{charter.t(lang, 'age_from')} {number(lo.value, lang)}")
        if hi is None or hi.unit is not lo.unit:
            parts[-1] += f" {unit(lo)}"
    if hi is not None:
        parts.append(f"{charter.t(lang, 'age_to')} {number(hi.value, lang)} {unit(hi)}")
    return " ".join(parts)
