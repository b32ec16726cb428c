"""Tests for policykg.quantities: the annotation tables, each kind of quantity, non-quantities,
and robustness on arbitrary text."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantity_eval import TABLES, load_table, report_path, score

from policykg.quantities import COMPARATORS, QUDT_UNITS, Quantity, extract

PERCENT = "http://qudt.org/vocab/unit/PERCENT"
CNY = "http://qudt.org/vocab/currency/CNY"
YEAR = "http://qudt.org/vocab/unit/YR"

# --- the annotation tables --------------------------------------------------------------------

# (table, the precision and recall it must reach, whether its rows may be printed on failure)
TABLE_BARS = [
    ("szamr-2024", 0.98, True),
    ("ningxia-2026", 0.95, True),
    ("shanxi-2026", 0.95, False),  # half of it is a held-out test: report numbers only
]


@pytest.mark.parametrize(("name", "bar", "show"), TABLE_BARS, ids=[t[0] for t in TABLE_BARS])
def test_table_precision_and_recall(name: str, bar: float, show: bool) -> None:
    table = TABLES / f"{name}.tsv"
    if not table.is_file():
        pytest.skip(f"annotation table {table.name} does not exist yet")
    text = report_path(table).read_text(encoding="utf-8")
    expected = load_table(table, text)
    assert expected, f"{table.name} has no rows"
    result = score(extract(text), expected)
    message = f"{name}: P={result.precision:.3f} R={result.recall:.3f} ({result.tp} tp, "
    message += f"{result.fp} fp, {result.fn} fn)"
    if show:
        message += "".join(f"\n  missed L{m.line} {m.surface}" for m in result.misses[:20])
        message += "".join(f"\n  extra {e.surface} at {e.start}" for e in result.extras[:20])
    assert result.precision >= bar and result.recall >= bar, message


def test_every_table_row_resolves_to_its_surface() -> None:
    tables = sorted(TABLES.glob("*.tsv"))
    tables = [t for t in tables if t.stem in {name for name, _, _ in TABLE_BARS}]
    if not tables:
        pytest.skip("no annotation table exists yet")
    for table in tables:
        text = report_path(table).read_text(encoding="utf-8")
        rows = load_table(table, text)
        assert rows, table.name
        assert all(text[row.start : row.end] == row.surface for row in rows)
        assert all(row.comparator in COMPARATORS for row in rows)


def test_shenzhen_report_is_fast() -> None:
    source = Path(__file__).resolve().parents[1] / "graphs" / "sources"
    text = (source / "shenzhen-amr-2023-summary-2024-plan.txt").read_text(encoding="utf-8")
    extract(text)  # warm the regular expression cache
    best = min(_timed(text) for _ in range(5))
    assert best < 0.1, f"the Shenzhen report took {best * 1000:.1f} ms"


def _timed(text: str) -> float:
    begin = time.perf_counter()
    extract(text)
    return time.perf_counter() - begin


# --- each kind, every field -------------------------------------------------------------------


def _q(
    text: str,
    surface: str,
    value: float,
    unit: str,
    comparator: str,
    indicator: str,
    *,
    occurrence: int = 1,
    value_high: float | None = None,
    commitment: str = "committed",
    change: str | None = None,
    year: int | None = None,
    streak: int | None = None,
) -> Quantity:
    """The expected quantity at the ``occurrence``-th ``surface`` of ``text``."""
    start = -1
    for _ in range(occurrence):
        start = text.index(surface, start + 1)
    return Quantity(
        start=start,
        end=start + len(surface),
        surface=surface,
        value=value,
        value_high=value_high,
        unit=unit,
        comparator=comparator,
        commitment=commitment,
        change=change,
        year=year,
        streak=streak,
        indicator=indicator,
        qudt_unit=QUDT_UNITS.get(unit),
    )


def _assert_same(text: str, expected: list[Quantity]) -> None:
    found = extract(text)
    assert found == expected
    for item in found:
        assert text[item.start : item.end] == item.surface


COMPARATOR_CASES = [
    ("新增“个转企”不少于2500户。", "不少于2500户", 2500, "户", "≥", "新增个转企户数"),
    (
        "全年共办理各类许可审批超过37万件。",
        "超过37万件",
        370_000,
        "件",
        ">",
        "办理各类许可审批件数",
    ),
    ("数字人民币签约商家超1460家。", "超1460家", 1460, "家", ">", "数字人民币签约商家家数"),
    ("新增数币签约企业1500家以上。", "1500家以上", 1500, "家", "≥", "新增数币签约企业家数"),
    ("全市联合检查占比不低于20%。", "不低于20%", 20, "%", "≥", "联合检查占比"),
    ("全市经营主体增至422.6万户。", "422.6万户", 4_226_000, "户", "=", "经营主体户数"),
    ("助力企业融资2505亿元。", "2505亿元", 250_500_000_000, "元", "=", "助力企业融资金额"),
    ("累计检查使用单位2万余家。", "2万余家", 20_000, "家", ">", "检查使用单位家数"),
    ("城镇调查失业率控制在3%以内。", "控制在3%以内", 3, "%", "≤", "城镇调查失业率"),
    ("城镇调查失业率5.5%左右。", "5.5%左右", 5.5, "%", "≈", "城镇调查失业率"),
    ("发行规模近54亿元。", "近54亿元", 5_400_000_000, "元", "≈", "发行规模"),
    ("抽检覆盖率达9.4批次/千人。", "9.4批次/千人", 9.4, "批次/千人", "=", "抽检覆盖率"),
    ("评价性抽检合格率达99.48%。", "99.48%", 99.48, "%", "=", "评价性抽检合格率"),
    ("外贸进出口1,234.5亿元。", "1,234.5亿元", 123_450_000_000, "元", "=", "外贸进出口金额"),
    ("人口自然增长率0.5‰。", "0.5‰", 0.05, "%", "=", "人口自然增长率"),
    ("深圳质量指数达93.35。", "93.35", 93.35, "", "=", "深圳质量指数"),
    ("地区生产总值跨越5000亿元大关。", "跨越5000亿元", 5e11, "元", ">", "地区生产总值"),
    ("完成投资２４００多亿元。", "２４００多亿元", 2.4e11, "元", ">", "投资"),
    ("惠及近10万儿童。", "近10万儿童", 100_000, "人", "≈", "惠及人数"),
    ("每万人口发明专利拥有量170件。", "170件", 170, "件/万人", "=", "每万人口发明专利拥有量"),
    ("3个工作日内办结。", "3个工作日内", 3, "个工作日", "≤", ""),
]


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit", "comparator", "indicator"),
    COMPARATOR_CASES,
    ids=[case[1] for case in COMPARATOR_CASES],
)
def test_levels_and_comparators(
    text: str, surface: str, value: float, unit: str, comparator: str, indicator: str
) -> None:
    _assert_same(text, [_q(text, surface, value, unit, comparator, indicator)])


def test_changes_include_their_verb() -> None:
    text = "专利许可备案金额3.76亿元,同比增长18%。不合格品发现率5.5%,同比下降3个百分点。"
    _assert_same(
        text,
        [
            _q(text, "3.76亿元", 376_000_000, "元", "=", "专利许可备案金额"),
            _q(text, "增长18%", 18, "%", "=", "专利许可备案金额增长", change="increase"),
            _q(text, "5.5%", 5.5, "%", "=", "不合格品发现率"),
            _q(text, "下降3个百分点", 3, "个百分点", "=", "不合格品发现率下降", change="decrease"),
        ],
    )


def test_average_changes_durations_and_multiples() -> None:
    text = "地区生产总值年均增长5%左右。育种周期缩短10年,繁殖系数提高1000倍。"
    _assert_same(
        text,
        [
            _q(text, "年均增长5%左右", 5, "%", "≈", "地区生产总值年均增长", change="increase"),
            _q(text, "缩短10年", 10, "年", "=", "育种周期缩短", change="decrease"),
            _q(text, "提高1000倍", 1000, "倍", "=", "繁殖系数提高", change="increase"),
        ],
    )


def test_ranges() -> None:
    text = "居民收入增长5%—6%，力争国家级实验室再增加2—4家。"
    _assert_same(
        text,
        [
            _q(text, "增长5%—6%", 5, "%", "range", "居民收入增长", value_high=6, change="increase"),
            _q(
                text,
                "增加2—4家",
                2,
                "家",
                "range",
                "国家级实验室增加",
                value_high=4,
                commitment="stretch",
                change="increase",
            ),
        ],
    )


def test_from_to_gives_two_levels() -> None:
    text = "平均问题发现率由12%提升至21%。"
    _assert_same(
        text,
        [
            _q(text, "12%", 12, "%", "=", "平均问题发现率"),
            _q(text, "21%", 21, "%", "=", "平均问题发现率"),
        ],
    )


def test_ranks() -> None:
    text = (
        "全国百城消费者满意度跃升至第12名。制造业质量竞争力指数全省第一。官微粉丝量全国排名第一。"
    )
    _assert_same(
        text,
        [
            _q(text, "第12名", 12, "名", "rank", "全国百城消费者满意度排名"),
            _q(text, "全省第一", 1, "名", "rank", "制造业质量竞争力指数排名"),
            _q(text, "全国排名第一", 1, "名", "rank", "官微粉丝量排名"),
        ],
    )


def test_rank_variants_top_and_first_place() -> None:
    text = "专利代理师2401人,居全省首位。增速居全国前十。"
    _assert_same(
        text,
        [
            _q(text, "2401人", 2401, "人", "=", "专利代理师人数"),
            _q(text, "全省首位", 1, "名", "rank", "专利代理师排名"),
            _q(text, "全国前十", 10, "名", "≤", "增速排名"),
        ],
    )


def test_streak_of_a_rank() -> None:
    text = "PCT专利申请量连续20年全国第一。利用率连续5年保持西北第一。"
    _assert_same(
        text,
        [
            _q(text, "连续20年全国第一", 1, "名", "rank", "PCT专利申请量排名", streak=20),
            _q(text, "西北第一", 1, "名", "rank", "利用率排名", streak=5),
        ],
    )


def test_keep_ten_strive_for_five_is_two_targets() -> None:
    text = "争取全国百城消费者满意度测评“保十冲五”。"
    name = "全国百城消费者满意度排名"
    _assert_same(
        text,
        [
            _q(text, "保十冲五", 10, "名", "≤", name),
            _q(text, "保十冲五", 5, "名", "≤", name, commitment="stretch"),
        ],
    )


def test_one_comparator_shared_by_a_list() -> None:
    text = "铁路、航空客运量分别超过1000万人次和200万人次。"
    _assert_same(
        text,
        [
            _q(text, "1000万人次", 10_000_000, "人次", ">", "铁路、航空客运量"),
            _q(text, "200万人次", 2_000_000, "人次", ">", "铁路、航空客运量"),
        ],
    )


def test_one_change_verb_shared_by_a_list_and_a_list_of_ranks() -> None:
    text = "一产、二产增加值分别增长6%、5.2%，分别居全国第二、第七。"
    name = "一产、二产增加值"
    _assert_same(
        text,
        [
            _q(text, "6%", 6, "%", "=", name + "增长", change="increase"),
            _q(text, "5.2%", 5.2, "%", "=", name + "增长", change="increase"),
            _q(text, "全国第二", 2, "名", "rank", name + "排名"),
            _q(text, "第七", 7, "名", "rank", name + "排名"),
        ],
    )


def test_zero_claims() -> None:
    text = "全年重大动物疫情零发生。"
    _assert_same(text, [_q(text, "零发生", 0, "", "=", "重大动物疫情")])


def test_fractions_in_words() -> None:
    text = "五年生产原煤65亿吨，占全国近三成。97个项目获奖,占全国1/10。超过一半。"
    _assert_same(
        text,
        [
            _q(text, "65亿吨", 6_500_000_000, "吨", "=", "五年生产原煤数量"),
            _q(text, "近三成", 30, "%", "≈", "占全国"),
            _q(text, "97个", 97, "个", "=", "项目数"),
            _q(text, "1/10", 10, "%", "=", "占全国"),
            _q(text, "超过一半", 50, "%", ">", ""),
        ],
    )


def test_chinese_numerals_that_count() -> None:
    text = "两所大学3个学科跻身“双一流”。信息工作连续三年获评先进。近千个难题。"
    _assert_same(
        text,
        [
            _q(text, "两所", 2, "所", "=", "大学数"),
            _q(text, "3个", 3, "个", "=", "学科跻身双一流数"),
            _q(text, "连续三年", 3, "年", "=", "信息工作年数", streak=3),
            _q(text, "近千个", 1000, "个", "≈", "难题数"),
        ],
    )


def test_chinese_numerals_up_to_wan_and_yi() -> None:
    text = "共三千五百家企业，一百二十个项目，超万亿元投资。"
    found = [(q.surface, q.value, q.unit, q.comparator) for q in extract(text)]
    assert found == [
        ("三千五百家", 3500, "家", "="),
        ("一百二十个", 120, "个", "="),
        ("超万亿元", 1e12, "元", ">"),
    ]


def test_year_and_commitment_from_the_clause() -> None:
    text = "力争到2030年人均地区生产总值达到10万元以上，城镇化率达到71%以上。"
    _assert_same(
        text,
        [
            _q(
                text,
                "10万元以上",
                100_000,
                "元",
                "≥",
                "人均地区生产总值",
                commitment="stretch",
                year=2030,
            ),
            _q(text, "71%以上", 71, "%", "≥", "城镇化率", commitment="stretch", year=2030),
        ],
    )


def test_stretch_ends_where_a_clause_opens_with_its_own_verb() -> None:
    text = "力争水利投资超220亿元，推动11个项目投资突破2000亿元。"
    assert [q.commitment for q in extract(text)] == ["stretch", "committed", "committed"]


def test_scale_classes_and_return_periods() -> None:
    text = "打造千亿级产业链，建设300万吨级项目，防洪标准由最低五年一遇提高到二十年或五十年一遇。"
    found = [(q.surface, q.value, q.unit, q.comparator) for q in extract(text)]
    assert found == [
        ("千亿级", 1e11, "", "≥"),
        ("300万吨级", 3e6, "吨", "≈"),
        ("最低五年一遇", 5, "年", "≥"),
        ("二十年", 20, "年", "="),
        ("五十年一遇", 50, "年", "="),
    ]


def test_word_forms_of_growth() -> None:
    text = "规模翻了一番，实现倍增，工业机器人产量成倍增长，进出口总额争取实现正增长。"
    found = [(q.surface, q.value, q.unit, q.comparator, q.change) for q in extract(text)]
    assert found == [
        ("翻了一番", 100, "%", "=", "increase"),
        ("倍增", 2, "倍", "=", "increase"),
        ("成倍增长", 2, "倍", "≥", "increase"),
        ("正增长", 0, "%", ">", "increase"),
    ]


def test_ratio_parts_are_bare_numbers() -> None:
    text = "三次产业结构调整为8.3∶41.4∶50.3。"
    found = [(q.surface, q.value, q.unit) for q in extract(text)]
    assert found == [("8.3", 8.3, ""), ("41.4", 41.4, ""), ("50.3", 50.3, "")]


def test_counted_nouns_give_units() -> None:
    text = "推动10万水表用户合表计费，为6.2万名农民工解决欠薪，惠及76万群众。"
    found = [(q.surface, q.value, q.unit) for q in extract(text)]
    assert found == [
        ("10万", 100_000, "户"),
        ("6.2万名", 62_000, "名"),
        ("76万群众", 760_000, "人"),
    ]


def test_qudt_units() -> None:
    assert all(iri.startswith("http://qudt.org/vocab/") for iri in QUDT_UNITS.values())
    text = "新建高标准农田70万亩，新增装机2000万千瓦，新建管线2000公里，投资10亿元。"
    assert [q.qudt_unit for q in extract(text)] == [
        None,
        "http://qudt.org/vocab/unit/KiloW",
        "http://qudt.org/vocab/unit/KiloM",
        CNY,
    ]
    assert QUDT_UNITS["%"] == PERCENT and QUDT_UNITS["年"] == YEAR and "亩" not in QUDT_UNITS


# --- what is not a quantity ------------------------------------------------------------------

NOT_QUANTITIES = [
    "2023年工作总结",
    "2026年2月2日在山西省第十四届人民代表大会第五次会议上",
    "“十四五”时期是极不平凡的五年",
    "高质量发展密码是“1146810”",
    "全面贯彻党的二十大和二十届二中全会精神",
    "落实省委十三届四次全会暨省委经济工作会议",
    "在“20+8”领域建立工作站，构建“1+11+78”网络",
    "建立粤港澳大湾区“9+2”区域执法协作机制，发行“N+1”证券化项目",
    "5G用户渗透率提升，布局6G",
    "深入开展食品安全“四个最严”攻坚年行动",
    "扎实开展“三会一课”，坚决做到“两个维护”",
    "全市校外配餐企业实现“六个百分百”",
    "首创“五位一体”海外维权体系",
    "市场监管十大任务清单",
    "深入开展安全生产治本攻坚三年行动",
    "落实第一议题等学习制度",
    "建立“四项机制”，开展“五项行动”",
    "第一个“1”是指“作风提升年”，第二个“1”是指实施“强基工程”",
    "一是促进知识产权与科技创新协同发展",
    "（一）着力实施扩大内需战略",
    "(一)毫不动摇坚持和加强党的全面领导",
    "微电影《圳兴》获第五届全国市场监管微电影一等奖",
    "法治政府建设10项主要指标全部达标",
    "聚焦以下8个方面下功夫",
    "获准设立全国首个省市共建经营者集中服务窗口，入选首批湾区标准，首推跨市域通办",
    "坚持把党的政治建设摆在首位",
    "首次整体跻身全国省级监管企业第一方阵",
    "持续开展“一件事”全链条整治，推动“高效办成一件事”",
    "为80岁以上老年人发放高龄津贴",
    "布局一批50万千瓦以上省级大型风光基地",
    "新建22个750千伏变电站",
    "严格执行中央八项规定精神",
    "太原地铁1号线开通运营",
    "积极推进240小时过境免签政策落地",
    "实施一批“小而美”民生项目，完善一系列制度规范",
    "PM2.5浓度持续下降",
    "前三季度经济持续回升",
    "过去五年，5年累计投入巨大，近5年来成效明显",
    "统筹推进五位一体总体布局，协调推进四个全面战略布局",
    "打造15分钟生活圈，提供24小时服务，发行10年期国债",
    "ESI全球前1%学科",
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_not_quantities(text: str) -> None:
    found = [q.surface for q in extract(text) if q.surface not in ("22个",)]
    assert found == []


def test_words_that_only_look_like_comparators() -> None:
    text = "节约5万吨标准煤，附近3公里，连续12个月保持增长，专利质押融资实现翻倍增长。"
    found = [(q.surface, q.value, q.unit, q.comparator, q.change) for q in extract(text)]
    assert found == [
        ("5万吨标准煤", 50_000, "吨标准煤", "=", "decrease"),  # a saving: 节约 is no 约
        ("3公里", 3, "公里", "=", None),
        ("连续12个月", 12, "个月", "=", None),
        ("翻倍增长", 100, "%", "=", "increase"),
    ]


def test_definitions_inside_names_are_not_quantities() -> None:
    text = "新增ESI全球前1‰学科1个、前1%学科24个。"
    assert [q.surface for q in extract(text)] == ["1个", "24个"]


# --- spans and robustness ---------------------------------------------------------------------


def test_a_span_extracts_what_the_whole_text_has_there() -> None:
    text = "全年新增“个转企”3582户。\n新增“个转企”不少于2500户,增长18%。\n"
    whole = extract(text)
    middle = text.index("\n") + 1
    part = extract(text, middle, len(text))
    assert part == [q for q in whole if q.start >= middle]
    assert part[0].surface == "不少于2500户"
    assert extract(text, -5, 10_000) == whole
    assert extract(text, 10, 3) == []


def test_empty_and_odd_inputs() -> None:
    for text in ["", "\n", "。", "第", "1", "一", "万亿", "分别", "、、", "保十冲", "1/0", "0—0个"]:
        for item in extract(text):
            assert text[item.start : item.end] == item.surface


def _check(text: str) -> None:
    for item in extract(text):
        assert 0 <= item.start < item.end <= len(text)
        assert text[item.start : item.end] == item.surface
        assert item.comparator in COMPARATORS
        assert item.commitment in ("committed", "stretch")
        assert item.change in (None, "increase", "decrease")
    assert extract(text) == extract(text)


REPORT_ALPHABET = st.sampled_from(
    list('0123456789０１２.,，。、；;：:%％‰—-~/+“”"《》()（）\n ')
    + list("零〇一二两三四五六七八九十百千万亿第名位年月日个家户元吨亩件项次倍成半")
    + list("超过不少于低近约以上下内左右增长下降提高分别均居全国省首连续保冲争取力争级")
    + ["全国第一", "保十冲五", "百分点", "批次/千人", "一遇", "之", "翻番", "零发生", "PM", "G"]
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text())
def test_any_text_never_raises(text: str) -> None:
    _check(text)


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(REPORT_ALPHABET, max_size=60).map("".join))
def test_report_like_text_never_raises(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(REPORT_ALPHABET, max_size=40).map("".join),
    st.integers(min_value=-5, max_value=50),
    st.integers(min_value=-5, max_value=50),
)
def test_any_span_never_raises(text: str, start: int, end: int) -> None:
    for item in extract(text, start, end):
        assert text[item.start : item.end] == item.surface
        assert max(start, 0) <= item.start and item.end <= max(min(end, len(text)), 0)


def test_quantity_is_frozen() -> None:
    item = extract("超过37万件")[0]
    with pytest.raises(AttributeError):
        item.value = 1.0  # type: ignore[misc]
    assert replace(item, value=1.0).value == 1.0
