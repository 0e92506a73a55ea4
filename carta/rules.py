"""Tariffs, ISEE access bands, extra access parameters, complaint procedure and form fields."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import model_validator

from carta.base import Amount, Email, Model, Slug
from carta.quality import ComplaintMeasure
from carta.text import Text


class Per(StrEnum):
    """What a tariff amount is charged per."""

    hour = "hour"
    day = "day"
    week = "week"
    month = "month"
    year = "year"
    once = "once"


class Price(Model):
    """An amount in euro per unit of time, optionally labelled (e.g. "posto pieno")."""

    amount: Amount
    per: Per
    label: Text | None = None


class Tariff(Model):
    """A line of the tariff table (Allegato 2)."""

    id: Slug
    area: str | None = None
    name: Text
    prices: list[Price] = []
    text: Text
    note: Text | None = None


class Tariffs(Model):
    """File ``content/tariffs.yaml``."""

    updated: dt.date | None = None
    intro: Text | None = None
    tariffs: list[Tariff]


class Band(Model):
    """An access band: ISEE as a percentage of the reference value (minimo vitale)."""

    id: Slug
    tier: int
    name: Text
    isee_min_pct: Amount | None = None
    isee_max_pct: Amount | None = None

    @model_validator(mode="after")
    def _range(self) -> Band:
        lo, hi = self.isee_min_pct, self.isee_max_pct
        if lo is None and hi is None:
            raise ValueError("give isee_min_pct, isee_max_pct or both")
        if lo is not None and hi is not None and hi < lo:
            raise ValueError(f"isee_max_pct {hi} is below isee_min_pct {lo}")
        return self


class Bands(Model):
    """File ``content/bands.yaml``: how ISEE places an applicant in a band (Allegato 1)."""

    reference: Text
    reference_amount: Amount | None = None  # the reference value in euro, when known
    bands: list[Band]
    notes: list[Text] = []


class PointStep(Model):
    """One step of a graded parameter (e.g. rent up to 25% above the agreed amount = 1 point)."""

    condition: Text
    points: int


class Parameter(Model):
    """An extra access parameter with its points (Allegato 4)."""

    id: Slug
    text: Text
    points: int | None = None
    points_min: int | None = None
    points_max: int | None = None
    steps: list[PointStep] = []
    per_person: bool = False
    extra_per_minor: int | None = None
    assessed_by_office: bool = False
    sensitive: bool = False  # health or disability data: special category under the GDPR

    @property
    def is_requirement(self) -> bool:
        """A declaration without points (e.g. a medical prescription)."""
        return self.points is None and self.points_max is None and not self.steps


class ParameterGroup(Model):
    """Parameters that apply to all services or to named ones."""

    id: Slug
    name: Text
    services: list[Slug] = []  # empty = every service
    parameters: list[Parameter]


class AccessParameters(Model):
    """File ``content/access_parameters.yaml``."""

    intro: Text | None = None
    groups: list[ParameterGroup]
    notes: list[Text] = []


# The numbered promises of the procedure, in the order a citizen meets them.
DEADLINE_FIELDS = ("filing_window_days", "call_in_days", "meeting_within_working_days",
                   "urgent_action_days", "suspension_max_working_days", "user_protection_days")


class Complaints(Model):
    """File ``content/complaints.yaml``: the procedure and the numbers the charter states.

    Every number is optional: a charter that states no filing window, no deadline or no
    compensation leaves the key out, and carta then promises nothing there (the backend
    enforces no window, a receipt lists no date, print and site say nothing)."""

    filing_window_days: int | None = None
    call_in_days: int | None = None
    meeting_within_working_days: int | None = None
    urgent_action_days: int | None = None
    suspension_max_working_days: int | None = None
    compensation_min: Amount | None = None
    compensation_max: Amount | None = None
    user_protection_days: int | None = None
    channels: list[Text]
    offices: list[Slug]
    emails: list[Email] = []
    user_protection_members: list[Text] = []
    user_protection_email: Email | None = None
    legal_basis: Text | None = None
    steps: list[Text] = []
    provider_reports: Text | None = None
    appeal: Text | None = None
    measure: list[ComplaintMeasure] = []  # how the deadlines above are measured

    @model_validator(mode="after")
    def _numbers(self) -> Complaints:
        for name in DEADLINE_FIELDS:
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name}: {value} is not a number of days; leave the key out "
                                 "when the charter states no such deadline")
        lo, hi = self.compensation_min, self.compensation_max
        if lo is not None and hi is not None and hi < lo:
            raise ValueError("compensation_max is below compensation_min")
        for m in self.measure:
            if getattr(self, m.deadline.value) is None:
                raise ValueError(f"measure {m.id!r} measures {m.deadline.value}, which this "
                                 f"file does not state: add {m.deadline.value}: N or remove "
                                 "the rule")
        return self

    def deadline(self, name: str) -> int | None:
        """The number of days of deadline ``name`` (``call_in_days`` …), None when unstated."""
        return getattr(self, name) if name in DEADLINE_FIELDS else None

    @property
    def compensation_stated(self) -> bool:
        """Whether the charter promises a compensation: an amount above zero (``0`` to ``0``,
        as older scaffolds wrote, promises none and prints nothing)."""
        return bool(self.compensation_max or self.compensation_min)


class FieldType(StrEnum):
    """Answer types of a form field; the backend has one class per type."""

    text = "text"
    textarea = "textarea"
    date = "date"
    email = "email"
    phone = "phone"
    codice_fiscale = "codice_fiscale"
    comune = "comune"
    service = "service"
    office = "office"
    indicator = "indicator"
    choice = "choice"
    yes_no = "yes_no"
    checkbox = "checkbox"
    decimal = "decimal"
    access_parameters = "access_parameters"
    documents = "documents"


class DateRange(StrEnum):
    """Which dates a date field accepts besides being real."""

    past = "past"  # today or before (birth, the day of the disservice)
    future = "future"  # today or after (a document's expiry)
    any = "any"


class FieldRole(StrEnum):
    """What an answer means to the office, whatever the field's id: the backend finds the
    applicant's name, codice fiscale, e-mail … by role (lists, search, exports)."""

    surname = "surname"
    given_name = "given_name"
    full_name = "full_name"  # one field for surname and name ("Cognome e nome")
    email = "email"
    phone = "phone"
    tax_code = "tax_code"
    comune = "comune"
    birth_date = "birth_date"
    address = "address"


class Option(Model):
    """A choice of a ``choice`` field."""

    value: Slug
    label: Text


class Field(Model):
    """A field of a form, as printed on paper and asked online."""

    id: Slug
    label: Text
    type: FieldType
    required: bool = False
    required_if: Slug | None = None
    help: Text | None = None
    max_length: int | None = None
    options: list[Option] = []
    dates: DateRange = DateRange.any
    birth_date_of: Slug | None = None  # on a date: the codice fiscale field it must match
    sensitive: bool = False  # special-category data: encrypted at rest, kept out of e-mails
    role: FieldRole | None = None  # what the answer is to the office (see FieldRole)

    @model_validator(mode="after")
    def _options(self) -> Field:
        if self.type is FieldType.choice and not self.options:
            raise ValueError("a choice field needs options")
        if self.options and self.type is not FieldType.choice:
            raise ValueError("options are only for type: choice")
        return self


class FormSection(Model):
    """A group of fields (the beneficiary, the person applying on their behalf …)."""

    id: Slug
    title: Text
    intro: Text | None = None
    optional: bool = False
    fields: list[Field]


class Form(Model):
    """A paper form and its online twin."""

    id: Slug
    code: str
    revision: str | None = None
    date: dt.date | None = None
    title: Text
    addressees: list[Text] = []
    sections: list[FormSection]
    declarations: list[Text] = []
    privacy: Text
    attachments: list[Text] = []
    sending: list[Text] = []
    footnotes: list[Text] = []

    def fields(self) -> list[Field]:
        """Every field of the form in order."""
        return [f for s in self.sections for f in s.fields]

    def field_with_role(self, role: FieldRole) -> Field | None:
        """The field that declares ``role``, if any (a role is declared at most once)."""
        return next((f for f in self.fields() if f.role is role), None)

    @model_validator(mode="after")
    def _roles(self) -> Form:
        seen: set = set()
        for f in self.fields():
            if f.role is not None:
                if f.role in seen:
                    raise ValueError(f"role {f.role.value!r} is declared by two fields; give "
                                     "it to the applicant's field only")
                seen.add(f.role)
        return self


class Forms(Model):
    """File ``content/forms.yaml``."""

    forms: list[Form]
