"""The Whoosh schema: one document per paragraph. Field names are defined here once.

==================  ==============================================================
field               holds
==================  ==============================================================
``paragraph_id``    the stable id (unique key; permalinks use it)
``report_id``       the report it belongs to (report metadata is in ``reports.json``)
``number``          its number in the report, from 1
``exact``           bigrams of the search text, no positions (candidates for exact search)
``words``           jieba words of the search text, with positions (BM25 ranking)
``text``            the display text (stored only)
``section``         the heading path joined with ' › ' (stored)
``section_category``, ``province``, ``prefecture``, ``county``, ``level``, ``year``
                    facets, stored for every paragraph
``heading``         "1" when the paragraph is a heading
==================  ==============================================================
"""
from __future__ import annotations

from whoosh import fields, formats

from .analysis import BigramTokenizer, WordTokenizer

PARAGRAPH_ID = "paragraph_id"
REPORT_ID = "report_id"
NUMBER = "number"
EXACT = "exact"
WORDS = "words"
TEXT = "text"
SECTION = "section"
SECTION_CATEGORY = "section_category"
PROVINCE = "province"
PREFECTURE = "prefecture"
COUNTY = "county"
LEVEL = "level"
YEAR = "year"
HEADING = "heading"

#: The facet fields, in the order pages show them.
FACETS = (PROVINCE, PREFECTURE, COUNTY, LEVEL, YEAR, SECTION_CATEGORY)

#: Written into the index so an engine can refuse an index it cannot read.
SCHEMA_VERSION = 1


class ExactField(fields.FieldType):
    """Bigram terms with no frequencies or positions: presence is all the engine needs."""

    indexed = True
    # Scorable only so Whoosh keeps a lengths column for the field: for an
    # unscorable field its writer asks the file system once per posting at commit.
    scorable = True
    stored = False
    unique = False

    def __init__(self):
        self.analyzer = BigramTokenizer()
        self.format = formats.Existence(field_boost=1.0)
        self.vector = None


def paragraph_schema() -> fields.Schema:
    """A fresh schema object for a new index."""
    return fields.Schema(
        **{
            PARAGRAPH_ID: fields.ID(stored=True, unique=True),
            REPORT_ID: fields.ID(stored=True),
            NUMBER: fields.STORED(),
            EXACT: ExactField(),
            WORDS: fields.TEXT(analyzer=WordTokenizer(), phrase=True),
            TEXT: fields.STORED(),
            SECTION: fields.STORED(),
            SECTION_CATEGORY: fields.ID(stored=True),
            PROVINCE: fields.ID(stored=True),
            PREFECTURE: fields.ID(stored=True),
            COUNTY: fields.ID(stored=True),
            LEVEL: fields.ID(stored=True),
            YEAR: fields.NUMERIC(int, stored=True),
            HEADING: fields.STORED(),
        }
    )
