"""Build or update an index on disk without ever losing the previous one.

An *index directory* holds *generations*. Each generation is a folder
``gen-NNNNNN`` holding a complete Whoosh index of paragraphs (``whoosh/``: only
what is searched there, :mod:`index.schema`),
``reports.json`` (report metadata), ``evidence.bin`` (each report's metadata
evidence, compressed, read one report at a time: :func:`evidence_offsets`), ``sketches.bin`` (each
report's content sketch, read only by the writer to spot duplicates) and the paragraph columns
the query path loads (:mod:`index.columns`); the file ``CURRENT`` names the generation readers
use. An update makes a new folder whose Whoosh index shares the current
generation's *segment* files through hard links (Whoosh never rewrites a
segment file: deletions live in the index's table of contents), writes the
new paragraphs as new segments — *flushing* them out of memory every
:data:`FLUSH_CHARACTERS` characters, so a build's memory does not grow with the
corpus — and each segment's rows as their paragraphs are added (in a scratch
folder of the unpublished generation, :class:`index.carry.SavedRows`), merges
small segments (:func:`index.whoosh_internals.merge_small_segments`), saves the
reports and columns, removes the scratch folder and only then replaces ``CURRENT`` in one atomic
rename: a published generation is complete and never written again. A run that
fails, is interrupted or is killed leaves ``CURRENT`` — and so every reader —
exactly where it was; the next run clears the abandoned folder.

One writer at a time: :meth:`IndexStore.update` takes an exclusive lock on
``.lock`` (released by the kernel if the process dies) and waits for it up to
``wait`` seconds before raising :class:`IndexBusyError`.

Adding a report (:meth:`IndexUpdate.add_report`) is idempotent: the same file
indexed twice changes nothing; a file whose content changed replaces its
report; the same report read from a second file (the national reports exist in
two folders) is recognised by region, year and content and gains a source
instead of becoming a second report.
"""
from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import json
import logging
import os
import shutil
import struct
import time
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from whoosh import index as whoosh_index

from . import schema as S
from .analysis import crc32_spans, exact_codes_of, exact_vocabulary, sorted_distinct, utf8_sizes
from .carry import SAVED_ROWS, Previous, RowPlan, RowsMissingError, SavedRows
from .columns import COLUMNS_FILE, COLUMNS_SCRATCH, ColumnsAssembly, write_parts
from .postings import POSTINGS_FILE, SAVED_POSTINGS, SavedPostings
from .whoosh_internals import (MergedSegment, abandon_writer, add_document, close_leftover_files, fast_writer,
                               has_fast_pool, link_index, merge_small_segments, new_segment_id)
from .report import Report

__all__ = ["IndexBusyError", "IndexStoreError", "IndexStore", "IndexUpdate", "AddResult", "PublishTimes",
           "default_index_dir", "EVIDENCE", "evidence_entries", "evidence_offsets"]

log = logging.getLogger(__name__)


class IndexStoreError(Exception):
    """The index directory cannot be used: not an index, unreadable, read-only or the disk is full."""


class IndexBusyError(IndexStoreError):
    """Another ``baogao index`` run holds the write lock and did not finish within the wait."""


CURRENT = "CURRENT"
LOCK = ".lock"
REPORTS = "reports.json"
#: Each report's content sketch: only the writer reads it, so a reader opening a
#: generation does not parse it (it was 45 % of reports.json). Binary (:func:`_sketch_pieces`): at 100M
#: characters 5.6 MB, where the JSON lists took 13.1.
SKETCHES = "sketches.bin"
_SKETCHES_JSON = "sketches.json"  # a generation written before the binary file
_SKETCHES_MAGIC = b"BGSKETCH1\n"
_U32 = struct.Struct("<I")
#: Each report's evidence (where its title, year and region were read): after its magic, per report (in id
#: order) the id's UTF-8 length (uint32), the id, the length of its evidence (uint32) and the evidence as
#: zlib-compressed JSON, as the writer holds it (:class:`PackedJSON`). It was 77 % of reports.json (13 of
#: 17 MB at 100M characters) and 50 of the 68 MB a server held parsing it; a reader now reads and parses one
#: report's evidence when a page shows it. As one line of JSON a report it took 13.5 MB at 100M, 3.6 so.
EVIDENCE = "evidence.bin"
_EVIDENCE_MAGIC = b"BGEVIDENCE1\n"
WHOOSH = "whoosh"  # the Whoosh index inside a generation folder
#: The generation's format (:data:`index.schema.SCHEMA_VERSION`): code of another format would read its
#: terms wrongly (a rare bigram's bucket name changed with the number of buckets), so it refuses.
FORMAT = "FORMAT"
GEN_PREFIX = "gen-"
KEEP_GENERATIONS = 2  # the current one and the one before it (readers may still hold it)
DUPLICATE_CONTAINMENT = 0.7


#: Characters of new paragraphs held in memory before they are written out as a segment. Whoosh
#: spends about the same on a segment's terms whatever its size (some 100,000 terms, 8 MB of them at
#: 100M characters), so fewer, larger segments make a smaller index: at 100M characters 16M in 7
#: segments took 147 MB, 48M in 3 segments 79 MB, and the build's peak went from 0.8 to 1.4 GB.
FLUSH_CHARACTERS = 48_000_000


def flush_characters_setting() -> int:
    """``$BAOGAO_FLUSH_CHARACTERS`` or :data:`FLUSH_CHARACTERS`."""
    try:
        return max(1, int(os.environ.get("BAOGAO_FLUSH_CHARACTERS") or FLUSH_CHARACTERS))
    except ValueError:
        return FLUSH_CHARACTERS


def default_index_dir() -> Path:
    """``$BAOGAO_INDEX`` or ``var/index``."""
    return Path(os.environ.get("BAOGAO_INDEX") or "var/index")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes | Iterable) -> None:
    """Write ``data`` (bytes, or pieces written back to back as they come, :func:`index.columns.write_parts`)
    to ``path`` through a synced temporary file."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        write_parts(f, (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _disk_error(exc: OSError, root: Path) -> IndexStoreError:
    if exc.errno == errno.ENOSPC:
        return IndexStoreError(f"磁盘已满，无法写入索引 {root}；原索引未改动")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return IndexStoreError(f"索引目录 {root} 不可写（只读或无权限）；原索引未改动")
    return IndexStoreError(f"写入索引 {root} 失败：{exc.strerror or exc}；原索引未改动")


@dataclass(frozen=True)
class PackedJSON:
    """A value of a record the writer only writes out, held as zlib-compressed JSON: a report's ``evidence``
    took 6.5 KB of the 8 KB a record held as Python lists and dicts (43 MB for the 5,287 reports of 100M
    characters), about 1 KB so. :data:`EVIDENCE` holds the value itself (:func:`_write_records`)."""

    data: bytes

    @classmethod
    def of(cls, value) -> "PackedJSON":
        return cls.of_json(json.dumps(value, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def of_json(cls, text: bytes) -> "PackedJSON":
        """The value whose JSON is ``text`` (UTF-8), packed without being parsed."""
        return cls(zlib.compress(text))

    def json(self) -> bytes:
        """The value's JSON (UTF-8)."""
        return zlib.decompress(self.data)

    def value(self):
        return json.loads(self.json())


#: The fields of a record held as :class:`PackedJSON`.
PACKED_FIELDS = ("evidence",)


def _packed(record: dict) -> dict:
    for key in PACKED_FIELDS:
        if key in record and not isinstance(record[key], PackedJSON):
            record[key] = PackedJSON.of(record[key])
    return record


def _unpacked(value):
    """``default`` of the JSON encoder: a :class:`PackedJSON` as its value."""
    if isinstance(value, PackedJSON):
        return value.value()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def evidence_entries(f, *, read: bool = True) -> Iterator[tuple[str, int, int, bytes]]:
    """(report id, offset, length, compressed JSON) of each report's evidence in a generation's
    :data:`EVIDENCE`, open as the binary file ``f``; with ``read=False`` the evidence is skipped, not read
    (``b""``). Raises :class:`IndexStoreError` for a file that is not an evidence file or is cut short."""
    damaged = IndexStoreError(f"{EVIDENCE} 已损坏：请删除索引后重新运行 baogao index")
    end = f.seek(0, os.SEEK_END)
    f.seek(0)
    if f.read(len(_EVIDENCE_MAGIC)) != _EVIDENCE_MAGIC:
        raise damaged
    at = len(_EVIDENCE_MAGIC)
    while head := f.read(4):
        try:
            (n,) = _U32.unpack(head)
            rid = f.read(n).decode("utf-8")
            (k,) = _U32.unpack(f.read(4))
        except (struct.error, UnicodeDecodeError) as exc:
            raise damaged from exc
        at += 8 + n
        if at + k > end:
            raise damaged
        if read:
            data = f.read(k)
        else:
            data = b""
            f.seek(k, os.SEEK_CUR)
        yield rid, at, k, data
        at += k


def evidence_offsets(f) -> dict[str, tuple[int, int]]:
    """Where each report's evidence lies in a generation's :data:`EVIDENCE`, open as the binary file ``f``:
    (offset, length) of its compressed JSON by report id."""
    return {rid: (at, k) for rid, at, k, _ in evidence_entries(f, read=False)}


def _evidence_pieces(reports: dict[str, dict]) -> Iterator[bytes]:
    """:data:`EVIDENCE` a report at a time."""
    yield _EVIDENCE_MAGIC
    for rid in sorted(reports):
        key = rid.encode("utf-8")
        value = reports[rid].get("evidence")
        data = (value if isinstance(value, PackedJSON) else PackedJSON.of(value or [])).data
        yield _U32.pack(len(key)) + key + _U32.pack(len(data)) + data


def _read_records(gen_dir: Path) -> dict[str, dict]:
    """The writer's report records of a generation: ``reports.json`` with each record's ``sketch``
    put back from :data:`SKETCHES` and its ``evidence`` from :data:`EVIDENCE` (a generation written before
    a split keeps them in reports.json), its :data:`PACKED_FIELDS` packed."""
    reports = json.loads((gen_dir / REPORTS).read_text(encoding="utf-8"))
    for rec in reports.values():
        _packed(rec)
        if "sketch" in rec:
            rec["sketch"] = _sketch_array(rec["sketch"])
    try:
        with open(gen_dir / EVIDENCE, "rb") as f:  # absent from a generation written before the split
            for rid, _, _, data in evidence_entries(f):
                if rid in reports:
                    reports[rid]["evidence"] = PackedJSON(data)
    except FileNotFoundError:
        pass
    path = gen_dir / SKETCHES
    if path.exists():
        for rid, sketch in _read_sketches(path.read_bytes()):
            if rid in reports:
                reports[rid]["sketch"] = sketch
    elif (gen_dir / _SKETCHES_JSON).exists():
        for rid, sketch in json.loads((gen_dir / _SKETCHES_JSON).read_text(encoding="utf-8")).items():
            if rid in reports:
                reports[rid]["sketch"] = _sketch_array(sketch)
    return reports


def _sketch_pieces(reports: dict[str, dict]) -> Iterator[bytes]:
    """:data:`SKETCHES` a report at a time: its magic, then per report the id's UTF-8 length (uint32), the id,
    the sketch's length (uint32) and its hashes (uint32 each, little-endian)."""
    yield _SKETCHES_MAGIC
    for rid in sorted(reports):
        sketch = reports[rid].get("sketch") or array("I")
        key = rid.encode("utf-8")
        yield _U32.pack(len(key)) + key + _U32.pack(len(sketch)) + np.asarray(sketch, dtype="<u4").tobytes()


def _read_sketches(data: bytes) -> Iterator[tuple[str, array]]:
    """(report id, sketch) of each report in the bytes of :data:`SKETCHES`."""
    if not data.startswith(_SKETCHES_MAGIC):
        raise IndexStoreError(f"{SKETCHES} 已损坏：请删除索引后重新运行 baogao index")
    at = len(_SKETCHES_MAGIC)
    while at < len(data):
        (n,) = _U32.unpack_from(data, at)
        rid = data[at + 4: at + 4 + n].decode("utf-8")
        (k,) = _U32.unpack_from(data, at + 4 + n)
        start = at + 8 + n
        yield rid, array("I", np.frombuffer(data, dtype="<u4", count=k, offset=start).astype(np.uint32).tobytes())
        at = start + 4 * k


def _sketch_array(sketch) -> array:
    """A sketch as the writer holds it: 1 KB a report in an ``array('I')`` (the 256 hashes as Python ints in a
    list took 9 KB: 240 MB at 500M characters, for the whole build)."""
    return array("I", sketch or ())


def _json_object(members: Iterator[tuple[str, str]], separators: tuple[str, str]) -> Iterator[bytes]:
    """The UTF-8 pieces of a JSON object whose members are given as (key, value), both already in JSON: the
    bytes ``json.dumps`` makes of the whole object with these ``separators``, one member at a time."""
    item, key = separators
    yield b"{"
    for k, (name, value) in enumerate(members):
        yield ((item if k else "") + name + key + value).encode("utf-8")
    yield b"}"


def _write_records(gen_dir: Path, reports: dict[str, dict]) -> None:
    """Write ``reports.json`` without the sketches and the evidence, :data:`EVIDENCE` and :data:`SKETCHES`
    with them, a report at a time: no file is ever held whole (at 500M characters reports.json was 85 MB)."""
    public = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_unpacked).encode
    _write_atomic(gen_dir / REPORTS, _json_object(
        ((public(rid), public({k: v for k, v in reports[rid].items() if k not in ("sketch", "evidence")}))
         for rid in sorted(reports)),
        (", ", ": ")))
    _write_atomic(gen_dir / EVIDENCE, _evidence_pieces(reports))
    _write_atomic(gen_dir / SKETCHES, _sketch_pieces(reports))


def report_record(report: Report, indexed_at: str, sketch: tuple[int, ...]) -> dict:
    """The writer's record of a report: what ``reports.json`` keeps (:data:`PACKED_FIELDS` packed), plus its
    ``sketch`` (kept in :data:`SKETCHES`, held as an ``array('I')``)."""
    return _packed({
        **report.metadata(),
        "paragraphs": len(report.paragraphs),
        "sketch": _sketch_array(sketch),
        "indexed_at": indexed_at,
    })


#: Between one paragraph's words in :attr:`ReportPostings.words`: a byte UTF-8 never uses.
WORD_SEPARATOR = b"\xff"


@dataclass(frozen=True)
class ReportPostings:
    """What writing a report needs beyond the report, computable in a worker process: its content sketch
    and each paragraph's postings (:func:`index.schema.paragraph_postings`), read with :meth:`paragraphs`.

    Packed for the trip back from the worker: the paragraphs' exact-term codes
    in one array, their words in one blob (UTF-8, separated by
    :data:`WORD_SEPARATOR`) and the words' frequencies in one array; ``*_ends``
    say where each paragraph's codes and words end. As a list of (word,
    weight, value) per paragraph, the words took 0.27 µs a character to
    pickle in the worker and 0.14 µs to unpickle in the writer.
    """

    sketch: tuple[int, ...]
    exact: array  # 'I'
    exact_ends: array  # 'I', one per paragraph
    words: bytes
    frequencies: array  # 'd', one per word
    word_ends: array  # 'I', one per paragraph

    def paragraphs(self) -> Iterator[tuple[array, list[bytes], array]]:
        """(exact-term codes, words, frequencies) of each paragraph, in order."""
        words = self.words.split(WORD_SEPARATOR) if self.words else []
        e0 = w0 = 0
        for e1, w1 in zip(self.exact_ends, self.word_ends):
            yield self.exact[e0:e1], words[w0:w1], self.frequencies[w0:w1]
            e0, w0 = e1, w1


def report_postings(report: Report) -> ReportPostings:
    """The :class:`ReportPostings` of a report."""
    codes, ends = exact_codes_of([p.search_text for p in report.paragraphs])
    exact, exact_ends = array("I", codes.astype("=u4").tobytes()), array("I", ends.astype("=u4").tobytes())
    words, frequencies, word_ends = [], array("d"), array("I")
    for p in report.paragraphs:
        terms, freqs = S.paragraph_words(p.search_text)
        words += terms
        frequencies.extend(freqs)
        word_ends.append(len(words))
    return ReportPostings(report_sketch(report), exact, exact_ends, WORD_SEPARATOR.join(words), frequencies,
                          word_ends)


SKETCH_SIZE = 256


#: Characters in a shingle of :func:`report_sketch`.
SHINGLE = 5


def shingle_hashes(text: str, width: int = SHINGLE) -> np.ndarray:
    """``zlib.crc32`` of the UTF-8 bytes of every ``width``-character slice of ``text`` whose first
    character has an even code point, in order (uint32).

    The CRC runs over all the slices at once (:func:`index.analysis.crc32_spans`):
    a Python call per slice took 15 % of the workers' postings at 100M
    characters (py-spy).
    """
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    n = len(points) - width + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint32)
    sizes = utf8_sizes(points)
    ends = np.cumsum(sizes)
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    first = np.flatnonzero((points[:n] & 1) == 0)
    start = ends[first] - sizes[first]
    return crc32_spans(data, start, ends[first + width - 1] - start)


def report_sketch(report: Report, k: int = SKETCH_SIZE) -> tuple[int, ...]:
    """A bottom-k sketch of the report's 5-character shingles (estimates content overlap): the ``k``
    smallest distinct :func:`shingle_hashes` of its search texts run together without spaces.

    Only shingles whose first character has an even code point are hashed:
    the choice depends on the content alone, so two copies of a text sample
    the same shingles wherever they stand, at half the cost.
    """
    text = "".join(p.search_text.replace(" ", "") for p in report.paragraphs)
    return tuple(sorted_distinct(shingle_hashes(text))[:k].tolist())


def sketch_containment(a: list[int] | tuple[int, ...], b: list[int] | tuple[int, ...]) -> float:
    """Estimated share of the smaller text's shingles that the other text also has.

    One report scraped from a paged article holds only its first page: the
    share is then near 1 although the two texts differ greatly in length.
    """
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    # only hashes below both sketches' largest values are comparable
    limit = min(max(sa), max(sb))
    ca = {h for h in sa if h <= limit}
    cb = {h for h in sb if h <= limit}
    smaller = ca if len(ca) <= len(cb) else cb
    other = cb if smaller is ca else ca
    if len(smaller) < 8:
        return 0.0
    return len(smaller & other) / len(smaller)


def _region_year(record: dict) -> tuple:
    """The (year, region code, level) a report record is compared by when looking for duplicates."""
    return record["year"], record["region"].get("code"), record["region"].get("level")


@dataclass(frozen=True)
class PublishTimes:
    """Seconds the steps of publishing a generation took, and where its rows came from
    (``carried_rows`` taken over with their segments from the previous generation, the rest from the rows
    this update saved and, in a merged segment, the merged segments' rows)."""

    commit: float
    columns: float
    postings: float
    rows: int
    carried_rows: int

    def as_dict(self) -> dict:
        return {"commit_seconds": round(self.commit, 2), "columns_seconds": round(self.columns, 2),
                "postings_seconds": round(self.postings, 2), "rows": self.rows, "carried_rows": self.carried_rows}


@dataclass(frozen=True)
class AddResult:
    """What :meth:`IndexUpdate.add_report` did: ``added``, ``replaced``, ``unchanged`` or ``duplicate``."""

    outcome: str
    report_id: str
    paragraphs: int = 0


class IndexStore:
    """An index directory (see the module docstring).

    ``fast_pool=False`` writes through Whoosh's stock posting pool instead of
    :mod:`index.whoosh_internals` (tests compare the two). ``flush_characters``:
    how many characters of new paragraphs a writer holds in memory before it
    writes them out as a segment (default :func:`flush_characters_setting`).
    """

    def __init__(self, root: str | Path, *, fast_pool: bool = True, flush_characters: int | None = None):
        self.root = Path(root)
        self.fast_pool = fast_pool
        self.flush_characters = flush_characters or flush_characters_setting()

    # -- reading -------------------------------------------------------------

    def current_generation(self) -> str | None:
        """The name of the generation readers use, or None for an empty store."""
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise IndexStoreError(f"无法读取索引 {self.root}：{exc}") from exc
        return name or None

    def generation_dir(self, name: str) -> Path:
        return self.root / name

    def old_layout(self, gdir: Path, found: str | None = None) -> IndexStoreError:
        """The error for a generation written by an older baogao, in a layout this one cannot read or update
        (``found``: the format its ``FORMAT`` file names, ``?`` for none)."""
        detail = f"（格式 {found}，本版为 {S.SCHEMA_VERSION}）" if found is not None else "，格式已变"
        return IndexStoreError(f"{gdir} 是旧版 baogao 写的索引{detail}：请删除 {self.root} 后重新运行 baogao index")

    def incomplete(self, gdir: Path, missing: str) -> IndexStoreError:
        """The error for a generation that lost a file it cannot be searched or updated without."""
        return IndexStoreError(f"{gdir} 不完整（{missing} 缺失或损坏）：请删除 {self.root} 后重新运行 baogao index")

    def _open_whoosh(self, gdir: Path):
        """The generation's Whoosh index; :class:`IndexStoreError` for a generation of another format."""
        wdir = gdir / WHOOSH
        try:
            found = (gdir / FORMAT).read_text(encoding="utf-8").strip()
        except OSError:
            found = "?"
        if not wdir.is_dir() or found != str(S.SCHEMA_VERSION):
            raise self.old_layout(gdir, found)
        return whoosh_index.open_dir(str(wdir))

    def exists(self) -> bool:
        return self.current_generation() is not None

    def open_generation(self, name: str | None = None):
        """(whoosh index, reports dict, generation name) of the current (or named) generation."""
        name = name or self.current_generation()
        if name is None:
            raise IndexStoreError(f"{self.root} 还没有索引：先运行 baogao index")
        gdir = self.generation_dir(name)
        try:
            ix = self._open_whoosh(gdir)
            reports = json.loads((gdir / REPORTS).read_text(encoding="utf-8"))
        except (OSError, ValueError, whoosh_index.IndexError) as exc:
            raise IndexStoreError(f"无法打开索引 {gdir}：{exc}") from exc
        return ix, reports, name

    def read_reports(self) -> dict[str, dict]:
        """The report records of the current generation (empty for an empty store)."""
        name = self.current_generation()
        if name is None:
            return {}
        return json.loads((self.generation_dir(name) / REPORTS).read_text(encoding="utf-8"))

    # -- writing -------------------------------------------------------------

    def update(self, *, wait: float = 0.0) -> "IndexUpdate":
        """A context manager that writes one new generation (see :class:`IndexUpdate`)."""
        return IndexUpdate(self, wait=wait)


class IndexUpdate:
    """One write transaction. Use as ``with store.update() as up: up.add_report(r)``.

    Leaving the block normally commits and publishes the new generation (if
    anything changed); an exception cancels it and leaves the index as it was.
    """

    def __init__(self, store: IndexStore, *, wait: float = 0.0):
        self.store = store
        self.wait = wait
        self._lock_fd: int | None = None
        self._writer = None
        self._ix = None
        self.reports: dict[str, dict] = {}
        self.changed = False
        self.gen_dir: Path | None = None
        self.generation: str | None = None
        self._previous_dir: Path | None = None  # the generation this one starts from
        self._previous: Previous | None = None  # its columns and frequent postings
        self._saved: SavedRows | None = None  # the rows of the segments this update writes
        self._saved_postings: SavedPostings | None = None  # and their postings, as the writer writes them
        self.publish_times: PublishTimes | None = None
        self._unflushed_characters = 0
        self._unflushed_reports: set[str] = set()
        self.flushes = 0
        self._by_region_year: dict[tuple, dict[str, None]] | None = None  # (year, code, level) -> report ids
        self._by_source: dict[str, dict[str, None]] | None = None  # source -> ids of reports that may list it
        self.indexed_at = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()

    # -- lock ----------------------------------------------------------------

    def _acquire(self) -> None:
        root = self.store.root
        try:
            root.mkdir(parents=True, exist_ok=True)
            fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _disk_error(exc, root) from exc
        deadline = time.monotonic() + self.wait
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise IndexBusyError(
                        f"另一个 baogao index 正在写入 {root}，请等它结束后再试（或用 --wait 秒数 等待）"
                    ) from None
                if not announced:
                    log.warning("index %s is locked by another run; waiting", root)
                    announced = True
                time.sleep(0.2)
        self._lock_fd = fd

    def _release(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- transaction ---------------------------------------------------------

    def __enter__(self) -> "IndexUpdate":
        self._acquire()
        try:
            self._begin()
        except BaseException:
            self._abandon()
            self._release()
            raise
        return self

    def _next_generation(self) -> str:
        numbers = [0]
        for p in self.store.root.glob(GEN_PREFIX + "*"):
            try:
                numbers.append(int(p.name[len(GEN_PREFIX):]))
            except ValueError:
                continue
        return f"{GEN_PREFIX}{max(numbers) + 1:06d}"

    def _begin(self) -> None:
        root = self.store.root
        current = self.store.current_generation()
        self._remove_abandoned(current)
        self.generation = self._next_generation()
        self.gen_dir = root / self.generation
        try:
            if current:
                src = root / current
                self.store._open_whoosh(src).close()  # an index of the old layout stops here
                self._previous = Previous.open(src)
                if self._previous is None:  # nor can its rows be carried: columns of an older layout
                    raise self.store.old_layout(src)
                if self._previous.frequent is None:  # which alone holds the terms its segments left out of Whoosh
                    raise self.store.incomplete(src, POSTINGS_FILE)
                self.gen_dir.mkdir()
                link_index(src / WHOOSH, self.gen_dir / WHOOSH)
                self._previous_dir = src
                self.reports = _read_records(src)
                self._ix = whoosh_index.open_dir(str(self.gen_dir / WHOOSH))
            else:
                self.gen_dir.mkdir()
                (self.gen_dir / WHOOSH).mkdir()
                self._ix = whoosh_index.create_in(str(self.gen_dir / WHOOSH), S.paragraph_schema())
                self.reports = {}
                self.changed = True  # an empty store gets a first (possibly empty) generation
            self._saved = SavedRows(self.gen_dir / SAVED_ROWS)
            self._saved_postings = SavedPostings(self.gen_dir / SAVED_POSTINGS,
                                                 self._previous.frequent.keys() if self._previous else ())
            self._open_writer()
        except OSError as exc:
            raise _disk_error(exc, root) from exc

    def _open_writer(self) -> None:
        self._writer = (fast_writer(self._ix, self._saved_postings.add) if self.store.fast_pool
                        else self._ix.writer())
        self._unflushed_characters = 0
        self._unflushed_reports = set()

    def _flush(self) -> None:
        """Write the paragraphs held in memory out as a new segment of this (unpublished) generation."""
        try:
            segment_id = new_segment_id(self._writer)
            self._saved.segment_written(segment_id)  # its rows first: they leave memory
            self._writer.commit(merge=False)
            self._writer = None
            self._saved_postings.segment_written(segment_id)
            self._open_writer()
        except OSError as exc:
            raise _disk_error(exc, self.store.root) from exc
        self.flushes += 1

    def _delete_report(self, rid: str) -> None:
        """Delete a report's paragraphs; those still in memory are flushed first so the deletion finds them."""
        if rid in self._unflushed_reports:
            self._flush()
        self._writer.delete_by_term(S.REPORT_ID, rid)

    def _remove_abandoned(self, current: str | None) -> None:
        """Delete generation folders of interrupted runs and old generations beyond the ones kept."""
        gens = sorted(p for p in self.store.root.glob(GEN_PREFIX + "*") if p.is_dir())
        if current is None:
            keep: set[str] = set()
        else:
            older = [p.name for p in gens if p.name <= current]
            keep = set(older[-KEEP_GENERATIONS:])
        for p in gens:
            if p.name not in keep:
                shutil.rmtree(p, ignore_errors=True)

    def _abandon(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            abandon_writer(writer)
        if self.gen_dir is not None:
            close_leftover_files(self.gen_dir)
        if self.gen_dir is not None and self.gen_dir.exists():
            shutil.rmtree(self.gen_dir, ignore_errors=True)

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if exc_type is not None or not self.changed:
                self._abandon()
                return False
            self._publish()
            return False
        finally:
            self._release()

    def _publish(self) -> None:
        root = self.store.root
        try:
            t0 = time.perf_counter()
            segment_id = new_segment_id(self._writer)
            self._saved.segment_written(segment_id)
            merged: list[MergedSegment] = []

            def merge_policy(writer, segments):
                # this update's saved segments left terms out of Whoosh that only its scratch holds: not merged
                kept = merge_small_segments(writer, segments, merged, fixed=self._saved_postings.holds)
                if merged:
                    self._saved_postings.merging(segment_id)
                return kept

            self._writer.commit(mergetype=merge_policy)
            self._writer = None
            self._saved.segment_written(segment_id, merged)
            self._saved_postings.segment_written(segment_id, merged=bool(merged))
            _write_records(self.gen_dir, self.reports)
            t1 = time.perf_counter()
            with self._ix.reader() as reader:  # columns and frequent postings: the previous ones carried forward
                try:
                    plan = RowPlan.of(reader, self._previous, self._saved)
                    with ColumnsAssembly(self.gen_dir / COLUMNS_SCRATCH) as assembly:
                        _write_atomic(self.gen_dir / COLUMNS_FILE, plan.columns_parts(assembly))
                    t2 = time.perf_counter()
                    plan.write_postings(self.gen_dir / POSTINGS_FILE, reader, self._saved_postings)
                    t3 = time.perf_counter()
                except RowsMissingError as exc:
                    log.error("%s", exc)
                    raise self.store.old_layout(self._previous_dir or self.gen_dir) from exc
            self._saved.remove()
            self._saved_postings.remove()
            self.publish_times = PublishTimes(t1 - t0, t2 - t1, t3 - t2, plan.rows, plan.carried_rows)
            _write_atomic(self.gen_dir / FORMAT, f"{S.SCHEMA_VERSION}\n".encode("utf-8"))
            _fsync_dir(self.gen_dir)
            _write_atomic(root / CURRENT, (self.generation + "\n").encode("utf-8"))
            _fsync_dir(root)
        except OSError as exc:
            self._abandon()
            raise _disk_error(exc, root) from exc
        except BaseException:
            self._abandon()
            raise
        log.info("published %s: %s", self.generation, self.publish_times.as_dict())

    # -- content -------------------------------------------------------------

    def _drop_source(self, source: str, keep_id: str | None = None) -> None:
        """Remove ``source`` from every report except ``keep_id``; delete reports left with none."""
        for rid in list(self._may_hold(source)):
            rec = self.reports.get(rid)
            if rid == keep_id or rec is None or source not in rec["sources"]:
                continue
            rec["sources"] = [s for s in rec["sources"] if s != source]
            self.changed = True
            if not rec["sources"]:
                self._delete_report(rid)
                self._remove_record(rid)

    def _may_hold(self, source: str) -> dict[str, None]:
        """The ids of the reports that may list ``source`` (a superset: callers check the record).

        Built on first use and added to wherever a source is listed, so
        dropping a source does not look at every report (a build of 80,000
        reports would otherwise look at all of them for each one added)."""
        if self._by_source is None:
            self._by_source = {}
            for rid, rec in self.reports.items():
                for s in rec["sources"]:
                    self._by_source.setdefault(s, {})[rid] = None
        return self._by_source.setdefault(source, {})

    def _add_source(self, rid: str, source: str) -> None:
        self.reports[rid]["sources"].append(source)
        self._may_hold(source)[rid] = None

    def _same_region_and_year(self, year, code, level) -> dict[str, None]:
        """The ids of the reports of one region and year, in the order they were added."""
        if self._by_region_year is None:
            self._by_region_year = {}
            for rid, rec in self.reports.items():
                self._by_region_year.setdefault(_region_year(rec), {})[rid] = None
        return self._by_region_year.setdefault((year, code, level), {})

    def _put_record(self, rid: str, record: dict) -> None:
        old = self.reports.get(rid)
        if old is not None and _region_year(old) != _region_year(record):
            self._same_region_and_year(*_region_year(old)).pop(rid, None)
        self.reports[rid] = record
        self._same_region_and_year(*_region_year(record))[rid] = None
        for source in record["sources"]:
            self._may_hold(source)[rid] = None

    def _remove_record(self, rid: str) -> None:
        self._same_region_and_year(*_region_year(self.reports[rid])).pop(rid, None)
        del self.reports[rid]

    def _find_duplicate(self, report: Report, sketch: tuple[int, ...]) -> str | None:
        if report.region.level == "unknown":
            return None
        for rid in self._same_region_and_year(report.year, report.region.code, report.region.level):
            rec = self.reports[rid]
            if rec["fingerprint"] == report.fingerprint:
                return rid
            if sketch_containment(rec.get("sketch") or [], sketch) >= DUPLICATE_CONTAINMENT:
                return rid
        return None

    def add_report(self, report: Report, prepared: ReportPostings | None = None) -> AddResult:
        """Add (or refresh) one report; see the module docstring for the rules.

        ``prepared`` may carry :func:`report_postings` of the report, made in a
        worker process; otherwise it is computed here when needed.
        """
        source = report.sources[0]
        rid = report.report_id
        existing = self.reports.get(rid)
        if existing and existing["fingerprint"] == report.fingerprint:
            if source not in existing["sources"]:
                self._drop_source(source, keep_id=rid)
                self._add_source(rid, source)
                self.changed = True
            return AddResult("unchanged", rid, 0)
        prepared = prepared or report_postings(report)
        sketch = prepared.sketch
        dup = self._find_duplicate(report, sketch)
        if dup is not None and source not in self.reports[dup]["sources"]:
            self._drop_source(source, keep_id=dup)
            kept = self.reports[dup]
            self._add_source(dup, source)
            self.changed = True
            if report.characters > kept["characters"]:
                # the fuller copy wins whichever file came first (a paged scrape holds page one only)
                self._delete_report(dup)
                record = report_record(report, self.indexed_at, sketch)
                record.update(report_id=dup, sources=kept["sources"])
                self._put_record(dup, record)
                self._add_paragraphs(dup, report, prepared)
            return AddResult("duplicate", dup, 0)
        outcome = "added"
        if existing is not None:
            if source in existing["sources"]:
                outcome = "replaced"
            else:  # a different report with the same readable id: disambiguate
                rid = f"{rid}-{report.fingerprint[:6]}"
                if rid in self.reports and self.reports[rid]["fingerprint"] == report.fingerprint:
                    return AddResult("unchanged", rid, 0)
        self._drop_source(source, keep_id=rid)
        if rid in self.reports:
            self._delete_report(rid)
            outcome = "replaced"
        record = report_record(report, self.indexed_at, sketch)
        record["report_id"] = rid
        self._put_record(rid, record)
        self._add_paragraphs(rid, report, prepared)
        self.changed = True
        return AddResult(outcome, rid, len(report.paragraphs))

    def _add_paragraphs(self, rid: str, report: Report, prepared: ReportPostings) -> None:
        writer = self._writer
        fast = has_fast_pool(writer)
        self._saved.add(new_segment_id(writer), rid, report)  # the rows, in the order of the documents below
        fields = {S.REPORT_ID: rid}
        vocabularies = {S.EXACT: exact_vocabulary()}
        for p, (exact, words, frequencies) in zip(report.paragraphs, prepared.paragraphs()):
            if fast:  # the analysed fields go straight into the pool, as Whoosh would put them
                add_document(writer, fields, {S.EXACT: (exact, None), S.WORDS: (None, (words, frequencies))},
                             vocabularies)
            else:
                writer.add_document(**fields, **{S.EXACT: p.search_text, S.WORDS: p.search_text})
        self._unflushed_reports.add(rid)
        self._unflushed_characters += report.characters
        if self._unflushed_characters >= self.store.flush_characters:
            self._flush()
