"""Who said it first: the first report to use a phrase, and how the phrase spread.

Vocabulary:

* a **use** (:class:`Use`) is one report holding at least one paragraph that
  matches the query: the report, its year and delivery date, its region, its
  first matching paragraph (the one to quote and link), how many of its
  paragraphs match, and its sources (a report found in two folders of the
  corpus was merged into one report with two sources at index time, so it is
  one use, never two).
* **chronological order** is by year, then delivery date (reports whose date
  is unknown come after the dated ones of their year), then region and report
  id so the order is stable. Reports without a year come last.
* the **first use** is the earliest use; reports of the same year whose dates
  are unknown cannot be told apart, so :attr:`Spread.first` holds every use
  that ties with the earliest (same year, and the same date, a date known only
  to the month that includes it, or no date).
* the **spread** is the per-year count of reports using the phrase for the
  first time and in total, and per province (national reports are 全国): how
  many reports used it, and when it arrived there.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np

from .engine import Engine, SearchRequest
from .query import QueryError
from .records import OfPassage, Passage
from .trends import NATIONAL_LABEL, matching_rows

__all__ = ["Use", "ProvinceSpread", "Spread", "FIRST_CSV_COLUMNS", "spread"]

log = logging.getLogger(__name__)

#: Columns of the first-use CSV export (one row per report, oldest first).
FIRST_CSV_COLUMNS = ("year", "date", "province", "prefecture", "county", "level", "report_id", "title",
                     "paragraphs", "first_paragraph_id", "first_paragraph_number", "sources")


@dataclass(frozen=True)
class Use(OfPassage):
    """One report that uses the phrase (see the module docstring): its first paragraph using it."""

    passage: Passage
    date: str | None
    paragraphs: int
    sources: tuple[str, ...]

    @property
    def province(self) -> str:
        """The province row this use counts in (全国 for national reports)."""
        if self.region.level == "national":
            return NATIONAL_LABEL
        return self.region.province or ""

    def sort_key(self) -> tuple:
        return (self.year is None, self.year or 0, self.date is None, self.date or "", self.region.display,
                self.report_id)

    def as_dict(self, url: str = "") -> dict:
        return {
            **self.passage.as_dict(("report_id", "title", "region", "region_display", "year")),
            "date": self.date,
            **self.passage.as_dict(("paragraph_id", "number", "text")),
            "paragraphs": self.paragraphs,
            "sources": list(self.sources),
            "url": url,
        }


@dataclass(frozen=True)
class ProvinceSpread:
    """How a phrase reached one province: reports using it, and the first of them."""

    province: str
    reports: int
    paragraphs: int
    first: Use

    @property
    def first_year(self) -> int | None:
        return self.first.year


@dataclass(frozen=True)
class Spread:
    """The answer for one query: the first use, every use in order, and counts."""

    query: str
    uses: tuple[Use, ...]
    first: tuple[Use, ...]
    years: tuple[tuple[int, int, int], ...]  # (year, reports using it, of which first time in their region)
    provinces: tuple[ProvinceSpread, ...]
    paragraphs: int
    notices: tuple[str, ...] = ()

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        return {
            "query": self.query,
            "reports": len(self.uses),
            "paragraphs": self.paragraphs,
            "first": [u.as_dict(url_for_paragraph(u.paragraph_id)) for u in self.first],
            "years": [{"year": y, "reports": n, "new_regions": k} for y, n, k in self.years],
            "provinces": [{"province": p.province, "reports": p.reports, "paragraphs": p.paragraphs,
                           "first_year": p.first_year, "first_report_id": p.first.report_id}
                          for p in self.provinces],
            "uses": [u.as_dict(url_for_paragraph(u.paragraph_id)) for u in self.uses],
            "notices": list(self.notices),
        }


def spread(engine: Engine, request: SearchRequest) -> Spread:
    """Every report using ``request.q`` (within its filters) in chronological order, and the first.

    Raises :class:`search.query.QueryError` when the query is empty or cannot be parsed.
    """
    if not (request.q or "").strip():
        raise QueryError("请输入要追溯的短语")
    found = matching_rows(engine, request)
    snap, rows = found.snap, found.rows
    uses: list[Use] = []
    if len(rows):
        codes = snap.report.codes[rows]
        numbers = np.array([snap.numbers[i] for i in rows], dtype=np.int64)
        order = np.lexsort((numbers, codes))  # by report, then reading order
        rows_sorted, codes_sorted = rows[order], codes[order]
        starts = np.flatnonzero(np.r_[True, codes_sorted[1:] != codes_sorted[:-1]])
        counts = np.diff(np.r_[starts, len(rows_sorted)])
        for s, n in zip(starts.tolist(), counts.tolist()):
            i = int(rows_sorted[s])
            rec = snap.record_at(i)
            uses.append(Use(
                passage=replace(snap.passage(i), year=rec.year or None),
                date=rec.date,
                paragraphs=int(n),
                sources=rec.sources,
            ))
    uses.sort(key=Use.sort_key)
    return Spread(
        query=request.q,
        uses=tuple(uses),
        first=_first(uses),
        years=_years(uses),
        provinces=_provinces(uses),
        paragraphs=int(len(rows)),
        notices=found.notices,
    )


def _first(uses: list[Use]) -> tuple[Use, ...]:
    """The earliest use and every use that cannot be told apart from it."""
    dated = [u for u in uses if u.year]
    if not dated:
        return tuple(uses[:1])
    head = dated[0]
    ties = [u for u in dated if u.year == head.year and _same_day_possible(head.date, u.date)]
    return tuple(ties)


def _same_day_possible(a: str | None, b: str | None) -> bool:
    """Whether two delivery dates may be the same day (unknown, or one a prefix of the other: 2021-01)."""
    if a is None or b is None:
        return True
    return a.startswith(b) or b.startswith(a)


def _years(uses: list[Use]) -> tuple[tuple[int, int, int], ...]:
    """(year, reports using the phrase, reports in a region that had not used it before)."""
    per_year: dict[int, int] = {}
    new: dict[int, int] = {}
    seen: set[str] = set()
    for u in uses:
        if not u.year:
            continue
        per_year[u.year] = per_year.get(u.year, 0) + 1
        place = u.region.display
        if place not in seen:
            seen.add(place)
            new[u.year] = new.get(u.year, 0) + 1
    return tuple((y, per_year[y], new.get(y, 0)) for y in sorted(per_year))


def _provinces(uses: list[Use]) -> tuple[ProvinceSpread, ...]:
    """Per province: reports, paragraphs, the first use; earliest arrival first."""
    out: dict[str, list[Use]] = {}
    for u in uses:
        if u.province:
            out.setdefault(u.province, []).append(u)
    rows = [ProvinceSpread(p, len(us), sum(u.paragraphs for u in us), us[0]) for p, us in out.items()]
    rows.sort(key=lambda r: (r.first.sort_key(), r.province))
    return tuple(rows)
