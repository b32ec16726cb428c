"""Policy instruments named in a work plan, and what the plan does with each.

A work report names the laws, regulations, plans, standards, guides and lists it issued or will
issue, revise or apply: ``出台《高标准建设质量强市实施方案》``, ``修订特区计量条例``,
``依照《公司法》``, ``积极推动特区反不正当竞争条例等立法工作``. :func:`find_policies` finds
them in plain text, with the action taken on each and exact code-point spans, so that a planner
can ask "which regulations are we drafting this year?".

How a mention is recognised (each rule is documented where it is defined):

- The text is cut into clauses at ``。；;，,`` (and ``！？!?`` and line ends): a title never
  crosses a clause boundary. ``、`` does not cut: it lists items inside a title or between titles.
- A title in ``《》`` is an instrument whenever it ends in an instrument head word
  (``HEAD``); one without a head word counts only when an action governs it and no word naming
  a work of art (``WORK_MARKER``: 微电影《圳兴》, 话剧《右玉》) stands before it.
- An unmarked title is the noun phrase between an action verb (``LEAD``) and the last head word
  of the clause that a phrase may end on (``HEAD_FOLLOW``): ``出台`` + ``27个许可业务标准化指南``.
  Counts written before the name stay in the title, a trailing ``等`` / ``等文件`` does not.
- When the verb follows the title (``TRAILING_ACTION``: ``…条例等立法工作``, ``…条例等法规宣贯``,
  ``…标准在深发布``), the title starts after a governing verb (``推动``, ``做好``) or at the start
  of the clause.
- Campaigns, systems and platforms (铁拳行动, 三年行动, 首席质量官制度, 标准体系建设, 标准化)
  end in no head word and are never found. Category names and counts (地方标准107项,
  国内标准632项, 湾区标准) and unnamed quantities of instruments (一系列制度规范) are
  rejected by ``GENERIC_TITLE``.

The kind of an instrument comes from its head word: law, regulation, plan, policy, standard,
guide or list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["PolicyMention", "find_policies"]


@dataclass(frozen=True)
class PolicyMention:
    """One policy instrument named in a text, with the action the text takes on it.

    All offsets are code-point indices into the text given to :func:`find_policies`;
    ``text[title_start:title_end] == title`` and ``text[action_start:action_end] == action``.
    ``[start, end)`` is the evidence: the action through the title (the title through the action
    when the action follows), ``《》`` included, inside one clause. A 《》 title that no action
    governs has the empty action, with an empty span at ``title_start``.
    """

    title: str
    title_start: int
    title_end: int
    action: str
    action_start: int
    action_end: int
    kind: str
    start: int
    end: int


CLAUSE_BREAK = re.compile(
    r"""
      [。；;，,]     # the clause marks, full-width and ASCII: a title never crosses one
    | [！？!?]       # sentence ends other than 。
    | \n            # a line break ends a clause too
    """,
    re.VERBOSE,
)
"""Where clauses end. 、 is not here: it lists items inside one clause."""

CLAUSE_PREFIX = re.compile(
    r"""
    (?:
        \s+                                        # indentation
      | ——                                         # the dash that opens a headline paragraph
      | [(（] [一二三四五六七八九十]+ [)）]         # a section marker: (一) or （一）
      | [一二三四五六七八九十]+ 是                  # a measure marker: 一是
      | [一二三四五六七八九十]+ 、                  # a list marker: 一、
      | \d+ [.．、]                                # an Arabic list marker: 1.
    )*
    """,
    re.VERBOSE,
)
"""Markers skipped before a title that starts its clause (the title-first case)."""

_ACTION_SRC = r"""
    推动出台 | 推动制定            # 推动出台特区社会信用条例: the push is part of the action
  | 出台实施 | 制定实施 | 制定出台   # 出台实施推动现代农业…实施意见和若干措施
  | 启动实施 | 研究制定 | 修订完善   # compound verbs of other reports
  | 制修订                         # 制修订"圳品"标准100个: drafting and revising
  | 动态调整                       # 动态调整市场监管轻微违法行为减责清单
  | 出台 | 制定 | 修订 | 修改 | 编制 | 起草   # issuing and drafting
  | 印发 | 发布 | 颁布                        # publishing: 发布《动物诊疗机构管理规范》
  | 依照 | 依据 | 按照 | 根据                  # applying: 依照《公司法》
  | 落实 | 实施 | 宣贯                        # implementing: 深入实施放宽市场准入若干特别措施
  | 优化 | 完善 | 统一                        # improving: 统一处罚裁量权基准
  | 研制                           # 研制…标准; a count of them is rejected as generic
  | 废止                           # repealing
"""
"""Action verbs that stand before the instrument they act on.

Not actions (decisions): 开展 and 推行 take campaigns and systems; 入选 and 纳入 say a product
or city was listed by someone else (2个产品入选广东省地理标志培育名单 is an honour, not an
instrument of this plan); 完成 takes the plan's own task lists; 签订 takes agreements (协议),
which are not among the kinds; 立项 counts standards projects (立项地方标准107项)."""

_GOVERNOR_SRC = r"""
    推动 | 推进 | 做好 | 抓好 | 加快 | 加强   # 积极推动特区反不正当竞争条例等立法工作
"""
"""Verbs that govern a title whose action comes after it (…等立法工作, …等法规宣贯); they are
not actions themselves."""

LEAD = re.compile(
    r"(?P<action>" + _ACTION_SRC + r")|(?P<governor>" + _GOVERNOR_SRC + r")",
    re.VERBOSE,
)
"""A verb that may open a title: an action, or a governor waiting for a trailing action."""

ACTION_BEFORE_MARK = re.compile(
    r"(?P<action>"
    + _ACTION_SRC
    + r""")
    [了好]?    # 编制了《…规划纲要》, 落实好《…》
    \Z         # ends right where 《 opens (searched with endpos at the 《)
    """,
    re.VERBOSE,
)
"""An action written immediately before a 《》 title."""

TRAILING_ACTION = re.compile(
    r"""
    (?: 等 (?: 法律法规 | 法规 | 规章 | 文件 | 政策 | 措施 | 制度 | 标准 )? )?
                                 # 等 / 等法规 closes a list; it is not part of the name
    (?: 正式 | 在 [^\W\d_]{1,2}? )?   # 正式施行, 在深发布
    (?P<action>
        立法                     # 特区反不正当竞争条例等立法工作
      | 宣贯                     # 特区消保条例等法规宣贯
      | 发布 | 印发 | 颁布        # 全国首个智能网联汽车标准在深发布
      | 出台 | 施行              # …条例正式施行
      | 落地实施 | 实施           # …方案落地实施
    )
    (?= \Z | 工作 | 了 | [并和及、] | 实施 | 落地 )
                                 # the verb ends the phrase: not 是"十五五"规划实施第一年
    """,
    re.VERBOSE,
)
"""An action written after the title, for titles no action verb precedes."""

HEAD = re.compile(
    r"""
    (?P<law>
        法典                                       # 民法典
      | (?<![依执立违守普合方办非犯不说做用算手书无想玩写章技兵魔语文看])法
                                                   # 公司法, 民营经济促进法; not 依法, 执法, 立法 …
    )
  | (?P<regulation>
        地方性法规 | 地方法规 | 法规               # 全国首个成品油监管地方法规
      | 条例                                       # 特区计量条例, 特区消保条例
      | 规章 | 办法 | 细则                         # 考古工作管理办法, 实施细则
    )
  | (?P<plan>
        纲领性文件                                 # 知识产权强市建设纲领性文件 (before 文件)
      | 纲要 | 方案 | 规划 | 计划                  # 三年行动方案; 三年行动 alone is a campaign
    )
  | (?P<policy>
        意见                                       # 推动现代农业高质量发展实施意见
      | 若干 (?:特别|政策)? 措施                    # 若干措施, 放宽市场准入若干特别措施
      | (?:\d+|[一二三四五六七八九十]+) 条 (?:具体|政策|特别)? 措施
                                                   # 校外配餐单位食品安全管理8条措施
      | 文件                                       # 《…》等文件 is dropped; a named 文件 stays
    )
  | (?P<standard>
        技术要求                                   # 新业态准入技术要求 (要求 alone is no head)
      | 标准 | 规范 | 规则 | 基准                   # 实施规则, 处罚裁量权基准
    )
  | (?P<guide>
        指南 | 指引                                # 27个许可业务标准化指南
    )
  | (?P<list>
        名单 | 清单 | 目录                         # 禁养烈性犬名单, 减责清单
    )
    """,
    re.VERBOSE,
)
"""The word an instrument's name ends in, grouped by kind.

Not heads (decisions): 机制, 体系, 制度 (企业首席质量官制度 is a system), 行动 (铁拳行动,
安全生产治本攻坚三年行动 are campaigns), 工程, 平台, 政策 (广告营销补贴政策 and 政策衔接 name
no document), bare 措施 (一批改革措施, 重大政策措施), 协议, 预案."""

HEAD_AT_END = re.compile(r"(?:" + HEAD.pattern + r")\Z", re.VERBOSE)
"""A head word ending the searched span; the leftmost match is the longest head."""

MARKED_ONLY_HEAD = re.compile(
    r"""
    (?:
        (?P<regulation> 规定 )                  # 《…管理规定》: inside 《》 it is no verb
      | (?P<policy> 通知 | 决定 | 决议 | 公告 )   # 《关于…的通知》: likewise
    )
    \Z
    """,
    re.VERBOSE,
)
"""Head words trusted only inside 《》: outside they are verbs (研究决定, 规定) as often as not."""

TITLE_SUFFIX = re.compile(
    r"""
    [(（]
    (?: 试行 | 草案 | 暂行 | 修订 | 修正 | 修订稿 | 征求意见稿 | 送审稿 )   # a status note
    [)）] \Z
    """,
    re.VERBOSE,
)
"""A status note after a 《》 name (《…规划纲要（草案）》); skipped when looking for the head."""

HEAD_FOLLOW = re.compile(
    r"""
    (?=
        \Z                                        # the clause ends: the usual case
      | 等                                        # …条例等立法工作: closes a list
      | [和及与、]                                # coordinated with another item
      | 并                                        # …方案并组织实施
      | [\d一二三四五六七八九十百千]+ [个项部件条]   # 制修订"圳品"标准100个: a count after the name
      | [”"’)）]                                  # the end of a quotation or an aside
      | 在 | 正式                                 # …标准在深发布, …条例正式施行
      | 落地 | 实施 | 立法 | 宣贯 | 发布 | 印发 | 颁布 | 出台 | 施行   # a trailing action
    )
    """,
    re.VERBOSE,
)
"""What may follow a head word that ends a name. Anything else means the head word is only
part of a longer noun: 标准化, 标准体系建设, 国家技术标准创新基地, 高标准农田, 规划体系,
目录登记, 事前指导规范"转变."""

HEAD_CLOSED = re.compile(
    r"(?:"
    + HEAD.pattern
    + r""")
    (?:
        等                                              # 特区消保条例等法规: 等法规 is no name
      | [\d一二三四五六七八九十百千]+ [个项部件条]        # 国内标准632项、国际标准219项: counts
    )
    """,
    re.VERBOSE,
)
"""A head word closed by 等 or a count: a candidate holding one is two things, not one title."""

GENERIC_TITLE = re.compile(
    r"""
      (?: 一系列 | 一批 | 系列 | 各类 | 各项 | 相关 | 有关 | 配套 | 上述 ) .*
                                        # unnamed instruments: 完善一系列制度规范
    | (?: 地方 | 国家 | 国际 | 国内 | 湾区 | 行业 | 团体 | 企业 )? 标准
                                        # categories and counts: 地方标准107项, 国内标准632项
    | (?: 法律 | 地方性 | 地方 )? 法规    # 违反法律法规, 审议地方性法规18件
    | (?: 政府 )? 规章                  # 出台政府规章27部
    | 制度规范 | 规章制度 | 法律法规      # kinds of rule, not a rule
    | .* [和及与]
      (?: 标准 | 规范 | 规则 | 清单 | 名单 | 目录 | 方案 | 计划 | 规划 | 意见 | 文件 )
                                        # a bare last head: 优化"以旧换新"范围和标准
    | .* (?: 任务 | 问题 ) 清单          # the plan's own task and problem lists (10项任务清单)
    """,
    re.VERBOSE | re.DOTALL,
)
"""Titles that name a category, a count or an unnamed group of instruments, not an instrument
(matched against the whole title)."""

LISTED_NON_INSTRUMENT = re.compile(
    r"""
    (?: 行动 | 活动 | 工程 | 项目 | 机制 | 体系 | 制度 | 平台 )   # campaigns, projects, systems
    、 \Z                                                      # … listed before the title
    """,
    re.VERBOSE,
)
"""An item before 、 that is a campaign or a system: the title starts after it
(实施早孕关爱行动、孕育和出生缺陷防治能力提升计划 names one plan, not a 行动…计划)."""

MARKED_TITLE = re.compile(
    r"""
    《 (?P<title> [^《》\n]+ ) 》    # a title in book-title marks, on one line
    """,
    re.VERBOSE,
)
"""A title in 《》: always a candidate."""

WORK_MARKER = re.compile(
    r"""
    (?:
        微电影 | 电影 | 电视剧 | 纪录片 | 话剧 | 歌剧 | 舞剧 | 戏剧 | 剧目   # films and plays
      | 当代舞 | 舞蹈 | 歌曲 | 音乐 | 节目 | 作品 | 小说 | 诗集         # other works
      | 图书 | 专著 | 杂志 | 期刊 | 报纸 | (?<![白皮任见议明告知证])书  # books, not 白皮书, 责任书
    )
    (?: 《 [^《》\n]* 》 [、和及与]? )*     # 话剧《右玉》《于成龙》: one marker, a run of titles
    \Z
    """,
    re.VERBOSE,
)
"""A word naming a work of art or a publication right before a 《》 title (微电影《圳兴》)."""

_COORDINATORS = "、和及与并"
"""A lead after one of these starts a new verb phrase: 修订A条例、制定B条例."""

_QUOTE_PAIRS = (("“", "”"), ("‘", "’"))


def find_policies(text: str, start: int = 0, end: int | None = None) -> list[PolicyMention]:
    """Instruments named in text[start:end], in text order; offsets are into `text`.

    >>> found = find_policies("推动出台特区社会信用条例,修订禁养烈性犬名单。微电影《圳兴》获奖。")
    >>> [(m.title, m.action, m.kind) for m in found]
    [('特区社会信用条例', '推动出台', 'regulation'), ('禁养烈性犬名单', '修订', 'list')]
    >>> found[0].title_start, found[0].title_end, found[0].start, found[0].end
    (4, 12, 0, 12)
    """
    stop = len(text) if end is None else end
    if not 0 <= start <= stop <= len(text):
        raise ValueError(f"span [{start}, {stop}) is not inside a text of {len(text)} characters")
    mentions: list[PolicyMention] = []
    for clause_start, clause_end in _clauses(text, start, stop):
        mentions.extend(_marked_mentions(text, clause_start, clause_end))
        mentions.extend(_unmarked_mentions(text, clause_start, clause_end))
    mentions.sort(key=lambda m: (m.title_start, m.title_end))
    return mentions


def _clauses(text: str, start: int, stop: int) -> Iterator[tuple[int, int]]:
    """Yield the non-empty clauses of text[start:stop] as (start, end) spans."""
    position = start
    for match in CLAUSE_BREAK.finditer(text, start, stop):
        if match.start() > position:
            yield position, match.start()
        position = match.end()
    if stop > position:
        yield position, stop


def _head_kind(match: re.Match[str]) -> str:
    """The kind named by the group of HEAD (or MARKED_ONLY_HEAD) that matched."""
    kind = match.lastgroup
    if kind is None:  # pragma: no cover - every alternative is in a named group
        raise AssertionError(match.re.pattern)
    return kind


def _mention(
    text: str,
    title: tuple[int, int],
    action: tuple[int, int],
    kind: str,
    evidence: tuple[int, int],
) -> PolicyMention:
    """Build a mention; evidence that ends or starts at a quoted name takes in its quotes."""
    quoted = (
        title[0] > 0 and text[title[0] - 1] in '“"' and text[title[1] : title[1] + 1] in ("”", '"')
    )
    if quoted and evidence[1] == title[1]:
        evidence = (evidence[0], evidence[1] + 1)
    if quoted and evidence[0] == title[0]:
        evidence = (evidence[0] - 1, evidence[1])
    return PolicyMention(
        title=text[title[0] : title[1]],
        title_start=title[0],
        title_end=title[1],
        action=text[action[0] : action[1]],
        action_start=action[0],
        action_end=action[1],
        kind=kind,
        start=evidence[0],
        end=evidence[1],
    )


def _marked_mentions(text: str, clause_start: int, clause_end: int) -> list[PolicyMention]:
    """Mentions of 《》 titles in one clause.

    The action is the verb right before 《 (``ACTION_BEFORE_MARK``), the action of the previous
    title when the titles are chained (《A》、《B》), or a trailing action after 》 and an
    optional 等/等文件 (``TRAILING_ACTION``). A title with a head word is kept even with no
    action (the action is then empty); one without is kept only when it has an action and no
    ``WORK_MARKER`` stands before it, and is then a ``policy``.
    """
    mentions: list[PolicyMention] = []
    previous_end = -1
    previous_action: tuple[int, int] | None = None
    for match in MARKED_TITLE.finditer(text, clause_start, clause_end):
        title_start, title_end = match.span("title")
        action: tuple[int, int] | None = None
        before = ACTION_BEFORE_MARK.search(text, clause_start, match.start())
        if before is not None:
            action = before.span("action")
        elif (
            previous_action is not None
            and match.start() - previous_end <= 1
            and text[previous_end : match.start()] in ("", *_COORDINATORS)
        ):
            action = previous_action
        else:
            after = TRAILING_ACTION.match(text, match.end(), clause_end)
            if after is not None:
                action = after.span("action")
        name = text[title_start:title_end]
        bare = (
            name[: len(name) - len(suffix.group())]
            if (suffix := TITLE_SUFFIX.search(name))
            else name
        )
        head = HEAD_AT_END.search(bare) or MARKED_ONLY_HEAD.search(bare)
        if head is not None:
            kind = _head_kind(head)
        elif action is None or WORK_MARKER.search(text, clause_start, match.start()):
            previous_end, previous_action = match.end(), None
            continue
        else:
            kind = "policy"
        previous_end, previous_action = match.end(), action
        if action is None:
            action = (title_start, title_start)
            evidence = match.span()
        else:
            evidence = (min(action[0], match.start()), max(action[1], match.end()))
        mentions.append(_mention(text, (title_start, title_end), action, kind, evidence))
    return mentions


def _unmarked_mentions(text: str, clause_start: int, clause_end: int) -> list[PolicyMention]:
    """Mentions of titles without 《》 in one clause.

    Each lead (an action or a governor, and the clause start itself for titles that open the
    clause) opens a region that runs to the next 《, the next lead that follows a coordinator
    (、和及与并), or the clause end. The title is the longest stretch of the region from its
    start to a head word that ``HEAD_FOLLOW`` lets end a name, that holds no head closed by 等
    or a count (``HEAD_CLOSED``), whose quotes balance and that ``GENERIC_TITLE`` does not
    reject. A title holding ``A条例、B条例``
    is two titles sharing the action. Leads inside an accepted title are skipped (出台实施推动…
    实施意见: neither 推动 nor the second 实施 opens a title).
    """
    marks = [m.span() for m in MARKED_TITLE.finditer(text, clause_start, clause_end)]
    leads = [
        lead
        for lead in LEAD.finditer(text, clause_start, clause_end)
        if not any(a <= lead.start() < b for a, b in marks)
    ]
    mentions: list[PolicyMention] = []
    covered = clause_start

    prefix = CLAUSE_PREFIX.match(text, clause_start, clause_end)
    first = prefix.end() if prefix is not None else clause_start
    opening = _title_after(
        text, first, _region_end(text, first, clause_end, marks, leads), clause_end
    )
    if opening is not None and LEAD.search(text, first, opening[1]) is None:
        mentions.extend(_with_trailing_action(text, opening, clause_end))
        if mentions:
            covered = mentions[-1].end

    for lead in leads:
        if lead.start() < covered:
            continue
        found = _lead_mentions(text, lead, clause_end, marks, leads)
        if found:
            mentions.extend(found)
            covered = max(m.end for m in found)
    return mentions


def _lead_mentions(
    text: str,
    lead: re.Match[str],
    clause_end: int,
    marks: list[tuple[int, int]],
    leads: list[re.Match[str]],
) -> list[PolicyMention]:
    """The titles one lead opens, with their action."""
    lead_start, lead_end = lead.span()
    attempts = [lead_end]
    if (
        lead.group("action")
        and text.endswith("实施", lead_start, lead_end)
        and lead_end - 2 > lead_start
    ):
        attempts.append(lead_end - 2)  # 出台实施方案: 出台 + 实施方案 when 出台实施 + 方案 fails
    for verb_end in attempts:
        title_from = verb_end + 1 if text.startswith(("了", "好"), verb_end) else verb_end
        region_end = _region_end(text, title_from, clause_end, marks, leads)
        titles = _title_after(text, title_from, region_end, clause_end)
        if titles is None:
            continue
        if lead.group("governor"):
            return _with_trailing_action(text, titles, clause_end)
        return [
            _mention(text, span, (lead_start, verb_end), kind, (lead_start, span[1]))
            for span, kind in _split_titles(text, titles)
        ]
    return []


def _region_end(
    text: str,
    begin: int,
    clause_end: int,
    marks: list[tuple[int, int]],
    leads: list[re.Match[str]],
) -> int:
    """Where a title starting at `begin` must end: before a 《, or before a verb after a
    coordinator that opens a title of its own (修订A条例、制定B条例; not 技术标准和实施规则,
    where 实施 would leave the bare head 规则)."""
    end = clause_end
    for mark_start, _ in marks:
        if mark_start >= begin:
            end = min(end, mark_start)
    for lead in leads:
        if lead.start() <= begin or lead.start() >= end:
            continue
        if text[lead.start() - 1] in _COORDINATORS and (
            _title_after(text, lead.end(), end, clause_end) is not None
        ):
            return lead.start()
    return end


def _title_after(text: str, begin: int, region_end: int, clause_end: int) -> tuple[int, int] | None:
    """The longest acceptable title in text[begin:region_end] that starts at `begin`."""
    for stop in range(region_end, begin, -1):
        head = HEAD_AT_END.search(text, begin, stop)
        if head is None or head.start() == begin:
            continue
        if HEAD_FOLLOW.match(text, stop, clause_end) is None:
            continue
        span = _balanced(text, begin, stop)
        if span is None:
            continue
        for index in range(span[1] - 1, span[0], -1):
            if LISTED_NON_INSTRUMENT.search(text, span[0], index + 1):
                span = (index + 1, span[1])
                break
        title = text[span[0] : span[1]]
        if HEAD_CLOSED.search(title) or GENERIC_TITLE.fullmatch(title):
            continue
        return span
    return None


def _balanced(text: str, begin: int, stop: int) -> tuple[int, int] | None:
    """The title span with balanced quotes, or None.

    A name wholly in quotes ("出台“XX条例”") loses the opening quote: the closing one is then the
    character after the head word. Any other imbalance (实行失信“黑名单”制度 cut after 名单)
    means the head word is inside a quotation that goes on, and the span is rejected.
    """
    title = text[begin:stop]
    for opening, closing in _QUOTE_PAIRS:
        surplus = title.count(opening) - title.count(closing)
        if surplus == 0:
            continue
        if surplus == 1 and title.startswith(opening) and text.startswith(closing, stop):
            begin += 1
            title = title[1:]
            continue
        return None
    if title.count('"') % 2:
        if title.startswith('"') and text.startswith('"', stop):
            return begin + 1, stop
        return None
    return begin, stop


def _split_titles(text: str, span: tuple[int, int]) -> list[tuple[tuple[int, int], str]]:
    """Cut a title at each 、 that follows a head word (A条例、B条例), with each part's kind."""
    parts: list[tuple[tuple[int, int], str]] = []
    begin = span[0]
    for index in range(span[0], span[1]):
        if text[index] != "、":
            continue
        head = HEAD_AT_END.search(text, begin, index)
        if head is None or head.start() == begin or GENERIC_TITLE.fullmatch(text[begin:index]):
            continue
        parts.append(((begin, index), _head_kind(head)))
        begin = index + 1
    last = HEAD_AT_END.search(text, begin, span[1])
    if last is not None:
        parts.append(((begin, span[1]), _head_kind(last)))
    return parts


def _with_trailing_action(text: str, span: tuple[int, int], clause_end: int) -> list[PolicyMention]:
    """Mentions of a title whose action follows it (…条例等立法工作), or none."""
    after = span[1]
    if span[0] > 0 and text[span[0] - 1] in '“"' and text[after : after + 1] in ("”", '"'):
        after += 1  # "XX条例"正式施行: the action follows the closing quote
    trailing = TRAILING_ACTION.match(text, after, clause_end)
    if trailing is None:
        return []
    action = trailing.span("action")
    return [
        _mention(text, part, action, kind, (part[0], action[1]))
        for part, kind in _split_titles(text, span)
    ]
