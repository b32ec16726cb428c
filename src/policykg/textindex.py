"""A text index for Chinese search: character bigrams, since Chinese is not split by spaces.

A SPARQL ``CONTAINS`` over every label and text scans them all on each search (175 ms at 1,000
plans on pyoxigraph). This index is built once from the search corpus (one row per node, field and
value) and answers a substring query by intersecting the posting sets of the query's bigrams
(a single character uses its unigram postings), then checking the few candidates: exact
substring semantics, case-insensitive, with no false hits.

>>> index = TextIndex([
...     {"node": "urn:m", "field": "text", "value": "新增“个转企”不少于2500户"},
...     {"node": "urn:t", "field": "label", "value": "新增个转企户数"},
...     {"node": "urn:u", "field": "label", "value": "各区"},
... ])
>>> [row["node"] for row in index.find("个转企")]
['urn:m', 'urn:t']
>>> [row["node"] for row in index.find("区")], index.find("没有")
(['urn:u'], [])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["TextIndex"]


def _grams(text: str) -> set[str]:
    """The character bigrams of a text (its characters when it has only one)."""
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


class TextIndex:
    """Rows with a ``value`` to search, indexed by character unigrams and bigrams."""

    def __init__(self, rows: Iterable[Mapping[str, str]]) -> None:
        self.rows: list[Mapping[str, str]] = list(rows)
        self._lowered = [row["value"].lower() for row in self.rows]
        self._bigrams: dict[str, set[int]] = defaultdict(set)
        self._chars: dict[str, set[int]] = defaultdict(set)
        for n, value in enumerate(self._lowered):
            for gram in _grams(value):
                self._bigrams[gram].add(n)
            for char in set(value):
                self._chars[char].add(n)

    def __len__(self) -> int:
        return len(self.rows)

    def find(self, query: str) -> list[Mapping[str, str]]:
        """The rows whose value contains ``query`` (case-insensitive), in the order given."""
        needle = query.lower()
        if not needle:
            return []
        postings: Sequence[set[int]]
        if len(needle) == 1:
            postings = [self._chars.get(needle, set())]
        else:
            postings = sorted((self._bigrams.get(g, set()) for g in _grams(needle)), key=len)
        candidates = set(postings[0]).intersection(*postings[1:]) if postings else set()
        return [self.rows[n] for n in sorted(candidates) if needle in self._lowered[n]]
