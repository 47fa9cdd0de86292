"""Pasted report text is found: any span of a paragraph, typed as it is, finds that paragraph (issue 11).

The only spans exempt are those that hold the upper-case operator words
``AND``/``OR``/``NOT`` or a field prefix such as ``year:`` (README, *The query
language*): there the journalist's text is read as syntax.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.engine import SearchRequest
from search.query import FILTER_FIELDS, QueryError

MAX_SPAN = 60
_OPERATOR = re.compile(r"(?<![A-Za-z])(?:AND|OR|NOT)(?![A-Za-z])")
_FIELD = re.compile(r"(?:^|[\s\u3000\u00a0])([A-Za-z\u4e00-\u9fff]{1,12})[:：]")


def _syntax_exempt(span: str) -> bool:
    """True for a span the README exempts: an operator word, or a token that opens with a field prefix."""
    if _OPERATOR.search(span):
        return True
    return any(m.group(1) in FILTER_FIELDS or m.group(1).isascii() for m in _FIELD.finditer(span))


def _rows_for(engine, q: str):
    snap, rows, _ = engine.matching_rows(SearchRequest(q=q))
    return snap, set(rows.tolist())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_span_of_a_sample_paragraph_finds_that_paragraph(sample_engine, data):
    snap, _ = _rows_for(sample_engine, "")
    row = data.draw(st.integers(0, snap.n - 1), label="paragraph row")
    text = snap.texts[row]
    length = data.draw(st.integers(1, min(MAX_SPAN, len(text))), label="span length")
    start = data.draw(st.integers(0, len(text) - length), label="span start")
    span = text[start:start + length]
    if _syntax_exempt(span):
        return
    try:
        _, rows = _rows_for(sample_engine, span)
    except QueryError as exc:  # pragma: no cover - the failure message shows what was refused
        pytest.fail(f"{span!r} of paragraph {snap.paragraph_ids[row]} refused: {exc}")
    assert row in rows, f"{span!r} does not find paragraph {snap.paragraph_ids[row]}"


def _row_holding(snap, fragment: str) -> int:
    return next(i for i, t in enumerate(snap.texts) if fragment in t)


@pytest.mark.parametrize("fragment", [
    "(一)持续巩固脱贫",  # the seeds write headings with ASCII brackets
    "(一)",
    "(9)推进中医药服务基层全覆盖",
    "各州(市)营商环境进行评价",
    "“云-网-数”",
    "low-E玻璃",
])
def test_bracketed_and_dashed_report_text_is_found_as_typed(sample_engine, fragment):
    snap, rows = _rows_for(sample_engine, fragment)
    assert _row_holding(snap, fragment) in rows
    page = sample_engine.search(SearchRequest(q=fragment, per_page=50))
    assert page.total == len(rows)
    for hit in page.hits:
        assert "<mark>" in hit.snippet_html


@pytest.mark.parametrize("span", ["〔17〕", "〔1", "7〕"])
def test_a_span_of_a_footnote_marker_alone_is_answered_with_a_notice(sample_engine, span):
    """The search text holds no footnote markers: a span cut from one is dropped, and the page says so."""
    snap, rows = _rows_for(sample_engine, span)
    assert _row_holding(snap, "〔17〕") in rows
    assert any("注释序号" in n for n in sample_engine.search(SearchRequest(q=span)).notices)


def test_a_span_cut_inside_a_footnote_marker_finds_its_paragraph_only_by_its_text(sample_engine):
    snap = sample_engine.snapshot()
    row = _row_holding(snap, "〔17〕")
    text = snap.texts[row]
    at = text.index("〔17〕")
    span = text[at - 6:at + 2]  # six characters of text and "〔1"
    _, rows = _rows_for(sample_engine, span)
    assert row in rows
    _, rows_text_only = _rows_for(sample_engine, text[at - 6:at])
    assert rows == rows_text_only


def test_the_highlight_marks_the_pasted_text_not_its_characters(sample_engine):
    """Issue 11: `（一）` alone was read as grouping, returned thousands of paragraphs with every 一 marked."""
    page = sample_engine.search(SearchRequest(q="(一)", per_page=200))
    assert page.total > 0
    one_alone = sample_engine.search(SearchRequest(q="一")).total
    assert page.total < one_alone / 10
    for hit in page.hits:
        marks = re.findall(r"<mark>(.*?)</mark>", hit.snippet_html)
        assert marks and all(m in ("(一)", "（一）") for m in marks), marks


def test_a_bracket_read_as_text_is_noticed_on_the_search_page(client_for_sample):
    body = client_for_sample.get("/search?q=(一)").get_data(as_text=True)
    assert "按原文检索" in body
    body = client_for_sample.get("/search?q=（一）加快").get_data(as_text=True)
    assert "括号没有闭合" not in body and "检索式有误" not in body


@pytest.fixture(scope="module")
def client_for_sample(sample_index):
    from web import close_engine, create_app

    app = create_app({"TESTING": True, "INDEX": str(sample_index), "SERVER_NAME": "baogao.test"})
    yield app.test_client()
    close_engine(app)


def test_pasted_text_with_a_space_is_one_mark(sample_engine):
    """Seed 001 writes its section titles as `2023年 工作回顾`; pasted, the terms are marked as one."""
    page = sample_engine.search(SearchRequest(q="2023年 工作回顾", per_page=50))
    heading = next(h for h in page.hits if h.text.strip() == "2023年 工作回顾")
    assert re.findall(r"<mark>(.*?)</mark>", heading.snippet_html) == ["2023年 工作回顾"]
