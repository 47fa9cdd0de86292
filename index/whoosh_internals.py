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
3. ``SegmentWriter.docnum`` and ``pool.add_terms`` (:func:`add_document`) — the
   analysed fields' postings are computed in worker processes and go straight
   into the pool, not through Whoosh's tokenizer machinery. Same test.
4. ``W3LeafMatcher._data``, ``._read_data()``, ``._next_block()``,
   ``._byteids`` (:func:`read_docnums`, :func:`read_weighted`) — a block of
   postings decoded with numpy instead of one Python call per posting. Pinned by
   ``test_block_wise_posting_reads_equal_the_matcher_api`` and
   ``test_weighted_posting_reads_equal_the_matcher_api``.
5. A half-closed writer's ``perdocwriter``, ``fieldwriter``, ``pool``,
   ``_tempstorage`` and ``writelock`` (:func:`abandon_writer`) — ``cancel()``
   raises on a writer whose commit failed half-way and leaves files open.
   Pinned by the full-disk tests in ``tests/test_concurrency.py``.
6. Open ``*.ctmp`` files found with ``gc.get_objects()``
   (:func:`close_leftover_files`) — Whoosh keeps temporary files in objects that
   neither ``cancel()`` nor garbage collection closes in time. Same tests.
7. Whoosh's file naming: ``*WRITELOCK*`` (:func:`copy_index`) — a copied index
   must not carry the lock file of the one it came from. Pinned by every
   incremental-build test in ``tests/test_writer.py``.
8. ``whoosh.filedb.compound.BufferFile`` replaced by :class:`MappedBufferFile`
   — a reader opens each file inside a segment's compound file as a
   ``BytesIO`` *copy* of its mapped bytes: the postings (265 MB at 100M
   characters) were copied into every server process. The replacement reads
   the map itself, so the kernel keeps one copy for all processes, and keeps
   the file position per thread (a matcher's seek-then-read raced between a
   server's threads). Pinned by
   ``test_a_reader_reads_the_mapped_segment_without_copying_it`` (tests/test_columns.py).
"""
from __future__ import annotations

import gc
import io
import os
import pickle
import shutil
import struct
import threading
from array import array
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb import compound as whoosh_compound
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import TermNotFound

__all__ = ["MemoryPostingPool", "fast_writer", "add_document", "has_fast_pool", "read_docnums", "read_weighted", "remember_lengths",
           "abandon_writer", "close_leftover_files", "copy_index", "MappedBufferFile"]

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


def fast_writer(ix):
    """A writer of ``ix`` with the in-memory pool and remembered lengths (touch points 1 and 2)."""
    writer = ix.writer()
    writer.pool = MemoryPostingPool()
    remember_lengths(writer)
    return writer


def add_document(writer, fields: dict, postings: dict[str, tuple[list[bytes], list]]) -> None:
    """Add one document's stored fields with its analysed fields' postings already computed.

    ``postings`` maps a field name to ``(terms, weighted)``: terms with the
    default weight, and ``(term, weight, value)`` triples (touch point 3). A
    writer without the fast pool gets them the stock way by the caller.
    """
    docnum = writer.docnum
    writer.add_document(**fields)
    for fieldname, (terms, weighted) in postings.items():
        if terms:
            writer.pool.add_terms(fieldname, docnum, terms)
        if weighted:
            writer.pool.add_many(fieldname, docnum, weighted)


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


def copy_index(src: Path, dst: Path) -> None:
    """Copy a Whoosh index folder without its lock file (touch point 7)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*WRITELOCK*"))


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
