"""What a search answers: the request, its hits, facet counts, pages and report groups.

Vocabulary:

* a **request** (:class:`SearchRequest`) is what a user asked: query text,
  filters, sort, page. Filters here are ANDed with the filters in the query.
* a **hit** (:class:`Hit`) is one matching paragraph: its
  :class:`search.records.Passage`, a snippet with the query marked, a score.
* a **facet count** (:class:`FacetCount`) is how many hits have one value of a
  filter field (province, prefecture, county, level, section category, year);
  a facet's counts, most first, are a :class:`FacetCounts` sequence.
* a **page** (:class:`SearchPage`) is one page of hits in the sort order; with
  ``group`` the page holds **report groups** (:class:`ReportGroup`): the best
  few hits of each report, reports ordered by their best hit.

The functions here turn sorted rows of a :class:`search.snapshot.Snapshot`
into these values; :mod:`search.engine` calls them.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.report import LEVEL_LABELS, SECTION_CATEGORIES

from .query import FILTER_NAMES
from .records import OfPassage, Passage, ReportRecord
from .snapshot import Snapshot
from .snippets import make_snippet

__all__ = [
    "SearchRequest",
    "SearchPage",
    "Hit",
    "ReportGroup",
    "FacetCount",
    "FacetCounts",
    "SORTS",
    "MAX_PER_PAGE",
    "facet_counts",
    "hit_at",
    "page_of",
]

log = logging.getLogger(__name__)

SORTS = ("relevance", "newest", "oldest", "region")
MAX_PER_PAGE = 1000


@dataclass(frozen=True)
class SearchRequest:
    """What a user asked for. Filters here are ANDed with filters in ``q``."""

    q: str = ""
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    year: str | None = None
    level: str | None = None
    section: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    group: bool = False
    report_id: str | None = None

    def params(self) -> dict[str, str]:
        """The request as URL parameters (empty values left out)."""
        out = {}
        for k in ("q",) + FILTER_NAMES:
            v = getattr(self, k)
            if v:
                out[k] = str(v)
        if self.sort != "relevance":
            out["sort"] = self.sort
        return out


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    label: str = ""


class FacetCounts(Sequence[FacetCount]):
    """A facet's counts in display order, each :class:`FacetCount` made only when read.

    A common word's hits lie in some 2,800 counties, and making their counts
    took 2 ms of every such search (pyinstrument, 100M characters), while a page
    without a province chosen shows only the provinces. This keeps the sorted
    codes and counts as arrays and the facet's ``labels`` (a code's value and
    label are both ``labels[code]``).
    """

    __slots__ = ("_labels", "_codes", "_counts")

    def __init__(self, labels: Sequence[str], codes: np.ndarray, counts: np.ndarray) -> None:
        self._labels, self._codes, self._counts = labels, codes, counts

    def __len__(self) -> int:
        return len(self._codes)

    def _at(self, code: int, count: int) -> FacetCount:
        label = self._labels[code]
        return FacetCount(label, count, label)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._at(c, n) for c, n in zip(self._codes[i].tolist(), self._counts[i].tolist())]
        return self._at(int(self._codes[i]), int(self._counts[i]))

    def __iter__(self) -> Iterator[FacetCount]:
        return (self._at(c, n) for c, n in zip(self._codes.tolist(), self._counts.tolist()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (FacetCounts, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # mutable arrays inside: not a dict key

    def __repr__(self) -> str:
        return f"FacetCounts({list(self)!r})"


@dataclass(frozen=True)
class Hit(OfPassage):
    """One matching paragraph, with what a reader needs to judge and cite it."""

    passage: Passage
    snippet_html: str
    score: float = 0.0
    ocr_confidence: float | None = None  # read from a page image by OCR, with the engine's confidence

    def as_dict(self, url: str = "") -> dict:
        return {
            **self.passage.as_dict(_HIT_PASSAGE_KEYS),
            "snippet_html": self.snippet_html,
            "text": self.text,
            "ocr_confidence": self.ocr_confidence,
            "url": url,
        }


_HIT_PASSAGE_KEYS = ("report_id", "paragraph_id", "number", "title", "region", "year", "section", "section_category")


@dataclass(frozen=True)
class ReportGroup:
    """The hits of one report: the best few, and how many more there are."""

    record: ReportRecord
    hits: tuple[Hit, ...]
    total: int

    report_id = property(lambda self: self.record.report_id)
    title = property(lambda self: self.record.title)
    region = property(lambda self: self.record.region)
    year = property(lambda self: self.record.year)

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


@dataclass
class SearchPage:
    """The answer to a :class:`SearchRequest`."""

    request: SearchRequest
    total: int
    reports_total: int
    hits: list[Hit]
    groups: list[ReportGroup]
    facets: dict[str, Sequence[FacetCount]]
    years: list[tuple[int, int]]
    took_ms: float
    phrases: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        unit = self.reports_total if self.request.group else self.total
        return max(1, math.ceil(unit / self.request.per_page))

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        """The JSON shape shared by ``baogao search --json`` and ``/api/search``."""
        return {
            "query": self.request.q,
            "total": self.total,
            "reports_total": self.reports_total,
            "page": self.request.page,
            "per_page": self.request.per_page,
            "hits": [h.as_dict(url_for_paragraph(h.paragraph_id)) for h in self.hits],
            "facets": {k: [{"value": f.value, "count": f.count} for f in v] for k, v in self.facets.items()},
            "years": [{"year": y, "count": c} for y, c in self.years],
            "took_ms": round(self.took_ms, 2),
            "notices": self.notices,
        }


def facet_counts(snap: Snapshot, hits: np.ndarray, per_report: np.ndarray | None = None
                 ) -> tuple[dict[str, Sequence[FacetCount]], list[tuple[int, int]]]:
    """The facet counts of the rows ``hits`` (by filter name), and (year, paragraphs) for the years chart.

    ``per_report``: :meth:`Snapshot.report_counts` of ``hits``, when the caller has it."""
    out: dict[str, Sequence[FacetCount]] = {}
    by_report = snap.by_report
    per_report = snap.report_counts(hits) if per_report is None else per_report
    for name in ("province", "prefecture", "county", "level", "section"):
        col = snap.coded[name]
        if name in by_report:  # summed over reports: exact integers (float64 holds counts up to 2**53)
            counts = np.bincount(by_report[name], weights=per_report, minlength=len(col.labels)).astype(np.int64)
        else:
            counts = np.bincount(col.codes[hits], minlength=len(col.labels))
        nonzero = np.flatnonzero(counts)
        if name in ("section", "level"):
            items = [(col.labels[c], int(counts[c])) for c in nonzero.tolist() if col.labels[c]]
        if name == "section":
            rank = {c: i for i, c in enumerate(SECTION_CATEGORIES)}
            items.sort(key=lambda x: rank.get(x[0], 99))
            out["section"] = [FacetCount(v, n, v) for v, n in items]
        elif name == "level":
            rank = {c: i for i, c in enumerate(LEVEL_LABELS)}
            items.sort(key=lambda x: rank.get(x[0], 99))
            out["level"] = [FacetCount(v, n, LEVEL_LABELS.get(v, v)) for v, n in items]
        else:  # most paragraphs first, then by name: sorted in numpy (a common word has 2,786 counties)
            codes = nonzero[col.labelled[nonzero]]
            codes = codes[np.lexsort((col.label_rank[codes], -counts[codes]))]
            out[name] = FacetCounts(col.labels, codes, counts[codes])
    if "year" in by_report:
        low = 0
        by_year = np.bincount(by_report["year"], weights=per_report).astype(np.int64)
    else:
        years = snap.years[hits]
        low = int(years.min()) if len(years) else 0
        by_year = np.bincount(years - low) if len(years) else np.zeros(0, dtype=np.int64)
    year_items = [(low + int(k), int(by_year[k])) for k in np.flatnonzero(by_year).tolist() if low + k]
    out["year"] = [FacetCount(str(y), n, f"{y}年") for y, n in sorted(year_items, reverse=True)]
    return out, year_items


def hit_at(snap: Snapshot, i: int, phrases: list[str], score: float = 0.0, *, snippet: bool = True) -> Hit:
    """The hit of row ``i``, its snippet marking ``phrases`` (none without ``snippet``)."""
    passage = snap.passage(i)
    return Hit(
        passage=passage,
        snippet_html=make_snippet(passage.text, phrases, traditional=snap.record_at(i).traditional,
                                  search=snap.search[i]) if snippet else "",
        score=score,
        ocr_confidence=snap.ocr_confidences[i],
    )


def page_of(snap: Snapshot, order: np.ndarray, phrases: list[str], request: SearchRequest,
            hits: np.ndarray | None = None, per_report: np.ndarray | None = None
            ) -> tuple[list[Hit], list[ReportGroup], int]:
    """(the hits of the request's page, its report groups when it groups, how many reports the rows span).

    ``order`` is the rows in sort order, or only its first ``page × per_page``
    rows when the page does not group; ``hits`` is then every matching row,
    and ``per_report`` their :meth:`Snapshot.report_counts` when the caller has them.
    """
    start = (request.page - 1) * request.per_page
    if not request.group:
        page = [hit_at(snap, int(i), phrases) for i in order[start : start + request.per_page]]
        if per_report is None:
            per_report = snap.report_counts(order if hits is None else hits)
        return page, [], int(np.count_nonzero(per_report))
    # group by report, in the order of each report's best hit
    codes = snap.report.codes[order]
    _, first = np.unique(codes, return_index=True)
    report_order = codes[np.sort(first)]
    reports_total = len(report_order)
    chosen = report_order[start : start + request.per_page]
    groups: list[ReportGroup] = []
    per_report = 3
    for code in chosen:
        members = order[codes == code]
        rec = snap.record_of(snap.report.labels[code])
        hits = tuple(hit_at(snap, int(i), phrases) for i in members[:per_report])
        groups.append(
            ReportGroup(
                record=rec,
                hits=hits,
                total=int(len(members)),
            )
        )
    flat = [h for g in groups for h in g.hits]
    return flat, groups, reports_total
