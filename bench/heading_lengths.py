"""Corpus check for section paths: the longest heading parts, and the headings that hold many paragraphs.

Usage::

    python bench/heading_lengths.py [CORPUS] [--top N]     # default ../shared/corpus

A *heading part* is one entry of a paragraph's section path (see
:mod:`index.sections`). Each report is read, cleaned and sectioned as
:func:`index.assemble.build_report` does; every distinct heading part is
counted once per report with the number of paragraphs under it. Prints the
longest parts, how many are longer than 35 and 40 characters, and writes
``bench/results/heading_lengths.json``. The exit status is 1 when a part is
longer than :data:`index.sections.HEADING_PART_MAX`.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.chrome_check import DEFAULT_CORPUS, _raw_texts  # noqa: E402
from index.clean import clean_paragraphs  # noqa: E402
from index.normalise import strip_pinyin_annotations  # noqa: E402
from index.sections import HEADING_PART_MAX, assign_sections  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "heading_lengths.json"
SOURCE_SUFFIXES = (".txt", ".docx", ".html", ".htm", ".pdf")


@dataclass(frozen=True)
class HeadingPart:
    """One distinct heading part of one report, with the number of paragraphs whose path holds it."""

    source: str
    part: str
    length: int
    paragraphs: int


def heading_parts(corpus: Path) -> list[HeadingPart]:
    """Every distinct heading part of every report under *corpus*."""
    out: list[HeadingPart] = []
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.suffix not in SOURCE_SUFFIXES:
            continue
        for n, (text, hint) in enumerate(_raw_texts(path)):
            paragraphs = [strip_pinyin_annotations(p) for p in clean_paragraphs(text, title_hint=hint)]
            counts: dict[str, int] = {}
            for info in assign_sections(paragraphs):
                for part in info.path:
                    counts[part] = counts.get(part, 0) + 1
            source = f"{path.relative_to(corpus).as_posix()}#{n + 1}"
            out.extend(HeadingPart(source, part, len(part), k) for part, k in counts.items())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--top", type=int, default=25, help="how many of the longest parts to print")
    args = parser.parse_args(argv)
    parts = heading_parts(Path(args.corpus))
    longest = sorted(parts, key=lambda p: (-p.length, p.source))
    crowded = sorted(parts, key=lambda p: (-p.paragraphs, p.source))
    over35 = sorted({p.part for p in parts if p.length > 35})
    over40 = sorted({p.part for p in parts if p.length > HEADING_PART_MAX})
    print(f"heading parts: {len(parts)} (distinct per report); longest {longest[0].length if longest else 0} chars; "
          f"distinct parts > 35 chars: {len(over35)}; > {HEADING_PART_MAX} chars: {len(over40)}")
    print("longest:")
    for p in longest[:args.top]:
        print(f"  {p.length:3d}  {p.paragraphs:4d} paras  {p.source}  {p.part}")
    print("most paragraphs under one marked heading part:")
    for p in [p for p in crowded if p.length > 20][:10]:
        print(f"  {p.paragraphs:4d} paras  {p.length:3d}  {p.source}  {p.part}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "corpus": str(args.corpus),
        "parts": len(parts),
        "longest_length": longest[0].length if longest else 0,
        "distinct_over_35": len(over35),
        "distinct_over_40": len(over40),
        "longest": [asdict(p) for p in longest[:args.top]],
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")
    return 1 if over40 else 0


if __name__ == "__main__":
    sys.exit(main())
