"""Contacts of offices, sites, providers and the district: labelled lines, numbers kept LTR."""

from __future__ import annotations

import re
from dataclasses import dataclass

from carta.model.charter import Charter
from carta.present.text import Shown, shown


@dataclass(frozen=True)
class ContactValue:
    """One value of a contact line: the text, a link (``tel:``, ``mailto:``, web) and whether
    it must stay left-to-right inside right-to-left text (phone numbers, addresses of mail)."""

    text: Shown
    href: str | None = None
    ltr: bool = False


@dataclass(frozen=True)
class ContactLine:
    """A labelled line: "Telefono: 081 1234567, 081 7654321"."""

    kind: str  # address | comune | toll_free | phone | fax | mobile | email | website
    label: str
    values: tuple[ContactValue, ...]


_LABELS = {"address": "office_address", "toll_free": "office_toll_free", "phone": "office_phone",
           "fax": "office_fax", "mobile": "office_mobile", "email": "office_email",
           "website": "office_website"}


def _tel(number: str) -> str:
    digits = re.sub(r"[^0-9+]", "", number)
    return f"tel:{digits}" if digits.startswith("+") else f"tel:+39{digits}"


def contact_lines(charter: Charter, holder, lang: str) -> list[ContactLine]:
    """The contact lines of an office, a site, a provider's or the district's contact, in the
    order citizens use them: address, toll-free number, phones, fax, mobile, e-mail, website.
    Attributes a holder lacks are skipped, so one function serves every kind of holder."""
    out: list[ContactLine] = []

    def line(kind: str, values: list[ContactValue]) -> None:
        if values:
            out.append(ContactLine(kind, charter.t(lang, _LABELS[kind]), tuple(values)))

    address = getattr(holder, "address", None)
    comune = getattr(holder, "comune", None)
    if hasattr(holder, "fee_tables") and comune:  # a site's comune is text, an office's an id
        address_text = ", ".join(x.text for x in (shown(address, lang), shown(comune, lang)) if x)
        used = shown(address or comune, lang)
        line("address", [ContactValue(Shown(address_text, used.lang, used.fallback))])
    elif address:
        line("address", [ContactValue(shown(address, lang))])
    toll_free = getattr(holder, "toll_free", None)
    if toll_free:
        line("toll_free", [ContactValue(Shown(toll_free, lang), _tel(toll_free), ltr=True)])
    for kind, attr in (("phone", "phones"), ("fax", "fax"), ("mobile", "mobile")):
        numbers = getattr(holder, attr, None) or []
        line(kind, [ContactValue(Shown(n, lang), _tel(n) if kind != "fax" else None, ltr=True)
                    for n in numbers])
    line("email", [ContactValue(Shown(m, lang), f"mailto:{m}", ltr=True)
                   for m in getattr(holder, "email", None) or []])
    website = getattr(holder, "website", None)
    if website:
        href = website if website.startswith("http") else f"https://{website}"
        line("website", [ContactValue(Shown(website, lang), href, ltr=True)])
    return out
