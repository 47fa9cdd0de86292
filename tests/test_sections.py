"""Behaviour of index.sections: heading levels, the sequence check, paths and categories."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import clean_paragraphs
from index.report import SECTION_CATEGORIES
from index.sections import (
    HEADING_PART_MAX,
    assign_sections,
    category_of,
    heading_level,
    heading_part,
    parallel_heading_ends,
    split_run_in_heading,
)

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


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sections"


@pytest.mark.parametrize("line, opening, part", [
    (30, "一、2020年工作回顾及", "一、2020年工作回顾及“十三五”主要成就"),
    (34, "三、聚焦2021", "三、聚焦2021,脚踏实地、善作善成,在奋力拼搏中创造新辉煌"),
])
def test_seed_004_run_in_heading_part_stops_where_the_body_opens(line, opening, part):
    """Issue 11: `…主要成就去年,面对…` and `…创造新辉煌今年是中国共产党成立` carried body text into the path."""
    infos = _infos(clean_paragraphs(_sample("004").split("\n")[line]))
    heading = next(info for p, info in infos if p.startswith(opening))
    assert heading.path[-1] == part
    assert not heading.is_heading
    later = [info for p, info in infos if not p.startswith(opening) and info.path and info.path[0] == part]
    assert later, "the paragraphs under the heading share the cut entry"


@pytest.mark.parametrize("paragraph, part", [
    # zhumadian 2003: the heading's own numbering (a sub-list opening with 1.) says the text moved on
    ("(一)调整结构，提高经济运行的质量和效益1.调整优化工业结构，走新型工业化道路坚持运用高新技术和先进适用技术改造传统产业，"
     "有选择地发展高新技术产业，鼓励企业应用信息技术，提高装备水平和信息化程度，促进工业升级，走新型工业化道路，加快工业化进程。",
     "(一)调整结构，提高经济运行的质量和效益"),
    # zhumadian 2014: body opens with 把 right after the heading word
    ("三、切实加强政府自身建设把转变政府职能、强化依法行政、提升能力素质作为政府自身建设的重要内容，努力建设人民满意政府。",
     "三、切实加强政府自身建设"),
    # Jiangxi 2025 glossary: the term ends at its colon
    ("7.“一表同享”：通过数字化技术强化数据共享和报表简化，实现基层填表报数“一个口子进出”和同源数据“最多填一次”。",
     "7.“一表同享”"),
    # 1988 national (gbk scrape): a real heading longer than the cap keeps its whole clauses
    ("六、进一步加强社会主义民主和法制建设，维护民族平等和民族团结，巩固和发展全国安定团结的政治局面。",
     "六、进一步加强社会主义民主和法制建设，维护民族平等和民族团结"),
    ("（一）国民经济稳步增长。初步统计全年完成国内生产总值306.2亿元，比上年增长8.1%。", "（一）国民经济稳步增长"),
])
def test_heading_part_holds_the_heading_only(paragraph, part):
    assert heading_part(paragraph) == part
    assert len(heading_part(paragraph)) <= HEADING_PART_MAX


def _fixture_paragraphs(name: str) -> list[str]:
    return [line for line in (FIXTURES / name).read_text(encoding="utf-8").split("\n") if line.strip()]


def test_1955_numbered_list_items_are_paragraphs_not_headings():
    """Issue 11: 157 paragraphs of the 1955 national report sat under the list item `五、使用新式步犁…`."""
    paragraphs = _fixture_paragraphs("1955_national_lists.txt")
    infos = dict(_infos(paragraphs))
    items = [p for p in paragraphs if p.startswith(("一、我国人民", "四、在私营工厂", "一、开垦", "五、使用新式步犁"))]
    assert len(items) == 4
    for item in items:
        assert not infos[item].is_heading
        assert infos[item].path == ("三、第一个五年计划的若干问题", "（一）关于工业和运输业的基本建设问题")
    after = next(p for p in paragraphs if p.startswith("第三，对农业生产的领导问题"))
    assert infos[after].path == ("三、第一个五年计划的若干问题", "（一）关于工业和运输业的基本建设问题")
    closing = "四、为完成和超额完成第一个五年计划而奋斗"
    assert infos[closing].is_heading and infos[closing].path == (closing,)
    assert infos[paragraphs[-1]].path == (closing,)


def test_long_items_that_head_nothing_are_paragraphs():
    """1956 national report: budget items (一)…(五) are one paragraph each; the text after them is not under (五)."""
    paragraphs = _fixture_paragraphs("1956_national_budget_items.txt")
    infos = assign_sections(paragraphs)
    assert infos[0].is_heading
    assert [info.path for info in infos[1:]] == [(paragraphs[0],)] * (len(paragraphs) - 1)
    assert not any(info.is_heading for info in infos[1:])


def test_a_heading_without_a_keyword_takes_the_review_its_body_announces():
    """Seed 004 (凤阳 2021): `一、盘点“十三五”,…实现新跨越过去五年,面对…` is the review of the last five years."""
    infos = _infos(clean_paragraphs(_sample("004").split("\n")[34]))
    heading = next(info for p, info in infos if p.startswith("一、盘点“十三五”"))
    assert heading.path == ("一、盘点“十三五”,砥砺前行、攻坚克难,在劈波斩浪中实现新跨越",)
    assert heading.category == "工作回顾"
    plans = next(info for p, info in infos if p.startswith("二、擘画“十四五”"))
    assert plans.category != "工作回顾"


def test_an_appendix_opens_a_section_of_its_own():
    """Guangdong 2025: the ten livelihood projects of 附件1 are not part of the last task heading."""
    paragraphs = [
        "二、2025年工作安排",
        "（十二）全面加强政府自身建设，努力建设人民满意的政府。深入推进全面从严治党，"
        "建设法治政府、创新政府、廉洁政府和服务型政府，持续提升治理体系和治理能力现代化水平。",
        "附件1",
        "2025年省十件民生实事",
        "一、为老年人提供健康管理、医养结合服务和提升养老机构服务水平。为超2.5万名65岁及以上失能老年人免费提供"
        "健康管理、康复护理服务及指导、心理支持和能力综合评估等上门服务。",
        "二、提升困难群众兜底保障和关爱服务水平。逐步缩小城乡社会救助差距，农村低保标准占城镇低保标准的比例达到77%以上，"
        "城乡低保补差水平不低于当地上年度城乡低保补差水平。",
    ]
    infos = assign_sections(paragraphs)
    assert infos[2].is_heading and infos[2].path == ("附件1",)
    assert infos[5].path == ("附件1", "二、提升困难群众兜底保障和关爱服务水平")
    assert {info.category for info in infos[2:]} == {"其他"}


def test_parallel_run_in_headings_end_where_their_siblings_do():
    """Zhumadian 2025: `…努力实现产业强市新突破全力打造“中国药谷”。` — each sibling ends with 新突破."""
    paragraphs = _fixture_paragraphs("2025_zhumadian_parallel_headings.txt")
    assert parallel_heading_ends(paragraphs) == ("新突破",)
    parts = [info.path[-1] for info in assign_sections(paragraphs)]
    assert parts == ["（一）聚焦转型升级，做实企业服务，努力实现产业强市新突破",
                     "（二）聚焦外引内培，筑牢项目支撑，努力实现投资增长新突破",
                     "（三）聚焦创新驱动，强化科技赋能，努力实现动能转换新突破",
                     "（四）聚焦业态创新，提振消费需求，努力实现内需拉动新突破"]


def test_parallel_headings_with_their_own_last_words_are_left_whole():
    """Shandong 2025: `（一）在全方位扩大内需上下功夫、求实效。` — the shared words are the heading's own."""
    paragraphs = _fixture_paragraphs("2025_shandong_parallel_headings.txt")
    assert parallel_heading_ends(paragraphs) == ()
    assert assign_sections(paragraphs)[0].path == ("（一）在全方位扩大内需上下功夫、求实效",)
