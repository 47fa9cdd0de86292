"""The report's year: written forms, evidence tiers, and the traps in the corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.years import detect_year, parse_chinese_year

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


@pytest.mark.parametrize(
    "text,year",
    [
        ("二00二", 2002),
        ("二〇二一", 2021),
        ("二O一一", 2011),
        ("2O11", 2011),
        ("２０２１", 2021),
        ("二〇二一年", 2021),
        ("一九五四", 1954),
        ("2021", 2021),
        ("二〇二", None),
        ("十四五", None),
        ("3021", None),
        ("abcd", None),
    ],
)
def test_parse_chinese_year_reads_every_written_form(text, year):
    assert parse_chinese_year(text) == year


# Expected years copied from the corpus manifest.
@pytest.mark.parametrize(
    "name,year",
    [
        ("000_1ebb74cc993d5f7f.txt", 2021),
        ("001_7b54cff1a7856689.txt", 2024),
        ("002_664a605172f01e95.txt", 2021),
        ("003_58952eceed329ef4.txt", 2022),
    ],
)
def test_seed_year_matches_manifest(name, year):
    text = (SAMPLE / name).read_text(encoding="utf-8")
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    got, evidence = detect_year(paragraphs, title=None, source=f"data/sample/{name}")
    assert got == year
    assert any(e.confident and e.value == str(year) for e in evidence)


def test_seed_004_reports_are_all_2021_and_the_scrape_dates_are_ignored():
    lines = (SAMPLE / "004_000a05b7aea940ce.txt").read_text(encoding="utf-8").split("\n")
    years = []
    for i in range(1, len(lines) - 1, 4):
        if not lines[i].strip():
            continue
        assert lines[i + 2].strip() == "2025-07-08"  # the crawler's date follows each body
        body = [lines[i + 1].strip(), lines[i + 2].strip()]
        got, _ = detect_year(body, title=lines[i].strip(), source="data/sample/004_000a05b7aea940ce.txt")
        years.append(got)
    assert years == [2021] * 10


def test_year_under_review_is_not_the_report_year():
    paragraphs = ["各位代表：现在，我代表市人民政府，向大会作政府工作报告。", "一、2001年工作回顾", "(一)国民经济稳步增长。2001年全市生产总值增长8.1%。"]
    got, evidence = detect_year(paragraphs, title=None, source="inline.txt")
    assert got == 2002
    assert evidence[0].where == "text" and "2001年工作回顾" in evidence[0].excerpt


def test_file_name_title_beats_its_wrong_leading_digits():
    got, evidence = detect_year(["各位代表：现在，我代表市人民政府向大会作工作报告。"], title=None,
                                source="zhumadian/2014_二O一一年政府工作报告.txt")
    assert got == 2011
    assert [(e.value, e.confident) for e in evidence if e.where == "file name"] == [("2011", True), ("2014", False)]


def test_text_statement_beats_the_file_names_leading_digits():
    paragraphs = ["一、2010年及“十一五”工作回顾过去的一年，面对复杂形势……"]
    got, _ = detect_year(paragraphs, title=None, source="zhumadian/2014_政府工作报告.txt")
    assert got == 2011


def test_chinese_numeral_title_gives_the_year():
    got, evidence = detect_year(["标题：二00二年政府工作报告", "年份：2014", "各位代表："], title=None, source="a.txt")
    assert got == 2002
    assert evidence[0].where == "title"


def test_delivery_date_gives_the_year_of_a_report_without_one_in_its_title():
    paragraphs = ["政 府 工 作 报 告", "--2015年2月5日在海拉尔区第十四届人民代表大会第四次会议上", "一、2014年工作回顾"]
    got, evidence = detect_year(paragraphs, title=None, source="hailar-gbk/2015.txt")
    assert got == 2015
    assert evidence[0].excerpt.startswith("--2015年2月5日")


def test_full_width_delivery_date_is_read():
    paragraphs = ["2010政府工作报告", "——２０１０年３月５日在第十一届全国人民代表大会第三次会议上"]
    got, _ = detect_year(paragraphs, title=None, source="x.txt")
    assert got == 2010


def test_start_of_a_five_year_plan_gives_its_first_year():
    got, _ = detect_year(["今年,是“十四五”開局之年,霸州市明確主要預(yù)期目標(biāo)。"], title=None, source="x.txt")
    assert got == 2021


def test_a_past_plan_start_in_the_review_is_outvoted_by_the_plan():
    paragraphs = [
        "2011年是“十二五”的开局之年，也是我区经济取得丰硕成果的一年。",
        "二、2012年政府工作总体要求和目标任务",
        "2012年全区经济社会发展的预期目标是：地区生产总值增长21%。",
    ]
    got, _ = detect_year(paragraphs, title=None, source="x.txt")
    assert got == 2012


def test_a_deadline_is_used_only_when_nothing_else_speaks():
    got, evidence = detect_year(["实施7个土地综合整治项目，确保2022年9月底全部完工。"], title=None, source="x.txt")
    assert got == 2022
    assert evidence[0].where == "text"


def test_text_without_a_year_gives_none():
    got, evidence = detect_year(["加快发展，改善民生。"], title=None, source="report.txt")
    assert got is None
    assert evidence == []
