"""How postings are pooled, written and read: faster paths through Whoosh's writer and reader.

A *posting* says "term T occurs in document D" (with a weight and, for the
words field, a frequency). The exact field produces very many postings. Parts
of Whoosh's segment writer handle that slowly:

* its posting pool pickles every posting into sorted runs on disk and merges
  them back at commit — :class:`MemoryPostingPool` keeps them in memory,
  grouped by field and term, and takes a document's postings in one call;

At commit Whoosh also asks, for every posting, the length of the field in
that document, reading a column file each time; :func:`remember_lengths`
makes it read each field's lengths once.

Reading back, :func:`read_docnums` decodes a posting list block by block
(numpy's cumsum over each block's delta-coded ids) instead of one Python call
per posting through the matcher API.

All of these reach into Whoosh internals, so the dependency is pinned to
whoosh-reloaded 2.7.5, and ``tests/test_writer.py`` checks that an index
written this way holds exactly the postings of one written the stock way.
"""
from __future__ import annotations

from array import array

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import TermNotFound

__all__ = ["MemoryPostingPool", "read_docnums", "read_weighted", "remember_lengths"]

class MemoryPostingPool:
    """Replaces ``writer.pool`` of a ``whoosh.writing.SegmentWriter``.

    Postings are grouped by field and term as they arrive — docnums only, for
    the many postings that carry the default weight and no value (the bigram
    and facet fields) — and yielded in Whoosh's order at commit.
    """

    def __init__(self):
        self._fields: dict[str, dict[bytes, list]] = {}
        self.fieldnames: set[str] = set()

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        vbytes = vbytes or b""  # merged segments give "" where new postings give b""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        posts = terms.get(tbytes)
        if posts is None:
            posts = terms[tbytes] = [array("l"), None]
        posts[0].append(docnum)
        extra = posts[1]
        if weight == 1.0 and vbytes == b"":
            if extra is not None:
                extra.append((weight, vbytes))
        else:
            if extra is None:
                extra = posts[1] = [(1.0, b"")] * (len(posts[0]) - 1)
            extra.append((weight, vbytes))

    def add_terms(self, fieldname: str, docnum: int, terms: list[bytes]) -> None:
        """Postings of one document with the default weight and no value (bigrams)."""
        fterms = self._fields.get(fieldname)
        if fterms is None:
            fterms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        for tbytes in terms:
            posts = fterms.get(tbytes)
            if posts is None:
                posts = fterms[tbytes] = [array("l"), None]
            posts[0].append(docnum)
            if posts[1] is not None:
                posts[1].append((1.0, b""))

    def add_many(self, fieldname: str, docnum: int, postings: list[tuple[bytes, float, bytes]]) -> None:
        """Postings of one document given as (term, weight, value)."""
        add = self.add
        for tbytes, weight, vbytes in postings:
            add((fieldname, tbytes, docnum, weight, vbytes))

    def iter_postings(self):
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for tbytes in sorted(terms):
                docs, extra = terms[tbytes]
                if extra is None:
                    for d in docs:
                        yield (fieldname, tbytes, d, 1.0, b"")
                else:
                    for d, (w, v) in zip(docs, extra):
                        yield (fieldname, tbytes, d, w, v)

    def cleanup(self) -> None:
        self._fields.clear()


def read_docnums(reader, fieldname: str, term: str) -> np.ndarray:
    """The docnums of one term's postings, ascending, as an int64 array.

    A posting list stored in blocks is decoded a block at a time; anything
    else (inlined lists, several segments, deleted documents) goes through
    the public ``all_ids()``.
    """
    try:
        m = reader.postings(fieldname, term)
    except TermNotFound:
        return np.empty(0, dtype=np.int64)
    if type(m) is W3LeafMatcher and not m._byteids:
        parts = []
        while m.is_active():
            if m._data is None:
                m._read_data()
            # each block delta-codes its ids from zero
            parts.append(np.cumsum(np.asarray(m._data[0], dtype=np.int64)))
            m._next_block()
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    return np.fromiter(m.all_ids(), dtype=np.int64)


def read_weighted(reader, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, weights) of one term's postings, as int64 and float64 arrays.

    For the words field the weight is the word's frequency in the paragraph.
    Blocks are decoded with numpy as in :func:`read_docnums`; a block stores
    its weights as None (all 1.0), one float (all equal) or a tuple.
    """
    try:
        m = reader.postings(fieldname, term)
    except TermNotFound:
        return np.empty(0, dtype=np.int64), np.empty(0)
    if type(m) is W3LeafMatcher and not m._byteids:
        ids, weights = [], []
        while m.is_active():
            if m._data is None:
                m._read_data()
            block_ids = np.cumsum(np.asarray(m._data[0], dtype=np.int64))
            w = m._data[1]
            if w is None:
                block_w = np.ones(len(block_ids))
            elif isinstance(w, float):
                block_w = np.full(len(block_ids), w)
            else:
                block_w = np.asarray(w, dtype=np.float64)
            ids.append(block_ids)
            weights.append(block_w)
            m._next_block()
        if not ids:
            return np.empty(0, dtype=np.int64), np.empty(0)
        return np.concatenate(ids), np.concatenate(weights)
    pairs = []
    while m.is_active():
        pairs.append((m.id(), m.weight()))
        m.next()
    if not pairs:
        return np.empty(0, dtype=np.int64), np.empty(0)
    arr = np.array(pairs, dtype=np.float64)
    return arr[:, 0].astype(np.int64), arr[:, 1]


class _RememberedLengths:
    """A per-document reader's ``doc_field_length``, read once per field into a list."""

    def __init__(self, pdr):
        self._pdr = pdr
        self._lengths: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            pdr = self._pdr
            lengths = self._lengths[fieldname] = [
                pdr.doc_field_length(d, fieldname, default) for d in range(pdr.doc_count_all())
            ]
        return lengths[docnum]

    def close(self) -> None:
        self._pdr.close()


def remember_lengths(writer) -> None:
    """Make a ``SegmentWriter``'s commit look field lengths up in memory."""
    original = writer.per_document_reader

    def per_document_reader():
        return _RememberedLengths(original())

    writer.per_document_reader = per_document_reader
