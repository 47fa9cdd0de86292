"""Ranking: the order of a search's matching rows.

Vocabulary:

* **BM25** scores a row by the query's jieba words (:func:`index.analysis.query_words`):
  rare words weigh more (*idf*), repeats count with diminishing returns (*tf*),
  long paragraphs are normalised by their length against the average.
  A word's frequencies are read from the ``words`` field's postings; a very
  common word is counted in the hits' search texts instead.
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
from index.whoosh_internals import read_weighted

from .snapshot import Snapshot

__all__ = ["order", "bm25"]

_BM25_K1, _BM25_B = 1.2, 0.75


def order(snap: Snapshot, hits: np.ndarray, phrases: list[str], sort: str, either: bool) -> np.ndarray:
    """The rows ``hits`` in the order of ``sort`` (one of :data:`search.results.SORTS`).

    ``relevance`` ranks by :func:`bm25` over ``phrases``; ``newest``/``oldest``
    by year, then score; ``region`` by region name, newest first. Ties keep
    index order, so a page never shuffles between requests.
    """
    if len(hits) == 0:
        return hits
    if sort in ("newest", "oldest") and not phrases:
        key = snap.years[hits]
        idx = np.lexsort((np.array([snap.numbers[i] for i in hits]), snap.report.codes[hits], -key if sort == "newest" else key))
        return hits[idx]
    scores = bm25(snap, hits, phrases, either) if phrases else np.zeros(len(hits))
    if sort == "relevance":
        idx = np.lexsort((hits, -scores))
    elif sort == "newest":
        idx = np.lexsort((hits, -scores, -snap.years[hits]))
    elif sort == "oldest":
        idx = np.lexsort((hits, -scores, snap.years[hits]))
    else:  # region
        idx = np.lexsort((hits, -snap.years[hits], snap.region_rank[hits]))
    return hits[idx]


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
                tf = snap.count(hits, w).astype(np.float64)
            score += idf * tf * (_BM25_K1 + 1) / (tf + norm)
    if either:
        distinct = np.zeros(len(hits))
        for p in dict.fromkeys(phrases):
            distinct += snap.contains(hits, p)
        score += distinct * 1000.0
    return score
