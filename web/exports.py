"""Downloads that hold every row of an answer: one CSV response and one streamed JSON response.

Vocabulary:

* a **CSV export** (``/search.csv``, ``/targets.csv``, ``/scorecard.csv``,
  ``/first.csv``, ``/similar/<id>.csv``, ``/trends.csv``, ``/diff/<id>.csv``) is
  UTF-8 with a byte-order mark (so Excel reads the Chinese), ``\\r\\n`` line
  ends, a header row of column names, then one row per item. Its
  ``X-Total-Count`` header says how many rows follow.
* a **defused cell**: a text cell that a spreadsheet would run as a formula
  (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
  leading ``'`` (:func:`csv_cell`); a plain number such as ``-0.5`` is left
  as it is (it is no formula, and a spreadsheet reads it as a number).
* **streamed**: the rows are an iterable written as they are produced, a few
  hundred at a time, inside the request's context
  (:func:`flask.stream_with_context`, so links can still be made): the first
  bytes leave before the last row is built, and the memory used does not grow
  with the number of rows. :func:`json_response` streams a JSON object whose
  last member is a long list the same way.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Iterator, Sequence

from flask import Response, current_app, stream_with_context

__all__ = ["csv_cell", "csv_response", "json_response", "CHUNK_ROWS"]

log = logging.getLogger(__name__)

#: Rows written between two chunks of a streamed answer.
CHUNK_ROWS = 200

#: A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def csv_cell(value) -> object:
    """A CSV value a spreadsheet shows as text: a leading ``'`` defuses a would-be formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def _drain(buf: io.StringIO) -> str:
    text = buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return text


def csv_response(columns: Sequence[str], rows: Iterable[Sequence], filename: str, *,
                 total: int | None = None) -> Response:
    """A streamed CSV download: BOM, ``columns``, then every row of ``rows`` with its text cells defused.

    ``total`` (the ``X-Total-Count`` header) defaults to ``len(rows)``; give it
    when ``rows`` is a generator.
    """
    if total is None:
        rows = rows if isinstance(rows, Sequence) else list(rows)
        total = len(rows)

    def generate() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        buf.write("\ufeff")
        writer.writerow(columns)
        yield _drain(buf)  # the header leaves before the first row is built
        for i, row in enumerate(rows, 1):
            writer.writerow([csv_cell(v) for v in row])
            if i % CHUNK_ROWS == 0:
                yield _drain(buf)
        yield _drain(buf)

    return Response(stream_with_context(generate()), mimetype="text/csv", headers={
        "Content-Disposition": _attachment(filename),
        "X-Total-Count": str(total),
    })


def json_response(head: dict, name: str, items: Iterable, *, filename: str | None = None) -> Response:
    """A streamed JSON object: the members of ``head``, then ``name`` holding every item of ``items``.

    The items are written as they come (a few hundred per chunk); with
    ``filename`` the answer is a download.
    """
    dumps = current_app.json.dumps

    def generate() -> Iterator[str]:
        opening = dumps(head)
        yield (opening[:-1] + ", " if len(head) else "{") + dumps(name) + ": ["
        chunk: list[str] = []
        for i, item in enumerate(items):
            chunk.append(("" if i == 0 else ", ") + dumps(item))
            if len(chunk) == CHUNK_ROWS:
                yield "".join(chunk)
                chunk.clear()
        chunk.append("]}")
        yield "".join(chunk)

    headers = {"Content-Disposition": _attachment(filename)} if filename else {}
    return Response(stream_with_context(generate()), mimetype="application/json", headers=headers)
