"""From a raw report to a :class:`~index.report.Report`: the pipeline in order.

:func:`build_report` runs the steps on one :class:`~index.report.RawReport`:

1. :func:`index.clean.clean_paragraphs` — chrome out, paragraphs re-split;
2. :func:`index.normalise.strip_pinyin_annotations` — the display text;
3. :func:`index.sections.assign_sections` — heading path and category;
4. metadata — :func:`index.titles.detect_title`, :func:`index.years.detect_year`,
   :func:`index.regions.detect_region`, :func:`index.titles.detect_delivery`,
   then the user's corrections from ``--meta`` (:mod:`index.overrides`);
5. :func:`index.normalise.fold_for_search` — the search text;
6. identifiers — :func:`report_id_for` (readable, from the metadata) and
   :func:`paragraph_ids` (from the content, so links survive rebuilds).

:func:`parse_path` does this for every file under a path: it is what
``baogao inspect`` prints and what ``baogao index`` writes.
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing
from collections import Counter, deque
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import clean, normalise, overrides, regions, sections, sources, titles, years
from .report import Evidence, MetaOverride, Paragraph, RawReport, Region, Report

__all__ = [
    "FileProblem",
    "ParsedFile",
    "build_report",
    "parse_file",
    "iter_parsed",
    "parse_pool",
    "parse_path",
    "report_id_for",
    "paragraph_ids",
    "report_as_dict",
]

log = logging.getLogger(__name__)



def _tidy_region(region: Region) -> Region:
    if region.prefecture in regions.NO_PREFECTURE:
        return Region(region.level, region.province, None, region.county, region.code)
    return region


def report_id_for(region: Region, year: int | None, fingerprint: str) -> str:
    """A readable id: ``2021-河北省-廊坊市-霸州市``, ``2010-全国``, ``2022-未知地区-3fa2c1``."""
    y = str(year) if year else "未知年份"
    if region.level == "national":
        return f"{y}-全国"
    names = [n for n in (region.province, region.prefecture, region.county) if n]
    if not names:
        return f"{y}-未知地区-{fingerprint[:6]}"
    return "-".join([y] + names)


def paragraph_ids(fingerprint: str, search_texts: list[str]) -> list[str]:
    """Content-derived paragraph ids: the report's fingerprint, the text, and which repeat it is."""
    seen: Counter[str] = Counter()
    out = []
    for t in search_texts:
        seen[t] += 1
        h = hashlib.sha1(f"{fingerprint}\x1f{t}\x1f{seen[t]}".encode("utf-8")).hexdigest()
        out.append(h[:16])
    return out


def _apply_override(region: Region, year: int | None, evidence: list[Evidence],
                    override: MetaOverride | None) -> tuple[Region, int | None]:
    if override is None:
        return region, year
    if override.year is not None:
        evidence.append(Evidence("year", str(override.year), "meta file", f"第{override.row}行", True))
        year = override.year
    if override.region:
        within = None
        province = (override.extra or {}).get("province")
        if province and province != override.region:
            try:
                within = regions.resolve_region(province, year)
            except regions.UnknownRegionName:
                within = None
        region = regions.resolve_region(override.region, year, within=within)
        evidence.append(Evidence("region", region.display, "meta file", f"第{override.row}行：{override.region}", True))
    return region, year


def ocr_confidences(paragraphs: list[str], raw: RawReport) -> list[float | None]:
    """The OCR confidence of each cleaned paragraph, or None for text the file held as text.

    Cleaning only cuts lines into paragraphs (and trims chrome), so each
    cleaned paragraph is matched to the first raw line, from the previous
    match on, that contains it, and takes that line's confidence
    (:attr:`~index.report.OcrReading.line_confidences`).
    """
    if raw.ocr is None:
        return [None] * len(paragraphs)
    keys = ["".join(line.split()) for line in raw.text.split("\n")]
    line_conf = raw.ocr.line_confidences
    out: list[float | None] = []
    i = 0
    for text in paragraphs:
        key = "".join(text.split())
        j = next((j for j in range(i, len(keys)) if key and key in keys[j]), None)
        if j is not None:
            i = j
        out.append(line_conf[i] if i < len(line_conf) else None)
    return out


def build_report(raw: RawReport, override: MetaOverride | None = None) -> Report:
    """Clean, section, describe and fold one raw report (see the module docstring)."""
    paragraphs = clean.clean_paragraphs(raw.text, title_hint=raw.title_hint)
    confidences = ocr_confidences(paragraphs, raw)
    display = [normalise.strip_pinyin_annotations(p) for p in paragraphs]
    traditional = normalise.is_traditional("".join(display[:200]))
    triples = [(d, normalise.fold_for_search(d, traditional=traditional), c) for d, c in zip(display, confidences)]
    triples = [t for t in triples if t[1]]
    display = [d for d, _, _ in triples]
    search_texts = [s for _, s, _ in triples]
    confidences = [c for _, _, c in triples]
    infos = sections.assign_sections(display)

    evidence: list[Evidence] = []
    title, ev = titles.detect_title(display, title_hint=raw.title_hint)
    evidence += ev
    plain = titles.reading_copy(display)  # read by both detectors
    year, ev = years.detect_year(display, title=title or raw.title_hint, source=raw.source, plain=plain)
    evidence += ev
    region, ev = regions.detect_region(display, title=title or raw.title_hint, source=raw.source, year=year,
                                       plain=plain)
    evidence += ev
    date, speaker, ev = titles.detect_delivery(display)
    evidence += ev
    region, year = _apply_override(region, year, evidence, override)
    region = _tidy_region(region)

    fingerprint = hashlib.sha1("\n".join(search_texts).encode("utf-8")).hexdigest()
    ids = paragraph_ids(fingerprint, search_texts)
    paras = tuple(
        Paragraph(
            paragraph_id=pid,
            number=i + 1,
            text=d,
            search_text=s,
            section_path=info.path,
            section_category=info.category,
            is_heading=info.is_heading,
            ocr_confidence=conf,
        )
        for i, (pid, d, s, info, conf) in enumerate(zip(ids, display, search_texts, infos, confidences))
    )
    source = raw.source if raw.parts == 1 else f"{raw.source}#{raw.part}"
    return Report(
        report_id=report_id_for(region, year, fingerprint),
        region=region,
        year=year,
        title=title,
        date=date,
        speaker=speaker,
        sources=(source,),
        paragraphs=paras,
        evidence=tuple(evidence),
        fingerprint=fingerprint,
        traditional=traditional,
        ocr=raw.ocr.as_dict() if raw.ocr else None,
    )


def _match_overrides(raws: list[RawReport], rows: list[MetaOverride]) -> list[MetaOverride | None]:
    """One override (or None) per raw report of a file."""
    if not rows:
        return [None] * len(raws)
    if len(rows) == 1:
        return [rows[0]] * len(raws)
    if len(rows) == len(raws):
        return list(rows)
    log.warning("%s: %d rows in the meta file for %d reports; matched by order", raws[0].source, len(rows), len(raws))
    return [rows[i] if i < len(rows) else None for i in range(len(raws))]


@dataclass(frozen=True)
class FileProblem:
    """A file that could not be used, with the one-line message for the user."""

    path: str
    message: str
    skipped: bool = False  # True for files of an unsupported type (a note, not a failure)


@dataclass(frozen=True)
class ParsedFile:
    """The reports of one file (or the problem that stopped it).

    ``prepared`` holds, when asked for, what ``prepare`` made of each report
    (the writer's postings, computed in a worker process), in the same order.
    """

    path: str
    reports: tuple[Report, ...] = ()
    problem: FileProblem | None = None
    prepared: tuple = ()


def parse_file(path: str | Path, meta: Iterable[MetaOverride] = ()) -> list[Report]:
    """Every report in one file. Raises :class:`index.sources.SourceError`."""
    raws = sources.read_reports(path)
    rows = overrides.overrides_for(raws[0].source, list(meta)) if raws else []
    return [build_report(raw, ov) for raw, ov in zip(raws, _match_overrides(raws, rows))]


def _parse_one(path: str | Path, meta: list[MetaOverride], prepare: Callable | None = None) -> ParsedFile:
    name = str(path)
    try:
        reports = tuple(parse_file(path, meta))
    except sources.UnsupportedFile as exc:
        return ParsedFile(name, (), FileProblem(name, str(exc), skipped=True))
    except sources.SourceError as exc:
        return ParsedFile(name, (), FileProblem(name, str(exc)))
    except regions.UnknownRegionName as exc:
        return ParsedFile(name, (), FileProblem(name, f"--meta 中的地区无法识别：{exc}"))
    except Exception as exc:  # a bug or a file no rule foresaw must cost one file, not the run
        log.exception("unexpected error parsing %s", name)
        return ParsedFile(name, (), FileProblem(name, f"解析出错（{type(exc).__name__}），已跳过此文件；请用 baogao inspect -v 查看详情"))
    if prepare is None:
        return ParsedFile(name, reports)
    return ParsedFile(name, reports, None, tuple(prepare(r) for r in reports))


#: Files parsed ahead of the consumer, per worker process. The writer stops taking files for seconds while it
#: writes a segment; with 2 per worker the workers then sat idle (a 20M build: 58.7 s; with 32, 55.9 s and
#: 94 MB more held, about a megabyte a parsed file).
AHEAD_PER_WORKER = 32


def iter_parsed(paths: Iterable[str | Path], meta: Iterable[MetaOverride] = (), *,
                prepare: Callable | None = None, executor: Executor | None = None) -> Iterator[ParsedFile]:
    """Parse every file under ``paths``, in order; problems are reported per file, never raised.

    ``prepare`` (a module-level function, so it pickles) is applied to each
    report where the file was parsed. With an ``executor`` (a process pool)
    files are parsed in its processes, a few ahead of the consumer.
    """
    rows = overrides.by_file_name(list(meta))  # each file gets only the rows that can name it
    files = sources.iter_source_files(paths)
    if executor is None:
        for f in files:
            yield _parse_one(f, _rows_for(rows, f), prepare)
        return
    ahead: deque = deque()
    window = AHEAD_PER_WORKER * getattr(executor, "_max_workers", 2)
    for f in files:
        ahead.append(executor.submit(_parse_one, f, _rows_for(rows, f), prepare))
        if len(ahead) >= window:
            yield ahead.popleft().result()
    while ahead:
        yield ahead.popleft().result()


def _rows_for(rows: dict[str, list[MetaOverride]], path: str | Path) -> list[MetaOverride]:
    return rows.get(overrides.file_name(Path(path).as_posix()), [])


def parse_pool(workers: int) -> Executor | None:
    """A pool of ``workers`` processes for :func:`iter_parsed`, or None for one.

    Make it before taking the index lock, so the workers do not inherit it.
    """
    if workers <= 1:
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


def parse_path(path: str | Path, meta: Iterable[MetaOverride] = ()) -> list[Report]:
    """All reports under ``path`` (files that cannot be read are logged and skipped)."""
    out: list[Report] = []
    for parsed in iter_parsed([path], meta):
        if parsed.problem:
            log.warning("%s: %s", parsed.path, parsed.problem.message)
        out.extend(parsed.reports)
    return out


def report_as_dict(report: Report, *, paragraphs: bool = True) -> dict:
    """The JSON form ``baogao inspect`` prints."""
    d = {
        **report.metadata(),
        "sections": [
            {"number": p.number, "paragraph_id": p.paragraph_id, "heading": p.section_path[-1] if p.section_path else p.text,
             "path": list(p.section_path), "category": p.section_category}
            for p in report.paragraphs if p.is_heading
        ],
    }
    if paragraphs:
        d["paragraphs"] = [
            {
                "paragraph_id": p.paragraph_id,
                "number": p.number,
                "section": list(p.section_path),
                "section_category": p.section_category,
                "heading": p.is_heading,
                "text": p.text,
                "search_text": p.search_text,
                "ocr_confidence": p.ocr_confidence,
            }
            for p in report.paragraphs
        ]
    return d
