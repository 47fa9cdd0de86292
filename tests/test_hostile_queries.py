"""Hostile queries through the engine, the command line, the web form and the API.

Whatever a person with the link types, the answer is a page of hits or a 400
with one line of Chinese saying what is wrong — never a 500, never a
traceback — and it comes quickly because the work is bounded (query length,
number of terms, nesting depth, page size), not because a request timed out.
A property test throws random queries at the parser and at ``/api/search``
and checks that every returned paragraph really holds each required phrase.
"""
import re
import string
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import baogao
from index.normalise import fold_for_search, query_variants
from search.engine import MAX_PER_PAGE, SearchRequest
from search.query import MAX_DEPTH, MAX_QUERY_LENGTH, And, Not, Phrase, QueryError, parse_query

#: No single query may take longer than this on the sample (the slowest seen is ~0.1 s).
TIME_BOUND = 2.0

HOSTILE = [
    '"', '"项目为王', '项目为王"', '""', '" "', "(", ")", "((项目)", "(项目))", "()", "( )",
    "AND", "OR", "NOT", "-", "--", "- -", "NOT NOT", "NOT NOT 项目", "AND AND", "项目 AND", "OR 项目", "项目 OR",
    "NOT -项目", "-(", "foo:bar", "FOO:bar", "province:", "year:", "year:abc", "year:3000-1", "year:3000",
    "year:2023-2019", "year:0000", "year:２０２１", "level:xyz", "section:xyz", "省:", ":", "::", "a:b", "http://x.y/z",
    "发展" * 600, "的" * 10_000, "项 " * 70, " OR ".join(["发展"] * 65),
    "项目\u200b为王", "\u200b", "\u200f项目为王\u200e", "\u202e项目为王", "\ufeff项目", "\u2028", "\u00ad",
    "项目\x00为王", "\x07", "\x1b[31m红", "\x7f", "\ud800", "项目\udfff", "\U0001F600", "𠀀𠀁",
    "*", "?", "**", "???", "*项目*", "项目?", ".*", "[a-z]+", "^$", "\\", "\\d+", "(?i)", "a|b", "$(rm -rf /)",
    "'; DROP TABLE reports; --", "<script>alert(1)</script>", "{{7*7}}", "%s%s%s", "%00", "../../etc/passwd",
    "(" * (MAX_DEPTH + 1) + "项目" + ")" * (MAX_DEPTH + 1), "(" * 400, ")" * 400, "(-" * 300, "NOT (" * 150,
    "　", "\t\n\r", "，", "“”", "＂项目＂", "（项目）", "－项目",
]
PRINTABLE = [c for c in string.printable if not c.isspace()] + [" "]

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def client(sample_index):
    """One app for the whole module (opening an engine per test would dominate the run)."""
    from web import close_engine, create_app

    app = create_app({"TESTING": True, "INDEX": str(sample_index), "SERVER_NAME": "baogao.test"})
    yield app.test_client()
    close_engine(app)


def _answered(q: str, engine):
    """('ok', page) or ('error', QueryError); anything else escapes and fails the test."""
    try:
        return "ok", engine.search(SearchRequest(q=q, per_page=50))
    except QueryError as exc:
        return "error", exc


def _one_chinese_line(message: str) -> bool:
    return bool(CJK.search(message)) and "\n" not in message and "Traceback" not in message and len(message) < 300


def _q(query: str) -> str:
    """A query string parameter percent-encoded byte by byte (lone surrogates included)."""
    return quote(query.encode("utf-8", "surrogatepass"), safe="")


# -- the engine -----------------------------------------------------------------------


@pytest.mark.parametrize("q", HOSTILE + PRINTABLE, ids=lambda q: repr(q[:12]))
def test_a_hostile_query_gets_hits_or_a_chinese_message_quickly(sample_engine, q):
    t0 = time.perf_counter()
    kind, result = _answered(q, sample_engine)
    assert time.perf_counter() - t0 < TIME_BOUND
    if kind == "error":
        assert _one_chinese_line(result.message), result.message
        assert result.position is None or 0 <= result.position <= len(q)


@pytest.mark.parametrize("q, message", [
    ('"项目为王', "引号没有闭合"),
    ("((项目 OR 投资)", "括号没有闭合"),
    ("项目 OR 投资)", "多了一个右括号"),
    ("AND", "AND 前面需要一个检索词"),
    ("项目 -", "后面需要一个检索词"),
    ("NOT NOT 项目", "连续的否定"),
    ("foo:bar", "未知的筛选字段“foo”"),
    ("year:abc", "年份“abc”无法识别"),
    ("year:3000-1", "年份“3000-1”无法识别"),
    ("year:3000", "超出范围"),
    ("的" * 10_000, f"检索式太长（10000 个字符，最多 {MAX_QUERY_LENGTH} 个）"),
    ("项 " * 70, "检索词太多"),
    ("项目\x00为王", "控制字符"),
    ("\ud800", "控制字符"),
    ("(" * (MAX_DEPTH + 1) + "项目 投资" + ")" * (MAX_DEPTH + 1), "括号嵌套太深"),
])
def test_the_message_says_what_is_wrong(q, message):
    with pytest.raises(QueryError) as info:
        parse_query(q)
    assert message in str(info.value)


@pytest.mark.parametrize("q", ["*", "?", ".*", "[a-z]+", "\\d+", "a|b"])
def test_wildcards_and_regex_metacharacters_are_literal_text(sample_engine, q):
    page = sample_engine.search(SearchRequest(q=f'"{q}"', per_page=MAX_PER_PAGE))
    for h in page.hits:
        assert q in h.text


def test_zero_width_and_direction_marks_do_not_break_a_phrase_or_match_everything(sample_engine):
    plain = sample_engine.search(SearchRequest(q="项目为王")).total
    assert plain > 0
    for mark in ("\u200b", "\u200f", "\u202e"):
        kind, result = _answered(f"项目{mark}为王", sample_engine)
        assert kind == "error" or result.total <= plain
        kind, result = _answered(mark, sample_engine)
        assert kind == "error" or result.total in (0, sample_engine.stats()["paragraphs"])


# -- bounded work ---------------------------------------------------------------------


@pytest.mark.parametrize("q", [
    "的",  # one character: looked for in every paragraph
    "NOT 的",  # touches every paragraph
    "NOT 项目为王",
    " OR ".join(["发展", "建设", "经济", "推进", "加强", "实施", "提升", "全面", "社会", "工作", "改革", "创新"] * 5),
    " ".join(["发展"] * 64),
    "(" * MAX_DEPTH + "发展 OR 建设" + ")" * MAX_DEPTH,
])
def test_the_widest_queries_return_quickly_at_the_largest_page(sample_engine, q):
    t0 = time.perf_counter()
    page = sample_engine.search(SearchRequest(q=q, per_page=MAX_PER_PAGE))
    assert time.perf_counter() - t0 < TIME_BOUND
    assert page.total > 0 and len(page.hits) == min(page.total, MAX_PER_PAGE)


def test_a_page_larger_than_the_cap_is_refused(client):
    assert client.get(f"/api/search?q=发展&per_page={MAX_PER_PAGE}").status_code == 200
    r = client.get(f"/api/search?q=发展&per_page={MAX_PER_PAGE + 1}")
    assert r.status_code == 400 and "per_page" in r.get_json()["error"]
    for bad in ("0", "-1", "abc", "１０", "1e3", "99999999999999999999"):
        r = client.get(f"/api/search?q=发展&per_page={_q(bad)}")
        assert r.status_code == 400 and _one_chinese_line(r.get_json()["error"]), bad
    for bad in ("0", "-5", "x", "100001"):
        assert client.get(f"/api/search?q=发展&page={bad}").status_code == 400


# -- the web form, the API, the command line ---------------------------------------------


@pytest.mark.parametrize("q", HOSTILE + PRINTABLE, ids=lambda q: repr(q[:12]))
def test_the_api_answers_200_or_400_in_chinese(client, q):
    t0 = time.perf_counter()
    r = client.get(f"/api/search?q={_q(q)}")
    assert time.perf_counter() - t0 < TIME_BOUND
    assert r.status_code in (200, 400), r.data[:300]
    assert r.is_json
    if r.status_code == 400:
        assert _one_chinese_line(r.get_json()["error"])


@pytest.mark.parametrize("q", HOSTILE, ids=lambda q: repr(q[:12]))
def test_the_search_page_answers_200_or_400_in_chinese(client, q):
    r = client.get(f"/search?q={_q(q)}")
    assert r.status_code in (200, 400)
    body = r.get_data(as_text=True)
    assert "Traceback" not in body and "<script>alert" not in body
    if r.status_code == 400:
        assert "检索式有误" in body or "参数有误" in body


@pytest.mark.parametrize("param", ["province", "prefecture", "county", "year", "level", "section", "sort"])
@pytest.mark.parametrize("value", ["\ud800", "../../etc", "x" * 2000, "\x00", "()", "year:2021"])
def test_hostile_filter_parameters_never_give_a_500(client, param, value):
    for path in ("/api/search", "/search", "/search.json"):
        r = client.get(f"{path}?q=发展&{param}={_q(value)}")
        assert r.status_code in (200, 400), (path, r.status_code)


@pytest.mark.parametrize("q", ['"项目为王', "year:3000-1", "foo:bar", "(" * 40 + "项目 OR 投资", "项目\udcff为王"])
def test_the_command_line_prints_one_line_and_exits_2(capsys, sample_index, q):
    code = baogao.main(["search", "--index", str(sample_index), q])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("baogao: 检索式有误") and _one_chinese_line(lines[0])


# -- property tests ------------------------------------------------------------------------

WORDS = ["发展", "项目为王", "营商环境", "改革", "的", "霸州", "通州", "乡村振兴", "經濟", "高质量发展", "2021", "3.8%", "互联网+"]
SYNTAX = ["AND", "OR", "NOT", "-", "(", ")", '"', "（", "）", "“", "”", ":", "：", "*", "?"]
FILTERS = ["province:河北", "省:北京", "year:2021", "year:2019-2023", "year:abc", "level:county", "section:重点任务",
           "foo:bar", "county:霸州"]
JUNK = st.text(st.characters(codec=None, categories=("L", "N", "P", "S", "Z", "C")), max_size=6)

queries = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(SYNTAX), st.sampled_from(FILTERS), JUNK),
    max_size=8,
).flatmap(lambda parts: st.sampled_from([" ", ""]).map(lambda sep: sep.join(parts)))


def _required_and_excluded(node):
    """Phrases every hit must hold, and phrases no hit may hold (the top AND's direct parts)."""
    parts = node.children if isinstance(node, And) else (node,)
    need = [p.text for p in parts if isinstance(p, Phrase)]
    never = [p.child.text for p in parts if isinstance(p, Not) and isinstance(p.child, Phrase)]
    return need, never


def _holds(text: str, phrase: str, traditional: bool) -> bool:
    folded = fold_for_search(text, traditional=traditional)
    return any(v and v in folded for v in query_variants(phrase))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries)
def test_the_parser_answers_a_tree_or_a_query_error(q):
    try:
        parse_query(q)
    except QueryError as exc:
        assert _one_chinese_line(exc.message)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=queries)
def test_the_api_returns_only_paragraphs_holding_every_required_phrase(client, sample_engine, q):
    r = client.get(f"/api/search?q={_q(q)}&per_page=200")
    assert r.status_code in (200, 400), r.data[:300]
    if r.status_code == 400:
        assert _one_chinese_line(r.get_json()["error"])
        return
    tree = parse_query(r.get_json()["query"])  # as the server decoded it (a lone surrogate becomes U+FFFD)
    if tree is None:
        return
    need, never = _required_and_excluded(tree)
    traditional = {rec["report_id"]: bool(rec.get("traditional")) for rec in sample_engine.reports()}
    for hit in r.get_json()["hits"]:
        trad = traditional[hit["report_id"]]
        for phrase in need:
            assert _holds(hit["text"], phrase, trad), (q, phrase, hit["paragraph_id"])
        for phrase in never:
            assert not _holds(hit["text"], phrase, trad), (q, phrase, hit["paragraph_id"])


@pytest.mark.parametrize("q, tree", [
    ("(((发展 建设)))", parse_query("发展 建设")),
    ("((项目 OR 投资))", parse_query("项目 OR 投资")),
    ("(项目为王 放管服)", And((Phrase("项目为王"), Phrase("放管服")))),
    ("GDP（国内生产总值）", Phrase("GDP（国内生产总值）")),
    # parentheses around a single term are text (issue 11: pasted report text such as (一) is found as typed)
    ("(((发展)))", Phrase("(((发展)))")),
    ("(互联网+)", Phrase("(互联网+)")),
])
def test_closing_parentheses_after_a_word_close_every_open_group(q, tree):
    assert parse_query(q) == tree
