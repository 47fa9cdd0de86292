"""Titles and delivery lines (date, speaker)."""
from __future__ import annotations

import pytest

from index.titles import detect_delivery, detect_title, reading_copy


def test_bracketed_site_chrome_is_not_part_of_the_title():
    title, evidence = detect_title(["2021年宝兴县政府工作报告各位代表:现在,我代表县人民政府"],
                                   title_hint="【宝兴县招商】2021年宝兴县政府工作报告")
    assert title == "2021年宝兴县政府工作报告"
    assert evidence[0].where == "container" and evidence[0].confident


def test_title_line_in_the_text_is_found_when_the_container_has_none():
    title, _ = detect_title(["1975年国务院政府工作报告", "——1975年1月13日在第四届全国人民代表大会第一次会议上"], title_hint=None)
    assert title == "1975年国务院政府工作报告"


def test_bare_letter_spaced_title_names_nothing():
    title, evidence = detect_title(["政 府 工 作 报 告", "--2015年2月5日在海拉尔区第十四届人民代表大会第四次会议上"], title_hint=None)
    assert title is None
    assert [(e.value, e.confident) for e in evidence] == [("政府工作报告", False)]


def test_a_sentence_mentioning_the_report_is_not_a_title():
    title, _ = detect_title(["3月5日,第十三届全国人民代表大会第一次会议开幕。国务院总理李克强作政府工作报告"], title_hint=None)
    assert title is None


def test_crawler_label_is_dropped_from_the_title():
    title, _ = detect_title(["标题：二O一一年政府工作报告", "年份：2014"], title_hint=None)
    assert title == "二O一一年政府工作报告"


@pytest.mark.parametrize(
    "paragraphs,date,speaker",
    [
        (["——2021年1月5日在凤阳县第十六届人民代表大会第六次会议上 县人民政府代县长 朱林"], "2021-01-05", "朱林"),
        (["政 府 工 作 报 告", "--2015年2月5日在海拉尔区第十四届人民代表大会第四次会议上", "海拉尔区人民政府区长\u3000\u3000杜联合", "各位代表："],
         "2015-02-05", "杜联合"),
        (["2010政府工作报告", "——２０１０年３月５日在第十一届全国人民代表大会第三次会议上", "国务院总理 温家宝"], "2010-03-05", "温家宝"),
        (["2021年2月2日在普洱市第四届人民代表大会第五次会议上 市长刘勇 各位代表: 现在,我代表市人民政府"], "2021-02-02", "刘勇"),
        (["2021年1月25日在湖南省第十三届人民代表大会第四次会议上 毛伟明 各位代表: 现在,我代表省人民政府"], "2021-01-25", "毛伟明"),
        (["----2025年1月15日龚正市长在上海市第十六届人民代表大会第三次会议的政府工作报告", "各位代表："], "2025-01-15", "龚正"),
        (["刘媛在廊坊市八届人大六次会议上的政府工作报告(摘登)", "2024年01月29日 评论(0) 来源: 《廊坊日报》"], "2024-01-29", "刘媛"),
        (["——二〇二一年一月五日在凤阳县第十六届人民代表大会第六次会议上"], "2021-01-05", None),
        (["2021年1月在克拉玛依区第八届人民代表大会第七次会议上区委副书记、区长;陈湘阗各位代表:"], "2021-01", "陈湘阗"),
    ],
)
def test_delivery_line_gives_date_and_speaker(paragraphs, date, speaker):
    got_date, got_speaker, evidence = detect_delivery(paragraphs)
    assert (got_date, got_speaker) == (date, speaker)
    assert all(e.excerpt for e in evidence)


def test_report_without_a_delivery_line_has_no_date_or_speaker():
    assert detect_delivery(["各位代表：现在，我代表县人民政府向大会报告工作。", "一、2021年工作回顾"]) == (None, None, [])


def test_reading_copy_folds_traditional_pinyin_and_full_width_digits():
    assert reading_copy(["今年,是“十四五”開局之年,霸州市明確主要預(yù)期目標(biāo)：２０２１年"]) == [
        "今年,是“十四五”开局之年,霸州市明确主要预期目标:2021年"
    ]


@pytest.mark.parametrize(
    "line,speaker",
    [
        ("国务院副总理兼国家计划委员会主任李富春", "李富春"),
        ("自治区主席 艾尔肯·吐尼亚孜", "艾尔肯·吐尼亚孜"),
    ],
)
def test_speaker_alone_on_the_line_after_the_session_is_found(line, speaker):
    paragraphs = ["——1955年7月5日至6日在第一届全国人民代表大会第二次会议上", line, "各位代表："]
    assert detect_delivery(paragraphs)[:2] == ("1955-07-05", speaker)
