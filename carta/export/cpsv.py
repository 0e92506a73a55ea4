"""The charter as linked open data: each scheda a CPSV-AP_IT public service
(``https://w3id.org/italia/onto/CPSV/``), with its channels, costs, inputs, the district and
enti gestori that answer for it, the comuni it covers and the offices' contact points and hours.

The mapping is documented in ``docs/agid.md`` (section "Open data"); the shapes it is checked
against are in ``carta/export/shapes/``."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from carta.export.vocab import (
    CHANNEL_DESK,
    CHANNEL_EMAIL,
    CHANNEL_VOICE,
    CHANNEL_WEB_APP,
    CLV,
    COV,
    CPSV,
    DATA_THEME,
    EU_LANGUAGE,
    EU_LANGUAGES,
    L0,
    LANGUAGE,
    LEVEL,
    MU,
    NACE_SOCIAL_WORK,
    PREFIXES,
    RO,
    SCHEMA,
    SM,
    WEEKDAYS,
)
from carta.model.charter import Charter
from carta.model.organisation import Office
from carta.model.service import DocumentKind, Service, Status
from carta.model.text import Text


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-") or "carta"


def base_iri(charter: Charter) -> str:
    """Where the charter's resources are named: hash IRIs in the published Turtle file under
    the district's ``site_url``; without one, a ``urn:x-carta:`` name that resolves nowhere
    (and claims no web address)."""
    url = charter.district.site_url
    if url:
        url = url if "://" in url else "https://" + url
        return url.rstrip("/") + "/assets/carta.ttl#"
    return f"urn:x-carta:{_slug(charter.district.short_name.it)}:"


def site_page(charter: Charter, path: str) -> URIRef | None:
    """The site's page at ``path`` (Italian, at the site root), when the site URL is known."""
    url = charter.district.site_url
    if not url:
        return None
    url = url if "://" in url else "https://" + url
    return URIRef(url.rstrip("/") + "/" + path)


class Names:
    """IRIs of the charter's resources."""

    def __init__(self, charter: Charter):
        self.base = base_iri(charter)

    def __call__(self, kind: str, *parts: str) -> URIRef:
        return URIRef(self.base + "-".join((kind, *parts)))


def texts(value: Text | None, langs: Iterable[str] | None = None) -> list[Literal]:
    """One language-tagged literal per language the text is written in."""
    if value is None:
        return []
    return [Literal(value[lang], lang=lang) for lang in value
            if langs is None or lang in langs]


def new_graph() -> Graph:
    """An empty graph with the export's prefixes bound.  rdflib's SimpleMemory store: the
    export only adds triples and serializes them, which it does a fifth faster than the
    default store's extra indexes allow (same output)."""
    g = Graph(store="SimpleMemory")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g


def add_service_graph(g: Graph, charter: Charter) -> None:
    """Add every scheda, the organisations, offices and comuni it refers to, to ``g``."""
    name = Names(charter)
    d = charter.district
    ambito = name("ambito")
    g.add((ambito, RDF.type, COV.PublicOrganization))
    g.add((ambito, RDF.type, L0.Agent))
    for lit in texts(d.name):
        g.add((ambito, L0.name, lit))
    if d.capofila_tax_code:
        g.add((ambito, COV.taxCode, Literal(d.capofila_tax_code)))

    comuni = [c.id for c in d.members()]
    for c in d.comuni:
        node = name("comune", c.id)
        g.add((node, RDF.type, CLV.City))
        g.add((node, RDF.type, CLV.Feature))
        g.add((node, L0.name, Literal(c.name)))

    for p in charter.providers:
        node = name("ente", p.id)
        g.add((node, RDF.type, COV.Organization))
        g.add((node, RDF.type, L0.Agent))
        g.add((node, L0.name, Literal(p.name)))
        for code, prop in ((p.tax_code, COV.taxCode), (p.vat_number, COV.VATnumber)):
            if code:
                g.add((node, prop, Literal(code)))

    scheme = name("aree")
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    for area in charter.areas:
        node = name("area", area.slug)
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, scheme))
        g.add((node, SKOS.notation, Literal(area.code)))
        for lit in texts(area.name):
            g.add((node, SKOS.prefLabel, lit))

    for office in charter.offices:
        _add_office(g, charter, name, office)
    for s in charter.services:
        _add_service(g, charter, name, s, comuni)


def _add_office(g: Graph, charter: Charter, name: Names, office: Office) -> None:
    place = name("ufficio", office.id)
    g.add((place, RDF.type, CLV.Feature))
    for lit in texts(office.name):
        g.add((place, L0.name, lit))
    if office.address:
        address = name("indirizzo", office.id)
        g.add((place, CLV.hasAddress, address))
        g.add((address, RDF.type, CLV.Address))
        for lit in texts(office.address):
            g.add((address, CLV.fullAddress, lit))
    for comune in office.served_comuni:
        g.add((place, CLV.hasSpatialCoverage, name("comune", comune)))
    contact = name("contatti", office.id)
    g.add((place, SM.hasOnlineContactPoint, contact))
    g.add((contact, RDF.type, SM.OnlineContactPoint))
    phones = [*office.phones, *office.mobile, *([office.toll_free] if office.toll_free else [])]
    for i, phone in enumerate(phones, 1):
        tel = name("telefono", office.id, str(i))
        g.add((contact, SM.hasTelephone, tel))
        g.add((tel, RDF.type, SM.Telephone))
        g.add((tel, SM.telephoneNumber, Literal(phone)))
    for i, email in enumerate(office.email, 1):
        box = name("email", office.id, str(i))
        g.add((contact, SM.hasEmail, box))
        g.add((box, RDF.type, SM.Email))
        g.add((box, SM.emailAddress, Literal(f"mailto:{email}", datatype=XSD.anyURI)))
    if office.website:
        g.add((contact, SM.URL, Literal(office.website, datatype=XSD.anyURI)))
    # opening hours: CPSV-AP_IT has no term for them; schema.org's are what reusers read
    if office.always_open:
        _hours(g, place, [(day, "00:00", "23:59", None) for day in WEEKDAYS])
    rows = [(day.value, f"{o.opens:%H:%M}", f"{o.closes:%H:%M}", None)
            for o in office.hours for day in o.days]
    comune_names = {c.id: c.name for c in charter.district.comuni}
    rows += [(day.value, f"{stop.opens:%H:%M}", f"{stop.closes:%H:%M}",
              comune_names.get(stop.comune, stop.comune))
             for stop in office.rotation for day in stop.days]
    _hours(g, place, rows)
    for lit in texts(office.hours_text):
        g.add((place, SCHEMA.openingHours, lit))


def _hours(g: Graph, place: URIRef, rows: list[tuple[str, str, str, str | None]]) -> None:
    for i, (day, opens, closes, where) in enumerate(rows):
        # named after its office and place in the list: the same charter gives the same file
        # (a random blank-node id would make every build's Turtle and JSON-LD differ)
        spec = BNode("h" + hashlib.sha256(f"{place}|{i}".encode()).hexdigest()[:20])
        g.add((place, SCHEMA.openingHoursSpecification, spec))
        g.add((spec, RDF.type, SCHEMA.OpeningHoursSpecification))
        g.add((spec, SCHEMA.dayOfWeek, SCHEMA[WEEKDAYS[day]]))
        g.add((spec, SCHEMA.opens, Literal(opens + ":00", datatype=XSD.time)))
        g.add((spec, SCHEMA.closes, Literal(closes + ":00", datatype=XSD.time)))
        if where:
            g.add((spec, RDFS.comment, Literal(where)))


def _channel(g: Graph, service: URIRef, node: URIRef, kind: URIRef, channel_type: URIRef) -> None:
    g.add((service, CPSV.hasChannel, node))
    g.add((node, RDF.type, CPSV.Channel))
    g.add((node, RDF.type, kind))
    g.add((node, CPSV.hasChannelType, channel_type))
    g.add((node, CPSV.isChannelOf, service))


def interactivity(charter: Charter, s: Service) -> URIRef:
    """AgID's interactivity level: 3 where the domanda is sent online, 2 where the citizen
    fills in a printed form, else 1 (information)."""
    if s.takes_applications:
        return LEVEL.LEVEL3
    if any(doc.kind is DocumentKind.application_form for doc in s.access.documents):
        return LEVEL.LEVEL2
    return LEVEL.LEVEL1


def _add_service(g: Graph, charter: Charter, name: Names, s: Service,
                 comuni: list[str]) -> None:
    node = name("servizio", s.slug)
    g.add((node, RDF.type, CPSV.PublicService))
    g.add((node, L0.identifier, Literal(s.code or s.slug)))
    g.add((node, CPSV.otherServiceCode, Literal(s.slug)))
    for lit in texts(s.title):
        g.add((node, L0.name, lit))
    for lit in texts(s.what):
        g.add((node, L0.description, lit))
    for lit in texts(s.summary):
        g.add((node, DCTERMS.abstract, lit))
    for keyword in s.keywords:
        for lit in texts(keyword):
            g.add((node, CPSV.serviceKeyword, lit))
    area = charter.area_by_code.get(s.area)
    if area:
        g.add((node, DCTERMS.subject, name("area", area.slug)))
        for lit in texts(area.name):
            g.add((node, CPSV.serviceKeyword, lit))
    g.add((node, CPSV.serviceTheme, DATA_THEME.SOCI))
    g.add((DATA_THEME.SOCI, RDF.type, CPSV.ServiceTheme))
    sector = URIRef(NACE_SOCIAL_WORK)
    g.add((node, CPSV.serviceSector, sector))
    g.add((sector, RDF.type, CPSV.ServiceSector))
    level = interactivity(charter, s)
    g.add((node, CPSV.hasiInteractivityLevel, level))
    g.add((level, RDF.type, CPSV.InteractivityLevel))
    status = CPSV.Active if s.status is Status.active else CPSV.NonActive
    g.add((node, CPSV.hasServiceStatus, status))
    g.add((node, DCTERMS.modified, Literal(s.revised.isoformat(), datatype=XSD.date)))
    if s.first_published:
        g.add((node, DCTERMS.issued, Literal(s.first_published.isoformat(), datatype=XSD.date)))
    page = site_page(charter, f"servizi/{s.slug}/")
    if page:
        g.add((node, RDFS.seeAlso, page))
    # the languages the scheda is written in
    if s.summary is not None:
        for lang in s.summary:
            if lang in EU_LANGUAGES:
                iri = EU_LANGUAGE[EU_LANGUAGES[lang]]
                g.add((node, LANGUAGE.hasLanguage, iri))
                g.add((iri, RDF.type, LANGUAGE.Language))
    for comune in comuni:
        g.add((node, CLV.hasSpatialCoverage, name("comune", comune)))

    # who answers for it: the district holds it (titolare); the enti gestori, or else the
    # district itself, provide it (fornitore)
    _role(g, name("ruolo", s.slug, "titolare"), name("ambito"), CPSV.RightsHolder, node)
    providers = [p for p in s.operator.providers if p in charter.provider_by_id]
    for pid in providers:
        _role(g, name("ruolo", s.slug, "fornitore", pid), name("ente", pid), CPSV.Provider, node)
    if not providers and not s.operator.outsourced:
        _role(g, name("ruolo", s.slug, "fornitore"), name("ambito"), CPSV.Provider, node)

    # channels: the offices' desks, their phones and e-mail boxes, the online domanda
    for office in charter.offices_for(s.access.offices):
        place = name("ufficio", office.id)
        g.add((node, CPSV.isPhysicallyAvailableAt, place))
        g.add((node, SM.hasOnlineContactPoint, name("contatti", office.id)))
        _channel(g, node, name("canale", s.slug, "sportello", office.id), CPSV.OfflineChannel,
                 CHANNEL_DESK)
        g.add((name("canale", s.slug, "sportello", office.id), RDFS.seeAlso, place))
        for i, phone in enumerate([*office.phones, *office.mobile,
                                   *([office.toll_free] if office.toll_free else [])], 1):
            ch = name("canale", s.slug, "telefono", office.id, str(i))
            _channel(g, node, ch, CPSV.PhoneChannel, CHANNEL_VOICE)
            g.add((ch, SM.telephoneNumber, Literal(phone)))
        for i, email in enumerate(office.email, 1):
            ch = name("canale", s.slug, "email", office.id, str(i))
            _channel(g, node, ch, CPSV.EmailChannel, CHANNEL_EMAIL)
            g.add((ch, SM.emailAddress, Literal(f"mailto:{email}", datatype=XSD.anyURI)))
    if s.takes_applications:
        ch = name("canale", s.slug, "domanda-online")
        _channel(g, node, ch, CPSV.WebSiteChannel, CHANNEL_WEB_APP)
        form = site_page(charter, f"domanda/{s.slug}")
        if form:
            g.add((ch, SM.URL, Literal(str(form), datatype=XSD.anyURI)))

    # what it costs: the scheda's text, and the tariff's prices when it names one
    cost = name("costo", s.slug)
    g.add((node, CPSV.hasCost, cost))
    g.add((cost, RDF.type, CPSV.Cost))
    if s.cost.free:
        g.add((cost, RDF.type, CPSV.FixedCost))
        g.add((cost, MU.value, Literal("0", datatype=XSD.decimal)))
    for lit in texts(s.cost.text):
        g.add((cost, L0.description, lit))
    tariff = charter.tariff_by_id.get(s.cost.tariff) if s.cost.tariff else None
    if tariff:
        for i, price in enumerate(tariff.prices, 1):
            fixed = name("costo", s.slug, str(i))
            g.add((node, CPSV.hasCost, fixed))
            g.add((fixed, RDF.type, CPSV.Cost))
            g.add((fixed, RDF.type, CPSV.FixedCost))
            g.add((fixed, MU.value, Literal(str(price.amount), datatype=XSD.decimal)))
            g.add((fixed, SCHEMA.priceCurrency, Literal("EUR")))
            g.add((fixed, SCHEMA.unitText, Literal(price.per.value)))
            for lit in texts(price.label or tariff.name):
                g.add((fixed, L0.name, lit))
            for lit in texts(tariff.text):
                g.add((fixed, L0.description, lit))

    # what the citizen brings
    for i, doc in enumerate(s.access.documents, 1):
        item = name("input", s.slug, doc.id or str(i))
        g.add((node, CPSV.hasInput, item))
        g.add((item, RDF.type, CPSV.Input))
        for lit in texts(doc.name):
            g.add((item, L0.name, lit))


def _role(g: Graph, node: URIRef, agent: URIRef, role: URIRef, service: URIRef) -> None:
    g.add((node, RDF.type, RO.TimeIndexedRole))
    g.add((node, RO.withRole, role))
    g.add((node, RO.forEntity, service))
    g.add((node, RO.isRoleInTimeOf, agent))
    g.add((agent, RO.holdsRoleInTime, node))
    g.add((service, RO.hasRiT, node))
