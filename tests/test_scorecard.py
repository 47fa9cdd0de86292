"""The scorecard: targets against the next report's results, on paragraphs copied from real reports.

The fixture reports hold paragraphs of the 驻马店市 reports of 2023 and 2024 and of the national reports of
2007/2008 and 2016/2017 (``../shared/corpus``), copied sentence for sentence; the bundled sample has no
region with two consecutive years, so over it every line has no result.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import make_report

ZHUMADIAN = dict(level="prefecture", province="河南省", prefecture="驻马店市", county=None, code="411700")
NATIONAL = dict(level="national", province=None, prefecture=None, county=None, code="100000")

ZMD_2023 = [
    ("工作回顾", "刚刚过去的2022年，面对复杂严峻的经济形势和疫情带来的严重冲击，全市上下坚持以习近平新时代中国特色社会主义"
     "思想为指导，较好完成了市四届人大九次会议确定的目标任务，全年GDP达到3257.4亿元，年均增长6.3%，高于全省1.3个百分点；"
     "一般公共预算收入204.5亿元，是2017年的1.8倍，年均增长12.2%；规模以上工业增加值增长6%，年均增长6.5%，高于全省1.2个"
     "百分点；固定资产投资年均增长11.1%；社会消费品零售总额完成1125.9亿元，总量是2017年的1.4倍，年均增长6.3%。"),
    ("目标与要求", "主要预期目标是：经济增长7%左右，常住人口城镇化率提高1.5个百分点左右，规上工业增加值增长7.5%左右，固定资产投资"
     "增长10%，社会消费品零售总额增长7%左右，进出口总值保持平稳增长，一般公共预算收入增长5.5%，城镇调查失业率控制在5.5%以内，"
     "居民收入增长与经济增长基本同步，居民消费价格涨幅控制在3%左右。"),
    ("重点任务", "加强顶志食品、尚品食品、泰普森等外贸企业服务保障，支持企业建设海外仓，拓市场保订单，确保进出口增长3%以上、"
     "实际利用外资增长3%以上。"),
    ("重点任务", "促进高校毕业生就业，加强退役军人就业，支持农民工、下岗失业人员、残疾人多渠道就业，加大对留守妇女就业创业的"
     "保障力度，城镇新增就业6.3万人，新增农村劳动力转移就业3.8万人。"),
]
ZMD_2024 = [
    ("工作回顾", "一年来，我们加压奋进、攻坚克难，发展态势稳中向好。全年生产总值增长4.5%、全省第6，规上工业增加值增长3.5%，"
     "固定资产投资增长7.5%、全省第3，社会消费品零售总额增长6.5%，一般公共预算收入增长3.3%，一般公共预算支出增长18.9%，"
     "居民人均可支配收入增长5%。"),
    ("工作回顾", "签约重点项目452个，总投资2658.9亿元；实际到位省外资金385.4亿元，增长9.52%，增速全省第4；"
     "完成进出口78.6亿元，进口增长34.4%。"),
    ("工作回顾", "省定民生实事、市定惠民工程全面完成。城镇新增就业7.4万人，新增农村劳动力转移就业4.7万人，新增技能人才19.8万人。"),
    ("目标与要求", "主要预期目标是：经济增长6.5%左右，规上工业增加值增长6.5%，固定资产投资增长8%，社会消费品零售总额增长8%，"
     "一般公共预算收入增长5.5%，进出口增长3%以上，城镇调查失业率5.5%左右，居民消费价格涨幅3%以内，居民收入增长与经济同步增长。"),
]
NATIONAL_2016 = [
    ("目标与要求", "今年发展的主要预期目标是：国内生产总值增长6.5%－7%，居民消费价格涨幅3%左右，城镇新增就业1000万人以上，"
     "城镇登记失业率4.5%以内，进出口回稳向好，国际收支基本平衡，居民收入增长和经济增长基本同步。单位国内生产总值能耗下降3.4%以上，"
     "主要污染物排放继续减少。"),
]
NATIONAL_2017 = [
    ("工作回顾", "——经济运行缓中趋稳、稳中向好。国内生产总值达到74.4万亿元，增长6.7%，名列世界前茅，对全球经济增长的贡献率超过30%。"
     "居民消费价格上涨2%。工业企业利润由上年下降2.3%转为增长8.5%，单位国内生产总值能耗下降5%，经济发展的质量和效益明显提高。"),
    ("工作回顾", "——就业增长超出预期。全年城镇新增就业1314万人。高校毕业生就业创业人数再创新高。年末城镇登记失业率4.02%，为多年来最低。"),
    ("工作回顾", "——人民生活继续改善。全国居民人均可支配收入实际增长6.3%。农村贫困人口减少1240万，易地扶贫搬迁人口超过240万。"),
]
NATIONAL_2007 = [
    ("目标与要求", "综合考虑各种因素，今年国民经济和社会发展的主要目标是：在优化结构、提高效益和降低消耗、保护环境的基础上，"
     "国内生产总值增长8%左右；城镇新增就业人数不低于900万人，城镇登记失业率控制在4.6%以内；物价总水平基本稳定，"
     "居民消费价格总水平涨幅在3%以内；国际收支不平衡状况得到改善。"),
]
NATIONAL_2008 = [
    ("工作回顾", "——涉及群众切身利益的问题有待进一步解决。当前物价上涨、通货膨胀压力加大，是广大群众最为关注的问题。"
     "去年居民消费价格总水平比上年上涨4.8%，主要是食品和居住类价格涨幅较大。"),
]


def _report(region: dict, year: int, paragraphs: list[tuple[str, str]]):
    from index.report import Region

    return make_report([t for _, t in paragraphs], region=Region(**region), year=year,
                       title=f"{year}年政府工作报告", categories=[c for c, _ in paragraphs],
                       source=f"fixture-{year}-{region['level']}.txt")


@pytest.fixture(scope="module")
def card_index(tmp_path_factory):
    from index.writer import IndexStore

    root = tmp_path_factory.mktemp("scorecard") / "index"
    with IndexStore(root).update() as up:
        for region, year, paras in ((ZHUMADIAN, 2023, ZMD_2023), (ZHUMADIAN, 2024, ZMD_2024),
                                    (NATIONAL, 2016, NATIONAL_2016), (NATIONAL, 2017, NATIONAL_2017),
                                    (NATIONAL, 2007, NATIONAL_2007), (NATIONAL, 2008, NATIONAL_2008)):
            up.add_report(_report(region, year, paras))
    return root


@pytest.fixture(scope="module")
def card_engine(card_index):
    from search.engine import Engine

    engine = Engine(card_index)
    yield engine
    engine.close()


def _line(engine, indicator, year, **kw):
    from search.scorecard import scorecard

    lines = scorecard(engine, indicator=indicator, year=year, **kw).lines
    assert len(lines) == 1, [(s.region.display, s.indicator, s.year) for s in lines]
    return lines[0]


# -- 驻马店 2023, checked against the corpus by hand -----------------------------------------------


def test_zhumadian_2023_gdp_target_missed_by_two_and_a_half_points(card_engine):
    s = _line(card_engine, "地区生产总值", 2023, prefecture="驻马店")
    assert (s.target.display, s.result.display, s.verdict) == ("7%左右", "4.5%", "missed")
    assert s.gap == pytest.approx(-2.5) and s.gap_unit == "个百分点"
    assert s.explanation == "未完成（差2.5个百分点；左右按0.5个百分点计）"
    assert s.target.report_id.startswith("2023-") and s.result.report_id.startswith("2024-")
    assert s.target.excerpt == "经济增长7%左右"
    assert s.result.excerpt == "全年生产总值增长4.5%"
    _, target_paragraph = card_engine.paragraph(s.target.paragraph_id)
    _, result_paragraph = card_engine.paragraph(s.result.paragraph_id)
    assert "主要预期目标是：经济增长7%左右" in target_paragraph["text"]
    assert "全年生产总值增长4.5%" in result_paragraph["text"]


def test_about_allows_half_a_point_below(card_engine):
    s = _line(card_engine, "社会消费品零售总额", 2023)
    assert (s.target.display, s.result.display, s.verdict) == ("7%左右", "6.5%", "met")
    assert s.gap_text == "差0.5个百分点"
    s = _line(card_engine, "规模以上工业增加值", 2023)  # 7.5%左右 against 3.5%
    assert (s.verdict, s.gap) == ("missed", pytest.approx(-4.0))


def test_a_plain_growth_target_needs_the_result_at_or_above_it(card_engine):
    s = _line(card_engine, "一般公共预算收入", 2023)
    assert (s.target.display, s.result.display, s.verdict, s.gap_text) == ("5.5%", "3.3%", "missed", "差2.2个百分点")
    s = _line(card_engine, "城镇新增就业", 2023)
    assert (s.target.display, s.result.display, s.verdict, s.gap_text) == ("6.3万人", "7.4万人", "met", "高出1.1万人")


def test_income_in_step_with_growth_is_judged_against_gdp_growth(card_engine):
    s = _line(card_engine, "居民人均可支配收入", 2023)
    assert (s.target.display, s.result.display, s.verdict) == ("与经济增长同步", "5%", "met")
    assert s.gap == pytest.approx(0.5)
    assert "经济增长4.5%" in s.reason


def test_a_level_against_a_growth_target_is_not_comparable(card_engine):
    s = _line(card_engine, "外贸进出口", 2023)
    assert (s.target.display, s.result.display, s.verdict) == ("3%以上", "78.6亿元", "not_comparable")
    assert s.reason == "目标是增速3%以上，结果只给出总量78.6亿元"
    assert s.gap is None


def test_no_result_says_why(card_engine):
    s = _line(card_engine, "城镇调查失业率", 2023)
    assert (s.verdict, s.result) == ("no_result", None)
    assert s.reason == "2024年报告未给出2023年城镇调查失业率的结果"
    s = _line(card_engine, "地区生产总值", 2024)
    assert (s.target.display, s.verdict) == ("6.5%左右", "no_result")
    assert s.reason == "索引中没有该地区2025年的报告"


# -- the national reports: ranges, ceilings, falls ----------------------------------------------------


def test_national_2016_targets_against_the_2017_review(card_engine):
    from search.scorecard import scorecard

    got = {s.indicator: (s.target.display, s.result.display, s.verdict, s.gap_text)
           for s in scorecard(card_engine, year=2016).lines if s.result}
    assert got["地区生产总值"] == ("6.5-7%", "6.7%", "met", "高出0.2个百分点")  # a range: its lower end
    assert got["居民消费价格"] == ("3%左右", "2%", "met", "低于目标1个百分点")  # a ceiling
    assert got["城镇登记失业率"] == ("4.5%以内", "4.02%", "met", "低于目标0.48个百分点")
    assert got["城镇新增就业"] == ("1000万人以上", "1314万人", "met", "高出314万人")
    assert got["单位GDP能耗"] == ("-3.4%以上", "-5%", "met", "多降1.6个百分点")  # a fall of at least 3.4%
    assert got["居民人均可支配收入"][:3] == ("与经济增长同步", "6.3%", "met")  # 0.4 points below GDP's 6.7%


def test_a_ceiling_overshot_is_missed(card_engine):
    s = _line(card_engine, "居民消费价格", 2007, level="全国")
    assert (s.target.display, s.result.display, s.verdict) == ("3%以内", "4.8%", "missed")
    assert s.gap_text == "高于目标1.8个百分点"


# -- filters and the summary -----------------------------------------------------------------------


def test_filters_and_summary(card_engine):
    from search.scorecard import ScorecardError, scorecard

    card = scorecard(card_engine, indicator="经济增长", year=2023)
    assert card.summary == "2023年：1个地区中1个未完成地区生产总值目标"
    assert [s.region.display for s in scorecard(card_engine, indicator="GDP", province="河南").lines] == \
        ["河南省驻马店市", "河南省驻马店市"]
    assert {s.region.level for s in scorecard(card_engine, level="全国").lines} == {"national"}
    assert {s.region.level for s in scorecard(card_engine, level="prefecture").lines} == {"prefecture"}
    assert scorecard(card_engine, province="全国", indicator="GDP").summary == "2项目标：完成1项，未完成0项，未见结果1项，无法比较0项"
    with pytest.raises(ScorecardError, match="无法识别"):
        scorecard(card_engine, indicator="营商环境")
    with pytest.raises(ScorecardError, match="级别"):
        scorecard(card_engine, level="镇")


def test_sample_has_no_consecutive_reports_so_no_result_anywhere(sample_engine):
    from search.scorecard import scorecard

    card = scorecard(sample_engine)
    assert len(card.lines) > 50
    assert {s.verdict for s in card.lines} == {"no_result"}
    langfang = scorecard(sample_engine, indicator="GDP", prefecture="廊坊", year=2024).lines
    assert [(s.target.display, s.reason) for s in langfang] == [("6%左右", "索引中没有该地区2025年的报告")]


# -- pages, exports, the command line ------------------------------------------------------------------


@pytest.fixture
def card_client(make_app, card_index):
    return make_app(card_index).test_client()


def test_scorecard_page_has_the_summary_the_chart_and_both_paragraphs(card_client):
    resp = card_client.get("/scorecard?indicator=经济增长&year=2023&province=&prefecture=&level=")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "2023年：1个地区中1个未完成地区生产总值目标" in html
    assert '<svg class="scorecard-chart"' in html and "目标 7%左右" in html and "结果 4.5%（未完成）" in html
    assert "经济增长7%左右" in html and "全年生产总值增长4.5%" in html
    assert html.count("http://baogao.test/p/") == 2
    assert "差2.5个百分点" in html
    assert "<script>" not in html


def test_scorecard_page_opens_on_gdp(card_client):
    html = card_client.get("/scorecard").get_data(as_text=True)
    assert '<option value="地区生产总值" selected>' in html
    assert "国内生产总值增长6.5%－7%" in html and "居民消费价格" not in html.split("<table", 1)[1]


def test_scorecard_csv_and_api_agree(card_client):
    resp = card_client.get("/scorecard.csv?indicator=GDP&year=2023")
    assert resp.mimetype == "text/csv" and resp.get_data(as_text=True).startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["prefecture"], r["target"], r["result"], r["verdict"], r["gap"]) for r in rows] == [
        ("驻马店市", "7%左右", "4.5%", "missed", "-2.5")]
    assert rows[0]["target_url"].startswith("http://baogao.test/p/")
    body = card_client.get("/api/scorecard?indicator=GDP&year=2023&province=&prefecture=&level=").get_json()
    assert body["summary"] == "2023年：1个地区中1个未完成地区生产总值目标"
    line = body["lines"][0]
    assert (line["target"]["display"], line["result"]["display"], line["verdict"], line["gap"]) == \
        ("7%左右", "4.5%", "missed", -2.5)
    assert line["result"]["url"] == rows[0]["result_url"]


@pytest.mark.parametrize("query, word", [("indicator=营商环境", "指标"), ("level=镇", "级别"), ("year=abc", "year")])
def test_bad_parameters_are_answered_in_chinese(card_client, query, word):
    for path in ("/scorecard", "/scorecard.csv", "/api/scorecard"):
        resp = card_client.get(f"{path}?{query}")
        assert resp.status_code == 400, path
        assert word in resp.get_data(as_text=True)


def test_nav_links_to_the_scorecard(client):
    assert 'href="/scorecard"' in client.get("/").get_data(as_text=True)


def test_cli_prints_the_scorecard_as_json(card_index, capsys):
    import baogao

    assert baogao.main(["scorecard", "--index", str(card_index), "--indicator", "经济增长", "--year", "2023",
                        "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["summary"] == "2023年：1个地区中1个未完成地区生产总值目标"
    assert body["lines"][0]["explanation"] == "未完成（差2.5个百分点；左右按0.5个百分点计）"
    assert baogao.main(["scorecard", "--index", str(card_index), "--level", "镇"]) == 2
    assert "无法识别" in capsys.readouterr().err


def test_reports_of_unknown_places_are_never_paired(make_index):
    from search.engine import Engine
    from search.scorecard import scorecard

    unknown = dict(level="unknown", province=None, prefecture=None, county=None, code=None)
    root = make_index([_report(unknown, 2023, ZMD_2023), _report(unknown, 2024, ZMD_2024)])
    engine = Engine(root)
    try:
        assert scorecard(engine).lines == []
    finally:
        engine.close()
