"""Access bands, access parameters with their points, and the complaint deadlines."""

from __future__ import annotations

from dataclasses import dataclass

from carta.model.charter import Charter
from carta.model.rules import Band, Parameter, ParameterGroup
from carta.model.service import Service
from carta.present.formats import money, number
from carta.present.text import Shown, shown


def band_range(charter: Charter, band: Band, lang: str) -> str:
    """An access band's ISEE range in words: "dal 51% al 100%", numbers in ``lang``."""
    lo, hi = band.isee_min_pct, band.isee_max_pct
    if lo is not None and hi is not None:
        return charter.t(lang, "band_from_to", min=number(lo, lang), max=number(hi, lang))
    if lo is not None:
        return charter.t(lang, "band_over", min=number(lo, lang))
    return charter.t(lang, "band_up_to", max=number(hi, lang))


@dataclass(frozen=True)
class StepView:
    """One step of a graded parameter: its condition and its points."""

    condition: Shown
    points: str


@dataclass(frozen=True)
class PointsView:
    """An access parameter (Allegato 4) as shown on the site, the sheets and the blank form.

    ``points`` is the summary a cell shows ("3", "da 0 a 5", "requisito"); ``steps`` the
    conditions of a graded parameter, each with its points; ``extra`` the points added per
    dependent minor ("+1 per ogni figlio minore a carico").  Site and print show all three.
    """

    id: str
    text: Shown
    points: str
    steps: tuple[StepView, ...]
    extra: str | None
    requirement: bool
    per_person: bool


def parameter_points(charter: Charter, par: Parameter, lang: str) -> PointsView:
    """Points of one access parameter in ``lang``."""
    if par.is_requirement:
        summary = charter.t(lang, "parameter_requirement")
    elif par.steps:
        summary = "/".join(number(s.points, lang) for s in par.steps)
    elif par.points is not None:
        summary = number(par.points, lang)
    else:
        summary = charter.t(lang, "points_range", min=number(par.points_min or 0, lang),
                            max=number(par.points_max, lang))
    return PointsView(
        id=par.id, text=shown(par.text, lang), points=summary,
        steps=tuple(StepView(shown(s.condition, lang), number(s.points, lang)) for s in par.steps),
        extra=charter.t(lang, "per_minor", n=number(par.extra_per_minor, lang))
        if par.extra_per_minor else None,
        requirement=par.is_requirement, per_person=par.per_person)


@dataclass(frozen=True)
class ParameterGroupView:
    """A group of access parameters with its name."""

    id: str
    name: Shown
    parameters: tuple[PointsView, ...]


def applicable_groups(charter: Charter, service: Service | None) -> list[ParameterGroup]:
    """The parameter groups that apply to ``service`` (all groups when None)."""
    if not charter.access_parameters:
        return []
    return [g for g in charter.access_parameters.groups
            if service is None or not g.services or service.slug in g.services]


def parameter_groups(charter: Charter, lang: str,
                     service: Service | None = None) -> list[ParameterGroupView]:
    """Every access-parameter group (or those of ``service``) with the points of each."""
    return [ParameterGroupView(g.id, shown(g.name, lang),
                               tuple(parameter_points(charter, p, lang) for p in g.parameters))
            for g in applicable_groups(charter, service)]


@dataclass(frozen=True)
class Deadline:
    """One promise of the complaint procedure, as a sentence with its number."""

    key: str  # the interface string: complaint_filing, complaint_call_in …
    text: str
    days: int | None = None  # the number of days (None for the compensation)


_DEADLINE_KEYS = (("complaint_filing", "filing_window_days"),
                  ("complaint_call_in", "call_in_days"),
                  ("complaint_meeting", "meeting_within_working_days"),
                  ("complaint_urgent", "urgent_action_days"),
                  ("complaint_suspension", "suspension_max_working_days"),
                  ("complaint_compensation", None),
                  ("complaint_protection", "user_protection_days"))


def complaint_deadlines(charter: Charter, lang: str) -> list[Deadline]:
    """The deadlines and the compensation the charter states, in the order a citizen meets
    them; what the charter leaves out is not there (no "0 giorni", no "€ 0,00")."""
    c = charter.complaints
    out = []
    for key, field in _DEADLINE_KEYS:
        if field is None:
            text = compensation(charter, lang)
            if text:
                out.append(Deadline(key, text))
            continue
        days = c.deadline(field)
        if days:
            out.append(Deadline(key, charter.t(lang, key, days=number(days, lang)), days))
    return out


def compensation(charter: Charter, lang: str) -> str | None:
    """The compensation the charter promises ("da € 100,00 a € 300,00", "fino a …",
    "almeno …"), or None when it promises none."""
    c = charter.complaints
    if not c.compensation_stated:
        return None
    lo, hi = c.compensation_min, c.compensation_max
    if lo and hi:
        return charter.t(lang, "complaint_compensation", min=money(lo, lang), max=money(hi, lang))
    if hi:
        return charter.t(lang, "complaint_compensation_up_to", max=money(hi, lang))
    return charter.t(lang, "complaint_compensation_from", min=money(lo, lang))


def complaint_filing(charter: Charter, lang: str) -> str | None:
    """The filing window as a sentence ("Presenta il reclamo entro 15 giorni …"), or None
    when the charter states none (then no window is enforced either)."""
    days = charter.complaints.filing_window_days
    return charter.t(lang, "complaint_filing", days=number(days, lang)) if days else None
