"""Behaviour of index.sections: heading levels, the sequence check, paths and categories."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import clean_paragraphs
from index.report import SECTION_CATEGORIES
from index.sections import assign_sections, category_of, heading_level, split_run_in_heading

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def _sample(prefix: str) -> str:
    (path,) = SAMPLE.glob(prefix + "_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("paragraph, level", [
    ("一、2001年工作回顾", 1),
    ("十一、着力加强政府自身建设", 1),
    ("十 一、着力加强政府自身建设", 1),
    ("二十三、其他工作", 1),
    ("(一)着力构建现代产业体系", 2),
    ("（三）扎实推进乡村振兴", 2),
    ("（十二）加强政府自身建设", 2),
    ("1.四条防线：医疗诊治防线", 3),
    ("1、应对国际金融危机的一揽子计划", 3),
    ("１、“三网”融合", 3),
    ("（1）加快推进项目建设", 3),
    ("(12)其他", 3),
    ("①推进城市更新", 4),
    ("⑩完善制度", 4),
    ("1.5%的增长", None),
    ("2024年 工作回顾", None),
    ("一是着力深化改革开放", None),
    ("一年来，我们主要做了以下工作", None),
    ("各位代表：", None),
    ("", None),
])
def test_heading_level(paragraph, level):
    assert heading_level(paragraph) == level


def _infos(paragraphs: list[str]):
    return list(zip(paragraphs, assign_sections(paragraphs)))


INLINE_REPORT = [
    "政府工作报告",
    "各位代表：",
    "现在，我代表市人民政府，向大会报告工作，请予审议。",
    "一、2020年工作回顾",
    "过去一年，我们主要做了以下工作。",
    "（一）国民经济稳步增长。初步统计全年完成国内生产总值306.2亿元，比上年增长8.1%。",
    "农业生产保持稳定，粮食总产再创新高。",
    "（二）改革开放取得新进展",
    "1.国企改革。完成改制企业124户。",
    "2.对外开放。成功举办经贸洽谈会。",
    "二、2021年总体要求和主要目标",
    "今年经济社会发展的主要预期目标是：地区生产总值增长6%左右。",
    "三、2021年重点工作",
    "（一）着力构建现代产业体系",
    "加快发展先进制造业。",
    "（二）全面推进乡村振兴",
    "（四）这一项不在序列里。",
    "四、加强政府自身建设",
    "我们要建设人民满意的政府。",
    "名词解释",
    "1.四条防线：医疗诊治防线、社区防控防线。",
    "2.六稳：稳就业、稳金融、稳外贸、稳外资、稳投资、稳预期。",
]


def test_inline_report_paths():
    infos = dict(_infos(INLINE_REPORT))
    assert infos["政府工作报告"].path == ()
    assert infos["农业生产保持稳定，粮食总产再创新高。"].path == ("一、2020年工作回顾", "（一）国民经济稳步增长")
    assert infos["2.对外开放。成功举办经贸洽谈会。"].path == (
        "一、2020年工作回顾", "（二）改革开放取得新进展", "2.对外开放")
    assert infos["加快发展先进制造业。"].path == ("三、2021年重点工作", "（一）着力构建现代产业体系")


def test_level_two_restarts_under_each_level_one():
    infos = dict(_infos(INLINE_REPORT))
    assert infos["（一）着力构建现代产业体系"].path == ("三、2021年重点工作", "（一）着力构建现代产业体系")
    assert infos["（二）全面推进乡村振兴"].is_heading


def test_out_of_sequence_marker_is_not_a_heading():
    infos = dict(_infos(INLINE_REPORT))
    assert not infos["（四）这一项不在序列里。"].is_heading
    assert infos["（四）这一项不在序列里。"].path == ("三、2021年重点工作", "（二）全面推进乡村振兴")


def test_heading_paragraph_versus_body_with_heading_sentence():
    infos = dict(_infos(INLINE_REPORT))
    assert infos["一、2020年工作回顾"].is_heading
    assert infos["（二）改革开放取得新进展"].is_heading
    body = infos["（一）国民经济稳步增长。初步统计全年完成国内生产总值306.2亿元，比上年增长8.1%。"]
    assert not body.is_heading
    assert body.path[-1] == "（一）国民经济稳步增长"
    assert not infos["各位代表："].is_heading


def test_inline_report_categories():
    infos = dict(_infos(INLINE_REPORT))
    assert infos["现在，我代表市人民政府，向大会报告工作，请予审议。"].category == "其他"
    assert infos["过去一年，我们主要做了以下工作。"].category == "工作回顾"
    assert infos["今年经济社会发展的主要预期目标是：地区生产总值增长6%左右。"].category == "目标与要求"
    assert infos["加快发展先进制造业。"].category == "重点任务"
    assert infos["我们要建设人民满意的政府。"].category == "政府自身建设"


def test_glossary_and_everything_after_it_is_glossary():
    infos = _infos(INLINE_REPORT)
    start = INLINE_REPORT.index("名词解释")
    assert infos[start][1].is_heading
    assert {info.category for _, info in infos[start:]} == {"名词解释"}
    assert infos[-1][1].path[0] == "名词解释"


def test_every_category_is_a_known_one():
    for _, info in _infos(INLINE_REPORT):
        assert info.category in SECTION_CATEGORIES


def test_seed_001_unmarked_year_headings():
    infos = _infos(clean_paragraphs(_sample("001")))
    by_text = dict(infos)
    assert by_text["2023年 工作回顾"].is_heading
    assert by_text["2023年 工作回顾"].category == "工作回顾"
    assert by_text["今年政府工作的总体要求是:"].category == "目标与要求"
    assert by_text["今年政府工作的总体要求是:"].path == ("2024年 经济社会发展总体要求和主要目标",)
    task = next(p for p, _ in infos if p.startswith("扩大有撬动的投资"))
    assert by_text[task].path == ("2024年 重点工作任务", "(三)着力挖掘内需潜力，巩固回升向好态势，为高质量发展夯实经济支撑。"
                                  .replace("，", ","))
    assert by_text[task].category == "重点任务"
    assert infos[0][1].category == "其他"


def test_seed_004_report_sections():
    lines = _sample("004").split("\n")
    infos = _infos(clean_paragraphs(lines[2]))
    by_text = dict(infos)
    assert by_text["2021年重点工作安排"].is_heading
    later = [info for p, info in infos if p.startswith("一、着力抓好疫情常态化精准防控")]
    assert later and later[0].path[0] == "2021年重点工作安排"
    assert later[0].category == "重点任务"
    own = [info for p, info in infos if p.startswith("十 一、着力加强政府自身建设")]
    assert own and own[0].category == "政府自身建设"


def test_category_reads_the_outermost_entry_first():
    assert category_of(("三、2021年重点工作", "（五）加强政府自身建设")) == "重点任务"
    assert category_of(("一、关于国民经济计划", "（一）过去一年的回顾")) == "工作回顾"
    assert category_of(()) == "其他"


@pytest.mark.parametrize("paragraph, title", [
    ("一、2009年政府工作回顾刚刚过去的2009年，面对金融危机的影响", "一、2009年政府工作回顾"),
    ("二、2024年工作总体要求和主要目标今年是新中国成立75周年，", "二、2024年工作总体要求和主要目标"),
    ("三、2025年重点工作围绕实现今年发展目标，重点做好以下十个方面的工作：", "三、2025年重点工作"),
    ("2021年重点工作安排2021年是“十四五”开局之年，", "2021年重点工作安排"),
])
def test_run_in_heading_split(paragraph, title):
    split = split_run_in_heading(paragraph)
    assert split is not None and split[0] == title


@pytest.mark.parametrize("paragraph", [
    "一、2009年工作回顾",
    "一、开垦宜于耕种的荒地。我国的人口很多，但已耕的土地还很少。",
    "（一）项目建设成效显著，工业速度效益同步提高。",
    "今年要重点抓好八个方面工作：",
])
def test_no_run_in_split_where_there_is_none(paragraph):
    assert split_run_in_heading(paragraph) is None


@pytest.mark.parametrize("line", ["名词解释", "注释：", "《政府工作报告》有关内容名词注释", "附注"])
def test_glossary_headings_are_recognised(line):
    infos = assign_sections(["一、2024年工作回顾", "过去一年经济平稳。", line, "1.两新：设备更新和以旧换新。"])
    assert [info.category for info in infos[2:]] == ["名词解释", "名词解释"]
    assert infos[2].is_heading


def test_sentence_about_notes_is_not_a_glossary_heading():
    infos = assign_sections(["一、2024年工作回顾", "我们高度重视注释工作，完善了统计口径。"])
    assert infos[1].category == "工作回顾"
