"""The search engine: a query in, every matching paragraph out, exactly.

How a query is answered:

1. :func:`search.query.parse_query` turns the text into a tree of phrases,
   operators and filters; request parameters add filters.
2. Each **phrase** is folded (:func:`index.normalise.query_variants`). Its
   *candidates* are the postings of its rarest bigram in the ``exact`` field —
   every paragraph holding the phrase holds that bigram, so nothing is missed —
   narrowed by its other bigrams whose rows the generation saved
   (:mod:`index.postings`). A phrase with no bigram (one character) is looked
   for in every paragraph.
3. Every candidate is **verified** against the paragraph's search text held in
   memory (``phrase in text``), so nothing wrong is returned either.
4. Filters, facets and sorting use small integer arrays loaded once per index
   generation; ranking is BM25 over the query's jieba words, with paragraphs
   that match more of the query's phrases first.

The steps live in their own modules: :mod:`search.snapshot` (the columns held
in memory), :mod:`search.evaluation` (steps 2–3), :mod:`search.ranking` (BM25
and the sort orders), :mod:`search.results` (requests, hits, facet counts,
pages and groups). :class:`Engine` is the door to them.

An :class:`Engine` opens the current generation of an index directory once and
notices a new one (written by ``baogao index``) at the next request, without a
restart. It is safe to share between threads.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Iterator

import numpy as np

from index.analysis import query_words
from index.normalise import query_variants
from index.writer import IndexStore, IndexStoreError

from .evaluation import evaluate, has_or
from .query import QueryError, phrases_of
from .ranking import order as order_rows
from .results import MAX_PER_PAGE, SORTS, FacetCount, Hit, ReportGroup, SearchPage, SearchRequest, facet_counts, hit_at, page_of
from .snapshot import Snapshot

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


#: Searched once whenever a generation is loaded, before any request is answered from it. The first search
#: of a process pays for what the next ones find ready: malloc's heap grown to hold arrays of one value
#: per row (glibc maps a large block afresh, and faults in its pages, until a free raises its threshold),
#: regular expressions compiled, the saved postings' header pages read. At 100M characters the first 发展
#: took 24 ms against 16 ms for the second, most of the difference in faulting in the pages of fresh
#: arrays. A phrase from every report's title (common bigrams, words with saved postings), then the
#: commonest word of the reports (建设, in two paragraphs of three): the phrase's few hits left the arrays of
#: a common word's hundreds of thousands to the first request (发展 1.43–2.68× the second in three fresh
#: processes at 100M; 1.08–1.20× after both, 改革 1.10–1.18×; 建设 takes about 25 ms).
WARM_UP_QUERIES = ("政府工作报告", "建设")


class EngineError(Exception):
    """The index cannot be opened or read (missing, corrupt). Message in Chinese."""


class NotFound(KeyError):
    """A report id or paragraph id that the index does not hold."""


class Engine:
    """Searches one index directory (see the module docstring)."""

    def __init__(self, index_dir: str | Path):
        self.store = IndexStore(index_dir)
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        self._checked = 0.0
        # load the query dictionary and opencc now, not in the first request
        query_words("项目为王")
        query_variants("項目")
        self.refresh()

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
            self._warm_up(new)
            # requests in flight keep their reference to the old snapshot; its
            # reader is closed when the last reference goes
            self._snap = new
            log.info("loaded index generation %s (%d paragraphs)", gen, new.n)
            return True

    def _warm_up(self, snap: Snapshot) -> None:
        """Search ``snap`` for each of :data:`WARM_UP_QUERIES` before any request does. Only a speed-up: a failure
        is logged, never stops the generation from being served."""
        t0 = time.perf_counter()
        try:
            for q in WARM_UP_QUERIES:
                self._answer(snap, SearchRequest(q=q))
        except Exception:  # noqa: BLE001 (whatever it is, requests will meet it and report it themselves)
            log.exception("the warm-up search of generation %s failed", snap.generation)
            return
        log.debug("warm-up search of %s: %.1f ms", snap.generation, (time.perf_counter() - t0) * 1000)

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

    def reports(self, snap: Snapshot | None = None, *, evidence: bool = False) -> list[dict]:
        """Every report's record, by year then region (of ``snap``, else the current snapshot); with its
        ``evidence`` only when asked (it is read from disk, report by report)."""
        snap = snap if snap is not None else self.snapshot()
        recs = sorted(snap.reports.values(), key=lambda r: (r.get("year") or 0, r.get("region_display") or "", r["report_id"]))
        return [{**r, "evidence": snap.evidence(r["report_id"])} for r in recs] if evidence else recs

    def report(self, report_id: str, snap: Snapshot | None = None, *, evidence: bool = True) -> tuple[dict, list[dict]]:
        """(report record with its ``evidence`` unless told not to read it, its paragraphs in order), from
        ``snap`` (else the current snapshot). Raises :class:`NotFound`."""
        snap = snap if snap is not None else self.snapshot()
        rec = snap.reports.get(report_id)
        if rec is None:
            raise NotFound(report_id)
        paras = [snap.paragraph(i) for i in snap.rows_of(report_id)]
        return ({**rec, "evidence": snap.evidence(report_id)} if evidence else rec), paras

    def paragraph(self, paragraph_id: str, snap: Snapshot | None = None) -> tuple[dict, dict]:
        """(report record, paragraph) for a paragraph id, from ``snap`` (else the current snapshot).
        Raises :class:`NotFound`."""
        snap = snap if snap is not None else self.snapshot()
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
            "characters": snap.characters,
            "provinces": len({r["region"].get("province") for r in snap.reports.values() if r["region"].get("province")}),
            "regions": len({r["region_display"] for r in snap.reports.values()}),
            "years": (years[0], years[-1]) if years else None,
            "generation": snap.generation,
        }

    # -- searching ---------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchPage:
        """Answer a request. Raises :class:`search.query.QueryError` for a query it cannot parse."""
        return self._answer(self.snapshot(), request)

    def _answer(self, snap: Snapshot, request: SearchRequest) -> SearchPage:
        t0 = time.perf_counter()
        if request.page < 1 or request.per_page < 1 or request.per_page > MAX_PER_PAGE:
            raise QueryError(f"页码须 ≥1，每页条数须在 1–{MAX_PER_PAGE} 之间")
        tree, hits, notices = evaluate(snap, request)
        phrases = [v for p in phrases_of(tree) for v in query_variants(p)]
        top = None if request.group else request.page * request.per_page
        order = order_rows(snap, hits, phrases, request.sort, either=has_or(tree), top=top)
        per_report = snap.report_counts(hits)
        facets, year_counts = facet_counts(snap, hits, per_report)
        page = page_of(snap, order, phrases, request, hits, per_report)
        took = (time.perf_counter() - t0) * 1000
        hits_page, groups, reports_total = page
        return SearchPage(
            request=request,
            total=int(len(hits)),
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
        _, rows, notices = evaluate(snap, request)
        return snap, rows, notices

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
        tree, hits, _ = evaluate(snap, request)
        phrases = [v for p in phrases_of(tree) for v in query_variants(p)]
        order = order_rows(snap, hits, phrases, request.sort, either=has_or(tree))
        return int(len(order)), (hit_at(snap, int(i), phrases, snippet=snippets) for i in order)
