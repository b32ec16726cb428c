"""Read the plan's framework code ("1146810") off the text that defines it digit by digit.

The plan names a code, then defines each of its digits in a paragraph of its own::

    2024年深圳市场监管系统的高质量发展密码是“1146810”。
    第一个“1”是指“作风提升年”,这是全年的工作主线,…
    “4”是指要从加强党的建设、作风建设、业务建设和干部队伍建设四个方面推进,…

Each definition says which level of the framework the digit counts (work line, project, builds,
requirements, focus areas, task lists) and, where it lists them, their names. Where a definition
does not list them ("8"是指"聚焦八个领域下功夫"), the names come from the paragraph that lists that
many of them (聚焦…8个方面, "揭榜挂帅""大调研""风险排查"等10项任务清单). Members the text counts but
does not name stay unnamed. Nothing is invented: every name and every count comes with its spans.

>>> text = "密码是“1146810”。"
>>> [m["code"] for m in CODE.finditer(text)]
['1146810']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from policykg.errors import InputError, line_of
from policykg.model import FrameworkNode, Group, Link
from policykg.segment import Span, chinese_numeral

__all__ = ["CODE", "DEFINITION", "Framework", "read_framework"]

CODE = re.compile(
    r"""
    [“"]                 # an opening quote, curly or straight
    (?P<code>\d{4,})     # the code: four or more digits
    [”"]                 # the closing quote
    """,
    re.VERBOSE,
)

DEFINITION = re.compile(
    r"""
    (?:第(?P<nth>[一二三四五六七八九十]+)个)?   # 第一个 / 第二个 when a digit repeats
    [“"](?P<digit>\d+)[”"]                        # the digit, quoted
    是指                                          # "stands for"
    """,
    re.VERBOSE,
)

QUOTED = re.compile(r"[“\"](?P<term>[^”\"]+)[”\"]")

# What each definition is about, checked in this order: the first keyword found decides.
LEVELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("TaskList", re.compile(r"清单")),  # 任务清单: the task lists
    ("Requirement", re.compile(r"要求")),  # 工作总要求: the requirements
    ("WorkLine", re.compile(r"主线")),  # 工作主线: the work line
    ("Project", re.compile(r"抓手")),  # 总抓手: the flagship project
    ("FocusArea", re.compile(r"领域|重点")),  # 八个领域, 工作重点: the focus areas
    ("Build", re.compile(r"方面")),  # 四个方面推进: the builds
)

GROUPS = {
    "Build": ("builds", "BuildCollection", "build"),
    "Requirement": ("requirements", "RequirementCollection", "requirement"),
    "FocusArea": ("areas", "FocusAreaCollection", "area"),
    "TaskList": ("tasklists", "TaskListCollection", "tasklist"),
}

COUNT = r"(?P<count>\d+|[一二两三四五六七八九十]+)"

# A run of names joined by 、 (or 和 before the last), ending in the count of what they are.
LISTED = re.compile(
    r"""
    (?P<list>[\u4e00-\u9fff]+(?:[、][\u4e00-\u9fff]+)+)  # names joined by 、 (和 may join the last)
    """
    + COUNT
    + r"""
    (?:个|项)                                           # the measure word: 个 / 项
    (?:方面|领域)                                       # of aspects or fields
    """,
    re.VERBOSE,
)

QUOTED_RUN = re.compile(
    r"""
    (?P<list>(?:[“"][^”"]+[”"]){2,})   # two or more quoted names in a row
    等                                 # "and others": the list is not complete
    """
    + COUNT
    + r"""
    (?:个|项)                          # the measure word
    """,
    re.VERBOSE,
)

# Words that lead into a list without being part of its first name.
LEAD = re.compile(r"(?:是指|要|从|加强|聚焦|一体推进|推进|实施|努力|实现|目标是)+")

PROJECT_OF_LINE = re.compile(
    r"""
    以此为主线                 # "taking this (the work line) as the main line"
    [,，]
    以[^,，；;。]+为抓手       # "and the project as the lever"
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Framework:
    """The framework read off the text: its code, nodes, numbered groups and stated links."""

    code: str
    code_spans: tuple[Span, ...]
    nodes: tuple[FrameworkNode, ...]
    groups: tuple[Group, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True)
class _Definition:
    digit: str
    level: str
    span: Span
    body: Span  # the text after 是指


def read_framework(text: str, preamble: Sequence[Span], source: str | None = None) -> Framework:
    """Read the framework code and its definitions from the paragraphs before the first section.

    Raises :class:`~policykg.errors.InputError` naming the line when the code, a definition or
    a list of names is missing or does not add up.
    """
    first_line = line_of(text, preamble[0].start) if preamble else 1
    code_hits = [
        (para, match) for para in preamble for match in CODE.finditer(text, para.start, para.end)
    ]
    if not code_hits:
        raise InputError(
            "expected the framework code, a quoted number such as “1146810”, "
            "before the first section",
            line=first_line,
            source=source,
        )
    code_para, code_match = code_hits[0]
    code = code_match["code"]
    definitions = _definitions(text, preamble, line_of(text, code_para.start), source)
    digits = "".join(d.digit for d in definitions)
    if digits != code:
        raise InputError(
            f"the definitions define the digits {digits or 'none'!r} but the code is {code!r}",
            line=line_of(text, code_para.start),
            source=source,
        )
    reader = _Reader(text, preamble, source)
    nodes: list[FrameworkNode] = []
    groups: list[Group] = []
    links: list[Link] = []
    by_level = {d.level: d for d in definitions}
    line = by_level["WorkLine"]
    project = by_level["Project"]
    line_name, _ = reader.first_quoted(line)
    nodes.append(FrameworkNode("workline", "WorkLine", 1, line_name, reader.spans_of(line_name)))
    name, _ = reader.first_quoted(project)
    nodes.append(FrameworkNode("project", "Project", 1, name, reader.spans_of(name)))
    aims = reader.aims(project)
    for n, (aim, span) in enumerate(aims, 1):
        nodes.append(FrameworkNode(f"aim/{n}", "Aim", n, aim, (span,)))
        links.append(Link("project", "hasAim", f"aim/{n}", "stated", (project.span,)))
    stated = reader.clause(PROJECT_OF_LINE) or (line.span, project.span)
    links.append(Link("project", "partOf", "workline", "stated", stated))
    for level in ("Build", "Requirement", "FocusArea", "TaskList"):
        definition = by_level[level]
        group_id, group_kind, prefix = GROUPS[level]
        count = int(definition.digit)
        names = reader.names(definition, count)
        members = []
        for n in range(1, count + 1):
            node_id = f"{prefix}/{n}"
            members.append(node_id)
            if n <= len(names):
                name, span = names[n - 1]
                spans = reader.spans_of(name)
                nodes.append(FrameworkNode(node_id, level, n, name, spans))
            else:  # counted, not named: its evidence is the count
                nodes.append(FrameworkNode(node_id, level, n, None, reader.count_spans(definition)))
        groups.append(
            Group(group_id, group_kind, definition.digit, tuple(members), (definition.span,))
        )
        if level == "FocusArea":
            continue  # the areas hang under the builds they carry out: a curated link
        for member in members:
            if level == "Build":  # "这是落实“强基工程”的具体举措"
                links.append(Link(member, "partOf", "project", "stated", (definition.span,)))
            else:  # a layer of the code under its work line
                links.append(Link(member, "partOf", "workline", "extracted", (definition.span,)))
    return Framework(code, (_span(code_match, "code"),), tuple(nodes), tuple(groups), tuple(links))


def _span(match: re.Match[str], group: str | int = 0) -> Span:
    return Span(match.start(group), match.end(group))


def _definitions(
    text: str, preamble: Sequence[Span], code_line: int, source: str | None
) -> list[_Definition]:
    found: list[_Definition] = []
    for para in preamble:
        match = DEFINITION.match(text, para.start, para.end)
        if not match:
            continue
        body = Span(match.end(), para.end)
        level = next((name for name, key in LEVELS if key.search(text, body.start, body.end)), None)
        if level is None or any(d.level == level for d in found):
            raise InputError(
                f"cannot tell which level of the framework the digit “{match['digit']}” defines "
                "(expected one of 主线, 抓手, 方面, 要求, 领域, 清单, each once)",
                line=line_of(text, para.start),
                source=source,
            )
        found.append(_Definition(match["digit"], level, para, body))
    missing = [name for name, _ in LEVELS if all(d.level != name for d in found)]
    if missing:  # reported at the code, which the definitions should spell out
        raise InputError(
            "expected a definition (“N”是指…) for each level of the framework after the code; "
            "missing: " + ", ".join(missing),
            line=code_line,
            source=source,
        )
    return found


class _Reader:
    """Finds names and their spans in the paragraphs before the first section."""

    def __init__(self, text: str, preamble: Sequence[Span], source: str | None) -> None:
        self.text = text
        self.preamble = preamble
        self.source = source

    def error(self, message: str, span: Span) -> InputError:
        return InputError(message, line=line_of(self.text, span.start), source=self.source)

    def first_quoted(self, definition: _Definition) -> tuple[str, Span]:
        match = QUOTED.search(self.text, definition.body.start, definition.body.end)
        if not match:
            raise self.error(
                f"expected a quoted name in the definition of “{definition.digit}”", definition.span
            )
        return match["term"], _span(match, "term")

    def spans_of(self, name: str) -> tuple[Span, ...]:
        """Every place the framework block names ``name``."""
        spans = []
        for para in self.preamble:
            start = self.text.find(name, para.start, para.end)
            while start >= 0:
                spans.append(Span(start, start + len(name)))
                start = self.text.find(name, start + len(name), para.end)
        return tuple(spans)

    def clause(self, pattern: re.Pattern[str]) -> tuple[Span, ...]:
        for para in self.preamble:
            match = pattern.search(self.text, para.start, para.end)
            if match:
                return (Span(match.start(), match.end()),)
        return ()

    def count_spans(self, definition: _Definition) -> tuple[Span, ...]:
        """Where the text counts the members of a group: 等10项任务清单, or the definition."""
        for para in self.preamble:
            match = QUOTED_RUN.search(self.text, para.start, para.end)
            if match and _count(match["count"]) == int(definition.digit):
                return (Span(match.start("count"), match.end()),)
        return (definition.span,)

    def aims(self, definition: _Definition) -> list[tuple[str, Span]]:
        """The project's aims: the 、-joined phrases of its definition after 目标."""
        body = definition.body
        goal = self.text.find("目标", body.start, body.end)
        if goal < 0:
            return []
        aims = []
        for match in re.finditer(
            r"[\u4e00-\u9fff]+(?:、[\u4e00-\u9fff]+)+", self.text[goal : body.end]
        ):
            aims.extend(self._split(goal + match.start(), goal + match.end()))
        return aims

    def names(self, definition: _Definition, count: int) -> list[tuple[str, Span]]:
        """The names of a group's members, from its definition or the paragraph that lists them."""
        body = definition.body
        for match in QUOTED.finditer(self.text, body.start, body.end):
            if "、" in match["term"]:
                names = self._split(match.start("term"), match.end("term"), count)
                return self._checked(names, count, definition)
        listed = LISTED.search(self.text, body.start, body.end)
        if listed and _count(listed["count"]) == count:
            return self._checked(self._split(*_bounds(listed), count), count, definition)
        for para in self.preamble:
            for match in LISTED.finditer(self.text, para.start, para.end):
                if _count(match["count"]) == count:
                    return self._checked(self._split(*_bounds(match), count), count, definition)
            for match in QUOTED_RUN.finditer(self.text, para.start, para.end):
                if _count(match["count"]) == count:
                    return [
                        (q["term"], _span(q, "term"))
                        for q in QUOTED.finditer(self.text, *_bounds(match))
                    ]
        raise self.error(
            f"expected the names of the {count} members that “{definition.digit}” counts, "
            f"listed in its definition or as “…、…{count}个方面/等{count}项…”",
            definition.span,
        )

    def _checked(
        self, names: list[tuple[str, Span]], count: int, definition: _Definition
    ) -> list[tuple[str, Span]]:
        if len(names) != count:
            found = "、".join(name for name, _ in names)
            raise self.error(
                f"“{definition.digit}” counts {count} members "
                f"but the text lists {len(names)}: {found}",
                definition.span,
            )
        return names

    def _split(self, start: int, end: int, count: int | None = None) -> list[tuple[str, Span]]:
        """Split ``a、b、c和d`` into names with spans, dropping lead words before the first."""
        lead = LEAD.match(self.text, start, end)
        if lead:
            start = lead.end()
        pieces: list[tuple[int, int]] = []
        at = start
        for sep in re.finditer("、", self.text[start:end]):
            pieces.append((at, start + sep.start()))
            at = start + sep.end()
        pieces.append((at, end))
        if count is not None and len(pieces) == count - 1:  # "…、c和d": 和 joins the last two
            last_start, last_end = pieces[-1]
            joint = self.text.find("和", last_start, last_end)
            if joint > last_start:
                pieces[-1:] = [(last_start, joint), (joint + 1, last_end)]
        return [(self.text[a:b], Span(a, b)) for a, b in pieces if b > a]


def _bounds(match: re.Match[str]) -> tuple[int, int]:
    return match.start("list"), match.end("list")


def _count(numeral: str) -> int:
    """The number a count stands for; -1 (no count) for 一一 and the like, which are none."""
    try:
        return int(numeral) if numeral.isdigit() else chinese_numeral(numeral)
    except ValueError:
        return -1
