"""Content negotiation and the formats the server writes, all through pyoxigraph's serialisers.

>>> choose("text/csv;q=0.5, application/sparql-results+json", list(RESULT_FORMATS))
'application/sparql-results+json'
>>> choose("image/png", list(GRAPH_FORMATS)) is None
True
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

__all__ = ["GRAPH_FORMATS", "PREFIXES", "RESULT_FORMATS", "choose", "graph_bytes", "result_bytes"]

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {  # the first is the default
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {  # the first is the default
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
PREFIXES = {
    "pk": "https://w3id.org/policykg/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "dct": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "qudt": "http://qudt.org/schema/qudt/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}


def _ranges(header: str) -> tuple[tuple[str, float], ...]:
    """The media ranges of an Accept header with their quality; the short headers clients send
    again and again are remembered (256 of them)."""
    return _remembered(header) if len(header) <= 256 else _parse(header)


def _parse(header: str) -> tuple[tuple[str, float], ...]:
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for field in fields[1:]:
            if field.startswith("q="):
                try:
                    quality = float(field[2:])
                except ValueError:
                    quality = 0.0
        ranges.append((fields[0].lower(), quality))
    return tuple(ranges)


_remembered = functools.lru_cache(maxsize=256)(_parse)


def choose(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer an Accept header prefers (the first offer when there is no header), or None."""
    if not accept or not accept.strip():
        return offers[0]
    best: tuple[float, int, int] | None = None
    chosen = None
    for position, offer in enumerate(offers):
        major = offer.split("/")[0]
        for media, quality in _ranges(accept):
            specificity = 2 if media == offer else 1 if media == f"{major}/*" else 0
            if media not in (offer, f"{major}/*", "*/*") or quality <= 0:
                continue
            key = (quality, specificity, -position)
            if best is None or key > best:
                best, chosen = key, offer
    return chosen


def result_bytes(json_results: bytes, media_type: str) -> bytes:
    """SPARQL results (as the engine wrote them in JSON) in another results format."""
    parsed: Any = ox.parse_query_results(json_results, ox.QueryResultsFormat.JSON)
    out: bytes = parsed.serialize(format=RESULT_FORMATS[media_type])
    return out


def graph_bytes(ntriples: bytes, media_type: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples (as the engine wrote them in N-Triples) in another RDF format."""
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    fmt = GRAPH_FORMATS[media_type]
    if fmt == ox.RdfFormat.TURTLE:
        return ox.serialize(triples, format=fmt, prefixes=prefixes or PREFIXES) or b""
    return ox.serialize(triples, format=fmt) or b""
