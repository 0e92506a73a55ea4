"""The presentation layer: model + language → view data, the one place facts are formatted.

Every renderer (site pages, print sheets, the backend's pages and e-mails) asks these pure
functions how a fact reads in a language, and formats nothing itself:

- :mod:`~carta.present.formats`  numbers, money, dates, times per language (Babel)
- :mod:`~carta.present.text`     text in a language, with fallback to Italian marked
- :mod:`~carta.present.contacts` addresses, phones, e-mail of offices, sites, providers
- :mod:`~carta.present.hours`    weekly timetables and closures
- :mod:`~carta.present.costs`    what a scheda costs, tariffs, fee tables
- :mod:`~carta.present.ages`     age limits: how they read and who fits
- :mod:`~carta.present.rules`    access bands, parameter points and steps, complaint deadlines
- :mod:`~carta.present.links`    cross-references as site links and binder page references
"""

from carta.present.ages import age_allows, age_range
from carta.present.contacts import ContactLine, contact_lines
from carta.present.costs import CostView, FeeTableView, cost, fee_table, tariff_view
from carta.present.formats import date, direction, money, number, time, time_range
from carta.present.hours import DayHours, closures, weekly_hours
from carta.present.links import CrossRef, crossref, crossrefs, rewrite, site_markdown, unlinked
from carta.present.rules import (
    band_range,
    complaint_deadlines,
    parameter_groups,
    parameter_points,
)
from carta.present.text import Shown, any_fallback, shown

__all__ = [
    "ContactLine", "CostView", "CrossRef", "DayHours", "FeeTableView", "Shown", "age_allows",
    "age_range", "any_fallback", "band_range", "closures", "complaint_deadlines", "contact_lines",
    "cost", "crossref", "crossrefs", "date", "direction", "fee_table", "money", "number",
    "parameter_groups", "parameter_points", "rewrite", "shown", "site_markdown", "tariff_view",
    "time", "time_range", "unlinked", "weekly_hours",
]
