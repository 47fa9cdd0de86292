"""What is new this year: one report against the same region's previous report.

Vocabulary:

* **this report** is the one a reader asks about; the **previous report** is
  the same region's latest report of an earlier year in the index, found
  automatically (same region hierarchy, an earlier year; of two reports of that
  year the later-delivered one), or any report the reader *chooses*
  (``against``). The **history** is every report the new phrases are checked
  against: every earlier report of the region when the previous report was
  found automatically, only the chosen report otherwise.
* a **phrase**, a **new phrase**, a **dropped phrase** and their **ranking**
  (slogans before filler) are defined in :mod:`search.new_phrases`.
* **targets changed** pairs this report's targets (主要预期目标, read by
  :func:`search.targets.extract_report`) with the previous report's, by
  indicator and unit: raised, lowered, same, qualifier changed, new or dropped.
* **paragraphs rewritten**: each paragraph of this report is aligned with the
  previous report's most similar paragraph (Jaccard of the 5-character
  shingles of :mod:`search.similar`, at least :data:`REWRITE_THRESHOLD`, one to
  one, best pairs first); a pair that is not identical is a rewrite, shown with
  :func:`search.similar.diff_html` (``<del>`` last year's words, ``<ins>``
  this year's). Paragraphs without a partner are *added* or *removed*.

:func:`report_diff` is the one data function; the page, the exports, the API
and ``baogao diff`` all render its :class:`ReportDiff`.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field


from .engine import Engine, NotFound
from .new_phrases import (MIN_PHRASE, PHRASE_LIMIT, Phrase, clear_caches, joined_text, place_of, ranked_phrases,
                          report_candidates, slogan_shape)
from .records import OfPassage, Passage, ReportRecord
from .similar import diff_html, shingles
from .snapshot import Snapshot
from .targets import INDICATORS, TargetRow, extract_report

__all__ = [
    "DiffError",
    "Phrase",
    "TargetChange",
    "Rewrite",
    "ReportDiff",
    "MIN_PHRASE",
    "REWRITE_THRESHOLD",
    "PHRASE_LIMIT",
    "DIFF_CSV_COLUMNS",
    "CHANGE_LABELS",
    "slogan_shape",
    "previous_report",
    "report_diff",
    "clear_caches",
]

log = logging.getLogger(__name__)


class DiffError(ValueError):
    """Two reports that cannot be compared (a report against itself). Message in Chinese."""


REWRITE_THRESHOLD = 0.2
_MIN_REWRITE_CHARS = 20

#: What happened to a target, for people.
CHANGE_LABELS = {
    "raised": "调高", "lowered": "调低", "deeper": "降幅加大", "shallower": "降幅收窄", "same": "未变",
    "qualifier": "措辞变化", "new": "新增", "dropped": "不再提",
}

#: Columns of the diff CSV export: one row per new or dropped phrase, target change and rewrite.
DIFF_CSV_COLUMNS = ("kind", "text", "paragraphs", "score", "reports_in_index", "this_value", "previous_value",
                    "change", "similarity", "paragraph_id", "paragraph_number", "previous_paragraph_id",
                    "previous_paragraph_number", "url", "previous_url")

@dataclass(frozen=True)
class TargetChange:
    """One indicator's target this year beside last year's."""

    indicator: str
    unit: str
    current: TargetRow | None
    previous: TargetRow | None
    change: str

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.change]

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        def row(r: TargetRow | None) -> dict | None:
            if r is None:
                return None
            return {"display": r.display, "value": r.value, "value_high": r.value_high, "unit": r.unit,
                    "qualifier": r.qualifier, "excerpt": r.excerpt, "paragraph_id": r.paragraph_id,
                    "paragraph_number": r.paragraph_number, "url": url_for_paragraph(r.paragraph_id)}

        return {"indicator": self.indicator, "unit": self.unit, "change": self.change, "label": self.label,
                "current": row(self.current), "previous": row(self.previous)}


@dataclass(frozen=True)
class Rewrite(OfPassage):
    """A paragraph of this report (``passage``) aligned with the previous report's, differences marked."""

    passage: Passage
    previous: Passage
    similarity: float
    diff_html: str

    previous_paragraph_id = property(lambda self: self.previous.paragraph_id)
    previous_number = property(lambda self: self.previous.number)
    previous_text = property(lambda self: self.previous.text)

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        return {
            "paragraph_id": self.paragraph_id,
            "number": self.number,
            "previous_paragraph_id": self.previous_paragraph_id,
            "previous_number": self.previous_number,
            "similarity": round(self.similarity, 4),
            "diff_html": self.diff_html,
            "text": self.text,
            "previous_text": self.previous_text,
            "url": url_for_paragraph(self.paragraph_id),
            "previous_url": url_for_paragraph(self.previous_paragraph_id),
        }


@dataclass(frozen=True)
class ReportDiff:
    """This report against the previous one (see the module docstring).

    ``previous`` is ``None`` when the region has no earlier report in the
    index; ``message`` then says so, in Chinese, and every list is empty.
    """

    report: dict
    previous: dict | None
    chosen: bool
    history: tuple[str, ...]
    new_phrases: tuple[Phrase, ...] = ()
    dropped_phrases: tuple[Phrase, ...] = ()
    targets: tuple[TargetChange, ...] = ()
    rewritten: tuple[Rewrite, ...] = ()
    new_more: bool = False
    dropped_more: bool = False
    unchanged: int = 0
    added: int = 0
    removed: int = 0
    message: str = ""
    took_ms: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        def brief(rec: dict | None) -> dict | None:
            if rec is None:
                return None
            return {k: rec.get(k) for k in ("report_id", "display_title", "region", "region_display", "year",
                                            "date", "paragraphs")}

        return {
            "report": brief(self.report),
            "previous": brief(self.previous),
            "chosen": self.chosen,
            "history": list(self.history),
            "message": self.message,
            "new_more": self.new_more,
            "dropped_more": self.dropped_more,
            "new_phrases": [p.as_dict(url_for_paragraph(p.paragraph_id)) for p in self.new_phrases],
            "dropped_phrases": [p.as_dict(url_for_paragraph(p.paragraph_id)) for p in self.dropped_phrases],
            "targets": [t.as_dict(url_for_paragraph) for t in self.targets],
            "paragraphs": {"rewritten": len(self.rewritten), "unchanged": self.unchanged, "added": self.added,
                           "removed": self.removed},
            "rewritten": [r.as_dict(url_for_paragraph) for r in self.rewritten],
            "took_ms": round(self.took_ms, 1),
        }


# -- the previous report -------------------------------------------------------------------------


def _chronology(rec: dict) -> tuple:
    return (rec.get("year") or 0, rec.get("date") or "", rec.get("paragraphs") or 0, rec["report_id"])


def _earlier(reports: dict[str, dict], rec: dict) -> list[dict]:
    """The region's reports of earlier years, latest first (none for a report without year or region)."""
    year = rec.get("year")
    place = place_of(rec)
    if not year or place[0] in (None, "unknown"):
        return []
    same = [r for r in reports.values() if place_of(r) == place and r.get("year") and r["year"] < year]
    return sorted(same, key=_chronology, reverse=True)


def previous_report(engine: Engine, report_id: str) -> dict | None:
    """The same region's latest report of an earlier year, or ``None``. Raises :class:`NotFound`."""
    snap = engine.snapshot()
    rec = snap.record(report_id)
    if rec is None:
        raise NotFound(report_id)
    earlier = _earlier(snap.reports, snap.reports[report_id])
    return earlier[0] if earlier else None


# -- phrases of one report ------------------------------------------------------------------------


# -- targets and paragraphs -------------------------------------------------------------------------------


def _targets(snap: Snapshot, rec: dict, prev: dict) -> tuple[TargetChange, ...]:
    def rows(r: dict) -> dict[tuple[str, str], TargetRow]:
        out: dict[tuple[str, str], TargetRow] = {}
        for t in extract_report(r, [snap.paragraph(i) for i in snap.rows_of(r["report_id"])]):
            if t.kind == "target":
                out.setdefault((t.indicator, t.unit), t)
        return out

    now, before = rows(rec), rows(prev)
    changes = []
    for key in list(now) + [k for k in before if k not in now]:
        cur, old = now.get(key), before.get(key)
        if cur is None:
            change = "dropped"
        elif old is None:
            change = "new"
        else:
            a = (cur.value_high if cur.value_high is not None else cur.value)
            b = (old.value_high if old.value_high is not None else old.value)
            if a is not None and b is not None and a != b:
                if a < 0 and b < 0:  # a fall (能耗下降3.4%): the size of the fall is what changed
                    change = "deeper" if a < b else "shallower"
                else:
                    change = "raised" if a > b else "lowered"
            elif cur.display == old.display:
                change = "same"
            else:
                change = "qualifier"
        changes.append(TargetChange(key[0], key[1], cur, old, change))
    rank = {name: k for k, name in enumerate(INDICATORS)}
    changes.sort(key=lambda c: (rank.get(c.indicator, 99), c.current is None))
    return tuple(changes)


def _rewrites(snap: Snapshot, rec: dict, prev: dict) -> tuple[tuple[Rewrite, ...], int, int, int]:
    """(rewrites in this report's order, unchanged, added, removed) — see the module docstring."""
    mine = [i for i in snap.rows_of(rec["report_id"]) if not snap.headings[i]]
    theirs = [j for j in snap.rows_of(prev["report_id"]) if not snap.headings[j]]
    sh_mine = {i: shingles(snap.search[i]) for i in mine}
    sh_theirs = {j: shingles(snap.search[j]) for j in theirs}
    where: dict[str, list[int]] = {}
    for j, sh in sh_theirs.items():
        for s in sh:
            where.setdefault(s, []).append(j)
    pairs: list[tuple[float, int, int]] = []
    for i, sh in sh_mine.items():
        shared: Counter = Counter()
        for s in sh:
            for j in where.get(s, ()):
                shared[j] += 1
        for j, n in shared.items():
            sim = n / (len(sh) + len(sh_theirs[j]) - n)
            if sim >= REWRITE_THRESHOLD:
                pairs.append((sim, i, j))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    taken_i: set[int] = set()
    taken_j: set[int] = set()
    chosen: list[tuple[float, int, int]] = []
    for sim, i, j in pairs:
        if i in taken_i or j in taken_j:
            continue
        taken_i.add(i)
        taken_j.add(j)
        chosen.append((sim, i, j))
    traditional = bool(rec.get("traditional")) != bool(prev.get("traditional"))
    rewrites, unchanged = [], 0
    for sim, i, j in sorted(chosen, key=lambda x: snap.numbers[x[1]]):
        if sim >= 0.999 or "".join(snap.search[i].split()) == "".join(snap.search[j].split()):
            unchanged += 1
            continue
        a, b = (snap.search[j], snap.search[i]) if traditional else (snap.texts[j], snap.texts[i])
        rewrites.append(Rewrite(passage=snap.passage(i), previous=snap.passage(j), similarity=sim, diff_html=diff_html(a, b)))
    added = sum(1 for i in mine if i not in taken_i and len(snap.search[i]) >= _MIN_REWRITE_CHARS)
    removed = sum(1 for j in theirs if j not in taken_j and len(snap.search[j]) >= _MIN_REWRITE_CHARS)
    return tuple(rewrites), unchanged, added, removed


# -- the data function ---------------------------------------------------------------------------------


def report_diff(engine: Engine, report_id: str, against: str | None = None) -> ReportDiff:
    """What is new in a report against the region's previous report (or the report ``against``).

    Raises :class:`NotFound` for an unknown id and :class:`DiffError` for a report against itself.
    """
    t0 = time.perf_counter()
    snap = engine.snapshot()
    rec = snap.reports.get(report_id)
    if rec is None:
        raise NotFound(report_id)
    if against:
        if against == report_id:
            raise DiffError("不能拿一篇报告和它自己比较：请选另一篇报告")
        prev = snap.reports.get(against)
        if prev is None:
            raise NotFound(against)
        history: tuple[str, ...] = (against,)
    else:
        earlier = _earlier(snap.reports, rec)
        if not earlier:
            where = ReportRecord.from_json(rec).region.display
            choose = "可另选一篇报告对比（网页加 ?against=报告编号，命令行加 --against 报告编号）。"
            if not rec.get("year"):
                message = f"这篇报告的年份不详，无法确定上一篇报告；{choose}"
            elif place_of(rec)[0] in (None, "unknown"):
                message = f"这篇报告的地区不详，无法确定同一地区的上一篇报告；{choose}"
            else:
                message = f"索引中没有{where}{rec['year']}年以前的政府工作报告，无从比较；{choose}"
            return ReportDiff(report=rec, previous=None, chosen=False, history=(), message=message,
                              took_ms=(time.perf_counter() - t0) * 1000)
        prev = earlier[0]
        history = tuple(r["report_id"] for r in earlier)

    mine = report_candidates(snap, report_id)
    theirs = report_candidates(snap, prev["report_id"])
    # latest first: most candidates are found in the previous report and need no look further
    past = [joined_text(snap, [rid]) for rid in history]
    now = joined_text(snap, [report_id])
    new = [c for c in mine.values() if not any(c.text in text for text in past)]
    gone = [c for c in theirs.values() if c.text not in now]
    new_phrases, new_more = ranked_phrases(snap, rec, new, stressed_only=False)
    dropped, dropped_more = ranked_phrases(snap, prev, gone, stressed_only=True)
    targets = _targets(snap, rec, prev)
    rewritten, unchanged, added, removed = _rewrites(snap, rec, prev)
    took = (time.perf_counter() - t0) * 1000
    log.info("diff %s against %s: %d new, %d dropped, %d rewritten in %.0f ms", report_id, prev["report_id"],
             len(new_phrases), len(dropped), len(rewritten), took)
    return ReportDiff(
        report=rec, previous=prev, chosen=bool(against), history=history,
        new_phrases=tuple(new_phrases), dropped_phrases=tuple(dropped), targets=targets,
        rewritten=rewritten, new_more=new_more, dropped_more=dropped_more, unchanged=unchanged, added=added, removed=removed, took_ms=took,
    )
