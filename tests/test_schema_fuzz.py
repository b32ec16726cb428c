"""schemathesis against the app's own OpenAPI document, through the ASGI app in-process.

Every operation the document lists is called with generated requests, schema-valid and not: no
answer is a 5xx, and every answer conforms to what the document says of it (its status code, its
media type, its body's schema: problem+json errors included) — every check schemathesis has.
Bounded and deterministic: a few examples per operation, derandomised, no example database.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from api import create_app
from api.settings import ServerSettings

EXAMPLES = 8  # per operation: the whole file runs in about 20 s on two cores

# Where the document cannot say which schema-valid requests the server accepts: a query must
# also be SPARQL (and an empty update is refused: read-only), and the graph view takes a focus or
# a trace, not both. Their 4xx answers are still checked (documented, problem+json).
UNSAYABLE = {("GET", "/sparql"), ("POST", "/sparql"), ("GET", "/graph"), ("GET", "/api/graph")}

# The document is read off the app itself (no request, so nothing starts at collection); the
# first call starts the app's lifespan (its query worker) in schemathesis's ASGI client.
APP = create_app(ServerSettings(workers=1, timeout=5.0))
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP
schemathesis.serializer.alias("application/sparql-query", "text/plain")  # a query is text


def test_the_document_lists_every_kind_of_operation() -> None:
    paths = APP.openapi()["paths"]
    operations = [(m.upper(), p) for p, ops in paths.items() for m in ops]
    assert len(operations) >= 70
    for wanted in [("GET", "/sparql"), ("POST", "/sparql"), ("GET", "/id/{path}")]:
        assert wanted in operations
    problem = {"$ref": "#/components/schemas/Problem"}
    for path, ops in paths.items():
        for op in ops.values():
            for status in ("400", "500", "503"):
                assert op["responses"][status]["content"]["application/problem+json"] == {
                    "schema": problem
                }, (path, status)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms(case: Any) -> None:
    excluded = [positive_data_acceptance] if (case.method, case.path) in UNSAYABLE else []
    response = case.call_and_validate(excluded_checks=excluded)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == ["application/problem+json"]
        assert response.json()["status"] == response.status_code
