"""Index a set of paths: the one way files get into an index.

A *build* walks the given files and folders, parses every file (in worker
processes when there are several), and adds each report to one new generation
of the index directory (:class:`index.writer.IndexUpdate`), which is published
only when complete. A file that cannot be used costs that file: it becomes a
:class:`~index.assemble.FileProblem` in the :class:`BuildSummary`, never an
exception. ``baogao index``, the tests and the benchmarks all call
:func:`build`.

Progress is reported to an optional :class:`BuildProgress` (the CLI draws a
progress bar with it).
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from . import sources
from .analysis import query_dictionary
from .assemble import FileProblem, ParsedFile, iter_parsed, parse_pool
from .report import MetaOverride
from .writer import IndexStore, report_postings

__all__ = ["BuildProgress", "BuildSummary", "build"]

log = logging.getLogger(__name__)


class BuildProgress:
    """What a build tells its caller as it goes; every method does nothing by default."""

    def start(self, files: int) -> None:
        """The build found ``files`` files to read."""

    def file_done(self, parsed: ParsedFile) -> None:
        """One file was read (``parsed.problem`` says if it could not be used)."""

    def writing(self) -> None:
        """Every file is read; the new generation is being written and published."""

    def close(self) -> None:
        """The build is over, successfully or not."""


@dataclass(frozen=True)
class BuildSummary:
    """What a build did. ``added`` … ``duplicate`` count reports by outcome
    (:class:`index.writer.AddResult`); ``failures`` and ``skipped`` count files."""

    files: int = 0
    reports: int = 0
    paragraphs: int = 0
    characters: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    duplicate: int = 0
    failures: int = 0
    skipped: int = 0
    seconds: float = 0.0
    generation: str | None = None
    problems: tuple[FileProblem, ...] = field(default=())
    publish: dict | None = None  # :meth:`index.writer.PublishTimes.as_dict` when a generation was published

    @property
    def chars_per_second(self) -> float:
        return self.characters / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict:
        """The JSON form ``baogao index --json`` prints."""
        out = {k: getattr(self, k) for k in ("files", "reports", "paragraphs", "characters", "added", "replaced",
                                             "unchanged", "duplicate", "failures", "skipped")}
        out["seconds"] = round(self.seconds, 2)
        out["chars_per_second"] = round(self.chars_per_second)
        out["generation"] = self.generation
        out["problems"] = [f"{p.path}：{p.message}" for p in self.problems]
        out["publish"] = self.publish
        return out


def build(paths: Iterable[str | Path], index_dir: str | Path, meta: Sequence[MetaOverride] | None = None,
          progress: BuildProgress | None = None, *, workers: int | None = None, wait: float = 0.0) -> BuildSummary:
    """Add every report found under ``paths`` to the index at ``index_dir``.

    ``meta`` holds the user's corrections (:func:`index.overrides.load_overrides`).
    ``workers`` parsing processes (default: up to two); ``wait`` seconds for
    another build to release the index. Raises :class:`index.sources.SourceError`
    for a path that does not exist and :class:`index.writer.IndexStoreError`
    when the index cannot be written (the previous generation stays published).
    """
    progress = progress or BuildProgress()
    meta = list(meta or ())
    files = list(sources.iter_source_files(list(paths)))
    store = IndexStore(index_dir)
    t0 = time.perf_counter()
    counts = dict.fromkeys(("files", "reports", "paragraphs", "characters", "added", "replaced", "unchanged",
                            "duplicate", "failures", "skipped"), 0)
    problems: list[FileProblem] = []
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    pool = parse_pool(workers if len(files) > 2 else 1)  # before the lock: workers must not inherit it
    try:
        with store.update(wait=wait) as up:
            progress.start(len(files))
            for parsed in iter_parsed(files, meta, prepare=report_postings, executor=pool):
                counts["files"] += 1
                progress.file_done(parsed)
                if parsed.problem:
                    counts["skipped" if parsed.problem.skipped else "failures"] += 1
                    problems.append(parsed.problem)
                    continue
                for k, report in enumerate(parsed.reports):
                    result = up.add_report(report, parsed.prepared[k] if parsed.prepared else None)
                    counts[result.outcome] += 1
                    counts["reports"] += 1
                    counts["paragraphs"] += len(report.paragraphs)
                    counts["characters"] += report.characters
            progress.writing()
    finally:
        progress.close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    query_dictionary()  # made once per machine here (about 2 s), so a server's first start does not make it
    summary = BuildSummary(**counts, seconds=time.perf_counter() - t0, generation=store.current_generation(),
                           problems=tuple(problems),
                           publish=up.publish_times.as_dict() if up.publish_times is not None else None)
    log.info("built %s: %d files, %d reports, %d characters in %.1f s", summary.generation, summary.files,
             summary.reports, summary.characters, summary.seconds)
    return summary
