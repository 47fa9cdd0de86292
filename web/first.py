"""First use (``/first``, ``/first.csv``, ``/api/first``): who used a phrase first, and its spread since.

Vocabulary: a **use** (:class:`search.spread.Use`) is one report's use of the
phrase (its first matching paragraph and how many paragraphs match); the
**spread** is every use, oldest first, with the reports per year (the chart,
in 篇) and per province. The page lists the first :data:`LIST_LIMIT` uses; the
exports hold them all. A report written in traditional characters has its
matches marked in its own script (:func:`traditional_reports`, worked out once
per index generation).
"""
from __future__ import annotations

import logging
from dataclasses import replace

from flask import current_app, render_template, request, url_for
from markupsafe import Markup

from index.report import LEVEL_LABELS
from search.engine import SearchRequest
from search.query import QueryError
from search.snippets import make_snippet, sanitise
from search.spread import FIRST_CSV_COLUMNS, Spread, spread

from . import get_engine
from .chart import year_chart_svg
from .exports import csv_response
from .insights import bp, search_filters, view_links
from .params import query_phrases, search_request
from .urls import permalink, report_link, source_name, without_paths

__all__ = ["LIST_LIMIT", "traditional_reports"]

log = logging.getLogger(__name__)

#: Uses listed on the page (the exports hold every one).
LIST_LIMIT = 1000
_TRADITIONAL_KEY = "baogao.traditional_reports"


def traditional_reports(engine) -> frozenset[str]:
    """The ids of the reports written in traditional characters (worked out once per index generation)."""
    snap = engine.snapshot()
    cached = current_app.extensions.get(_TRADITIONAL_KEY)
    if cached is None or cached[0] != snap.generation:
        cached = (snap.generation, frozenset(rid for rid, rec in snap.records.items() if rec.traditional))
        current_app.extensions[_TRADITIONAL_KEY] = cached
    return cached[1]


def _spread_request() -> SearchRequest:
    return replace(search_request(request.args), page=1, group=False)


@bp.get("/first")
def first():
    """Who said it first: the first report to use the phrase, and its spread."""
    req = _spread_request()
    filters = search_filters(req)
    context = {"q": req.q, "req": req, "filters": filters, "links": view_links(req.q, filters), "level_labels": LEVEL_LABELS}
    if not req.q.strip():
        return render_template("first.html", result=None, error=None, **context)
    try:
        result = spread(get_engine(), req)
    except QueryError as exc:
        return render_template("first.html", result=None, error=exc, **context), 400
    phrases = query_phrases(req.q)
    view = _spread_view(result, req.q, phrases)
    # here a bar is reports (“篇”), and the title holds no query text
    chart = year_chart_svg([(y, n) for y, n, _ in result.years], title="每年使用该短语的报告数", unit="篇",
                           link=lambda y: url_for("views.search", q=req.q, **{**filters, "year": str(y)}))
    return render_template(
        "first.html", result=result, view=view, error=None,
        chart=Markup(chart),
        csv_url=url_for("insights.first_csv", q=req.q, **filters),
        api_url=url_for("insights.api_first", q=req.q, **filters),
        **context,
    )


def _use_view(u, q: str, phrases: list[str], traditional: frozenset[str]) -> dict:
    return {
        "report_id": u.report_id,
        "title": u.title,
        "region": u.region.display,
        "level": LEVEL_LABELS.get(u.region.level, ""),
        "year": u.year,
        "date": u.date,
        "paragraphs": u.paragraphs,
        "number": u.number,
        "snippet": Markup(sanitise(make_snippet(u.text, phrases, traditional=u.report_id in traditional))),
        "url": report_link(u.report_id, q, u.paragraph_id),
        "permalink": permalink(u.paragraph_id),
        "similar_url": url_for("insights.similar", paragraph_id=u.paragraph_id),
        "sources": u.sources,
    }


def _spread_view(result: Spread, q: str, phrases: list[str]) -> dict:
    trad = traditional_reports(get_engine())
    return {
        "first": [_use_view(u, q, phrases, trad) for u in result.first],
        "uses": [_use_view(u, q, phrases, trad) for u in result.uses[:LIST_LIMIT]],
        "more": max(0, len(result.uses) - LIST_LIMIT),
        "provinces": [{
            "province": p.province,
            "reports": p.reports,
            "paragraphs": p.paragraphs,
            "first_year": p.first_year,
            "first_title": p.first.title,
            "first_region": p.first.region.display,
            "first_url": report_link(p.first.report_id, q, p.first.paragraph_id),
            "search_url": url_for("views.search", q=q, level="national") if p.province == "全国"
            else url_for("views.search", q=q, province=p.province),
        } for p in result.provinces],
        "years": result.years,
    }


@bp.get("/first.csv")
def first_csv():
    """Every report using the phrase, oldest first, as CSV."""
    req = _spread_request()
    result = spread(get_engine(), req)
    rows = [[u.year or "", u.date or "", u.region.province or "", u.region.prefecture or "", u.region.county or "",
             u.region.level, u.report_id, u.title, u.paragraphs, permalink(u.paragraph_id), u.number,
             "；".join(source_name(s) for s in u.sources)] for u in result.uses]
    return csv_response(FIRST_CSV_COLUMNS, rows, "baogao-first-use.csv")


@bp.get("/api/first")
def api_first():
    """The first use and the spread as JSON."""
    req = _spread_request()
    return current_app.json.response(without_paths(spread(get_engine(), req).as_dict(permalink)))
