"""The JSON API under ``/api``: the same answers as the pages, for scripts and notebooks.

* ``GET /api/search?q=…&province=…&page=…&per_page=…`` — :meth:`search.engine.SearchPage.as_dict`
  (the shape ``baogao search --json`` prints), hit ``url`` = absolute permalink.
  ``per_page`` goes up to 1000; for everything at once use ``/search.json``. A
  ``page`` past the last one is 400 ``{"error": "页码须是 1 到 N 之间的整数，收到“…”"}``.
* ``GET /api/reports`` — every report's record (metadata, evidence, counts) with
  its reader ``url``.
* ``GET /api/reports/<report_id>`` — one record plus its paragraphs, each with
  its permalink ``url``.
* ``GET /api/stats`` — what is indexed.
* ``GET /api/openapi.json`` — the OpenAPI 3.1 description of every JSON route.

Errors are JSON too (see :mod:`web.errors`): 400 ``{"error", "position"}`` for a
query the parser rejects, 404 for an unknown id.
"""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from . import get_engine
from .errors import report_or_404
from .openapi import openapi_document
from .params import search_page
from .urls import permalink, report_url, source_name

__all__ = ["bp"]

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api")

def _record(rec: dict) -> dict:
    out = dict(rec)
    out["sources"] = [source_name(s) for s in rec.get("sources") or ()]
    out["url"] = report_url(rec["report_id"])
    return out


@bp.get("/search")
def search():
    """One page of hits, facets and the per-year counts."""
    page = search_page(get_engine(), request.args, per_page=20)
    return jsonify(page.as_dict(permalink))


@bp.get("/reports")
def reports():
    """Every report's record, by year then region."""
    return jsonify([_record(r) for r in get_engine().reports(evidence=True)])


@bp.get("/reports/<report_id>")
def report(report_id: str):
    """One report's record and its paragraphs in reading order."""
    rec, paragraphs = report_or_404(report_id)
    out = _record(rec)
    out["paragraphs"] = [{**p, "url": permalink(p["paragraph_id"])} for p in paragraphs]
    return jsonify(out)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API (see :mod:`web.openapi`)."""
    return jsonify(openapi_document())


@bp.get("/stats")
def stats():
    """Reports, paragraphs, characters, provinces, regions, the span of years."""
    s = dict(get_engine().stats())
    if s.get("years"):
        s["years"] = list(s["years"])
    return jsonify(s)
