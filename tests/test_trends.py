"""Trends: hits per year and per province, normalised by the reports of each year; two or three terms compared."""
from __future__ import annotations

import csv
import io
import re

import pytest

from index.report import NATIONAL, Region
from search.engine import Engine, SearchRequest
from search.query import QueryError
from search.trends import compare, trend
from tests.conftest import make_report

HEBEI = Region("county", "河北省", "廊坊市", "霸州市", "131081")
GUAN = Region("county", "河北省", "廊坊市", "固安县", "131022")
FENGYANG = Region("county", "安徽省", "滁州市", "凤阳县", "341126")
CHUZHOU = Region("prefecture", "安徽省", "滁州市", None, "341100")

POVERTY = "坚决打赢脱贫攻坚战，建档立卡贫困人口全部脱贫。"
POVERTY_2 = "巩固拓展脱贫攻坚成果，防止规模性返贫。"
RURAL = "全面推进乡村振兴，加快农业农村现代化。"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """2019: 2 reports, 1 mentions 脱贫攻坚. 2020: 4 reports, 2 mention it (one twice). 2021: 1 report, 乡村振兴."""
    from index.writer import IndexStore

    reports = [
        make_report(["霸州市2019年工作", POVERTY], region=HEBEI, year=2019, source="a"),
        make_report(["凤阳县2019年工作", "推进小岗村深化农村改革。"], region=FENGYANG, year=2019, source="b"),
        make_report(["霸州市2020年工作", POVERTY, POVERTY_2], region=HEBEI, year=2020, source="c"),
        make_report(["固安县2020年工作", POVERTY_2 + "固安"], region=GUAN, year=2020, source="d"),
        make_report(["凤阳县2020年工作", "发展壮大村级集体经济。"], region=FENGYANG, year=2020, source="e"),
        make_report(["滁州市2020年工作", "建设长三角一体化发展先行区。"], region=CHUZHOU, year=2020, source="f"),
        make_report(["国务院2021年工作", RURAL], region=NATIONAL, year=2021, source="g"),
    ]
    root = tmp_path_factory.mktemp("trends") / "index"
    with IndexStore(root).update() as up:
        for r in reports:
            up.add_report(r)
    eng = Engine(root)
    yield eng
    eng.close()


def rows(t):
    return {r.key: (r.reports_with_hits, r.reports_total, r.paragraphs) for r in t.years}


def test_share_is_normalised_by_the_reports_of_each_year(engine):
    t = trend(engine, SearchRequest(q="脱贫攻坚"))
    assert rows(t) == {2019: (1, 2, 1), 2020: (2, 4, 3), 2021: (0, 1, 0)}
    shares = {r.key: r.share for r in t.years}
    assert shares[2019] == shares[2020] == 0.5  # more hits in 2020, but not a bigger share
    assert {r.key: r.paragraphs_per_report for r in t.years}[2020] == 0.75
    assert (t.reports_with_hits, t.reports_total, t.paragraphs) == (3, 7, 4)


def test_provinces_count_national_reports_as_their_own_row(engine):
    t = trend(engine, SearchRequest(q="乡村振兴"))
    prov = {r.key: (r.reports_with_hits, r.reports_total) for r in t.provinces}
    assert prov == {"全国": (1, 1), "河北省": (0, 3), "安徽省": (0, 3)}
    t = trend(engine, SearchRequest(q="脱贫攻坚"))
    assert {r.key: (r.reports_with_hits, r.reports_total) for r in t.provinces}["河北省"] == (3, 3)


def test_filters_narrow_the_base_as_well_as_the_hits(engine):
    t = trend(engine, SearchRequest(q="脱贫攻坚", level="county"))
    assert rows(t) == {2019: (1, 2, 1), 2020: (2, 3, 3)}
    t = trend(engine, SearchRequest(q="脱贫攻坚", province="河北"))
    assert rows(t) == {2019: (1, 1, 1), 2020: (2, 2, 3)}


def test_two_terms_are_compared_over_the_same_reports(engine):
    a, b = compare(engine, ["脱贫攻坚", "乡村振兴"])
    assert [a.query, b.query] == ["脱贫攻坚", "乡村振兴"]
    assert a.reports_total == b.reports_total == 7
    assert rows(b)[2021] == (1, 1, 1)


def test_empty_repeated_and_too_many_terms(engine):
    assert len(compare(engine, ["脱贫攻坚", " ", "脱贫攻坚"])) == 1
    with pytest.raises(QueryError):
        compare(engine, ["", " "])
    with pytest.raises(QueryError):
        compare(engine, ["一", "二", "三", "四"])


def test_sample_trend_of_a_real_phrase(sample_engine):
    t = trend(sample_engine, SearchRequest(q="乡村振兴"))
    total = sum(r.reports_total for r in t.years)
    assert total == len([r for r in sample_engine.reports() if r.get("year")])
    assert t.reports_with_hits == sample_engine.search(SearchRequest(q="乡村振兴", group=True)).reports_total
    assert t.paragraphs == sample_engine.search(SearchRequest(q="乡村振兴")).total


# -- web -------------------------------------------------------------------------------


@pytest.fixture
def client(make_app, engine):
    return make_app(engine.store.root).test_client()


def test_trend_csv_has_one_row_per_year(client):
    text = client.get("/trends.csv?q=脱贫攻坚").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:5] == ["year", "reports_with_hits", "reports_total", "share", "paragraphs"]
    assert table[1:] == [["2019", "1", "2", "0.5000", "1", "0.5000"], ["2020", "2", "4", "0.5000", "3", "0.7500"],
                         ["2021", "0", "1", "0.0000", "0", "0.0000"]]


def test_comparison_csv_and_api_name_each_query(client):
    text = client.get("/trends.csv?q=脱贫攻坚&q=乡村振兴&by=province").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.DictReader(io.StringIO(text)))
    assert {(r["query"], r["province"], r["reports_with_hits"]) for r in table} >= {("乡村振兴", "全国", "1"),
                                                                                     ("脱贫攻坚", "河北省", "3")}
    data = client.get("/api/trends?q=脱贫攻坚&q=乡村振兴&level=county").get_json()
    assert [t["query"] for t in data["trends"]] == ["脱贫攻坚", "乡村振兴"]
    assert data["filters"] == {"level": "county"}
    assert data["trends"][1]["reports_with_hits"] == 0


def test_trend_page_draws_one_line_per_term(client):
    html = client.get("/trends?q=脱贫攻坚&q=乡村振兴").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    # 2019 (2 reports) and 2021 (1) are thin: every segment touches one, so every segment is thin and grey
    assert svg.count('stroke-dasharray="2 3"') == 4 and 'stroke-width="2.5"' not in svg
    assert svg.count('<circle cx') == 6 + 1  # three years per term, and the legend's hollow point
    assert svg.count('r="3.5" fill="#1f5f99"') == 1 and svg.count('r="3.5" fill="#c0392b"') == 1  # 2020 only
    assert "1/2 篇报告（50%）" in svg and "style=" not in svg


def test_trend_chart_writes_the_reports_of_each_year_and_marks_thin_years(client):
    html = client.get("/trends?q=脱贫攻坚").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    strip = re.findall(r'font-size="11" fill="#333"(?: font-weight="bold")?>(\d+)</text>', svg)
    assert strip == ["2", "4", "1"]  # reports in 2019, 2020, 2021, drawn on the chart itself
    assert "空心灰点：当年报告不足 3 篇" in svg
    assert "2019年：1/2 篇报告（50%），1 段；当年报告不足 3 篇" in svg
    assert "2020年：2/4 篇报告（50%），3 段</title>" in svg
    assert "2019、2021 年收录的报告不足 3 篇" in html
    assert "比例最高：2020 年（2/4 篇，50%）" in html  # 2019 has the same share but from 2 reports


def test_a_year_of_one_report_is_never_the_peak(engine, client):
    t = trend(engine, SearchRequest(q="乡村振兴"))
    assert rows(t)[2021] == (1, 1, 1) and t.years[-1].thin
    assert t.peak is None and t.thin_years == (2019, 2021)
    assert trend(engine, SearchRequest(q="脱贫攻坚")).peak.key == 2020
    html = client.get("/trends?q=乡村振兴").get_data(as_text=True)
    assert "比例最高：" not in html and "命中的年份报告都不足 3 篇，不标最高年份" in html


def test_the_header_search_on_trends_keeps_every_term(client):
    html = client.get("/trends?q=脱贫攻坚&q=乡村 振兴").get_data(as_text=True)
    header = re.search(r'<form class="mini-search".*?</form>', html, re.S).group(0)
    assert 'value="脱贫攻坚 OR (乡村 振兴)"' in header


def test_year_range_inputs_set_the_trend_base(client):
    data = client.get("/api/trends?q=脱贫攻坚&year_from=2020&year_to=").get_json()
    assert data["filters"] == {"year": "2020-2100"}
    assert [r["year"] for r in data["trends"][0]["years"]] == [2020, 2021]
    html = client.get("/trends?q=脱贫攻坚&year_from=2019&year_to=2020").get_data(as_text=True)
    assert 'name="year_from" type="number"' in html and 'value="2019"' in html and 'value="2020"' in html
    assert 'type="hidden" name="year"' not in html


def test_trend_page_escapes_the_query_and_reports_errors(client):
    html = client.get("/trends?q=<b>脱贫攻坚").get_data(as_text=True)
    assert "<b>脱贫攻坚" not in html and "&lt;b&gt;脱贫攻坚" in html
    assert client.get("/trends?q=(项目 OR 投资").status_code == 400
    assert client.get("/api/trends?q=(项目 OR 投资").get_json()["error"]


def test_trend_csv_defuses_a_query_a_spreadsheet_would_run(client):
    text = client.get("/trends.csv?q=脱贫攻坚&q==1%2B1").get_data(as_text=True).lstrip("\ufeff")
    queries = {row["query"] for row in csv.DictReader(io.StringIO(text))}
    assert queries == {"脱贫攻坚", "'=1+1"}
