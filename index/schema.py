"""The Whoosh schema: one document per paragraph, holding only what is searched in Whoosh.

==================  ==============================================================
field               holds
==================  ==============================================================
``report_id``       the report it belongs to, indexed (not stored): the writer
                    deletes a report's paragraphs by it
``exact``           bigrams of the search text, no positions (candidates for exact search)
``words``           jieba words of the search text, with their frequencies (BM25 ranking)
==================  ==============================================================

Whoosh stores nothing: every paragraph's values (display and search text, id,
number, section, facets, OCR confidence) are in the generation's columns file
(:mod:`index.columns`), which the writer makes from the paragraphs it adds
(:mod:`index.carry`). Report metadata is in ``reports.json``. Nor does Whoosh
hold the frequent terms of ``exact`` and ``words``: a segment leaves them out,
and only the generation's saved postings hold them (:mod:`index.postings`).
"""
from __future__ import annotations

from array import array

from whoosh import fields, formats

from .analysis import BigramTokenizer, WordTokenizer, exact_codes, word_counts

REPORT_ID = "report_id"
EXACT = "exact"
WORDS = "words"

#: Written into each generation's ``FORMAT`` file and its columns file (:mod:`index.columns`), so an engine
#: or a writer refuses, with a message asking for a rebuild, an index it cannot read: 6 stopped storing the
#: paragraphs in Whoosh, 7 has 65,536 buckets of rare bigrams (a bucket's name changed with their number),
#: 8 leaves the frequent terms' postings out of Whoosh (only the saved postings hold them: :mod:`index.postings`),
#: 9 has the search code, house styles and half-byte frequencies (:mod:`index.search_code`, :mod:`index.columns`),
#: 10 the evidence compressed (:data:`index.writer.EVIDENCE`).
SCHEMA_VERSION = 10


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
    return fields.Schema(**{REPORT_ID: fields.ID(), EXACT: ExactField(), WORDS: WordsField()})


def paragraph_postings(search_text: str) -> tuple[array, list[bytes], array]:
    """The postings one paragraph adds to the exact and words fields: (exact-term codes, words, frequencies).

    Exact: the distinct terms' codes (:func:`index.analysis.exact_codes`;
    each posting has the default weight and no value). Words: each distinct
    word as UTF-8, and its frequency (``array('d')``), which is the posting's
    weight and, packed, its value (``formats.Frequency``). Computed directly
    rather than through Whoosh's tokenizer machinery (a third of the cost of a
    build); a test holds the index the writer makes from them equal to what
    Whoosh writes from the analyzers. The writer adds these straight to its
    posting pool, and a worker process can compute them: codes are one small
    array to send back rather than a list of terms, and the pool files them
    without looking terms up (a third of the writer's time adding documents,
    py-spy).
    """
    return (exact_codes(search_text), *paragraph_words(search_text))


def paragraph_words(search_text: str) -> tuple[list[bytes], array]:
    """The words part of :func:`paragraph_postings` (a report's exact codes are found all at once,
    :func:`index.analysis.exact_codes_of`)."""
    counts = word_counts(search_text)
    return [w.encode("utf-8") for w in counts], array("d", counts.values())
