"""The machine-readable description of the JSON API: an OpenAPI 3.1 document at ``/api/openapi.json``.

Vocabulary:

* an **operation** is one ``GET`` route that answers JSON: every rule under
  ``/api`` and the ``/search.json`` export. Each has its **parameters** (query
  string or path) and its **responses**: 200 with the body's JSON Schema, and
  the errors of :mod:`web.errors` (400 for a bad query or parameter, 404 for an
  unknown id, 503 when the index cannot be opened), all ``{"error": …}``.
* the **components** are the shapes the operations share (a region, a hit, a
  report record, a paragraph …), written once and referenced with ``$ref``.
* the document's **server** is the app's base URL (:func:`web.urls.base_url`),
  never the request's host.

``tests/test_openapi.py`` keeps the description true: every rule is described,
answers validate against their schemas, and schemathesis probes the live app.
"""
from __future__ import annotations

import logging

from index.report import LEVELS, SECTION_CATEGORIES
from search.diff import CHANGE_LABELS
from search.engine import MAX_PER_PAGE, SORTS
from search.scorecard import VERDICTS
from search.targets import INDICATORS, KINDS

from search.query import FILTER_NAMES

from .params import MAX_PAGE, MAX_PARAM_LENGTH
from .urls import base_url

__all__ = ["OPENAPI_VERSION", "JSON_OPERATIONS", "DESCRIBED_PATHS", "openapi_document"]

log = logging.getLogger(__name__)

OPENAPI_VERSION = "3.1.0"

#: The JSON routes outside ``/api`` that the document describes too.
JSON_OPERATIONS = ("/search.json",)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _obj(properties: dict, required: list[str] | None = None) -> dict:
    """An object with these properties, all required unless ``required`` names fewer; more are allowed."""
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required}


STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}
URL = {"type": "string", "format": "uri"}
OPT_STR = {"type": ["string", "null"]}
OPT_INT = {"type": ["integer", "null"]}
PID = {"type": "string", "pattern": "^[0-9a-f]{16}$", "description": "段落编号（16 位十六进制）"}

SCHEMAS: dict[str, dict] = {
    "Error": _obj({"error": {"type": "string", "description": "中文说明"},
                   "position": {"type": ["integer", "null"], "description": "检索式出错的字符位置"},
                   "parameter": {"type": "string", "description": "出错的参数名"}}, ["error"]),
    "Region": _obj({"province": OPT_STR, "prefecture": OPT_STR, "county": OPT_STR, "code": OPT_STR,
                    "level": {"enum": list(LEVELS)}}),
    "Count": _obj({"value": STR, "count": INT}),
    "YearCount": _obj({"year": INT, "count": INT}),
    "Hit": _obj({"report_id": STR, "paragraph_id": PID, "number": INT, "title": STR, "region": _ref("Region"),
                 "year": OPT_INT, "section": STR, "section_category": STR,
                 "snippet_html": {"type": "string", "description": "HTML：匹配处以 <mark> 标出，其余已转义"},
                 "text": STR, "url": {**URL, "description": "段落的永久链接"}}),
    "SearchPage": _obj({
        "query": STR, "total": INT, "reports_total": INT, "page": INT, "per_page": INT,
        "hits": _array(_ref("Hit")),
        "facets": {"type": "object", "additionalProperties": _array(_ref("Count")),
                   "description": "province, prefecture, county, level, year, section 各自的取值与段落数"},
        "years": _array(_ref("YearCount")), "took_ms": NUM, "notices": _array(STR)}),
    "SearchExport": _obj({"query": STR, "params": {"type": "object", "additionalProperties": STR},
                          "total": INT, "hits": _array(_ref("Hit"))}),
    "Evidence": _obj({"field": STR, "value": {}, "where": STR, "excerpt": STR, "confident": BOOL}),
    "ReportRecord": _obj({
        "report_id": STR, "title": OPT_STR, "display_title": STR, "region": _ref("Region"), "region_display": STR,
        "year": OPT_INT, "date": {**OPT_STR, "description": "宣读日期 YYYY-MM-DD（或 YYYY-MM），未知为 null"},
        "speaker": OPT_STR, "sources": {**_array(STR), "description": "来源文件名（不含服务器路径）"},
        "paragraphs": INT, "characters": INT, "evidence": _array(_ref("Evidence")),
        "url": {**URL, "description": "报告阅读页"}},
        ["report_id", "display_title", "region", "region_display", "year", "sources", "url"]),
    "Paragraph": _obj({"paragraph_id": PID, "number": {**INT, "description": "引用中的“第N段”"}, "text": STR,
                       "is_heading": BOOL, "section": STR, "section_category": STR, "report_id": STR, "url": URL}),
    "Stats": _obj({"reports": INT, "paragraphs": INT, "characters": INT, "provinces": INT, "regions": INT,
                   "years": {"type": ["array", "null"], "items": INT, "minItems": 2, "maxItems": 2},
                   "generation": OPT_STR}),
    "TargetRow": _obj({
        "report_id": STR, "region": _ref("Region"), "region_display": STR, "year": OPT_INT, "for_year": OPT_INT,
        "indicator": STR, "value": {"type": ["number", "null"]}, "value_high": {"type": ["number", "null"]},
        "unit": STR, "value_text": STR, "qualifier": OPT_STR, "display": STR, "kind": {"enum": list(KINDS)},
        "paragraph_id": PID, "paragraph_number": INT, "section_category": STR, "excerpt": STR, "url": URL},
        ["report_id", "region", "indicator", "value", "unit", "kind", "paragraph_id", "url"]),
    "Targets": _obj({"params": {"type": "object", "additionalProperties": STR}, "total": INT, "reports": INT,
                     "rows": _array(_ref("TargetRow"))}),
    "Use": _obj({"report_id": STR, "title": STR, "region": _ref("Region"), "region_display": STR, "year": OPT_INT,
                 "date": OPT_STR, "paragraph_id": PID, "number": INT, "text": STR, "paragraphs": INT,
                 "sources": _array(STR), "url": URL}),
    "Spread": _obj({
        "query": STR, "reports": INT, "paragraphs": INT, "first": _array(_ref("Use")),
        "years": _array(_obj({"year": INT, "reports": INT, "new_regions": INT})),
        "provinces": _array(_obj({"province": STR, "reports": INT, "paragraphs": INT, "first_year": OPT_INT,
                                  "first_report_id": STR})),
        "uses": _array(_ref("Use")), "notices": _array(STR)}),
    "Copy": _obj({"report_id": STR, "paragraph_id": PID, "sources": _array(STR)}),
    "Match": _obj({"report_id": STR, "title": STR, "region": _ref("Region"), "region_display": STR,
                   "year": OPT_INT, "paragraph_id": PID, "number": INT, "text": STR, "similarity": NUM,
                   "containment": NUM, "diff_html": STR, "sources": _array(STR), "also": _array(_ref("Copy")),
                   "url": URL}),
    "Similar": _obj({
        "paragraph": _ref("Paragraph"),
        "report": _obj({"report_id": STR, "display_title": OPT_STR, "region": _ref("Region"),
                        "region_display": OPT_STR, "year": OPT_INT, "date": OPT_STR, "sources": _array(STR)}),
        "threshold": NUM, "candidates": INT, "republications": _array(_ref("Copy")), "matches": _array(_ref("Match"))}),
    "TrendRow": _obj({"reports_with_hits": INT, "reports_total": INT, "share": NUM, "paragraphs": INT,
                      "paragraphs_per_report": NUM}),
    "Trend": _obj({"query": STR, "paragraphs": INT, "reports_with_hits": INT, "reports_total": INT, "share": NUM,
                   "years": _array({"allOf": [_ref("TrendRow"), _obj({"year": INT})]}),
                   "provinces": _array({"allOf": [_ref("TrendRow"), _obj({"province": STR})]}),
                   "notices": _array(STR)}),
    "Trends": _obj({"filters": {"type": "object", "additionalProperties": STR}, "trends": _array(_ref("Trend"))}),
    "ScoreSide": _obj({"report_id": STR, "year": OPT_INT, "value": {"type": ["number", "null"]},
                       "value_high": {"type": ["number", "null"]}, "unit": STR, "qualifier": OPT_STR,
                       "display": STR, "excerpt": STR, "paragraph_id": PID, "paragraph_number": INT, "url": URL}),
    "ScoreLine": _obj({
        "region": _ref("Region"), "region_display": STR, "indicator": STR,
        "year": {**OPT_INT, "description": "目标所属年份（定目标的报告年份）"},
        "target": _ref("ScoreSide"), "result": {"oneOf": [_ref("ScoreSide"), {"type": "null"}]},
        "result_report_id": OPT_STR, "verdict": {"enum": list(VERDICTS)}, "verdict_label": STR,
        "gap": {"type": ["number", "null"]}, "gap_unit": OPT_STR, "gap_text": OPT_STR, "bound": OPT_STR,
        "ceiling": BOOL, "reason": OPT_STR, "explanation": STR},
        ["region", "indicator", "year", "target", "result", "verdict", "explanation"]),
    "Scorecard": _obj({"params": {"type": "object", "additionalProperties": STR}, "summary": STR, "total": INT,
                       "counts": {"type": "object", "additionalProperties": INT},
                       "lines": _array(_ref("ScoreLine"))}),
    "DiffReport": _obj({"report_id": STR, "display_title": OPT_STR, "region": {"type": ["object", "null"]},
                        "region_display": OPT_STR, "year": OPT_INT, "date": OPT_STR,
                        "paragraphs": OPT_INT}, ["report_id"]),
    "DiffPhrase": _obj({"text": STR, "paragraphs": INT, "paragraph_id": PID, "number": INT, "snippet_html": STR,
                        "quoted": BOOL, "slogan": BOOL, "reports_in_index": INT, "earlier_elsewhere": INT,
                        "first_in_index": BOOL, "score": NUM, "url": URL}, ["text", "paragraph_id", "number", "url"]),
    "DiffTargetSide": _obj({"display": STR, "value": {"type": ["number", "null"]},
                            "value_high": {"type": ["number", "null"]}, "unit": STR, "qualifier": OPT_STR,
                            "excerpt": STR, "paragraph_id": PID, "paragraph_number": INT, "url": URL}),
    "DiffTarget": _obj({"indicator": STR, "unit": STR, "change": {"enum": list(CHANGE_LABELS)}, "label": STR,
                        "current": {"oneOf": [_ref("DiffTargetSide"), {"type": "null"}]},
                        "previous": {"oneOf": [_ref("DiffTargetSide"), {"type": "null"}]}}),
    "DiffRewrite": _obj({"paragraph_id": PID, "number": INT, "previous_paragraph_id": PID, "previous_number": INT,
                         "similarity": NUM, "diff_html": STR, "text": STR, "previous_text": STR, "url": URL,
                         "previous_url": URL}),
    "Diff": _obj({
        "report": _ref("DiffReport"), "previous": {"oneOf": [_ref("DiffReport"), {"type": "null"}]},
        "chosen": BOOL, "history": _array(STR), "message": OPT_STR, "new_more": {**BOOL, "description": "还有更多新提法未列出"}, "dropped_more": BOOL,
        "new_phrases": _array(_ref("DiffPhrase")), "dropped_phrases": _array(_ref("DiffPhrase")),
        "targets": _array(_ref("DiffTarget")),
        "paragraphs": _obj({"rewritten": INT, "unchanged": INT, "added": INT, "removed": INT}),
        "rewritten": _array(_ref("DiffRewrite")), "took_ms": NUM}),
}
# The report answer: its record with its paragraphs (in the record "paragraphs" is a count).
SCHEMAS["Report"] = {**SCHEMAS["ReportRecord"], "properties": {
    **SCHEMAS["ReportRecord"]["properties"], "paragraphs": _array(_ref("Paragraph"))},
    "required": SCHEMAS["ReportRecord"]["required"] + ["paragraphs"]}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string", "maxLength": MAX_PARAM_LENGTH}}


def _path(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


Q = _query("q", "检索式（见 README 的检索语法），如 项目为王、营商环境 -疫情、year:2019-2023 乡村振兴")
#: How the OpenAPI document describes each filter (the names and their order are search.query.FILTER_NAMES).
_FILTER_DOCS = {
    "province": ("省份，可用简称（河北 = 河北省）",),
    "prefecture": ("地级市、州、盟",),
    "county": ("县、县级市、区",),
    "year": ("年份或范围：2021、2019-2023", {"type": "string", "pattern": "^[0-9]{4}(-[0-9]{4})?$"}),
    "level": ("级别", {"enum": list(LEVELS)}),
    "section": ("章节类别", {"enum": list(SECTION_CATEGORIES)}),
}
FILTERS = [_query(name, *_FILTER_DOCS[name]) for name in FILTER_NAMES]
SORT = _query("sort", "排序", {"enum": list(SORTS), "default": "relevance"})
PAGE = _query("page", "页码，1 到末页", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1})
PER_PAGE = _query("per_page", "每页段落数", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20})


def _responses(body: str, *errors: int) -> dict:
    meanings = {400: "检索式或参数有误（中文说明）", 404: "索引中没有这个编号", 503: "索引暂时无法打开"}
    out = {"200": {"description": "成功", "content": {"application/json": {"schema": _ref(body)}}}}
    for status in (*errors, 503):
        out[str(status)] = {"description": meanings[status],
                            "content": {"application/json": {"schema": _ref("Error")}}}
    return out


def _get(operation_id: str, summary: str, parameters: list[dict], body: str, *errors: int) -> dict:
    return {"get": {"operationId": operation_id, "summary": summary, "parameters": parameters,
                    "responses": _responses(body, *errors)}}


def _paths() -> dict:
    search_params = [Q, *FILTERS, SORT]
    report_id = _path("report_id", "报告编号，如 2021-河北省-廊坊市-霸州市",
                      {"type": "string", "minLength": 1, "maxLength": 120})
    paragraph_id = _path("paragraph_id", "段落编号", PID)
    return {
        "/api/search": _get("search", "一页检索结果：命中段落、分面计数、逐年命中数",
                            [*search_params, PAGE, PER_PAGE], "SearchPage", 400),
        "/search.json": _get("searchExport", "检索的全部命中段落（不分页）", search_params, "SearchExport", 400),
        "/api/reports": _get("reports", "全部报告的元数据", [], "ReportRecord_list"),
        "/api/reports/{report_id}": _get("report", "一篇报告的元数据与全部段落", [report_id], "Report", 404),
        "/api/stats": _get("stats", "索引概况", [], "Stats"),
        "/api/targets": _get("targets", "主要预期目标表", [
            _query("indicator", "指标，如 地区生产总值、GDP", {"type": "string", "maxLength": 100,
                                                        "examples": list(INDICATORS)[:3]}),
            _query("province", "省份；全国 指国务院报告"),
            _query("prefecture", "地级市、州、盟"),
            _query("county", "县、县级市、区"),
            _query("level", "级别", {"enum": list(LEVELS)}),
            _query("year", "报告年份 1949–2100", {"type": "string", "pattern": "^[0-9]{4}$"}),
            _query("kind", "target 年度目标，result 上年完成", {"enum": list(KINDS)})], "Targets", 400),
        "/api/first": _get("first", "谁最先使用这个短语，以及之后的每一篇",
                           [_query("q", "要追溯的短语（必填）", {"type": "string", "minLength": 1,
                                                           "maxLength": MAX_PARAM_LENGTH}), *FILTERS],
                           "Spread", 400),
        "/api/similar/{paragraph_id}": _get("similar", "其他报告中与此段几乎相同的段落", [
            paragraph_id, _query("min", "相似度阈值 0.3–1（默认 0.5）",
                                 {"type": "number", "minimum": 0.3, "maximum": 1})], "Similar", 400, 404),
        "/api/trends": _get("trends", "一到三个检索式的逐年、逐省使用情况", [
            {**_query("q", "检索式，可重复（最多 3 个）"), "schema": _array({"type": "string", "maxLength": 200}),
             "style": "form", "explode": True}, *FILTERS], "Trends", 400),
        "/api/scorecard": _get("scorecard", "目标完成情况：当年报告的目标对照次年报告回顾的结果", [
            _query("indicator", "指标，如 地区生产总值、经济增长、GDP"),
            _query("year", "目标所属年份 1949–2100", {"type": "string", "pattern": "^[0-9]{4}$"}),
            _query("province", "省份；全国 指国务院报告"),
            _query("prefecture", "地级市、州、盟"),
            _query("level", "级别", {"enum": list(LEVELS)})], "Scorecard", 400),
        "/api/diff/{report_id}": _get("diff", "今年有什么新提法：与同一地区上一篇（或 against 指定的）报告比较", [
            report_id, _query("against", "改与这篇报告比较（报告编号）",
                              {"type": "string", "minLength": 1, "maxLength": 120})], "Diff", 400, 404),
        "/api/openapi.json": {"get": {"operationId": "openapi", "summary": "本说明（OpenAPI 3.1）", "parameters": [],
                                      "responses": {"200": {"description": "OpenAPI 文档", "content": {
                                          "application/json": {"schema": {"type": "object"}}}}}}},
    }


#: Every path the document describes.
DESCRIBED_PATHS = tuple(_paths())


def openapi_document() -> dict:
    """The OpenAPI 3.1 document of the JSON API, with the app's base URL as its server."""
    schemas = dict(SCHEMAS)
    schemas["ReportRecord_list"] = _array(_ref("ReportRecord"))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "baogao 政府工作报告检索 API", "version": "1",
                 "description": "精确全文检索政府工作报告。所有错误均为 JSON：{\"error\": 中文说明}。"},
        "servers": [{"url": base_url()}],
        "paths": _paths(),
        "components": {"schemas": schemas},
    }
