"""Weekly opening hours and closures, one row per weekday, times in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from carta.model.charter import Charter
from carta.model.hours import Closure, Opening, Weekday
from carta.present.formats import date_range, time_range
from carta.present.text import Shown, shown


@dataclass(frozen=True)
class DayHours:
    """One weekday of a timetable: its name, its opening slots (``08:30–13:00``) or closed."""

    weekday: str  # mon … sun
    day: str  # "Lunedì"
    slots: tuple[str, ...]
    note: tuple[Shown, ...] = ()

    @property
    def closed(self) -> bool:
        """Whether the place is closed all day."""
        return not self.slots


@dataclass(frozen=True)
class ClosureView:
    """A temporary closure: the dates and why."""

    dates: str
    reason: Shown


def weekly_hours(charter: Charter, openings: list[Opening], lang: str) -> list[DayHours]:
    """Monday to Friday always (a closed day says so), Saturday and Sunday only when open;
    slots of a day in time order."""
    rows = []
    for day in Weekday:
        slots = sorted((o for o in openings if day in o.days), key=lambda o: o.opens)
        if not slots and day in (Weekday.sat, Weekday.sun):
            continue
        rows.append(DayHours(
            day.value, charter.t(lang, f"day_{day.value}"),
            tuple(time_range(o.opens, o.closes, lang) for o in slots),
            tuple(shown(o.note, lang) for o in slots if o.note)))
    return rows


def closures(closed: list[Closure], lang: str) -> list[ClosureView]:
    """Temporary closures with their dates formatted for ``lang``."""
    return [ClosureView(date_range(c.start, c.end, lang), shown(c.reason, lang)) for c in closed]
