"""The DCAT-AP_IT catalogue record of the charter (``http://dati.gov.it/onto/dcatapit#``): one
catalogue, one dataset (the charter), one distribution per published file, with the content
licence the district states, and never one it does not."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from carta.export.cpsv import Names, site_page, texts
from carta.export.vocab import (
    DATA_THEME,
    DCATAPIT,
    EU_LANGUAGE,
    EU_LANGUAGES,
    FILE_TYPE,
    FREQUENCY,
    VCARD,
    licence_uri,
)
from carta.model.charter import Charter

# path on the site → (file type, title); the files the site publishes under assets/
DISTRIBUTIONS = {
    "assets/carta.ttl": ("RDF_TURTLE", "CPSV-AP_IT Turtle"),
    "assets/carta.jsonld": ("JSON_LD", "CPSV-AP_IT JSON-LD"),
    "assets/carta.json": ("JSON", "JSON"),
    "assets/indicatori.csv": ("CSV", "CSV"),
}


def missing(charter: Charter) -> list[str]:
    """What the district has not stated that a complete DCAT-AP_IT record needs, one line
    each, naming the file and key to write."""
    d = charter.district
    out = []
    if not d.content_licence:
        out.append("content/district.yaml: content_licence: not set: the catalogue record "
                   "states no licence for the data; write e.g. content_licence: CC BY 4.0")
    elif not licence_uri(d.content_licence):
        out.append(f"content/district.yaml: content_licence: {d.content_licence!r} is not in "
                   "AgID's licence vocabulary: the record names it as written, without the "
                   "vocabulary's IRI; write e.g. CC BY 4.0, CC0 1.0, IODL 2.0")
    if not d.site_url:
        out.append("content/district.yaml: site_url: not set: the record has no homepage and "
                   "its distributions no access URL, and resources are named urn:x-carta:…")
    office = d.ufficio_di_piano
    if not (office and (office.email or office.phones)):
        out.append("content/district.yaml: ufficio_di_piano: no e-mail or phone: the dataset's "
                   "contact point has no way to reach it")
    return out


def add_catalogue(g: Graph, charter: Charter) -> None:
    """Add the catalogue record of ``charter`` to ``g``."""
    name = Names(charter)
    d = charter.district
    ambito = name("ambito")
    g.add((ambito, RDF.type, DCATAPIT.Agent))
    g.add((ambito, RDF.type, FOAF.Agent))
    for lit in texts(d.name):
        g.add((ambito, FOAF.name, lit))
    if d.capofila_tax_code:
        g.add((ambito, DCTERMS.identifier, Literal(d.capofila_tax_code)))

    modified = max([d.edition, *(s.revised for s in charter.services)])
    modified_lit = Literal(modified.isoformat(), datatype=XSD.date)
    languages = [EU_LANGUAGE[EU_LANGUAGES[lang]] for lang in d.languages if lang in EU_LANGUAGES]

    catalogue = name("catalogo")
    g.add((catalogue, RDF.type, DCATAPIT.Catalog))
    g.add((catalogue, RDF.type, DCAT.Catalog))
    for lang in d.languages:
        district = d.name.resolve(lang)[0]
        g.add((catalogue, DCTERMS.title, Literal(
            charter.t(lang, "opendata_catalogue_title", district=district), lang=lang)))
        g.add((catalogue, DCTERMS.description, Literal(
            charter.t(lang, "opendata_catalogue_description", district=district), lang=lang)))
    g.add((catalogue, DCTERMS.publisher, ambito))
    g.add((catalogue, DCTERMS.modified, modified_lit))
    home = site_page(charter, "")
    if home:
        g.add((catalogue, FOAF.homepage, home))

    dataset = name("dataset")
    g.add((catalogue, DCAT.dataset, dataset))
    g.add((dataset, RDF.type, DCATAPIT.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    for lang in d.languages:
        g.add((dataset, DCTERMS.title, Literal(charter.t(
            lang, "opendata_catalogue_title", district=d.name.resolve(lang)[0]), lang=lang)))
        g.add((dataset, DCTERMS.description, Literal(charter.t(
            lang, "opendata_dataset_description", count=len(charter.services)), lang=lang)))
    identifier = f"{d.capofila_tax_code or name.base.rstrip(':#')}:carta-dei-servizi"
    g.add((dataset, DCTERMS.identifier, Literal(identifier)))
    g.add((dataset, DCTERMS.modified, modified_lit))
    g.add((dataset, DCTERMS.issued, Literal(d.edition.isoformat(), datatype=XSD.date)))
    g.add((dataset, DCAT.theme, DATA_THEME.SOCI))
    g.add((dataset, DCAT.theme, DATA_THEME.GOVE))
    g.add((dataset, DCTERMS.rightsHolder, ambito))
    g.add((dataset, DCTERMS.publisher, ambito))
    g.add((dataset, DCTERMS.accrualPeriodicity, FREQUENCY.IRREG))
    for lang in languages:
        g.add((dataset, DCTERMS.language, lang))
    for c in d.members():
        g.add((dataset, DCTERMS.spatial, name("comune", c.id)))
    for s in charter.services:
        g.add((dataset, DCTERMS.hasPart, name("servizio", s.slug)))

    contact = name("punto-di-contatto")
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, DCATAPIT.Organization))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(d.short_name.it)))
    office = d.ufficio_di_piano
    if office:
        for email in office.email:
            g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
        for phone in office.phones:
            g.add((contact, VCARD.hasTelephone, Literal(phone)))

    licence = _licence(g, d.content_licence)
    for path, (file_type, title) in DISTRIBUTIONS.items():
        dist = name("distribuzione", path.rsplit("/", 1)[-1].replace(".", "-"))
        g.add((dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCATAPIT.Distribution))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.format, FILE_TYPE[file_type]))
        g.add((dist, DCTERMS.title, Literal(title)))
        g.add((dist, DCTERMS.modified, modified_lit))
        url = site_page(charter, path)
        if url:
            g.add((dist, DCAT.accessURL, url))
            g.add((dist, DCAT.downloadURL, url))
        if licence is not None:
            g.add((dist, DCTERMS.license, licence))


def _licence(g: Graph, text: str | None) -> URIRef | None:
    if not text:
        return None  # never invent one: missing() says so
    iri = licence_uri(text)
    node = URIRef(iri) if iri else URIRef("urn:x-carta:licence:" + "".join(
        ch if ch.isalnum() else "-" for ch in text.strip()))
    g.add((node, RDF.type, DCATAPIT.LicenseDocument))
    g.add((node, RDF.type, DCTERMS.LicenseDocument))
    g.add((node, FOAF.name, Literal(text.strip())))
    return node
