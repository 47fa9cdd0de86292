"""Pages that look across reports: first use, near-identical paragraphs, trends, alerts.

Vocabulary (the search side lives in :mod:`search.spread`, :mod:`search.similar`
and :mod:`search.trends`; these modules turn their answers into pages):

* **first use** (:mod:`web.first`) — ``/first?q=`` (page), ``/first.csv`` and
  ``/api/first``: the first report that used a phrase and every report since,
  oldest first, with the reports per year (chart) and per province (table).
* **similar paragraphs** (:mod:`web.similar`) — ``/similar/<paragraph_id>``
  (page), ``/similar/<paragraph_id>.csv`` and ``/api/similar/<paragraph_id>``:
  near-identical paragraphs of other reports with the differing text marked.
  ``?min=0.5`` sets the similarity threshold (0.3–1).
* **trends** (:mod:`web.trends`) — ``/trends?q=…&q=…`` (page), ``/trends.csv``
  and ``/api/trends``: per year and per province, the share of reports using
  each query (up to three on one chart); ``?metric=per_report`` charts matching
  paragraphs per report instead (:func:`web.chart.trend_chart_svg`).
* **alerts** (:mod:`web.feed`) — ``/feed?q=…`` is an Atom 1.0 feed of the
  matching paragraphs, newest first by when their report was indexed
  (``indexed_at``), so a feed reader shows a new report that mentions the phrase
  the day it is added.

All four add their routes to one blueprint, :data:`bp` (``insights``), so
their endpoints are ``insights.first``, ``insights.similar``,
``insights.trends``, ``insights.feed``…; this module holds that blueprint and
what the pages share. Every page takes the search filters too (``province``,
``year``, ``level``…). Errors go through :mod:`web.errors` (400 for a bad
query, 404 for an unknown paragraph); under ``/api`` they are JSON.
"""
from __future__ import annotations

import logging

from flask import Blueprint, url_for

from search.engine import SearchRequest
from search.query import FILTER_NAMES

from .params import year_bounds

__all__ = ["bp", "blueprint", "search_filters", "view_links"]

log = logging.getLogger(__name__)

bp = Blueprint("insights", __name__)
# the year-range inputs of every page's forms (templates/_year_range.html) show the `year` filter through this
bp.add_app_template_global(year_bounds, "year_bounds")


def blueprint() -> Blueprint:
    """:data:`bp` with the routes of every page kind (importing their modules adds them)."""
    from . import feed, first, similar, trends

    log.debug("insights pages: %s", ", ".join(m.__name__ for m in (first, similar, trends, feed)))
    return bp


def search_filters(req: SearchRequest) -> dict[str, str]:
    """The filters of a request as URL parameters (its query text left out)."""
    return {k: v for k, v in req.params().items() if k in FILTER_NAMES}


def view_links(q: str, filters: dict) -> dict:
    """The four views of one query, for the tabs at the top of each page."""
    params = {"q": q, **filters} if q else dict(filters)
    return {
        "search": url_for("views.search", **params),
        "first": url_for("insights.first", **params),
        "trends": url_for("insights.trends", **params),
        "feed": url_for("insights.feed", **params),
    }
