"""The units lexicon and the mentions of units in the Shenzhen AMR report."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from policykg.units import ROLE_VERBS, Unit, UnitMention, find_units, load_lexicon

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "graphs" / "sources" / "shenzhen-amr-2023-summary-2024-plan.txt"
LEXICON = ROOT / "ontology" / "curated" / "units.yaml"
BUREAU_NAME = "深圳市市场监督管理局"  # the issuer: the text never spells its name out

# Every mention in part 二 (lines 44-89), checked by hand against the text:
# (line, form as written, unit id, role, role verb).
PART_TWO: list[tuple[int, str, str, str | None, str | None]] = [
    # 落实省委十三届四次全会暨省委经济工作会议,市委七届八次全会暨市委经济工作会议精神
    (44, "省委", "gd-party-committee", None, None),
    (44, "省委", "gd-party-committee", None, None),
    (44, "市委", "sz-party-committee", None, None),
    (44, "市委", "sz-party-committee", None, None),
    # 经局党组研究决定,明确2024年为全市市场监管系统的作风提升年
    (45, "局党组", "bureau-party-group", None, None),
    (45, "全市市场监管系统", "bureau", None, None),
    (46, "深圳市场监管系统", "bureau", None, None),
    (50, "全局系统", "bureau", None, None),
    # 加快建设海外知识产权纠纷应对指导深圳分中心
    (55, "海外知识产权纠纷应对指导深圳分中心", "overseas-ip-dispute-centre-sz", None, None),
    # 鼓励检验检测机构联合科研机构、上下游企业开展…攻关
    (56, "检验检测机构", "testing-bodies", "encouraged", "鼓励"),
    (56, "科研机构", "research-institutions", "cooperating", "联合"),
    # 推动各区成立街道“小个专”党委: the districts are urged; the committees are to be set up
    (62, "各区", "districts", "urged", "推动"),
    (62, "街道“小个专”党委", "subdistrict-sme-party-committees", None, None),
    # 发挥省局经营者集中深圳窗口作用
    (64, "省局经营者集中深圳窗口", "merger-review-window", "leveraged", "发挥"),
    # 理顺市区监管所三级执法权责
    (68, "监管所", "supervision-offices", None, None),
    # 全面落实“双区”、综改、前海、河套涉及市场监管各项任务: tasks concerning the zones
    (69, "前海", "qianhai", None, None),
    (69, "河套", "hetao", None, None),
    (69, "河套", "hetao", "supported", "支持"),
    (69, "前海", "qianhai", "supported", "支持"),
    (69, "国家药监局药品和医疗器械大湾区两个分中心", "nmpa-gba-centres", "urged", "推动"),
    # 纳入国家创新产品和省药监局“三重”政策支持范围
    (73, "省药监局", "gd-mpa", None, None),
    # 加强检验检测机构和人员管理
    (75, "检验检测机构", "testing-bodies", "regulated", "加强"),
    # 全面推进在各监管所设立“接诉即办”一站式服务窗口
    (76, "监管所", "supervision-offices", "site", "设立"),
    # 落实局党组意识形态责任制: the party group's own responsibility system
    (89, "局党组", "bureau-party-group", "instructed", "落实"),
    # 推动更多基层监管所跻身“五星所”“四星所”行列
    (89, "基层监管所", "supervision-offices", "urged", "推动"),
]


@pytest.fixture(scope="module")
def text() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def lexicon() -> tuple[Unit, ...]:
    return load_lexicon()


def line_start(text: str, number: int) -> int:
    """Offset of the first character of 1-based line ``number``."""
    lines = text.splitlines(keepends=True)
    return sum(len(line) for line in lines[: number - 1])


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def test_default_lexicon_is_the_curated_file(lexicon: tuple[Unit, ...]) -> None:
    assert lexicon == load_lexicon(LEXICON)
    assert lexicon  # the loops below see entries


def test_part_two_mentions_exactly(text: str, lexicon: tuple[Unit, ...]) -> None:
    start = line_start(text, 44)
    assert text[start:].startswith("2024年市场监管工作的总体思路")
    found = [
        (line_of(text, m.start), text[m.start : m.end], m.unit_id, m.role, m.role_text)
        for m in find_units(text, lexicon, start)
    ]
    assert found == PART_TWO


def test_spans_are_forms_of_their_unit(text: str, lexicon: tuple[Unit, ...]) -> None:
    by_id = {unit.id: unit for unit in lexicon}
    mentions = find_units(text, lexicon)
    assert len(mentions) == 70
    for mention in mentions:
        assert text[mention.start : mention.end] in by_id[mention.unit_id].forms
    spans = [(m.start, m.end) for m in mentions]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_roles_come_from_the_table(text: str, lexicon: tuple[Unit, ...]) -> None:
    roles = [m for m in find_units(text, lexicon) if m.role is not None]
    assert roles
    for mention in roles:
        assert mention.role_text is not None
        assert ROLE_VERBS[mention.role_text] == mention.role


def test_every_form_occurs_in_the_source(text: str, lexicon: tuple[Unit, ...]) -> None:
    for unit in lexicon:
        for form in unit.forms:
            if form == BUREAU_NAME:
                continue
            assert form in text, (unit.id, form)
        for longer in unit.not_in:
            assert longer in text, (unit.id, longer)


def test_the_bureau_is_the_issuer(lexicon: tuple[Unit, ...]) -> None:
    bureau = next(unit for unit in lexicon if unit.id == "bureau")
    assert (bureau.zh, bureau.kind, bureau.unit_of) == (BUREAU_NAME, "organization", None)
    assert "全局系统" in bureau.forms
    units_of_bureau = {unit.id for unit in lexicon if unit.unit_of == "bureau"}
    assert {"bureau-party-group", "district-bureaus"} <= units_of_bureau


def test_longest_match_wins(text: str, lexicon: tuple[Unit, ...]) -> None:
    mentions = find_units(text, lexicon)
    by_form = {text[m.start : m.end]: m.unit_id for m in mentions}
    assert by_form["国家药监局大湾区两个分中心"] == "nmpa-gba-centres"
    assert by_form["国家药监局药品和医疗器械大湾区两个分中心"] == "nmpa-gba-centres"
    assert by_form["国家药监局"] == "nmpa"
    assert [m.unit_id for m in mentions].count("nmpa") == 1  # 获国家药监局备案 only
    assert "gd-amr" not in {m.unit_id for m in mentions}  # 省局 only inside the window's name
    assert by_form["基层监管所"] == "supervision-offices"


def test_no_qianhai_inside_the_copyright_platform(text: str, lexicon: tuple[Unit, ...]) -> None:
    platform = text.index("前海版权公共服务平台")
    hetao_app = text.index("河套e站通")
    mentions = find_units(text, lexicon)
    assert not [m for m in mentions if platform <= m.start < platform + 10]
    assert not [m for m in mentions if hetao_app <= m.start < hetao_app + 5]
    assert [line_of(text, m.start) for m in mentions if m.unit_id == "qianhai"] == [9, 69, 69]
    assert [line_of(text, m.start) for m in mentions if m.unit_id == "hetao"] == [9, 69, 69]


def test_party_group_not_inside_party_organisations(text: str, lexicon: tuple[Unit, ...]) -> None:
    found = [
        (line_of(text, m.start), text[m.start : m.end])
        for m in find_units(text, lexicon)
        if m.unit_id == "bureau-party-group"
    ]
    assert found == [(41, "党组"), (45, "局党组"), (89, "局党组")]


def test_start_and_end_bound_the_search(text: str, lexicon: tuple[Unit, ...]) -> None:
    start, end = line_start(text, 69), line_start(text, 70)
    found = find_units(text, lexicon, start, end)
    assert [m.unit_id for m in found] == [
        "qianhai",
        "hetao",
        "hetao",
        "qianhai",
        "nmpa-gba-centres",
    ]
    assert all(start <= m.start and m.end <= end for m in found)
    assert found[0] == UnitMention("qianhai", found[0].start, found[0].start + 2, None, None)


LEXICON_HEAD = """\
units:
  - id: bureau
    zh: 深圳市市场监督管理局
    forms: [深圳市市场监督管理局]
    kind: organization
    unit_of: null
    en: Shenzhen Administration for Market Regulation
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "units.yaml"
    path.write_text(LEXICON_HEAD + body, encoding="utf-8")
    return path


def test_a_good_small_lexicon_loads(tmp_path: Path) -> None:
    body = """\
  - id: district-bureaus
    zh: 辖区局
    forms: [辖区局]
    kind: unit
    unit_of: bureau
    en: district bureaus
"""
    units = load_lexicon(write(tmp_path, body))
    assert units[1] == Unit(
        "district-bureaus", "辖区局", ("辖区局",), "unit", "bureau", "district bureaus"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            """\
  - id: bureau
    zh: 局
    forms: [局]
    kind: organization
    unit_of: null
    en: again
""",
            r"entry 2 \(id 'bureau'\): duplicate id",
            id="duplicate-id",
        ),
        pytest.param(
            """\
  - id: district-bureaus
    zh: 辖区局
    forms: [辖区局]
    kind: unit
    unit_of: city-bureau
    en: district bureaus
""",
            r"entry 2 \(id 'district-bureaus'\): unit_of 'city-bureau' is no known id",
            id="unknown-unit-of",
        ),
        pytest.param(
            """\
  - id: district-bureaus
    zh: 辖区局
    forms: [辖区局]
    kind: branch
    unit_of: bureau
    en: district bureaus
""",
            r"entry 2 \(id 'district-bureaus'\): kind 'branch'",
            id="unknown-kind",
        ),
        pytest.param(
            """\
  - id: District Bureaus
    zh: 辖区局
    forms: [辖区局]
    kind: unit
    unit_of: bureau
    en: district bureaus
""",
            r"entry 2 \(id 'District Bureaus'\): id must be an ASCII slug",
            id="bad-slug",
        ),
        pytest.param(
            """\
  - id: party-group
    zh: 局党组
    forms: [深圳市市场监督管理局]
    kind: unit
    unit_of: bureau
    en: party group
""",
            r"entry 2 \(id 'party-group'\): form '深圳市市场监督管理局' is also 'bureau'",
            id="shared-form",
        ),
        pytest.param(
            """\
  - id: qianhai
    zh: 前海
    forms: [前海]
    not_in: [河套e站通]
    kind: organization
    unit_of: null
    en: Qianhai
""",
            r"entry 2 \(id 'qianhai'\): not_in '河套e站通' contains none of its forms",
            id="not-in-without-form",
        ),
        pytest.param(
            """\
  - id: qianhai
    zh: 前海
    forms: [前海]
    kind: organization
    unit_of: null
""",
            r"entry 2 \(id 'qianhai'\): missing fields \['en'\]",
            id="missing-field",
        ),
    ],
)
def test_a_bad_lexicon_names_the_entry(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_lexicon(write(tmp_path, body))


def test_a_unit_of_loop_is_refused(tmp_path: Path) -> None:
    body = """\
  - id: a
    zh: 甲
    forms: [甲]
    kind: unit
    unit_of: b
    en: a
  - id: b
    zh: 乙
    forms: [乙]
    kind: unit
    unit_of: a
    en: b
"""
    with pytest.raises(ValueError, match=r"entry 2 \(id 'a'\): unit_of loops back"):
        load_lexicon(write(tmp_path, body))
