"""Pages that look across reports: first use, near-identical paragraphs, trends, alerts.

Vocabulary (the search side lives in :mod:`search.spread`, :mod:`search.similar`
and :mod:`search.trends`; this module turns their answers into pages):

* **first use** — ``/first?q=`` (page), ``/first.csv`` and ``/api/first``: the
  first report that used a phrase and every report since, oldest first, with
  the reports per year (chart) and per province (table).
* **similar paragraphs** — ``/similar/<paragraph_id>`` (page),
  ``/similar/<paragraph_id>.csv`` and ``/api/similar/<paragraph_id>``:
  near-identical paragraphs of other reports with the differing text marked.
  ``?min=0.5`` sets the similarity threshold (0.3–1).
* **trends** — ``/trends?q=…&q=…`` (page), ``/trends.csv`` and ``/api/trends``:
  per year and per province, the share of reports using each query (up to
  three on one chart); ``?metric=per_report`` charts matching paragraphs per
  report instead. The trend chart is server-rendered SVG (:func:`trend_chart_svg`).
* **alerts** — ``/feed?q=…`` is an Atom 1.0 feed of the matching paragraphs,
  newest first by when their report was indexed (``indexed_at``), so a feed
  reader shows a new report that mentions the phrase the day it is added.

Every page takes the search filters too (``province``, ``year``, ``level``…).
Errors go through :mod:`web.errors` (400 for a bad query, 404 for an unknown
paragraph); under ``/api`` they are JSON.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from html import escape
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from index.normalise import query_variants
from index.report import LEVEL_LABELS
from search.engine import NotFound, SearchRequest
from search.query import QueryError, parse_query, phrases_of
from search.similar import SIMILAR_CSV_COLUMNS, THRESHOLD, Similar, similar_paragraphs
from search.snippets import make_snippet, sanitise
from search.spread import FIRST_CSV_COLUMNS, Spread, spread
from search.trends import MAX_TERMS, MIN_REPORTS, TREND_CSV_COLUMNS, Trend, compare, matching_rows

from . import get_engine
from .chart import year_chart_svg
from .errors import fetch_or_404
from .exports import csv_response
from .params import FILTER_PARAMS, YEAR_RANGE_PARAMS, BadParameter, search_request, valid_paragraph_id, year_bounds
from .urls import absolute_url, permalink, report_link, source_name, without_paths

__all__ = ["bp", "FEED_LIMIT", "ATOM_TYPE", "METRICS", "trend_chart_svg", "atom_feed"]

log = logging.getLogger(__name__)

bp = Blueprint("insights", __name__)
# the year-range inputs of every page's forms (templates/_year_range.html) show the `year` filter through this
bp.add_app_template_global(year_bounds, "year_bounds")

#: Entries in one Atom feed.
FEED_LIMIT = 100
ATOM_TYPE = "application/atom+xml; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"
_EPOCH = "1970-01-01T00:00:00+00:00"

#: What the trend chart can show: (label, unit, value of a TrendRow).
METRICS = {
    "share": ("提及该词的报告占比", "%", lambda r: 100.0 * r.share),
    "per_report": ("平均每篇报告的命中段落数", "段", lambda r: r.paragraphs_per_report),
}
SERIES_COLOURS = ("#1f5f99", "#c0392b", "#2e7d32")
SERIES_DASHES = ("", "6 3", "2 3")
_LIST_LIMIT = 1000


# -- shared pieces -------------------------------------------------------------------


def _filters(req: SearchRequest) -> dict[str, str]:
    return {k: v for k, v in req.params().items() if k in FILTER_PARAMS}


def _phrases(q: str) -> list[str]:
    try:
        tree = parse_query(q)
    except QueryError:
        return []
    return [v for p in phrases_of(tree) for v in query_variants(p)]


def _snippet(text: str, phrases: list[str], traditional: bool = False) -> Markup:
    return Markup(sanitise(make_snippet(text, phrases, traditional=traditional)))


def _links(q: str, filters: dict) -> dict:
    """The four views of one query, for the tabs at the top of each page."""
    params = {"q": q, **filters} if q else dict(filters)
    return {
        "search": url_for("views.search", **params),
        "first": url_for("insights.first", **params),
        "trends": url_for("insights.trends", **params),
        "feed": url_for("insights.feed", **params),
    }


# -- first use ---------------------------------------------------------------------------


def _spread_request() -> SearchRequest:
    return replace(search_request(request.args), page=1, group=False)


@bp.get("/first")
def first():
    """Who said it first: the first report to use the phrase, and its spread."""
    req = _spread_request()
    filters = _filters(req)
    context = {"q": req.q, "req": req, "filters": filters, "links": _links(req.q, filters), "level_labels": LEVEL_LABELS}
    if not req.q.strip():
        return render_template("first.html", result=None, error=None, **context)
    try:
        result = spread(get_engine(), req)
    except QueryError as exc:
        return render_template("first.html", result=None, error=exc, **context), 400
    phrases = _phrases(req.q)
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


def _use_view(u, q: str, phrases: list[str], traditional: dict[str, bool]) -> dict:
    return {
        "report_id": u.report_id,
        "title": u.title,
        "region": u.region.display,
        "level": LEVEL_LABELS.get(u.region.level, ""),
        "year": u.year,
        "date": u.date,
        "paragraphs": u.paragraphs,
        "number": u.number,
        "snippet": _snippet(u.text, phrases, traditional.get(u.report_id, False)),
        "url": report_link(u.report_id, q, u.paragraph_id),
        "permalink": permalink(u.paragraph_id),
        "similar_url": url_for("insights.similar", paragraph_id=u.paragraph_id),
        "sources": u.sources,
    }


def _spread_view(result: Spread, q: str, phrases: list[str]) -> dict:
    engine = get_engine()
    trad = {}
    for u in result.uses[:_LIST_LIMIT]:
        try:
            rec, _ = engine.paragraph(u.paragraph_id)
        except NotFound:  # the index changed under us
            continue
        trad[u.report_id] = bool(rec.get("traditional"))
    return {
        "first": [_use_view(u, q, phrases, trad) for u in result.first],
        "uses": [_use_view(u, q, phrases, trad) for u in result.uses[:_LIST_LIMIT]],
        "more": max(0, len(result.uses) - _LIST_LIMIT),
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


# -- similar paragraphs ----------------------------------------------------------------------


def _threshold() -> float:
    raw = (request.args.get("min") or "").strip()
    if not raw:
        return THRESHOLD
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter("min", f"参数 min 须是 0.3–1 之间的小数，收到“{raw[:20]}”") from None
    if not 0.3 <= value <= 1.0:
        raise BadParameter("min", f"参数 min 须在 0.3–1 之间，收到 {value}")
    return value


def _similar(paragraph_id: str) -> Similar:
    return fetch_or_404("段落", paragraph_id, valid_paragraph_id,
                        lambda pid: similar_paragraphs(get_engine(), pid, threshold=_threshold()))


@bp.get("/similar/<paragraph_id>")
def similar(paragraph_id: str):
    """Near-identical paragraphs in other reports, the differences marked."""
    result = _similar(paragraph_id)
    rec = result.report
    para = result.paragraph
    matches = [{
        "title": m.title,
        "region": m.region.display,
        "level": LEVEL_LABELS.get(m.region.level, ""),
        "year": m.year,
        "number": m.number,
        "percent": round(100 * m.similarity),
        "contained": round(100 * m.containment),
        "identical": m.identical,
        "diff": Markup(m.diff_html),
        "url": report_link(m.report_id, "", m.paragraph_id),
        "similar_url": url_for("insights.similar", paragraph_id=m.paragraph_id),
        "sources": m.sources,
        "also": [{"report_id": a.report_id, "url": report_link(a.report_id, "", a.paragraph_id),
                  "title": _title(a.report_id), "sources": a.sources} for a in m.also],
    } for m in result.matches]
    return render_template(
        "similar.html",
        q="",
        result=result,
        rec=rec,
        para=para,
        matches=matches,
        region=(rec.get("region_display") or ""),
        source_url=report_link(rec.get("report_id", ""), "", para["paragraph_id"]),
        republications=[{"url": report_link(r.report_id, "", r.paragraph_id), "title": _title(r.report_id),
                         "sources": r.sources} for r in result.republications],
        percent=round(100 * result.threshold),
        csv_url=url_for("insights.similar_csv", paragraph_id=paragraph_id, **_min_param()),
        api_url=url_for("insights.api_similar", paragraph_id=paragraph_id, **_min_param()),
        looser_url=url_for("insights.similar", paragraph_id=paragraph_id, min="0.3") if result.threshold > 0.3 else None,
    )


def _min_param() -> dict:
    raw = (request.args.get("min") or "").strip()
    return {"min": raw} if raw else {}


def _title(report_id: str) -> str:
    try:
        rec, _ = get_engine().report(report_id)
    except NotFound:
        return report_id
    return rec.get("display_title") or report_id


@bp.get("/similar/<paragraph_id>.csv")
def similar_csv(paragraph_id: str):
    """The near-identical paragraphs as CSV, most similar first."""
    result = _similar(paragraph_id)
    rows = []
    for m in result.matches:
        r = m.region
        sources = list(m.sources) + [s for a in m.also for s in a.sources]
        rows.append([f"{m.similarity:.3f}", f"{m.containment:.3f}", m.report_id, m.paragraph_id, m.title,
                     r.province or "", r.prefecture or "", r.county or "", r.level, m.year or "", m.number, m.text,
                     "；".join(source_name(s) for s in sources)])
    return csv_response(SIMILAR_CSV_COLUMNS, rows, f"baogao-similar-{paragraph_id}.csv")


@bp.get("/api/similar/<paragraph_id>")
def api_similar(paragraph_id: str):
    """The source paragraph and its near-identical paragraphs as JSON."""
    return current_app.json.response(without_paths(_similar(paragraph_id).as_dict(permalink)))


# -- trends ------------------------------------------------------------------------------------


def _trend_request() -> tuple[list[str], SearchRequest]:
    args = request.args
    queries = [q.strip() for q in args.getlist("q") if q.strip()]
    filters = {k: args[k] for k in FILTER_PARAMS + YEAR_RANGE_PARAMS if k in args}
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
    filters = _filters(base)
    inputs = (queries + [""] * MAX_TERMS)[:MAX_TERMS]
    context = {"q": queries[0] if queries else "", "header_q": either_query(queries), "queries": queries,
               "inputs": inputs, "filters": filters,
               "metric": metric, "metrics": {k: v[0] for k, v in METRICS.items()},
               "links": _links(queries[0] if queries else "", filters)}
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
    return current_app.json.response({"filters": _filters(base), "trends": [t.as_dict() for t in result]})


WIDTH, HEIGHT = 520, 300
_TOP, _LEFT, _RIGHT = 50, 44, 14
#: Below the plot: the year labels, then the strip of reports per year (grey bars with their numbers).
_YEARS_Y, _STRIP_TOP, _STRIP_H = HEIGHT - 58, HEIGHT - 44, 22
_PLOT_BOTTOM = HEIGHT - 76
THIN_COLOUR = "#8a8a8a"


def _nice_max(value: float) -> float:
    for step in (1, 2, 2.5, 5):
        for scale in (0.01, 0.1, 1, 10, 100, 1000):
            if value <= step * scale * 4:
                return step * scale * 4
    return value


def trend_chart_svg(trends: list[Trend], *, metric: str = "share", since: int | None = None,
                    width: int = WIDTH) -> str:
    """Inline SVG: one line per query over the years (share of reports, or paragraphs per report).

    Under the years, a strip of grey bars gives the reports in the base each
    year, with their number: a share is only as good as the reports behind
    it. A thin year (fewer than :data:`search.trends.MIN_REPORTS` reports) is
    drawn as a hollow grey point joined by thin grey dotted lines. Years before
    ``since`` are left out; years in which the base holds no report are gaps in
    the line. Colours and dash patterns tell the series apart; every point has
    a ``<title>``. Text is escaped and only presentation attributes are used
    (the CSP forbids inline style).
    """
    label, unit, value = METRICS[metric]
    years = sorted({r.key for t in trends for r in t.years if r.reports_total and (since is None or r.key >= since)})
    if not years:
        return ""
    first, last = years[0], years[-1]
    span = max(1, last - first)
    plot_w = width - _LEFT - _RIGHT
    plot_h = _PLOT_BOTTOM - _TOP
    top = max((value(r) for t in trends for r in t.years if r.reports_total and r.key >= first), default=0.0)
    top = 100.0 if metric == "share" and top > 50 else _nice_max(max(top, 0.0001))
    totals = {r.key: r.reports_total for t in trends for r in t.years if r.reports_total and r.key >= first}
    most = max(totals.values())

    pad = 16  # the first and last year stand clear of the axis labels

    def x(y: int) -> float:
        return _LEFT + pad + ((plot_w - 2 * pad) * (y - first) / span if last > first else plot_w / 2 - pad)

    def yv(v: float) -> float:
        return _TOP + plot_h * (1 - v / top)

    names = "、".join(f"“{t.query}”" for t in trends)
    desc = "；".join(f"{y}年 {totals[y]} 篇报告" + ("（不足 3 篇）" if totals[y] < MIN_REPORTS else "")
                    for y in sorted(totals))
    out = [
        f'<svg class="trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="trend-title trend-desc" preserveAspectRatio="xMinYMin meet">',
        f'<title id="trend-title">{escape(names)}：每年{escape(label)}</title>',
        f'<desc id="trend-desc">{escape("每年收录的报告：" + desc)}</desc>',
    ]
    for k in range(5):
        v = top * k / 4
        gy = yv(v)
        text = f"{v:.0f}{unit}" if unit == "%" or top >= 4 else f"{v:.2g}"
        out.append(f'<line x1="{_LEFT}" y1="{gy:.1f}" x2="{width - _RIGHT}" y2="{gy:.1f}" stroke="#e3e3e3" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{_LEFT - 5}" y="{gy + 4:.1f}" text-anchor="end" font-size="12" fill="#555">'
                   f'{escape(text)}</text>')
    every = next((s for s in (1, 2, 5, 10, 20) if (last - first) / s <= 8), 25)
    for y in range(first, last + 1):
        if (y - first) % every == 0:
            out.append(f'<text x="{x(y):.1f}" y="{_YEARS_Y}" text-anchor="middle" font-size="12" fill="#444">'
                       f'{y}</text>')
    # the strip: reports in the base per year (the denominator of every share above it)
    out.append(f'<text x="{_LEFT - 5}" y="{_STRIP_TOP + _STRIP_H - 2}" text-anchor="end" font-size="11" '
               f'fill="#555">报告数</text>')
    bar_w = max(2.0, min(16.0, plot_w / (span + 1) * 0.6))
    label_all = span + 1 <= 14
    for y, n in sorted(totals.items()):
        h = max(1.5, _STRIP_H * n / most)
        colour = THIN_COLOUR if n < MIN_REPORTS else "#b5b5b5"
        out.append(f'<rect x="{x(y) - bar_w / 2:.1f}" y="{_STRIP_TOP + _STRIP_H - h:.1f}" width="{bar_w:.1f}" '
                   f'height="{h:.1f}" fill="{colour}"/>')
        if label_all or (y - first) % every == 0 or n < MIN_REPORTS:
            weight = ' font-weight="bold"' if n < MIN_REPORTS else ""
            out.append(f'<text x="{x(y):.1f}" y="{HEIGHT - 6}" text-anchor="middle" font-size="11" fill="#333"'
                       f'{weight}>{n}</text>')
    # legend
    lx = _LEFT
    for k, t in enumerate(trends):
        colour, dash = SERIES_COLOURS[k], SERIES_DASHES[k]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx}" y1="14" x2="{lx + 26}" y2="14" stroke="{colour}" stroke-width="3"{dash_attr}/>')
        out.append(f'<text x="{lx + 32}" y="18" font-size="13" fill="#222">{escape(t.query)}</text>')
        lx += 32 + 14 * len(t.query) + 20
    if any(n < MIN_REPORTS for n in totals.values()):
        out.append(f'<circle cx="{_LEFT + 4}" cy="30" r="4" fill="#ffffff" stroke="{THIN_COLOUR}" stroke-width="1.5"/>')
        out.append(f'<text x="{_LEFT + 13}" y="34" font-size="11" fill="#555">'
                   f'空心灰点：当年报告不足 {MIN_REPORTS} 篇，比例不可靠</text>')
    for k, t in enumerate(trends):
        colour, dash = SERIES_COLOURS[k], SERIES_DASHES[k]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        rows = {r.key: r for r in t.years if r.reports_total and first <= r.key}
        for a, b in zip(range(first, last), range(first + 1, last + 1)):
            ra, rb = rows.get(a), rows.get(b)
            if ra is None or rb is None:
                continue  # a year without reports is a gap
            ends = f'x1="{x(a):.1f}" y1="{yv(value(ra)):.1f}" x2="{x(b):.1f}" y2="{yv(value(rb)):.1f}"'
            if ra.thin or rb.thin:
                out.append(f'<line {ends} stroke="{THIN_COLOUR}" stroke-width="1.2" stroke-dasharray="2 3"/>')
            else:
                out.append(f'<line {ends} stroke="{colour}" stroke-width="2.5" stroke-linecap="round"{dash_attr}/>')
        for y, r in sorted(rows.items()):
            tip = (f"“{t.query}” {y}年：{r.reports_with_hits}/{r.reports_total} 篇报告（{100 * r.share:.0f}%），"
                   f"{r.paragraphs} 段" + (f"；当年报告不足 {MIN_REPORTS} 篇" if r.thin else ""))
            paint = (f'r="4" fill="#ffffff" stroke="{THIN_COLOUR}" stroke-width="1.5"' if r.thin
                     else f'r="3.5" fill="{colour}"')
            out.append(f'<circle cx="{x(y):.1f}" cy="{yv(value(r)):.1f}" {paint}><title>{escape(tip)}</title></circle>')
    out.append("</svg>")
    return "".join(out)


# -- alerts (Atom) -------------------------------------------------------------------------------


def atom_feed(req: SearchRequest, *, limit: int = FEED_LIMIT) -> bytes:
    """The Atom 1.0 document for a search: its newest ``limit`` paragraphs by ``indexed_at``."""
    engine = get_engine()
    found = matching_rows(engine, req)
    snap, rows = found.snap, found.rows
    reports = snap.reports

    def key(i: int):
        rid = snap.report.labels[snap.report.codes[i]]
        rec = reports.get(rid) or {}
        return (rec.get("indexed_at") or _EPOCH, rec.get("year") or 0, rid, -snap.numbers[i])

    newest = sorted(rows.tolist(), key=key, reverse=True)[:limit]
    params = req.params()
    label = req.q or "、".join(f"{k}:{v}" for k, v in params.items())
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    self_url = absolute_url("insights.feed", **params)
    sub(feed, "id", self_url)
    sub(feed, "title", f"“{label}” · 政府工作报告检索")
    sub(feed, "subtitle", "新收录报告中与此检索匹配的段落，按收录时间由新到旧")
    stamps = [key(i)[0] for i in newest] or [r.get("indexed_at") or _EPOCH for r in reports.values()] or [_EPOCH]
    sub(feed, "updated", max(stamps))
    sub(feed, "link", href=self_url, rel="self", type="application/atom+xml")
    sub(feed, "link", href=absolute_url("views.search", **params), rel="alternate", type="text/html")
    author = sub(feed, "author")
    sub(author, "name", "baogao 政府工作报告检索")
    sub(feed, "generator", "baogao")
    for i in newest:
        rid = snap.report.labels[snap.report.codes[i]]
        rec = reports.get(rid) or {}
        link = permalink(snap.pids[i])
        entry = sub(feed, "entry")
        sub(entry, "id", link)
        title = rec.get("display_title") or rid
        region = rec.get("region_display") or ""
        sub(entry, "title", f"{title}（{region}）第{snap.numbers[i]}段" if region else f"{title} 第{snap.numbers[i]}段")
        sub(entry, "updated", rec.get("indexed_at") or _EPOCH)
        sub(entry, "link", href=link, rel="alternate", type="text/html")
        section = snap.sections[i]
        text = snap.texts[i]
        summary = (f"〔{section}〕" if section else "") + (text if len(text) <= 1000 else text[:1000] + "……")
        sub(entry, "summary", summary, type="text")
        if rec.get("year"):
            sub(entry, "category", term=str(rec["year"]), label=f"{rec['year']}年")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@bp.get("/feed")
def feed():
    """A saved search as an Atom feed (``/feed?q=项目为王``); filters work too."""
    req = replace(search_request(request.args), page=1, group=False)
    if not req.q.strip() and not _filters(req):
        raise QueryError("请输入要订阅的检索式，例如 /feed?q=项目为王")
    body = atom_feed(req)
    return Response(body, content_type=ATOM_TYPE)
