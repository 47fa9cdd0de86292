"""Region and year from what the text says, with no title and no telling file name.

Each rule is tried on paragraphs copied from ``data/sample`` and on small texts written
for this test in the shapes reports use (the corpus does not hold them): a national
opening with no title, a review that opens with the last year, ``过去五年`` with its
years, a delivery line that gives only the congress's term and session. File names are
``doc1.txt``: they say nothing.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from index.assemble import build_report
from index.regions import detect_region
from index.report import NATIONAL, UNKNOWN_REGION, RawReport
from index.years import detect_year, npc_session_year

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
OPAQUE = "doc1.txt"

NATIONAL_OPENING = "现在，我代表国务院，向大会作政府工作报告，请予审议，并请全国政协各位委员提出意见。"


def _year(paragraphs: list[str]) -> int | None:
    return detect_year(paragraphs, title=None, source=OPAQUE)[0]


def _region(paragraphs: list[str], year: int | None = None):
    return detect_region(paragraphs, title=None, source=OPAQUE, year=year)


# --- the national government's report ------------------------------------------------


def test_a_national_opening_without_a_title_is_the_national_report():
    region, evidence = _region(["各位代表：", NATIONAL_OPENING, "一、过去一年工作回顾"])
    assert region == NATIONAL
    assert evidence[0].value == "全国" and "我代表国务院" in evidence[0].excerpt


def test_a_national_body_without_any_opening_is_national():
    body = ["我国经济持续增长，我国对外开放不断扩大。"] * 6 + ["全国粮食总产量再创新高，我国人民生活继续改善。"] * 3
    region, evidence = _region(body)
    assert region == NATIONAL
    assert evidence[0].where == "text" and "我国" in evidence[0].excerpt


def test_a_local_body_that_mentions_the_country_is_not_national():
    body = ["我国经济持续增长，我国对外开放不断扩大。"] * 6 + ["全市生产总值增长6%，我市人民生活继续改善。"] * 3
    region, _ = _region(body)
    assert region != NATIONAL


# --- the year from the review ---------------------------------------------------------


def test_the_review_opening_with_the_last_year_gives_the_next_year():
    paragraphs = ["各位代表：", NATIONAL_OPENING, "一、过去一年工作回顾",
                  "2004年，全国各族人民在中国共产党领导下，团结奋进，社会主义现代化事业取得令人鼓舞的重大成就。"]
    year, evidence = detect_year(paragraphs, title=None, source=OPAQUE)
    assert year == 2005
    assert evidence[0].confident and evidence[0].excerpt.startswith("2004年")


def test_the_review_opening_also_works_when_the_last_year_is_called_just_past():
    assert _year(["各位代表：", "刚刚过去的1984年，是我国各族人民取得伟大成就的一年。"]) == 1985


def test_a_year_the_review_opens_with_in_chinese_numerals():
    assert _year(["各位代表：", NATIONAL_OPENING, "一、一九九〇年计划的执行情况",
                  "一九九〇年是进一步治理整顿和深化改革的一年。"]) == 1991


def test_past_five_years_with_their_years_is_the_report_after_them():
    paragraphs = ["各位代表：", "现在，我代表国务院，向大会报告过去五年的工作，对今年的工作提出建议。",
                  "一、过去五年工作回顾", "过去五年（1998年至2002年），我们战胜了亚洲金融危机的冲击和特大洪水。"]
    assert _year(paragraphs) == 2003  # not 1998: a year the text reviews is not the report's year


def test_five_years_since_the_congress_first_met_is_the_next_congress():
    paragraphs = ["各位代表：", "一、过去五年政府工作的回顾",
                  "第九届全国人民代表大会第一次会议以来的五年，是很不平凡的五年。"]
    assert _year(paragraphs) == 2003


def test_a_completed_five_year_plan_under_review_gives_the_year_after_it():
    assert _year(["各位代表：", "一、“九五”时期国民经济和社会发展的回顾", "过去五年，各个方面取得了重大成就。"]) == 2001


def test_this_years_place_in_a_five_year_plan():
    assert _year(["今年是“十二五”收官之年，我们要在完成目标任务的同时谋划好“十三五”发展。"]) == 2015
    assert _year(["今年是“十三五”规划的第二年，也是供给侧结构性改革的深化之年。"]) == 2017


def test_an_anniversary_this_year():
    assert _year(["今年是工作着重点转移的第一年，又是我们伟大的社会主义祖国建国三十周年。"]) == 1979


def test_years_the_text_only_mentions_are_not_the_report_year():
    paragraphs = ["各位代表：", NATIONAL_OPENING,
                  "毛主席英明果断，于一九七六年一月底亲自提议，确定了领导人选。",
                  "代表全国各族人民的共同愿望，于一九七六年十月六日一举粉碎了“四人帮”。"]
    year, evidence = detect_year(paragraphs, title=None, source=OPAQUE)
    assert year is None and evidence == []


def test_conflicting_statements_give_an_unknown_year_with_the_evidence_shown():
    paragraphs = ["一、2002年工作完成情况", "全年完成生产总值332亿元。", "二、2003年政府工作的总体要求",
                  "三、2000年政府工作的主要任务"]
    year, evidence = detect_year(paragraphs, title=None, source=OPAQUE)
    assert year == 2003  # two statements against one typo
    paragraphs = ["一、2002年工作完成情况", "三、2000年政府工作的主要任务"]
    year, evidence = detect_year(paragraphs, title=None, source=OPAQUE)
    assert year is None
    assert {e.value for e in evidence} == {"2003", "2000"} and not any(e.confident for e in evidence)


def test_a_recalled_plan_is_not_this_years_plan():
    paragraphs = ["一、1994年国内工作的回顾", "我们基本上完成了八届全国人大二次会议确定的1994年的工作任务。"]
    assert _year(paragraphs) == 1995


def test_thin_evidence_gives_no_year_and_the_file_name_is_not_used_against_the_text():
    # One inline mention of a plan (an abstract of a December report planning the next year).
    paragraphs = ["他指出，一九六五年的主要任务就是开展城乡社会主义教育运动。"]
    year, evidence = detect_year(paragraphs, title=None, source="1964.txt")
    assert year is None
    assert [e.value for e in evidence if e.where == "file name"] == ["1964"]


def test_real_sample_plan_sentence_gives_its_year():
    line = next(l for l in (SAMPLE / "002_664a605172f01e95.txt").read_text(encoding="utf-8").splitlines()
                if l.startswith("五年看头年"))
    assert _year([line]) == 2021


def test_real_sample_reviews_with_their_titles_removed():
    # The ten bodies of seed 004 without their title lines: each opens with the review of 2020.
    lines = (SAMPLE / "004_000a05b7aea940ce.txt").read_text(encoding="utf-8").split("\n")
    bodies = [lines[i + 1].strip() for i in range(1, len(lines) - 1, 4) if lines[i].strip()]
    assert len(bodies) == 10
    for body in bodies:
        start = body.find("各位代表")
        assert 0 <= start < 600
        year, _ = detect_year([body[start:]], title=None, source=OPAQUE)
        assert year == 2021


# --- the delivery line and the congress -------------------------------------------------


@pytest.mark.parametrize(
    "term,session,year",
    [(1, 1, 1954), (1, 5, 1958), (2, 2, 1960), (3, 1, 1964), (4, None, 1975), (5, 2, 1979), (6, 1, 1983),
     (9, 5, 2002), (10, 3, 2005), (12, 4, 2016), (14, 2, 2024), (2, 5, None)],
)
def test_term_and_session_of_the_national_congress_give_the_year(term, session, year):
    assert npc_session_year(term, session) == year


def test_a_delivery_line_with_only_term_and_session_fixes_the_year():
    paragraphs = ["——在第十二届全国人民代表大会第四次会议上", "各位代表：", NATIONAL_OPENING]
    year, evidence = detect_year(paragraphs, title=None, source=OPAQUE)
    assert year == 2016
    assert evidence[0].where == "opening" and "第十二届" in evidence[0].excerpt


def test_the_congress_addressed_in_the_opening_fixes_the_year():
    paragraphs = ["各位代表：", "我代表国务院，向第六届全国人民代表大会第一次会议作政府工作报告，请予审议。",
                  "一九八二年，也就是第六个五年计划的第二年，国民经济继续好转。"]
    assert _year(paragraphs) == 1983


def test_a_congress_only_recalled_or_still_to_come_is_not_the_one_addressed():
    recalled = ["各位代表：", "我代表国务院向大会作政府工作报告，请予审议。",
                "根据一九八三年六月第六届全国人民代表大会第一次会议的决议，各级政府进行了不懈的努力。"]
    assert _year(recalled) is None
    to_come = ["各位代表：", "澳门特别行政区基本法草案，修改后将提请第七届全国人民代表大会第三次会议通过。"]
    assert _year(to_come) is None


def test_a_delivery_date_must_introduce_the_session():
    paragraphs = ["本届政府1998年3月就职，任期即将结束。现在，我代表国务院，向第十届全国人民代表大会第一次会议报告过去五年的工作。"]
    year, evidence = detect_year(paragraphs, title=None, source=OPAQUE)
    assert year == 2003
    assert "1998" not in {e.value for e in evidence}


# --- the speaker's office for local reports ------------------------------------------


def test_a_county_name_glued_to_running_text_is_no_delivery_line():
    # From seed 004: 领导和县人大 holds 和县 (安徽省马鞍山市), which this report is not.
    paragraphs = ["各位代表:现在,我代表县人民政府向大会报告工作,请予审议,并请县政协委员提出意见。",
                  "过去五年来,在县委的坚强领导和县人大、县政协的监督支持下,我们始终坚持以习近平新时代中国特色社会主义思想为指导。"]
    region, _ = _region(paragraphs, 2021)
    assert region.county != "和县"


def test_the_speakers_office_named_in_the_closing_gives_the_region():
    paragraphs = ["各位代表：", "现在，我代表区政府向大会作工作报告，请予审议。",
                  "新城区建设全面启动，新城区景观大道开工。" * 3,
                  "在此，我代表海拉尔区人民政府，向所有关心、支持海拉尔发展的同志们表示衷心的感谢！"]
    region, evidence = _region(paragraphs, 2012)
    assert region.display == "内蒙古自治区呼伦贝尔市海拉尔区"
    assert any(e.confident and "我代表海拉尔区人民政府" in e.excerpt for e in evidence)


def test_a_province_speaking_is_found_from_the_text():
    paragraphs = ["各位代表：", "现在，我代表省人民政府，向大会报告工作，请予审议。",
                  "过去一年，全省生产总值增长5.5%，福建经济实力迈上新台阶。"] + \
                 ["福建省持续优化营商环境，全省新增经营主体60万户。"] * 3
    region, _ = _region(paragraphs, 2025)
    assert region.display == "福建省"


def test_no_place_and_no_office_stays_unknown():
    region, _ = _region(["各位代表：", "现在，我代表政府向大会报告工作。", "过去一年，生产总值增长6%。"])
    assert region == UNKNOWN_REGION


# --- the whole pipeline with an opaque name ------------------------------------------


def test_a_national_report_pasted_without_title_under_an_opaque_name():
    text = "\n".join(["各位代表：", NATIONAL_OPENING, "一、2008年工作回顾",
                      "2008年是极不平凡的一年。我国经济社会发展经受住了历史罕见的重大挑战和考验。",
                      "我国经济保持平稳较快发展，我国国际地位进一步提高。"])
    report = build_report(RawReport(source="index.html", text=text))
    assert (report.region, report.year) == (NATIONAL, 2009)


def test_a_first_section_that_plans_is_not_read_as_the_review():
    paragraphs = ["各位代表：", "现在，我代表县人民政府，向大会报告工作，请予审议。", "一、2021年工作安排",
                  "2021年是“十四五”开局之年。"]
    assert _year(paragraphs) != 2022


def test_the_review_under_the_first_sections_heading():
    # From the 2025 provincial reports' shape: the first section's heading names no review.
    paragraphs = ["各位代表：", "现在，我代表省人民政府，向大会报告工作，请予审议。",
                  "一、牢记殷殷嘱托，在接续奋斗中取得新成效",
                  "2024年是中华人民共和国成立75周年，是实现“十四五”规划目标任务的关键一年。"]
    assert _year(paragraphs) == 2025


def test_a_date_recalled_after_the_word_plan_is_no_deadline():
    paragraphs = ["随后对食用植物油也实行了计划收购和计划供应；在一九五四年九月，又对棉花实行计划收购。"]
    assert _year(paragraphs) is None
    assert _year(["实施7个土地综合整治项目，确保2022年9月底全部完工。"]) == 2022


def test_a_greeting_in_mid_speech_opens_no_review():
    # A passage from the middle of a report: 各位代表！ before the plan for this year.
    paragraphs = ["各位代表！", "1993年是全面贯彻落实党的十四大精神，促进国民经济既快又好地向前发展的一年。"]
    assert _year(paragraphs) != 1994


def test_greetings_to_taiwan_compatriots_do_not_make_a_report_taiwanese():
    paragraphs = ["向香港特别行政区同胞、澳门特别行政区同胞和台湾同胞以及广大侨胞致以诚挚的问候。",
                  "全省人民团结一心。", "台湾是中国领土不可分割的一部分，台湾问题必将解决，台湾同胞是我们的骨肉兄弟。"]
    region, _ = _region(paragraphs)
    assert region.province != "台湾省"


def test_a_party_congress_held_this_year_or_last():
    assert _year(["根据五届人大四次会议和今年党的十二大的精神，国务院拟订了第六个五年计划。"]) == 1982
    assert _year(["去年召开的党的第十一次全国代表大会，宣告了第一次无产阶级文化大革命的胜利结束。"]) == 1978
    # Carrying out a congress's line is no date: 十七大 was in 2007.
    assert _year(["今年是全面贯彻党的十七大精神的第一年。"]) is None


def test_the_file_name_counts_only_where_the_text_is_silent():
    body = ["各位代表：", "现在，我代表市人民政府，向大会作政府工作报告，请予审议。"] + \
           ["过去一年，全市生产总值增长7%，城乡居民收入稳步提高，民生持续改善。" * 4] + \
           ["驻马店市坚持项目为王，全市经济稳中有进，驻马店市民生持续改善。"] * 3
    region, _ = detect_region(body, title=None, source="2021年霸州市政府工作报告.txt", year=2021)
    assert region.display == "河南省驻马店市"
    silent = ["各位代表：", "现在，我代表市人民政府，向大会作政府工作报告，请予审议。", "全市生产总值增长7%。"]
    region, evidence = detect_region(silent, title=None, source="2021年霸州市政府工作报告.txt", year=2021)
    assert region.county == "霸州市" and any(e.where == "file name" for e in evidence)


# Written in the shape of national reports later than any in the corpus (2019-2024).
@pytest.mark.parametrize(
    "paragraphs,year",
    [
        (["各位代表：", NATIONAL_OPENING, "一、2018年工作回顾",
          "过去一年是全面贯彻党的十九大精神的开局之年。"], 2019),
        (["各位代表：", NATIONAL_OPENING, "一、2020年工作回顾",
          "过去一年是新中国历史上极不平凡的一年。", "二、“十三五”时期发展成就和“十四五”时期主要目标任务"], 2021),
        (["各位代表：", "现在，我代表国务院，向大会报告过去一年和五年的政府工作，请予审议。",
          "一、过去一年和五年工作回顾", "2022年是党和国家历史上极为重要的一年。"], 2023),
        (["——2024年3月5日在第十四届全国人民代表大会第二次会议上", "各位代表：", NATIONAL_OPENING], 2024),
        (["各位代表：", "现在，我代表国务院，向十四届全国人大三次会议报告政府工作，请予审议。"], 2025),
    ],
)
def test_national_reports_later_than_the_corpus(paragraphs, year):
    assert _year(paragraphs) == year
    assert _region(paragraphs)[0] == NATIONAL


def test_a_delivery_line_naming_the_national_congress_in_short_is_national_and_dated():
    paragraphs = ["——在十四届全国人大二次会议上", "各位代表：", "过去一年，我国经济回升向好。"]
    assert _region(paragraphs)[0] == NATIONAL
    assert _year(paragraphs) == 2024


def test_a_session_recalled_in_the_body_is_not_the_one_addressed():
    paragraphs = ["各位代表：", "现在，我代表国务院，向大会作政府工作报告，请予审议。",
                  "我们认真实施在十三届全国人大一次会议上通过的宪法修正案，依法行政。" + "各项工作取得新进展。" * 80]
    assert _year(paragraphs) is None


def test_an_unknown_region_shows_the_names_the_text_mentions_most():
    paragraphs = ["过去一年，廊坊经济稳中向好，廊坊临空经济区加快建设。", "北京大兴国际机场带动廊坊发展。"]
    region, evidence = _region(paragraphs, 2024)
    assert region == UNKNOWN_REGION
    hint = [e for e in evidence if e.value == "未知"]
    assert hint and not hint[0].confident and "“廊坊”3 次" in hint[0].excerpt


def test_a_city_comparing_itself_with_the_province_still_speaks_as_a_city():
    # Seed 001 (廊坊, a newspaper excerpt) with its title line gone: 全省 appears only in rankings.
    lines = [l.strip() for l in (SAMPLE / "001_7b54cff1a7856689.txt").read_text(encoding="utf-8").splitlines()]
    body = [l for l in lines if l and "政府工作报告" not in l]
    region, evidence = _region(body, 2024)
    assert region.display == "河北省廊坊市"
    assert any(e.value == "（市级）" and e.confident for e in evidence)


# --- a city report that names itself and its counties (tests/fixtures/metadata) -------

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "metadata"


def _fixture(name: str) -> list[str]:
    return [line for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_a_city_that_names_itself_and_three_of_its_counties_is_the_speaker():
    # 乌鲁木齐 names the city and its 乌鲁木齐县: one word, not a county listed besides the city.
    region, evidence = _region(_fixture("city_names_itself_and_its_counties.txt"), 2023)
    assert region.display == "河南省周口市"
    used = [e for e in evidence if e.confident and e.value == "河南省周口市"]
    assert used and "下辖县区 3 个" in used[0].excerpt


def test_a_city_named_twice_with_one_county_stays_unknown():
    region, evidence = _region(_fixture("city_with_one_county_only.txt"), 2023)
    assert region == UNKNOWN_REGION
    assert any(e.value == "未知" and "“周口”2 次" in e.excerpt for e in evidence)


def test_two_partner_cities_with_their_counties_stay_unknown():
    region, _ = _region(_fixture("two_cities_with_their_counties.txt"), 2023)
    assert region == UNKNOWN_REGION


# --- national years from the span of the review (tests/fixtures/metadata) -----------


def _fixture_year(name: str) -> tuple[int | None, list]:
    return detect_year(_fixture(name), title=None, source=OPAQUE)


def test_past_years_of_change_from_a_base_year_give_the_year_after_the_last():
    year, evidence = _fixture_year("national_past_years_change.txt")
    assert year == 1963
    assert evidence[0].confident and "过去三年" in evidence[0].excerpt


def test_past_years_that_do_not_match_their_base_and_last_year_say_nothing():
    assert _fixture_year("national_past_years_change_span_mismatch.txt") == (None, [])


def test_a_session_recalled_then_the_years_since_give_the_year():
    year, evidence = _fixture_year("national_session_recalled.txt")
    assert year == 1986  # 第六届…第二次会议 (1984), 两年来
    assert "第六届全国人民代表大会第二次会议" in evidence[0].excerpt


def test_the_session_addressed_then_a_year_since_is_no_recalled_session():
    year, evidence = _fixture_year("national_session_addressed_then_span.txt")
    assert year == 1984
    assert {e.value for e in evidence} == {"1984"}


def test_a_session_still_to_come_then_a_year_since_says_nothing():
    assert _fixture_year("national_session_to_come_then_span.txt") == (None, [])


def test_a_recalled_session_against_another_statement_stays_unknown():
    paragraphs = _fixture("national_session_recalled.txt") + ["一九八四年是我国经济取得了显著成就的一年。"]
    year, evidence = detect_year(paragraphs, title=None, source=OPAQUE)
    assert year is None and {"1986", "1985"} <= {e.value for e in evidence}


def test_a_report_laying_out_next_years_plan_is_the_year_before_it():
    year, evidence = _fixture_year("late_year_report_plans_next_year.txt")
    assert year == 2018  # 明年…的主要目标是 and 2019年…的主要任务: delivered late in 2018
    assert "明年经济社会发展的主要目标是" in evidence[0].excerpt and "2019年" in evidence[0].excerpt


def test_next_year_named_in_a_report_planning_this_year_changes_nothing():
    # 今年政府工作的总体要求: the plan is this year's, whatever 明年 the text also names.
    assert _fixture_year("plan_for_this_year_mentions_next_year.txt")[0] == 2019


def test_next_years_plan_with_two_plan_years_stays_unknown():
    year, evidence = _fixture_year("next_year_plan_with_two_plan_years.txt")
    assert year is None and {e.value for e in evidence} == {"2019", "2020"}
