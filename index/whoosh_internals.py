"""Every use of Whoosh's private internals, in one place.

whoosh-reloaded is no longer maintained, so each touch below is ours to keep
working. The dependency is pinned to ``whoosh-reloaded==2.7.5`` (setup.cfg) and
each touch has a test in ``tests/test_writer.py`` that compares it with the
public path or pins the behaviour it relies on; nothing else in the project
imports Whoosh beyond its public API (``whoosh.index``, ``whoosh.fields``,
``whoosh.formats``, ``whoosh.analysis``).

The vocabulary: a *posting* says "term T occurs in document D" (with a weight
and, for the words field, a frequency); a *pool* collects a writer's postings
until commit; a *leaf matcher* reads one term's posting list, stored in blocks.

Touch points, why each is needed, and the test that pins it:

1. ``SegmentWriter.pool`` replaced by :class:`MemoryPostingPool` — Whoosh's own
   pool pickles every posting into sorted runs on disk and merges them back at
   commit, ~35 % of a build. Pinned by
   ``test_the_fast_pool_and_codec_write_the_postings_the_stock_writer_writes``.
2. ``SegmentWriter.per_document_reader`` wrapped (:func:`remember_lengths`) —
   at commit Whoosh asks the length of the field for every posting, reading a
   column file each time. Same test.
3. ``SegmentWriter.docnum`` and the pool's ``add_terms`` / ``add_codes`` /
   ``add_frequencies`` (:func:`add_document`) — the analysed fields' postings
   are computed in worker processes and go straight into the pool, not
   through Whoosh's tokenizer machinery. Same test.
4. ``W3LeafMatcher._data``, ``._read_data()``, ``._next_block()``,
   ``._byteids`` and ``FilterMatcher.child`` / ``._ids`` / ``._exclude``
   (:func:`read_docnums`, :func:`read_weighted`) — a block of postings decoded
   with numpy instead of one Python call per posting, segment by segment,
   deleted documents dropped with numpy. Pinned by
   ``test_block_wise_posting_reads_equal_the_matcher_api`` and
   ``test_weighted_posting_reads_equal_the_matcher_api``.
5. A half-closed writer's ``perdocwriter``, ``fieldwriter``, ``pool``,
   ``_tempstorage`` and ``writelock`` (:func:`abandon_writer`) — ``cancel()``
   raises on a writer whose commit failed half-way and leaves files open.
   Pinned by the full-disk tests in ``tests/test_concurrency.py``.
6. Open ``*.ctmp`` files found with ``gc.get_objects()``
   (:func:`close_leftover_files`) — Whoosh keeps temporary files in objects that
   neither ``cancel()`` nor garbage collection closes in time. Same tests.
7. Whoosh's file naming: ``*WRITELOCK*``, and its never writing into an
   existing file (:func:`link_index`) — a new generation shares the previous
   one's segment files through hard links, without its lock file. Pinned by
   every incremental-build test in ``tests/test_writer.py`` and
   ``test_a_new_generation_shares_the_previous_segment_files``.
8. ``Segment.doc_count_all()`` / ``deleted_count()`` and ``SegmentReader`` in a
   merge policy (:func:`merge_small_segments`) — the writer merges small and
   mostly-deleted segments only, never rewriting the large ones. Pinned by
   ``test_small_segments_are_merged_and_large_ones_kept``. The policy also
   records each merged segment's id and live docnums (:class:`MergedSegment`),
   relying on ``add_reader`` putting a merged segment's live documents, in
   docnum order, after the writer's own documents and the segments merged
   before it: the rows of the segment the commit writes are then known without
   reading it. Pinned by
   ``test_a_merge_of_segments_with_deletions_keeps_each_paragraph_on_its_row`` (tests/test_carry.py).
9. ``whoosh.filedb.compound.BufferFile`` replaced by :class:`MappedBufferFile`
   — a reader opens each file inside a segment's compound file as a
   ``BytesIO`` *copy* of its mapped bytes: the postings (265 MB at 100M
   characters) were copied into every server process. The replacement reads
   the map itself, so the kernel keeps one copy for all processes, and keeps
   the file position per thread (a matcher's seek-then-read raced between a
   server's threads). Pinned by
   ``test_a_reader_reads_the_mapped_segment_without_copying_it`` (tests/test_columns.py).
10. ``SegmentReader.segment().segment_id()`` and the stability of a kept
   segment's docnums (:func:`leaf_segments`) — a new generation takes over
   the previous one's columns and frequent postings for every segment it
   keeps, by segment id, instead of making its rows again. Pinned
   by ``test_a_kept_segment_keeps_its_id_and_docnums_across_commits``.
11. ``SegmentWriter.newsegment`` (:func:`new_segment_id`) — the id of the
   segment a writer will write, known before its commit, names the rows the
   writer saves for it (:mod:`index.carry`). Pinned by
   ``test_a_writer_knows_the_id_of_the_segment_it_writes``.
12. ``SegmentWriter._flush_segment`` replaced, and ``W3FieldWriter._postwriter``,
   ``W3PostingsWriter._postfile`` / ``._terminfo`` / ``._blockcount`` and
   ``W3TermInfo``'s statistics written directly, and terms added to
   ``W3FieldWriter._tindex`` as ``OrderedHashWriter.add`` adds them (its
   ``index``, ``buckets``, ``hashfn``, ``lastkey``, ``dbfile``) at a position
   kept by the caller (:func:`write_pool_postings`) —
   Whoosh writes a segment's postings through four Python calls per posting
   (a third of a build's main process, py-spy); the pool's postings are written
   a block of 128 at a time instead, each block encoded exactly as
   ``W3PostingsWriter._write_block`` encodes it. The new documents' postings,
   grouped by term for that, are handed to the caller too
   (:class:`GroupedPostings`), who keeps the frequent ones without reading
   them back (:class:`index.postings.SavedPostings`) and names the terms to
   leave out of the segment (the saved postings alone hold those). Pinned by
   ``test_block_wise_segment_writing_writes_the_bytes_whoosh_writes`` (the
   segment files are compared byte for byte with Whoosh's own path).
13. ``SegmentReader._terms`` (a ``W3TermsReader``), its ``_fieldmap`` and
   ``_tindex`` (an ``OrderedHashReader``: ``dbfile``, ``startofdata``,
   ``endofdata``) and ``W3TermInfo``'s byte layout (:func:`doc_frequencies`) —
   every term of a field with its document count, read straight from each
   segment's terms file: listing them through a multi-segment reader merged
   the segments' terms and decoded a ``TermInfo`` per term and segment (half
   of saving the frequent postings, py-spy). Pinned by
   ``test_doc_frequencies_equal_the_reader_api``.
14. ``SegmentReader._storage`` (an ``OverlayStorage`` whose ``a`` is the
   segment's ``CompoundStorage``) and that storage's ``_source`` (the map of
   the ``.seg`` file) (:func:`advise_random_reads`) — a server's lookups jump
   about the segments, and on each page fault the kernel read 128 KB around the
   page: at 100M characters the bench's 321 queries read all 340 MB of
   segments into the page cache, and inside a memory limit that read-around
   pushed out the pages the next query needed. Pinned by
   ``test_a_serving_reader_asks_for_random_reads`` (tests/test_columns.py).
"""
from __future__ import annotations

import errno
import gc
import io
import mmap
import os
import pickle
import shutil
import struct
import threading
import zlib
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3LeafMatcher, W3TermInfo
from whoosh.filedb import compound as whoosh_compound
from whoosh.filedb.structfile import BufferFile
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte

__all__ = ["MemoryPostingPool", "write_pool_postings", "doc_frequencies", "fast_writer", "add_document",
           "has_fast_pool", "read_docnums", "read_weighted", "remember_lengths", "abandon_writer",
           "close_leftover_files", "link_index", "merge_small_segments", "MergedSegment", "new_segment_id",
           "MappedBufferFile", "LeafSegment", "leaf_segments", "GroupedPostings"]

class _TermIds(dict):
    """Term bytes -> a small int, given out in order of first sight."""

    def __missing__(self, term: bytes) -> int:
        self[term] = n = len(self)
        return n


class _DocumentPostings:
    """One field's postings as documents bring them: one term id (and weight) per posting, in
    flat arrays filled a document at a time by C-level ``extend``; grouped by term at commit with numpy.

    A term's id is given out at first sight (:class:`_TermIds`), or, for a
    field with a fixed ``vocabulary`` (term bytes by id), is the caller's own
    code of the term: no lookup per posting.
    """

    def __init__(self, vocabulary: tuple[bytes, ...] | None = None):
        self.vocabulary = vocabulary
        self.ids = _TermIds()
        self.terms = array("q") if vocabulary is None else array("I")
        self.weights = array("d")
        self.docnums = array("q")
        self.counts = array("q")

    def add(self, docnum: int, terms, weights=None) -> None:
        n = len(self.terms)
        self.terms.extend(map(self.ids.__getitem__, terms))
        if weights is not None:
            self.weights.extend(weights)
        self.docnums.append(docnum)
        self.counts.append(len(self.terms) - n)

    def add_codes(self, docnum: int, codes: array) -> None:
        """One document's distinct terms as ids into the vocabulary (``array('I')``)."""
        self.terms.extend(codes)
        self.docnums.append(docnum)
        self.counts.append(len(codes))

    def term_ids(self, bounds: np.ndarray) -> dict[bytes, int]:
        """Term bytes -> id of every term with postings (``bounds`` from :meth:`grouped`)."""
        if self.vocabulary is None:
            return self.ids
        vocabulary = self.vocabulary
        return {vocabulary[t]: t for t in np.flatnonzero(np.diff(bounds)).tolist()}

    def by_term(self) -> tuple[dict[bytes, tuple[int, int]], np.ndarray, np.ndarray | None]:
        """(term bytes -> its span, docnums, weights or None): a term's postings are
        ``docnums[lo:hi]`` (ascending) and ``weights[lo:hi]``."""
        bounds, docs, weights = self.grouped()
        spans = {tbytes: (int(bounds[tid]), int(bounds[tid + 1])) for tbytes, tid in self.term_ids(bounds).items()}
        return spans, docs, weights

    def grouped(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(bounds, docnums (int32), weights or None), grouped by term id: term ``t``'s postings are
        ``docnums[bounds[t]:bounds[t + 1]]`` (ascending).

        Grouped :data:`GROUP_CHUNK` postings at a time (each chunk sorted, then
        put in its place after the earlier chunks' postings of each term), so
        that what the grouping holds besides the result is a chunk's worth, not
        four times every posting's: at a flush of 50M characters the pool's
        exact postings are 41 million, and grouping them at once took the
        build from 1.0 to 1.6 GB.
        """
        ids = np.frombuffer(self.terms, dtype=np.int64 if self.vocabulary is None else np.uint32)
        if len(ids) >= 1 << 32 or (len(ids) and int(ids.max()) >= 1 << 31):
            raise OverflowError("more than 2**32 postings or 2**31 terms in one segment")
        terms = len(self.ids) if self.vocabulary is None else len(self.vocabulary)
        counts = np.frombuffer(self.counts, dtype=np.int64)
        doc_of = np.frombuffer(self.docnums, dtype=np.int64)
        all_weights = np.frombuffer(self.weights, dtype=np.float64) if len(self.weights) else None
        bounds = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(ids, minlength=terms), out=bounds[1:])
        docs = np.empty(len(ids), dtype=np.int32)  # a segment's docnums are below 2**31 (Whoosh's own limit)
        weights = np.empty(len(ids), dtype=np.float64) if all_weights is not None else None
        filled = bounds[:-1].copy()  # where each term's next posting goes
        # chunks end at a document's end, so a chunk's postings are whole documents
        doc_ends = np.cumsum(counts)
        first_doc = 0
        while first_doc < len(counts):
            start = int(doc_ends[first_doc - 1]) if first_doc else 0
            last_doc = max(first_doc + 1, int(np.searchsorted(doc_ends, start + GROUP_CHUNK, side="right")))
            end = int(doc_ends[last_doc - 1])
            chunk = ids[start:end]
            # a stable sort by term id (each term's docnums stay ascending): the keys (term id, place) are
            # unique, and sorting them is 1.4-5x faster than numpy's stable argsort of the ids (timsort)
            keys = chunk.astype(np.int64)
            keys <<= 32
            keys |= np.arange(len(chunk), dtype=np.int64)
            keys.sort()
            keys &= 0xFFFFFFFF  # each posting's place in the chunk before the sort
            chunk_docs = np.repeat(doc_of[first_doc:last_doc], counts[first_doc:last_doc])
            chunk_counts = np.bincount(chunk, minlength=terms)
            chunk_starts = np.zeros(terms, dtype=np.int64)
            np.cumsum(chunk_counts[:-1], out=chunk_starts[1:])
            # the i-th posting of the sorted chunk goes to filled[t] + (i - chunk_starts[t]), t its term
            at = np.repeat(filled - chunk_starts, chunk_counts)
            at += np.arange(len(chunk), dtype=np.int64)
            docs[at] = chunk_docs[keys]
            if weights is not None:
                weights[at] = all_weights[start:end][keys]
            filled += chunk_counts
            first_doc = last_doc
        return bounds, docs, weights


#: Postings :meth:`_DocumentPostings.grouped` sorts at a time.
GROUP_CHUNK = 1 << 22


class MemoryPostingPool:
    """Replaces ``writer.pool`` of a ``whoosh.writing.SegmentWriter``.

    The analysed fields' postings of new documents (:meth:`add_terms`,
    :meth:`add_frequencies`) go into flat arrays a document at a time and are
    grouped by term with numpy at commit (:class:`_DocumentPostings`): no
    Python call per posting while adding. Postings Whoosh adds one at a time
    (facet fields; merged segments' postings, whose docnums come after every
    new document's) are grouped by term as they arrive, each term's as
    ``[docnums, weights, values]``: docnums in an ``array('l')``, weights in an
    ``array('d')`` (None while all are 1.0) and values in a list (None while
    each is the one its weight implies: empty, or in a frequency field the
    frequency packed as Whoosh packs it). Everything is yielded in Whoosh's
    order at commit.
    """

    def __init__(self):
        self._fields: dict[str, dict[bytes, list]] = {}
        self._documents: dict[str, _DocumentPostings] = {}
        self._frequency_fields: set[str] = set()
        self.fieldnames: set[str] = set()

    def _terms(self, fieldname: str) -> dict[bytes, list]:
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def _implied_value(self, fieldname: str, weight: float) -> bytes:
        return pack_uint(int(weight)) if fieldname in self._frequency_fields else b""

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        vbytes = vbytes or b""  # merged segments give "" where new postings give b""
        terms = self._terms(fieldname)
        posts = terms.get(tbytes)
        if posts is None:
            posts = terms[tbytes] = [array("l"), None, None]
        n = len(posts[0])
        posts[0].append(docnum)
        if posts[1] is not None:
            posts[1].append(weight)
        elif weight != 1.0:
            posts[1] = array("d", [1.0] * n)
            posts[1].append(weight)
        if posts[2] is not None:
            posts[2].append(vbytes)
        elif vbytes != self._implied_value(fieldname, weight):
            weights = posts[1]
            posts[2] = [self._implied_value(fieldname, weights[i] if weights is not None else 1.0) for i in range(n)]
            posts[2].append(vbytes)

    def add_terms(self, fieldname: str, docnum: int, terms: list[bytes]) -> None:
        """Postings of one document with the default weight and no value (bigrams)."""
        self._document_postings(fieldname).add(docnum, terms)

    def add_codes(self, fieldname: str, docnum: int, codes: array, vocabulary: tuple[bytes, ...]) -> None:
        """Postings of one document with the default weight and no value, as ids into ``vocabulary``
        (the same vocabulary for every document of the field)."""
        posts = self._documents.get(fieldname)
        if posts is None:
            posts = self._documents[fieldname] = _DocumentPostings(vocabulary)
            self.fieldnames.add(fieldname)
        elif posts.vocabulary is not vocabulary:
            raise ValueError(f"field {fieldname!r} takes terms by one vocabulary only")
        posts.add_codes(docnum, codes)

    def add_frequencies(self, fieldname: str, docnum: int, terms: list[bytes], frequencies: array) -> None:
        """Postings of one document in a frequency field: its distinct terms and their frequencies
        (``array('d')``), the postings' weights; each value is the frequency packed, made at commit.

        Every posting of ``fieldname`` must come this way or through :meth:`add`
        (which checks each value).
        """
        self._frequency_fields.add(fieldname)
        self._document_postings(fieldname).add(docnum, terms, frequencies if terms else None)

    def _document_postings(self, fieldname: str) -> _DocumentPostings:
        posts = self._documents.get(fieldname)
        if posts is None:
            posts = self._documents[fieldname] = _DocumentPostings()
            self.fieldnames.add(fieldname)
        return posts

    def term_arrays(self, fieldname: str, grouped: tuple | None = None, terms=None):
        """``(term bytes, docnums, weights or None, values or None)`` of every term of a field, in term order.

        Docnums are an int64 array (ascending); weights a float64 array, None
        while all are 1.0; values a list of bytes, None while each is the one
        its weight implies (see :meth:`iter_postings`, which yields the same
        postings one at a time). ``grouped``: the new documents' postings as
        ``(bounds, docnums, weights, term ids)`` (:meth:`_DocumentPostings.grouped`
        and ``term_ids``), when the caller has grouped them already; ``terms``:
        only these terms (default every term of the field).
        """
        one_by_one = self._fields.get(fieldname, {})
        documents = self._documents.get(fieldname)
        if grouped is None and documents is not None:
            bounds, docs, weights = documents.grouped()
            grouped = (bounds, docs, weights, documents.term_ids(bounds))
        bounds, docs, weights, term_ids = grouped if grouped is not None else (None, None, None, {})
        for tbytes in sorted(one_by_one.keys() | term_ids.keys() if terms is None else terms):
            tid, posts = term_ids.get(tbytes), one_by_one.get(tbytes)
            parts = []  # (docnums, weights or None, values or None) from each source, new documents first
            if tid is not None:
                lo, hi = int(bounds[tid]), int(bounds[tid + 1])
                parts.append((docs[lo:hi], None if weights is None else weights[lo:hi], None))
            if posts is not None:
                parts.append((np.asarray(posts[0], dtype=np.int64),
                              None if posts[1] is None else np.asarray(posts[1], dtype=np.float64), posts[2]))
            if len(parts) == 1:
                yield (tbytes, *parts[0])
                continue
            d = np.concatenate([p[0] for p in parts])
            w = None
            if any(p[1] is not None for p in parts):
                w = np.concatenate([np.ones(len(p[0])) if p[1] is None else p[1] for p in parts])
            v = None
            if any(p[2] is not None for p in parts):
                v = []
                for pd, pw, pv in parts:
                    v += pv if pv is not None else [self._implied_value(fieldname, x)
                                                    for x in (pw.tolist() if pw is not None else [1.0] * len(pd))]
            yield tbytes, d, w, v

    def iter_postings(self):
        for fieldname in sorted(self.fieldnames):
            one_by_one = self._fields.get(fieldname, {})
            spans, docs, weights = (self._documents[fieldname].by_term() if fieldname in self._documents
                                    else ({}, None, None))
            frequencies = fieldname in self._frequency_fields
            for tbytes in sorted(one_by_one.keys() | spans.keys()):
                span = spans.get(tbytes)
                if span is not None:
                    lo, hi = span
                    if weights is None:
                        for d in docs[lo:hi].tolist():
                            yield (fieldname, tbytes, d, 1.0, b"")
                    else:
                        for d, w in zip(docs[lo:hi].tolist(), weights[lo:hi].tolist()):
                            yield (fieldname, tbytes, d, w, pack_uint(int(w)))
                if tbytes in one_by_one:
                    yield from self._one_by_one(fieldname, tbytes, one_by_one[tbytes], frequencies)

    @staticmethod
    def _one_by_one(fieldname, tbytes, posts, frequencies):
        docs, weights, values = posts
        if weights is None and values is None:
            implied = pack_uint(1) if frequencies else b""
            for d in docs:
                yield (fieldname, tbytes, d, 1.0, implied)
        elif values is None:
            for d, w in zip(docs, weights):
                yield (fieldname, tbytes, d, w, pack_uint(int(w)) if frequencies else b"")
        else:
            for d, w, v in zip(docs, weights if weights is not None else [1.0] * len(docs), values):
                yield (fieldname, tbytes, d, w, v)

    def cleanup(self) -> None:
        self._fields.clear()
        self._documents.clear()


_RECORD_LENGTHS = struct.Struct("!ii")  # a hash file record's key and value lengths (whoosh.filedb.filetables)
_TERM_INFO = W3TermInfo._struct  # !BfIBBfII: flags, weight, df, min/max length byte, max weight, first/last id


def _field_lengths(pdr, fieldname: str) -> np.ndarray | None:
    """Every document's length in ``fieldname`` (what Whoosh's add_postings asks per posting; None, as
    Whoosh answers for a length byte of 0, counts as 0), or None when every length is 0.

    A build gives Whoosh no analysed field (their postings go straight to the
    pool), so the segment's total length of the field is 0 and nothing is asked
    per document (69,000 calls a segment at 100M characters, for zeros)."""
    if pdr is None or not pdr.field_length(fieldname):
        return None
    if isinstance(pdr, _RememberedLengths):
        lengths = pdr.field_lengths(fieldname)
    else:
        lengths = [pdr.doc_field_length(d, fieldname, 0) for d in range(pdr.doc_count_all())]
    return np.asarray([n or 0 for n in lengths], dtype=np.int64)


_NO_LENGTH = np.iinfo(np.int64).max  # a block's minimum length when none of its documents has one


def _block_bytes(deltas: list[int], mini_weights, mini_values, last_id: int, max_weight: float, compression: int,
                 min_length: int | None, max_length: int, last: bool) -> bytes:
    """One block as ``W3PostingsWriter._write_block`` writes it: its length (negative for a term's last
    block), its info and its data ((delta-coded ids, weights, values) pickled, then compressed)."""
    databytes = pickle.dumps((tuple(deltas), mini_weights, mini_values), 2)
    if compression:
        databytes = zlib.compress(databytes, compression)
    infobytes = pickle.dumps((len(deltas), last_id, max_weight, compression, length_to_byte(min_length),
                              length_to_byte(max_length)), 2)
    length = len(infobytes) + len(databytes)
    return pack_int(-length if last else length) + infobytes + databytes


def _write_term_blocks(pw, docs: np.ndarray, weights: np.ndarray | None, values: list | None,
                       lengths: np.ndarray | None, fixedsize: int | None, implied_frequency: bool) -> None:
    """One term's postings as ``W3PostingsWriter`` writes them (``add_posting`` then ``_write_block``)."""
    postfile, ti, limit, comp = pw._postfile, pw._terminfo, pw._blocklimit, pw._compression
    n = len(docs)
    ids32 = docs.astype(np.uint32)
    w32 = None if weights is None else weights.astype(np.float32)
    nblocks = (n + limit - 1) // limit
    for b in range(nblocks):
        lo, hi = b * limit, min(n, (b + 1) * limit)
        ids = ids32[lo:hi]
        if lo == 0:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        # statistics, as W3TermInfo.add_block and the block's own
        if w32 is None:
            wsum, maxweight, mini_weights = float(hi - lo), 1.0, None
        else:
            bw = w32[lo:hi]
            wsum = float(bw.astype(np.float64).sum())
            maxweight = float(weights[lo:hi].max())
            first = float(bw[0])
            if first == 1.0 and (bw == 1.0).all():
                mini_weights = None
            elif (bw == bw[0]).all():
                mini_weights = first
            else:
                mini_weights = tuple(bw.tolist())
        if lengths is not None:
            bl = lengths[docs[lo:hi]]
            nonzero = bl[bl > 0]
            minlength = int(nonzero.min()) if len(nonzero) else None
            maxlength = max(0, int(bl.max()))
        else:
            minlength, maxlength = None, 0
        ti._weight += wsum
        ti._df += hi - lo
        ti._minlength = minlength if ti._minlength is None else min(ti._minlength, minlength)
        ti._maxlength = max(ti._maxlength, maxlength)
        ti._maxweight = max(ti._maxweight, maxweight)
        if ti._minid is None:
            ti._minid = int(ids[0])
        ti._maxid = int(ids[-1])
        # the block: (delta-coded ids, weights, values) pickled and compressed, after its info
        if fixedsize == 0:  # Existence: no values
            mini_values = None
        elif values is None and implied_frequency:  # Frequency: each value pack_uint(int(weight))
            mini_values = (weights[lo:hi] if weights is not None else np.ones(hi - lo)).astype(">u4").tobytes()
        else:
            mini_values = b"".join(v for v in (values[lo:hi] if values is not None else ()) if v)
        deltas = np.diff(ids.astype(np.int64), prepend=0).tolist()
        postfile.write(_block_bytes(deltas, mini_weights, mini_values, int(ids[-1]), maxweight, comp, minlength,
                                    maxlength, b == nblocks - 1))
    pw._blockcount = nblocks


class _Blocks:
    """Every block of a field's new-document postings, with its statistics, computed at once with numpy.

    ``bounds, docs, weights`` are :meth:`_DocumentPostings.grouped`; each term's
    postings are cut into blocks of ``limit``; a block's statistics are those
    ``W3PostingsWriter`` gathers posting by posting.
    """

    def __init__(self, bounds, docs, weights, lengths, limit: int):
        counts = np.diff(bounds)
        per_term = (counts + limit - 1) // limit
        self.first_block = np.concatenate([[0], np.cumsum(per_term)])
        term = np.repeat(np.arange(len(counts)), per_term)
        within = np.arange(len(term)) - self.first_block[term]
        self.starts = bounds[term] + within * limit
        self.ends = np.minimum(self.starts + limit, bounds[term + 1])
        starts = self.starts if len(docs) else np.zeros(0, dtype=np.int64)
        self.deltas = docs.copy()
        self.deltas[1:] -= docs[:-1]
        self.deltas[starts] = docs[starts]
        self.last = docs[self.ends - 1] if len(docs) else docs
        if lengths is not None and len(docs):
            lens = lengths[docs]
            self.min_length = np.minimum.reduceat(np.where(lens > 0, lens, _NO_LENGTH), starts)
            self.max_length = np.maximum(np.maximum.reduceat(lens, starts), 0)
        else:
            self.min_length = np.full(len(starts), _NO_LENGTH)
            self.max_length = np.zeros(len(starts), dtype=np.int64)
        self.w32 = None
        if weights is not None and len(docs):
            self.w32 = weights.astype(np.float32)
            self.weight_sum = np.add.reduceat(self.w32.astype(np.float64), starts)
            self.max_weight = np.maximum.reduceat(weights, starts)
            self.same_weight = np.minimum.reduceat(self.w32, starts) == np.maximum.reduceat(self.w32, starts)
            self.packed = weights.astype(">u4").tobytes()  # a frequency field's values, pack_uint(int(weight))
        else:
            self.weight_sum = (self.ends - self.starts).astype(np.float64)


class _TermTable:
    """A field writer's term table (``W3FieldWriter._tindex``, an ``OrderedHashWriter``) added to as
    ``OrderedHashWriter.add`` adds, at a position kept here: Whoosh asks the file for its position twice a
    term, a system call each (a fifth of writing a new term, py-spy)."""

    def __init__(self, tindex):
        self.tindex = tindex
        self.pos = tindex.dbfile.tell()

    def add(self, key: bytes, value: bytes) -> None:
        t, pos = self.tindex, self.pos
        if key <= t.lastkey:
            raise ValueError(f"Keys must increase: {t.lastkey!r}..{key!r}")
        t.index.append(pos)
        t.dbfile.write(_RECORD_LENGTHS.pack(len(key), len(value)) + key + value)
        h = t.hashfn(key)
        t.buckets[h & 255].append((h, pos))
        t.lastkey = key
        self.pos = pos + _RECORD_LENGTHS.size + len(key) + len(value)

    def resync(self) -> None:
        """Take the position from the file again, after something else wrote to it."""
        self.pos = self.tindex.dbfile.tell()


def _write_new_term(fieldwriter, table: _TermTable, tbytes: bytes, t: int, blocks: _Blocks, fixedsize: int | None,
                    offset: int) -> int:
    """Write term ``t`` of ``blocks`` (postings and term info) at ``offset`` of the postings file; return the end."""
    postfile, comp = fieldwriter._postwriter._postfile, fieldwriter._postwriter._compression
    b0, b1 = int(blocks.first_block[t]), int(blocks.first_block[t + 1])
    starts, ends, w32 = blocks.starts[b0:b1].tolist(), blocks.ends[b0:b1].tolist(), blocks.w32
    min_lengths, max_lengths = blocks.min_length[b0:b1].tolist(), blocks.max_length[b0:b1].tolist()
    max_weights = blocks.max_weight[b0:b1].tolist() if w32 is not None else [1.0] * (b1 - b0)
    lasts = blocks.last[b0:b1].tolist()
    parts = [WHOOSH3_HEADER_MAGIC]
    for i, (lo, hi) in enumerate(zip(starts, ends)):
        if w32 is None:
            mini_weights = None
        elif blocks.same_weight[b0 + i]:
            first = float(w32[lo])
            mini_weights = None if first == 1.0 else first
        else:
            mini_weights = tuple(w32[lo:hi].tolist())
        if fixedsize == 0:
            mini_values = None
        else:  # a frequency field (Whoosh 2.7's Frequency: 4 bytes a value)
            mini_values = blocks.packed[4 * lo:4 * hi]
        minlength = None if min_lengths[i] == _NO_LENGTH else min_lengths[i]
        parts.append(_block_bytes(blocks.deltas[lo:hi].tolist(), mini_weights, mini_values, lasts[i], max_weights[i],
                                  comp, minlength, max_lengths[i], i == b1 - b0 - 1))
    data = b"".join(parts)
    postfile.write(data)
    # the term info, as W3TermInfo.add_block gathers it and to_bytes packs it
    min_length = min(min_lengths)
    weight = 0.0
    for x in blocks.weight_sum[b0:b1].tolist():
        weight += x
    min_byte = 0 if min_length == _NO_LENGTH else length_to_byte(min_length)
    info = _TERM_INFO.pack(0, weight, ends[-1] - starts[0], min_byte, length_to_byte(max(max_lengths)),
                           max(0, max(max_weights)), int(blocks.deltas[starts[0]]), lasts[-1])
    table.add(pack_ushort(fieldwriter._fieldid) + tbytes, info + pack_long(offset) + pack_int(len(data)))
    return offset + len(data)


@dataclass(frozen=True)
class GroupedPostings:
    """One field's postings of the documents a writer added (not those of segments merged into its
    segment), grouped by term as the block-wise writer writes them: term ``terms[t]`` is held by the
    documents ``docnums[bounds[t]:bounds[t + 1]]`` (the segment's own docnums, ascending), with the
    postings' ``weights`` likewise (None when every weight is 1.0). ``documents``: how many documents the
    writer added to the segment ``segment_id``."""

    segment_id: str
    field: str
    documents: int
    terms: Sequence[bytes]
    bounds: np.ndarray
    docnums: np.ndarray
    weights: np.ndarray | None


def write_pool_postings(fieldwriter, schema, pdr, pool: MemoryPostingPool,
                        on_grouped: Callable[[str, Sequence[bytes], np.ndarray, np.ndarray, np.ndarray | None],
                                             np.ndarray | None]
                        | None = None) -> None:
    """Write every posting of ``pool`` into ``fieldwriter`` a block at a time (touch point 12).

    Equivalent to Whoosh's ``fieldwriter.add_postings(schema, pdr, pool.iter_postings())``,
    which :func:`fast_writer`'s commit used to call, byte for byte. The new
    documents' postings (all but merged segments') are cut into blocks and their
    statistics computed for the whole field with numpy (:class:`_Blocks`);
    each block is then pickled and compressed as Whoosh does it. A term that
    merged segments also hold is written by :func:`_write_term_blocks`.
    ``on_grouped(field, terms by id, bounds, docnums, weights)``, when given,
    gets each field's new-document postings once grouped (see :class:`GroupedPostings`)
    and may return a boolean mask over the terms (by id) to **leave out** of the
    segment: terms whose postings the caller keeps elsewhere (the generation's
    saved postings, :mod:`index.postings`), written to Whoosh a second time
    otherwise. A term merged segments also hold is never left out.
    """
    for fieldname in sorted(pool.fieldnames):
        fieldobj = schema[fieldname]
        fieldwriter.start_field(fieldname, fieldobj)
        pw = fieldwriter._postwriter
        fixedsize = fieldobj.format.fixed_value_size()
        frequency = fieldname in pool._frequency_fields
        documents = pool._documents.get(fieldname)
        # new documents' values are implied: none in an Existence field, the frequency in a Frequency one
        if fixedsize not in (0, 4) or (documents is not None and (fixedsize == 4) != frequency):
            raise TypeError(f"block-wise writing knows Existence and Frequency fields, not {fieldobj.format!r}")
        lengths = _field_lengths(pdr, fieldname)
        one_by_one = pool._fields.get(fieldname, {})
        grouped, term_ids, blocks, left_out = None, {}, None, None
        if documents is not None:
            bounds, docs, weights = documents.grouped()
            term_ids = documents.term_ids(bounds)
            grouped = (bounds, docs, weights, term_ids)
            if on_grouped is not None:
                by_id = documents.vocabulary if documents.vocabulary is not None else list(documents.ids)
                left_out = on_grouped(fieldname, by_id, bounds, docs, weights)
            if left_out is not None and left_out.any():
                # blocks of the terms written only (left out: at 100M characters three postings in four)
                counts = np.diff(bounds)
                keep = np.repeat(~left_out, counts)
                kept_bounds = np.zeros(len(bounds), dtype=np.int64)
                np.cumsum(np.where(left_out, 0, counts), out=kept_bounds[1:])
                blocks = _Blocks(kept_bounds, docs[keep], None if weights is None else weights[keep], lengths,
                                 pw._blocklimit)
                del keep
            else:
                blocks = _Blocks(bounds, docs, weights, lengths, pw._blocklimit)
        # the terms merged segments hold, with the new documents' postings of the same terms in front
        merged = {t: (d, w, v) for t, d, w, v in pool.term_arrays(fieldname, grouped, one_by_one.keys())}
        offset = pw._postfile.tell()
        table = _TermTable(fieldwriter._tindex)
        for tbytes in sorted(one_by_one.keys() | term_ids.keys()):
            if tbytes not in one_by_one:
                if left_out is not None and left_out[term_ids[tbytes]]:
                    continue
                offset = _write_new_term(fieldwriter, table, tbytes, term_ids[tbytes], blocks, fixedsize, offset)
                continue
            docs_t, weights_t, values_t = merged[tbytes]
            fieldwriter.start_term(tbytes)
            _write_term_blocks(pw, docs_t, weights_t, values_t, lengths, fixedsize, frequency)
            fieldwriter.finish_term()
            offset = pw._postfile.tell()
            table.resync()
        fieldwriter.finish_field()


def _write_segment_block_wise(writer, on_grouped: Callable[[GroupedPostings], np.ndarray | None] | None = None
                              ) -> None:
    """``SegmentWriter._flush_segment`` with :func:`write_pool_postings` for its per-posting loop."""
    writer.perdocwriter.close()
    pdr = writer.per_document_reader() if writer.codec.length_stats else None
    each = None
    if on_grouped is not None:
        segment_id, documents = new_segment_id(writer), writer.docnum

        def each(field, terms, bounds, docnums, weights):
            return on_grouped(GroupedPostings(segment_id, field, documents, terms, bounds, docnums, weights))
    write_pool_postings(writer.fieldwriter, writer.schema, pdr, writer.pool, each)
    writer.fieldwriter.close()
    if pdr:
        pdr.close()


_DF = struct.Struct("!I")  # W3TermInfo's document count, after its flags byte and total weight


def doc_frequencies(reader, fieldname: str, leaves: list | None = None) -> dict[bytes, int]:
    """Every term of ``fieldname`` (UTF-8) with the number of documents holding it, deleted ones included
    (as ``reader.doc_frequency``), summed over the reader's segments (touch point 13). ``leaves``: only
    these ``(segment reader, offset)`` pairs of ``reader.leaf_readers()`` (default all)."""
    totals: dict[bytes, int] = {}
    for leaf, _ in (reader.leaf_readers() if leaves is None else leaves):
        terms = getattr(leaf, "_terms", None)
        fieldnum = terms._fieldmap.get(fieldname) if terms is not None else None
        if fieldnum is None:
            continue
        prefix = pack_ushort(fieldnum)
        tindex = terms._tindex
        data = tindex.dbfile.get(tindex.startofdata, tindex.endofdata - tindex.startofdata)
        lengths, df_at, get = _RECORD_LENGTHS.unpack_from, _DF.unpack_from, totals.get
        pos, end, size = 0, len(data), _RECORD_LENGTHS.size
        while pos < end:
            keylen, datalen = lengths(data, pos)
            key = pos + size
            if data[key:key + 2] == prefix:
                term = data[key + 2:key + keylen]
                totals[term] = get(term, 0) + df_at(data, key + keylen + 5)[0]
            pos = key + keylen + datalen
    return totals


def _leaf_blocks(leaf, fieldname: str, term: str, weighted: bool):
    """(ids, weights or None) arrays of one term's postings in one segment, deleted documents dropped.

    A posting list stored in blocks is decoded a block at a time; an inlined
    list (a rare term) goes through the matcher's public API.
    """
    try:
        m = leaf.postings(fieldname, term)
    except TermNotFound:
        return None
    deleted = None
    if isinstance(m, FilterMatcher) and m._exclude:  # the segment's deleted documents, filtered after decoding
        deleted, m = m._ids, m.child
    if type(m) is W3LeafMatcher and not m._byteids:
        ids, weights = [], []
        while m.is_active():
            if m._data is None:
                m._read_data()
            # each block delta-codes its ids from zero
            block_ids = np.cumsum(np.asarray(m._data[0], dtype=np.int64))
            ids.append(block_ids)
            if weighted:
                w = m._data[1]
                if w is None:
                    weights.append(np.ones(len(block_ids)))
                elif isinstance(w, float):
                    weights.append(np.full(len(block_ids), w))
                else:
                    weights.append(np.asarray(w, dtype=np.float64))
            m._next_block()
        if not ids:
            return None
        out_ids = np.concatenate(ids)
        out_w = np.concatenate(weights) if weighted else None
    else:
        pairs = []
        while m.is_active():
            pairs.append((m.id(), m.weight() if weighted else 1.0))
            m.next()
        if not pairs:
            return None
        arr = np.array(pairs, dtype=np.float64)
        out_ids, out_w = arr[:, 0].astype(np.int64), (arr[:, 1] if weighted else None)
    if deleted:
        keep = ~np.isin(out_ids, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
        out_ids = out_ids[keep]
        out_w = out_w[keep] if weighted else None
    return out_ids, out_w


def read_docnums(reader, fieldname: str, term: str, leaves: list | None = None) -> np.ndarray:
    """The docnums of one term's postings, ascending, as an int64 array.

    Each segment of a multi-segment reader is read block-wise and its
    docnums shifted by the segment's document offset; deleted documents are
    left out, as the matcher API leaves them out. ``leaves``: only these
    ``(segment reader, offset)`` pairs of ``reader.leaf_readers()`` (default all).
    """
    parts = []
    for leaf, offset in (reader.leaf_readers() if leaves is None else leaves):
        got = _leaf_blocks(leaf, fieldname, term, weighted=False)
        if got is not None:
            parts.append(got[0] + offset if offset else got[0])
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def read_weighted(reader, fieldname: str, term: str, leaves: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, weights) of one term's postings, as int64 and float64 arrays.

    For the words field the weight is the word's frequency in the paragraph.
    Blocks are decoded with numpy as in :func:`read_docnums`; a block stores
    its weights as None (all 1.0), one float (all equal) or a tuple.
    ``leaves`` as in :func:`read_docnums`.
    """
    ids, weights = [], []
    for leaf, offset in (reader.leaf_readers() if leaves is None else leaves):
        got = _leaf_blocks(leaf, fieldname, term, weighted=True)
        if got is not None:
            ids.append(got[0] + offset if offset else got[0])
            weights.append(got[1])
    if not ids:
        return np.empty(0, dtype=np.int64), np.empty(0)
    return np.concatenate(ids), np.concatenate(weights)


def advise_random_reads(reader) -> int:
    """Tell the kernel that each segment map of ``reader`` is read at random (``MADV_RANDOM``: a page fault
    reads that page, not the 128 KB around it). For a reader that serves queries, not one a merge reads
    through (touch point 14). Returns how many maps were advised."""
    advised = 0
    for leaf, _ in reader.leaf_readers():
        storage = getattr(leaf, "_storage", None)
        source = getattr(getattr(storage, "a", storage), "_source", None)
        if isinstance(source, mmap.mmap):
            source.madvise(mmap.MADV_RANDOM)
            advised += 1
    return advised


@dataclass(frozen=True)
class LeafSegment:
    """One segment of an open reader: its id, its documents (deleted ones included), the docnum of its
    first document in the reader (``offset``) and its own reader (``leaf``)."""

    segment_id: str
    documents: int
    offset: int
    leaf: object

    def live_docnums(self) -> np.ndarray:
        """The segment's own docnums (from 0) of its live documents, ascending."""
        return _live_docnums(self.leaf)


def _live_docnums(segment_reader) -> np.ndarray:
    return np.fromiter(segment_reader.all_doc_ids(), dtype=np.int64)


def leaf_segments(reader) -> list[LeafSegment]:
    """The segments of an open reader in docnum order (touch point 10).

    A segment id names a segment for as long as it exists: a commit that keeps
    a segment keeps its files, its id and the docnums inside it (deletions are
    recorded beside it, in the TOC); merging writes a new segment with a new
    id. So rows known for a segment id in one generation hold for the same id
    in the next, at the docnums the segment has there.
    """
    return [LeafSegment(leaf.segment().segment_id(), leaf.doc_count_all(), offset, leaf)
            for leaf, offset in reader.leaf_readers() if leaf.segment() is not None]  # an empty index has none


class _RememberedLengths:
    """A per-document reader's ``doc_field_length``, read once per field into a list."""

    def __init__(self, pdr):
        self._pdr = pdr
        self._lengths: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        return self.field_lengths(fieldname, default)[docnum]

    def field_lengths(self, fieldname: str, default=0) -> list:
        """Every document's length in ``fieldname``, by docnum."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            pdr = self._pdr
            lengths = self._lengths[fieldname] = [
                pdr.doc_field_length(d, fieldname, default) for d in range(pdr.doc_count_all())
            ]
        return lengths

    def doc_count_all(self) -> int:
        return self._pdr.doc_count_all()

    def field_length(self, fieldname: str) -> int:
        return self._pdr.field_length(fieldname)

    def close(self) -> None:
        self._pdr.close()


def remember_lengths(writer) -> None:
    """Make a ``SegmentWriter``'s commit look field lengths up in memory."""
    original = writer.per_document_reader

    def per_document_reader():
        return _RememberedLengths(original())

    writer.per_document_reader = per_document_reader


def fast_writer(ix, on_grouped: Callable[[GroupedPostings], np.ndarray | None] | None = None):
    """A writer of ``ix`` with the in-memory pool and remembered lengths (touch points 1 and 2), which
    writes its segment block-wise (touch point 12) where Whoosh's settings allow; ``on_grouped`` then gets
    each field's postings of the documents added, grouped by term, as the segment is written (never when
    the segment is written the stock way), and returns the terms to leave out of it, if any (see
    :func:`write_pool_postings`)."""
    writer = ix.writer()
    writer.pool = MemoryPostingPool()
    remember_lengths(writer)
    if type(writer.fieldwriter) is W3FieldWriter and writer.fieldwriter._postwriter is None:
        pw = writer.codec.postings_writer(None)
        if not pw._byteids and pw._inlinelimit <= 1:  # Whoosh 2.7's defaults: no posting list inlined
            writer._flush_segment = lambda: _write_segment_block_wise(writer, on_grouped)
    return writer


def add_document(writer, fields: dict, postings: dict[str, tuple[list[bytes], list]],
                 vocabularies: dict[str, tuple[bytes, ...]] | None = None) -> None:
    """Add one document's other fields (``fields``) with its analysed fields' postings already computed.

    ``postings`` maps a field name to ``(terms, weighted)``: terms with the
    default weight, or a frequency field's ``(terms, frequencies)``
    (``array('d')``) (touch point 3). The terms of a field in ``vocabularies``
    are given as ids into its vocabulary (an ``array('I')``). A
    writer without the fast pool gets them the stock way by the caller.
    """
    docnum = writer.docnum
    writer.add_document(**fields)
    for fieldname, (terms, weighted) in postings.items():
        if vocabularies and fieldname in vocabularies:
            writer.pool.add_codes(fieldname, docnum, terms, vocabularies[fieldname])
        elif terms:
            writer.pool.add_terms(fieldname, docnum, terms)
        if weighted is not None:
            writer.pool.add_frequencies(fieldname, docnum, *weighted)


def has_fast_pool(writer) -> bool:
    return isinstance(writer.pool, MemoryPostingPool)


def abandon_writer(writer) -> None:
    """Cancel a writer, closing what a half-closed one still holds, each part on its own (touch point 5)."""
    try:
        writer.cancel()
    except Exception:
        for closer in (writer.perdocwriter.close, writer.fieldwriter.close, writer.pool.cleanup,
                       writer._tempstorage.destroy, writer.writelock.release):
            try:
                closer()
            except Exception:
                pass


def close_leftover_files(folder: Path) -> None:
    """Close files under ``folder`` that a commit failing half-way left open (touch point 6)."""
    prefix = str(folder) + os.sep
    for obj in gc.get_objects():
        if isinstance(obj, io.FileIO) and not obj.closed and str(obj.name).startswith(prefix):
            try:
                obj.close()
            except OSError:
                pass


def link_index(src: Path, dst: Path) -> None:
    """Make ``dst`` a Whoosh index folder sharing ``src``'s files through hard links, without its lock (touch point 7).

    Whoosh never writes into an existing segment file: a commit writes new
    segment files and a new TOC (which carries each segment's deleted
    documents), and deletes the files its new TOC no longer names — which in
    ``dst`` removes a link, not the data ``src`` still uses. A file system
    without hard links gets copies.
    """
    dst.mkdir()
    for f in src.iterdir():
        if "WRITELOCK" in f.name or not f.is_file():
            continue
        try:
            os.link(f, dst / f.name)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            shutil.copy2(f, dst / f.name)


#: A segment holding fewer documents than this is *small* (a flush holds ~70k paragraphs).
SMALL_SEGMENT_DOCS = 10_000
#: Small segments are merged once there are this many of them.
MERGE_SMALL_AT = 4


@dataclass(frozen=True)
class MergedSegment:
    """A segment a commit merged into the segment it wrote: its id, its documents (deleted ones included)
    and the docnums (its own, from 0, ascending) of its documents live at the merge.

    The written segment holds the writer's own documents first, then each
    merged segment's live documents in this order, one merged segment after
    the other in the order :func:`merge_small_segments` lists them.
    """

    segment_id: str
    documents: int
    live: np.ndarray


def merge_small_segments(writer, segments: list, merged: list[MergedSegment] | None = None,
                         fixed: Callable[[str], bool] | None = None) -> list:
    """A merge policy for ``SegmentWriter.commit(mergetype=...)``: the segments kept as they are.

    Merging goes through Whoosh's per-posting loop (``add_reader``), so only
    what is cheap is merged: small segments (under :data:`SMALL_SEGMENT_DOCS`
    documents) once :data:`MERGE_SMALL_AT` of them have gathered (counting the
    one this commit writes; they merge into it), and any
    segment whose documents are mostly deleted. Large segments are never
    rewritten; their files stay shared with the previous generation.
    ``merged``, when given, gets a :class:`MergedSegment` for each segment
    merged, in the order their documents follow the writer's own (touch point 8). ``fixed(segment id)``:
    never merge that segment (one whose left-out postings only this update's scratch holds).
    """
    movable = [s for s in segments if fixed is None or not fixed(s.segment_id())]
    small = [s for s in movable if s.doc_count_all() < SMALL_SEGMENT_DOCS]
    new_is_small = 0 < writer.doc_count() < SMALL_SEGMENT_DOCS  # the segment this commit writes
    merge = small if len(small) + new_is_small >= MERGE_SMALL_AT else []
    merge += [s for s in movable if s not in merge and s.deleted_count() * 2 > s.doc_count_all()]
    for seg in merge:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        if merged is not None:
            merged.append(MergedSegment(seg.segment_id(), seg.doc_count_all(), _live_docnums(reader)))
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in merge]


def new_segment_id(writer) -> str:
    """The id of the segment a ``SegmentWriter`` writes at its commit (touch point 11)."""
    return writer.newsegment.segment_id()


class _Position(threading.local):
    """A file position, one per thread."""

    pos = 0


_BIG_ENDIAN_INT = struct.Struct("!i")


class _MemoryFile:
    """A read-only file over a memoryview: reads copy only what they return.

    The position is kept per thread: the threads of a server share one reader,
    and a leaf matcher seeks then reads (``seek``, ``read_int``,
    ``read_pickle``); with one shared position another thread's seek could
    land between the two.
    """

    def __init__(self, buf: memoryview):
        self._buf = buf
        self._here = _Position()
        self.closed = False

    @property
    def _pos(self) -> int:
        return self._here.pos

    @_pos.setter
    def _pos(self, value: int) -> None:
        self._here.pos = value

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if size is None or size < 0 else min(start + size, len(self._buf))
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def readinto(self, b) -> int:
        start = self._pos
        n = max(0, min(len(b), len(self._buf) - start))
        b[:n] = self._buf[start : start + n]
        self._pos = start + n
        return n

    def readline(self, size: int | None = -1) -> bytes:
        start = self._pos
        limit = len(self._buf) if size is None or size < 0 else min(len(self._buf), start + size)
        end = start
        while end < limit:
            chunk = bytes(self._buf[end : min(end + 256, limit)])
            nl = chunk.find(b"\n")
            if nl >= 0:
                end += nl + 1
                break
            end += len(chunk)
        return self.read(end - start)

    def __iter__(self):
        while line := self.readline():
            yield line

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = max(0, pos if whence == 0 else self._pos + pos if whence == 1 else len(self._buf) + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class MappedBufferFile(BufferFile):
    """Whoosh's ``BufferFile`` over a file inside a mapped compound file, reading the map in place."""

    def __init__(self, buf, name=None, onclose=None):
        self._buf = buf
        self._name = name
        self.file = _MemoryFile(memoryview(buf))
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def read_int(self) -> int:
        f = self.file
        here = f._here
        pos = here.pos
        here.pos = pos + 4
        return _BIG_ENDIAN_INT.unpack_from(f._buf, pos)[0]

    def read_pickle(self):
        """The pickle at the current position (a leaf matcher's block header), unpickled from a small
        copy of the bytes there rather than read a byte at a time through the file object."""
        f = self.file
        start, window = f.tell(), 512
        while True:
            chunk = io.BytesIO(bytes(f._buf[start : start + window]))
            try:
                value = pickle.load(chunk)
            except (EOFError, pickle.UnpicklingError):
                if start + window >= len(f._buf):
                    raise
                window *= 16
                continue
            f.seek(start + chunk.tell())
            return value


whoosh_compound.BufferFile = MappedBufferFile
