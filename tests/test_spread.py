"""Who said it first: the earliest report using a phrase, and its spread over years and provinces."""
from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from index.report import NATIONAL, Region
from search.engine import Engine, SearchRequest
from search.query import QueryError
from search.spread import spread
from tests.conftest import make_report

BAZHOU = Region("county", "河北省", "廊坊市", "霸州市", "131081")
GUAN = Region("county", "河北省", "廊坊市", "固安县", "131022")
FENGYANG = Region("county", "安徽省", "滁州市", "凤阳县", "341126")
DINGYUAN = Region("county", "安徽省", "滁州市", "定远县", "341125")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from index.writer import IndexStore

    reports = [
        replace(make_report(["固安县政府工作报告", "坚持项目为王，狠抓招商引资。", "项目为王，实干为先。"], region=GUAN,
                            year=2021, source="guan.txt"), date="2021-02-20"),
        replace(make_report(["霸州市政府工作报告", "牢固树立项目为王理念。"], region=BAZHOU, year=2021,
                            source="bazhou.txt"), date="2021-01-08"),
        make_report(["霸州市政府工作报告", "继续坚持项目为王。"], region=BAZHOU, year=2022, source="bazhou22.txt"),
        make_report(["霸州市政府工作报告", "项目为王，招商为要。"], region=BAZHOU, year=2023, source="bazhou23.txt"),
        make_report(["定遠縣政府工作報告", "堅持項目為王，強化要素保障。"], region=DINGYUAN, year=2023,
                    source="dingyuan.txt", traditional=True),
        make_report(["凤阳县政府工作报告", "推进小岗村深化农村改革。"], region=FENGYANG, year=2020, source="fy.txt"),
        make_report(["国务院政府工作报告", "扩大有效投资，项目为王的说法尚未出现。"], region=NATIONAL, year=2024,
                    source="national-txt/2024.txt"),
    ]
    root = tmp_path_factory.mktemp("spread") / "index"
    with IndexStore(root).update() as up:
        for r in reports:
            up.add_report(r)
        up.add_report(replace(reports[-1], sources=("national-gbk-scrape/2024.html",)))
    eng = Engine(root)
    yield eng
    eng.close()


def test_first_use_is_the_earliest_year_then_the_earliest_date(engine):
    s = spread(engine, SearchRequest(q="项目为王"))
    assert [(u.region.county, u.date) for u in s.first] == [("霸州市", "2021-01-08")]
    assert s.first[0].text == "牢固树立项目为王理念。"
    assert [(u.year, u.region.name) for u in s.uses] == [(2021, "霸州市"), (2021, "固安县"), (2022, "霸州市"),
                                                         (2023, "定远县"), (2023, "霸州市"), (2024, "全国")]


def test_reports_of_the_first_year_without_a_date_tie(engine):
    s = spread(engine, SearchRequest(q="项目为王", year="2023-2024"))
    assert [(u.year, u.region.county) for u in s.first] == [(2023, "定远县"), (2023, "霸州市")]
    s = spread(engine, SearchRequest(q="坚持项目为王"))
    # the Traditional 2023 report is a use too
    assert [u.region.county for u in s.uses] == ["固安县", "霸州市", "定远县"]


def test_a_report_is_one_use_however_many_paragraphs_hold_the_phrase(engine):
    s = spread(engine, SearchRequest(q="项目为王"))
    guan = next(u for u in s.uses if u.region.county == "固安县")
    assert guan.paragraphs == 2 and guan.number == 2
    assert s.paragraphs == 7


def test_a_report_in_two_folders_is_one_use_with_both_sources(engine):
    s = spread(engine, SearchRequest(q="项目为王", level="national"))
    assert len(s.uses) == 1
    assert sorted(s.uses[0].sources) == ["national-gbk-scrape/2024.html", "national-txt/2024.txt"]


def test_spread_per_year_and_province(engine):
    s = spread(engine, SearchRequest(q="项目为王"))
    assert s.years == ((2021, 2, 2), (2022, 1, 0), (2023, 2, 1), (2024, 1, 1))
    assert [(p.province, p.reports, p.first_year) for p in s.provinces] == [
        ("河北省", 4, 2021), ("安徽省", 1, 2023), ("全国", 1, 2024)]


def test_no_use_and_bad_queries(engine):
    assert spread(engine, SearchRequest(q="新质生产力")).uses == ()
    with pytest.raises(QueryError):
        spread(engine, SearchRequest(q=" "))


def test_sample_first_use_of_a_real_phrase(sample_engine):
    s = spread(sample_engine, SearchRequest(q="项目为王"))
    assert len(s.uses) == sample_engine.search(SearchRequest(q="项目为王", group=True)).reports_total
    assert s.first[0].year == min(u.year for u in s.uses)
    assert all("项目为王" in u.text or "項目為王" in u.text for u in s.uses)


# -- web -----------------------------------------------------------------------------------


@pytest.fixture
def client(make_app, engine):
    return make_app(engine.store.root).test_client()


def test_first_page_names_the_first_report_and_lists_the_spread(client):
    html = client.get("/first?q=项目为王").get_data(as_text=True)
    first = html[html.index('class="first-use"'):html.index("</section>", html.index('class="first-use"'))]
    assert "霸州市" in first and "2021-01-08" in first and "<mark>项目为王</mark>" in first
    assert html.count('class="use"') == 6
    assert "<svg" in html and "2021年：2 篇" in html


def test_first_csv_and_api_list_every_report_oldest_first(client):
    text = client.get("/first.csv?q=项目为王").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [(r["year"], r["county"] or r["level"]) for r in table] == [
        ("2021", "霸州市"), ("2021", "固安县"), ("2022", "霸州市"), ("2023", "定远县"), ("2023", "霸州市"),
        ("2024", "national")]
    data = client.get("/api/first?q=项目为王").get_json()
    assert data["first"][0]["date"] == "2021-01-08" and data["reports"] == 6
    assert client.get("/api/first?q=(项目 OR 投资").status_code == 400
