"""Tests for policykg.policies: every instrument of the Shenzhen source, hand-checked."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from policykg.policies import PolicyMention, find_policies

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "graphs" / "sources" / "shenzhen-amr-2023-summary-2024-plan.txt"

# Every policy instrument the source names, read line by line (line, title, action, kind).
# Lines 1-42 are the 2023 summary, 44-89 the 2024 plan.
EXPECTED: list[tuple[int, str, str, str]] = [
    (8, "放宽市场准入若干特别措施", "实施", "policy"),
    (13, "27个许可业务标准化指南", "出台", "guide"),
    (14, "特区社会信用条例", "推动出台", "regulation"),
    (16, "高标准建设质量强市实施方案", "出台", "plan"),
    (17, "全国首个智能网联汽车标准", "发布", "standard"),
    (18, "特区计量条例", "修订", "regulation"),
    (18, "45类大湾区碳足迹标识认证产品技术标准和实施规则", "制定", "standard"),
    (25, "校外配餐单位食品安全管理8条措施", "出台", "policy"),
    (27, "全国首个成品油监管地方法规", "出台", "regulation"),
    (31, "推动现代农业高质量发展实施意见和若干措施", "出台实施", "policy"),
    (32, "动物诊疗机构管理规范", "发布", "standard"),
    (32, "禁养烈性犬名单", "修订", "list"),
    (37, "特区消费者权益保护条例", "修订", "regulation"),
    (54, "知识产权强市建设纲领性文件", "出台", "plan"),
    (55, "新领域新业态保护规则", "制定", "standard"),
    (56, "打造全球著名品牌之都三年行动方案", "出台", "plan"),
    (56, "市长质量奖评选规则", "优化", "standard"),
    (59, "公司法", "依照", "law"),
    (60, "预制菜、咖啡厅新业态准入技术要求", "完善", "standard"),
    (60, "养老机构食堂审查技术标准", "制定", "standard"),
    (78, "“圳品”标准", "制修订", "standard"),
    (79, "重大动物疫病年度监测和流行病学调查方案", "制定", "plan"),
    (82, "特区反不正当竞争条例", "立法", "regulation"),
    (82, "特区消保条例", "宣贯", "regulation"),
    (82, "处罚裁量权基准", "统一", "standard"),
    (82, "市场监管轻微违法行为减责清单", "动态调整", "list"),
]

# The evidence of a few mentions, exactly.
EVIDENCE = {
    "高标准建设质量强市实施方案": "出台《高标准建设质量强市实施方案》",
    "全国首个智能网联汽车标准": "全国首个智能网联汽车标准在深发布",
    "特区反不正当竞争条例": "特区反不正当竞争条例等立法",
    "特区消保条例": "特区消保条例等法规宣贯",
    "“圳品”标准": "制修订“圳品”标准",
    "公司法": "依照《公司法》",
}


@pytest.fixture(scope="module")
def text() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def found(text: str) -> list[PolicyMention]:
    return find_policies(text)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def test_source_is_the_89_line_text(text: str) -> None:
    assert len(text.splitlines()) == 89


def test_finds_exactly_the_hand_checked_instruments(text: str, found: list[PolicyMention]) -> None:
    got = Counter((line_of(text, m.title_start), m.title, m.action, m.kind) for m in found)
    assert got == Counter(EXPECTED)


def test_mentions_are_in_text_order(found: list[PolicyMention]) -> None:
    assert [m.title_start for m in found] == sorted(m.title_start for m in found)


def test_every_span_is_exact(text: str, found: list[PolicyMention]) -> None:
    assert found
    for m in found:
        assert text[m.title_start : m.title_end] == m.title
        assert text[m.action_start : m.action_end] == m.action
        assert m.start <= min(m.title_start, m.action_start)
        assert m.end >= max(m.title_end, m.action_end)
        evidence = text[m.start : m.end]
        assert not any(mark in evidence for mark in "。；;，,\n"), evidence
        assert m.title not in ("", m.action)


def test_evidence_spans(text: str, found: list[PolicyMention]) -> None:
    by_title = {m.title: text[m.start : m.end] for m in found}
    for title, evidence in EVIDENCE.items():
        assert by_title[title] == evidence


def test_window_splits_summary_and_plan(text: str) -> None:
    plan_start = text.index("二、2024年工作安排")
    summary = find_policies(text, 0, plan_start)
    plan = find_policies(text, plan_start)
    assert {m.title for m in summary} == {t for line, t, _, _ in EXPECTED if line <= 42}
    assert {m.title for m in plan} == {t for line, t, _, _ in EXPECTED if line >= 44}
    assert all(m.title_start >= plan_start for m in plan)


@pytest.mark.parametrize(
    "fragment",
    [
        "铁拳",  # 深入开展民生领域“铁拳”行动 / 开展“铁拳行动”: campaigns
        "清源",  # 开展“清源”…等重点领域的专项行动
        "首席质量官",  # 积极推行企业首席质量官制度: a system
        "圳兴",  # 微电影《圳兴》: a film
        "地方标准",  # 全年立项地方标准107项: a count
        "国内标准",  # 参与研制国内标准632项: a count
        "湾区标准",  # 入选首批“湾区标准”47项 / 成为湾区标准、国家标准、国际标准
        "治本攻坚",  # 深入开展安全生产治本攻坚三年行动: a campaign
        "强基工程",  # 开展“强基工程”三年行动: a campaign
        "任务清单",  # 10项任务清单: the plan's own task lists
        "制度规范",  # 完善一系列制度规范: unnamed
        "标准体系",  # 推进…等领域标准体系建设
        "地理标志培育名单",  # 2个产品入选…名单: an honour, not an action on an instrument
    ],
)
def test_not_instruments(found: list[PolicyMention], fragment: str) -> None:
    assert not [m.title for m in found if fragment in m.title]


def test_negatives_in_isolation() -> None:
    for sentence in (
        "深入开展民生领域“铁拳”行动,依法查办各类案件1.78万宗。",
        "积极推行企业首席质量官制度。",
        "微电影《圳兴》获第五届全国市场监管微电影一等奖。",
        "全年立项地方标准107项,参与研制国内标准632项、国际标准219项。",
        "深入开展安全生产治本攻坚三年行动。",
    ):
        assert find_policies(sentence) == [], sentence


def test_full_width_punctuation_and_coordinated_actions() -> None:
    # ningxia-2026-government-work-report.txt, line 40.
    sentence = (
        "全面加强民族宗教事务依法治理，提请人大常委会修订自治区促进民族团结进步工作条例、"
        "制定自治区宗教事务条例。"
    )
    found = find_policies(sentence)
    assert [(m.title, m.action, m.kind) for m in found] == [
        ("自治区促进民族团结进步工作条例", "修订", "regulation"),
        ("自治区宗教事务条例", "制定", "regulation"),
    ]
    for m in found:
        assert sentence[m.title_start : m.title_end] == m.title
        assert sentence[m.action_start : m.action_end] == m.action
    assert sentence[found[1].start : found[1].end] == "制定自治区宗教事务条例"


def test_other_report_plan_and_marked_title() -> None:
    # ningxia-2026-government-work-report.txt, lines 25 and 48.
    sentence = (
        "制定实施建设美丽中国先行区方案，组织编制了《宁夏回族自治区国民经济和社会发展"
        "第十五个五年规划纲要（草案）》，提交大会审查。"
    )
    assert [(m.title, m.action, m.kind) for m in find_policies(sentence)] == [
        ("建设美丽中国先行区方案", "制定实施", "plan"),
        ("宁夏回族自治区国民经济和社会发展第十五个五年规划纲要（草案）", "编制", "plan"),
    ]


def test_works_of_art_in_marks_are_not_instruments() -> None:
    # shanxi-2026-government-work-report.txt and ningxia-2026-government-work-report.txt.
    assert find_policies("话剧《右玉》《于成龙》、歌曲《瓷魂》等获国家奖项。《山海情》热播。") == []


def test_marked_titles_share_a_leading_action() -> None:
    sentence = "修订《食品安全条例》、《广告管理办法》。"
    found = find_policies(sentence)
    assert [(m.title, m.action) for m in found] == [
        ("食品安全条例", "修订"),
        ("广告管理办法", "修订"),
    ]
    assert all(m.action_start == 0 for m in found)


def test_bad_window_is_refused() -> None:
    with pytest.raises(ValueError):
        find_policies("出台A方案", 3, 2)
    with pytest.raises(ValueError):
        find_policies("出台A方案", 0, 99)
