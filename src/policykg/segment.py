"""Segment a work report: text → parts → sections → items → sentences, each with its exact span.

Every span is a half-open ``[start, end)`` range of code points (Python ``str`` indices) into the
text, so ``text[span.start:span.end]`` is the exact characters the span stands for.

The genre (Chinese work reports and plans) writes its structure with markers:

- parts ``一、2023年工作总结`` on a line of their own;
- sections ``（一）标题`` (or ``(一)`` in ASCII) on a line, whose title may run straight into the
  first ``——`` headline paragraph (the report's section （七）);
- items: ``——标题。正文`` headline paragraphs (a summary) and ``一是…。二是…。`` measures (a plan),
  one to a paragraph or several in one paragraph;
- sentences ending in ``。！？`` (full-width or ASCII ``!?``).

>>> seg = segment("一、总结\\n(一)党建\\n——党建加强。学习31次。\\n")
>>> part = seg.parts[0]
>>> seg.text_of(part.title), seg.text_of(part.sections[0].title)
('总结', '党建')
>>> item = part.sections[0].items[0]
>>> item.kind, seg.text_of(item.title), [seg.text_of(s) for s in item.sentences]
('headline', '党建加强', ['党建加强。', '学习31次。'])
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from policykg.errors import InputError, line_of

__all__ = [
    "Item",
    "ItemKind",
    "Part",
    "Section",
    "Segmented",
    "Span",
    "chinese_numeral",
    "paragraphs",
    "segment",
]

ItemKind = Literal["headline", "measure", "paragraph"]

_NUMERAL_CHARS = "〇零一二两三四五六七八九十百"

PART_HEADING = re.compile(
    r"""
    ^(?P<num>[一二三四五六七八九十]+)   # the part's number in Chinese numerals: 一, 二 …
    [、]                               # the enumeration comma that makes it a part heading
    (?P<title>\S.*)$                   # the title, the rest of the line
    """,
    re.VERBOSE,
)

SECTION_HEADING = re.compile(
    r"""
    ^[(（]                             # an opening parenthesis, ASCII or full-width
    (?P<num>[一二三四五六七八九十]+)    # the section's number in Chinese numerals
    [)）]                              # the closing parenthesis, ASCII or full-width
    (?P<rest>.*)$                      # the title, possibly running into a —— headline
    """,
    re.VERBOSE,
)

HEADLINE_MARK = "——"

MEASURE_MARKER = re.compile(
    r"""
    (?:^|(?<=[。；;！!？?]))            # at a paragraph start or right after a sentence end
    (?P<num>[一二三四五六七八九十]+)    # the ordinal in Chinese numerals: 一, 二 … 十五
    是                                 # 是: "一是" = "first", "二是" = "second" …
    """,
    re.VERBOSE,
)

SENTENCE_END = re.compile(
    r"""
    [。！？!?]                          # a full stop, exclamation or question mark
    [”’"」』)）]*                       # closing quotes or brackets that belong to the sentence
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, order=True)
class Span:
    """A half-open range ``[start, end)`` of code points."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def anchor(self, text: str) -> str:
        """The exact characters of the span in ``text``."""
        return text[self.start : self.end]


@dataclass(frozen=True)
class Item:
    """A headline paragraph (part of a summary), a measure (一是…) or a plain paragraph."""

    kind: ItemKind
    ordinal: int
    span: Span  # the whole item, its marker included
    title: Span  # the headline or short title: up to the first sentence end, without it
    body: Span  # the item without its marker
    sentences: tuple[Span, ...]


@dataclass(frozen=True)
class Section:
    """A （一） section: its heading line, its title and its items."""

    ordinal: int
    span: Span
    heading: Span  # the marker and the title
    title: Span
    items: tuple[Item, ...]
    # the same text, one item a paragraph (its 一是… markers not split apart): a plan whose
    # measures are paragraphs led by a short sentence reads these
    paragraphs: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Part:
    """A 一、 part: its heading, the paragraphs before its first section, and its sections."""

    ordinal: int
    span: Span
    heading: Span
    title: Span
    preamble: tuple[Span, ...]
    sections: tuple[Section, ...]
    lead: tuple[Item, ...] = ()  # the preamble's items: —— headlines, 一是 measures, paragraphs
    paragraphs: tuple[Item, ...] = ()  # the preamble again, one item a paragraph


@dataclass(frozen=True)
class Segmented:
    """A segmented text: the text itself and its parts."""

    text: str
    parts: tuple[Part, ...]
    source: str | None = field(default=None, compare=False)
    front: tuple[Span, ...] = ()  # the paragraphs before the first part: title, address …

    def text_of(self, span: Span) -> str:
        """The exact characters of a span."""
        return self.text[span.start : span.end]

    def line_of(self, span: Span) -> int:
        """The 1-based line on which a span starts."""
        return line_of(self.text, span.start)

    def items(self) -> Iterator[tuple[Part, Section, Item]]:
        """Every item with its part and section, in text order."""
        for part in self.parts:
            for section in part.sections:
                for item in section.items:
                    yield part, section, item


def chinese_numeral(numeral: str) -> int:
    """The value of a Chinese numeral from 一 to 九十九 (also 〇/零 and 两).

    >>> [chinese_numeral(n) for n in ("一", "九", "十", "十五", "二十", "三十二", "两")]
    [1, 9, 10, 15, 20, 32, 2]
    """
    digits = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
    digits |= {"六": 6, "七": 7, "八": 8, "九": 9}
    if not numeral or any(ch not in _NUMERAL_CHARS for ch in numeral):
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    if "十" not in numeral:
        if len(numeral) != 1 or numeral not in digits:  # 百 alone is no numeral of this range
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
        return digits[numeral]
    tens, _, units = numeral.partition("十")
    if len(tens) > 1 or len(units) > 1 or not {*tens, *units} <= digits.keys():  # 十十, 一百
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return (digits[tens] if tens else 1) * 10 + (digits[units] if units else 0)


def paragraphs(text: str) -> list[Span]:
    """The non-blank lines of a text, without surrounding white space.

    >>> paragraphs("a\\n\\n  b c \\n")
    [Span(start=0, end=1), Span(start=5, end=8)]
    """
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            start = match.start() + (len(line) - len(line.lstrip()))
            spans.append(Span(start, start + len(stripped)))
    return spans


def segment(text: str, source: str | None = None) -> Segmented:
    """Split a work report into parts, sections, items and sentences, with exact spans.

    Raises :class:`~policykg.errors.InputError`, naming the line, when the text has no part
    heading (``一、…``), or when a part's numbering skips.
    """
    paras = paragraphs(text)
    heads = [(i, m) for i, p in enumerate(paras) if (m := PART_HEADING.match(_at(text, p)))]
    if not heads:
        raise InputError(
            "expected a part heading such as '一、2023年工作总结' on a line of its own; found none",
            line=1,
            source=source,
        )
    parts = []
    for n, (index, match) in enumerate(heads):
        heading = paras[index]
        _expect_number(text, heading, match["num"], n + 1, "part", source)
        stop = heads[n + 1][0] if n + 1 < len(heads) else len(paras)
        parts.append(_part(text, n + 1, heading, match, paras[index + 1 : stop], source))
    return Segmented(text, tuple(parts), source, tuple(paras[: heads[0][0]]))


def _at(text: str, span: Span) -> str:
    return text[span.start : span.end]


def _expect_number(
    text: str, span: Span, numeral: str, expected: int, what: str, source: str | None
) -> None:
    try:
        value: int | None = chinese_numeral(numeral)
    except ValueError:  # 一一, 十十: the marker's shape with no number in it
        value = None
    if value != expected:
        raise InputError(
            f"expected {what} number {expected}, found {numeral!r}: "
            f"{what}s must be numbered in order",
            line=line_of(text, span.start),
            source=source,
        )


def _part(
    text: str,
    ordinal: int,
    heading: Span,
    match: re.Match[str],
    body: list[Span],
    source: str | None,
) -> Part:
    title = Span(heading.start + match.start("title"), heading.end)
    preamble: list[Span] = []
    groups: list[tuple[Span, re.Match[str], list[Span]]] = []
    for para in body:
        section = SECTION_HEADING.match(_at(text, para))
        if section:
            groups.append((para, section, []))
        elif groups:
            groups[-1][2].append(para)
        else:
            preamble.append(para)
    sections = []
    for n, (head, section, paras) in enumerate(groups):
        _expect_number(text, head, section["num"], n + 1, "section", source)
        sections.append(_section(text, n + 1, head, section, paras))
    end = max([heading.end, *(p.end for p in body)])
    span = Span(heading.start, end)
    lead = _numbered([item for para in preamble for item in _items(text, para, 0, 0)])
    whole = tuple(_item(text, "paragraph", n, p, p) for n, p in enumerate(preamble, 1))
    return Part(ordinal, span, heading, title, tuple(preamble), tuple(sections), tuple(lead), whole)


def _section(
    text: str, ordinal: int, head: Span, match: re.Match[str], paras: list[Span]
) -> Section:
    rest_start = head.start + match.start("rest")
    mark = text.find(HEADLINE_MARK, rest_start, head.end)
    stop = SENTENCE_END.search(text, rest_start, head.end)
    item_paras = list(paras)
    if mark > rest_start:  # the title runs into its first headline on the same line
        title = Span(rest_start, mark)
        item_paras.insert(0, Span(mark, head.end))
        heading = Span(head.start, mark)
    elif (
        stop and text[stop.end() : head.end].strip()
    ):  # …into its first paragraph: （一）标题。正文
        title = Span(rest_start, stop.start())
        rest = text[stop.end() : head.end]
        item_paras.insert(0, Span(head.end - len(rest.lstrip()), head.end))
        heading = Span(head.start, stop.end())
    else:
        title = Span(rest_start, head.end)
        heading = head
    items: list[Item] = []
    for para in item_paras:
        measures = sum(item.kind == "measure" for item in items)
        items.extend(_items(text, para, len(items), measures))
    items = _numbered(items)
    whole = [_item(text, "paragraph", n, p, p) for n, p in enumerate(item_paras, 1)]
    end = max([heading.end, *(p.end for p in item_paras)])
    return Section(ordinal, Span(head.start, end), heading, title, tuple(items), tuple(whole))


def _numbered(items: list[Item]) -> list[Item]:
    """Number items within their kind: the n-th headline, the n-th measure (its 一是 numeral)."""
    seen: dict[str, int] = {}
    numbered = []
    for item in items:
        seen[item.kind] = seen.get(item.kind, 0) + 1
        numbered.append(replace(item, ordinal=seen[item.kind]))
    return numbered


def _items(text: str, para: Span, done: int, measures: int) -> list[Item]:
    """The items of one paragraph; ``done`` items and ``measures`` measures precede it."""
    raw = _at(text, para)
    if raw.startswith(HEADLINE_MARK):
        body = Span(para.start + len(HEADLINE_MARK), para.end)
        return [_item(text, "headline", done + 1, para, body)]
    markers = _measure_markers(raw, measures)
    if not markers:
        return [_item(text, "paragraph", done + 1, para, para)]
    items = []
    if markers[0].start() > 0:  # a lead-in before 一是 stays a paragraph of its own
        lead = Span(para.start, para.start + markers[0].start())
        items.append(_item(text, "paragraph", done + 1, lead, lead))
    for n, marker in enumerate(markers):
        start = para.start + marker.start()
        end = para.start + markers[n + 1].start() if n + 1 < len(markers) else para.end
        body = Span(para.start + marker.end(), end)
        ordinal = measures + n + 1
        items.append(_item(text, "measure", ordinal, Span(start, end), body))
    return items


def _measure_markers(raw: str, before: int) -> list[re.Match[str]]:
    """The 一是, 二是 … markers of a paragraph, kept only while they count on from ``before``."""
    found: list[re.Match[str]] = []
    for match in MEASURE_MARKER.finditer(raw):
        try:
            number = chinese_numeral(match["num"])
        except ValueError:  # 一一是: no numeral, so no marker
            continue
        if number == before + len(found) + 1:
            found.append(match)
    return found


def _item(text: str, kind: ItemKind, ordinal: int, span: Span, body: Span) -> Item:
    sentences = _sentences(text, body)
    first = sentences[0] if sentences else body
    title_end = first.end
    tail = SENTENCE_END.search(text, first.start, first.end)
    if tail and tail.end() == first.end:
        title_end = tail.start()
    return Item(kind, ordinal, span, Span(first.start, title_end), body, sentences)


def _sentences(text: str, body: Span) -> tuple[Span, ...]:
    spans = []
    start = body.start
    for match in SENTENCE_END.finditer(text, body.start, body.end):
        spans.append(Span(start, match.end()))
        start = match.end()
    if _at(text, Span(start, body.end)).strip():
        spans.append(Span(start, body.end))
    return tuple(s for s in spans if s.end > s.start)
