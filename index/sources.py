"""Read the files a journalist has into :class:`~index.report.RawReport` objects.

Vocabulary:

* A *source file* is one file on disk: plain text (``.txt``, ``.text``), a
  saved web page (``.html``, ``.htm``, ``.xhtml``), a Word document
  (``.docx``), a PDF (``.pdf``) or a picture of pages (``.png``, ``.jpg``,
  ``.jpeg``, ``.tif``, ``.tiff``). Its *format* is one of ``txt``, ``html``,
  ``docx``, ``pdf``, ``image`` and is decided by the file name suffix.
* A *scanned page* is a PDF page without a usable text layer; it and every
  picture are read by OCR (:mod:`index.ocr`), page by page, and laid out as
  paragraphs; the raw report then carries the :class:`~index.report.OcrReading`.
* *Decoding* turns the file's bytes into text with ``\\n`` line ends and one
  paragraph a line. Plain text may be UTF-8 (with or without BOM), UTF-16 with
  BOM, or the GB family (GB2312/GBK/GB18030, always decoded as GB18030).
  Nothing else is changed: page chrome inside a text file is left for
  :mod:`index.clean`. Only *container artefacts* are dropped here — HTML
  markup, scripts and site navigation, DOCX structure, PDF line wrapping.
* A *compilation* is a source file holding several reports (seed 004 is a
  scraped page with ten). Each report in it is introduced by a *report-title
  line* — a short line ending in ``政府工作报告`` such as
  ``【宝兴县招商】2021年宝兴县政府工作报告`` — followed by a long *body*.
  Such a file gives one raw report per title (``part`` 1..n of ``parts``).
  A report that merely mentions 政府工作报告 again, has a title and a
  subtitle, or is the same report repeated by a careless scraper, stays one.

*Limits* keep one hostile file from stalling a run: a text or HTML file over
:data:`MAX_TEXT_BYTES`, a DOCX or PDF over :data:`MAX_CONTAINER_BYTES` (or a
DOCX that unpacks to more than :data:`MAX_DOCX_UNPACKED`), and decoded text of
more than :data:`MAX_CHARACTERS` characters or :data:`MAX_LINES` lines are
refused with a message. The largest real report file (the 1955 national
report scraped with its text six times over) is 0.7 MB and 4,663 lines; a
compilation of ten reports is 0.55 MB: the limits leave ten times that room.

Errors: every failure to read a file as a report is a :class:`SourceError`
whose message is one line of Chinese meant for the reader; unknown file types
raise its subclass :class:`UnsupportedFile`, which callers usually report as
"skipped".
"""
from __future__ import annotations

import codecs
import contextlib
import logging
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from index import ocr
from index.report import OcrReading, RawReport

log = logging.getLogger(__name__)


class SourceError(Exception):
    """A file cannot be read as a report: it does not exist, is binary, empty,
    a corrupt or truncated DOCX/PDF, a scan in which OCR found no text, etc.

    ``str(exc)`` is a one-line message in Chinese naming the problem, e.g.
    ``无法读取 DOCX 文件（文件已损坏或被截断）``.
    """


class UnsupportedFile(SourceError):
    """The file's type is not one we read (``.xls``, ``.gif``, ``.zip``, old
    ``.doc``…): message like ``不支持的文件类型 .xls，已跳过``."""


#: Suffix (lower case) → format name. ``.md`` is left out on purpose: in a
#: folder of reports it is a README or notes, not a report.
FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}

#: File name suffixes :func:`read_reports` accepts (compared in lower case).
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(FORMATS)

#: Largest ``.txt``/``.html`` file read (checked before reading it).
MAX_TEXT_BYTES = 20 * 1024 * 1024
#: Largest ``.docx``/``.pdf`` file read (images make these bigger than their text).
MAX_CONTAINER_BYTES = 100 * 1024 * 1024
#: Largest total size of the parts inside a ``.docx`` (a zip), against zip bombs.
MAX_DOCX_UNPACKED = 200 * 1024 * 1024
#: Most characters and lines of decoded text one file may hold.
MAX_CHARACTERS = 2_000_000
MAX_LINES = 50_000

# ---------------------------------------------------------------------------
# Walking folders


def iter_source_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Every file under the given paths, in a stable order.

    A file path is yielded as given. A folder is walked recursively, entries
    sorted by name; hidden files and folders (``.name``) and Office lock files
    (``~$name``) are skipped. Files of every type are yielded: the caller
    decides what to do with unsupported ones. Each yielded path is the given
    path joined with the walked relative part, so ``Path.as_posix()`` of it is
    what :attr:`RawReport.source` will hold.

    Raises :class:`SourceError` for a path that does not exist.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, set())
        elif path.exists():
            yield path
        else:
            raise SourceError(f"找不到文件或文件夹：{given}")


def _walk(folder: Path, visited: set[str]) -> Iterator[Path]:
    real = os.path.realpath(folder)
    if real in visited:  # a symbolic link back up the tree
        log.warning("folder %s already walked, skipped", folder)
        return
    visited.add(real)
    try:
        with os.scandir(folder) as entries:
            names = sorted(
                (e.name, e.is_dir()) for e in entries if not _is_skipped_name(e.name)
            )
    except OSError as exc:
        log.warning("cannot list folder %s: %s", folder, exc)
        return
    for name, is_dir in names:
        child = folder / name
        if is_dir:
            yield from _walk(child, visited)
        else:
            yield child


def _is_skipped_name(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size % (1024 * 1024) else f"{size // 1024 // 1024} MB"


# ---------------------------------------------------------------------------
# Reading one file


def read_reports(path: str | Path) -> list[RawReport]:
    """Decode one source file into the raw reports it holds.

    Usually one; a compilation such as seed 004 gives one per report in it,
    numbered ``part`` 1..``parts``. ``source`` is ``Path(path).as_posix()``.

    Raises :class:`UnsupportedFile` for a suffix not in
    :data:`SUPPORTED_SUFFIXES`, and :class:`SourceError` when the file cannot
    be read as text (missing, empty, binary, corrupt, PDF without text).
    """
    path = Path(path)
    if path.is_dir():
        raise SourceError("这是文件夹，不是文件")
    suffix = path.suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        if suffix == ".doc":
            raise UnsupportedFile("不支持旧版 Word 文件 .doc，请另存为 .docx，已跳过")
        raise UnsupportedFile(f"不支持的文件类型 {suffix or '（无扩展名）'}，已跳过")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SourceError(f"找不到文件：{path.as_posix()}") from None
    except OSError as exc:
        raise SourceError(f"无法打开文件（{exc.strerror or exc}）") from exc
    limit = MAX_TEXT_BYTES if fmt in ("txt", "html") else MAX_CONTAINER_BYTES
    if size > limit:
        raise SourceError(f"文件太大（{_megabytes(size)}，{fmt.upper()} 文件上限 {_megabytes(limit)}），不像一篇政府工作报告")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"找不到文件：{path.as_posix()}") from None
    except OSError as exc:
        raise SourceError(f"无法打开文件（{exc.strerror or exc}）") from exc

    ocr_reading = None
    if fmt == "txt":
        text, container_title = decode_text(data), None
    elif fmt == "html":
        text, container_title = _read_html(data)
    elif fmt == "docx":
        text, container_title = _read_docx(data)
    elif fmt == "image":
        text, ocr_reading = _read_image(data, path.name)
        container_title = None
    else:
        text, container_title, ocr_reading = _read_pdf(data, path.name)

    if not text.strip():
        raise SourceError("文件为空（没有可读的文字）")
    if len(text) > MAX_CHARACTERS:
        raise SourceError(f"文字太多（{len(text):,} 字，上限 {MAX_CHARACTERS:,} 字），不像一篇政府工作报告")
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise SourceError(f"行数太多（{lines:,} 行，上限 {MAX_LINES:,} 行），不像一篇政府工作报告")

    source = path.as_posix()
    parts = split_reports(text)
    if len(parts) == 1:
        return [RawReport(source=source, text=text, format=fmt, title_hint=container_title, ocr=ocr_reading)]
    if ocr_reading is not None:
        ocr_reading = _per_part(ocr_reading, text, [p.text for p in parts])
    log.info("%s holds %d reports", source, len(parts))
    return [
        RawReport(
            source=source,
            text=part.text,
            format=fmt,
            part=number,
            parts=len(parts),
            title_hint=part.title,
            ocr=ocr_reading[number - 1] if ocr_reading else None,
        )
        for number, part in enumerate(parts, start=1)
    ]


def _per_part(reading: OcrReading, text: str, parts: list[str]) -> list[OcrReading]:
    """The reading of a compilation split into reports: each part's line confidences, found in order."""
    import dataclasses

    lines = text.split("\n")
    out = []
    i = 0
    for part in parts:
        confidences = []
        for line in part.split("\n"):
            j = next((j for j in range(i, len(lines)) if lines[j] == line), None)
            if j is not None:
                i = j + 1
            confidences.append(reading.line_confidences[j] if j is not None else None)
        out.append(dataclasses.replace(reading, line_confidences=tuple(confidences)))
    return out


# ---------------------------------------------------------------------------
# Plain text

#: Characters that must not be common in a text file: controls other than
#: tab, newline, carriage return, vertical tab, form feed and DOS end-of-file.
_ODD_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
#: Share of odd characters (or of undecodable bytes) above which the data is
#: taken for binary rather than text.
_BINARY_SHARE = 0.01

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts the same
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes) -> str:
    """Bytes of a text file → ``str`` with ``\\n`` line ends.

    Accepts UTF-8, UTF-8 with BOM, UTF-16/UTF-32 with BOM, and the GB family
    (GB2312, GBK, GB18030 — always decoded as GB18030, their superset). CR,
    LF and CRLF all become LF; a leading BOM is dropped. A GB file with a few
    broken bytes is decoded with U+FFFD for them (and a warning logged).

    Raises :class:`SourceError` for an empty file (``文件为空``) and for
    binary data: NUL bytes, many control characters, or mostly undecodable.
    """
    if not data.strip():
        raise SourceError("文件为空")
    text = _unify_line_ends(_decode_bytes(data))
    if not text.strip():
        raise SourceError("文件为空")
    return text


def _decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode with BOM, else UTF-8, else ``declared``, else GB18030."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked_text(data[len(bom):].decode(encoding))
            except UnicodeDecodeError as exc:
                raise SourceError(f"文件编码有误（{encoding.upper()} 解码失败）") from exc
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise SourceError("不是文本文件（含二进制数据）")
        return _checked_text(text)
    try:
        return _checked_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if declared and declared not in ("utf-8", "gb18030"):
        try:
            return _checked_text(data.decode(declared))
        except (UnicodeDecodeError, LookupError):
            log.debug("declared charset %s does not fit, trying GB18030", declared)
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        return _checked_text(_big5_if_gb_is_gibberish(data, text))
    text = data.decode("gb18030", errors="replace")
    bad = text.count("\ufffd")
    if bad / max(len(text), 1) > _BINARY_SHARE:
        raise SourceError("无法识别文件编码（大部分内容无法解码，可能不是文本文件）")
    log.warning("%d undecodable byte sequences replaced by U+FFFD", bad)
    return _checked_text(text)


#: Characters a UTF-16 text is made of: CJK, CJK and full-width punctuation, ASCII and Latin (pinyin), line ends.
_PLAIN_TEXT_CHAR = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f\u2460-\u257f\x20-\x7e\u00a0-\u02ff\t\n\r]")
#: The most frequent characters of Chinese prose, in both scripts (a GB decoding of Big5 bytes lacks them).
_COMMON_HANZI = frozenset(
    "的一是在不了有和人这這中大为為上个個国國我以要他时時来來用们們生到作地于於出就分对對成会會可主发發年动動同工也能下过過"
    "子说說产產种種面而方后後多定行学學法所民得经經十三之进進着等部度家电電力里裡如水化高自二理起小物现現实實加量都两兩体體"
    "制机機当當使点點从從业業本去把性好应應开開它合还還因由其些然前外天政四日那社义義事平形相全表间間样樣与與关關各重新线線"
    "内數数正心反你明看原又么利比或但质質气氣第向道命此变變条條只没沒结結解问問意建月公无無系军軍很情者最立代想已通并並提直"
    "题題党黨程展五果料象员員革位入常文总總次品式活设設及管特件长長求老头頭基资資边邊流路级級少图圖山统統接知较較将將组組见見"
    "计計别別手角期根论論运運农農指几幾九区區强強放决決西被干幹做必战戰先回则則任取据據处處府改革推务務服济濟县縣市省全"
)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark, or None when the NUL bytes mean binary."""
    if len(data) % 2:
        return None
    best, best_share = None, 0.0
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = len(_PLAIN_TEXT_CHAR.findall(text)) / max(len(text), 1)
        if share > best_share:
            best, best_share = text, share
    if best is None or best_share < 0.9:
        return None
    log.info("UTF-16 without BOM")
    return best


def _common_share(text: str) -> float:
    hanzi = _CJK.findall(text[:20000])
    return sum(1 for c in hanzi if c in _COMMON_HANZI) / len(hanzi) if len(hanzi) >= 20 else 1.0


def _big5_if_gb_is_gibberish(data: bytes, gb_text: str) -> str:
    """Big5 bytes (Taiwan/Hong Kong Traditional) also decode as GB18030, into rare
    characters; when they read far better as Big5, they are Big5."""
    if _common_share(gb_text) >= 0.15:
        return gb_text
    try:
        big5 = data.decode("big5hkscs")
    except UnicodeDecodeError:
        return gb_text
    if _common_share(big5) >= 0.3:
        log.info("decoded as Big5 (GB18030 gave rare characters only)")
        return big5
    return gb_text


def _checked_text(text: str) -> str:
    """Return ``text`` unless it looks like decoded binary data."""
    if text and len(_ODD_CONTROLS.findall(text)) / len(text) > _BINARY_SHARE:
        raise SourceError("不是文本文件（含大量控制字符，可能是二进制文件）")
    return text


def _unify_line_ends(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return text.lstrip("\ufeff")


# ---------------------------------------------------------------------------
# HTML

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""")
_GB_NAMES = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "x-euc-cn", "ms936"}
#: Elements whose content is never report text.
_NOT_TEXT = ("script", "style", "iframe", "noscript", "template", "object", "embed", "svg", "head", "select", "button")
#: Elements that hold site chrome rather than the page's article.
_CHROME = ("nav", "header", "footer", "aside", "form", "menu")
_BLOCKS = frozenset(
    "address article blockquote body center dd details dialog div dl dt fieldset figcaption figure"
    " h1 h2 h3 h4 h5 h6 hr html li main ol p pre section summary table tbody thead tfoot tr td th ul"
    " caption".split()
)
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜| - | – |－)\s*")


def html_charset(data: bytes) -> str | None:
    """The charset a page declares (``<meta charset>``, ``http-equiv`` or XML
    declaration) as a Python codec name; the GB family is mapped to
    ``gb18030`` and Big5 to ``big5hkscs``. ``None`` if none or unknown."""
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    if name in _GB_NAMES:
        return "gb18030"
    if name in ("big5", "big5-hkscs", "cp950", "x-x-big5"):
        return "big5hkscs"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _read_html(data: bytes) -> tuple[str, str | None]:
    """Main text of a saved page (one paragraph a line) and its title."""
    if not data.strip():
        raise SourceError("文件为空")
    page = _unify_line_ends(_decode_bytes(data, declared=html_charset(data)))
    # lxml refuses str input that still declares an encoding.
    page = re.sub(r"^\s*<\?xml[^>]*\?>", "", page)
    tree = _parse_html(page)
    title = _html_title(tree) if tree is not None else None
    if tree is not None:
        # trafilatura keeps what <noscript>, <template> and the like hold: never report text
        page = _without_non_text(tree)
    text = _trafilatura_text(page)
    if tree is None:
        return text, title
    page_text = _lxml_text(tree)
    if not text.strip():
        log.debug("trafilatura found no main text, falling back to lxml")
        return page_text, title
    return "\n".join(_restore_repeats(text.split("\n"), page_text.split("\n"))), title


#: After the last kept line only short repeats (各位代表！) are put back, so
#: a page that prints its article twice does not give it twice.
_SHORT_REPEAT = 20


def _restore_repeats(kept: list[str], page: list[str]) -> list[str]:
    """Put back paragraphs trafilatura collapsed because they repeat one it
    kept (reports say 各位代表！ many times): walk the page's own lines from
    the first kept line to the last (and a run of short repeats after it),
    keeping kept lines and exact repeats of them. If the kept lines are not
    found in order, ``kept`` is returned unchanged."""
    def key(line: str) -> str:
        return "".join(line.split())

    wanted = [key(line) for line in kept]
    seen: dict[str, str] = {}
    page_keys = [key(line) for line in page]
    try:
        start = page_keys.index(wanted[0])
    except ValueError:
        return kept
    out: list[str] = []
    i = 0
    for j in range(start, len(page)):
        if i < len(kept) and page_keys[j] == wanted[i]:
            out.append(kept[i])
            seen[wanted[i]] = kept[i]
            i += 1
        elif page_keys[j] in seen and (i < len(kept) or len(page_keys[j]) <= _SHORT_REPEAT):
            out.append(seen[page_keys[j]])
        elif i == len(kept):
            break
    if i < len(kept):
        return kept
    if len(out) > len(kept):
        log.debug("restored %d repeated paragraphs", len(out) - len(kept))
    return out


def _parse_html(page: str):
    import lxml.html
    from lxml import etree

    try:
        return lxml.html.document_fromstring(page)
    except (etree.ParserError, ValueError) as exc:
        log.debug("lxml cannot parse page: %s", exc)
        return None


def _without_non_text(tree) -> str:
    """The page again, without the elements in :data:`_NOT_TEXT` (other than ``head``)."""
    import copy

    import lxml.html

    tree = copy.deepcopy(tree)
    for el in list(tree.iter(*(t for t in _NOT_TEXT if t != "head"))):
        if el.getparent() is not None:
            el.drop_tree()
    return lxml.html.tostring(tree, encoding="unicode")


def _html_title(tree) -> str | None:
    candidates = []
    for xpath in ("//h1", "//title"):
        for el in tree.xpath(xpath)[:1]:
            value = " ".join(el.text_content().split())
            if value:
                candidates.append(value)
    if not candidates:
        return None
    # Prefer the one that names a report; cut a site name off a <title>.
    chosen = next((c for c in candidates if "报告" in c), candidates[0])
    pieces = [p for p in _TITLE_SEPARATORS.split(chosen) if p]
    if len(pieces) > 1:
        chosen = next((p for p in pieces if "报告" in p), pieces[0])
    return chosen


def _trafilatura_text(page: str) -> str:
    import trafilatura
    from lxml import etree

    with _quiet_library("trafilatura", "htmldate", "justext"):
        try:
            xml = trafilatura.extract(
                page,
                output_format="xml",
                include_comments=False,
                include_tables=True,
                include_images=False,
                include_links=False,
                favor_recall=True,
            )
        except Exception as exc:  # third-party parser on arbitrary input
            log.debug("trafilatura failed: %s", exc)
            return ""
    if not xml:
        return ""
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    lines: list[str] = []
    _xml_lines(main if main is not None else root, lines)
    return "\n".join(lines)


def _xml_lines(el, lines: list[str]) -> None:
    """Trafilatura's XML → one line per paragraph, heading, item or table row."""
    for child in el:
        tag = child.tag
        if tag in ("p", "head", "item", "quote", "code"):
            if any(c.tag in ("list", "table", "p") for c in child):
                _xml_lines(child, lines)
                continue
            _add_lines(lines, _inline_text(child))
        elif tag == "row":
            cells = [" ".join(_inline_text(c).split()) for c in child if c.tag == "cell"]
            _add_lines(lines, "\t".join(c for c in cells if c))
        elif tag in ("list", "table", "div", "main"):
            _xml_lines(child, lines)
        elif tag == "lb":
            continue


def _inline_text(el) -> str:
    parts = [el.text or ""]
    for child in el:
        parts.append("\n" if child.tag == "lb" else _inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _add_lines(lines: list[str], text: str) -> None:
    for line in text.split("\n"):
        line = line.strip()
        if line:
            lines.append(line)


def _lxml_text(tree) -> str:
    """Careful text of a page when trafilatura finds nothing: scripts, styles,
    frames and navigation dropped, block elements on their own lines."""
    for el in tree.xpath("|".join(f"//{t}" for t in _NOT_TEXT + _CHROME)):
        el.drop_tree()
    chunks: list[str] = []
    _lxml_chunks(tree, chunks)
    lines: list[str] = []
    _add_lines(lines, "".join(chunks).replace("\xa0", " "))
    return "\n".join(lines)


def _lxml_chunks(el, chunks: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    block = tag in _BLOCKS
    if block:
        chunks.append("\n")
    if tag == "br":
        chunks.append("\n")
    if tag and el.text:
        chunks.append(el.text)
    for child in el:
        _lxml_chunks(child, chunks)
    if tag in ("td", "th"):
        chunks.append("\t")
    if block:
        chunks.append("\n")
    if el.tail:
        chunks.append(el.tail)


# ---------------------------------------------------------------------------
# DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CJK = re.compile(r"[\u3400-\u9fff]")
_NOT_A_TITLE = re.compile(r"^(microsoft|word|wps|document|untitled|文档|新建|标题)|\.(docx?|wps)$", re.IGNORECASE)


def _read_docx(data: bytes) -> tuple[str, str | None]:
    """Text of a Word document (paragraphs and table rows, in body order) and
    its core-properties title when that looks like a real title."""
    import io

    import docx

    if not data.strip(b"\x00 \r\n\t"):
        raise SourceError("文件为空")
    try:
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # not a zip at all, or cut off
        log.debug("docx zip failed: %r", exc)
        raise SourceError("无法读取 DOCX 文件（文件已损坏或被截断）") from exc
    if unpacked > MAX_DOCX_UNPACKED:
        raise SourceError(f"DOCX 文件解压后太大（{_megabytes(unpacked)}，上限 {_megabytes(MAX_DOCX_UNPACKED)}）")
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        _docx_lines(document.element.body, lines)
        title = (document.core_properties.title or "").strip()
    except Exception as exc:  # zipfile, KeyError, lxml, python-docx: any of them means corrupt
        log.debug("docx failed: %r", exc)
        raise SourceError("无法读取 DOCX 文件（文件已损坏或被截断）") from exc
    return "\n".join(lines), (title if _looks_like_title(title) else None)


def _looks_like_title(value: str) -> bool:
    return 4 <= len(value) <= 80 and bool(_CJK.search(value)) and not _NOT_A_TITLE.search(value)


def _docx_lines(container, lines: list[str]) -> None:
    for child in container:
        if child.tag == _W + "p":
            _add_lines(lines, _docx_paragraph_text(child))
        elif child.tag == _W + "tbl":
            for row in child.iterchildren(_W + "tr"):
                cells = []
                for cell in row.iterchildren(_W + "tc"):
                    cell_lines: list[str] = []
                    _docx_lines(cell, cell_lines)
                    cells.append(" ".join(cell_lines))
                _add_lines(lines, "\t".join(c for c in cells if c))
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "smartTag"):
            _docx_lines(child, lines)


def _docx_paragraph_text(p) -> str:
    """Visible text of a ``w:p``: runs, hyperlinks, insertions; deleted text,
    field codes and the duplicate fallback of text boxes left out."""
    parts: list[str] = []

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag == _W + "tab":
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag in (_W + "del", _W + "moveFrom", _MC_FALLBACK, _W + "instrText", _W + "delText"):
                continue
            elif tag == _W + "p":  # a paragraph inside a text box
                walk(child)
                parts.append("\n")
            else:
                walk(child)

    walk(p)
    return "".join(parts)


# ---------------------------------------------------------------------------
# PDF

#: A line ending with one of these ends its paragraph.
_PARAGRAPH_END = tuple("。！？!?：:；;”」』）)")
#: A wrapped line is at least this share of the page's longest line.
_FULL_LINE = 0.85


def _read_pdf(data: bytes, name: str = "") -> tuple[str, str | None, OcrReading | None]:
    """Text layer of a PDF, pages joined, wrapped lines rejoined; pages without
    a usable text layer read by OCR (then with the :class:`OcrReading`)."""
    import io

    import pypdf

    if not data.strip():
        raise SourceError("文件为空")
    if b"%PDF-" not in data[:1024]:
        raise SourceError("无法读取 PDF 文件（不是 PDF 格式）")
    if b"%%EOF" not in data[-2048:]:
        # A cut-off download: pypdf could recover some pages, but a report
        # silently missing its end would mislead an exact search.
        raise SourceError("无法读取 PDF 文件（文件已损坏或被截断）")
    with _quiet_library("pypdf"):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise SourceError("PDF 文件已加密，无法读取")
            pages = [page.extract_text() or "" for page in reader.pages]
            title = None
            if reader.metadata is not None and reader.metadata.title:
                title = str(reader.metadata.title).strip()
        except SourceError:
            raise
        except Exception as exc:  # pypdf raises many kinds on damaged files
            log.debug("pdf failed: %r", exc)
            raise SourceError("无法读取 PDF 文件（文件已损坏或被截断）") from exc
    title = title if title and _looks_like_title(title) else None
    scanned = [i for i, p in enumerate(pages) if len(_LETTERS.findall(p)) < ocr.MIN_TEXT_LAYER]
    if not scanned:
        return "\n".join(_rejoin_wrapped_lines(_unify_line_ends(p)) for p in pages if p.strip()), title, None
    if len(scanned) > ocr.MAX_PAGES:
        raise SourceError(f"扫描页太多（{len(scanned)} 页，OCR 上限 {ocr.MAX_PAGES} 页），不像一篇政府工作报告")
    engine = _ocr_engine()
    try:
        with ocr.pdf_renderer(data, engine.dpi) as render:
            read, failed = ocr.read_pages(data, scanned, render, name, engine)
    except ocr.PageError as exc:
        raise SourceError(f"无法渲染扫描页（{exc}）") from exc
    recognised = ocr.join_pages(read)
    by_page: dict[int, list[ocr.OcrParagraph]] = {}
    for para in recognised:
        by_page.setdefault(para.page - 1, []).append(para)
    lines: list[str] = []
    confidences: list[float | None] = []  # per line: the OCR confidence, None for a text-layer line
    for i, page in enumerate(pages):
        if i in by_page:
            lines += [p.text for p in by_page[i]]
            confidences += [p.confidence for p in by_page[i]]
        elif i not in scanned and page.strip():
            page_lines = _rejoin_wrapped_lines(_unify_line_ends(page)).split("\n")
            lines += page_lines
            confidences += [None] * len(page_lines)
    text = "\n".join(lines)
    if not text.strip():
        raise SourceError(_no_text_message(len(scanned), failed, "PDF 没有文字层（扫描件），OCR 也未识别出文字"))
    _log_failed_pages(name, failed)
    return text, title, ocr.reading(recognised, len(scanned), failed, engine, confidences)


def _read_image(data: bytes, name: str = "") -> tuple[str, OcrReading]:
    """Text of a picture of report pages (a TIFF may hold several), read by OCR."""
    if not data.strip(b"\x00"):
        raise SourceError("文件为空")
    try:
        frames = ocr.picture_frames(data)
    except ocr.PageError as exc:
        raise SourceError(f"无法读取图片文件（{exc}）") from exc
    engine = _ocr_engine()
    read, failed = ocr.read_pages(data, range(len(frames)), frames.__getitem__, name, engine)
    recognised = ocr.join_pages(read)
    text = "\n".join(p.text for p in recognised)
    if not text.strip():
        raise SourceError(_no_text_message(len(frames), failed, "图片中 OCR 未识别出文字"))
    _log_failed_pages(name, failed)
    return text, ocr.reading(recognised, len(frames), failed, engine, [p.confidence for p in recognised])


#: Letters of a text layer that count as text: hanzi, Latin letters, digits.
_LETTERS = re.compile(r"[\u3400-\u9fff0-9A-Za-z]")


def _ocr_engine() -> "ocr.Engine":
    try:
        return ocr.get_engine()
    except ocr.OcrError as exc:
        raise SourceError(f"需要 OCR 才能读取，但{exc}") from exc


def _no_text_message(pages: int, failed: list[int], fallback: str) -> str:
    if failed and len(failed) == pages:
        return f"OCR 失败：{pages} 页都无法识别"
    return fallback


def _log_failed_pages(name: str, failed: list[int]) -> None:
    if failed:
        log.warning("%s: OCR failed on page(s) %s; those pages are missing", name, ", ".join(str(n + 1) for n in failed))


def _rejoin_wrapped_lines(page: str) -> str:
    """Join lines that the PDF layout wrapped: a line nearly as long as the
    page's longest that does not end a sentence continues on the next line."""
    lines = [line.strip() for line in page.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    widest = max(_width(line) for line in lines)
    out: list[str] = [lines[0]]
    for line in lines[1:]:
        previous = out[-1].split("\n")[-1]
        wrapped = _width(previous) >= _FULL_LINE * widest and not previous.endswith(_PARAGRAPH_END)
        if wrapped:
            joiner = " " if previous[-1].isascii() and line[0].isascii() else ""
            out[-1] = out[-1] + joiner + line
        else:
            out.append(line)
    return "\n".join(out)


def _width(line: str) -> int:
    """Display width: CJK and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@contextlib.contextmanager
def _quiet_library(*loggers: str) -> Iterator[None]:
    """Silence a third-party library's warnings and log chatter while it reads
    one file: damaged input is reported by our own SourceError instead."""
    saved = []
    for name in loggers:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)


# ---------------------------------------------------------------------------
# Compilations: several reports in one file


@dataclass(frozen=True)
class ReportPart:
    """One report found in a compilation: the title line that introduced it
    (its bracketed site prefix removed), or ``None``, and its text."""

    title: str | None
    text: str


#: A report-title line: short, ends with 政府工作报告 (and maybe （摘要）).
_TITLE_LINE = re.compile(r"政府工作报告(?:[（(](?:摘要|摘登|全文|节选|草案)[）)])?$")
_TITLE_MAX = 60
_TITLE_PREFIX = re.compile(r"^\s*(?:【[^】]{0,20}】|\[[^\]]{0,20}\]|〖[^〗]{0,20}〗)\s*")
#: A report body has at least this many non-space characters.
_MIN_BODY = 3000
#: A line shorter than this not ending a sentence is not report text when it
#: trails a body (dates, separators, site links between reports).
_SENTENCE_LINE = 80
_SENTENCE_END = re.compile(r"[。！？!?…”」』）)]$")


def split_reports(text: str) -> list[ReportPart]:
    """Split a compilation into its reports; any other text is one part.

    A file is a compilation when at least two report-title lines are each
    followed by a body of :data:`_MIN_BODY` characters, and those titles and
    bodies are all different (a scrape that repeats one report stays one).
    Each part's text runs from after its title to the next title, without
    trailing short lines that are not sentences (scrape dates, separators,
    site chrome). Text before the first title is kept as its own part only
    when it is itself as long as a body; otherwise it is container chrome.
    """
    lines = text.split("\n")
    titles = [i for i, line in enumerate(lines) if _is_title_line(line)]
    if len(titles) < 2:
        return [ReportPart(None, text)]
    bounds = titles[1:] + [len(lines)]
    headed = [
        (start, end)
        for start, end in zip(titles, bounds)
        if _body_size(lines[start + 1:end]) >= _MIN_BODY
    ]
    if len(headed) < 2:
        return [ReportPart(None, text)]
    starts = [start for start, _ in headed]
    ends = starts[1:] + [len(lines)]
    parts = [
        ReportPart(_TITLE_PREFIX.sub("", lines[start]).strip(), _trim_tail(lines[start + 1:end]))
        for start, end in zip(starts, ends)
    ]
    titles_seen = [p.title for p in parts]
    openings = [re.sub(r"\s", "", p.text)[:200] for p in parts]
    if len(set(titles_seen)) < len(parts) or len(set(openings)) < len(parts):
        log.debug("report titles or bodies repeat: one report, not a compilation")
        return [ReportPart(None, text)]
    leading = lines[: starts[0]]
    if _body_size(leading) >= _MIN_BODY:
        parts.insert(0, ReportPart(None, _trim_tail(leading)))
    elif any(line.strip() for line in leading):
        log.debug("dropped %d lines of chrome before the first report", len(leading))
    return parts


def _is_title_line(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > _TITLE_MAX or "。" in line or "，" in line:
        return False
    return bool(_TITLE_LINE.search(_TITLE_PREFIX.sub("", line)))


def _body_size(lines: list[str]) -> int:
    return sum(len("".join(line.split())) for line in lines)


def _trim_tail(lines: list[str]) -> str:
    end = len(lines)
    while end > 0:
        line = lines[end - 1].strip()
        if line and (len(line) >= _SENTENCE_LINE or _SENTENCE_END.search(line)):
            break
        end -= 1
    start = 0
    while start < end and not lines[start].strip():
        start += 1
    return "\n".join(lines[start:end])
