"""HTML pages and exports: search, the report reader, paragraph permalinks, about.

Vocabulary:

* the **search page** (``/``, ``/search``) shows hits *grouped by report*
  (the best three paragraphs of each, and how many more), the facet sidebar,
  the hits-per-year chart, sorting and pages. With neither a query nor a
  filter it shows the **corpus overview** instead.
* the **reader** (``/r/<report_id>``) shows a whole report: its metadata, a
  table of contents from the headings, and every paragraph with its anchor
  ``#p-<paragraph_id>``. Opened with ``?q=…`` it marks every match of the query
  and numbers the matching paragraphs ``#hit-1``, ``#hit-2``… for next/previous.
* a **permalink** (``/p/<paragraph_id>``) redirects to its paragraph in its
  report; paragraph ids come from the text, so they survive a rebuilt index.
* a **citation** (see :func:`search.facets.citation_text`) goes with every hit
  and every paragraph, ending with the absolute permalink.
* **exports** (``/search.csv``, ``/search.json``) hold every hit of a search,
  not just the visible page. A CSV cell that a spreadsheet would run as a
  formula (``=…``, ``+…``, ``-…``, ``@…``) gets a leading ``'``
  (:func:`csv_cell`); the JSON keeps the text exactly.

Only GET and HEAD are served; nothing here changes state.
"""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import replace
from typing import Iterator

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from index.report import LEVEL_LABELS, SECTION_CATEGORIES
from search.engine import Hit, NotFound, SearchRequest
from search.facets import (
    build_facets,
    build_pager,
    citation_text,
    corpus_overview,
    selected_filters,
    sort_options,
)
from search.query import QueryError
from search.snippets import highlight_html, match_spans, sanitise

from . import get_engine
from .chart import year_chart_svg
from .errors import MissingPage
from .params import FILTER_PARAMS, search_request, valid_paragraph_id, valid_report_id

__all__ = ["bp", "CSV_COLUMNS", "QUERY_EXAMPLES", "csv_cell"]

log = logging.getLogger(__name__)

bp = Blueprint("views", __name__)

CSV_COLUMNS = ("report_id", "paragraph_id", "title", "province", "prefecture", "county", "level", "year",
               "section", "section_category", "number", "text", "url", "ocr_confidence")

#: (query, what it finds) — shown under the search box and on the about page.
QUERY_EXAMPLES = (
    ("项目为王", "这四个字连在一起出现的段落（精确短语，不拆词）"),
    ("营商环境 优化", "两个短语都出现（空格或 AND）"),
    ("乡村振兴 OR 共同富裕", "任一短语出现"),
    ("营商环境 -北京", "出现“营商环境”但不含“北京”（- 或 NOT）"),
    ('"互联网+ 政务"', "英文双引号括起含空格或符号的短语"),
    ("province:河北 year:2021 项目为王", "按省份、年份筛选（也可写 省:河北 年份:2021）"),
    ("year:2019-2023 新质生产力", "年份范围"),
    ("section:重点任务 数字经济", "只在某类章节中找（工作回顾、重点任务…）"),
    ("level:county 招商引资", "只看县级报告（national / province / prefecture / county）"),
)


# -- small pieces ------------------------------------------------------------------------


def search_url(params: dict, endpoint: str = "views.search") -> str:
    """A URL for the given search parameters (view models give parameters, not URLs)."""
    return url_for(endpoint, **params)


def permalink(paragraph_id: str) -> str:
    return url_for("views.paragraph", paragraph_id=paragraph_id, _external=True)


def reader_url(report_id: str, q: str = "", paragraph_id: str | None = None) -> str:
    url = url_for("views.report", report_id=report_id, q=q) if q else url_for("views.report", report_id=report_id)
    return url + (f"#p-{paragraph_id}" if paragraph_id else "")


def _hit_view(h: Hit, q: str) -> dict:
    link = permalink(h.paragraph_id)
    return {
        "paragraph_id": h.paragraph_id,
        "number": h.number,
        "section": h.section,
        "section_category": h.section_category,
        "snippet": Markup(sanitise(h.snippet_html)),
        "reader_url": reader_url(h.report_id, q, h.paragraph_id),
        "permalink": link,
        "citation": citation_text(h.title, h.region.display, h.year, h.section, h.number, link),
        "ocr": None if h.ocr_confidence is None else round(h.ocr_confidence * 100),
    }


def _region_links(region: dict) -> list[tuple[str, str]]:
    """(name, search URL) for each level of a report's region, top first."""
    out: list[tuple[str, str]] = []
    if region.get("level") == "national":
        return [("全国", search_url({"level": "national"}))]
    params: dict[str, str] = {}
    for name in ("province", "prefecture", "county"):
        v = region.get(name)
        if not v:
            continue
        params[name] = v
        if out and out[-1][0] == v:  # municipalities: 北京市 › 北京市 shown once
            continue
        out.append((v, search_url(dict(params))))
    return out


# -- search ----------------------------------------------------------------------------


@bp.get("/")
@bp.get("/search")
def search():
    """The search page (or the corpus overview for an empty search)."""
    engine = get_engine()
    req = search_request(request.args, per_page=current_app.config["PER_PAGE"], group=True)
    context: dict = {
        "q": req.q,
        "req": req,
        "examples": QUERY_EXAMPLES,
        "sorts": sort_options(req),
        "chips": [(c.label, search_url(c.params)) for c in selected_filters(req)],
        "search_url": search_url,
        "level_labels": LEVEL_LABELS,
    }
    has_filter = any(getattr(req, n) for n in FILTER_PARAMS)
    if not req.q.strip() and not has_filter:
        stats = engine.stats()
        return render_template("search.html", page=None, stats=stats,
                               overview=corpus_overview(engine.reports()), **context)
    try:
        page = engine.search(req)
    except QueryError as exc:
        return render_template("search.html", page=None, error=exc, stats=None, overview=None, **context), 400
    groups = []
    for g in page.groups:
        groups.append({
            "report_id": g.report_id,
            "title": g.title,
            "region": g.region.display,
            "level": LEVEL_LABELS.get(g.region.level, ""),
            "year": g.year,
            "reader_url": reader_url(g.report_id, req.q),
            "hits": [_hit_view(h, req.q) for h in g.hits],
            "total": g.total,
            "more": g.more,
        })
    export_params = req.params()
    context.update(
        page=page,
        groups=groups,
        facets=build_facets(page),
        pager=build_pager(req, page.pages),
        chart=Markup(year_chart_svg(page.years, title=f"“{req.q or '全部'}”每年命中段落数",
                                    link=lambda y: search_url({**export_params, "year": str(y)}))),
        csv_url=search_url(export_params, "views.export_csv"),
        json_url=search_url(export_params, "views.export_json"),
        api_url=search_url(export_params, "api.search"),
        overview=None,
        stats=None,
    )
    return render_template("search.html", **context)


def _export_request() -> SearchRequest:
    req = search_request(request.args, per_page=1000)
    return replace(req, page=1, group=False)


@bp.get("/search.csv")
def export_csv():
    """Every hit of the search as CSV (UTF-8 with BOM, so Excel reads the Chinese)."""
    req = _export_request()
    hits = get_engine().matching_paragraphs(req)
    rows = [_csv_row(h) for h in hits]

    def generate() -> Iterator[str]:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        buf.write("\ufeff")
        w.writerow(CSV_COLUMNS)
        for i, row in enumerate(rows):
            w.writerow(row)
            if i % 500 == 499:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return Response(generate(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="baogao-search.csv"',
        "X-Total-Count": str(len(rows)),
    })


#: A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> object:
    """A CSV value a spreadsheet shows as text: a leading ``'`` defuses a would-be formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_row(h: Hit) -> list:
    r = h.region
    row = [h.report_id, h.paragraph_id, h.title, r.province or "", r.prefecture or "", r.county or "",
           r.level, h.year or "", h.section, h.section_category, h.number, h.text, permalink(h.paragraph_id),
           "" if h.ocr_confidence is None else h.ocr_confidence]
    return [csv_cell(v) for v in row]


@bp.get("/search.json")
def export_json():
    """Every hit of the search as JSON (same hit shape as ``/api/search``)."""
    req = _export_request()
    hits = get_engine().matching_paragraphs(req)
    body = {
        "query": req.q,
        "params": req.params(),
        "total": len(hits),
        "hits": [h.as_dict(permalink(h.paragraph_id)) for h in hits],
    }
    resp = current_app.json.response(body)
    resp.headers["Content-Disposition"] = 'attachment; filename="baogao-search.json"'
    return resp


# -- reader ----------------------------------------------------------------------------


def _toc(paragraphs: list[dict]) -> list[dict]:
    toc, seen = [], set()
    for p in paragraphs:
        sec = p["section"]
        if not sec or sec in seen:
            continue
        seen.add(sec)
        parts = sec.split(" › ")
        if len(parts) > 2:  # the contents name chapters and their sections, not every numbered item
            continue
        toc.append({"label": parts[-1], "depth": len(parts) - 1, "anchor": f"p-{p['paragraph_id']}"})
    return toc


@bp.get("/r/<report_id>")
def report(report_id: str):
    """The report reader; ``?q=`` marks the query's matches and numbers the hits."""
    if not valid_report_id(report_id):
        raise MissingPage("报告", report_id[:80])
    engine = get_engine()
    try:
        rec, paragraphs = engine.report(report_id)
    except NotFound:
        raise MissingPage("报告", report_id) from None
    q = (request.args.get("q") or "").strip()[:1000]
    hit_ids: set[str] = set()
    phrases: list[str] = []
    query_error = None
    if q:
        try:
            found = engine.search(SearchRequest(q=q, report_id=report_id, per_page=1000))
        except QueryError as exc:
            query_error = str(exc)
        else:
            hit_ids = {h.paragraph_id for h in found.hits}
            phrases = found.phrases
    traditional = bool(rec.get("traditional"))
    title = rec.get("display_title") or report_id
    region = rec.get("region") or {}
    views = []
    hit_no = 0
    n_hits = len(hit_ids)
    for p in paragraphs:
        text = p["text"]
        parts = p["section"].split(" › ") if p["section"] else []
        heading = p["is_heading"]
        hit = None
        if p["paragraph_id"] in hit_ids:
            hit_no += 1
            hit = hit_no
            html = sanitise(highlight_html(text, match_spans(text, phrases, traditional=traditional)))
        else:
            html = str(escape(text))
        link = permalink(p["paragraph_id"])
        views.append({
            "paragraph_id": p["paragraph_id"],
            "number": p["number"],
            "html": Markup(html),
            "heading": heading,
            "depth": min(len(parts), 4),
            "section": p["section"],
            "hit": hit,
            "prev": f"#hit-{hit - 1}" if hit and hit > 1 else None,
            "next": f"#hit-{hit + 1}" if hit and hit < n_hits else None,
            "permalink": link,
            "ocr": None if p.get("ocr_confidence") is None else round(p["ocr_confidence"] * 100),
            "citation": citation_text(title, rec.get("region_display") or "", rec.get("year"), p["section"],
                                      p["number"], link),
        })
    return render_template(
        "report.html",
        rec=rec,
        title=title,
        q=q,
        query_error=query_error,
        n_hits=n_hits,
        paragraphs=views,
        toc=_toc(paragraphs),
        region_links=_region_links(region),
        level=LEVEL_LABELS.get(region.get("level") or "unknown", ""),
        year_url=search_url({"year": str(rec["year"])}) if rec.get("year") else None,
        back_url=search_url({"q": q}) if q else url_for("views.search"),
        search_url=search_url,
        api_url=url_for("api.report", report_id=report_id),
        evidence=rec.get("evidence") or [],
    )


@bp.get("/p/<paragraph_id>")
def paragraph(paragraph_id: str):
    """Permalink: redirect to the paragraph in its report (keeping ``?q=`` if given)."""
    if not valid_paragraph_id(paragraph_id):
        raise MissingPage("段落", paragraph_id[:80])
    try:
        rec, p = get_engine().paragraph(paragraph_id)
    except NotFound:
        raise MissingPage("段落", paragraph_id) from None
    q = (request.args.get("q") or "").strip()
    return redirect(reader_url(rec["report_id"], q, p["paragraph_id"]), code=302)


# -- about -----------------------------------------------------------------------------


@bp.get("/about")
def about():
    """What is indexed, the query language, and how to add reports."""
    engine = get_engine()
    return render_template(
        "about.html",
        stats=engine.stats(),
        examples=QUERY_EXAMPLES,
        categories=SECTION_CATEGORIES,
        level_labels=LEVEL_LABELS,
        index_dir=current_app.config["INDEX"],
        search_url=search_url,
    )
