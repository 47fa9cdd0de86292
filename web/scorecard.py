"""The scorecard page: who met last year's targets, as a table, a chart and exports.

Vocabulary (lines, verdicts, gaps and bounds are :mod:`search.scorecard`'s):

* the **filters** are URL parameters shared by every route here: ``indicator``
  (any form of a name: ``GDP``, ``经济增长``), ``year`` (the year the target was
  set for), ``province`` (河南 or 河南省; ``全国`` for the national reports),
  ``prefecture`` and ``level`` (national/province/prefecture/county or
  全国/省级/地级/县级). A bad value is a :class:`web.params.BadParameter` (400 in
  Chinese). ``/scorecard`` opened with no parameter at all shows GDP
  (``indicator=地区生产总值``); an explicit empty value means "all".
* the **chart** is server-rendered SVG (no script), drawn by
  :func:`web.chart.bar_rows_svg` like the targets chart: per line, a
  target bar and a result bar under it (green met, red missed), for the lines
  that could be judged, in the unit most of them share.
* **exports**: ``/scorecard.csv`` (UTF-8 with BOM for Excel) and
  ``/api/scorecard`` (JSON); both sides of every line carry the permalink of
  their paragraph.
"""
from __future__ import annotations

import logging
from collections import Counter

from flask import Blueprint, current_app, render_template, request, url_for
from markupsafe import Markup

from search.scorecard import VERDICT_LABELS, VERDICTS, Scorecard, ScorecardError, ScoreLine, level_label, scorecard
from search.targets import INDICATORS

from . import get_engine
from .chart import Bar, BarLayout, BarRow, bar_rows_svg
from .exports import csv_response
from .params import BadParameter, table_filters
from .urls import permalink, report_link

__all__ = ["bp", "SCORECARD_CSV_COLUMNS", "scorecard_filters", "scorecard_chart_svg"]

log = logging.getLogger(__name__)

bp = Blueprint("scorecard", __name__)

SCORECARD_CSV_COLUMNS = (
    "province", "prefecture", "county", "level", "indicator", "year", "target", "target_value", "target_unit",
    "qualifier", "target_excerpt", "target_url", "result_year_report", "result", "result_value", "result_unit",
    "result_excerpt", "result_url", "verdict", "verdict_label", "gap", "gap_unit", "gap_text", "reason",
)
FILTERS = ("indicator", "year", "province", "prefecture", "level")
DEFAULT_FILTERS = {"indicator": "地区生产总值", "year": "", "province": "", "prefecture": "", "level": ""}
MAX_CHART_LINES = 30
_VERDICT_COLOURS = {"met": "#2e7d32", "missed": "#c62828"}
#: Two thinner bars per line (target, result), a wider label column for region, year and indicator.
_LAYOUT = BarLayout(bar_height=12, row_gap=10, label_width=190, label_chars=16, right=110, text_size=11)


def scorecard_filters(args, *, defaults: bool = False) -> dict[str, str]:
    """The five filters from URL parameters, checked for length and year; raises :class:`BadParameter`."""
    if defaults and not any(k in args for k in FILTERS):
        return dict(DEFAULT_FILTERS)
    return table_filters(args, FILTERS)


def _card(filters: dict[str, str]) -> Scorecard:
    try:
        return scorecard(get_engine(), indicator=filters["indicator"] or None,
                         year=int(filters["year"]) if filters["year"] else None,
                         province=filters["province"] or None, prefecture=filters["prefecture"] or None,
                         level=filters["level"] or None)
    except ScorecardError as exc:
        name = "indicator" if "指标" in str(exc) else "level"
        raise BadParameter(name, str(exc)) from exc




# -- the chart ----------------------------------------------------------------------------------


def scorecard_chart_svg(lines: list[ScoreLine], *, title: str, width: int = 640) -> tuple[str, int]:
    """(SVG markup, lines left out) for the judged lines: a target bar and a result bar per line.

    Only lines judged met or missed in the most common gap unit are drawn, at
    most :data:`MAX_CHART_LINES`; an empty string when none can be drawn.
    """
    judged = [s for s in lines if s.verdict in ("met", "missed") and s.target.value is not None]
    if not judged:
        return "", 0
    unit = Counter(s.gap_unit for s in judged).most_common(1)[0][0]
    data = [s for s in judged if s.gap_unit == unit][:MAX_CHART_LINES]
    left_out = len(judged) - len(data)
    same_year = len({s.year for s in data}) == 1
    same_indicator = len({s.indicator for s in data}) == 1
    axis_unit = "%" if unit == "个百分点" else unit

    def label(s: ScoreLine) -> str:
        parts = [s.region.name] + ([] if same_year else [str(s.year)]) + ([] if same_indicator else [s.indicator])
        return " ".join(parts)

    def result_value(s: ScoreLine) -> float:
        return s.target.value + s.gap if not s.ceiling else s.target.value - s.gap

    def bar(s: ScoreLine, value: float, fill: str, text: str) -> Bar:
        return Bar(value, fill, f"{s.region.display} {s.year}年 {s.indicator} {text}", text)

    rows = [BarRow(label(s), (bar(s, s.target.value, "#9e9e9e", f"目标 {s.target.display}"),
                              bar(s, result_value(s), _VERDICT_COLOURS[s.verdict],
                                  f"结果 {s.result.display}（{s.verdict_label}）"))) for s in data]
    svg = bar_rows_svg(rows, css_class="scorecard-chart", ident="schart", title=title, unit=axis_unit,
                       legend="灰：目标，绿：完成，红：未完成", layout=_LAYOUT, width=width)
    return svg, left_out


# -- routes -------------------------------------------------------------------------------------


def _line_view(s: ScoreLine) -> dict:
    t, r = s.target, s.result
    return {
        "region": s.region.display,
        "level": level_label(s.region.level),
        "indicator": s.indicator,
        "year": s.year,
        "target": t.display,
        "target_excerpt": t.excerpt,
        "target_url": report_link(t.report_id, paragraph_id=t.paragraph_id),
        "target_permalink": permalink(t.paragraph_id),
        "result": r.display if r else "",
        "result_excerpt": r.excerpt if r else "",
        "result_url": report_link(r.report_id, paragraph_id=r.paragraph_id) if r else "",
        "result_permalink": permalink(r.paragraph_id) if r else "",
        "verdict": s.verdict,
        "verdict_label": s.verdict_label,
        "detail": "；".join(x for x in (s.gap_text, s.reason) if x),
    }


def _options(filters: dict[str, str]) -> dict:
    every = scorecard(get_engine()).lines
    provinces = Counter("全国" if s.region.level == "national" else (s.region.province or "") for s in every)
    prefectures = Counter(s.region.prefecture for s in every if s.region.prefecture and (
        not filters["province"] or (s.region.province or "").startswith(filters["province"])))
    indicators = Counter(s.indicator for s in every)
    return {
        "indicators": [(name, indicators[name]) for name in INDICATORS if indicators.get(name)],
        "years": sorted(Counter(s.year for s in every).items(), reverse=True),
        "provinces": sorted(((p, n) for p, n in provinces.items() if p), key=lambda x: (x[0] != "全国", x[0])),
        "prefectures": sorted(prefectures.items()),
        "levels": [(k, level_label(k)) for k in ("national", "province", "prefecture", "county")],
    }


@bp.get("/scorecard")
def page():
    """The scorecard with its filters, the summary line and the chart."""
    filters = scorecard_filters(request.args, defaults=True)
    card = _card(filters)
    shown = {**filters, **{k: v for k, v in card.filters.items() if k in ("indicator", "level")}}
    where = filters["province"] or filters["prefecture"] or "各地"
    when = f"{filters['year']}年" if filters["year"] else "各年"
    chart, left_out = scorecard_chart_svg(
        card.lines, title=f"{where}{when}：{card.filters['indicator'] or '各指标'}目标与结果")
    return render_template(
        "scorecard.html",
        filters=shown,
        options=_options(filters),
        card=card,
        lines=[_line_view(s) for s in card.lines],
        verdicts=[(v, VERDICT_LABELS[v], card.counts.get(v, 0)) for v in VERDICTS],
        chart=Markup(chart),
        left_out=left_out,
        csv_url=url_for("scorecard.export_csv", **filters),
        api_url=url_for("scorecard.api", **filters),
    )


@bp.get("/scorecard.csv")
def export_csv():
    """Every line the filters keep, as CSV (UTF-8 with BOM, so Excel reads the Chinese)."""
    card = _card(scorecard_filters(request.args))
    return csv_response(SCORECARD_CSV_COLUMNS, [_csv_row(s) for s in card.lines], "baogao-scorecard.csv")


def _csv_row(s: ScoreLine) -> list:
    t, r, reg = s.target, s.result, s.region
    return [
        reg.province or "", reg.prefecture or "", reg.county or "", reg.level, s.indicator, s.year,
        t.display, "" if t.value is None else f"{t.value:g}", t.unit, t.qualifier, t.excerpt,
        permalink(t.paragraph_id), s.result_report_id or "",
        r.display if r else "", "" if r is None or r.value is None else f"{r.value:g}", r.unit if r else "",
        r.excerpt if r else "", permalink(r.paragraph_id) if r else "",
        s.verdict, s.verdict_label, "" if s.gap is None else f"{round(s.gap, 4):g}", s.gap_unit, s.gap_text,
        s.reason,
    ]


@bp.get("/api/scorecard")
def api():
    """``{"params", "summary", "total", "counts", "lines": [...]}``; no parameter means every line."""
    card = _card(scorecard_filters(request.args))
    return current_app.json.response(card.as_dict(permalink))
