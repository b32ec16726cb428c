"""Named SPARQL queries: ``.rq`` files with a header of title, description and typed parameters.

A header is a run of comment lines at the top of the file::

    # title: Node
    # description: The types and the zh and en labels of one node.
    # param: node iri The node's IRI

Parameter types are ``iri``, ``string``, ``integer``, ``decimal``, ``boolean`` and ``year``; the
store binds them by a ``VALUES`` clause whose terms the RDF library writes (escaped), never by
pasting text (see :func:`policykg.store.bind`).

>>> query = load_query("node")
>>> query.title, [(p.name, p.type) for p in query.params]
('Node', [('node', 'iri')])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from policykg.errors import InputError
from policykg.paths import queries_dir

__all__ = ["PARAM_TYPES", "NamedQuery", "Param", "list_queries", "load_query"]

PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean", "year")

HEADER = re.compile(
    r"""
    ^\#\s*(?P<key>title|description|param)   # a header key after the comment mark
    \s*:\s*(?P<value>.*)$                     # its value, the rest of the line
    """,
    re.VERBOSE,
)
PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)\s*(?P<doc>.*)$")


@dataclass(frozen=True)
class Param:
    """A typed parameter of a named query."""

    name: str
    type: str
    description: str

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The value as an RDF term of this parameter's type; ValueError names what is wrong."""
        xsd = "http://www.w3.org/2001/XMLSchema#"
        if self.type == "iri":
            if not re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", value):
                raise ValueError(f"parameter {self.name}: {value!r} is not an absolute IRI")
            return ox.NamedNode(value)
        if self.type == "integer":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(xsd + "integer"))
        if self.type == "decimal":
            return ox.Literal(str(float(value)), datatype=ox.NamedNode(xsd + "decimal"))
        if self.type == "boolean":
            if value not in {"true", "false"}:
                raise ValueError(f"parameter {self.name}: expected true or false")
            return ox.Literal(value, datatype=ox.NamedNode(xsd + "boolean"))
        if self.type == "year":
            if not re.fullmatch(r"\d{4}", value):
                raise ValueError(f"parameter {self.name}: expected a year such as 2024")
            return ox.Literal(value, datatype=ox.NamedNode(xsd + "gYear"))
        return ox.Literal(value)


@dataclass(frozen=True)
class NamedQuery:
    """A query file: its name (file stem), header and text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def list_queries() -> list[NamedQuery]:
    """Every named query, by name."""
    return [load_query(path.stem) for path in sorted(queries_dir().glob("*.rq"))]


@cache
def load_query(name: str) -> NamedQuery:
    """A named query by file stem; InputError when there is none or its header is malformed."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise InputError(f"no named query {name!r}")
    path = queries_dir() / f"{name}.rq"
    if not path.is_file():
        raise InputError(f"no named query {name!r}")
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    params = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        match = HEADER.match(line)
        if not match:
            continue
        if match["key"] == "param":
            param = PARAM.match(match["value"])
            if not param or param["type"] not in PARAM_TYPES:
                raise InputError(
                    f"expected '# param: NAME TYPE description' with TYPE one of "
                    f"{', '.join(PARAM_TYPES)}",
                    source=str(path),
                    line=number,
                )
            params.append(Param(param["name"], param["type"], param["doc"]))
        else:
            header[match["key"]] = match["value"].strip()
    if "title" not in header:
        raise InputError("expected a '# title:' header line", source=str(path), line=1)
    return NamedQuery(name, header["title"], header.get("description", ""), tuple(params), text)
