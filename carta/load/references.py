"""Checks that span files: references that must resolve and codes that must be unique."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from carta.errors import Problem
from carta.load.source import Source
from carta.model.crossref import known_targets, links_in, resolve
from carta.model.quality import indicator_refs
from carta.model.text import Text

if TYPE_CHECKING:
    from carta.model.charter import Charter


def walk_texts(obj: Any, path: tuple = ()) -> Iterator[tuple[tuple, Text]]:
    """Every :class:`Text` inside a model object, with its key path."""
    if isinstance(obj, Text):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from walk_texts(getattr(obj, name), (*path, name))
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from walk_texts(item, (*path, i))
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from walk_texts(item, (*path, key))


def check_references(charter: Charter, sources: dict[str, Source],
                     service_sources: dict[str, Source],
                     monitoring_sources: dict[int, Source]) -> list[Problem]:
    """Every cross-file problem of ``charter``, located in the file that holds the reference."""
    out: list[Problem] = []
    district_src = sources["content/district.yaml"]
    areas_src = sources["content/areas.yaml"]
    offices_src = sources["content/offices.yaml"]

    comuni = {c.id for c in charter.district.comuni}
    _unique(out, district_src, [(("comuni", i, "id"), c.id)
                                for i, c in enumerate(charter.district.comuni)], "comune id")
    if charter.district.capofila is not None and charter.district.capofila not in comuni:
        out.append(district_src.problem(("capofila",), _unknown(
            "comune", charter.district.capofila, comuni)))

    sub = charter.district.substitute
    if sub and sub.office and sub.office not in {o.id for o in charter.offices}:
        out.append(district_src.problem(("substitute", "office"), _unknown(
            "office", sub.office, {o.id for o in charter.offices})))

    _unique(out, areas_src, [(("areas", i, "code"), a.code)
                             for i, a in enumerate(charter.areas)], "area code")
    _unique(out, areas_src, [(("areas", i, "slug"), a.slug)
                             for i, a in enumerate(charter.areas)], "area slug")

    _unique(out, offices_src, [(("offices", i, "id"), o.id)
                               for i, o in enumerate(charter.offices)], "office id")
    for i, office in enumerate(charter.offices):
        if office.comune is not None and office.comune not in comuni:
            out.append(offices_src.problem(("offices", i, "comune"),
                                           _unknown("comune", office.comune, comuni)))
        for j, ref in enumerate(office.comuni):
            if ref not in comuni:
                out.append(offices_src.problem(("offices", i, "comuni", j),
                                               _unknown("comune", ref, comuni)))
        for j, stop in enumerate(office.rotation):
            if stop.comune not in comuni:
                out.append(offices_src.problem(("offices", i, "rotation", j, "comune"),
                                               _unknown("comune", stop.comune, comuni)))
    office_refs = {o.id for o in charter.offices} | {o.kind for o in charter.offices}

    tariffs_src = sources.get("content/tariffs.yaml")
    if tariffs_src:
        _unique(out, tariffs_src, [(("tariffs", i, "id"), t.id)
                                   for i, t in enumerate(charter.tariffs.tariffs)], "tariff id")
        for i, tariff in enumerate(charter.tariffs.tariffs):
            if tariff.area is not None and tariff.area not in charter.area_by_code:
                out.append(tariffs_src.problem(("tariffs", i, "area"), _unknown(
                    "area", tariff.area, charter.area_by_code)))

    tiers = set()
    if charter.bands:
        bands_src = sources["content/bands.yaml"]
        _unique(out, bands_src, [(("bands", i, "id"), b.id)
                                 for i, b in enumerate(charter.bands.bands)], "band id")
        tiers = {str(b.tier) for b in charter.bands.bands}

    providers_src = sources.get("content/providers.yaml")
    if providers_src:
        _unique(out, providers_src, [(("providers", i, "id"), p.id)
                                     for i, p in enumerate(charter.providers)], "provider id")

    # the schede
    codes = defaultdict(list)
    for service in charter.services:
        src = service_sources[service.slug]
        codes[service.code].append(src)
        if service.area not in charter.area_by_code:
            out.append(src.problem(("area",), _unknown("area", service.area, charter.area_by_code)))
        if service.cost.tariff and service.cost.tariff not in charter.tariff_by_id:
            out.append(src.problem(("cost", "tariff"), _unknown(
                "tariff", service.cost.tariff, charter.tariff_by_id)))
        if service.responsible.office and service.responsible.office not in charter.office_by_id:
            out.append(src.problem(("responsible", "office"), _unknown(
                "office", service.responsible.office, charter.office_by_id)))
        if service.substitute and service.substitute.office \
                and service.substitute.office not in charter.office_by_id:
            out.append(src.problem(("substitute", "office"), _unknown(
                "office", service.substitute.office, charter.office_by_id)))
        for j, provider in enumerate(service.operator.providers):
            if provider not in charter.provider_by_id:
                out.append(src.problem(("operator", "providers", j), _unknown(
                    "ente gestore", provider, charter.provider_by_id)))
        for j, ref in enumerate(service.access.offices):
            if ref not in office_refs:
                out.append(src.problem(("access", "offices", j), _unknown(
                    "office id or kind", ref, office_refs)))
        _unique(out, src, [(("quality", j, "id"), q.id)
                           for j, q in enumerate(service.quality) if q.id], "indicator id")
        for j, site in enumerate(service.sites):
            for k, table in enumerate(site.fee_tables):
                for r, row in enumerate(table.rows):
                    for tier in row.fees:
                        if tier not in tiers:
                            out.append(src.problem(
                                ("sites", j, "fee_tables", k, "rows", r, "fees", tier),
                                _unknown("band tier", tier, tiers)))
    for code, srcs in codes.items():
        if len(srcs) > 1:
            names = ", ".join(s.path for s in srcs)
            for src in srcs:
                out.append(src.problem(("code",), f"code {code!r} is used by {len(srcs)} "
                                       f"schede ({names}): each scheda needs its own code"))

    params_src = sources.get("content/access_parameters.yaml")
    if charter.access_parameters and params_src:
        ids = []
        for g, group in enumerate(charter.access_parameters.groups):
            for j, slug in enumerate(group.services):
                if slug not in charter.service_by_slug:
                    out.append(params_src.problem(("groups", g, "services", j), _unknown(
                        "scheda", slug, charter.service_by_slug)))
            ids += [(("groups", g, "parameters", p, "id"), par.id)
                    for p, par in enumerate(group.parameters)]
        _unique(out, params_src, ids, "parameter id")

    complaints_src = sources["content/complaints.yaml"]
    for i, ref in enumerate(charter.complaints.offices):
        if ref not in office_refs:
            out.append(complaints_src.problem(("offices", i), _unknown(
                "office id or kind", ref, office_refs)))

    forms_src = sources["content/forms.yaml"]
    _unique(out, forms_src, [(("forms", i, "id"), f.id)
                             for i, f in enumerate(charter.forms)], "form id")
    for i, form in enumerate(charter.forms):
        ids = [(("forms", i, "sections", s, "fields", j, "id"), f.id)
               for s, sec in enumerate(form.sections) for j, f in enumerate(sec.fields)]
        _unique(out, forms_src, ids, "field id")
        known = {f.id for f in form.fields()}
        for s, sec in enumerate(form.sections):
            for j, fld in enumerate(sec.fields):
                if fld.required_if and fld.required_if not in known:
                    out.append(forms_src.problem(
                        ("forms", i, "sections", s, "fields", j, "required_if"),
                        _unknown("field", fld.required_if, known)))

    sections_src = sources.get("content/sections.yaml")
    if sections_src:
        _unique(out, sections_src, [(("sections", i, "id"), s.id)
                                    for i, s in enumerate(charter.sections)], "section id")

    system = [q for a in charter.system_quality.areas for q in a.indicators] \
        if charter.system_quality else []
    scope_ids = {"system": set(indicator_refs(system)),
                 "complaints": {m.id for m in charter.complaints.measure}}
    for report in charter.monitoring:
        src = monitoring_sources[report.year]
        for i, result in enumerate(report.results):
            if result.service is None:
                ids = scope_ids.get(result.scope or "")
                if result.indicator_ref and ids is not None and result.indicator_ref not in ids:
                    out.append(src.problem(("results", i, "indicator_ref"), _unknown(
                        f"indicator of {result.scope}", result.indicator_ref, ids)))
                continue
            service = charter.service_by_slug.get(result.service)
            if service is None:
                out.append(src.problem(("results", i, "service"), _unknown(
                    "scheda", result.service, charter.service_by_slug)))
            elif result.indicator_ref:
                ids = set(indicator_refs(service.quality))
                if result.indicator_ref not in ids:
                    out.append(src.problem(("results", i, "indicator_ref"), _unknown(
                        f"indicator of {service.slug}", result.indicator_ref, ids)))

    # every text in a language the district offers
    langs = set(charter.district.languages)
    everything = [(sources.get(k.path), getattr_path(charter, k)) for k in _TEXT_HOLDERS]
    everything += [(service_sources[s.slug], s) for s in charter.services]
    everything += [(monitoring_sources[m.year], m) for m in charter.monitoring]
    for src, obj in everything:
        if src is None or obj is None:
            continue
        for path, text in walk_texts(obj):
            for lang in text:
                if lang not in langs:
                    out.append(src.problem((*path, lang),
                                           f"language {lang!r} is not in the district's "
                                           f"languages ({', '.join(sorted(langs))})"))
                continue
            for _label, target in links_in(text[lang]):
                if resolve(charter, target) is None:
                    out.append(src.problem((*path, lang), _unknown(
                        "cross-reference target (see:…)", target, known_targets(charter))
                        + "; write e.g. [vedi Allegato 1](see:fasce)"))
    return out


class _Holder:
    def __init__(self, path: str, attr: str, key: str | None):
        self.path, self.attr, self.key = path, attr, key


_TEXT_HOLDERS = [
    _Holder("content/district.yaml", "district", None),
    _Holder("content/areas.yaml", "areas", "areas"),
    _Holder("content/offices.yaml", "offices", "offices"),
    _Holder("content/tariffs.yaml", "tariffs", None),
    _Holder("content/bands.yaml", "bands", None),
    _Holder("content/access_parameters.yaml", "access_parameters", None),
    _Holder("content/providers.yaml", "providers", "providers"),
    _Holder("content/forms.yaml", "forms", "forms"),
    _Holder("content/complaints.yaml", "complaints", None),
    _Holder("content/system_quality.yaml", "system_quality", None),
    _Holder("content/health.yaml", "health", None),
    _Holder("content/sections.yaml", "sections", "sections"),
]


def getattr_path(charter: Charter, holder: _Holder) -> Any:
    """The object of ``charter`` read from ``holder``'s file, wrapped to match its key path."""
    value = getattr(charter, holder.attr)
    return {holder.key: value} if holder.key else value


def _unique(out: list[Problem], src: Source, items: list[tuple[tuple, str]], what: str) -> None:
    seen: dict[str, tuple] = {}
    for path, value in items:
        if value in seen:
            line, _ = src.mark(seen[value])
            out.append(src.problem(path, f"duplicate {what} {value!r} (first used at line {line})"))
        else:
            seen[value] = path


def _unknown(what: str, value: str, known) -> str:
    import difflib

    choices = sorted(str(k) for k in known)
    hint = difflib.get_close_matches(str(value), choices, n=1)
    msg = f"unknown {what} {value!r}"
    if hint:
        return msg + f"; did you mean {hint[0]!r}?"
    if choices and len(choices) <= 12:
        return msg + "; known: " + ", ".join(choices)
    return msg
