"""The district, its comuni, areas, offices, providers (enti gestori) and health contacts."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import field_validator, model_validator

from carta.base import Colour, Email, Model, Phone, Slug
from carta.hours import Closure, Opening, overlaps
from carta.text import Text

_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


class Patron(Model):
    """A comune's patron saint and feast day (a local holiday for working-day counts)."""

    saint: str
    day: str  # MM-DD

    @field_validator("day")
    @classmethod
    def _day(cls, value: str) -> str:
        if not _MONTH_DAY.match(value):
            raise ValueError(f"{value!r} is not a day of the year: write MM-DD, like 02-14")
        try:
            dt.date(2000, int(value[:2]), int(value[3:]))  # 2000 is a leap year
        except ValueError:
            raise ValueError(f"{value!r} is not a real day of the year") from None
        return value

    def date_in(self, year: int) -> dt.date | None:
        """The feast day in ``year`` (None for 29 February in a common year)."""
        try:
            return dt.date(year, int(self.day[:2]), int(self.day[3:]))
        except ValueError:
            return None


class Comune(Model):
    """A municipality of the district."""

    id: Slug
    name: str
    province: str | None = None
    patron: Patron | None = None
    joined: dt.date | None = None
    left: dt.date | None = None
    note: Text | None = None

    def member_on(self, day: dt.date) -> bool:
        """Whether the comune belongs to the district on ``day``."""
        return (self.joined is None or self.joined <= day) and (self.left is None or day < self.left)


class Contact(Model):
    """Where to find an organisation."""

    address: Text | None = None
    phones: list[Phone] = []
    fax: list[Phone] = []
    mobile: list[Phone] = []
    email: list[Email] = []
    website: str | None = None


class Certification(Model):
    """A quality certification held by the district."""

    standard: str
    number: str
    scope: Text


class Principle(Model):
    """A principle of public service (eguaglianza, imparzialità …)."""

    name: Text
    text: Text


class Commitments(Model):
    """A group of commitments the district makes."""

    intro: Text
    items: list[Text]


class Signatory(Model):
    """A union or consumer association that agreed the charter."""

    name: str
    kind: Text
    contact_person: str | None = None
    contact: Contact | None = None


class Privacy(Model):
    """Who controls and who processes personal data collected through the charter's forms."""

    controller: Text
    processor: Text
    law: Text


class District(Model):
    """File ``content/district.yaml``: the district that publishes the charter."""

    name: Text
    short_name: Text
    subtitle: Text | None = None
    region: str | None = None
    province: str | None = None
    edition: dt.date
    languages: list[str]
    capofila: Slug
    capofila_tax_code: str | None = None
    ufficio_di_piano: Contact
    partners: list[Text] = []
    legal_basis: list[Text] = []
    certification: Certification | None = None
    comuni: list[Comune]
    principles: list[Principle] = []
    commitments: list[Commitments] = []
    signatories: list[Signatory] = []
    privacy: Privacy | None = None
    paper_notice: Text | None = None
    site_url: str | None = None  # where the site is published; printed (and as QR) on sheets
    credits: list[Text] = []

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        if not value or value[0] != "it":
            raise ValueError("list Italian first: languages: [it, en, fr, ar]")
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        for lang in value:
            if not re.match(r"^[a-z]{2}$", lang):
                raise ValueError(f"{lang!r} is not a two-letter language code")
        return value

    def members(self, day: dt.date | None = None) -> list[Comune]:
        """The comuni that belong to the district on ``day`` (default: the edition date)."""
        return [c for c in self.comuni if c.member_on(day or self.edition)]


class Area(Model):
    """An area of intervention: code letter, name and the colour of its printed sheets."""

    code: str
    slug: Slug
    name: Text
    colour: Colour
    description: Text | None = None


class Areas(Model):
    """File ``content/areas.yaml``."""

    areas: list[Area]


class Staff(Model):
    """A person working in an office, with qualification and role."""

    name: str
    qualification: Text | None = None
    role: Text
    email: list[Email] = []


class Office(Model):
    """An office citizens can go to or call, with structured opening hours."""

    id: Slug
    kind: Slug
    name: Text
    comune: Slug | None = None
    address: Text | None = None
    phones: list[Phone] = []
    fax: list[Phone] = []
    mobile: list[Phone] = []
    toll_free: Phone | None = None
    email: list[Email] = []
    website: str | None = None
    staff: list[Staff] = []
    hours: list[Opening] = []
    hours_text: Text | None = None
    closures: list[Closure] = []
    accepts_complaints: bool = False

    @model_validator(mode="after")
    def _no_overlap(self) -> Office:
        clash = overlaps(self.hours)
        if clash:
            day, a, b = clash[0]
            raise ValueError(f"hours overlap on {day.value}: {a.opens:%H:%M}–{a.closes:%H:%M} "
                             f"and {b.opens:%H:%M}–{b.closes:%H:%M}")
        return self


class Offices(Model):
    """File ``content/offices.yaml``."""

    offices: list[Office]


class Provider(Model):
    """An ente gestore (Allegato 3): an accredited body that runs services."""

    id: Slug
    name: str
    legal_form: Text | None = None
    representative: str | None = None
    registered_office: Text | None = None
    operating_office: Text | None = None
    contact: Contact


class Providers(Model):
    """File ``content/providers.yaml``."""

    intro: Text | None = None
    providers: list[Provider]


class HealthUnit(Model):
    """An office of a health authority (ASL)."""

    name: Text
    responsible: str | None = None
    contact: Contact


class HealthAuthority(Model):
    """A health authority (ASL) and its offices citizens may need."""

    id: Slug
    name: str
    units: list[HealthUnit]


class HealthContacts(Model):
    """File ``content/health.yaml``: social-health integration and ASL contacts."""

    intro: Text | None = None
    services: list[Text] = []
    authorities: list[HealthAuthority]


class Section(Model):
    """A section of the charter's general part (what the carta is, how to use it …)."""

    id: Slug
    part: Slug
    title: Text
    body: Text


class Sections(Model):
    """File ``content/sections.yaml``: the prose of the charter, in reading order."""

    sections: list[Section]
