"""The Whoosh schema: one document per paragraph. Field names are defined here once.

==================  ==============================================================
field               holds
==================  ==============================================================
``paragraph_id``    the stable id (stored; permalinks use it)
``report_id``       the report it belongs to (report metadata is in ``reports.json``)
``number``          its number in the report, from 1
``exact``           bigrams of the search text, no positions (candidates for exact search)
``words``           jieba words of the search text, with their frequencies (BM25 ranking)
``text``            the display text (stored only)
``section``         the heading path joined with ' › ' (stored)
``section_category``, ``province``, ``prefecture``, ``county``, ``level``, ``year``
                    facets, stored for every paragraph
``heading``         "1" when the paragraph is a heading
``ocr``             the OCR engine's confidence (0–1) for a paragraph read from a
                    page image; absent for text the file held as text (stored)
==================  ==============================================================
"""
from __future__ import annotations

from collections import Counter

from whoosh import fields, formats
from whoosh.system import pack_uint

from .analysis import BigramTokenizer, WordTokenizer, bigrams, document_words, exact_term

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
OCR = "ocr"

#: The facet fields, in the order pages show them.

#: Written into the index so an engine can refuse an index it cannot read.
SCHEMA_VERSION = 6


class _UnscoredField(fields.FieldType):
    """An indexed, unstored field that Whoosh does not score (the engine ranks by itself)."""

    indexed = True
    scorable = False
    stored = False
    unique = False

    def __init__(self, analyzer, format_):
        self.analyzer = analyzer
        self.format = format_
        self.vector = None


class ExactField(_UnscoredField):
    """Bigram terms with no frequencies or positions: presence is all the engine needs."""

    def __init__(self):
        super().__init__(BigramTokenizer(), formats.Existence(field_boost=1.0))


class WordsField(_UnscoredField):
    """jieba words with their frequency in the paragraph, which the engine's BM25
    reads from the postings (the tokenizer's word positions are not kept:
    nothing reads them, and they doubled the field)."""

    def __init__(self):
        super().__init__(WordTokenizer(), formats.Frequency(field_boost=1.0))


def paragraph_schema() -> fields.Schema:
    """A fresh schema object for a new index."""
    return fields.Schema(
        **{
            # stored only: a term per paragraph would cost ~100 bytes each in the term dictionary
            PARAGRAPH_ID: fields.STORED(),
            REPORT_ID: fields.ID(stored=True),
            NUMBER: fields.STORED(),
            EXACT: ExactField(),
            WORDS: WordsField(),
            TEXT: fields.STORED(),
            SECTION: fields.STORED(),
            SECTION_CATEGORY: fields.ID(stored=True),
            PROVINCE: fields.ID(stored=True),
            PREFECTURE: fields.ID(stored=True),
            COUNTY: fields.ID(stored=True),
            LEVEL: fields.ID(stored=True),
            YEAR: fields.NUMERIC(int, stored=True),
            HEADING: fields.STORED(),
            OCR: fields.STORED(),
        }
    )


def paragraph_postings(search_text: str) -> tuple[list[bytes], list[tuple[bytes, float, bytes]]]:
    """The postings one paragraph adds to the exact and words fields, encoded as Whoosh encodes them.

    Exact: the distinct bigram buckets as UTF-8 (each with the default weight
    and no value). Words: (term, weight, encoded frequency) per distinct word,
    as ``formats.Frequency`` makes them. Computed directly rather than through
    Whoosh's tokenizer machinery (a third of the cost of a build); a test
    holds the result equal to what Whoosh writes from the analyzers. The
    writer adds these straight to its posting pool, and a worker process can
    compute them.
    """
    exact = sorted({exact_term(b).encode("utf-8") for b in bigrams(search_text)})
    freqs = Counter(w for _, w in document_words(search_text))
    words = [(w.encode("utf-8"), float(n), pack_uint(n)) for w, n in freqs.items()]
    return exact, words
