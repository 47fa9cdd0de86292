"""The search engine: a query in, every matching paragraph out, exactly.

How a query is answered:

1. :func:`search.query.parse_query` turns the text into a tree of phrases,
   operators and filters; request parameters add filters.
2. Each **phrase** is folded (:func:`index.normalise.query_variants`). Its
   *candidates* are the postings of its rarest bigram in the ``exact`` field —
   every paragraph holding the phrase holds that bigram, so nothing is missed.
   A phrase with no bigram (one character) is looked for in every paragraph.
3. Every candidate is **verified** against the paragraph's search text held in
   memory (``phrase in text``), so nothing wrong is returned either.
4. Filters, facets and sorting use small integer arrays loaded once per index
   generation; ranking is BM25 over the query's jieba words, with paragraphs
   that match more of the query's phrases first.

An :class:`Engine` opens the current generation of an index directory once and
notices a new one (written by ``baogao index``) at the next request, without a
restart. It is safe to share between threads.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from index import schema as S
from index.analysis import bigrams, exact_term, is_exact_term, query_words
from index.normalise import query_variants
from index.whoosh_internals import read_docnums, read_weighted
from index.report import LEVEL_LABELS, SECTION_CATEGORIES, Region
from index.writer import IndexStore, IndexStoreError

from .query import FILTER_NAMES, And, Filter, Node, Not, Or, Phrase, QueryError, canonical_filter, phrases_of, read_query
from .records import OfPassage, Passage
from .snapshot import CodedColumn, Snapshot
from .snippets import make_snippet

__all__ = [
    "Engine",
    "SearchRequest",
    "SearchPage",
    "Hit",
    "ReportGroup",
    "FacetCount",
    "EngineError",
    "NotFound",
    "SORTS",
    "MAX_PER_PAGE",
]

log = logging.getLogger(__name__)


class EngineError(Exception):
    """The index cannot be opened or read (missing, corrupt). Message in Chinese."""


class NotFound(KeyError):
    """A report id or paragraph id that the index does not hold."""


SORTS = ("relevance", "newest", "oldest", "region")
MAX_PER_PAGE = 1000
_BM25_K1, _BM25_B = 1.2, 0.75
_REGION_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县", "省", "市", "地区", "盟", "县", "区", "旗")


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

    report_id: str
    title: str
    region: Region
    year: int | None
    hits: tuple[Hit, ...]
    total: int

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
    facets: dict[str, list[FacetCount]]
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


class Engine:
    """Searches one index directory (see the module docstring)."""

    def __init__(self, index_dir: str | Path):
        self.store = IndexStore(index_dir)
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        self._checked = 0.0
        self.refresh()
        # load jieba's dictionary and opencc now, not in the first request
        query_words("项目为王")
        query_variants("項目")

    # -- lifecycle -------------------------------------------------------------

    def refresh(self) -> bool:
        """Load the current generation if it changed; True when it did."""
        try:
            gen = self.store.current_generation()
        except IndexStoreError as exc:
            raise EngineError(str(exc)) from exc
        snap = self._snap
        if snap is not None and snap.generation == gen:
            return False
        with self._lock:
            if self._snap is not None and self._snap.generation == gen:
                return False
            try:
                new = Snapshot.load(self.store, gen)
            except IndexStoreError as exc:
                raise EngineError(str(exc)) from exc
            # requests in flight keep their reference to the old snapshot; its
            # reader is closed when the last reference goes
            self._snap = new
            log.info("loaded index generation %s (%d paragraphs)", gen, new.n)
            return True

    def snapshot(self) -> Snapshot:
        """The current generation's snapshot: take it once per request and pass it down."""
        now = time.monotonic()
        if now - self._checked > 0.5:
            self._checked = now
            self.refresh()
        assert self._snap is not None
        return self._snap

    @property
    def generation(self) -> str | None:
        return self.snapshot().generation

    def close(self) -> None:
        if self._snap is not None:
            self._snap.close()

    # -- reports and paragraphs -----------------------------------------------------

    def reports(self) -> list[dict]:
        """Every report's record, by year then region."""
        snap = self.snapshot()
        return sorted(snap.reports.values(), key=lambda r: (r.get("year") or 0, r.get("region_display") or "", r["report_id"]))

    def report(self, report_id: str) -> tuple[dict, list[dict]]:
        """(report record, its paragraphs in order). Raises :class:`NotFound`."""
        snap = self.snapshot()
        rec = snap.reports.get(report_id)
        if rec is None:
            raise NotFound(report_id)
        paras = [snap.paragraph(i) for i in snap.rows_of(report_id)]
        return rec, paras

    def paragraph(self, paragraph_id: str) -> tuple[dict, dict]:
        """(report record, paragraph) for a paragraph id. Raises :class:`NotFound`."""
        snap = self.snapshot()
        i = snap.row_of(paragraph_id)
        if i is None:
            raise NotFound(paragraph_id)
        return snap.reports[snap.report_id(i)], snap.paragraph(i)

    def stats(self) -> dict:
        """What is indexed: reports, paragraphs, characters, regions, years."""
        snap = self.snapshot()
        years = sorted({r["year"] for r in snap.reports.values() if r.get("year")})
        return {
            "reports": len(snap.reports),
            "paragraphs": snap.n,
            "characters": int(sum(len(t) for t in snap.texts)),
            "provinces": len({r["region"].get("province") for r in snap.reports.values() if r["region"].get("province")}),
            "regions": len({r["region_display"] for r in snap.reports.values()}),
            "years": (years[0], years[-1]) if years else None,
            "generation": snap.generation,
        }

    # -- searching ---------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchPage:
        """Answer a request. Raises :class:`search.query.QueryError` for a query it cannot parse."""
        t0 = time.perf_counter()
        snap = self.snapshot()
        if request.page < 1 or request.per_page < 1 or request.per_page > MAX_PER_PAGE:
            raise QueryError(f"页码须 ≥1，每页条数须在 1–{MAX_PER_PAGE} 之间")
        tree, hits, notices = self._evaluate(snap, request)
        phrases = [v for p in phrases_of(tree) for v in query_variants(p)]
        order = self._order(snap, hits, phrases, request.sort, either=_has_or(tree))
        facets = self._facets(snap, order)
        year_counts = facets.pop("_years")
        page = self._page(snap, order, phrases, request)
        took = (time.perf_counter() - t0) * 1000
        hits_page, groups, reports_total = page
        return SearchPage(
            request=request,
            total=int(len(order)),
            reports_total=reports_total,
            hits=hits_page,
            groups=groups,
            facets=facets,
            years=year_counts,
            took_ms=took,
            phrases=phrases,
            notices=notices,
        )

    def matching_rows(self, request: SearchRequest, snap: Snapshot | None = None) -> tuple[Snapshot, np.ndarray, list[str]]:
        """(snapshot, sorted row numbers, notices) of every paragraph matching a request.

        No ranking, facets or snippets: for modules that count or compare over
        the matches (trends, first use). Row numbers index the snapshot's
        columns (:meth:`Snapshot.paragraph`). Pass ``snap`` to evaluate several
        requests against one generation. Raises :class:`search.query.QueryError`.
        """
        snap = snap if snap is not None else self.snapshot()
        _, rows, notices = self._evaluate(snap, request)
        return snap, rows, notices

    @staticmethod
    def _evaluate(snap: Snapshot, request: SearchRequest) -> tuple[Node | None, np.ndarray, list[str]]:
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
        return tree, _Evaluator(snap, notices).run(node), notices

    def matching_paragraphs(self, request: SearchRequest) -> list[Hit]:
        """Every hit of a request in its sort order (for exports): evaluated and ranked once."""
        return list(self.iter_hits(request)[1])

    def iter_hits(self, request: SearchRequest, *, snippets: bool = True) -> tuple[int, Iterator[Hit]]:
        """(how many hits, the hits one at a time in the request's sort order), for exports that stream.

        The request is evaluated and ranked once, before this returns; each
        :class:`Hit` is built only when the iterator reaches it. Without
        ``snippets`` a hit's ``snippet_html`` is empty (a CSV holds none).
        """
        snap = self.snapshot()
        tree, hits, _ = self._evaluate(snap, request)
        phrases = [v for p in phrases_of(tree) for v in query_variants(p)]
        order = self._order(snap, hits, phrases, request.sort, either=_has_or(tree))
        return int(len(order)), (self._hit(snap, int(i), phrases, snippet=snippets) for i in order)

    # -- ranking, facets, pages --------------------------------------------------------

    def _order(self, snap: Snapshot, hits: np.ndarray, phrases: list[str], sort: str, either: bool) -> np.ndarray:
        if len(hits) == 0:
            return hits
        if sort in ("newest", "oldest") and not phrases:
            key = snap.years[hits]
            idx = np.lexsort((np.array([snap.numbers[i] for i in hits]), snap.report.codes[hits], -key if sort == "newest" else key))
            return hits[idx]
        scores = self._scores(snap, hits, phrases, either) if phrases else np.zeros(len(hits))
        if sort == "relevance":
            idx = np.lexsort((hits, -scores))
        elif sort == "newest":
            idx = np.lexsort((hits, -scores, -snap.years[hits]))
        elif sort == "oldest":
            idx = np.lexsort((hits, -scores, snap.years[hits]))
        else:  # region
            idx = np.lexsort((hits, -snap.years[hits], snap.region_rank[hits]))
        return hits[idx]

    def _scores(self, snap: Snapshot, hits: np.ndarray, phrases: list[str], either: bool) -> np.ndarray:
        """BM25 over the query's jieba words, read from the words field's postings.

        With ``either`` (the query has OR) a paragraph holding more of the
        query's phrases comes first: every one adds a large step.
        """
        texts = snap.search
        n_docs = max(snap.n, 1)
        reader = snap.reader
        lengths = snap.lengths[hits].astype(np.float64)
        norm = _BM25_K1 * (1 - _BM25_B + _BM25_B * lengths / snap.avg_len)
        score = np.zeros(len(hits))
        if reader is not None:
            for w in dict.fromkeys(w for p in phrases for w in query_words(p)):
                df = reader.doc_frequency(S.WORDS, w)
                if not df:
                    continue
                idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
                if df <= len(hits):
                    # the word's postings carry its frequency: cheaper than counting in every hit
                    docnums, freqs = read_weighted(reader, S.WORDS, w)
                    tf_all = np.zeros(snap.n)
                    rows = snap.docnum_to_row[docnums]
                    keep = rows >= 0
                    tf_all[rows[keep]] = freqs[keep]
                    tf = tf_all[hits]
                else:  # a very common word (的): count it in the hits instead
                    tf = np.fromiter((texts[i].count(w) for i in hits), dtype=np.float64, count=len(hits))
                score += idf * tf * (_BM25_K1 + 1) / (tf + norm)
        if either:
            distinct = np.zeros(len(hits))
            for p in dict.fromkeys(phrases):
                distinct += np.fromiter((p in texts[i] for i in hits), dtype=np.float64, count=len(hits))
            score += distinct * 1000.0
        return score

    def _facets(self, snap: Snapshot, hits: np.ndarray) -> dict:
        out: dict[str, list[FacetCount]] = {}
        for name in ("province", "prefecture", "county", "level", "section"):
            col = snap.coded[name]
            counts = np.bincount(col.codes[hits], minlength=len(col.labels)) if len(hits) else np.zeros(len(col.labels), dtype=np.int64)
            nonzero = np.flatnonzero(counts)
            items = [(col.labels[c], int(counts[c])) for c in nonzero.tolist() if col.labels[c]]
            if name == "section":
                rank = {c: i for i, c in enumerate(SECTION_CATEGORIES)}
                items.sort(key=lambda x: rank.get(x[0], 99))
                out["section"] = [FacetCount(v, n, v) for v, n in items]
            elif name == "level":
                rank = {c: i for i, c in enumerate(LEVEL_LABELS)}
                items.sort(key=lambda x: rank.get(x[0], 99))
                out["level"] = [FacetCount(v, n, LEVEL_LABELS.get(v, v)) for v, n in items]
            else:
                items.sort(key=lambda x: (-x[1], x[0]))
                out[name] = [FacetCount(v, n, v) for v, n in items]
        values, counts = np.unique(snap.years[hits], return_counts=True)
        year_items = [(int(y), int(n)) for y, n in zip(values, counts) if y]
        out["year"] = [FacetCount(str(y), n, f"{y}年") for y, n in sorted(year_items, reverse=True)]
        out["_years"] = year_items  # type: ignore[assignment]
        return out

    def _hit(self, snap: Snapshot, i: int, phrases: list[str], score: float = 0.0, *, snippet: bool = True) -> Hit:
        passage = snap.passage(i)
        return Hit(
            passage=passage,
            snippet_html=make_snippet(passage.text, phrases, traditional=snap.record_at(i).traditional) if snippet else "",
            score=score,
            ocr_confidence=snap.ocr_confidences[i],
        )

    def _page(self, snap: Snapshot, order: np.ndarray, phrases: list[str], request: SearchRequest):
        start = (request.page - 1) * request.per_page
        if not request.group:
            page = [self._hit(snap, int(i), phrases) for i in order[start : start + request.per_page]]
            reports_total = len(np.unique(snap.report.codes[order])) if len(order) else 0
            return page, [], reports_total
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
            hits = tuple(self._hit(snap, int(i), phrases) for i in members[:per_report])
            groups.append(
                ReportGroup(
                    report_id=rec.report_id,
                    title=rec.title,
                    region=rec.region,
                    year=rec.year,
                    hits=hits,
                    total=int(len(members)),
                )
            )
        flat = [h for g in groups for h in g.hits]
        return flat, groups, reports_total


class _Evaluator:
    """Evaluates a query tree to the sorted array of matching paragraph numbers."""

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
            return np.isin(cands, self.phrase_hits(node.text), assume_unique=False)
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
        """Sorted paragraph numbers whose search text contains the phrase (any of its variants)."""
        cached = self._phrase_cache.get(phrase)
        if cached is not None:
            return cached
        out: set[int] = set()
        for v in query_variants(phrase):
            if v:
                out.update(self._variant_hits(v))
        arr = np.array(sorted(out), dtype=np.int64)
        self._phrase_cache[phrase] = arr
        return arr

    def _variant_hits(self, v: str) -> list[int]:
        snap = self.snap
        texts = snap.search
        terms = candidate_terms(v)
        if not terms or snap.reader is None:
            return [i for i in range(snap.n) if v in texts[i]]
        reader = snap.reader
        best, best_df = None, None
        for t in terms:
            df = reader.doc_frequency(S.EXACT, t)
            if df == 0:
                return []
            if best_df is None or df < best_df:
                best, best_df = t, df
        docnums = read_docnums(reader, S.EXACT, best)
        cands = snap.docnum_to_row[docnums]
        cands = cands[cands >= 0]
        if len(v) == 2 and is_exact_term(best):
            return cands.tolist()  # a frequent bigram's own postings: exact, nothing to verify
        return [i for i in cands.tolist() if v in texts[i]]

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
            names = [n for n in col.labels if n and _short_name(n) == value]
            if not names:
                names = [n for n in col.labels if n and n.startswith(value)]
            if len(names) > 1 and field == "province":
                raise QueryError(f"“{value}”可指 {'、'.join(names)}：请写全称")
            if names:
                return [col.index[n] for n in names]
            labels = {"province": "省份", "prefecture": "地市", "county": "区县"}
            self.notices.append(f"索引中没有{labels[field]}“{value}”")
        return []


def _has_or(node: Node | None) -> bool:
    if isinstance(node, Or):
        return True
    if isinstance(node, And):
        return any(_has_or(c) for c in node.children)
    if isinstance(node, Not):
        return _has_or(node.child)
    return False


def candidate_terms(v: str) -> list[str]:
    """Exact-field terms every paragraph containing ``v`` must hold (see index.analysis)."""
    runs = v.split(" ")
    # single characters are indexed only as whole runs: only interior runs are safe
    interior = {r for r in runs[1:-1] if len(r) == 1} if len(runs) > 2 else set()
    grams = [b for b in dict.fromkeys(bigrams(v)) if len(b) == 2 or b in interior]
    return list(dict.fromkeys(exact_term(b) for b in grams))


def _short_name(name: str) -> str:
    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
        if name.endswith(suffix) and len(name) == len(suffix) + 1:
            return name[: -len(suffix)]
    return name
