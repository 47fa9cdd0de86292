"""The web pages through Flask's test client: search, facets, chart, reader, permalinks, citations, errors, safety."""
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from index.report import Region
from search.engine import SearchRequest
from search.facets import build_pager, citation_text
from tests.conftest import SAMPLE, make_report
from web import create_app
from web.chart import year_chart_svg

LANGFANG = "2024-河北省-廊坊市"
HUNAN = "2021-湖南省"


def page_text(resp) -> str:
    return resp.get_data(as_text=True)


def links(body: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', body)]


def params(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def facet_link(body: str, label: str) -> str:
    """The href of the facet option whose label is ``label``."""
    m = re.search(r'<a href="([^"]*)"[^>]*>\s*<span class="box"[^>]*>.</span>\s*<span class="label">'
                  + re.escape(label) + "</span>", body)
    assert m, f"no facet option {label}"
    return html.unescape(m.group(1))


# -- the search page ---------------------------------------------------------------------


def test_empty_search_shows_the_corpus_by_province_and_year(client, sample_engine):
    body = page_text(client.get("/"))
    assert f"已收录 {len(sample_engine.reports())} 篇政府工作报告" in body
    hebei = [u for u in links(body) if params(u) == {"province": "河北省", "year": "2024"}]
    assert hebei, "the 河北省 × 2024 cell links to those reports"
    row = re.search(r"<th scope=\"row\"><a [^>]*>河北省</a></th>(.*?)</tr>", body, re.S).group(1)
    assert re.search(r'<td class="total">3</td>', row)


def test_search_groups_hits_by_report_with_highlighted_snippets(client, sample_engine):
    expected = sample_engine.search(SearchRequest(q="项目为王", per_page=100))
    body = page_text(client.get("/search", query_string={"q": "项目为王"}))
    assert f"<strong>{expected.total}</strong> 段命中" in body
    assert body.count('<article class="report-group">') == expected.reports_total
    for hit in expected.hits:
        assert html.escape(hit.title, quote=False) in body
    # Traditional 霸州 text is marked in its own characters
    assert "<mark>項目為王</mark>" in body and "<mark>项目为王</mark>" in body
    assert "毫秒" in body


def test_query_examples_are_at_hand_under_the_search_box(client):
    body = page_text(client.get("/"))
    assert "检索语法与示例" in body
    assert any(params(u).get("q") == "乡村振兴 OR 共同富裕" for u in links(body))


def test_province_toggle_narrows_and_keeps_the_query(client):
    body = page_text(client.get("/search", query_string={"q": "营商环境", "sort": "newest"}))
    url = facet_link(body, "河北省")
    assert params(url) == {"q": "营商环境", "province": "河北省", "sort": "newest"}
    narrowed = page_text(client.get(url))
    regions = re.findall(r'<span class="region">([^<]*)</span>', narrowed)
    assert regions and all(r.startswith("河北省") for r in regions)
    # the province is shown selected, its prefectures appear beneath it, and it can be switched off
    off = facet_link(narrowed, "河北省")
    assert params(off) == {"q": "营商环境", "sort": "newest"}
    assert facet_link(narrowed, "廊坊市")
    assert "aria-current=\"true\"" in narrowed


def test_prefecture_toggle_shows_counties_and_switching_province_off_clears_both(client):
    url = "/search?" + "q=%E5%8F%91%E5%B1%95&province=%E6%B2%B3%E5%8C%97%E7%9C%81&prefecture=%E5%BB%8A%E5%9D%8A%E5%B8%82"
    body = page_text(client.get(url))
    assert params(facet_link(body, "河北省")) == {"q": "发展"}
    assert params(facet_link(body, "廊坊市")) == {"q": "发展", "province": "河北省"}
    county = facet_link(body, "霸州市")
    assert params(county) == {"q": "发展", "province": "河北省", "prefecture": "廊坊市", "county": "霸州市"}


def test_year_level_and_section_facets_count_the_hits(client, sample_engine):
    page = sample_engine.search(SearchRequest(q="营商环境"))
    body = page_text(client.get("/search?q=营商环境"))
    for name in ("year", "level", "section"):
        for fc in page.facets[name]:
            m = re.search(r'<span class="label">' + re.escape(fc.label) + r'</span><span class="count">(\d+)</span>', body)
            assert m and int(m.group(1)) == fc.count, (name, fc)


def test_hits_per_year_chart_is_inline_svg_with_accessible_titles(client):
    body = page_text(client.get("/search?q=营商环境"))
    svg = re.search(r"<svg class=\"year-chart\".*?</svg>", body, re.S).group(0)
    assert "<title>2021年：35 段</title>" in svg
    assert "<title>2022年：0 段</title>" in svg  # gap years are shown, empty
    year_link = [html.unescape(u) for u in re.findall(r'<a href="([^"]*)"', svg)]
    assert {"q": "营商环境", "year": "2024"} in [params(u) for u in year_link]


def test_sort_links_keep_the_query_and_filters(client):
    body = page_text(client.get("/search?q=营商环境&province=广东省"))
    sort_urls = [u for u in links(body) if "sort" in params(u)]
    assert {params(u)["sort"] for u in sort_urls} == {"newest", "oldest", "region"}
    assert all(params(u)["q"] == "营商环境" and params(u)["province"] == "广东省" for u in sort_urls)
    newest = page_text(client.get("/search?q=营商环境&sort=newest"))
    years = [int(y) for y in re.findall(r'<span class="year">(\d{4})年</span>', newest)]
    assert years == sorted(years, reverse=True) and years[0] == 2024


def test_pages_cover_every_report_once(make_app, sample_index, sample_engine):
    client = make_app(sample_index, PER_PAGE=3).test_client()
    expected = sample_engine.search(SearchRequest(q="营商环境", group=True, per_page=100))
    seen = []
    url = "/search?q=营商环境"
    while url:
        body = page_text(client.get(url))
        seen += re.findall(r'<article class="report-group">\s*<header>\s*<h2><a href="/r/([^"?]+)', body)
        nxt = re.search(r'<a href="([^"]*)" rel="next">', body)
        url = html.unescape(nxt.group(1)) if nxt else None
    from urllib.parse import unquote

    assert [unquote(s) for s in seen] == [g.report_id for g in expected.groups]
    assert len(seen) == expected.reports_total > 3


def test_pager_marks_gaps_between_distant_pages():
    pager = build_pager(SearchRequest(q="x", page=10), pages=20)
    numbers = [link.number for link in pager.links]
    assert numbers == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert pager.prev == {"q": "x", "page": "9"} and pager.next == {"q": "x", "page": "11"}
    assert build_pager(SearchRequest(q="x", page=2), pages=2).links[0].params == {"q": "x"}


def test_a_query_error_is_a_friendly_400_that_keeps_the_query(client):
    resp = client.get("/search", query_string={"q": '营商环境 "未闭合'})
    body = page_text(resp)
    assert resp.status_code == 400
    assert 'value="营商环境 &#34;未闭合"' in body or 'value="营商环境 &quot;未闭合"' in body
    assert "检索式有误" in body and "Traceback" not in body
    assert re.search(r'<span class="at">', body)


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=-3", "per_page=5000", "sort=best", "page=１"])
def test_bad_page_or_sort_values_are_400_not_500(client, query):
    resp = client.get(f"/search?q=营商环境&{query}")
    assert resp.status_code == 400
    assert "参数" in page_text(resp) or "排序" in page_text(resp)


def test_post_changes_nothing_and_is_refused(client):
    assert client.post("/search", data={"q": "营商环境"}).status_code == 405


# -- the reader --------------------------------------------------------------------------


def test_reader_shows_metadata_contents_and_an_anchor_for_every_paragraph(client, sample_engine):
    rec, paras = sample_engine.report(HUNAN)
    body = page_text(client.get(f"/r/{HUNAN}"))
    assert f"<h1>{rec['display_title']}</h1>" in body
    assert "毛伟明" in body and "2021-01-25" in body
    # the source by its file name, never the server's path
    assert "<code>004_000a05b7aea940ce.txt#6</code>" in body
    assert rec["sources"][0] not in body and str(SAMPLE) not in body
    for p in paras:
        assert f'id="p-{p["paragraph_id"]}"' in body
    toc = re.search(r'<aside class="toc".*?</aside>', body, re.S).group(0)
    assert "一、2020年和“十三五”时期工作回顾" in toc and "三、2021年工作" in toc
    first_heading = next(p for p in paras if p["text"] == "三、2021年工作")
    assert f'href="#p-{first_heading["paragraph_id"]}"' in toc


def test_reader_from_a_search_marks_every_match_and_numbers_the_hits(client, sample_engine):
    found = sample_engine.search(SearchRequest(q="营商环境", report_id=HUNAN, per_page=100))
    body = page_text(client.get(f"/r/{HUNAN}", query_string={"q": "营商环境"}))
    occurrences = sum(h.text.count("营商环境") for h in found.hits)
    assert body.count("<mark>营商环境</mark>") == occurrences > found.total
    for n in range(1, found.total + 1):
        assert f'id="hit-{n}"' in body
    assert f'id="hit-{found.total + 1}"' not in body
    assert 'href="#hit-2"' in body  # plain next-hit links work without script
    assert f"命中 <strong>{found.total}</strong> 段" in body


def test_reader_region_links_lead_to_filtered_searches(client):
    body = page_text(client.get(f"/r/{LANGFANG}"))
    region = [params(u) for u in links(body) if "province" in params(u)]
    assert {"province": "河北省"} in region and {"province": "河北省", "prefecture": "廊坊市"} in region


# -- permalinks and citations ------------------------------------------------------------


def test_permalink_redirects_to_the_paragraph_in_its_report(client, sample_engine):
    _, paras = sample_engine.report(LANGFANG)
    pid = paras[10]["paragraph_id"]
    resp = client.get(f"/p/{pid}")
    assert resp.status_code == 302
    loc = resp.headers["Location"]
    assert loc.endswith(f"#p-{pid}") and "/r/" in loc
    reader = client.get(loc.split("#")[0])
    assert reader.status_code == 200 and f'id="p-{pid}"' in page_text(reader)


def test_permalinks_survive_rebuilding_the_index(client, sample_engine, make_app, tmp_path):
    from index.assemble import parse_path
    from index.writer import IndexStore

    fresh = tmp_path / "rebuilt"
    with IndexStore(fresh).update() as up:
        for r in parse_path(SAMPLE):
            up.add_report(r)
    rebuilt = make_app(fresh).test_client()
    for rid in (LANGFANG, HUNAN):
        _, paras = sample_engine.report(rid)
        for p in (paras[0], paras[len(paras) // 2], paras[-1]):
            old = client.get(f"/p/{p['paragraph_id']}").headers["Location"]
            new = rebuilt.get(f"/p/{p['paragraph_id']}")
            assert new.status_code == 302 and new.headers["Location"] == old


def test_each_hit_carries_a_citation_with_its_permalink(client, sample_engine, access_day):
    hit = sample_engine.search(SearchRequest(q="项目为王", province="河北省")).hits[0]
    body = page_text(client.get("/search?q=项目为王&province=河北省"))
    url = f"http://baogao.test/p/{hit.paragraph_id}"
    section = f"{hit.section}，" if hit.section else ""
    accessed = access_day
    expected = f"《{hit.title}》，{hit.region.display}，{hit.year}年，{section}第{hit.number}段，访问于{accessed}，{url}"
    cites = [html.unescape(c) for c in re.findall(r'<p class="cite-text">([^<]*)</p>', body)]
    assert expected in cites
    assert f'data-citation="{html.escape(expected)}"' in body


def test_reader_paragraph_citation_names_section_and_number(client, sample_engine, access_day):
    _, paras = sample_engine.report(HUNAN)
    p = next(p for p in paras if p["section"].count(" › ") == 1)
    body = page_text(client.get(f"/r/{HUNAN}"))
    expected = (f"《湖南省政府工作报告》，湖南省，2021年（2021-01-25），{p['section']}，第{p['number']}段，"
                f"访问于{access_day}，http://baogao.test/p/{p['paragraph_id']}")
    assert html.escape(expected, quote=False) in body


def test_citation_text_leaves_out_what_is_unknown():
    assert citation_text("2021年霸州市政府工作报告", "河北省廊坊市霸州市", 2021, "三、2021年重点工作 › (二)…", 12,
                         "http://x/p/ab") == "《2021年霸州市政府工作报告》，河北省廊坊市霸州市，2021年，三、2021年重点工作 › (二)…，第12段，http://x/p/ab"
    assert citation_text("政府工作报告", "未知地区", None, "", 3, "u") == "《政府工作报告》，年份不详，第3段，u"


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/p/0123456789abcdef",           # well-formed, not in the index
    "/p/not-a-paragraph",            # malformed
    "/r/2030-河北省-廊坊市",           # unknown report
    "/r/" + "河" * 300,               # too long
    "/r/a%3Cb%3E",                   # characters an id never has
    "/nowhere",
])
def test_unknown_links_get_a_chinese_404_page_with_a_way_back(client, url):
    resp = client.get(url)
    body = page_text(resp)
    assert resp.status_code == 404
    assert "找不到" in body and 'href="/search"' in body and "Traceback" not in body
    assert "<b>" not in body


def test_a_missing_index_is_an_empty_corpus_not_a_crash(make_app, tmp_path):
    client = make_app(tmp_path / "none").test_client()
    resp = client.get("/")
    assert resp.status_code == 200 and "索引是空的" in page_text(resp)
    assert client.get("/search?q=营商环境").status_code == 200


# -- about, config -------------------------------------------------------------------------


def test_about_page_says_what_is_indexed_and_how_to_add_reports(client, sample_engine):
    stats = sample_engine.stats()
    body = page_text(client.get("/about"))
    assert f"{stats['reports']:,} 篇" in body and f"{stats['paragraphs']:,} 段" in body
    assert f"{stats['characters']:,} 字" in body
    assert "baogao index" in body and "province:" in body


def test_index_directory_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BAOGAO_INDEX", str(tmp_path / "from-env"))
    assert create_app().config["INDEX"] == str(tmp_path / "from-env")
    monkeypatch.delenv("BAOGAO_INDEX")
    assert create_app().config["INDEX"] == "var/index"
    assert create_app({"INDEX": "/x"}).config["INDEX"] == "/x"


# -- safety --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/search?q=营商环境", f"/r/{HUNAN}?q=营商环境", "/about", "/p/x", "/api/stats"])
def test_every_response_sends_the_security_headers(client, url):
    h = client.get(url).headers
    csp = h["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"]


@pytest.mark.parametrize("url", ["/", "/search?q=营商环境", f"/r/{HUNAN}?q=营商环境", "/about", "/p/x"])
def test_pages_hold_no_inline_script_or_event_handlers(client, url):
    body = page_text(client.get(url))
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert scripts and all(re.search(r'\bsrc="/static/app\.js"', s) for s in scripts)
    assert not re.search(r"<script\b[^>]*>[^<]+</script>", body)
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", body)
    assert "style=" not in body


XSS = "<script>alert(1)</script>"


@pytest.fixture
def xss_client(make_app, make_index):
    report = make_report(
        ["2021年霸州市政府工作报告", f"本段引用了 {XSS} 这一串文字，以及 <img src=x onerror=alert(2)> 标记。", "坚持项目为王。"],
        region=Region("county", "河北省", "廊坊市", "霸州市", "131081"),
        title=f"霸州{XSS}报告",
        sections=[(), (f"一、{XSS}",), (f"一、{XSS}",)],
    )
    return make_app(make_index([report])).test_client(), report


def test_script_in_a_report_is_shown_as_text(xss_client):
    client, report = xss_client
    pages = [
        client.get(f"/r/{report.report_id}"),
        client.get(f"/r/{report.report_id}", query_string={"q": "alert"}),
        client.get("/search", query_string={"q": "alert"}),
        client.get("/search", query_string={"q": "项目为王"}),
    ]
    for resp in pages:
        body = page_text(resp)
        assert resp.status_code == 200
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in page_text(pages[1])


@pytest.mark.parametrize("q", [XSS, f'"{XSS}"', '"><script>alert(1)</script>', "province:<script>"])
def test_script_in_a_query_is_echoed_as_text(xss_client, q):
    client, _ = xss_client
    for url in ("/search", "/r/x"):
        body = page_text(client.get(url, query_string={"q": q}))
        assert "<script>alert" not in body and "<script>" not in visible_text_tags(body)


def visible_text_tags(body: str) -> str:
    """The page without its one legitimate script tag."""
    return re.sub(r'<script src="/static/app\.js" defer></script>', "", body)


def test_script_in_a_query_is_found_as_text(xss_client):
    client, report = xss_client
    body = page_text(client.get("/search", query_string={"q": f'"{XSS}"'}))
    assert "<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in body


# -- the chart function ------------------------------------------------------------------------


def test_year_chart_escapes_its_title_and_skips_nothing():
    svg = year_chart_svg([(2019, 2), (2021, 5)], title="<b>&", link=lambda y: f"/s?year={y}&q=<x>")
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg
    assert svg.count('class="bar"') == 3 and "2020年：0 段" in svg
    assert 'href="/s?year=2021&amp;q=&lt;x&gt;"' in svg
    assert year_chart_svg([]) == ""


def test_a_corpus_spanning_many_years_is_listed_by_region_with_year_links(make_app, make_index):
    region = Region("prefecture", "河南省", "驻马店市", None, "411700")
    reports = [make_report([f"{y}年驻马店市政府工作报告", f"{y}年坚持项目为王。"], region=region, year=y, source=f"{y}.txt")
               for y in range(2002, 2020)]
    body = page_text(make_app(make_index(reports)).test_client().get("/"))
    row = re.search(r'<th scope="row"><a [^>]*>河南省</a></th><td class="total">18</td>(.*?)</tr>', body, re.S)
    assert row, "one row for 河南省 with 18 reports"
    years = [params(u)["year"] for u in links(row.group(1))]
    assert years == [str(y) for y in range(2002, 2020)]


def test_a_corpus_cell_lists_the_reports_of_that_region_and_year(client):
    body = page_text(client.get("/search?province=河北省&year=2024"))
    titles = re.findall(r'<article class="report-group">\s*<header>\s*<h2><a [^>]*>([^<]*)</a>', body)
    assert titles == ["刘媛在廊坊市八届人大六次会议上的政府工作报告(摘登)"]


def test_an_unreadable_index_is_a_chinese_503_page(make_app, tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x", encoding="utf-8")
    client = make_app(not_a_dir).test_client()
    resp = client.get("/search?q=营商环境")
    assert resp.status_code == 503 and "索引暂时无法使用" in page_text(resp)
    api = client.get("/api/search?q=营商环境")
    assert api.status_code == 503 and api.get_json()["error"]


def test_year_chart_links_only_as_many_years_as_a_finger_can_tap():
    few = year_chart_svg([(2019, 2), (2021, 5)], link=lambda y: f"/s?year={y}")
    assert few.count("<a ") == 2 and 'role="img"' not in few  # an image may not hold links
    assert few.count('class="hit"') == 2  # each link covers its whole column
    many = year_chart_svg([(1990, 1), (2024, 3)], link=lambda y: f"/s?year={y}")
    assert "<a " not in many and 'role="img"' in many
    assert 'width="320"' in few and 'width="640"' in many  # a few years make a narrow chart
