"""Near-identical paragraphs (``/similar/<paragraph_id>``, ``.csv``, ``/api/similar/…``).

Vocabulary (the search side is :mod:`search.similar`): a **match** is a
paragraph of another report whose text is at least ``?min=`` (0.3–1, default
:data:`search.similar.THRESHOLD`) similar to the source paragraph, its
differing text marked; **also** lists other reports holding the same text; a
**republication** is the same report published again under another source.
An unknown or malformed paragraph id is a 404 (:func:`web.errors.fetch_or_404`).
"""
from __future__ import annotations

import logging

from flask import current_app, render_template, request, url_for
from markupsafe import Markup

from index.report import LEVEL_LABELS
from search.similar import SIMILAR_CSV_COLUMNS, THRESHOLD, Similar, similar_paragraphs

from . import get_engine
from .errors import fetch_or_404
from .exports import csv_response
from .insights import bp
from .params import BadParameter, valid_paragraph_id
from .urls import permalink, report_link, source_name, without_paths

__all__: list[str] = []

log = logging.getLogger(__name__)


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
                  "title": _title(a), "sources": a.sources} for a in m.also],
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
        republications=[{"url": report_link(r.report_id, "", r.paragraph_id), "title": _title(r),
                         "sources": r.sources} for r in result.republications],
        percent=round(100 * result.threshold),
        csv_url=url_for("insights.similar_csv", paragraph_id=paragraph_id, **_min_param()),
        api_url=url_for("insights.api_similar", paragraph_id=paragraph_id, **_min_param()),
        looser_url=url_for("insights.similar", paragraph_id=paragraph_id, min="0.3") if result.threshold > 0.3 else None,
    )


def _min_param() -> dict:
    raw = (request.args.get("min") or "").strip()
    return {"min": raw} if raw else {}


def _title(place) -> str:
    """The title of the report holding a paragraph (``place`` has ``report_id`` and ``paragraph_id``)."""
    rec = get_engine().snapshot().record(place.report_id)
    return rec.title if rec is not None else place.report_id


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
