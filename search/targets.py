"""The targets table (主要预期目标): every report's headline figures, as rows.

Vocabulary (indicators, figures, changes and kinds are defined in :mod:`search.figures`):

* a **target row** (:class:`TargetRow`) keeps the paragraph it came from
  (``paragraph_id``, ``paragraph_number``) and the clause as the reader sees it
  (``excerpt``, Traditional stays Traditional), so every figure can be checked.

:func:`targets_for_engine` computes the table once per index generation and
keeps it; :func:`filter_rows` narrows it for the page, the exports and the CLI.
"""
from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass
from typing import Iterable


from .figures import INDICATORS, KINDS, QUALIFIERS, extract_paragraph, indicator_name
from .records import OfPassage, Passage, ReportRecord

__all__ = [
    "INDICATORS",
    "KINDS",
    "KIND_LABELS",
    "QUALIFIERS",
    "TargetRow",
    "extract_paragraph",
    "extract_report",
    "targets_for_engine",
    "filter_rows",
    "indicator_name",
]

log = logging.getLogger(__name__)

KIND_LABELS = {"target": "年度目标", "result": "上年完成"}


@dataclass(frozen=True)
class TargetRow(OfPassage):
    """One figure of one report: a year's target or last year's result (see the module docstring)."""

    passage: Passage
    indicator: str
    value: float | None
    value_high: float | None
    unit: str
    qualifier: str
    kind: str
    excerpt: str

    @property
    def paragraph_number(self) -> int:
        return self.passage.number

    @property
    def for_year(self) -> int | None:
        """The year the figure belongs to: the report's year for a target, the one before for a result."""
        if self.year is None:
            return None
        return self.year if self.kind == "target" else self.year - 1

    @property
    def value_text(self) -> str:
        """The figure as a reader writes it: ``6.5%``, ``-3%``, ``6-6.5%``, ``320.2亿元``, or ``""`` (同步)."""
        if self.value is None:
            return ""
        text = _number_text(self.value)
        if self.value_high is not None:
            text += "-" + _number_text(abs(self.value_high))
        return text + self.unit

    @property
    def display(self) -> str:
        """Value and qualifier together: ``6%左右``, ``与经济增长同步``."""
        if self.value is None:
            return "与经济增长同步" if self.qualifier == "同步" else self.qualifier
        return self.value_text + self.qualifier

    def as_dict(self, url: str = "") -> dict:
        return {
            **self.passage.as_dict(("report_id", "region", "region_display", "year")),
            "for_year": self.for_year,
            "indicator": self.indicator,
            "value": self.value,
            "value_high": self.value_high,
            "unit": self.unit,
            "value_text": self.value_text,
            "qualifier": self.qualifier,
            "display": self.display,
            "kind": self.kind,
            **self.passage.as_dict(("paragraph_id", "paragraph_number", "section_category")),
            "excerpt": self.excerpt,
            "url": url,
        }


def _number_text(v: float) -> str:
    return f"{v:g}" if abs(v) < 1e15 else str(v)


def extract_report(rec: dict, paragraphs: Iterable[dict]) -> list[TargetRow]:
    """Every target row of one report (a record and paragraphs as :meth:`Engine.report` gives them).

    A report that repeats the same figure (its summary and its chapter) gives one row.
    """
    record = ReportRecord.from_json(rec)
    region, year, title, traditional = record.region, record.year, record.title, record.traditional
    rows: list[TargetRow] = []
    seen: set[tuple] = set()
    for p in paragraphs:
        if p.get("is_heading"):
            continue
        category = p.get("section_category") or "其他"
        for f, kind, excerpt in extract_paragraph(p["text"], traditional=traditional, category=category, year=year,
                                                  section=p.get("section") or ""):
            key = (f.indicator, f.value, f.value_high, f.unit, f.qualifier, kind)
            if key in seen:
                continue
            seen.add(key)
            passage = Passage(
                report_id=rec["report_id"], paragraph_id=p["paragraph_id"], number=p["number"], title=title,
                region=region, year=year, section=p.get("section") or "", section_category=category, text=p["text"],
            )
            rows.append(TargetRow(
                passage=passage, indicator=f.indicator, value=f.value, value_high=f.value_high, unit=f.unit,
                qualifier=f.qualifier, kind=kind, excerpt=excerpt,
            ))
    return rows


# -- the table, once per index generation --------------------------------------------------

_cache: "weakref.WeakKeyDictionary[object, tuple[str | None, list[TargetRow]]]" = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def targets_for_engine(engine) -> list[TargetRow]:
    """The whole table for an :class:`search.engine.Engine`, computed once per index generation.

    Rows are ordered by year, region, then indicator order of :data:`INDICATORS`. The table is read
    from one snapshot of the engine, so it never mixes two generations.
    """
    snap = engine.snapshot()
    generation = snap.generation
    hit = _cache.get(engine)
    if hit is not None and hit[0] == generation:
        return hit[1]
    with _cache_lock:
        hit = _cache.get(engine)
        if hit is not None and hit[0] == generation:
            return hit[1]
        rows: list[TargetRow] = []
        for rid, rec in snap.reports.items():
            rows.extend(extract_report(rec, [snap.paragraph(i) for i in snap.rows_of(rid)]))
        rank = {name: i for i, name in enumerate(INDICATORS)}
        rows.sort(key=lambda r: (r.year or 0, r.region.display, r.report_id, KINDS.index(r.kind),
                                 rank[r.indicator], r.paragraph_number))
        _cache[engine] = (generation, rows)
        log.info("targets table for generation %s: %d rows", generation, len(rows))
        return rows


def region_matches(name: str | None, wanted: str) -> bool:
    """A region name matches the name asked for or its short form (河北 = 河北省)."""
    return bool(name) and (name == wanted or name.startswith(wanted))


def filter_rows(rows: Iterable[TargetRow], *, indicator: str | None = None, province: str | None = None,
                prefecture: str | None = None, county: str | None = None, level: str | None = None,
                region: str | None = None, year: int | None = None, kind: str | None = None,
                report_id: str | None = None) -> list[TargetRow]:
    """Rows narrowed by indicator (any surface form), province (河北 = 河北省; 全国 = the national reports),
    prefecture, county, level, any region name, year, kind.

    ``year`` is the report's year. Unknown indicator names match nothing.
    """
    ind = indicator_name(indicator) if indicator else None
    if indicator and ind is None:
        return []
    out = []
    for r in rows:
        if ind and r.indicator != ind:
            continue
        if province and not (region_matches(r.region.province, province)
                             or (province == "全国" and r.region.level == "national")):
            continue
        if prefecture and not region_matches(r.region.prefecture, prefecture):
            continue
        if county and not region_matches(r.region.county, county):
            continue
        if level and r.region.level != level:
            continue
        if region and not any(region_matches(n, region) for n in (r.region.province, r.region.prefecture, r.region.county)):
            continue
        if year is not None and r.year != year:
            continue
        if kind and r.kind != kind:
            continue
        if report_id and r.report_id != report_id:
            continue
        out.append(r)
    return out
