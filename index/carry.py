"""What a new generation takes over from the previous one: rows, columns and frequent postings.

Vocabulary:

* a **row** is a paragraph's place in a generation's columns
  (:mod:`index.columns`): the live Whoosh documents in docnum order, so a
  generation's rows follow its *segments* in order.
* a **kept segment** is one the new generation shares with the previous one
  (the same segment id, :func:`index.whoosh_internals.leaf_segments`): its
  documents, and the order of its docnums, are the ones the previous
  generation had; only some may have been deleted since (a report replaced or
  removed). Its live documents' rows are **carried**: their columns are copied
  from the previous columns file in its encoding (:func:`index.columns.carried_block`)
  and their frequent postings renumbered (:func:`index.postings.carried_postings_bytes`).
* a **fresh segment** is any other: written by this update, or made by merging
  small segments. Its rows are read from Whoosh's stored fields and postings,
  :data:`BLOCK_ROWS` rows at a time.
* the **previous generation** (:class:`Previous`) is usable when its columns
  file lists its segments (files written before that are not: the new
  generation is then read whole, as a full build is).

So an update costs what it adds (plus the small segments a merge rewrites),
not what the index holds, and a full build holds at most one block of rows as
Python strings. The result equals reading every row again
(``tests/test_carry.py`` compares the files byte for byte).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .columns import (COLUMNS_FILE, ColumnsBlock, MappedColumns, ParagraphColumns, append_stored, carried_block,
                      columns_block, columns_file_parts, load_columns)
from .postings import POSTINGS_FILE, FrequentPostings, carried_postings_bytes, frequent_postings_bytes
from .whoosh_internals import LeafSegment, leaf_segments

__all__ = ["BLOCK_ROWS", "Previous", "RowPlan"]

log = logging.getLogger(__name__)

#: Rows read from Whoosh's stored fields into Python strings at a time (~20 MB of them).
BLOCK_ROWS = 20_000


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
            log.warning("the columns of %s do not match their segments: read again", gdir)
            return None
        return cls(columns, FrequentPostings.open(gdir / POSTINGS_FILE, columns.rows), starts)

    def rows_of(self, segment: LeafSegment, live: np.ndarray) -> np.ndarray | None:
        """The previous rows of a segment's live documents, or None when the segment is not a kept one."""
        start = self.starts.get(segment.segment_id)
        if start is None or start[1] != segment.documents:
            return None
        rows = self.columns.array("docnum_to_row")[start[0] + live].astype(np.int64)
        if len(rows) and (rows.min() < 0 or (np.diff(rows) <= 0).any()):  # never: deletions only grow
            log.warning("segment %s holds documents its previous generation had deleted: read again",
                        segment.segment_id)
            return None
        return rows


@dataclass(frozen=True)
class RowPlan:
    """Where each row of a new generation comes from: per segment, its live docnums (its own, from 0) and
    their previous rows (None for a fresh segment); ``docnum_to_row`` of the new generation and
    ``old_to_new``, each previous row's new row (-1 when dropped or re-read)."""

    segments: list[LeafSegment]
    live: list[np.ndarray]
    carried: list[np.ndarray | None]
    docnum_to_row: np.ndarray
    old_to_new: np.ndarray | None
    previous: Previous | None

    @classmethod
    def of(cls, reader, previous: Previous | None) -> "RowPlan":
        """The plan for an open reader of the new generation."""
        segments = leaf_segments(reader)
        d2r = np.full(reader.doc_count_all(), -1, dtype=np.int64)
        old_to_new = np.full(previous.columns.rows, -1, dtype=np.int64) if previous is not None else None
        live, carried = [], []
        row = 0
        for seg in segments:
            docs = seg.live_docnums()
            rows = np.arange(row, row + len(docs), dtype=np.int64)
            old = previous.rows_of(seg, docs) if previous is not None else None
            if old is not None:
                old_to_new[old] = rows
            d2r[seg.offset + docs] = rows
            live.append(docs)
            carried.append(old)
            row += len(docs)
        return cls(segments, live, carried, d2r, old_to_new, previous)

    @property
    def rows(self) -> int:
        return sum(len(d) for d in self.live)

    @property
    def carried_rows(self) -> int:
        return sum(len(d) for d, old in zip(self.live, self.carried) if old is not None)

    def fresh_leaves(self) -> list[tuple]:
        """``(segment reader, offset)`` of every fresh segment."""
        return [(s.leaf, s.offset) for s, old in zip(self.segments, self.carried) if old is None]

    def blocks(self, reports: dict[str, dict]) -> list[ColumnsBlock]:
        """The new generation's rows as column blocks: carried ones copied, fresh ones read from stored fields."""
        out = []
        for seg, docs, old in zip(self.segments, self.live, self.carried):
            if old is not None:
                out.append(carried_block(self.previous.columns, old))
                continue
            for at in range(0, len(docs), BLOCK_ROWS):
                cols = ParagraphColumns.empty()
                for d in docs[at : at + BLOCK_ROWS].tolist():
                    append_stored(cols, seg.leaf.stored_fields(d), reports)
                out.append(columns_block(cols))
        return out

    def columns_parts(self, reports: dict[str, dict]) -> list:
        """The new columns file as pieces to write back to back (see :func:`index.columns.columns_file_parts`)."""
        segments = [[s.segment_id, s.documents] for s in self.segments]
        return columns_file_parts(self.blocks(reports), self.docnum_to_row, segments)

    def postings_bytes(self, reader) -> bytes:
        """The new :data:`index.postings.POSTINGS_FILE`: the previous one carried forward, or made whole."""
        frequent = self.previous.frequent if self.previous is not None else None
        if frequent is None:
            return frequent_postings_bytes(reader, self.docnum_to_row, self.rows)
        return carried_postings_bytes(frequent, self.old_to_new, self.rows, reader, self.fresh_leaves(),
                                      self.docnum_to_row)
