"""What a new generation takes over: rows, columns and frequent postings.

Vocabulary:

* a **row** is a paragraph's place in a generation's columns
  (:mod:`index.columns`): the live Whoosh documents in docnum order, so a
  generation's rows follow its *segments* in order. Whoosh keeps no row
  values (its documents hold only the indexed fields, :mod:`index.schema`):
  every row comes from a columns file.
* a **kept segment** is one the new generation shares with the previous one
  (the same segment id, :func:`index.whoosh_internals.leaf_segments`): its
  documents, and the order of its docnums, are the ones the previous
  generation had; only some may have been deleted since (a report replaced or
  removed). Its live documents' rows are **carried**: their columns are copied
  from the previous columns file in its encoding (:func:`index.columns.carried_block`)
  and their frequent postings renumbered (:func:`index.postings.write_carried_postings`).
* a **fresh segment** is any other: written by this update, or made by merging
  segments. The writer saves the rows of each segment it writes as it adds
  their paragraphs (:class:`SavedRows`: small columns files of
  :data:`BLOCK_ROWS` rows in the scratch folder :data:`SAVED_ROWS`, named by
  the segment's id), and records each merge
  (:class:`index.whoosh_internals.MergedSegment`): a merged segment's rows are
  its own saved rows, then each merged segment's rows live at the merge, found
  in the previous columns file or among the saved rows. Fresh segments'
  postings are read where the writer saved them as it wrote the segments
  (:class:`index.postings.SavedPostings`), else from Whoosh.
* the **previous generation** (:class:`Previous`) is usable when its columns
  file lists its segments. An update needs it: a generation whose columns file
  is of an older layout (or missing) cannot be updated, only rebuilt.

So an update costs what it adds (plus the small segments a merge rewrites),
not what the index holds, and a build holds at most one block of rows as
Python strings. ``tests/test_carry.py`` compares the files with ones made from
the reports themselves, byte for byte.
"""
from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from .columns import (COLUMNS_FILE, ColumnsAssembly, ColumnsBlock, MappedColumns, ParagraphColumns, append_paragraph,
                      carried_block, columns_block, columns_file_parts, load_columns)
from .postings import POSTINGS_FILE, FrequentPostings, SavedPostings, write_carried_postings, write_frequent_postings
from .report import Report
from .whoosh_internals import LeafSegment, MergedSegment, leaf_segments

__all__ = ["BLOCK_ROWS", "SAVED_ROWS", "RowsMissingError", "Previous", "SavedRows", "RowPlan"]

log = logging.getLogger(__name__)


class RowsMissingError(Exception):
    """A segment of the new generation whose rows neither the previous columns file nor the saved rows hold."""


#: Rows held as Python strings before the writer saves them (~2 MB of them, and their encoding): they
#: are held beside the postings pool, whose size at a flush is the build's peak (20,000 added 39 MB to it at 20M).
BLOCK_ROWS = 2_000
#: The scratch folder inside an unpublished generation holding the rows its writer saved (gone once published).
SAVED_ROWS = "saved-rows"


@dataclass(frozen=True)
class Previous:
    """The previous generation's columns and frequent postings, with where each of its segments' documents
    start in its docnums (``starts``: segment id → (first docnum, documents))."""

    columns: MappedColumns
    frequent: FrequentPostings | None
    starts: dict[str, tuple[int, int]]

    @classmethod
    def open(cls, gdir: Path | None) -> "Previous | None":
        """The generation in ``gdir``, or None when there is none or its columns file does not list its segments."""
        if gdir is None:
            return None
        columns = load_columns(gdir / COLUMNS_FILE)
        if columns is None or columns.segments is None:
            return None
        starts: dict[str, tuple[int, int]] = {}
        at = 0
        for segment_id, documents in columns.segments:
            starts[segment_id] = (at, documents)
            at += documents
        if at != len(columns.array("docnum_to_row")):
            log.warning("the columns of %s do not match their segments", gdir)
            return None
        return cls(columns, FrequentPostings.open(gdir / POSTINGS_FILE, columns.rows), starts)

    def rows_of(self, segment_id: str, documents: int, live: np.ndarray) -> np.ndarray | None:
        """The previous rows of a segment's live documents, or None when the previous generation
        has no segment of that id and size."""
        start = self.starts.get(segment_id)
        if start is None or start[1] != documents:
            return None
        rows = self.columns.array("docnum_to_row")[start[0] + live].astype(np.int64)
        if len(rows) and (rows.min() < 0 or (np.diff(rows) <= 0).any()):  # never: deletions only grow
            raise RowsMissingError(f"segment {segment_id} holds documents its previous generation had deleted")
        return rows


class SavedRows:
    """The rows of the segments one update writes, saved in ``folder`` as the writer adds their paragraphs.

    :meth:`add` gathers a segment's rows in docnum order as Python lists and
    saves them every :data:`BLOCK_ROWS` rows as a small columns file
    (``<segment id>-<n>.bin``); :meth:`segment_written` saves the rest when
    the writer commits the segment, with the segments merged into it. So at
    most one block of rows is held as strings.
    """

    def __init__(self, folder: Path):
        folder.mkdir(exist_ok=True)
        self.folder = folder
        self._segment: str | None = None  # the segment whose rows are pending
        self._pending = ParagraphColumns.empty()
        self._files: dict[str, list[Path]] = {}  # segment id -> its saved files, in docnum order
        self._rows: dict[str, int] = {}  # segment id -> the rows of its saved files
        self._merged: dict[str, list[MergedSegment]] = {}

    def add(self, segment_id: str, report_id: str, report: Report) -> None:
        """Take the rows of every paragraph of ``report`` (indexed under ``report_id``): the next documents
        the writer adds to the segment ``segment_id``."""
        if segment_id != self._segment:
            self._save()
            self._segment = segment_id
        for p in report.paragraphs:
            append_paragraph(self._pending, report_id, report, p)
            if len(self._pending.texts) >= BLOCK_ROWS:
                self._save()

    def segment_written(self, segment_id: str, merged: Sequence[MergedSegment] = ()) -> None:
        """The segment ``segment_id`` is being written, with ``merged`` merged into it after its own documents."""
        if segment_id == self._segment:
            self._save()
        if merged:
            self._merged[segment_id] = list(merged)

    def _save(self) -> None:
        cols = self._pending
        if not cols.texts:
            return
        files = self._files.setdefault(self._segment, [])
        path = self.folder / f"{self._segment}-{len(files)}.bin"
        rows = len(cols.texts)
        with open(path, "wb") as f:
            for piece in columns_file_parts([columns_block(cols)], np.arange(rows)):
                f.write(piece)
        files.append(path)
        self._rows[self._segment] = self._rows.get(self._segment, 0) + rows
        self._pending = ParagraphColumns.empty()

    def holds(self, segment_id: str) -> bool:
        """Whether the writer wrote this segment in this update."""
        return segment_id in self._files or segment_id in self._merged

    def merged_from_previous(self, segment_id: str, previous: "Previous | None"
                             ) -> Iterator[tuple[int, int, np.ndarray]]:
        """(first docnum, count, previous rows) of each run of documents the segment ``segment_id`` took
        from a segment of ``previous`` merged into it: docnums ``first .. first + count - 1`` of the new
        segment were those previous rows. Raises :class:`RowsMissingError` when they cannot be found."""
        merged = self._merged.get(segment_id, [])
        if not merged:
            return
        at = self._rows.get(segment_id, 0)  # the segment's own documents come first
        for m in merged:
            if not self.holds(m.segment_id):
                rows = previous.rows_of(m.segment_id, m.documents, m.live) if previous is not None else None
                if rows is None:
                    raise RowsMissingError(f"no rows for segment {m.segment_id}, merged into a new one")
                yield at, len(m.live), rows
            at += len(m.live)

    def blocks(self, segment_id: str, documents: int, docnums: np.ndarray,
               previous: "Previous | None") -> Iterator[ColumnsBlock]:
        """The rows of a segment written in this update at ``docnums`` (its own, ascending) as column blocks,
        made one at a time: its own saved rows, then those of the segments merged into it (saved here, or in
        ``previous``). Raises :class:`RowsMissingError` when they do not add up to ``documents``."""
        at = 0
        for path in self._files.get(segment_id, []):
            mapped = self._open(path)  # mapped for this block only: its pages leave with it
            sel = self._part(docnums, at, mapped.rows)
            if len(sel):
                yield carried_block(mapped, sel)
            at += mapped.rows
            del mapped
        for m in self._merged.get(segment_id, []):
            sel = self._part(docnums, at, len(m.live))
            if len(sel):
                yield from self._source_blocks(m, m.live[sel], previous)
            at += len(m.live)
        if at != documents:
            raise RowsMissingError(f"segment {segment_id} holds {documents} documents, its saved rows {at}")

    @staticmethod
    def _part(docnums: np.ndarray, at: int, count: int) -> np.ndarray:
        return docnums[(docnums >= at) & (docnums < at + count)] - at

    def _source_blocks(self, m: MergedSegment, docnums: np.ndarray, previous: "Previous | None") -> Iterator[ColumnsBlock]:
        if self.holds(m.segment_id):
            yield from self.blocks(m.segment_id, m.documents, docnums, previous)
            return
        rows = previous.rows_of(m.segment_id, m.documents, docnums) if previous is not None else None
        if rows is None:
            raise RowsMissingError(f"no rows for segment {m.segment_id}, merged into a new one")
        yield carried_block(previous.columns, rows)

    @staticmethod
    def _open(path: Path) -> MappedColumns:
        mapped = load_columns(path)
        if mapped is None:
            raise RowsMissingError(f"unreadable saved rows {path}")
        return mapped

    def remove(self) -> None:
        """Delete the scratch folder (a published generation never holds it)."""
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(frozen=True)
class RowPlan:
    """Where each row of a new generation comes from: per segment, its live docnums (its own, from 0) and
    their previous rows (None for a fresh segment); ``docnum_to_row`` of the new generation and
    ``old_to_new``, each previous row's new row (-1 when dropped), a row of a segment merged into a fresh
    one included; ``new_docnum_to_row``: ``docnum_to_row`` without the documents a fresh segment took
    from the previous generation by merging (-1 there), whose postings the previous generation's saved
    postings hold where Whoosh may not (:mod:`index.postings`: a segment leaves its frequent terms out)."""

    segments: list[LeafSegment]
    live: list[np.ndarray]
    carried: list[np.ndarray | None]
    docnum_to_row: np.ndarray
    old_to_new: np.ndarray | None
    previous: Previous | None
    saved: SavedRows | None
    new_docnum_to_row: np.ndarray | None = None

    @classmethod
    def of(cls, reader, previous: Previous | None, saved: SavedRows | None) -> "RowPlan":
        """The plan for an open reader of the new generation, whose segments are kept from ``previous`` or
        were written by the update that saved ``saved``.

        Raises :class:`RowsMissingError` for a segment that is neither.
        """
        segments = leaf_segments(reader)
        d2r = np.full(reader.doc_count_all(), -1, dtype=np.int64)
        old_to_new = np.full(previous.columns.rows, -1, dtype=np.int64) if previous is not None else None
        taken: list[np.ndarray] = []  # docnums a fresh segment took from the previous generation by merging
        live, carried = [], []
        row = 0
        for seg in segments:
            docs = seg.live_docnums()
            rows = np.arange(row, row + len(docs), dtype=np.int64)
            if saved is not None and saved.holds(seg.segment_id):
                old = None
                for first, count, previous_rows in saved.merged_from_previous(seg.segment_id, previous):
                    ids = np.arange(first, first + count)
                    live_now = np.isin(ids, docs)
                    old_to_new[previous_rows[live_now]] = rows[np.searchsorted(docs, ids[live_now])]
                    taken.append(seg.offset + ids)
            else:
                old = previous.rows_of(seg.segment_id, seg.documents, docs) if previous is not None else None
                if old is None:
                    raise RowsMissingError(f"no rows for segment {seg.segment_id}")
                old_to_new[old] = rows
            d2r[seg.offset + docs] = rows
            live.append(docs)
            carried.append(old)
            row += len(docs)
        new_d2r = d2r
        if taken:
            new_d2r = d2r.copy()
            new_d2r[np.concatenate(taken)] = -1
        return cls(segments, live, carried, d2r, old_to_new, previous, saved, new_d2r)

    @property
    def rows(self) -> int:
        return sum(len(d) for d in self.live)

    @property
    def carried_rows(self) -> int:
        return sum(len(d) for d, old in zip(self.live, self.carried) if old is not None)

    def fresh_segments(self) -> list[LeafSegment]:
        """Every fresh segment."""
        return [s for s, old in zip(self.segments, self.carried) if old is None]

    def blocks(self) -> Iterator[ColumnsBlock]:
        """The new generation's rows as column blocks, made one at a time, copied from the previous columns or
        the saved rows."""
        for seg, docs, old in zip(self.segments, self.live, self.carried):
            if old is not None:
                yield carried_block(self.previous.columns, old)
            else:
                yield from self.saved.blocks(seg.segment_id, seg.documents, docs, self.previous)

    def columns_parts(self, assembly: ColumnsAssembly | None = None) -> list:
        """The new columns file as pieces to write back to back, made in ``assembly`` (default: one that keeps
        the arrays in memory; see :class:`index.columns.ColumnsAssembly`), a block at a time."""
        segments = [[s.segment_id, s.documents] for s in self.segments]
        assembly = assembly if assembly is not None else ColumnsAssembly()
        for block in self.blocks():
            assembly.add(block)
        return assembly.parts(self.docnum_to_row, segments)

    def write_postings(self, path: Path, reader, saved: SavedPostings | None = None) -> None:
        """Write the new :data:`index.postings.POSTINGS_FILE` at ``path``: the previous one carried forward, or
        made whole; ``saved``: the postings this update's writer kept of the segments it wrote."""
        if self.previous is None:
            write_frequent_postings(path, reader, self.docnum_to_row, self.rows, saved=saved)
            return
        frequent = self.previous.frequent
        if frequent is None:  # its segments left their frequent terms out of Whoosh: only that file held them
            raise RowsMissingError(f"the previous generation's {POSTINGS_FILE} is missing or unreadable")
        write_carried_postings(path, frequent, self.old_to_new, self.rows, reader, self.fresh_segments(),
                               self.docnum_to_row, saved, self.new_docnum_to_row)
