"""Italian working days: national holidays (the ``holidays`` package) plus the patron saint of
the comune, as the charter's YAML gives it.  Deadlines in the charter count these days."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from carta.model.organisation import Comune


@lru_cache(maxsize=64)
def _national(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("IT", years=year))


def is_working_day(day: dt.date, comune: Comune | None = None) -> bool:
    """Monday–Friday, not a national holiday, not the comune's patron-saint day."""
    if day.weekday() >= 5 or day in _national(day.year):
        return False
    return not (comune and comune.patron and comune.patron.date_in(day.year) == day)


def add_working_days(start: dt.date, days: int, comune: Comune | None = None) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
    current, left = start, days
    while left > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current, comune):
            left -= 1
    return current


def add_days(start: dt.date, days: int) -> dt.date:
    """Calendar days (the charter says "giorni" for these, "giorni lavorativi" for the others)."""
    return start + dt.timedelta(days=days)
