"""The whole charter as one typed, frozen object: what every renderer and the backend use."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

from pydantic import ConfigDict

from carta.model.base import Model
from carta.model.organisation import (
    Area,
    District,
    HealthContacts,
    Office,
    Provider,
    Section,
)
from carta.model.quality import Monitoring, SystemQuality
from carta.model.rules import AccessParameters, Bands, Complaints, Form, Tariff, Tariffs
from carta.model.satisfaction import Satisfaction
from carta.model.search import Search
from carta.model.service import Service
from carta.strings import NEUTRAL_PHONE, fill, lookup

__all__ = ["Charter"]


class Charter(Model):
    """A validated Carta dei Servizi. Build it with :func:`carta.load.charter.load_charter`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    root: Path
    content_hash: str
    district: District
    areas: list[Area]
    offices: list[Office]
    services: list[Service]
    tariffs: Tariffs
    bands: Bands | None
    access_parameters: AccessParameters | None
    providers: list[Provider]
    forms: list[Form]
    complaints: Complaints
    system_quality: SystemQuality | None
    health: HealthContacts | None
    sections: list[Section]
    monitoring: list[Monitoring]
    satisfaction: Satisfaction | None = None  # content/satisfaction.yaml: the questionnaire
    search: Search = Search()  # content/search.yaml: synonyms for the site's search
    strings: dict[str, dict[str, str]] = {}  # merged: carta's defaults + the charter's
    string_overrides: dict[str, dict[str, str]] = {}  # the charter's content/strings/ only

    @cached_property
    def service_by_slug(self) -> dict[str, Service]:
        """Schede by slug (= file name = URL = form id)."""
        return {s.slug: s for s in self.services}

    @cached_property
    def area_by_code(self) -> dict[str, Area]:
        """Areas by code letter."""
        return {a.code: a for a in self.areas}

    @cached_property
    def office_by_id(self) -> dict[str, Office]:
        """Offices by id."""
        return {o.id: o for o in self.offices}

    @cached_property
    def tariff_by_id(self) -> dict[str, Tariff]:
        """Tariffs by id."""
        return {t.id: t for t in self.tariffs.tariffs}

    @cached_property
    def provider_by_id(self) -> dict[str, Provider]:
        """Enti gestori by id."""
        return {p.id: p for p in self.providers}

    @cached_property
    def form_by_id(self) -> dict[str, Form]:
        """Forms by id (``domanda``, ``reclamo``)."""
        return {f.id: f for f in self.forms}

    def t(self, lang: str, key: str, **values: object) -> str:
        """Interface string ``key`` in ``lang`` (Italian when neither the charter nor carta has
        it in ``lang``), with ``{placeholders}`` filled from ``values`` and the charter.

        Never raises: a key no layer has comes back as the key itself, logged; ``carta check``
        and the tests keep that from happening."""
        text, _ = self.string(lang, key)
        return fill(text, {**self.string_values, **values}) if "{" in text else text

    def string(self, lang: str, key: str) -> tuple[str, str]:
        """``(text, language it is in)`` of interface string ``key``, unfilled; the language
        differs from ``lang`` when the text fell back to Italian."""
        found = lookup(self.strings, lang, key)
        if found is None:
            logging.getLogger("carta").error("interface string %r is missing from every layer", key)
            return key, lang
        return found

    @cached_property
    def string_values(self) -> dict[str, str]:
        """Values carta fills into any string from the charter itself (examples in messages)."""
        office = getattr(self.district, "ufficio_di_piano", None)
        phones = [*(office.phones if office else ()), *(p for o in self.offices for p in o.phones)]
        return {"phone_example": phones[0] if phones else NEUTRAL_PHONE}

    def services_in(self, area: Area) -> list[Service]:
        """The schede of ``area`` in code order."""
        return [s for s in self.services if s.area == area.code]

    def offices_for(self, refs: list[str]) -> list[Office]:
        """Resolve a list of office ids or office kinds to offices, in charter order."""
        wanted = set(refs)
        return [o for o in self.offices if o.id in wanted or o.kind in wanted]

    def offices_serving(self, comune_id: str) -> list[Office]:
        """The offices that serve comune ``comune_id`` (in it, listing it in ``comuni``, or
        visiting it on their rotation), in charter order."""
        return [o for o in self.offices if comune_id in o.served_comuni]

    def services_of_provider(self, provider: Provider) -> list[Service]:
        """The schede an ente gestore runs."""
        return [s for s in self.services if provider.id in s.operator.providers]
