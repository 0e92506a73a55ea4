"""A scheda: one service of the charter, as editors write it in ``services/<slug>.yaml``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import model_validator

from carta.model.base import Amount, Email, Model, Phone, Slug
from carta.model.hours import Opening, Weekday
from carta.model.legal import Officer
from carta.model.quality import Indicator
from carta.model.text import Text


class Status(StrEnum):
    """Whether citizens can use the service now."""

    active = "active"
    suspended = "suspended"
    withdrawn = "withdrawn"


class AgeUnit(StrEnum):
    """Unit of an age limit."""

    years = "years"
    months = "months"


class Age(Model):
    """Age eligibility where the scheda states one (inclusive bounds)."""

    min: int | None = None
    max: int | None = None
    unit: AgeUnit = AgeUnit.years

    @model_validator(mode="after")
    def _bounds(self) -> Age:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max {self.max} is below min {self.min}")
        return self


class Cost(Model):
    """What the citizen pays: the text of the scheda, linked to its tariff."""

    text: Text
    free: bool = False
    tariff: Slug | None = None
    payment: Text | None = None  # how to pay for this service (else the district's ``payment``)


class Responsible(Model):
    """Who answers for the service (a role, in an office of the charter)."""

    role: Text
    office: Slug | None = None


class Operator(Model):
    """The ente gestore: the text printed on the scheda and the providers of Allegato 3."""

    text: Text
    outsourced: bool = False
    providers: list[Slug] = []


class DocumentKind(StrEnum):
    """How a required document reaches the office."""

    application_form = "application_form"  # the domanda d'accesso itself
    attachment = "attachment"  # uploaded with an online application
    other = "other"


class Document(Model):
    """A document the citizen must present."""

    name: Text
    kind: DocumentKind = DocumentKind.attachment
    id: Slug | None = None
    # a medical certificate, a prescription: special-category data under the GDPR, so in the
    # office only operators with health-data access (and a second factor) may open it
    sensitive: bool = False


class Access(Model):
    """How to get the service: type of access, how, whom to contact, when, which documents."""

    type: Text
    how: Text
    contact: Text
    when: Text | None = None
    offices: list[Slug] = []  # office ids or office kinds
    documents: list[Document] = []
    no_documents_text: Text | None = None
    online_application: bool = False


class FeeRow(Model):
    """One line of a fee table: a timetable and the monthly fee per access band tier."""

    label: Text
    days: list[Weekday] = []
    opens: str | None = None
    closes: str | None = None
    hours_per_day: int | None = None
    fees: dict[str, Amount]


class FeeTable(Model):
    """Fees of a site, by band (e.g. a nursery's monthly fees)."""

    name: Text | None = None
    period: Text | None = None
    rows: list[FeeRow]


class Site(Model):
    """A place where the service is given (the sedi tables: nurseries, family centres …)."""

    name: Text
    comune: Text | None = None
    address: Text | None = None
    phones: list[Phone] = []
    fax: list[Phone] = []
    email: list[Email] = []
    hours: list[Opening] = []
    hours_text: Text | None = None
    note: Text | None = None
    fee_tables: list[FeeTable] = []


class Part(Model):
    """A titled part of a scheda (an area of intervention of a desk), with its text and the
    activities it lists."""

    title: Text
    body: Text | None = None
    items: list[Text] = []


class StaffRole(Model):
    """A role in the service's team, how many hold it when stated, and its tasks."""

    role: Text
    count: int | None = None
    tasks: list[Text] = []


class Partner(Model):
    """An organisation the service works with (a partner of the project, or a service of the
    referral network the citizen may be sent to), with what it does for the citizen."""

    name: Text
    role: Text | None = None
    comune: Text | None = None
    phones: list[Phone] = []
    email: list[Email] = []
    website: str | None = None


class Service(Model):
    """A scheda of the charter.

    ``code`` may be left out (carta gives the area letter and the scheda's position, like
    ``B3``); ``area`` is the area's code letter or its slug."""

    slug: Slug  # set from the file name by the loader, never written in the file
    code: str | None = None
    area: str
    title: Text
    activity_area: Text | None = None
    status: Status = Status.active
    summary: Text
    what: Text
    how: Text | None = None
    where: Text
    who_for: Text
    age: Age | None = None
    community_resources: Text | None = None
    cost: Cost
    parts: list[Part] = []
    staff: list[Text] = []
    staff_roles: list[StaffRole] = []
    partners: list[Partner] = []
    referrals: list[Partner] = []
    responsible: Responsible
    # art. 35 D.Lgs 33/2013: the substitute with power to act and the remedies, when this
    # scheda's differ from the district's
    substitute: Officer | None = None
    remedies: list[Text] = []
    operator: Operator
    access: Access
    quality: list[Indicator] = []
    quality_text: Text | None = None
    sites_title: Text | None = None
    sites_updated: dt.date | None = None
    sites: list[Site] = []
    revised: dt.date
    first_published: dt.date | None = None  # tells "insert" from "replace" in update bundles
    keywords: list[Text] = []

    @property
    def takes_applications(self) -> bool:
        """Whether citizens can send a domanda d'accesso online for this scheda."""
        return self.access.online_application and self.status is Status.active
