"""Alerts: a saved search as an Atom 1.0 feed (``/feed?q=…``).

Vocabulary: an **entry** is one matching paragraph; entries come newest first by
when their report was indexed (``indexed_at``), so a feed reader shows a new
report that mentions the phrase the day it is added. A feed holds at most
:data:`FEED_LIMIT` entries; its links are absolute URLs from
:mod:`web.urls` (never from the request's ``Host``).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from xml.etree import ElementTree as ET

from flask import Response, request

from search.engine import SearchRequest
from search.query import QueryError
from search.trends import matching_rows

from . import get_engine
from .insights import bp, search_filters
from .params import search_request
from .urls import absolute_url, permalink

__all__ = ["FEED_LIMIT", "ATOM_TYPE", "atom_feed"]

log = logging.getLogger(__name__)

#: Entries in one Atom feed.
FEED_LIMIT = 100
ATOM_TYPE = "application/atom+xml; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"
_EPOCH = "1970-01-01T00:00:00+00:00"


def atom_feed(req: SearchRequest, *, limit: int = FEED_LIMIT) -> bytes:
    """The Atom 1.0 document for a search: its newest ``limit`` paragraphs by ``indexed_at``."""
    engine = get_engine()
    found = matching_rows(engine, req)
    snap, rows = found.snap, found.rows
    reports = snap.reports

    def key(i: int):
        rid = snap.report_id(i)
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
        passage = snap.passage(i)
        rec = reports.get(passage.report_id) or {}
        link = permalink(passage.paragraph_id)
        entry = sub(feed, "entry")
        sub(entry, "id", link)
        title, number = passage.title, passage.number
        region = rec.get("region_display") or ""
        sub(entry, "title", f"{title}（{region}）第{number}段" if region else f"{title} 第{number}段")
        sub(entry, "updated", rec.get("indexed_at") or _EPOCH)
        sub(entry, "link", href=link, rel="alternate", type="text/html")
        section, text = passage.section, passage.text
        summary = (f"〔{section}〕" if section else "") + (text if len(text) <= 1000 else text[:1000] + "……")
        sub(entry, "summary", summary, type="text")
        if rec.get("year"):
            sub(entry, "category", term=str(rec["year"]), label=f"{rec['year']}年")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@bp.get("/feed")
def feed():
    """A saved search as an Atom feed (``/feed?q=项目为王``); filters work too."""
    req = replace(search_request(request.args), page=1, group=False)
    if not req.q.strip() and not search_filters(req):
        raise QueryError("请输入要订阅的检索式，例如 /feed?q=项目为王")
    body = atom_feed(req)
    return Response(body, content_type=ATOM_TYPE)
