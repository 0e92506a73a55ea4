"""Results beside standards: per quality row of a scheda, what is guaranteed and what was
realized each year, formatted for a language (site pages; print may use it too)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_percent

from carta.model.charter import Charter
from carta.model.quality import Result
from carta.model.service import Service
from carta.monitoring.measure import tracks
from carta.present.formats import locale, number
from carta.present.text import Shown, shown


def percent(value: Decimal | int | float, lang: str) -> str:
    """A realized percentage: ``95%`` (it, en), ``95 %`` (fr), ``95٪`` (ar), decimals kept."""
    return format_percent(Decimal(str(value)) / 100, "#,##0.##%", locale=locale(lang))


def result_text(charter: Charter, result: Result, lang: str) -> tuple[str, str | None]:
    """A published result as a cell reads it ("95%", "troppo pochi casi", "non rilevabile")
    and its cases ("19/20") when the report gives them."""
    if result.too_few_cases:
        text = charter.t(lang, "result_too_few")
    elif result.realized_pct is None:
        text = charter.t(lang, "outcome_not_measurable")
    else:
        text = percent(result.realized_pct, lang)
    cases = None
    if result.numerator is not None and result.denominator is not None:
        cases = f"{number(result.numerator, lang)}/{number(result.denominator, lang)}"
    return text, cases


@dataclass(frozen=True)
class YearResult:
    """One year's published result of a standard, as a cell reads it."""

    year: int
    value: float | None  # the realized percent, for the chart; None when not measured
    text: str  # "95%", "troppo pochi casi", "non rilevabile"
    outcome: str  # met | not_met | not_measurable
    cases: str | None  # "19/20" when the report gives numerator and denominator
    formula: Shown | None
    source: Shown | None
    reason: Shown | None


@dataclass(frozen=True)
class StandardResults:
    """A quality row of a scheda: indicator, guaranteed standard, results by year (oldest
    first); empty ``years`` when none is published."""

    indicator: Shown
    standard: Shown
    years: tuple[YearResult, ...]


def standard_results(charter: Charter, service: Service, lang: str) -> list[StandardResults]:
    """Guaranteed vs realized for each quality row of ``service`` in ``lang``
    (from :func:`carta.monitoring.measure.tracks`); a too-small sample says so, never 100 %."""
    out = []
    for track in tracks(charter, service):
        years = []
        for year in sorted(track.results):
            r = track.results[year]
            text, cases = result_text(charter, r, lang)
            years.append(YearResult(
                year, float(r.realized_pct) if r.realized_pct is not None else None, text,
                r.outcome, cases, shown(r.formula, lang), shown(r.source, lang),
                shown(r.reason, lang)))
        out.append(StandardResults(shown(track.indicator.indicator, lang),
                                   shown(track.guaranteed, lang), tuple(years)))
    return out


@dataclass(frozen=True)
class ReportRow:
    """One row of a year's results table, every fact ready for a language."""

    service: Shown | None
    factor: Shown | None
    indicator: Shown | None
    guaranteed: Shown | None
    text: str  # "95%", "troppo pochi casi …", "non rilevabile"
    cases: str | None  # "19/20"
    outcome: str  # met | not_met | not_measurable
    outcome_text: str  # "raggiunto" …
    formula: Shown | None
    source: Shown | None
    reason: Shown | None
    notes: Shown | None


@dataclass(frozen=True)
class ReportView:
    """One year's published results: title, the counts, the rows, the improvement actions."""

    year: int
    title: Shown | None
    summary: str
    rows: tuple[ReportRow, ...]
    actions: tuple[tuple[Shown | None, Shown | None], ...]


def report_views(charter: Charter, lang: str) -> list[ReportView]:
    """Every year's results in ``lang``, newest first (the binder's monitoring section):
    guaranteed vs realized with :func:`result_text` (too few cases say so, never 100 %), the
    formula and the source of each row."""
    out = []
    for report in reversed(charter.monitoring):
        rows = []
        for r in report.results:
            service = charter.service_by_slug[r.service].title if r.service else r.service_name
            text, cases = result_text(charter, r, lang)
            rows.append(ReportRow(
                shown(service, lang), shown(r.factor, lang), shown(r.indicator, lang),
                shown(r.guaranteed, lang), text, cases, r.outcome,
                charter.t(lang, "outcome_" + r.outcome), shown(r.formula, lang),
                shown(r.source, lang), shown(r.reason, lang), shown(r.notes, lang)))
        counts = {k: number(sum(r.outcome == k for r in report.results), lang)
                  for k in ("met", "not_met", "not_measurable")}
        out.append(ReportView(
            report.year, shown(report.title, lang) if report.title else None,
            charter.t(lang, "results_summary", **counts), tuple(rows),
            tuple((shown(a.action, lang), shown(a.outcome, lang)) for a in report.actions)))
    return out
