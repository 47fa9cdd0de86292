"""What the query path says about a report and about one of its paragraphs.

Vocabulary:

* a **record** (:class:`ReportRecord`) is a report's entry in the generation's
  ``reports.json``, read once when the generation is loaded: its id, display
  ``title``, :class:`index.report.Region`, ``year``, ``date``, whether it was
  written in Traditional characters, its ``sources``. :meth:`ReportRecord.as_dict`
  is the record as the API and ``baogao reports --json`` print it (the writer's
  private fields, such as the content sketch it uses to spot duplicates, left out).
* a **passage** (:class:`Passage`) is one paragraph of a report, named so that
  a reader can cite it: report id and title, region, year, paragraph id and
  number, section. A search hit, a first use, a similar paragraph, a target row
  and a scorecard row each hold one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from index.report import Region

__all__ = ["ReportRecord", "Passage", "OfPassage", "PASSAGE_KEYS", "PRIVATE_FIELDS"]

#: Fields of a reports.json record that only the writer reads.
PRIVATE_FIELDS = frozenset({"sketch"})


@dataclass(frozen=True)
class ReportRecord:
    """One report's record (see the module docstring); build it with :meth:`from_json`."""

    report_id: str
    title: str
    region: Region
    year: int | None
    date: str | None
    traditional: bool
    sources: tuple[str, ...]
    fields: Mapping = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, rec: dict) -> "ReportRecord":
        """The record of a reports.json entry (its private fields dropped)."""
        rid = rec["report_id"]
        public = {k: v for k, v in rec.items() if k not in PRIVATE_FIELDS} if PRIVATE_FIELDS & rec.keys() else rec
        return cls(
            report_id=rid,
            title=rec.get("display_title") or rid,
            region=Region.from_dict(rec.get("region") or {}),
            year=rec.get("year"),
            date=rec.get("date") or None,
            traditional=bool(rec.get("traditional")),
            sources=tuple(rec.get("sources") or ()),
            fields=MappingProxyType(public),
        )

    def as_dict(self) -> dict:
        """The record's JSON (a fresh dict: every public field of reports.json, as written)."""
        return dict(self.fields)


@dataclass(frozen=True)
class Passage:
    """One paragraph of one report, with what a citation needs (see the module docstring)."""

    report_id: str
    paragraph_id: str
    number: int
    title: str
    region: Region
    year: int | None
    section: str = ""
    section_category: str = ""
    text: str = ""

    def as_dict(self, keys: tuple[str, ...]) -> dict:
        """The passage's JSON fields named in ``keys`` (of :data:`PASSAGE_KEYS`), in that order."""
        return {k: _PASSAGE_JSON[k](self) for k in keys}


_PASSAGE_JSON = {
    "report_id": lambda p: p.report_id,
    "paragraph_id": lambda p: p.paragraph_id,
    "number": lambda p: p.number,
    "paragraph_number": lambda p: p.number,
    "title": lambda p: p.title,
    "region": lambda p: p.region.as_dict(),
    "region_display": lambda p: p.region.display,
    "year": lambda p: p.year,
    "section": lambda p: p.section,
    "section_category": lambda p: p.section_category,
    "text": lambda p: p.text,
}

#: The JSON fields a passage can give (``paragraph_number`` is ``number`` under the name target rows use).
PASSAGE_KEYS = tuple(_PASSAGE_JSON)


class OfPassage:
    """For a value that holds a :class:`Passage` as ``passage``: its fields, read through."""

    passage: Passage

    report_id = property(lambda self: self.passage.report_id)
    paragraph_id = property(lambda self: self.passage.paragraph_id)
    number = property(lambda self: self.passage.number)
    title = property(lambda self: self.passage.title)
    region = property(lambda self: self.passage.region)
    year = property(lambda self: self.passage.year)
    section = property(lambda self: self.passage.section)
    section_category = property(lambda self: self.passage.section_category)
    text = property(lambda self: self.passage.text)
