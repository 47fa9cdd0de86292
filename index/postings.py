"""Postings by row: every term's paragraphs, with the common terms' answers saved per generation.

Vocabulary:

* a **row** is a paragraph's position in the generation's columns
  (:mod:`index.columns`); Whoosh numbers the same paragraphs by *docnum*
  (``docnum_to_row`` maps one to the other).
* a term's **rows** are the sorted rows whose field holds it; for the
  ``words`` field each row also has the word's **frequency** there.
* a **saved term** is one held by at least :func:`frequent_threshold` rows
  (one paragraph in 256, at least 256) when a generation chooses its terms:
  发展, 建设, 推进, but also 营商 or 人均; or one a segment left out (below).
  Once saved, a term stays saved while any row holds it.
* a segment **leaves out** of Whoosh every term held by the threshold's
  share of its own documents (:func:`frequent_threshold` of its document
  count) and every term saved before, among those it keeps in the scratch
  (*saved segment*, below): Whoosh held every saved term's postings a second
  time, read by no query (at 100M characters 74 % of its 122 million
  postings). Only the saved file holds them, so it must stay whole: a
  generation without it is refused, not searched in Whoosh alone; a term
  stays saved however few its rows become; and a segment that left terms
  out is never merged by the update that wrote it (its scratch alone holds
  those postings) and, when a later one merges it, its rows of the saved
  terms are carried from the previous file, not read from Whoosh. Decoding a term's postings from Whoosh's pickled, compressed blocks
  costs about 0.4 µs a posting (4.5 ms for 人均's 11,668 at 100M, cold), as
  much as reading the paragraphs' texts; the saved rows cost a hundredth of
  that. They are saved with the generation in :data:`POSTINGS_FILE`, each
  term in the smaller of two encodings:

  - a **bitmap** (``exact`` terms held by one row in 16 or more): one bit per
    row, so a query tests a candidate row in O(1);
  - **packed** rows (Elias–Fano; exact terms held by fewer than one row in
    :data:`BITMAP_SHARE`): each row's low ``floor(log2(rows / df))`` bits
    back to back, then its high bits in unary, as a bitmap with a bit set at
    ``(row >> low) + i`` for the ``i``-th row: about ``2 + log2(rows / df)``
    bits a posting, 10 for a term in one row in 256, 6 in one in 16 (16-bit
    rows took 16), where Whoosh takes about 14. Decoding costs about 10 ns
    a row, three times the 16-bit rows';
  - **wide** rows (every word): how many of its rows fall in each chunk of
    65,536 rows (uint32 a chunk), the low 16 bits of every row (uint16),
    then its frequency in each row (uint8, capped at 255): 3 bytes a posting,
    where Whoosh takes about 3.6. A query's ranking reads every row of each
    of its words (发展: 270,000 at 100M characters), so their decoding
    comes first: packed, the words took 57 MB instead of 93, and the bench's
    321 queries a fifth longer.

  The file is memory-mapped, so processes serving the same generation share it.
* every other term is read from Whoosh at query time (fewer than 1 row in 256 when it was chosen).
* a **saved segment** is one the writer wrote in this update without merging
  others into it: as it wrote the segment it handed over each field's
  postings grouped by term, and :class:`SavedPostings` kept those of every
  term held by one of the segment's documents in :data:`SAVED_SHARE` (at
  least 2) in a scratch folder. Saving the file reads a term's postings there
  and goes to Whoosh only for the other segments and the terms a saved
  segment did not keep: reading the postings back from Whoosh was 87 % of
  saving the file (19.7 s at 100M characters, py-spy); now it takes 3.3 s.
* a new generation **carries** the previous one's saved terms forward
  (:func:`write_carried_postings`): their surviving rows renumbered, plus the
  postings of the segments the previous generation did not have; the terms of
  those segments are the only ones that can have reached the threshold
  (unless the threshold fell), and the ones they left out join. Every term's
  rows, saved or read from Whoosh, equal the rows whose text makes it (the
  tests check this for every term of every paragraph after each update).

:class:`Postings` answers both kinds the same way; the writer saves the file
(:func:`write_frequent_postings`) before it publishes a generation, which
never changes afterwards.

File layout: ``BGPOST4\\n``, an 8-byte little-endian header length, a JSON
header (``rows``: the row count, ``terms``: ``[field, term, kind, df, offset,
length]`` each), then the data, every term's 8-byte aligned. A file of another
layout (``BGPOST3``: a byte a frequency, no word as a bitmap) is not read, and its generation is
refused (Whoosh lacks the saved terms): such an index asks for a rebuild.
"""
from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
from dataclasses import dataclass
from collections.abc import Collection
from pathlib import Path

import numpy as np

from . import schema as S
from .columns import copy_range
from .whoosh_internals import GroupedPostings, LeafSegment, doc_frequencies, leaf_segments, read_docnums, read_weighted

__all__ = ["POSTINGS_FILE", "SAVED_POSTINGS", "SAVED_SHARE", "Postings", "FrequentPostings", "SavedPostings",
           "write_frequent_postings", "write_carried_postings", "frequent_threshold", "bitmap_has", "sorted_has"]

log = logging.getLogger(__name__)

#: The frequent terms' postings in a generation folder.
POSTINGS_FILE = "postings.bin"
_MAGIC = b"BGPOST4\n"
#: The scratch folder inside an unpublished generation holding its saved segments' postings (gone once published).
SAVED_POSTINGS = "saved-postings"
#: A saved segment keeps the postings of every term held by at least one of its documents in this many (and
#: by 2): at 100M characters 92 % of the postings, and of the frequent terms' all but 120 segments' worth.
SAVED_SHARE = 1024
_FIELDS = (S.EXACT, S.WORDS)


def frequent_threshold(rows: int) -> int:
    """How many rows a term must hold to be saved (one in 256, at least 256)."""
    return max(256, rows // 256)


@dataclass(frozen=True)
class _Entry:
    kind: str  # "bitmap" or "packed" (an exact term), "wide" (a word)
    df: int
    offset: int
    length: int


def _low_bits(df: int, rows: int) -> int:
    """The low bits a packed term of ``df`` rows among ``rows`` keeps of each row: floor(log2(rows / df))."""
    return max(0, (max(rows, 1) // max(df, 1)).bit_length() - 1)


def _high_bits(df: int, rows: int, low: int) -> int:
    """How many bits the high part of a packed term takes: one a row, and one for each value of row >> low."""
    return df + (max(rows - 1, 0) >> low) + 1


def _packed_size(df: int, rows: int, low: int | None = None) -> int:
    """The bytes of a packed term's rows (without a word's frequencies)."""
    low = _low_bits(df, rows) if low is None else low
    return 1 + (df * low + 7) // 8 + (_high_bits(df, rows, low) + 7) // 8


#: An exact term held by one row in this many or more is saved as a bitmap, though packed rows would be
#: smaller (6 bits a row at one in 16, against the bitmap's 16): a query tests its candidates against a
#: bitmap without decoding every row of the term (at 100M characters decoding the rows of the common
#: bigrams made the p95 of all queries half as slow again).
BITMAP_SHARE = 16


def _as_bitmap(df: int, rows: int) -> bool:
    """Whether an exact term of ``df`` rows among ``rows`` is saved as a bitmap (else packed)."""
    return df * BITMAP_SHARE >= rows or (rows + 7) // 8 <= _packed_size(df, rows)


def _bits_bytes(values: np.ndarray, low: int, lead: np.ndarray | None = None) -> bytes:
    """The low ``low`` bits of each value, back to back from bit 0 of the first byte (little-endian bit
    order); ``lead``: bits to put before them (a partly filled last byte's)."""
    if low == 0:
        return b""
    bits = ((np.asarray(values, dtype=np.int64)[:, None] >> np.arange(low)) & 1).astype(np.uint8).ravel()
    if lead is not None and len(lead):
        bits = np.concatenate((lead, bits))
    return np.packbits(bits, bitorder="little").tobytes()


def _pack(sorted_rows: np.ndarray, rows: int, freqs: np.ndarray | None = None) -> bytes:
    """A term's ascending rows (and a word's frequencies) in the packed encoding (Elias–Fano): one byte
    ``low``, then each row's low ``low`` bits back to back, then a bitmap with a bit set at
    ``(row >> low) + i`` for the ``i``-th row, then a word's frequencies (uint8). About
    ``2 + log2(rows / df)`` bits a row: 10 for a term in one row in 256, 6 in one in 16."""
    r = np.asarray(sorted_rows, dtype=np.int64)
    df = len(r)
    low = _low_bits(df, rows)
    high = np.zeros(_high_bits(df, rows, low), dtype=bool)
    high[(r >> low) + np.arange(df)] = True
    data = bytes([low]) + _bits_bytes(r, low) + np.packbits(high, bitorder="little").tobytes()
    return data if freqs is None else data + np.asarray(freqs, dtype=np.uint8).tobytes()


def _unpack_rows(buf, offset: int, df: int, rows: int) -> np.ndarray:
    """The ascending rows (int64) of a packed term whose data starts at ``offset`` of ``buf``."""
    low = buf[offset]
    low_bytes = (df * low + 7) // 8
    n_high = _high_bits(df, rows, low)
    high_bits = np.unpackbits(np.frombuffer(buf, dtype=np.uint8, count=(n_high + 7) // 8, offset=offset + 1 + low_bytes),
                              count=n_high, bitorder="little")
    high = np.flatnonzero(high_bits.view(bool))[:df] - np.arange(df)  # nonzero on bools: a quarter of on uint8
    if low == 0:
        return high
    # row i's low bits start at bit i * low: gather the bytes they span (a fifth of unpacking every bit)
    data = np.zeros(low_bytes + 8, dtype=np.uint8)
    data[:low_bytes] = np.frombuffer(buf, dtype=np.uint8, count=low_bytes, offset=offset + 1)
    at = np.arange(df, dtype=np.int64) * low
    first = at >> 3
    word = data[first].astype(np.uint64)
    for k in range(1, (low + 7 + 7) // 8):
        word |= data[first + k].astype(np.uint64) << np.uint64(8 * k)
    lows = (word >> (at & 7).astype(np.uint64)) & np.uint64((1 << low) - 1)
    return (high << low) | lows.astype(np.int64)


#: Rows per chunk of a wide term (its rows are stored as the low 16 bits and a count per chunk).
_CHUNK_BITS = 16


def _chunks(rows: int) -> int:
    """How many chunks of 65,536 rows a wide term counts its rows in (at least one)."""
    return max(1, -(-rows >> _CHUNK_BITS))


def _pack_wide(sorted_rows: np.ndarray, rows: int, freqs: np.ndarray) -> bytes:
    """A word's ascending rows and frequencies in the wide encoding: how many rows fall in each chunk of
    65,536 (uint32 a chunk), the low 16 bits of every row (uint16), the frequencies (:func:`_pack_freqs`)."""
    r = np.asarray(sorted_rows, dtype=np.int64)
    counts = np.bincount(r >> _CHUNK_BITS, minlength=_chunks(rows)).astype("<u4")
    return counts.tobytes() + (r & 0xFFFF).astype("<u2").tobytes() + _pack_freqs(freqs)


def _bitmap_bytes(rows_set, rows: int) -> bytes:
    bits = np.zeros(rows, dtype=bool)
    bits[rows_set] = True
    return np.packbits(bits, bitorder="little").tobytes()


def _unpack_wide(buf, offset: int, df: int, rows: int) -> np.ndarray:
    """The ascending rows (int64) of a wide term whose data starts at ``offset`` of ``buf``."""
    n = _chunks(rows)
    counts = np.frombuffer(buf, dtype="<u4", count=n, offset=offset)
    lows = np.frombuffer(buf, dtype="<u2", count=df, offset=offset + 4 * n)
    return np.repeat(np.arange(n, dtype=np.int64) << _CHUNK_BITS, counts) | lows


def _word_as_bitmap(df: int, rows: int) -> bool:
    """Whether a word of ``df`` rows among ``rows`` keeps its rows as a bitmap (else wide): when that is smaller."""
    return (rows + 7) // 8 < 4 * _chunks(rows) + 2 * df


def _rows_bytes(kind: str, df: int, rows: int) -> int:
    """The bytes of a bitmap or wide entry before a word's frequencies."""
    return (rows + 7) // 8 if kind == "bitmap" else 4 * _chunks(rows) + 2 * df


#: A frequency of 15 or more takes the nibble 15; its value follows the nibbles (uint8, capped at 255).
_MANY = 15


def _pack_freqs(freqs) -> bytes:
    """A word's frequencies (in row order) as 4 bits each, low nibble first, then the values of those of 15 or
    more (uint8): at 100M characters 1 in 200 is, so they take half a byte a row instead of one."""
    f = np.minimum(np.asarray(freqs, dtype=np.int64), 255).astype(np.uint8)
    nibbles = np.minimum(f, _MANY)
    if len(nibbles) % 2:
        nibbles = np.concatenate((nibbles, np.zeros(1, dtype=np.uint8)))
    return (nibbles[0::2] | (nibbles[1::2] << 4)).tobytes() + f[f >= _MANY].tobytes()


def _unpack_freqs(buf, offset: int, df: int) -> np.ndarray:
    """The frequencies (uint8) :func:`_pack_freqs` wrote at ``offset`` of ``buf``."""
    packed = np.frombuffer(buf, dtype=np.uint8, count=(df + 1) // 2, offset=offset)
    f = np.empty(2 * len(packed), dtype=np.uint8)
    f[0::2] = packed & 15
    f[1::2] = packed >> 4
    f = f[:df]
    many = np.flatnonzero(f == _MANY)
    if len(many):
        f[many] = np.frombuffer(buf, dtype=np.uint8, count=len(many), offset=offset + len(packed))
    return f


def _mapped_rows(docnums: np.ndarray, docnum_to_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, keep): the rows of ``docnums`` and which docnums are live (not deleted)."""
    rows = docnum_to_row[docnums] if len(docnums) else np.empty(0, dtype=np.int64)
    keep = rows >= 0
    return rows[keep], keep


@dataclass(frozen=True)
class _Encoded:
    """One term's entry as the file stores it: its kind, live document count and bytes."""

    field: str
    term: str
    kind: str
    df: int
    data: bytes


def _encode(field: str, term: str, got, rows: int) -> _Encoded:
    """An exact term's rows (any order, no repeats) as a bitmap over ``rows`` rows or packed, whichever is
    smaller; a word's (rows ascending, frequencies as uint8) packed."""
    if field == S.EXACT:
        df = int(len(got))
        if _as_bitmap(df, rows):
            return _Encoded(field, term, "bitmap", df, _bitmap_bytes(got, rows))
        return _Encoded(field, term, "packed", df, _pack(np.sort(np.asarray(got, dtype=np.int64)), rows))
    r, f = got
    if _word_as_bitmap(len(r), rows):
        return _Encoded(field, term, "bitmap", int(len(r)), _bitmap_bytes(r, rows) + _pack_freqs(f))
    return _Encoded(field, term, "wide", int(len(r)), _pack_wide(r, rows, f))


class _PostingsFile:
    """A :data:`POSTINGS_FILE` being written to ``path``, a term at a time, in bounded memory.

    Each term's bytes go to a scratch file beside ``path`` as they come;
    :meth:`finish` writes the file (its terms in :func:`_term_order`, so the
    bytes do not depend on the order terms were added), syncs it and renames
    it into place. At 1.5 billion characters the file was 3 GB before the
    exact terms were packed: built in memory it held the build's peak above 2 GB by itself. Used as a
    context manager, it removes its scratch and temporary files whatever happens.
    """

    def __init__(self, path: Path, rows: int):
        self.path = Path(path)
        self.rows = rows
        self._scratch_path = self.path.with_name(self.path.name + ".terms")
        self._tmp_path = self.path.with_name(self.path.name + ".tmp")
        self._scratch = open(self._scratch_path, "w+b")
        self._entries: dict[tuple[str, str], tuple[str, int, int, int]] = {}  # kind, df, scratch offset, length

    def __enter__(self) -> "_PostingsFile":
        return self

    def __exit__(self, *exc) -> None:
        self._scratch.close()
        for leftover in (self._scratch_path, self._tmp_path):
            leftover.unlink(missing_ok=True)

    def add(self, entry: _Encoded) -> None:
        self._entries[(entry.field, entry.term)] = (entry.kind, entry.df, self._scratch.tell(), len(entry.data))
        self._scratch.write(entry.data)

    def finish(self) -> None:
        """Write the file: header, then every term's bytes 8-byte aligned; synced, then renamed into place."""
        keys = sorted(self._entries, key=_term_order)
        terms, offset = [], 0
        for field, term in keys:
            kind, df, _, length = self._entries[(field, term)]
            terms.append([field, term, kind, df, offset, length])
            offset += length + (-length) % 8
        header = json.dumps({"rows": self.rows, "terms": terms}, ensure_ascii=False).encode("utf-8")
        header += b" " * ((-len(header)) % 8)
        self._scratch.flush()
        source = self._scratch.fileno()
        with open(self._tmp_path, "wb") as out:
            out.write(_MAGIC + len(header).to_bytes(8, "little") + header)
            out.flush()
            target, at = out.fileno(), out.tell()
            for key in keys:  # copied by the kernel, from the scratch file's pages to the file's
                _, _, start, length = self._entries[key]
                copy_range(source, start, target, at, length)
                at += length + (-length) % 8
            os.ftruncate(target, at)  # the last term's padding
            os.fsync(target)
        os.replace(self._tmp_path, self.path)


def _capped_frequencies(weights: np.ndarray) -> np.ndarray:
    """A word's frequencies as the file stores them (uint8, capped at 255), from its postings' weights
    (rounded to float32 first, as Whoosh stores them)."""
    return np.clip(np.rint(np.asarray(weights, dtype=np.float32)), 0, 255).astype(np.uint8)


class SavedPostings:
    """The postings of the segments one update writes, kept as the writer writes each (see *saved segment*).

    :meth:`add` takes a field's grouped postings from the writer
    (:func:`index.whoosh_internals.fast_writer`'s ``on_grouped``) and keeps
    each term held by at least one of the segment's documents in
    :data:`SAVED_SHARE` (and by 2): ``<segment id>-<field>.bin`` holds the
    kept terms' docnums as uint32, then for a word their frequencies as the
    file stores them, and ``<segment id>-<field>.json`` (the kept terms and
    their counts, in the data's order). :meth:`segment_written` then marks
    the segment saved, or not when segments were merged into it (their
    postings never passed through the writer). At 100M characters the folder
    holds about 480 MB while the build runs.
    """

    def __init__(self, folder: Path, saved_before: Collection[tuple[str, str]] = ()):
        folder.mkdir(exist_ok=True)
        self.folder = folder
        self._written: set[str] = set()  # the segments whose fields were handed over
        self._saved: set[str] = set()
        self._saved_before = saved_before  # the previous generation's saved (field, term) pairs
        self._merging: set[str] = set()  # segments written with others merged into them: nothing left out
        self._left_out: dict[str, set[tuple[str, str]]] = {}  # segment id: the terms left out of Whoosh

    def _path(self, segment_id: str, field: str, suffix: str) -> Path:
        return self.folder / f"{segment_id}-{field}{suffix}"

    def add(self, grouped: GroupedPostings) -> np.ndarray | None:
        """Keep the frequent-enough terms of one field of a segment being written; return which of them the
        segment leaves out of Whoosh (a mask over the terms; see *leaves out* in the module docstring), None
        for none."""
        if grouped.field not in _FIELDS:
            return None
        self._written.add(grouped.segment_id)
        counts = np.diff(grouped.bounds)
        kept = counts >= max(2, grouped.documents // SAVED_SHARE)
        ids = np.flatnonzero(kept)
        left_out = None
        if grouped.segment_id not in self._merging:
            left_out = kept & (counts >= frequent_threshold(grouped.documents))
            before, field, terms = self._saved_before, grouped.field, grouped.terms
            if before:
                for t in ids.tolist():
                    if not left_out[t] and (field, terms[t].decode("utf-8")) in before:
                        left_out[t] = True
            self._left_out.setdefault(grouped.segment_id, set()).update(
                (field, terms[t].decode("utf-8")) for t in np.flatnonzero(left_out).tolist())
        every = np.repeat(kept, counts)
        with open(self._path(grouped.segment_id, grouped.field, ".bin"), "wb") as f:
            f.write(grouped.docnums[every].astype("<u4").tobytes())
            if grouped.field == S.WORDS:
                weights = grouped.weights[every] if grouped.weights is not None else np.ones(int(counts[kept].sum()))
                f.write(_capped_frequencies(weights).tobytes())
        terms = grouped.terms
        header = {"terms": [terms[t].decode("utf-8") for t in ids.tolist()], "counts": counts[ids].tolist()}
        self._path(grouped.segment_id, grouped.field, ".json").write_text(json.dumps(header, ensure_ascii=False),
                                                                          encoding="utf-8")
        return left_out

    def merging(self, segment_id: str) -> None:
        """The segment ``segment_id`` is being written with other segments merged into it: it leaves nothing
        out of Whoosh (the merged documents' postings never pass through here)."""
        if segment_id in self._left_out:
            raise RuntimeError(f"segment {segment_id} already left terms out of Whoosh")
        self._merging.add(segment_id)

    def segment_written(self, segment_id: str, merged: bool = False) -> None:
        """The writer committed ``segment_id``; ``merged``: with other segments merged into it."""
        if merged and segment_id in self._left_out:
            raise RuntimeError(f"segment {segment_id} left terms out of Whoosh and had segments merged into it")
        if segment_id in self._written and not merged:
            self._saved.add(segment_id)
        else:
            for field in _FIELDS:
                for suffix in (".bin", ".json"):
                    self._path(segment_id, field, suffix).unlink(missing_ok=True)

    def holds(self, segment_id: str) -> bool:
        """Whether ``segment_id`` is a saved segment."""
        return segment_id in self._saved

    def left_out(self, segments: Collection[str] | None = None) -> set[tuple[str, str]]:
        """The ``(field, term)`` pairs the saved segments (or those of ``segments``) left out of Whoosh: the
        generation must save them, whatever their number of rows."""
        out: set[tuple[str, str]] = set()
        for segment_id, terms in self._left_out.items():
            if segment_id in self._saved and (segments is None or segment_id in segments):
                out |= terms
        return out

    def terms(self, segment_id: str, field: str, ids: dict[str, int] | None = None) -> "_SavedTerms":
        """The terms a saved segment kept in ``field``. ``ids``: the only terms that will be asked for, each
        with its number, shared by every segment (default: every kept term), so that a segment holds two
        numbers per term in arrays rather than a dictionary of its own (at 500M characters 31 segments'
        dictionaries of 13,500 terms each held 420,000 entries at publishing)."""
        header = json.loads(self._path(segment_id, field, ".json").read_text(encoding="utf-8"))
        names = header["terms"]
        counts = np.asarray(header["counts"], dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
        if ids is None:
            ids = {t: k for k, t in enumerate(names)}
        at = np.array([ids.get(t, -1) for t in names], dtype=np.int64)
        held = at >= 0
        start = np.full(len(ids), -1, dtype=np.int64)
        count = np.zeros(len(ids), dtype=np.int64)
        start[at[held]], count[at[held]] = starts[:-1][held], counts[held]
        return _SavedTerms(self._path(segment_id, field, ".bin"), ids, start, count,
                           int(starts[-1]) if field == S.WORDS else None)

    def remove(self) -> None:
        """Delete the scratch folder (a published generation never holds it)."""
        shutil.rmtree(self.folder, ignore_errors=True)


class _SavedTerms:
    """One field of a saved segment: where each kept term's postings lie in ``path``, by the term's number in
    ``ids``: ``starts`` (-1 for a term the segment did not keep) and ``counts``.

    A term's postings are read from the file when asked for (:meth:`read`),
    not mapped: mapped pages would count in the build's memory until it ends.
    ``postings``: how many the file holds, for a field with frequencies (None
    without: the file is docnums alone)."""

    def __init__(self, path: Path, ids: dict[str, int], starts: np.ndarray, counts: np.ndarray, postings: int | None):
        self.path = path
        self._ids = ids
        self._starts = starts
        self._counts = counts
        self._postings = postings
        self._fd: int | None = None

    def kept(self) -> list[str]:
        """The terms asked for that the segment kept."""
        return [t for t, k in self._ids.items() if self._starts[k] >= 0]

    def read(self, term: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        """(docnums as uint32, frequencies as uint8 or None) of a kept term, or None when it was not kept."""
        k = self._ids.get(term)
        if k is None or self._starts[k] < 0:
            return None
        start, count = int(self._starts[k]), int(self._counts[k])
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY)
        docnums = np.frombuffer(os.pread(self._fd, 4 * count, 4 * start), dtype="<u4")
        if self._postings is None:
            return docnums, None
        return docnums, np.frombuffer(os.pread(self._fd, count, 4 * self._postings + start), dtype=np.uint8)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class _TermReader:
    """Every posting of a term in some of a reader's segments (``leaves``), read from the saved segments'
    postings where they hold it and from Whoosh elsewhere, in no particular order of segments.

    ``wanted``: the only ``(field, term)`` pairs that will be asked for
    (default any), so a saved segment's table holds those alone.
    """

    def __init__(self, reader, leaves: list[LeafSegment], saved: "SavedPostings | None",
                 wanted: list[tuple[str, str]] | None = None):
        self.reader = reader
        self._tables: dict[str, list[tuple[LeafSegment, _SavedTerms]]] = {field: [] for field in _FIELDS}
        self._whoosh: dict[str, list[LeafSegment]] = {field: [] for field in _FIELDS}
        fields = set(reader.schema.names()) if reader is not None else set()
        by_field: dict[str, dict[str, int]] = {field: {} for field in _FIELDS}
        for field, term in wanted or ():
            by_field[field].setdefault(term, len(by_field[field]))
        for seg in leaves:
            for field in _FIELDS:
                if field not in fields:
                    continue
                if saved is not None and saved.holds(seg.segment_id):
                    self._tables[field].append((seg, saved.terms(seg.segment_id, field,
                                                                 by_field[field] if wanted is not None else None)))
                else:
                    self._whoosh[field].append(seg)

    def _parts(self, field: str, term: str):
        """(saved parts as (docnums, freqs or None), the leaves to read from Whoosh as (leaf, offset))."""
        parts, rest = [], [(seg.leaf, seg.offset) for seg in self._whoosh[field]]
        for seg, table in self._tables[field]:
            got = table.read(term)
            if got is None:  # not kept: held by too few of the segment's documents, or none
                rest.append((seg.leaf, seg.offset))
                continue
            parts.append((got[0].astype(np.int64) + seg.offset, got[1]))
        return parts, rest

    def __enter__(self) -> "_TermReader":
        return self

    def __exit__(self, *exc) -> None:
        for tables in self._tables.values():
            for _, table in tables:
                table.close()

    def docnums(self, term: str) -> np.ndarray:
        """An exact term's docnums (int64): deleted documents dropped where read from Whoosh, kept where
        saved (the row map drops them)."""
        parts, rest = self._parts(S.EXACT, term)
        got = [p[0] for p in parts]
        if rest:
            got.append(read_docnums(self.reader, S.EXACT, term, rest))
        return np.concatenate(got) if got else np.empty(0, dtype=np.int64)

    def weighted(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """A word's (docnums as int64, weights), deleted documents included where saved."""
        parts, rest = self._parts(S.WORDS, word)
        docs, weights = [p[0] for p in parts], [p[1].astype(np.float64) for p in parts]
        if rest:
            d, w = read_weighted(self.reader, S.WORDS, word, rest)
            docs.append(d)
            weights.append(w)
        if not docs:
            return np.empty(0, dtype=np.int64), np.empty(0)
        return np.concatenate(docs), np.concatenate(weights)


def _weighted_rows(docnums: np.ndarray, freqs: np.ndarray, d2r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows ascending, frequencies as uint8 capped at 255) of a word's live postings."""
    r, keep = _mapped_rows(docnums, d2r)
    order = np.argsort(r, kind="stable")
    return r[order], _capped_frequencies(freqs[keep][order])


def _term_order(key: tuple[str, str]) -> tuple[int, bytes]:
    """The file's order of its terms: by field, then by the term's UTF-8 bytes (Whoosh's order)."""
    return _FIELDS.index(key[0]), key[1].encode("utf-8")


def _live_rows(terms: _TermReader, field: str, term: str, d2r: np.ndarray):
    """A term's live rows (an exact term) or (rows, frequencies) (a word)."""
    if field == S.EXACT:
        return _mapped_rows(terms.docnums(term), d2r)[0]
    return _weighted_rows(*terms.weighted(term), d2r)


def _df(got) -> int:
    return len(got) if isinstance(got, np.ndarray) else len(got[0])


def write_frequent_postings(path: Path, reader, docnum_to_row, rows: int,
                            terms: list[tuple[str, str]] | None = None, saved: SavedPostings | None = None) -> None:
    """Write :data:`POSTINGS_FILE` at ``path`` for an open Whoosh reader whose live documents are ``rows`` rows.

    ``terms``: save these ``(field, term)`` (default: every term held by at
    least :func:`frequent_threshold` live documents, and every term a segment
    of ``saved`` left out of Whoosh, held by any). ``saved``: the postings
    of the segments this update wrote, read there rather than from Whoosh.
    Only for a first generation (or ``terms`` given): a later one's segments
    left terms out that only the previous file holds (:func:`write_carried_postings`).
    """
    d2r = np.asarray(docnum_to_row, dtype=np.int64)
    threshold = frequent_threshold(rows) if terms is None else 1
    left_out = saved.left_out() if saved is not None and terms is None else set()
    if terms is None:  # Whoosh's counts include deleted documents: an upper bound, checked below
        terms = [(field, tbytes.decode("utf-8"))
                 for field in _FIELDS if field in reader.schema.names()
                 for tbytes, df in doc_frequencies(reader, field).items() if df >= threshold]
        terms = list(dict.fromkeys(terms + sorted(left_out)))
    with _TermReader(reader, leaf_segments(reader), saved, terms) as source, _PostingsFile(path, rows) as out:
        for field, term in terms:
            got = _live_rows(source, field, term, d2r)
            df = _df(got)
            if df >= threshold or (df and (field, term) in left_out):
                out.add(_encode(field, term, got, rows))
        out.finish()


def write_carried_postings(path: Path, previous: "FrequentPostings", old_to_new: np.ndarray, rows: int, reader,
                           fresh: list[LeafSegment], docnum_to_row, saved: SavedPostings | None = None,
                           new_docnum_to_row=None) -> None:
    """Write :data:`POSTINGS_FILE` at ``path`` for a generation made from the previous one's: the file
    ``write_frequent_postings(path, reader, docnum_to_row, rows)`` writes, without reading the segments both share.

    A previous term keeps its previous rows that are still live, moved to their
    new rows (``old_to_new``: -1 for a row dropped), plus its postings in the
    ``fresh`` segments of ``reader`` (the ones the previous generation did
    not have; read from ``saved`` where it holds them), of their documents
    that ``new_docnum_to_row`` maps (default all: the others are previous
    rows a fresh segment took by merging, which ``old_to_new`` moves); it stays while any row
    holds it, for segments may have left it out of Whoosh. A term can reach
    :func:`frequent_threshold` anew only through new documents, all in fresh
    segments, held by more of them than the threshold grew by: those of their
    terms that Whoosh counts often enough are read whole, as is every term a
    fresh segment left out. When the index shrank (a lower threshold, so a
    term could reach it without new documents) every segment's terms are counted.
    """
    d2r = np.asarray(docnum_to_row, dtype=np.int64)
    threshold = frequent_threshold(rows)
    new_d2r = d2r if new_docnum_to_row is None else np.asarray(new_docnum_to_row, dtype=np.int64)
    with _PostingsFile(path, rows) as out:
        _carry_terms(out, previous, old_to_new, threshold, reader, fresh, d2r, new_d2r, saved)
        out.finish()


def _carry_terms(out: _PostingsFile, previous: "FrequentPostings", old_to_new: np.ndarray, threshold: int, reader,
                 fresh: list[LeafSegment], d2r: np.ndarray, new_d2r: np.ndarray, saved: SavedPostings | None) -> None:
    """Add to ``out`` every term of :func:`write_carried_postings`'s file, encoded as soon as it is read (a
    common term's rows as int64 are 8× its bitmap)."""
    rows = out.rows
    previous_terms = previous.terms()
    kept = 1  # a saved term stays while a row holds it: segments may have left it out of Whoosh
    # only reports added (no previous row dropped or moved): a term's new rows all follow its previous ones
    kept_in_place = len(old_to_new) == previous.rows and np.array_equal(old_to_new, np.arange(previous.rows))
    with _TermReader(reader, fresh, saved, previous_terms) as source:
        for field, term in previous_terms:
            if kept_in_place:
                got = _live_rows(source, field, term, new_d2r) if fresh else None
                appended = _appended(previous, field, term, got, rows, kept)
                if appended is not None:
                    if appended.df >= kept:
                        out.add(appended)
                    continue
            if field == S.EXACT:
                old = old_to_new[previous.rows_of(S.EXACT, term)]
                new = (got if kept_in_place else _live_rows(source, field, term, new_d2r)) if fresh else old[:0]
                got = np.concatenate((old[old >= 0], new))
            else:
                old_rows, old_freqs = previous.weighted(term)
                moved = old_to_new[old_rows]
                keep = moved >= 0
                r, f = moved[keep], old_freqs[keep]
                if fresh:
                    new_rows, new_freqs = got if kept_in_place else _live_rows(source, field, term, new_d2r)
                    r, f = np.concatenate((r, new_rows)), np.concatenate((f, new_freqs))
                order = np.argsort(r, kind="stable")
                got = (r[order], f[order])
            if _df(got) >= kept:
                out.add(_encode(field, term, got, rows))
    # a term not saved before held fewer live rows than the previous threshold: to reach this one, the fresh
    # segments must hold it in more documents than the threshold grew by (any segment, when it fell); Whoosh
    # holds all its postings, as no segment left it out
    every = leaf_segments(reader)
    shrank = threshold < frequent_threshold(previous.rows)
    counted, needed = (every, threshold) if shrank else (fresh, threshold - frequent_threshold(previous.rows) + 1)
    candidates = []
    for field in _FIELDS:
        if field not in reader.schema.names():
            continue
        for tbytes, df in doc_frequencies(reader, field, [(s.leaf, s.offset) for s in counted]).items():
            if df < needed:
                continue
            term = tbytes.decode("utf-8")
            if (field, term) not in previous and reader.doc_frequency(field, term) >= threshold:
                candidates.append((field, term))
    left_out = {key for key in (saved.left_out() if saved is not None else ()) if key not in previous}
    candidates = list(dict.fromkeys(candidates + sorted(left_out)))
    if not candidates:
        return
    with _TermReader(reader, every, saved, candidates) as source:
        for field, term in candidates:
            got = _live_rows(source, field, term, d2r)
            df = _df(got)
            if df >= threshold or (df and (field, term) in left_out):
                out.add(_encode(field, term, got, rows))


def _appended(previous: "FrequentPostings", field: str, term: str, new, rows: int, threshold: int) -> _Encoded | None:
    """A previous term's entry for ``rows`` rows when its previous rows all stay where they were and its
    ``new`` rows (an exact term's, or a word's (rows, frequencies); None for none) all follow them: the
    previous entry's bytes extended rather than decoded and encoded again (a packed term keeps its low
    bits: the rows read back are those :func:`_encode` would write). None when the term's kind of entry
    changes, when the kept low bits would cost a tenth more than fresh ones, or when the previous file
    is not mapped."""
    e = previous._entries[(field, term)]
    mm = previous._mm
    if mm is None:
        return None
    new_rows = np.empty(0, dtype=np.int64) if new is None else (np.sort(new) if field == S.EXACT else new[0])
    df = e.df + len(new_rows)
    if df < threshold:  # dropped: no bytes needed
        return _Encoded(field, term, e.kind, df, b"")
    start = previous._base + e.offset
    if field == S.EXACT or e.kind == "bitmap":
        kind = ("bitmap" if _as_bitmap(df, rows) else "packed") if field == S.EXACT else \
            ("bitmap" if _word_as_bitmap(df, rows) else "wide")
        if kind != e.kind:
            return None
        if kind == "bitmap":
            bits = np.zeros((rows + 7) // 8, dtype=np.uint8)
            old_bytes = (previous.rows + 7) // 8  # a word's frequencies follow them
            bits[:old_bytes] = np.frombuffer(mm, dtype=np.uint8, count=old_bytes, offset=start)
            first = previous.rows // 8 * 8  # the byte holding the previous last row may take new rows too
            tail = np.zeros(rows - first, dtype=bool)
            tail[new_rows - first] = True
            bits[first // 8:] |= np.packbits(tail, bitorder="little")
            if field == S.EXACT:
                return _Encoded(field, term, kind, df, bits.tobytes())
            return _Encoded(field, term, kind, df, bits.tobytes() + _appended_freqs(mm, start, e, previous.rows, new))
    if e.kind == "wide" and _word_as_bitmap(df, rows):
        return None
    if e.kind == "wide":
        chunks_before, chunks = _chunks(previous.rows), _chunks(rows)
        counts = np.zeros(chunks, dtype="<u4")
        counts[:chunks_before] = np.frombuffer(mm, dtype="<u4", count=chunks_before, offset=start)
        counts += np.bincount(new_rows >> _CHUNK_BITS, minlength=chunks).astype("<u4")
        lows = start + 4 * chunks_before
        return _Encoded(field, term, "wide", df, b"".join([
            counts.tobytes(), mm[lows:lows + 2 * e.df], (new_rows & 0xFFFF).astype("<u2").tobytes(),
            _appended_freqs(mm, start, e, previous.rows, new)]))
    # packed: the previous low bits kept (any number of low bits decodes; re-encoded when it costs 10 % more)
    low = mm[start]
    if _packed_size(df, rows, low) > 1.1 * _packed_size(df, rows) + 64:
        return None
    old_low_bits = e.df * low
    whole, part = divmod(old_low_bits, 8)
    lows = start + 1
    lead = None
    if part:
        lead = np.unpackbits(np.frombuffer(mm, dtype=np.uint8, count=1, offset=lows + whole), count=part,
                             bitorder="little")
    old_high_at = lows + (old_low_bits + 7) // 8
    old_high_bytes = (_high_bits(e.df, previous.rows, low) + 7) // 8
    high = np.zeros((_high_bits(df, rows, low) + 7) // 8, dtype=np.uint8)
    high[:old_high_bytes] = np.frombuffer(mm, dtype=np.uint8, count=old_high_bytes, offset=old_high_at)
    if len(new_rows):
        at = (new_rows >> low) + np.arange(e.df, df)
        first = int(at[0]) // 8 * 8  # the byte holding the first new bit may hold previous bits too
        tail = np.zeros(int(at[-1]) + 1 - first, dtype=bool)
        tail[at - first] = True
        packed_tail = np.packbits(tail, bitorder="little")
        high[first // 8:first // 8 + len(packed_tail)] |= packed_tail
    # the new rows' low bits after the previous ones, the previous partly filled byte (if any) rewritten
    new_lows = _bits_bytes(new_rows, low, lead) if len(new_rows) else mm[lows + whole:lows + whole + (1 if part else 0)]
    return _Encoded(field, term, "packed", df, b"".join([bytes([low]), mm[lows:lows + whole], new_lows,
                                                          high.tobytes()]))


def _appended_freqs(mm, start: int, e: _Entry, previous_rows: int, new) -> bytes:
    """A word's previous frequencies then its ``new`` rows' (``(rows, frequencies)`` or None), packed."""
    old = _unpack_freqs(mm, start + _rows_bytes(e.kind, e.df, previous_rows), e.df)
    return _pack_freqs(old if new is None else np.concatenate((old, np.asarray(new[1], dtype=np.uint8))))


class FrequentPostings:
    """The memory-mapped :data:`POSTINGS_FILE` of one generation."""

    def __init__(self, mm: mmap.mmap | None, rows: int, entries: dict[tuple[str, str], _Entry], base: int):
        self._mm = mm
        self.rows = rows
        self._entries = entries
        self._base = base

    @classmethod
    def open(cls, path: Path, rows: int, *, random_reads: bool = False) -> "FrequentPostings | None":
        """The file at ``path``, or None when missing, unreadable or made for another row count.

        ``random_reads`` (a server's: a query reads a few terms anywhere in the file) tells the kernel not to
        read 128 KB around each page a lookup faults in (``MADV_RANDOM``), as
        :func:`index.whoosh_internals.advise_random_reads` does for the segments; a writer carrying the
        file forward reads it through and leaves read-around on.
        """
        try:
            with open(path, "rb") as f:
                magic = f.read(len(_MAGIC))
                if magic != _MAGIC:
                    if magic.startswith(b"BGPOST"):
                        log.warning("saved postings at %s are of an older layout: searches read Whoosh until "
                                    "the next baogao index saves them again", path)
                    return None
                hlen = int.from_bytes(f.read(8), "little")
                header = json.loads(f.read(hlen).decode("utf-8"))
                mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else None
                if mm is not None and random_reads:
                    mm.madvise(mmap.MADV_RANDOM)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            log.info("no usable frequent postings at %s: %s", path, exc)
            return None
        if header.get("rows") != rows:
            log.warning("frequent postings at %s are for %s rows, not %s: not used", path, header.get("rows"), rows)
            return None
        entries = {(fld, term): _Entry(kind, df, off, length) for fld, term, kind, df, off, length in header["terms"]}
        return cls(mm, rows, entries, len(_MAGIC) + 8 + hlen)

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._entries

    def terms(self) -> list[tuple[str, str]]:
        """The saved ``(field, term)`` pairs, in the file's order."""
        return list(self._entries)

    def keys(self) -> Collection[tuple[str, str]]:
        """The saved ``(field, term)`` pairs, as a set."""
        return self._entries.keys()

    def df(self, field: str, term: str) -> int | None:
        e = self._entries.get((field, term))
        return None if e is None else e.df

    def kind(self, field: str, term: str) -> str | None:
        """How a saved term is encoded (``bitmap`` or ``packed``), or None when it is not saved."""
        e = self._entries.get((field, term))
        return None if e is None else e.kind

    def bitmap(self, term: str) -> np.ndarray | None:
        """An exact term's bitmap over rows (bit ``r`` of byte ``r // 8``, little-endian), or None when the
        term is not saved as a bitmap."""
        e = self._entries.get((S.EXACT, term))
        if e is None or e.kind != "bitmap" or self._mm is None:
            return None
        return np.frombuffer(self._mm, dtype=np.uint8, count=e.length, offset=self._base + e.offset)

    def rows_of(self, field: str, term: str) -> np.ndarray | None:
        """A saved term's ascending rows (int64), or None."""
        e = self._entries.get((field, term))
        if e is None or self._mm is None:
            return None
        if e.kind == "bitmap":
            return bitmap_rows(np.frombuffer(self._mm, dtype=np.uint8, count=(self.rows + 7) // 8,
                                             offset=self._base + e.offset), self.rows)
        return self._unpack(e)

    def _unpack(self, e: _Entry) -> np.ndarray:
        """The ascending rows (int64) of a packed or wide entry."""
        return (_unpack_wide if e.kind == "wide" else _unpack_rows)(self._mm, self._base + e.offset, e.df, self.rows)

    def weighted(self, word: str) -> tuple[np.ndarray, np.ndarray] | None:
        """A saved word's (ascending rows as int64, frequencies as uint8), or None."""
        e = self._entries.get((S.WORDS, word))
        if e is None or self._mm is None:
            return None
        rows = self.rows_of(S.WORDS, word)
        return rows, _unpack_freqs(self._mm, self._base + e.offset + _rows_bytes(e.kind, e.df, self.rows), e.df)

    def close(self) -> None:
        if self._mm is not None:
            try:
                self._mm.close()
            except BufferError:  # arrays still view it: the mapping goes with them
                pass
            self._mm = None


def bitmap_rows(bits: np.ndarray, rows: int) -> np.ndarray:
    """The sorted rows set in a packed bitmap."""
    return np.flatnonzero(np.unpackbits(bits, count=rows, bitorder="little")).astype(np.int64)


def bitmap_has(bits: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """A boolean mask over ``rows``: whether each row's bit is set."""
    return ((bits[rows >> 3] >> (rows & 7).astype(np.uint8)) & 1).astype(bool)


def sorted_has(sorted_rows: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """A boolean mask over ``rows``: whether each is in ``sorted_rows`` (ascending rows of ``n``), by binary
    search, or through a mask over all rows when that is cheaper."""
    if len(sorted_rows) == 0:
        return np.zeros(len(rows), dtype=bool)
    if len(sorted_rows) * 64 > n:
        every = np.zeros(n, dtype=bool)
        every[sorted_rows] = True
        return every[rows]
    at = np.minimum(np.searchsorted(sorted_rows, rows), len(sorted_rows) - 1)
    return sorted_rows[at] == rows


class Postings:
    """Every term's rows for one generation: frequent terms from the saved file, the rest from Whoosh.

    ``reader`` is the generation's open Whoosh reader (None for an empty
    index), ``docnum_to_row`` the columns' map, ``frequent`` the opened
    :data:`POSTINGS_FILE` (None when the generation has none: every term then
    comes from Whoosh, as before the file existed).
    """

    def __init__(self, reader, docnum_to_row: np.ndarray, rows: int, frequent: FrequentPostings | None):
        self.reader = reader
        self.docnum_to_row = docnum_to_row
        self.n = rows
        self.frequent = frequent

    def is_frequent(self, field: str, term: str) -> bool:
        """Whether ``term``'s rows are saved with the generation (cheap to read whatever their number)."""
        return self.frequent is not None and (field, term) in self.frequent

    def doc_frequency(self, field: str, term: str) -> int:
        """How many documents hold ``term`` (deleted ones included for a Whoosh term, as Whoosh counts)."""
        if self.frequent is not None:
            df = self.frequent.df(field, term)
            if df is not None:
                return df
        return self.reader.doc_frequency(field, term) if self.reader is not None else 0

    def held(self, term: str, candidates: np.ndarray) -> np.ndarray | None:
        """A boolean mask over ``candidates`` (rows): whether each holds the exact term ``term``, or None when
        the term is not saved (its rows would have to be read from Whoosh)."""
        if self.frequent is None:
            return None
        bits = self.frequent.bitmap(term)
        if bits is not None:
            return bitmap_has(bits, candidates)
        rows = self.frequent.rows_of(S.EXACT, term)
        return None if rows is None else sorted_has(rows, candidates, self.n)

    def rows(self, field: str, term: str) -> np.ndarray:
        """The sorted rows holding ``term`` (int64)."""
        if self.frequent is not None:
            saved = self.frequent.rows_of(field, term)
            if saved is not None:
                return saved
        if self.reader is None:
            return np.empty(0, dtype=np.int64)
        r, _ = _mapped_rows(read_docnums(self.reader, field, term), self.docnum_to_row)
        return np.sort(r)

    def weighted(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """(sorted rows, frequencies as float64) of a word in the words field."""
        if self.frequent is not None:
            w = self.frequent.weighted(word)
            if w is not None:
                return w[0], w[1].astype(np.float64)
        if self.reader is None:
            return np.empty(0, dtype=np.int64), np.empty(0)
        docnums, freqs = read_weighted(self.reader, S.WORDS, word)
        r, keep = _mapped_rows(docnums, self.docnum_to_row)
        order = np.argsort(r, kind="stable")
        return r[order], freqs[keep][order]

    def frequencies(self, word: str, hits: np.ndarray) -> np.ndarray:
        """A word's frequency (float64) in each of ``hits`` (rows), 0 where it is absent: its postings
        spread over a byte a row (a saved word's frequencies are uint8: an eighth of spreading floats)."""
        if self.frequent is not None:
            w = self.frequent.weighted(word)
            if w is not None:
                every = np.zeros(self.n, dtype=np.uint8)
                every[w[0]] = w[1]
                return every[hits].astype(np.float64)
        rows, freqs = self.weighted(word)
        every = np.zeros(self.n)
        every[rows] = freqs
        return every[hits]

    def close(self) -> None:
        if self.frequent is not None:
            self.frequent.close()
