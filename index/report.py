"""The value objects that pass through the pipeline.

A *source file* holds one or more *raw reports* (:class:`RawReport`, made by
:mod:`index.sources`). Each becomes one :class:`Report`: cleaned *paragraphs*
(:class:`Paragraph`) that know their *section*, plus *metadata* — a
:class:`Region`, a year, a title, the date delivered and the speaker — each
backed by :class:`Evidence` that says where in the text it was found.

Two texts exist for every paragraph: ``text`` is what a reader sees (the
cleaned original, Traditional stays Traditional), ``search_text`` is what
queries are matched against (:func:`index.normalise.fold_for_search` of it).

A report read from page images (:mod:`index.ocr`) carries an
:class:`OcrReading`; each of its paragraphs that came from OCR has an
``ocr_confidence`` (the engine's, 0–1), and the report's metadata says which
engine read it and which pages failed. Exact search is exact on the text as
recognised, which may differ from the printed page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Levels of a region, from the top. ``unknown`` means the text did not support one.
LEVELS = ("national", "province", "prefecture", "county", "unknown")

#: Section categories used for faceting, in reading order.
SECTION_CATEGORIES = ("工作回顾", "目标与要求", "重点任务", "政府自身建设", "名词解释", "其他")

#: Level names shown to readers.
LEVEL_LABELS = {
    "national": "全国",
    "province": "省级",
    "prefecture": "地级",
    "county": "县级",
    "unknown": "未知",
}


@dataclass(frozen=True)
class OcrParagraph:
    """One paragraph recognised by OCR: its text, the mean confidence of its
    characters (0–1), the page it starts on (from 1) and its character count."""

    text: str
    confidence: float
    page: int
    characters: int


@dataclass(frozen=True)
class OcrReading:
    """What OCR read from a file: the engine (name and version), the recognised
    paragraphs in order, how many pages were OCR'd and which of them (from 1)
    could not be read. ``line_confidences`` has one value per line of the raw
    report's text: the confidence of a recognised line, None for a line from
    a page's text layer."""

    engine: str
    paragraphs: tuple[OcrParagraph, ...]
    pages: int
    failed_pages: tuple[int, ...] = ()
    line_confidences: tuple[float | None, ...] = ()

    def as_dict(self) -> dict:
        """The report metadata's ``ocr`` value."""
        chars = sum(p.characters for p in self.paragraphs)
        mean = sum(p.confidence * p.characters for p in self.paragraphs) / chars if chars else 0.0
        return {"engine": self.engine, "pages": self.pages, "failed_pages": list(self.failed_pages),
                "confidence": round(mean, 4)}


@dataclass(frozen=True)
class RawReport:
    """One report's worth of decoded text, as read from a file, before cleaning.

    ``text`` uses ``\\n`` line ends; HTML and DOCX are already reduced to their
    text with one paragraph a line. ``part`` counts from 1 within ``source``
    (files such as seed 004 hold several reports). ``title_hint`` is a title the
    container gave (HTML ``<title>``, DOCX core title, a heading line that
    introduced this part), or ``None``. ``ocr`` is set when some of the text
    was read from page images.
    """

    source: str
    text: str
    format: str = "txt"
    part: int = 1
    parts: int = 1
    title_hint: str | None = None
    ocr: OcrReading | None = None


@dataclass(frozen=True)
class Region:
    """A place in the official division hierarchy (民政部 codes).

    ``level`` is one of :data:`LEVELS`. ``code`` is the six-digit division
    code of the most specific unit (``"100000"`` for the national level), or
    ``None`` when unknown.
    """

    level: str = "unknown"
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    code: str | None = None

    @property
    def name(self) -> str:
        """The most specific name: 霸州市, 廊坊市, 河北省, 全国, or 未知地区."""
        if self.level == "national":
            return "全国"
        return self.county or self.prefecture or self.province or "未知地区"

    @property
    def display(self) -> str:
        """The full hierarchy as one string: 河北省廊坊市霸州市."""
        if self.level == "national":
            return "全国"
        parts = [p for p in (self.province, self.prefecture, self.county) if p]
        # Municipalities repeat themselves as prefecture (北京市北京市): show once.
        out: list[str] = []
        for p in parts:
            if not out or out[-1] != p:
                out.append(p)
        return "".join(out) or "未知地区"

    def as_dict(self) -> dict:
        return {
            "province": self.province,
            "prefecture": self.prefecture,
            "county": self.county,
            "code": self.code,
            "level": self.level,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Region":
        return cls(
            level=d.get("level") or "unknown",
            province=d.get("province"),
            prefecture=d.get("prefecture"),
            county=d.get("county"),
            code=d.get("code"),
        )


UNKNOWN_REGION = Region()
NATIONAL = Region(level="national", code="100000")


@dataclass(frozen=True)
class Evidence:
    """Why a piece of metadata has its value.

    ``field`` is ``region``, ``year``, ``title``, ``date`` or ``speaker``;
    ``value`` the value it supports (as text); ``where`` names the place
    (``title``, ``opening``, ``text``, ``file name``, ``meta file``,
    ``container``); ``excerpt`` quotes the text it rests on; ``confident`` is
    False for a hint that was not used on its own.
    """

    field: str
    value: str
    where: str
    excerpt: str
    confident: bool = True

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "value": self.value,
            "where": self.where,
            "excerpt": self.excerpt,
            "confident": self.confident,
        }


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a report, with its place in the report's sections.

    ``number`` counts from 1 in reading order. ``section_path`` holds the
    headings above it, outermost first (a heading paragraph's path ends with
    itself). ``paragraph_id`` is derived from content, so a rebuilt index keeps
    every link (see :func:`index.assemble.paragraph_ids`). ``ocr_confidence``
    is the OCR engine's confidence (0–1) for a paragraph read from a page
    image, ``None`` for text the file held as text.
    """

    paragraph_id: str
    number: int
    text: str
    search_text: str
    section_path: tuple[str, ...] = ()
    section_category: str = "其他"
    is_heading: bool = False
    ocr_confidence: float | None = None

    @property
    def section(self) -> str:
        """The heading path joined for display: 三、… › (二)…"""
        return " › ".join(self.section_path)


@dataclass(frozen=True)
class Report:
    """A government work report: metadata plus its paragraphs."""

    report_id: str
    region: Region
    year: int | None
    title: str | None
    date: str | None
    speaker: str | None
    sources: tuple[str, ...]
    paragraphs: tuple[Paragraph, ...]
    evidence: tuple[Evidence, ...] = ()
    fingerprint: str = ""
    traditional: bool = False
    ocr: dict | None = None

    @property
    def display_title(self) -> str:
        """The stated title, or one made from the metadata (2021年霸州市政府工作报告)."""
        if self.title:
            return self.title
        year = f"{self.year}年" if self.year else ""
        place = "" if self.region.level in ("unknown", "national") else self.region.name
        return f"{year}{place}政府工作报告"

    @property
    def characters(self) -> int:
        return sum(len(p.text) for p in self.paragraphs)

    def metadata(self) -> dict:
        """The report's metadata as JSON-ready values (no paragraphs)."""
        return {
            "report_id": self.report_id,
            "title": self.title,
            "display_title": self.display_title,
            "region": self.region.as_dict(),
            "region_display": self.region.display,
            "year": self.year,
            "date": self.date,
            "speaker": self.speaker,
            "sources": list(self.sources),
            "evidence": [e.as_dict() for e in self.evidence],
            "fingerprint": self.fingerprint,
            "traditional": self.traditional,
            "characters": self.characters,
            "ocr": self.ocr,
        }


@dataclass(frozen=True)
class MetaOverride:
    """A user's correction from ``--meta FILE.csv``: region and/or year for a file."""

    file: str
    region: str | None = None
    year: int | None = None
    row: int = 0
    extra: dict = field(default_factory=dict, compare=False, hash=False)
