"""A hostile SPARQL corpus against ``/sparql``: every input is refused with a 4xx problem+json
that names the problem, nothing connects to a loopback listener, and the server still answers.

The corpus is generated here, one test id per input: malformed queries, a 1 MB query, deeply
nested groups, non-UTF-8 bytes (in the URL and in bodies), many-variable queries, SERVICE in every
spelling and place, LOAD, every update form by every route, and local-file or internal IRIs in
FROM, FROM NAMED, SERVICE, ``default-graph-uri`` and ``named-graph-uri``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.settings import ServerSettings
from policykg.store import QueryRefused, Store

PROBLEM = "application/problem+json"
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


class Listener:
    """A socket on a loopback port that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.1)
        self.port: int = self.socket.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, peer = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(peer)
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.socket.close()


# The port is fixed for the whole module before the corpus is built: the corpus names it.
LISTENER = Listener()
LOOPBACK = f"http://127.0.0.1:{LISTENER.port}/sparql"
INTERNAL = [
    LOOPBACK,
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost:8000/graph.trig",
    "http://[::1]/",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f.0.0.1/",  # and with a hexadecimal first byte
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://0.0.0.0/",
    "FILE:///etc/hosts",
]


@dataclass(frozen=True)
class Case:
    """One hostile request: how it is sent, and the 4xx and words its answer must carry."""

    id: str
    text: str | bytes = ""
    route: str = "get"  # get: ?query=, form: a form, direct: the query as the body
    params: list[tuple[str, str]] = field(default_factory=list)
    status: int = 400
    words: tuple[str, ...] = ()
    content_type: str | None = None


def _sent(case: Case) -> dict[str, Any]:
    """The TestClient arguments for a case."""
    text = case.text
    if case.route == "get":
        assert isinstance(text, str)
        pairs = [("query", text)] if text else []
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in [*pairs, *case.params])
        return {"method": "GET", "url": f"/sparql?{query}"}
    if case.route == "raw-get":  # the query string as given, bytes and all
        assert isinstance(text, str)
        return {"method": "GET", "url": f"/sparql?{text}"}
    body = text if isinstance(text, bytes) else text.encode()
    if case.route == "form" and isinstance(text, str):
        body = "&".join(f"{k}={quote(v, safe='')}" for k, v in [("query", text)]).encode()
    media = case.content_type or (FORM if case.route == "form" else QUERY)
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in case.params)
    return {
        "method": "POST",
        "url": "/sparql" + (f"?{query}" if query else ""),
        "content": body,
        "headers": {"content-type": media},
    }


def _everywhere(prefix: str, text: str, words: tuple[str, ...]) -> list[Case]:
    """One query sent by GET, as a form and as the body."""
    return [
        Case(f"{prefix}-{route}", text, route=route, words=words)
        for route in ("get", "form", "direct")
    ]


def _malformed() -> list[Case]:
    syntax = ("syntax error",)
    texts = {
        "misspelt": "SELEC * WHERE { ?s ?p ?o }",
        "unclosed-group": "SELECT * WHERE { ?s ?p ?o",
        "extra-brace": "SELECT * WHERE { ?s ?p ?o } }",
        "short-pattern": "ASK { ?s ?p }",
        "unclosed-iri": "SELECT * WHERE { <http://x ?p ?o }",
        "unclosed-string": 'SELECT * WHERE { ?s ?p "abc }',
        "undeclared-prefix": "SELECT * WHERE { nope:x ?p ?o }",
        "only-a-comment": "# nothing but a comment",
        "nul": "ASK { ?s ?p ?o \x00 }",
        "bad-escape": "SELECT * WHERE { ?s ?p ?o } \\u00",
        "escape-past-unicode": "ASK { ?s ?p ?o } \\UFFFFFFFF",
        "escape-past-unicode-2": "ASK { ?s ?p '\\U00110000' }",
        "lone-surrogate-escape": 'ASK { ?s ?p "\\uD800" }',
        "bad-filter": "SELECT * WHERE { ?s ?p ?o FILTER( }",
        "select-nothing": "SELECT WHERE { }",
        "two-queries": "ASK {} ASK {}",
        "json-not-sparql": '{"query": "ASK {}"}',
        "html": "<script>alert(1)</script>",
    }
    cases = [Case(f"malformed-{name}", text, words=syntax) for name, text in texts.items()]
    cases += [
        Case(f"malformed-{name}-direct", text, "direct", words=syntax)
        for name, text in list(texts.items())[:4]
    ]
    cases += [
        Case("empty", "  \n ", words=("empty",)),
        Case(
            "no-query-parameter-twice",
            "ASK {}",
            params=[("query", "ASK {}")],
            words=("one query parameter",),
        ),
    ]
    return cases


def _huge() -> list[Case]:
    megabyte = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (1 << 20)
    long_iri = "ASK { <urn:" + "a" * 200_000 + "> ?p ?o }"
    return [
        Case("1mb-query-form", megabyte, "form", status=413, words=("over the limit",)),
        Case("1mb-query-direct", megabyte, "direct", status=413, words=("over the limit",)),
        Case("200k-iri-direct", long_iri, "direct", words=("characters long", "limit")),
        Case("200k-iri-form", long_iri, "form", words=("characters long", "limit")),
    ]


def _nested() -> list[Case]:
    deep = "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000
    parens = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"
    optional = "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 2_000 + "}" * 2_001
    unbalanced = "SELECT * WHERE " + "{" * 10_000
    words = ("nest", "limit")
    return [
        *_everywhere("nested-10000-groups", deep, words),
        *_everywhere("nested-65-groups", "ASK " + "{" * 65 + "}" * 65, words),
        Case("nested-10000-parentheses", parens, "direct", words=words),
        Case("nested-2000-optionals", optional, "direct", words=words),
        Case(
            "nested-10000-brackets",
            "ASK { ?s ?p " + "[ ?p " * 10_000 + "]" * 10_000 + " }",
            "direct",
            words=words,
        ),
        Case("nested-10000-unclosed", unbalanced, "direct", words=words),
    ]


def _non_utf8() -> list[Case]:
    words = ("not UTF-8",)
    return [
        Case(
            "non-utf8-get",
            "query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%FE%22%20%7D",
            "raw-get",
            words=words,
        ),
        Case(
            "non-utf8-get-graph",
            "query=ASK%20%7B%7D&default-graph-uri=urn:%C0%AF",
            "raw-get",
            words=words,
        ),
        Case("non-utf8-direct", b'ASK { ?s ?p "\xff\xfe" }', "direct", words=words),
        Case("non-utf8-overlong-slash", b'ASK { ?s ?p "\xc0\xaf" }', "direct", words=words),
        Case("non-utf8-form", b"query=ASK%20%7B%22%FF%22%7D", "form", words=words),
        Case("non-utf8-form-raw", b"query=ASK {\xff}", "form", words=words),
        Case(
            "latin1-charset",
            b"ASK {}",
            "direct",
            status=415,
            words=("charset",),
            content_type=f"{QUERY}; charset=latin-1",
        ),
    ]


def _many_variables() -> list[Case]:
    names = [f"?v{i}" for i in range(10_000)]
    select = "SELECT " + " ".join(names) + " WHERE { }"
    patterns = "SELECT * WHERE { " + " ".join(f"?s ?p {n} ." for n in names[:5_000]) + " }"
    values = "SELECT * WHERE { VALUES (" + " ".join(names) + ") { } }"
    words = ("variables", "limit")
    return [
        Case("10000-variables-select-form", select, "form", words=words),
        Case("10000-variables-select-direct", select, "direct", words=words),
        Case(
            "1001-variables-get",
            "SELECT * WHERE { VALUES (" + " ".join(names[:1001]) + ") { } }",
            words=words,
        ),
        Case("5000-variables-cross-join", patterns, "direct", words=words),
        Case("10000-variables-values", values, "direct", words=words),
    ]


def _service() -> list[Case]:
    remote = f"<{LOOPBACK}>"
    texts = {
        "plain": f"SELECT * WHERE {{ SERVICE {remote} {{ ?s ?p ?o }} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT {remote} {{ ?s ?p ?o }} }}",
        "lower": f"select * where {{ service silent {remote} {{ ?s ?p ?o }} }}",
        "mixed-case": f"SELECT * WHERE {{ SeRvIcE {remote} {{ ?s ?p ?o }} }}",
        "u-escape": f"SELECT * WHERE {{ \\u0053ERVICE {remote} {{ ?s ?p ?o }} }}",
        "U-escape": f"SELECT * WHERE {{ \\U00000053ervice {remote} {{ ?s ?p ?o }} }}",
        "all-escaped": "SELECT * WHERE { "
        + "".join(f"\\u{ord(c):04X}" for c in "SERVICE")
        + f" {remote} {{ ?s ?p ?o }} }}",
        "sub-query": "SELECT * WHERE { { SELECT * WHERE { "
        + f"SERVICE {remote} {{ ?s ?p ?o }} }} }} }}",
        "optional": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE {remote} {{ ?s ?p ?o }} }} }}",
        "exists": f"ASK {{ FILTER EXISTS {{ SERVICE {remote} {{ ?s ?p ?o }} }} }}",
        "minus": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE {remote} {{ ?s ?p ?o }} }} }}",
        "union": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE {remote} {{}} }} }}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {remote} {{ ?s ?p ?o }} }}",
        "variable": f"SELECT * WHERE {{ BIND({remote} AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "prefixed": f"PREFIX e: <http://127.0.0.1:{LISTENER.port}/> "
        "SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
        "after-comment": f"SELECT * WHERE {{ # {{\n SERVICE {remote} {{ ?s ?p ?o }} }}",
        "no-space": f"SELECT * WHERE {{SERVICE{remote}{{?s ?p ?o}}}}",
        "metadata": "SELECT * WHERE { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }",
        "file": "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    }
    words = ("SERVICE is not allowed",)
    cases = [Case(f"service-{name}", text, words=words) for name, text in texts.items()]
    cases += [Case(f"service-{n}-direct", t, "direct", words=words) for n, t in texts.items()]
    cases += [Case(f"service-{n}-form", t, "form", words=words) for n, t in texts.items()]
    return cases


UPDATES = {
    "insert-data": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "delete-data": "DELETE DATA { <urn:a> <urn:b> <urn:c> }",
    "delete-where": "DELETE WHERE { ?s ?p ?o }",
    "modify": "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "with": "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "using": "INSERT { ?s ?p 1 } USING <urn:g> WHERE { ?s ?p ?o }",
    "load": f"LOAD <{LOOPBACK}>",
    "load-silent-into": f"LOAD SILENT <{LOOPBACK}> INTO GRAPH <urn:g>",
    "load-file": "LOAD <file:///etc/passwd>",
    "clear-all": "CLEAR ALL",
    "clear-graph": "CLEAR SILENT GRAPH <urn:g>",
    "clear-default": "CLEAR DEFAULT",
    "create": "CREATE GRAPH <urn:g>",
    "drop-named": "DROP NAMED",
    "drop-all": "DROP SILENT ALL",
    "copy": "COPY DEFAULT TO <urn:g>",
    "move": "MOVE <urn:g> TO DEFAULT",
    "add": "ADD <urn:g> TO <urn:h>",
    "lower": "insert data { <urn:a> <urn:b> <urn:c> }",
    "escaped": "\\u0049NSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "after-query": "ASK {} ; DROP ALL",
}


def _updates() -> list[Case]:
    cases = []
    for name, text in UPDATES.items():
        word = "LOAD is not allowed" if name.startswith("load") else "not allowed"
        cases.append(Case(f"update-{name}-as-query", text, words=(word,)))
        cases.append(Case(f"update-{name}-as-body", text, "direct", words=(word,)))
        read_only = ("read-only",)
        cases.append(Case(f"update-{name}-get", "", params=[("update", text)], words=read_only))
        cases.append(
            Case(f"update-{name}-update-body", text, "direct", words=read_only, content_type=UPDATE)
        )
        form = f"update={quote(text, safe='')}".encode()
        cases.append(Case(f"update-{name}-form", form, "form", words=read_only))
    cases.append(
        Case(
            "update-using-graph-uri",
            "ASK {}",
            params=[("using-graph-uri", "urn:g")],
            words=("read-only",),
        )
    )
    return cases


def _dataset_iris() -> list[Case]:
    cases = []
    words = ("not allowed", "local file or an internal address")
    for n, iri in enumerate(INTERNAL):
        cases += [
            Case(f"from-{n}", f"SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}", words=words),
            Case(
                f"from-named-{n}", f"SELECT * FROM NAMED <{iri}> WHERE {{ ?s ?p ?o }}", words=words
            ),
            Case(
                f"default-graph-uri-{n}",
                "ASK { ?s ?p ?o }",
                params=[("default-graph-uri", iri)],
                words=words,
            ),
            Case(
                f"named-graph-uri-{n}",
                "ASK { ?s ?p ?o }",
                params=[("named-graph-uri", iri)],
                words=words,
            ),
            Case(
                f"named-graph-uri-{n}-direct",
                "ASK { ?s ?p ?o }",
                "direct",
                params=[("named-graph-uri", iri)],
                words=words,
            ),
        ]
    cases += [
        Case(
            "from-prefixed",
            f"PREFIX l: <http://127.0.0.1:{LISTENER.port}/> SELECT * FROM l:x WHERE {{ ?s ?p ?o }}",
            words=words,
        ),
        Case(
            "from-base",
            "BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }",
            words=words,
        ),
        Case(
            "from-escaped",
            "SELECT * \\u0046ROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
            words=words,
        ),
        Case(
            "from-lower", "select * from named <file:///etc/passwd> where { ?s ?p ?o }", words=words
        ),
        Case(
            "from-sub-query-in-form",
            f"SELECT * FROM <{LOOPBACK}> WHERE {{ ?s ?p ?o }}",
            "form",
            words=words,
        ),
        Case(
            "graph-uri-not-an-iri",
            "ASK {}",
            params=[("default-graph-uri", "not an iri")],
            words=("not an absolute IRI",),
        ),
    ]
    return cases


CORPUS = [
    *_malformed(),
    *_huge(),
    *_nested(),
    *_non_utf8(),
    *_many_variables(),
    *_service(),
    *_updates(),
    *_dataset_iris(),
]
MINIMUM = 270  # inputs; the corpus only grows


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(ServerSettings(workers=2, timeout=5.0))) as client:
        yield client
    LISTENER.close()


def test_the_corpus_is_large_and_its_ids_unique() -> None:
    assert len(CORPUS) >= MINIMUM, len(CORPUS)
    assert len({case.id for case in CORPUS}) == len(CORPUS)
    kinds = {case.id.split("-")[0] for case in CORPUS}
    assert {"malformed", "service", "update", "from", "nested", "non"} <= kinds


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_a_hostile_query_is_refused_and_the_server_stays_up(client: TestClient, case: Case) -> None:
    response = client.request(**_sent(case))
    assert response.status_code == case.status, response.text[:500]
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == case.status
    for word in case.words:
        assert word.lower() in body["detail"].lower(), body
    assert "Traceback" not in response.text
    assert LISTENER.connections == []
    alive = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert alive.status_code == 200
    assert alive.json()["boolean"] is True


def test_what_is_near_the_limits_still_runs(client: TestClient) -> None:
    """The refusals are not blanket: a web IRI in FROM, 64 nested groups, 1,000 variables."""
    stated = "https://w3id.org/policykg/id/szamr-2024/graph/stated"
    measure = "https://w3id.org/policykg/id/szamr-2024/measure/2-2-1"
    checks = [
        f"ASK FROM <{stated}> {{ <{measure}> ?p ?o }}",
        "ASK " + "{" * 63 + f" <{measure}> ?p ?o " + "}" * 63,
        "SELECT * WHERE { VALUES (" + " ".join(f"?v{i}" for i in range(1_000)) + ") { } }",
    ]
    answers = [
        client.post("/sparql", content=text.encode(), headers={"content-type": QUERY})
        for text in checks
    ]
    for response in answers:
        assert response.status_code == 200, response.text[:300]
    assert [answers[0].json()["boolean"], answers[1].json()["boolean"]] == [True, True]
    assert len(answers[2].json()["head"]["vars"]) == 1_000
    assert answers[2].json()["results"]["bindings"] == []
    web = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": stated})
    assert web.status_code == 200 and web.json()["boolean"] is False  # no default graph given
    assert LISTENER.connections == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("ASK { ?s ?p ?o } \\UFFFFFFFF", "syntax error"),  # was an OverflowError: a 500
        ("ASK " + "{" * 10_000 + "}" * 10_000, "the limit is 64"),  # killed the worker
        ("SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }", "local file or an internal address"),
        ("SELECT " + " ".join(f"?v{i}" for i in range(1_001)) + " {}", "1001 variables"),
    ],
    ids=["escape-past-unicode", "deep", "from-file", "variables"],
)
def test_the_store_refuses_what_the_server_refuses(text: str, words: str) -> None:
    """The command line's store goes through the same refusals (regressions of the corpus)."""
    store = Store.from_trig(b"<urn:g> { <urn:a> <urn:p> 1 . }")
    with pytest.raises(QueryRefused) as refused:
        store.query(text)
    assert words in str(refused.value)
