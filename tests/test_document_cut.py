"""The documents' cut (index.analysis.document_tokens): jieba-rs's speed, jieba-next's words.

The index's words field and the query side (QueryDictionary, held to
jieba-next by test_query_dictionary) must cut alike, or BM25 looks up words
the index never saw. These tests compare with jieba-next itself, on the
sample, on strings spliced from it with what jieba-rs reads differently, and on
hand-written edge strings.
"""
import random
import re
from collections import Counter

import pytest

from index import analysis
from index.assemble import parse_path
from tests.conftest import SAMPLE

#: What jieba-rs cuts differently from jieba-next when left alone: ``-`` inside its blocks, CJK beyond
#: U+9FD5 and in extension A or the supplementary planes, runs of letters and digits it keeps whole.
AWKWARD = ["-", "2-3", "2011-2020", "5G-A", "low-e", "1.4l", "1.5-3.0", "pm_2.5", "13.eflops", "www.gov.cn",
           "COVID-19", "㐀", "䶮", "鿫", "﨑", "𠀀", "𫟹", " ", "\t", "\r\n", "\n", "　", "—", "％", "①", "２０２５",
           "😀", "a", "AT&T", "C++", "#", "&"]


def _sample_texts() -> list[str]:
    return [p.search_text for f in sorted(SAMPLE.glob("*.txt")) for r in parse_path(f) for p in r.paragraphs]


def _jieba_next(text: str) -> list[str]:
    return list(analysis.jieba_tokenizer().cut(text, HMM=True))


def test_documents_are_cut_as_jieba_next_cuts_them_on_every_sample_paragraph():
    texts = _sample_texts()
    assert len(texts) > 500
    assert [t for t in texts if analysis.document_tokens(t) != _jieba_next(t)] == []


@pytest.mark.parametrize("text", [
    "2021-2025年，GDP年均增长5.2%，5G-A基站1.4l万个，pm_2.5浓度下降，详见www.gov.cn。",
    "王䶮同志、𫟹元素、﨑岖山路和鿫字都在其中-不在词典里",
    "深化放管服改革\r\n坚持项目为王\t推动　高质量发展",
    "COVID-19疫情防控，AT&T公司，C++程序，13.eflops算力，low-e玻璃，1.5-3.0米",
    "",
    "-",
    "--2012年在第十三届人民代表大会上",
])
def test_edge_strings_are_cut_as_jieba_next_cuts_them(text):
    assert analysis.document_tokens(text) == _jieba_next(text)


def test_spliced_strings_with_what_jieba_rs_reads_differently():
    """Pieces of different paragraphs joined by AWKWARD strings: text the cut was not written against."""
    rng = random.Random(11)
    texts = _sample_texts()
    made = []
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 4)):
            t = rng.choice(texts)
            a = rng.randrange(len(t))
            parts.append(t[a : a + rng.randint(1, 30)])
            if rng.random() < 0.6:
                parts.append(rng.choice(AWKWARD))
        made.append("".join(parts))
    assert sum(any(a in s for a in ("-", "䶮", "𠀀", "1.4l")) for s in made) > 500
    assert [s for s in made if analysis.document_tokens(s) != _jieba_next(s)] == []


def test_jieba_rs_alone_would_differ_here():
    """The fix-ups are needed: without them these strings cut differently (so the tests above can fail)."""
    import rjieba

    for text in ("2021-2025年", "1.4l万个", "王䶮䶮同志"):
        assert rjieba.cut(text, True) != _jieba_next(text)
        assert analysis.document_tokens(text) == _jieba_next(text)


def test_the_patterns_are_jieba_nexts():
    from jieba_next import finalseg
    from jieba_next._patterns import re_han_default, re_skip_default

    assert analysis._BLOCK.pattern == re_han_default.pattern
    assert analysis._WHITESPACE.pattern == re_skip_default.pattern
    assert analysis._LETTERS_DIGITS.pattern == finalseg.re_skip.pattern


def test_what_jieba_rs_reads_into_a_block_is_exactly_what_is_cut_block_by_block():
    """Every code point jieba-next does not read as a word, cut between words: where jieba-rs alone
    differs, the character is in _RS_ONLY (so such a text takes the block-by-block path)."""
    import rjieba

    block = re.compile("[\u4e00-\u9fd5a-zA-Z0-9+#&._%]")
    rng = random.Random(3)
    code_points = list(range(0x20, 0x3400, 7)) + list(range(0x3400, 0x4dc0, 97)) + list(range(0x9fd0, 0xa000)) + \
        list(range(0xf900, 0xfb00, 13)) + list(range(0xfe00, 0x10000, 5)) + \
        [rng.randrange(0x20000, 0x2fa20) for _ in range(300)]
    for cp in code_points:
        c = chr(cp)
        if block.match(c) or 0xd800 <= cp < 0xe000:
            continue
        text = "研究" + c + "发展" + "a" + c + "b" + c + c + "中"
        if rjieba.cut(text, True) != _jieba_next(text):
            assert analysis._RS_ONLY.search(c), hex(cp)
        assert analysis.document_tokens(text) == _jieba_next(text), hex(cp)


def test_word_terms_ask_jieba_rs_what_a_word_is_as_jieba_next_would():
    """_word_terms keeps a word's dictionary parts; jieba-rs's has_word must agree with jieba-next's counts."""
    freq = analysis.jieba_tokenizer().FREQ
    import rjieba

    words = ["中华人民共和国", "人民", "共和国", "华人", "项目为王", "为王", "放管服", "乾务镇", "新质生产力", "质生产"]
    assert [rjieba.has_word(w) for w in words] == [bool(freq.get(w)) for w in words]
    assert analysis._word_terms("中华人民共和国")[:1] == ("中华人民共和国",)
    assert {"中华", "华人", "人民", "共和国", "共和"} <= set(analysis._word_terms("中华人民共和国"))


def test_word_counts_over_jieba_rs_equal_counts_over_jieba_next():
    texts = _sample_texts()[:300] + ["2021-2025年，5G-A基站1.4l万个，王䶮同志"]
    for text in texts:
        expected = Counter(t for w in _jieba_next(text) for t in analysis._word_terms(w))
        assert analysis.word_counts(text) == expected, text
