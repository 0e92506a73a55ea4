"""Tariffs, ISEE access bands, extra access parameters, complaint procedure and form fields."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import model_validator

from carta.model.base import Amount, Email, Model, Slug
from carta.model.legal import Notice
from carta.model.quality import ComplaintMeasure
from carta.model.text import Text


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
    # online only: a short plain question asked instead of ``text``, which becomes its hint
    # (the tariffs page, print and the office keep ``text``, the regulation's words)
    question: Text | None = None
    points: int | None = None
    points_min: int | None = None
    points_max: int | None = None
    steps: list[PointStep] = []
    per_person: bool = False
    extra_per_minor: int | None = None
    # online only: the question for the count of dependent children that ``extra_per_minor``
    # adds points for (else carta's generic one); each criterion's own, so that no two inputs
    # of the page share a label
    minors_question: Text | None = None
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
    birth_date = "birth_date"  # the applicant's (service age limits are checked on it)
    address = "address"
    copy_request = "copy_request"  # a box asking for a copy of the submission by e-mail
    isee = "isee"  # the declared ISEE amount (the access band is computed from it)
    # "I have read the privacy notice": an acknowledgement, not consent (a public body's basis
    # is its task, art. 6(1)(e) GDPR); the submission records which notice was shown
    privacy_notice = "privacy_notice"
    # "I am applying for someone else" (a box), and that person's own name, birth date and
    # codice fiscale: a citizen identified through OpenID Connect who ticks the box is locked
    # into these fields, not into the beneficiary's
    on_behalf = "on_behalf"
    proxy_surname = "proxy_surname"
    proxy_given_name = "proxy_given_name"
    proxy_birth_date = "proxy_birth_date"
    proxy_tax_code = "proxy_tax_code"


class Option(Model):
    """A choice of a ``choice`` field."""

    value: Slug
    label: Text


# The autocomplete tokens a form field may declare (WCAG 1.3.5, HTML's list for personal data).
AUTOCOMPLETE = ("name", "given-name", "family-name", "bday", "bday-day", "bday-month",
                "bday-year", "email", "tel", "street-address", "address-line1", "postal-code",
                "address-level1", "address-level2", "country-name", "off")


class Condition(Model):
    """Ask a field or a page only after an earlier answer: ``{field: per-conto-di}`` (ticked
    or answered at all), ``{field: nuovo-utente, value: "no"}`` (that answer) or
    ``{field: requisiti-dichiarati, unless: "no"}`` (any answer but that one, none included)."""

    field: Slug
    value: str | None = None
    unless: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Condition:
        if self.value is not None and self.unless is not None:
            raise ValueError("give value or unless, not both")
        return self

    def met(self, given) -> bool:
        """Whether the earlier answer ``given`` (None when not given) meets the condition."""
        if self.unless is not None:
            return str(given) != self.unless if given not in (None, "", False) else True
        if self.value is not None:
            return str(given) == self.value
        return given not in (None, "", False)


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
    # online only (the printed form keeps ``label``): a plain-language question, the label
    # then shown below it as the hint; when the question applies; the browser's autofill
    question: Text | None = None
    when: Condition | None = None
    autocomplete: str | None = None

    role: FieldRole | None = None  # what the answer is to the office (see FieldRole)

    @model_validator(mode="after")
    def _options(self) -> Field:
        if self.autocomplete is not None and self.autocomplete not in AUTOCOMPLETE:
            raise ValueError(f"autocomplete: {self.autocomplete!r} is not one of "
                             f"{', '.join(AUTOCOMPLETE)}")
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


class FormPage(Model):
    """One page of the online form: a few fields asked together, by id, in their order
    (``when``: the page is asked only after that answer, e.g. the delegate's details)."""

    id: Slug
    title: Text
    intro: Text | None = None
    fields: list[Slug]
    when: Condition | None = None


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
    privacy: Text | None = None  # the form's own words on its data, shown above the notice
    notice: Notice | None = None  # the keys of the district's privacy notice this form words its own way
    attachments: list[Text] = []
    sending: list[Text] = []
    footnotes: list[Text] = []
    pages: list[FormPage] = []  # online, one short page each; none: the whole form on one

    def fields(self) -> list[Field]:
        """Every field of the form in order."""
        return [f for s in self.sections for f in s.fields]

    def field_with_role(self, role: FieldRole) -> Field | None:
        """The field that declares ``role``, if any (a role is declared at most once)."""
        return next((f for f in self.fields() if f.role is role), None)

    @model_validator(mode="after")
    def _copy_needs_an_address(self) -> Form:
        if (self.field_with_role(FieldRole.copy_request) is not None
                and self.field_with_role(FieldRole.email) is None):
            raise ValueError("a field has role 'copy_request' but no field has role 'email': "
                             "give the e-mail field `role: email`, or the copy has nowhere to go")
        return self

    @model_validator(mode="after")
    def _acknowledgement(self) -> Form:
        box = self.field_with_role(FieldRole.privacy_notice)
        if box is not None and (box.type is not FieldType.checkbox or not box.required):
            raise ValueError(f"field {box.id}: role 'privacy_notice' is a box the citizen ticks "
                             "to say they read the notice: give it type: checkbox and "
                             "required: true")
        return self

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


    def steps(self) -> list[FormPage]:
        """The online pages in order: ``pages``, or one page with every field."""
        if self.pages:
            return list(self.pages)
        return [FormPage(id="modulo", title=self.title, fields=[f.id for f in self.fields()])]

    @model_validator(mode="after")
    def _pages(self) -> Form:
        ids = [f.id for f in self.fields()]
        if len(set(ids)) != len(ids):
            return self  # duplicate ids are reported where fields are checked
        problems, placed = [], {}
        for n, page in enumerate(self.pages):
            for fid in page.fields:
                if fid not in ids:
                    problems.append(f"pages[{n}] ({page.id}): no field {fid!r} in this form")
                elif fid in placed:
                    problems.append(f"pages[{n}] ({page.id}): field {fid!r} is already on "
                                    f"page {placed[fid]!r}")
                else:
                    placed[fid] = page.id
        missing = [fid for fid in ids if fid not in placed]
        if self.pages and missing:
            problems.append(f"pages: fields on no page: {', '.join(missing)} (every field goes "
                            f"on one page, e.g. - {{id: more, title: …, fields: [{missing[0]}]}})")
        order = {fid: i for i, fid in enumerate(
            [fid for p in self.pages for fid in p.fields] if self.pages else ids)}
        by_id = {f.id: f for f in self.fields()}
        for f in self.fields():
            if f.when and (f.when.field not in order or f.id not in order
                           or order[f.when.field] >= order[f.id]):
                problems.append(f"field {f.id}: when: {f.when.field!r} must be a field asked "
                                "before it")
        for n, page in enumerate(self.pages):
            first = min((order[fid] for fid in page.fields if fid in order), default=0)
            if page.when and (page.when.field not in order or order[page.when.field] >= first):
                problems.append(f"pages[{n}] ({page.id}): when: {page.when.field!r} must be a "
                                "field on an earlier page")
        for cond in [f.when for f in self.fields()] + [p.when for p in self.pages]:
            target = by_id.get(cond.field) if cond else None
            if target and cond.value is not None and target.type is FieldType.choice and \
                    cond.value not in {o.value for o in target.options}:
                problems.append(f"when: {cond.value!r} is not an option of {cond.field}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Forms(Model):
    """File ``content/forms.yaml``."""

    forms: list[Form]
