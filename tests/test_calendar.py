"""Working days: weekends, national holidays and the comune's patron saint."""

from __future__ import annotations

import datetime as dt

from carta.model.calendar import add_working_days, is_working_day
from carta.model.organisation import Comune, Patron

SORRENTO = Comune(id="sorrento", name="Sorrento", patron=Patron(saint="Sant'Antonino", day="02-14"))


def test_weekends_and_national_holidays_are_not_working_days():
    assert not is_working_day(dt.date(2026, 11, 21))  # Saturday
    assert not is_working_day(dt.date(2026, 12, 8))  # Immacolata, a Tuesday
    assert not is_working_day(dt.date(2026, 4, 6))  # Easter Monday
    assert is_working_day(dt.date(2026, 12, 9))


def test_patron_saint_day_counts_only_in_its_comune():
    day = dt.date(2028, 2, 14)  # a Monday
    assert is_working_day(day)
    assert not is_working_day(day, SORRENTO)


def test_thirty_working_days_skip_christmas_and_the_patron():
    # from Friday 27 Nov 2026: 8 Dec, 25 Dec, 1 Jan and 6 Jan are off
    assert add_working_days(dt.date(2026, 11, 27), 30) == dt.date(2027, 1, 14)
    assert add_working_days(dt.date(2028, 2, 11), 1, SORRENTO) == dt.date(2028, 2, 15)
    assert add_working_days(dt.date(2028, 2, 11), 1) == dt.date(2028, 2, 14)
