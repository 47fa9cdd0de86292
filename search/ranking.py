"""Ranking: the order of a search's matching rows.

Vocabulary:

* **BM25** scores a row by the query's jieba words (:func:`index.analysis.query_words`):
  rare words weigh more (*idf*), repeats count with diminishing returns (*tf*),
  long paragraphs are normalised by their length against the average.
  A word's frequencies are read from the ``words`` field's postings (saved
  with the generation for a word held by one paragraph in 256 or more, else
  read from Whoosh): jieba's tokens, so 会 inside 社会 does not count as 会.
* with **OR** in the query, a paragraph holding more of its phrases comes
  first, whatever its BM25 score.
* the **region rank** (``sort=region``) is computed once per snapshot
  (:attr:`search.snapshot.Snapshot.region_rank`).
"""
from __future__ import annotations

import math

import numpy as np

from index import schema as S
from index.analysis import query_words

from .snapshot import Snapshot

__all__ = ["order", "bm25"]

_BM25_K1, _BM25_B = 1.2, 0.75


def order(snap: Snapshot, hits: np.ndarray, phrases: list[str], sort: str, either: bool,
          top: int | None = None) -> np.ndarray:
    """The rows ``hits`` in the order of ``sort`` (one of :data:`search.results.SORTS`).

    ``relevance`` ranks by :func:`bm25` over ``phrases``; ``newest``/``oldest``
    by year, then score; ``region`` by region name, newest first. Ties keep
    index order, so a page never shuffles between requests. With ``top``,
    only the first ``top`` rows of that order are returned (a page needs no
    more, and sorting 200,000 hits to show ten cost more than finding them).
    """
    if len(hits) == 0:
        return hits
    if sort in ("newest", "oldest") and not phrases:
        key = snap.years[hits]
        numbers = np.asarray(snap.numbers)[hits]
        return hits[_lexsort_top((numbers, snap.report.codes[hits], -key if sort == "newest" else key), top)]
    if sort == "relevance" and not phrases:
        return hits if top is None else hits[:top]  # every score is 0: index order
    scores = bm25(snap, hits, phrases, either) if phrases else np.zeros(len(hits))
    if sort == "relevance":
        keys = (hits, -scores)
    elif sort == "newest":
        keys = (hits, -scores, -snap.years[hits])
    elif sort == "oldest":
        keys = (hits, -scores, snap.years[hits])
    else:  # region
        keys = (hits, -snap.years[hits], snap.region_rank[hits])
    return hits[_lexsort_top(keys, top)]


def _lexsort_top(keys: tuple[np.ndarray, ...], top: int | None) -> np.ndarray:
    """The first ``top`` indices of ``np.lexsort(keys)`` (all of them for None), without sorting the rest.

    Only entries whose primary key (the last) is at most the ``top``-th
    smallest can be among the first ``top``; those are sorted in full, so
    ties fall exactly as in the full sort.
    """
    n = len(keys[0])
    if top is None or top >= n // 4:
        idx = np.lexsort(keys)
        return idx if top is None else idx[:top]
    if top <= 0:
        return np.empty(0, dtype=np.int64)
    primary = keys[-1]
    kth = np.partition(primary, top - 1)[top - 1]
    near = np.flatnonzero(primary <= kth)
    idx = np.lexsort(tuple(k[near] for k in keys))
    return near[idx[:top]]


def bm25(snap: Snapshot, hits: np.ndarray, phrases: list[str], either: bool) -> np.ndarray:
    """BM25 over the query's jieba words, read from the words field's postings.

    With ``either`` (the query has OR) a paragraph holding more of the
    query's phrases comes first: every one adds a large step.
    """
    n_docs = max(snap.n, 1)
    reader = snap.reader
    lengths = snap.lengths[hits].astype(np.float64)
    norm = _BM25_K1 * (1 - _BM25_B + _BM25_B * lengths / snap.avg_len)
    score = np.zeros(len(hits))
    if snap.reader is not None:
        postings = snap.postings
        for w in dict.fromkeys(w for p in phrases for w in query_words(p)):
            df = postings.doc_frequency(S.WORDS, w)
            if not df:
                continue
            idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            # always the postings' frequency (jieba's tokens: 会 in 社会 is not 会), so a paragraph's score
            # does not depend on how many hits the query has; a word read from Whoosh has fewer postings
            # than one paragraph in 256 (at 100M at most 1,641, about 1 ms)
            tf = postings.frequencies(w, hits)
            score += idf * tf * (_BM25_K1 + 1) / (tf + norm)
    if either:
        distinct = np.zeros(len(hits))
        for p in dict.fromkeys(phrases):
            distinct += snap.contains(hits, p)
        score += distinct * 1000.0
    return score
