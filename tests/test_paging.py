"""Page numbers: past the last page or not a whole number, one message in Chinese that names the valid pages."""
import html

import pytest

from search.engine import SearchRequest

BAD_PAGES = ["99999", "-1", "0", "x", "1.5", "２", "9999999999999"]


def expected_message(raw: str, pages: int) -> str:
    return f"页码须是 1 到 {pages} 之间的整数，收到“{raw}”"


@pytest.mark.parametrize("raw", BAD_PAGES)
def test_the_search_page_and_the_api_say_the_same_about_a_bad_page(client, sample_engine, raw):
    q = "营商环境"
    reports = sample_engine.search(SearchRequest(q=q, group=True, per_page=10)).pages
    hits = sample_engine.search(SearchRequest(q=q, per_page=20)).pages
    page = client.get("/search", query_string={"q": q, "page": raw})
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert html.escape(expected_message(raw, reports), quote=False) in body
    # no contradiction: no hit count and no "nothing found" on the same page
    assert "段命中" not in body and "没有找到匹配的段落" not in body
    assert f'value="{q}"' in body  # the query stays in the box
    api = client.get("/api/search", query_string={"q": q, "page": raw})
    assert api.status_code == 400
    assert api.get_json() == {"error": expected_message(raw, hits), "parameter": "page"}


def test_the_last_page_works_and_the_one_after_it_does_not(client, sample_engine):
    q = "发展"
    pages = sample_engine.search(SearchRequest(q=q, group=True, per_page=10)).pages
    assert pages > 1
    last = client.get("/search", query_string={"q": q, "page": pages})
    assert last.status_code == 200 and f"共 {pages} 页" in last.get_data(as_text=True)
    after = client.get("/search", query_string={"q": q, "page": pages + 1})
    assert after.status_code == 400
    assert expected_message(str(pages + 1), pages) in html.unescape(after.get_data(as_text=True))


def test_a_search_with_no_hits_has_one_page(client):
    empty = client.get("/api/search", query_string={"q": "这句话不在任何报告里"})
    assert empty.status_code == 200 and empty.get_json()["total"] == 0
    second = client.get("/api/search", query_string={"q": "这句话不在任何报告里", "page": 2})
    assert second.get_json()["error"] == expected_message("2", 1)


def test_a_query_error_wins_over_a_bad_page(client):
    resp = client.get("/api/search", query_string={"q": "(项目 OR 投资", "page": "-1"})
    assert resp.status_code == 400 and "position" in resp.get_json()


def test_exports_have_no_pages_and_ignore_the_page_parameter(client):
    plain = client.get("/search.csv", query_string={"q": "项目为王"})
    paged = client.get("/search.csv", query_string={"q": "项目为王", "page": "-1"})
    assert paged.status_code == 200 and paged.get_data() == plain.get_data()


@pytest.mark.parametrize("raw", ["0", "1001", "x"])
def test_a_bad_page_size_names_its_range(client, raw):
    resp = client.get("/api/search", query_string={"q": "发展", "per_page": raw})
    assert resp.status_code == 400
    assert resp.get_json()["error"] == f"参数 per_page 须是 1 到 1000 之间的整数，收到“{raw}”"
