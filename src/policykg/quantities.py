"""Quantities stated in a Chinese government work report: targets, results, ranks and changes.

:func:`extract` finds every quantitative statement of a text — ``不少于2500户``, ``超过37万件``,
``近54亿元``, ``9.4批次/千人``, ``增长18%``, ``全国第一``, ``保十冲五``, ``近三成``,
``零发生`` — with its exact code-point span, its value normalised (万 = 10⁴, 亿 = 10⁸, Chinese
numerals converted, 三成 → 30 %), its unit as written without the magnitude word, and its
comparator, as the annotation conventions (``tests/data/quantities/CONVENTIONS.md``) define
them. It reads no document layout: only the words around each number.

How the text is read (each rule is documented where it is defined):

- Full-width digits, ``％`` and ``．`` are folded to ASCII one character for one, so offsets
  into the folded text are offsets into the text.
- Names in quotation marks and 《》 are masked (:data:`QUOTED`: “四项机制”, “20+8”,
  “零的突破”), except ``保十冲五`` (:data:`KEEP_STRIVE`), which is a target however quoted.
- Ranks are read next (:data:`RANK`): 第12名, 全国第一, 全省首位, 榜首, 全国排名第八,
  全国前六 (rank ≤ 6), a list 全国第二、第七、第九, with a streak (连续20年全国第一; 连续4年居全国
  前十 keeps the streak on the rank). Then what is never a quantity is masked
  (:data:`NOT_QUANTITY`): codes (1+1+N), numbers glued to Latin letters (5G, PM2.5), years and
  dates, ordinals and structure (第五届, 第一议题, 二十大, 十三届四次全会, 一是, N个方面,
  N项约束性指标全部…), definitions (前1%学科, 八项规定).
- Word forms come next: fractions (:data:`FRACTION`: 近三成, 一半以上, 1/10, 三分之一), zero
  claims (:data:`ZERO`: 零发生), doubling (:data:`MULTIPLE`: 翻一番 → +100 %, 倍增, 成倍增长),
  正增长, 两位数, return periods (:data:`RETURN_PERIOD`: 最低五年一遇), durations
  (:data:`STREAK`: 连续三年), ratios (:data:`RATIO`: 8.3∶41.4∶50.3).
- Every other number is read with its context: a comparator or change verb before it
  (:data:`LEFT_OPERATOR`: 不少于, 超, 近, 跨越, 迈上, 增长, 年均下降, 涨幅), 多/余 and a magnitude
  word after it, a unit (:data:`UNIT`), a trailing comparator (以上, 以内, 左右) and a scale
  class (百万吨级). Chinese numerals count only with a counter (两所大学 → 两所; 三级 is no count);
  N年 counts only as a duration (缩短10年, 3年内), never as a period (五年生产原煤…). A number with
  no unit counts only after a verb of reaching (指数达93.35). 80岁以上老年人 and 50万千瓦以上
  基地 define a class and are dropped; a counted noun gives the unit (76万群众 → 人, 10万水表
  用户 → 户), so does a per-capita measure (每万人口…170件 → 件/万人).
- One comparator or change verb shared by a list applies to each item, and 分别 leaves each
  surface bare (分别增长6%、5.2% → 6%, 5.2%); a trailing 以上 on the last item of such a list
  applies to all; a range (5%—6%, 增加2—4家) is one quantity with ``value_high``.
- ``commitment``, ``year``, ``streak`` and ``indicator`` are read from the clause around it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

__all__ = ["COMPARATORS", "QUDT_UNITS", "Quantity", "extract"]

COMPARATORS: tuple[str, ...] = ("≥", ">", "≤", "<", "=", "≈", "range", "rank")
"""The comparators a quantity can have; ``rank`` is an exact rank (第12名, 全国第一)."""

_UNIT_IRI = "http://qudt.org/vocab/unit/"

QUDT_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "%": _UNIT_IRI + "PERCENT",
        "元": "http://qudt.org/vocab/currency/CNY",
        "美元": "http://qudt.org/vocab/currency/USD",
        "吨": _UNIT_IRI + "TONNE",
        "公斤": _UNIT_IRI + "KiloGM",
        "千克": _UNIT_IRI + "KiloGM",
        "克": _UNIT_IRI + "GM",
        "千瓦": _UNIT_IRI + "KiloW",
        "兆瓦": _UNIT_IRI + "MegaW",
        "吉瓦": _UNIT_IRI + "GigaW",
        "千瓦时": _UNIT_IRI + "KiloW-HR",
        "度": _UNIT_IRI + "KiloW-HR",
        "兆瓦时": _UNIT_IRI + "MegaW-HR",
        "吉瓦时": _UNIT_IRI + "GigaW-HR",
        "千伏": _UNIT_IRI + "KiloV",
        "公里": _UNIT_IRI + "KiloM",
        "千米": _UNIT_IRI + "KiloM",
        "米": _UNIT_IRI + "M",
        "平方米": _UNIT_IRI + "M2",
        "平方公里": _UNIT_IRI + "KiloM2",
        "平方千米": _UNIT_IRI + "KiloM2",
        "公顷": _UNIT_IRI + "HA",
        "立方米": _UNIT_IRI + "M3",
        "方": _UNIT_IRI + "M3",
        "微克/立方米": _UNIT_IRI + "MicroGM-PER-M3",
        "℃": _UNIT_IRI + "DEG_C",
        "年": _UNIT_IRI + "YR",
        "岁": _UNIT_IRI + "YR",
        "个月": _UNIT_IRI + "MO",
        "天": _UNIT_IRI + "DAY",
        "小时": _UNIT_IRI + "HR",
        "分钟": _UNIT_IRI + "MIN",
    }
)
"""Unit (as :attr:`Quantity.unit` writes it) → QUDT unit IRI, where QUDT has one.

Counts of things (户, 家, 件, 项 …), ranks (名), 个百分点 and the Chinese 亩 and 斤 have none:
QUDT defines no mu or jin. 度 of electricity is a kilowatt hour, 方 a cubic metre. The currency
IRIs are QUDT 2.1's ``currency:`` ones (QUDT 3 renamed them ``unit:CCY_CNY``)."""


@dataclass(frozen=True)
class Quantity:
    """One quantitative statement: ``text[start:end] == surface``.

    ``value`` is normalised (万 10⁴, 亿 10⁸; 三成 → 30 with unit %); ``value_high`` is the high
    end of a range. ``comparator`` is one of :data:`COMPARATORS`; ``commitment`` is ``stretch``
    under 力争/争取/冲/努力, else ``committed``; ``change`` is ``increase``/``decrease`` for a
    change (增长18%), ``None`` for a level. ``year`` is a year its clause states, ``streak`` the
    N of 连续N年. ``indicator`` names what is measured, in the same words wherever the same
    thing is measured; ``qudt_unit`` is the QUDT IRI of ``unit`` where there is one.
    """

    start: int
    end: int
    surface: str
    value: float
    value_high: float | None
    unit: str
    comparator: str
    commitment: str
    change: str | None
    year: int | None
    streak: int | None
    indicator: str
    qudt_unit: str | None


# =============================================================================================
# Folding and numerals

_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},  # full-width digits
        "％": "%",
        "．": ".",
        "＋": "+",
        "／": "/",
        "～": "~",
        "－": "-",
    }
)
"""One character for one: offsets survive the folding."""

_CN_DIGITS: Mapping[str, int] = MappingProxyType(
    {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
    | {"八": 8, "九": 9}
)
_CN_SMALL: Mapping[str, int] = MappingProxyType({"十": 10, "百": 100, "千": 1000})

_MAGNITUDE: Mapping[str, int] = MappingProxyType(
    {
        "万亿": 10**12,
        "千亿": 10**11,
        "百亿": 10**10,
        "十亿": 10**9,
        "亿": 10**8,
        "千万": 10**7,
        "百万": 10**6,
        "十万": 10**5,
        "万": 10**4,
        "千": 10**3,
        "百": 10**2,
    }
)
"""Magnitude words after Arabic digits: 2505亿元, 1.3万余篇, 2000多亿方."""

_CN_CHARS = "〇零一二两三四五六七八九十百千万亿"
_INT = r"(?:\d+|[〇零一二两三四五六七八九十百]+)"


def _cn_value(numeral: str) -> float | None:
    """The value of a Chinese numeral, or None if it is none.

    >>> _cn_value("三千五百"), _cn_value("一百二十"), _cn_value("十五"), _cn_value("万亿")
    (3500.0, 120.0, 15.0, 1000000000000.0)
    >>> _cn_value("三亿五千万"), _cn_value("两万"), _cn_value("千万")
    (350000000.0, 20000.0, 10000000.0)
    >>> _cn_value("二〇二三") is None, _cn_value("三五") is None  # digit by digit: a code
    (True, True)
    """
    if not numeral or any(ch not in _CN_CHARS for ch in numeral):
        return None
    if len(numeral) > 1 and all(ch in _CN_DIGITS for ch in numeral):
        return None
    total = 0
    section = 0
    digit: int | None = None
    for ch in numeral:
        if ch in _CN_DIGITS:
            if digit is not None and _CN_DIGITS[ch] != 0:
                return None
            digit = _CN_DIGITS[ch] or None
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        elif ch == "万":
            block = section + (digit or 0)
            if block == 0 and total == 0:
                block = 1
            total += block * 10_000
            section, digit = 0, None
        else:  # 亿
            before = total + section + (digit or 0)
            total = (before or 1) * 100_000_000
            section, digit = 0, None
    return float(total + section + (digit or 0))


def _int_value(numeral: str) -> float | None:
    if numeral.isascii() and numeral.isdigit():
        return float(numeral)
    return _cn_value(numeral)


# =============================================================================================
# Masks: names, codes, dates, ordinals, structure

QUOTED = re.compile(
    r"""
      “ [^“”\n]{0,40} ”                     # a name in curly quotes: “四项机制”, “零的突破”
    | ‘ [^‘’\n]{0,40} ’                     # in single curly quotes
    | " [^"\n]{0,40} "                      # in ASCII quotes, paired on one line
    | 「 [^「」\n]{0,40} 」                  # in corner brackets
    | 『 [^『』\n]{0,40} 』
    | 《 [^《》\n]{0,60} 》                 # a title: 《…第十五个五年规划纲要（草案）》
    """,
    re.VERBOSE,
)
"""Names in quotation marks: nothing inside one is a quantity (保十冲五 is read before)."""

NOT_QUANTITY = re.compile(
    r"""
      [\dA-Za-z]+ (?: \s* \+ \s* [\dA-Za-z]+ )+         # codes joined by +: 1+1+N, 9+2
    | [A-Za-z]+ [-_]? \d+ (?: \.\d+ )? [A-Za-z]*        # letters then digits: PM2.5, T1000
    | \d+ (?: \.\d+ )? [A-Za-z]+                        # digits then letters: 5G, 3D, 5A
    | (?: 19 | 20 ) \d{2} (?: [—\-~至到] (?: 19 | 20 )? \d{2} )? (?= 年 | 届 )
                                                        # a year (its 年 stays for context)
    | [〇零一二三四五六七八九]{4} 年                     # a year in Chinese digits: 二〇二三年
    | \d{1,2} (?: [—\-~至到] \d{1,2} )? 月 (?: \d{1,2} 日 )?   # dates: 2月3日, 1—11月
    | \d{1,2} 日 (?! 内 )                               # a day of the month
    | 第 [\d〇零一二两三四五六七八九十百千]+               # ordinals (ranks are read before)
    | [\d〇零一二两三四五六七八九十]+ 届
      (?: [\d〇零一二两三四五六七八九十]+ (?: 中全会 | 次 ) 、? )*
                                                        # sessions: 十三届四次全会
    | [〇零一二两三四五六七八九十]+ (?: 次 | 中 ) (?= 全会 | 会议 | 党代会 )
                                                        # 十一次全会, 五次会议
    | (?<! [\d〇零一二两三四五六七八九十] ) [一二两三四五六七八九十]{1,3} 大 (?! 类 )
                                                        # names: 二十大, 十大任务清单, 五大战略
    | [一二三四五六七八九十]{1,3} 是                      # structure: 一是 … 十五是
    | [(（] [\d一二三四五六七八九十]{1,3} [)）]          # section markers: (一), （3）
    | (?: ^ | (?<= \n ) ) [一二三四五六七八九十]{1,3} 、   # a part heading: 一、
    | (?: ^ | (?<= \n ) ) \d{1,2} [.．、] (?! \d )       # a numbered paragraph: 1.
    | [\d〇零一二两三四五六七八九十]+ 个 方面             # the report's structure: 8个方面
    | [\d〇零一二两三四五六七八九十]+ 项
      (?: 主要 | 约束性 | 预期性 )? 指标 (?= [^,，。；;]{0,4} 全部 )
                                                        # 生态环境9项约束性指标全部完成
    | [一二两三四五六七八九十]+ 项 规定                   # 中央八项规定
    | [两三四五六七八九十] 个
      (?= 全面 | 意识 | 自信 | 维护 | 确立 | 毫不动摇 | 代表 | 最严 | 区分开来 | 务必 | 大局
        | 结合 | 根本 | 注重 | 坚决 | 革命 | 一 )         # slogans unquoted: 四个全面, 两个维护
    | 五位一体 | 四位一体 | 三位一体                     # 五位一体总体布局
    | [\d〇零一二两三四五六七八九十]+ 项 (?: 任务清单 | 工作总要求 | 总要求 )
                                                        # the plan's own lists: 10项任务清单
    | 三次 产业                                         # 三次产业结构: the three sectors
    | 前 \d+ (?: \.\d+ )? [%‰]                          # a definition: ESI全球前1%学科
    | \d+ 号                                            # numbers that name: 1号线
    | \d+ 周年                                          # anniversaries: 105周年
    | 十四五 | 十五五 | 十三五                            # plan periods without quotes
    | [一二两三四五六七八九十] (?= [纵横] )              # slogans: 三纵九横
    """,
    re.VERBOSE | re.MULTILINE,
)
"""Stretches masked after quotes and ranks: no number inside one is read as a quantity."""


# =============================================================================================
# Units

_UNIT_GROUPS = (
    "批次/千人 件/万人 微克/立方米 毫克/立方米 元/人 元/月 元/年 元/吨 元/亩 元/平方米",  # rates
    "% 个百分点 元 美元",  # shares and money (‰ and 百分点 are below)
    "千瓦时 兆瓦时 吉瓦时 千瓦 兆瓦 吉瓦 千伏 度 大卡",  # energy and power
    "吨标准煤 吨 公斤 千克 斤",  # mass
    "平方公里 平方千米 平方米 立方米 公顷 亩 公里 千米 米 方 ℃",  # length, area, volume, heat
    "个工作日 工作日 个月 小时 分钟 年 天 岁",  # time
    "倍",  # multiples
    "人次 场次 户次 家次 架次 车次 班次 剂次 批次 人份 人口 人 名 位 户 家",  # events, people
    "大类 台套 标箱 个 项 件 宗 起 份 篇 部 所 座 台 套 头 只 羽 株 棵 张 辆 艘 列 条 款 类 种 批",
    "处 支 对 场 次 期 单 册 本 间 栋 幢 层 床 例 块 眼",  # counts of things
    "市 县 省",  # places
)

_UNIT_WORDS: Mapping[str, str] = MappingProxyType(
    {word: word for group in _UNIT_GROUPS for word in group.split()}
    | {"‰": "%", "百分点": "个百分点"}
)
"""Unit words as written → the unit recorded (‰ is recorded as %, its value divided by 10)."""

UNIT = re.compile("|".join(map(re.escape, sorted(_UNIT_WORDS, key=len, reverse=True))))
"""Any unit word, longest first (千瓦时 before 千瓦, 个百分点 before 个)."""

_PLACE_UNITS = frozenset({"市", "县", "省"})
"""Places counted only after their names or region (丽水、中山、云浮三市; 珠三角九市)."""

PLACE_BEFORE = re.compile(
    r"""
    (?: 、 [^\W\d_]{2,3} | [角湾区] ) \Z   # 丽水、中山、云浮三市; 珠三角九市: after their names
    """,
    re.VERBOSE,
)

_CN_COUNTERS = frozenset(
    {"个", "家", "项", "所", "名", "人", "位", "条", "件", "座", "种", "批", "次", "倍", "户"}
    | {"套", "台", "部", "支", "场", "处", "款", "年", "只", "头", "市", "县", "省"}
)
"""Units a small Chinese numeral counts with (两所大学 → 两所); others (两化, 三级, 四类) name."""

_MEASURE_UNITS = frozenset(
    {word for group in _UNIT_GROUPS[:6] for word in group.split()} | {"人口"}
) - {"批次/千人", "件/万人"}
"""Units of measure, as opposed to counts of things (户, 家, 个 …)."""

_CLASS_UNITS = frozenset({"千伏", "大卡", "人口", "岁"})
"""Units that here define a class (750千伏电网, 550大卡煤, 20万人口的县) unless a verb of
reaching states them (人均预期寿命达到80岁)."""

_TIME_UNITS = frozenset({"小时", "天", "分钟", "个月", "工作日", "个工作日"})

TIME_NAME = re.compile(
    r"""
    过境 | 免签 | [^\W\d_]{0,2} 圈 | 便民 | 服务 | 在线 | 营业 | 值守 | 不打烊 | 响应 | 通达 | 到达
    """,
    re.VERBOSE,
)
"""After a duration, words that make it part of a name: 240小时过境免签, 15分钟生活圈,
24小时服务 (连续12个月保持… and 72小时内 still measure)."""

PERSON_NOUN = re.compile(
    r"""
    群众 | 儿童 | 婴幼儿 | 幼儿 | 学生 | 农民工 | 老年人 | 老人 | 居民 | 职工 | 患者 | 妇女
  | 青少年 | 毕业生 | 市民 | 村民 | 农民 | 游客 | 移民 | 党员 | 人才 | 劳动者 | 群体
    """,
    re.VERBOSE,
)
"""Nouns that count people right after a number: 76万群众, 近10万儿童 (unit 人)."""

HOUSEHOLD_NOUN = re.compile(
    r"""
    [^\W\d_]{0,3}? 用户 (?= [、,，。；;和及与] | [^\W\d_]{0,4} )   # 10万水表用户: unit 户
    """,
    re.VERBOSE,
)

PER_CAPITA = re.compile(
    r"""
      每 (?P<per> 万 | 千 | 百 | 十万 ) 人 口?      # 每万人口发明专利拥有量
    | (?P<per2> 万 | 千 ) 人 (?: 拥有 | 均 )        # 5G基站万人拥有量
    """,
    re.VERBOSE,
)
"""A per-capita measure before a count: its unit becomes 件/万人, 座/万人."""


# =============================================================================================
# Around a number

ARABIC = re.compile(
    r"""
      \d{1,3} (?: , \d{3} )+ (?: \. \d+ )? (?! \d )   # digits with thousands commas: 1,234.5
    | \d+ (?: \. \d+ )?                               # plain digits and decimals: 422.6
    """,
    re.VERBOSE,
)

CN_NUMBER = re.compile(
    r"""
    [〇零一二两三四五六七八九十百千万亿]+   # a run of Chinese numerals: 三千五百, 两, 千万
    """,
    re.VERBOSE,
)

NUMBER_TAIL = re.compile(
    r"""
    (?P<more1> 多 | 余 )?                        # 1000多万亩, 50余万人次
    (?P<mag>
        万亿 | 千亿 | 百亿 | 十亿 | 亿 | 千万 | 百万 | 十万 | 万
      | 千 (?! [瓦米克伏卡人兆] )                   # 千 is a magnitude unless it starts 千瓦
      | 百 (?! 分 )                                # 百 is a magnitude unless it starts 百分点
    )?
    (?P<more2> 多 | 余 )?                        # 3万多亩, 10亿多元, 2万余家
    (?P<unit> UNITS )?
    (?P<post> 及以上 | 以上 | 以下 | 以内 | 之内 | 内 (?! [容部外地涵陆蒙]) | 左右 | 上下 | 多 )?
                                                 # trailing comparators: 以上, 3年内
    (?P<grade> 级 )?                             # a scale class: 百万吨级, 100兆瓦级
    """.replace("UNITS", UNIT.pattern),
    re.VERBOSE,
)
"""What may follow a number: 多/余, a magnitude, a unit, a trailing comparator, 级."""

_POST_COMPARATOR: Mapping[str, str] = MappingProxyType(
    {
        "以上": "≥",
        "及以上": "≥",
        "以下": "≤",
        "以内": "≤",
        "之内": "≤",
        "内": "≤",
        "左右": "≈",
        "上下": "≈",
    }
)

RANGE_JOIN = re.compile(
    r"""
    (?: — | –{1,2} | -{1,2} | ~ | 至 | 到 )   # 5%—6%, 5%到6%, 2—4家
    """,
    re.VERBOSE,
)
"""Between the ends of a range."""

LEFT_OPERATOR = re.compile(
    r"""
    (?:
        (?P<ge> 不少于 | 不低于 | 不小于 | 至少 | 最少 | 最低 )          # ≥
      | (?P<le> 不超过 | 不高于 | 不多于 | 最多 | 至多 | 最高 )          # ≤
      | (?P<gt> 超过 | 超出 | 多于 | 大于 | 高于 | 突破 | 跨越 | 逾 | 超 )   # >
      | (?P<reach> 迈上 | 迈过 | 站上 | 跨上 | 跃上 )                  # ≥: 迈上12万亿元台阶
      | (?P<lt> 低于 | 不足 | 少于 | 不到 | 小于 )                     # <
      | (?P<approx> 接近 | 大约 | 将近 | (?<! [节制合契签预相公条特邀履违和简] ) 约
                  | (?<! [附就最临亲贴靠] ) 近 )                       # ≈, not 节约, 附近
      | (?P<cap> 控制在 )                                             # 控制在3%以内 (≤)
      | (?P<change>
            (?: 年均 | 平均 | 累计 )?
            (?: 增长 | 增加 | 提高 | 提升 | 上涨 | 上升 | 扩大 | 涨幅 | 增幅
              | 下降 | 降低 | 减少 | 缩短 | 压减 | 压缩 | 下滑 | 回落 | 降幅 )
            了?
        )                                                            # 增长18%, 年均下降5%
    )
    [ \t\u3000]? \Z                                                 # 增长 16%: a stray space
    """,
    re.VERBOSE,
)
"""A comparator or change verb right before a number, in its surface (matched at the end of
the text before the number). 为, 达, 达到, 增至 are plain (=) and stay out of the surface."""

_INCREASE_WORDS: tuple[str, ...] = ("增长", "增加", "提高", "提升", "上涨", "上升", "扩大")
_INCREASE_WORDS += ("涨幅", "增幅", "净增", "上涨幅度")
"""Change words that say ``increase``; every other change word says ``decrease``."""

_OPERATOR_COMPARATOR: Mapping[str, str] = MappingProxyType(
    {"ge": "≥", "reach": "≥", "le": "≤", "gt": ">", "lt": "<", "approx": "≈", "cap": "≤"}
    | {"change": "="}
)

LEVEL_VERB = re.compile(
    r"""
    (?:
        达到 | 达 | 为 | 增至 | 升至 | 降至 | 降到 | 减至 | 稳定在 | 保持在 | 维持在 | 至 | 到
      | 新增 | 累计 | 合计 | 总计 | 共 | 投入 | 安排 | 完成 | 实现 | 拥有 | 惠及 | 覆盖 | 占
    )
    了? \Z
    """,
    re.VERBOSE,
)
"""Words before a bare number (no unit) that make it a stated level: 指数达93.35."""

TRAILING_CHANGE = re.compile(
    r"""
    (?P<verb> 增长 | 下降 ) (?= [,，。；;、\n] | \Z )   # 保持10%以上增长: the change after it
    """,
    re.VERBOSE,
)

CLAUSE_CHANGE = re.compile(
    r"""
      (?: ^ | (?<= [,，；;。、\n] ) ) [\s—]* (?: [\d一二三四五六七八九十]+ 年 | 全年 | 今年 )?
      (?P<verb> 净增 | 净减 | 降低 | 减少 | 压减 | 节约 )   # 五年净增民营经营主体120.5万户
    | (?P<noun> 上涨幅度 | 涨幅 | 增幅 | 降幅 ) (?= [^,，；;。]* 控制在 )   # …上涨幅度控制在2%左右
    """,
    re.VERBOSE | re.MULTILINE,
)
"""A change verb opening the clause governs a number later in it (降低…成本200多亿元)."""

CLASS_FOLLOW = re.compile(
    r"""
    (?: 以上 | 以下 | 及以上 ) (?! 的 [^\W\d_]{0,3} (?: 财力 | 资金 | 比例 | 部分 ) )
    (?= 的? [^\W\d_] )                     # 50万千瓦以上省级…基地, 80岁以上老年人: a class
    """,
    re.VERBOSE,
)
"""After a unit of measure, 以上/以下 and a noun define a class of things, not an amount."""

CLASS_OF = re.compile(
    r"""
    (?: 以上 | 以下 | 及以上 ) 的            # …1000单以上的经营主体: whatever the unit,
    (?! [^\W\d_]{0,3} (?: 财力 | 资金 | 比例 | 部分 ) )   # (not: 50%以上的财力 is an amount)
    (?= [^\W\d_] )                          # a threshold before 的 and a noun names a class
    """,
    re.VERBOSE,
)


# =============================================================================================
# Ranks

_SCOPE = r"""
    全国 | 全省 | 全市 | 全区 | 全球 | 世界 | 全世界 | 全系统 | 同行业 | 同类城市 | 行业
  | 西北 | 西南 | 东北 | 华北 | 华东 | 华南 | 华中 | 西部 | 东部 | 中部 | 沿黄 | 大湾区
"""
"""Scope words that belong to a rank's surface when next to it: 全国第一, 西北第一, 全省首位."""

RANK = re.compile(
    r"""
    (?: (?P<streak> 连续 (?P<years> INT ) 年 )
        (?P<gap> (?: 保持 | 稳居 | 位居 | 居于? | 均居 | 位列 | 排名 | 蝉联 | 稳定在 ){0,2} ) )?
                                                       # 连续20年全国第一; 连续4年居全国前十
    (?P<scope> SCOPE )?
    (?:
        (?P<ranked> 排名 | 排位 | 排 ) 第 (?P<n1> INT ) (?P<u1> 名 | 位 )?   # 全国排名第八
      | 第 (?P<n2> INT ) (?P<u2> 名 | 位 )?                              # 第12名, 全国第一
      | (?P<top> 首位 | 榜首 | 头名 )                                     # 全省首位, 榜首
      | 前 (?P<n3> INT ) (?P<u3> 名 | 位 )?                              # 全国前六: rank ≤ 6
    )
    """.replace("INT", _INT).replace("SCOPE", "(?:" + _SCOPE + ")"),
    re.VERBOSE,
)
"""Ranks. Without 名/位 a rank needs a scope (全国第一), a verb of standing before it, or a
rank just before it in a list (分别居全国第二、第七、第九)."""

RANK_LEAD = re.compile(
    r"""
    (?: 居 | 居于 | 位居 | 位列 | 位于 | 稳居 | 跃居 | 跃升至 | 跃升为 | 升至 | 保持 | 名列
      | 排名 | 获 | 夺得 | 荣获 | 蝉联 | 均居 | 分别居 | 稳定在 | 继续 | 仍 | 列 ) \Z
    """,
    re.VERBOSE,
)
"""A verb of standing right before a bare rank (居全国第四, 跃升至第12名)."""

RANK_FOLLOW = re.compile(
    r"""
    (?= [,，。；;、）)：:！!？?\n和及与或（(] | \Z | 的 | 名 | 位 )
    """,
    re.VERBOSE,
)
"""What may follow a bare rank: a clause end or a list (第一方阵, 第一增长极 are no ranks)."""

KEEP_STRIVE = re.compile(
    r"""
    保 (?P<keep> INT ) (?: 冲 | 争 ) (?P<strive> INT )   # 保十冲五: rank ≤ 10, strive for ≤ 5
    """.replace("INT", _INT),
    re.VERBOSE,
)


# =============================================================================================
# Word forms

FRACTION = re.compile(
    r"""
      (?P<tenths> [一二两三四五六七八九] 成 (?! [为了功果本员立效都绩交型熟长品年就] ) )
                                                     # 三成 → 30 %
    | (?P<half> 一半 | 过半 | 半数 )                   # 一半 → 50 %
    | (?P<den_cn> [一二两三四五六七八九十百千万]+ ) 分之 (?P<num_cn> [一二两三四五六七八九十]+ )
                                                     # 三分之一 → 33.3 %
    | (?<! [\d/] ) (?P<num> \d+ ) / (?P<den> \d+ ) (?! [\d/] )   # 1/10 → 10 %
    | 百分之 (?P<pct> [一二两三四五六七八九十百点]+ )   # 百分之五 → 5 %
    """,
    re.VERBOSE,
)
"""Fractions written as words: N成, 一半, N分之M, a/b, 百分之N — all recorded in %."""

ZERO = re.compile(
    r"""
    零 (?: 发生 | 事故 | 死亡 | 伤亡 | 感染 | 新增 | 事件 | 投诉 | 差错 | 延误 | 超标 | 污染 )
                                                     # 零发生, 零事故: a zero claim
    """,
    re.VERBOSE,
)

MULTIPLE = re.compile(
    r"""
      翻 了? (?P<times> 一 | 两 | 二 | 三 )? 番       # 翻一番, 翻番 → +100 %; 翻两番 → +300 %
    | 翻 了? 倍 (?: 增长 )?                          # 翻倍增长 → +100 %
    | (?P<doubled> 倍增 )                             # 实现倍增 → 2 倍
    | (?P<at_least> 成倍 (?: 增长 | 增加 | 提升 ) )     # 成倍增长 → ≥ 2 倍
    """,
    re.VERBOSE,
)

POSITIVE = re.compile(
    r"""
    (?P<sign> 正 | 负 ) 增长                          # 实现正增长: growth > 0
    """,
    re.VERBOSE,
)

DIGITS_COUNT = re.compile(
    r"""
    (?P<n> 两 | 二 | 三 | 四 ) 位数                   # 突破两位数 → ≥ 10
    """,
    re.VERBOSE,
)

RETURN_PERIOD = re.compile(
    r"""
    (?P<n> INT ) 年
    (?: (?P<once> 一遇 ) | (?= [或到至] (?: INT ) 年 一遇 ) )   # 五十年一遇; 二十年或…一遇
    """.replace("INT", _INT),
    re.VERBOSE,
)

STREAK = re.compile(
    r"""
    连续 (?P<n> INT )
    (?: 个? (?P<year> 年 ) (?! 度 ) | (?P<month> 个月 ) )   # 连续三年, 连续5年, 连续12个月
    """.replace("INT", _INT),
    re.VERBOSE,
)

RATIO = re.compile(
    r"""
    \d+ (?: \.\d+ )? (?: [∶:：] \d+ (?: \.\d+ )? )+ (?! \d )   # 8.3∶41.4∶50.3: bare parts
    """,
    re.VERBOSE,
)


# =============================================================================================
# Clause context

CLAUSE_BREAK = re.compile(
    r"""
    [。；;！？!?,，：:\n]   # sentence ends, commas (full-width and ASCII), colons, line ends
    """,
    re.VERBOSE,
)

STRETCH = re.compile(
    r"""
      (?P<stretch> 力争 | 争取 | 努力 | 冲 (?= [\d一二两三四五六七八九十] ) )   # stretch goals
    | (?P<committed> 确保 | 保证 | 必须 )                                  # firm ones
    """,
    re.VERBOSE,
)

NEW_PREDICATE = re.compile(
    r"""
    (?: 推动 | 推进 | 安排 | 实施 | 开展 | 加快 | 完成 | 新建 | 建设 | 建成 | 启动 | 抓好
      | 开工 | 实现 | 打造 | 培育 | 支持 | 落实 | 深化 | 持续 | 加强 | 提升 | 扩大 | 布局
      | 探索 | 新增 | 引进 | 组织 | 举办 | 筹集 | 改造 | 开发 | 制定 | 出台 )
    """,
    re.VERBOSE,
)
"""A clause that opens with its own verb ends the scope of an earlier 力争."""

YEAR = re.compile(
    r"""
    (?P<year> (?: 19 | 20 ) \d{2} ) 年   # 到2030年, 2025年的7.4万元
    """,
    re.VERBOSE,
)

INDICATOR_LEAD = re.compile(
    r"""
    \A (?:
        —— | \s+ | [(（] [一二三四五六七八九十\d]+ [)）] | [一二三四五六七八九十]+ 是   # markers
      | 全年 | 今年 | 去年 | 当年 | 年内 | 累计 | 共计 | 总计 | 合计 | 其中 | 目前 | 预计
      | 过去一年 | 过去五年 | 一年来 | 五年来 | 今后五年 | 到 \d{4} 年 | \d{4} 年 | 的 | 共
      | 全市 | 全区 | 全面 | 全力 | 持续 | 进一步 | 继续 | 积极 | 稳步 | 同比 | 基本
      | 完成 | 实现 | 达到 | 推动 | 推进 | 力争 | 争取 | 确保 | 努力 | 保持 | 分别 | 在全市
    )+
    """,
    re.VERBOSE,
)
"""Leading time words, markers and verbs of achieving dropped from an indicator."""

INDICATOR_TAIL = re.compile(
    r"""
    (?:
        达到 | 达 | 为 | 是 | 至 | 到 | 增至 | 升至 | 降至 | 降到 | 减至 | 稳定在 | 保持在
      | 维持在 | 控制在 | 跃升至 | 跃升为 | 跃居 | 提高到 | 提升至 | 提高至 | 提升到 | 增加到
      | 增长到 | 下降到 | 减少到 | 降低到 | 扩大到 | 分别 | 均 | 同比 | 比上年 | 较上年
      | 居 | 位居 | 位列 | 稳居 | 保持 | 测评 | 评价 | 考核 | 连续 \d+ 年 | 实现
      | 不少于 | 不低于 | 至少 | 超过 | 超 | 逾 | 突破 | 近 | 约 | 接近 | 不超过 | 低于 | 不足
      | 由 | 从 | 已 | 再 | 共 | 累计 | 了 | 的 | 首次 | 全部 | 年均 | 平均 | 均
      | 争取 | 力争 | 努力
      | (?: 年均 | 平均 )? (?: 增长 | 增加 | 提高 | 提升 | 上涨 | 下降 | 降低 | 减少 | 缩短 )
      | 快于 [^\W\d_]{0,4} | 高于 [^\W\d_]{0,4} | 低于 [^\W\d_]{0,4}
    )+ \Z
    """,
    re.VERBOSE,
)
"""Trailing verbs and comparators dropped from an indicator (…达, …跃升至, …测评)."""

_MEASURE_NOUN = re.compile(
    r"""
    (?: 数 | 额 | 量 | 率 | 比 | 比重 | 值 | 度 | 规模 | 面积 | 产能 | 指数 | 排名 | 水平 | 收入
      | 投资 | 资金 | 余额 | 总额 | 容量 | 里程 | 增速 | 增幅 | 涨幅 | 降幅 | 产量 | 成本 | 标准
      | 寿命 | 年限 | 系数 | 效率 | 价格 | 费用 | 经费 | 补助 | 金 | 结构 | 人次 | 场次 )
    \Z
    """,
    re.VERBOSE,
)
"""Words that already name a measure: no unit noun is appended after them."""

_UNIT_NOUN: Mapping[str, str] = MappingProxyType(
    {
        "户": "户数",
        "元": "金额",
        "美元": "金额",
        "件": "件数",
        "家": "家数",
        "个": "个数",
        "项": "项数",
        "人": "人数",
        "名": "人数",
        "位": "人数",
        "次": "次数",
        "场": "场数",
        "批次": "批次",
        "宗": "宗数",
        "所": "所数",
        "座": "座数",
        "台": "台数",
        "条": "条数",
        "种": "种数",
        "类": "类数",
        "篇": "篇数",
        "部": "部数",
        "吨": "数量",
        "亩": "面积",
        "公顷": "面积",
        "平方米": "面积",
        "平方公里": "面积",
        "公里": "里程",
        "千瓦": "容量",
        "倍": "倍数",
        "年": "年数",
        "人次": "人次",
        "场次": "场次",
    }
)
"""The noun appended to an indicator that lacks one, by unit (户 → 户数, 元 → 金额)."""


# =============================================================================================
# Extraction


@dataclass
class _Found:
    """A quantity under construction (mutable until it becomes a :class:`Quantity`)."""

    start: int
    end: int
    value: float
    value_high: float | None
    unit: str
    comparator: str
    change: str | None = None
    streak: int | None = None
    commitment: str | None = None
    kind: str = "number"
    core: int = -1  # where the number itself starts (after comparator words)
    operator: str = ""  # the comparator group of its own left word, if any
    change_verb: str = ""
    post: str = ""
    ref: _Found | None = None  # the count a shared rank belongs to (均居全省首位)


_Blocked = Callable[[int, int], bool]


def extract(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every quantity in ``text[start:end]``, in text order; offsets are into ``text``.

    Never raises on a ``str``: a span outside the text is clamped to it.

    >>> for q in extract("全年新增“个转企”3582户。新增“个转企”不少于2500户。"):
    ...     print(q.surface, q.value, q.unit, q.comparator, q.indicator)
    3582户 3582.0 户 = 新增个转企户数
    不少于2500户 2500.0 户 ≥ 新增个转企户数
    >>> [(q.surface, q.value, q.comparator, q.commitment) for q in extract("争取满意度“保十冲五”")]
    [('保十冲五', 10.0, '≤', 'committed'), ('保十冲五', 5.0, '≤', 'stretch')]
    >>> q = extract("PCT专利申请量连续20年全国第一")[0]
    >>> q.surface, q.value, q.unit, q.comparator, q.streak
    ('连续20年全国第一', 1.0, '名', 'rank', 20)
    """
    size = len(text)
    lo = min(max(start, 0), size)
    hi = size if end is None else min(max(end, lo), size)
    folded = text.translate(_FOLD)
    # read whole lines around the span, so context is the same whatever the span
    window_lo = folded.rfind("\n", 0, lo) + 1
    window_hi = folded.find("\n", hi)
    if window_hi == -1:
        window_hi = size
    mask = bytearray(window_hi - window_lo)

    def blocked(begin: int, finish: int) -> bool:
        return any(mask[max(begin, window_lo) - window_lo : min(finish, window_hi) - window_lo])

    def block(begin: int, finish: int) -> None:
        for i in range(max(begin, window_lo), min(finish, window_hi)):
            mask[i - window_lo] = 1

    found: list[_Found] = []

    def take(items: Iterator[_Found]) -> None:
        for item in items:
            if not blocked(item.start, item.end) or item.kind == "keep":
                found.append(item)
                block(item.start, item.end)

    take(_keep_strive(folded, window_lo, window_hi))
    for match in QUOTED.finditer(folded, window_lo, window_hi):
        block(match.start(), match.end())
    take(_ranks(folded, window_lo, window_hi, blocked, block))
    for match in NOT_QUANTITY.finditer(folded, window_lo, window_hi):
        block(match.start(), match.end())
    for form in (_multiples, _fractions, _zeros, _positives, _digit_counts, _returns, _streaks):
        take(form(folded, window_lo, window_hi, blocked))
    take(_ratios(folded, window_lo, window_hi))
    take(_numbers(folded, window_lo, window_hi, blocked))
    found.sort(key=lambda f: (f.start, f.end))
    _share_lists(folded, found)
    _share_ranks(folded, found)
    kept = [f for f in found if lo <= f.start and f.end <= hi]
    return _finish(text, folded, kept, found)


# --- ranks -----------------------------------------------------------------------------------


def _keep_strive(text: str, lo: int, hi: int) -> Iterator[_Found]:
    for match in KEEP_STRIVE.finditer(text, lo, hi):
        keep = _int_value(match["keep"])
        strive = _int_value(match["strive"])
        if keep is None or strive is None or strive > keep:
            continue
        span = (match.start(), match.end())
        yield _Found(*span, keep, None, "名", "≤", commitment="committed", kind="keep")
        yield _Found(*span, strive, None, "名", "≤", commitment="stretch", kind="keep")


def _ranks(
    text: str, lo: int, hi: int, blocked: _Blocked, block: Callable[[int, int], None]
) -> Iterator[_Found]:
    last_end = -1
    for match in RANK.finditer(text, lo, hi):
        numeral = match["n1"] or match["n2"] or match["n3"]
        value = 1.0 if match["top"] else _int_value(numeral or "")
        if value is None or value <= 0 or blocked(match.start(), match.end()):
            continue
        rank_start = match.start("scope") if match["scope"] else _rank_core(match)
        with_unit = bool(match["u1"] or match["u2"] or match["u3"])
        lead = RANK_LEAD.search(text, max(lo, rank_start - 4), rank_start)
        listed = last_end >= 0 and re.fullmatch(r"[、和及与]", text[last_end:rank_start])
        adjacent_streak = match["streak"] and not match["gap"] and match["n2"]
        if not (
            with_unit or match["scope"] or match["ranked"] or lead or listed or adjacent_streak
        ):
            continue
        if match["top"] == "首位" and not (match["scope"] or lead):
            continue  # 摆在首位 is no rank
        if not with_unit and not match["top"] and not RANK_FOLLOW.match(text, match.end()):
            continue  # 全国第一方阵, 第一增长极
        if match["n3"] and not (match["scope"] or lead or with_unit):
            continue  # 前三季度
        streak = None
        start = rank_start
        if match["streak"]:
            years = _int_value(match["years"])
            streak = int(years) if years is not None else None
            if not match["gap"]:
                start = match.start()
            else:
                block(match.start(), match.end("streak"))
        comparator = "≤" if match["n3"] else "rank"
        last_end = match.end()
        yield _Found(start, match.end(), value, None, "名", comparator, streak=streak, kind="rank")


def _rank_core(match: re.Match[str]) -> int:
    for group in ("ranked", "top"):
        if match[group]:
            return match.start(group)
    name = "n2" if match["n2"] else "n3"
    return match.start(name) - 1


def _share_ranks(text: str, found: list[_Found]) -> None:
    """均居全省首位 after two counts in one sentence: one rank for each of them."""
    extra: list[_Found] = []
    for item in found:
        shared = re.search(r"均(?:居|位居|列|位列)\Z", text[max(0, item.start - 3) : item.start])
        if item.kind != "rank" or not shared:
            continue
        sentence = _sentence_start(text, item.start)
        earlier = [
            f for f in found if sentence <= f.start < item.start and f.kind not in ("rank", "keep")
        ]
        clauses = {_clause_start(text, f.start) for f in earlier}
        if len(earlier) >= 2 and len(clauses) == len(earlier):
            item.ref = earlier[0]
            for owner in earlier[1:]:
                copy = _Found(item.start, item.end, item.value, None, item.unit, item.comparator)
                copy.streak, copy.kind, copy.ref = item.streak, "rank", owner
                extra.append(copy)
    found.extend(extra)
    found.sort(key=lambda f: (f.start, f.end))


# --- word forms ------------------------------------------------------------------------------


WORD_POST = re.compile(
    r"""
    及以上 | 以上 | 以下 | 以内 | 左右   # 六成以上, 一半以上: a trailing comparator
    """,
    re.VERBOSE,
)


def _with_operator(text: str, lo: int, item: _Found) -> _Found:
    """Comparator words around a word form join it: 近三成, 超过一半, 六成以上."""
    left = LEFT_OPERATOR.search(text, max(lo, item.start - 3), item.start)
    if left and left.lastgroup not in ("change", "cap"):
        item.start = left.start()
        item.comparator = _OPERATOR_COMPARATOR[left.lastgroup or ""]
    post = WORD_POST.match(text, item.end)
    if post and item.comparator == "=":
        item.end = post.end()
        item.comparator = _POST_COMPARATOR[post.group()]
    return item


def _fractions(text: str, lo: int, hi: int, blocked: _Blocked) -> Iterator[_Found]:
    for match in FRACTION.finditer(text, lo, hi):
        if blocked(match.start(), match.end()):
            continue
        value: float | None
        if match["tenths"]:
            value = (_cn_value(match["tenths"][0]) or 0) * 10
        elif match["half"]:
            value = 50.0
        elif match["den_cn"]:
            den = _cn_value(match["den_cn"])
            num = _cn_value(match["num_cn"])
            value = None if not den or num is None else 100 * num / den
        elif match["den"]:
            den_a, num_a = float(match["den"]), float(match["num"])
            value = None if den_a == 0 else 100 * num_a / den_a
        else:
            value = _cn_percent(match["pct"])
        if value is None:
            continue
        comparator = ">" if match["half"] == "过半" else "="
        item = _Found(match.start(), match.end(), value, None, "%", comparator, kind="word")
        yield _with_operator(text, lo, item)


def _cn_percent(numeral: str) -> float | None:
    whole, _, decimals = numeral.partition("点")
    value = _cn_value(whole)
    if value is None or any(ch not in _CN_DIGITS for ch in decimals):
        return None
    if decimals:
        value += float("0." + "".join(str(_CN_DIGITS[ch]) for ch in decimals))
    return value


def _zeros(text: str, lo: int, hi: int, blocked: _Blocked) -> Iterator[_Found]:
    for match in ZERO.finditer(text, lo, hi):
        yield _Found(match.start(), match.end(), 0.0, None, "", "=", kind="word")


def _multiples(text: str, lo: int, hi: int, blocked: _Blocked) -> Iterator[_Found]:
    for match in MULTIPLE.finditer(text, lo, hi):
        span = (match.start(), match.end())
        if match["doubled"]:
            yield _Found(*span, 2.0, None, "倍", "=", change="increase", kind="word")
        elif match["at_least"]:
            yield _Found(*span, 2.0, None, "倍", "≥", change="increase", kind="word")
        else:
            times = _cn_value(match["times"] or "一") or 1
            value = 100.0 * (2.0**times - 1)
            yield _Found(*span, value, None, "%", "=", change="increase", kind="word")


def _positives(text: str, lo: int, hi: int, blocked: _Blocked) -> Iterator[_Found]:
    for match in POSITIVE.finditer(text, lo, hi):
        positive = match["sign"] == "正"
        yield _Found(
            match.start(),
            match.end(),
            0.0,
            None,
            "%",
            ">" if positive else "<",
            change="increase" if positive else "decrease",
            kind="word",
        )


def _digit_counts(text: str, lo: int, hi: int, blocked: _Blocked) -> Iterator[_Found]:
    for match in DIGITS_COUNT.finditer(text, lo, hi):
        value = 10.0 ** ((_cn_value(match["n"]) or 2) - 1)
        left = LEFT_OPERATOR.search(text, max(lo, match.start() - 4), match.start())
        begin = left.start() if left else match.start()
        comparator = "≥" if left and left.lastgroup in ("gt", "ge", "reach") else "="
        clause = text[_clause_start(text, begin) : begin]
        unit = "人" if re.search(r"(?:院士|人才|专家|人员|人)\s*\Z", clause) else ""
        change = None
        if left and left.lastgroup == "change":
            # 投资增长两位数: a growth of at least ten per cent
            unit, comparator = "%", "≥"
            verb = left.group()
            change = "increase" if verb.endswith(_INCREASE_WORDS) else "decrease"
        yield _Found(begin, match.end(), value, None, unit, comparator, change=change, kind="word")


def _returns(text: str, lo: int, hi: int, blocked: _Blocked) -> Iterator[_Found]:
    for match in RETURN_PERIOD.finditer(text, lo, hi):
        value = _int_value(match["n"])
        if value is None or blocked(match.start(), match.end()):
            continue
        item = _Found(match.start(), match.end(), value, None, "年", "=", kind="word")
        yield _with_operator(text, lo, item)


def _streaks(text: str, lo: int, hi: int, blocked: _Blocked) -> Iterator[_Found]:
    for match in STREAK.finditer(text, lo, hi):
        value = _int_value(match["n"])
        if value is None:
            continue
        unit, streak = ("年", int(value)) if match["year"] else ("个月", None)
        yield _Found(match.start(), match.end(), value, None, unit, "=", streak=streak, kind="word")


def _ratios(text: str, lo: int, hi: int) -> Iterator[_Found]:
    for match in RATIO.finditer(text, lo, hi):
        if re.fullmatch(r"\d{1,2}[:：]\d{2}", match.group()):
            continue  # 8:30 is a time of day
        at = match.start()
        for part in re.split(r"[∶:：]", match.group()):
            yield _Found(at, at + len(part), float(part), None, "", "=", kind="ratio")
            at += len(part) + 1


# --- numbers ---------------------------------------------------------------------------------


@dataclass
class _Read:
    """A number with what follows it: value, unit, trailing comparator, where it ends."""

    start: int
    end: int
    value: float
    unit: str
    unit_word: str
    post: str
    more: bool
    chinese: bool
    magnitude: str
    grade: bool
    digits: str


def _read_number(text: str, at: int, hi: int) -> _Read | None:
    """The number starting at ``at`` with its tail, or None if no number starts there."""
    arabic = ARABIC.match(text, at, hi)
    if arabic:
        digits = arabic.group()
        value = float(digits.replace(",", ""))
        cursor = arabic.end()
        chinese = False
    else:
        run = CN_NUMBER.match(text, at, hi)
        if not run:
            return None
        digits = run.group()
        # a run may end in a magnitude that starts a unit: 五千瓦 is 5 千瓦
        while len(digits) > 1 and digits[-1] in "千百":
            probe = UNIT.match(text, at + len(digits) - 1, hi)
            if not (probe and len(probe.group()) > 1):
                break
            digits = digits[:-1]
        parsed = _cn_value(digits)
        if parsed is None:
            return None
        value = parsed
        cursor = at + len(digits)
        chinese = True
    tail = NUMBER_TAIL.match(text, cursor, hi)
    if tail is None:  # pragma: no cover - every group of the tail is optional
        return None
    magnitude = tail["mag"] or ""
    if magnitude and chinese:
        return None  # 三千万 was read whole; 五万亿 is not 五 then 万亿
    if magnitude:  # in decimal, so that 16.6亿 is 1660000000 and not 1660000000.0000002
        value = float(Decimal(digits.replace(",", "")) * _MAGNITUDE[magnitude])
    unit_word = tail["unit"] or ""
    post = tail["post"] or ""
    more = bool(tail["more1"] or tail["more2"])
    if post == "多":
        more, post = True, ""
    end = tail.end()
    grade = bool(tail["grade"])
    if post == "内" and unit_word not in ("年", "天", "个月", "小时", "分钟", "工作日", "个工作日"):
        post, end, grade = "", tail.start("post"), False  # 区内, 省内: a place, not a bound
    if unit_word == "‰":
        value /= 10
    return _Read(
        at,
        end,
        value,
        _UNIT_WORDS.get(unit_word, ""),
        unit_word,
        post,
        more,
        chinese,
        magnitude,
        grade,
        digits,
    )


_NUMBER_START = re.compile(r"\d|[〇零一二两三四五六七八九十百千万亿]")


def _numbers(text: str, lo: int, hi: int, blocked: _Blocked) -> Iterator[_Found]:
    position = lo
    while True:
        match = _NUMBER_START.search(text, position, hi)
        if not match:
            return
        at = match.start()
        position = at + 1
        if blocked(at, at + 1):
            continue
        if at > lo and (text[at - 1].isdigit() or text[at - 1] in _CN_CHARS):
            continue  # inside a number that was masked or rejected
        limit = at  # a number with its tail is short: look no further than 40 characters
        while limit < min(hi, at + 40) and not blocked(limit, limit + 1):
            limit += 1
        read = _read_number(text, at, limit)
        if read is None:
            continue
        position = max(read.end, at + 1)
        item = _range(text, lo, limit, read) or _quantity(text, lo, read)
        if item is None:
            continue
        position = max(position, item.end)
        yield item


def _operator(text: str, lo: int, at: int) -> re.Match[str] | None:
    return LEFT_OPERATOR.search(text, max(lo, at - 6), at)


def _range(text: str, lo: int, hi: int, read: _Read) -> _Found | None:
    """5%—6%, 2—4家, 4.5%—5%: one quantity with a high end, or None."""
    join = RANGE_JOIN.match(text, read.end, hi)
    if not join or read.post or read.more:
        return None
    second = _read_number(text, join.end(), hi)
    if second is None or not second.unit or second.chinese != read.chinese:
        return None
    if read.unit and read.unit != second.unit:
        return None
    low = read.value
    if not read.unit and second.magnitude and not read.magnitude:
        low = float(Decimal(read.digits.replace(",", "")) * _MAGNITUDE[second.magnitude])
    if second.value <= low:
        return None
    item = _quantity(text, lo, second, start=read.start)
    if item is None:
        return None
    item.value, item.value_high = low, second.value
    if item.comparator == "=":
        item.comparator = "range"
    return item


def _quantity(text: str, lo: int, read: _Read, start: int | None = None) -> _Found | None:
    """The quantity a number makes with its context, or None if it makes none."""
    at = read.start if start is None else start
    unit, end = read.unit, read.end
    before = text[at - 1] if at > lo else ""
    after = text[end] if end < len(text) else ""
    if before and ((before.isascii() and before.isalnum()) or before in "+/."):
        return None
    left = _operator(text, lo, at)
    level = LEVEL_VERB.search(text, max(lo, at - 5), at)
    if read.chinese and not _chinese_counts(text, lo, read, left, level):
        return None
    if unit == "年" and not _duration(text, lo, at, read):
        return None
    if unit in _CLASS_UNITS and not (level and unit == "岁" and not _noun_next(after)):
        return None
    if unit in _MEASURE_UNITS and unit != "%" and CLASS_FOLLOW.match(text, end - len(read.post)):
        return None
    if unit != "%" and CLASS_OF.match(text, end - len(read.post)):
        return None
    if unit in _TIME_UNITS and not read.post and TIME_NAME.match(text, end):
        return None
    if unit in _PLACE_UNITS and not PLACE_BEFORE.search(text, max(0, at - 6), at):
        return None
    if not unit:
        implied, end = _implied_unit(text, read, left, level)
        if implied is None:
            return None
        unit = implied
    if unit:
        per = PER_CAPITA.search(text, _clause_start(text, at), at)
        if per and unit in ("件", "座", "个", "人", "名", "张", "辆", "台"):
            unit = f"{unit}/{per['per'] or per['per2']}人"
    begin = at
    comparator = "="
    change = None
    change_verb = ""
    operator = ""
    if left:
        operator = left.lastgroup or ""
        begin = left.start()
        comparator = _OPERATOR_COMPARATOR[operator]
        if operator == "change":
            change_verb = left.group().removesuffix("了")
            change = "increase" if change_verb.endswith(_INCREASE_WORDS) else "decrease"
    if read.more and comparator == "=":
        comparator = ">"
    if read.post and (comparator == "=" or operator in ("cap", "change")):
        comparator = _POST_COMPARATOR[read.post]
    if read.grade:
        comparator = "≥" if read.chinese else "≈"  # 百万吨级 (at least), 300万吨级 (about)
    if change is None:
        governing = CLAUSE_CHANGE.search(text, _clause_start(text, at), at)
        if governing:
            change_verb = governing["verb"] or governing["noun"]
            change = "increase" if change_verb.endswith(_INCREASE_WORDS) else "decrease"
    if change is None:
        trailing = TRAILING_CHANGE.match(text, end)
        if trailing and read.post:
            end = trailing.end()
            change_verb = trailing["verb"]
            change = "increase" if change_verb == "增长" else "decrease"
    return _Found(
        begin,
        end,
        read.value,
        None,
        unit,
        comparator,
        change=change,
        core=at,
        operator=operator,
        change_verb=change_verb,
        post=read.post,
    )


def _implied_unit(
    text: str, read: _Read, left: re.Match[str] | None, level: re.Match[str] | None
) -> tuple[str | None, int]:
    """A unit the text implies after a unitless number, and where the surface ends."""
    end = read.end
    person = PERSON_NOUN.match(text, end)
    if person and (read.magnitude or read.more):
        return "人", person.end()
    if read.magnitude and HOUSEHOLD_NOUN.match(text, end):
        return "户", end
    if read.grade:
        return "", end
    if (
        not read.chinese
        and text.startswith("大", end)
        and not text.startswith("大类", end)
        and re.match(r"[^\W\d_]", text[end + 1 : end + 2])
    ):
        return "个", end + 1  # 建设5大微短剧基地: five bases
    if read.chinese or not (left or level):
        return None, end
    if not _clause_end(text, end):
        return None, end
    return "", end


def _chinese_counts(
    text: str, lo: int, read: _Read, left: re.Match[str] | None, level: re.Match[str] | None
) -> bool:
    """Whether a Chinese numeral counts here (两所大学, 近千个, 千万吨) or names (一体, 三级)."""
    has_digit = any(ch in _CN_DIGITS for ch in read.digits) or (
        len(read.digits) > 1 and "十" in read.digits  # 十万亩, 十五个; a bare 十 names (十项制度)
    )
    big = any(ch in "千万亿" for ch in read.digits)
    if read.grade and not has_digit:
        return True  # 千亿级, 百万吨级
    if not has_digit:
        # 万人, 千家万户: a bare magnitude counts only after 近/超 or a verb, with a unit
        if not read.unit_word or not (left or read.more or level):
            return False
        return bool(left or read.more or read.unit in _MEASURE_UNITS)
    if big:
        return bool(read.unit_word)
    if read.unit_word not in _CN_COUNTERS:
        return False
    if read.digits == "一" and not left:
        return False  # 一批, 一项, 一个: an article, not a count
    following = text[read.end : read.end + 1]
    return not (following and following in _CN_CHARS)  # 三个一号旅游公路: a name


def _duration(text: str, lo: int, at: int, read: _Read) -> bool:
    """Whether N年 measures a duration (缩短10年, 实现3年跨进…, 3年内) rather than a period
    (五年生产原煤…, 5年累计投入…, 近5年来)."""
    after = text[read.end : read.end + 1]
    if after and after in "来间中前后度累期":
        return bool(text.startswith("后", read.end) and re.match(r"[^\W\d_]", text[at - 1 : at]))
    if read.post in ("内", "以内", "之内"):
        return True
    prior = text[max(lo, at - 2) : at]
    if not prior or not re.match(r"[^\W\d_]", prior[-1]):
        return False  # at a clause start: a period
    if re.search(r"(?:这|过去|今后|未来|近|前|每|头|首|本|上|下|的|和|、|再|用)\Z", prior):
        return bool(re.search(r"(?:近|用)\Z", prior))
    return not re.match(r"(?:行动|计划|规划|攻坚|过渡期|大提升|上台阶|打基础)", text[read.end :])


def _noun_next(char: str) -> bool:
    return bool(char) and bool(re.match(r"[^\W\d_]", char))


def _clause_end(text: str, at: int) -> bool:
    return (
        at >= len(text)
        or text[at] in ",，。；;、）)：:！!？?\n和及与或"
        or text.startswith(("以上", "左右", "以内", "以下"), at)
    )


# --- lists -----------------------------------------------------------------------------------

LIST_JOIN = re.compile(
    r"""
    [、和及与或]   # items of one list: 6%、5.2%, X和Y
    """,
    re.VERBOSE,
)


def _share_lists(text: str, found: list[_Found]) -> None:
    """What one list shares: 分别超X和Y, 分别增长6%、5.2%, 分别增长5%、8%以上, 3.4个、1个百分点."""
    index = 0
    while index < len(found):
        head = found[index]
        items = [head]
        for follower in found[index + 1 :]:
            gap = text[items[-1].end : follower.start]
            if follower.kind != "number" or not LIST_JOIN.fullmatch(gap) or follower.operator:
                break
            items.append(follower)
        index += len(items)
        if head.kind != "number":
            continue
        shared = re.search(r"分别\Z", text[max(0, head.start - 2) : head.start])
        if len(items) > 1:
            for follower in items[1:]:
                if head.change and not follower.change:
                    follower.change, follower.change_verb = head.change, head.change_verb
                if follower.comparator == "=" and head.operator not in ("", "change", "cap"):
                    follower.comparator = head.comparator
            last = items[-1]
            if shared and last.post and all(not item.post for item in items[:-1]):
                for item in items[:-1]:
                    if item.comparator == "=":
                        item.comparator = last.comparator
            for item, nxt in itertools.pairwise(items):
                if item.unit == "个" and nxt.unit == "个百分点":
                    item.unit = "个百分点"
        if shared and head.operator and head.core > head.start:
            head.start = head.core  # 分别超过X和Y: each surface is the number alone


# --- context and the finished quantities -----------------------------------------------------


def _finish(text: str, folded: str, kept: list[_Found], context: list[_Found]) -> list[Quantity]:
    out: list[Quantity] = []
    bases: dict[int, str] = {}
    for index, item in enumerate(context):
        bases[id(item)] = _indicator_base(folded, index, context, bases)
    for item in kept:
        out.append(
            Quantity(
                start=item.start,
                end=item.end,
                surface=text[item.start : item.end],
                value=item.value,
                value_high=item.value_high,
                unit=item.unit,
                comparator=item.comparator,
                commitment=item.commitment or _commitment(folded, item.start),
                change=item.change,
                year=_year(folded, item.start),
                streak=item.streak,
                indicator=_indicator_name(bases[id(item)], item),
                qudt_unit=QUDT_UNITS.get(item.unit),
            )
        )
    return out


_REACH = 300
"""How far back a clause or a sentence is looked for: context is local, and the cost bounded."""


_SENTENCE_MARKS = "。；;！？!?\n"
_CLAUSE_MARKS = _SENTENCE_MARKS + ",，：:"


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding ``at`` starts (after 。；！？ or a line end)."""
    floor = max(0, at - _REACH)
    return max(floor, *(text.rfind(mark, floor, at) + 1 for mark in _SENTENCE_MARKS))


def _clause_start(text: str, at: int) -> int:
    """Where the clause holding ``at`` starts (after one of :data:`CLAUSE_BREAK`)."""
    floor = max(0, at - _REACH)
    return max(floor, *(text.rfind(mark, floor, at) + 1 for mark in _CLAUSE_MARKS))


def _commitment(text: str, at: int) -> str:
    """``stretch`` when 力争/争取/努力/冲 governs ``at``: the nearest such word before it in its
    sentence, unless 确保 comes later or a clause that opens with its own verb intervenes."""
    sentence = _sentence_start(text, at)
    last = None
    for match in STRETCH.finditer(text, sentence, at):
        last = match
    if last is None or last.lastgroup != "stretch":
        return "committed"
    clause = _clause_start(text, at)
    opening = _clause_start(text, last.start())
    if clause != opening and not re.fullmatch(r"[\s—]*", text[opening : last.start()]):
        return "committed"  # 进出口总额争取…: a 争取 after its subject governs its clause only
    while clause > last.end():
        if NEW_PREDICATE.match(text, clause):
            return "committed"
        clause = _clause_start(text, clause - 1)
    return "stretch"


def _year(text: str, at: int) -> int | None:
    """The nearest year its clause states before ``at`` (到2030年…, 2025年的7.4万元)."""
    clause = _clause_start(text, at)
    years = list(YEAR.finditer(text, clause, at))
    if years:
        return int(years[-1]["year"])
    sentence = _sentence_start(text, at)
    marked = list(re.finditer(r"(?:到|至|在|于)((?:19|20)\d{2})年", text[sentence:at]))
    return int(marked[-1].group(1)) if marked else None


_NOISE = re.compile(r"[“”\"‘’《》「」『』\s]")


def _clean(phrase: str) -> str:
    phrase = _NOISE.sub("", phrase)
    phrase = re.sub(r"^[、和及与或]+|、+$", "", phrase)
    for _ in range(2):
        phrase = INDICATOR_LEAD.sub("", phrase)
        phrase = INDICATOR_TAIL.sub("", phrase)
    return phrase


def _indicator_base(text: str, index: int, context: list[_Found], bases: dict[int, str]) -> str:
    """The words naming what ``context[index]`` measures, before a unit noun is appended;
    ``bases`` holds those of the quantities before it (``context`` is in text order)."""
    item = context[index]
    if item.ref is not None and id(item.ref) in bases:
        return bases[id(item.ref)]  # 均居全省首位: the rank of each count before it
    clause = _clause_start(text, item.start)
    begin = clause
    previous = next(
        (context[j] for j in range(index - 1, -1, -1) if context[j].end <= item.start), None
    )
    if previous is not None and previous.end > begin:
        begin = previous.end
        joined = re.fullmatch(r"[、和及与或∶:：]", text[previous.end : item.start])
        if joined and id(previous) in bases:
            return bases[id(previous)]  # 分别超过X和Y: Y measures what X does
    phrase = _clean(text[begin : item.start])
    if item.kind == "number" and item.unit not in _MEASURE_UNITS and item.unit != "":
        # 出台27个许可业务标准化指南: the counted noun follows the count
        following = next((f.start for f in context[index + 1 :] if f.start >= item.end), None)
        noun = _counted_noun(text, item, following)
        if noun:
            return noun
    if not phrase:
        if item.kind == "number" and item.change is None and item.unit not in ("%", "个百分点"):
            return ""
        # 增长5.3% after 地区生产总值5696亿元: what the previous quantity measured
        sentence = _sentence_start(text, item.start)
        if previous is not None and previous.start >= sentence and id(previous) in bases:
            return bases[id(previous)]
        return ""
    # 抽检覆盖率 after 完成食品和食用农产品抽检…: a modifier elided from the clause before
    if clause > 0 and _sentence_start(text, clause - 1) <= _clause_start(text, clause - 1):
        prior = _clean(text[_clause_start(text, clause - 1) : clause - 1])
        at = prior.find(phrase[:2]) if len(phrase) >= 2 else -1
        if at > 0 and not re.search(r"[\d一二三四五六七八九十]", prior[:at]):
            phrase = prior[:at] + phrase
    return phrase


COUNTED_NOUN_END = re.compile(
    r"""
    成立 | 实现 | 获 | 通过 | 入选 | 落户 | 全部 | 开工 | 建成 | 投产 | 参会 | 增设 | 受理
  | 设立 | 纳入 | 落地 | 上线 | 认证 | 解决 | 发放 | 完成 | 进行 | 开展 | 落实 | 等 | 的
  | 规模
    """,
    re.VERBOSE,
)
"""Where the noun a count counts ends and its predicate begins (10个辖区局成立纪委)."""


def _counted_noun(text: str, item: _Found, following: int | None) -> str:
    """The noun after a count (打造不少于15个预付无忧商圈 → 预付无忧商圈数), or "";
    ``following`` is where the next quantity starts, if any."""
    stop = min(len(text), item.end + 40)
    brk = CLAUSE_BREAK.search(text, item.end, stop)
    stop = brk.start() if brk else stop
    if following is not None:
        stop = min(stop, following)
    noun = _NOISE.sub("", text[item.end : stop])
    cut = COUNTED_NOUN_END.search(noun, 2)
    if cut:
        noun = noun[: cut.start()]
    noun = re.sub(r"[、和及与或]+\Z", "", noun)
    if not noun or len(noun) > 16 or not re.match(r"[^\W\d_]", noun):
        return ""
    return noun if _MEASURE_NOUN.search(noun) else noun + "数"


def _indicator_name(base: str, item: _Found) -> str:
    if item.kind in ("rank", "keep"):
        return base if base.endswith("排名") else base + "排名"
    if item.change is not None:
        verb = item.change_verb or ("增长" if item.change == "increase" else "下降")
        return base if base.endswith(verb) else base + verb
    if _MEASURE_NOUN.search(base):
        return base
    return base + _UNIT_NOUN.get(item.unit.split("/")[0], "")
