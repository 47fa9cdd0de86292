"""Read the text of page images: scanned PDF pages and picture files (OCR).

Vocabulary:

* A *page image* is one page as pixels: a page of a PDF that has no usable
  text layer (rendered with pypdfium2, whose PDFium ships inside its wheel),
  or a picture file (``.png``, ``.jpg``, ``.tif``; a multi-page TIFF is
  several pages).
* An *OCR engine* turns a page image into *recognised lines*
  (:class:`OcrLine`): text, the box it sits in and the engine's confidence
  (0–1). Two engines are built in: ``tesseract`` (Debian's
  ``tesseract-ocr`` with its ``chi_sim`` model, called as a program) and
  ``rapidocr`` (the PP-OCR models inside the ``rapidocr_onnxruntime`` wheel).
  :data:`DEFAULT_ENGINE` is the one ``bench/ocr_accuracy.py`` measured best;
  ``$BAOGAO_OCR_ENGINE`` chooses another. Nothing is downloaded at run time.
* *Page furniture* is what the printer put on every page rather than the
  report: page numbers (``- 3 -``, ``第3页``, ``3/12``) and *running heads*
  (the same short line at the top or bottom of several pages). It is dropped.
* *Layout* turns a page's lines into paragraphs from their geometry: Chinese
  lines wrap mid-sentence, so a line continues the one before unless that one
  stopped short of the right margin (a paragraph's last line) or this one is
  indented (a paragraph's first line). A paragraph whose last line fills the
  page continues onto the next page unless that page opens indented.
* An :class:`~index.report.OcrReading` is the result for one file: its
  paragraphs, each with the mean confidence of its characters, the engine's
  name and the pages that could not be read (a failed page costs that page,
  not the file).

The lines recognised on each page are cached under
``$BAOGAO_CACHE_DIR/ocr`` by the file's content hash and the engine, so
indexing the same file again does not OCR it again. Each page is written to
the cache as soon as it is read: an interrupted run keeps its pages.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import itertools
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import unicodedata
from dataclasses import asdict, dataclass
from typing import Callable, Iterator, Sequence

from .analysis import cache_dir
from .report import OcrParagraph, OcrReading

log = logging.getLogger(__name__)


class OcrError(Exception):
    """OCR cannot run at all (engine missing or unknown); the message is Chinese, for the reader."""


class PageError(Exception):
    """One page could not be rendered or recognised (the caller records the page and goes on)."""


#: The engine ``bench/ocr_accuracy.py`` measured best (see bench/results/ocr_accuracy.json).
DEFAULT_ENGINE = "rapidocr"

#: Bumped when what is cached per page changes.
CACHE_VERSION = 1

#: A PDF page whose text layer has fewer letters than this is read by OCR.
MIN_TEXT_LAYER = 10

#: Most pages read by OCR from one file (a report is 10–60 pages).
MAX_PAGES = 300

#: Recognised lines below this confidence are noise (specks, stamps, photos).
MIN_LINE_CONFIDENCE = 0.5


@dataclass(frozen=True)
class OcrLine:
    """One recognised line: its text, its box in pixels and the engine's confidence (0–1)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    confidence: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


# ---------------------------------------------------------------------------
# Engines


class Engine:
    """An OCR engine: ``name``, the ``dpi`` PDF pages are rendered at, and :meth:`recognise`."""

    name = ""
    dpi = 200

    def recognise(self, image) -> list[OcrLine]:
        """The lines of one page image (a PIL image), in any order."""
        raise NotImplementedError

    @property
    def label(self) -> str:
        """Name and version, as shown to readers (``tesseract 5.3.0 chi_sim``)."""
        return self.name


class TesseractEngine(Engine):
    """Debian's ``tesseract`` with ``chi_sim``, one process per page (TSV output).

    Measured best with the page at about 180 dpi (larger text loses accuracy).
    """

    name = "tesseract"
    dpi = 180
    #: Wider images are scaled down to this width (an A4 page at ``dpi``).
    max_width = 1500

    def __init__(self):
        if shutil.which("tesseract") is None:
            raise OcrError("未安装 OCR 程序 tesseract（请运行 make ocr-deps）")

    @functools.cached_property
    def label(self) -> str:
        try:
            out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            return "tesseract chi_sim"
        first = out.split("\n", 1)[0].strip()
        return f"{first} chi_sim" if first else "tesseract chi_sim"

    def recognise(self, image) -> list[OcrLine]:
        if image.width > self.max_width:
            scale = self.max_width / image.width
            image = image.resize((self.max_width, round(image.height * scale)))
        buf = io.BytesIO()
        image.convert("L").save(buf, format="PNG")
        try:
            done = subprocess.run(
                ["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "6", "tsv"],
                input=buf.getvalue(), capture_output=True, timeout=600,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise PageError(f"tesseract 运行失败（{type(exc).__name__}）") from exc
        if done.returncode != 0:
            raise PageError("tesseract 运行失败：" + done.stderr.decode("utf-8", "replace").strip()[-200:])
        return _tesseract_lines(done.stdout.decode("utf-8", "replace"))


def _tesseract_lines(tsv: str) -> list[OcrLine]:
    """Tesseract's TSV (one row per word) → one :class:`OcrLine` per text line."""
    words: dict[tuple, list[tuple[str, int, int, int, int, float]]] = {}
    for row in tsv.split("\n")[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        key = (int(cols[2]), int(cols[3]), int(cols[4]))  # block, paragraph, line
        left, top, width, height = (int(c) for c in cols[6:10])
        words.setdefault(key, []).append((cols[11].strip(), left, top, left + width, top + height, float(cols[10])))
    lines = []
    for ws in words.values():
        ws.sort(key=lambda w: w[1])
        text = ""
        for w in ws:
            text = join_words(text, w[0])
        chars = sum(len(w[0]) for w in ws)
        conf = sum(max(w[5], 0.0) * len(w[0]) for w in ws) / max(chars, 1) / 100
        lines.append(OcrLine(text, min(w[1] for w in ws), min(w[2] for w in ws), max(w[3] for w in ws),
                             max(w[4] for w in ws), round(conf, 4)))
    return lines


class RapidOcrEngine(Engine):
    """PP-OCRv4 detection and recognition through ``rapidocr_onnxruntime`` (models in the wheel).

    The angle classifier is left off: it turned whole upright lines upside down
    on rendered report pages, and scans of reports are upright.
    """

    name = "rapidocr"
    dpi = 200

    def __init__(self):
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # the dependency is in setup.cfg; a broken install lands here
            raise OcrError("未安装 OCR 组件 rapidocr_onnxruntime（请运行 make install）") from exc
        self._ocr = RapidOCR()

    @functools.cached_property
    def label(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"rapidocr {version('rapidocr_onnxruntime')} PP-OCRv4"
        except PackageNotFoundError:
            return "rapidocr PP-OCRv4"

    def recognise(self, image) -> list[OcrLine]:
        import numpy as np

        array = np.asarray(image.convert("RGB"))
        try:
            result, _ = self._ocr(array, use_cls=False)
        except Exception as exc:  # onnxruntime and OpenCV raise many kinds
            raise PageError(f"rapidocr 识别失败（{type(exc).__name__}）") from exc
        boxes = []
        for box, text, score in result or ():
            xs = [p[0] for p in box]
            ys = [p[1] for p in box]
            boxes.append(OcrLine(str(text).strip(), min(xs), min(ys), max(xs), max(ys), float(score)))
        return merge_same_line(boxes)


def merge_same_line(boxes: list[OcrLine]) -> list[OcrLine]:
    """Join boxes that sit on one text line (an engine splits a line at wide gaps), left to right."""
    lines: list[list[OcrLine]] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        middle = (box.top + box.bottom) / 2
        for line in lines:
            first = line[0]
            if first.top < middle < first.bottom and abs(first.height - box.height) < 0.5 * max(first.height, 1):
                line.append(box)
                break
        else:
            lines.append([box])
    out = []
    for line in lines:
        line.sort(key=lambda b: b.left)
        text = ""
        for b in line:
            text = join_words(text, b.text)
        chars = sum(len(b.text) for b in line)
        conf = sum(b.confidence * len(b.text) for b in line) / max(chars, 1)
        out.append(OcrLine(text, min(b.left for b in line), min(b.top for b in line),
                           max(b.right for b in line), max(b.bottom for b in line), round(conf, 4)))
    return out


def join_words(left: str, right: str) -> str:
    """Two pieces of one line: a space only between two Latin letters or digits (never between CJK)."""
    if not left:
        return right
    if left[-1].isascii() and left[-1].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return f"{left} {right}"
    return left + right


ENGINES: dict[str, type[Engine]] = {"tesseract": TesseractEngine, "rapidocr": RapidOcrEngine}


def get_engine(name: str | None = None) -> Engine:
    """The engine called ``name``, else ``$BAOGAO_OCR_ENGINE``, else :data:`DEFAULT_ENGINE` (one per process)."""
    name = (name or os.environ.get("BAOGAO_OCR_ENGINE") or DEFAULT_ENGINE).strip().lower()
    if name not in ENGINES:
        raise OcrError(f"未知的 OCR 引擎 {name}（可选：{'、'.join(ENGINES)}）")
    return _engine(name)


@functools.cache
def _engine(name: str) -> Engine:
    return ENGINES[name]()


# ---------------------------------------------------------------------------
# Pages: rendering and caching


@contextlib.contextmanager
def pdf_renderer(data: bytes, dpi: int) -> Iterator[Callable]:
    """A function rendering page ``n`` (from 0) of the PDF as a greyscale PIL image, while open.

    Raises :class:`PageError` when PDFium cannot open the file, and the
    function raises it for a page it cannot render.
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise PageError(f"PDFium 无法打开文件（{exc}）") from exc

    def render(number: int):
        try:
            return document[number].render(scale=dpi / 72, grayscale=True).to_pil()
        except Exception as exc:  # PDFium on a damaged page
            raise PageError(f"无法渲染第 {number + 1} 页（{type(exc).__name__}）") from exc

    try:
        yield render
    finally:
        document.close()


def picture_frames(data: bytes) -> list:
    """The frames of a picture file (a TIFF may hold several pages) as greyscale PIL images.

    Raises :class:`PageError` for data that is not a picture Pillow reads.
    """
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        picture = Image.open(io.BytesIO(data))
        return [frame.convert("L") for frame in itertools.islice(ImageSequence.Iterator(picture), MAX_PAGES)]
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PageError(f"无法读取图片（{type(exc).__name__}）") from exc


class PageCache:
    """The lines recognised on each page of one file, by content hash and engine (see the module docstring)."""

    def __init__(self, data: bytes, engine: Engine):
        digest = hashlib.sha256(data).hexdigest()
        self.path = cache_dir() / "ocr" / f"{digest}-{engine.name}-v{CACHE_VERSION}.json"
        try:
            self.pages: dict[str, list[dict]] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.pages = {}

    def get(self, number: int) -> list[OcrLine] | None:
        lines = self.pages.get(str(number))
        if lines is None:
            return None
        try:
            return [OcrLine(**line) for line in lines]
        except TypeError:
            return None

    def put(self, number: int, lines: list[OcrLine]) -> None:
        self.pages[str(number)] = [asdict(line) for line in lines]
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(self.pages, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # a read-only cache only costs speed
            log.info("cannot write OCR cache %s: %s", self.path, exc)


def _progress(total: int, name: str):
    """A bar per page (on a terminal only); in a worker of ``baogao index`` it sits under the files bar."""
    import multiprocessing

    from tqdm import tqdm

    below = 1 if multiprocessing.parent_process() is not None else 0
    return tqdm(total=total, desc=f"OCR {name}"[:40], unit="页", file=sys.stderr, disable=None,
                dynamic_ncols=True, leave=False, position=below)


@dataclass(frozen=True)
class PageText:
    """The paragraphs of one page (``continues``: its first paragraph may continue the previous page's last)."""

    number: int
    paragraphs: tuple[OcrParagraph, ...]
    continues: bool
    ends_full: bool


def read_pages(data: bytes, numbers: Sequence[int], render: Callable, name: str,
               engine: Engine | None = None) -> tuple[list[PageText], list[int]]:
    """OCR pages ``numbers`` (from 0; ``render(n)`` gives page n's image) through the cache and lay
    each out: (the pages read, the numbers of those that failed).

    Raises :class:`OcrError` when no engine can run; a failing page is logged and listed, not raised.
    """
    engine = engine or get_engine()
    cache = PageCache(data, engine)
    read: list[tuple[int, list[OcrLine]]] = []
    failed: list[int] = []
    bar = _progress(len(numbers), name)
    try:
        for number in numbers:
            lines = cache.get(number)
            if lines is None:
                try:
                    lines = engine.recognise(render(number))
                except PageError as exc:
                    log.warning("%s page %d: %s", name, number + 1, exc)
                    failed.append(number)
                    bar.update(1)
                    continue
                cache.put(number, lines)
            read.append((number, lines))
            bar.update(1)
    finally:
        bar.close()
    texts = [lay_out_page(number, lines) for number, lines in drop_furniture(read)]
    return texts, failed


# ---------------------------------------------------------------------------
# Furniture and layout

_PAGE_NUMBER = re.compile(
    r"^[-—–－_~·•\s]*(?:第\s*)?[0-9０-９]{1,4}(?:\s*页)?(?:\s*[/／共]\s*[0-9０-９]{1,4}\s*页?)?[-—–－_~·•\s]*$"
    r"|^[-—–－]\s*[ivxlcIVXLC]{1,6}\s*[-—–－]$"
)
_DIGITS = re.compile(r"[0-9０-９]+")
#: A running head is at most this many characters and sits on at least this share of pages.
_HEAD_MAX = 30
_HEAD_SHARE = 0.5


def is_page_number(text: str) -> bool:
    """``- 3 -``, ``3``, ``第3页``, ``第 3 页 共 12 页``, ``3/12``, ``— iv —``."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def drop_furniture(pages: list[tuple[int, list[OcrLine]]]) -> list[tuple[int, list[OcrLine]]]:
    """Drop noise lines, page numbers and running heads (see the module docstring); lines in reading order."""
    ordered = []
    for number, lines in pages:
        kept = [ln for ln in lines if ln.text.strip() and ln.confidence >= MIN_LINE_CONFIDENCE]
        ordered.append((number, sorted(kept, key=lambda ln: (ln.top + ln.bottom) / 2)))
    edges: dict[str, int] = {}
    for _, lines in ordered:
        for key in {_edge_key(ln.text) for ln in lines[:2] + lines[-2:] if len(ln.text) <= _HEAD_MAX}:
            edges[key] = edges.get(key, 0) + 1
    heads = {k for k, n in edges.items() if n >= 3 and n >= _HEAD_SHARE * len(ordered)}
    out = []
    for number, lines in ordered:
        edge = set(range(min(2, len(lines)))) | set(range(max(0, len(lines) - 2), len(lines)))
        kept = [
            ln for i, ln in enumerate(lines)
            if not (i in edge and (is_page_number(ln.text) or _edge_key(ln.text) in heads))
        ]
        out.append((number, kept))
    return out


def _edge_key(text: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s", "", text))


def lay_out_page(number: int, lines: list[OcrLine]) -> PageText:
    """One page's lines (reading order, furniture gone) → its paragraphs (see the module docstring)."""
    if not lines:
        return PageText(number, (), False, False)
    size = _character_width(lines)
    height = statistics.median(ln.height for ln in lines)
    left = _margin([ln.left for ln in lines], size, low=True)
    right = _margin([ln.right for ln in lines], size, low=False)
    paragraphs: list[list[OcrLine]] = []
    for i, line in enumerate(lines):
        indented = line.left > left + 1.2 * size
        if i == 0:
            paragraphs.append([line])
            continue
        previous = lines[i - 1]
        short = previous.right < right - 2 * size
        centred = previous.left > left + 2.5 * size and short
        if indented or short or centred or line.height > 1.4 * height or previous.height > 1.4 * height:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    last = lines[-1]
    # margins need a few lines to be known: a page of one or two lines neither continues nor is continued
    settled = len(lines) >= 3
    ends_full = settled and last.right >= right - 2 * size
    continues = settled and not (lines[0].left > left + 1.2 * size)
    return PageText(
        number,
        tuple(_paragraph(number, group) for group in paragraphs),
        continues,
        ends_full,
    )


def _character_width(lines: list[OcrLine]) -> float:
    """The width of one CJK character on the page (half of it for a Latin letter or digit)."""
    widths = []
    for ln in lines:
        ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in ln.text if not ch.isspace())
        if ems >= 4:
            widths.append((ln.right - ln.left) / ems)
    return statistics.median(widths) if widths else statistics.median(ln.height for ln in lines)


def _margin(values: list[float], size: float, *, low: bool) -> float:
    """The body's left (or right) edge: the outermost edge that several lines share.

    A stray speck or one wide line does not move it; indented first lines and
    short last lines do not either, as long as a few lines run the full width.
    """
    ordered = sorted(values, reverse=not low)
    enough = max(2, round(0.15 * len(ordered)))
    for v in ordered:
        if sum(1 for w in ordered if abs(w - v) <= 0.5 * size) >= enough:
            return v
    return ordered[0]


def _paragraph(page: int, group: list[OcrLine]) -> OcrParagraph:
    text = ""
    for ln in group:
        text = join_words(text, _tidy(ln.text))
    chars = sum(len(ln.text) for ln in group)
    conf = sum(ln.confidence * len(ln.text) for ln in group) / max(chars, 1)
    return OcrParagraph(text=text, confidence=round(conf, 4), page=page + 1, characters=chars)


_CJK = r"[\u2014\u2018-\u201f\u2026\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")
#: A footnote marker as engines misread its tortoise-shell brackets: [17】, 【17], (17〕.
_FOOTNOTE = re.compile(r"[\[【〔［][0-9０-９]{1,3}[\]】〕］]")


def _tidy(text: str) -> str:
    """Engine output → line text: no spaces next to CJK characters, footnote
    markers in the report's own form (``〔17〕``, which search text drops), NFC."""
    text = _FOOTNOTE.sub(lambda m: f"〔{m.group()[1:-1]}〕", unicodedata.normalize("NFC", text.strip()))
    return _SPACE_BETWEEN_CJK.sub("", text)


def join_pages(pages: list[PageText]) -> list[OcrParagraph]:
    """The paragraphs of consecutive pages, a paragraph split by a page break joined again."""
    out: list[OcrParagraph] = []
    previous: PageText | None = None
    for page in pages:
        paras = list(page.paragraphs)
        if (paras and out and previous is not None and previous.ends_full and page.continues
                and page.number == previous.number + 1):
            tail, head = out.pop(), paras.pop(0)
            chars = tail.characters + head.characters
            conf = (tail.confidence * tail.characters + head.confidence * head.characters) / max(chars, 1)
            out.append(OcrParagraph(join_words(tail.text, head.text), round(conf, 4), tail.page, chars))
        out.extend(paras)
        if page.paragraphs:
            previous = page
    return out


def reading(paragraphs: list[OcrParagraph], pages: int, failed: list[int], engine: Engine,
            line_confidences: list[float | None]) -> OcrReading:
    """The :class:`OcrReading` of a file whose text has ``line_confidences`` (one per line)."""
    return OcrReading(engine=engine.label, paragraphs=tuple(paragraphs), pages=pages,
                      failed_pages=tuple(n + 1 for n in sorted(failed)),
                      line_confidences=tuple(line_confidences))
