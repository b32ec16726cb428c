"""The loaded dataset and the only caller of the query engine (pyoxigraph).

One :class:`Store` owns the dataset; every query goes through :meth:`Store.query`, which binds
parameters through the engine (never by pasting text), refuses updates, ``SERVICE`` and ``LOAD``
before anything is evaluated, uses the union of the named graphs as the default graph, and never
silently cuts a result: past ``max_rows`` it raises :class:`RowCapExceeded`.

>>> store = Store.from_trig(b'<urn:g> { <urn:a> <urn:p> "x" . }')
>>> store.query("SELECT ?o WHERE { ?s ?p ?o }").rows
[{'o': 'x'}]
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import os
import re
import shutil
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox

from policykg.errors import InputError

__all__ = [
    "QueryRefused",
    "QueryResult",
    "RowCapExceeded",
    "Store",
    "Term",
    "bind",
    "check_files",
    "disk_store",
    "has_dataset_clause",
    "load_store",
    "refuse_forbidden",
    "refuse_graphs",
    "to_term",
    "values_clause",
]

Term = ox.NamedNode | ox.Literal | ox.BlankNode

FORBIDDEN = re.compile(
    r"""
    (?<![\w?$:])(?P<word>
        SERVICE      # federated query: would reach another host
      | LOAD         # would read a URL or a file
      | INSERT | DELETE | CLEAR | DROP | CREATE | COPY | MOVE | ADD   # updates
    )(?![\w:])
    """,
    re.VERBOSE | re.IGNORECASE,
)

# What cannot hide a keyword, blanked out before FORBIDDEN looks at what is left.
NOT_KEYWORDS = re.compile(
    r"""
      \\.                                     # an escaped character (allowed in a local name)
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"        # a long string in double quotes
    | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'        # a long string in single quotes
    | "(?:[^"\\\n]|\\.)*"                   # a double-quoted string
    | '(?:[^'\\\n]|\\.)*'                   # a single-quoted string
    | <[^<>"{}|^`\\\s]*>                    # an IRI
    | \#[^\n]*                              # a comment
    | [?$]\w+                               # a variable
    | (?<![\w?$])[A-Za-z_][\w.-]*:(?:[\w.%:-]|\\.)*   # a prefixed name (pk:service)
    | (?<![\w?$]):(?:[\w.%:-]|\\.)+       # a name with the empty prefix (:load)
    """,
    re.VERBOSE,
)
CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# Where a query names its dataset, and what its IRIs are resolved against.
DATASET_TOKENS = re.compile(
    r"""
      \\.                                     # an escaped character
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"        # a long string in double quotes
    | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'        # a long string in single quotes
    | "(?:[^"\\\n]|\\.)*"                   # a double-quoted string
    | '(?:[^'\\\n]|\\.)*'                   # a single-quoted string
    | \#[^\n]*                              # a comment
    | (?<![\w?$:])PREFIX\s*(?P<prefix>[A-Za-z_][\w.-]*)?:\s*<(?P<namespace>[^<>"{}|^`\\\s]*)>
                                            # a prefix declaration
    | (?<![\w?$:])BASE\s*<(?P<base>[^<>"{}|^`\\\s]*)>   # the base IRI
    | (?<![\w?$:])FROM\s+(?:NAMED\s+)?     # a dataset clause, with an IRI or a prefixed name
      (?:<(?P<iri>[^<>"{}|^`\\\s]*)>|(?P<pname>[A-Za-z_][\w.-]*)?:(?P<local>[\w.%:-]*))
    | <[^<>"{}|^`\\\s]*>                    # any other IRI (it may hold a #)
    """,
    re.VERBOSE | re.IGNORECASE,
)
MAX_DEPTH = 64  # groups, parentheses and brackets a query may nest: deeper overflows the parser
MAX_VARIABLES = 1_000  # distinct variables a query may use


class QueryRefused(InputError):
    """A query the store will not run: an update, SERVICE or LOAD, or a syntax error."""


class RowCapExceeded(InputError):
    """A result with more rows than allowed: an error, never a cut result."""

    @classmethod
    def rows(cls, cap: int) -> RowCapExceeded:
        """Past the row cap: the error every engine gives, naming the cap and how to page."""
        return cls(
            f"the result has more rows (or triples) than the cap of {cap}: "
            "page through it with LIMIT and OFFSET"
        )

    @classmethod
    def size(cls, limit: int) -> RowCapExceeded:
        """Past the byte cap on a serialised result."""
        return cls(f"the result is larger than {limit} bytes; page with LIMIT")


@dataclass(frozen=True)
class QueryResult:
    """A query's result: SELECT rows (variable → lexical value), an ASK boolean, or triples."""

    kind: str  # "select", "ask" or "graph"
    variables: tuple[str, ...]
    rows: list[dict[str, str]]
    terms: list[dict[str, Term]]
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()


def _unloadable(path: Path, error: Exception) -> InputError:
    """A graph file that cannot be loaded, said on one line (a parser's message may span lines)."""
    message = " ".join(str(error).split()) or type(error).__name__
    return InputError(f"cannot load the graph: {message}", source=str(path))


def _refuse_empty(path: Path) -> None:
    """An empty file is valid TriG, but no build writes one: it is a truncated or failed copy."""
    try:
        empty = path.stat().st_size == 0
    except OSError as error:
        raise _unloadable(path, error) from error
    if empty:
        raise InputError("cannot load the graph: the file is empty", source=str(path))


def load_store(paths: Iterable[Path]) -> ox.Store:
    """An in-memory pyoxigraph store of TriG files; none, or a broken one, is an InputError."""
    store = ox.Store()
    found = False
    for path in paths:
        found = True
        _refuse_empty(path)
        try:
            store.load(path=str(path), format=ox.RdfFormat.TRIG)
        except (OSError, SyntaxError, ValueError) as error:
            raise _unloadable(path, error) from error
    if not found:
        raise InputError("no graph to load: run 'policykg build' first")
    return store


def disk_store(path: Path, sources: Iterable[Path]) -> bool:
    """Make ``path`` an on-disk pyoxigraph store of the TriG ``sources``; True if it was (re)built.

    The store is built once: ``{path}.json`` records the sources' sha256, and a store whose record
    matches is kept as it is, so a restart opens it at once. Otherwise it is loaded into a fresh
    folder beside it and moved into place, so a failed load leaves the old store as it was.

    The store is a cache of the graphs, which stay the source of truth: a damaged store (one that
    does not open, or whose quads do not number what the record says) or a damaged record is
    rebuilt from the graphs, never served and never a traceback.
    """
    files = sorted(sources)
    if not files:
        raise InputError("no graph to load: run 'policykg build' first")
    record = {str(f.name): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    marker = path.with_name(path.name + ".json")
    if path.is_dir() and marker.is_file() and _intact(path, marker, record):
        return False
    fresh = path.with_name(f"{path.name}.loading-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.parent.mkdir(parents=True, exist_ok=True)
    try:
        store = ox.Store(str(fresh))
        for file in files:
            _refuse_empty(file)
            try:
                store.bulk_load(path=str(file), format=ox.RdfFormat.TRIG)
            except (OSError, SyntaxError, ValueError) as error:
                raise _unloadable(file, error) from error
        store.flush()
        quads = len(store)
        del store
        old = path.with_name(f"{path.name}.old-{os.getpid()}")
        if path.exists():
            path.rename(old)
        fresh.rename(path)
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:  # a damaged store may be a plain file
            old.unlink(missing_ok=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    temporary = marker.with_name(marker.name + ".tmp")
    temporary.write_text(
        json.dumps({"sources": record, "quads": quads}, indent=1), encoding="utf-8"
    )
    os.replace(temporary, marker)
    return True


def _intact(path: Path, marker: Path, record: dict[str, str]) -> bool:
    """Does the store at ``path`` hold what its record says, for these sources?"""
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # an unreadable record
    if not isinstance(recorded, dict) or recorded.get("sources") != record:
        return False
    try:
        return len(ox.Store.read_only(str(path))) == recorded.get("quads")
    except (OSError, RuntimeError, ValueError):  # RocksDB says "Corruption: …" as RuntimeError
        return False


def check_files(paths: Iterable[Path]) -> int:
    """Parse TriG files without keeping them; the number of quads, or an InputError naming the
    file, line and column of the first problem (so a server refuses to start with a clear error).
    """
    count = 0
    for path in paths:
        _refuse_empty(path)
        try:
            for _ in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
                count += 1
        except (OSError, SyntaxError, ValueError) as error:
            raise _unloadable(path, error) from error
    return count


def to_term(value: object) -> Term:
    """A Python value as an RDF term: IRIs for ``http(s):``/``urn:`` strings, else a literal.

    >>> to_term("https://w3id.org/x"), to_term("个转企")
    (<NamedNode value=https://w3id.org/x>, <Literal value=个转企 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>)
    """
    if isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode):
        return value
    if isinstance(value, str) and re.match(r"^(https?|urn):\S+$", value):
        return ox.NamedNode(value)
    if isinstance(value, bool | int | float):
        return ox.Literal(value)
    return ox.Literal(str(value))


def values_clause(bindings: Mapping[str, object]) -> str:
    """A ``VALUES`` clause binding each variable to one term, the terms written by pyoxigraph.

    >>> values_clause({"id": "x\\" } #"})
    'VALUES (?id) { ("x\\\\" } #") }'
    """
    names = list(bindings)
    terms = " ".join(str(to_term(bindings[name])) for name in names)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ ({terms}) }}"


def bind(text: str, bindings: Mapping[str, object]) -> str:
    """The query with a ``VALUES`` clause for the bindings first in its WHERE group.

    This is how every engine binds parameters (the SPARQL protocol has no substitution). On
    pyoxigraph 0.5 it is also what keeps a bound query's cost flat: with its ``substitutions``
    the cost of a query bound to one node grew with the dataset (bench/scale.py), where a
    ``VALUES`` row starts the joins and zero-length paths from the bound term. A variable
    used only inside a sub-query is not reached; one used only inside a UNION or a nested
    group is joined after that group is evaluated on its own (its cost grows again), so a
    named query keeps its parameters in its top-level group.

    >>> print(bind("SELECT ?n WHERE { ?n ?p ?id FILTER (?id != '{') }", {"id": "a"}))
    SELECT ?n WHERE { VALUES (?id) { ("a") } ?n ?p ?id FILTER (?id != '{') }
    """
    bare = NOT_KEYWORDS.sub(lambda m: " " * len(m.group()), text)  # same offsets, no strings
    where = re.search(r"(?<![\w?$:])WHERE\s*\{", bare, re.IGNORECASE)
    brace = where.end() - 1 if where else bare.find("{")
    if brace < 0:
        raise QueryRefused("cannot bind parameters: the query has no group pattern")
    return f"{text[: brace + 1]} {values_clause(bindings)}{text[brace + 1 :]}"


class Store:
    """The loaded dataset. Make one, keep it, pass it to whoever queries."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    @classmethod
    def from_trig(cls, data: bytes) -> Store:
        """A store holding a TriG (or N-Quads) document."""
        store = ox.Store()
        store.load(data, format=ox.RdfFormat.TRIG)
        return cls(store)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> Store:
        """A store holding every given TriG file; a missing or broken file is an InputError."""
        return cls(load_store(paths))

    def __len__(self) -> int:
        return len(self._store)

    def query(
        self,
        text: str,
        bindings: Mapping[str, object] | None = None,
        *,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a read-only SPARQL query with bound parameters.

        ``bindings`` map variable names (without ``?``) to values (see :func:`to_term`); they are
        bound by a ``VALUES`` clause first in the query's WHERE group (see :func:`bind`).
        """
        result = self._run(text, bindings)
        try:  # pyoxigraph evaluates lazily: errors surface while the result is read
            return _collect(result, max_rows)
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryRefused(f"cannot evaluate the query: {error}") from error

    def _run(self, text: str, bindings: Mapping[str, object] | None) -> Any:
        refuse_forbidden(text)
        try:
            return self._store.query(  # a query's own FROM names its dataset, as in the pool
                bind(text, bindings) if bindings else text,
                use_default_graph_as_union=not has_dataset_clause(text),
            )
        except SyntaxError as error:
            raise QueryRefused(f"SPARQL syntax error: {error}") from error
        except RuntimeError as error:
            raise QueryRefused(f"cannot run the query: {error}") from error

    def serialise(self, text: str, fmt: str, bindings: Mapping[str, object] | None = None) -> bytes:
        """Run a query and serialise its result: ``json`` or ``csv`` (SELECT/ASK), or ``nt``."""
        result = self._run(text, bindings)
        formats = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV}
        try:  # pyoxigraph evaluates lazily: errors surface while the result is written
            if isinstance(result, ox.QueryTriples):
                return result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
            if fmt not in formats:
                raise QueryRefused(f"unknown result format {fmt!r}: expected one of json, csv")
            return result.serialize(format=formats[fmt]) or b""
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryRefused(f"cannot evaluate the query: {error}") from error


def _collect(result: Any, max_rows: int | None) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", (), [], [], boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = tuple(v.value for v in result.variables)
        terms: list[dict[str, Term]] = []
        for solution in result:
            if max_rows is not None and len(terms) >= max_rows:
                raise RowCapExceeded(
                    f"the result has more than {max_rows} rows; add LIMIT and OFFSET to page"
                )
            terms.append({v: solution[v] for v in variables if solution[v] is not None})
        rows = [{k: t.value for k, t in row.items()} for row in terms]
        return QueryResult("select", variables, rows, terms)
    triples: list[ox.Triple] = []
    for triple in result:
        if max_rows is not None and len(triples) >= max_rows:
            raise RowCapExceeded(
                f"the result has more than {max_rows} triples; add LIMIT and OFFSET to page"
            )
        triples.append(triple)
    return QueryResult("graph", ("subject", "predicate", "object"), [], [], triples=tuple(triples))


DATASET_CLAUSE = re.compile(r"(?<![\w?$:])FROM(?![\w:])", re.IGNORECASE)


def _bare(text: str) -> str:
    """The query with what cannot hide a keyword blanked out, code-point escapes decoded first."""
    return NOT_KEYWORDS.sub(" ", _decoded(text))


def _decoded(text: str) -> str:
    """The query with its code-point escapes decoded (those past U+10FFFF left as they are)."""

    def char(match: re.Match[str]) -> str:
        code = int(match[1] or match[2], 16)
        return chr(code) if code <= 0x10FFFF else match[0]

    return CODEPOINT_ESCAPE.sub(char, text)


def has_dataset_clause(text: str) -> bool:
    """Whether a query names its own dataset (``FROM`` / ``FROM NAMED``).

    >>> has_dataset_clause("SELECT * FROM <urn:g> { ?s ?p ?o }")
    True
    >>> has_dataset_clause("SELECT ?from WHERE { ?from ?p 'FROM' }")
    False
    """
    return _clause_remembered(text) if len(text) <= REMEMBERED else _has_clause(text)


def _has_clause(text: str) -> bool:
    return bool(DATASET_CLAUSE.search(_bare(text)))


# A query up to this many characters that passes the checks is remembered (at most CHECKED of
# them, so 4 MB at worst): a server sees the same queries again and again, and checking one costs
# more than its worker takes to answer it. A refusal raises, so it is never remembered.
REMEMBERED = 4096
CHECKED = 256
_clause_remembered = functools.lru_cache(maxsize=CHECKED)(_has_clause)


def refuse_forbidden(text: str) -> None:
    r"""Refuse updates, SERVICE and LOAD before the engine sees the query.

    SPARQL lets ``\u0053ERVICE`` stand for ``SERVICE`` anywhere, so code-point escapes are
    decoded first; strings, IRIs, comments, variables and prefixed names cannot hide a keyword
    and are blanked out; a keyword left in what remains is refused.

    >>> refuse_forbidden("SELECT ?copy WHERE { ?copy pk:service ?load }")
    >>> hidden = "SELECT * WHERE { VALUES ?z { pk:x\\' } SERVICE <urn:x> {} } # '"
    >>> try:
    ...     refuse_forbidden(hidden)
    ... except QueryRefused as refused:
    ...     print(refused)
    SERVICE is not allowed: this store is read-only and never leaves the machine
    """
    if len(text) <= REMEMBERED:
        _passed(text)
    else:
        _refuse_forbidden(text)


def _refuse_forbidden(text: str) -> None:
    bare = _bare(text)
    match = FORBIDDEN.search(bare)
    if match:
        word = match["word"].upper()
        what = "updates are" if word not in {"SERVICE", "LOAD"} else f"{word} is"
        raise QueryRefused(
            f"{what} not allowed: this store is read-only and never leaves the machine"
        )
    _refuse_shape(text, bare)
    for iri in _dataset_iris(text):
        if internal_iri(iri):
            raise QueryRefused(f"FROM <{iri}> is not allowed: {INTERNAL}")


_passed = functools.lru_cache(maxsize=CHECKED)(_refuse_forbidden)
INTERNAL = "a dataset IRI may not name a local file or an internal address"


def refuse_graphs(iris: Iterable[str]) -> None:
    """Refuse dataset graphs (the protocol's ``default-graph-uri`` and ``named-graph-uri``) that
    name a local file or an address on this machine or its network, so that no engine, here or
    behind ``--remote``, is ever asked to fetch one.

    >>> refuse_graphs(["urn:g", "https://example.org/g"])
    >>> try:
    ...     refuse_graphs(["http://169.254.169.254/latest/"])
    ... except QueryRefused as refused:
    ...     print(refused)
    the dataset graph <http://169.254.169.254/latest/> is not allowed: a dataset IRI may not \
name a local file or an internal address
    """
    for iri in iris:
        if internal_iri(iri):
            raise QueryRefused(f"the dataset graph <{iri}> is not allowed: {INTERNAL}")


def internal_iri(iri: str) -> bool:
    """Whether an IRI names a local file, or a host on this machine or a private network.

    >>> [internal_iri(i) for i in ("file:///etc/passwd", "http://2130706433/", "urn:x")]
    [True, True, False]
    >>> [internal_iri(i) for i in ("http://[::1]/", "http://localhost/", "https://w3id.org/")]
    [True, True, False]
    """
    try:
        parts = urlsplit(iri)
        host = parts.hostname
    except ValueError:  # a malformed authority (an unclosed [): refuse what cannot be read
        return True
    if parts.scheme.lower() == "file":
        return True
    if host is None:
        return False
    host = host.rstrip(".")
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        try:  # the forms a resolver also reads: 2130706433, 0x7f.1, 127.1
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return False  # a name: this server never resolves or fetches it
    return not address.is_global or address.is_multicast


def _dataset_iris(text: str) -> list[str]:
    """The IRIs a query's FROM and FROM NAMED clauses name, resolved as the engine would."""
    prefixes: dict[str, str] = {}
    base = ""
    iris = []
    for match in DATASET_TOKENS.finditer(_decoded(text)):
        if match["namespace"] is not None:
            prefixes[match["prefix"] or ""] = urljoin(base, match["namespace"])
        elif match["base"] is not None:
            base = urljoin(base, match["base"])
        elif match["iri"] is not None:
            iris.append(urljoin(base, match["iri"]))
        elif match["local"] is not None:
            iris.append(prefixes.get(match["pname"] or "", "") + match["local"])
    return iris


def _refuse_shape(text: str, bare: str) -> None:
    """Refuse a query nested deeper than MAX_DEPTH or with more than MAX_VARIABLES variables."""
    depth = deepest = 0
    for bracket in re.finditer(r"[{(\[\]})]", bare):
        depth += 1 if bracket[0] in "{([" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise QueryRefused(
            f"the query nests groups or brackets {deepest} deep; the limit is {MAX_DEPTH}"
        )
    names = {m[0][1:] for m in NOT_KEYWORDS.finditer(_decoded(text)) if m[0][0] in "?$"}
    if len(names) > MAX_VARIABLES:
        raise QueryRefused(f"the query uses {len(names)} variables; the limit is {MAX_VARIABLES}")
