"""The district, its offices' staff, providers and health contacts: what the general part and
the site's district pages show, only where the charter states it."""

from __future__ import annotations

from dataclasses import dataclass

from carta.model.charter import Charter
from carta.model.organisation import Provider, Staff
from carta.present.contacts import ContactLine, contact_lines
from carta.present.text import Shown, shown


def capofila(charter: Charter) -> str | None:
    """The name of the lead comune, or None when the charter names none."""
    ref = charter.district.capofila
    if ref is None:
        return None
    return next((c.name for c in charter.district.comuni if c.id == ref), ref)


def district_contact(charter: Charter, lang: str) -> list[ContactLine]:
    """Contact lines of the Ufficio di Piano; empty when the charter gives none (and then no
    heading is shown either)."""
    office = charter.district.ufficio_di_piano
    return contact_lines(charter, office, lang) if office else []


@dataclass(frozen=True)
class StaffView:
    """Someone in an office: a role, with a person's name only when the charter gives one."""

    name: str | None
    qualification: Shown | None
    role: Shown
    tasks: tuple[Shown, ...]
    email: tuple[str, ...]


def staff(office_staff: list[Staff], lang: str) -> list[StaffView]:
    """The staff of an office in ``lang``: names where stated, roles always, their tasks."""
    return [StaffView(x.name, shown(x.qualification, lang), shown(x.role, lang),
                      tuple(shown(t, lang) for t in x.tasks), tuple(x.email))
            for x in office_staff]


@dataclass(frozen=True)
class TaxId:
    """One identifier of a provider: "Codice fiscale: 01234567897"."""

    kind: str  # tax_code | vat_number | rea
    label: str
    value: str


def provider_ids(charter: Charter, provider: Provider, lang: str) -> list[TaxId]:
    """A provider's C.F., P.IVA and REA as the charter gives them (one line each; the C.F.
    is left out when it is the same number as the P.IVA, as for most companies, and the
    line says so)."""
    out = []
    same = provider.tax_code and provider.tax_code == provider.vat_number
    if same:
        out.append(TaxId("tax_code", charter.t(lang, "provider_tax_and_vat"), provider.tax_code))
    else:
        if provider.tax_code:
            out.append(TaxId("tax_code", charter.t(lang, "provider_tax_code"), provider.tax_code))
        if provider.vat_number:
            out.append(TaxId("vat_number", charter.t(lang, "provider_vat"), provider.vat_number))
    if provider.rea:
        out.append(TaxId("rea", charter.t(lang, "provider_rea"), provider.rea))
    return out


@dataclass(frozen=True)
class HealthUnitView:
    """An office of a health authority: its name, who answers for it, its contact lines."""

    name: Shown
    responsible: str | None
    lines: tuple[ContactLine, ...]


@dataclass(frozen=True)
class HealthAuthorityView:
    """A health authority (ASL) and the offices of it citizens may need."""

    name: str
    units: tuple[HealthUnitView, ...]


def health_contacts(charter: Charter, lang: str) -> list[HealthAuthorityView]:
    """The ASL contacts of ``content/health.yaml`` (empty when the charter has none)."""
    if not charter.health:
        return []
    return [HealthAuthorityView(a.name, tuple(
        HealthUnitView(shown(u.name, lang), u.responsible,
                       tuple(contact_lines(charter, u.contact, lang))) for u in a.units))
            for a in charter.health.authorities]
