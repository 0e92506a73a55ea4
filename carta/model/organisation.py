"""The district, its comuni, areas, offices, providers (enti gestori) and health contacts."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import field_validator, model_validator

from carta.model.base import Colour, Email, Model, Phone, Slug
from carta.model.hours import Appointment, Closure, Opening, Season, Stop, overlaps, rotation_clashes
from carta.model.legal import Notice, Officer
from carta.model.text import Text

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


class District(Model):
    """File ``content/district.yaml``: the district that publishes the charter."""

    name: Text
    short_name: Text
    subtitle: Text | None = None
    region: str | None = None
    province: str | None = None
    edition: dt.date
    languages: list[str]
    capofila: Slug | None = None  # the lead comune, when the charter names one
    capofila_tax_code: str | None = None
    ufficio_di_piano: Contact | None = None
    partners: list[Text] = []
    legal_basis: list[Text] = []
    certification: Certification | None = None
    comuni: list[Comune]
    principles: list[Principle] = []
    commitments: list[Commitments] = []
    signatories: list[Signatory] = []
    # the privacy notice every form starts from (a form's ``notice:`` overrides it key by key)
    privacy: Notice | None = None
    # D.Lgs 33/2013 art. 35: the titolare del potere sostitutivo (L. 241/1990 art. 2 c. 9-bis)
    # of every procedure, unless a scheda names its own; the remedies against a decision (none:
    # carta's wording of general law: TAR, ricorso straordinario); how to pay where a scheda
    # has a cost (pagoPA, the district's account)
    substitute: Officer | None = None
    remedies: list[Text] = []
    payment: Text | None = None
    paper_notice: Text | None = None
    site_url: str | None = None  # where the site is published; printed (and as QR) on sheets
    credits: list[Text] = []
    # AgID's checks on the footer (pa-website-validator-ng C.SI.3.2, C.SI.3.4, privacy): the
    # statement published through form.agid.gov.it, the legal notes page with the content
    # licence, and the privacy page; absent, the site links to carta's own pages
    accessibility_statement_url: str | None = None
    legal_notes_url: str | None = None
    privacy_url: str | None = None
    content_licence: str | None = None  # e.g. "CC BY 4.0" (CAD art. 52 c. 2: open by default)

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


# Colours for areas that state none: dark enough for white text (contrast above 4.5:1, WCAG AA)
# and far enough apart to tell the binder's sections by their band.
AREA_PALETTE = ("#1D6A96", "#A3245E", "#2E6B30", "#5B3E96", "#A14A00", "#0F6466", "#8A2432",
                "#44546A", "#6B4E16", "#7A2E7A", "#24577A", "#4A6218")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Area(Model):
    """An area of intervention: code letter, name and the colour of its printed sheets.

    ``code`` and ``colour`` may be left out: carta then gives the areas, in file order, the
    next free letters and colours from :data:`AREA_PALETTE`."""

    code: str | None = None
    slug: Slug
    name: Text
    colour: Colour | None = None
    description: Text | None = None


class Areas(Model):
    """File ``content/areas.yaml``."""

    areas: list[Area]

    @model_validator(mode="after")
    def _derive(self) -> Areas:
        letters = [c for c in _LETTERS if c not in {a.code for a in self.areas}]
        colours = [c for c in AREA_PALETTE if c.upper() not in
                   {(a.colour or "").upper() for a in self.areas}] or list(AREA_PALETTE)
        derived = []
        for i, area in enumerate(self.areas):
            update = {}
            if area.code is None:
                if not letters:
                    raise ValueError(f"areas[{i}]: no letter left: give this area a code")
                update["code"] = letters.pop(0)
            if area.colour is None:
                update["colour"] = colours.pop(0)
                colours.append(update["colour"])  # more areas than colours: start again
            derived.append(area.model_copy(update=update) if update else area)
        object.__setattr__(self, "areas", derived)
        return self


class Staff(Model):
    """Someone working in an office: a role, and a person's name only where the charter gives
    one (a role alone is enough: "un'assistente sociale")."""

    name: str | None = None
    qualification: Text | None = None
    role: Text
    tasks: list[Text] = []
    email: list[Email] = []


class Office(Model):
    """An office citizens can go to or call, and when: weekly hours, an itinerant rotation
    between comuni, by appointment, always open (24/7 lines), seasonal periods and closures."""

    id: Slug
    kind: Slug
    name: Text
    comune: Slug | None = None
    comuni: list[Slug] = []  # the comuni it serves besides its own (a district-wide desk)
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
    always_open: bool = False  # answers 24 hours a day, every day
    rotation: list[Stop] = []  # an itinerant desk: where it is on which day
    by_appointment: Appointment | None = None
    seasons: list[Season] = []
    closures: list[Closure] = []
    accepts_complaints: bool = False

    @model_validator(mode="after")
    def _no_overlap(self) -> Office:
        clash = overlaps(self.hours)
        if clash:
            day, a, b = clash[0]
            raise ValueError(f"hours overlap on {day.value}: {a.opens:%H:%M}–{a.closes:%H:%M} "
                             f"and {b.opens:%H:%M}–{b.closes:%H:%M}")
        moved = rotation_clashes(self.rotation)
        if moved:
            day, a, b = moved[0]
            raise ValueError(f"rotation: on {day.value} the desk is in {a.comune} "
                             f"{a.opens:%H:%M}–{a.closes:%H:%M} and in {b.comune} "
                             f"{b.opens:%H:%M}–{b.closes:%H:%M}: it cannot be in both")
        if self.always_open and (self.hours or self.rotation or self.seasons):
            raise ValueError("always_open: true is open at every hour: remove hours, rotation "
                             "and seasons (or always_open)")
        return self

    @property
    def served_comuni(self) -> list[str]:
        """Ids of the comuni the office serves: its own, those listed, those its rotation
        visits, each once, in that order."""
        ids = [*([self.comune] if self.comune else []), *self.comuni,
               *(s.comune for s in self.rotation)]
        return list(dict.fromkeys(ids))

    @property
    def has_schedule(self) -> bool:
        """Whether the charter says when the office can be reached."""
        return bool(self.hours or self.hours_text or self.always_open or self.rotation
                    or self.by_appointment or self.seasons)


class Offices(Model):
    """File ``content/offices.yaml``."""

    offices: list[Office]


class Provider(Model):
    """An ente gestore (Allegato 3): an accredited body that runs services, with its tax ids
    where the charter gives them (checked: a codice fiscale or partita IVA that fails its
    check digit is a typo)."""

    id: Slug
    name: str
    legal_form: Text | None = None
    representative: str | None = None
    registered_office: Text | None = None
    operating_office: Text | None = None
    tax_code: str | None = None  # codice fiscale (11 digits for a company, 16 characters)
    vat_number: str | None = None  # partita IVA (11 digits)
    rea: str | None = None  # Repertorio Economico Amministrativo, like "NA-123456"
    contact: Contact = Contact()

    @field_validator("tax_code")
    @classmethod
    def _tax_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from stdnum.exceptions import ValidationError as Invalid
        from stdnum.it import codicefiscale

        try:
            return codicefiscale.validate(value)
        except Invalid:
            raise ValueError(f"{value!r} is not a valid codice fiscale: 11 digits for a "
                             "company, 16 characters for a person (like RSSMRA80A01F839W); "
                             "check for a mistyped character") from None

    @field_validator("vat_number")
    @classmethod
    def _vat(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from stdnum.exceptions import ValidationError as Invalid
        from stdnum.it import iva

        try:
            return iva.validate(value.removeprefix("IT").removeprefix("it"))
        except Invalid:
            raise ValueError(f"{value!r} is not a valid partita IVA: 11 digits, the last one "
                             "a check digit; check for a mistyped digit") from None

    @field_validator("rea")
    @classmethod
    def _rea(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^[A-Z]{2}[- ]?\d{1,7}$", value.strip().upper()):
            raise ValueError(f"{value!r} is not a REA number: the province and the number, "
                             "like NA-123456")
        return value.strip().upper()


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
