"""Tokenizers for the two indexed views of a paragraph's search text.

* The **exact** field holds *bigrams*: every pair of adjacent non-space
  characters (``项目为王`` → 项目, 目为, 为王). A phrase of two or more characters
  can only occur in a paragraph whose exact field holds every bigram of the
  phrase, so the postings of any one of them (the rarest) give a complete set
  of *candidates*; the search engine verifies each candidate against the text.
  A run of one character (``A`` between spaces) is indexed as itself.
  Each bigram is stored as its *bucket* (:func:`exact_term`: one of 4,096,
  by CRC-32): real reports hold hundreds of thousands of distinct bigrams,
  mostly rare, and Whoosh spends over a hundred bytes and tens of
  microseconds on every distinct term, which made the index seven times the
  size of its text. A bucket's postings are the union of its bigrams', a
  superset of each, so candidates stay complete; verification removes the
  rest (a rare bigram's bucket holds a few hundred paragraphs per million
  characters: microseconds of ``in`` checks). The 4,096 most frequent bigrams
  (``index/data/frequent_bigrams.txt``, made from the bundled sample by
  ``bench/frequent_bigrams.py``) keep a term of their own instead: their
  postings are exact, so a two-character query such as 推进 needs no
  verification of its tens of thousands of hits.
* The **words** field holds jieba *words* for ranking, each with its
  frequency in the paragraph (no positions: BM25 needs none). Documents are
  cut in precise mode; dictionary words inside a longer word (人民 and 共和国
  inside 中华人民共和国) are indexed too, counted once more for each time
  their parent occurs. Queries are cut in precise mode only.

Whoosh pickles analyzers into the index's schema, so the tokenizers below hold
nothing but plain settings; jieba itself is reached through :func:`jieba_tokenizer`.

jieba (jieba-next's tokenizer, see :func:`jieba_tokenizer`) is configured here
once: logging at WARNING and its dictionary cache in ``$BAOGAO_CACHE_DIR``
(default ``~/.cache/baogao``), never the system temp dir. ``jieba.analyse`` is
never imported (it leaks a file handle).
"""
from __future__ import annotations

import functools
import logging
import os
import zlib
from importlib import resources
from pathlib import Path
from typing import Iterator

from whoosh.analysis import Token, Tokenizer

__all__ = [
    "BigramTokenizer",
    "WordTokenizer",
    "bigrams",
    "exact_term",
    "is_exact_term",
    "frequent_bigrams",
    "EXACT_BUCKETS",
    "jieba_tokenizer",
    "query_words",
    "cache_dir",
]

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """Where baogao keeps caches (jieba's dictionary cache): ``$BAOGAO_CACHE_DIR``."""
    env = os.environ.get("BAOGAO_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "baogao"


@functools.cache
def jieba_tokenizer():
    """The process's one jieba tokenizer, initialised quietly with its cache in :func:`cache_dir`.

    It is jieba-next's: jieba's dictionary and algorithm with the hot loops in
    Rust, 4–8× faster than jieba 0.42.1. On every paragraph of the corpus its
    cut equals jieba's except where jieba keeps a run of ``-`` as one token
    (``--`` → ``-``, ``-``), which no field keeps (:func:`document_words` and
    :func:`query_words` drop tokens made only of punctuation). The index, the
    query side and every other caller share this one tokenizer, so they agree.
    """
    import jieba_next

    jieba_next.set_log_level(logging.WARNING)
    logging.getLogger("jieba_next").setLevel(logging.WARNING)
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tk = jieba_next.Tokenizer(cache_dir=directory)
    except OSError:  # a read-only home: the dictionary is then parsed in memory
        log.warning("cannot create cache dir %s", directory)
        tk = jieba_next.Tokenizer()
    tk.initialize()
    return tk


def bigrams(text: str) -> Iterator[str]:
    """The exact-field terms of ``text``: adjacent non-space pairs; lone characters as themselves."""
    for run in text.split():
        if len(run) == 1:
            yield run
        else:
            for i in range(len(run) - 1):
                yield run[i : i + 2]


EXACT_BUCKETS = 1 << 12


@functools.cache
def frequent_bigrams() -> frozenset[str]:
    """The bigrams indexed as themselves rather than by bucket."""
    text = resources.files("index").joinpath("data/frequent_bigrams.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.split("\n") if len(line) == 2)


def exact_term(bigram: str) -> str:
    """The exact-field term of a bigram (or lone character).

    A frequent bigram is its own term (two characters); any other is its
    bucket (three hex digits), so the two kinds never collide.
    """
    if bigram in _FREQUENT:
        return bigram
    return format(zlib.crc32(bigram.encode("utf-8")) & (EXACT_BUCKETS - 1), "03x")


def is_exact_term(term: str) -> bool:
    """Whether a term's postings hold exactly one bigram (no bucket mates)."""
    return len(term) == 2


_FREQUENT = frequent_bigrams()


class _TermTokenizer(Tokenizer):
    """A Whoosh tokenizer over (position, term) pairs from :meth:`terms`; settings-free, so it pickles."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def terms(self, value: str, mode: str) -> Iterator[tuple[int, str]]:
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pairs = [(0, value)] if not tokenize else self.terms(value, mode)
        for pos, term in pairs:
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = term
            if positions:
                t.pos = start_pos + pos
            yield t


class BigramTokenizer(_TermTokenizer):
    """Whoosh tokenizer for the exact field (see the module docstring)."""

    def terms(self, value: str, mode: str) -> Iterator[tuple[int, str]]:
        return enumerate(exact_term(b) for b in bigrams(value))


_SKIP = frozenset(" \t\n,.;:!?()[]{}<>\"'、。，：；！？（）“”‘’《》〈〉【】〔〕…—-·/\\|%")


def _is_word(w: str) -> bool:
    return bool(w.strip()) and not all(c in _SKIP for c in w)


def document_words(text: str) -> Iterator[tuple[int, str]]:
    """(position, word) pairs of a document's search text, as indexed in the words field."""
    tk = jieba_tokenizer()
    freq = tk.FREQ
    pos = 0
    for w in tk.cut(text, HMM=True):
        if not _is_word(w):
            continue
        yield pos, w
        n = len(w)
        if n > 2:
            for size in (2, 3):
                if size >= n:
                    continue
                for i in range(n - size + 1):
                    sub = w[i : i + size]
                    if freq.get(sub):
                        yield pos, sub
        pos += 1


def query_words(text: str) -> list[str]:
    """The words of a query phrase (precise mode), for ranking."""
    tk = jieba_tokenizer()
    return [w for w in tk.cut(text, HMM=True) if _is_word(w)]


class WordTokenizer(_TermTokenizer):
    """Whoosh tokenizer for the words field; ``mode='query'`` cuts precisely only."""

    def terms(self, value: str, mode: str) -> Iterator[tuple[int, str]]:
        if mode == "query":
            return enumerate(query_words(value))
        return document_words(value)
