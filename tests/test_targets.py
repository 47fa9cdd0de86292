"""The targets table: figures read from the seeds and from single paragraphs."""
from __future__ import annotations

import pytest

from search.targets import extract_paragraph, filter_rows, indicator_name, targets_for_engine


def _rows(engine, report_id):
    return filter_rows(targets_for_engine(engine), report_id=report_id)


def _one(rows, indicator, kind="target"):
    found = [r for r in rows if r.indicator == indicator and r.kind == kind]
    assert found, f"no {kind} row for {indicator}: {[(r.indicator, r.kind, r.display) for r in rows]}"
    return found[0]


def _figures(text, **kw):
    return [(f.indicator, f.value, f.unit, f.qualifier, kind) for f, kind, _ in extract_paragraph(text, **kw)]


# -- the seeds, checked by hand ------------------------------------------------------------


def test_bazhou_2021_gdp_target_is_read_from_traditional_text(sample_engine):
    rows = _rows(sample_engine, "2021-河北省-廊坊市-霸州市")
    gdp = _one(rows, "地区生产总值")
    assert (gdp.value, gdp.unit, gdp.qualifier, gdp.display) == (8.0, "%", "左右", "8%左右")
    assert gdp.for_year == 2021
    # the excerpt is the reader's text: Traditional stays Traditional
    assert gdp.excerpt == "地區生產總值增長8%左右"
    _, paragraph = sample_engine.paragraph(gdp.paragraph_id)
    assert gdp.excerpt in paragraph["text"]


def test_langfang_2024_targets_and_last_years_results(sample_engine):
    rows = _rows(sample_engine, "2024-河北省-廊坊市")
    assert _one(rows, "地区生产总值").display == "6%左右"
    assert _one(rows, "固定资产投资").display == "6.5%左右"
    assert _one(rows, "一般公共预算收入").display == "5%左右"
    assert _one(rows, "居民消费价格").display == "3%左右"
    result = _one(rows, "地区生产总值", kind="result")
    assert (result.display, result.for_year, result.section_category) == ("3.8%", 2023, "工作回顾")
    assert _one(rows, "一般公共预算收入", kind="result").display == "320.2亿元"


def test_baodi_2021_targets_without_qualifier(sample_engine):
    rows = _rows(sample_engine, "2021-天津市-宝坻区")
    gdp = _one(rows, "地区生产总值")
    assert (gdp.value_text, gdp.qualifier) == ("7%", "")
    assert _one(rows, "一般公共预算收入").value_text == "26%"
    assert _one(rows, "固定资产投资").display == "10%以上"
    assert _one(rows, "居民人均可支配收入").display == "7%"
    # 实际利用内资 in a task paragraph is not one of the indicators
    assert {r.kind for r in rows} == {"target"}


def test_huaian_2022_gdp_target_is_at_least(sample_engine):
    rows = _rows(sample_engine, "2022-河北省-张家口市-怀安县")
    assert _one(rows, "地区生产总值").display == "6.5%以上"
    assert _one(rows, "规模以上工业增加值").display == "6%以上"  # written 规上工业增加值
    assert _one(rows, "外贸进出口").display == "6%以上"
    assert len(rows) == 7


def test_every_row_links_to_a_paragraph_holding_its_excerpt(sample_engine):
    rows = targets_for_engine(sample_engine)
    assert len(rows) > 100
    for r in rows:
        rec, p = sample_engine.paragraph(r.paragraph_id)
        assert rec["report_id"] == r.report_id
        assert r.excerpt and r.excerpt in p["text"]


def test_table_is_computed_once_per_generation(sample_engine):
    assert targets_for_engine(sample_engine) is targets_for_engine(sample_engine)


# -- single paragraphs ------------------------------------------------------------------------


def test_listed_indicators_take_their_respective_values_and_the_closing_qualifier():
    text = "今年主要预期目标是：地区生产总值、一般公共预算收入分别增长6%和5%左右。"
    assert _figures(text) == [
        ("地区生产总值", 6.0, "%", "左右", "target"),
        ("一般公共预算收入", 5.0, "%", "左右", "target"),
    ]


def test_urban_and_rural_income_are_split():
    text = "城乡居民人均可支配收入分别增长4.7%、7.7%。"
    assert _figures(text, category="工作回顾") == [
        ("城镇居民人均可支配收入", 4.7, "%", "", "result"),
        ("农村居民人均可支配收入", 7.7, "%", "", "result"),
    ]


def test_income_in_step_with_growth_has_no_value():
    text = "居民人均可支配收入增长与经济增长同步，城镇调查失业率控制在5.5%以内。"
    assert _figures(text, category="目标与要求") == [
        ("居民人均可支配收入", None, "", "同步", "target"),
        ("城镇调查失业率", 5.5, "%", "以内", "target"),
    ]


def test_a_fall_is_negative_and_at_least_means_above():
    text = "2021年主要目标：单位国内生产总值能耗降低3%左右，地区生产总值增长不低于7.5%。"
    assert _figures(text, year=2021) == [
        ("单位GDP能耗", -3.0, "%", "左右", "target"),
        ("地区生产总值", 7.5, "%", "以上", "target"),
    ]


def test_last_years_figures_are_results_even_outside_the_review():
    text = "2020年，全市地区生产总值增长3.6%，固定资产投资比上年增长5.1%。"
    assert [k for *_, k in _figures(text, year=2021)] == ["result", "result"]


def test_completing_a_target_is_a_result_but_ensuring_one_is_not():
    assert _figures("全年地区生产总值增长6.2%，完成年度目标。")[0][-1] == "result"
    assert _figures("今年地区生产总值增长6%左右，确保完成上级下达目标任务。")[0][-1] == "target"


@pytest.mark.parametrize("text", [
    "过去五年，地区生产总值年均增长6.8%。",
    "累计完成固定资产投资2647.5亿元。",
    "民间固定资产投资增长12%。",
    "人均地区生产总值增长5%。",
    "开发区固定资产投资增长20%。",
])
def test_figures_that_are_not_the_regions_year_are_left_out(text):
    assert _figures(text) == []


def test_indicator_names_resolve_from_their_forms():
    assert indicator_name("GDP") == "地区生产总值"
    assert indicator_name("规上工业增加值") == "规模以上工业增加值"
    assert indicator_name("地区生产总值") == "地区生产总值"
    assert indicator_name("营商环境") is None


def test_filters_take_short_province_names_and_indicator_forms(sample_engine):
    rows = targets_for_engine(sample_engine)
    hebei = filter_rows(rows, province="河北", indicator="GDP", kind="target")
    assert {(r.report_id, r.display) for r in hebei} == {
        ("2021-河北省-廊坊市-霸州市", "8%左右"),
        ("2022-河北省-张家口市-怀安县", "6.5%以上"),
        ("2024-河北省-廊坊市", "6%左右"),
    }
    assert filter_rows(rows, indicator="营商环境") == []
    assert {r.year for r in filter_rows(rows, year=2022)} == {2022}


# -- the command line ---------------------------------------------------------------------------


def test_cli_prints_the_table_as_json(sample_index, capsys):
    import json

    import baogao

    assert baogao.main(["targets", "--index", str(sample_index), "--province", "河北", "--indicator", "GDP",
                        "--kind", "target", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [(r["report_id"], r["display"]) for r in body["rows"]] == [
        ("2021-河北省-廊坊市-霸州市", "8%左右"),
        ("2022-河北省-张家口市-怀安县", "6.5%以上"),
        ("2024-河北省-廊坊市", "6%左右"),
    ]
    assert body["rows"][0]["url"].endswith("/p/" + body["rows"][0]["paragraph_id"])


@pytest.mark.parametrize("narrow, kept", [
    (["--prefecture", "廊坊"], ["2021-河北省-廊坊市-霸州市", "2024-河北省-廊坊市"]),
    (["--county", "怀安县"], ["2022-河北省-张家口市-怀安县"]),
    (["--level", "地级"], ["2024-河北省-廊坊市"]),
    (["--level", "county", "--prefecture", "廊坊市"], ["2021-河北省-廊坊市-霸州市"]),
])
def test_cli_narrows_by_prefecture_county_and_level(sample_index, capsys, narrow, kept):
    import json

    import baogao

    assert baogao.main(["targets", "--index", str(sample_index), "--province", "河北", "--indicator", "GDP",
                        "--kind", "target", "--json", *narrow]) == 0
    assert [r["report_id"] for r in json.loads(capsys.readouterr().out)["rows"]] == kept


def test_cli_rejects_an_unknown_level(sample_index, capsys):
    import baogao

    assert baogao.main(["targets", "--index", str(sample_index), "--level", "乡级"]) == 2
    assert "无法识别" in capsys.readouterr().err


def test_cli_rejects_an_unknown_indicator(sample_index, capsys):
    import baogao

    assert baogao.main(["targets", "--index", str(sample_index), "--indicator", "营商环境"]) == 2
    assert "无法识别" in capsys.readouterr().err


# -- changes are not levels; forms first met in the holdout reports ----------------------------


def test_an_increase_is_not_read_as_the_level_it_led_to():
    # national report of 1988 (national-txt/1988政府工作报告_李鹏.txt), the review of 1987
    text = ("这里还要着重指出的是，在刚刚过去的１９８７年，我国国民经济的发展继续保持了良好势头。"
            "农村社会总产值增长１２．７％，粮食总产量增加１０９亿公斤，达到４０２４亿公斤。")
    assert _figures(text, category="工作回顾", year=1988) == [("粮食产量", 4024.0, "亿公斤", "", "result")]


@pytest.mark.parametrize("text", [
    "城镇登记失业率比上年下降0.2个百分点。",
    "地方财政一般预算收入比上年增加12.5亿元。",
    "城镇新增就业预期目标比去年多100万人。",
])
def test_changes_in_points_or_amounts_are_left_out(text):
    assert _figures(text) == []


def test_a_fall_in_percent_is_still_a_negative_rate():
    # 2025 Henan review: 能耗强度降低5.1%
    assert _figures("新增零碳工厂11家，能耗强度降低5.1%。", category="工作回顾") == [
        ("单位GDP能耗", -5.1, "%", "", "result")]


def test_economic_growth_names_gdp_but_not_in_step_with_it():
    # 驻马店 2023 report, 主要预期目标
    text = ("主要预期目标是：经济增长7%左右，常住人口城镇化率提高1.5个百分点左右，规上工业增加值增长7.5%左右，"
            "居民收入增长与经济增长基本同步，居民消费价格涨幅控制在3%左右。")
    assert _figures(text, category="目标与要求", year=2023) == [
        ("地区生产总值", 7.0, "%", "左右", "target"),
        ("规模以上工业增加值", 7.5, "%", "左右", "target"),
        ("居民人均可支配收入", None, "", "同步", "target"),
        ("居民消费价格", 3.0, "%", "左右", "target"),
    ]
    assert _figures("今年国内生产总值增长6.5%左右；居民收入和经济增长基本同步。", year=2017) == [
        ("地区生产总值", 6.5, "%", "左右", "target"),
        ("居民人均可支配收入", None, "", "同步", "target"),
    ]


def test_forms_met_in_the_holdout_reports():
    # 2017 national: 实际使用外资1300多亿美元; 2025 Henan: a level then its growth without a comma;
    # 2017 海拉尔: 农村牧区 income, 按可比口径
    assert _figures("实际使用外资1300多亿美元，继续位居发展中国家首位。", category="工作回顾") == [
        ("实际利用外资", 1300.0, "亿美元", "以上", "result")]
    assert _figures("全年社会消费品零售总额2.76万亿元增长6.1%。", category="工作回顾") == [
        ("社会消费品零售总额", 2.76, "万亿元", "", "result"), ("社会消费品零售总额", 6.1, "%", "", "result")]
    assert _figures("一般公共财政预算收入完成17亿元,按可比口径增长13%;农村牧区常住居民人均可支配收入完成23830元,"
                    "同比增长7.1%。", category="工作回顾") == [
        ("一般公共预算收入", 17.0, "亿元", "", "result"), ("一般公共预算收入", 13.0, "%", "", "result"),
        ("农村居民人均可支配收入", 23830.0, "元", "", "result"), ("农村居民人均可支配收入", 7.1, "%", "", "result")]
    # a figure of some counties of the region is not the region's
    assert _figures("7个县区一般公共预算收入超15亿元。", category="工作回顾") == []
