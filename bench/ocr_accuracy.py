"""OCR accuracy and speed: real report text printed to page images, read back by each engine.

Usage::

    .venv/bin/python bench/ocr_accuracy.py [CORPUS] [--pages N] [--engines tesseract,rapidocr]
                                           [--conditions clean-300,...] [--corpus-reports N]

Vocabulary:

* A *test page* is an A4 page set the way government documents are (GB/T 9704:
  16 pt body in a 156 × 225 mm text block, 28 characters a line, 22 lines a
  page, two-character first-line indent, the page number as ``- N -`` at the
  foot) from the cleaned paragraphs of a real report: the seed reports in
  ``data/sample`` and, when given, reports of ``CORPUS`` (``../shared/corpus``).
  The first page carries the report's title; the pages of a report chosen
  hold the bench's *named phrases* (项目为王, 高质量发展, 放管服, 营商环境,
  乡村振兴) where the report has them. The font is WenQuanYi Zen Hei.
* A *condition* is how the page is turned into an image-only PDF:
  ``clean-300`` and ``clean-150`` (dpi), and the degraded ``rotate-300`` (1°),
  ``noise-300`` (Gaussian, σ = 40 grey levels), ``jpeg-300`` (JPEG quality
  40) and ``grey-300`` (grey paper, grey ink).
* Each PDF is read by :func:`index.assemble.parse_file` — the code behind
  ``baogao inspect`` — with ``$BAOGAO_OCR_ENGINE`` set to the engine and an
  empty OCR cache, so each page is really recognised.
* *Paragraphs* counts the pages whose recognised paragraphs are as many as
  the printed ones (lines re-joined, headings and paragraph breaks kept).
* *Character accuracy* is 1 − CER: the Levenshtein distance between the
  search text (``index.normalise.fold_for_search``, spaces removed) of the
  printed paragraphs and that of the recognised report, over the printed
  text's length. Page numbers are furniture and are not in the reference, so
  one left in counts as an error.

Prints a table (accuracy, seconds per page, named phrases found/expected,
region and year as on the original) per engine and condition, and writes the
same to ``bench/results/ocr_accuracy.json``. Targets: accuracy ≥ 99 % on
``clean-300`` and ≥ 97 % on the degraded conditions; every named phrase found;
region and year as detected on the original text. The default run is small
(two pages from each of two seed reports per condition); ``--pages`` and
``--corpus-reports`` make it larger.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from index.assemble import build_report, parse_file  # noqa: E402
from index.normalise import fold_for_search  # noqa: E402
from index.report import RawReport, Report  # noqa: E402
from index.sources import read_reports  # noqa: E402

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
NAMED = ("项目为王", "高质量发展", "放管服", "营商环境", "乡村振兴")
CONDITIONS = ("clean-300", "clean-150", "rotate-300", "noise-300", "jpeg-300", "grey-300")
ENGINES = ("tesseract", "rapidocr")
TARGET_CLEAN = 0.99
TARGET_DEGRADED = 0.97
#: Seed reports used by default: a prefecture and a county report, both with named phrases.
SEEDS = ("002_664a605172f01e95.txt", "003_58952eceed329ef4.txt")

# GB/T 9704 page geometry, in millimetres and points.
PAGE_MM = (210.0, 297.0)
MARGIN_MM = (28.0, 37.0)  # left, top
BODY_MM = (156.0, 225.0)
BODY_PT, TITLE_PT, FOLIO_PT = 16, 22, 14
LINES_PER_PAGE = 22


@dataclass(frozen=True)
class PrintedReport:
    """The pages of one report as printed: the images and the paragraphs they hold."""

    name: str
    pages: tuple  # PIL images
    paragraphs: tuple[str, ...]
    title: str


def _px(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


def _wrap(text: str, font, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and font.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    if line:
        lines.append(line)
    return lines


def print_report(name: str, title: str, paragraphs: list[str], dpi: int, max_pages: int,
                 running_head: str | None = None) -> PrintedReport:
    """Set ``title`` and ``paragraphs`` on at most ``max_pages`` pages (see the module docstring).

    A paragraph that does not fit on the last page is left out whole, so the
    printed paragraphs are exactly the reference text.
    """
    from PIL import Image, ImageDraw, ImageFont

    body = ImageFont.truetype(FONT, round(BODY_PT / 72 * dpi))
    head = ImageFont.truetype(FONT, round(TITLE_PT / 72 * dpi))
    folio = ImageFont.truetype(FONT, round(FOLIO_PT / 72 * dpi))
    width, height = _px(PAGE_MM[0], dpi), _px(PAGE_MM[1], dpi)
    left, top = _px(MARGIN_MM[0], dpi), _px(MARGIN_MM[1], dpi)
    body_w = _px(BODY_MM[0], dpi)
    pitch = _px(BODY_MM[1], dpi) / LINES_PER_PAGE
    indent = "\u3000\u3000"

    pages, printed = [], []
    page = draw = None
    row = 0

    def new_page():
        nonlocal page, draw, row
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        row = 0
        pages.append(page)
        number = f"- {len(pages)} -"
        draw.text(((width - folio.getlength(number)) / 2, top + _px(BODY_MM[1], dpi) + _px(7, dpi)),
                  number, font=folio, fill=0)
        if running_head and len(pages) > 1:
            draw.text((left, top - _px(12, dpi)), running_head, font=folio, fill=0)

    new_page()
    for line in _wrap(title, head, body_w):
        draw.text((left + (body_w - head.getlength(line)) / 2, top + row * pitch), line, font=head, fill=0)
        row += 1.5
    row += 0.5
    for text in paragraphs:
        lines = _wrap(indent + text, body, body_w)
        if row + len(lines) > LINES_PER_PAGE:
            fits = int(LINES_PER_PAGE - row)
            if len(pages) >= max_pages:
                break
            for line in lines[:fits]:
                draw.text((left, top + row * pitch), line, font=body, fill=0)
                row += 1
            lines = lines[fits:]
            new_page()
        for line in lines:
            draw.text((left, top + row * pitch), line, font=body, fill=0)
            row += 1
        printed.append(text)
    return PrintedReport(name, tuple(pages), tuple(printed), title)


def degrade(image, condition: str, seed: int):
    """The page as a scanner or a camera would have left it (see the module docstring)."""
    import numpy as np
    from PIL import Image

    kind = condition.split("-")[0]
    if kind == "rotate":
        return image.rotate(1.0, resample=Image.BICUBIC, expand=False, fillcolor=255)
    if kind == "noise":
        rng = np.random.default_rng(seed)
        noisy = np.asarray(image, dtype=np.float32) + rng.normal(0, 40, (image.height, image.width))
        return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    if kind == "grey":
        array = np.asarray(image, dtype=np.float32) / 255
        return Image.fromarray((70 + array * (185 - 70)).astype(np.uint8))  # ink 70, paper 185
    return image


def image_pdf(pages, dpi: int, quality: int = 90) -> bytes:
    """An image-only PDF of the pages (JPEG-compressed at ``quality``), no text layer."""
    out = io.BytesIO()
    first, rest = pages[0], list(pages[1:])
    first.save(out, "PDF", resolution=dpi, save_all=True, append_images=rest, quality=quality)
    return out.getvalue()


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _flat(texts) -> str:
    return "".join("".join(fold_for_search(t).split()) for t in texts)


_SENTENCE = re.compile(r"[^。！？；]*[。！？；]?")


def choose_paragraphs(report: Report, budget: int) -> list[str]:
    """About ``budget`` characters of the report's body, as paragraphs: the
    first sentences of its opening paragraphs, then sentences holding named
    phrases, then the first sentences of the other paragraphs until the budget
    is spent (kept in reading order, sentences of one paragraph together)."""
    body = [p.text for p in report.paragraphs[1:] if not p.is_heading]
    picked: dict[int, list[str]] = {}
    size = 0

    def take(i: int, sentence: str) -> None:
        nonlocal size
        if size + len(sentence) <= budget and sentence not in picked.get(i, []):
            picked.setdefault(i, []).append(sentence)
            size += len(sentence)

    sentences = [[s for s in _SENTENCE.findall(t) if s] for t in body]
    for i in range(min(3, len(body))):
        for sentence in sentences[i][:2]:
            take(i, sentence)
    for i, group in enumerate(sentences):
        for sentence in group:
            if any(n in sentence for n in NAMED):
                take(i, sentence)
    for i, group in enumerate(sentences):  # a page's worth: the first sentences of the paragraphs after
        for sentence in group[:2]:
            take(i, sentence)
    return ["".join(sorted(picked[i], key=sentences[i].index)) for i in sorted(picked)]


def sample_reports(corpus: Path | None, corpus_reports: int) -> list[tuple[str, Report]]:
    """(name, report) of the seed reports and, when given, a few corpus reports (one per file)."""
    out = []
    for name in SEEDS:
        out.append((name, build_report(read_reports(ROOT / "data" / "sample" / name)[0])))
    if corpus is not None and corpus_reports:
        files = sorted(p for p in corpus.rglob("*.txt") if p.stat().st_size > 5000)
        random.Random(14).shuffle(files)
        for path in files[:corpus_reports]:
            try:
                out.append((path.name, build_report(read_reports(path)[0])))
            except Exception as exc:  # a corpus file the pipeline cannot read is not this bench's business
                print(f"skipped {path}: {exc}", file=sys.stderr)
    return out


def measure(engine: str, condition: str, printed: PrintedReport, original: Report, workdir: Path) -> dict:
    """Read one printed report back with ``engine`` under ``condition``; the figures for it."""
    dpi = int(condition.split("-")[1])
    pages = [degrade(p, condition, seed=i) for i, p in enumerate(printed.pages)]
    quality = 40 if condition.startswith("jpeg") else 90
    path = workdir / f"{Path(printed.name).stem}-{condition}.pdf"
    path.write_bytes(image_pdf(pages, dpi, quality))
    os.environ["BAOGAO_OCR_ENGINE"] = engine
    os.environ["BAOGAO_CACHE_DIR"] = str(workdir / f"cache-{engine}-{condition}")
    t0 = time.perf_counter()
    reports = parse_file(path)
    seconds = time.perf_counter() - t0
    recognised = [p.text for r in reports for p in r.paragraphs]
    reference = _flat([printed.title, *printed.paragraphs])
    hypothesis = _flat(recognised)
    distance = levenshtein(reference, hypothesis)
    truth = "\n".join([printed.title, *printed.paragraphs])
    expected = [n for n in NAMED if n in fold_for_search(truth)]
    found = [n for n in expected if n in hypothesis]
    on_original = build_report(RawReport(source=path.with_suffix(".txt").as_posix(), text=truth))
    got = reports[0] if reports else None
    return {
        "engine": engine,
        "condition": condition,
        "report": printed.name,
        "pages": len(pages),
        "characters": len(reference),
        "errors": distance,
        "accuracy": round(1 - distance / max(len(reference), 1), 4),
        "seconds_per_page": round(seconds / len(pages), 2),
        "named_expected": expected,
        "named_found": found,
        "paragraphs_printed": 1 + len(printed.paragraphs),
        "paragraphs_read": len(recognised),
        "region_same": bool(got) and got.region == on_original.region,
        "year_same": bool(got) and got.year == on_original.year,
        "region": got.region.display if got else None,
        "year": got.year if got else None,
    }


def summarise(rows: list[dict]) -> list[dict]:
    """One line per engine and condition: character-weighted accuracy, mean seconds per page."""
    out = []
    for engine in dict.fromkeys(r["engine"] for r in rows):
        for condition in dict.fromkeys(r["condition"] for r in rows):
            group = [r for r in rows if r["engine"] == engine and r["condition"] == condition]
            if not group:
                continue
            chars = sum(r["characters"] for r in group)
            pages = sum(r["pages"] for r in group)
            target = TARGET_CLEAN if condition == "clean-300" else TARGET_DEGRADED if condition != "clean-150" else None
            accuracy = round(1 - sum(r["errors"] for r in group) / chars, 4)
            out.append({
                "engine": engine,
                "condition": condition,
                "pages": pages,
                "accuracy": accuracy,
                "target": target,
                "meets_target": None if target is None else accuracy >= target,
                "seconds_per_page": round(sum(r["seconds_per_page"] * r["pages"] for r in group) / pages, 2),
                "named_found": sum(len(r["named_found"]) for r in group),
                "named_expected": sum(len(r["named_expected"]) for r in group),
                "region_year_same": sum(r["region_same"] and r["year_same"] for r in group),
                "paragraphs_same": sum(r["paragraphs_read"] == r["paragraphs_printed"] for r in group),
                "reports": len(group),
            })
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", default=None, help="corpus folder (adds --corpus-reports of its reports)")
    parser.add_argument("--pages", type=int, default=1, help="pages printed per report (default 1)")
    parser.add_argument("--corpus-reports", type=int, default=2, help="corpus reports added when CORPUS is given")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--out", default=str(HERE / "results" / "ocr_accuracy.json"))
    args = parser.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    conditions = [c for c in args.conditions.split(",") if c]
    corpus = Path(args.corpus) if args.corpus else None
    rows: list[dict] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
        workdir = Path(tmp)
        for name, original in sample_reports(corpus, args.corpus_reports):
            paragraphs = choose_paragraphs(original, budget=520 * args.pages)
            title = original.display_title
            for dpi in sorted({int(c.split("-")[1]) for c in conditions}):
                printed = print_report(name, title, paragraphs, dpi, args.pages, running_head=title)
                for condition in (c for c in conditions if c.endswith(f"-{dpi}")):
                    for engine in engines:
                        row = measure(engine, condition, printed, original, workdir)
                        rows.append(row)
                        print(f"{engine:10} {condition:11} {name:28} acc {row['accuracy']:.4f}  "
                              f"{row['seconds_per_page']:6.1f} s/page  named {len(row['named_found'])}/"
                              f"{len(row['named_expected'])}  region/year {row['region_same']}/{row['year_same']}",
                              flush=True)
    summary = summarise(rows)
    print(f"\n{'engine':10} {'condition':11} {'pages':>5} {'accuracy':>9} {'target':>7} {'s/page':>7} {'named':>6} "
          f"{'reg+yr':>6} {'paras':>6}")
    for s in summary:
        target = f"{s['target']:.2f}" if s["target"] else "—"
        print(f"{s['engine']:10} {s['condition']:11} {s['pages']:5d} {s['accuracy']:9.4f} {target:>7} "
              f"{s['seconds_per_page']:7.1f} {s['named_found']:>3}/{s['named_expected']:<2} "
              f"{s['region_year_same']:>3}/{s['reports']:<2} {s['paragraphs_same']:>3}/{s['reports']:<2}")
    out = {"summary": summary, "rows": rows, "seconds": round(time.perf_counter() - t0, 1),
           "cpus": os.cpu_count(), "load_average": list(os.getloadavg())}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
