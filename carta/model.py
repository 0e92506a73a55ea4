"""The whole charter as one typed, frozen object: what every renderer and the backend use."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import ConfigDict

from carta.base import Model
from carta.organisation import (
    Area,
    District,
    HealthContacts,
    Office,
    Provider,
    Section,
)
from carta.quality import Monitoring, SystemQuality
from carta.rules import AccessParameters, Bands, Complaints, Form, Tariff, Tariffs
from carta.service import Service

__all__ = ["Charter"]


class Charter(Model):
    """A validated Carta dei Servizi. Build it with :func:`carta.load.load_charter`."""

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
    strings: dict[str, dict[str, str]] = {}

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
        """Interface string ``key`` in ``lang`` (Italian when the language lacks it)."""
        table = self.strings.get(lang) or {}
        text = table.get(key) or self.strings.get("it", {}).get(key)
        if text is None:
            raise KeyError(f"interface string {key!r} is missing from content/strings/it.yaml")
        return text.format(**values) if values else text

    def services_in(self, area: Area) -> list[Service]:
        """The schede of ``area`` in code order."""
        return [s for s in self.services if s.area == area.code]

    def offices_for(self, refs: list[str]) -> list[Office]:
        """Resolve a list of office ids or office kinds to offices, in charter order."""
        wanted = set(refs)
        return [o for o in self.offices if o.id in wanted or o.kind in wanted]

    def services_of_provider(self, provider: Provider) -> list[Service]:
        """The schede an ente gestore runs."""
        return [s for s in self.services if provider.id in s.operator.providers]
