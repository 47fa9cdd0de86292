import pytest

from search.query import And, Filter, Not, Or, Phrase, QueryError, parse_query, parse_year_range, read_query


@pytest.mark.parametrize("q, tree", [
    ("项目为王", Phrase("项目为王")),
    ("项目为王 放管服", And((Phrase("项目为王"), Phrase("放管服")))),
    ("项目为王 AND 放管服", And((Phrase("项目为王"), Phrase("放管服")))),
    ("脱贫攻坚 OR 乡村振兴", Or((Phrase("脱贫攻坚"), Phrase("乡村振兴")))),
    ("营商环境 -疫情", And((Phrase("营商环境"), Not(Phrase("疫情"))))),
    ("营商环境 NOT 疫情", And((Phrase("营商环境"), Not(Phrase("疫情"))))),
    ('"人工 智能"', Phrase("人工 智能")),
    ("(项目 OR 投资) 河北", And((Or((Phrase("项目"), Phrase("投资"))), Phrase("河北")))),
    ("互联网+", Phrase("互联网+")),
    ("人工智能+", Phrase("人工智能+")),
    ("“两会”", Phrase("“两会”")),
    ("3.8%", Phrase("3.8%")),
    ("2019-2023", Phrase("2019-2023")),
    ("province:河北", Filter("province", "河北")),
    ("省:河北 年份:2021", And((Filter("province", "河北"), Filter("year", (2021, 2021))))),
    ("year:2019-2023", Filter("year", (2019, 2023))),
    ("level:county", Filter("level", "county")),
    ("level:县级", Filter("level", "county")),
    ("section:重点任务", Filter("section", "重点任务")),
    ("目标：增长", Phrase("目标：增长")),
    ("http://www.gov.cn", Phrase("http://www.gov.cn")),
    ("and or not", And((Phrase("and"), Phrase("or"), Phrase("not")))),
    # pasted report text: full-width brackets are text, ASCII ones group only around two terms or an operator
    ("（一）加快", Phrase("（一）加快")),
    ("（一）", Phrase("（一）")),
    ("(一)", Phrase("(一)")),
    ("(9)推进中医药服务基层全覆盖", Phrase("(9)推进中医药服务基层全覆盖")),
    ("各州(市)营商环境", Phrase("各州(市)营商环境")),
    ("【打印】《纲要(草案)》〔17〕「两会」", Phrase("【打印】《纲要(草案)》〔17〕「两会」")),
    ("(项目 投资)", And((Phrase("项目"), Phrase("投资")))),
    ("((项目 OR 投资))", Or((Phrase("项目"), Phrase("投资")))),
    ("-(项目 OR 投资) 河北", And((Not(Or((Phrase("项目"), Phrase("投资")))), Phrase("河北")))),
    ("（项目 OR 投资）", Or((Phrase("（项目"), Phrase("投资）")))),
    ("市)营商", Phrase("市)营商")),
    ("(市", Phrase("(市")),
    # a leading "-" before a word, and "-" before a digit, are text
    ("-威恒供应", Phrase("-威恒供应")),
    ("营商环境 -2020", And((Phrase("营商环境"), Phrase("-2020")))),
    ('-"疫情" 营商环境', And((Not(Phrase("疫情")), Phrase("营商环境")))),
    ("-", Phrase("-")),
    ("--", Phrase("--")),
    # a span cut inside a footnote marker: the search text holds no markers, so the pieces go
    ("7〕等工作〔1", Phrase("等工作")),
    ("〔17〕", None),
    ("〔2021〕12号", Phrase("〔2021〕12号")),
    ("", None),
    ("   ", None),
])
def test_parse_query(q, tree):
    assert parse_query(q) == tree


@pytest.mark.parametrize("q, fragment", [
    ('"项目为王', "引号没有闭合"),
    ("(项目 OR 投资", "括号没有闭合"),
    ("项目 OR 投资)", "右括号"),
    ("项目 ( )", "括号里是空的"),
    ("AND", "AND"),
    ("项目 AND", "AND 后面"),
    ("OR 项目", "OR 前面"),
    ("NOT NOT 项目", "连续的否定"),
    ("项目 -", "“-”后面"),
    ("NOT", "NOT"),
    ("year:abc", "年份"),
    ("year:3000-1", "年份"),
    ("year:2023-2019", "颠倒"),
    ("year:1800", "超出范围"),
    ("foo:bar", "未知的筛选字段"),
    ("level:village", "级别"),
    ("section:附录", "章节"),
    ("()", "括号里是空的"),
    ("项目\x00为王", "控制字符"),
    ("项" * 1001, "太长"),
])
def test_bad_queries_get_a_clear_chinese_message(q, fragment):
    with pytest.raises(QueryError) as info:
        parse_query(q)
    assert fragment in str(info.value)


def test_error_position_points_at_the_problem():
    with pytest.raises(QueryError) as info:
        parse_query('项目为王 "放管服')
    assert info.value.position == 5


@pytest.mark.parametrize("value, expected", [("2021", (2021, 2021)), ("2019-2023", (2019, 2023)),
                                             ("２０２１", (2021, 2021)), ("2019—2023", (2019, 2023))])
def test_parse_year_range(value, expected):
    assert parse_year_range(value) == expected


@pytest.mark.parametrize("q, notice", [
    ("(一)", "(一) 按原文检索"),
    ("(一)加快", "(一) 按原文检索"),
    ("(((发展)))", "(((发展))) 按原文检索"),
    ("市)营商", "“(”或“)” 按原文检索"),
    ("（项目 OR 投资）", "全角括号 （项目 OR 投资） 按原文检索"),
])
def test_a_bracket_read_as_text_gets_a_notice(q, notice):
    assert any(notice in n for n in read_query(q).notices)


@pytest.mark.parametrize("q", ["（一）加快", "项目为王", "(项目 OR 投资) 河北", "GDP（国内生产总值）"])
def test_no_notice_where_nothing_was_reinterpreted(q):
    assert read_query(q).notices == ()
