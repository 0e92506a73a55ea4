"""Numbers, money, dates and times in a language's conventions (Babel, CLDR data).

Every fact a citizen reads as a number goes through here, so "€ 5.000,00" never reaches an
English page (where it reads as five euros) and an Arabic page gets Arabic punctuation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_skeleton, format_time
from babel.numbers import format_currency, format_decimal

RTL = {"ar", "fa", "he", "ur"}

# The charter's languages → the CLDR locale whose conventions its readers expect.
# English: en_GB, not en_US: readers live in Italy and hold Italian documents, so day/month/year
# is what they compare dates with (and 04/30/2010 would be read wrongly by most of them).
# Arabic: plain ``ar`` writes Latin digits (0-9) with Arabic separators and right-to-left marks:
# most Arabic-speaking residents come from the Maghreb, where Latin digits are the everyday
# ones, and phone numbers, codes and amounts on Italian papers are all in Latin digits.
LOCALES = {"it": "it_IT", "en": "en_GB", "fr": "fr_FR", "ar": "ar"}

# Italian public documents, this charter included, put the euro sign first ("€ 6,50"): the
# tariffs' own text says so, and a sheet must not show "6,50 €" beside "€ 6,50".
_MONEY_PATTERN = {"it": "¤\u00a0#,##0.00"}


@cache
def locale(lang: str) -> Locale:
    """The Babel locale for a charter language (the language itself when not listed)."""
    return Locale.parse(LOCALES.get(lang, lang))


def direction(lang: str) -> str:
    """``rtl`` for right-to-left languages, else ``ltr``."""
    return "rtl" if lang in RTL else "ltr"


def money(amount: Decimal | int | float, lang: str, currency: str = "EUR") -> str:
    """An amount of money: ``€ 5.000,00`` (it), ``€5,000.00`` (en), ``5 000,00 €`` (fr)."""
    return format_currency(Decimal(str(amount)), currency, format=_MONEY_PATTERN.get(lang),
                           locale=locale(lang), currency_digits=True)


def number(value: Decimal | int | float, lang: str) -> str:
    """A number with the language's grouping and decimal signs: ``93.081`` (it), ``93,081`` (en)."""
    return format_decimal(value, locale=locale(lang))


def date(day: dt.date, lang: str) -> str:
    """A date, day first with a four-digit year: ``30/04/2010`` (it, en, fr), Arabic with RLMs."""
    return format_skeleton("yMMdd", day, locale=locale(lang))


def time(moment: dt.time, lang: str) -> str:
    """A time of day on the 24-hour clock of public timetables: ``08:30``."""
    return format_time(moment, "HH:mm", locale=locale(lang))


def time_range(opens: dt.time, closes: dt.time, lang: str) -> str:
    """An opening slot: ``08:30–13:00``."""
    return f"{time(opens, lang)}–{time(closes, lang)}"


def date_range(start: dt.date, end: dt.date, lang: str) -> str:
    """A closure or validity period: ``01/08/2024–31/08/2024``."""
    return f"{date(start, lang)}–{date(end, lang)}"
