"""A generation's paragraph columns: what the query path holds in memory, written with the generation.

Whoosh stores each paragraph's fields in one stored-fields record; reading
them back costs ~10 µs a paragraph, and the search text must be folded again.
The query path wants the same values as *columns*, one list per field in
paragraph order (a *row* is a paragraph's position in them). The writer reads
its committed index once (:func:`read_columns`) and saves the columns beside
it (:data:`COLUMNS_FILE`) before the generation is published, so a reader opens
a complete generation and never writes into it. A generation never changes,
so the file never goes stale.
"""
from __future__ import annotations

import logging
import pickle
import zlib
from dataclasses import dataclass, fields
from pathlib import Path

from . import schema as S
from .normalise import fold_for_search

__all__ = ["COLUMNS_FILE", "ParagraphColumns", "read_columns", "load_columns", "dump_columns"]

log = logging.getLogger(__name__)

#: The columns file in a generation folder.
COLUMNS_FILE = "columns.bin"
_VERSION = (S.SCHEMA_VERSION, 4)


@dataclass(frozen=True)
class ParagraphColumns:
    """Every paragraph's stored values, one list per field, rows in index order.

    ``docnum_to_row`` maps a Whoosh document number to its row (-1 for a
    deleted document); ``ocr_confidences`` holds the OCR engine's confidence
    for a paragraph read from a page image, else None.
    """

    texts: list[str]
    search: list[str]
    paragraph_ids: list[str]
    numbers: list[int]
    headings: list[bool]
    sections: list[str]
    report_ids: list[str]
    categories: list[str]
    provinces: list[str]
    prefectures: list[str]
    counties: list[str]
    levels: list[str]
    years: list[int]
    docnum_to_row: list[int]
    ocr_confidences: list[float | None]

    @classmethod
    def empty(cls) -> "ParagraphColumns":
        return cls(*([] for _ in fields(cls)))


def read_columns(reader, reports: dict[str, dict]) -> ParagraphColumns:
    """The columns of an open Whoosh reader's live documents (search text folded here)."""
    cols = ParagraphColumns.empty()
    total = reader.doc_count_all()
    cols.docnum_to_row.extend([-1] * total)
    for docnum in range(total):
        if reader.is_deleted(docnum):
            continue
        f = reader.stored_fields(docnum)
        rec = reports.get(f[S.REPORT_ID])
        cols.docnum_to_row[docnum] = len(cols.texts)
        text = f[S.TEXT]
        cols.texts.append(text)
        cols.search.append(fold_for_search(text, traditional=bool(rec and rec.get("traditional"))))
        cols.paragraph_ids.append(f[S.PARAGRAPH_ID])
        cols.numbers.append(f[S.NUMBER])
        cols.headings.append(bool(f.get(S.HEADING)))
        cols.sections.append(f.get(S.SECTION) or "")
        cols.report_ids.append(f[S.REPORT_ID])
        cols.categories.append(f.get(S.SECTION_CATEGORY) or "其他")
        cols.provinces.append(f.get(S.PROVINCE) or "")
        cols.prefectures.append(f.get(S.PREFECTURE) or "")
        cols.counties.append(f.get(S.COUNTY) or "")
        cols.levels.append(f.get(S.LEVEL) or "unknown")
        cols.years.append(int(f.get(S.YEAR) or 0))
        cols.ocr_confidences.append(f.get(S.OCR))
    return cols


def dump_columns(columns: ParagraphColumns) -> bytes:
    """The bytes of :data:`COLUMNS_FILE` (the writer saves them atomically)."""
    return zlib.compress(pickle.dumps((_VERSION, tuple(getattr(columns, f.name) for f in fields(columns))), protocol=pickle.HIGHEST_PROTOCOL), 1)


def load_columns(path: Path) -> ParagraphColumns | None:
    """The columns saved at ``path``, or None when missing, unreadable or of another version."""
    try:
        with open(path, "rb") as f:
            version, values = pickle.loads(zlib.decompress(f.read()))
    except (OSError, zlib.error, pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        log.info("no usable columns at %s: %s", path, exc)
        return None
    if version != _VERSION:
        return None
    return ParagraphColumns(*values)
