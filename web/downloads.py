"""A whole report as a file to keep: plain text (``/r/<id>.txt``) and Word (``/r/<id>.docx``).

Vocabulary:

* a **report document** (:class:`ReportDocument`) is what both files hold: a
  **metadata header** (title, region, year, delivery date and speaker where
  known, the sources by file name, the report's permalink, its GB/T 7714
  reference and the date it was downloaded) and the **body**, every paragraph
  in reading order.
* every paragraph keeps its **number**, the N of a citation's ``第N段``, written
  ``[N]`` in front of it; **headings** stay headings (``#``-marked lines in the
  text file, Word's Heading 1–3 styles in the ``.docx``), one level per step of
  the section path.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

__all__ = ["DocumentParagraph", "ReportDocument", "report_document", "as_text", "as_docx", "DOCX_TYPE"]

log = logging.getLogger(__name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_HEADING_LEVEL = 3
_EAST_ASIAN_FONT = "宋体"
_NUMBER_GREY = RGBColor(0x80, 0x80, 0x80)


@dataclass(frozen=True)
class DocumentParagraph:
    """One paragraph of the body: its number (第N段), its text, and its heading level (0 = body text)."""

    number: int
    text: str
    heading_level: int = 0


@dataclass(frozen=True)
class ReportDocument:
    """A report ready to be written as a file."""

    title: str
    region: str
    level: str
    year: int | None
    date: str | None
    speaker: str | None
    sources: tuple[str, ...]
    url: str
    reference: str
    downloaded: str
    paragraphs: tuple[DocumentParagraph, ...]

    def header(self) -> list[tuple[str, str]]:
        """(label, value) lines of the metadata header; unknown fields are left out."""
        rows = [("地区", f"{self.region}（{self.level}）" if self.level else self.region),
                ("年份", f"{self.year}年" if self.year else "年份不详")]
        if self.date:
            rows.append(("宣读日期", self.date))
        if self.speaker:
            rows.append(("报告人", self.speaker))
        rows += [("来源文件", "；".join(self.sources)), ("永久链接", self.url),
                 ("参考文献（GB/T 7714—2015）", self.reference), ("下载日期", self.downloaded),
                 ("段落编号", "每段前方括号中的数字即引用中的“第N段”")]
        return rows


def report_document(rec: dict, paragraphs: list[dict], *, title: str, region: str, level: str, sources: list[str],
                    url: str, reference: str, downloaded: str) -> ReportDocument:
    """The document of a report from its engine record and paragraphs (names and URLs made by the caller)."""
    body = []
    for p in paragraphs:
        depth = len(p["section"].split(" › ")) if p["section"] else 1
        level_of = min(max(depth, 1), MAX_HEADING_LEVEL) if p["is_heading"] else 0
        body.append(DocumentParagraph(p["number"], p["text"], level_of))
    return ReportDocument(title=title, region=region, level=level, year=rec.get("year"), date=rec.get("date"),
                          speaker=rec.get("speaker"), sources=tuple(sources), url=url, reference=reference,
                          downloaded=downloaded, paragraphs=tuple(body))


def as_text(doc: ReportDocument) -> str:
    """The report as UTF-8 plain text: header, a rule, then ``[N] text`` lines (headings ``#``-marked)."""
    lines = [doc.title, "=" * 40]
    lines += [f"{label}：{value}" for label, value in doc.header()]
    lines.append("=" * 40)
    for p in doc.paragraphs:
        if p.heading_level:
            lines += ["", f"{'#' * p.heading_level} [{p.number}] {p.text}", ""]
        else:
            lines.append(f"[{p.number}] {p.text}")
    return "\n".join(lines) + "\n"


def as_docx(doc: ReportDocument) -> bytes:
    """The report as a Word document: title, metadata, then numbered paragraphs with headings as headings."""
    d = Document()
    normal = d.styles["Normal"]
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _EAST_ASIAN_FONT)
    props = d.core_properties
    props.title = doc.title
    props.subject = "政府工作报告"
    props.keywords = "；".join(x for x in (doc.region, f"{doc.year}年" if doc.year else "") if x)
    props.comments = doc.url
    d.add_heading(doc.title, level=0)
    for label, value in doc.header():
        para = d.add_paragraph()
        para.add_run(f"{label}：").bold = True
        para.add_run(value)
    for p in doc.paragraphs:
        para = d.add_heading(level=p.heading_level) if p.heading_level else d.add_paragraph()
        num = para.add_run(f"[{p.number}] ")
        num.font.color.rgb = _NUMBER_GREY
        para.add_run(p.text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
