"""What a scheda costs the citizen, the tariffs behind it, and the fee tables of its sites."""

from __future__ import annotations

from dataclasses import dataclass

from carta.model.charter import Charter
from carta.model.rules import Tariff
from carta.model.service import FeeTable, Service
from carta.present.formats import money, number
from carta.present.text import Shown, shown


@dataclass(frozen=True)
class TariffView:
    """A line of the tariff table (Allegato 2) as shown on a scheda."""

    id: str
    label: str  # "Tariffa"
    name: Shown
    text: Shown
    note: Shown | None


@dataclass(frozen=True)
class CostView:
    """The "Quanto costa" of a scheda.

    ``tariff`` is set only when the citizen pays: for a free service the tariff table's line
    is what the service costs the district, or what it pays out (A5's € 6,50 a day goes *to*
    foster families), so it is never shown under "Gratuito" as if the citizen paid it; the
    scheda links to the tariff table instead (``tariffs_link``).
    """

    text: Shown
    free: bool
    tariff: TariffView | None
    tariffs_link: str | None  # the cross-reference target of the tariff table, when there is one


def tariff_view(charter: Charter, tariff: Tariff, lang: str) -> TariffView:
    """One tariff line in ``lang``."""
    return TariffView(tariff.id, charter.t(lang, "service_tariff"), shown(tariff.name, lang),
                      shown(tariff.text, lang), shown(tariff.note, lang))


def cost(charter: Charter, service: Service, lang: str) -> CostView:
    """What ``service`` costs, in ``lang``."""
    tariff = charter.tariff_by_id.get(service.cost.tariff or "")
    return CostView(
        text=shown(service.cost.text, lang),
        free=service.cost.free,
        tariff=tariff_view(charter, tariff, lang) if tariff and not service.cost.free else None,
        tariffs_link="tariffe" if tariff else None,
    )


@dataclass(frozen=True)
class FeeRowView:
    """A row of a fee table: label, optional timetable, one amount (or None) per band tier."""

    label: Shown
    amounts: tuple[str | None, ...]


@dataclass(frozen=True)
class FeeTableView:
    """A site's fee table: caption, the band tiers as column heads, and the rows."""

    caption: Shown
    period: Shown | None
    heads: tuple[str, ...]  # "1ª fascia" …
    rows: tuple[FeeRowView, ...]


def band_heading(charter: Charter, tier: int, lang: str) -> str:
    """A band tier as a column heading: "1ª fascia" as the charter writes it in Italian (an
    ordinal the other languages do not write with "ª"), "Band 1", "Tranche 1", "الفئة 1"."""
    if lang == "it":
        return f"{tier}ª {charter.t(lang, 'fee_band')}"
    return f"{charter.t(lang, 'band_name')} {number(tier, lang)}"


def fee_table(charter: Charter, table: FeeTable, lang: str) -> FeeTableView:
    """A site's monthly fees by access band, amounts formatted for ``lang``."""
    tiers = sorted({t for row in table.rows for t in row.fees}, key=int)
    return FeeTableView(
        caption=shown(table.name, lang) if table.name else Shown(charter.t(lang, "site_fees"), lang),
        period=shown(table.period, lang),
        heads=tuple(band_heading(charter, int(t), lang) for t in tiers),
        rows=tuple(FeeRowView(shown(row.label, lang),
                              tuple(money(row.fees[t], lang) if t in row.fees else None
                                    for t in tiers))
                   for row in table.rows),
    )
