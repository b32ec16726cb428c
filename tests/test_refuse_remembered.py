"""The query checks remember what passed (short queries only) and never what they refused."""

from __future__ import annotations

import pytest

from policykg import store
from policykg.store import QueryRefused, has_dataset_clause, refuse_forbidden

SERVICE = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
PLAIN = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
FROM = "SELECT ?s FROM <urn:g> WHERE { ?s ?p ?o }"


def test_a_refusal_is_refused_every_time_short_or_long() -> None:
    padded = SERVICE + " #" + "x" * store.REMEMBERED  # past the length that is remembered
    for text in (SERVICE, padded):
        for _ in range(3):
            with pytest.raises(QueryRefused, match="SERVICE is not allowed"):
                refuse_forbidden(text)


def test_a_query_that_passes_is_checked_once() -> None:
    store._passed.cache_clear()
    store._clause_remembered.cache_clear()
    for _ in range(3):
        refuse_forbidden(PLAIN)
        assert has_dataset_clause(PLAIN) is False
        assert has_dataset_clause(FROM) is True
    assert store._passed.cache_info().hits == 2
    assert store._passed.cache_info().misses == 1
    assert store._clause_remembered.cache_info().currsize == 2


def test_a_long_query_is_checked_each_time_and_not_kept() -> None:
    store._passed.cache_clear()
    store._clause_remembered.cache_clear()
    long = PLAIN + " #" + "x" * store.REMEMBERED
    for _ in range(2):
        refuse_forbidden(long)
        assert has_dataset_clause(long) is False
        assert has_dataset_clause(FROM + " #" + "x" * store.REMEMBERED) is True
    assert store._passed.cache_info().currsize == 0
    assert store._clause_remembered.cache_info().currsize == 0
