"""Tokenizers for the two indexed views of a paragraph's search text.

* The **exact** field holds *bigrams*: every pair of adjacent non-space
  characters (``项目为王`` → 项目, 目为, 为王). A phrase of two or more characters
  can only occur in a paragraph whose exact field holds every bigram of the
  phrase, so the postings of any one of them (the rarest) give a complete set
  of *candidates*; the search engine verifies each candidate against the text.
  A run of one character (``A`` between spaces) is indexed as itself.
  Each bigram is stored as its *bucket* (:func:`exact_term`: one of 65,536,
  by CRC-32): real reports hold hundreds of thousands of distinct bigrams,
  mostly rare, and Whoosh spends over a hundred bytes and tens of
  microseconds on every distinct term, which made the index seven times the
  size of its text. A bucket's postings are the union of its bigrams', a
  superset of each, so candidates stay complete; verification removes the
  rest (at 100M characters a bucket holds a median 288 paragraphs; with
  4,096 buckets a two-character query such as 安民 verified 26,478 rows,
  28 ms). The 4,096 most frequent bigrams
  (``index/data/frequent_bigrams.txt``, made from the bundled sample by
  ``bench/index_data.py``) keep a term of their own instead: their
  postings are exact, so a two-character query such as 推进 needs no
  verification of its tens of thousands of hits.
* The **words** field holds jieba *words* for ranking, each with its
  frequency in the paragraph (no positions: BM25 needs none). Documents are
  cut in precise mode; dictionary words inside a longer word (人民 and 共和国
  inside 中华人民共和国) are indexed too, counted once more for each time
  their parent occurs. Queries are cut in precise mode only.

Whoosh pickles analyzers into the index's schema, so the tokenizers below hold
nothing but plain settings; jieba itself is reached through :func:`jieba_tokenizer`.

jieba's cut is jieba-next's (:func:`jieba_tokenizer`), configured here
once: logging at WARNING and its dictionary cache in ``$BAOGAO_CACHE_DIR``
(default ``~/.cache/baogao``), never the system temp dir. ``jieba.analyse`` is
never imported (it leaks a file handle). Documents are cut to the same words
by jieba-rs (:func:`document_tokens`, 4–5× faster; it was a third of a
build's work), queries by :class:`QueryDictionary` (4 MB rather than 120).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import re
import zlib
from array import array
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Iterator

import numpy as np
from whoosh.analysis import Token, Tokenizer

__all__ = [
    "BigramTokenizer",
    "WordTokenizer",
    "bigrams",
    "exact_term",
    "word_counts",
    "document_tokens",
    "exact_code",
    "exact_codes",
    "exact_vocabulary",
    "is_exact_term",
    "frequent_bigrams",
    "EXACT_BUCKETS",
    "jieba_tokenizer",
    "query_words",
    "QueryDictionary",
    "query_dictionary",
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


EXACT_BUCKETS = 1 << 16


@functools.cache
def frequent_bigrams() -> frozenset[str]:
    """The bigrams indexed as themselves rather than by bucket."""
    text = resources.files("index").joinpath("data/frequent_bigrams.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.split("\n") if len(line) == 2)


def exact_term(bigram: str) -> str:
    """The exact-field term of a bigram (or lone character).

    A frequent bigram is its own term (two characters); any other is its
    bucket (four hex digits), so the two kinds never collide.
    """
    if bigram in _FREQUENT:
        return bigram
    return format(_bucket(bigram), "04x")


def _bucket(bigram: str) -> int:
    """The bucket (0–65,535) of a bigram that is not frequent."""
    return zlib.crc32(bigram.encode("utf-8")) & (EXACT_BUCKETS - 1)


def is_exact_term(term: str) -> bool:
    """Whether a term's postings hold exactly one bigram (no bucket mates)."""
    return len(term) == 2


_FREQUENT = frequent_bigrams()

#: Every exact-field term has a *code*: a bucket its number (0–65,535), the
#: i-th frequent bigram (in sorted order) ``EXACT_BUCKETS + i``. A build's
#: worker processes hand the writer codes rather than terms
#: (:func:`exact_codes`); :func:`exact_vocabulary` turns them back.
_FREQUENT_CODES = {g: EXACT_BUCKETS + i for i, g in enumerate(sorted(_FREQUENT))}


def exact_code(bigram: str) -> int:
    """The code of a bigram's exact-field term (see :data:`_FREQUENT_CODES`)."""
    code = _FREQUENT_CODES.get(bigram)
    return _bucket(bigram) if code is None else code


def exact_codes(text: str) -> array:
    """The codes of the distinct exact-field terms of ``text``, ascending (``array('I')``)."""
    return array("I", sorted({exact_code(g) for g in set(bigrams(text))}))


def _crc_table() -> np.ndarray:
    """The byte table of the CRC-32 zlib computes (reflected polynomial 0xEDB88320)."""
    crc = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        crc = np.where(crc & 1, (crc >> 1) ^ np.uint32(0xEDB88320), crc >> 1).astype(np.uint32)
    return crc


_CRC_TABLE = _crc_table()


def crc32_spans(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``zlib.crc32(data[s:s + n])`` of every span (``starts``, ``lengths``) of the bytes ``data`` (uint8),
    as uint32: all spans at once, a byte position at a time, with numpy."""
    crc = np.full(len(starts), 0xFFFFFFFF, dtype=np.uint32)
    if not len(starts):
        return crc
    shortest, last = int(lengths.min()), len(data) - 1
    for j in range(int(lengths.max())):  # every span is at least `shortest` bytes long: no mask below it
        at = starts + j
        byte = data[at if j < shortest else np.minimum(at, last)]
        stepped = _CRC_TABLE[(crc ^ byte) & 0xFF]
        stepped ^= crc >> 8
        crc = stepped if j < shortest else np.where(j < lengths, stepped, crc)
    return crc ^ np.uint32(0xFFFFFFFF)


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of an array, ascending (a sort and a mask: numpy's ``unique`` hashes, which was
    slower on these arrays)."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


def utf8_sizes(points: np.ndarray) -> np.ndarray:
    """How many UTF-8 bytes encode each code point (int64)."""
    return 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)


#: The code points ``str.split()`` splits on (every one is below U+3001), as a lookup table.
_SPACE = np.array([chr(c).isspace() for c in range(0x3001)], dtype=bool)
#: The frequent bigrams as keys (first code point << 21 | second), sorted, and their codes.
_FREQUENT_KEYS = np.array(sorted((ord(g[0]) << 21) | ord(g[1]) for g in _FREQUENT), dtype=np.int64)
_FREQUENT_KEY_CODES = np.array([_FREQUENT_CODES[chr(k >> 21) + chr(k & 0x1FFFFF)] for k in _FREQUENT_KEYS.tolist()],
                               dtype=np.int64)


def exact_codes_of(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`exact_codes` of every text at once: (the codes of each text in turn, ascending within a
    text, as uint32; where each text's codes end, as int64).

    The texts' bigrams are found, looked up and hashed with numpy (the same
    CRC-32 as :func:`exact_code`, :func:`crc32_spans`): a Python call per
    bigram was a fifth of the workers' postings at 100M characters (py-spy).
    """
    joined = " ".join(texts)  # a space between two texts: no bigram spans them
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    spaced = np.zeros(len(points) + 2, dtype=bool)  # with a space before the first and after the last point
    spaced[[0, -1]] = True
    spaced[1:-1] = (points < len(_SPACE)) & _SPACE[np.minimum(points, len(_SPACE) - 1)]
    solid = ~spaced
    pair = np.flatnonzero(solid[1:-2] & solid[2:-1])  # a bigram starts here
    lone = np.flatnonzero(solid[1:-1] & spaced[:-2] & spaced[2:])  # a run of one character
    keys = (points[pair] << 21) | points[pair + 1]
    at = np.minimum(np.searchsorted(_FREQUENT_KEYS, keys), len(_FREQUENT_KEYS) - 1)
    frequent = _FREQUENT_KEYS[at] == keys
    starts = np.concatenate((pair[~frequent], lone))
    widths = np.concatenate((np.full(int((~frequent).sum()), 2, dtype=np.int64), np.ones(len(lone), dtype=np.int64)))
    sizes = utf8_sizes(points)
    byte_ends = np.cumsum(sizes)
    byte_starts = byte_ends[starts] - sizes[starts]
    data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    buckets = crc32_spans(data, byte_starts, byte_ends[starts + widths - 1] - byte_starts) & (EXACT_BUCKETS - 1)
    positions = np.concatenate((pair[frequent], starts))
    codes = np.concatenate((_FREQUENT_KEY_CODES[at[frequent]], buckets.astype(np.int64)))
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)[positions]  # the text at each point
    distinct = sorted_distinct((owner << 32) | codes)
    ends = np.cumsum(np.bincount(distinct >> 32, minlength=len(texts)))
    return (distinct & 0xFFFFFFFF).astype(np.uint32), ends


@functools.cache
def exact_vocabulary() -> tuple[bytes, ...]:
    """Every exact-field term as UTF-8, by code: ``exact_vocabulary()[exact_code(b)] == exact_term(b).encode()``."""
    return tuple(format(c, "04x").encode() for c in range(EXACT_BUCKETS)) + tuple(
        g.encode("utf-8") for g in sorted(_FREQUENT))


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


#: jieba-next's blocks (``jieba_next._patterns``: what its cut reads as words, and what it splits at
#: whitespace into single characters) and its HMM's runs of letters and digits
#: (``jieba_next.finalseg.re_skip``). A test holds them equal to jieba-next's.
_BLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%]+)")
_WHITESPACE = re.compile("(\r\n|\\s)")
_LETTERS_DIGITS = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
#: What jieba-rs reads into a block and jieba-next does not: ``-`` and the CJK ideographs beyond
#: U+4E00–U+9FD5 (found by cutting every code point between words against jieba-next).
_RS_ONLY = re.compile("[-\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff"
                      "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f]")


def _jieba_rs():
    """rjieba (jieba-rs), with jieba's dictionary built in."""
    import rjieba

    return rjieba


def _jieba_blocks(text: str, cut_block) -> Iterator[str]:
    """jieba-next's precise cut of ``text`` around its blocks: each block cut by ``cut_block``, whitespace
    kept whole and every other character alone (``Tokenizer.cut``)."""
    for blk in _BLOCK.split(text):
        if not blk:
            continue
        if _BLOCK.fullmatch(blk):
            yield from cut_block(blk)
        else:
            for x in _WHITESPACE.split(blk):
                if _WHITESPACE.fullmatch(x):
                    yield x
                elif x:
                    yield from x


def _rs_blocks(text: str) -> Iterator[str]:
    """jieba-rs's cut of ``text`` in jieba-next's blocks."""
    cut = _jieba_rs().cut
    return _jieba_blocks(text, lambda blk: cut(blk, True))


def _rs_cut(text: str) -> list[str] | Iterator[str]:
    """jieba-rs's words of ``text`` before :func:`_pieces`: in one call where its blocks are jieba-next's."""
    if _RS_ONLY.search(text) is None:
        return _jieba_rs().cut(text, True)
    return _rs_blocks(text)


@functools.lru_cache(maxsize=1 << 16)
def _pieces(word: str) -> tuple[str, ...]:
    """jieba-next's words for one word of jieba-rs: a run of letters, digits and ``.+#&_%`` that is
    not a dictionary word (jieba-rs keeps 1.4l, 5g-a, www.gov.cn whole) splits as jieba-next's HMM
    splits it (1.4, l); every other word is itself."""
    if len(word) > 1 and word.isascii() and not _jieba_rs().has_word(word):
        return tuple(x for x in _LETTERS_DIGITS.split(word) if x)
    return (word,)


def document_tokens(text: str) -> list[str]:
    """jieba's precise cut with HMM of a document's text, as jieba-next cuts it
    (``jieba_tokenizer().cut(text, HMM=True)``), made by jieba-rs: 4–5× faster.

    jieba-rs reads ``-`` and rarer CJK ideographs into its blocks, which
    jieba-next does not (such a text is cut block by block here), and keeps
    runs of letters and digits whole (:func:`_pieces` splits them). On the
    427,543 paragraphs of the 100M bench corpus the two cuts are equal; on
    random strings of unrelated characters jieba-rs's HMM cuts an unknown run
    differently about once in 70,000 strings (jieba-next's HMM differs from
    jieba 0.42.1's there too). That moves a word's weight, never a hit: the
    words field serves ranking only.
    """
    out: list[str] = []
    extend = out.extend
    for w in _rs_cut(text):
        extend(_pieces(w))
    return out


def document_words(text: str) -> Iterator[tuple[int, str]]:
    """(position, word) pairs of a document's search text, as indexed in the words field."""
    pos = 0
    for w in document_tokens(text):
        terms = _word_terms(w)
        if not terms:
            continue
        for term in terms:
            yield pos, term
        pos += 1


@functools.lru_cache(maxsize=1 << 18)
def _word_terms(word: str) -> tuple[str, ...]:
    """What one word of jieba's cut adds to the words field (:func:`document_words`, :func:`word_counts`):
    nothing for punctuation or space; else the word, then its 2- and 3-character parts that are dictionary words."""
    if not _is_word(word):
        return ()
    n = len(word)
    if n <= 2:
        return (word,)
    has_word = _jieba_rs().has_word
    out = [word]
    for size in (2, 3):
        if size < n:
            out += [sub for sub in (word[i : i + size] for i in range(n - size + 1)) if has_word(sub)]
    return tuple(out)


@functools.lru_cache(maxsize=1 << 18)
def _rs_word_terms(word: str) -> tuple[str, ...]:
    """:func:`_word_terms` of each of jieba-rs's word's :func:`_pieces`."""
    pieces = _pieces(word)
    if len(pieces) == 1:
        return _word_terms(word)
    return tuple(t for piece in pieces for t in _word_terms(piece))


def word_counts(text: str) -> Counter:
    """How often each term of the words field occurs in ``text``: ``Counter`` of :func:`document_words`'
    words, at a third of its cost (a word's terms are worked out once per process, as words repeat)."""
    terms: list[str] = []
    extend = terms.extend
    for w in _rs_cut(text):
        extend(_rs_word_terms(w))
    return Counter(terms)


def query_words(text: str) -> list[str]:
    """The words of a query phrase (precise mode), for ranking: jieba's cut, from :func:`query_dictionary`."""
    return [w for w in query_dictionary().cut(text) if _is_word(w)]


def query_dictionary_file() -> str:
    """The query dictionary's cache file name in :func:`cache_dir`: its layout's version and jieba-next's
    (whose dictionary it is made from), so an upgrade of either makes it again."""
    from importlib.metadata import version

    return f"query-dictionary-v1-jieba-next-{version('jieba-next')}.npz"


def _word_keys(words: list[str]) -> np.ndarray:
    """64-bit keys of words (blake2b): two of jieba's 349,046 words share one with odds of about 1e-8."""
    return np.array([int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")
                     for w in words], dtype=np.uint64)


class QueryDictionary:
    """jieba's dictionary for cutting queries, in 4 MB rather than jieba's 120.

    jieba keeps every word and every prefix of one in a Python dict, and
    jieba-next a Rust trie beside it: 120 MB in each server process, which
    only ever cuts queries of a few dozen characters. This keeps the words
    with a count as sorted 64-bit keys with their counts, and cuts as jieba's
    precise mode with HMM does (``Tokenizer.cut(text, HMM=True)``): the
    same blocks, the same route (the most probable path over the word
    graph, ties to the longer word), unknown runs to jieba's own HMM. A
    test holds its cut equal to jieba's on every sentence of the sample.
    """

    def __init__(self, keys: np.ndarray, counts: np.ndarray, total: int, longest: int):
        self.keys = keys
        self.counts = counts
        self.total = total
        self.log_total = math.log(total)
        self.longest = longest

    @classmethod
    def from_jieba(cls) -> "QueryDictionary":
        """Read jieba-next's dictionary file as jieba does (a later line's count wins; every line adds to the total)."""
        from jieba_next._dict import open_dict_resource, parse_prefix_dict

        with open_dict_resource(None) as f:
            freq, total = parse_prefix_dict(f)
        words = [w for w, n in freq.items() if n]
        keys = _word_keys(words)
        order = np.argsort(keys)
        counts = np.array([freq[w] for w in words], dtype=np.int64)[order]
        return cls(keys[order], counts, total, max(map(len, words)))

    @classmethod
    def load(cls) -> "QueryDictionary":
        """From the cache in :func:`cache_dir`, made there on first use."""
        path = cache_dir() / query_dictionary_file()
        try:
            with np.load(path) as z:
                return cls(z["keys"], z["counts"], int(z["total"]), int(z["longest"]))
        except (OSError, KeyError, ValueError):
            pass
        made = cls.from_jieba()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
            np.savez(tmp, keys=made.keys, counts=made.counts, total=np.int64(made.total),
                     longest=np.int64(made.longest))
            os.replace(tmp, path)
        except OSError as exc:  # a read-only home: made again next time
            log.warning("cannot save the query dictionary to %s: %s", path, exc)
        return made

    def _counts_of(self, frags: list[str]) -> list[int]:
        """Each fragment's count in the dictionary, 0 for a fragment that is not a word."""
        keys = _word_keys(frags)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[at] == keys, self.counts[at], 0).tolist()

    def _route(self, sentence: str) -> list[int]:
        """For each position, the end (inclusive) of the word starting there on jieba's best path."""
        n = len(sentence)
        spans = [(k, i) for k in range(n) for i in range(k + 1, min(n, k + self.longest) + 1)]
        counts = self._counts_of([sentence[k:i] for k, i in spans])
        dag: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for (k, i), c in zip(spans, counts):
            if c:
                dag[k].append((i - 1, c))
        best = [0.0] * (n + 1)
        route = [0] * n
        for k in range(n - 1, -1, -1):
            options = dag[k] or [(k, 0)]
            best[k], route[k] = max((math.log(c or 1) - self.log_total + best[x + 1], x) for x, c in options)
        return route

    def _cut_block(self, sentence: str) -> Iterator[str]:
        """jieba's ``Tokenizer._cut_dag`` over one block of Han characters, letters and digits."""
        from jieba_next import finalseg

        route = self._route(sentence)
        x, buf, n = 0, "", len(sentence)

        def flush(buf: str) -> Iterator[str]:
            if len(buf) == 1:
                yield buf
            elif not self._counts_of([buf])[0]:
                yield from finalseg.cut(buf)
            else:
                yield from buf

        while x < n:
            y = route[x] + 1
            word = sentence[x:y]
            if y - x == 1:
                buf += word
            else:
                if buf:
                    yield from flush(buf)
                    buf = ""
                yield word
            x = y
        if buf:
            yield from flush(buf)

    def cut(self, text: str) -> Iterator[str]:
        """jieba's precise-mode cut of ``text`` with HMM (``Tokenizer.cut(text, HMM=True)``)."""
        return _jieba_blocks(text, self._cut_block)


@functools.cache
def query_dictionary() -> QueryDictionary:
    """The process's one :class:`QueryDictionary`."""
    return QueryDictionary.load()


class WordTokenizer(_TermTokenizer):
    """Whoosh tokenizer for the words field; ``mode='query'`` cuts precisely only."""

    def terms(self, value: str, mode: str) -> Iterator[tuple[int, str]]:
        if mode == "query":
            return enumerate(query_words(value))
        return document_words(value)
