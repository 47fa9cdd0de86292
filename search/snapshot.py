"""The snapshot: everything the query path holds in memory for one index generation.

Vocabulary:

* a **row** is a paragraph's position in the generation's columns (rows of one
  report are contiguous in index order; :meth:`Snapshot.rows_of` lists them by
  paragraph number). Every query answer is an array of rows.
* a **column** holds one value per row: ``texts`` (as written), ``search``
  (folded for matching), ``paragraph_ids``, ``numbers``, ``headings``,
  ``sections``, ``years`` (a numpy array) and ``ocr_confidences``. They come
  from :class:`index.columns.ParagraphColumns`, saved with the generation.
* a **coded column** (:class:`CodedColumn`) stores a short string per row as a
  small integer *code* into its ``labels``: the report id (``report``) and the
  facet fields (``coded["province" | "prefecture" | "county" | "level" |
  "section"]``, the last being the section category). Counting and filtering
  run on the codes.
* a **record** (:class:`search.records.ReportRecord`) is a report's entry in
  the generation's reports.json, read once: ``records`` by report id, and
  ``reports``, the same as JSON dicts (what the API prints).

A :class:`Snapshot` never changes: take one per request
(:meth:`search.engine.Engine.snapshot`) and pass it down, so every part of an
answer reads the same generation.
"""
from __future__ import annotations

import logging
from functools import cached_property

import numpy as np

from index.columns import COLUMNS_FILE, ParagraphColumns, load_columns, read_columns
from index.postings import POSTINGS_FILE, FrequentPostings, Postings
from index.writer import IndexStore

from .records import Passage, ReportRecord

__all__ = ["CodedColumn", "Snapshot", "FACET_COLUMNS"]

log = logging.getLogger(__name__)

#: The coded columns that facets and filters read, by filter name.
FACET_COLUMNS = ("province", "prefecture", "county", "level", "section")


class CodedColumn:
    """A column of short strings stored as small integer codes (``labels[codes[row]]`` is the value)."""

    def __init__(self, values: list[str]):
        self.labels: list[str] = []
        index: dict[str, int] = {}
        codes = np.empty(len(values), dtype=np.int32)
        for i, v in enumerate(values):
            c = index.get(v)
            if c is None:
                c = index[v] = len(self.labels)
                self.labels.append(v)
            codes[i] = c
        self.index = index
        self.codes = codes

    def value(self, row: int) -> str:
        """The value at a row."""
        return self.labels[self.codes[row]]

    def code_of(self, value: str) -> int | None:
        """The code of a value, or None when no row holds it."""
        return self.index.get(value)


class Snapshot:
    """One index generation's columns, reports and open Whoosh reader (see the module docstring)."""

    def __init__(self, generation: str | None, columns: ParagraphColumns, reports: dict[str, dict],
                 ix=None, reader=None, frequent: FrequentPostings | None = None):
        self.generation = generation
        self.ix = ix
        self.reader = reader
        self.records = {rid: ReportRecord.from_json(rec) for rid, rec in reports.items()}
        self.reports = {rid: rec.as_dict() for rid, rec in self.records.items()}
        self.columns = columns
        self.n = len(columns.texts)
        self.texts = columns.texts
        self.search = columns.search
        self.paragraph_ids = columns.paragraph_ids
        self.numbers = columns.numbers
        self.headings = columns.headings
        self.sections = columns.sections
        self.ocr_confidences = columns.ocr_confidences
        self.docnum_to_row = np.array(columns.docnum_to_row, dtype=np.int64)
        self.postings = Postings(reader, self.docnum_to_row, self.n, frequent)
        self.report = CodedColumn(columns.report_ids)
        self.coded = {
            "province": CodedColumn(columns.provinces),
            "prefecture": CodedColumn(columns.prefectures),
            "county": CodedColumn(columns.counties),
            "level": CodedColumn(columns.levels),
            "section": CodedColumn(columns.categories),
        }
        self.years = np.array(columns.years, dtype=np.int32)
        self.lengths = np.array([len(s) for s in columns.search], dtype=np.int32)
        self.avg_len = float(self.lengths.mean()) if self.n else 1.0
        self._row_by_pid = {p: i for i, p in enumerate(columns.paragraph_ids)}
        self._report_rows: dict[str, list[int]] = {}
        for i, rid in enumerate(columns.report_ids):
            self._report_rows.setdefault(rid, []).append(i)
        for rows in self._report_rows.values():
            rows.sort(key=lambda i: self.numbers[i])

    @classmethod
    def load(cls, store: IndexStore, generation: str | None) -> "Snapshot":
        """The snapshot of a generation of ``store`` (an empty one for None).

        Raises :class:`index.writer.IndexStoreError` when the generation cannot be opened.
        """
        if generation is None:
            return cls(None, ParagraphColumns.empty(), {})
        ix, reports, _ = store.open_generation(generation)
        reader = ix.reader()
        gdir = store.generation_dir(generation)
        columns = load_columns(gdir / COLUMNS_FILE)
        if columns is None:
            columns = read_columns(reader, reports)
        frequent = FrequentPostings.open(gdir / POSTINGS_FILE, len(columns.texts))
        return cls(generation, columns, reports, ix, reader, frequent)

    def close(self) -> None:
        self.postings.close()
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

    def record_at(self, row: int) -> ReportRecord:
        """The record of the report holding a row."""
        return self.record_of(self.report_id(row))

    def record_of(self, report_id: str) -> ReportRecord:
        """A report's record; a bare one (id only) if the generation does not hold it."""
        rec = self.records.get(report_id)
        return rec if rec is not None else ReportRecord.from_json({"report_id": report_id})

    def row_of(self, paragraph_id: str) -> int | None:
        """The row of a paragraph id, or None."""
        return self._row_by_pid.get(paragraph_id)

    def rows_of(self, report_id: str) -> list[int]:
        """A report's rows in paragraph order (empty for an unknown id)."""
        return self._report_rows.get(report_id, [])

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
        """A boolean mask over ``rows``: whether each row's search text contains ``phrase``."""
        search = self.search
        return np.fromiter((phrase in search[i] for i in rows.tolist()), dtype=bool, count=len(rows))

    def count(self, rows: np.ndarray, word: str) -> np.ndarray:
        """How often ``word`` occurs in each row's search text (non-overlapping, as ``str.count``)."""
        search = self.search
        return np.fromiter((search[i].count(word) for i in rows.tolist()), dtype=np.int64, count=len(rows))

    @cached_property
    def region_rank(self) -> np.ndarray:
        """Each row's place in the order of (province, prefecture, county) names: ``sort=region``."""
        prov, pref, county = self.coded["province"], self.coded["prefecture"], self.coded["county"]
        keys = [
            (prov.labels[p], pref.labels[q], county.labels[c])
            for p, q, c in zip(prov.codes, pref.codes, county.codes)
        ]
        order = {k: r for r, k in enumerate(sorted(set(keys)))}
        return np.array([order[k] for k in keys], dtype=np.int64)
