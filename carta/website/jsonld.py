"""A scheda as schema.org ``GovernmentService`` JSON-LD, the shape AgID's validator reads.

pa-website-validator-ng (src/audits/municipality_metatag/index.ts, check R.SI.1.1) takes the
``<script data-element="metatag">`` of a service page and validates it against a JSON schema
that wants ONE object for ``serviceOperator``, ``areaServed``, ``audience`` and
``availableChannel``, the channel with a ``serviceUrl`` and a ``serviceLocation`` whose address
is a ``PostalAddress`` (street, postal code, locality).  Every property used here is one
schema.org defines on the type it sits on (tests/test_jsonld.py checks it against the packaged
vocabulary).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from carta.model.charter import Charter
from carta.model.organisation import Office
from carta.model.service import Service
from carta.present.schedule import comune_name, opening_hours_specification

_CAP = re.compile(r"\b(\d{5})\b")


def international_phone(number: str) -> str:
    """An Italian number as schema.org wants it: ``+39 081 8785542``."""
    number = number.strip()
    if number.startswith("+"):
        return number
    if number.startswith("0039"):
        return "+39 " + number[4:].strip()
    return "+39 " + number


def postal_address(charter: Charter, text: str | None, comune: str | None) -> dict:
    """A ``PostalAddress`` from an office's one-line Italian address
    (``Corso Italia, 236 (1° piano) - 80067 Sorrento (NA)``) and its comune."""
    text = (text or "").strip()
    locality = comune_name(charter, comune) if comune else None
    cap = _CAP.search(text)
    street = text
    if cap:
        street = text[:cap.start()].rstrip(" -–,")
    code = cap.group(1) if cap else _postal_codes(charter).get(comune or "")
    if locality and not cap:
        # "Via Roma 1, Sorrento": drop the trailing locality from the street
        street = re.sub(rf"[\s,–-]*{re.escape(locality)}.*$", "", street).strip() or street
    address = {"@type": "PostalAddress", "streetAddress": street or None,
               "postalCode": code,
               "addressLocality": locality, "addressRegion": charter.district.province,
               "addressCountry": "IT"}
    return address


def _postal_codes(charter: Charter) -> dict[str, str]:
    """Each comune's postal code as the charter itself writes it in another address of that
    comune (the Ufficio di Piano's "80067 Sorrento" gives Sorrento's); never guessed."""
    out: dict[str, str] = {}
    d = charter.district
    texts = [(o.comune, o.address.it if o.address else "") for o in charter.offices]
    if d.ufficio_di_piano and d.ufficio_di_piano.address:
        texts.append((d.capofila, d.ufficio_di_piano.address.it))
    for comune, text in texts:
        cap = _CAP.search(text or "")
        if comune and cap:
            out.setdefault(comune, cap.group(1))
    return out


def main_office(charter: Charter, offices: list[Office]) -> Office | None:
    """The office the JSON-LD names as the service's one channel (AgID's schema takes one):
    the one in the lead comune when the scheda lists it, else the first."""
    lead = [o for o in offices if o.comune and o.comune == charter.district.capofila]
    return (lead or offices or [None])[0]


def page_url(charter: Charter, lang: str, path: str) -> str:
    """Absolute URL of a site page (``servizi/<slug>/``) in ``lang``: the first language sits
    at the root, the others under ``/<lang>/``; relative when the charter gives no site_url."""
    prefix = "" if lang == charter.district.languages[0] else f"{lang}/"
    base = (charter.district.site_url or "").rstrip("/")
    return f"{base}/{prefix}{path}" if base else f"{prefix}{path}"


def _place(charter: Charter, office: Office, plain) -> dict:
    # a line with no door (a phone number) is reached through the Ufficio di Piano's address
    address = (postal_address(charter, office.address.it, office.comune) if office.address
               else _district_place(charter, plain)["address"])
    place = {"@type": "Place", "name": plain(office.name), "address": address,
             "openingHoursSpecification": opening_hours_specification(charter, office)}
    phones = ([office.toll_free] if office.toll_free else []) + list(office.phones)
    if phones:
        place["telephone"] = international_phone(phones[0])
    return place


def _district_place(charter: Charter, plain) -> dict:
    d = charter.district
    contact = d.ufficio_di_piano
    text = contact.address.it if contact and contact.address else None
    return {"@type": "Place", "name": plain(d.name),
            "address": postal_address(charter, text, d.capofila)}


def service_data(charter: Charter, s: Service, offices: list[Office], p,
                 apply_url: str | None = None) -> dict:
    """The JSON-LD object of scheda ``s`` in the language of page ``p`` (a site_text.Page).

    ``apply_url``: where the online application starts (site-relative), when it takes them.
    """
    district = charter.district
    plain = p.plain
    area = charter.area_by_code[s.area]
    url = page_url(charter, p.lang, f"servizi/{s.slug}/")

    providers = [charter.provider_by_id[x] for x in s.operator.providers]
    if len(providers) == 1:
        operator = {"@type": "Organization", "name": providers[0].name}
    else:
        operator = {"@type": "GovernmentOrganization", "name": plain(s.operator.text)
                    or plain(district.name)}
        if providers:
            # one object, as the validator's schema wants; the bodies running it inside
            operator["subOrganization"] = [{"@type": "Organization", "name": x.name}
                                           for x in providers]

    territory = {"@type": "AdministrativeArea", "name": plain(district.subtitle)
                 or plain(district.name),
                 "containsPlace": [{"@type": "City", "name": c.name}
                                   for c in district.members()]}

    audience = {"@type": "PeopleAudience", "audienceType": plain(s.who_for)}
    if s.age:
        factor = 12 if s.age.unit.value == "months" else 1
        if s.age.min is not None:
            audience["suggestedMinAge"] = round(s.age.min / factor, 2)
        if s.age.max is not None:
            audience["suggestedMaxAge"] = round(s.age.max / factor, 2)

    office = main_office(charter, offices)
    where = _place(charter, office, plain) if office else _district_place(charter, plain)
    base = charter.district.site_url
    channel = {"@type": "ServiceChannel", "name": where["name"],
               "serviceUrl": (urljoin(base, apply_url) if base else apply_url) if apply_url
               else url,
               "serviceLocation": where,
               "availableLanguage": p.lang}
    if where.get("telephone"):
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": where["telephone"]}

    data = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": plain(s.title),
        "identifier": s.code,
        "url": url,
        "description": plain(s.summary),
        "serviceType": plain(area.name),
        "category": plain(area.name),
        "provider": {"@type": "GovernmentOrganization", "name": plain(district.name)},
        "serviceOperator": operator,
        "areaServed": territory,
        # the law the service is delivered under is the region's (L.R. 11/07 in Campania)
        "jurisdiction": {"@type": "AdministrativeArea", "name": district.region}
        if district.region else territory,
        "audience": audience,
        "availableChannel": channel,
    }
    if s.cost.free:
        data["offers"] = {"@type": "Offer", "price": 0, "priceCurrency": "EUR"}
    return _prune(data)


def json_ld(charter: Charter, s: Service, offices: list[Office], p,
            apply_url: str | None = None) -> str:
    """The scheda's JSON-LD as the ``<script data-element="metatag">`` AgID's validator reads."""
    # compact: indenting it was half of carta's own share of a site build
    text = json.dumps(service_data(charter, s, offices, p, apply_url), ensure_ascii=False,
                      separators=(",", ":")).replace("</", "<\\/")
    return (f'<script type="application/ld+json" data-element="metatag">\n{text}\n'
            "</script>\n")


def _prune(value):
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value
