"""Query evaluation: a query tree and filters in, the sorted rows that match, exactly.

Vocabulary:

* the **candidates** of a phrase are the rows posted under its rarest bigram
  in the ``exact`` field (:func:`candidate_terms`): every paragraph holding the
  phrase holds that bigram, so nothing is missed. Each of its other bigrams
  whose rows are saved with the generation (:mod:`index.postings`) narrows
  them further. A phrase with no bigram (one character) is looked for in
  every row.
* **verification** checks each candidate against the row's search text held in
  memory (``phrase in text``), so nothing wrong is returned either.
* a **filter mask** is a boolean array over rows from a coded column of the
  snapshot; region names may be given short (河北 for 河北省).

:func:`evaluate` answers a :class:`search.results.SearchRequest`;
:class:`Evaluator` answers a query tree (or one phrase, for modules that count
phrases without a request, such as :mod:`search.diff`).
"""
from __future__ import annotations

import logging

import numpy as np

from index import schema as S
from index.analysis import bigrams, exact_term, is_exact_term
from index.normalise import query_variants
from index.postings import sorted_has
from index.regions import short_name

from .query import FILTER_NAMES, And, Filter, Node, Not, Or, Phrase, QueryError, canonical_filter, read_query
from .results import SORTS, SearchRequest
from .snapshot import CodedColumn, Snapshot

__all__ = ["Evaluator", "evaluate", "candidate_terms", "has_or"]

log = logging.getLogger(__name__)


def evaluate(snap: Snapshot, request: SearchRequest) -> tuple[Node | None, np.ndarray, list[str]]:
    """The query tree, the sorted matching rows and any notices, for a request's query and filters
    (its sort order is checked here too, so every caller rejects a bad one the same way)."""
    if request.sort not in SORTS:
        raise QueryError(f"排序方式“{request.sort}”无法识别：可用 {'、'.join(SORTS)}")
    parsed = read_query(request.q or "")
    tree = parsed.tree
    parts: list[Node] = [] if tree is None else [tree]
    for name in FILTER_NAMES:
        v = getattr(request, name)
        if v:
            parts.append(canonical_filter(name, str(v)))
    if request.report_id:
        parts.append(Filter("report", request.report_id))
    notices: list[str] = list(parsed.notices)
    if not parts:
        return tree, np.arange(snap.n, dtype=np.int64), notices
    node = parts[0] if len(parts) == 1 else And(tuple(parts))
    return tree, Evaluator(snap, notices).run(node), notices


class Evaluator:
    """Evaluates a query tree to the sorted array of matching rows of one snapshot.

    Notices (a region name the index does not hold) are appended to ``notices``.
    Phrase look-ups are cached for the evaluator's life: make one per request.
    """

    def __init__(self, snap: Snapshot, notices: list[str]):
        self.snap = snap
        self.notices = notices
        self._phrase_cache: dict[str, np.ndarray] = {}

    def run(self, node: Node) -> np.ndarray:
        cands = self.candidates(node)
        if cands is None:
            cands = np.arange(self.snap.n, dtype=np.int64)
        mask = self.matches(node, cands)
        return np.sort(cands[mask])

    # candidates: a superset of the matches, or None for "every paragraph"
    def candidates(self, node: Node) -> np.ndarray | None:
        if isinstance(node, Phrase):
            return self.phrase_hits(node.text)
        if isinstance(node, Filter):
            return np.flatnonzero(self.filter_mask(node))
        if isinstance(node, And):
            best = None
            for c in node.children:
                cc = self.candidates(c)
                if cc is not None and (best is None or len(cc) < len(best)):
                    best = cc
            return best
        if isinstance(node, Or):
            sets = [self.candidates(c) for c in node.children]
            if any(s is None for s in sets):
                return None
            return np.unique(np.concatenate(sets)) if sets else np.empty(0, dtype=np.int64)
        return None  # Not

    def matches(self, node: Node, cands: np.ndarray) -> np.ndarray:
        """Boolean mask over ``cands``."""
        if len(cands) == 0:
            return np.zeros(0, dtype=bool)
        if isinstance(node, Phrase):
            return sorted_has(self.phrase_hits(node.text), cands, self.snap.n)
        if isinstance(node, Filter):
            return self.filter_mask(node)[cands]
        if isinstance(node, And):
            mask = np.ones(len(cands), dtype=bool)
            for c in node.children:
                idx = np.flatnonzero(mask)
                if len(idx) == 0:
                    break
                sub = self.matches(c, cands[idx])
                mask[idx[~sub]] = False
            return mask
        if isinstance(node, Or):
            mask = np.zeros(len(cands), dtype=bool)
            for c in node.children:
                idx = np.flatnonzero(~mask)
                if len(idx) == 0:
                    break
                mask[idx[self.matches(c, cands[idx])]] = True
            return mask
        if isinstance(node, Not):
            return ~self.matches(node.child, cands)
        raise QueryError("无法理解的检索式")

    # -- phrases -------------------------------------------------------------------

    def phrase_hits(self, phrase: str) -> np.ndarray:
        """Sorted rows whose search text contains the phrase (any of its variants)."""
        cached = self._phrase_cache.get(phrase)
        if cached is not None:
            return cached
        arr: np.ndarray | None = None
        for v in query_variants(phrase):
            if v:
                hits = self._variant_hits(v)
                arr = hits if arr is None else np.union1d(arr, hits)
        if arr is None:
            arr = np.empty(0, dtype=np.int64)
        self._phrase_cache[phrase] = arr
        return arr

    def _variant_hits(self, v: str) -> np.ndarray:
        snap = self.snap
        terms = candidate_terms(v)
        if not terms or snap.reader is None:
            every = np.arange(snap.n, dtype=np.int64)
            return every[snap.contains(every, v)]
        postings = snap.postings
        rated = []
        for t in terms:
            df = postings.doc_frequency(S.EXACT, t)
            if df == 0:
                return np.empty(0, dtype=np.int64)
            rated.append((df, t))
        rated.sort()
        best = rated[0][1]
        cands = postings.rows(S.EXACT, best)
        if len(v) == 2 and is_exact_term(best):
            return cands  # a frequent bigram's own postings: exact, nothing to verify
        # every other bigram whose rows are saved with the generation narrows the candidates before the
        # text is read (a term read from Whoosh would cost about as much as reading the texts)
        for _, t in rated[1:]:
            if not len(cands):
                break
            held = postings.held(t, cands)
            if held is not None:
                cands = cands[held]
        return cands[snap.contains(cands, v)]

    # -- filters -------------------------------------------------------------------

    def filter_mask(self, f: Filter) -> np.ndarray:
        snap = self.snap
        if f.field == "year":
            y1, y2 = f.value  # type: ignore[misc]
            return (snap.years >= y1) & (snap.years <= y2)
        if f.field == "report":
            code = snap.report.index.get(str(f.value))
            return snap.report.codes == (code if code is not None else -1)
        col = snap.coded[f.field]
        codes = self._resolve(f.field, str(f.value), col)
        return np.isin(col.codes, np.array(codes, dtype=np.int32))

    def _resolve(self, field: str, value: str, col: CodedColumn) -> list[int]:
        if value in col.index:
            return [col.index[value]]
        if field in ("province", "prefecture", "county"):
            names = [n for n in col.labels if n and short_name(n) == value]
            if not names:
                names = [n for n in col.labels if n and n.startswith(value)]
            if len(names) > 1 and field == "province":
                raise QueryError(f"“{value}”可指 {'、'.join(names)}：请写全称")
            if names:
                return [col.index[n] for n in names]
            labels = {"province": "省份", "prefecture": "地市", "county": "区县"}
            self.notices.append(f"索引中没有{labels[field]}“{value}”")
        return []


def has_or(node: Node | None) -> bool:
    """Whether a query tree holds an OR (ranking then puts paragraphs with more of its phrases first)."""
    if isinstance(node, Or):
        return True
    if isinstance(node, And):
        return any(has_or(c) for c in node.children)
    if isinstance(node, Not):
        return has_or(node.child)
    return False


def candidate_terms(v: str) -> list[str]:
    """Exact-field terms every paragraph containing ``v`` must hold (see index.analysis)."""
    runs = v.split(" ")
    # single characters are indexed only as whole runs: only interior runs are safe
    interior = {r for r in runs[1:-1] if len(r) == 1} if len(runs) > 2 else set()
    grams = [b for b in dict.fromkeys(bigrams(v)) if len(b) == 2 or b in interior]
    return list(dict.fromkeys(exact_term(b) for b in grams))
