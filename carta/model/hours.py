"""Schedules as data: weekly hours, itinerant rotations, appointments, seasons, closures."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema, model_validator

from carta.model.base import Email, Model, Phone
from carta.model.text import Text

_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class Weekday(StrEnum):
    """Days of the week, in the order a timetable shows them."""

    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"

    @property
    def index(self) -> int:
        """0 for Monday … 6 for Sunday, like :meth:`datetime.date.weekday`."""
        return list(Weekday).index(self)


def _parse_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a time like 08:30")
    m = _HHMM.match(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not a time of day: write HH:MM from 00:00 to 23:59, "
                         "like 08:30")
    return dt.time(int(m.group(1)), int(m.group(2)))


Clock = Annotated[
    dt.time,
    BeforeValidator(_parse_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$",
                    "examples": ["08:30"]}),
]


class Opening(Model):
    """One opening slot on one or more weekdays (e.g. mon and wed, 11:00–13:30)."""

    days: list[Weekday]
    opens: Clock
    closes: Clock
    note: Text | None = None

    @model_validator(mode="after")
    def _order(self) -> Opening:
        if not self.days:
            raise ValueError("days: list at least one weekday (mon … sun)")
        if self.closes <= self.opens:
            raise ValueError(f"closes {self.closes:%H:%M} is not after opens {self.opens:%H:%M}")
        return self


class Closure(Model):
    """A temporary closure (holidays, works) shown beside the timetable."""

    start: dt.date
    end: dt.date
    reason: Text

    @model_validator(mode="after")
    def _order(self) -> Closure:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


def weekly(openings: list[Opening]) -> list[dict[str, str]]:
    """Flatten openings to ``{weekday, opens, closes}`` rows sorted by day and time."""
    rows = [(day.index, o.opens, o.closes, day.value) for o in openings for day in o.days]
    return [{"weekday": d, "opens": f"{a:%H:%M}", "closes": f"{b:%H:%M}"}
            for _, a, b, d in sorted(rows)]


def overlaps(openings: list[Opening]) -> list[tuple[Weekday, Opening, Opening]]:
    """Pairs of slots that overlap on the same weekday."""
    found = []
    for day in Weekday:
        slots = sorted((o for o in openings if day in o.days), key=lambda o: o.opens)
        for a, b in itertools.pairwise(slots):
            if b.opens < a.closes:
                found.append((day, a, b))
    return found


_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _month_day(value: Any) -> str:
    if not isinstance(value, str) or not _MONTH_DAY.match(value.strip()):
        raise ValueError(f"{value!r} is not a day of the year: write MM-DD, like 06-15")
    value = value.strip()
    try:
        dt.date(2000, int(value[:2]), int(value[3:]))  # 2000 is a leap year
    except ValueError:
        raise ValueError(f"{value!r} is not a real day of the year") from None
    return value


MonthDay = Annotated[str, BeforeValidator(_month_day),
                     WithJsonSchema({"type": "string", "pattern": r"^\d\d-\d\d$",
                                     "examples": ["06-15"]})]


class Stop(Model):
    """One stop of an itinerant desk: the comune it visits, on which weekdays, at what time."""

    comune: str  # a comune id of the district (checked by ``carta check``)
    days: list[Weekday]
    opens: Clock
    closes: Clock
    place: Text | None = None  # where in the comune (the town hall, the library …)
    note: Text | None = None  # e.g. "first and third week of the month"

    @model_validator(mode="after")
    def _order(self) -> Stop:
        if not self.days:
            raise ValueError("days: list at least one weekday (mon … sun)")
        if self.closes <= self.opens:
            raise ValueError(f"closes {self.closes:%H:%M} is not after opens {self.opens:%H:%M}")
        return self


class Appointment(Model):
    """Seen by appointment only, and how to book one (at least one way)."""

    phones: list[Phone] = []
    email: list[Email] = []
    url: str | None = None
    note: Text | None = None  # e.g. "two days ahead"

    @model_validator(mode="after")
    def _some_way(self) -> Appointment:
        if not (self.phones or self.email or self.url or self.note):
            raise ValueError("say how to book: phones, email, url or note, like "
                             "by_appointment: {phones: [\"081 123 4567\"]}")
        return self


class Season(Model):
    """A period of every year with its own hours (summer hours) or closed (``hours: []``)."""

    start: MonthDay
    end: MonthDay
    name: Text | None = None
    hours: list[Opening] = []
    note: Text | None = None

    @model_validator(mode="after")
    def _no_overlap(self) -> Season:
        clash = overlaps(self.hours)
        if clash:
            day, a, b = clash[0]
            raise ValueError(f"hours overlap on {day.value}: {a.opens:%H:%M}–{a.closes:%H:%M} "
                             f"and {b.opens:%H:%M}–{b.closes:%H:%M}")
        return self

    @property
    def closed(self) -> bool:
        """Whether the office is closed for the whole period."""
        return not self.hours


def rotation_clashes(stops: list[Stop]) -> list[tuple[Weekday, Stop, Stop]]:
    """Pairs of stops of one itinerant desk that overlap in time on the same weekday (the desk
    cannot be in two comuni at once)."""
    found = []
    for day in Weekday:
        slots = sorted((s for s in stops if day in s.days), key=lambda s: s.opens)
        for a, b in itertools.pairwise(slots):
            if b.opens < a.closes:
                found.append((day, a, b))
    return found
