"""hypothesis on the segmenter, the parser and the extractor: arbitrary text never raises anything
but the documented :class:`~policykg.errors.InputError`, and every span they return is exact.

Three kinds of text: any text; text built line by line from the genre's markers (一、 （一） ——
一是 。 numerals, newlines), so the segmenter meets every structure; and the real report edited at
random (markers inserted, lines dropped, doubled or swapped), so the parser gets past the
framework and the sections and meets broken structure deep down. ``tests/test_quantities.py``
already fuzzes the extractor on short report-like text; here it reads whole structured documents
and the parts the segmenter finds.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policykg.build import default_source
from policykg.errors import InputError
from policykg.model import Plan
from policykg.parse import parse_plan
from policykg.quantities import extract
from policykg.segment import Segmented, Span, chinese_numeral, segment

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

NUMERALS = [
    "一",
    "二",
    "三",
    "四",
    "五",
    "八",
    "九",
    "十",
    "十一",
    "二十",
    "一一",
    "十十",
    "〇",
    "两",
]
MARKERS = [
    *(f"{n}、" for n in NUMERALS),
    *(f"（{n}）" for n in NUMERALS),
    *(f"({n})" for n in NUMERALS),
    *(f"{n}是" for n in NUMERALS),
    "——",
    "。",
    "；",
    "！",
    "?",
    "”",
    "）",
    "\n",
    "\n\n",
    "\r\n",
    "\u3000",
    " ",
    "2023年工作总结",
    "2024年工作安排",
    "1146810",
    "第一个“1”是指",
    "“4”是指",
    "“8”是指",
    "不少于2500户",
    "超过37万件",
    "力争",
    "保十冲五",
    "同比增长18%",
    "出台",
    "《条例》",
    "局党组",
]
GENRE = st.sampled_from(MARKERS) | st.text(
    alphabet="一二三四五六七八九十是、（）()——。，,；“”《》0123456789%万亿户元\n ", max_size=6
)


IN_ORDER = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
# Prose: mostly plain words and quantities, now and then a marker in the middle of a line.
PLAIN = st.text(
    alphabet="做好工作提升监管服务企业市场质量安全，,“”《》0123456789%万亿户元",
    min_size=1,
    max_size=8,
)
WORDS = st.lists(
    st.one_of(PLAIN, PLAIN, PLAIN, st.sampled_from(MARKERS[-12:]), GENRE), min_size=1, max_size=5
).map("".join)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A report built from the genre's markers: parts, sections, headlines and measures, mostly
    numbered in order (so the segmenter gets deep), now and then not."""

    misnumbered = draw(st.booleans())  # else every number is in order

    def numeral(n: int) -> str:
        if not misnumbered:
            return IN_ORDER[n - 1]
        return draw(st.sampled_from([IN_ORDER[n - 1]] * 6 + NUMERALS))

    lines = [*draw(st.lists(WORDS, max_size=2))]
    for p in range(1, draw(st.integers(1, 3)) + 1):
        lines.append(f"{numeral(p)}、{draw(WORDS)}")
        lines += draw(st.lists(WORDS, max_size=2))
        for n in range(1, draw(st.integers(0, 4)) + 1):
            opening, closing = draw(st.sampled_from(["（）", "()", "(）"]))
            headline = draw(st.sampled_from(["", "", f"——{draw(WORDS)}。{draw(WORDS)}"]))
            lines.append(f"{opening}{numeral(n)}{closing}{draw(WORDS)}{headline}")
            for _ in range(draw(st.integers(0, 3))):
                count = draw(st.integers(0, 4))
                measures = "".join(f"{numeral(m)}是{draw(WORDS)}。" for m in range(1, count + 1))
                lines.append(
                    draw(st.sampled_from([f"——{draw(WORDS)}。{draw(WORDS)}", measures, "——"]))
                    or draw(WORDS)
                )
    return draw(st.sampled_from(["\n", "\n\n", "\r\n", "\n\u3000"])).join(lines)


STRUCTURED = documents()


@cache
def report() -> str:
    return default_source().read_text(encoding="utf-8")


EDIT = st.tuples(
    st.sampled_from(["insert", "delete", "replace", "double", "drop", "swap"]),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    GENRE,
)


def _edited(edits: list[tuple[str, float, float, str]]) -> str:
    """The report with the edits applied in turn, each at a fraction of its current length."""
    text = report()
    for kind, at, to, payload in edits:
        i, j = sorted((int(at * len(text)), int(to * len(text))))
        j = min(j, i + 200)
        lines = text.split("\n")
        k, m = int(at * (len(lines) - 1)), int(to * (len(lines) - 1))
        if kind == "insert":
            text = text[:i] + payload + text[i:]
        elif kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "replace":
            text = text[:i] + payload + text[j:]
        elif kind == "double":
            text = "\n".join([*lines[: k + 1], lines[k], *lines[k + 1 :]])
        elif kind == "drop":
            text = "\n".join(lines[:k] + lines[k + 1 :])
        else:
            lines[k], lines[m] = lines[m], lines[k]
            text = "\n".join(lines)
    return text


EDITED = st.lists(EDIT, min_size=1, max_size=4).map(_edited)


# -- what an exact result is -------------------------------------------------------------------


def _inside(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start <= inner.end <= outer.end


def check_segmented(seg: Segmented, text: str) -> None:
    assert seg.text == text
    whole = Span(0, len(text))
    for part in seg.parts:
        assert _inside(part.span, whole)
        assert _inside(part.heading, part.span) and _inside(part.title, part.heading)
        assert seg.text_of(part.title) == seg.text_of(part.title).strip()
        assert seg.text_of(part.heading).split("、")[0] in seg.text_of(part.heading)
        for para in part.preamble:
            assert _inside(para, part.span) and seg.text_of(para).strip()
        for number, section in enumerate(part.sections, 1):
            assert section.ordinal == number
            assert _inside(section.span, part.span)
            assert _inside(section.heading, section.span)
            assert _inside(section.title, section.span)
            assert seg.text_of(section.heading)[0] in "(（"
            for item in section.items:
                assert _inside(item.span, section.span)
                assert _inside(item.body, item.span) and _inside(item.title, item.body)
                if item.kind == "headline":
                    assert seg.text_of(item.span).startswith("——")
                if item.kind == "measure":
                    marker = seg.text_of(item.span)[: item.body.start - item.span.start]
                    assert marker.endswith("是")
                    assert chinese_numeral(marker[:-1]) == item.ordinal
                previous = item.body.start
                for sentence in item.sentences:
                    assert _inside(sentence, item.body) and sentence.start < sentence.end
                    assert sentence.start >= previous
                    previous = sentence.end


def check_plan(plan: Plan, text: str) -> None:
    def anchor(span: Span) -> str:
        assert 0 <= span.start <= span.end <= len(text), span
        return text[span.start : span.end]

    assert plan.text == text
    for section in plan.sections:
        assert section.label == anchor(section.title_span)
        assert _inside(section.title_span, section.span)
    for headline in plan.headlines:
        assert headline.text == anchor(headline.span) and headline.headline in headline.text
    for measure in plan.measures:
        assert measure.text == anchor(measure.span) and measure.title in measure.text
    for quantity in plan.quantities:
        assert quantity.surface == anchor(quantity.span)
    for policy in plan.policies:
        assert policy.title == anchor(policy.title_span)
        assert _inside(policy.title_span, policy.span)
    for node in plan.framework:
        for span in node.spans:
            assert node.label is None or node.label in anchor(span)
    for span in plan.code_spans:
        assert anchor(span) == plan.code
    for unit in plan.units:
        for span in unit.mentions:
            assert anchor(span)
    for link in plan.links:
        for span in link.spans:
            assert anchor(span)
    for assignment in plan.assignments:
        for span in assignment.spans:
            assert anchor(span)


def check_extract(text: str, start: int = 0, end: int | None = None) -> None:
    stop = len(text) if end is None else end
    for quantity in extract(text, start, stop):
        assert start <= quantity.start < quantity.end <= stop
        assert text[quantity.start : quantity.end] == quantity.surface


def run(text: str) -> None:
    """Segment, parse and extract: an InputError or an exact result, never anything else."""
    try:
        seg = segment(text)
    except InputError as error:
        assert error.message
    else:
        check_segmented(seg, text)
        for _, _, item in seg.items():
            check_extract(text, item.body.start, item.body.end)
    try:
        plan = parse_plan(text, "fuzz")
    except InputError as error:
        assert error.message
    else:
        check_plan(plan, text)
    check_extract(text)


# -- the properties ----------------------------------------------------------------------------


def test_the_report_itself_is_exact() -> None:
    """The checks hold of the real report, and it gets through every stage."""
    seg = segment(report())
    check_segmented(seg, report())
    plan = parse_plan(report(), "szamr-2024")
    check_plan(plan, report())
    assert len(plan.measures) == 29 and len(plan.headlines) == 33 and plan.quantities


@FUZZ
@given(st.text(max_size=300))
def test_any_text(text: str) -> None:
    run(text)


@FUZZ
@example("一一、标题")  # a part number that is no numeral: was a ValueError
@example("一、标题\n（一一）节")  # a section number that is no numeral: was a ValueError
@example("一、标题\n（一）节\n一一是做事。")  # a measure marker that is no numeral: a ValueError
@example("十十、标题")  # was a KeyError
@given(STRUCTURED)
def test_text_built_from_the_genre_markers(text: str) -> None:
    run(text)


@settings(FUZZ, max_examples=60)  # each parses a whole report (0.1 s)
@given(EDITED)
def test_the_report_edited_at_random(text: str) -> None:
    run(text)


@pytest.mark.parametrize("numeral", ["一一", "十十", "十一十", "", "十二三", "百"])
def test_chinese_numeral_refuses_what_is_no_numeral(numeral: str) -> None:
    with pytest.raises(ValueError, match="not a Chinese numeral"):
        chinese_numeral(numeral)


def test_a_malformed_part_number_is_an_input_error_with_its_line() -> None:
    with pytest.raises(InputError) as error:
        segment("一、总结\n二二、安排\n")
    assert error.value.line == 2 and "'二二'" in error.value.message
