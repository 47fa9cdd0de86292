"""The snapshot: everything the query path holds in memory for one index generation.

Vocabulary:

* a **row** is a paragraph's position in the generation's columns (rows of one
  report are contiguous in index order; :meth:`Snapshot.rows_of` lists them by
  paragraph number). Every query answer is an array of rows.
* a **column** holds one value per row: ``texts`` (as written), ``search``
  (folded for matching), ``paragraph_ids``, ``numbers``, ``headings``,
  ``sections``, ``ocr_confidences`` (sequences: a row is read from the columns
  file when asked for), ``years`` and ``lengths`` (numpy arrays). They come
  from the generation's columns file (:mod:`index.columns`), memory-mapped:
  every process serving the generation shares one copy of its pages.
* a **coded column** (:class:`CodedColumn`) stores a short string per row as a
  small integer *code* into its ``labels``: the report id (``report``) and the
  facet fields (``coded["province" | "prefecture" | "county" | "level" |
  "section"]``, the last being the section category). Counting and filtering
  run on the codes.
* a **record** (:class:`search.records.ReportRecord`) is a report's entry in
  the generation's reports.json, read once: ``records`` by report id, and
  ``reports``, the same as JSON dicts (what the API prints). A report's
  **evidence** (where its title, year and region were read) is not among
  them: :meth:`Snapshot.evidence` reads it from the generation's evidence file
  when a page shows it (held for every report, it was 50 of the 68 MB the
  records took at 100M characters).

A :class:`Snapshot` never changes: take one per request
(:meth:`search.engine.Engine.snapshot`) and pass it down, so every part of an
answer reads the same generation.
"""
from __future__ import annotations

import functools
import logging
import os
import threading
import weakref
from bisect import bisect_right
from itertools import repeat
import numpy as np

from index.columns import COLUMNS_FILE, MappedColumns, ParagraphColumns, load_columns, open_columns, paragraph_key
from index.search_code import encode as search_code
from index.postings import POSTINGS_FILE, FrequentPostings, Postings
from index.whoosh_internals import advise_random_reads
from index.writer import EVIDENCE, IndexStore, PackedJSON, evidence_offsets

from .records import PRIVATE_FIELDS, Passage, ReportRecord

__all__ = ["CodedColumn", "Snapshot", "FACET_COLUMNS"]

log = logging.getLogger(__name__)

#: From this share of all rows up, :meth:`Snapshot.contains` makes one pass
#: over every row's bytes instead of looking in each row. Measured at 100M characters (420k rows): one
#: pass costs ~0.3 s for a rare phrase (the blob's 270 MB) plus ~2 µs for each match it must step
#: over (0.5 s for 发展); row by row costs ~1 µs a row (0.3–0.5 s for every row). So one
#: pass wins only for a rare phrase over (nearly) every row, the case of a one-character query.
SCAN_SHARE = 0.9

#: The coded columns that facets and filters read, by filter name.
FACET_COLUMNS = ("province", "prefecture", "county", "level", "section")


class CodedColumn:
    """A column of short strings stored as small integer codes (``labels[codes[row]]`` is the value)."""

    def __init__(self, labels: list[str], codes: np.ndarray):
        self.labels = labels
        self.codes = codes
        self.index = {v: c for c, v in enumerate(labels)}
        self._codes = memoryview(codes.view(np.uint8)).cast("i")

    def value(self, row: int) -> str:
        """The value at a row."""
        return self.labels[self._codes[row]]

    __getitem__ = value

    def __len__(self) -> int:
        return len(self.codes)

    def code_of(self, value: str) -> int | None:
        """The code of a value, or None when no row holds it."""
        return self.index.get(value)

    @functools.cached_property
    def label_rank(self) -> np.ndarray:
        """Each code's place when the labels are sorted (ties of counts in a facet are broken by it)."""
        rank = np.empty(len(self.labels), dtype=np.int64)
        rank[sorted(range(len(self.labels)), key=self.labels.__getitem__)] = np.arange(len(self.labels))
        return rank

    @functools.cached_property
    def labelled(self) -> np.ndarray:
        """Whether each code has a non-empty label (an empty one is no facet value)."""
        return np.fromiter((bool(v) for v in self.labels), dtype=bool, count=len(self.labels))


class Snapshot:
    """One index generation's columns, reports and open Whoosh reader (see the module docstring)."""

    def __init__(self, generation: str | None, columns: MappedColumns, reports: dict[str, dict],
                 ix=None, reader=None, frequent: FrequentPostings | None = None, evidence_fd: int | None = None):
        self.generation = generation
        self._evidence_fd = evidence_fd  # the generation's evidence file, open: it outlives the folder
        self._evidence_lock = threading.Lock()
        # closed by close(), or once the snapshot is collected (an engine lets a replaced snapshot go unclosed)
        self._close_evidence = weakref.finalize(self, os.close, evidence_fd) if evidence_fd is not None else None
        self.ix = ix
        self.reader = reader
        for rec in reports.values():  # a generation written before sketches.json holds them here
            for key in PRIVATE_FIELDS & rec.keys():
                del rec[key]
        self.records = {rid: ReportRecord.from_json(rec) for rid, rec in reports.items()}
        #: report id -> its reports.json record, as written (each the dict behind its record's ``fields``)
        self.reports = reports
        self.columns = columns
        self.n = columns.rows
        self.characters = columns.characters
        self.texts = columns.texts
        self.search = columns.search
        self.paragraph_ids = columns.paragraph_ids
        self.numbers = columns.scalars("numbers", "i")
        self.headings = columns.scalars("headings", "?")
        self.ocr_confidences = columns.ocr_confidences
        self.docnum_to_row = columns.array("docnum_to_row")
        self.postings = Postings(reader, self.docnum_to_row, self.n, frequent)
        coded = {name: CodedColumn(columns.labels[name], columns.array("code_" + name)) for name in columns.labels}
        self.report = coded["report"]
        self.sections = coded["section_path"]
        self.coded = {name: coded[name] for name in FACET_COLUMNS}
        self.years = columns.array("years")
        self.lengths = columns.array("lengths")
        self.avg_len = columns.avg_len
        self.region_rank = columns.array("region_rank")
        self._pid_keys = columns.array("pid_keys")
        self._pid_rows = columns.array("pid_rows")
        self._report_rows = columns.array("report_rows")
        self._report_starts = columns.scalars("report_starts", "q")

    @functools.cached_property
    def by_report(self) -> dict[str, np.ndarray]:
        """The facet columns that hold one value per report (region, level, ``year``), as arrays over report
        codes: a facet of many rows then counts its rows per report once and sums those counts per value
        (two gathers over 200,000 hits instead of six). A column that is not constant within each report
        (never, by construction) is left out, and counted row by row."""
        any_row = np.zeros(len(self.report.labels), dtype=np.int64)
        any_row[self.report.codes] = np.arange(self.n, dtype=np.int64)
        out = {}
        for name, values in [(n, self.coded[n].codes) for n in ("province", "prefecture", "county", "level")] + [
                ("year", self.years)]:
            per_report = values[any_row]
            if np.array_equal(per_report[self.report.codes], values):
                out[name] = per_report
            else:
                log.warning("column %s differs within a report: counted row by row", name)
        return out

    def report_counts(self, rows: np.ndarray) -> np.ndarray:
        """How many of ``rows`` each report holds, by report code."""
        return np.bincount(self.report.codes[rows], minlength=len(self.report.labels))

    @classmethod
    def load(cls, store: IndexStore, generation: str | None) -> "Snapshot":
        """The snapshot of a generation of ``store`` (an empty one for None).

        Raises :class:`index.writer.IndexStoreError` when the generation cannot be opened, or was written
        by an older baogao (its columns file is of another layout, or missing: Whoosh holds no paragraphs).
        """
        if generation is None:
            return cls(None, open_columns(ParagraphColumns.empty()), {})
        ix, reports, _ = store.open_generation(generation)
        gdir = store.generation_dir(generation)
        columns = load_columns(gdir / COLUMNS_FILE, populate=True)
        if columns is None:
            raise store.old_layout(gdir)
        reader = ix.reader()
        advise_random_reads(reader)
        frequent = FrequentPostings.open(gdir / POSTINGS_FILE, columns.rows, random_reads=True)
        if frequent is None:  # Whoosh lacks the terms the segments left out: searching it alone would miss hits
            reader.close()
            raise store.incomplete(gdir, POSTINGS_FILE)
        try:
            evidence_fd = os.open(gdir / EVIDENCE, os.O_RDONLY)
        except FileNotFoundError:  # written before the evidence left reports.json
            evidence_fd = None
        snap = cls(generation, columns, reports, ix, reader, frequent, evidence_fd)
        snap.prepare()
        return snap

    def prepare(self) -> None:
        """Make now what queries would otherwise make on first use (per-report facet columns, label ranks),
        so the first search after opening is as fast as the next: at 100M they took 10 ms of the first."""
        self.by_report  # noqa: B018 (a cached property, computed here)
        for col in self.coded.values():
            col.label_rank, col.labelled  # noqa: B018

    def close(self) -> None:
        self.postings.close()
        if self._close_evidence is not None:
            self._evidence_fd = None
            self._close_evidence()
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    # -- rows and reports -----------------------------------------------------------

    def report_id(self, row: int) -> str:
        """The id of the report holding a row."""
        return self.report.labels[self.report.codes[row]]

    def record(self, report_id: str) -> ReportRecord | None:
        """A report's record, or None when the generation does not hold it."""
        return self.records.get(report_id)

    def evidence(self, report_id: str) -> list[dict]:
        """A report's evidence as reports.json once held it (empty for an unknown id): its entry in the
        generation's evidence file, read and parsed now."""
        rec = self.reports.get(report_id)
        if rec is None:
            return []
        if "evidence" in rec:  # a generation written before the evidence file
            return rec["evidence"] or []
        at = self._evidence_at.get(report_id)
        if at is None or self._evidence_fd is None:
            return []
        return PackedJSON(os.pread(self._evidence_fd, at[1], at[0])).value()

    @functools.cached_property
    def _evidence_at(self) -> dict[str, tuple[int, int]]:
        """(offset, length) of each report's evidence in the evidence file, found on the first use."""
        if self._evidence_fd is None:
            return {}
        with self._evidence_lock, os.fdopen(os.dup(self._evidence_fd), "rb") as f:
            return evidence_offsets(f)

    def record_at(self, row: int) -> ReportRecord:
        """The record of the report holding a row."""
        return self.record_of(self.report_id(row))

    def record_of(self, report_id: str) -> ReportRecord:
        """A report's record; a bare one (id only) if the generation does not hold it."""
        rec = self.records.get(report_id)
        return rec if rec is not None else ReportRecord.from_json({"report_id": report_id})

    def row_of(self, paragraph_id: str) -> int | None:
        """The row of a paragraph id, or None."""
        key = np.uint64(paragraph_key(paragraph_id))
        keys = self._pid_keys
        at = int(np.searchsorted(keys, key))
        while at < len(keys) and keys[at] == key:
            row = int(self._pid_rows[at])
            if self.paragraph_ids[row] == paragraph_id:
                return row
            at += 1
        return None

    def rows_of(self, report_id: str) -> list[int]:
        """A report's rows in paragraph order (empty for an unknown id)."""
        code = self.report.index.get(report_id)
        if code is None:
            return []
        return self._report_rows[self._report_starts[code] : self._report_starts[code + 1]].tolist()

    def report_ids(self, rows: np.ndarray) -> list[str]:
        """The distinct ids of the reports holding ``rows``, in code order."""
        codes = np.unique(self.report.codes[rows]) if len(rows) else []
        return [self.report.labels[c] for c in codes]

    def section_category(self, row: int) -> str:
        return self.coded["section"].value(row)

    def passage(self, row: int) -> Passage:
        """The paragraph at a row, named for a citation."""
        rec = self.record_at(row)
        return Passage(
            report_id=rec.report_id,
            paragraph_id=self.paragraph_ids[row],
            number=self.numbers[row],
            title=rec.title,
            region=rec.region,
            year=rec.year,
            section=self.sections[row],
            section_category=self.section_category(row),
            text=self.texts[row],
        )

    def paragraph(self, row: int) -> dict:
        """The paragraph at a row, as the reader and the API show it."""
        return {
            "paragraph_id": self.paragraph_ids[row],
            "number": self.numbers[row],
            "text": self.texts[row],
            "is_heading": self.headings[row],
            "ocr_confidence": self.ocr_confidences[row],
            "section": self.sections[row],
            "section_category": self.section_category(row),
            "report_id": self.report_id(row),
        }

    # -- text tests -----------------------------------------------------------------

    def contains(self, rows: np.ndarray, phrase: str) -> np.ndarray:
        """A boolean mask over ``rows``: whether each row's search text contains ``phrase``.

        Looks in the columns' bytes, never decoding a row: row by row for a few
        rows, one pass over every row's bytes for many (see :data:`SCAN_SHARE`).
        """
        needle = search_code(phrase)
        if not needle or len(rows) == 0:
            return np.full(len(rows), True, dtype=bool)
        if len(rows) >= SCAN_SHARE * self.n:
            return np.isin(rows, self._rows_holding(needle))
        starts, ends = self._spans(rows)  # one C-level find per row (map: a generator cost 15 % more)
        find = self.search.buf.find
        found = np.fromiter(map(find, repeat(needle, len(starts)), starts, ends), dtype=np.int64, count=len(rows))
        return found >= 0

    def _spans(self, rows: np.ndarray) -> tuple[list[int], list[int]]:
        """Where each row's search text lies in the columns' bytes: (starts, ends), each end after its row end byte."""
        search = self.search
        return (search.offsets[rows] + search.base).tolist(), (search.offsets[rows + 1] + search.base).tolist()

    def _rows_holding(self, needle: bytes) -> np.ndarray:
        """Every row whose search text holds ``needle``, in one pass over the blob."""
        search = self.search
        buf, base, off = search.buf, search.base, search.scalar_offsets
        rows, end = [], base + off[len(search)]
        pos = buf.find(needle, base, end)
        while pos >= 0:
            row = bisect_right(off, pos - base) - 1
            rows.append(row)
            pos = buf.find(needle, base + off[row + 1], end)
        return np.array(rows, dtype=np.int64)
