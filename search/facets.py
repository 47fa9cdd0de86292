"""View models: what a search page shows beside and below its hits, as plain values.

Vocabulary:

* a **facet** is one way to narrow a search (地区, 年份, 级别, 章节); its
  **options** are the values the current hits have, each with a **count** of
  matching paragraphs, whether it is **selected**, and its **toggle**: the URL
  *parameters* of the same search with that option switched on or off (the
  page number dropped, everything else kept). The web layer turns parameters
  into URLs with ``url_for``; templates only loop and print.
* the **region facet** is a hierarchy: provinces; once a province is chosen,
  its prefectures; once a prefecture is chosen, its counties. Switching a
  level off switches off the levels below it.
* a **pager** is the list of page links around the current page, with gaps.
* the **corpus overview** is what an empty search shows: how many reports
  there are for each province and year, each count a link to those reports.
* a **citation** is the one line a journalist pastes under a quote:
  《标题》，地区，年份（宣读日期），章节，第N段，访问于日期，永久链接; the same
  reference in **GB/T 7714-2015** form (:func:`gbt7714_citation`):
  ``霸州市人民政府. 2021年霸州市政府工作报告[R/OL]. (2021-01-05)[2026-11-26]. URL.``

Everything here is pure Python over :mod:`search.engine` values; nothing
queries the index.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from index.report import LEVEL_LABELS, Region

from .engine import SORTS, FacetCount, SearchPage, SearchRequest
from .query import FILTER_NAMES, MAX_YEAR, MIN_YEAR

__all__ = [
    "year_label",
    "FacetOption",
    "Facet",
    "SortOption",
    "PageLink",
    "Pager",
    "CorpusCell",
    "CorpusRow",
    "CorpusOverview",
    "SORT_LABELS",
    "FACET_LABELS",
    "REGION_FIELDS",
    "build_facets",
    "region_facet",
    "sort_options",
    "build_pager",
    "corpus_overview",
    "citation_text",
    "gbt7714_citation",
    "issuing_body",
    "GBT7714_TYPE",
    "selected_filters",
]

log = logging.getLogger(__name__)

#: Region fields from the top of the hierarchy down; they are also URL parameters.
REGION_FIELDS = ("province", "prefecture", "county")

SORT_LABELS = {"relevance": "相关度", "newest": "最新在前", "oldest": "最早在前", "region": "按地区"}

FACET_LABELS = {
    "region": "地区",
    "province": "省份",
    "prefecture": "地市",
    "county": "区县",
    "year": "年份",
    "level": "级别",
    "section": "章节类别",
}

Params = dict[str, str]


@dataclass(frozen=True)
class FacetOption:
    """One value of a facet: ``params`` are the search's URL parameters with it toggled."""

    value: str
    label: str
    count: int
    selected: bool
    params: Params = field(hash=False, compare=False)
    depth: int = 0


@dataclass(frozen=True)
class Facet:
    """A facet with its options in display order. ``name`` is the URL parameter (or ``region``)."""

    name: str
    label: str
    options: tuple[FacetOption, ...]

    @property
    def selected(self) -> tuple[FacetOption, ...]:
        return tuple(o for o in self.options if o.selected)


@dataclass(frozen=True)
class SortOption:
    value: str
    label: str
    selected: bool
    params: Params = field(hash=False, compare=False)


@dataclass(frozen=True)
class PageLink:
    """A page number (``None`` for a gap shown as …)."""

    number: int | None
    current: bool = False
    params: Params = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Pager:
    current: int
    pages: int
    links: tuple[PageLink, ...]
    prev: Params | None = field(default=None, hash=False, compare=False)
    next: Params | None = field(default=None, hash=False, compare=False)


@dataclass(frozen=True)
class CorpusCell:
    year: int | None
    count: int
    params: Params | None = field(default=None, hash=False, compare=False)


@dataclass(frozen=True)
class CorpusRow:
    """One province (or 全国 / 未知地区): report counts by year."""

    label: str
    cells: tuple[CorpusCell, ...]
    total: int
    params: Params = field(hash=False, compare=False)


@dataclass(frozen=True)
class CorpusOverview:
    years: tuple[int | None, ...]
    rows: tuple[CorpusRow, ...]
    reports: int


# -- toggles ----------------------------------------------------------------------------


def _base_params(request: SearchRequest) -> Params:
    """The request's parameters without the page (a changed filter starts at page 1)."""
    return dict(request.params())


def _with(request: SearchRequest, name: str, value: str) -> Params:
    p = _base_params(request)
    p[name] = value
    if name in REGION_FIELDS:
        for lower in REGION_FIELDS[REGION_FIELDS.index(name) + 1 :]:
            p.pop(lower, None)
    return p


def _without(request: SearchRequest, name: str) -> Params:
    p = _base_params(request)
    p.pop(name, None)
    if name in REGION_FIELDS:
        for lower in REGION_FIELDS[REGION_FIELDS.index(name) + 1 :]:
            p.pop(lower, None)
    return p


def _is_selected(request_value: str | None, value: str) -> bool:
    return bool(request_value) and str(request_value) == value


def _options(request: SearchRequest, name: str, counts: list[FacetCount], depth: int = 0) -> list[FacetOption]:
    current = getattr(request, name)
    out = []
    for fc in counts:
        sel = _is_selected(current, fc.value)
        out.append(FacetOption(
            value=fc.value,
            label=fc.label or fc.value,
            count=fc.count,
            selected=sel,
            params=_without(request, name) if sel else _with(request, name, fc.value),
            depth=depth,
        ))
    # a chosen value the hits no longer have (count 0) stays visible, so it can be switched off;
    # so does a chosen year range (its count: the hits of the years in it, all of them listed)
    if current and not any(o.selected for o in out):
        if name == "year":
            label, count = year_label(current), sum(fc.count for fc in counts)
        else:
            label, count = (LEVEL_LABELS.get(current, current) if name == "level" else str(current)), 0
        out.insert(0, FacetOption(str(current), label, count, True, _without(request, name), depth))
    return out


def region_facet(page: SearchPage) -> Facet:
    """Province → prefecture → county as one facet (see the module docstring)."""
    req, f = page.request, page.facets
    options: list[FacetOption] = []
    provinces = _options(req, "province", f.get("province", []))
    if not req.province:
        options = provinces
    else:
        options += [o for o in provinces if o.selected]
        prefectures = _options(req, "prefecture", f.get("prefecture", []), depth=1)
        if not req.prefecture:
            if prefectures:
                options += prefectures
                # a county picked without a prefecture (a municipality's district) stays visible
                if req.county:
                    options += [o for o in _options(req, "county", f.get("county", []), depth=1) if o.selected]
            else:  # municipalities: districts sit right under the province
                options += _options(req, "county", f.get("county", []), depth=1)
        else:
            options += [o for o in prefectures if o.selected]
            options += _options(req, "county", f.get("county", []), depth=2)
    return Facet("region", FACET_LABELS["region"], tuple(options))


def build_facets(page: SearchPage) -> list[Facet]:
    """The sidebar: region hierarchy, year, level, section category."""
    req, f = page.request, page.facets
    out = [region_facet(page)]
    for name in ("year", "level", "section"):
        out.append(Facet(name, FACET_LABELS[name], tuple(_options(req, name, f.get(name, [])))))
    return out


def year_label(value: str) -> str:
    """How a ``year`` filter reads: ``2021年``, ``2019–2023年``, ``2019年起``, ``2023年及以前``."""
    low, _, high = str(value).partition("-")
    if not high:
        return f"{low}年" if low.isdigit() else str(value)
    if high == str(MAX_YEAR):
        return f"{low}年起"
    if low == str(MIN_YEAR):
        return f"{high}年及以前"
    return f"{low}–{high}年"


def selected_filters(request: SearchRequest) -> list[FacetOption]:
    """The filters in force as removable chips (label, and the parameters without it)."""
    out = []
    for name in FILTER_NAMES:
        v = getattr(request, name)
        if not v:
            continue
        label = LEVEL_LABELS.get(v, v) if name == "level" else (year_label(v) if name == "year" else str(v))
        out.append(FacetOption(str(v), f"{FACET_LABELS[name]}：{label}", 0, True, _without(request, name)))
    return out


def sort_options(request: SearchRequest) -> list[SortOption]:
    out = []
    for s in SORTS:
        p = _base_params(request)
        p.pop("sort", None)
        if s != "relevance":
            p["sort"] = s
        out.append(SortOption(s, SORT_LABELS.get(s, s), request.sort == s, p))
    return out


# -- pages ------------------------------------------------------------------------------


def build_pager(request: SearchRequest, pages: int, window: int = 2) -> Pager:
    """Links to the first, last and nearby pages, with ``None`` for the gaps."""
    pages = max(1, pages)
    cur = min(max(1, request.page), pages)
    base = _base_params(request)

    def params(n: int) -> Params:
        p = dict(base)
        if n > 1:
            p["page"] = str(n)
        return p

    wanted = {1, pages} | set(range(max(1, cur - window), min(pages, cur + window) + 1))
    links: list[PageLink] = []
    last = 0
    for n in sorted(wanted):
        if n - last > 1:
            links.append(PageLink(None))
        links.append(PageLink(n, n == cur, params(n)))
        last = n
    return Pager(
        current=cur,
        pages=pages,
        links=tuple(links),
        prev=params(cur - 1) if cur > 1 else None,
        next=params(cur + 1) if cur < pages else None,
    )


# -- the corpus ---------------------------------------------------------------------------


def _row_key(rec: dict) -> tuple[str, Params]:
    region = rec.get("region") or {}
    level = region.get("level") or "unknown"
    if level == "national":
        return "全国", {"level": "national"}
    if region.get("province"):
        return region["province"], {"province": region["province"]}
    return "未知地区", {"level": "unknown"}


def corpus_overview(reports: list[dict]) -> CorpusOverview:
    """Reports by province and year, from :meth:`search.engine.Engine.reports` records."""
    years_seen: set[int | None] = set()
    table: dict[str, dict[int | None, int]] = {}
    row_params: dict[str, Params] = {}
    for rec in reports:
        label, params = _row_key(rec)
        year = rec.get("year") or None
        years_seen.add(year)
        table.setdefault(label, {})
        table[label][year] = table[label].get(year, 0) + 1
        row_params[label] = params
    years = tuple(sorted((y for y in years_seen if y is not None), reverse=True)) + ((None,) if None in years_seen else ())

    def order(label: str) -> tuple[int, str]:
        return ({"全国": 0, "未知地区": 2}.get(label, 1), label)

    rows = []
    for label in sorted(table, key=order):
        cells = []
        for y in years:
            n = table[label].get(y, 0)
            params = None
            if n and y is not None:
                params = {**row_params[label], "year": str(y)}
            cells.append(CorpusCell(y, n, params))
        rows.append(CorpusRow(label, tuple(cells), sum(table[label].values()), row_params[label]))
    return CorpusOverview(years, tuple(rows), len(reports))


# -- citations --------------------------------------------------------------------------


def citation_text(title: str, region_display: str, year: int | None, section: str, number: int, url: str,
                  *, date: str | None = None, accessed: str | None = None) -> str:
    """《标题》，地区，2021年（2021-01-25），章节，第12段，访问于2026-11-26，URL — unknown fields are left out."""
    parts = [f"《{title}》"]
    if region_display and region_display != "未知地区":
        parts.append(region_display)
    when = f"{year}年" if year else "年份不详"
    parts.append(f"{when}（{date}）" if date else when)
    if section:
        parts.append(section)
    parts.append(f"第{number}段")
    if accessed:
        parts.append(f"访问于{accessed}")
    parts.append(url)
    return "，".join(parts)


#: GB/T 7714-2015 type and carrier: 报告 (R), read online (OL).
GBT7714_TYPE = "R/OL"


def issuing_body(region: Region) -> str | None:
    """The government that issues a region's work report (GB/T 7714's 主要责任者), or None if unknown.

    全国 → 中华人民共和国国务院; 霸州市 → 霸州市人民政府; a 地区 or 盟 → its 行政公署.
    """
    if region.level == "national":
        return "中华人民共和国国务院"
    name = region.county or region.prefecture or region.province
    if not name:
        return None
    return f"{name}行政公署" if name.endswith(("地区", "盟")) else f"{name}人民政府"


def gbt7714_citation(title: str, region: Region, year: int | None, url: str, *,
                     date: str | None = None, accessed: str) -> str:
    """The reference in GB/T 7714-2015 form for an online report (4.1, 电子资源 of a 专著-type work).

    ``主要责任者. 题名[R/OL]. (发布日期)[引用日期]. 获取和访问路径.`` — e.g.
    ``霸州市人民政府. 2021年霸州市政府工作报告[R/OL]. (2021-01-05)[2026-11-26]. https://…/p/….``
    The delivery date stands as the publication date; the year alone when the date is unknown.
    """
    body = issuing_body(region)
    published = date or (str(year) if year else "")
    head = f"{body}. " if body else ""
    when = f"({published})" if published else ""
    return f"{head}{title}[{GBT7714_TYPE}]. {when}[{accessed}]. {url}."

