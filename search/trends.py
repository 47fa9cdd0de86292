"""Trends: how often a query is used, year by year and province by province.

Vocabulary:

* the **matches** of a request (:func:`matching_rows`) are the row numbers of
  every paragraph it finds in the engine's in-memory snapshot, exactly the set
  :meth:`search.engine.Engine.search` counts, but without ranking, snippets or
  pages — what counting needs.
* the **base** of a trend is the same request without its query text: only its
  filters (province, level, years…). ``reports_total`` counts the reports of the
  base, so a county-only trend is normalised by county reports.
* a **year row** (:class:`TrendRow`) holds, for one year (or one province):
  ``reports_with_hits`` (reports with at least one matching paragraph),
  ``reports_total``, their ``share`` and ``paragraphs`` (matching paragraphs)
  with ``paragraphs_per_report`` = paragraphs / reports_total. Shares, not raw
  counts, are what can be compared across years: the corpus holds many more
  reports for some years than others.
* a **comparison** is several queries' trends over the same base (two or three
  terms on one chart, e.g. 脱贫攻坚 vs 乡村振兴).
* a **thin** year has fewer than :data:`MIN_REPORTS` reports in the base: its
  share rests on one or two reports (1 of 1 is 100 %), so it is drawn faintly
  and never named as the **peak** (:attr:`Trend.peak`, the year with the
  highest share among the years that are not thin).

Reports whose year is unknown are left out of the year rows (they are counted
in the totals); national reports are their own province row, 全国.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np

from .engine import Engine, SearchRequest
from .query import QueryError
from .snapshot import Snapshot

__all__ = [
    "Matches",
    "TrendRow",
    "Trend",
    "MAX_TERMS",
    "MIN_REPORTS",
    "NATIONAL_LABEL",
    "TREND_CSV_COLUMNS",
    "matching_rows",
    "trend",
    "compare",
]

log = logging.getLogger(__name__)

#: How many queries one comparison may hold.
MAX_TERMS = 3

#: A year (or province) with fewer reports than this in the base is thin (see the module docstring).
MIN_REPORTS = 3

#: The province row of national reports.
NATIONAL_LABEL = "全国"

#: The columns of a trend's CSV export (one row per year).
TREND_CSV_COLUMNS = ("year", "reports_with_hits", "reports_total", "share", "paragraphs", "paragraphs_per_report")



@dataclass(frozen=True)
class Matches:
    """The rows of every paragraph a request finds, and the snapshot they index (read-only)."""

    snap: Snapshot
    rows: np.ndarray
    notices: tuple[str, ...] = ()

    def report_ids(self) -> list[str]:
        """The ids of the reports holding the rows, in no particular order."""
        return self.snap.report_ids(self.rows)


def matching_rows(engine: Engine, request: SearchRequest, snap: Snapshot | None = None) -> Matches:
    """Every paragraph row matching ``request`` (query and filters), sorted, in ``snap``
    (the engine's current snapshot when None).

    Raises :class:`search.query.QueryError` for a query that cannot be parsed.
    """
    snap, rows, notices = engine.matching_rows(request, snap)
    return Matches(snap, rows, tuple(notices))


@dataclass(frozen=True)
class TrendRow:
    """One year's (or one province's) counts for a query; see the module docstring."""

    key: str | int
    reports_with_hits: int
    reports_total: int
    paragraphs: int

    @property
    def share(self) -> float:
        """Reports with hits / reports in the base (0 when there are none)."""
        return self.reports_with_hits / self.reports_total if self.reports_total else 0.0

    @property
    def paragraphs_per_report(self) -> float:
        return self.paragraphs / self.reports_total if self.reports_total else 0.0

    @property
    def thin(self) -> bool:
        """Too few reports in the base (under :data:`MIN_REPORTS`) for the share to say much."""
        return self.reports_total < MIN_REPORTS

    def as_dict(self, key_name: str = "year") -> dict:
        return {
            key_name: self.key,
            "reports_with_hits": self.reports_with_hits,
            "reports_total": self.reports_total,
            "share": round(self.share, 4),
            "paragraphs": self.paragraphs,
            "paragraphs_per_report": round(self.paragraphs_per_report, 4),
        }


@dataclass(frozen=True)
class Trend:
    """A query's use per year and per province, normalised by the reports of its base."""

    query: str
    years: tuple[TrendRow, ...]
    provinces: tuple[TrendRow, ...]
    paragraphs: int
    reports_with_hits: int
    reports_total: int
    notices: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        return self.reports_with_hits / self.reports_total if self.reports_total else 0.0

    @property
    def peak(self) -> TrendRow | None:
        """The year with the highest share among years that are not thin (the earliest of ties); None if none has a hit."""
        solid = [r for r in self.years if not r.thin and r.reports_with_hits]
        return max(solid, key=lambda r: (r.share, -r.key), default=None)

    @property
    def thin_years(self) -> tuple[int, ...]:
        """The years with reports in the base but fewer than :data:`MIN_REPORTS`."""
        return tuple(r.key for r in self.years if r.reports_total and r.thin)

    def as_dict(self) -> dict:
        return {
            "query": self.query,
            "paragraphs": self.paragraphs,
            "reports_with_hits": self.reports_with_hits,
            "reports_total": self.reports_total,
            "share": round(self.share, 4),
            "years": [r.as_dict("year") for r in self.years],
            "provinces": [r.as_dict("province") for r in self.provinces],
            "notices": list(self.notices),
        }


def _report_keys(snap: Snapshot) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per report code: its year, its province code, and the province labels."""
    n = len(snap.report.labels)
    years = np.zeros(n, dtype=np.int64)
    provs = np.zeros(n, dtype=np.int64)
    labels: list[str] = []
    index: dict[str, int] = {}
    for code, rid in enumerate(snap.report.labels):
        rec = snap.record_of(rid)
        years[code] = int(rec.year or 0)
        name = NATIONAL_LABEL if rec.region.level == "national" else (rec.region.province or "")
        if name not in index:
            index[name] = len(labels)
            labels.append(name)
        provs[code] = index[name]
    return years, provs, labels


def _rows(hit_codes: np.ndarray, para_codes: np.ndarray, base_codes: np.ndarray, key: np.ndarray,
          labels: list) -> list[TrendRow]:
    """Counts per key value: reports with hits, reports in base, matching paragraphs."""
    size = len(labels)
    with_hits = np.bincount(key[hit_codes], minlength=size) if len(hit_codes) else np.zeros(size, dtype=np.int64)
    total = np.bincount(key[base_codes], minlength=size) if len(base_codes) else np.zeros(size, dtype=np.int64)
    paras = np.bincount(key[para_codes], minlength=size) if len(para_codes) else np.zeros(size, dtype=np.int64)
    return [TrendRow(labels[k], int(with_hits[k]), int(total[k]), int(paras[k]))
            for k in range(size) if total[k] or with_hits[k]]


def trend(engine: Engine, request: SearchRequest, snap: Snapshot | None = None) -> Trend:
    """The trend of ``request.q`` within ``request``'s filters (see the module docstring),
    counted in ``snap`` (the engine's current snapshot when None): the matches and
    the base always come from one generation.

    Raises :class:`search.query.QueryError` when the query cannot be parsed or is empty.
    """
    if not (request.q or "").strip():
        raise QueryError("请输入要统计的检索词")
    snap = snap if snap is not None else engine.snapshot()
    found = matching_rows(engine, request, snap)
    base = matching_rows(engine, replace(request, q=""), snap)
    r_year, r_prov, prov_labels = _report_keys(snap)
    para_codes = snap.report.codes[found.rows].astype(np.int64)
    hit_codes = np.unique(para_codes)
    base_codes = np.unique(snap.report.codes[base.rows].astype(np.int64))

    year_values = sorted({int(y) for y in r_year[base_codes] if y} | {int(y) for y in r_year[hit_codes] if y})
    year_key = {y: k for k, y in enumerate(year_values)}
    # reports without a year go to an extra slot that is dropped
    ykey = np.array([year_key.get(int(y), len(year_values)) for y in r_year], dtype=np.int64)
    years = [r for r in _rows(hit_codes, para_codes, base_codes, ykey, year_values + [None]) if r.key is not None]
    years.sort(key=lambda r: r.key)

    provinces = _rows(hit_codes, para_codes, base_codes, r_prov, prov_labels)
    provinces = [r for r in provinces if r.key]
    provinces.sort(key=lambda r: (-r.share, -r.reports_with_hits, r.key != NATIONAL_LABEL, r.key))
    return Trend(
        query=request.q,
        years=tuple(years),
        provinces=tuple(provinces),
        paragraphs=int(len(found.rows)),
        reports_with_hits=int(len(hit_codes)),
        reports_total=int(len(base_codes)),
        notices=tuple(dict.fromkeys(found.notices + base.notices)),
    )


def compare(engine: Engine, queries: list[str], request: SearchRequest | None = None) -> list[Trend]:
    """The trends of up to :data:`MAX_TERMS` queries over the same filters (``request``'s).

    Empty queries are dropped, repeats kept once. Raises :class:`QueryError`
    when none is left, when there are too many, or when one cannot be parsed.
    """
    terms = list(dict.fromkeys(q.strip() for q in queries if q and q.strip()))
    if not terms:
        raise QueryError("请输入要统计的检索词")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"最多同时比较 {MAX_TERMS} 个检索词")
    request = request or SearchRequest()
    snap = engine.snapshot()
    return [trend(engine, replace(request, q=q), snap) for q in terms]
