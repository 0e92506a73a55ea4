"""The presentation layer: model + language → view data, the one place facts are formatted.

Every renderer (site pages, print sheets, the backend's pages and e-mails) asks these pure
functions how a fact reads in a language, and formats nothing itself:

- :mod:`~carta.present.formats`  numbers, money, dates, times per language (Babel)
- :mod:`~carta.present.text`     text in a language, with fallback to Italian marked
- :mod:`~carta.present.contacts` addresses, phones, e-mail of offices, sites, providers
- :mod:`~carta.present.hours`    weekly timetables and closures
- :mod:`~carta.present.schedule` an office's whole schedule: weekly, itinerant, by appointment,
                                 always open, seasons, comuni served; schema.org hours
- :mod:`~carta.present.costs`    what a scheda costs, tariffs, fee tables
- :mod:`~carta.present.ages`     age limits: how they read and who fits
- :mod:`~carta.present.rules`    access bands, parameter points and steps, complaint deadlines
                                 (only those the charter states)
- :mod:`~carta.present.district` capofila, staff (roles, names where stated), providers' tax
                                 ids, health contacts
- :mod:`~carta.present.scheda`   a scheda's parts, staff roles and tasks, partners, referrals
- :mod:`~carta.present.links`    cross-references as site links and binder page references
- :mod:`~carta.present.legal`    a form's privacy notice (GDPR art. 13) and its version; a
                                 scheda's art. 35 facts (responsible, substitute, remedies, payment)
"""

from carta.present.ages import age_allows, age_range
from carta.present.contacts import ContactLine, contact_lines
from carta.present.costs import CostView, FeeTableView, cost, fee_table, tariff_view
from carta.present.district import (
    capofila,
    district_contact,
    health_contacts,
    provider_ids,
    staff,
)
from carta.present.formats import date, direction, money, number, time, time_range
from carta.present.hours import DayHours, closures, weekly_hours
from carta.present.legal import (
    NoticeView,
    ProcedureView,
    notice,
    notice_record,
    notice_version,
    procedure,
)
from carta.present.links import CrossRef, crossref, crossrefs, rewrite, site_markdown, unlinked
from carta.present.rules import (
    band_range,
    compensation,
    complaint_deadlines,
    complaint_filing,
    parameter_groups,
    parameter_points,
)
from carta.present.scheda import partners, parts, staff_roles
from carta.present.schedule import (
    ScheduleView,
    day_name,
    opening_hours_specification,
    rotation_places,
    schedule,
    served_comuni,
)
from carta.present.text import Shown, any_fallback, shown

__all__ = [
    "ContactLine",
    "CostView",
    "CrossRef",
    "DayHours",
    "FeeTableView",
    "NoticeView",
    "ProcedureView",
    "ScheduleView",
    "Shown",
    "age_allows",
    "age_range",
    "any_fallback",
    "band_range",
    "capofila",
    "closures",
    "compensation",
    "complaint_deadlines",
    "complaint_filing",
    "contact_lines",
    "cost",
    "crossref",
    "crossrefs",
    "date",
    "day_name",
    "direction",
    "district_contact",
    "fee_table",
    "health_contacts",
    "money",
    "notice",
    "notice_record",
    "notice_version",
    "number",
    "opening_hours_specification",
    "parameter_groups",
    "parameter_points",
    "partners",
    "parts",
    "procedure",
    "provider_ids",
    "rewrite",
    "rotation_places",
    "schedule",
    "served_comuni",
    "shown",
    "site_markdown",
    "staff",
    "staff_roles",
    "tariff_view",
    "time",
    "time_range",
    "unlinked",
    "weekly_hours",
]
