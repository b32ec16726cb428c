"""The organisations a plan names, and where and in what role it names them.

The lexicon (``ontology/curated/units.yaml``) lists each organisation with the exact strings
(*forms*) the text uses for it. :func:`find_units` finds every form in a text, longest match
first and without overlaps, and reads the role a clause gives the actor from the verb that
governs it (:data:`ROLE_VERBS`): 支持河套建立… makes 河套 *supported*, 发挥…窗口作用 makes the
window *leveraged*, 在各监管所设立… makes the offices a *site*.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

__all__ = ["ROLE_VERBS", "Unit", "UnitMention", "find_units", "load_lexicon"]

_DEFAULT_LEXICON = Path(__file__).resolve().parents[2] / "ontology" / "curated" / "units.yaml"

_KINDS = frozenset({"organization", "unit"})

ROLE_VERBS: Mapping[str, str] = MappingProxyType(
    {
        "支持": "supported",  # 支持河套建立…
        "推动": "urged",  # 推动各区成立…
        "鼓励": "encouraged",  # 鼓励检验检测机构…
        "发挥": "leveraged",  # 发挥省局经营者集中深圳窗口作用
        "加强": "regulated",  # 加强检验检测机构和人员管理
        "设立": "site",  # 在各监管所设立…
        "建立": "site",  # 在…建立…
        "落实": "instructed",  # 落实局党组意识形态责任制
        "压实": "instructed",  # 压实…责任
        "联合": "cooperating",  # 联合公安机关查获…
        "合作": "cooperating",  # 与…合作
    }
)
"""Verb → role (a ``pk:Role`` local name) for the actors a clause names."""

_SLUG = re.compile(
    r"""
    \A [a-z0-9]+ (?: -[a-z0-9]+ )* \Z   # lower-case ASCII words joined by hyphens
    """,
    re.VERBOSE,
)

_CLAUSE_BREAK = re.compile(
    r"""
      [。；]    # full-width full stop, semicolon
    | [;,]      # ASCII semicolon, comma (this text writes its commas in ASCII)
    | ，        # full-width comma
    | \n        # a line ends every paragraph
    """,
    re.VERBOSE,
)

# Role frames: what must stand between the clause start and the mention (`before`, matched at
# the end of that text), and what must follow the mention in the clause (`after`), if anything.
# The frame's `verb` group is the role verb as written.

_SITE_BEFORE = re.compile(
    r"""
    在 (?: 各 | 全部 )? \Z   # 在各监管所…: the preposition right before the place
    """,
    re.VERBOSE,
)
_SITE_AFTER = re.compile(
    r"""
    \A (?P<verb> 设立 | 建立 )   # …设立/建立: something is set up right there
    """,
    re.VERBOSE,
)

_LEVERAGED_BEFORE = re.compile(
    r"""
    (?P<verb> 发挥 ) \Z   # 发挥省局经营者集中深圳窗口作用: the actor's role is put to use
    """,
    re.VERBOSE,
)
_LEVERAGED_AFTER = re.compile(
    r"""
    作用   # …作用 closes the frame
    """,
    re.VERBOSE,
)

_REGULATED_BEFORE = re.compile(
    r"""
    (?P<verb> 加强 )
    对? \Z   # 加强对…的监管 as well as 加强…管理
    """,
    re.VERBOSE,
)
_REGULATED_AFTER = re.compile(
    r"""
      管理   # 加强检验检测机构和人员管理
    | 监管   # 加强对…的监管
    """,
    re.VERBOSE,
)

_INSTRUCTED_BEFORE = re.compile(
    r"""
    (?P<verb>
        落实   # 落实局党组意识形态责任制: the actor's own responsibility is to be carried out
      | 压实   # 压实…责任
    ) \Z
    """,
    re.VERBOSE,
)
_INSTRUCTED_AFTER = re.compile(
    r"""
    责任   # only a responsibility of the actor makes it instructed (not 落实省委…精神)
    """,
    re.VERBOSE,
)

_WITH_BEFORE = re.compile(
    r"""
    与 \Z   # 与…合作: a partner of the bureau
    """,
    re.VERBOSE,
)
_WITH_AFTER = re.compile(
    r"""
    (?P<verb>
        合作   # 与…合作
      | 联合   # 与…联合监管
    )
    """,
    re.VERBOSE,
)

_OBJECT_BEFORE = re.compile(
    r"""
    (?P<verb>
        支持   # 支持前海继续建立…
      | 推动   # 推动国家药监局…分中心发挥更大作用
      | 鼓励   # 鼓励检验检测机构联合…
      | 联合   # 联合公安机关查获…; 联合科研机构…
    )
    (?: 更多 | 各 )? \Z   # a quantifier before the object: 推动更多基层监管所…
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Frame:
    before: re.Pattern[str]
    after: re.Pattern[str] | None


# Tried in order; the first frame that fits gives the role.
_ROLE_FRAMES: tuple[_Frame, ...] = (
    _Frame(_SITE_BEFORE, _SITE_AFTER),
    _Frame(_LEVERAGED_BEFORE, _LEVERAGED_AFTER),
    _Frame(_REGULATED_BEFORE, _REGULATED_AFTER),
    _Frame(_INSTRUCTED_BEFORE, _INSTRUCTED_AFTER),
    _Frame(_WITH_BEFORE, _WITH_AFTER),
    _Frame(_OBJECT_BEFORE, None),
)


@dataclass(frozen=True)
class Unit:
    """One organisation of the lexicon.

    ``forms`` are the exact strings the text uses for it; ``not_in`` are longer strings of the
    text that contain a form but do not name the unit (前海 in 前海版权公共服务平台).
    """

    id: str
    zh: str
    forms: tuple[str, ...]
    kind: str
    unit_of: str | None
    en: str
    not_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitMention:
    """One place the text names a unit: ``text[start:end]`` is one of its forms."""

    unit_id: str
    start: int
    end: int
    role: str | None
    role_text: str | None


def _entry_name(index: int, raw: Any) -> str:
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        return f"entry {index} (id {raw['id']!r})"
    return f"entry {index}"


def _strings(value: Any, field: str, name: str, *, required: bool) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if (
        not isinstance(value, list)
        or (required and not value)
        or not all(isinstance(v, str) and v for v in value)
    ):
        raise ValueError(f"units lexicon {name}: {field} must be a list of non-empty strings")
    if len(set(value)) != len(value):
        raise ValueError(f"units lexicon {name}: {field} repeats a string")
    return tuple(value)


_FIELDS = frozenset({"id", "zh", "forms", "kind", "unit_of", "en", "not_in"})
_REQUIRED = _FIELDS - {"not_in"}


def _parse_entry(index: int, raw: Any) -> Unit:
    name = _entry_name(index, raw)
    if not isinstance(raw, Mapping):
        raise ValueError(f"units lexicon {name}: not a mapping")
    missing = sorted(_REQUIRED - raw.keys())
    unknown = sorted(str(k) for k in raw.keys() - _FIELDS)
    if missing or unknown:
        raise ValueError(
            f"units lexicon {name}: missing fields {missing}, unknown fields {unknown}"
        )
    unit_id, zh, kind, unit_of, en = (raw[k] for k in ("id", "zh", "kind", "unit_of", "en"))
    if not isinstance(unit_id, str) or not _SLUG.match(unit_id):
        raise ValueError(f"units lexicon {name}: id must be an ASCII slug like 'district-bureaus'")
    if not isinstance(zh, str) or not zh or not isinstance(en, str) or not en:
        raise ValueError(f"units lexicon {name}: zh and en must be non-empty strings")
    if kind not in _KINDS:
        raise ValueError(f"units lexicon {name}: kind {kind!r} is not one of {sorted(_KINDS)}")
    if kind == "unit" and not isinstance(unit_of, str):
        raise ValueError(f"units lexicon {name}: a unit needs unit_of, the id of its parent")
    if kind == "organization" and unit_of is not None:
        raise ValueError(f"units lexicon {name}: an organization has unit_of null")
    forms = _strings(raw["forms"], "forms", name, required=True)
    not_in = _strings(raw.get("not_in"), "not_in", name, required=False)
    for longer in not_in:
        if not any(form in longer and form != longer for form in forms):
            raise ValueError(f"units lexicon {name}: not_in {longer!r} contains none of its forms")
    return Unit(unit_id, zh, forms, kind, unit_of, en, not_in)


def load_lexicon(path: Path | None = None) -> tuple[Unit, ...]:
    """Read and check the units lexicon (default: ``ontology/curated/units.yaml``).

    Raises :class:`ValueError` naming the entry when an id is repeated or malformed, a
    ``unit_of`` names no entry (or loops), a kind is unknown, or a form belongs to two units.
    """
    source = _DEFAULT_LEXICON if path is None else path
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping) or not isinstance(data.get("units"), list):
        raise ValueError(f"units lexicon {source}: expected a mapping with a list 'units'")
    units = tuple(_parse_entry(i, raw) for i, raw in enumerate(data["units"], start=1))
    by_id: dict[str, Unit] = {}
    owner: dict[str, str] = {}
    for index, unit in enumerate(units, start=1):
        name = f"entry {index} (id {unit.id!r})"
        if unit.id in by_id:
            raise ValueError(f"units lexicon {name}: duplicate id")
        by_id[unit.id] = unit
        for form in unit.forms:
            if form in owner:
                raise ValueError(f"units lexicon {name}: form {form!r} is also {owner[form]!r}'s")
            owner[form] = unit.id
    for index, unit in enumerate(units, start=1):
        seen = {unit.id}
        parent = unit.unit_of
        while parent is not None:
            if parent not in by_id:
                name = f"entry {index} (id {unit.id!r})"
                raise ValueError(f"units lexicon {name}: unit_of {parent!r} is no known id")
            if parent in seen:
                name = f"entry {index} (id {unit.id!r})"
                raise ValueError(f"units lexicon {name}: unit_of loops back through {parent!r}")
            seen.add(parent)
            parent = by_id[parent].unit_of
    return units


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The clause text before ``text[start:end]`` and after it."""
    head = text[:start]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(head)]
    left = breaks[-1] if breaks else 0
    tail = _CLAUSE_BREAK.search(text, end)
    right = tail.start() if tail else len(text)
    return text[left:start], text[end:right]


def _role(text: str, start: int, end: int) -> tuple[str | None, str | None]:
    before, after = _clause(text, start, end)
    for frame in _ROLE_FRAMES:
        head = frame.before.search(before)
        if head is None:
            continue
        tail = None
        if frame.after is not None:
            tail = frame.after.search(after)
            if tail is None:
                continue
        verb = head.groupdict().get("verb") or (tail.groupdict().get("verb") if tail else None)
        if verb is None:
            continue
        return ROLE_VERBS[verb], verb
    return None, None


def find_units(
    text: str, lexicon: Sequence[Unit], start: int = 0, end: int | None = None
) -> list[UnitMention]:
    """Every mention of a lexicon unit in ``text[start:end]``, in text order.

    Longer strings win (国家药监局 inside a longer name is the longer unit only); a unit's
    ``not_in`` strings take their place without a mention. Offsets index ``text``; a mention's
    role is read from its clause, which may begin before ``start``.

    >>> police = Unit("police", "公安机关", ("公安机关", "公安"), "organization", None, "police")
    >>> for m in find_units("联合公安机关查获假冒化妆品案,移送公安3宗。", [police]):
    ...     print(m.unit_id, m.start, m.end, m.role, m.role_text)
    police 2 6 cooperating 联合
    police 17 19 None None
    """
    stop = len(text) if end is None else end
    candidates: dict[str, str | None] = {}
    for unit in lexicon:
        for longer in unit.not_in:
            candidates.setdefault(longer, None)
        for form in unit.forms:
            candidates[form] = unit.id
    hits: list[tuple[int, int, str | None]] = []
    for string, unit_id in candidates.items():
        at = text.find(string, start, stop)
        while at != -1:
            hits.append((at, at + len(string), unit_id))
            at = text.find(string, at + 1, stop)
    hits.sort(key=lambda hit: (hit[0] - hit[1], hit[0]))
    taken: list[tuple[int, int, str | None]] = []
    for hit in hits:
        if all(hit[1] <= other[0] or other[1] <= hit[0] for other in taken):
            taken.append(hit)
    mentions = []
    for begin, finish, unit_id in sorted(taken):
        if unit_id is None:
            continue
        role, role_text = _role(text, begin, finish)
        mentions.append(UnitMention(unit_id, begin, finish, role, role_text))
    return mentions
