"""What is new this year: a report against the same region's previous report, as a page, CSV and JSON.

Vocabulary (the comparison itself lives in :mod:`search.diff`: previous report,
history, new and dropped phrases, target changes, rewritten paragraphs):

* ``/diff/<report_id>`` is the page; ``?against=<report_id>`` compares with any
  other report instead of the previous one found automatically. A report with
  no earlier report of its region gets a message in Chinese and a choice of
  reports to compare with, never an empty page.
* ``/diff/<report_id>.csv`` (UTF-8 with BOM, one row per new phrase, dropped
  phrase, target and rewritten paragraph; ``kind`` says which) and
  ``/api/diff/<report_id>`` (JSON) carry the same answer.

Errors go through :mod:`web.errors`: 404 for an unknown report (either one),
400 for a report compared with itself.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, render_template, request, url_for
from markupsafe import Markup

from index.report import LEVEL_LABELS
from search.diff import DIFF_CSV_COLUMNS, REWRITE_THRESHOLD, DiffError, ReportDiff, report_diff
from search.snippets import sanitise

from . import get_engine
from .errors import MissingPage, fetch_or_404
from .exports import csv_response
from .params import BadParameter, valid_report_id
from .urls import permalink, report_link

__all__ = ["bp", "SHOWN_REWRITES"]

log = logging.getLogger(__name__)

bp = Blueprint("diff", __name__)

#: Rewritten paragraphs shown on the page (the CSV and JSON hold every one).
SHOWN_REWRITES = 60




def _against() -> str | None:
    raw = (request.args.get("against") or "").strip()
    if raw and not valid_report_id(raw):
        raise MissingPage("报告", raw[:80])
    return raw or None


def _diff(report_id: str) -> ReportDiff:
    """The comparison the URL asks for; 404 for an unknown report (either one), 400 for one against itself."""
    try:
        return fetch_or_404("报告", report_id, valid_report_id,
                            lambda rid: report_diff(get_engine(), rid, against=_against()))
    except DiffError as exc:
        raise BadParameter("against", str(exc)) from None


def _phrase_view(p, report_id: str) -> dict:
    return {
        "text": p.text,
        "paragraphs": p.paragraphs,
        "number": p.number,
        "quoted": p.quoted,
        "slogan": p.slogan,
        "first_in_index": p.first_in_index,
        "reports_in_index": p.reports_in_index,
        "snippet": Markup(sanitise(p.snippet_html)),
        "url": report_link(report_id, paragraph_id=p.paragraph_id),
        "first_url": url_for("insights.first", q=f'"{p.text}"'),
    }


def _choices(report: dict) -> list[dict]:
    """Reports to compare with: the same region's other reports, newest first."""
    engine = get_engine()
    place = report.get("region_display")
    return [{"report_id": r["report_id"], "label": f"{r.get('year') or '年份不详'}年 · {r.get('display_title') or r['report_id']}"}
            for r in reversed(engine.reports())
            if r.get("region_display") == place and r["report_id"] != report["report_id"]]


@bp.get("/diff/<report_id>")
def page(report_id: str):
    """This report against the previous one: new and dropped phrases, targets, rewritten paragraphs."""
    result = _diff(report_id)
    rec, prev = result.report, result.previous
    context = {
        "q": "",
        "result": result,
        "rec": rec,
        "prev": prev,
        "level": LEVEL_LABELS.get((rec.get("region") or {}).get("level") or "", ""),
        "report_url": url_for("views.report", report_id=rec["report_id"]),
        "choices": _choices(rec),
        "against": request.args.get("against", ""),
    }
    if prev is None:
        return render_template("diff.html", **context)
    rid, pid = rec["report_id"], prev["report_id"]
    params = {"against": pid} if result.chosen else {}
    return render_template(
        "diff.html",
        prev_url=url_for("views.report", report_id=pid),
        history_count=len(result.history),
        new=[_phrase_view(p, rid) for p in result.new_phrases],
        dropped=[_phrase_view(p, pid) for p in result.dropped_phrases],
        targets=[{
            "indicator": t.indicator,
            "current": t.current.display if t.current else "",
            "previous": t.previous.display if t.previous else "",
            "current_url": report_link(rid, paragraph_id=t.current.paragraph_id) if t.current else "",
            "previous_url": report_link(pid, paragraph_id=t.previous.paragraph_id) if t.previous else "",
            "change": t.change,
            "label": t.label,
        } for t in result.targets],
        rewrites=[{
            "number": r.number,
            "previous_number": r.previous_number,
            "percent": round(100 * r.similarity),
            "diff": Markup(r.diff_html),
            "url": report_link(rid, paragraph_id=r.paragraph_id),
            "previous_url": report_link(pid, paragraph_id=r.previous_paragraph_id),
        } for r in result.rewritten[:SHOWN_REWRITES]],
        more_rewrites=max(0, len(result.rewritten) - SHOWN_REWRITES),
        threshold=round(100 * REWRITE_THRESHOLD),
        csv_url=url_for("diff.export_csv", report_id=rid, **params),
        api_url=url_for("diff.api", report_id=rid, **params),
        **context,
    )


@bp.get("/diff/<report_id>.csv")
def export_csv(report_id: str):
    """Every new and dropped phrase, target and rewritten paragraph, one row each (``kind`` says which)."""
    result = _diff(report_id)
    rows = []
    for kind, phrases in (("new_phrase", result.new_phrases), ("dropped_phrase", result.dropped_phrases)):
        for p in phrases:
            rows.append([kind, p.text, p.paragraphs, f"{p.score:.2f}", p.reports_in_index, "", "", "", "",
                         p.paragraph_id, p.number, "", "", permalink(p.paragraph_id), ""])
    for t in result.targets:
        cur, old = t.current, t.previous
        rows.append(["target", t.indicator, "", "", "", cur.display if cur else "", old.display if old else "",
                     t.change, "", cur.paragraph_id if cur else "", cur.paragraph_number if cur else "",
                     old.paragraph_id if old else "", old.paragraph_number if old else "",
                     permalink(cur.paragraph_id) if cur else "", permalink(old.paragraph_id) if old else ""])
    for r in result.rewritten:
        rows.append(["rewrite", r.text, "", "", "", "", "", "", f"{r.similarity:.3f}", r.paragraph_id, r.number,
                     r.previous_paragraph_id, r.previous_number, permalink(r.paragraph_id),
                     permalink(r.previous_paragraph_id)])
    return csv_response(DIFF_CSV_COLUMNS, rows, "baogao-diff.csv")


@bp.get("/api/diff/<report_id>")
def api(report_id: str):
    """The comparison as JSON (``previous`` is null and ``message`` says why when there is nothing to compare)."""
    return current_app.json.response(_diff(report_id).as_dict(permalink))
