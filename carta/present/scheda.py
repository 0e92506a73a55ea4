"""The richer parts of a scheda: titled parts with their activities, staff roles with their
tasks, partners and the referral network."""

from __future__ import annotations

from dataclasses import dataclass

from carta.model.charter import Charter
from carta.model.service import Service
from carta.present.contacts import ContactLine, contact_lines
from carta.present.formats import number
from carta.present.text import Shown, shown


@dataclass(frozen=True)
class PartView:
    """A titled part of a scheda, its text and the activities it lists."""

    title: Shown
    body: Shown | None
    items: tuple[Shown, ...]


def parts(service: Service, lang: str) -> list[PartView]:
    """The scheda's structured parts in ``lang``, in the order written."""
    return [PartView(shown(p.title, lang), shown(p.body, lang),
                     tuple(shown(x, lang) for x in p.items)) for p in service.parts]


@dataclass(frozen=True)
class RoleView:
    """A role of the service's team: "Assistente sociale (2)" and its tasks."""

    role: Shown
    count: str | None
    tasks: tuple[Shown, ...]


def staff_roles(service: Service, lang: str) -> list[RoleView]:
    """The team of a scheda by role, with how many when stated, and each role's tasks."""
    return [RoleView(shown(r.role, lang), number(r.count, lang) if r.count else None,
                     tuple(shown(t, lang) for t in r.tasks)) for r in service.staff_roles]


@dataclass(frozen=True)
class PartnerView:
    """An organisation the service works with or refers to, and how to reach it."""

    name: Shown
    role: Shown | None
    lines: tuple[ContactLine, ...]


def partners(charter: Charter, service: Service, lang: str,
             referrals: bool = False) -> list[PartnerView]:
    """The scheda's partners (or, with ``referrals``, its referral network) in ``lang``; a
    partner's comune is part of its address line."""
    found = service.referrals if referrals else service.partners
    return [PartnerView(shown(p.name, lang), shown(p.role, lang),
                        tuple(contact_lines(charter, _Holder(p), lang))) for p in found]


class _Holder:
    """A partner seen as a contact holder (its comune is its address)."""

    def __init__(self, partner):
        self.address = partner.comune
        self.phones, self.email, self.website = partner.phones, partner.email, partner.website
