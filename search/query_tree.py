"""The query tree: what a parsed query is made of, and the filters it may hold.

Vocabulary (the query language itself is described in :mod:`search.query`):

* a **node** of the tree is a :class:`Phrase` (matched exactly), a
  :class:`Filter` (``field:value``), or an :class:`And`, :class:`Or` or
  :class:`Not` of nodes.
* the **filter fields** (:data:`FILTER_NAMES`) are defined here once; their
  Chinese and English spellings in the query language are :data:`FILTER_FIELDS`.
  A filter's value is made *canonical* (:func:`canonical_filter`): a year or a
  range of years, a level (:func:`level_name`), a section category; region
  names are resolved later, against the index.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.report import SECTION_CATEGORIES

__all__ = [
    "QueryError",
    "Node",
    "Phrase",
    "Filter",
    "And",
    "Or",
    "Not",
    "FILTER_FIELDS",
    "FILTER_NAMES",
    "LEVEL_ALIASES",
    "MIN_YEAR",
    "MAX_YEAR",
    "canonical_filter",
    "level_name",
    "parse_year_range",
    "phrases_of",
]


class QueryError(ValueError):
    """The query cannot be understood. ``message`` is Chinese; ``position`` a 0-based offset or None."""

    def __init__(self, message: str, position: int | None = None):
        self.message = message
        self.position = position
        where = f"（第 {position + 1} 个字符处）" if position is not None else ""
        super().__init__(message + where)


#: The filter fields, in the order forms and answers list them: each is a URL parameter, a field of
#: :class:`search.engine.SearchRequest` and a ``name:value`` of the query language. Every other list of
#: filters (the engine's, the web's parameters, the OpenAPI document) is derived from this one.
FILTER_NAMES = ("province", "prefecture", "county", "year", "level", "section")

#: Filter names → canonical field (one of :data:`FILTER_NAMES`). Canonical names are the URL parameters too.
FILTER_FIELDS = {
    "province": "province", "省": "province", "省份": "province",
    "prefecture": "prefecture", "city": "prefecture", "市": "prefecture", "地市": "prefecture",
    "county": "county", "县": "county", "区县": "county",
    "year": "year", "年": "year", "年份": "year",
    "level": "level", "级别": "level", "层级": "level",
    "section": "section", "章节": "section", "部分": "section",
}

#: The words a level filter accepts, each with the level it names.
LEVEL_ALIASES = {
    "national": "national", "全国": "national", "国家": "national", "中央": "national",
    "province": "province", "省": "province", "省级": "province",
    "prefecture": "prefecture", "city": "prefecture", "市": "prefecture", "地级": "prefecture", "市级": "prefecture",
    "county": "county", "县": "county", "县级": "county", "区县": "county",
    "unknown": "unknown", "未知": "unknown",
}

MIN_YEAR, MAX_YEAR = 1949, 2100


@dataclass(frozen=True)
class Node:
    """Base of the query tree."""


@dataclass(frozen=True)
class Phrase(Node):
    """An exact phrase (as typed; the engine folds it)."""

    text: str


@dataclass(frozen=True)
class Filter(Node):
    """A metadata filter. ``value`` is canonical: a name, a level, a section, or ``(y1, y2)`` for year."""

    field: str
    value: object


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not(Node):
    child: Node


def parse_year_range(value: str, position: int | None = None) -> tuple[int, int]:
    """``2021`` → (2021, 2021); ``2019-2023`` → (2019, 2023). Raises :class:`QueryError`."""
    v = value.strip().translate({0xFF0D: "-", 0x2013: "-", 0x2014: "-", 0xFF5E: "-", 0x7E: "-", 0x81F3: "-"})
    v = v.translate({o: chr(o - 0xFEE0) for o in range(0xFF10, 0xFF1A)})
    m = re.fullmatch(r"(\d{4})(?:\s*-\s*(\d{4}))?", v)
    if not m:
        raise QueryError(f"年份“{value}”无法识别：请写成 2021 或 2019-2023", position)
    y1 = int(m.group(1))
    y2 = int(m.group(2) or y1)
    for y in (y1, y2):
        if not MIN_YEAR <= y <= MAX_YEAR:
            raise QueryError(f"年份 {y} 超出范围（{MIN_YEAR}–{MAX_YEAR}）", position)
    if y2 < y1:
        raise QueryError(f"年份范围 {y1}-{y2} 前后颠倒，应写成 {y2}-{y1}", position)
    return (y1, y2)


def level_name(value: str) -> str | None:
    """The level (national, province, prefecture, county, unknown) a word names (省级, county…), or None."""
    return LEVEL_ALIASES.get(value.lower()) or LEVEL_ALIASES.get(value)


def canonical_filter(field: str, value: str, position: int | None = None) -> Filter:
    """Validate one filter's value (names are resolved later, by the engine)."""
    value = value.strip()
    if not value:
        raise QueryError(f"筛选条件 {field}: 后面缺少值", position)
    if field == "year":
        return Filter("year", parse_year_range(value, position))
    if field == "level":
        level = level_name(value)
        if level is None:
            raise QueryError(
                f"级别“{value}”无法识别：可用 national/全国、province/省级、prefecture/地级、county/县级", position
            )
        return Filter("level", level)
    if field == "section":
        matches = [c for c in SECTION_CATEGORIES if value in c or c in value]
        if len(matches) != 1:
            raise QueryError(f"章节“{value}”无法识别：可用 {'、'.join(SECTION_CATEGORIES)}", position)
        return Filter("section", matches[0])
    return Filter(field, value)


def phrases_of(node: Node | None, *, negated: bool = False) -> list[str]:
    """The phrases a hit must or may contain (not the excluded ones), for ranking and snippets."""
    if node is None:
        return []
    if isinstance(node, Phrase):
        return [] if negated else [node.text]
    if isinstance(node, Not):
        return phrases_of(node.child, negated=not negated)
    if isinstance(node, (And, Or)):
        out: list[str] = []
        for c in node.children:
            out += phrases_of(c, negated=negated)
        return out
    return []
