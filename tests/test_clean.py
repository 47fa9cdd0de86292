"""Behaviour of index.clean on real report text (data/sample) and chrome copied from the corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import CHROME_MARKERS, MAX_PARAGRAPH, chrome_shape, clean_paragraphs, is_chrome
from index.sections import heading_level

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _sample(prefix: str) -> str:
    (path,) = SAMPLE.glob(prefix + "_*.txt")
    return path.read_text(encoding="utf-8")


def _seed004_bodies() -> list[str]:
    lines = _sample("004").replace("\r\n", "\n").split("\n")
    return [lines[i] for i in range(2, len(lines), 4) if len(lines[i]) > 1000]


@pytest.fixture(scope="module")
def chrome_fixture() -> list[str]:
    return clean_paragraphs((FIXTURES / "clean_chrome.txt").read_text(encoding="utf-8"))


def test_no_chrome_marker_survives_the_fixture(chrome_fixture):
    for paragraph in chrome_fixture:
        for marker in CHROME_MARKERS:
            assert marker not in paragraph, (marker, paragraph)


def test_fixture_keeps_only_the_report_text(chrome_fixture):
    assert chrome_fixture == [
        "各位代表：现在，我代表市人民政府，向大会作工作报告，请予审议。",
        "一、２００９年工作回顾",
        "过去一年，我们把稳增长摆在首页位置，来源于基层的经验被推广到全国。",
        "各位代表！回顾过去，我们对未来充满信心！",
    ]


def test_portal_navigation_is_cut_but_the_text_after_it_kept(chrome_fixture):
    assert chrome_fixture[0].startswith("各位代表：现在")


def test_sentence_with_laiyuan_or_shouye_in_the_middle_is_text():
    text = "过去一年，我们把稳增长摆在首页位置，来源于基层的经验被推广到全国。"
    assert not is_chrome(text)
    assert clean_paragraphs(text) == [text]


@pytest.mark.parametrize("line", [
    "我要反馈", "评论(0)", "有想补充的信息?点我投稿", "- 联系我们", "- 企业入驻", "【字体：大 中 小】",
    "【E-mail推荐", "】", "<!--", "-->", "<U+00A0>", "当前位置： 首页>> 中国概况", "打印本页", "关闭窗口",
    "标题：二00二年政府工作报告", "年份：2002", "=" * 60, "来源：青海日报\xa0\xa0\xa0",
    "中央政府门户网站\u3000www.gov.cn\u3000\u3000 2006年02月16日\u3000\u3000 来源：新华社",
    "2024年01月29日 评论(0) 来源: 《廊坊日报》 作者:", "时间:2023-07-06 理论教育 版权反馈",
])
def test_chrome_lines_are_recognised(line):
    assert is_chrome(line)


def test_long_paragraph_with_one_marker_word_is_not_chrome():
    text = "加快商务中心区建设，吸引企业入驻，" * 12 + "形成新的增长点。"
    assert not is_chrome(text)
    assert clean_paragraphs(text) == [text]


def test_seed_001_newspaper_chrome_is_removed_and_headings_kept():
    paragraphs = clean_paragraphs(_sample("001"))
    assert paragraphs[0] == "刘媛在廊坊市八届人大六次会议上的政府工作报告(摘登)"
    assert "2023年 工作回顾" in paragraphs
    assert not any("评论(0)" in p or "两会”进行时" in p for p in paragraphs)


def test_seed_002_disclaimer_gone_but_last_paragraph_kept():
    paragraphs = clean_paragraphs(_sample("002"))
    assert not any("免责声明" in p or "我要反馈" in p or "【摘要】" in p or "版权反馈" in p for p in paragraphs)
    assert paragraphs[-1].startswith("各位代表!“十四五”时期是宝坻加速发展")
    assert paragraphs[0] == "全力以赴迎接十四五开局 年初工作全面"
    assert paragraphs.count("全力以赴迎接十四五开局 年初工作全面") == 1


def test_ordinary_report_keeps_one_paragraph_per_line():
    text = _sample("003")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert clean_paragraphs(text) == lines


def test_traditional_text_and_pinyin_are_left_for_normalise():
    paragraphs = clean_paragraphs(_sample("000"))
    assert paragraphs[0].startswith("今年,是“十四五”開局之年")
    assert "預(yù)期" in paragraphs[0]


def test_repeated_page_copies_are_dropped():
    body = [
        "各位代表：",
        "一、过去一年工作回顾",
        "过去的一年，我们坚持稳中求进工作总基调，经济运行总体平稳，各项事业取得新进展。",
        "各位代表！",
        "我们要坚持以人民为中心的发展思想，持续保障和改善民生，让群众生活更加美好。",
    ]
    chrome = ["【E-mail推荐", "】", "当前位置： 首页>> 中国概况"]
    text = "\n".join(body + (chrome + body) * 5)
    assert clean_paragraphs(text) == body


def test_short_repeats_in_the_speech_are_kept():
    text = "各位代表！\n第一段正文讲发展，内容足够长，超过三十个字，用来检验不会被删掉的情况。\n各位代表！\n第二段正文讲民生，内容也足够长，超过三十个字，用来检验不会被删掉的情况。"
    assert clean_paragraphs(text).count("各位代表！") == 2


def test_letter_spaced_title_is_joined():
    paragraphs = clean_paragraphs("政 府 工 作 报 告\n----2012年2月29日在海拉尔区第十三届人民代表大会第六次会议上")
    assert paragraphs[0] == "政府工作报告"


def test_ideographic_spaces_and_zero_width_characters_are_stripped():
    assert clean_paragraphs("\u3000\u3000各位代表：\u200d\n\u2003\u2003现在，我代表区政府作报告。\xa0") == [
        "各位代表：", "现在，我代表区政府作报告。"]


def test_seed_004_report_splits_into_bounded_paragraphs():
    body = _seed004_bodies()[0]
    paragraphs = clean_paragraphs(body)
    assert len(paragraphs) > 40
    assert paragraphs[0] == "2021年宝兴县政府工作报告"
    assert paragraphs[1].startswith("各位代表:现在")
    assert "2020年工作和“十三五”工作回顾" in paragraphs
    assert "2021年重点工作安排" in paragraphs
    for p in paragraphs:
        assert len(p) <= MAX_PARAGRAPH
    assert "".join(paragraphs).replace(" ", "") == body.replace(" ", "")


def test_seed_004_paragraphs_start_at_a_heading_or_a_sentence_start():
    for body in _seed004_bodies():
        paragraphs = clean_paragraphs(body)
        for previous, p in zip(paragraphs, paragraphs[1:]):
            assert (heading_level(p) is not None or previous[-1] in "。！？!?:：；;”）)"
                    or len(previous) <= 40 or p.startswith("各位代表")), (previous[-30:], p[:30])


def test_every_seed_004_report_is_bounded():
    for body in _seed004_bodies():
        assert max(len(p) for p in clean_paragraphs(body)) <= MAX_PARAGRAPH


def test_heading_inside_a_sentence_does_not_split():
    sentence = "我们坚持三个原则，一、国家代表性原则贯穿始终，二、地方特色原则同样重要，增长1.5%左右。"
    text = "各位代表：" + sentence * 60
    paragraphs = clean_paragraphs(text)
    assert not any(p.startswith("一、国家代表性") for p in paragraphs)
    assert not any(p.startswith("5%") for p in paragraphs)


def test_out_of_sequence_marker_does_not_split_a_collapsed_paragraph():
    filler = "全年经济运行稳中有进，主要指标好于预期。" * 40
    text = f"一、工作回顾{filler}（一）稳增长取得成效。{filler}（三）这不是下一个标题。{filler}（二）促改革迈出新步伐。{filler}"
    paragraphs = clean_paragraphs(text)
    starts = [p[:3] for p in paragraphs if p.startswith("（")]
    assert starts == ["（一）", "（二）"]


def test_run_in_level_one_heading_is_split_from_its_body():
    text = "一、2009年政府工作回顾刚刚过去的2009年，面对金融危机的影响，全市上下较好地完成了各项任务。"
    assert clean_paragraphs(text) == ["一、2009年政府工作回顾", "刚刚过去的2009年，面对金融危机的影响，全市上下较好地完成了各项任务。"]


def test_short_heading_line_is_not_split():
    assert clean_paragraphs("一、2009年工作回顾") == ["一、2009年工作回顾"]


# -- chrome by shape (issue 11) ------------------------------------------------------------

CHROME_VARIANTS = FIXTURES / "chrome_variants.txt"
#: The report sentences in the fixture (copied from corpus reports); every other line is chrome
#: in a variant the corpus does not hold (another site's bylines, controls, pagers, crumbs).
VARIANT_REPORT_TEXT = [
    "各位代表：",
    "电子商务蓬勃发展，建成电子商务产业园9个，入驻电商企业5000多家。",
    "职教园区入驻7所院校，师生达4万多人。",
    "将关闭破产企业退休人员和困难企业职工纳入城镇职工医保。",
    "权分置”，完善利益联结机制，让农户融入农业产业链，让农民更多分享增值收益。",
    "继续依法关闭产品质量低劣、浪费资源、污染严重的企业，逐步淘汰落后生产能力。",
    "发展“互联网+”“旅游+”“生态+”等农业新业态，让农民更多分享产业增值收益。",
    "11个产业集聚区建成区面积135.2平方公里，入驻企业1892家，较“十二五”末分别提高19.6%，15.6%。",
]


def test_chrome_variants_are_removed_by_shape_and_report_text_kept():
    paragraphs = clean_paragraphs(CHROME_VARIANTS.read_text(encoding="utf-8"))
    assert paragraphs == VARIANT_REPORT_TEXT


def test_a_navigation_run_glued_to_report_text_is_cut_and_the_text_kept():
    line = "首页>政务公开>政府信息公开>法定主动公开内容>" + VARIANT_REPORT_TEXT[-1]
    assert clean_paragraphs(line) == [VARIANT_REPORT_TEXT[-1]]


@pytest.mark.parametrize("line, shape", [
    ("责任编辑：王小明", "byline"),
    ("编辑：张三", "byline"),
    ("来源：某某市人民政府网", "byline"),
    ("作者：刘洋　　来源：本网　　编辑：陈晨", "byline"),
    ("[责任编辑:李华]", "byline"),
    ("发布时间：2023-01-12 09:30　浏览次数：1234", "byline"),
    ("【打印】【关闭】", "controls"),
    ("字号：大 中 小", "controls"),
    ("【字体：大 中 小】 [打印本页] [关闭窗口]", "controls"),
    ("分享到：微信 微博 QQ空间", "controls"),
    ("上一页 下一页", "controls"),
    ("首页 上一页 1 2 3 下一页 尾页", "controls"),
    ("第1页 共3页", "page counter"),
    ("共 12 页 第 2 页", "page counter"),
    ("首页 > 新闻 > 政务要闻", "navigation"),
    ("您现在的位置：首页 >> 政务公开 >> 政府工作报告", "navigation"),
    ("当前位置：政务公开 / 规划计划", "navigation"),
    ("上一篇：2022年政府工作报告", "see also"),
])
def test_chrome_is_recognised_by_its_shape(line, shape):
    assert chrome_shape(line) == shape
    assert is_chrome(line)


@pytest.mark.parametrize("line", [
    "编辑出版", "来源于基层", "大中小企业", "中", "2023年 工作回顾", "一、2023年工作回顾", "1 2 3", "各位代表：",
    "让农民更多分享增值收益", "编辑：组织编辑出版地方志，来源于基层。",
    *VARIANT_REPORT_TEXT,
])
def test_text_that_mentions_chrome_words_has_no_chrome_shape(line):
    assert chrome_shape(line) is None
    assert clean_paragraphs(line) == [line]
