"""Corpus check for cleaning and sections: per folder, paragraphs, share in 其他, longest paragraph, surviving chrome.

Usage::

    python bench/chrome_check.py [CORPUS]      # default ../shared/corpus

Reads every file with :func:`index.sources.read_reports` (falling back to a
plain decode when that module is missing), cleans it with
:func:`index.clean.clean_paragraphs`, assigns sections with
:func:`index.sections.assign_sections`, and prints one line per folder.
Any paragraph still holding a :data:`index.clean.CHROME_MARKERS` string, a
chrome shape (:func:`index.clean.chrome_shape`, the whole paragraph) or a
chrome fragment (:data:`index.clean.CHROME_FRAGMENTS`: a byline, page counter,
pager, navigation run or control glued to text) is listed after the table;
the exit status is 1 when there is one. Writes ``bench/results/chrome_check.json``.
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.clean import CHROME_FRAGMENTS, CHROME_MARKERS, chrome_shape, clean_paragraphs  # noqa: E402
from index.sections import assign_sections  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
RESULTS = Path(__file__).resolve().parent / "results" / "chrome_check.json"


def _raw_texts(path: Path) -> list[tuple[str, str | None]]:
    """(text, title hint) for each report in the file."""
    try:
        from index.sources import read_reports
    except ImportError:
        read_reports = None
    if read_reports is not None:
        return [(r.text, r.title_hint) for r in read_reports(path)]
    if path.suffix == ".docx":
        import docx

        return [("\n".join(p.text for p in docx.Document(str(path)).paragraphs), None)]
    data = path.read_bytes()
    try:
        return [(data.decode("utf-8"), None)]
    except UnicodeDecodeError:
        return [(data.decode("gb18030", errors="replace"), None)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    rows: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    longest: dict[str, tuple[int, str]] = {}
    survivors: list[tuple[str, str, str]] = []
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.suffix not in (".txt", ".docx", ".html", ".htm", ".pdf"):
            continue
        folder = path.parent.relative_to(corpus).as_posix()
        for text, hint in _raw_texts(path):
            paragraphs = clean_paragraphs(text, title_hint=hint)
            infos = assign_sections(paragraphs)
            row = rows[folder]
            row["reports"] += 1
            row["paragraphs"] += len(paragraphs)
            row["chars"] += sum(len(p) for p in paragraphs)
            for p, info in zip(paragraphs, infos):
                row["cat:" + info.category] += 1
                row["headings"] += info.is_heading
                if len(p) > longest.get(folder, (0, ""))[0]:
                    longest[folder] = (len(p), path.name)
                for marker in CHROME_MARKERS:
                    if marker in p:
                        survivors.append((path.as_posix(), marker, p[:120]))
                shape = chrome_shape(p)
                if shape:
                    survivors.append((path.as_posix(), shape, p[:120]))
                for fragment in CHROME_FRAGMENTS:
                    m = fragment.search(p)
                    if m:
                        survivors.append((path.as_posix(), m.group(0), p[:120]))
    print(f"{'folder':24} {'reports':>7} {'paras':>6} {'heads':>5} {'其他%':>6} {'回顾%':>6} {'目标%':>6} "
          f"{'任务%':>6} {'自身%':>6} {'名词%':>6} {'max':>5}  longest in")
    for folder, row in sorted(rows.items()):
        n = row["paragraphs"] or 1

        def share(cat: str) -> str:
            return f"{100 * row['cat:' + cat] / n:6.1f}"

        print(f"{folder:24} {row['reports']:7d} {row['paragraphs']:6d} {row['headings']:5d} {share('其他')} "
              f"{share('工作回顾')} {share('目标与要求')} {share('重点任务')} {share('政府自身建设')} {share('名词解释')} "
              f"{longest.get(folder, (0, ''))[0]:5d}  {longest.get(folder, (0, ''))[1]}")
    print(f"surviving chrome (markers, shapes, fragments): {len(survivors)}")
    for source, marker, excerpt in survivors[:50]:
        print(f"  {source}: {marker!r} in {excerpt!r}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "corpus": str(corpus),
        "reports": sum(row["reports"] for row in rows.values()),
        "paragraphs": sum(row["paragraphs"] for row in rows.values()),
        "survivors": len(survivors),
        "examples": [{"source": a, "found": b, "excerpt": c} for a, b, c in survivors[:50]],
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
