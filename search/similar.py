"""Near-identical paragraphs: who copied whom.

Vocabulary:

* the **source** is the paragraph a reader asks about; a **match** is a
  paragraph of another report whose text is nearly the same — the classic
  story of one county's report copying another's with a few words changed.
* **shingles** are the overlapping runs of :data:`SHINGLE` characters of a
  paragraph's search text (spaces removed), so Traditional and Simplified,
  full- and half-width forms compare equal. **Similarity** is the Jaccard
  index of two shingle sets (shared / all); **containment** is the share of
  the smaller paragraph's shingles the larger one also has (a paragraph copied
  into a longer one).
* **candidates** come from the index, not from a scan: the source's rarest
  bigrams (:data:`RARE_BIGRAMS` of them, by document frequency in the exact
  field) are looked up, and only paragraphs holding a good part of them are
  compared. A paragraph with Jaccard ≥ 0.5 holds most of the source's bigrams,
  so this keeps what matters and costs a few posting lists.
* a match is kept when its similarity reaches the threshold (default
  :data:`THRESHOLD`), or when one paragraph is at least :data:`CONTAINED`
  contained in the other and the smaller has at least
  :data:`MIN_CONTAINED_SHINGLES` shingles.
* a **re-publication** is the same report published twice (same region, same
  year): the index merges exact copies into one report with several sources,
  and a copy it did not merge is listed with the source paragraph's sources,
  not as a match. Identical matches of one region and year are one match with
  every report's sources.
* the **diff** marks how a match differs from the source: ``<del>`` for the
  source's text the match lacks, ``<ins>`` for text only the match has; every
  piece is escaped and the result is sanitised to those two tags.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html import escape

import nh3
import numpy as np

from index import schema as S
from index.analysis import bigrams, exact_term

from .engine import Engine, NotFound
from .records import OfPassage, Passage
from .snapshot import Snapshot

__all__ = [
    "Match",
    "Republication",
    "Similar",
    "SHINGLE",
    "THRESHOLD",
    "CONTAINED",
    "RARE_BIGRAMS",
    "SIMILAR_CSV_COLUMNS",
    "shingles",
    "jaccard",
    "containment",
    "diff_html",
    "similar_paragraphs",
]

log = logging.getLogger(__name__)

SHINGLE = 5
THRESHOLD = 0.5
CONTAINED = 0.8
MIN_CONTAINED_SHINGLES = 20
RARE_BIGRAMS = 24
MAX_CANDIDATES = 3000
_SHARE_NEEDED = 0.3  # of the rare bigrams a candidate must hold
_EXACT_DIFF_LIMIT = 3000  # characters: longer texts use difflib's junk heuristic

#: Columns of the similar-paragraphs CSV export.
SIMILAR_CSV_COLUMNS = ("similarity", "containment", "report_id", "paragraph_id", "title", "province", "prefecture",
                       "county", "level", "year", "number", "text", "sources")


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """The set of ``k``-character runs of ``text`` without spaces (the whole text when shorter)."""
    t = "".join(text.split())
    if len(t) <= k:
        return {t} if t else set()
    return {t[i : i + k] for i in range(len(t) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Shared shingles / all shingles (0 for two empty sets)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def containment(a: set[str], b: set[str]) -> float:
    """The share of the smaller set that the larger one also holds."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def diff_html(source: str, other: str) -> str:
    """``other`` with its differences from ``source`` marked: ``<del>`` removed, ``<ins>`` added; escaped."""
    autojunk = max(len(source), len(other)) > _EXACT_DIFF_LIMIT
    sm = SequenceMatcher(None, source, other, autojunk=autojunk)
    out: list[str] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.append(escape(other[j1:j2], quote=False))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(source[i1:i2], quote=False)}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(other[j1:j2], quote=False)}</ins>")
    return nh3.clean("".join(out), tags={"del", "ins"}, attributes={}, link_rel=None)


@dataclass(frozen=True)
class Republication:
    """Another copy of the source's report (same region and year) holding the paragraph."""

    report_id: str
    paragraph_id: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Match(OfPassage):
    """A near-identical paragraph in another report (see the module docstring)."""

    passage: Passage
    similarity: float
    containment: float
    diff_html: str
    sources: tuple[str, ...]
    also: tuple[Republication, ...] = ()

    @property
    def identical(self) -> bool:
        return self.similarity >= 0.999

    def as_dict(self, url: str = "") -> dict:
        return {
            **self.passage.as_dict(_MATCH_PASSAGE_KEYS),
            "similarity": round(self.similarity, 4),
            "containment": round(self.containment, 4),
            "diff_html": self.diff_html,
            "sources": list(self.sources),
            "also": [{"report_id": r.report_id, "paragraph_id": r.paragraph_id, "sources": list(r.sources)}
                     for r in self.also],
            "url": url,
        }


_MATCH_PASSAGE_KEYS = ("report_id", "title", "region", "region_display", "year", "paragraph_id", "number", "text")


@dataclass(frozen=True)
class Similar:
    """The source paragraph, its report, and its matches, most similar first."""

    paragraph: dict
    report: dict
    matches: tuple[Match, ...]
    republications: tuple[Republication, ...] = ()
    candidates: int = 0
    threshold: float = THRESHOLD
    notes: tuple[str, ...] = field(default=())

    def as_dict(self, url_for_paragraph=lambda pid: "") -> dict:
        rec = self.report
        return {
            "paragraph": {**self.paragraph, "url": url_for_paragraph(self.paragraph["paragraph_id"])},
            "report": {k: rec.get(k) for k in ("report_id", "display_title", "region", "region_display", "year",
                                               "date", "sources")},
            "threshold": self.threshold,
            "candidates": self.candidates,
            "republications": [{"report_id": r.report_id, "paragraph_id": r.paragraph_id,
                                "sources": list(r.sources)} for r in self.republications],
            "matches": [m.as_dict(url_for_paragraph(m.paragraph_id)) for m in self.matches],
        }


def _candidates(snap: Snapshot, i: int) -> np.ndarray:
    """Rows sharing enough of paragraph ``i``'s rarest bigrams (``i`` itself included)."""
    if snap.reader is None:
        return np.empty(0, dtype=np.int64)
    postings = snap.postings
    terms = list(dict.fromkeys(exact_term(t) for t in bigrams(snap.search[i]) if len(t) == 2))
    if not terms:
        return np.empty(0, dtype=np.int64)
    rated = sorted(((postings.doc_frequency(S.EXACT, t), t) for t in terms))
    rare = [t for df, t in rated if df > 0][:RARE_BIGRAMS]
    if not rare:
        return np.empty(0, dtype=np.int64)
    parts = []
    for t in rare:
        parts.append(postings.rows(S.EXACT, t))
    rows, counts = np.unique(np.concatenate(parts), return_counts=True)
    need = len(rare) if len(rare) <= 2 else max(2, math.ceil(_SHARE_NEEDED * len(rare)))
    keep = counts >= need
    rows, counts = rows[keep], counts[keep]
    if len(rows) > MAX_CANDIDATES:
        top = np.argsort(-counts, kind="stable")[:MAX_CANDIDATES]
        rows = np.sort(rows[top])
    return rows


def similar_paragraphs(engine: Engine, paragraph_id: str, *, threshold: float = THRESHOLD,
                       limit: int = 100) -> Similar:
    """Near-identical paragraphs of other reports, most similar first. Raises :class:`NotFound`."""
    snap = engine.snapshot()
    i = snap.row_of(paragraph_id)
    if i is None:
        raise NotFound(paragraph_id)
    record = snap.record_at(i)
    rec = snap.reports.get(record.report_id) or {}
    home = (record.region.display, record.year)
    para = snap.paragraph(i)
    src_sh = shingles(snap.search[i])
    cands = _candidates(snap, i)
    my_code = snap.report.codes[i]

    scored: list[tuple[float, float, int]] = []
    for j in cands.tolist():
        if snap.report.codes[j] == my_code:
            continue
        sh = shingles(snap.search[j])
        jac = jaccard(src_sh, sh)
        con = containment(src_sh, sh)
        if jac >= threshold or (con >= CONTAINED and min(len(src_sh), len(sh)) >= MIN_CONTAINED_SHINGLES):
            scored.append((jac, con, j))
    scored.sort(key=lambda x: (-x[0], -x[1], x[2]))

    republications: list[Republication] = []
    groups: dict[tuple, list[tuple[float, float, int]]] = {}
    order: list[tuple] = []
    for jac, con, j in scored:
        other = snap.record_at(j)
        place = (other.region.display, other.year)
        if place == home and place[1] is not None and jac >= 0.999:
            if all(r.report_id != other.report_id for r in republications):
                republications.append(Republication(other.report_id, snap.paragraph_ids[j], other.sources))
            continue
        key = ("".join(snap.search[j].split()), place)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((jac, con, j))

    src_text, src_trad = snap.texts[i], record.traditional
    matches: list[Match] = []
    for key in order[:limit]:
        (jac, con, j), *rest = groups[key]
        other = snap.record_at(j)
        trad = other.traditional
        # compare display texts unless the scripts differ; then the folded texts
        a, b = (src_text, snap.texts[j]) if trad == src_trad else (snap.search[i], snap.search[j])
        also = []
        listed = {other.report_id}
        for _, _, k in rest:
            also_rec = snap.record_at(k)
            if also_rec.report_id in listed:  # the same text twice in one report
                continue
            listed.add(also_rec.report_id)
            also.append(Republication(also_rec.report_id, snap.paragraph_ids[k], also_rec.sources))
        matches.append(Match(
            passage=snap.passage(j),
            similarity=jac,
            containment=con,
            diff_html=diff_html(a, b),
            sources=other.sources,
            also=tuple(also),
        ))
    return Similar(
        paragraph=para,
        report=rec,
        matches=tuple(matches),
        republications=tuple(republications),
        candidates=int(len(cands)),
        threshold=threshold,
    )
