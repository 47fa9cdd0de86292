"""Trends (``/trends``, ``/trends.csv``, ``/api/trends``): how often one to three queries are used, per year and province.

Vocabulary (the search side is :mod:`search.trends`: base, share, thin years,
peak): the page charts each query's share of reports per year (or, with
``?metric=per_report``, matching paragraphs per report; see
:data:`web.chart.METRICS`) with :func:`web.chart.trend_chart_svg`, and lists the
same figures per year and per province. Years long before the first hit are
summed up in one line (:data:`LEAD_YEARS`).
"""
from __future__ import annotations

import logging
from dataclasses import replace

from flask import current_app, render_template, request, url_for
from markupsafe import Markup

from search.engine import SearchRequest
from search.query import FILTER_NAMES, QueryError
from search.trends import MAX_TERMS, MIN_REPORTS, TREND_CSV_COLUMNS, Trend, compare

from . import get_engine
from .chart import METRICS, SERIES_COLOURS, SERIES_DASHES, trend_chart_svg
from .exports import csv_response
from .insights import bp, search_filters, view_links
from .params import YEAR_RANGE_PARAMS, BadParameter, search_request

__all__ = ["either_query", "LEAD_YEARS"]

log = logging.getLogger(__name__)


def _trend_request() -> tuple[list[str], SearchRequest]:
    args = request.args
    queries = [q.strip() for q in args.getlist("q") if q.strip()]
    filters = {k: args[k] for k in FILTER_NAMES + YEAR_RANGE_PARAMS if k in args}
    base = replace(search_request(filters), q="")
    return queries, base


def either_query(queries: list[str]) -> str:
    """One search for paragraphs using any of the compared terms: ``营商环境 OR (乡村 振兴)``."""
    if len(queries) == 1:
        return queries[0]
    return " OR ".join(f"({q})" if any(c.isspace() for c in q) else q for q in queries)


def _metric() -> str:
    m = (request.args.get("metric") or "share").strip()
    if m not in METRICS:
        raise BadParameter("metric", f"参数 metric 须是 {'、'.join(METRICS)} 之一")
    return m


@bp.get("/trends")
def trends():
    """Per-year and per-province use of one to three queries, normalised per report."""
    queries, base = _trend_request()
    metric = _metric()
    filters = search_filters(base)
    inputs = (queries + [""] * MAX_TERMS)[:MAX_TERMS]
    context = {"q": queries[0] if queries else "", "header_q": either_query(queries), "queries": queries,
               "inputs": inputs, "filters": filters,
               "metric": metric, "metrics": {k: v[0] for k, v in METRICS.items()},
               "links": view_links(queries[0] if queries else "", filters)}
    if not queries:
        return render_template("trends.html", result=None, error=None, **context)
    try:
        result = compare(get_engine(), queries, base)
    except QueryError as exc:
        return render_template("trends.html", result=None, error=exc, **context), 400
    qparams = {"q": queries, **filters}
    start, earlier = _year_window(result)
    return render_template(
        "trends.html",
        result=result,
        error=None,
        series=[{"query": t.query, "colour": SERIES_COLOURS[k], "dash": SERIES_DASHES[k],
                 "first_url": url_for("insights.first", q=t.query, **filters),
                 "search_url": url_for("views.search", q=t.query, **filters)} for k, t in enumerate(result)],
        chart=Markup(trend_chart_svg(result, metric=metric, since=start)),
        min_reports=MIN_REPORTS,
        thin_years=sorted({y for t in result for y in t.thin_years if start is None or y >= start}),
        year_table=[row for row in _year_table(result) if start is None or row["key"] >= start],
        earlier=earlier,
        since=start,
        province_table=_province_table(result),
        metric_urls={k: url_for("insights.trends", **qparams, **({} if k == "share" else {"metric": k}))
                     for k in METRICS},
        csv_url=url_for("insights.trends_csv", **qparams),
        province_csv_url=url_for("insights.trends_csv", by="province", **qparams),
        api_url=url_for("insights.api_trends", **qparams),
        **context,
    )


#: Years shown before the first year with a hit; earlier years (all zero) are summed up in one line.
LEAD_YEARS = 5


def _year_window(result: list[Trend]) -> tuple[int | None, int]:
    """(first year to show, how many earlier years with reports but no hit are left out)."""
    hit_years = [r.key for t in result for r in t.years if r.reports_with_hits]
    base_years = sorted({r.key for t in result for r in t.years if r.reports_total})
    if not hit_years or not base_years:
        return None, 0
    start = max(base_years[0], min(hit_years) - LEAD_YEARS)
    return start, sum(1 for y in base_years if y < start)


def _table(result: list[Trend], rows_of: str) -> list[dict]:
    """One row per key (``years`` or ``provinces`` of the trends), a cell per compared term."""
    keys: list = []
    for t in result:
        for r in getattr(t, rows_of):
            if r.key not in keys:
                keys.append(r.key)
    per = [{r.key: r for r in getattr(t, rows_of)} for t in result]
    rows = []
    for key in keys:
        cells = [p.get(key) for p in per]
        total = next((c.reports_total for c in cells if c is not None), 0)
        rows.append({"key": key, "reports_total": total, "cells": cells})
    return rows


def _year_table(result: list[Trend]) -> list[dict]:
    return sorted(_table(result, "years"), key=lambda row: row["key"])


def _province_table(result: list[Trend]) -> list[dict]:
    rows = _table(result, "provinces")
    rows.sort(key=lambda row: (-(row["cells"][0].share if row["cells"][0] else 0), row["key"]))
    return rows


@bp.get("/trends.csv")
def trends_csv():
    """One row per year (``by=province``: per province); a ``query`` column first when several are compared."""
    queries, base = _trend_request()
    by = (request.args.get("by") or "year").strip()
    if by not in ("year", "province"):
        raise BadParameter("by", "参数 by 须是 year 或 province")
    result = compare(get_engine(), queries, base)
    several = len(result) > 1
    columns = ((("query",) if several else ()) + (by,) + TREND_CSV_COLUMNS[1:])
    rows = []
    for t in result:
        for r in (t.years if by == "year" else t.provinces):
            row = [r.key, r.reports_with_hits, r.reports_total, f"{r.share:.4f}", r.paragraphs,
                   f"{r.paragraphs_per_report:.4f}"]
            rows.append(([t.query] if several else []) + row)
    return csv_response(columns, rows, f"baogao-trends-{by}.csv")


@bp.get("/api/trends")
def api_trends():
    """The trends of one to three queries (repeat ``q``) as JSON."""
    queries, base = _trend_request()
    result = compare(get_engine(), queries, base)
    return current_app.json.response({"filters": search_filters(base), "trends": [t.as_dict() for t in result]})
