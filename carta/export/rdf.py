"""The charter as RDF (Turtle and JSON-LD): the CPSV-AP_IT services and the DCAT-AP_IT
catalogue record in one graph, and its check against carta's SHACL shapes.

No packaged SHACL shapes exist for CPSV-AP_IT (AgID's repositories ship the OWL ontology only,
and shapes for the ontologies' own metadata), so ``shapes/cpsv-ap-it.ttl`` is carta's, written
from the ontology's restrictions; ``shapes/dcat-ap-it.ttl`` holds the record's mandatory
properties, those a district may not have stated yet as warnings."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.plugins.serializers.turtle import TurtleSerializer

from carta.export.cpsv import add_service_graph, base_iri, new_graph
from carta.export.dcat import add_catalogue
from carta.export.vocab import PREFIXES
from carta.model.charter import Charter

SHAPES_DIR = Path(__file__).parent / "shapes"
SHAPE_FILES = ("cpsv-ap-it.ttl", "dcat-ap-it.ttl")
FORMATS = {"ttl": "turtle", "jsonld": "json-ld"}


_LAST: tuple[int, str, Graph] | None = None


def charter_graph(charter: Charter) -> Graph:
    """The charter's graph: every scheda as a CPSV-AP_IT public service, plus the catalogue
    record. Made once per charter (the site writes it as Turtle and as JSON-LD)."""
    global _LAST
    if _LAST is not None and _LAST[0] == id(charter) and _LAST[1] == charter.content_hash:
        return _LAST[2]
    g = new_graph()
    # the charter's own resources get a prefix too: shorter Turtle, and the serializer
    # finds every name's prefix at once instead of trying to split each IRI
    g.bind("carta", base_iri(charter), override=True)
    add_service_graph(g, charter)
    add_catalogue(g, charter)
    _LAST = (id(charter), charter.content_hash, g)
    return g


def render_rdf(charter: Charter, fmt: str = "ttl") -> str:
    """The charter's graph as Turtle (``ttl``) or JSON-LD (``jsonld``) text."""
    g = charter_graph(charter)
    if fmt == "jsonld":
        context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        # read straight back: not indented, so json's C encoder writes it (0.7 s at 1000 schede)
        data = json.loads(g.serialize(format="json-ld", context=context, auto_compact=True,
                                      indent=None))
        return json.dumps(_canonical(data), ensure_ascii=False, indent=1) + "\n"
    if fmt == "ttl":
        out = io.BytesIO()
        _Turtle(g).serialize(out, encoding="utf-8")
        return out.getvalue().decode("utf-8")
    return g.serialize(format=FORMATS[fmt])


class _Turtle(TurtleSerializer):
    """rdflib's Turtle serializer, working out each name's prefixed form once instead of once
    per mention (700,000 mentions at 1000 schede; the same text, 1 s less of 3.7).  Only found forms
    are kept: a name without a prefix may get one when a later predicate binds its namespace."""

    def reset(self) -> None:
        super().reset()
        self._pnames: dict[tuple[URIRef, bool], str] = {}

    def get_pname(self, uri, gen_prefix: bool = True):
        if type(uri) is not URIRef:
            return super().get_pname(uri, gen_prefix)
        key = (uri, gen_prefix)
        found = self._pnames.get(key)
        if found is None:
            found = super().get_pname(uri, gen_prefix)
            if found is not None:
                self._pnames[key] = found
        return found


def _canonical(value, key: str = ""):
    """JSON-LD with its unordered arrays sorted (``@list`` keeps its order): rdflib writes
    nodes in an order that changes from process to process, and the same charter must give
    the same file (the site's incremental build and its users' diffs rely on it)."""
    if isinstance(value, dict):
        return {k: _canonical(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def render_turtle(charter: Charter) -> str:
    """The charter's graph as Turtle (what the site publishes as ``assets/carta.ttl``)."""
    return render_rdf(charter, "ttl")


def render_jsonld(charter: Charter) -> str:
    """The charter's graph as JSON-LD (``assets/carta.jsonld``)."""
    return render_rdf(charter, "jsonld")


def shapes_graph() -> Graph:
    """carta's SHACL shapes for CPSV-AP_IT and DCAT-AP_IT."""
    g = Graph()
    for name in SHAPE_FILES:
        g.parse(SHAPES_DIR / name, format="turtle")
    return g


@dataclass(frozen=True)
class Problem:
    """One result of the SHACL check: what is wrong, where, and how bad."""

    severity: str  # "Violation", "Warning" or "Info"
    focus: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f" {self.path}:" if self.path else ""
        return f"{self.severity.lower()}: {self.focus}:{where} {self.message}"


def validate(data: Graph) -> tuple[bool, list[Problem]]:
    """Check ``data`` against the shapes: whether it conforms (no violation; warnings allowed)
    and every result."""
    from pyshacl import validate as shacl

    if not data.store.context_aware:  # pyshacl reads a dataset: the export's store is simpler
        copy = Graph()
        copy.namespace_manager = data.namespace_manager
        copy += data
        data = copy
    conforms, report, _ = shacl(data, shacl_graph=shapes_graph(), inference="none",
                                advanced=True, allow_warnings=True)
    problems = []
    for result in report.subjects(SH.resultSeverity, None):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        problems.append(Problem(severity, _short(data, focus), _short(data, path),
                                str(message or "")))
    problems.sort(key=lambda p: (p.severity != "Violation", p.focus, p.path))
    return bool(conforms), problems


def _short(g: Graph, node) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return node.n3(g.namespace_manager)
    return "[]" if isinstance(node, BNode) else str(node)
