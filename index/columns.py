"""A generation's paragraph columns: what the query path reads, written with the generation, memory-mapped.

Vocabulary:

* a **row** is a paragraph's position in the columns (index order: the rows of
  one report are contiguous). A **column** holds one value per row.
* the **display text** is a paragraph as written; its **search text** is the
  text folded for matching (:func:`index.normalise.fold_for_search`). The
  search text of every row is stored, in one blob the text tests scan; the
  display text is not stored again where it is equal. At 100M characters 91 %
  of rows differ, nearly all by punctuation (``，`` is folded to ``,``, both
  ``“`` and ``”`` to ``"``), and 85 % of those are exactly the guess of a
  **house style** (:data:`HOUSE_STYLES`, :func:`house_guess`): the row's slot
  says which, and nothing else is stored. For the others only a **patch**
  is, the smallest of these kinds (``patch_kind``): a *map*, pairs of
  characters (search, display) such that replacing every search character
  of a pair gives the display text; the *positions* (in characters) and the
  display characters that replace those of the search text, or of a house
  style's guess, there; or, when the lengths differ (footnote markers,
  spaces), the *whole* display text. Storing both texts whole in UTF-8 took
  556 MB at 100M characters; patches without house styles took 37 MB, with
  them about 6 MB.
* a **blob** is many rows' encoded text back to back, each row followed by
  the **row end** byte ``0xFF``, which neither encoding makes, so that a
  searched phrase can never match across two rows; its **offsets** (rows +
  1) give row ``i`` the bytes ``blob[offsets[i] : offsets[i+1] - 1]``. The
  paragraph ids and patches are UTF-8. The search texts are in the **search
  code** (:mod:`index.search_code`): UTF-8 of the text with its 2,048
  commonest characters renumbered into one or two bytes. At 100M characters
  that is 146 MB (198 MB in UTF-16, 275 MB in UTF-8); a phrase's code found
  in a row is always the phrase (as in UTF-8, never across characters).
* a **coded column** stores a short string per row as an int32 *code* into its
  *labels* (kept in the header): the report id, province, prefecture, county,
  level, section category and section path.
* the **columns file** (:data:`COLUMNS_FILE`) is written by the writer before
  the generation is published, from **blocks** of rows already in the file's
  encoding (:class:`ColumnsBlock`), each *carried* (:func:`carried_block`)
  from the previous generation's file or from the small columns files the
  writer saved as it added the paragraphs (:func:`columns_block` of the
  paragraphs' values, :func:`append_paragraph`; see :mod:`index.carry`),
  joined a block at a time by a :class:`ColumnsAssembly`, which at
  publishing writes each array to a scratch file as it goes (so what a
  build holds does not grow with the rows: at 500M characters assembling
  the columns took 750 MB when every block's arrays were held and joined at
  once); Whoosh keeps none of these values. A
  generation never changes, so it never goes stale. Every server
  process maps it read-only (:func:`load_columns`): the kernel holds one copy
  of its pages for all of them, and opening costs no more than reading the
  header.

Layout of the file (little-endian)::

    MAGIC (8 bytes) | header length (uint64) | header (UTF-8 JSON) | padding to 8
    | the arrays, each starting at a multiple of 8 bytes from the data start

The header holds the version, ``rows``, ``characters`` (of the display
texts), ``avg_len`` (of the search texts), the ``labels`` of each coded column,
``segments`` (``[segment id, documents]`` of each Whoosh segment in docnum
order; absent from files written before it, which are read all the same) and,
per array, ``[offset from the data start, numpy dtype, count]``:

=================  ========  ==========================================================
array              dtype     per
=================  ========  ==========================================================
search_blob        u1        every row's search text
search_offsets     <u8       row, + 1
display_slot       <i4       row: -1 when the display text equals the search text, -2 - k
                             when it is house style k's guess, else its place among the
                             patched rows
patch_rows         <i4       patched row: its row (sorted)
patch_kind         u1        patched row: 0 whole text, 1 map, 2 positions, 3 + k positions
                             in house style k's guess
patch_starts       <i8       patched row, + 1: where its positions start in patch_positions
patch_positions    <i4       the positions of the replaced characters (none: a whole text)
patch_blob/offsets u1/<u8    patched row: its pairs, its replacing characters or its whole display text
pid_blob/offsets   u1/<u4    paragraph ids, a blob like the texts
pid_keys           <u8       every paragraph id's 64-bit key (:func:`paragraph_key`), sorted
pid_rows           <i4       the row of each key
numbers            <i4       row: the paragraph's number in its report
headings           u1        row: 1 for a heading
years              <i4       row: the report's year (0 unknown)
lengths            <i4       row: characters of the search text
ocr_rows           <i4       the rows read by OCR (ascending)
ocr_values         <f8       their OCR confidence (f8, not f4: the value read back equals
                             the one written)
docnum_to_row      <i4       Whoosh document number: its row, -1 when deleted
region_rank        <i4       row: place of its (province, prefecture, county) in name order
report_rows        <i4       rows sorted by (report code, number)
report_starts      <i8       report code: where its rows start in report_rows, + 1
code_<name>        <i4       row: the code of each coded column
=================  ========  ==========================================================
"""
from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import re
import struct
from collections import Counter
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from . import schema as S
from . import search_code
from .report import Paragraph, Report

__all__ = [
    "COLUMNS_FILE",
    "COLUMNS_SCRATCH",
    "CODED_COLUMNS",
    "ROW_END",
    "ColumnsFormatError",
    "ParagraphColumns",
    "MappedColumns",
    "TextColumn",
    "DisplayColumn",
    "OptionalFloats",
    "load_columns",
    "open_columns",
    "dump_columns",
    "paragraph_key",
    "append_paragraph",
    "ColumnsBlock",
    "columns_block",
    "carried_block",
    "columns_file_parts",
    "ColumnsAssembly",
    "FileRange",
    "write_parts",
    "copy_range",
]

log = logging.getLogger(__name__)


class ColumnsFormatError(ValueError):
    """Bytes that are not a columns file of this version."""


#: The columns file in a generation folder.
COLUMNS_FILE = "columns.bin"
#: The scratch folder in an unpublished generation where :class:`ColumnsAssembly` writes the arrays (gone once published).
COLUMNS_SCRATCH = "columns-scratch"
_VERSION = [S.SCHEMA_VERSION, 8]  # 6: search texts in UTF-16; 7: house styles, narrower row numbers; 8: search code
_MAGIC = b"BGCOLS\x00\x01"
_ALIGN = 8
#: The byte after every row in a blob (never part of UTF-8 text, nor of the search code).
ROW_END = search_code.ROW_END
#: The coded columns, by name, and the :class:`ParagraphColumns` field each codes.
CODED_COLUMNS = {
    "report": "report_ids",
    "province": "provinces",
    "prefecture": "prefectures",
    "county": "counties",
    "level": "levels",
    "section": "categories",
    "section_path": "sections",
}


@dataclass(frozen=True)
class ParagraphColumns:
    """Paragraphs' values as Python lists, one list per field, rows in index order.

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


def append_paragraph(cols: ParagraphColumns, report_id: str, report: Report, paragraph: Paragraph) -> None:
    """Append one paragraph of ``report`` (indexed under ``report_id``) to ``cols`` as a new row
    (its docnum is the caller's)."""
    region = report.region
    cols.texts.append(paragraph.text)
    cols.search.append(paragraph.search_text)
    cols.paragraph_ids.append(paragraph.paragraph_id)
    cols.numbers.append(paragraph.number)
    cols.headings.append(bool(paragraph.is_heading))
    cols.sections.append(paragraph.section)
    cols.report_ids.append(report_id)
    cols.categories.append(paragraph.section_category or "其他")
    cols.provinces.append(region.province or "")
    cols.prefectures.append(region.prefecture or "")
    cols.counties.append(region.county or "")
    cols.levels.append(region.level or "unknown")
    cols.years.append(report.year or 0)
    cols.ocr_confidences.append(paragraph.ocr_confidence)


def paragraph_key(paragraph_id: str) -> int:
    """A paragraph id's 64-bit key in ``pid_keys`` (a hash: the row's id is checked after)."""
    return int.from_bytes(hashlib.blake2b(paragraph_id.encode("utf-8"), digest_size=8).digest(), "little")


# -- writing ---------------------------------------------------------------------------


def _blob(values: list[str], search: bool = False) -> tuple[bytes, np.ndarray]:
    """The blob of ``values`` and its offsets: UTF-8 rows ended by :data:`ROW_END`, or with ``search`` the
    search texts' code (:mod:`index.search_code`)."""
    if search:
        return search_code.encode_rows(values)
    encoded = [v.encode("utf-8") for v in values]
    end = ROW_END
    offsets = np.zeros(len(encoded) + 1, dtype="<u8")
    np.cumsum(np.fromiter((len(e) + len(end) for e in encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return (end.join(encoded) + end if encoded else b""), offsets


#: How a patched row's display text is made from its search text (``patch_kind``); a kind from
#: :data:`PATCH_STYLE_AT` on is a house style's guess (style ``kind - PATCH_STYLE_AT``) with some characters replaced.
PATCH_WHOLE, PATCH_MAP, PATCH_AT, PATCH_STYLE_AT = 0, 1, 2, 3
#: ``display_slot`` of a row whose display text equals its search text; a slot of ``-2 - k`` says it is house
#: style ``k``'s guess exactly (nothing stored for it), a slot from 0 on its place among the patched rows.
SLOT_EQUAL = -1

_CURLED = {'"': "“”", "'": "‘’"}


def _style_table(wide: bool) -> dict[str, str]:
    if wide:  # every ASCII character but the quotes full-width: 1950s text (１９５６年，ＧＤＰ)
        return {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F) if chr(c) not in _CURLED}
    return {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}


#: The **house styles**: how the search text's ASCII punctuation was most often written in the display text,
#: each a table of characters plus quotes curled in turn (“ then ”, ‘ then ’). Style 0 is today's reports
#: (``，`` ``；`` ``：`` ``（`` ``）``; digits and letters as they are); style 1 the full-width text of older ones.
#: At 100M characters 91 % of the rows' display texts differ from their search texts, and 85 % of those are a
#: style's guess exactly. Changing a style changes what every columns file means (the version goes up).
HOUSE_STYLES = (_style_table(False), _style_table(True))


def house_guess(search: str, style: int) -> str:
    """The display text house style ``style`` guesses for ``search``: one character for one."""
    for c, display in HOUSE_STYLES[style].items():  # replace() for each: 4× faster than translate() on CJK text
        if c in search:
            search = search.replace(c, display)
    for q, curled in _CURLED.items():
        if q in search:
            parts = search.split(q)
            out = [parts[0]]
            for k, part in enumerate(parts[1:]):
                out.append(curled[k & 1])
                out.append(part)
            search = "".join(out)
    return search


def _units(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def _patch(t: str, s: str, guesses: list[str]) -> tuple[int, np.ndarray, str]:
    """(kind, positions, characters) of the patch that turns search text ``s`` into display text ``t``, the
    one of fewest bytes; ``guesses`` are the house styles' (:func:`house_guess`), none of them ``t``.

    A map is valid when each search character of its pairs always becomes
    the same display character and occurs nowhere else in ``s``: it then
    occurs in ``s`` exactly as often as among the replaced positions.
    """
    whole = (PATCH_WHOLE, _NO_POSITIONS, t)
    if len(t) != len(s):
        return whole
    tc, sc = _units(t), _units(s)
    at = np.flatnonzero(tc != sc)
    was, became = sc[at].tolist(), tc[at].tolist()
    pairs = list(dict.fromkeys(zip(was, became)))
    if len(dict(pairs)) == len(pairs) and all(s.count(chr(a)) == n for a, n in Counter(was).items()):
        return PATCH_MAP, _NO_POSITIONS, "".join(chr(a) + chr(b) for a, b in pairs)
    best, size = whole, len(t.encode("utf-8"))
    for kind, base in ((PATCH_AT, sc), *((PATCH_STYLE_AT + k, _units(g)) for k, g in enumerate(guesses))):
        at = np.flatnonzero(tc != base)
        replaced = tc[at].tobytes().decode("utf-32-le")
        cost = 4 * len(at) + len(replaced.encode("utf-8"))
        if cost < size:
            best, size = (kind, at.astype("<i4"), replaced), cost
    return best


_NO_POSITIONS = np.zeros(0, dtype="<i4")


def _display_patches(texts: list[str], search: list[str]) -> dict[str, np.ndarray | bytes]:
    """The arrays that turn search texts back into display texts (see the module docstring)."""
    slot = np.full(len(texts), SLOT_EQUAL, dtype="<i4")
    rows: list[int] = []
    kinds: list[int] = []
    positions: list[np.ndarray] = []
    chars: list[str] = []
    for i, (t, s) in enumerate(zip(texts, search)):
        if t == s:
            continue
        guesses: list[str] = []
        if len(t) == len(s):
            for k in range(len(HOUSE_STYLES)):
                guesses.append(house_guess(s, k))
                if guesses[k] == t:
                    break
            if guesses[-1] == t:
                slot[i] = -1 - len(guesses)
                continue
        slot[i] = len(rows)
        rows.append(i)
        kind, at, c = _patch(t, s, guesses)
        kinds.append(kind)
        positions.append(at)
        chars.append(c)
    starts = np.zeros(len(rows) + 1, dtype="<i8")
    np.cumsum([len(p) for p in positions], out=starts[1:])
    blob, offsets = _blob(chars)
    return {
        "display_slot": slot,
        "patch_rows": np.array(rows, dtype="<i4"),
        "patch_kind": np.array(kinds, dtype="u1"),
        "patch_starts": starts,
        "patch_positions": np.concatenate(positions) if positions else _NO_POSITIONS,
        "patch_blob": blob,
        "patch_offsets": offsets,
    }


def _coded(values: list[str]) -> tuple[list[str], np.ndarray]:
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype="<i4", count=len(values))
    return list(index), codes


def _region_rank(codes: dict[str, np.ndarray], labels: dict[str, list[str]]) -> np.ndarray:
    names = ("province", "prefecture", "county")
    if not len(codes["province"]):
        return np.zeros(0, dtype="<i4")
    # each row's three codes as one key (a code is below 2**21: there are some 3,000 counties), so that the
    # distinct triples are found by a 1-D unique, not numpy's much slower unique of rows (axis=0)
    bits = 21
    if any(len(labels[n]) >= 1 << bits for n in names):
        raise ValueError("more than 2**21 labels in a region column")
    keys = (codes["province"].astype(np.int64) << 2 * bits) | (codes["prefecture"].astype(np.int64) << bits) \
        | codes["county"].astype(np.int64)
    distinct, inverse = np.unique(keys, return_inverse=True)
    mask = (1 << bits) - 1
    triples = np.stack([distinct >> 2 * bits, (distinct >> bits) & mask, distinct & mask], axis=1)
    keyed = sorted(range(len(triples)), key=lambda t: tuple(labels[n][c] for n, c in zip(names, triples[t])))
    rank = np.empty(len(triples), dtype="<i4")
    rank[keyed] = np.arange(len(triples), dtype="<i4")
    return rank[inverse.reshape(-1)]


@dataclass(frozen=True)
class FileRange:
    """``length`` bytes at ``offset`` of the file at ``path``: a piece of a columns file that
    :func:`write_parts` copies file to file. The rows a publishing process carries are not mapped into it:
    their pages would count in its memory (at 500M characters the search texts alone are 1.4 GB)."""

    path: str
    offset: int
    length: int

    def __len__(self) -> int:
        return self.length


def copy_range(source: int, start: int, target: int, at: int, length: int) -> None:
    """Copy ``length`` bytes at ``start`` of the file ``source`` to ``at`` of the file ``target`` (both file
    descriptors; neither's position moves): by the kernel, or read and written where the file system cannot."""
    while length:
        try:
            n = os.copy_file_range(source, target, length, start, at)
        except OSError:
            n = os.pwrite(target, os.pread(source, min(length, 1 << 24), start), at)
        if n <= 0:
            raise OSError(f"copying stopped with {length} bytes left")
        start, at, length = start + n, at + n, length - n


def write_parts(f, parts) -> None:
    """Write ``parts`` back to back to the open binary file ``f``: bytes-like parts as they are, a
    :class:`FileRange` copied from its file."""
    sources: dict[str, int] = {}
    try:
        for part in parts:
            if not isinstance(part, FileRange):
                f.write(part)
                continue
            f.flush()
            fd = sources.get(part.path)
            if fd is None:
                fd = sources[part.path] = os.open(part.path, os.O_RDONLY)
            at = f.tell()
            copy_range(fd, part.offset, f.fileno(), at, part.length)
            f.seek(at + part.length)
    finally:
        for fd in sources.values():
            os.close(fd)


@dataclass(frozen=True)
class _BlobPart:
    """Some rows of a blob: their bytes as pieces back to back, and each row's length (row end included)."""

    pieces: tuple
    lengths: np.ndarray


@dataclass(frozen=True)
class ColumnsBlock:
    """Consecutive rows of a columns file already in the file's encoding (see the module docstring).

    A file is written from blocks added one at a time (:class:`ColumnsAssembly`): the
    rows a new generation takes over from the previous one's file or from the
    files its writer saved (:func:`carried_block`, no text decoded), which
    hold rows made from paragraphs (:func:`columns_block`), so that neither a
    full build nor an update holds every paragraph as Python strings at once.
    ``display_slot`` and the patch arrays count patched rows within the block;
    ``coded`` gives each coded column's labels and the block's codes into them.
    """

    search: _BlobPart
    pids: _BlobPart
    pid_keys: np.ndarray
    numbers: np.ndarray
    headings: np.ndarray
    years: np.ndarray
    lengths: np.ndarray
    ocr: np.ndarray
    characters: int
    display_slot: np.ndarray
    patch_kind: np.ndarray
    patch_counts: np.ndarray
    patch_positions: np.ndarray
    patches: _BlobPart
    coded: dict[str, tuple[list[str], np.ndarray]]

    @property
    def rows(self) -> int:
        return len(self.numbers)


def _blob_part(values: list[str], search: bool = False) -> _BlobPart:
    blob, offsets = _blob(values, search)
    return _BlobPart((blob,), np.diff(offsets.astype(np.int64)))


def columns_block(columns: ParagraphColumns) -> ColumnsBlock:
    """The block of rows held as Python lists in ``columns`` (its ``docnum_to_row`` is not used)."""
    n = len(columns.texts)
    patches = _display_patches(columns.texts, columns.search)
    return ColumnsBlock(
        search=_blob_part(columns.search, search=True),
        pids=_blob_part(columns.paragraph_ids),
        pid_keys=np.fromiter((paragraph_key(p) for p in columns.paragraph_ids), dtype="<u8", count=n),
        numbers=np.array(columns.numbers, dtype="<i4"),
        headings=np.array(columns.headings, dtype="u1"),
        years=np.array(columns.years, dtype="<i4"),
        lengths=np.fromiter((len(s) for s in columns.search), dtype="<i4", count=n),
        ocr=np.array([np.nan if c is None else c for c in columns.ocr_confidences], dtype="<f8"),
        characters=sum(map(len, columns.texts)),
        display_slot=patches["display_slot"],
        patch_kind=patches["patch_kind"],
        patch_counts=np.diff(patches["patch_starts"]),
        patch_positions=patches["patch_positions"],
        patches=_BlobPart((patches["patch_blob"],), np.diff(patches["patch_offsets"].astype(np.int64))),
        coded={name: _coded(getattr(columns, field)) for name, field in CODED_COLUMNS.items()},
    )


def _runs(indices: np.ndarray) -> list[tuple[int, int]]:
    """The stretches of consecutive values of an ascending int array, as [start, end) pairs."""
    if not len(indices):
        return []
    breaks = np.flatnonzero(np.diff(indices) != 1) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(indices)]))
    return list(zip(indices[starts].tolist(), (indices[ends - 1] + 1).tolist()))


def _carried_blob(column: "TextColumn", rows: np.ndarray) -> _BlobPart:
    off = column.offsets.astype(np.int64)
    base = column.base
    if column.path is not None:  # copied from the file, not through the mapping
        pieces = tuple(FileRange(column.path, base + int(off[a]), int(off[b] - off[a])) for a, b in _runs(rows))
    else:
        view = memoryview(column.buf)
        pieces = tuple(view[base + off[a] : base + off[b]] for a, b in _runs(rows))
    return _BlobPart(pieces, off[rows + 1] - off[rows])


def carried_block(mapped: "MappedColumns", rows: np.ndarray) -> ColumnsBlock:
    """The block of ``rows`` (ascending) of a columns file, copied in its encoding: no text is decoded
    except the whole display texts whose length differs from the search text's (for ``characters``)."""
    rows = np.asarray(rows, dtype=np.int64)
    slot = mapped.array("display_slot")[rows]
    patched = slot >= 0
    old = slot[patched].astype(np.int64)  # the rows' places among the old file's patched rows, ascending
    starts = mapped.array("patch_starts").astype(np.int64)
    counts = starts[old + 1] - starts[old]
    positions = mapped.array("patch_positions")
    kinds = mapped.array("patch_kind")[old]
    new_slot = slot.astype("<i4")  # the house styles' slots as they were
    new_slot[patched] = np.arange(len(old), dtype="<i4")
    every_length = mapped.array("lengths")
    lengths = every_length[rows]
    characters = int(lengths.sum(dtype=np.int64))
    for r in rows[patched][kinds == PATCH_WHOLE].tolist():  # the only display texts whose length may differ
        characters += len(mapped.texts[r]) - int(every_length[r])
    key_of_row = np.empty(mapped.rows, dtype="<u8")
    key_of_row[mapped.array("pid_rows")] = mapped.array("pid_keys")
    return ColumnsBlock(
        search=_carried_blob(mapped.search, rows),
        pids=_carried_blob(mapped.paragraph_ids, rows),
        pid_keys=key_of_row[rows],
        numbers=mapped.array("numbers")[rows],
        headings=mapped.array("headings")[rows],
        years=mapped.array("years")[rows],
        lengths=lengths,
        ocr=mapped.ocr_confidences.at(rows),
        characters=characters,
        display_slot=new_slot,
        patch_kind=kinds,
        patch_counts=counts,
        patch_positions=np.concatenate([positions[starts[a] : starts[b]] for a, b in _runs(old)] or [_NO_POSITIONS]),
        patches=_carried_blob(mapped.texts.patches, old),
        coded={name: (mapped.labels[name], mapped.array("code_" + name)[rows]) for name in CODED_COLUMNS},
    )


class _ArrayOut:
    """One array of a columns file as it is written a block at a time: kept as the blocks' arrays (in memory),
    or appended to a scratch file (``path``) whose bytes :func:`write_parts` later copies file to file."""

    def __init__(self, dtype: str, path: Path | None):
        self.dtype = np.dtype(dtype)
        self.count = 0
        self._held: list[np.ndarray] = []
        self._path = path
        self._file = open(path, "wb", buffering=0) if path is not None else None  # each block's bytes leave at once

    def add(self, values) -> None:
        if len(values) and self.dtype.kind in "iu" and np.asarray(values).dtype != self.dtype:
            low, high = np.min(values), np.max(values)
            if low < np.iinfo(self.dtype).min or high > np.iinfo(self.dtype).max:
                raise OverflowError(f"{low}..{high} do not fit {self.dtype}")
        values = np.ascontiguousarray(values, dtype=self.dtype)
        if not len(values):
            return
        self.count += len(values)
        if self._file is None:
            self._held.append(values)
            return
        view = memoryview(values).cast("B")
        while view:
            view = view[self._file.write(view):]

    def pieces(self) -> list:
        """The array's bytes as pieces to write back to back."""
        if self._file is None:
            return [memoryview(a).cast("B") for a in self._held]  # the arrays themselves, not copies
        self._file.close()
        return [FileRange(str(self._path), 0, self.count * self.dtype.itemsize)] if self.count else []

    def read(self) -> np.ndarray:
        """The whole array, in memory."""
        if self._file is None:
            return np.concatenate(self._held) if self._held else np.zeros(0, dtype=self.dtype)
        return np.fromfile(self._path, dtype=self.dtype, count=self.count)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class _BlobOut:
    """A blob written a block at a time: its rows' pieces (bytes, or :class:`FileRange`), and their offsets."""

    def __init__(self, offsets: _ArrayOut):
        self.pieces: list = []
        self.size = 0
        self.offsets = offsets
        offsets.add(np.zeros(1, dtype="<u8"))

    def add(self, part: _BlobPart) -> None:
        self.pieces.extend(part.pieces)
        if len(part.lengths):
            self.offsets.add(np.cumsum(part.lengths, dtype=np.int64) + self.size)
            self.size += int(part.lengths.sum(dtype=np.int64))


class ColumnsAssembly:
    """A columns file made from :class:`ColumnsBlock` s added one at a time, so that no more than one block's
    rows are held at once (:meth:`add`), then written from :meth:`parts`.

    With a ``scratch`` folder each array goes to a file there as it is made
    (the file's pieces are copied from it file to file): what stays in memory
    is each coded column's labels and, until :meth:`parts`, no row at all;
    the arrays made over every row (the paragraph-id index, the region rank,
    the rows by report) are made there from the arrays read back, a few
    bytes a row. Without one, the blocks' arrays are kept (a file of a few
    rows, or a test). Use as a context manager: leaving it removes the
    scratch files (and the folder, when empty), so write the parts inside it.
    """

    _ARRAYS = (("search_offsets", "<u8"), ("display_slot", "<i4"), ("patch_rows", "<i4"), ("patch_kind", "u1"),
               ("patch_starts", "<i8"), ("patch_positions", "<i4"), ("patch_offsets", "<u8"), ("pid_offsets", "<u4"),
               ("pid_keys", "<u8"), ("numbers", "<i4"), ("headings", "u1"), ("years", "<i4"), ("lengths", "<i4"),
               ("ocr_rows", "<i4"), ("ocr_values", "<f8"), *(("code_" + name, "<i4") for name in CODED_COLUMNS))

    def __init__(self, scratch: Path | None = None):
        if scratch is not None:
            scratch.mkdir(parents=True, exist_ok=True)
        self._scratch = scratch
        self._out = {name: _ArrayOut(dtype, scratch / f"{name}.bin" if scratch is not None else None)
                     for name, dtype in self._ARRAYS}
        self._search = _BlobOut(self._out["search_offsets"])
        self._patches = _BlobOut(self._out["patch_offsets"])
        self._pids = _BlobOut(self._out["pid_offsets"])
        self._out["patch_starts"].add(np.zeros(1, dtype="<i8"))
        self._labels: dict[str, dict[str, int]] = {name: {} for name in CODED_COLUMNS}
        self.rows = 0
        self._patched = 0  # patched rows so far
        self._positions = 0  # patch positions so far
        self._characters = 0
        self._search_characters = 0

    def __enter__(self) -> "ColumnsAssembly":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, block: ColumnsBlock) -> None:
        """Append ``block``'s rows."""
        out = self._out
        self._search.add(block.search)
        slot = block.display_slot
        out["display_slot"].add(np.where(slot >= 0, slot + self._patched, slot))
        out["patch_rows"].add(np.flatnonzero(slot >= 0) + self.rows)
        out["patch_kind"].add(block.patch_kind)
        if len(block.patch_counts):
            out["patch_starts"].add(np.cumsum(block.patch_counts, dtype=np.int64) + self._positions)
            self._positions += int(block.patch_counts.sum(dtype=np.int64))
        out["patch_positions"].add(block.patch_positions)
        self._patches.add(block.patches)
        self._pids.add(block.pids)
        for name in ("pid_keys", "numbers", "headings", "years", "lengths"):
            out[name].add(getattr(block, name))
        read = ~np.isnan(block.ocr)
        out["ocr_rows"].add(np.flatnonzero(read) + self.rows)
        out["ocr_values"].add(block.ocr[read])
        for name in CODED_COLUMNS:
            out["code_" + name].add(self._recode(name, *block.coded[name]))
        self.rows += block.rows
        self._patched += len(block.patch_kind)
        self._characters += block.characters
        self._search_characters += int(np.asarray(block.lengths).sum(dtype=np.int64))

    def _recode(self, name: str, labels: list[str], codes: np.ndarray) -> np.ndarray:
        """A block's codes into the file's labels of column ``name``, which are in order of first use."""
        if not len(codes):
            return codes
        index = self._labels[name]
        used, first = np.unique(codes, return_index=True)
        lookup = np.zeros(len(labels), dtype=np.int64)
        for code in used[np.argsort(first, kind="stable")].tolist():
            lookup[code] = index.setdefault(labels[code], len(index))
        return lookup[codes]

    def parts(self, docnum_to_row, segments: list | None = None) -> list:
        """The bytes of :data:`COLUMNS_FILE` holding the rows added, in order, as pieces to write back to back.

        ``segments`` (optional, kept in the header): the Whoosh segments the
        rows come from, ``[segment id, documents]`` each in docnum order, which
        lets the next generation take over the rows of the segments it keeps.
        """
        out, n = self._out, self.rows
        labels = {name: list(index) for name, index in self._labels.items()}
        keys = out["pid_keys"].read()
        by_key = np.argsort(keys, kind="stable")
        pid_keys, pid_rows = keys[by_key], by_key.astype("<i4")
        del keys, by_key
        codes = {name: out["code_" + name].read() for name in ("province", "prefecture", "county")}
        region_rank = _region_rank(codes, labels)
        del codes
        report_codes = out["code_report"].read()
        report_order = np.lexsort((np.arange(n), out["numbers"].read(), report_codes)).astype("<i4")
        report_starts = np.searchsorted(report_codes[report_order], np.arange(len(labels["report"]) + 1)).astype("<i8")
        del report_codes
        arrays: dict[str, list | np.ndarray] = {
            "search_blob": self._search.pieces, "search_offsets": out["search_offsets"],
            "display_slot": out["display_slot"], "patch_rows": out["patch_rows"], "patch_kind": out["patch_kind"],
            "patch_starts": out["patch_starts"], "patch_positions": out["patch_positions"],
            "patch_blob": self._patches.pieces, "patch_offsets": out["patch_offsets"],
            "pid_blob": self._pids.pieces, "pid_offsets": out["pid_offsets"],
            "pid_keys": pid_keys, "pid_rows": pid_rows,
            **{name: out[name] for name in ("numbers", "headings", "years", "lengths", "ocr_rows", "ocr_values")},
            "docnum_to_row": np.asarray(docnum_to_row, dtype="<i4"),
            **{"code_" + name: out["code_" + name] for name in CODED_COLUMNS},
            "region_rank": region_rank, "report_rows": report_order, "report_starts": report_starts,
        }
        layout: dict[str, list] = {}
        chunks: list = []
        at = 0
        for name, arr in arrays.items():
            if isinstance(arr, list):  # a blob's pieces
                size = sum(len(p) for p in arr)
                dtype, count = "u1", size
                chunks.extend(arr)
            elif isinstance(arr, _ArrayOut):
                size, dtype, count = arr.count * arr.dtype.itemsize, arr.dtype.str, arr.count
                chunks.extend(arr.pieces())
            else:
                data = np.ascontiguousarray(arr)
                size, dtype, count = data.nbytes, data.dtype.str, len(data)
                chunks.append(memoryview(data).cast("B"))  # the array itself, not a copy of its bytes
            layout[name] = [at, dtype, count]
            pad = -size % _ALIGN
            if pad:
                chunks.append(b"\0" * pad)
            at += size + pad
        header_fields = {
            "version": _VERSION,
            "rows": n,
            "characters": self._characters,
            "avg_len": self._search_characters / n if n else 1.0,
            "labels": labels,
            "arrays": layout,
        }
        if segments is not None:
            header_fields["segments"] = [list(s) for s in segments]
        header = json.dumps(header_fields, ensure_ascii=False).encode("utf-8")
        header += b" " * (-len(header) % _ALIGN)
        return [_MAGIC, struct.pack("<Q", len(header)), header, *chunks]

    def close(self) -> None:
        """Close and remove the scratch files."""
        for arr in self._out.values():
            arr.close()
        if self._scratch is not None:
            for name, _ in self._ARRAYS:
                (self._scratch / f"{name}.bin").unlink(missing_ok=True)
            try:
                self._scratch.rmdir()
            except OSError:  # not empty: not only ours
                pass


def columns_file_parts(blocks: Iterable[ColumnsBlock], docnum_to_row, segments: list | None = None) -> list:
    """The bytes of :data:`COLUMNS_FILE` holding ``blocks``' rows in order, as pieces to write back to back
    (the blocks' arrays kept in memory: see :class:`ColumnsAssembly`)."""
    assembly = ColumnsAssembly()
    for block in blocks:
        assembly.add(block)
    return assembly.parts(docnum_to_row, segments)


def dump_columns(columns: ParagraphColumns, segments: list | None = None) -> bytes:
    """The bytes of :data:`COLUMNS_FILE` for rows held as lists; layout in the module docstring."""
    return b"".join(columns_file_parts([columns_block(columns)], columns.docnum_to_row, segments))


# -- reading ---------------------------------------------------------------------------


def _scalars(arr: np.ndarray, fmt: str) -> memoryview:
    """``arr`` as a memoryview of the native format ``fmt``: indexing it gives Python ints, bools or floats."""
    return memoryview(arr.view(np.uint8)).cast(fmt)


def _utf8(code) -> str:
    return str(code, "utf-8")


class _Rows(Sequence):
    """A column read a row at a time: ``column[i]`` is :meth:`_row` of ``i`` (negative from the end), a slice a
    list of rows."""

    def __len__(self) -> int:
        raise NotImplementedError

    def _row(self, i: int):
        raise NotImplementedError

    def __getitem__(self, i):
        n = len(self)
        if isinstance(i, slice):
            return [self._row(k) for k in range(*i.indices(n))]
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return self._row(i)


class TextColumn(_Rows, Sequence[str]):
    """A column of strings read from a blob: ``column[i]`` decodes row ``i`` on access."""

    def __init__(self, buf, offsets: np.ndarray, base: int, path: str | None = None, decode=_utf8):
        self.buf = buf  # the bytes holding the blob (an mmap or bytes)
        self.base = base  # where the blob starts in ``buf``
        self.path = path  # the file ``buf`` maps from its start, if any
        self.offsets = offsets  # numpy view, for vectorised work
        self.scalar_offsets = self._off = _scalars(offsets, "Q" if offsets.dtype.itemsize == 8 else "I")
        self._n = max(len(offsets) - 1, 0)
        self.decode = decode  # a row's bytes to its text
        self.end = len(ROW_END)  # bytes of a row end

    def __len__(self) -> int:
        return self._n

    def span(self, i: int) -> tuple[int, int]:
        """Row ``i``'s bytes in ``buf``: (start, end), the row end byte excluded."""
        base, off = self.base, self._off
        return base + off[i], base + off[i + 1] - self.end

    def _row(self, i: int) -> str:
        base, off = self.base, self._off
        return self.decode(self.buf[base + off[i] : base + off[i + 1] - self.end])

    def __iter__(self) -> Iterator[str]:
        buf, base, off, end, decode = self.buf, self.base, self._off, self.end, self.decode
        for i in range(self._n):
            yield decode(buf[base + off[i] : base + off[i + 1] - end])


class DisplayColumn(_Rows, Sequence[str]):
    """The display texts: a row's search text, patched where the two differ (see the module docstring)."""

    def __init__(self, search: TextColumn, patches: TextColumn, slot: np.ndarray, kinds: np.ndarray,
                 starts: np.ndarray, positions: np.ndarray):
        self.search = search
        self.patches = patches  # per patched row: its character pairs, its replacing characters or its whole text
        self.slot = slot  # per row: -1, or its place among the patched rows
        self._slot = _scalars(slot, "i")
        self._kinds = _scalars(kinds, "B")
        self._starts = _scalars(starts, "q")
        self._positions = _scalars(positions, "i")

    def __len__(self) -> int:
        return len(self.search)

    def _row(self, i: int) -> str:
        p = self._slot[i]
        if p < 0:
            return self.search[i] if p == SLOT_EQUAL else house_guess(self.search[i], -2 - p)
        kind = self._kinds[p]
        if kind == PATCH_WHOLE:
            return self.patches[p]
        chars, s = self.patches[p], self.search[i]
        if kind == PATCH_MAP:
            return s.translate(str.maketrans(chars[0::2], chars[1::2]))
        if kind >= PATCH_STYLE_AT:
            s = house_guess(s, kind - PATCH_STYLE_AT)
        out, prev = [], 0
        for at, c in zip(self._positions[self._starts[p] : self._starts[p + 1]].tolist(), chars):
            out.append(s[prev:at])
            out.append(c)
            prev = at + 1
        out.append(s[prev:])
        return "".join(out)

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))


class OptionalFloats(_Rows, Sequence[float | None]):
    """A float column held only where it has a value: ``rows`` (ascending) and their ``values``; None elsewhere."""

    def __init__(self, n: int, rows: np.ndarray, values: np.ndarray):
        self._n = n
        self.rows = rows
        self.values = values
        self._v = _scalars(values, "d")

    def __len__(self) -> int:
        return self._n

    def _row(self, i: int) -> float | None:
        k = int(np.searchsorted(self.rows, i))
        return self._v[k] if k < len(self.rows) and self.rows[k] == i else None

    def at(self, rows: np.ndarray) -> np.ndarray:
        """The values of ``rows`` as floats, NaN where there is none."""
        out = np.full(len(rows), np.nan, dtype="<f8")
        if len(self.rows):
            k = np.minimum(np.searchsorted(self.rows, rows), len(self.rows) - 1)
            found = self.rows[k] == rows
            out[found] = self.values[k[found]]
        return out


class MappedColumns:
    """The columns of one columns file held in ``buf`` (an mmap, or bytes); see the module docstring.

    Raises :class:`ColumnsFormatError` when ``buf`` is not a columns file of this version.
    """

    def __init__(self, buf, path: str | None = None):
        self.buf = buf
        self.path = path  # the file ``buf`` maps, if any
        if len(buf) < 16 or bytes(buf[:8]) != _MAGIC:
            raise ColumnsFormatError("not a columns file")
        (size,) = struct.unpack("<Q", buf[8:16])
        try:
            header = json.loads(bytes(buf[16 : 16 + size]).decode("utf-8"))
        except ValueError as exc:
            raise ColumnsFormatError(f"unreadable header: {exc}") from exc
        if header.get("version") != _VERSION:
            raise ColumnsFormatError(f"version {header.get('version')}, not {_VERSION}")
        self.header = header
        self._arrays_at = 16 + size
        self.rows: int = header["rows"]
        self.characters: int = header["characters"]
        self.avg_len: float = header["avg_len"]
        self.labels: dict[str, list[str]] = header["labels"]
        #: ``[segment id, documents]`` of each Whoosh segment in docnum order, or None (a file written without them)
        self.segments: list[list] | None = header.get("segments")
        self.search = self._text("search", search_code.decode)
        self.texts = DisplayColumn(self.search, self._text("patch"), self.array("display_slot"), self.array("patch_kind"),
                                   self.array("patch_starts"), self.array("patch_positions"))
        self.paragraph_ids = self._text("pid")
        self.ocr_confidences = OptionalFloats(self.rows, self.array("ocr_rows"), self.array("ocr_values"))

    def array(self, name: str) -> np.ndarray:
        """An array of the file, viewed on ``buf`` (read-only when ``buf`` is)."""
        at, dtype, count = self.header["arrays"][name]
        if count == 0:
            return np.zeros(0, dtype=dtype)
        return np.frombuffer(self.buf, dtype=dtype, count=count, offset=self._arrays_at + at)

    def scalars(self, name: str, fmt: str) -> memoryview:
        """An array as a memoryview of ``fmt`` (its items are Python ints, bools or floats)."""
        return _scalars(self.array(name), fmt)

    def _text(self, prefix: str, decode=_utf8) -> TextColumn:
        at = self.header["arrays"][prefix + "_blob"][0]
        return TextColumn(self.buf, self.array(prefix + "_offsets"), self._arrays_at + at, self.path, decode)


def open_columns(columns: ParagraphColumns) -> MappedColumns:
    """Columns held in memory in the file's format (a generation without the file, an empty index)."""
    return MappedColumns(dump_columns(columns))


def load_columns(path: Path, *, populate: bool = False) -> MappedColumns | None:
    """The columns file at ``path`` mapped read-only, or None when missing, unreadable or of another version.

    ``populate`` maps every page now (``MAP_POPULATE``) rather than at its first
    read: a reader's first searches then do not stop on a page fault for each
    paragraph they verify (at 100M, 营商环境 first 53 ms, then 18 ms); mapping
    the 359 MB file already in the page cache took 37 ms.
    """
    flags = mmap.MAP_SHARED | (getattr(mmap, "MAP_POPULATE", 0) if populate else 0)
    try:
        with open(path, "rb") as f:
            mm = mmap.mmap(f.fileno(), 0, flags=flags, prot=mmap.PROT_READ)
    except (OSError, ValueError) as exc:  # ValueError: an empty file
        log.info("no usable columns at %s: %s", path, exc)
        return None
    try:
        return MappedColumns(mm, str(path))
    except (ColumnsFormatError, KeyError, struct.error) as exc:
        log.info("no usable columns at %s: %s", path, exc)
        return None
