"""Namespaces and controlled-vocabulary terms of the Italian public-sector ontologies (OntoPiA,
``https://w3id.org/italia/onto/…``) and DCAT-AP_IT that the RDF export uses."""

from __future__ import annotations

import re

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

CPSV = Namespace("https://w3id.org/italia/onto/CPSV/")
L0 = Namespace("https://w3id.org/italia/onto/l0/")
CLV = Namespace("https://w3id.org/italia/onto/CLV/")
RO = Namespace("https://w3id.org/italia/onto/RO/")
SM = Namespace("https://w3id.org/italia/onto/SM/")
COV = Namespace("https://w3id.org/italia/onto/COV/")
MU = Namespace("https://w3id.org/italia/onto/MU/")
LANGUAGE = Namespace("https://w3id.org/italia/onto/Language/")
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("https://schema.org/")

PREFIXES = {"cpsv": CPSV, "l0": L0, "clv": CLV, "ro": RO, "sm": SM, "cov": COV, "mu": MU,
            "language": LANGUAGE, "dcatapit": DCATAPIT, "dcat": DCAT, "dct": DCTERMS,
            "foaf": FOAF, "vcard": VCARD, "schema": SCHEMA, "skos": SKOS, "rdfs": RDFS,
            "rdf": RDF, "xsd": XSD}

_CV = "https://w3id.org/italia/controlled-vocabulary/"
# classifications-for-public-services/channel (agid:D.5)
CHANNEL = Namespace(_CV + "classifications-for-public-services/channel/")
CHANNEL_DESK = CHANNEL["011"]  # non telematico diretto: face to face at a desk
CHANNEL_VOICE = CHANNEL["031"]  # numero dedicato - voce
CHANNEL_EMAIL = CHANNEL["042"]  # email tradizionale
CHANNEL_WEB_APP = CHANNEL["023"]  # applicazione web
# classifications-for-public-services/interactivity-level
LEVEL = Namespace(_CV + "classifications-for-public-services/interactivity-level/")
LICENCES = Namespace(_CV + "licences/")

EU = "http://publications.europa.eu/resource/authority/"
DATA_THEME = Namespace(EU + "data-theme/")
EU_LANGUAGE = Namespace(EU + "language/")
FILE_TYPE = Namespace(EU + "file-type/")
FREQUENCY = Namespace(EU + "frequency/")
# NACE Rev. 2 division 88, "social work activities without accommodation": what an ambito's
# social services are (CPSV-AP_IT asks every public service for a sector)
NACE_SOCIAL_WORK = "http://data.europa.eu/ux2/nace2/88"

# ISO 639-1 (the charter's language codes) → the EU language authority table
EU_LANGUAGES = {"it": "ITA", "en": "ENG", "fr": "FRA", "ar": "ARA", "de": "DEU", "es": "SPA",
                "sl": "SLV", "uk": "UKR", "ro": "RON", "sq": "SQI", "zh": "ZHO", "ru": "RUS",
                "pt": "POR", "pl": "POL", "bn": "BEN", "ur": "URD", "hi": "HIN", "tl": "TGL"}

WEEKDAYS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
            "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}

# The licences AgID's controlled vocabulary names (italia/dati-semantic-assets,
# VocabolariControllati/licences), keyed by the licence's name with spaces, dots and dashes
# removed: "CC BY 4.0" → CCBY40.
_LICENCES = {
    "CC0": "A11_CCO10", "CC010": "A11_CCO10", "CCZERO": "A11_CCO10", "PDDL": "A12_PDDL",
    "CCBY40": "A21_CCBY40", "CCBY": "A21_CCBY40", "CCBY30": "A22_CCBY30",
    "CCBY30IT": "A23_CCBY30IT", "CCBY25": "A24_CCBY25", "CCBY25IT": "A25_CCBY25IT",
    "CCBY20": "A26_CCBY20", "CCBY20IT": "A27_CCBY20IT", "CCBY10": "A28_CCBY10",
    "IODL20": "A29_IODL20", "ODCBY": "A210_ODCBY", "CCBYSA40": "A31_CCBYSA40",
    "CCBYSA30": "A32_CCBYSA30", "CCBYSA30IT": "A33_CCBYSA30IT", "IODL10": "A39_IODL10",
    "ODBL": "A310_ODBL",
}


def licence_uri(name: str) -> str | None:
    """The AgID licence-vocabulary IRI for a licence name like ``CC BY 4.0``; None when the
    vocabulary has no such licence."""
    key = re.sub(r"[\s.\-_]", "", name.upper()).replace("CCO", "CC0")
    code = _LICENCES.get(key)
    return str(LICENCES[code]) if code else None
