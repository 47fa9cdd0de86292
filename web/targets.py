"""The targets page (主要预期目标): every report's headline figures as a table, a chart and exports.

Vocabulary (see :mod:`search.targets` for rows, indicators, qualifiers and kinds):

* the **filters** are URL parameters shared by every route here: ``indicator``
  (a normalised name or any form of it: ``GDP``), ``province`` (河北 or 河北省;
  ``全国`` for the national reports), ``prefecture`` and ``county`` (a name or
  its start: 廊坊, 霸州), ``level`` (``national``, ``province``, ``prefecture``,
  ``county``), ``year`` (the report's year) and ``kind`` (``target`` or
  ``result``). A bad value is a :class:`web.params.BadParameter` (400 in
  Chinese). No parameter means no filter: ``/targets`` lists every row, and
  what is chosen is always what the menus show. The page lists the first
  :data:`MAX_TABLE_ROWS` rows and says so when there are more; the exports hold all.
* the **menu counts**: each menu's options are counted over the rows that the
  *other* filters keep (choosing 河北省 shows how many rows each indicator has in
  河北省, and the province menu still offers the other provinces).
* the **comparison chart** is server-rendered SVG (no script, drawn by
  :func:`web.chart.bar_rows_svg`): one horizontal
  bar per row of the chosen indicator and unit, labelled by region when the
  rows share a year, by year when they share a region, by both otherwise.
* **exports**: ``/targets.csv`` (UTF-8 with BOM for Excel), ``/targets.json``
  (a download) and ``/api/targets`` (the same JSON, for scripts); every row
  carries the permalink ``url`` of the paragraph it was read from.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request, url_for
from markupsafe import Markup

from index.report import LEVEL_LABELS
from search.targets import (INDICATORS, KIND_LABELS, KINDS, TargetRow, filter_rows, indicator_name, region_matches,
                            targets_for_engine)

from . import get_engine
from .chart import Bar, BarRow, bar_rows_svg
from .exports import csv_response
from .params import BadParameter, table_filters
from .urls import permalink, report_link

__all__ = ["bp", "TARGET_CSV_COLUMNS", "FILTERS", "MENUS", "Menu", "MenuOption", "target_filters", "comparison_chart_svg"]

log = logging.getLogger(__name__)

bp = Blueprint("targets", __name__)

TARGET_CSV_COLUMNS = ("report_id", "province", "prefecture", "county", "level", "year", "for_year", "indicator",
                      "value", "value_high", "unit", "qualifier", "display", "kind", "section_category",
                      "paragraph_id", "excerpt", "url")
#: The filters, in the order of the page's menus.
FILTERS = ("indicator", "province", "prefecture", "county", "level", "year", "kind")
MAX_BARS = 40
#: Rows listed on the page (the exports hold every row); the page says when more are left out.
MAX_TABLE_ROWS = 500
#: Indicators offered as one-click charts when none is chosen.
CHART_SUGGESTIONS = 4


def target_filters(args) -> dict[str, str]:
    """The filters from URL parameters (``""`` for one not given), checked; raises :class:`BadParameter`."""
    out = table_filters(args, FILTERS)
    if out["indicator"]:
        name = indicator_name(out["indicator"])
        if name is None:
            raise BadParameter("indicator", f"指标“{out['indicator'][:20]}”无法识别：可用 {'、'.join(INDICATORS)}")
        out["indicator"] = name
    if out["level"] and out["level"] not in LEVEL_LABELS:
        levels = "、".join(f"{k}（{v}）" for k, v in LEVEL_LABELS.items() if k != "unknown")
        raise BadParameter("level", f"参数 level 须是 {levels} 之一，收到“{out['level'][:20]}”")
    if out["kind"] and out["kind"] not in KINDS:
        raise BadParameter("kind", f"参数 kind 须是 target（年度目标）或 result（上年完成），收到“{out['kind'][:20]}”")
    return out


def _keep(rows: list[TargetRow], filters: dict[str, str], *, skip: str | None = None) -> list[TargetRow]:
    """The rows every filter keeps, but for ``skip`` (the menu being counted)."""
    f = {k: ("" if k == skip else v) for k, v in filters.items()}
    return filter_rows(rows, indicator=f["indicator"] or None, province=f["province"] or None,
                       prefecture=f["prefecture"] or None, county=f["county"] or None, level=f["level"] or None,
                       year=int(f["year"]) if f["year"] else None, kind=f["kind"] or None)


def _rows(filters: dict[str, str]) -> tuple[list[TargetRow], list[TargetRow]]:
    """(every row of the index, the rows the filters keep)."""
    every = targets_for_engine(get_engine())
    return every, _keep(every, filters)




# -- the chart ----------------------------------------------------------------------------------


def _chart_label(row: TargetRow, same_year: bool, same_region: bool) -> str:
    if same_year and not same_region:
        return row.region.name
    if same_region and not same_year:
        return f"{row.year}年"
    return f"{row.region.name} {row.year}"


def comparison_chart_svg(rows: list[TargetRow], *, title: str, width: int = 640) -> tuple[str, int]:
    """(SVG markup, rows left out) for one indicator's rows: a horizontal bar per row, its value written beside it.

    Only rows with a value in the rows' most common unit are drawn, at most
    :data:`MAX_BARS`; an empty string when nothing can be drawn. The chart is
    one image: each bar's paragraph is linked from its row of the table below.
    """
    valued = [r for r in rows if r.value is not None]
    if not valued:
        return "", 0
    unit = Counter(r.unit for r in valued).most_common(1)[0][0]
    data = [r for r in valued if r.unit == unit]
    same_year = len({r.year for r in data}) == 1
    same_region = len({r.region.display for r in data}) == 1
    if same_region:
        data.sort(key=lambda r: (r.year or 0, r.paragraph_number))
    else:
        data.sort(key=lambda r: (-(r.year or 0), -(r.value or 0), r.region.display))
    left_out = max(0, len(data) - MAX_BARS) + (len(valued) - len([r for r in valued if r.unit == unit]))
    data = data[:MAX_BARS]
    rows = [BarRow(_chart_label(r, same_year, same_region), (Bar(
        r.value_high if r.value_high is not None else r.value, "#1f5f99" if r.kind == "target" else "#6b7f3a",
        f"{r.region.display} {r.year}年报告 · {r.indicator} {KIND_LABELS[r.kind]} {r.display}", r.display),))
        for r in data]
    return bar_rows_svg(rows, css_class="targets-chart", ident="tchart", title=title, unit=unit, width=width), left_out


# -- routes -------------------------------------------------------------------------------------


def _province_of(r: TargetRow) -> str:
    return "全国" if r.region.level == "national" else (r.region.province or "")


@dataclass(frozen=True)
class MenuOption:
    """One option of a filter menu: the URL value, what the reader sees, and how many rows it would keep."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Menu:
    """A filter menu of the page: its parameter, its label, and what "no filter" reads as."""

    name: str
    label: str
    everything: str


MENUS = (Menu("indicator", "指标", "全部指标"), Menu("province", "省级地区", "全部"), Menu("prefecture", "地级", "全部"),
         Menu("county", "县级", "全部"), Menu("level", "级别", "全部级别"), Menu("year", "报告年份", "全部年份"),
         Menu("kind", "类型", "目标与完成"))
MENU_LABELS = {m.name: m.label for m in MENUS}


def _with_chosen(options: list[MenuOption], chosen: str) -> list[MenuOption]:
    """A chosen value stays in its menu (with 0) even when the other filters leave it no row."""
    if chosen and not any(o.value == chosen for o in options):
        options = [MenuOption(chosen, chosen, 0)] + options
    return options


def _named_options(counter: Counter) -> list[MenuOption]:
    """One option per name from counts keyed ``(parent, name)``; a name two parents share says which they are."""
    parents: dict[str, list[str]] = {}
    merged: Counter = Counter()
    for (parent, name), n in counter.items():
        parents.setdefault(name, []).append(parent or "")
        merged[name] += n

    def label(name: str) -> str:
        return name if len(parents[name]) == 1 else f"{name}（{'、'.join(sorted(parents[name]))}）"

    return [MenuOption(name, label(name), merged[name]) for name in sorted(merged, key=lambda n: (min(parents[n]), n))]


def _options(every: list[TargetRow], filters: dict[str, str]) -> dict[str, list[MenuOption]]:
    """Each menu's options, counted over the rows the other filters keep."""
    def counts(name: str, key) -> Counter:
        return Counter(v for v in map(key, _keep(every, filters, skip=name)) if v)

    indicators = counts("indicator", lambda r: r.indicator)
    provinces = counts("province", _province_of)
    prefectures = counts("prefecture", lambda r: (r.region.province, r.region.prefecture)
                         if r.region.prefecture and r.region.prefecture != r.region.province else None)
    counties = counts("county", lambda r: (r.region.prefecture, r.region.county) if r.region.county else None)
    levels = counts("level", lambda r: r.region.level)
    years = counts("year", lambda r: r.year)
    kinds = counts("kind", lambda r: r.kind)
    options = {
        "indicator": [MenuOption(k, k, indicators[k]) for k in INDICATORS if indicators[k]],
        "province": [MenuOption(p, p, provinces[p]) for p in sorted(provinces, key=lambda p: (p != "全国", p))],
        "prefecture": _named_options(prefectures),
        "county": _named_options(counties),
        "level": [MenuOption(k, v, levels[k]) for k, v in LEVEL_LABELS.items() if levels[k]],
        "year": [MenuOption(str(y), str(y), n) for y, n in sorted(years.items(), reverse=True)],
        "kind": [MenuOption(k, KIND_LABELS[k], kinds[k]) for k in KINDS],
    }
    return {name: _with_chosen(opts, filters[name]) for name, opts in options.items()}


def _row_view(r: TargetRow) -> dict:
    return {
        "region": r.region.display,
        "level": LEVEL_LABELS.get(r.region.level, ""),
        "year": r.year,
        "for_year": r.for_year,
        "indicator": r.indicator,
        "value": r.value_text,
        "qualifier": r.qualifier,
        "display": r.display,
        "kind": r.kind,
        "kind_label": KIND_LABELS[r.kind],
        "excerpt": r.excerpt,
        "section_category": r.section_category,
        "reader_url": report_link(r.report_id, paragraph_id=r.paragraph_id),
        "permalink": permalink(r.paragraph_id),
    }


@bp.get("/targets")
def page():
    """The table with its filters and the comparison chart."""
    filters = target_filters(request.args)
    every, rows = _rows(filters)
    for name, key in (("province", _province_of), ("prefecture", lambda r: r.region.prefecture),
                      ("county", lambda r: r.region.county)):
        names = {key(r) for r in every if filters[name] and region_matches(key(r), filters[name])}
        if len(names) == 1:
            filters[name] = names.pop()  # 河南 → 河南省, so the menu shows what is chosen
    options = _options(every, filters)
    chart, left_out = "", 0
    if filters["indicator"]:
        kind = filters["kind"] or "target"
        drawn = [r for r in rows if r.kind == kind]
        where = filters["province"] or "各地"
        when = f"{filters['year']}年报告" if filters["year"] else "各年"
        chart, left_out = comparison_chart_svg(
            drawn, title=f"{where}{when}：{filters['indicator']}（{KIND_LABELS[kind]}）")
    export = {k: v for k, v in filters.items() if v}
    chosen = [{"label": f"{MENU_LABELS[k]}：{_option_label(options[k], v)}",
               "url": url_for("targets.page", **{n: w for n, w in export.items() if n != k})}
              for k, v in export.items()]
    suggestions = [] if filters["indicator"] else [
        {"name": o.value, "url": url_for("targets.page", **{**export, "indicator": o.value})}
        for o in sorted(options["indicator"], key=lambda o: -o.count)[:CHART_SUGGESTIONS]]
    return render_template(
        "targets.html",
        filters=filters,
        options=options,
        menus=MENUS,
        chosen=chosen,
        suggestions=suggestions,
        rows=[_row_view(r) for r in rows[:MAX_TABLE_ROWS]],
        total=len(rows),
        reports=len({r.report_id for r in rows}),
        chart=Markup(chart),
        left_out=left_out,
        csv_url=url_for("targets.export_csv", **export),
        json_url=url_for("targets.export_json", **export),
        api_url=url_for("targets.api", **export),
        all_url=url_for("targets.page") if export else None,
    )


def _option_label(options: list[MenuOption], value: str) -> str:
    return next((o.label for o in options if o.value == value), value)


def _dicts(rows: list[TargetRow]) -> list[dict]:
    return [r.as_dict(permalink(r.paragraph_id)) for r in rows]


@bp.get("/targets.csv")
def export_csv():
    """Every row the filters keep, as CSV (UTF-8 with BOM, so Excel reads the Chinese)."""
    filters = target_filters(request.args)
    _, rows = _rows(filters)
    return csv_response(TARGET_CSV_COLUMNS, [[
        r.report_id, r.region.province or "", r.region.prefecture or "", r.region.county or "", r.region.level,
        r.year or "", r.for_year or "", r.indicator, "" if r.value is None else f"{r.value:g}",
        "" if r.value_high is None else f"{r.value_high:g}", r.unit, r.qualifier, r.display, r.kind,
        r.section_category, r.paragraph_id, r.excerpt, permalink(r.paragraph_id)] for r in rows],
        "baogao-targets.csv")


def _body(filters: dict[str, str], rows: list[TargetRow]) -> dict:
    return {
        "params": {k: v for k, v in filters.items() if v},
        "total": len(rows),
        "reports": len({r.report_id for r in rows}),
        "rows": _dicts(rows),
    }


@bp.get("/targets.json")
def export_json():
    """Every row the filters keep, as a JSON download (same shape as ``/api/targets``)."""
    filters = target_filters(request.args)
    _, rows = _rows(filters)
    resp = current_app.json.response(_body(filters, rows))
    resp.headers["Content-Disposition"] = 'attachment; filename="baogao-targets.json"'
    return resp


@bp.get("/api/targets")
def api():
    """``{"params", "total", "reports", "rows": [...]}``; no parameter means every row."""
    filters = target_filters(request.args)
    _, rows = _rows(filters)
    return current_app.json.response(_body(filters, rows))
