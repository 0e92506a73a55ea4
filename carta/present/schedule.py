"""When and where an office can be reached, as the charter states it: weekly hours, an
itinerant rotation between comuni, by appointment (and how to book), always open, seasonal
periods, closures; day names, dates and times in the reader's language (Babel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_skeleton, get_day_names

from carta.model.charter import Charter
from carta.model.hours import Season, Weekday
from carta.model.organisation import Office
from carta.present.contacts import ContactLine, ContactValue, _tel
from carta.present.formats import locale, time_range
from carta.present.hours import ClosureView, DayHours, closures, weekly_hours
from carta.present.text import Shown, shown


def day_name(weekday: Weekday, lang: str) -> str:
    """The weekday's full name in ``lang`` (Babel), capitalised as a table cell starts."""
    name = get_day_names("wide", locale=locale(lang))[weekday.index]
    return name[:1].upper() + name[1:]


def month_day(value: str, lang: str) -> str:
    """A day of every year (``06-15``) in words: "15 giugno", "15 June", "15 juin"."""
    return format_skeleton("MMMMd", dt.date(2000, int(value[:2]), int(value[3:])),
                           locale=locale(lang))


@dataclass(frozen=True)
class StopView:
    """One stop of an itinerant desk: the day, the comune (and where in it), the time."""

    weekday: str  # mon … sun
    day: str
    comune: str
    place: Shown | None
    time: str
    note: Shown | None


@dataclass(frozen=True)
class AppointmentView:
    """By appointment only: the sentence, the ways to book as contact lines, a note."""

    text: str
    book: str  # "Per prenotare"
    lines: tuple[ContactLine, ...]
    note: Shown | None


@dataclass(frozen=True)
class SeasonView:
    """A yearly period: "Dal 15 giugno al 15 settembre", its name, its hours or closed."""

    dates: str
    name: Shown | None
    days: tuple[DayHours, ...]
    closed: bool
    note: Shown | None


@dataclass(frozen=True)
class ScheduleView:
    """Everything the charter states about when an office can be reached; a renderer shows
    the parts that are there, in this order, and ``not_stated`` when none is."""

    always_open: str | None
    weekly: tuple[DayHours, ...]
    text: Shown | None
    rotation: tuple[StopView, ...]
    appointment: AppointmentView | None
    seasons: tuple[SeasonView, ...]
    closures: tuple[ClosureView, ...]
    comuni: tuple[str, ...]  # names of the comuni it serves, when more than its own
    not_stated: str | None  # "Orari non indicati." when the charter says nothing of when

    @property
    def stated(self) -> bool:
        """Whether the charter says anything about when the office can be reached."""
        return self.not_stated is None


def comune_name(charter: Charter, comune_id: str) -> str:
    """A comune's name from its id (the id itself when unknown: ``carta check`` reports it)."""
    return next((c.name for c in charter.district.comuni if c.id == comune_id), comune_id)


def served_comuni(charter: Charter, office: Office) -> list[str]:
    """Names of the comuni an office serves (its own, the listed ones, its rotation's)."""
    return [comune_name(charter, c) for c in office.served_comuni]


def _season(charter: Charter, season: Season, lang: str) -> SeasonView:
    dates = charter.t(lang, "schedule_season_dates", start=month_day(season.start, lang),
                      end=month_day(season.end, lang))
    return SeasonView(dates, shown(season.name, lang),
                      tuple(weekly_hours(charter, season.hours, lang)) if season.hours else (),
                      season.closed, shown(season.note, lang))


def schedule(charter: Charter, office: Office, lang: str) -> ScheduleView:
    """The schedule of ``office`` in ``lang``: only what the charter states."""
    stops = sorted(((d, s) for s in office.rotation for d in s.days),
                   key=lambda x: (x[0].index, x[1].opens))
    rotation = tuple(StopView(d.value, day_name(d, lang), comune_name(charter, s.comune),
                              shown(s.place, lang), time_range(s.opens, s.closes, lang),
                              shown(s.note, lang)) for d, s in stops)
    appointment = None
    if office.by_appointment:
        a = office.by_appointment
        lines = []
        if a.phones:
            lines.append(ContactLine("phone", charter.t(lang, "office_phone"), tuple(
                ContactValue(Shown(n, lang), _tel(n), ltr=True) for n in a.phones)))
        if a.email:
            lines.append(ContactLine("email", charter.t(lang, "office_email"), tuple(
                ContactValue(Shown(m, lang), f"mailto:{m}", ltr=True) for m in a.email)))
        if a.url:
            href = a.url if a.url.startswith("http") else f"https://{a.url}"
            lines.append(ContactLine("website", charter.t(lang, "office_website"),
                                     (ContactValue(Shown(a.url, lang), href, ltr=True),)))
        appointment = AppointmentView(charter.t(lang, "schedule_by_appointment"),
                                      charter.t(lang, "schedule_book"), tuple(lines),
                                      shown(a.note, lang))
    comuni = served_comuni(charter, office)
    return ScheduleView(
        always_open=charter.t(lang, "schedule_always_open") if office.always_open else None,
        weekly=tuple(weekly_hours(charter, office.hours, lang)) if office.hours else (),
        text=shown(office.hours_text, lang),
        rotation=rotation,
        appointment=appointment,
        seasons=tuple(_season(charter, s, lang) for s in office.seasons),
        closures=tuple(closures(office.closures, lang)),
        comuni=tuple(comuni) if len(comuni) > 1 else (),
        not_stated=None if office.has_schedule else charter.t(lang, "office_no_hours"))


_SCHEMA_DAYS = {d: f"https://schema.org/{n}" for d, n in zip(
    Weekday, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    strict=True)}


def opening_hours_specification(charter: Charter, office: Office,
                                year: int | None = None) -> list[dict]:
    """schema.org ``OpeningHoursSpecification`` items of an office for JSON-LD: weekly
    slots, every day 00:00–23:59 when always open, each season's slots (or closed) valid
    from/through its dates in ``year`` (default: the edition's year).  An itinerant desk's
    stops are in :func:`rotation_places`; by appointment has no schema.org hours."""
    year = year or charter.district.edition.year

    def rows(openings, extra=None) -> list[dict]:
        return [{"@type": "OpeningHoursSpecification", "dayOfWeek": _SCHEMA_DAYS[d],
                 "opens": f"{o.opens:%H:%M}", "closes": f"{o.closes:%H:%M}", **(extra or {})}
                for o in openings for d in o.days]

    out = rows(office.hours)
    if office.always_open:
        out += [{"@type": "OpeningHoursSpecification", "dayOfWeek": _SCHEMA_DAYS[d],
                 "opens": "00:00", "closes": "23:59"} for d in Weekday]
    for s in office.seasons:
        through = year + 1 if s.end < s.start else year  # a winter season ends next year
        valid = {"validFrom": f"{year}-{s.start}", "validThrough": f"{through}-{s.end}"}
        out += rows(s.hours, valid) if s.hours else [
            {"@type": "OpeningHoursSpecification", "opens": "00:00", "closes": "00:00", **valid}]
    return out


def rotation_places(charter: Charter, office: Office) -> list[dict]:
    """schema.org ``Place`` items of an itinerant desk: one per comune it visits, with the
    hours it is there."""
    out: dict[str, dict] = {}
    for stop in office.rotation:
        place = out.setdefault(stop.comune, {
            "@type": "Place", "name": comune_name(charter, stop.comune),
            "address": {"@type": "PostalAddress",
                        "addressLocality": comune_name(charter, stop.comune)},
            "openingHoursSpecification": []})
        place["openingHoursSpecification"] += [
            {"@type": "OpeningHoursSpecification", "dayOfWeek": _SCHEMA_DAYS[d],
             "opens": f"{stop.opens:%H:%M}", "closes": f"{stop.closes:%H:%M}"}
            for d in stop.days]
    return list(out.values())
