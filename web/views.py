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
* a **citation** goes with every hit and every paragraph in two forms: the
  plain one (:func:`search.facets.citation_text`) and GB/T 7714-2015
  (:func:`search.facets.gbt7714_citation`), both with the delivery date where
  known, the access date (today in China Standard Time) and the absolute permalink.
* **downloads** (``/r/<report_id>.txt``, ``/r/<report_id>.docx``) hold a
  whole report with its metadata (see :mod:`web.downloads`).
* **exports** (``/search.csv``, ``/search.json``) hold every hit of a search,
  not just the visible page. A CSV cell that a spreadsheet would run as a
  formula (``=…``, ``+…``, ``-…``, ``@…``) gets a leading ``'``
  (:func:`web.exports.csv_cell`); the JSON keeps the text exactly. Both are
  streamed: rows leave as they are made (:mod:`web.exports`).

Only GET and HEAD are served; nothing here changes state.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from flask import Blueprint, Response, current_app, redirect, render_template, request
from markupsafe import Markup, escape

from index.report import LEVEL_LABELS, SECTION_CATEGORIES, Region
from search.engine import Hit, NotFound, SearchRequest
from search.facets import (
    build_facets,
    build_pager,
    citation_text,
    corpus_overview,
    gbt7714_citation,
    selected_filters,
    sort_options,
)
from search.query import FILTER_NAMES, QueryError
from search.snippets import highlight_html, match_spans, sanitise

from . import get_engine
from .chart import year_chart_svg
from .errors import paragraph_or_404, report_or_404
from .exports import csv_response, json_response
from .params import query_phrases, search_page, search_request, without_page
from .downloads import DOCX_TYPE, ReportDocument, as_docx, as_text, report_document
from .urls import link, permalink, report_link, report_url, search_link, source_name

__all__ = ["bp", "CSV_COLUMNS", "QUERY_EXAMPLES"]

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


#: Access dates are dates in China Standard Time (the readers' calendar), whatever the server's zone.
CHINA_TIME = timezone(timedelta(hours=8), "CST")


def access_date() -> str:
    """Today's date (YYYY-MM-DD, China Standard Time): the 引用日期 of a citation made now."""
    return datetime.now(CHINA_TIME).date().isoformat()


def _citations(title: str, region: Region, year: int | None, date: str | None, section: str, number: int,
               perma: str, accessed: str) -> dict:
    """The two forms of a paragraph's citation: the plain one and GB/T 7714-2015."""
    return {
        "citation": citation_text(title, region.display, year, section, number, perma, date=date, accessed=accessed),
        "citation_gbt": gbt7714_citation(title, region, year, perma, date=date, accessed=accessed),
    }


def _delivery_date(engine, paragraph_id: str) -> str | None:
    try:
        rec, _ = engine.paragraph(paragraph_id)
    except NotFound:
        return None
    return rec.get("date")


def _hit_view(h: Hit, q: str, date: str | None, accessed: str) -> dict:
    perma = permalink(h.paragraph_id)
    return {
        "paragraph_id": h.paragraph_id,
        "number": h.number,
        "section": h.section,
        "section_category": h.section_category,
        "snippet": Markup(sanitise(h.snippet_html)),
        "reader_url": report_link(h.report_id, q, h.paragraph_id),
        "permalink": perma,
        **_citations(h.title, h.region, h.year, date, h.section, h.number, perma, accessed),
        "ocr": None if h.ocr_confidence is None else round(h.ocr_confidence * 100),
    }


def _region_links(region: Region) -> list[tuple[str, str]]:
    """(name, search URL) for each level of a report's region, top first."""
    out: list[tuple[str, str]] = []
    if region.level == "national":
        return [("全国", search_link({"level": "national"}))]
    params: dict[str, str] = {}
    for name in ("province", "prefecture", "county"):
        v = getattr(region, name)
        if not v:
            continue
        params[name] = v
        if out and out[-1][0] == v:  # municipalities: 北京市 › 北京市 shown once
            continue
        out.append((v, search_link(dict(params))))
    return out


# -- search ----------------------------------------------------------------------------


@bp.get("/")
@bp.get("/search")
def search():
    """The search page (or the corpus overview for an empty search)."""
    engine = get_engine()
    per_page = current_app.config["PER_PAGE"]
    req = search_request(without_page(request.args), per_page=per_page, group=True)
    context: dict = {
        "q": req.q,
        "req": req,
        "examples": QUERY_EXAMPLES,
        "sorts": sort_options(req),
        "chips": [(c.label, search_link(c.params)) for c in selected_filters(req)],
        "search_url": search_link,
        "level_labels": LEVEL_LABELS,
    }
    has_filter = any(getattr(req, n) for n in FILTER_NAMES)
    if not req.q.strip() and not has_filter:
        stats = engine.stats()
        return render_template("search.html", page=None, stats=stats,
                               overview=corpus_overview(engine.reports()), **context)
    try:
        page = search_page(engine, request.args, per_page=per_page, group=True)
    except QueryError as exc:
        return render_template("search.html", page=None, error=exc, stats=None, overview=None, **context), 400
    groups = []
    accessed = access_date()
    for g in page.groups:
        date = _delivery_date(engine, g.hits[0].paragraph_id) if g.hits else None
        groups.append({
            "report_id": g.report_id,
            "title": g.title,
            "region": g.region.display,
            "level": LEVEL_LABELS.get(g.region.level, ""),
            "year": g.year,
            "reader_url": report_link(g.report_id, req.q),
            "hits": [_hit_view(h, req.q, date, accessed) for h in g.hits],
            "total": g.total,
            "more": g.more,
        })
    req = page.request
    export_params = req.params()
    context.update(
        req=req,
        page=page,
        groups=groups,
        facets=build_facets(page),
        pager=build_pager(req, page.pages),
        chart=Markup(year_chart_svg(page.years, title=f"“{req.q or '全部'}”每年命中段落数",
                                    link=lambda y: search_link({**export_params, "year": str(y)}))),
        csv_url=search_link(export_params, "views.export_csv"),
        json_url=search_link(export_params, "views.export_json"),
        api_url=search_link(export_params, "api.search"),
        overview=None,
        stats=None,
    )
    return render_template("search.html", **context)


def _export_request() -> SearchRequest:
    """Every hit: an export has no pages, so a ``page`` parameter is ignored."""
    return replace(search_request(without_page(request.args), per_page=1000), group=False)


@bp.get("/search.csv")
def export_csv():
    """Every hit of the search as CSV, streamed (UTF-8 with BOM, so Excel reads the Chinese)."""
    total, hits = get_engine().iter_hits(_export_request(), snippets=False)
    return csv_response(CSV_COLUMNS, (_csv_row(h) for h in hits), "baogao-search.csv", total=total)


def _csv_row(h: Hit) -> list:
    r = h.region
    return [h.report_id, h.paragraph_id, h.title, r.province or "", r.prefecture or "", r.county or "",
            r.level, h.year or "", h.section, h.section_category, h.number, h.text, permalink(h.paragraph_id),
            "" if h.ocr_confidence is None else h.ocr_confidence]


@bp.get("/search.json")
def export_json():
    """Every hit of the search as JSON, streamed (same hit shape as ``/api/search``)."""
    req = _export_request()
    total, hits = get_engine().iter_hits(req)
    head = {"query": req.q, "params": req.params(), "total": total}
    return json_response(head, "hits", (h.as_dict(permalink(h.paragraph_id)) for h in hits),
                         filename="baogao-search.json")


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
    engine = get_engine()
    snap = engine.snapshot()  # the report and its hits from one index generation
    rec, paragraphs = report_or_404(report_id, snap)
    q = (request.args.get("q") or "").strip()[:1000]
    hit_ids: set[str] = set()
    phrases: list[str] = []
    query_error = None
    if q:
        try:
            _, rows, _ = engine.matching_rows(SearchRequest(q=q, report_id=report_id), snap)
        except QueryError as exc:
            query_error = str(exc)
        else:
            hit_ids = {snap.paragraph_ids[int(i)] for i in rows}
            phrases = query_phrases(q)
    record = snap.record(report_id)
    traditional, title, region = record.traditional, record.title, record.region
    accessed = access_date()
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
        perma = permalink(p["paragraph_id"])
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
            "permalink": perma,
            **_citations(title, region, record.year, record.date, p["section"], p["number"], perma,
                         accessed),
            "ocr": None if p.get("ocr_confidence") is None else round(p["ocr_confidence"] * 100),
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
        level=LEVEL_LABELS.get(region.level, ""),
        year_url=search_link({"year": str(rec["year"])}) if rec.get("year") else None,
        back_url=search_link({"q": q}) if q else link("views.search"),
        search_url=search_link,
        api_url=link("api.report", report_id=report_id),
        txt_url=link("views.report_txt", report_id=report_id),
        docx_url=link("views.report_docx", report_id=report_id),
        evidence=rec.get("evidence") or [],
    )


def _document(report_id: str) -> ReportDocument:
    snap = get_engine().snapshot()
    rec, paragraphs = report_or_404(report_id, snap)
    record = snap.record(report_id)
    title, region = record.title, record.region
    url = report_url(report_id)
    accessed = access_date()
    return report_document(
        rec, paragraphs, title=title, region=rec.get("region_display") or region.display,
        level=LEVEL_LABELS.get(region.level, ""), sources=[source_name(s) for s in rec.get("sources") or ()],
        url=url, reference=gbt7714_citation(title, region, rec.get("year"), url, date=rec.get("date"),
                                            accessed=accessed),
        downloaded=accessed)


@bp.get("/r/<report_id>.txt")
def report_txt(report_id: str):
    """The whole report as UTF-8 text: metadata header, then ``[N]``-numbered paragraphs."""
    body = as_text(_document(report_id))
    return Response(body, mimetype="text/plain", headers={
        "Content-Disposition": _attachment(f"{report_id}.txt")})


@bp.get("/r/<report_id>.docx")
def report_docx(report_id: str):
    """The whole report as a Word document: headings as headings, ``[N]``-numbered paragraphs."""
    return Response(as_docx(_document(report_id)), mimetype=DOCX_TYPE, headers={
        "Content-Disposition": _attachment(f"{report_id}.docx")})


def _attachment(filename: str) -> str:
    """A Content-Disposition for a download whose name may be Chinese (RFC 6266 ``filename*``)."""
    ascii_name = "baogao-report" + filename[filename.rindex("."):]
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@bp.get("/p/<paragraph_id>")
def paragraph(paragraph_id: str):
    """Permalink: redirect to the paragraph in its report (keeping ``?q=`` if given)."""
    rec, p = paragraph_or_404(paragraph_id)
    q = (request.args.get("q") or "").strip()
    return redirect(report_link(rec["report_id"], q, p["paragraph_id"]), code=302)


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
        search_url=search_link,
    )
