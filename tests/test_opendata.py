"""Open data others can reuse: the charter as CPSV-AP_IT RDF (Turtle, JSON-LD) checked against
carta's SHACL shapes, its DCAT-AP_IT catalogue record with the district's licence, and the
repository's publiccode.yml against the standard's keys and value sets."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from carta.cli import main
from carta.export.cpsv import base_iri
from carta.export.dcat import missing
from carta.export.rdf import charter_graph, render_jsonld, render_turtle, validate
from carta.export.vocab import CPSV, DCATAPIT, L0, LEVEL, RO, SM
from carta.load.charter import load_charter
from tests.factory import REPO, base, write_charter, write_thin


def parse(text: str, fmt: str) -> Graph:
    return Graph().parse(data=text, format=fmt)


def service(charter, slug: str) -> URIRef:
    return URIRef(base_iri(charter) + f"servizio-{slug}")


@pytest.fixture(scope="module")
def shipped_rdf(shipped):
    return parse(render_turtle(shipped), "turtle"), parse(render_jsonld(shipped), "json-ld")


def test_turtle_and_json_ld_carry_every_scheda_with_the_same_triples(shipped, shipped_rdf):
    ttl, jsonld = shipped_rdf
    assert len(ttl) == len(jsonld) > 1000
    services = set(ttl.subjects(RDF.type, CPSV.PublicService))
    assert services == {service(shipped, s.slug) for s in shipped.services}
    for s in shipped.services:
        node = service(shipped, s.slug)
        n_ttl = len(list(ttl.triples((node, None, None))))
        assert n_ttl == len(list(jsonld.triples((node, None, None)))), s.slug
        # name, description, identifier, theme, sector, level, status, cost, a channel, a
        # comune, the titolare: a scheda is never a bare label
        assert n_ttl >= 12, s.slug
        assert ttl.value(node, L0.identifier) == Literal(s.code)
        assert Literal(s.title.it, lang="it") in set(ttl.objects(node, L0.name))
        assert Literal(s.what.it, lang="it") in set(ttl.objects(node, L0.description))


def test_the_turtle_is_the_one_rdflib_writes(shipped):
    # carta's serializer only remembers each name's prefixed form (rdflib's own reworks it at
    # every mention): the published file must not differ by a byte
    assert render_turtle(shipped) == charter_graph(shipped).serialize(format="turtle")


def test_the_shipped_charter_conforms_to_the_shapes(shipped):
    conforms, problems = validate(charter_graph(shipped))
    assert conforms, "\n".join(map(str, problems))
    assert [p for p in problems if p.severity == "Violation"] == []


@pytest.mark.parametrize("writer", [write_charter, write_thin], ids=["base", "thin"])
def test_factory_charters_conform_to_the_shapes(tmp_path, writer):
    charter = load_charter(writer(tmp_path))
    conforms, problems = validate(charter_graph(charter))
    assert conforms, "\n".join(map(str, problems))
    assert set(charter_graph(charter).subjects(RDF.type, CPSV.PublicService)) == {
        service(charter, s.slug) for s in charter.services}


def test_a_scheda_that_takes_applications_online_has_a_web_channel_and_level_3(tmp_path):
    charter = load_charter(write_charter(tmp_path))
    g = charter_graph(charter)
    node = service(charter, "telesoccorso")
    assert g.value(node, CPSV.hasiInteractivityLevel) == LEVEL.LEVEL3
    web = [ch for ch in g.objects(node, CPSV.hasChannel) if (ch, RDF.type, CPSV.WebSiteChannel) in g]
    assert len(web) == 1
    # the office's desk and the ente gestore that provides it
    assert (node, CPSV.isPhysicallyAvailableAt, URIRef(base_iri(charter) + "ufficio-alfa")) in g
    roles = {g.value(r, RO.withRole): g.value(r, RO.isRoleInTimeOf)
             for r in g.subjects(RO.forEntity, node)}
    assert roles == {CPSV.RightsHolder: URIRef(base_iri(charter) + "ambito"),
                     CPSV.Provider: URIRef(base_iri(charter) + "ente-coop")}
    # the tariff's price in euro, per month
    prices = {str(v) for c in g.objects(node, CPSV.hasCost)
              for v in g.objects(c, URIRef("https://w3id.org/italia/onto/MU/value"))}
    assert prices == {"27.31"}


def test_a_scheda_without_description_is_reported_by_name(tmp_path):
    charter = load_charter(write_charter(tmp_path))
    broken = charter.services[0].model_copy(update={"what": None})
    charter = charter.model_copy(update={"services": [broken]})
    conforms, problems = validate(charter_graph(charter))
    assert not conforms
    violations = [p for p in problems if p.severity == "Violation"]
    assert len(violations) == 1
    assert "servizio-telesoccorso" in violations[0].focus
    assert violations[0].path == "l0:description"
    assert "description" in violations[0].message


def test_a_phone_channel_without_its_number_is_reported(tmp_path):
    charter = load_charter(write_charter(tmp_path))
    g = charter_graph(charter)
    assert any(True for _ in g.subjects(RDF.type, CPSV.PhoneChannel)) is False  # base: no phones
    ch = URIRef(base_iri(charter) + "canale-x")
    g.add((service(charter, "telesoccorso"), CPSV.hasChannel, ch))
    g.add((ch, RDF.type, CPSV.Channel))
    g.add((ch, RDF.type, CPSV.PhoneChannel))
    conforms, problems = validate(g)
    assert not conforms
    assert {p.path for p in problems if p.severity == "Violation"} == {
        "sm:telephoneNumber", "cpsv:hasChannelType"}


def test_the_catalogue_record_carries_the_districts_licence(tmp_path):
    district = {**base("content/district.yaml"), "content_licence": "CC BY 4.0",
                "site_url": "https://servizi.prova.example/"}
    charter = load_charter(write_charter(tmp_path, {"content/district.yaml": district}))
    g = charter_graph(charter)
    dists = set(g.subjects(RDF.type, DCATAPIT.Distribution))
    assert len(dists) == 4
    licence = URIRef("https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40")
    assert {g.value(d, DCTERMS.license) for d in dists} == {licence}
    assert g.value(licence, FOAF.name) == Literal("CC BY 4.0")
    assert URIRef("https://servizi.prova.example/assets/carta.ttl") in {
        g.value(d, DCAT.accessURL) for d in dists}
    conforms, problems = validate(g)
    assert conforms and problems == []
    assert [m for m in missing(charter) if "content_licence" in m] == []


def test_without_a_licence_the_record_states_none_and_says_what_is_missing(tmp_path):
    charter = load_charter(write_charter(tmp_path))
    g = charter_graph(charter)
    assert list(g.triples((None, DCTERMS.license, None))) == []
    conforms, problems = validate(g)
    assert conforms  # the services are fine; the record is incomplete
    warned = {(p.path, p.severity) for p in problems}
    assert ("dct:license", "Warning") in warned and ("dcat:accessURL", "Warning") in warned
    notes = missing(charter)
    assert any(n.startswith("content/district.yaml: content_licence: not set") for n in notes)
    assert any("site_url" in n for n in notes)


def test_a_licence_outside_agids_vocabulary_is_named_as_written(tmp_path):
    district = {**base("content/district.yaml"), "content_licence": "Licenza del Comune"}
    charter = load_charter(write_charter(tmp_path, {"content/district.yaml": district}))
    g = charter_graph(charter)
    names = {str(g.value(lic, FOAF.name)) for lic in g.objects(None, DCTERMS.license)}
    assert names == {"Licenza del Comune"}
    assert not any(str(lic).startswith("https://w3id.org/italia/controlled-vocabulary/")
                   for lic in g.objects(None, DCTERMS.license))
    assert any("not in AgID's licence vocabulary" in m for m in missing(charter))


def test_carta_export_writes_turtle_and_json_ld_and_notes_what_is_missing(tmp_path, capsys):
    root = write_charter(tmp_path)
    assert main(["export", "--format", "ttl", "--root", str(root)]) == 0
    out, err = capsys.readouterr()
    assert len(parse(out, "turtle")) > 100
    assert "note: content/district.yaml: content_licence: not set" in err
    assert main(["export", "--format", "jsonld", "--root", str(root)]) == 0
    out, _ = capsys.readouterr()
    assert "@context" in json.loads(out)
    assert main(["export", "--format", "json", "--root", str(root)]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "carta-export"


def test_the_site_publishes_the_rdf_beside_the_json(tmp_path):
    from carta.website.build import shared_files

    charter = load_charter(write_charter(tmp_path))
    files = shared_files(charter)
    assert {"assets/carta.json", "assets/carta.ttl", "assets/carta.jsonld"} <= set(files)
    assert len(parse(files["assets/carta.ttl"](), "turtle")) == len(
        parse(files["assets/carta.jsonld"](), "json-ld"))
    assert any(True for _ in parse(files["assets/carta.ttl"](), "turtle").subjects(
        RDF.type, SM.OnlineContactPoint))


# publiccode.yml, standard 0.4 (publiccodeyml/publiccode.yml, docs/standard/schema.core.rst and
# its categories and scope lists); no Go parser here, so the keys and value sets are restated
CATEGORIES = frozenset([
    "accounting", "agile-project-management", "applicant-tracking", "application-development",
    "appointment-scheduling", "backup", "billing-and-invoicing", "blog", "budgeting",
    "business-intelligence", "business-process-management", "cad", "call-center-management",
    "cloud-management", "collaboration", "communications", "compliance-management",
    "contact-management", "content-management", "crm", "customer-service-and-support",
    "data-analytics", "data-collection", "data-visualization", "design", "design-system",
    "digital-asset-management", "digital-citizenship", "document-management", "donor-management",
    "e-commerce", "e-signature", "educational-content", "email-management", "email-marketing",
    "employee-management", "enterprise-project-management", "enterprise-social-networking", "erp",
    "event-management", "facility-management", "feedback-and-reviews-management",
    "financial-reporting", "fleet-management", "fundraising", "gamification",
    "geographic-information-systems", "grant-management", "graphic-design", "help-desk", "hr",
    "ide", "identity-management", "instant-messaging", "inventory-management",
    "it-asset-management", "it-development", "it-management", "it-security",
    "it-service-management", "knowledge-management", "learning-management-system", "marketing",
    "mind-mapping", "mobile-marketing", "mobile-payment", "network-management", "office",
    "online-booking", "online-community", "payment-gateway", "payroll", "predictive-analysis",
    "procurement", "productivity-suite", "project-collaboration", "project-management",
    "property-management", "real-estate-management", "remote-support", "resource-management",
    "sales-management", "seo", "service-desk", "social-media-management", "survey",
    "talent-management", "task-management", "taxes-management", "test-management",
    "time-management", "time-tracking", "translation", "video-conferencing", "video-editing",
    "visitor-management", "voip", "warehouse-management", "web-collaboration", "web-conferencing",
    "website-builder", "whistleblowing", "workflow-management",
])
SCOPES = frozenset([
    "agriculture", "culture", "defence", "education", "emergency-services", "employment", "energy",
    "environment", "finance-and-economic-development", "foreign-affairs", "healthcare",
    "infrastructures", "justice", "local-authorities", "manufacturing", "research",
    "science-and-technology", "security", "society", "sport", "tourism", "transportation", "welfare",
])
SOFTWARE_TYPES = {"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
                  "standalone/backend", "standalone/other", "addon", "library",
                  "configurationFiles"}
STATUSES = {"concept", "development", "beta", "stable", "obsolete"}
MAINTENANCE = {"internal", "contract", "community", "none"}
_SPDX_ID = r"(?:LicenseRef-[A-Za-z0-9.\-]+|[A-Za-z0-9][A-Za-z0-9.\-]*\+?)"
SPDX = re.compile(rf"^{_SPDX_ID}(?:\s+WITH\s+{_SPDX_ID})?(?:\s+(?:AND|OR)\s+{_SPDX_ID})*$")
BCP47 = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def publiccode_problems(doc: dict) -> list[str]:
    """Every way ``doc`` breaks publiccode.yml 0.4's mandatory keys and value sets."""
    out = []
    for key in ("publiccodeYmlVersion", "name", "url", "platforms", "categories",
                "developmentStatus", "softwareType", "description", "legal", "maintenance",
                "localisation"):
        if key not in doc:
            out.append(f"{key}: missing")
    if str(doc.get("publiccodeYmlVersion")) != "0.4":
        out.append("publiccodeYmlVersion: not 0.4")
    if not re.match(r"^https?://[^\s/]+\.[^\s/]+/\S+$", str(doc.get("url", ""))):
        out.append("url: not an http(s) URL of a repository")
    if not doc.get("platforms"):
        out.append("platforms: empty")
    out += [f"categories: {c!r} unknown" for c in doc.get("categories") or [] if c not in CATEGORIES]
    out += [f"intendedAudience.scope: {s!r} unknown"
            for s in (doc.get("intendedAudience") or {}).get("scope") or [] if s not in SCOPES]
    if doc.get("developmentStatus") not in STATUSES:
        out.append("developmentStatus: not allowed")
    if doc.get("softwareType") not in SOFTWARE_TYPES:
        out.append("softwareType: not allowed")
    descriptions = doc.get("description") or {}
    if not descriptions:
        out.append("description: no language")
    for lang, d in descriptions.items():
        if not BCP47.match(lang):
            out.append(f"description.{lang}: not a BCP 47 tag")
        short = d.get("shortDescription") or ""
        if not short or len(short) > 150:
            out.append(f"description.{lang}.shortDescription: missing or over 150 characters")
        long_ = d.get("longDescription")
        if long_ is not None and not 150 <= len(long_) <= 10000:
            out.append(f"description.{lang}.longDescription: not 150–10000 characters")
    if not any(d.get("longDescription") for d in descriptions.values()):
        out.append("description: no longDescription in any language")
    if not any(d.get("features") for d in descriptions.values()):
        out.append("description: no features in any language")
    licence = (doc.get("legal") or {}).get("license")
    if not licence or not SPDX.match(str(licence)):
        out.append("legal.license: not an SPDX expression")
    maintenance = doc.get("maintenance") or {}
    kind = maintenance.get("type")
    if kind not in MAINTENANCE:
        out.append("maintenance.type: not allowed")
    if kind in ("internal", "community") and not maintenance.get("contacts"):
        out.append("maintenance.contacts: required for internal or community maintenance")
    if kind == "contract" and not maintenance.get("contractors"):
        out.append("maintenance.contractors: required for contract maintenance")
    for c in maintenance.get("contacts") or []:
        if not c.get("name"):
            out.append("maintenance.contacts: a contact without a name")
    loc = doc.get("localisation") or {}
    if not isinstance(loc.get("localisationReady"), bool):
        out.append("localisation.localisationReady: not a boolean")
    langs = loc.get("availableLanguages") or []
    if not langs or not all(BCP47.match(str(x)) for x in langs):
        out.append("localisation.availableLanguages: empty or not BCP 47")
    for dep in [*((doc.get("dependsOn") or {}).get(k) or [] for k in ("open", "proprietary",
                                                                     "hardware"))]:
        out += ["dependsOn: a dependency without a name" for d in dep if not d.get("name")]
    if "releaseDate" in doc:
        try:
            dt.date.fromisoformat(str(doc["releaseDate"]))
        except ValueError:
            out.append("releaseDate: not YYYY-MM-DD")
    return out


def test_publiccode_yml_meets_the_standard():
    doc = yaml.safe_load((REPO / "publiccode.yml").read_text(encoding="utf-8"))
    assert publiccode_problems(doc) == []
    # the localisation and descriptions cover the languages the product ships
    assert doc["localisation"]["availableLanguages"] == ["it", "en", "fr", "ar"]
    assert set(doc["description"]) >= {"it", "en"}


@pytest.mark.parametrize(("change", "problem"), [
    ({"softwareType": "standalone"}, "softwareType: not allowed"),
    ({"categories": ["social-work"]}, "categories: 'social-work' unknown"),
    ({"legal": {"license": "GPL 3"}}, "legal.license: not an SPDX expression"),
    ({"maintenance": {"type": "internal"}},
     "maintenance.contacts: required for internal or community maintenance"),
    ({"publiccodeYmlVersion": "0.2"}, "publiccodeYmlVersion: not 0.4"),
])
def test_the_publiccode_check_refuses_what_the_standard_refuses(change, problem):
    doc = {**yaml.safe_load((REPO / "publiccode.yml").read_text(encoding="utf-8")), **change}
    assert problem in publiccode_problems(doc)


def test_the_same_charter_gives_the_same_files_in_every_process():
    """Blank nodes and JSON-LD arrays in a stable order: the site's parallel and incremental
    builds compare files, and people diff the published data year on year."""
    import subprocess
    import sys

    code = ("from carta.load.charter import load_charter; from carta.export import rdf; "
            "import hashlib; c = load_charter('.'); "
            "print(hashlib.sha256((rdf.render_turtle(c) + rdf.render_jsonld(c)).encode()).hexdigest())")
    runs = {subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                           env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
                           check=True).stdout for seed in ("1", "2", "3")}
    assert len(runs) == 1
